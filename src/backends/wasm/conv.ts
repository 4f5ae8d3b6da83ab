/**
 * The convolution and pooling bindings (assembly/conv.ts, depthwise.ts, pool.ts). Each call
 * writes the geometry into `geometry`, 16 i32 words the backend owns (GEOMETRY_BYTES), in the
 * order of assembly/conv-geometry.ts; conv2d and its gradients also get the GEMM workspace and
 * the im2col scratch (conv_workspace_bytes()), so no call allocates.
 */
import {
  DEFAULT_LEAKY_ALPHA, EPILOGUE_CODES,
  type Conv2DBackpropFilterParams, type Conv2DBackpropInputParams, type Conv2DGeometry, type Conv2DParams,
  type DepthwiseConv2DBackpropFilterParams, type DepthwiseConv2DBackpropInputParams, type DepthwiseConv2DParams,
  type Pool2DBackwardParams, type Pool2DParams,
} from '../backend.js';
import { BINARY_CODES } from '../opcodes.generated.js';
import type { KernelExports, WasmStorage as S } from './kernel-exports.js';
import { BATCH_PARALLEL_MACS } from './gemm.js';
import { SCRATCH_COL, SCRATCH_EXTRA, SCRATCH_GEMM, type TaskKernel, type ThreadPool } from './threads.js';

/** Bytes of the geometry block. */
export const GEOMETRY_BYTES = 16 * 4;

/** What the bindings need from the backend: its kernels, scratch pointers and a fresh i32 view. */
export interface ConvContext {
  kernels: KernelExports;
  /** GEOMETRY_BYTES of scratch. */
  geometry: number;
  /** The GEMM workspace (gemm_workspace_bytes()). */
  gemmWork: number;
  /** The im2col scratch (conv_workspace_bytes()). */
  col: number;
  heapI32(): Int32Array;
  /** Splits a batch over threads (null: one thread). */
  pool(): ThreadPool | null;
  /** Arena blocks for the filter gradients' per-thread partial sums. */
  alloc(bytes: number): number;
  free(ptr: number, bytes: number): void;
}

/** Writes g (and the depthwise multiplier) into the geometry block; returns its pointer. */
function writeGeometry(ctx: ConvContext, g: Conv2DGeometry, multiplier = 1): number {
  writeGeometryAt(ctx.heapI32(), ctx.geometry, g, g.batch, multiplier);
  return ctx.geometry;
}

function writeGeometryAt(heap: Int32Array, ptr: number, g: Conv2DGeometry, batch: number, multiplier: number): void {
  const at = ptr >>> 2;
  heap[at] = batch; heap[at + 1] = g.inHeight; heap[at + 2] = g.inWidth; heap[at + 3] = g.inChannels;
  heap[at + 4] = g.outHeight; heap[at + 5] = g.outWidth; heap[at + 6] = g.outChannels;
  heap[at + 7] = g.filterHeight; heap[at + 8] = g.filterWidth; heap[at + 9] = g.strideHeight;
  heap[at + 10] = g.strideWidth; heap[at + 11] = g.dilationHeight; heap[at + 12] = g.dilationWidth;
  heap[at + 13] = g.padTop; heap[at + 14] = g.padLeft; heap[at + 15] = multiplier;
}

/** Which pointer arguments of a kernel step by the input image, by the output image, or are the filter gradient. */
interface Split {
  kernel: TaskKernel;
  /** The arguments, with the geometry as -1, the GEMM workspace as -2, the im2col scratch as -3. */
  args: number[];
  /** Indexes of arguments that step by one input image (inH * inW * inC floats) and by one output image. */
  byInput: number[];
  byOutput: number[];
  /** For a filter gradient, the index of dFilter and of the accumulate flag: chunks after the first write partials. */
  dFilter?: number;
  accumulate?: number;
  filterSize?: number;
}

/**
 * Runs a convolution kernel on the batch split over threads, when the pool has more than one
 * and the work pays (at least two images and BATCH_PARALLEL_MACS multiply-adds); returns false
 * to have it run at once on this thread. Each chunk of images is a task with its own geometry;
 * a filter gradient's chunks after the first sum into partial buffers, added at the end.
 */
