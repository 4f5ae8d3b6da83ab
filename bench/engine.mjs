/**
 * The engine's own cost, against TF.js (wasm backend, one thread) in the same run:
 *   - per small op: microseconds per `add` of two 4-element tensors, in a tidy (no tape) and
 *     inside a gradient's forward (recorded on the tape);
 *   - tape scaling: a tanh RNN (batch 4, 8 inputs, 32 units) with a tidy per time step,
 *     forward and backward through variableGrads, at T and 4T steps; linear bookkeeping
 *     gives a ratio near 4;
 *   - an embedding's gradient (table 5000x64, 6400 ids), sora's scatter-add beside the one-hot
 *     GEMM it replaced (TF.js's wasm backend has no UnsortedSegmentSum kernel to compare).
 *
 *   npm run bench:engine                       # T = 1000 and 4000, 5 rounds
 *   node bench/engine.mjs --steps 250 --rounds 3
 *   node bench/engine.mjs --dist ../old/dist/index.js   # another build of sora, to compare
 *
 * Uses only APIs every sora build has had (tidy, variableGrads(f, list), add, matMul, tanh).
 * Rounds alternate the libraries so that load from other processes hits both alike; the
 * table shows medians.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { machineLine, median, packageVersion, parseFlags, table, tfjsWasm } from './common.mjs';

const flags = parseFlags(process.argv.slice(2), { steps: 'number', rounds: 'number', ops: 'number', dist: 'string' });
const steps = flags.steps ?? 1000;
const rounds = flags.rounds ?? 5;
const opCount = flags.ops ?? 20000;
const sora = await import(flags.dist ? pathToFileURL(resolve(flags.dist)).href : '../dist/index.js');
sora.setThreadsCount?.(1); // one thread, as TF.js's wasm backend runs here
await sora.setBackend('wasm');
const { tf, description } = await tfjsWasm();

/** Seconds per op of `count` adds on small tensors, in a tidy, and in a gradient's forward. */
function opOverhead(lib, count) {
  const a = lib.tensor([1, 2, 3, 4]);
  const b = lib.tensor([0.5, 0.5, 0.5, 0.5]);
  const v = lib.variable(lib.tensor([1, 1, 1, 1]));
  let t0 = performance.now();
  lib.tidy(() => { let y = a; for (let i = 0; i < count; i++) y = lib.add(y, b); return y.dataSync(); });
  const plain = (performance.now() - t0) / count;
  let taped = 0;
  const { value, grads } = lib.variableGrads(() => {
    t0 = performance.now();
    let y = lib.add(v, b);
    for (let i = 1; i < count; i++) y = lib.add(y, b);
    taped = (performance.now() - t0) / count;
    return lib.sum(y);
  }, [v]);
  lib.dispose([a, b, v, value, ...Object.values(grads)]);
  return { plain: plain * 1000, taped: taped * 1000 };
}

/** Seconds for forward + backward of a tanh RNN with a tidy per step. */
function rnn(lib, t) {
  const seeded = (n, k) => Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + k) * 0.3);
  const wx = lib.variable(lib.tensor(seeded(8 * 32, 1), [8, 32]));
  const wh = lib.variable(lib.tensor(seeded(32 * 32, 2), [32, 32]));
  const x = lib.tensor(seeded(4 * 8, 3), [4, 8]);
  const start = performance.now();
  const { value, grads } = lib.variableGrads(() => {
    let h = lib.zeros([4, 32]);
    for (let i = 0; i < t; i++) {
      const prev = h;
      h = lib.tidy(() => lib.tanh(lib.add(lib.matMul(x, wx), lib.matMul(prev, wh))));
    }
    return lib.sum(h);
  }, [wx, wh]);
  Object.values(grads)[0].dataSync();
  const seconds = (performance.now() - start) / 1000;
  lib.dispose([wx, wh, x, value, ...Object.values(grads)]);
  return seconds;
}

/** Milliseconds for an embedding lookup's forward + backward, and for the old one-hot GEMM gradient alone. */
function embedding() {
  const table = sora.variable(sora.randomNormal([5000, 64], 0, 1, 'float32', 1));
  const ids = sora.tensor(Array.from({ length: 6400 }, (_, i) => (i * 7919) % 5000), [6400], 'int32');
  const dy = sora.ones([6400, 64]);
  const time = (f, n) => { f(); const t0 = performance.now(); for (let i = 0; i < n; i++) f(); return (performance.now() - t0) / n; };
  const scatter = time(() => {
    const { value, grads } = sora.variableGrads(() => sora.sum(sora.gather(table, ids)), [table]);
    sora.dispose([value, ...Object.values(grads)]);
  }, 20);
  const oneHotGemm = time(() => sora.tidy(() => sora.matMul(sora.oneHot(ids, 5000, 1, 0, 'float32'), dy, true, false).dataSync()), 3);
  sora.dispose([table, ids, dy]);
  return { scatter, oneHotGemm };
}

const libs = [['sora', sora], ['TF.js', tf]];
const samples = { op: { sora: [], 'TF.js': [] }, small: { sora: [], 'TF.js': [] }, large: { sora: [], 'TF.js': [] } };
for (const [, lib] of libs) { opOverhead(lib, 1000); rnn(lib, 50); } // warm up both
for (let r = 0; r < rounds; r++) {
  for (const [name, lib] of libs) {
    samples.op[name].push(opOverhead(lib, opCount));
    samples.small[name].push(rnn(lib, steps));
    samples.large[name].push(rnn(lib, 4 * steps));
  }
}

console.log(`${machineLine()}\nsora ${flags.dist ?? packageVersion()} (${sora.env().description}) vs ${description}; ${rounds} rounds, medians\n`);
const us = (x) => x.toFixed(2);
console.log(table(['per small op (µs)', 'sora', 'TF.js', 'TF.js / sora'], [
  ['add, no tape', ...['sora', 'TF.js'].map((n) => us(median(samples.op[n].map((s) => s.plain)))),
    (median(samples.op['TF.js'].map((s) => s.plain)) / median(samples.op.sora.map((s) => s.plain))).toFixed(2)],
  ['add, on the tape', ...['sora', 'TF.js'].map((n) => us(median(samples.op[n].map((s) => s.taped)))),
    (median(samples.op['TF.js'].map((s) => s.taped)) / median(samples.op.sora.map((s) => s.taped))).toFixed(2)],
]));
console.log();
const secs = (x) => x.toFixed(3);
console.log(table([`tanh RNN, tidy per step`, `T=${steps} (s)`, `T=${4 * steps} (s)`, `ratio (linear: 4)`], libs.map(([name]) => {
  const small = median(samples.small[name]), large = median(samples.large[name]);
  return [name, secs(small), secs(large), (large / small).toFixed(2)];
})));
console.log();
const emb = embedding();
console.log(table(['embedding 5000x64, 6400 ids (ms)', 'sora'], [
  ['gather forward + backward (scatter-add gradient)', emb.scatter.toFixed(2)],
  ['one-hot GEMM gradient alone (the old way)', emb.oneHotGemm.toFixed(1)],
]));
