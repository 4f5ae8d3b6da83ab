/**
 * Runs the recurrent kernel cases (tests/backends/suite/recurrent-gpu.cases.ts) on the webgpu
 * backend against the reference backend inside Chromium or Deno, one protocol line per case
 * (and a leak check per case), as conv-gpu-suite.ts does, then again as `[gemm_tiled] <case>` on
 * a backend forced to the GPUs' gemm variant. Then, unless filtered, the step
 * cost: an LSTM forward and forward + backward over 20 steps at B8 H64 and B64 H64 (input
 * projection given), beside the recurrent product's gemm alone, one dispatch per step
 * ([B, H] x [H, 4H], what every forward step also runs), medians of 5 interleaved runs,
 * emitted as SORA_INFO { bench } with the dispatches each call encodes. Options: `filter=<substring>`.
 */
import { cases } from '../../backends/suite/recurrent-gpu.cases.js';
import { createReferenceBackend } from '../../../src/backends/reference/index.js';
import { createWebGPUBackend, type WebGPUBackend } from '../../../src/backends/webgpu/index.js';
import { randomArray, upload } from '../../backends/suite/harness.js';
import type { GPUStorage } from '../../../src/backends/webgpu/storage.js';
import { emit, exitRuntime, runtimeOptions } from '../protocol.js';
import { runCases } from './run-gpu-cases.js';

async function main(): Promise<void> {
  const options = runtimeOptions();
  const selected = cases.filter((c) => !options.filter || c.name.includes(options.filter));
  const reference = createReferenceBackend();
  const started = performance.now();
  const backend = await createWebGPUBackend();
  emit('SORA_INFO', { backend: backend.description });
  let failed = await runCases(backend, reference, selected, '');
  if (!options.filter) emit('SORA_INFO', { bench: await bench(backend) });
  backend.dispose();
  // The step's product runs on the adapter's gemm variant ('blocked' on CPU adapters): the
  // cases again on a backend forced to the other, 'tiled', the one GPUs take.
  const tiled = await createWebGPUBackend({ gemm: 'tiled' });
  failed += await runCases(tiled, reference, selected, '[gemm_tiled] ');
  tiled.dispose();
  emit('SORA_DONE', { cases: selected.length, failed, ms: Math.round(performance.now() - started) });
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/** ms per step and dispatches per call of the LSTM kernels and of a per-step gemm, at B8 H64 and B64 H64. */
async function bench(backend: WebGPUBackend): Promise<Record<string, number>[]> {
  const rows: Record<string, number>[] = [];
  const steps = 20, units = 64, width = 4 * units;
  for (const batch of [8, 64]) {
    const seq = batch * steps * units;
    const s = (values: Float32Array) => upload(backend, values) as GPUStorage;
    const xProj = s(randomArray(batch * steps * width, 1)), U = s(randomArray(units * width, 2, -0.1, 0.1));
    const h0 = s(randomArray(batch * units, 3)), c0 = s(randomArray(batch * units, 4));
    const hSeq = s(new Float32Array(seq)), cSeq = s(new Float32Array(seq)), saved = s(new Float32Array(4 * seq));
    const dhSeq = s(randomArray(seq, 5)), dxProj = s(new Float32Array(batch * steps * width));
    const dh0 = s(new Float32Array(batch * units)), dc0 = s(new Float32Array(batch * units)), product = s(new Float32Array(batch * width));
    const config = { cell: 'lstm', activation: 'tanh', recurrentActivation: 'sigmoid', resetAfter: false, batch, steps, units } as const;
    const common = { ...config, recurrentKernel: U, recurrentBias: null, h0, c0, mask: null, recurrentDropoutMask: null };
    const runs = {
      forward: () => backend.recurrentSequence({ ...common, xProj, hSeq, cSeq, saved }),
      backward: () => backend.recurrentSequenceBackward({ ...common, hSeq, cSeq, saved, dhSeq, dcSeq: null, dxProj, dhProj: null, dh0, dc0 }),
      gemm: () => {
        for (let t = 0; t < steps; t++) {
          backend.gemm({ m: batch, n: width, k: units, a: hSeq, b: U, out: product, bias: null, activation: 'linear',
            transposeA: false, transposeB: false, aOffset: t * units, lda: steps * units });
        }
      },
    };
    const times: Record<string, number[]> = { forward: [], backward: [], gemm: [] };
    const dispatches: Record<string, number> = {};
    for (let rep = 0; rep < 6; rep++) {
      for (const [name, run] of Object.entries(runs)) {
        await backend.flush();
        const d0 = backend.stats().dispatches;
        const t0 = performance.now();
        run();
        await backend.flush();
        if (rep > 0) times[name].push(performance.now() - t0); // the first run compiles
        dispatches[name] = backend.stats().dispatches - d0;
      }
    }
    rows.push({ batch, units, steps, forwardMsPerStep: median(times.forward) / steps, backwardMsPerStep: median(times.backward) / steps,
      gemmMsPerStep: median(times.gemm) / steps, forwardDispatches: dispatches.forward, backwardDispatches: dispatches.backward });
    for (const t of [xProj, U, h0, c0, hSeq, cSeq, saved, dhSeq, dxProj, dh0, dc0, product]) backend.free(t);
  }
  return rows;
}

main().then(() => exitRuntime(0), (error) => {
  emit('SORA_FATAL', error instanceof Error ? error.message : String(error));
  exitRuntime(1);
});
