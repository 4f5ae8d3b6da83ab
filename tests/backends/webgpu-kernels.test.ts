/**
 * The backend-agnostic kernel suite (tests/suite) on the webgpu backend, against the
 * reference backend, in two real WebGPU implementations: headless Chromium (SwiftShader
 * when there is no GPU) and Deno (wgpu over Vulkan; lavapipe without a GPU). The suite is
 * bundled once with esbuild; each case is reported as its own test. A missing runtime fails
 * every test with the apt-get line that installs it (never a skip). The convolution and
 * pooling cases run in webgpu-conv.test.ts instead (suite/index.ts says why).
 *
 * The GEMM and column-reduction cases run once more per GEMM variant ('tiled' for GPUs,
 * 'blocked' for CPU adapters; column reductions take reduce_columns or reduce_serial with
 * it), whichever this adapter defaults to.
 *
 * SORA_FILTER=<substring> runs only the matching cases (for development).
 */
import { expect } from 'vitest';
import { casesBesideConv, suites } from './suite/index.js';
import { columnCases } from './suite/reduce.cases.js';
import { describeInRuntimes } from '../runtimes/suite.js';

const filter = process.env.SORA_FILTER ?? '';
const names = casesBesideConv.map((c) => c.name).filter((n) => n.includes(filter));
// The GEMM and column-reduction cases also run on backends forced to each GEMM variant (see the entry).
const gemmNames = [...suites.gemm, ...columnCases].map((c) => c.name).filter((n) => n.includes(filter));
const variantNames = ['tiled', 'blocked'].flatMap((v) => gemmNames.map((n) => `[gemm_${v}] ${n}`));

describeInRuntimes({
  title: 'webgpu kernel suite', entry: 'tests/runtimes/entries/kernel-suite.ts',
  cases: [...names, ...variantNames], timeoutMs: 8 * 60_000, options: filter ? { filter } : {},
  runCheck: {
    name: 'gets a WebGPU adapter and runs the suite to the end',
    check: (run) => expect(run.info.length).toBeGreaterThan(0),
  },
});
