/**
 * Runs the webgpu convolution and pooling kernel cases (tests/backends/suite/conv-gpu.cases.ts,
 * pool-gpu.cases.ts) and the kernel suite's own (conv.cases.ts, pool.cases.ts) against the
 * reference backend inside Chromium or Deno, one protocol line per case, as kernel-suite.ts
 * does for the rest of the suite; then the conv2d cases again on backends
 * forced to each GEMM variant, as `[gemm_tiled] <case>` and `[gemm_blocked] <case>`.
 * Options: `filter=<substring>`.
 */
import { cases as conv } from '../../backends/suite/conv-gpu.cases.js';
import { cases as pool } from '../../backends/suite/pool-gpu.cases.js';
import { convCases } from '../../backends/suite/index.js';
import { createReferenceBackend } from '../../../src/backends/reference/index.js';
import { createWebGPUBackend } from '../../../src/backends/webgpu/index.js';
import { emit, exitRuntime, runtimeOptions } from '../protocol.js';
import { runCases } from './run-gpu-cases.js';

async function main(): Promise<void> {
  const options = runtimeOptions();
  const cases = [...conv, ...pool, ...convCases].filter((c) => !options.filter || c.name.includes(options.filter));
  const reference = createReferenceBackend();
  const started = performance.now();
  const backend = await createWebGPUBackend();
  emit('SORA_INFO', { backend: backend.description, gemm: backend.gemmVariant });
  let failed = await runCases(backend, reference, cases, '');
  backend.dispose();
  // conv2d has a kernel per GEMM variant ('tiled' on GPUs, 'blocked' on CPU adapters): its
  // cases run again on a backend forced to each, whichever this adapter defaults to.
  const conv2dCases = conv.filter((c) => c.name.startsWith('conv2d') && (!options.filter || c.name.includes(options.filter)));
  for (const variant of ['tiled', 'blocked'] as const) {
    const forced = await createWebGPUBackend({ gemm: variant });
    failed += await runCases(forced, reference, conv2dCases, `[gemm_${variant}] `);
    forced.dispose();
  }
  emit('SORA_DONE', { cases: cases.length, failed, ms: Math.round(performance.now() - started) });
}

main().then(() => exitRuntime(0), (error) => {
  emit('SORA_FATAL', error instanceof Error ? error.message : String(error));
  exitRuntime(1);
});
