/**
 * tf.losses as TF.js has them: (labels, predictions, weights?, ..., reduction?), each an
 * elementwise loss reduced by computeWeightedLoss under a Reduction (default
 * SUM_BY_NONZERO_WEIGHTS: the weighted sum over the count of non-zero weights). Written with
 * ops, so they are differentiable; the formulas follow TF.js's so values match it.
 */
import { ENGINE } from '../core/engine.js';
import { Tensor } from '../core/tensor.js';
import * as ops from './index.js';
import type { TensorLike } from './index.js';
import { refuseComplex } from './util.js';

/** How a loss tensor is reduced (TF.js's tf.Reduction, a numeric enum). */
export enum Reduction { NONE = 0, MEAN = 1, SUM = 2, SUM_BY_NONZERO_WEIGHTS = 3 }

type Input = Tensor | TensorLike;

function asTensor(fn: string, arg: string, value: Input): Tensor {
  if (value instanceof Tensor) { value.assertAlive(fn); refuseComplex(fn, arg, value); return value; }
  if (value == null) throw new Error(`${fn}: '${arg}' is required; received ${value}`);
  return ops.tensor(value as TensorLike, undefined, 'float32', fn);
}

function pair(fn: string, labels: Input, predictions: Input, names = ['labels', 'predictions']): [Tensor, Tensor] {
  const a = asTensor(fn, names[0], labels), b = asTensor(fn, names[1], predictions);
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(`${fn}: ${names[0]} shape [${a.shape}] and ${names[1]} shape [${b.shape}] must match`);
  }
  return [a, b];
}

function float(t: Tensor): Tensor { return t.dtype === 'float32' ? t : ops.cast(t, 'float32'); }

/** tf.losses.computeWeightedLoss: `losses` times `weights` (broadcast), reduced by `reduction`. */
export function computeWeightedLoss(losses: Input, weights?: Input | null,
  reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS): Tensor {
  const fn = 'computeWeightedLoss';
  return ENGINE.tidy(() => {
    const l = float(asTensor(fn, 'losses', losses));
    const w = weights == null ? null : float(asTensor(fn, 'weights', weights));
    const weighted = w ? ops.mul(l, w) : l;
    switch (reduction) {
      case Reduction.NONE: return weighted;
      case Reduction.SUM: return ops.sum(weighted);
      case Reduction.MEAN: {
        if (!w) return ops.mean(weighted);
        const result = ops.div(ops.sum(weighted), ops.sum(w));
        const factor = l.size / w.size;
        return factor > 1 ? ops.div(result, factor) : result;
      }
      case Reduction.SUM_BY_NONZERO_WEIGHTS: {
        if (!w) return ops.div(ops.sum(weighted), l.size);
        const nonZero = ops.cast(ops.sum(ops.notEqual(ops.mul(w, ops.ones(l.shape)), 0)), 'float32');
        return ops.div(ops.sum(weighted), nonZero);
      }
      default:
        throw new Error(`${fn}: unknown reduction ${JSON.stringify(reduction)}; expected a tf.Reduction ` +
          '(NONE, MEAN, SUM or SUM_BY_NONZERO_WEIGHTS)');
    }
  });
}

/** Checks the pair, computes the elementwise loss and reduces it, freeing every intermediate. */
function weighted(fn: string, first: Input, second: Input, compute: (y: Tensor, p: Tensor) => Tensor,
  weights: Input | null | undefined, reduction: Reduction, names?: string[]): Tensor {
  return ENGINE.tidy(() => {
    const [y, p] = pair(fn, first, second, names);
    return computeWeightedLoss(compute(float(y), float(p)), weights == null ? null : asTensor(fn, 'weights', weights), reduction);
  });
}

/**
 * The mean absolute difference between labels and predictions (tf.losses.absoluteDifference); weights default
 * to none and reduction to Reduction.SUM_BY_NONZERO_WEIGHTS, as in TF.js.
 */
export function absoluteDifference(labels: Input, predictions: Input, weights?: Input | null,
  reduction = Reduction.SUM_BY_NONZERO_WEIGHTS): Tensor {
  return weighted('absoluteDifference', labels, predictions, (y, p) => ops.abs(ops.sub(y, p)), weights, reduction);
}

/**
 * The mean squared error between labels and predictions (tf.losses.meanSquaredError); weights default to none
 * and reduction to Reduction.SUM_BY_NONZERO_WEIGHTS, as in TF.js.
 */
export function meanSquaredError(labels: Input, predictions: Input, weights?: Input | null,
  reduction = Reduction.SUM_BY_NONZERO_WEIGHTS): Tensor {
  return weighted('meanSquaredError', labels, predictions, (y, p) => ops.squaredDifference(y, p), weights, reduction);
}

