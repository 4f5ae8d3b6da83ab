/**
 * Runs kernel-suite cases on a WebGPU backend against the reference, one SORA_RESULT line each
 * (a case that leaves GPU storage allocated fails), and returns how many failed: the loop the
 * kernel, conv and recurrent suite entries share.
 */
import type { KernelCase } from '../../backends/suite/harness.js';
import type { Backend } from '../../../src/backends/backend.js';
import type { WebGPUBackend } from '../../../src/backends/webgpu/index.js';
import { emit } from '../protocol.js';

export async function runCases(backend: WebGPUBackend, reference: Backend, cases: KernelCase[], prefix: string): Promise<number> {
  let failed = 0;
  for (const kernelCase of cases) {
    const name = prefix + kernelCase.name;
    const t0 = performance.now();
    try {
      const before = backend.bytesInUse();
      await kernelCase.run(backend, reference);
      await backend.flush();
      const after = backend.bytesInUse();
      if (after !== before) throw new Error(`the case leaked ${after - before} bytes of GPU storage`);
      emit('SORA_RESULT', { name, ok: true, ms: Math.round(performance.now() - t0) });
    } catch (error) {
      failed++;
      const message = error instanceof Error ? error.message : String(error);
      emit('SORA_RESULT', { name, ok: false, error: message, ms: Math.round(performance.now() - t0) });
    }
  }
  return failed;
}
