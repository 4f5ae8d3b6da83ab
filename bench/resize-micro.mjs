#!/usr/bin/env node
/**
 * tf.image.resizeBilinear on the graph models' shapes (CenterNet's three upsamplings, MoveNet's
 * three, HandTrack's 320x320x3 same-size one): sora wasm with its resize kernel, sora wasm with
 * the kernel hidden (the composition of gathers and blends, what ran before the kernel), and
 * TF.js wasm (1 thread), interleaved in one process; medians of wall and CPU time per call.
 *
 *   npm run build && node --experimental-wasm-relaxed-simd bench/resize-micro.mjs [--reps 40]
 */
import { parseFlags, machineLine, tfjsWasm } from './common.mjs';

const flags = parseFlags(process.argv.slice(2), { reps: 'number' });
const reps = flags.reps ?? 40;
const sora = await import('../dist/index.js');
const { ENGINE } = await import('../dist/core/engine.js');
sora.setThreadsCount?.(1); // one thread, as TF.js's wasm backend runs here
await sora.setBackend('wasm');
const { tf, description } = await tfjsWasm();
console.log(`${machineLine()}\nsora ${sora.env().description} vs ${description}`);

const backend = ENGINE.backend;
const kernel = backend.resize;
const SHAPES = [
  ['centernet', [1, 16, 16, 128], [32, 32]], ['centernet', [1, 32, 32, 96], [64, 64]], ['centernet', [1, 64, 64, 64], [128, 128]],
  ['movenet', [1, 6, 6, 64], [12, 12]], ['movenet', [1, 12, 12, 32], [24, 24]], ['movenet', [1, 24, 24, 24], [48, 48]],
  ['handtrack', [1, 320, 320, 3], [320, 320]],
];
const median = (v) => { const s = [...v].sort((a, b) => a - b); return s[s.length >> 1]; };
function time(f) {
  const c0 = process.cpuUsage(), t0 = performance.now();
  f();
  const wall = performance.now() - t0, c = process.cpuUsage(c0);
  return [wall, (c.user + c.system) / 1000];
}
const fmt = (ms) => ms.toFixed(3).padStart(8);
for (const halfPixelCenters of [false, true]) {
  console.log(`\nhalfPixelCenters ${halfPixelCenters}: ms per call, wall (cpu)      kernel   composition   TF.js   TF.js/kernel`);
  for (const [model, shape, size] of SHAPES) {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37));
    const xs = sora.tensor(values, shape), xt = tf.tensor(values, shape);
    const runs = {
      kernel: () => { backend.resize = kernel; const y = sora.image.resizeBilinear(xs, size, false, halfPixelCenters); y.dataSync(); y.dispose(); },
      composition: () => { backend.resize = undefined; const y = sora.image.resizeBilinear(xs, size, false, halfPixelCenters); y.dataSync(); y.dispose(); backend.resize = kernel; },
      tfjs: () => { const y = tf.image.resizeBilinear(xt, size, false, halfPixelCenters); y.dataSync(); y.dispose(); },
    };
    // The same values from all three.
    backend.resize = kernel;
    const a = sora.image.resizeBilinear(xs, size, false, halfPixelCenters).dataSync(), b = tf.image.resizeBilinear(xt, size, false, halfPixelCenters).dataSync();
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    const got = { kernel: [[], []], composition: [[], []], tfjs: [[], []] };
    for (let r = 0; r < reps + 3; r++) {
      for (const [name, f] of Object.entries(runs)) {
        const [w, c] = time(f);
        if (r >= 3) { got[name][0].push(w); got[name][1].push(c); }
      }
    }
    const m = Object.fromEntries(Object.entries(got).map(([k, [w, c]]) => [k, [median(w), median(c)]]));
    console.log(`${model.padEnd(9)} [${shape}] -> [${size}]`.padEnd(44),
      ...['kernel', 'composition', 'tfjs'].map((k) => `${fmt(m[k][0])} (${m[k][1].toFixed(2)})`),
      `  ${(m.tfjs[0] / m.kernel[0]).toFixed(2)}x  max |sora - TF.js| ${worst.toExponential(1)}`);
    xs.dispose(); xt.dispose();
  }
}
