#!/usr/bin/env node
/**
 * Row softmax micro-bench, interleaved in one process; medians of wall and CPU ms per call.
 *   kernel simd / kernel relaxed   the raw `softmax` export of build/sora-<variant>.wasm
 *                                  (input and output already in linear memory, no op dispatch)
 *   [base simd / base relaxed]     the same export from the builds in --baseline DIR (A/B)
 *   sora op                        sora.softmax(x) + dispose on the default wasm backend
 *   tfjs                           tf.softmax(x) + dispose, TF.js wasm, 1 thread
 * Every contender's output is checked against a float64 softmax first.
 *
 *   npm run build && node --experimental-wasm-relaxed-simd bench/softmax.mjs [--reps 40] [--baseline /tmp/old-build]
 * --unchecked-baseline skips the check for the baseline builds (an experiment that is knowingly wrong).
 */
import { readFileSync } from 'node:fs';
import { parseFlags, machineLine, tfjsWasm } from './common.mjs';

const flags = parseFlags(process.argv.slice(2), { reps: 'number', baseline: 'string', 'unchecked-baseline': 'boolean' });
const reps = flags.reps ?? 40;
const sora = await import('../dist/index.js');
await sora.setBackend('wasm');
const { tf, description } = await tfjsWasm();
console.log(`${machineLine()}\nsora ${sora.env().description} vs ${description}`);

function rawKernel(path) {
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536 });
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), { env: { memory } });
  return { memory, exports, base: (exports.heap_base() + 63) & ~63 };
}
const builds = { 'kernel simd': new URL('../build/sora-simd.wasm', import.meta.url), 'kernel relaxed': new URL('../build/sora-relaxed.wasm', import.meta.url) };
if (flags.baseline) {
  builds['base simd'] = `${flags.baseline}/sora-simd.wasm`;
  builds['base relaxed'] = `${flags.baseline}/sora-relaxed.wasm`;
}
const kernels = Object.fromEntries(Object.entries(builds).map(([k, p]) => [k, rawKernel(p)]));

const median = (v) => { const s = [...v].sort((a, b) => a - b); return s[s.length >> 1]; };
function time(f, inner) {
  const c0 = process.cpuUsage(), t0 = performance.now();
  for (let i = 0; i < inner; i++) f();
  const wall = performance.now() - t0, c = process.cpuUsage(c0);
  return [wall / inner, (c.user + c.system) / 1000 / inner];
}
function reference(x, rows, cols) {
  const out = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    let m = -Infinity;
    for (let j = 0; j < cols; j++) m = Math.max(m, x[r * cols + j]);
    let s = 0;
    for (let j = 0; j < cols; j++) s += (out[r * cols + j] = Math.exp(x[r * cols + j] - m));
    for (let j = 0; j < cols; j++) out[r * cols + j] /= s;
  }
  return out;
}
const fmt = (ms) => ms.toFixed(4).padStart(8);
const SHAPES = [[512, 1000], [128, 10], [7, 33], [64, 4097]];
const names = [...Object.keys(kernels), 'sora op', 'tfjs'];
console.log(`\nms per call, wall (cpu)`.padEnd(22) + names.map((n) => n.padStart(20)).join('') + '   tfjs/kernel(best)');
for (const [rows, cols] of SHAPES) {
  const n = rows * cols;
  let s = cols >>> 0;
  const values = Float32Array.from({ length: n }, () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return (s / 4294967296 - 0.5) * 8; });
  const want = reference(values, rows, cols);
  const runs = {};
  for (const [name, k] of Object.entries(kernels)) {
    const need = k.base + 8 * n + 64;
    if (need > k.memory.buffer.byteLength) k.memory.grow(Math.ceil((need - k.memory.buffer.byteLength) / 65536));
    const xPtr = k.base, outPtr = k.base + ((4 * n + 63) & ~63);
    new Float32Array(k.memory.buffer, xPtr, n).set(values);
    runs[name] = { f: () => k.exports.softmax(xPtr, outPtr, rows, cols), read: () => new Float32Array(k.memory.buffer, outPtr, n) };
  }
  const xs = sora.tensor(values, [rows, cols]), xt = tf.tensor(values, [rows, cols]);
  runs['sora op'] = { f: () => sora.softmax(xs).dispose(), read: () => { const y = sora.softmax(xs); const d = y.dataSync(); y.dispose(); return d; } };
  runs.tfjs = { f: () => tf.softmax(xt).dispose(), read: () => { const y = tf.softmax(xt); const d = y.dataSync(); y.dispose(); return d; } };
  for (const [name, r] of Object.entries(runs)) {
    r.f();
    const got = r.read();
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(want[i], 1e-30));
    if (!(worst < 1e-5) && !(flags.uncheckedBaseline && name.startsWith('base'))) throw new Error(`${name} [${rows},${cols}]: max relative error ${worst}`);
  }
  const inner = Math.max(1, Math.round(200000 / n));
  const got = Object.fromEntries(names.map((k) => [k, [[], []]]));
  for (let r = 0; r < reps + 3; r++) {
    for (const name of names) {
      const [w, c] = time(runs[name].f, inner);
      if (r >= 3) { got[name][0].push(w); got[name][1].push(c); }
    }
  }
  const m = Object.fromEntries(names.map((k) => [k, [median(got[k][0]), median(got[k][1])]]));
  const best = Math.min(m['kernel simd'][0], m['kernel relaxed'][0]);
  console.log(`[${rows},${cols}]`.padEnd(22) + names.map((k) => `${fmt(m[k][0])} (${m[k][1].toFixed(3)})`.padStart(20)).join('') + `   ${(m.tfjs[0] / best).toFixed(2)}x`);
  xs.dispose(); xt.dispose();
}
