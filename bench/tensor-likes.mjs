/**
 * Issue 15's hot-path check: microseconds per call of ops whose entry gained a tensor-like
 * check (add, abs, relu, sum, mean, reshape, transpose, matMul, concat, cast) on small all-Tensor
 * arguments, in a tidy, on the wasm backend; two builds interleaved per op, the fastest of the rounds shown.
 *
 *   node bench/tensor-likes.mjs --dist dist/index.js --base ../old/dist/index.js
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const arg = (name, fallback) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1] : fallback; };
const load = (path) => import(pathToFileURL(resolve(path)).href);
const builds = { new: await load(arg('dist', 'dist/index.js')), base: await load(arg('base', 'dist/index.js')) };
const rounds = Number(arg('rounds', 7)), count = Number(arg('count', 20000));

const cases = {
  add: (l, a) => l.add(a, a), abs: (l, a) => l.abs(a), relu: (l, a) => l.relu(a), sum: (l, a) => l.sum(a, 1), mean: (l, a) => l.mean(a),
  reshape: (l, a) => l.reshape(a, [4]), transpose: (l, a) => l.transpose(a), matMul: (l, a) => l.matMul(a, a),
  concat: (l, a) => l.concat([a, a], 1), cast: (l, a) => l.cast(a, 'int32'),
};
const times = Object.fromEntries(Object.keys(builds).map((b) => [b, Object.fromEntries(Object.keys(cases).map((c) => [c, []]))]));
for (const lib of Object.values(builds)) await lib.setBackend('wasm');
const inputs = Object.fromEntries(Object.entries(builds).map(([name, lib]) => [name, lib.tensor2d([[1, -2], [3, -4]])]));
// Each op runs on both builds back to back, in alternating order, so load from other processes hits both alike.
for (let r = 0; r < rounds; r++) {
  for (const [op, run] of Object.entries(cases)) {
    const order = r % 2 ? ['base', 'new'] : ['new', 'base'];
    for (const name of order) {
      const lib = builds[name], a = inputs[name];
      lib.tidy(() => { for (let i = 0; i < 200; i++) run(lib, a); }); // warm
      const t0 = performance.now();
      for (let i = 0; i < count; i += 100) lib.tidy(() => { for (let k = 0; k < 100; k++) run(lib, a); });
      times[name][op].push(((performance.now() - t0) * 1000) / count);
    }
  }
}
// The fastest round: the least disturbed by other processes (the machine is shared).
const fastest = (xs) => Math.min(...xs);
console.log('op         base us   new us   new/base');
for (const op of Object.keys(cases)) {
  const b = fastest(times.base[op]), n = fastest(times.new[op]);
  console.log(`${op.padEnd(10)} ${b.toFixed(3).padStart(7)}  ${n.toFixed(3).padStart(7)}   ${(n / b).toFixed(3)}`);
}
