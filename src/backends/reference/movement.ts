/**
 * Data movement over CPU arrays (backend.ts `copyStrided`, `cast`, `fill`, `gatherRows`,
 * `oneHot`), shared by the backends whose storage JS can see (reference, wasm).
 */
import type { DType, TypedArray } from '../backend.js';

/**
 * cast over CPU arrays (reference and wasm). To 'bool': value != 0 (NaN is true). From
 * 'bool': 0 / 1. float32 to int32: JavaScript ToInt32, as an Int32Array store does
 * (truncation toward zero; NaN and +-Infinity give 0; magnitudes past 2^31 wrap).
 */
export function castArrays(from: TypedArray, to: TypedArray, toType: DType, size: number): void {
  if (toType === 'bool') for (let i = 0; i < size; i++) to[i] = from[i] !== 0 ? 1 : 0;
  else for (let i = 0; i < size; i++) to[i] = from[i];
}

/** fill over CPU arrays: a 'bool' fill stores value != 0 as 0 / 1, as cast does. */
export function fillArray(to: TypedArray, dtype: DType, size: number, value: number): void {
  to.fill(dtype === 'bool' ? +(value !== 0) : value, 0, size);
}

/** The strided copy shared by backends whose storage JS can see (reference, wasm). */
export function copyStridedArrays(src: TypedArray, dst: TypedArray, shape: number[],
  srcStrides: number[], srcOffset: number, dstStrides: number[], dstOffset: number): void {
  const rank = shape.length;
  if (shape.some((d) => d === 0)) return;
  if (rank === 0) { dst[dstOffset] = src[srcOffset]; return; }
  const last = rank - 1;
  const index = new Array<number>(rank).fill(0);
  let s = srcOffset, d = dstOffset;
  const innerLength = shape[last], sInner = srcStrides[last], dInner = dstStrides[last];
  for (;;) {
    if (sInner === 1 && dInner === 1) dst.set(src.subarray(s, s + innerLength), d);
    else for (let i = 0; i < innerLength; i++) dst[d + i * dInner] = src[s + i * sInner];
    // Odometer over the outer axes.
    let axis = last - 1;
    while (axis >= 0) {
      index[axis]++;
      s += srcStrides[axis]; d += dstStrides[axis];
      if (index[axis] < shape[axis]) break;
      s -= srcStrides[axis] * shape[axis]; d -= dstStrides[axis] * shape[axis];
      index[axis] = 0;
      axis--;
    }
    if (axis < 0) return;
  }
}

/** dst[r, :] = src[indices[r], :] for r < rowCount (indices in range: the op checked). */
export function gatherRowsArrays(src: TypedArray, indices: TypedArray, dst: TypedArray, rowCount: number, cols: number): void {
  for (let r = 0; r < rowCount; r++) {
    const from = indices[r] * cols;
    dst.set(src.subarray(from, from + cols), r * cols);
  }
}

/** out (size x depth) = one-hot rows of indices; an index out of range gives a zero row. */
export function oneHotArrays(indices: TypedArray, out: TypedArray, size: number, depth: number): void {
  out.fill(0, 0, size * depth);
  for (let i = 0; i < size; i++) {
    const index = indices[i];
    if (index >= 0 && index < depth) out[i * depth + index] = 1;
  }
}
