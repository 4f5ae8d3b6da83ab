/**
 * Row softmax of a rows x cols row-major matrix, in three passes per row:
 *   1. m = max_j x_j (a NaN anywhere in the row makes m NaN);
 *   2. out_j = e^(x_j - m) with the vectorized expv of math.ts (max relative error ~1 ulp,
 *      see there), s = sum_j out_j in four f32x4 partial sums;
 *   3. out_j /= s (a true division, not a reciprocal multiply: 0.5 ulp).
 * Subtracting the max makes rows of +-1e4 logits exact: every exponent is <= 0 and the
 * largest term is exactly 1, so s is in [1, cols].
 * Edge rows, as the reference computes them: a row with a NaN is all NaN; a row of all
 * -Infinity is all NaN (-Inf - -Inf); a row containing +Infinity is all NaN. Terms far below
 * the max underflow to 0 (gradually, never NaN). out may alias x.
 */
import { addToF64, expv, hmax, hsum64, SUM_BLOCK } from './math';

/**
 * max over `count` contiguous floats; NaN-propagating; -Infinity for count 0. pmax plus a
 * NaN-lane mask is much cheaper in V8 than f32x4.max (see reduce.ts).
 */
// @ts-ignore: decorator
@inline export function rowMax(x: usize, count: i32): f32 {
  let acc0 = f32x4.splat(-Infinity);
  let acc1 = acc0;
  let nan = i32x4.splat(0);
  const end = x + (<usize>count << 2);
  const end8 = x + (<usize>(count & ~7) << 2);
  const end4 = x + (<usize>(count & ~3) << 2);
  for (; x < end8; x += 32) {
    const v0 = v128.load(x);
    const v1 = v128.load(x, 16);
    acc0 = f32x4.pmax(acc0, v0);
    acc1 = f32x4.pmax(acc1, v1);
    nan = v128.or(nan, v128.or(f32x4.ne(v0, v0), f32x4.ne(v1, v1)));
  }
  if (x < end4) {
    const v = v128.load(x);
    acc0 = f32x4.pmax(acc0, v);
    nan = v128.or(nan, f32x4.ne(v, v));
    x += 16;
  }
  let result: f32 = v128.any_true(nan) ? NaN : hmax(f32x4.pmax(acc0, acc1));
  for (; x < end; x += 4) result = max<f32>(result, load<f32>(x));
  return result;
}

/**
 * out_j = e^(x_j - shift) over `count` floats; returns the sum of the out_j (f32x4 partial
 * sums per block of SUM_BLOCK terms, added in f64: see math.ts). One vector per iteration: expv's chains are long but independent across
 * iterations, so the core overlaps them without unrolling (and the module stays small).
 */
// @ts-ignore: decorator
@inline export function expShiftSum(x: usize, out: usize, count: i32, shift: f32): f32 {
  const s = f32x4.splat(shift);
  let total = f64x2.splat(0);
  const vectorEnd = <usize>(count & ~3) << 2;
  const end = <usize>count << 2;
  let i: usize = 0;
  while (i < vectorEnd) {
    const blockEnd = min(vectorEnd, i + (<usize>SUM_BLOCK << 2));
    let sum = f32x4.splat(0.0);
    for (; i < blockEnd; i += 16) {
      const e = expv(f32x4.sub(v128.load(x + i), s));
      if (out != 0) v128.store(out + i, e);
      sum = f32x4.add(sum, e);
    }
    total = addToF64(total, sum);
  }
  let result = hsum64(total);
  for (; i < end; i += 4) {
    const e = expv(f32x4.sub(v128.load32_zero(x + i), s));
    if (out != 0) v128.store32_lane(out + i, e, 0);
    result += <f64>f32x4.extract_lane(e, 0);
  }
  return <f32>result;
}

/** x[j] /= divisor over `count` floats, in place. */
// @ts-ignore: decorator
@inline function divideInPlace(x: usize, count: i32, divisor: f32): void {
  const d = f32x4.splat(divisor);
  const vectorEnd = x + (<usize>(count & ~3) << 2);
  const end = x + (<usize>count << 2);
  for (; x < vectorEnd; x += 16) v128.store(x, f32x4.div(v128.load(x), d));
  for (; x < end; x += 4) store<f32>(x, load<f32>(x) / divisor);
}

/** out[r, :] = softmax(x[r, :]) for each of `rows` rows of `cols` floats. */
export function softmax(x: usize, out: usize, rows: i32, cols: i32): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++, x += rowBytes, out += rowBytes) {
    const m = rowMax(x, cols);
    const sum = expShiftSum(x, out, cols, m);
    divideInPlace(out, cols, sum);
  }
}
