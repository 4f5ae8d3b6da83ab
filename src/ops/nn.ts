/** Neural-network ops: softmax, the fused softmax cross-entropy, dropout. */
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { checkFloat, checkTensor, describe, produce, resolveAxis, storageOf } from './util.js';
import { mul, sub } from './arithmetic.js';
import { sum } from './reduce.js';
import { Random, tensor } from './creation.js';

/** Softmax over the last axis (max subtracted). */
export function softmax(logits: Tensor, axis = -1): Tensor {
  checkTensor('softmax', 'logits', logits);
  checkFloat('softmax', 'logits', logits);
  if (logits.rank === 0) throw new Error('softmax: logits must have rank >= 1; received a scalar');
  if (resolveAxis('softmax', axis, logits.rank) !== logits.rank - 1) {
    throw new Error(`softmax: only the last axis is supported; received axis ${axis} for ${describe(logits)}`);
  }
  const cols = logits.shape[logits.rank - 1];
  const rows = logits.size / Math.max(cols, 1);
  const y = produce(logits.shape, 'float32', (out) => ENGINE.backend.softmax(storageOf(logits, 'softmax'), out, rows, cols));
  ENGINE.record([logits], y, (dy) => [mul(y, sub(dy, sum(mul(dy, y), -1, true)))]);
  return y;
}

/**
 * Mean over rows of softmax cross-entropy, from logits, in one fused kernel that also
 * writes the gradient (softmax - labels) / rows when a gradient is being recorded.
 * labels: float32 one-hot (or probability) rows of the logits' shape, or int32 class
 * indices of shape [rows] when `sparse`.
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor, sparse: boolean): Tensor {
  const op = 'softmaxCrossEntropy';
  checkTensor(op, 'logits', logits);
  checkTensor(op, 'labels', labels);
  checkFloat(op, 'logits', logits);
  if (logits.rank !== 2) throw new Error(`${op}: logits must be [batch, classes]; received ${describe(logits)}`);
  const [rows, cols] = logits.shape;
  if (sparse) {
    if (labels.dtype !== 'int32' || labels.size !== rows) {
      throw new Error(`${op}: sparse labels must be int32 class indices of shape [${rows}]; received ${describe(labels)}`);
    }
    if (labels.ref.backend.syncReadable) {
      const values = labels.dataSync();
      for (let i = 0; i < values.length; i++) {
        if (values[i] < 0 || values[i] >= cols) {
          throw new Error(`${op}: label ${values[i]} at row ${i} is outside [0, ${cols})`);
        }
      }
    }
  } else if (labels.dtype !== 'float32' || labels.shape.join() !== logits.shape.join()) {
    throw new Error(`${op}: labels must be float32 of the logits' shape [${logits.shape}]; received ${describe(labels)}`);
  }
  const backend = ENGINE.backend;
  const recording = ENGINE.recording;
  const perRow = backend.alloc(rows, 'float32');
  const grad = recording ? produce(logits.shape, 'float32', () => undefined) : null;
  try {
    backend.softmaxCrossEntropy({
      logits: storageOf(logits, op), labels: storageOf(labels, op), sparse, loss: perRow,
      grad: grad ? storageOf(grad, op) : null, rows, cols, gradScale: 1 / rows,
    });
  } catch (error) {
    backend.free(perRow);
    grad?.dispose();
    throw error;
  }
  const loss = produce([], 'float32', (out) => backend.reduce('sum', perRow, out, 1, rows, 1));
  backend.free(perRow);
  // Mean: scale the sum in place through a second tiny kernel.
  const mean = produce([], 'float32', (out) => backend.affine(storageOf(loss, op), out, 1, 1 / rows, 0));
  loss.dispose();
  if (grad) ENGINE.record([logits], mean, (dy) => [mul(grad, dy)]);
  return mean;
}

/** Inverted dropout: zero a `rate` fraction, scale the rest by 1 / (1 - rate). */
export function dropout(x: Tensor, rate: number, seed?: number): Tensor {
  checkTensor('dropout', 'x', x);
  if (!(rate >= 0 && rate < 1)) throw new Error(`dropout: rate must be in [0, 1); received ${rate}`);
  if (rate === 0) return x;
  const rng = new Random(seed);
  const scale = 1 / (1 - rate);
  const mask = new Float32Array(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.next() >= rate ? scale : 0;
  const keep = tensor(mask, x.shape);
  const y = mul(x, keep);
  if (!ENGINE.recording) keep.dispose(); // the tape's gradient reads the mask
  return y;
}
