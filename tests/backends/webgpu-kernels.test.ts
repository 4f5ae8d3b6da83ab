/**
 * The backend-agnostic kernel suite (tests/suite) on the webgpu backend, against the
 * reference backend, in two real WebGPU implementations: headless Chromium (SwiftShader
 * when there is no GPU) and Deno (wgpu over Vulkan; lavapipe without a GPU). The suite is
 * bundled once with esbuild; each case is reported as its own test. A missing runtime fails
 * every test with the apt-get line that installs it (never a skip). The convolution and
 * pooling cases run in webgpu-conv.test.ts instead (suite/index.ts says why).
 *
 * The GEMM and column-reduction cases run once more per GEMM variant ('tiled' for GPUs,
 * 'blocked' for CPU adapters), whichever this adapter defaults to, in
 * webgpu-gemm-variants.test.ts: together the two runs came near one file's time limit on a
 * loaded machine (442 s of 480 in a full npm test).
 *
 * SORA_FILTER=<substring> runs only the matching cases (for development).
 */
import { expect } from 'vitest';
import { casesBesideConv } from './suite/index.js';
import { describeInRuntimes } from '../runtimes/suite.js';

const filter = process.env.SORA_FILTER ?? '';
const names = casesBesideConv.map((c) => c.name).filter((n) => n.includes(filter));

describeInRuntimes({
  title: 'webgpu kernel suite', entry: 'tests/runtimes/entries/kernel-suite.ts',
  cases: names, timeoutMs: 8 * 60_000, options: filter ? { filter, part: 'main' } : { part: 'main' },
  runCheck: {
    name: 'gets a WebGPU adapter and runs the suite to the end',
    check: (run) => expect(run.info.length).toBeGreaterThan(0),
  },
});
