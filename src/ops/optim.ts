/** In-place optimizer updates on variables: one kernel per variable, no temporaries. */
import { ENGINE } from '../engine.js';
import type { Tensor, Variable } from '../tensor.js';
import { describe, storageOf } from './util.js';

function check(op: string, variable: Variable, grad: Tensor, ...state: (Tensor | null)[]): void {
  for (const t of [grad, ...state]) {
    if (t && (t.size !== variable.size || t.dtype !== 'float32')) {
      throw new Error(`${op}: variable '${variable.name}' ${describe(variable)} got a tensor ${describe(t)}`);
    }
  }
}

export function adamUpdate(variable: Variable, grad: Tensor, m: Tensor, v: Tensor, learningRate: number,
  beta1: number, beta2: number, epsilon: number, step: number): void {
  check('adam', variable, grad, m, v);
  ENGINE.backend.adam({
    param: storageOf(variable, 'adam'), grad: storageOf(grad, 'adam'), m: storageOf(m, 'adam'),
    v: storageOf(v, 'adam'), size: variable.size, learningRate, beta1, beta2, epsilon,
    correction1: 1 / (1 - beta1 ** step), correction2: 1 / (1 - beta2 ** step),
  });
}

export function sgdUpdate(variable: Variable, grad: Tensor, velocity: Tensor | null, learningRate: number,
  momentum: number, nesterov: boolean): void {
  check('sgd', variable, grad, velocity);
  ENGINE.backend.sgd({
    param: storageOf(variable, 'sgd'), grad: storageOf(grad, 'sgd'),
    velocity: velocity ? storageOf(velocity, 'sgd') : null, size: variable.size, learningRate, momentum, nesterov,
  });
}

export function rmspropUpdate(variable: Variable, grad: Tensor, meanSquare: Tensor, moment: Tensor | null,
  learningRate: number, decay: number, momentum: number, epsilon: number): void {
  check('rmsprop', variable, grad, meanSquare, moment);
  ENGINE.backend.rmsprop({
    param: storageOf(variable, 'rmsprop'), grad: storageOf(grad, 'rmsprop'),
    meanSquare: storageOf(meanSquare, 'rmsprop'), moment: moment ? storageOf(moment, 'rmsprop') : null,
    size: variable.size, learningRate, decay, momentum, epsilon,
  });
}
