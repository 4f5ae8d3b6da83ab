/**
 * The kernel suite's GEMM and column-reduction cases on webgpu backends forced to each GEMM
 * variant ('tiled', with workgroup memory, for GPUs; 'blocked' for CPU adapters; column
 * reductions take reduce_columns or reduce_serial with it), whichever this adapter defaults
 * to, against the reference backend, in headless Chromium (SwiftShader) and Deno (lavapipe).
 * The rest of the suite runs in webgpu-kernels.test.ts. A missing runtime fails every test
 * with the apt-get line that installs it (never a skip).
 *
 * SORA_FILTER=<substring> runs only the matching cases (for development).
 */
import { expect } from 'vitest';
import { suites } from './suite/index.js';
import { columnCases } from './suite/reduce.cases.js';
import { describeInRuntimes } from '../runtimes/suite.js';

const filter = process.env.SORA_FILTER ?? '';
const gemmNames = [...suites.gemm, ...columnCases].map((c) => c.name).filter((n) => n.includes(filter));
const variantNames = ['tiled', 'blocked'].flatMap((v) => gemmNames.map((n) => `[gemm_${v}] ${n}`));

describeInRuntimes({
  title: 'webgpu GEMM variants', entry: 'tests/runtimes/entries/kernel-suite.ts',
  cases: variantNames, timeoutMs: 8 * 60_000, options: filter ? { filter, part: 'variants' } : { part: 'variants' },
  runCheck: {
    name: 'gets a WebGPU adapter and runs both forced variants to the end',
    check: (run) => expect(run.info.length).toBeGreaterThan(0),
  },
});
