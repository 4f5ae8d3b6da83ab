/**
 * WebGPU glue of the data-movement kernels: copyStrided (shaders/copyStrided.wgsl) and
 * gatherRows (gatherRows.wgsl), one invocation per output element.
 */
import type { GPUContext } from './context.js';
import { ELEMENTWISE_WORKGROUP } from './elementwise.js';
import { simplifyAxes } from './layout.js';
import { bufferOf, type GPUStorage } from './storage.js';

/** The shader's rank limit (its uniform arrays hold 8 extents and strides). */
const MAX_RANK = 8;

/**
 * Uniform words {size, rank, srcOffset, dstOffset, shape[8], srcStrides[8], dstStrides[8]}
 * after merging contiguous axes (layout.ts simplifyAxes).
 */
/** copyStridedKernel's uniform words: size, rank, offsets, then shape and both strides (MAX_RANK each). */
const COPY_WORDS: number[] = new Array<number>(4 + 3 * MAX_RANK).fill(0);

export function copyStridedKernel(context: GPUContext, src: GPUStorage, dst: GPUStorage, shape: number[], srcStrides: number[],
  srcOffset: number, dstStrides: number[], dstOffset: number): void {
  const axes = simplifyAxes(shape, srcStrides, dstStrides);
  if (axes === null) return; // an empty axis: nothing to copy
  if (axes.shape.length > MAX_RANK) {
    throw new Error(`webgpu copyStrided: rank ${axes.shape.length} after merging contiguous axes ` +
      `(shape [${shape}]); at most ${MAX_RANK} is supported`);
  }
  const rank = axes.shape.length;
  let size = 1;
  for (let i = 0; i < rank; i++) size *= axes.shape[i];
  if (size === 0) return;
  // One words array for every call: runLine copies it into the uniform ring at once.
  const ints = COPY_WORDS;
  ints[0] = size; ints[1] = rank; ints[2] = srcOffset; ints[3] = dstOffset;
  for (let i = 0; i < MAX_RANK; i++) {
    const inside = i < rank;
    ints[4 + i] = inside ? axes.shape[i] : 0;
    ints[4 + MAX_RANK + i] = inside ? axes.src[i] : 0;
    ints[4 + 2 * MAX_RANK + i] = inside ? axes.dst[i] : 0;
  }
  const k = 'copyStrided';
  const variant = context.variant(k, 0, () => ({ kernel: k, shader: k, constants: { WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP } }));
  context.runLine(variant, [bufferOf(src, k), bufferOf(dst, k)], ints, null, Math.ceil(size / ELEMENTWISE_WORKGROUP));
}

/** dst[r, :] = src[indices[r], :]; uniform {size, cols, source rows}. */
export function gatherRowsKernel(context: GPUContext, src: GPUStorage, indices: GPUStorage, dst: GPUStorage, rowCount: number,
  cols: number): void {
  const size = rowCount * cols;
  if (size === 0) return;
  const k = 'gatherRows';
  const variant = context.variant(k, 0, () => ({ kernel: k, shader: k, constants: { WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP } }));
  context.runLine(variant, [bufferOf(src, k), bufferOf(indices, k), bufferOf(dst, k)],
    [size, cols, Math.floor(src.size / cols)], null, Math.ceil(size / ELEMENTWISE_WORKGROUP));
}
