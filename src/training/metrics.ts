/**
 * tf.metrics as TF.js has them: (yTrue, yPred) -> a value per example (the mean over the
 * last axis) where TF.js gives one, a scalar for precision, recall and r2Score. compile()
 * resolves metric names (and 'accuracy' from the loss and label form, as Keras does) to the
 * batch mean of these.
 */
import { ENGINE } from '../core/engine.js';
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import type { Loss } from './losses.js';
import { checkTensor } from '../ops/util.js';
import { hasOwnName } from '../core/lookup.js';

const EPSILON = 1e-7;
type MetricFn = (yTrue: Tensor, yPred: Tensor) => Tensor;

function checked(name: string, f: MetricFn): MetricFn {
  return (yTrue, yPred) => {
    checkTensor(name, 'yTrue', yTrue);
    checkTensor(name, 'yPred', yPred);
    return ENGINE.tidy(() => f(yTrue, yPred));
  };
}

function countWhere(yTrue: Tensor, yPred: Tensor, t: number, p: number): Tensor {
  return ops.cast(ops.sum(ops.logicalAnd(ops.equal(yTrue, t), ops.equal(yPred, p))), 'float32');
}

/** tp / (tp + other), or 0 when nothing counts. */
function ratio(tp: Tensor, other: Tensor): Tensor {
  const denominator = ops.add(tp, other);
  return ops.where(ops.greater(denominator, 0), ops.div(tp, denominator), ops.zerosLike(denominator));
}

function l2Normalize(x: Tensor): Tensor {
  return ops.div(x, ops.sqrt(ops.maximum(ops.sum(ops.square(x), -1, true), EPSILON)));
}

/** Keras's binary crossentropy of probabilities: through logits, per example. */
function binaryCrossentropyOf(yTrue: Tensor, yPred: Tensor): Tensor {
  const p = ops.clipByValue(yPred, EPSILON, 1 - EPSILON);
  const logits = ops.log(ops.div(p, ops.sub(1, p)));
  const terms = ops.add(ops.sub(ops.relu(logits), ops.mul(logits, yTrue)), ops.log1p(ops.exp(ops.neg(ops.abs(logits)))));
  return ops.mean(terms, -1);
}

function categoricalCrossentropyOf(yTrue: Tensor, yPred: Tensor): Tensor {
  const last = yPred.rank - 1;
  const p = ops.clipByValue(ops.div(yPred, ops.sum(yPred, last, true)), EPSILON, 1 - EPSILON);
  return ops.neg(ops.sum(ops.mul(ops.cast(yTrue, 'float32'), ops.log(p)), last));
}

/** The mean squared error along the last axis, per example (tf.metrics.meanSquaredError; also MSE and mse). */
const meanSquaredError = checked('meanSquaredError', (t, p) => ops.mean(ops.square(ops.sub(p, t)), -1));
/** The mean absolute error along the last axis, per example (tf.metrics.meanAbsoluteError; also MAE and mae). */
const meanAbsoluteError = checked('meanAbsoluteError', (t, p) => ops.mean(ops.abs(ops.sub(p, t)), -1));
/**
 * 100 × the mean of |yTrue - yPred| / |yTrue| along the last axis, |yTrue| clipped below at epsilon, per
 * example (tf.metrics.meanAbsolutePercentageError; also MAPE and mape).
 */
const meanAbsolutePercentageError = checked('meanAbsolutePercentageError', (t, p) =>
  ops.mul(100, ops.mean(ops.abs(ops.div(ops.sub(t, p), ops.clipByValue(ops.abs(t), EPSILON, Number.MAX_VALUE))), -1)));

/**
 * The metric functions (tf.metrics), each taking (yTrue, yPred) and returning a tensor; compile's `metrics`
 * takes them by name or as functions.
 */
