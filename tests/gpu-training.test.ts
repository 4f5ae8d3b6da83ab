/**
 * Training on the webgpu backend, in headless Chromium (SwiftShader) and Deno (lavapipe):
 * a short MNIST fit, parity with wasm, and recovery from device loss mid-fit
 * (tests/gpu/mnist-fit.ts). A missing runtime fails with the install line, never skips.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { bundle } from './runtimes/bundle.js';
import { runIn, type Runtime } from './runtimes/run.js';
import type { RunCollector } from './runtimes/protocol.js';
import { REPO_ROOT } from './runtimes/server.js';

const RUN_TIMEOUT = 8 * 60_000;
const CASES = [
  "'auto' passes over a CPU adapter for wasm; setBackend('webgpu') still takes it",
  'mnist fit on webgpu',
  'webgpu and wasm end within 0.5% accuracy',
  'device lost mid-fit resumes on wasm (mirror every epoch)',
  'device lost mid-fit resumes on wasm (mirror every 20)',
];
const RUNTIMES: [Runtime, string][] = [['chromium', 'headless Chromium (SwiftShader)'], ['deno', 'Deno (lavapipe)']];

const runs = new Map<Runtime, Promise<RunCollector>>();
beforeAll(() => {
  const code = bundle('tests/gpu/mnist-fit.ts');
  for (const [runtime] of RUNTIMES) {
    runs.set(runtime, code.then((text) => runIn(runtime, { code: text }, { options: { root: REPO_ROOT }, timeoutMs: RUN_TIMEOUT })));
  }
});

for (const [runtime, label] of RUNTIMES) {
  describe(`training on webgpu in ${label}`, () => {
    let run: RunCollector;
    beforeAll(async () => { run = await runs.get(runtime)!; }, RUN_TIMEOUT + 60_000);
    for (const name of CASES) {
      it(name, () => {
        const result = run.results.get(name);
        if (!result) throw new Error(`case did not report: ${run.fatal ?? 'no result line'}\n${run.tail()}`);
        if (!result.ok) throw new Error(result.error);
        expect(result.ok).toBe(true);
      });
    }
  });
}
