/**
 * The softmax-into-crossentropy fusion, on tensors: a layer that ends in softmax remembers
 * the logits of its output, and a crossentropy on probabilities computes from those logits
 * (the fused kernel: same loss, no log of a rounded probability). Works for any output of
 * a graph, and for tensors only as long as they live.
 */
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';

const LOGITS = new WeakMap<Tensor, Tensor>();

/** softmax(logits), remembering the logits. */
export function softmaxWithLogits(logits: Tensor): Tensor {
  const probabilities = ops.softmax(logits);
  LOGITS.set(probabilities, logits);
  return probabilities;
}

/** The logits a softmax output came from, while they are alive. */
export function logitsOf(probabilities: Tensor): Tensor | null {
  const logits = LOGITS.get(probabilities);
  return logits && !logits.isDisposed ? logits : null;
}
