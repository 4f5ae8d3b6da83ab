/** Row softmax and the fused softmax cross-entropy (backend.ts `softmax`, `softmaxCrossEntropy`). */
import type { SoftmaxCrossEntropyParams, TypedArray } from '../backend.js';

/** A row's max and sum of exp(x - max): the stable softmax's two reductions. */
function rowMaxAndExpSum(x: TypedArray, base: number, cols: number): { max: number; sum: number } {
  let max = -Infinity;
  for (let j = 0; j < cols; j++) max = Math.max(max, x[base + j]);
  let sum = 0;
  for (let j = 0; j < cols; j++) sum += Math.exp(x[base + j] - max);
  return { max, sum };
}

export function softmaxArrays(x: TypedArray, out: TypedArray, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const { max, sum } = rowMaxAndExpSum(x, base, cols);
    for (let j = 0; j < cols; j++) out[base + j] = Math.exp(x[base + j] - max) / sum;
  }
}

export function softmaxCrossEntropyArrays(p: SoftmaxCrossEntropyParams<{ readonly values: TypedArray }>): void {
  const { rows, cols } = p;
  const x = p.logits.values, y = p.labels.values, loss = p.loss.values, grad = p.grad?.values;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const { max, sum } = rowMaxAndExpSum(x, base, cols);
    const logSumExp = max + Math.log(sum);
    let dot = 0;
    if (p.sparse) dot = x[base + y[r]];
    else for (let j = 0; j < cols; j++) dot += y[base + j] * x[base + j];
    // Labels are one-hot or probability rows summing to 1, as the contract says.
    loss[r] = logSumExp - dot;
    if (grad) {
      for (let j = 0; j < cols; j++) {
        const target = p.sparse ? (y[r] === j ? 1 : 0) : y[base + j];
        grad[base + j] = (Math.exp(x[base + j] - max) / sum - target) * p.gradScale;
      }
    }
  }
}
