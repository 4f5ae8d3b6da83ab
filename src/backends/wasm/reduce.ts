/** Reductions along an axis: reduce, argMax, scan, softmax and the fused softmax cross-entropy. */
import { REDUCE_CODES, type ReduceOp, type ScanOp, type SoftmaxCrossEntropyParams } from '../backend.js';
import type { KernelExports, WasmStorage as S } from './kernel-exports.js';
import { ELEMENTWISE_PARALLEL, splitRange, type ThreadPool } from './threads.js';

/** Large reductions with several outer slices split those slices over threads. */
export function reduce(kernels: KernelExports, op: ReduceOp, x: S, out: S, outer: number, length: number, inner: number,
  pool: ThreadPool | null = null): void {
  const code = REDUCE_CODES[op], slice = length * inner;
  if (pool !== null && outer > 1 && outer * slice >= ELEMENTWISE_PARALLEL &&
    splitRange(pool, outer, 2, (p, o0, o1) => {
      const s = p.task('reduce');
      p.args[s] = code; p.args[s + 1] = x.ptr + o0 * slice * 4; p.args[s + 2] = out.ptr + o0 * inner * 4;
      p.args[s + 3] = o1 - o0; p.args[s + 4] = length; p.args[s + 5] = inner;
    }, 1)) return;
  kernels.reduce(code, x.ptr, out.ptr, outer, length, inner);
}

export function scan(kernels: KernelExports, op: ScanOp, x: S, out: S, outer: number, length: number, inner: number,
  exclusive: boolean, reverse: boolean): void {
  kernels.scan(x.ptr, out.ptr, outer, length, inner, +(op === 'prod'), +(x.dtype !== 'float32'), +exclusive, +reverse);
}

export function softmaxCrossEntropy(kernels: KernelExports, p: SoftmaxCrossEntropyParams<S>): void {
  kernels.softmax_xent(p.logits.ptr, p.labels.ptr, p.sparse ? 1 : 0, p.loss.ptr,
    p.grad ? p.grad.ptr : 0, p.rows, p.cols, p.gradScale);
}
