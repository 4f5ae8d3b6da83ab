/**
 * The pieces every per-element math op shares, below the ops themselves: TF.js's int32 rule
 * of each op (`IntRule`, `checkMathInput`, `composed`), inputs given as values (`withInput`),
 * and `unaryMath`, the factory of the ops that are one `unary` kernel code each (sign in
 * unary.ts; the trigonometric and rounding ops in elementary.ts).
 *
 * int32, as TF.js's cpu backend has it: some ops reject it ('reject'), some return float32
 * ('float': erf), some compute in float and truncate the result to int32 ('truncate', e.g.
 * atan of int32 [7] is [1]), and sign and round, exact on integers, give int32 ('exact').
 * The int32 paths are compositions (cast, the float op, cast back); int32 inputs carry no
 * gradient.
 */
import type { DType, UnaryOp } from '../../backends/backend.js';
import { ENGINE } from '../../core/engine.js';
import type { Tensor } from '../../core/tensor.js';
import { scalar, tensor, zerosLike, type TensorLike } from '../creation.js';
import { register, run1, spec, type OpDef } from '../registry.js';
import { cast } from '../structure/shape.js';
import { describe, produce, storageOf, toTensor } from '../util.js';

type NoAttrs = Record<string, never>;
export type IntRule = 'reject' | 'float' | 'truncate' | 'exact';

/** A Tensor, or values that become a float32 one (TF.js's convertToTensor). */
export type MathInput = Tensor | TensorLike;

export function makeInput(values: unknown, dtype: DType | undefined): Tensor {
  return typeof values === 'number' ? scalar(values, dtype) : tensor(values as TensorLike, undefined, dtype);
}

/**
 * Runs `f` on x made a Tensor (disposing what it made); `dtype` is what values become where the
 * op takes no int32 (TF.js parses them as float32 there: sin(new Int32Array([1])) is float32).
 */
export function withInput(name: string, x: MathInput, f: (x: Tensor) => Tensor, dtype?: DType): Tensor {
  const input = toTensor(name, 'x', x, dtype, makeInput);
  try {
    return f(input.tensor);
  } finally {
    if (input.made) input.tensor.dispose();
  }
}

/** The dtype an op of this rule gives for x, or an Error as TF.js words it. */
export function checkMathInput(name: string, x: Tensor, rule: IntRule): DType {
  if (x.dtype === 'float32') return 'float32';
  if (x.dtype === 'bool' || rule === 'reject') {
    throw new Error(`${name}: argument 'x' must be a float32 tensor${rule === 'reject' ? '' : ' or int32'}; ` +
      `received ${describe(x)}`);
  }
  return rule === 'float' ? 'float32' : 'int32';
}

/**
 * A composition's result with its intermediates freed (runOp runs a forward without a scope
 * of its own). int32 inputs of 'float' and 'truncate' ops run the float32 op on a cast,
 * giving its float32 result or that truncated to int32.
 */
export function composed(x: Tensor, rule: IntRule, float: (x: Tensor) => Tensor, exactInt?: (x: Tensor) => Tensor): Tensor {
  return ENGINE.tidy(() => {
    if (x.dtype === 'float32') return float(x);
    if (rule === 'exact') return exactInt!(x);
    const y = float(cast(x, 'float32'));
    return rule === 'float' ? y : cast(y, 'int32');
  });
}

export interface UnaryMath {
  code: UnaryOp;
  int: IntRule;
  /** The float32 op written with others, where a backend lacks the code. */
  compose?: (x: Tensor) => Tensor;
  /** For 'exact': the int32 result written with int32 ops. */
  exactInt?: (x: Tensor) => Tensor;
  /** What the gradient reads: x or y = f(x); 'zeros': the gradient is zero, as TF.js's. */
  save: 'x' | 'y' | 'zeros';
  grad?: (dy: Tensor, saved: Tensor) => Tensor;
}

/** Registers the op `name` (one `unary` kernel code) and returns its public function. */
export function unaryMath(name: UnaryOp, m: UnaryMath): (x: MathInput) => Tensor {
  const def: OpDef<NoAttrs> = register<NoAttrs>({
    name,
    inputs: ['x'],
    infer: ([x]) => spec(x.shape, checkMathInput(name, x, m.int)),
    kernel: {
      available: (backend, _, [x]) => x.dtype === 'float32' && backend.unary !== undefined && backend.unaryOps.has(m.code),
      run: (backend, [x]) => [produce(x.shape, 'float32', (out) => backend.unary(m.code, storageOf(x, name), out, x.size))],
    },
    compose: ([x]) => [composed(x, m.int, (float) => {
      if (float !== x) return run1(def, [float], {}); // an int32 input's cast
      if (!m.compose) throw new Error(`${name}: the active backend has no '${m.code}' kernel and ${name} has no composition`);
      return m.compose(float);
    }, m.exactInt)],
    save: m.save === 'y' ? { outputs: [0] } : { inputs: [0] },
    grad: ([dy], [saved]) => {
      if (saved.dtype !== 'float32') return [null];
      return [m.save === 'zeros' ? zerosLike(dy) : m.grad!(dy, saved)];
    },
  });
  return (x) => withInput(name, x, (t) => run1(def, [t], {}), m.int === 'reject' ? 'float32' : undefined);
}
