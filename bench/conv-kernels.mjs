#!/usr/bin/env node
/**
 * conv2d forward throughput on the MNIST CNN's two convolutions at batch 64
 * (x [64,28,28,1] * 3x3x1x32 and x [64,13,13,32] * 3x3x32x64, 'valid', bias + relu fused):
 * sora's wasm kernel (both builds, through the built backend's conv2d) beside the reference
 * backend's and TF.js's wasm backend (tf.fused.conv2d, SIMD, one thread), plus the two
 * gradients of sora's wasm kernel (what a training step adds).
 *
 *   npm run build && node --experimental-wasm-relaxed-simd bench/conv-kernels.mjs [--reps N] [--no-tfjs]
 *                                                                  [--wasm DIR]
 *
 * --wasm DIR loads DIR/sora-{simd,relaxed}.wasm instead of build/ (an A/B of another build;
 * the relaxed one only if DIR has it).
 * The row 'implicit GEMM simd' is the alternative to im2col, measured for the choice (see implicitLayer).
 * GFLOP/s counts 2 * batch * outHeight * outWidth * K * outChannels flops (K = 3 * 3 * inChannels),
 * for each gradient the same count. Each contender is warmed up first (V8 tiers up from its
 * baseline compiler), then timed in interleaved repetitions; the median repetition is
 * reported, by the wall clock and, in parentheses, by this process's CPU time. Before timing,
 * each forward output is checked against the reference's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const root = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const option = (name, fallback) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : fallback; };
const reps = Number(option('--reps', 7));
const wasmDir = option('--wasm', null);
const withTfjs = !argv.includes('--no-tfjs');

const { createWasmBackend } = await import(`${root}dist/backends/wasm/index.js`);
const { createReferenceBackend } = await import(`${root}dist/backends/reference/index.js`);
const { convGeometry } = await import(`${root}dist/ops/conv/geometry.js`);

const LAYERS = [
  { name: 'conv1 x[64,28,28,1] f3x3x1x32', x: [64, 28, 28, 1], f: [3, 3, 1, 32] },
  { name: 'conv2 x[64,13,13,32] f3x3x32x64', x: [64, 13, 13, 32], f: [3, 3, 32, 64] },
];

function values(size, seed) {
  const out = new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; out[i] = s / 2 ** 31 - 1; }
  return out;
}
const sizeOf = (shape) => shape.reduce((a, b) => a * b, 1);

/** Median (wall ms, cpu ms) of `reps` repetitions of `calls` calls. */
function time(run, calls) {
  const wall = [], cpu = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now(), c0 = process.cpuUsage();
    for (let i = 0; i < calls; i++) run();
    const used = process.cpuUsage(c0);
    wall.push((performance.now() - t0) / calls);
    cpu.push((used.user + used.system) / 1000 / calls);
  }
  const median = (a) => a.sort((p, q) => p - q)[Math.floor(a.length / 2)];
  return { wall: median(wall), cpu: median(cpu) };
}

/** A sora backend's kernels on this layer: forward (bias + relu), input and filter gradients. */
function soraLayer(backend, layer) {
  const g = convGeometry({ op: 'conv2d', xShape: layer.x, filterHeight: layer.f[0], filterWidth: layer.f[1],
    outChannels: layer.f[3], strides: 1, pad: 'valid' });
  const outSize = g.batch * g.outHeight * g.outWidth * g.outChannels;
  const put = (v) => { const s = backend.alloc(v.length, 'float32'); backend.write(s, v); return s; };
  const x = put(values(sizeOf(layer.x), 1)), filter = put(values(sizeOf(layer.f), 2));
  const bias = put(values(layer.f[3], 3)), dy = put(values(outSize, 4));
  const out = backend.alloc(outSize, 'float32'), dx = backend.alloc(sizeOf(layer.x), 'float32');
  const dFilter = backend.alloc(sizeOf(layer.f), 'float32');
  return {
    flops: 2 * outSize * layer.f[0] * layer.f[1] * layer.f[2],
    forward: () => backend.conv2d({ ...g, x, filter, out, bias, activation: 'relu' }),
    input: () => backend.conv2dBackpropInput({ ...g, dy, filter, dx }),
    filter: () => backend.conv2dBackpropFilter({ ...g, x, dy, dFilter }),
    result: () => backend.readSync(out),
  };
}

/**
 * The implicit-GEMM alternative, for comparison (stride 1, 'valid'): no lowering; per image and
 * filter tap one GEMM over "wide" output rows (every input column, the last fw - 1 of each row
 * discarded), whose A rows are x's pixels in place (lda = C), accumulating the taps, with the
 * bias at the first tap and relu at the last, then a copy of the valid columns. Driven from JS
 * through the backend's gemm export (576 calls per batch of 64).
 */
