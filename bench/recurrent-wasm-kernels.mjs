#!/usr/bin/env node
/**
 * The wasm recurrent kernels alone (assembly/rnn.ts: recurrentSequence and its backward, without
 * the op's all-steps GEMMs): ms per call of one direction at issue 17's benchmark size (LSTM,
 * batch 64, 100 steps, 64 units) and the step cost at batch 8 (forward, forward + backward per
 * step), for each cell, both wasm builds in the same process, interleaved; medians of --reps
 * repetitions (this process's CPU time, as the machine is shared). No assertions.
 *
 *   npx tsc -p tsconfig.json && node --experimental-wasm-relaxed-simd bench/recurrent-wasm-kernels.mjs [--reps N]
 */
import { fileURLToPath } from 'node:url';
import { machineLine, median, parseFlags } from './common.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const flags = parseFlags(process.argv.slice(2), { reps: 'number' });
const reps = flags.reps ?? 15;
const { createWasmBackend } = await import(`${root}dist/backends/wasm/index.js`);
const { recurrentGates } = await import(`${root}dist/backends/backend.js`);

const backends = { simd: await createWasmBackend({ variant: 'simd', threads: 1 }), relaxed: await createWasmBackend({ variant: 'relaxed', threads: 1 }) };

function setup(backend, cell, batch, steps, units) {
  const W = recurrentGates(cell) * units;
  const buf = (n, scale) => {
    const s = backend.alloc(n, 'float32');
    backend.write(s, Float32Array.from({ length: n }, (_, i) => scale * Math.sin(i * 12.9898 + 1.7)));
    return s;
  };
  const config = { cell, activation: 'tanh', recurrentActivation: 'sigmoid', resetAfter: cell === 'gru', batch, steps, units };
  const seq = batch * steps * units;
  const common = {
    ...config, recurrentKernel: buf(units * W, 1 / Math.sqrt(units)), recurrentBias: cell === 'gru' ? buf(W, 0.1) : null,
    h0: buf(batch * units, 0.1), c0: cell === 'lstm' ? buf(batch * units, 0.1) : null, mask: null, recurrentDropoutMask: null,
    hSeq: buf(seq, 0), cSeq: cell === 'lstm' ? buf(seq, 0) : null, saved: cell === 'simple' ? null : buf(4 * seq, 0),
  };
  const fwd = { ...common, xProj: buf(batch * steps * W, 1) };
  const bwd = {
    ...common, dhSeq: buf(seq, 0.01), dcSeq: cell === 'lstm' ? buf(seq, 0.01) : null, dxProj: buf(batch * steps * W, 0),
    dhProj: cell === 'gru' ? buf(batch * steps * W, 0) : null, dh0: buf(batch * units, 0), dc0: cell === 'lstm' ? buf(batch * units, 0) : null,
  };
  return { forward: () => backend.recurrentSequence(fwd), backward: () => backend.recurrentSequenceBackward(bwd) };
}

/** ms of this process's CPU time (user + system) that f took: on a shared machine wall time counts the neighbours. */
function time(f) {
  const t0 = process.cpuUsage();
  f();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

console.log(machineLine());
const rows = [['lstm', 64, 100, 64], ['lstm', 8, 100, 64], ['gru', 8, 100, 64], ['simple', 8, 100, 64]];
for (const [cell, batch, steps, units] of rows) {
  const runs = Object.fromEntries(Object.entries(backends).map(([name, b]) => [name, setup(b, cell, batch, steps, units)]));
  const times = Object.fromEntries(Object.keys(backends).map((name) => [name, { f: [], b: [] }]));
  for (let r = 0; r < reps + 3; r++) {
    for (const [name, run] of Object.entries(runs)) {
      const f = time(run.forward), b = time(run.backward);
      if (r >= 3) { times[name].f.push(f); times[name].b.push(b); }
    }
  }
  for (const [name, t] of Object.entries(times)) {
    const f = median(t.f), b = median(t.b);
    console.log(`${cell} B${batch} T${steps} H${units} wasm ${name}: forward ${f.toFixed(2)} ms, backward ${b.toFixed(2)} ms, ` +
      `total ${(f + b).toFixed(2)} ms; per step forward ${(1000 * f / steps).toFixed(1)} us, forward + backward ${(1000 * (f + b) / steps).toFixed(1)} us`);
  }
}
