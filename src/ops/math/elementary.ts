/**
 * Per-element math under TF.js's names: trigonometric and hyperbolic functions and their
 * inverses, erf, log1p, expm1, floor/ceil/round/sign, reciprocal, rsqrt (one `unary` kernel
 * code each), and isNaN/isInf/isFinite. Activations, divNoNan and addN are in
 * math-activations.ts.
 *
 * int32, as TF.js's cpu backend has it: some ops reject it ('reject'), some return float32
 * ('float': erf), some compute in float and truncate the result to int32 ('truncate', e.g.
 * atan of int32 [7] is [1]), and sign and round, exact on integers, give int32 ('exact').
 * The int32 paths are compositions (cast, the float op, cast back); int32 inputs carry no
 * gradient.
 */
import type { DType, UnaryOp } from '../../backends/backend.js';
import type { Tensor } from '../../core/tensor.js';
import { add, div, equal, greater, less, mul, notEqual, sub } from './binary.js';
import { scalar, tensor, zerosLike, type TensorLike } from '../creation.js';
import { register, run1, spec, type OpDef } from '../registry.js';
import { cast, clone } from '../structure/shape.js';
import { abs, exp, log, neg, sqrt, square } from './unary.js';
import { chain, describe, produce, storageOf, toTensor } from '../util.js';
import { ENGINE } from '../../core/engine.js';

type NoAttrs = Record<string, never>;
export type IntRule = 'reject' | 'float' | 'truncate' | 'exact';

/** A Tensor, or values that become a float32 one (TF.js's convertToTensor). */
export type MathInput = Tensor | TensorLike;

export function makeInput(values: unknown, dtype: DType | undefined): Tensor {
  return typeof values === 'number' ? scalar(values, dtype) : tensor(values as TensorLike, undefined, dtype);
}