function splitBatch(ctx: ConvContext, g: Conv2DGeometry, multiplier: number, macs: number, split: Split): boolean {
  const pool = ctx.pool();
  if (pool === null || pool.threads < 2 || g.batch < 2 || macs < BATCH_PARALLEL_MACS) return false;
  const chunks = Math.min(g.batch, pool.threads), per = Math.ceil(g.batch / chunks);
  const inImage = g.inHeight * g.inWidth * g.inChannels * 4, outImage = g.outHeight * g.outWidth * g.outChannels * 4;
  const partialBytes = (split.filterSize ?? 0) * 4;
  const partials: number[] = [];
  try {
    if (split.dFilter !== undefined) for (let i = 1; i < chunks; i++) partials.push(ctx.alloc(partialBytes));
    pool.begin();
    let mask = 0;
    split.args.forEach((v, i) => { if (v < 0) mask |= 1 << i; });
    const heap = ctx.heapI32();
    for (let chunk = 0, b0 = 0; b0 < g.batch; chunk++, b0 += per) {
      const s = pool.task(split.kernel, mask), x = pool.args;
      split.args.forEach((v, i) => {
        x[s + i] = v === -1 ? SCRATCH_EXTRA : v === -2 ? SCRATCH_GEMM : v === -3 ? SCRATCH_COL : v;
      });
      for (const i of split.byInput) x[s + i] = split.args[i]! + b0 * inImage;
      for (const i of split.byOutput) x[s + i] = split.args[i]! + b0 * outImage;
      if (split.dFilter !== undefined && chunk > 0) {
        x[s + split.dFilter] = partials[chunk - 1]!;
        x[s + split.accumulate!] = 0;
      }
      writeGeometryAt(heap, pool.extra(), g, Math.min(per, g.batch - b0), multiplier);
    }
    pool.run();
    const dF = split.dFilter !== undefined ? split.args[split.dFilter]! : 0;
    for (const partial of partials) {
      ctx.kernels.binary(BINARY_CODES.add, dF, split.filterSize!, partial, split.filterSize!, dF, split.filterSize!, 0, 0);
    }
  } finally {
    for (const partial of partials) ctx.free(partial, partialBytes);
  }
  return true;
}

function convMacs(g: Conv2DGeometry): number {
  return g.batch * g.outHeight * g.outWidth * g.outChannels * g.filterHeight * g.filterWidth * g.inChannels;
}

export function conv2d(ctx: ConvContext, p: Conv2DParams<S>): void {
  const bias = p.bias ? p.bias.ptr : 0, act = EPILOGUE_CODES[p.activation], alpha = p.alpha ?? DEFAULT_LEAKY_ALPHA;
  if (splitBatch(ctx, p, 1, convMacs(p), {
    kernel: 'conv2d', args: [p.x.ptr, p.filter.ptr, p.out.ptr, bias, act, alpha, -1, -2, -3], byInput: [0], byOutput: [2],
  })) return;
  const g = writeGeometry(ctx, p);
  ctx.kernels.conv2d(p.x.ptr, p.filter.ptr, p.out.ptr, p.bias ? p.bias.ptr : 0, EPILOGUE_CODES[p.activation],
    p.alpha ?? DEFAULT_LEAKY_ALPHA, g, ctx.gemmWork, ctx.col);
}

export function conv2dBackpropInput(ctx: ConvContext, p: Conv2DBackpropInputParams<S>): void {
  if (splitBatch(ctx, p, 1, convMacs(p), {
    kernel: 'conv2d_backprop_input', args: [p.dy.ptr, p.filter.ptr, p.dx.ptr, -1, -2, -3], byInput: [2], byOutput: [0],
  })) return;
  ctx.kernels.conv2d_backprop_input(p.dy.ptr, p.filter.ptr, p.dx.ptr, writeGeometry(ctx, p), ctx.gemmWork, ctx.col);
}

