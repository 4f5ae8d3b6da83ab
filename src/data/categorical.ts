/**
 * utils.toCategorical on every backend: labels that can be read synchronously are checked
 * and encoded on the CPU; labels on an async backend (webgpu) are one-hot encoded there,
 * which needs numClasses (the largest label cannot be read without waiting).
 */
import { ENGINE } from '../core/engine.js';
import { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { toCategorical as toCategoricalValues } from './preprocessing.js';

export function toCategoricalTensor(labels: Tensor | ArrayLike<number>, numClasses?: number): Tensor {
  if (labels instanceof Tensor && !labels.ref.backend.syncReadable) {
    labels.assertAlive('toCategorical');
    if (numClasses === undefined) {
      throw new Error(`toCategorical: labels tensor ${labels.id} lives on the '${labels.ref.backend.name}' backend, whose ` +
        'data cannot be read synchronously; pass numClasses, or the labels as an array');
    }
    if (!Number.isInteger(numClasses) || numClasses < 1) {
      throw new Error(`toCategorical: expected numClasses to be a positive integer. Received: numClasses=${numClasses}`);
    }
    return ENGINE.tidy(() => ops.oneHot(ops.cast(ops.reshape(labels, [-1]), 'int32'), numClasses, 1, 0, 'float32'));
  }
  const values = labels instanceof Tensor ? labels.dataSync() : labels;
  const { values: onehot, shape } = toCategoricalValues(values, numClasses);
  return ops.tensor(onehot, shape);
}