/** Runs `f` on x made a Tensor (disposing what it made). */
export function withInput(name: string, x: MathInput, f: (x: Tensor) => Tensor): Tensor {
  const input = toTensor(name, 'x', x, undefined, makeInput);
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

interface UnaryMath {
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

function unaryMath(name: UnaryOp, m: UnaryMath): (x: MathInput) => Tensor {
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
  return (x) => withInput(name, x, (t) => run1(def, [t], {}));
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const oneMinusSquare = (x: Tensor) => sub(1, square(x));

export const sin = unaryMath('sin', { code: 'sin', int: 'reject', save: 'x', grad: (dy, x) => mul(dy, cos(x)) });
export const cos = unaryMath('cos', { code: 'cos', int: 'reject', save: 'x', grad: (dy, x) => neg(mul(dy, sin(x))) });
export const tan = unaryMath('tan', {
  code: 'tan', int: 'reject', compose: (x) => div(sin(x), cos(x)), save: 'x', grad: (dy, x) => div(dy, square(cos(x))),
});
export const asin = unaryMath('asin', { code: 'asin', int: 'truncate', save: 'x', grad: (dy, x) => div(dy, sqrt(oneMinusSquare(x))) });
export const acos = unaryMath('acos', {
  code: 'acos', int: 'truncate', save: 'x', grad: (dy, x) => neg(div(dy, sqrt(oneMinusSquare(x)))),
});
export const atan = unaryMath('atan', { code: 'atan', int: 'truncate', save: 'x', grad: (dy, x) => div(dy, add(square(x), 1)) });
export const sinh = unaryMath('sinh', {
  code: 'sinh', int: 'truncate', compose: (x) => mul(sub(exp(x), exp(neg(x))), 0.5), save: 'x', grad: (dy, x) => mul(dy, cosh(x)),
});
export const cosh = unaryMath('cosh', {
  code: 'cosh', int: 'reject', compose: (x) => mul(add(exp(x), exp(neg(x))), 0.5), save: 'x', grad: (dy, x) => mul(dy, sinh(x)),
});
export const asinh = unaryMath('asinh', {
  code: 'asinh', int: 'truncate', compose: (x) => mul(sign(x), log(add(abs(x), sqrt(add(square(x), 1))))),
  save: 'x', grad: (dy, x) => div(dy, sqrt(add(square(x), 1))),
});
export const acosh = unaryMath('acosh', {
  code: 'acosh', int: 'truncate', compose: (x) => log(add(x, sqrt(sub(square(x), 1)))),
  save: 'x', grad: (dy, x) => div(dy, sqrt(sub(square(x), 1))),
});
export const atanh = unaryMath('atanh', {
  code: 'atanh', int: 'truncate', compose: (x) => mul(log(div(add(1, x), sub(1, x))), 0.5),
  save: 'x', grad: (dy, x) => div(dy, oneMinusSquare(x)),
});
export const erf = unaryMath('erf', {
  code: 'erf', int: 'float', save: 'x', grad: (dy, x) => mul(dy, mul(exp(neg(square(x))), TWO_OVER_SQRT_PI)),
});
export const log1p = unaryMath('log1p', {
  code: 'log1p', int: 'truncate', compose: (x) => log(add(x, 1)), save: 'x', grad: (dy, x) => div(dy, add(x, 1)),
});
export const expm1 = unaryMath('expm1', {
  code: 'expm1', int: 'truncate', compose: (x) => sub(exp(x), 1), save: 'x', grad: (dy, x) => mul(dy, exp(x)),
});
export const floor = unaryMath('floor', { code: 'floor', int: 'reject', save: 'zeros' });
export const ceil = unaryMath('ceil', { code: 'ceil', int: 'reject', save: 'zeros' });
/** Half to even, as TF.js (2.5 -> 2, -0.5 -> -0). */
export const round = unaryMath('round', { code: 'round', int: 'exact', exactInt: (x) => clone(x), save: 'zeros' });
/** -1, 0 or 1; NaN gives 0, as TF.js. */
export const sign = unaryMath('sign', {
  code: 'sign', int: 'exact', save: 'zeros',
  compose: (x) => sub(cast(greater(x, 0), 'float32'), cast(less(x, 0), 'float32')),
  exactInt: (x) => sub(cast(greater(x, 0), 'int32'), cast(less(x, 0), 'int32')),
});
export const reciprocal = unaryMath('reciprocal', {
  code: 'reciprocal', int: 'truncate', compose: (x) => div(1, x), save: 'x', grad: (dy, x) => neg(div(dy, square(x))),
});
// d/dx x^(-1/2) = -y^3 / 2.
export const rsqrt = unaryMath('rsqrt', {
  code: 'rsqrt', int: 'reject', compose: (x) => div(1, sqrt(x)), save: 'y', grad: (dy, y) => mul(dy, mul(mul(y, square(y)), -0.5)),
});

/** A bool test of each element: no gradient (TF.js's is zeros of a bool). */
function test(name: string, float: (x: Tensor) => Tensor, int: (x: Tensor) => Tensor): (x: MathInput) => Tensor {
  const def = register<NoAttrs>({
    name,
    inputs: ['x'],
    infer([x]) {
      checkMathInput(name, x, 'exact');
      return spec(x.shape, 'bool');
    },
    compose: ([x]) => [composed(x, 'exact', float, int)],
    grad: 'none',
  });
  return (x) => withInput(name, x, (t) => run1(def, [t], {}));
}

/** Comparisons work on the bits on every backend, so NaN != NaN holds even on WGSL. */
export const isNaN = test('isNaN', (x) => notEqual(x, x), (x) => notEqual(x, x));
export const isInf = test('isInf', (x) => equal(abs(x), Infinity), (x) => notEqual(x, x));
export const isFinite = test('isFinite', (x) => less(abs(x), Infinity), (x) => equal(x, x));

declare module '../../core/tensor.js' {
  interface Tensor {
    sin(): Tensor; cos(): Tensor; tan(): Tensor; asin(): Tensor; acos(): Tensor; atan(): Tensor;
    sinh(): Tensor; cosh(): Tensor; asinh(): Tensor; acosh(): Tensor; atanh(): Tensor; erf(): Tensor;
    log1p(): Tensor; expm1(): Tensor; floor(): Tensor; ceil(): Tensor; round(): Tensor; sign(): Tensor;
    reciprocal(): Tensor; rsqrt(): Tensor; isNaN(): Tensor; isInf(): Tensor; isFinite(): Tensor;
  }
}
const methods = {
  sin, cos, tan, asin, acos, atan, sinh, cosh, asinh, acosh, atanh, erf, log1p, expm1, floor, ceil, round, sign,
  reciprocal, rsqrt, isNaN, isInf, isFinite,
};
chain(Object.fromEntries(Object.entries(methods).map(([name, f]) => [name, function (this: Tensor) { return f(this); }])));

