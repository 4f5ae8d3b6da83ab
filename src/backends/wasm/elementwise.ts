/** Element-wise bindings: unary (and its backward), binary, select, affine; large ones split over threads. */
import { BINARY_CODES, UNARY_CODES, type BinaryOp, type UnaryOp } from '../backend.js';
import { checkBackwardOp } from '../reference/math.js';
import type { KernelExports, WasmStorage as S } from './kernel-exports.js';
import { ELEMENTWISE_PARALLEL, splitRange, type ThreadPool } from './threads.js';

/** Writes out[begin..end) only. */
export function unary(kernels: KernelExports, op: UnaryOp, x: S, out: S, begin: number, end: number,
  pool: ThreadPool | null = null): void {
  if (end <= begin) return;
  const code = UNARY_CODES[op];
  if (pool !== null && end - begin >= ELEMENTWISE_PARALLEL && splitRange(pool, end - begin, ELEMENTWISE_PARALLEL, (p, b, e) => {
    const s = p.task('unary');
    p.args[s] = code; p.args[s + 1] = x.ptr + (begin + b) * 4; p.args[s + 2] = out.ptr + (begin + b) * 4; p.args[s + 3] = e - b;
  })) return;
  kernels.unary(code, x.ptr + begin * 4, out.ptr + begin * 4, end - begin);
}

export function unaryBackward(kernels: KernelExports, op: UnaryOp, dy: S, x: S, y: S, dx: S, size: number,
  pool: ThreadPool | null = null): void {
  checkBackwardOp('wasm', op);
  const code = UNARY_CODES[op];
  if (pool !== null && size >= ELEMENTWISE_PARALLEL && splitRange(pool, size, ELEMENTWISE_PARALLEL, (p, b, e) => {
    const s = p.task('unary_backward'), a = p.args;
    a[s] = code; a[s + 1] = dy.ptr + b * 4; a[s + 2] = x.ptr + b * 4; a[s + 3] = y.ptr + b * 4; a[s + 4] = dx.ptr + b * 4;
    a[s + 5] = e - b;
  })) return;
  kernels.unary_backward(code, dy.ptr, x.ptr, y.ptr, dx.ptr, size);
}

/**
 * Writes out[begin..end) only: a full-size operand is entered at begin, a repeating one at
 * its phase begin % period.
 */
export function binary(kernels: KernelExports, op: BinaryOp, a: S, aSize: number, b: S, bSize: number, out: S,
  size: number, begin: number, end: number, pool: ThreadPool | null = null): void {
  const n = end - begin;
  if (n <= 0) return;
  if (pool !== null && n >= ELEMENTWISE_PARALLEL && splitRange(pool, n, ELEMENTWISE_PARALLEL, (p, b0, e0) => {
    binaryTask(p, a.dtype === 'float32', BINARY_CODES[op], a, aSize, b, bSize, out, size, begin + b0, begin + e0);
  })) return;
  const kernel = a.dtype === 'float32' ? kernels.binary : kernels.binary_i32;
  // Plain locals, no tuples: this binding runs for every elementwise op.
  const aFull = aSize === size, bFull = bSize === size;
  kernel(BINARY_CODES[op], aFull ? a.ptr + begin * 4 : a.ptr, aFull ? n : aSize, bFull ? b.ptr + begin * 4 : b.ptr,
    bFull ? n : bSize, out.ptr + begin * 4, n, aFull ? 0 : begin % aSize, bFull ? 0 : begin % bSize);
}

function binaryTask(pool: ThreadPool, float: boolean, code: number, a: S, aSize: number, b: S, bSize: number, out: S,
  size: number, begin: number, end: number): void {
  const n = end - begin, aFull = aSize === size, bFull = bSize === size;
  const s = pool.task(float ? 'binary' : 'binary_i32'), x = pool.args;
  x[s] = code; x[s + 1] = aFull ? a.ptr + begin * 4 : a.ptr; x[s + 2] = aFull ? n : aSize;
  x[s + 3] = bFull ? b.ptr + begin * 4 : b.ptr; x[s + 4] = bFull ? n : bSize; x[s + 5] = out.ptr + begin * 4; x[s + 6] = n;
  x[s + 7] = aFull ? 0 : begin % aSize; x[s + 8] = bFull ? 0 : begin % bSize;
}
