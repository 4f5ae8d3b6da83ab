/**
 * In-place optimizer updates on variables: one kernel per variable, no temporaries. They
 * are registry ops with no outputs (nothing to record; not differentiable). A view of a
 * variable or slot taken before an update keeps its values (Engine.ownData), as in TF.js.
 *
 * One op call updates every variable of a step: its inputs are groups of `stride` tensors
 * (the variable, its gradient, then its state tensors), all checked before any is written,
 * then one kernel call per group straight on the backend (no op dispatch per variable).
 */
import { ENGINE } from '../core/engine.js';
import type { Tensor, Variable } from '../core/tensor.js';
import { register, runOp, type OpDef } from './registry.js';
import { describe, storageOf } from './util.js';

/** Every update's attrs: the tensors of one variable's group (variable, grad, state...). */
interface Grouped { stride: number }

function updateOp<A extends Grouped>(name: 'adam' | 'sgd' | 'rmsprop', inputs: string[],
  run: (backend: Parameters<NonNullable<OpDef<A>['kernel']>['run']>[0], tensors: Tensor[], offset: number, attrs: A) => void): OpDef<A> {
  return register<A>({
    name,
    inputs,
    infer(tensors, { stride }) {
      if (!Number.isInteger(stride) || stride < 2 || tensors.length % stride !== 0) {
        throw new Error(`${name}: expected groups of ${stride} tensors (variable, grad, state...); received ${tensors.length}`);
      }
      for (let g = 0; g < tensors.length; g += stride) {
        const variable = tensors[g];
        for (let i = g + 1; i < g + stride; i++) {
          const t = tensors[i];
          if (t.size !== variable.size || t.dtype !== 'float32') {
            throw new Error(`${name}: variable '${(variable as Variable).name}' ${describe(variable)} got a tensor ${describe(t)}`);
          }
        }
      }
      return [];
    },
    kernel: {
      available: (backend) => backend[name] !== undefined,
      run: (backend, tensors, attrs) => {
        // Every input but the gradients is written in place: one that a view shares first
        // gets data of its own (a copy; none in the common case), so the view keeps its values.
        // All of them before the first kernel, so that a failure leaves no variable half-updated.
        const stride = attrs.stride;
        for (let i = 0; i < tensors.length; i++) if (i % stride !== 1) ENGINE.ownData(tensors[i], name, true);
        for (let g = 0; g < tensors.length; g += stride) run(backend, tensors, g, attrs);
        return [];
      },
    },
    grad: 'none',
  });
}

interface AdamAttrs extends Grouped { learningRate: number; beta1: number; beta2: number; epsilon: number; step: number }
const ADAM = updateOp<AdamAttrs>('adam', ['variable', 'grad', 'm', 'v'], (backend, t, g, a) => backend.adam({
  param: storageOf(t[g], 'adam'), grad: storageOf(t[g + 1], 'adam'), m: storageOf(t[g + 2], 'adam'), v: storageOf(t[g + 3], 'adam'),
  size: t[g].size, learningRate: a.learningRate, beta1: a.beta1, beta2: a.beta2, epsilon: a.epsilon,
  correction1: 1 / (1 - a.beta1 ** a.step), correction2: 1 / (1 - a.beta2 ** a.step),
}));

/** One variable of an update: the variable, its gradient and its state tensors (the optimizer's slots). */
export interface UpdateGroup { variable: Variable; grad: Tensor; state: readonly Tensor[] }

/** The groups' tensors in one list, `stride` per group (state beyond stride - 2 entries is not passed). */
function flatten(groups: readonly UpdateGroup[], stride: number): Tensor[] {
  const tensors = new Array<Tensor>(groups.length * stride);
  for (let i = 0; i < groups.length; i++) {
    const { variable, grad, state } = groups[i];
    tensors[i * stride] = variable;
    tensors[i * stride + 1] = grad;
    for (let k = 2; k < stride; k++) tensors[i * stride + k] = state[k - 2];
  }
  return tensors;
}

/** One Adam step of every group (state: m, v), in one op call. */
export function adamUpdates(groups: readonly UpdateGroup[], learningRate: number, beta1: number, beta2: number,
  epsilon: number, step: number): void {
  if (groups.length > 0) runOp(ADAM, flatten(groups, 4), { stride: 4, learningRate, beta1, beta2, epsilon, step });
}

export function adamUpdate(variable: Variable, grad: Tensor, m: Tensor, v: Tensor, learningRate: number,
  beta1: number, beta2: number, epsilon: number, step: number): void {
  runOp(ADAM, [variable, grad, m, v], { stride: 4, learningRate, beta1, beta2, epsilon, step });
}

interface SgdAttrs extends Grouped { learningRate: number; momentum: number; nesterov: boolean }
const SGD = updateOp<SgdAttrs>('sgd', ['variable', 'grad', 'velocity'], (backend, t, g, a) => backend.sgd({
  param: storageOf(t[g], 'sgd'), grad: storageOf(t[g + 1], 'sgd'), velocity: a.stride === 3 ? storageOf(t[g + 2], 'sgd') : null,
  size: t[g].size, learningRate: a.learningRate, momentum: a.momentum, nesterov: a.nesterov,
}));

/** One SGD step of every group (state: the velocity with momentum, else none), in one op call. */
export function sgdUpdates(groups: readonly UpdateGroup[], withVelocity: boolean, learningRate: number, momentum: number,
  nesterov: boolean): void {
  const stride = withVelocity ? 3 : 2;
  if (groups.length > 0) runOp(SGD, flatten(groups, stride), { stride, learningRate, momentum, nesterov });
}

export function sgdUpdate(variable: Variable, grad: Tensor, velocity: Tensor | null, learningRate: number,
  momentum: number, nesterov: boolean): void {
  runOp(SGD, velocity ? [variable, grad, velocity] : [variable, grad], { stride: velocity ? 3 : 2, learningRate, momentum, nesterov });
}

interface RmspropAttrs extends Grouped { learningRate: number; decay: number; momentum: number; epsilon: number }
const RMSPROP = updateOp<RmspropAttrs>('rmsprop', ['variable', 'grad', 'meanSquare', 'moment'],
  (backend, t, g, a) => backend.rmsprop({
    param: storageOf(t[g], 'rmsprop'), grad: storageOf(t[g + 1], 'rmsprop'), meanSquare: storageOf(t[g + 2], 'rmsprop'),
    moment: a.stride === 4 ? storageOf(t[g + 3], 'rmsprop') : null, size: t[g].size, learningRate: a.learningRate,
    decay: a.decay, momentum: a.momentum, epsilon: a.epsilon,
  }));

/** One RMSProp step of every group (state: the mean square, and the moment when `withMoment`), in one op call. */
export function rmspropUpdates(groups: readonly UpdateGroup[], withMoment: boolean, learningRate: number, decay: number,
  momentum: number, epsilon: number): void {
  const stride = withMoment ? 4 : 3;
  if (groups.length > 0) runOp(RMSPROP, flatten(groups, stride), { stride, learningRate, decay, momentum, epsilon });
}

export function rmspropUpdate(variable: Variable, grad: Tensor, meanSquare: Tensor, moment: Tensor | null,
  learningRate: number, decay: number, momentum: number, epsilon: number): void {
  runOp(RMSPROP, moment ? [variable, grad, meanSquare, moment] : [variable, grad, meanSquare],
    { stride: moment ? 4 : 3, learningRate, decay, momentum, epsilon });
}
