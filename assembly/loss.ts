/**
 * Fused softmax cross-entropy over rows x cols logits, three passes per row:
 *   1. m = max_j x_j;
 *   2. e_j = e^(x_j - m) (kept in grad when there is one, so pass 3 computes no exp),
 *      s = sum_j e_j, and for float labels also sum_j y_j and sum_j y_j (x_j - m);
 *   3. grad_j = (e_j / s - y_j) * gradScale.
 * loss[r] = logsumexp(x) - sum_j y_j x_j, evaluated as
 *   log s - sum_j y_j (x_j - m) + m (1 - sum_j y_j),
 * which is the same quantity with the max taken out before anything is rounded: with a
 * one-hot row the last term is exactly 0 and the loss of a confident correct row of +-1e4
 * logits comes out as log s (near 0) instead of the difference of two numbers near 1e4.
 * Sparse labels (int32 class index per row, in range: the host checks) use
 * loss = log s - (x_label - m). A row with a NaN, or all -Infinity, gives NaN loss and grad.
 */
import { addToF64, expv, hsum64, logv, SUM_BLOCK } from './math';
import { expShiftSum, rowMax } from './softmax';

// @ts-ignore: decorator
@inline function logScalar(x: f32): f32 {
  return f32x4.extract_lane(logv(f32x4.splat(x)), 0);
}

/** grad_j = (grad_j / s - y_j) * scale in place, grad_j holding e_j; y 0: no dense labels. */
// @ts-ignore: decorator
@inline function finishGrad(grad: usize, y: usize, cols: i32, s: f32, scale: f32): void {
  const sv = f32x4.splat(s);
  const scaleV = f32x4.splat(scale);
  const vectorEnd = <usize>(cols & ~3) << 2;
  const end = <usize>cols << 2;
  let i: usize = 0;
  for (; i < vectorEnd; i += 16) {
    let p = f32x4.div(v128.load(grad + i), sv);
    if (y != 0) p = f32x4.sub(p, v128.load(y + i));
    v128.store(grad + i, f32x4.mul(p, scaleV));
  }
  for (; i < end; i += 4) {
    let p = load<f32>(grad + i) / s;
    if (y != 0) p -= load<f32>(y + i);
    store<f32>(grad + i, p * scale);
  }
}

/** One row with an int32 label: loss = log s - (x_label - m); grad 0 for none. */
// @ts-ignore: decorator
@inline function sparseRow(x: usize, label: i32, loss: usize, grad: usize, cols: i32, scale: f32): void {
  const m = rowMax(x, cols);
  const target = load<f32>(x + (<usize>label << 2)) - m; // before grad (maybe x) is written
  const s = expShiftSum(x, grad, cols, m); // grad 0: the terms are only summed
  store<f32>(loss, logScalar(s) - target);
  if (grad != 0) {
    const labelAt = grad + (<usize>label << 2);
    const labelProbability = load<f32>(labelAt) / s;
    finishGrad(grad, 0, cols, s, scale);
    store<f32>(labelAt, (labelProbability - 1.0) * scale);
  }
}

/** One row with float labels y; grad 0 for none. */
// @ts-ignore: decorator
@inline function denseRow(x: usize, y: usize, loss: usize, grad: usize, cols: i32, scale: f32): void {
  const m = rowMax(x, cols);
  const shift = f32x4.splat(m);
  // The three sums in f32x4 per block of SUM_BLOCK columns, added in f64 (see math.ts).
  let sum64 = f64x2.splat(0);
  let ySum64 = sum64;
  let yDot64 = sum64;
  const vectorEnd = <usize>(cols & ~3) << 2;
  const end = <usize>cols << 2;
  let i: usize = 0;
  while (i < vectorEnd) {
    const blockEnd = min(vectorEnd, i + (<usize>SUM_BLOCK << 2));
    let sum = f32x4.splat(0.0);
    let ySum = sum;
    let yDot = sum;
    for (; i < blockEnd; i += 16) {
      const d = f32x4.sub(v128.load(x + i), shift);
      const yv = v128.load(y + i);
      const e = expv(d);
      if (grad != 0) v128.store(grad + i, e);
      sum = f32x4.add(sum, e);
      ySum = f32x4.add(ySum, yv);
      yDot = f32x4.add(yDot, f32x4.mul(yv, d));
    }
    sum64 = addToF64(sum64, sum);
    ySum64 = addToF64(ySum64, ySum);
    yDot64 = addToF64(yDot64, yDot);
  }
  let s = hsum64(sum64);
  let sy = hsum64(ySum64);
  let syd = hsum64(yDot64);
  for (; i < end; i += 4) {
    const d = f32x4.sub(v128.load32_zero(x + i), shift);
    const e = expv(d);
    if (grad != 0) v128.store32_lane(grad + i, e, 0);
    const yj = load<f32>(y + i);
    s += <f64>f32x4.extract_lane(e, 0);
    sy += <f64>yj;
    syd += <f64>(yj * f32x4.extract_lane(d, 0));
  }
  store<f32>(loss, (logScalar(<f32>s) - <f32>syd) + m * (1.0 - <f32>sy));
  if (grad != 0) finishGrad(grad, y, cols, <f32>s, scale);
}

/**
 * loss[r] and optionally grad (rows x cols; 0 for none) of softmax cross-entropy. labels are
 * float rows x cols (sparse 0) or one int32 class index per row (sparse 1). grad may alias
 * logits (each row is read in passes 1-2 before pass 3 writes it).
 */
export function softmax_xent(logits: usize, labels: usize, sparse: i32, loss: usize, grad: usize,
  rows: i32, cols: i32, gradScale: f32): void {
  const rowBytes = <usize>cols << 2;
  const gradStep = grad != 0 ? rowBytes : 0;
  if (sparse != 0) {
    for (let r = 0; r < rows; r++, logits += rowBytes, labels += 4, loss += 4, grad += gradStep) {
      sparseRow(logits, load<i32>(labels), loss, grad, cols, gradScale);
    }
  } else {
    for (let r = 0; r < rows; r++, logits += rowBytes, labels += rowBytes, loss += 4, grad += gradStep) {
      denseRow(logits, labels, loss, grad, cols, gradScale);
    }
  }
}
