/**
 * WebGPU glue of the convolution and pooling kernels: conv2d and its two backprops as
 * implicit GEMMs (shaders/conv.wgsl, the tiles of gemm.wgsl's 'tiled' entry with an im2col
 * loader; conv2d on CPU adapters takes conv_blocked, as gemm takes gemm_blocked), depthwise conv2d and its backprops (convDepthwise.wgsl), pool2d and its backward
 * (pool.wgsl). Filter gradients reduce over batch x output pixels in chunks of at most
 * CHUNK pixels, one chunk per workgroup slice, into pooled scratch partials that a second
 * pass adds up (or, with one chunk, straight into dFilter), so no invocation loops more
 * than CHUNK / 16 times (lavapipe caps loops near 65535 iterations).
 */
import {
  DEFAULT_LEAKY_ALPHA, EPILOGUE_CODES,
  type Conv2DBackpropFilterParams, type Conv2DBackpropInputParams, type Conv2DGeometry, type Conv2DParams,
  type DepthwiseConv2DBackpropFilterParams, type DepthwiseConv2DBackpropInputParams, type DepthwiseConv2DParams,
  type Epilogue, type Pool2DBackwardParams, type Pool2DParams,
} from '../backend.js';
import type { GPUContext } from './context.js';
import { gemmShape, type GemmVariant } from './layout.js';
import type { PooledBuffer } from './buffer-pool.js';
import { bufferOf, type GPUStorage } from './storage.js';

type S = GPUStorage;
const WORKGROUP = 64;
/** Pixels per chunk of a filter gradient's reduction (per workgroup slice). */
const CHUNK = 4096;
/** The most loop iterations conv_blocked may run per invocation (lavapipe stops one near 65,535). */
const BLOCKED_ITERATIONS = 60_000;

/** The geometry words every conv.wgsl / convDepthwise.wgsl struct carries, in their order. */
function geometryWords(g: Conv2DGeometry, withFilterHeight: boolean): number[] {
  return [g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth, g.outChannels,
    ...(withFilterHeight ? [g.filterHeight] : []), g.filterWidth, g.strideHeight, g.strideWidth,
    g.dilationHeight, g.dilationWidth, g.padTop, g.padLeft];
}

const alphaOf = (e: Epilogue<S>) => (e.activation === 'leakyRelu' ? e.alpha ?? DEFAULT_LEAKY_ALPHA : 0);

/** Runs one conv.wgsl implicit GEMM: mode 0 forward, 1 input gradient, 2 filter gradient (one pass per call). */
function convGemm(context: GPUContext, kernel: string, mode: number, m: number, n: number, k: number, g: Conv2DGeometry,
  buffers: PooledBuffer[], flags: { bias: boolean; accumulate: boolean; activation: number; alpha: number },
  chunk: number, chunks: number): void {
  // gemm's tile, narrowed to 16 columns for a few channels (an RGB input's gradient, a 1-channel filter's).
  const shape = { ...gemmShape('tiled', m), ...(n <= 16 ? { WG_COLS: 4 } : {}) };
  const variant = context.variant('conv', `${mode}:${shape.WG_ROWS}:${shape.WG_COLS}:${+flags.bias}:${+flags.accumulate}:${flags.activation}`, () => ({
    kernel, shader: 'conv', entryPoint: 'conv_gemm',
    constants: { WG_ROWS: shape.WG_ROWS, WG_COLS: shape.WG_COLS, TILE_K: shape.TILE_K ?? 16, MODE: mode,
      HAS_BIAS: +flags.bias, ACCUMULATE: +flags.accumulate, ACTIVATION: flags.activation },
  }));
  const columns = Math.ceil(n / (4 * shape.WG_COLS));
  const rowBlocks = Math.ceil(m / (4 * shape.WG_ROWS));
  const max = context.limits.maxComputeWorkgroupsPerDimension;
  const ints = [m, n, k, chunk, ...geometryWords(g, false), chunks];
  if (columns > max) throw new Error(`webgpu ${kernel}: ${n} output channels need ${columns} workgroups, over ${max}`);
  if (mode === 2) {
    context.run(variant, buffers, ints, [flags.alpha], columns, rowBlocks, chunks);
    return;
  }
  // Row blocks past the y limit fold into z (row block = z * y + group.y).
  const z = Math.ceil(rowBlocks / max);
  context.run(variant, buffers, ints, [flags.alpha], columns, Math.ceil(rowBlocks / z), z);
}

