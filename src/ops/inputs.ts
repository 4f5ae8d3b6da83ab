/**
 * TF.js's convertToTensor for the ops of issue 9: a tensor argument may be a Tensor or
 * values (a number, nested arrays, a typed array) that become one, int32 where the argument
 * is indices. `withInputs` makes them inside a tidy, so the tensors it made are freed when
 * the op returns (and only its result stays).
 */
import type { DType } from '../backends/backend.js';
import { ENGINE } from '../core/engine.js';
import type { Tensor } from '../core/tensor.js';
import { scalar, tensor, type TensorLike } from './creation.js';
import { toTensor } from './util.js';

export type Input = Tensor | TensorLike;

function make(values: unknown, dtype: DType | undefined): Tensor {
  return typeof values === 'number' ? scalar(values, dtype) : tensor(values as TensorLike, undefined, dtype);
}

/** Runs `f` on the arguments made Tensors: [name, value, dtype for values that are not a Tensor]. */
export function withInputs<T>(op: string, args: [string, unknown, DType?][], f: (tensors: Tensor[]) => T): T {
  return ENGINE.tidy(() => f(args.map(([name, value, dtype]) => toTensor(op, name, value, dtype, make).tensor)));
}
