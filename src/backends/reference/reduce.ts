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

/** The first index of the max; a NaN counts as the max. */
export function argMaxArrays(x: TypedArray, out: TypedArray, outer: number, length: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = 0;
      let bestValue = x[o * length * inner + i];
      for (let l = 1; l < length && !Number.isNaN(bestValue); l++) {
        const v = x[(o * length + l) * inner + i];
        if (v > bestValue || Number.isNaN(v)) { best = l; bestValue = v; }
      }
      out[o * inner + i] = best;
    }
  }
}
