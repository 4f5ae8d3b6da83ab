/**
 * In-place optimizer updates on variables: one kernel per variable, no temporaries. They
 * are registry ops with no outputs (nothing to record; not differentiable). A view of a
 * variable or slot taken before an update keeps its values (Engine.ownData), as in TF.js.
 */
import { ENGINE } from '../core/engine.js';
import type { Tensor, Variable } from '../core/tensor.js';
import { register, runOp, type OpDef } from './registry.js';
import { describe, storageOf } from './util.js';

function updateOp<A>(name: 'adam' | 'sgd' | 'rmsprop', inputs: string[],
  run: (backend: Parameters<NonNullable<OpDef<A>['kernel']>['run']>[0], tensors: Tensor[], attrs: A) => void): OpDef<A> {
  return register<A>({
    name,
    inputs,
    infer([variable, ...rest]) {
      for (const t of rest) {
        if (t.size !== variable.size || t.dtype !== 'float32') {
          throw new Error(`${name}: variable '${(variable as Variable).name}' ${describe(variable)} got a tensor ${describe(t)}`);
        }
      }
      return [];
    },
    kernel: {
      available: (backend) => backend[name] !== undefined,
      run: (backend, tensors, attrs) => {
        // Every input but the gradient (1) is written in place: one that a view shares first
        // gets data of its own (a copy; none in the common case), so the view keeps its values.
        for (let i = 0; i < tensors.length; i++) if (i !== 1) ENGINE.ownData(tensors[i], name, true);
        run(backend, tensors, attrs);
        return [];
      },
    },
    grad: 'none',
  });
}

interface AdamAttrs { learningRate: number; beta1: number; beta2: number; epsilon: number; step: number }
const ADAM = updateOp<AdamAttrs>('adam', ['variable', 'grad', 'm', 'v'], (backend, [param, grad, m, v], a) => backend.adam({
  param: storageOf(param, 'adam'), grad: storageOf(grad, 'adam'), m: storageOf(m, 'adam'), v: storageOf(v, 'adam'),
  size: param.size, learningRate: a.learningRate, beta1: a.beta1, beta2: a.beta2, epsilon: a.epsilon,
  correction1: 1 / (1 - a.beta1 ** a.step), correction2: 1 / (1 - a.beta2 ** a.step),
}));

export function adamUpdate(variable: Variable, grad: Tensor, m: Tensor, v: Tensor, learningRate: number,
  beta1: number, beta2: number, epsilon: number, step: number): void {
  runOp(ADAM, [variable, grad, m, v], { learningRate, beta1, beta2, epsilon, step });
}

interface SgdAttrs { learningRate: number; momentum: number; nesterov: boolean }
const SGD = updateOp<SgdAttrs>('sgd', ['variable', 'grad', 'velocity'], (backend, [param, grad, velocity], a) => backend.sgd({
  param: storageOf(param, 'sgd'), grad: storageOf(grad, 'sgd'), velocity: velocity ? storageOf(velocity, 'sgd') : null,
  size: param.size, learningRate: a.learningRate, momentum: a.momentum, nesterov: a.nesterov,
}));

export function sgdUpdate(variable: Variable, grad: Tensor, velocity: Tensor | null, learningRate: number,
  momentum: number, nesterov: boolean): void {
  runOp(SGD, velocity ? [variable, grad, velocity] : [variable, grad], { learningRate, momentum, nesterov });
}

interface RmspropAttrs { learningRate: number; decay: number; momentum: number; epsilon: number }
const RMSPROP = updateOp<RmspropAttrs>('rmsprop', ['variable', 'grad', 'meanSquare', 'moment'],
  (backend, [param, grad, meanSquare, moment], a) => backend.rmsprop({
    param: storageOf(param, 'rmsprop'), grad: storageOf(grad, 'rmsprop'), meanSquare: storageOf(meanSquare, 'rmsprop'),
    moment: moment ? storageOf(moment, 'rmsprop') : null, size: param.size, learningRate: a.learningRate,
    decay: a.decay, momentum: a.momentum, epsilon: a.epsilon,
  }));

export function rmspropUpdate(variable: Variable, grad: Tensor, meanSquare: Tensor, moment: Tensor | null,
  learningRate: number, decay: number, momentum: number, epsilon: number): void {
  runOp(RMSPROP, moment ? [variable, grad, meanSquare, moment] : [variable, grad, meanSquare],
    { learningRate, decay, momentum, epsilon });
}
