/**
 * TF.js's convertToTensor, for every public op: a tensor argument may be a Tensor or values
 * (a number, a boolean, nested arrays, a typed array) that become one, of the dtype the
 * values have (numbers float32, booleans bool, an Int32Array int32) or the one the argument
 * needs (int32 for indices). `withInputs` makes them inside a tidy, so the tensors it made
 * are freed when the op returns or throws, and only its result stays.
 *
 * The pattern at an op's entry keeps the all-Tensor call free of it (one `instanceof`):
 *   if (!(x instanceof Tensor)) return withInputs('op', [['x', x]], ([t]) => op(t, ...));
 * tests/ops/tensor-likes.test.ts calls every public op with values, from a table that fails
 * for a public function it does not list.
 */
import type { DType } from '../backends/backend.js';
import { ENGINE } from '../core/engine.js';
import { Tensor } from '../core/tensor.js';
import { scalar, tensor, type TensorLike } from './creation.js';
import { toTensor } from './util.js';

export type Input = Tensor | TensorLike;

function make(values: unknown, dtype: DType | undefined): Tensor {
  return typeof values === 'number' ? scalar(values, dtype) : tensor(values as TensorLike, undefined, dtype);
}

/** An argument: [name, value, dtype for values that are not a Tensor]. */
export type Argument = [string, unknown, DType?];

/** Runs `f` on the arguments made Tensors. */
export function withInputs<T>(op: string, args: Argument[], f: (tensors: Tensor[]) => T): T {
  return ENGINE.tidy(() => f(args.map(([name, value, dtype]) => toTensor(op, name, value, dtype, make).tensor)));
}

/** Whether every entry of a list argument is a Tensor already (the fast path of list ops). */
export function allTensors(list: unknown): list is Tensor[] {
  if (!Array.isArray(list)) return false;
  for (let i = 0; i < list.length; i++) if (!(list[i] instanceof Tensor)) return false;
  return true;
}

/** The arguments of a list argument `name` (`tensors[0]`, `tensors[1]` ...). */
export function listArguments(op: string, name: string, list: unknown, dtype?: DType): Argument[] {
  if (!Array.isArray(list)) {
    throw new Error(`${op}: expected '${name}' to be an array of tensors; received ${list === null ? 'null' : typeof list}`);
  }
  return list.map((value, i) => [`${name}[${i}]`, value, dtype]);
}

/** Runs `f` on a list argument's entries made Tensors (the slow path of list ops). */
export function withListInput<T>(op: string, name: string, list: unknown, f: (tensors: Tensor[]) => T, dtype?: DType): T {
  return withInputs(op, listArguments(op, name, list, dtype), f);
}

/** withInputs for async ops: the made tensors are freed when the promise settles. */
export async function withInputsAsync<T>(op: string, args: Argument[], f: (tensors: Tensor[]) => Promise<T>): Promise<T> {
  const made: { tensor: Tensor; made: boolean }[] = [];
  try {
    for (const [name, value, dtype] of args) made.push(toTensor(op, name, value, dtype, make));
    return await f(made.map((m) => m.tensor));
  } finally {
    for (const m of made) if (m.made) m.tensor.dispose();
  }
}