/** Adds `chunks` partial sums of `size` values in `partials` into `out` (after it, or overwriting). */
function sumPartials(context: GPUContext, shader: 'conv' | 'convDepthwise', kernel: string, partials: PooledBuffer,
  out: PooledBuffer, size: number, chunks: number, accumulate: boolean, g: Conv2DGeometry): void {
  const variant = context.variant(shader, `sum:${+accumulate}`, () => ({
    kernel, shader, entryPoint: 'sum_partials', constants: { WORKGROUP_SIZE: WORKGROUP, ACCUMULATE: +accumulate },
  }));
  const ints = shader === 'conv' ? [size, 1, 0, 0, ...geometryWords(g, false), chunks] : [size, 1, 0, chunks, ...geometryWords(g, true)];
  context.runLine(variant, [partials, context.dummy, context.dummy, out], ints, [0], Math.ceil(size / WORKGROUP));
}

/**
 * conv2d: the tiled implicit GEMM on GPUs; on CPU adapters (gemm variant 'blocked') conv.wgsl's
 * conv_blocked, 4 pixels x 8 channels per invocation without workgroup memory.
 */
export function conv2dKernel(context: GPUContext, variant: GemmVariant, p: Conv2DParams<S>): void {
  const m = p.batch * p.outHeight * p.outWidth, n = p.outChannels, k = p.filterHeight * p.filterWidth * p.inChannels;
  if (m === 0 || n === 0) return;
  const kernel = 'conv2d';
  const buffers = [bufferOf(p.x, kernel), bufferOf(p.filter, kernel), p.bias ? bufferOf(p.bias, kernel) : context.dummy,
    bufferOf(p.out, kernel)];
  const flags = { bias: p.bias !== null, accumulate: false, activation: EPILOGUE_CODES[p.activation], alpha: alphaOf(p) };
  // conv_blocked loops k + taps times per invocation: past lavapipe's cap, the tiled kernel.
  if (variant === 'tiled' || k + p.filterHeight * p.filterWidth > BLOCKED_ITERATIONS) { convGemm(context, kernel, 0, m, n, k, p, buffers, flags, 0, 1); return; }
  // At most 64 invocations; 3 column groups (17..24 channels) get 21 rows, a whole number, as the shader's WG_ROWS must be.
  const cols = Math.min(4, Math.ceil(n / 8)), rows = Math.floor(64 / cols);
  const blocked = context.variant('conv', `blocked:${cols}:${+flags.bias}:${flags.activation}`, () => ({
    kernel, shader: 'conv', entryPoint: 'conv_blocked',
    constants: { WG_ROWS: rows, WG_COLS: cols, HAS_BIAS: +flags.bias, ACTIVATION: flags.activation },
  }));
  const rowBlocks = Math.ceil(m / (4 * rows));
  const z = Math.ceil(rowBlocks / context.limits.maxComputeWorkgroupsPerDimension);
  context.run(blocked, buffers, [m, n, k, 0, ...geometryWords(p, false), 1], [flags.alpha], Math.ceil(n / (8 * cols)),
    Math.ceil(rowBlocks / z), z);
}

export function conv2dBackpropInputKernel(context: GPUContext, p: Conv2DBackpropInputParams<S>): void {
  const m = p.batch * p.inHeight * p.inWidth, n = p.inChannels, k = p.filterHeight * p.filterWidth * p.outChannels;
  if (m === 0 || n === 0) return;
  const kernel = 'conv2dBackpropInput';
  convGemm(context, kernel, 1, m, n, k, p,
    [bufferOf(p.dy, kernel), bufferOf(p.filter, kernel), context.dummy, bufferOf(p.dx, kernel)],
    { bias: false, accumulate: false, activation: 0, alpha: 0 }, 0, 1);
}

