/**
 * Runs the webgpu convolution and pooling kernel cases (tests/backends/suite/conv-gpu.cases.ts,
 * pool-gpu.cases.ts) against the reference backend inside Chromium or Deno, one protocol line
 * per case, as kernel-suite.ts does for the main suite. Options: `filter=<substring>`.
 */
import { cases as conv } from '../../backends/suite/conv-gpu.cases.js';
import { cases as pool } from '../../backends/suite/pool-gpu.cases.js';
import { createReferenceBackend } from '../../../src/backends/reference/index.js';
import { createWebGPUBackend } from '../../../src/backends/webgpu/index.js';
import { emit, exitRuntime, runtimeOptions } from '../protocol.js';

async function main(): Promise<void> {
  const options = runtimeOptions();
  const cases = [...conv, ...pool].filter((c) => !options.filter || c.name.includes(options.filter));
  const reference = createReferenceBackend();
  const started = performance.now();
  const backend = await createWebGPUBackend();
  emit('SORA_INFO', { backend: backend.description, gemm: backend.gemmVariant });
  let failed = 0;
  for (const kernelCase of cases) {
    const t0 = performance.now();
    try {
      const before = backend.bytesInUse();
      await kernelCase.run(backend, reference);
      await backend.flush();
      const after = backend.bytesInUse();
      if (after !== before) throw new Error(`the case leaked ${after - before} bytes of GPU storage`);
      emit('SORA_RESULT', { name: kernelCase.name, ok: true, ms: Math.round(performance.now() - t0) });
    } catch (error) {
      failed++;
      emit('SORA_RESULT', { name: kernelCase.name, ok: false, error: error instanceof Error ? error.message : String(error),
        ms: Math.round(performance.now() - t0) });
    }
  }
  backend.dispose();
  emit('SORA_DONE', { cases: cases.length, failed, ms: Math.round(performance.now() - started) });
}

main().then(() => exitRuntime(0), (error) => {
  emit('SORA_FATAL', error instanceof Error ? error.message : String(error));
  exitRuntime(1);
});
