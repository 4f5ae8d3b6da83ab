/** Reductions over the middle axis of [outer, length, inner] (backend.ts `reduce`, `argMax`). */
import type { ReduceOp, TypedArray } from '../backend.js';

/** NaN propagates for every op (Math.max / Math.min keep it). */
export function reduceArrays(op: ReduceOp, x: TypedArray, out: TypedArray, outer: number, length: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = op === 'sum' ? 0 : op === 'max' ? -Infinity : Infinity;
      for (let l = 0; l < length; l++) {
        const v = x[(o * length + l) * inner + i];
        if (op === 'sum') acc += v;
        else if (op === 'max') acc = Math.max(acc, v);
        else acc = Math.min(acc, v);
      }
      out[o * inner + i] = acc;
    }
  }
}

/**
 * The first index of the max (of the min with `min`); a NaN counts as the extreme, so the
 * first NaN wins (NumPy's and PyTorch's rule; see src/ops/reduce/reduce.ts on TF.js's).
 */
export function argMaxArrays(x: TypedArray, out: TypedArray, outer: number, length: number, inner: number, min = false): void {
  const sign = min ? -1 : 1;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = 0;
      let bestValue = sign * x[o * length * inner + i];
      for (let l = 1; l < length && !Number.isNaN(bestValue); l++) {
        const v = sign * x[(o * length + l) * inner + i];
        if (v > bestValue || Number.isNaN(v)) { best = l; bestValue = v; }
      }
      out[o * inner + i] = best;
    }
  }
}
