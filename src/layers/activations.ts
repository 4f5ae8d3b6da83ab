/** Activation functions by TF.js name; each is built from differentiable ops. */
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { lookup } from '../core/lookup.js';

export type ActivationName = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax';
export const ACTIVATIONS: Record<ActivationName, (x: Tensor) => Tensor> = {
  linear: (x) => x,
  relu: ops.relu,
  sigmoid: ops.sigmoid,
  tanh: ops.tanh,
  softmax: (x) => ops.softmax(x),
};

/** An activation name (from code or a model file): own names of ACTIVATIONS only ('toString' is unknown). */
export function checkActivation(where: string, name: unknown): ActivationName {
  const value = name ?? 'linear';
  lookup(ACTIVATIONS, value, 'activation', where);
  return value as ActivationName;
}
