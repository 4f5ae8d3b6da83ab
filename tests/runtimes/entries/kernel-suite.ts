/**
 * Runs the backend-agnostic kernel suite (tests/suite) on the webgpu backend against the
 * reference backend, inside Chromium or Deno, reporting each case on its own protocol line.
 * Options: `filter=<substring>` runs the matching cases only.
 */
import { allCases } from '../../suite/index.js';
import { createReferenceBackend } from '../../../src/backends/reference/index.js';
import { createWebGPUBackend } from '../../../src/backends/webgpu/index.js';
import { emit, exitRuntime, runtimeOptions } from '../protocol.js';

async function main(): Promise<void> {
  const options = runtimeOptions();
  const backend = await createWebGPUBackend();
  const reference = createReferenceBackend();
  emit('SORA_INFO', { backend: backend.description, limits: backend.context.limits });
  const cases = options.filter ? allCases.filter((c) => c.name.includes(options.filter)) : allCases;
  let failed = 0;
  const started = performance.now();
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
      const message = error instanceof Error ? error.message : String(error);
      emit('SORA_RESULT', { name: kernelCase.name, ok: false, error: message, ms: Math.round(performance.now() - t0) });
    }
  }
  emit('SORA_DONE', { cases: cases.length, failed, ms: Math.round(performance.now() - started), stats: backend.stats() });
  backend.dispose();
}

main().then(() => exitRuntime(0), (error) => {
  emit('SORA_FATAL', error instanceof Error ? error.message : String(error));
  exitRuntime(1);
});