export const metrics = {
  /** 1 where yPred > 0.5 matches yTrue, averaged over the last axis. */
  binaryAccuracy: checked('binaryAccuracy', (t, p) =>
    ops.mean(ops.cast(ops.equal(t, ops.cast(ops.greater(p, 0.5), t.dtype)), 'float32'), -1)),
  /**
   * 1 where the predicted class (argmax) matches the one-hot label's, 0 elsewhere, per example
   * (tf.metrics.categoricalAccuracy).
   */
  categoricalAccuracy: checked('categoricalAccuracy', (t, p) =>
    ops.cast(ops.equal(ops.argMax(t, -1), ops.argMax(p, -1)), 'float32')),
  /** Labels as class indices ([batch] or [batch, 1]), predictions as scores per class. */
  sparseCategoricalAccuracy: checked('sparseCategoricalAccuracy', (t, p) => {
    const labels = t.rank === p.rank ? ops.squeeze(t, [t.rank - 1]) : t;
    const predicted = ops.argMax(p, -1);
    return ops.cast(ops.equal(labels, predicted.dtype === labels.dtype ? predicted : ops.cast(predicted, labels.dtype)), 'float32');
  }),
  /** Of the predictions equal to 1, the fraction whose label is 1 (0 when none): a scalar. */
  precision: checked('precision', (t, p) => ratio(countWhere(t, p, 1, 1), countWhere(t, p, 0, 1))),
  /** Of the labels equal to 1, the fraction predicted 1 (0 when none): a scalar. */
  recall: checked('recall', (t, p) => ratio(countWhere(t, p, 1, 1), countWhere(t, p, 1, 0))),
  /** 1 - residual sum of squares / total sum of squares, over all elements: a scalar. */
  r2Score: checked('r2Score', (t, p) =>
    ops.sub(1, ops.div(ops.sum(ops.square(ops.sub(t, p))), ops.sum(ops.square(ops.sub(t, ops.mean(t))))))),
  /** -(cosine similarity) along the last axis. */
  cosineProximity: checked('cosineProximity', (t, p) => ops.neg(ops.sum(ops.mul(l2Normalize(t), l2Normalize(p)), -1))),
  /** The binary cross-entropy as a metric, averaged over the last axis (tf.metrics.binaryCrossentropy). */
  binaryCrossentropy: checked('binaryCrossentropy', binaryCrossentropyOf),
  /** The categorical cross-entropy as a metric, per example (tf.metrics.categoricalCrossentropy). */
  categoricalCrossentropy: checked('categoricalCrossentropy', categoricalCrossentropyOf),
  /** The cross-entropy of integer labels as a metric, per example (tf.metrics.sparseCategoricalCrossentropy). */
  sparseCategoricalCrossentropy: checked('sparseCategoricalCrossentropy', (t, p) => {
    const depth = p.shape[p.rank - 1];
    const labels = ops.cast(ops.floor(ops.reshape(t, [t.size])), 'int32');
    const clipped = ops.clipByValue(p, EPSILON, 1 - EPSILON);
    return categoricalCrossentropyOf(ops.reshape(ops.oneHot(labels, depth, 1, 0, 'float32'), clipped.shape), clipped);
  }),
  meanSquaredError, MSE: meanSquaredError, mse: meanSquaredError,
  meanAbsoluteError, MAE: meanAbsoluteError, mae: meanAbsoluteError,
  meanAbsolutePercentageError, MAPE: meanAbsolutePercentageError, mape: meanAbsolutePercentageError,
};

export interface Metric {
  /** The key in fit/evaluate logs ('acc' for 'accuracy', as TF.js keys it; else the name given). */
  key: string;
  /** Batch mean of the metric; yPred are logits when `fromLogits`. */
  compute(yTrue: Tensor, yPred: Tensor, fromLogits: boolean): Tensor;
}

function batchMean(f: MetricFn, squash?: (x: Tensor) => Tensor) {
  return (yTrue: Tensor, yPred: Tensor, fromLogits: boolean): Tensor => ENGINE.tidy(() => {
    const value = f(yTrue, fromLogits && squash ? squash(yPred) : yPred);
    return value.rank === 0 ? value : ops.mean(value);
  });
}

/** Keras's sparse labels are [batch] or [batch, 1] class indices; accuracy wants them as [batch]. */
function sparseAccuracy(yTrue: Tensor, yPred: Tensor): Tensor {
  const labels = yTrue.rank === 2 && yTrue.shape[1] === 1 ? ops.reshape(yTrue, [yTrue.shape[0]]) : yTrue;
  return metrics.sparseCategoricalAccuracy(labels, yPred);
}

const softmaxLast = (x: Tensor) => ops.softmax(x);

/** Labels [batch] against outputs [batch, 1] (or the reverse) compare element by element, not broadcast. */
function aligned(f: MetricFn): MetricFn {
  return (yTrue, yPred) => f(yTrue, yPred.size === yTrue.size && yPred.rank !== yTrue.rank ? ops.reshape(yPred, yTrue.shape) : yPred);
}

/** What compile() does with a metric name or function. */
export function resolveMetric(id: unknown, loss: Loss): Metric {
  if (typeof id === 'function') {
    const name = (id as { name?: string }).name || 'metric';
    return { key: name, compute: batchMean(id as MetricFn) };
  }
  if (id === 'accuracy' || id === 'acc') {
    switch (loss.name) {
      case 'categoricalCrossentropy': return { key: 'acc', compute: batchMean(metrics.categoricalAccuracy) };
      case 'sparseCategoricalCrossentropy': return { key: 'acc', compute: batchMean(sparseAccuracy) };
      default: return { key: 'acc', compute: batchMean(aligned(metrics.binaryAccuracy), ops.sigmoid) };
    }
  }
  if (id === 'sparseCategoricalAccuracy') return { key: id, compute: batchMean(sparseAccuracy) };
  if (id === 'binaryAccuracy' || id === 'binaryCrossentropy' || id === 'precision' || id === 'recall') {
    return { key: id, compute: batchMean(aligned(metrics[id]), ops.sigmoid) };
  }
  if (id === 'categoricalCrossentropy' || id === 'sparseCategoricalCrossentropy') {
    return { key: id, compute: batchMean(metrics[id], softmaxLast) };
  }
  if (id === 'cosine') return { key: id, compute: batchMean(metrics.cosineProximity) };
  if (hasOwnName(metrics, id)) {
    return { key: id, compute: batchMean(metrics[id as keyof typeof metrics]) };
  }
  throw new Error(`compile: unknown metric ${JSON.stringify(id)}; expected 'accuracy', a function, or one of ` +
    `${[...Object.keys(metrics), 'cosine'].map((n) => `'${n}'`).join(', ')}`);
}
