/** Reductions along an axis: reduce, argMax, scan, softmax and the fused softmax cross-entropy. */
import { REDUCE_CODES, type ReduceOp, type ScanOp, type SoftmaxCrossEntropyParams } from '../backend.js';
import type { KernelExports, WasmStorage as S } from './kernel-exports.js';

export function reduce(kernels: KernelExports, op: ReduceOp, x: S, out: S, outer: number, length: number, inner: number): void {
  kernels.reduce(REDUCE_CODES[op], x.ptr, out.ptr, outer, length, inner);
}

export function scan(kernels: KernelExports, op: ScanOp, x: S, out: S, outer: number, length: number, inner: number,
  exclusive: boolean, reverse: boolean): void {
  kernels.scan(x.ptr, out.ptr, outer, length, inner, +(op === 'prod'), +(x.dtype !== 'float32'), +exclusive, +reverse);
}

export function softmaxCrossEntropy(kernels: KernelExports, p: SoftmaxCrossEntropyParams<S>): void {
  kernels.softmax_xent(p.logits.ptr, p.labels.ptr, p.sparse ? 1 : 0, p.loss.ptr,
    p.grad ? p.grad.ptr : 0, p.rows, p.cols, p.gradScale);
}
