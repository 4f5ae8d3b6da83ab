/**
 * Runs the backend-agnostic kernel suite (tests/suite) on the webgpu backend against the
 * reference backend, inside Chromium or Deno, reporting each case on its own protocol line;
 * all but the convolution and pooling cases, which conv-gpu-suite.ts runs.
 * Then the GEMM and column-reduction cases run again on a backend forced to each GEMM
 * variant ('tiled' with workgroup memory, 'blocked' without; column reductions follow it),
 * reported as `[gemm_tiled] <case>` and `[gemm_blocked] <case>`, so both variants are
 * checked whichever the adapter defaults to.
 * Options: `filter=<substring>` runs the matching cases only; `part=main` runs the suite without the
 * forced variants, `part=variants` only the forced variants (webgpu-kernels.test.ts and
 * webgpu-gemm-variants.test.ts, so each run has its own time limit); no `part` runs both.
 */
import { casesBesideConv, suites } from '../../backends/suite/index.js';
import { columnCases } from '../../backends/suite/reduce.cases.js';
import type { KernelCase } from '../../backends/suite/harness.js';
import { createReferenceBackend } from '../../../src/backends/reference/index.js';
import { createWebGPUBackend } from '../../../src/backends/webgpu/index.js';
import { emit, exitRuntime, runtimeOptions } from '../protocol.js';
import { runCases } from './run-gpu-cases.js';

async function main(): Promise<void> {
  const options = runtimeOptions();
  const matches = (c: KernelCase) => !options.filter || c.name.includes(options.filter);
  const reference = createReferenceBackend();
  const started = performance.now();
  const backend = await createWebGPUBackend();
  emit('SORA_INFO', { backend: backend.description, gemm: backend.gemmVariant, limits: backend.context.limits });
  const part = options.part ?? 'all';
  if (!['all', 'main', 'variants'].includes(part)) throw new Error(`kernel-suite: part must be all, main or variants; received ${part}`);
  const cases = part === 'variants' ? [] : casesBesideConv.filter(matches);
  let failed = await runCases(backend, reference, cases, '');
  const stats = backend.stats();
  backend.dispose();
  for (const variant of part === 'main' ? [] : ['tiled', 'blocked'] as const) {
    const forced = await createWebGPUBackend({ gemm: variant });
    failed += await runCases(forced, reference, [...suites.gemm, ...columnCases].filter(matches), `[gemm_${variant}] `);
    forced.dispose();
  }
  emit('SORA_DONE', { cases: cases.length, failed, ms: Math.round(performance.now() - started), stats });
}

main().then(() => exitRuntime(0), (error) => {
  emit('SORA_FATAL', error instanceof Error ? error.message : String(error));
  exitRuntime(1);
});
