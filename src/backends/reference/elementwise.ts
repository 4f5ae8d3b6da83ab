/**
 * The element-wise kernels (backend.ts `unary`, `unaryBackward`, `binary`, `affine`,
 * `select`): each output from its operands alone, computed in float64 and stored.
 */
import type { BinaryOp, TypedArray, UnaryOp } from '../backend.js';
import { erf, floorMod, roundHalfEven } from './math.js';

export function unaryForward(op: UnaryOp, x: number): number {
  switch (op) {
    case 'relu': return x < 0 ? 0 : x; // NaN stays NaN
    case 'sigmoid': return 1 / (1 + Math.exp(-x));
    case 'tanh': return Math.tanh(x);
    case 'exp': return Math.exp(x);
    case 'log': return Math.log(x);
    case 'neg': return -x;
    case 'abs': return Math.abs(x);
    case 'sqrt': return Math.sqrt(x);
    case 'square': return x * x;
    case 'sin': return Math.sin(x);
    case 'cos': return Math.cos(x);
    case 'tan': return Math.tan(x);
    case 'asin': return Math.asin(x);
    case 'acos': return Math.acos(x);
    case 'atan': return Math.atan(x);
    case 'sinh': return Math.sinh(x);
    case 'cosh': return Math.cosh(x);
    case 'asinh': return Math.asinh(x);
    case 'acosh': return Math.acosh(x);
    case 'atanh': return Math.atanh(x);
    case 'erf': return erf(x);
    case 'log1p': return Math.log1p(x);
    case 'expm1': return Math.expm1(x);
    case 'floor': return Math.floor(x);
    case 'ceil': return Math.ceil(x);
    case 'round': return roundHalfEven(x);
    case 'sign': return x > 0 ? 1 : x < 0 ? -1 : 0; // as TF.js: NaN and -0 give 0
    case 'reciprocal': return 1 / x;
    case 'rsqrt': return 1 / Math.sqrt(x);
  }
}

export function unaryDerivative(op: UnaryOp, dy: number, x: number, y: number): number {
  switch (op) {
    case 'relu': return x > 0 ? dy : (Number.isNaN(x) ? NaN : 0);
    case 'sigmoid': return dy * y * (1 - y);
    case 'tanh': return dy * (1 - y * y);
    case 'exp': return dy * y;
    case 'log': return dy / x;
    case 'neg': return -dy;
    case 'abs': return dy * Math.sign(x);
    case 'sqrt': return dy / (2 * y);
    case 'square': return 2 * x * dy;
    default: throw new Error(`reference unaryBackward: no derivative kernel for '${op}'`);
  }
}

export function binaryForward(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return a * b;
    case 'div': return a / b;
    // Math.max/min propagate NaN, as the SIMD f32x4.max/min do.
    case 'max': return Math.max(a, b);
    case 'min': return Math.min(a, b);
    case 'squaredDifference': return (a - b) * (a - b);
    // Comparisons give 0 / 1 with IEEE rules: NaN is unequal to everything, -0 equals 0.
    case 'equal': return a === b ? 1 : 0;
    case 'notEqual': return a !== b ? 1 : 0;
    case 'less': return a < b ? 1 : 0;
    case 'lessEqual': return a <= b ? 1 : 0;
    case 'greater': return a > b ? 1 : 0;
    case 'greaterEqual': return a >= b ? 1 : 0;
    // Logic reads any nonzero operand (NaN included) as true, as a cast to 'bool' does.
    case 'logicalAnd': return a !== 0 && b !== 0 ? 1 : 0;
    case 'logicalOr': return a !== 0 || b !== 0 ? 1 : 0;
    case 'logicalXor': return (a !== 0) !== (b !== 0) ? 1 : 0;
    // In float64, then stored: int32 storage takes ToInt32 of the result (x / 0 gives 0), as TF.js.
    case 'pow': return Math.pow(a, b);
    case 'mod': return floorMod(a, b);
    case 'floorDiv': return Math.floor(a / b);
    case 'atan2': return Math.atan2(a, b);
  }
}

/** out[i] = f(x[i]) for begin <= i < end; the rest of out is untouched. */
export function unaryArrays(op: UnaryOp, x: TypedArray, out: TypedArray, begin: number, end: number): void {
  for (let i = begin; i < end; i++) out[i] = unaryForward(op, x[i]);
}

export function unaryBackwardArrays(op: UnaryOp, dy: TypedArray, x: TypedArray, y: TypedArray, dx: TypedArray, size: number): void {
  for (let i = 0; i < size; i++) dx[i] = unaryDerivative(op, dy[i], x[i], y[i]);
}

/** The repeat rule (a[i % aSize] op b[i % bSize]) over begin <= i < end only. */
export function binaryArrays(op: BinaryOp, a: TypedArray, aSize: number, b: TypedArray, bSize: number, out: TypedArray,
  begin: number, end: number): void {
  for (let i = begin; i < end; i++) out[i] = binaryForward(op, a[i % aSize], b[i % bSize]);
}

export function affineArrays(x: TypedArray, out: TypedArray, size: number, alpha: number, beta: number): void {
  for (let i = 0; i < size; i++) out[i] = alpha * x[i] + beta;
}

/** The 32-bit words of a storage: select moves words, whatever the dtype. */
function words(values: TypedArray): Int32Array {
  return values instanceof Int32Array ? values : new Int32Array(values.buffer, values.byteOffset, values.length);
}

/** out[i] = cond[i % condSize] != 0 ? a[i % aSize] : b[i % bSize], word for word. */
export function selectArrays(cond: TypedArray, condSize: number, a: TypedArray, aSize: number, b: TypedArray, bSize: number,
  out: TypedArray, size: number): void {
  const av = words(a), bv = words(b), ov = words(out);
  for (let i = 0; i < size; i++) ov[i] = cond[i % condSize] !== 0 ? av[i % aSize] : bv[i % bSize];
}
