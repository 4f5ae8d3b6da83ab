/**
 * WebGPU glue of the indexing kernel families: scan, scatterRows, topk and oneHot
 * (shaders of the same names): a grid for the shape and the uniform words in each shader's
 * struct order. The backend class delegates its methods of these names here.
 */
import type { ScanOp, ScatterMode } from '../backend.js';
import type { GPUContext } from './context.js';
import { ELEMENTWISE_WORKGROUP } from './elementwise.js';
import { bufferOf, type GPUStorage } from './storage.js';

const WORKGROUP = 64;
/** scan: fewer lines than this, each at least this long, take the workgroup-per-line entry. */
const SCAN_WIDE_LINES = 256;
const SCAN_WIDE_LENGTH = 512;
/** topk: fewer rows than this, each at least this long, take the workgroup-per-row entry. */
const TOPK_WIDE_ROWS = 256;
const TOPK_WIDE_COLS = 256;
/** scatterRows: aim for about this many invocations (columns x chunks of target rows). */
const SCATTER_INVOCATIONS = 1024;

export function scanKernel(context: GPUContext, op: ScanOp, x: GPUStorage, out: GPUStorage, outer: number,
  length: number, inner: number, exclusive: boolean, reverse: boolean): void {
  const lines = outer * inner;
  if (lines === 0 || length === 0) return;
  const kernel = `scan ${op}`;
  // Few long lines: a workgroup per line scans chunks in parallel; else an invocation per line.
  const wide = lines < SCAN_WIDE_LINES && length >= SCAN_WIDE_LENGTH;
  const product = +(op === 'prod'), integer = +(x.dtype !== 'float32');
  const variant = context.variant('scan', +wide * 4 + product * 2 + integer, () => ({
    kernel, shader: 'scan', entryPoint: wide ? 'scan_workgroup' : 'main',
    constants: { WORKGROUP_SIZE: wide ? 256 : WORKGROUP, PRODUCT: product, INTEGER: integer },
  }));
  context.runLine(variant, [bufferOf(x, kernel), bufferOf(out, kernel)], [outer, length, inner, +exclusive, +reverse], null,
    wide ? lines : Math.ceil(lines / WORKGROUP));
}

export function scatterRowsKernel(context: GPUContext, mode: ScatterMode, updates: GPUStorage,
  indices: GPUStorage, out: GPUStorage, rowCount: number, cols: number, outRows: number): void {
  if (rowCount === 0 || cols === 0 || outRows === 0) return;
  const kernel = `scatterRows ${mode}`;
  const chunks = Math.min(outRows, Math.max(1, Math.floor(SCATTER_INVOCATIONS / cols)));
  const chunkRows = Math.ceil(outRows / chunks);
  const size = cols * Math.ceil(outRows / chunkRows);
  const set = +(mode === 'set'), integer = +(out.dtype !== 'float32');
  const variant = context.variant('scatterRows', set * 2 + integer, () => ({
    kernel, shader: 'scatterRows', constants: { WORKGROUP_SIZE: WORKGROUP, SET: set, INTEGER: integer },
  }));
  context.runLine(variant, [bufferOf(updates, kernel), bufferOf(indices, kernel), bufferOf(out, kernel)],
    [size, rowCount, cols, outRows, chunkRows], null, Math.ceil(size / WORKGROUP));
}

export function topkKernel(context: GPUContext, x: GPUStorage, values: GPUStorage, indices: GPUStorage,
  rows: number, cols: number, k: number): void {
  if (rows === 0 || k === 0) return;
  // Few long rows: a workgroup per row; else an invocation per row.
  const wide = rows < TOPK_WIDE_ROWS && cols >= TOPK_WIDE_COLS;
  const variant = context.variant('topk', +wide, () => ({
    kernel: 'topk', shader: 'topk', entryPoint: wide ? 'topk_workgroup' : 'main', constants: { WORKGROUP_SIZE: wide ? 256 : WORKGROUP },
  }));
  context.runLine(variant, [bufferOf(x, 'topk'), bufferOf(values, 'topk'), bufferOf(indices, 'topk')], [rows, cols, k], null,
    wide ? rows : Math.ceil(rows / WORKGROUP));
}

/** out (float32, size x depth) = one-hot rows of the int32 indices; uniform {total, depth}. */
export function oneHotKernel(context: GPUContext, indices: GPUStorage, out: GPUStorage, size: number, depth: number): void {
  const total = size * depth;
  if (total === 0) return;
  const k = 'oneHot';
  const variant = context.variant(k, 0, () => ({ kernel: k, shader: k, constants: { WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP } }));
  context.runLine(variant, [bufferOf(indices, k), bufferOf(out, k)], [total, depth], null, Math.ceil(total / ELEMENTWISE_WORKGROUP));
}

/**
 * An NHWC float32 resize (resize.wgsl): taps is the int32 storage of resize-taps.ts's words;
 * uniform {total, channels, inWidth, inHeight, outWidth, outHeight, nearest}.
 */
export function resizeKernel(context: GPUContext, x: GPUStorage, taps: GPUStorage, out: GPUStorage,
  words: [number, number, number, number, number, number, number]): void {
  const k = 'resize';
  const variant = context.variant(k, 0, () => ({ kernel: k, shader: k, constants: { WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP } }));
  context.runLine(variant, [bufferOf(x, k), bufferOf(taps, k), bufferOf(out, k)], words, null, Math.ceil(words[0] / ELEMENTWISE_WORKGROUP));
}
