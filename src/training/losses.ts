/**
 * Losses (TF.js / Keras names). Each takes (yTrue, yPred) and returns the batch mean.
 * The crossentropies check the label form first and say which loss or label form to use.
 */
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { softmaxCrossEntropy as softmaxCrossEntropyMean } from '../ops/nn.js';
import { describe } from '../ops/util.js';
import {
  absoluteDifference, computeWeightedLoss, cosineDistance, hingeLoss, huberLoss, logLoss, meanSquaredError,
  sigmoidCrossEntropy, softmaxCrossEntropy,
} from '../ops/losses.js';
import { ownEntry } from '../core/lookup.js';

export { Reduction } from '../ops/losses.js';

export type LossName = 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy' | 'binaryCrossentropy' | 'meanSquaredError';
export interface LossOptions { fromLogits?: boolean }
export const EPSILON = 1e-7;

export interface Loss {
  name: LossName;
  fromLogits: boolean;
  /** (yTrue, yPred) -> scalar mean loss. With fromLogits, yPred are logits. */
  compute(yTrue: Tensor, yPred: Tensor): Tensor;
  /** Throw when the labels cannot be meant for this loss, naming the fix. */
  checkLabels(yTrue: Tensor, outputShape: (number | null)[]): void;
}

/** Sparse labels as int32 [batch] (accepts [batch, 1] and float class indices). */
export function sparseLabels(yTrue: Tensor): Tensor {
  const flat = yTrue.rank === 2 && yTrue.shape[1] === 1 ? ops.reshape(yTrue, [yTrue.shape[0]]) : yTrue;
  return flat.dtype === 'int32' ? flat : ops.cast(flat, 'int32');
}

function labelsLookSparse(yTrue: Tensor, classes: number | null): boolean {
  return yTrue.rank === 1 || (yTrue.rank === 2 && yTrue.shape[1] === 1 && classes !== 1);
}

const categorical: (fromLogits: boolean) => Loss = (fromLogits) => ({
  name: 'categoricalCrossentropy', fromLogits,
  compute(labels, yPred) {
    // One-hot labels may be int32 (tf.oneHot's default dtype), as TF.js takes them.
    const yTrue = labels.dtype === 'float32' ? labels : ops.cast(labels, 'float32');
    if (fromLogits) return softmaxCrossEntropyMean(yPred, yTrue, false);
    // Probabilities: renormalize, clip, -sum(y log p), as Keras does.
    const p = ops.clipByValue(ops.div(yPred, ops.sum(yPred, -1, true)), EPSILON, 1 - EPSILON);
    return ops.neg(ops.mean(ops.sum(ops.mul(yTrue, ops.log(p)), -1)));
  },
  checkLabels(yTrue, outputShape) {
    const classes = outputShape[outputShape.length - 1];
    if (labelsLookSparse(yTrue, classes)) {
      throw new Error(`categoricalCrossentropy expects one-hot labels of shape [batch, ${classes}]; received ` +
        `${describe(yTrue)}, which look like integer class labels. Use loss: 'sparseCategoricalCrossentropy', ` +
        `or one-hot encode them with sora.oneHot / sora.utils.toCategorical`);
    }
    if (yTrue.shape[yTrue.rank - 1] !== classes) {
      throw new Error(`categoricalCrossentropy: labels ${describe(yTrue)} do not match the model output ` +
        `[${outputShape.map((d) => d ?? 'null')}]`);
    }
  },
});

const sparseCategorical: (fromLogits: boolean) => Loss = (fromLogits) => ({
  name: 'sparseCategoricalCrossentropy', fromLogits,
  compute(yTrue, yPred) {
    const labels = sparseLabels(yTrue);
    if (fromLogits) return softmaxCrossEntropyMean(yPred, labels, true);
    const depth = yPred.shape[yPred.rank - 1];
    const p = ops.clipByValue(ops.div(yPred, ops.sum(yPred, -1, true)), EPSILON, 1 - EPSILON);
    return ops.neg(ops.mean(ops.sum(ops.mul(ops.oneHot(labels, depth, 1, 0, 'float32'), ops.log(p)), -1)));
  },
  checkLabels(yTrue, outputShape) {
    const classes = outputShape[outputShape.length - 1];
    if (!labelsLookSparse(yTrue, classes)) {
      throw new Error(`sparseCategoricalCrossentropy expects integer class labels of shape [batch] or [batch, 1]; ` +
        `received ${describe(yTrue)}, which look one-hot. Use loss: 'categoricalCrossentropy', or pass ` +
        'the class indices (labels.argMax(-1))');
    }
  },
});

