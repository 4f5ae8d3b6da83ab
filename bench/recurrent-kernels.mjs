#!/usr/bin/env node
/**
 * The LSTM step cost at issue 17's size (batch 8, input 32, units 64, a sequence of 100
 * steps): ms per step of the recurrent op forward and of forward + backward (the gradient of
 * x, kernel, recurrentKernel and bias), as one call over 100 steps / 100. Each backend runs
 * the fused op (the backend's recurrentSequence kernel, when it has one) beside the composed
 * per-step path (the same op with the kernels hidden: about 17 op dispatches a step forward,
 * what the issue measured at 1.0 ms a step) in the same process, interleaved; medians of
 * --reps repetitions, wall clock and (in parentheses) this process's CPU time. No assertions:
 * before timing, the two paths' hSeq are compared and the largest difference printed.
 *
 *   npx tsc -p tsconfig.json && node --experimental-wasm-relaxed-simd bench/recurrent-kernels.mjs
 *     [--reps N] [--steps T] [--backends reference,wasm]
 */
import { fileURLToPath } from 'node:url';
import { machineLine, median, parseFlags } from './common.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const flags = parseFlags(process.argv.slice(2), { reps: 'number', steps: 'number', backends: 'string' });
const reps = flags.reps ?? 5;
const steps = flags.steps ?? 100;
const backends = (flags.backends ?? 'reference,wasm').split(',');
const [batch, inputDim, units] = [8, 32, 64];

const sora = await import(`${root}dist/index.js`);
const { ENGINE } = await import(`${root}dist/core/engine.js`);
const { hasKernel } = await import(`${root}dist/backends/backend.js`);
const { recurrentSequence } = await import(`${root}dist/ops/recurrent/sequence.js`);

/** Runs f with the active backend's recurrent kernels hidden: the op takes its composed path. */
function composed(f) {
  const backend = ENGINE.backend;
  backend.recurrentSequence = undefined;
  backend.recurrentSequenceBackward = undefined;
  try { return f(); } finally {
    delete backend.recurrentSequence;
    delete backend.recurrentSequenceBackward;
  }
}

function inputs() {
  const u = (shape, seed, scale) => sora.randomUniform(shape, -scale, scale, 'float32', seed);
  return {
    x: u([batch, steps, inputDim], 1, 1), kernel: u([inputDim, 4 * units], 2, 0.2), recurrentKernel: u([units, 4 * units], 3, 0.15),
    bias: u([4 * units], 4, 0.1), h0: sora.zeros([batch, units]), c0: sora.zeros([batch, units]),
  };
}

function argsOf(t) {
  return {
    cell: 'lstm', activation: 'tanh', recurrentActivation: 'sigmoid', resetAfter: false, ...t, recurrentBias: null,
    mask: null, inputDropoutMask: null, recurrentDropoutMask: null, goBackwards: false,
  };
}

const forward = (t) => () => sora.tidy(() => { recurrentSequence(argsOf(t)).hSeq.dataSync(); });
const train = (t) => () => sora.tidy(() => {
  const f = (x, kernel, recurrentKernel, bias) => sora.sum(recurrentSequence(argsOf({ ...t, x, kernel, recurrentKernel, bias })).hSeq);
  for (const g of sora.grads(f)([t.x, t.kernel, t.recurrentKernel, t.bias])) g.dataSync();
});

/** ms per step of one call, wall and CPU. */
function once(run) {
  const t0 = performance.now(), c0 = process.cpuUsage();
  run();
  const used = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / steps, cpu: (used.user + used.system) / 1000 / steps };
}

console.log(`# recurrent op, lstm B${batch} I${inputDim} H${units}, ${steps} steps; ms per step, median of ${reps} (cpu)`);
console.log(`# ${machineLine()}`);
for (const name of backends) {
  await sora.setBackend(name);
  const t = inputs();
  const kernel = hasKernel(ENGINE.backend, 'recurrentSequence') && hasKernel(ENGINE.backend, 'recurrentSequenceBackward');
  const a = sora.tidy(() => recurrentSequence(argsOf(t)).hSeq.dataSync());
  const b = composed(() => sora.tidy(() => recurrentSequence(argsOf(t)).hSeq.dataSync()));
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
  const rows = { fusedForward: [], composedForward: [], fusedTrain: [], composedTrain: [] };
  for (const run of [forward(t), train(t)]) { run(); composed(run); } // warm up both paths
  for (let r = 0; r < reps; r++) {
    rows.fusedForward.push(once(forward(t)));
    rows.composedForward.push(composed(() => once(forward(t))));
    rows.fusedTrain.push(once(train(t)));
    rows.composedTrain.push(composed(() => once(train(t))));
  }
  const show = (list) => `${median(list.map((m) => m.wall)).toFixed(3)} (${median(list.map((m) => m.cpu)).toFixed(3)})`;
  console.log(`\n${ENGINE.backend.description}: recurrent kernel ${kernel ? 'present' : 'absent (both rows run the composed path)'}; ` +
    `max |fused - composed| hSeq ${diff.toExponential(1)}`);
  console.log(`  forward             fused ${show(rows.fusedForward)}   composed ${show(rows.composedForward)}`);
  console.log(`  forward + backward  fused ${show(rows.fusedTrain)}   composed ${show(rows.composedTrain)}`);
  sora.dispose(Object.values(t));
}