export function conv2dBackpropFilter(ctx: ConvContext, p: Conv2DBackpropFilterParams<S>): void {
  if (splitBatch(ctx, p, 1, convMacs(p), {
    kernel: 'conv2d_backprop_filter', args: [p.x.ptr, p.dy.ptr, p.dFilter.ptr, p.accumulate ? 1 : 0, -1, -2, -3],
    byInput: [0], byOutput: [1], dFilter: 2, accumulate: 3,
    filterSize: p.filterHeight * p.filterWidth * p.inChannels * p.outChannels,
  })) return;
  ctx.kernels.conv2d_backprop_filter(p.x.ptr, p.dy.ptr, p.dFilter.ptr, p.accumulate ? 1 : 0, writeGeometry(ctx, p),
    ctx.gemmWork, ctx.col);
}

export function depthwiseConv2d(ctx: ConvContext, p: DepthwiseConv2DParams<S>): void {
  if (splitBatch(ctx, p, p.channelMultiplier, depthwiseMacs(p), {
    kernel: 'depthwise_conv2d', byInput: [0], byOutput: [2],
    args: [p.x.ptr, p.filter.ptr, p.out.ptr, p.bias ? p.bias.ptr : 0, EPILOGUE_CODES[p.activation],
      p.alpha ?? DEFAULT_LEAKY_ALPHA, -1],
  })) return;
  const g = writeGeometry(ctx, p, p.channelMultiplier);
  ctx.kernels.depthwise_conv2d(p.x.ptr, p.filter.ptr, p.out.ptr, p.bias ? p.bias.ptr : 0,
    EPILOGUE_CODES[p.activation], p.alpha ?? DEFAULT_LEAKY_ALPHA, g);
}

export function depthwiseConv2dBackpropInput(ctx: ConvContext, p: DepthwiseConv2DBackpropInputParams<S>): void {
  if (splitBatch(ctx, p, p.channelMultiplier, depthwiseMacs(p), {
    kernel: 'depthwise_conv2d_backprop_input', args: [p.dy.ptr, p.filter.ptr, p.dx.ptr, -1], byInput: [2], byOutput: [0],
  })) return;
  ctx.kernels.depthwise_conv2d_backprop_input(p.dy.ptr, p.filter.ptr, p.dx.ptr, writeGeometry(ctx, p, p.channelMultiplier));
}

export function depthwiseConv2dBackpropFilter(ctx: ConvContext, p: DepthwiseConv2DBackpropFilterParams<S>): void {
  if (splitBatch(ctx, p, p.channelMultiplier, depthwiseMacs(p), {
    kernel: 'depthwise_conv2d_backprop_filter', args: [p.x.ptr, p.dy.ptr, p.dFilter.ptr, p.accumulate ? 1 : 0, -1],
    byInput: [0], byOutput: [1], dFilter: 2, accumulate: 3,
    filterSize: p.filterHeight * p.filterWidth * p.inChannels * p.channelMultiplier,
  })) return;
  ctx.kernels.depthwise_conv2d_backprop_filter(p.x.ptr, p.dy.ptr, p.dFilter.ptr, p.accumulate ? 1 : 0,
    writeGeometry(ctx, p, p.channelMultiplier));
}

/** Multiply-adds of a depthwise convolution (each output reads its filter window of one channel). */
function depthwiseMacs(g: Conv2DGeometry): number {
  return g.batch * g.outHeight * g.outWidth * g.outChannels * g.filterHeight * g.filterWidth;
}

export function pool2d(ctx: ConvContext, p: Pool2DParams<S>): void {
  if (splitBatch(ctx, p, 1, depthwiseMacs(p), {
    kernel: 'pool2d', args: [p.x.ptr, p.out.ptr, p.mode === 'max' ? 0 : 1, -1], byInput: [0], byOutput: [1],
  })) return;
  ctx.kernels.pool2d(p.x.ptr, p.out.ptr, p.mode === 'max' ? 0 : 1, writeGeometry(ctx, p));
}

export function pool2dBackward(ctx: ConvContext, p: Pool2DBackwardParams<S>): void {
  if (splitBatch(ctx, p, 1, depthwiseMacs(p), {
    kernel: 'pool2d_backward', args: [p.dy.ptr, p.x.ptr, p.dx.ptr, p.mode === 'max' ? 0 : 1, -1], byInput: [1, 2],
    byOutput: [0],
  })) return;
  ctx.kernels.pool2d_backward(p.dy.ptr, p.x.ptr, p.dx.ptr, p.mode === 'max' ? 0 : 1, writeGeometry(ctx, p));
}
