/** Activation functions by TF.js name; each is built from differentiable ops. */
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';

export type ActivationName = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax';
export const ACTIVATIONS: Record<ActivationName, (x: Tensor) => Tensor> = {
  linear: (x) => x,
  relu: ops.relu,
  sigmoid: ops.sigmoid,
  tanh: ops.tanh,
  softmax: (x) => ops.softmax(x),
};

export function checkActivation(where: string, name: unknown): ActivationName {
  const value = name ?? 'linear';
  if (typeof value !== 'string' || !(value in ACTIVATIONS)) {
    throw new Error(`${where}: unknown activation ${JSON.stringify(name)}; expected one of ` +
      `${Object.keys(ACTIVATIONS).map((n) => `'${n}'`).join(', ')}`);
  }
  return value as ActivationName;
}
