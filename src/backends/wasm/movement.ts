/**
 * Data movement (assembly/movement.ts): the strided copy, cast, fill and row gathers, all in
 * wasm. copyStrided passes shape and strides through `dims`, scratch the backend owns
 * (MAX_COPY_RANK * 4 i32 words), so a call allocates nothing.
 */
import type { DType, TypedArray } from '../backend.js';
import { CAST_CODES } from '../opcodes.generated.js';
import { copyStridedArrays } from '../reference/movement.js';
import type { KernelExports, WasmStorage as S } from './kernel-exports.js';

/** Ranks copyStrided hands to wasm (its scratch is sized for it); higher ranks run in TypeScript. */
export const MAX_COPY_RANK = 32;
/** Bytes of copyStrided's scratch. */
export const COPY_DIMS_BYTES = 4 * MAX_COPY_RANK * 4;

/** The backend's heap views (fresh after memory growth). */
export interface HeapViews {
  heapI32(): Int32Array;
  view(storage: S): TypedArray;
}

/** `dims` is the backend's scratch of COPY_DIMS_BYTES. */
export function copyStrided(kernels: KernelExports, dims: number, heaps: HeapViews, src: S, dst: S, shape: number[],
  srcStrides: number[], srcOffset: number, dstStrides: number[], dstOffset: number): void {
  const rank = shape.length;
  if (rank > MAX_COPY_RANK) {
    copyStridedArrays(heaps.view(src), heaps.view(dst), shape, srcStrides, srcOffset, dstStrides, dstOffset);
    return;
  }
  const heap = heaps.heapI32(), at = dims >>> 2;
  for (let i = 0; i < rank; i++) {
    heap[at + i] = shape[i];
    heap[at + rank + i] = srcStrides[i];
    heap[at + 2 * rank + i] = dstStrides[i];
  }
  kernels.copy_strided(src.ptr, dst.ptr, rank, dims, srcOffset, dstOffset);
}

/** The CAST_* code (assembly/movement.ts cast) for a conversion between storage dtypes. */
function castCode(from: DType, to: DType): number {
  if (to === 'bool') return from === 'float32' ? CAST_CODES.float32ToBool : from === 'int32' ? CAST_CODES.int32ToBool : CAST_CODES.copy;
  if (to === 'float32') return from === 'float32' ? CAST_CODES.copy : CAST_CODES.int32ToFloat32;
  return from === 'float32' ? CAST_CODES.float32ToInt32 : CAST_CODES.copy;
}

export function cast(kernels: KernelExports, x: S, out: S, size: number): void {
  kernels.cast(x.ptr, out.ptr, size, castCode(x.dtype, out.dtype));
}

/** fill's float-to-bits conversion. */
const FILL_F32 = new Float32Array(1);
const FILL_I32 = new Int32Array(FILL_F32.buffer);

/** float32: the float's bits; int32: ToInt32 (as an Int32Array store); bool: value != 0. */
export function fill(kernels: KernelExports, out: S, size: number, value: number): void {
  let word: number;
  if (out.dtype === 'float32') { FILL_F32[0] = value; word = FILL_I32[0]; }
  else if (out.dtype === 'bool') word = value !== 0 ? 1 : 0;
  else word = value | 0;
  kernels.fill_words(out.ptr, size, word);
}
