/**
 * The built library runs beyond Node: dist/index.js, unbundled, multiplies matrices on the
 * wasm backend in Deno and in headless Chromium, loading the same build/sora-*.wasm file
 * (the browser fetches it from the served repository root), and the products match a JS
 * triple loop. Needs `npm run build` first (npm test runs it). A missing runtime fails
 * with the apt-get line that installs it; nothing is skipped.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runIn, type Runtime } from './runtimes/run.js';
import type { RunCollector } from './runtimes/protocol.js';
import { REPO_ROOT } from './runtimes/server.js';

const ENTRY = 'tests/runtimes/entries/wasm-gemm.mjs';
const TIMEOUT = 120_000;
const SHAPES = ['m=1 n=1 k=1', 'm=7 n=33 k=17', 'm=64 n=64 k=64', 'm=33 n=127 k=65', 'm=128 n=96 k=300'];
const NAMES = SHAPES.flatMap((s) => ['', ' tA', ' tB', ' tA tB'].map((t) => `matMul ${s}${t}`));

function requireBuild(): void {
  for (const file of ['dist/index.js', 'build/sora-simd.wasm', 'build/sora-relaxed.wasm']) {
    if (!existsSync(join(REPO_ROOT, file))) throw new Error(`${file} is missing: run \`npm run build\` first`);
  }
}

for (const runtime of ['deno', 'chromium'] as Runtime[]) {
  describe(`dist/index.js on the wasm backend in ${runtime}`, () => {
    let run: RunCollector;
    const requests: string[] = [];
    beforeAll(async () => {
      requireBuild();
      run = await runIn(runtime, { file: ENTRY }, { timeoutMs: TIMEOUT, requests });
    }, TIMEOUT + 30_000);

    it('loads the library and selects the wasm backend', () => {
      if (run.fatal) throw new Error(`${run.fatal}\n${run.tail()}`);
      const info = run.info[0] as { backend: string; description: string };
      expect(info.backend).toBe('wasm');
      expect(info.description).toMatch(/^wasm/);
      if (runtime === 'chromium') {
        // The page fetched the kernel module from the repository's build/ directory.
        expect(requests.some((p) => /^\/build\/sora-(simd|relaxed)\.wasm$/.test(p)), requests.join(', ')).toBe(true);
      }
      expect((run.summary as { tensors: number }).tensors).toBe(0);
    });

    for (const name of NAMES) {
      it(`${name} matches a triple loop`, () => {
        const result = run.results.get(name);
        if (!result) throw new Error(`no result: ${run.fatal ?? 'the case did not report'}\n${run.tail()}`);
        if (!result.ok) throw new Error(result.error);
      });
    }
  });
}

/**
 * Threads beyond Node: the same build on 1, 2 and 3 threads in Deno and on a cross-origin-
 * isolated page (tests/runtimes/entries/wasm-threads.mjs lists the checks), and on a page
 * that is not isolated, where the backend stays on one thread and env().threads says why.
 */
const THREADS_ENTRY = 'tests/runtimes/entries/wasm-threads.mjs';
for (const [runtime, isolated] of [['deno', true], ['chromium', true], ['chromium', false]] as [Runtime, boolean][]) {
  describe(`wasm threads in ${runtime}${runtime === 'chromium' ? (isolated ? ', cross-origin isolated' : ', not isolated') : ''}`, () => {
    let run: RunCollector;
    beforeAll(async () => {
      requireBuild();
      run = await runIn(runtime, { file: THREADS_ENTRY }, {
        timeoutMs: TIMEOUT, crossOriginIsolated: isolated, options: isolated ? {} : { expect: 'single' },
      });
    }, TIMEOUT + 30_000);

    it('reports every case passing', () => {
      if (run.fatal) throw new Error(`${run.fatal}\n${run.tail()}`);
      const info = run.info[0] as { backend: string; threads: { count: number; unavailable: string | null } };
      expect(info.backend).toBe('wasm');
      if (isolated) expect(info.threads.unavailable).toBeNull();
      else expect(info.threads.unavailable).toMatch(/cross-origin-isolated page/);
      const names = [...run.results.keys()];
      expect(names.length).toBe(isolated ? 3 * 6 + 2 : 1);
      for (const [name, result] of run.results) {
        if (!result.ok) throw new Error(`${name}: ${result.error}`);
      }
      expect((run.summary as { tensors: number }).tensors).toBe(0);
    });
  });
}
