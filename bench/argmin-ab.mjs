#!/usr/bin/env node
/**
 * argMax / argMin on wasm, two builds of sora side by side (issue 15: argMin became the argMax
 * kernel's min form instead of argMax(neg(x))). Interleaved rounds, best of 15, in µs per call.
 *
 *   node bench/argmin-ab.mjs <dist A>/index.js <dist B>/index.js
 *   e.g. node bench/argmin-ab.mjs /work/main/dist/index.js dist/index.js
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [a, b] = process.argv.slice(2);
if (!a || !b) throw new Error('usage: node bench/argmin-ab.mjs <dist A>/index.js <dist B>/index.js');
const libs = { A: await import(pathToFileURL(resolve(a)).href), B: await import(pathToFileURL(resolve(b)).href) };
for (const l of Object.values(libs)) await l.setBackend('wasm');
for (const shape of [[32, 10], [256, 1000]]) {
  const xs = Object.fromEntries(Object.entries(libs).map(([k, l]) => [k, l.randomNormal(shape)]));
  for (const op of ['argMax', 'argMin']) {
    const best = { A: Infinity, B: Infinity };
    const n = shape[0] === 32 ? 3000 : 200;
    for (let round = 0; round < 15; round++) {
      for (const k of ['A', 'B']) {
        const t0 = performance.now();
        for (let i = 0; i < n; i++) libs[k][op](xs[k], 1).dispose();
        best[k] = Math.min(best[k], ((performance.now() - t0) * 1000) / n);
      }
    }
    console.log(`${op}(x, 1) x ${JSON.stringify(shape)}: A ${best.A.toFixed(2)} µs, B ${best.B.toFixed(2)} µs`);
  }
}
