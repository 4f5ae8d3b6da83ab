/**
 * The fused epilogue (bias, then an activation) as ops: what a convolution's composition adds
 * after its sum, and the gradient through it, read from the output y (every epilogue
 * activation's slope is a function of its output).
 */
import type { EpilogueOp } from '../../backends/backend.js';
import { DEFAULT_LEAKY_ALPHA } from '../../backends/backend.js';
import type { Tensor } from '../../core/tensor.js';
import { add, greater, less, logicalAnd, mul, where } from '../math/binary.js';
import { activationGrad, relu, sigmoid, tanh } from '../math/unary.js';
import { elu, leakyRelu, relu6 } from '../math/activations.js';

export interface EpilogueAttrs { activation: EpilogueOp; alpha: number }

export const LINEAR: EpilogueAttrs = { activation: 'linear', alpha: DEFAULT_LEAKY_ALPHA };

/** act(z + bias), with ops. */
export function epilogue(z: Tensor, bias: Tensor | undefined, { activation, alpha }: EpilogueAttrs): Tensor {
  const v = bias ? add(z, bias) : z;
  switch (activation) {
    case 'linear': return v;
    case 'relu': return relu(v);
    case 'relu6': return relu6(v);
    case 'sigmoid': return sigmoid(v);
    case 'tanh': return tanh(v);
    case 'elu': return elu(v);
    case 'leakyRelu': return leakyRelu(v, alpha);
  }
}

/**
 * dy * act'(z) from y = act(z). leakyRelu with a negative alpha maps negative z to positive y,
 * so its slope is not a function of y: the ops run that one composed (`fusable`).
 */
export function epilogueGrad(dy: Tensor, y: Tensor, { activation, alpha }: EpilogueAttrs): Tensor {
  switch (activation) {
    case 'linear': return dy;
    case 'relu': case 'sigmoid': case 'tanh': return activationGrad(activation, dy, y);
    case 'relu6': return where(logicalAnd(greater(y, 0), less(y, 6)), dy, 0);
    case 'elu': return where(greater(y, 0), dy, mul(dy, add(y, 1)));
    case 'leakyRelu': return where(greater(y, 0), dy, mul(dy, alpha));
  }
}

/** Whether the epilogue's gradient can be read from its output (see epilogueGrad). */
export function fusable({ activation, alpha }: EpilogueAttrs): boolean {
  return activation !== 'leakyRelu' || alpha >= 0;
}