/** 1 - sum(labels * predictions) along `axis` (kept): inputs are expected unit-normalised, as in TF.js. */
export function cosineDistance(labels: Input, predictions: Input, axis: number, weights?: Input | null,
  reduction = Reduction.SUM_BY_NONZERO_WEIGHTS): Tensor {
  return weighted('cosineDistance', labels, predictions, (y, p) => {
    if (!Number.isInteger(axis) || axis < -y.rank || axis >= Math.max(y.rank, 1)) {
      throw new Error(`cosineDistance: axis ${axis} is out of range for labels of rank ${y.rank}`);
    }
    return ops.sub(1, ops.sum(ops.mul(y, p), axis, true));
  }, weights, reduction);
}

/** Labels in {0, 1} become {-1, 1}; max(0, 1 - label * prediction). */
export function hingeLoss(labels: Input, predictions: Input, weights?: Input | null,
  reduction = Reduction.SUM_BY_NONZERO_WEIGHTS): Tensor {
  return weighted('hingeLoss', labels, predictions, (y, p) => ops.relu(ops.sub(1, ops.mul(ops.sub(ops.mul(2, y), 1), p))), weights, reduction);
}

/** Quadratic within `delta` of the label, linear beyond. */
export function huberLoss(labels: Input, predictions: Input, weights?: Input | null, delta = 1.0,
  reduction = Reduction.SUM_BY_NONZERO_WEIGHTS): Tensor {
  return weighted('huberLoss', labels, predictions, (y, p) => {
    const error = ops.abs(ops.sub(p, y));
    const quadratic = ops.minimum(error, delta);
    return ops.add(ops.mul(0.5, ops.square(quadratic)), ops.mul(delta, ops.sub(error, quadratic)));
  }, weights, reduction);
}

/** -y log(p + epsilon) - (1 - y) log(1 - p + epsilon). */
export function logLoss(labels: Input, predictions: Input, weights?: Input | null, epsilon = 1e-7,
  reduction = Reduction.SUM_BY_NONZERO_WEIGHTS): Tensor {
  return weighted('logLoss', labels, predictions, (y, p) => ops.sub(
    ops.neg(ops.mul(y, ops.log(ops.add(p, epsilon)))),
    ops.mul(ops.sub(1, y), ops.log(ops.add(ops.sub(1, p), epsilon)))), weights, reduction);
}

/** Sigmoid cross-entropy of logits, stable for large |logits|; labels smoothed toward 0.5. */
export function sigmoidCrossEntropy(multiClassLabels: Input, logits: Input, weights?: Input | null, labelSmoothing = 0,
  reduction = Reduction.SUM_BY_NONZERO_WEIGHTS): Tensor {
  return weighted('sigmoidCrossEntropy', multiClassLabels, logits, (y, x) => {
    const labels = labelSmoothing > 0 ? ops.add(ops.mul(y, 1 - labelSmoothing), 0.5 * labelSmoothing) : y;
    return ops.add(ops.sub(ops.relu(x), ops.mul(x, labels)), ops.log1p(ops.exp(ops.neg(ops.abs(x)))));
  }, weights, reduction, ['multiClassLabels', 'logits']);
}

/**
 * -sum(labels * logSoftmax(logits)) along the last axis, with TF.js's gradient: for the
 * logits dy * (softmax - labels), for the labels dy * (labels - softmax) (both as TF.js
 * computes them, exact for labels that sum to 1).
 */
const softmaxCrossEntropyWithLogits = ops.customGrad((labels, logits, save) => {
  const x = logits as Tensor, y = labels as Tensor;
  const last = x.rank - 1;
  const logProbs = ops.sub(x, ops.logSumExp(x, [last], true));
  (save as (t: Tensor[]) => void)([y, logProbs]);
  return {
    value: ops.sum(ops.neg(ops.mul(logProbs, y)), [last]),
    gradFunc: (dy, [savedLabels, savedLogProbs]) => {
      const upstream = ops.expandDims(dy as Tensor, last);
      const probs = ops.exp(savedLogProbs);
      return [ops.mul(upstream, ops.sub(savedLabels, probs)), ops.mul(upstream, ops.sub(probs, savedLabels))];
    },
  };
});

/** Softmax cross-entropy of logits along the last axis; labels smoothed toward 1 / classes. */
export function softmaxCrossEntropy(onehotLabels: Input, logits: Input, weights?: Input | null, labelSmoothing = 0,
  reduction = Reduction.SUM_BY_NONZERO_WEIGHTS): Tensor {
  return weighted('softmaxCrossEntropy', onehotLabels, logits, (y, x) => {
    if (x.rank < 1) throw new Error(`softmaxCrossEntropy: logits must have rank >= 1; received shape [${x.shape}]`);
    const labels = labelSmoothing > 0 ? ops.add(ops.mul(y, 1 - labelSmoothing), labelSmoothing / y.shape[1]) : y;
    return softmaxCrossEntropyWithLogits(labels, x);
  }, weights, reduction, ['onehotLabels', 'logits']);
}
