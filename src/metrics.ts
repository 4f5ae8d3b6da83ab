/** Metrics; 'accuracy' resolves from the loss and label form, as Keras and TF.js do. */
import type { Tensor } from './tensor.js';
import * as ops from './ops/index.js';
import type { Loss } from './losses.js';
import { sparseLabels } from './losses.js';

export interface Metric {
  /** The key in fit/evaluate logs ('acc' for 'accuracy', as TF.js keys it). */
  key: string;
  /** Batch mean of the metric; yPred are logits when `fromLogits`. */
  compute(yTrue: Tensor, yPred: Tensor, fromLogits: boolean): Tensor;
}

const fractionTrue = (t: Tensor): Tensor => ops.mean(t.dtype === 'float32' ? t : ops.cast(t, 'float32'));

export const metrics = {
  categoricalAccuracy: (yTrue: Tensor, yPred: Tensor): Tensor =>
    fractionTrue(ops.equal(ops.argMax(yTrue, -1), ops.argMax(yPred, -1))),
  sparseCategoricalAccuracy: (yTrue: Tensor, yPred: Tensor): Tensor =>
    fractionTrue(ops.equal(sparseLabels(yTrue), ops.argMax(yPred, -1))),
  /** Threshold 0.5: a prediction is right when |y - p| < 0.5. */
  binaryAccuracy: (yTrue: Tensor, yPred: Tensor): Tensor =>
    fractionTrue(ops.less(ops.abs(ops.sub(yTrue, ops.reshape(yPred, yTrue.shape))), 0.5)),
};

function forLogits(f: (yTrue: Tensor, yPred: Tensor) => Tensor, squash: (x: Tensor) => Tensor) {
  return (yTrue: Tensor, yPred: Tensor, fromLogits: boolean) => f(yTrue, fromLogits ? squash(yPred) : yPred);
}

export function resolveMetric(id: unknown, loss: Loss): Metric {
  if (id === 'accuracy' || id === 'acc') {
    switch (loss.name) {
      case 'categoricalCrossentropy': return { key: 'acc', compute: (t, p) => metrics.categoricalAccuracy(t, p) };
      case 'sparseCategoricalCrossentropy': return { key: 'acc', compute: (t, p) => metrics.sparseCategoricalAccuracy(t, p) };
      default: return { key: 'acc', compute: forLogits(metrics.binaryAccuracy, ops.sigmoid) };
    }
  }
  if (id === 'categoricalAccuracy') return { key: 'categoricalAccuracy', compute: (t, p) => metrics.categoricalAccuracy(t, p) };
  if (id === 'sparseCategoricalAccuracy') return { key: 'sparseCategoricalAccuracy', compute: (t, p) => metrics.sparseCategoricalAccuracy(t, p) };
  if (id === 'binaryAccuracy') return { key: 'binaryAccuracy', compute: forLogits(metrics.binaryAccuracy, ops.sigmoid) };
  throw new Error(`compile: unknown metric ${JSON.stringify(id)}; expected 'accuracy', 'categoricalAccuracy', ` +
    "'sparseCategoricalAccuracy' or 'binaryAccuracy'");
}
