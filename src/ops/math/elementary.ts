/**
 * Per-element math under TF.js's names: trigonometric and hyperbolic functions and their
 * inverses, erf, log1p, expm1, floor/ceil/round, reciprocal, rsqrt (one `unary` kernel
 * code each, made by unary-math.ts's unaryMath, which also states their int32 rules), and
 * isNaN/isInf/isFinite. sign is in unary.ts beside abs; activations, divNoNan and addN are in
 * activations.ts.
 */
import type { Tensor } from '../../core/tensor.js';
import { add, div, equal, less, mul, notEqual, sub } from './binary.js';
import { register, run1, spec } from '../registry.js';
import { clone } from '../structure/shape.js';
import { abs, exp, log, neg, sign, sqrt, square } from './unary.js';
import { checkMathInput, composed, unaryMath, withInput, type MathInput } from './unary-math.js';
import { chain } from '../util.js';

type NoAttrs = Record<string, never>;

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const oneMinusSquare = (x: Tensor) => sub(1, square(x));

/** The sine of x element-wise, in radians (tf.sin). */
export const sin = unaryMath('sin', { code: 'sin', int: 'reject', save: 'x', grad: (dy, x) => mul(dy, cos(x)) });
/** The cosine of x element-wise, in radians (tf.cos). */
export const cos = unaryMath('cos', { code: 'cos', int: 'reject', save: 'x', grad: (dy, x) => neg(mul(dy, sin(x))) });
/** The tangent of x element-wise, in radians (tf.tan). */
export const tan = unaryMath('tan', {
  code: 'tan', int: 'reject', compose: (x) => div(sin(x), cos(x)), save: 'x', grad: (dy, x) => div(dy, square(cos(x))),
});
/** The arcsine of x element-wise (tf.asin); NaN outside [-1, 1]. */
export const asin = unaryMath('asin', { code: 'asin', int: 'truncate', save: 'x', grad: (dy, x) => div(dy, sqrt(oneMinusSquare(x))) });
/** The arccosine of x element-wise (tf.acos); NaN outside [-1, 1]. */
export const acos = unaryMath('acos', {
  code: 'acos', int: 'truncate', save: 'x', grad: (dy, x) => neg(div(dy, sqrt(oneMinusSquare(x)))),
});
/** The arctangent of x element-wise (tf.atan). */
export const atan = unaryMath('atan', { code: 'atan', int: 'truncate', save: 'x', grad: (dy, x) => div(dy, add(square(x), 1)) });
/** The hyperbolic sine of x element-wise (tf.sinh). */
export const sinh = unaryMath('sinh', {
  code: 'sinh', int: 'truncate', compose: (x) => mul(sub(exp(x), exp(neg(x))), 0.5), save: 'x', grad: (dy, x) => mul(dy, cosh(x)),
});
/** The hyperbolic cosine of x element-wise (tf.cosh). */
export const cosh = unaryMath('cosh', {
  code: 'cosh', int: 'reject', compose: (x) => mul(add(exp(x), exp(neg(x))), 0.5), save: 'x', grad: (dy, x) => mul(dy, sinh(x)),
});
/** The inverse hyperbolic sine of x element-wise (tf.asinh). */
export const asinh = unaryMath('asinh', {
  code: 'asinh', int: 'truncate', compose: (x) => mul(sign(x), log(add(abs(x), sqrt(add(square(x), 1))))),
  save: 'x', grad: (dy, x) => div(dy, sqrt(add(square(x), 1))),
});
/** The inverse hyperbolic cosine of x element-wise (tf.acosh); NaN below 1. */
export const acosh = unaryMath('acosh', {
  code: 'acosh', int: 'truncate', compose: (x) => log(add(x, sqrt(sub(square(x), 1)))),
  save: 'x', grad: (dy, x) => div(dy, sqrt(sub(square(x), 1))),
});
/** The inverse hyperbolic tangent of x element-wise (tf.atanh); NaN outside [-1, 1]. */
export const atanh = unaryMath('atanh', {
  code: 'atanh', int: 'truncate', compose: (x) => mul(log(div(add(1, x), sub(1, x))), 0.5),
  save: 'x', grad: (dy, x) => div(dy, oneMinusSquare(x)),
});
/** The Gauss error function of x element-wise (tf.erf). */
export const erf = unaryMath('erf', {
  code: 'erf', int: 'float', save: 'x', grad: (dy, x) => mul(dy, mul(exp(neg(square(x))), TWO_OVER_SQRT_PI)),
});
/** log(1 + x) element-wise, accurate for small x (tf.log1p). */
export const log1p = unaryMath('log1p', {
  code: 'log1p', int: 'truncate', compose: (x) => log(add(x, 1)), save: 'x', grad: (dy, x) => div(dy, add(x, 1)),
});
/** exp(x) - 1 element-wise, accurate for small x (tf.expm1). */
export const expm1 = unaryMath('expm1', {
  code: 'expm1', int: 'truncate', compose: (x) => sub(exp(x), 1), save: 'x', grad: (dy, x) => mul(dy, exp(x)),
});
/** x rounded down element-wise (tf.floor). */
export const floor = unaryMath('floor', { code: 'floor', int: 'reject', save: 'zeros' });
/** x rounded up element-wise (tf.ceil). */
export const ceil = unaryMath('ceil', { code: 'ceil', int: 'reject', save: 'zeros' });
/** Half to even, as TF.js (2.5 -> 2, -0.5 -> -0). */
export const round = unaryMath('round', { code: 'round', int: 'exact', exactInt: (x) => clone(x), save: 'zeros' });
/** 1 / x element-wise (tf.reciprocal). */
export const reciprocal = unaryMath('reciprocal', {
  code: 'reciprocal', int: 'truncate', compose: (x) => div(1, x), save: 'x', grad: (dy, x) => neg(div(dy, square(x))),
});
// d/dx x^(-1/2) = -y^3 / 2.
/** 1 / sqrt(x) element-wise (tf.rsqrt). */
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
/** Whether each element is +Infinity or -Infinity, as a bool tensor (tf.isInf). */
export const isInf = test('isInf', (x) => equal(abs(x), Infinity), (x) => notEqual(x, x));
/** Whether each element is finite (neither infinite nor NaN), as a bool tensor (tf.isFinite). */
export const isFinite = test('isFinite', (x) => less(abs(x), Infinity), (x) => equal(x, x));

declare module '../../core/tensor.js' {
  interface Tensor {
    sin(): Tensor; cos(): Tensor; tan(): Tensor; asin(): Tensor; acos(): Tensor; atan(): Tensor;
    sinh(): Tensor; cosh(): Tensor; asinh(): Tensor; acosh(): Tensor; atanh(): Tensor; erf(): Tensor;
    log1p(): Tensor; expm1(): Tensor; floor(): Tensor; ceil(): Tensor; round(): Tensor;
    reciprocal(): Tensor; rsqrt(): Tensor; isNaN(): Tensor; isInf(): Tensor; isFinite(): Tensor;
  }
}
const methods = {
  sin, cos, tan, asin, acos, atan, sinh, cosh, asinh, acosh, atanh, erf, log1p, expm1, floor, ceil, round,
  reciprocal, rsqrt, isNaN, isInf, isFinite,
};
chain(Object.fromEntries(Object.entries(methods).map(([name, f]) => [name, function (this: Tensor) { return f(this); }])));

