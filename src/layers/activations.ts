/**
 * Activation functions by TF.js name (tfjs-layers activations.ts), each composed from
 * differentiable ops with TF.js's formula, so that values and gradients agree with TF.js.
 *
 * The names are TF.js's class names ('hardSigmoid', 'gelu_new'); getConfig writes those. A
 * name read from code or a file may also be the other spelling: model.json holds Keras's
 * snake_case ('hard_sigmoid'), and loading camel-cases every string value, so a file saved
 * with 'gelu_new' reaches a layer as 'geluNew' (TF.js itself refuses that one when it loads
 * its own saved model; sora accepts it).
 */
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { hasOwnName, lookup } from '../core/lookup.js';
import { ENGINE } from '../core/engine.js';

/** The activation names layers accept (TF.js's ActivationIdentifier, plus 'logSoftmax', which TF.js registers too). */
export type ActivationName =
  | 'elu' | 'hardSigmoid' | 'linear' | 'relu' | 'relu6' | 'selu' | 'sigmoid' | 'softmax' | 'softplus'
  | 'softsign' | 'tanh' | 'swish' | 'mish' | 'gelu' | 'gelu_new' | 'logSoftmax';

const SQRT_2 = Math.sqrt(2);
/** Composed activations free their intermediates. */
const tidy = (fn: () => Tensor): Tensor => ENGINE.tidy(fn);

/** Each activation by its TF.js name. */
export const ACTIVATIONS: Record<ActivationName, (x: Tensor) => Tensor> = {
  linear: (x) => x,
  elu: (x) => ops.elu(x),
  // TF.js's (and Keras 2's) piecewise-linear sigmoid: clip(0.2 x + 0.5, 0, 1).
  hardSigmoid: (x) => tidy(() => ops.clipByValue(ops.add(0.5, ops.mul(0.2, x)), 0, 1)),
  relu: (x) => ops.relu(x),
  // TF.js's activation is minimum(6, relu(x)) (not the relu6 op); same values, same gradient.
  relu6: (x) => tidy(() => ops.minimum(6, ops.relu(x))),
  selu: (x) => ops.selu(x),
  sigmoid: (x) => ops.sigmoid(x),
  softmax: (x) => ops.softmax(x),
  softplus: (x) => ops.softplus(x),
  softsign: (x) => tidy(() => ops.div(x, ops.add(ops.abs(x), 1))),
  tanh: (x) => ops.tanh(x),
  swish: (x) => tidy(() => ops.mul(ops.sigmoid(x), x)),
  mish: (x) => tidy(() => ops.mul(x, ops.tanh(ops.softplus(x)))),
  // Exact GELU: x Φ(x) with Φ(x) = (1 + erf(x / √2)) / 2.
  gelu: (x) => tidy(() => ops.mul(x, ops.mul(0.5, ops.add(1, ops.erf(ops.div(x, SQRT_2)))))),
  // The tanh approximation: x (1 + tanh(√(2/π) (x + 0.044715 x³))) / 2.
  gelu_new: (x) => tidy(() => ops.mul(0.5, ops.mul(x, ops.add(1, ops.tanh(ops.mul(
    ops.sqrt(ops.div(2, Math.PI)), ops.add(x, ops.mul(0.044715, ops.pow(x, 3))))))))),
  logSoftmax: (x) => ops.logSoftmax(x),
};

/** The other spellings of a name: Keras's snake_case, and what loading's camel-casing makes of 'gelu_new'. */
const ALIASES: Readonly<Record<string, ActivationName>> = {
  hard_sigmoid: 'hardSigmoid',
  geluNew: 'gelu_new',
  log_softmax: 'logSoftmax',
};

/**
 * An activation name (from code or a model file) as its TF.js name; undefined or null is
 * 'linear'. Own names only ('toString' is unknown); an unknown name is an Error naming where,
 * the value, and the accepted names.
 */
export function checkActivation(where: string, name: unknown): ActivationName {
  const value = name ?? 'linear';
  if (hasOwnName(ALIASES, value)) return ALIASES[value]!;
  lookup(ACTIVATIONS, value, 'activation', where);
  return value as ActivationName;
}