const binary: (fromLogits: boolean) => Loss = (fromLogits) => ({
  name: 'binaryCrossentropy', fromLogits,
  compute(yTrue, yPred) {
    if (fromLogits) {
      // max(x, 0) - x*y + log(1 + exp(-|x|)): stable for large |x|.
      const x = yPred;
      return ops.mean(ops.add(ops.sub(ops.relu(x), ops.mul(x, yTrue)), ops.log(ops.add(ops.exp(ops.neg(ops.abs(x))), 1))));
    }
    const p = ops.clipByValue(yPred, EPSILON, 1 - EPSILON);
    const terms = ops.add(ops.mul(yTrue, ops.log(p)), ops.mul(ops.sub(1, yTrue), ops.log(ops.sub(1, p))));
    return ops.neg(ops.mean(terms));
  },
  checkLabels(yTrue, outputShape) {
    const outSize = outputShape.slice(1).reduce<number>((a, b) => a * (b ?? 1), 1);
    if (yTrue.size / Math.max(yTrue.shape[0] ?? 1, 1) !== outSize) {
      throw new Error(`binaryCrossentropy: labels ${describe(yTrue)} do not match the model output ` +
        `[${outputShape.map((d) => d ?? 'null')}]`);
    }
  },
});

const meanSquared: Loss = {
  name: 'meanSquaredError', fromLogits: false,
  compute: (yTrue, yPred) => ops.mean(ops.squaredDifference(yPred, yTrue)),
  checkLabels(yTrue, outputShape) {
    const outSize = outputShape.slice(1).reduce<number>((a, b) => a * (b ?? 1), 1);
    if (yTrue.size / Math.max(yTrue.shape[0] ?? 1, 1) !== outSize) {
      throw new Error(`meanSquaredError: labels ${describe(yTrue)} do not match the model output ` +
        `[${outputShape.map((d) => d ?? 'null')}]`);
    }
  },
};

const ALIASES: Record<string, LossName> = {
  categoricalCrossentropy: 'categoricalCrossentropy', categorical_crossentropy: 'categoricalCrossentropy',
  sparseCategoricalCrossentropy: 'sparseCategoricalCrossentropy', sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  binaryCrossentropy: 'binaryCrossentropy', binary_crossentropy: 'binaryCrossentropy',
  meanSquaredError: 'meanSquaredError', mean_squared_error: 'meanSquaredError', mse: 'meanSquaredError',
};

export function getLoss(id: unknown, options: LossOptions = {}): Loss {
  const name = ownEntry(ALIASES, id) ?? null;
  if (!name) {
    throw new Error(`compile: unknown loss ${JSON.stringify(id)}; expected one of ` +
      "'categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'binaryCrossentropy', 'meanSquaredError'");
  }
  const fromLogits = options.fromLogits ?? false;
  switch (name) {
    case 'categoricalCrossentropy': return categorical(fromLogits);
    case 'sparseCategoricalCrossentropy': return sparseCategorical(fromLogits);
    case 'binaryCrossentropy': return binary(fromLogits);
    case 'meanSquaredError': return meanSquared;
  }
}

/**
 * sora.losses: TF.js's tf.losses (src/losses_core.ts: labels, predictions, weights?, ...,
 * reduction?), plus the Keras crossentropies by name ((yTrue, yPred) -> batch mean).
 */
export const losses = {
  absoluteDifference, computeWeightedLoss, cosineDistance, hingeLoss, huberLoss, logLoss, meanSquaredError,
  sigmoidCrossEntropy, softmaxCrossEntropy,
  /**
   * Cross-entropy between one-hot labels and predicted probabilities along the last axis, per example
   * (Keras's categorical_crossentropy, the loss compile's 'categoricalCrossentropy' uses).
   */
  categoricalCrossentropy: (yTrue: Tensor, yPred: Tensor) => categorical(false).compute(yTrue, yPred),
  /**
   * Cross-entropy between integer class labels and predicted probabilities, per example (the loss compile's
   * 'sparseCategoricalCrossentropy' uses).
   */
  sparseCategoricalCrossentropy: (yTrue: Tensor, yPred: Tensor) => sparseCategorical(false).compute(yTrue, yPred),
  /**
   * Cross-entropy between 0/1 labels and predicted probabilities, averaged over the last axis (the loss
   * compile's 'binaryCrossentropy' uses).
   */
  binaryCrossentropy: (yTrue: Tensor, yPred: Tensor) => binary(false).compute(yTrue, yPred),
};