function implicitLayer(backend, layer) {
  const kernels = backend.kernels, work = backend.gemmWorkspace;
  const [B, H, W, C] = layer.x, [fh, fw, , O] = layer.f;
  const oh = H - fh + 1, ow = W - fw + 1, rows = (oh - 1) * W + ow;
  const put = (v) => { const s = backend.alloc(v.length, 'float32'); backend.write(s, v); return s; };
  const x = put(values(sizeOf(layer.x), 1)), filter = put(values(sizeOf(layer.f), 2)), bias = put(values(O, 3));
  const wide = backend.alloc(oh * W * O, 'float32'), out = backend.alloc(B * oh * ow * O, 'float32');
  return {
    forward: () => {
      const heap = backend.heapF32();
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < fh * fw; t++) {
          const fy = Math.floor(t / fw), fx = t % fw;
          kernels.gemm(x.ptr + ((b * H + fy) * W + fx) * C * 4, filter.ptr + t * C * O * 4, wide.ptr, rows, O, C, 0, 0,
            t === 0 ? bias.ptr : 0, t === fh * fw - 1 ? 1 : 0, 0.2, work, C, 0, 0, 1, 0, 0, 0, t === 0 ? 0 : 1);
        }
        for (let oy = 0; oy < oh; oy++) {
          const from = (wide.ptr >>> 2) + oy * W * O;
          heap.copyWithin((out.ptr >>> 2) + ((b * oh + oy) * ow) * O, from, from + ow * O);
        }
      }
    },
    result: () => backend.readSync(out),
  };
}

async function tfjsLayer(layer) {
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setThreadsCount(1);
  if (tf.getBackend() !== 'wasm' && !(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend did not initialize');
  await tf.ready();
  const x = tf.tensor4d(values(sizeOf(layer.x), 1), layer.x), filter = tf.tensor4d(values(sizeOf(layer.f), 2), layer.f);
  const bias = tf.tensor1d(values(layer.f[3], 3));
  let last = null;
  return {
    forward: () => { if (last) last.dispose(); last = tf.fused.conv2d({ x, filter, bias, strides: 1, pad: 'valid', activation: 'relu' }); },
    result: () => last.dataSync().slice(),
  };
}

function check(label, got, want) {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
  if (!(worst < 1e-4)) throw new Error(`${label}: differs from the reference by ${worst}`);
}

const wasmSource = (variant) => (wasmDir ? { wasm: readFileSync(`${wasmDir}/sora-${variant}.wasm`) } : {});
const backends = { 'sora wasm simd': await createWasmBackend({ variant: 'simd', threads: 1, ...wasmSource('simd') }) };
if (!wasmDir || existsSync(`${wasmDir}/sora-relaxed.wasm`)) {
  backends['sora wasm relaxed'] = await createWasmBackend({ variant: 'relaxed', threads: 1, ...wasmSource('relaxed') });
}
const reference = createReferenceBackend();
console.log(`# conv2d kernels, MNIST CNN layers at batch 64; ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
console.log('# GFLOP/s by wall clock (by process CPU time); median of', reps, 'repetitions');
for (const layer of LAYERS) {
  const ref = soraLayer(reference, layer);
  ref.forward();
  const want = ref.result();
  const rows = [];
  const contenders = Object.entries(backends).map(([name, b]) => [name, soraLayer(b, layer)]);
  contenders.push(['implicit GEMM simd (A/B)', implicitLayer(backends['sora wasm simd'], layer)]);
  if (withTfjs) contenders.push(['tfjs wasm (fused.conv2d)', await tfjsLayer(layer)]);
  for (const [name, c] of contenders) {
    for (let i = 0; i < 20; i++) c.forward();
    check(`${name} ${layer.name}`, c.result(), want);
  }
  const gf = (ms) => (ref.flops / ms / 1e6).toFixed(1);
  const fmt = (t) => `${gf(t.wall)} (${gf(t.cpu)})`.padEnd(16);
  const refTime = time(ref.forward, 1);
  rows.push(['reference', fmt(refTime), '', '']);
  for (const [name, c] of contenders) {
    if (c.input) { for (let i = 0; i < 5; i++) { c.input(); c.filter(); } }
    const f = time(c.forward, 10);
    rows.push([name, fmt(f), c.input ? fmt(time(c.input, 10)) : '-', c.filter ? fmt(time(c.filter, 10)) : '-']);
  }
  console.log(`\n${layer.name}: ${(ref.flops / 1e9).toFixed(3)} GFLOP per call`);
  console.log(`${'contender'.padEnd(26)}${'forward'.padEnd(16)}${'d input'.padEnd(16)}d filter`);
  for (const r of rows) console.log(`${r[0].padEnd(26)}${r[1]}${r[2].padEnd(16)}${r[3]}`);
}
