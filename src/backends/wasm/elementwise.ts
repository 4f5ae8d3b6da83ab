/** Element-wise bindings: unary (and its backward), binary, select, affine. */
import { BINARY_CODES, UNARY_CODES, type BinaryOp, type UnaryOp } from '../backend.js';
import { checkBackwardOp } from '../reference/math.js';
import type { KernelExports, WasmStorage as S } from './kernel-exports.js';

/** Writes out[begin..end) only. */
export function unary(kernels: KernelExports, op: UnaryOp, x: S, out: S, begin: number, end: number): void {
  if (end > begin) kernels.unary(UNARY_CODES[op], x.ptr + begin * 4, out.ptr + begin * 4, end - begin);
}

export function unaryBackward(kernels: KernelExports, op: UnaryOp, dy: S, x: S, y: S, dx: S, size: number): void {
  checkBackwardOp('wasm', op);
  kernels.unary_backward(UNARY_CODES[op], dy.ptr, x.ptr, y.ptr, dx.ptr, size);
}

/**
 * Writes out[begin..end) only: a full-size operand is entered at begin, a repeating one at
 * its phase begin % period.
 */
export function binary(kernels: KernelExports, op: BinaryOp, a: S, aSize: number, b: S, bSize: number, out: S,
  size: number, begin: number, end: number): void {
  const n = end - begin;
  if (n <= 0) return;
  const kernel = a.dtype === 'float32' ? kernels.binary : kernels.binary_i32;
  // Plain locals, no tuples: this binding runs for every elementwise op.
  const aFull = aSize === size, bFull = bSize === size;
  kernel(BINARY_CODES[op], aFull ? a.ptr + begin * 4 : a.ptr, aFull ? n : aSize, bFull ? b.ptr + begin * 4 : b.ptr,
    bFull ? n : bSize, out.ptr + begin * 4, n, aFull ? 0 : begin % aSize, bFull ? 0 : begin % bSize);
}
