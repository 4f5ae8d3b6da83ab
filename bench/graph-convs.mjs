#!/usr/bin/env node
/**
 * The convolutions of the graph models, one shape at a time: sora wasm beside TF.js wasm (one
 * thread) in the same process. Each model of bench/graph-models.mjs is run once on sora with its
 * conv handlers (Conv2D, _FusedConv2D, DepthwiseConv2dNative, FusedDepthwiseConv2dNative) wrapped
 * to record every call's shapes and attributes (input HxWxC, filter, strides, padding, dilations,
 * bias, activation); then each distinct call is timed as the graph makes it: sora.fused.conv2d /
 * fused.depthwiseConv2d beside tf.fused.conv2d / depthwiseConv2d on random values, interleaved,
 * a rep being enough calls to take ~--ms milliseconds. Prints per shape the medians (wall and CPU
 * time per call), the ratio TF.js / sora (above 1x sora is faster) and the time the model spends
 * on it (calls x sora ms).
 *
 *   node --experimental-wasm-relaxed-simd bench/graph-convs.mjs [--only facemesh,iris] [--reps 15] [--ms 4]
 *        [--filter dw|conv] [--min-ms 0.05] [--out file.json]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { machineLine, parseFlags, tfjsWasm } from './common.mjs';
import { GRAPH_MODELS, inputValues, median, runMode } from './graph-models.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const MODELS = join(root, 'node_modules/@vladmandic/human/models');
const flags = parseFlags(process.argv.slice(2), { only: 'string', reps: 'number', ms: 'number', filter: 'string', 'min-ms': 'number', out: 'string' });
const reps = flags.reps ?? 15;
const targetMs = flags.ms ?? 4;
const minMs = flags.minMs ?? 0;
const DEFAULT = ['facemesh', 'iris', 'handlandmark-lite', 'blazeface', 'movenet-lightning', 'centernet'];
const only = flags.only?.split(',') ?? DEFAULT;
const models = GRAPH_MODELS.filter((m) => only.includes(m.name));
const log = (...args) => console.log(...args);

const sora = await import('../dist/index.js');
const { GRAPH_OPS } = await import('../dist/graph/ops/index.js');
const { padding, spatial } = await import('../dist/graph/ops/args.js');
const { fusedTail } = await import('../dist/graph/ops/fused-args.js');
sora.setThreadsCount?.(1); // one thread, as TF.js's wasm backend runs here
await sora.setBackend('wasm');
const { tf, description } = await tfjsWasm();
log(`${machineLine()}\nsora ${sora.env().description} vs ${description}`);

// Capture: key -> { desc, count per model }.
const shapes = new Map();
let model = null;
const CONV_OPS = { Conv2D: 'conv', _FusedConv2D: 'conv', DepthwiseConv2dNative: 'dw', DepthwiseConv2d: 'dw', FusedDepthwiseConv2dNative: 'dw' };
for (const [op, kind] of Object.entries(CONV_OPS)) {
  const entry = GRAPH_OPS.get(op);
  if (!entry) continue;
  const run = entry.run;
  entry.run = (inputs, ctx) => {
    if (model) {
      const fusedOp = op.startsWith('_Fused') || op.startsWith('Fused');
      const tail = fusedOp ? fusedTail(inputs, ctx, 2, true) : { activation: 'linear' };
      const pad = padding(ctx);
      const d = {
        kind, x: inputs[0].shape, filter: inputs[1].shape, strides: spatial(ctx, 'strides', 4),
        dilations: spatial(ctx, 'dilations', 4, [1, 1, 1, 1]), pad: typeof pad === 'string' ? pad : pad,
        bias: !!tail.bias, activation: tail.activation, prelu: tail.preluActivationWeights?.shape ?? null,
      };
      const key = JSON.stringify(d);
      const s = shapes.get(key) ?? { desc: d, models: {} };
      s.models[model] = (s.models[model] ?? 0) + 1;
      shapes.set(key, s);
    }
    return run(inputs, ctx);
  };
}

for (const spec of models) {
  const m = await sora.loadGraphModel(pathToFileURL(join(MODELS, `${spec.name}.json`)).href);
  const feed = { [spec.input]: sora.tensor(inputValues(spec), spec.shape, spec.dtype) };
  model = spec.name;
  const mode = await runMode(m, feed);
  model = null;
  void mode;
  sora.dispose(Object.values(feed));
  m.dispose();
}

function rand(lib, shape, seed, scale = 1) {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = ((s / 4294967296) - 0.5) * 2 * scale;
  }
  return lib.tensor(v, shape);
}

function make(lib, d) {
  const x = rand(lib, d.x, 1);
  const filter = rand(lib, d.filter, 2, 0.3);
  const outC = d.kind === 'dw' ? d.filter[2] * d.filter[3] : d.filter[3];
  const bias = d.bias ? rand(lib, [outC], 3) : undefined;
  const preluActivationWeights = d.prelu ? rand(lib, d.prelu, 4, 0.2) : undefined;
  const f = d.kind === 'dw' ? lib.fused.depthwiseConv2d : lib.fused.conv2d;
  const args = { x, filter, strides: d.strides, pad: d.pad, dilations: d.dilations, bias, activation: d.activation, preluActivationWeights };
  return { call: () => f(args), dispose: () => lib.dispose([x, filter, bias, preluActivationWeights].filter(Boolean)) };
}

function timeOnce(c, n) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < n; i++) c.call().dispose();
  const wall = (performance.now() - start) / n;
  const u = process.cpuUsage(cpu);
  return { wall, cpu: (u.user + u.system) / 1000 / n };
}

const fmt = (ms) => (ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3));
const rows = [];
const list = [...shapes.values()].filter((s) => !flags.filter || s.desc.kind === flags.filter);
log(`${list.length} distinct conv calls in ${models.map((m) => m.name).join(', ')}; reps ${reps}, ~${targetMs} ms a rep`);
for (const s of list) {
  const d = s.desc;
  const a = make(sora, d), b = make(tf, d);
  // Check they agree, and warm up.
  const ra = a.call(), rb = b.call();
  const va = ra.dataSync(), vb = rb.dataSync();
  let diff = 0;
  for (let i = 0; i < va.length; i++) diff = Math.max(diff, Math.abs(va[i] - vb[i]));
  ra.dispose(); rb.dispose();
  for (let i = 0; i < 3; i++) { a.call().dispose(); b.call().dispose(); }
  const t0 = timeOnce(a, 1).wall;
  const n = Math.max(1, Math.round(targetMs / Math.max(t0, 0.005)));
  const sw = [], sc = [], tw = [], tc = [];
  for (let r = 0; r < reps; r++) {
    const x = timeOnce(a, n), y = timeOnce(b, n);
    sw.push(x.wall); sc.push(x.cpu); tw.push(y.wall); tc.push(y.cpu);
  }
  a.dispose(); b.dispose();
  const row = { ...d, models: s.models, soraMs: median(sw), soraCpuMs: median(sc), tfjsMs: median(tw), tfjsCpuMs: median(tc), diff };
  row.ratio = row.tfjsMs / row.soraMs;
  row.cpuRatio = row.tfjsCpuMs / row.soraCpuMs;
  rows.push(row);
  if (row.soraMs < minMs) continue;
  const calls = Object.entries(s.models).map(([k, v]) => `${k}x${v}`).join(' ');
  const total = Object.values(s.models).reduce((x, y) => x + y, 0) * row.soraMs;
  const geom = `${d.kind} ${d.x.slice(1).join('x')} f${d.filter.join('x')} s${d.strides.join('')}${d.dilations[0] > 1 ? ` d${d.dilations.join('')}` : ''} ${typeof d.pad === 'string' ? d.pad : 'explicit'}` +
    ` ${d.bias ? 'b+' : ''}${d.activation}`;
  log(`${geom.padEnd(58)} sora ${fmt(row.soraMs)} (cpu ${fmt(row.soraCpuMs)}) tfjs ${fmt(row.tfjsMs)} (cpu ${fmt(row.tfjsCpuMs)})` +
    ` ${row.ratio.toFixed(2)}x (cpu ${row.cpuRatio.toFixed(2)}x) total ${fmt(total)} ms  [${calls}] diff ${diff.toExponential(1)}`);
}
// Per model: the sum of its conv calls, sora against TF.js.
for (const spec of models) {
  let s = 0, t = 0;
  for (const r of rows) {
    const c = r.models[spec.name] ?? 0;
    s += c * r.soraMs; t += c * r.tfjsMs;
  }
  log(`${spec.name.padEnd(18)} convs: sora ${fmt(s)} ms, TF.js ${fmt(t)} ms, ${(t / s).toFixed(2)}x`);
}
if (flags.out) writeFileSync(flags.out, `${JSON.stringify({ date: new Date().toISOString(), machine: machineLine(), reps, rows }, null, 1)}\n`);
process.exit(0);