export function conv2dBackpropFilterKernel(context: GPUContext, p: Conv2DBackpropFilterParams<S>): void {
  const m = p.filterHeight * p.filterWidth * p.inChannels, n = p.outChannels, k = p.batch * p.outHeight * p.outWidth;
  if (m === 0 || n === 0) return;
  const kernel = 'conv2dBackpropFilter';
  const accumulate = p.accumulate ?? false;
  const chunks = Math.max(1, Math.ceil(k / CHUNK));
  const dFilter = bufferOf(p.dFilter, kernel);
  const inputs = [bufferOf(p.x, kernel), bufferOf(p.dy, kernel), context.dummy];
  const flags = { bias: false, accumulate, activation: 0, alpha: 0 };
  if (chunks === 1) { convGemm(context, kernel, 2, m, n, k, p, [...inputs, dFilter], flags, CHUNK, 1); return; }
  // Partials [chunks, m, n] in scratch; released once the batch using it is submitted.
  const partials = context.storagePool.acquire(chunks * m * n * 4);
  convGemm(context, kernel, 2, m, n, k, p, [...inputs, partials], { ...flags, accumulate: false }, CHUNK, chunks);
  sumPartials(context, 'conv', kernel, partials, dFilter, m * n, chunks, accumulate, p);
  context.storagePool.release(partials);
}

function depthwiseVariant(context: GPUContext, kernel: string, entryPoint: string, bias: boolean, accumulate: boolean,
  activation: number) {
  return context.variant('convDepthwise', `${entryPoint}:${+bias}:${+accumulate}:${activation}`, () => ({
    kernel, shader: 'convDepthwise', entryPoint,
    constants: { WORKGROUP_SIZE: WORKGROUP, HAS_BIAS: +bias, ACCUMULATE: +accumulate, ACTIVATION: activation },
  }));
}

export function depthwiseConv2dKernel(context: GPUContext, p: DepthwiseConv2DParams<S>): void {
  const size = p.batch * p.outHeight * p.outWidth * p.outChannels;
  if (size === 0) return;
  const kernel = 'depthwiseConv2d';
  const variant = depthwiseVariant(context, kernel, 'dw_forward', p.bias !== null, false, EPILOGUE_CODES[p.activation]);
  context.runLine(variant,
    [bufferOf(p.x, kernel), bufferOf(p.filter, kernel), p.bias ? bufferOf(p.bias, kernel) : context.dummy, bufferOf(p.out, kernel)],
    [size, p.channelMultiplier, 0, 0, ...geometryWords(p, true)], [alphaOf(p)], Math.ceil(size / WORKGROUP));
}

export function depthwiseConv2dBackpropInputKernel(context: GPUContext, p: DepthwiseConv2DBackpropInputParams<S>): void {
  const size = p.batch * p.inHeight * p.inWidth * p.inChannels;
  if (size === 0) return;
  const kernel = 'depthwiseConv2dBackpropInput';
  context.runLine(depthwiseVariant(context, kernel, 'dw_input', false, false, 0),
    [bufferOf(p.dy, kernel), bufferOf(p.filter, kernel), context.dummy, bufferOf(p.dx, kernel)],
    [size, p.channelMultiplier, 0, 0, ...geometryWords(p, true)], [0], Math.ceil(size / WORKGROUP));
}

