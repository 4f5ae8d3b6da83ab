#!/usr/bin/env node
/**
 * Two sora builds A and B on the conv shapes a bench/graph-convs.mjs run recorded (its --out JSON),
 * in one process, interleaved: each build is a directory holding dist/ and build/ (copies of a
 * checkout's, with package.json and a node_modules link beside them; a checkout itself works too).
 * Per shape: the median process CPU ms per call of each over 11 reps, A / B (above 1 B is faster)
 * and the largest difference of their outputs; then the totals weighted by the calls per model.
 *
 *   node --experimental-wasm-relaxed-simd bench/graph-convs-ab.mjs DIR_A DIR_B convs.json ['regexp on "dw 24x24x64 f3x3x64x1 s22"']
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dirA, dirB, json, pattern] = process.argv.slice(2);
if (!json) throw new Error('usage: graph-convs-ab.mjs DIR_A DIR_B convs.json [regexp]');
const load = async (dir) => import(pathToFileURL(resolve(dir, 'dist/index.js')).href);
const A = await load(dirA), B = await load(dirB);
await A.setBackend('wasm');
await B.setBackend('wasm');
const label = (r) => `${r.kind} ${r.x.slice(1).join('x')} f${r.filter.join('x')} s${r.strides.join('')}`;
const rows = JSON.parse(readFileSync(json, 'utf8')).rows.filter((r) => !pattern || new RegExp(pattern).test(label(r)));
const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];

function rand(lib, shape, seed, scale = 1) {
  const n = shape.reduce((a, b) => a * b, 1), v = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = (s / 4294967296 - 0.5) * 2 * scale;
  }
  return lib.tensor(v, shape);
}

function make(lib, d) {
  const x = rand(lib, d.x, 1), filter = rand(lib, d.filter, 2, 0.3);
  const outC = d.kind === 'dw' ? d.filter[2] * d.filter[3] : d.filter[3];
  const bias = d.bias ? rand(lib, [outC], 3) : undefined;
  const preluActivationWeights = d.prelu ? rand(lib, d.prelu, 4, 0.2) : undefined;
  const f = d.kind === 'dw' ? lib.fused.depthwiseConv2d : lib.fused.conv2d;
  const args = { x, filter, strides: d.strides, pad: d.pad, dilations: d.dilations, bias, activation: d.activation, preluActivationWeights };
  return () => f(args);
}

function cpuPerCall(call, n) {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) call().dispose();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / n;
}

let totalA = 0, totalB = 0;
for (const d of rows) {
  const a = make(A, d), b = make(B, d);
  const va = a().dataSync(), vb = b().dataSync();
  let diff = 0;
  for (let i = 0; i < va.length; i++) diff = Math.max(diff, Math.abs(va[i] - vb[i]));
  for (let i = 0; i < 3; i++) { a().dispose(); b().dispose(); }
  const start = performance.now();
  a().dispose();
  const n = Math.max(1, Math.round(3 / Math.max(performance.now() - start, 0.005)));
  const ta = [], tb = [];
  for (let r = 0; r < 11; r++) { ta.push(cpuPerCall(a, n)); tb.push(cpuPerCall(b, n)); }
  const ma = median(ta), mb = median(tb), calls = Object.values(d.models).reduce((x, y) => x + y, 0);
  totalA += calls * ma;
  totalB += calls * mb;
  console.log(`${label(d)} ${(d.bias ? 'b+' : '') + d.activation}`.padEnd(48),
    `A ${ma.toFixed(3)} B ${mb.toFixed(3)} A/B ${(ma / mb).toFixed(2)} diff ${diff.toExponential(1)}`);
}
console.log(`weighted by calls: A ${totalA.toFixed(2)} ms, B ${totalB.toFixed(2)} ms, A/B ${(totalA / totalB).toFixed(2)}`);
process.exit(0);
