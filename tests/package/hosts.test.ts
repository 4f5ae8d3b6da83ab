/**
 * The packed library outside a browser, installed from the tarball as users install it:
 * Node (`import 'sora'`), Deno from the app's node_modules, Deno running one esbuild bundle of
 * `sora/wasm-inline` with no permissions at all (nothing to read or fetch), and a TypeScript
 * app that type-checks against the published types (NodeNext and bundler resolution, the
 * library's .d.ts checked too). Each run trains the page's classifier on the wasm backend.
 * Needs `npm run build` first.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { installApp, packTarball, removeDir, REPO_ROOT } from './apps.mjs';
import { denoCommand } from '../runtimes/deno.js';
import { RunCollector } from '../runtimes/protocol.js';

const TIMEOUT = 120_000;
let packDir = '';
let appDir = '';
const temps: string[] = [];

beforeAll(() => {
  for (const file of ['dist/index.js', 'dist/wasm-inline.js', 'build/sora-simd.wasm', 'build/sora-relaxed.wasm']) {
    if (!existsSync(join(REPO_ROOT, file))) throw new Error(`${file} is missing: run \`npm run build\` first`);
  }
  packDir = mkdtempSync(join(tmpdir(), 'sora-pack-'));
  appDir = installApp(packTarball(packDir).tarball, 'hosts');
}, 120_000);
afterAll(() => { for (const dir of [packDir, appDir, ...temps]) if (dir) removeDir(dir); });

/** Runs a command in the app and reads its protocol lines; fails with its output when it ends badly. */
function runProgram(command: string, args: string[], env: Record<string, string> = {}): RunCollector {
  const result = spawnSync(command, args, {
    cwd: appDir, encoding: 'utf8', timeout: TIMEOUT,
    env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', ...env },
  });
  const collector = new RunCollector();
  if (result.error) collector.fail(`${command} could not run: ${result.error.message}`);
  for (const line of (result.stdout ?? '').split('\n')) if (line) collector.line(line);
  if (!collector.summary) {
    collector.fail(`${command} ${args.join(' ')} exited with ${result.status} before finishing:\n${result.stdout}\n${result.stderr}`);
  }
  return collector;
}

function expectTrainedOnWasm(run: RunCollector, description: RegExp): void {
  if (run.fatal) throw new Error(`${run.fatal}\n${run.tail()}`);
  const info = run.info[0] as { backend: string; description: string; warnings: string[]; autoSkipped: string[] };
  expect(info.backend, info.autoSkipped.join('\n')).toBe('wasm');
  expect(info.description).toMatch(description);
  expect(info.warnings).toEqual([]);
  const result = run.results.get('trains and predicts');
  if (!result?.ok) throw new Error(result?.error ?? 'no result');
  expect((run.summary as { accuracy: number }).accuracy).toBeGreaterThanOrEqual(0.9);
}

function deno(args: string[]): RunCollector {
  const runtimeDir = mkdtempSync(join(tmpdir(), 'sora-deno-'));
  temps.push(runtimeDir);
  const [command, prefix] = denoCommand();
  return runProgram(command, [...prefix, 'run', '--no-prompt', ...args], { XDG_RUNTIME_DIR: runtimeDir });
}

describe('the installed tarball outside the browser', () => {
  it("Node: `import * as sora from 'sora'` trains on wasm with relaxed SIMD (Node 20 behind its flag)", () => {
    expectTrainedOnWasm(runProgram(process.execPath, ['--experimental-wasm-relaxed-simd', 'main.js']), /^wasm \(SIMD \+ relaxed SIMD\)$/);
  }, TIMEOUT);

  it('Node without the flag trains on wasm (plain SIMD on Node 20)', () => {
    expectTrainedOnWasm(runProgram(process.execPath, ['main.js']), /^wasm \(SIMD( \+ relaxed SIMD)?\)$/);
  }, TIMEOUT);

  it('Deno, importing sora from the app\'s node_modules, trains on wasm with relaxed SIMD', () => {
    expectTrainedOnWasm(deno(['--allow-read', 'main.js']), /^wasm \(SIMD \+ relaxed SIMD\)$/);
  }, TIMEOUT);

  it('Deno, running one esbuild bundle of sora/wasm-inline with no permissions, trains on wasm', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'sora-deno-bundle-'));
    temps.push(outDir);
    await build({
      entryPoints: [join(appDir, 'main-inline.js')], bundle: true, format: 'esm', platform: 'neutral',
      mainFields: ['module', 'main'], target: 'es2022', outfile: join(outDir, 'bundle.mjs'), logLevel: 'silent',
      absWorkingDir: appDir,
    });
    expectTrainedOnWasm(deno([join(outDir, 'bundle.mjs')]), /^wasm \(SIMD \+ relaxed SIMD\)$/);
  }, TIMEOUT);
});

describe('a TypeScript app against the published types', () => {
  const APP = `import * as sora from 'sora';
import { setWasmPaths, type Tensor } from 'sora/wasm-inline';

await sora.setBackend('auto', { warnOnFallback: false });
const t: Tensor = sora.tensor([1, 2, 3]);
const model = sora.sequential({ layers: [sora.layers.dense({ units: 1, inputShape: [3] })] });
model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
const out = model.predict(t.reshape([1, 3])) as sora.Tensor;
const values = await out.data();
sora.setWasmPaths('/assets/');
setWasmPaths({ 'sora-simd.wasm': new Uint8Array(0) });
const name: 'webgpu' | 'wasm' | 'reference' = sora.getBackend();
// @ts-expect-error units is a number
sora.layers.dense({ units: 'x' });
console.log(values.length, name);
`;
  for (const [module, resolution] of [['NodeNext', 'NodeNext'], ['ESNext', 'Bundler']]) {
    it(`type-checks with module ${module}, moduleResolution ${resolution}, skipLibCheck off, no @types`, () => {
      writeFileSync(join(appDir, 'app.ts'), APP);
      const config = join(appDir, `tsconfig.${resolution}.json`);
      writeFileSync(config, JSON.stringify({
        compilerOptions: { target: 'ES2022', module, moduleResolution: resolution, lib: ['ES2022', 'DOM'], types: [],
          strict: true, noEmit: true, skipLibCheck: false },
        files: ['app.ts'],
      }));
      const result = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsc'), ['-p', config], { cwd: appDir, encoding: 'utf8' });
      expect(`${result.stdout}${result.stderr}`.trim()).toBe('');
      expect(result.status).toBe(0);
    }, TIMEOUT);
  }
});
