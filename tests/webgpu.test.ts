/**
 * The backend-agnostic kernel suite (tests/suite) on the webgpu backend, against the
 * reference backend, in two real WebGPU implementations: headless Chromium (SwiftShader
 * when there is no GPU) and Deno (wgpu over Vulkan; lavapipe without a GPU). The suite is
 * bundled once with esbuild; each case is reported as its own test. A missing runtime fails
 * every test with the apt-get line that installs it (never a skip).
 *
 * The GEMM cases run once more per GEMM variant ('tiled' for GPUs, 'blocked' for CPU
 * adapters), whichever this adapter defaults to.
 *
 * SORA_FILTER=<substring> runs only the matching cases (for development).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { allCases, suites } from './suite/index.js';
import { bundle } from './runtimes/bundle.js';
import { runIn, type Runtime } from './runtimes/run.js';
import type { RunCollector } from './runtimes/protocol.js';

const filter = process.env.SORA_FILTER ?? '';
const names = allCases.map((c) => c.name).filter((n) => n.includes(filter));
// The GEMM cases also run on backends forced to each GEMM variant (see the entry).
const gemmNames = suites.gemm.map((c) => c.name).filter((n) => n.includes(filter));
const variantNames = ['tiled', 'blocked'].flatMap((v) => gemmNames.map((n) => `[gemm_${v}] ${n}`));
const RUN_TIMEOUT = 8 * 60_000;
const ENTRY = 'tests/runtimes/entries/kernel-suite.ts';
const RUNTIMES: [Runtime, string][] = [['chromium', 'headless Chromium (SwiftShader)'], ['deno', 'Deno (lavapipe)']];

const runs = new Map<Runtime, Promise<RunCollector>>();
beforeAll(() => {
  // Both runtimes start at once; each describe below awaits its own.
  const code = bundle(ENTRY);
  for (const [runtime] of RUNTIMES) {
    runs.set(runtime, code.then((text) => runIn(runtime, { code: text }, { options: filter ? { filter } : {}, timeoutMs: RUN_TIMEOUT })));
  }
});

for (const [runtime, label] of RUNTIMES) {
  describe(`webgpu kernel suite in ${label}`, () => {
    let run: RunCollector;
    beforeAll(async () => { run = await runs.get(runtime)!; }, RUN_TIMEOUT + 60_000);

    it('gets a WebGPU adapter and runs the suite to the end', () => {
      if (run.fatal) throw new Error(`${run.fatal}\n${run.tail()}`);
      expect(run.info.length).toBeGreaterThan(0);
    });

    for (const name of [...names, ...variantNames]) {
      it(name, () => {
        const result = run.results.get(name);
        if (!result) throw new Error(`case did not report: ${run.fatal ?? 'no result line'}`);
        if (!result.ok) throw new Error(result.error);
      });
    }
  });
}
