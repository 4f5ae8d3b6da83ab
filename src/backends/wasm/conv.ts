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
import type { KernelExports, WasmStorage as S } from './kernel-exports.js';

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
}

/** Writes g (and the depthwise multiplier) into the geometry block; returns its pointer. */
function writeGeometry(ctx: ConvContext, g: Conv2DGeometry, multiplier = 1): number {
  const heap = ctx.heapI32(), at = ctx.geometry >>> 2;
  heap[at] = g.batch; heap[at + 1] = g.inHeight; heap[at + 2] = g.inWidth; heap[at + 3] = g.inChannels;
  heap[at + 4] = g.outHeight; heap[at + 5] = g.outWidth; heap[at + 6] = g.outChannels;
  heap[at + 7] = g.filterHeight; heap[at + 8] = g.filterWidth; heap[at + 9] = g.strideHeight;
  heap[at + 10] = g.strideWidth; heap[at + 11] = g.dilationHeight; heap[at + 12] = g.dilationWidth;
  heap[at + 13] = g.padTop; heap[at + 14] = g.padLeft; heap[at + 15] = multiplier;
  return ctx.geometry;
}

export function conv2d(ctx: ConvContext, p: Conv2DParams<S>): void {
  const g = writeGeometry(ctx, p);
  ctx.kernels.conv2d(p.x.ptr, p.filter.ptr, p.out.ptr, p.bias ? p.bias.ptr : 0, EPILOGUE_CODES[p.activation],
    p.alpha ?? DEFAULT_LEAKY_ALPHA, g, ctx.gemmWork, ctx.col);
}

export function conv2dBackpropInput(ctx: ConvContext, p: Conv2DBackpropInputParams<S>): void {
  ctx.kernels.conv2d_backprop_input(p.dy.ptr, p.filter.ptr, p.dx.ptr, writeGeometry(ctx, p), ctx.gemmWork, ctx.col);
}

export function conv2dBackpropFilter(ctx: ConvContext, p: Conv2DBackpropFilterParams<S>): void {
  ctx.kernels.conv2d_backprop_filter(p.x.ptr, p.dy.ptr, p.dFilter.ptr, p.accumulate ? 1 : 0, writeGeometry(ctx, p),
    ctx.gemmWork, ctx.col);
}

export function depthwiseConv2d(ctx: ConvContext, p: DepthwiseConv2DParams<S>): void {
  const g = writeGeometry(ctx, p, p.channelMultiplier);
  ctx.kernels.depthwise_conv2d(p.x.ptr, p.filter.ptr, p.out.ptr, p.bias ? p.bias.ptr : 0,
    EPILOGUE_CODES[p.activation], p.alpha ?? DEFAULT_LEAKY_ALPHA, g);
}

export function depthwiseConv2dBackpropInput(ctx: ConvContext, p: DepthwiseConv2DBackpropInputParams<S>): void {
  ctx.kernels.depthwise_conv2d_backprop_input(p.dy.ptr, p.filter.ptr, p.dx.ptr, writeGeometry(ctx, p, p.channelMultiplier));
}

export function depthwiseConv2dBackpropFilter(ctx: ConvContext, p: DepthwiseConv2DBackpropFilterParams<S>): void {
  ctx.kernels.depthwise_conv2d_backprop_filter(p.x.ptr, p.dy.ptr, p.dFilter.ptr, p.accumulate ? 1 : 0,
    writeGeometry(ctx, p, p.channelMultiplier));
}

export function pool2d(ctx: ConvContext, p: Pool2DParams<S>): void {
  ctx.kernels.pool2d(p.x.ptr, p.out.ptr, p.mode === 'max' ? 0 : 1, writeGeometry(ctx, p));
}

export function pool2dBackward(ctx: ConvContext, p: Pool2DBackwardParams<S>): void {
  ctx.kernels.pool2d_backward(p.dy.ptr, p.x.ptr, p.dx.ptr, p.mode === 'max' ? 0 : 1, writeGeometry(ctx, p));
}