export function depthwiseConv2dBackpropFilterKernel(context: GPUContext, p: DepthwiseConv2DBackpropFilterParams<S>): void {
  const size = p.filterHeight * p.filterWidth * p.outChannels;
  if (size === 0) return;
  const kernel = 'depthwiseConv2dBackpropFilter';
  const accumulate = p.accumulate ?? false;
  const pixels = p.batch * p.outHeight * p.outWidth;
  const chunks = Math.max(1, Math.ceil(pixels / CHUNK));
  const dFilter = bufferOf(p.dFilter, kernel);
  const max = context.limits.maxComputeWorkgroupsPerDimension;
  const z = Math.ceil(size / max);
  const ints = [size, p.channelMultiplier, CHUNK, chunks, ...geometryWords(p, true)];
  const inputs = [bufferOf(p.x, kernel), bufferOf(p.dy, kernel), context.dummy];
  if (chunks === 1) {
    context.run(depthwiseVariant(context, kernel, 'dw_filter', false, accumulate, 0), [...inputs, dFilter], ints, [0],
      Math.ceil(size / z), 1, z);
    return;
  }
  const partials = context.storagePool.acquire(chunks * size * 4);
  context.run(depthwiseVariant(context, kernel, 'dw_filter', false, false, 0), [...inputs, partials], ints, [0],
    Math.ceil(size / z), chunks, z);
  sumPartials(context, 'convDepthwise', kernel, partials, dFilter, size, chunks, accumulate, p);
  context.storagePool.release(partials);
}

function poolWords(size: number, g: Conv2DGeometry): number[] {
  return [size, g.batch, g.inHeight, g.inWidth, g.inChannels, g.outHeight, g.outWidth, g.filterHeight, g.filterWidth,
    g.strideHeight, g.strideWidth, g.dilationHeight, g.dilationWidth, g.padTop, g.padLeft];
}

function poolVariant(context: GPUContext, kernel: string, entryPoint: string, max: boolean, winners = false) {
  return context.variant('pool', `${entryPoint}:${+max}:${+winners}`, () => ({
    kernel, shader: 'pool', entryPoint, constants: { WORKGROUP_SIZE: WORKGROUP, MAX: +max, WINNERS: +winners },
  }));
}

/** Windows of more taps than this get a workgroup each (pool_window), not an invocation. */
const LARGE_WINDOW = 1024;

/** One pooled value (or with `winners` the max's winning tap) per output element into `out`. */
function poolForward(context: GPUContext, kernel: string, p: Conv2DGeometry, max: boolean, winners: boolean,
  x: PooledBuffer, out: PooledBuffer): void {
  const size = p.batch * p.outHeight * p.outWidth * p.inChannels;
  const large = p.filterHeight * p.filterWidth > LARGE_WINDOW;
  context.runLine(poolVariant(context, kernel, large ? 'pool_window' : 'pool_forward', max, winners),
    [x, context.dummy, out], poolWords(size, p), null, large ? size : Math.ceil(size / WORKGROUP));
}

export function pool2dKernel(context: GPUContext, p: Pool2DParams<S>): void {
  if (p.batch * p.outHeight * p.outWidth * p.inChannels === 0) return;
  const kernel = `pool2d ${p.mode}`;
  poolForward(context, kernel, p, p.mode === 'max', false, bufferOf(p.x, kernel), bufferOf(p.out, kernel));
}

export function pool2dBackwardKernel(context: GPUContext, p: Pool2DBackwardParams<S>): void {
  const size = p.batch * p.inHeight * p.inWidth * p.inChannels;
  if (size === 0) return;
  const kernel = `pool2dBackward ${p.mode}`;
  const words = poolWords(size, p);
  const dx = bufferOf(p.dx, kernel), dy = bufferOf(p.dy, kernel);
  if (p.mode === 'avg') {
    context.runLine(poolVariant(context, kernel, 'pool_backward', false), [context.dummy, dy, dx], words, null,
      Math.ceil(size / WORKGROUP));
    return;
  }
  // 'max': each window's winning tap first (pooled scratch, one f32 per output), so the
  // gather reads one value per window instead of searching the window again.
  const outputs = p.batch * p.outHeight * p.outWidth * p.inChannels;
  const winners = context.storagePool.acquire(Math.max(outputs, 1) * 4);
  if (outputs > 0) poolForward(context, kernel, p, true, true, bufferOf(p.x, kernel), winners);
  context.runLine(poolVariant(context, kernel, 'pool_backward', true), [winners, dy, dx], words, null, Math.ceil(size / WORKGROUP));
  context.storagePool.release(winners);
}
