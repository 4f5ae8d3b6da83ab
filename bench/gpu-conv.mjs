#!/usr/bin/env node
/**
 * The webgpu convolution and pooling kernels in Deno (wgpu over Vulkan: the hardware adapter
 * when there is one, else lavapipe): the MNIST CNN's layers at batch 64 (conv2d 1->32 and
 * 32->64 with both backprops, 2x2 max pooling and its backward) and a 3x3 depthwise layer,
 * each beside a plain GEMM of the same m x n x k (what an im2col'd convolution would
 * multiply, the patch matrix not counted), so the implicit GEMM's loader cost shows.
 * A rep queues `inner` kernels and waits for the queue (backend.flush()).
 *
 *   node bench/gpu-conv.mjs [--reps 5] [--batch 64]
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags, table } from './common.mjs';
import { runEntryInDeno } from './deno-entry.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const flags = parseFlags(process.argv.slice(2), { reps: 'number', batch: 'number' });
const config = { reps: flags.reps ?? 5, batch: flags.batch ?? 64 };

const entrySource = `
import { createWebGPUBackend } from ${JSON.stringify(join(root, 'src/backends/webgpu/index.ts'))};
import { convGeometry } from ${JSON.stringify(join(root, 'src/ops/conv/geometry.ts'))};
import { randomArray } from ${JSON.stringify(join(root, 'tests/backends/suite/harness.ts'))};
const emit = (kind, payload) => console.log(kind + ' ' + JSON.stringify(payload));

async function main({ reps, batch }) {
  const backend = await createWebGPUBackend();
  emit('INFO', { adapter: backend.description, cpu: backend.cpuAdapter });
  const upload = (size, seed) => { const s = backend.alloc(size, 'float32'); backend.write(s, randomArray(size, seed)); return s; };
  const time = async (run) => {
    run(); await backend.flush();
    const ms = [];
    for (let r = 0; r < reps; r++) { const t0 = performance.now(); run(); await backend.flush(); ms.push(performance.now() - t0); }
    return median(ms);
  };
  const median = (v) => v.slice().sort((a, b) => a - b)[v.length >> 1];
  const layers = [
    { name: 'conv 28x28 1->32 3x3', x: [batch, 28, 28, 1], f: [3, 3], out: 32 },
    { name: 'conv 13x13 32->64 3x3', x: [batch, 13, 13, 32], f: [3, 3], out: 64 },
  ];
  for (const l of layers) {
    const g = convGeometry({ op: 'conv2d', xShape: l.x, filterHeight: l.f[0], filterWidth: l.f[1], outChannels: l.out, strides: 1, pad: 'valid' });
    const xs = g.batch * g.inHeight * g.inWidth * g.inChannels, os = g.batch * g.outHeight * g.outWidth * g.outChannels;
    const fs = g.filterHeight * g.filterWidth * g.inChannels * g.outChannels;
    const x = upload(xs, 1), filter = upload(fs, 2), dy = upload(os, 3), out = backend.alloc(os, 'float32');
    const dx = backend.alloc(xs, 'float32'), dFilter = backend.alloc(fs, 'float32'), bias = upload(g.outChannels, 4);
    const m = g.batch * g.outHeight * g.outWidth, n = g.outChannels, k = g.filterHeight * g.filterWidth * g.inChannels;
    const flops = 2 * m * n * k;
    const a = upload(m * k, 5), c = backend.alloc(m * n, 'float32');
    emit('ROW', { what: l.name + ' conv2d (bias, relu)', flops, ms: await time(() => backend.conv2d({ ...g, x, filter, out, bias, activation: 'relu' })) });
    emit('ROW', { what: l.name + ' conv2dBackpropInput', flops, ms: await time(() => backend.conv2dBackpropInput({ ...g, dy, filter, dx })) });
    emit('ROW', { what: l.name + ' conv2dBackpropFilter', flops, ms: await time(() => backend.conv2dBackpropFilter({ ...g, x, dy, dFilter })) });
    emit('ROW', { what: l.name + ' plain gemm m=' + m + ' n=' + n + ' k=' + k, flops,
      ms: await time(() => backend.gemm({ a, b: filter, out: c, m, n, k, transposeA: false, transposeB: false, bias, activation: 'relu' })) });
    for (const s of [x, filter, dy, out, dx, dFilter, bias, a, c]) backend.free(s);
  }
  {
    const g = convGeometry({ op: 'maxPool', xShape: [batch, 26, 26, 32], filterHeight: 2, filterWidth: 2, outChannels: 32, strides: 2, pad: 'valid' });
    const xs = batch * 26 * 26 * 32, os = batch * g.outHeight * g.outWidth * 32;
    const x = upload(xs, 6), dy = upload(os, 7), out = backend.alloc(os, 'float32'), dx = backend.alloc(xs, 'float32');
    emit('ROW', { what: 'maxPool 2x2 over 26x26x32 pool2d', flops: 0, ms: await time(() => backend.pool2d({ ...g, mode: 'max', x, out })) });
    emit('ROW', { what: 'maxPool 2x2 over 26x26x32 pool2dBackward', flops: 0, ms: await time(() => backend.pool2dBackward({ ...g, mode: 'max', x, dy, dx })) });
    for (const s of [x, dy, out, dx]) backend.free(s);
  }
  {
    const g = convGeometry({ op: 'depthwiseConv2d', xShape: [batch, 28, 28, 32], filterHeight: 3, filterWidth: 3, outChannels: 32, strides: 1, pad: 'same' });
    const xs = batch * 28 * 28 * 32, fs = 9 * 32;
    const x = upload(xs, 8), filter = upload(fs, 9), dy = upload(xs, 10), out = backend.alloc(xs, 'float32');
    const dx = backend.alloc(xs, 'float32'), dFilter = backend.alloc(fs, 'float32');
    const flops = 2 * xs * 9;
    emit('ROW', { what: 'depthwise 3x3 28x28x32 forward', flops, ms: await time(() => backend.depthwiseConv2d({ ...g, x, filter, out, bias: null, activation: 'linear', channelMultiplier: 1 })) });
    emit('ROW', { what: 'depthwise 3x3 28x28x32 backpropInput', flops, ms: await time(() => backend.depthwiseConv2dBackpropInput({ ...g, dy, filter, dx, channelMultiplier: 1 })) });
    emit('ROW', { what: 'depthwise 3x3 28x28x32 backpropFilter', flops, ms: await time(() => backend.depthwiseConv2dBackpropFilter({ ...g, x, dy, dFilter, channelMultiplier: 1 })) });
    for (const s of [x, filter, dy, out, dx, dFilter]) backend.free(s);
  }
  backend.dispose();
  emit('DONE', {});
}
main(JSON.parse(Deno.args[0])).then(() => Deno.exit(0), (error) => { emit('FATAL', String(error?.stack ?? error)); Deno.exit(1); });
`;

async function main() {
  const { info, rows } = await runEntryInDeno({ entrySource, root, name: 'gpu-conv', config });
  console.log(`\nsora webgpu conv / pool kernels in Deno on ${info?.adapter ?? 'unknown adapter'}${info?.cpu ? ' (a CPU adapter)' : ''}, ` +
    `batch ${config.batch}, median of ${config.reps} reps\n`);
  console.log(table(['kernel', 'ms', 'GFLOP/s'], rows.map((r) => [r.what, r.ms.toFixed(2), r.flops ? (r.flops / r.ms / 1e6).toFixed(2) : '-'])));
}

main().catch((error) => { console.error(error); process.exit(1); });
