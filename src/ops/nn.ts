/** Neural-network ops: softmax and the fused softmax cross-entropy (dropout: dropout.ts). */
import { ENGINE } from '../core/engine.js';
import { Tensor } from '../core/tensor.js';
import { withInputs, type Input } from './inputs.js';
import { add, div, mul, sub } from './math/binary.js';
import { exp } from './math/unary.js';
import { max, sum } from './reduce/reduce.js';
import { register, runOp, run1, spec } from './registry.js';
import { chain, checkFloat, checkTensor, describe, produce, resolveAxis, storageOf } from './util.js';

const SOFTMAX = register<Record<string, never>>({
  name: 'softmax',
  inputs: ['logits'],
  infer([logits]) {
    checkFloat('softmax', 'logits', logits);
    if (logits.rank === 0) throw new Error('softmax: logits must have rank >= 1; received a scalar');
    return spec(logits.shape, 'float32');
  },
  kernel: {
    available: (backend) => backend.softmax !== undefined,
    run: (backend, [logits]) => {
      const cols = logits.shape[logits.rank - 1];
      return [produce(logits.shape, 'float32', (out) => backend.softmax(storageOf(logits, 'softmax'), out,
        logits.size / Math.max(cols, 1), cols))];
    },
  },
  compose: ([logits]) => {
    const e = exp(sub(logits, max(logits, -1, true)));
    return [div(e, sum(e, -1, true))];
  },
  save: { outputs: [0] },
  grad: ([dy], [y]) => [mul(y, sub(dy, sum(mul(dy, y), -1, true)))],
});

/** Softmax over the last axis (max subtracted). */
export function softmax(logits: Input, axis = -1): Tensor {
  if (!(logits instanceof Tensor)) return withInputs('softmax', [['logits', logits, 'float32']], ([t]) => softmax(t, axis));
  checkTensor('softmax', 'logits', logits);
  if (logits.rank > 0 && resolveAxis('softmax', axis, logits.rank) !== logits.rank - 1) {
    throw new Error(`softmax: only the last axis is supported; received axis ${axis} for ${describe(logits)}`);
  }
  return run1(SOFTMAX, [logits], {});
}

/**
 * Mean over rows of softmax cross-entropy from logits, in one fused kernel. While a gradient
 * is recorded it has a second output, the gradient (softmax - labels) / rows, written by
 * the same kernel; the loss's gradient is that output times dy, and the second output's
 * own gradient is written with ops, so second derivatives stay exact.
 */
const SOFTMAX_CROSS_ENTROPY = register<{ sparse: boolean; withGrad: boolean }>({
  name: 'softmaxCrossEntropy',
  inputs: ['logits', 'labels'],
  infer([logits, labels], { sparse, withGrad }) {
    const op = 'softmaxCrossEntropy';
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
          if (values[i] < 0 || values[i] >= cols) throw new Error(`${op}: label ${values[i]} at row ${i} is outside [0, ${cols})`);
        }
      }
    } else if (labels.dtype !== 'float32' || labels.shape.join() !== logits.shape.join()) {
      throw new Error(`${op}: labels must be float32 of the logits' shape [${logits.shape}]; received ${describe(labels)}`);
    }
    return withGrad ? [{ shape: [], dtype: 'float32' }, { shape: logits.shape, dtype: 'float32' }] : spec([], 'float32');
  },
  kernel: {
    available: (backend) => backend.softmaxCrossEntropy !== undefined && backend.reduce !== undefined && backend.affine !== undefined,
    run: (backend, [logits, labels], { sparse, withGrad }) => {
      const op = 'softmaxCrossEntropy';
      const [rows, cols] = logits.shape;
      const perRow = backend.alloc(rows, 'float32');
      try {
        const grad = withGrad ? produce(logits.shape, 'float32', () => undefined) : null;
        try {
          backend.softmaxCrossEntropy({
            logits: storageOf(logits, op), labels: storageOf(labels, op), sparse, loss: perRow,
            grad: grad ? storageOf(grad, op) : null, rows, cols, gradScale: 1 / rows,
          });
        } catch (error) {
          grad?.dispose();
          throw error;
        }
        const loss = produce([], 'float32', (out) => backend.reduce('sum', perRow, out, 1, rows, 1));
        const mean = produce([], 'float32', (out) => backend.affine(storageOf(loss, op), out, 1, 1 / rows, 0));
        loss.dispose();
        return grad ? [mean, grad] : [mean];
      } finally {
        backend.free(perRow);
      }
    },
  },
  save: { inputs: [0], outputs: [1] },
  // Only second derivatives use the gradient output: skip its term when nothing did.
  unusedOutputs: 'null',
  grad: ([dLoss, dGrad], [logits, g], _, needs) => {
    if (needs[1]) {
      throw new Error('softmaxCrossEntropy: no gradient with respect to the labels; keep them off the differentiated path');
    }
    // d/dlogits of loss: g * dLoss. Of g = (softmax(x) - y) / rows, a symmetric Jacobian:
    // s * (v - sum(v * s)) / rows for v = dGrad.
    const fromLoss = dLoss ? mul(g, dLoss) : null;
    if (!dGrad) return [fromLoss, null];
    const rows = logits.shape[0];
    const s = softmax(logits);
    const fromGrad = div(mul(s, sub(dGrad, sum(mul(dGrad, s), -1, true))), rows);
    return [fromLoss ? add(fromLoss, fromGrad) : fromGrad, null];
  },
});

/**
 * labels: float32 one-hot (or probability) rows of the logits' shape, or int32 class
 * indices of shape [rows] when `sparse`.
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor, sparse: boolean): Tensor {
  return runOp(SOFTMAX_CROSS_ENTROPY, [logits, labels], { sparse, withGrad: ENGINE.recording })[0];
}

declare module '../core/tensor.js' {
  interface Tensor { softmax(): Tensor }
}
chain({ softmax() { return softmax(this); } });
