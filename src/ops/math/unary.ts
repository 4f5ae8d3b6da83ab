/**
 * Elementwise unary math (one `unary` kernel code each): relu, sigmoid, tanh, exp, log, neg,
 * abs (and complexAbs, what it gives for complex64), sign, sqrt, square; the fused
 * activation gradients (reluGrad, sigmoidGrad, tanhGrad: one `unaryBackward` kernel,
 * differentiable themselves), and clipByValue. Where a backend's unary kernel lacks a code,
 * ops that can be written with others run that composition.
 */
import type { UnaryOp } from '../../backends/backend.js';
import { Tensor } from '../../core/tensor.js';
import { withInputs, type Input } from '../inputs.js';
import { add, div, greater, greaterEqual, less, lessEqual, logicalAnd, maximum, minimum, mul, sub, where } from './binary.js';
import { register, run1, spec, type OpDef } from '../registry.js';
import { sum } from '../reduce/reduce.js';
import { cast } from '../structure/shape.js';
import { checkMathInput, composed, unaryMath, type IntRule } from './unary-math.js';
import { ENGINE } from '../../core/engine.js';
import { viewAsReal } from './complex.js';
import { chain, checkFloat, checkTensor, describe, produce, storageOf } from '../util.js';

type NoAttrs = Record<string, never>;
const NO_ATTRS: NoAttrs = {};

/**
 * `int`: what an int32 input gives, as TF.js's cpu backend (see unary-math.ts): rejected (the
 * default), float32 ('float': exp), or int32 from int32 ops ('exact': relu, neg, abs, square).
 */
function unaryOp(op: UnaryOp, def: { compose?: (x: Tensor) => Tensor; save: 'x' | 'y';
  grad: (dy: Tensor, saved: Tensor) => Tensor; int?: IntRule; exactInt?: (x: Tensor) => Tensor }): OpDef<NoAttrs> {
  const rule = def.int ?? 'reject';
  const self: OpDef<NoAttrs> = register<NoAttrs>({
    name: op,
    inputs: ['x'],
    infer: ([x]) => spec(x.shape, checkMathInput(op, x, rule)),
    inferByShapes: true,
    kernel: {
      available: (backend, _, inputs) => inputs[0].dtype === 'float32' && backend.unary !== undefined && backend.unaryOps.has(op),
      run: (backend, inputs) => {
        // No closures: this runs for every activation.
        const x = inputs[0];
        const input = storageOf(x, op);
        const storage = backend.alloc(x.size, 'float32');
        try {
          backend.unary(op, input, storage, x.size);
        } catch (error) {
          backend.free(storage);
          throw error;
        }
        return [ENGINE.makeTensor(x.shape, 'float32', storage, backend)];
      },
    },
    compose: (def.compose || rule !== 'reject') ? ([x]) => [composed(x, rule, (float) => {
      if (float !== x) return run1(self, [float], NO_ATTRS); // an int32 input's cast
      if (!def.compose) throw new Error(`${op}: the active backend has no '${op}' kernel and ${op} has no composition`);
      return def.compose(float);
    }, def.exactInt)] : undefined,
    save: def.save === 'x' ? { inputs: [0] } : { outputs: [0] },
    grad: ([dy], [saved]) => [saved.dtype === 'float32' ? def.grad(dy, saved) : null],
  });
  return self;
}

const RELU = unaryOp('relu', {
  compose: (x) => maximum(x, 0), save: 'y', grad: (dy, y) => activationGrad('relu', dy, y), int: 'exact', exactInt: (x) => maximum(x, 0),
});
const SIGMOID = unaryOp('sigmoid', {
  compose: (x) => div(1, add(1, exp(neg(x)))), save: 'y', grad: (dy, y) => activationGrad('sigmoid', dy, y),
});
// 1 - 2 / (exp(2x) + 1) saturates to +-1 instead of overflowing to NaN.
const TANH = unaryOp('tanh', {
  compose: (x) => sub(1, div(2, add(exp(mul(x, 2)), 1))), save: 'y', grad: (dy, y) => activationGrad('tanh', dy, y),
});
const EXP = unaryOp('exp', { save: 'y', grad: (dy, y) => mul(dy, y), int: 'float' });
const LOG = unaryOp('log', { save: 'x', grad: (dy, x) => div(dy, x) });
const NEG = unaryOp('neg', { compose: (x) => mul(x, -1), save: 'x', grad: (dy) => neg(dy), int: 'exact', exactInt: (x) => mul(x, -1) });
const ABS = unaryOp('abs', {
  compose: (x) => mul(x, sign(x)), save: 'x', grad: (dy, x) => mul(dy, sign(x)), int: 'exact', exactInt: (x) => maximum(x, mul(x, -1)),
});
const SQRT = unaryOp('sqrt', { save: 'y', grad: (dy, y) => div(dy, mul(y, 2)) });
const SQUARE = unaryOp('square', {
  compose: (x) => mul(x, x), save: 'x', grad: (dy, x) => mul(dy, mul(x, 2)), int: 'exact', exactInt: (x) => mul(x, x),
});

/** The public function of a one-input op: values become a tensor (inputs.ts). */
function entry(op: string, def: OpDef<NoAttrs>, values?: 'float32'): (x: Input) => Tensor {
  const self = (x: Input): Tensor => (x instanceof Tensor ? run1(def, [x], NO_ATTRS) : withInputs(op, [['x', x, values]], ([t]) => self(t)));
  return self;
}
/** max(x, 0) element-wise (tf.relu). */
export const relu = entry('relu', RELU);
// Values become float32 where the op takes no int32, as TF.js parses them.
/** 1 / (1 + exp(-x)) element-wise (tf.sigmoid). */
export const sigmoid = entry('sigmoid', SIGMOID, 'float32');
/** The hyperbolic tangent of x element-wise (tf.tanh). */
export const tanh = entry('tanh', TANH, 'float32');
/** e to the power x element-wise (tf.exp). */
export const exp = entry('exp', EXP);
/** The natural logarithm of x element-wise (tf.log); NaN for negative x, -Infinity at 0. */
export const log = entry('log', LOG, 'float32');
/** -x element-wise (tf.neg). */
export const neg = entry('neg', NEG);
/** |x|; for complex64, the magnitude (float32, complexAbs below), as TF.js's abs. */
export const abs = (x: Input): Tensor => {
  if (!(x instanceof Tensor)) return withInputs('abs', [['x', x]], ([t]) => abs(t));
  return x.dtype === 'complex64' ? complexAbs(x) : run1(ABS, [x], NO_ATTRS);
};
/** The square root of x element-wise (tf.sqrt); NaN for negative x. */
export const sqrt = entry('sqrt', SQRT, 'float32');
/** x² element-wise (tf.square). */
export const square = entry('square', SQUARE);
/** -1, 0 or 1; NaN gives 0, as TF.js. */
export const sign = unaryMath('sign', {
  code: 'sign', int: 'exact', save: 'zeros',
  compose: (x) => sub(cast(greater(x, 0), 'float32'), cast(less(x, 0), 'float32')),
  exactInt: (x) => sub(cast(greater(x, 0), 'int32'), cast(less(x, 0), 'int32')),
});

const COMPLEX_ABS = register<NoAttrs>({
  name: 'complexAbs',
  inputs: ['x'],
  complex: true,
  infer([x]) {
    if (x.dtype !== 'complex64') throw new Error(`complexAbs: x must be complex64; received ${describe(x)}`);
    return spec(x.shape, 'float32');
  },
  compose: ([x]) => [ENGINE.tidy(() => sqrt(sum(square(viewAsReal(x)), -1)))],
  grad: 'composed',
});

/** |x| = sqrt(re^2 + im^2), float32: what tf.abs gives for complex64 (TF.js's ComplexAbs). */
export const complexAbs = (x: Tensor): Tensor => run1(COMPLEX_ABS, [checkTensor('abs', 'x', x)], {});


type Activation = 'relu' | 'sigmoid' | 'tanh';
/**
 * dy * f'(x) from y = f(x): relu (y > 0), sigmoid (y (1 - y)), tanh (1 - y^2). One kernel;
 * its own gradient is written with ops, so second derivatives of networks work.
 */
const ACTIVATION_GRAD = register<{ op: Activation }>({
  name: 'activationGrad',
  inputs: ['dy', 'y'],
  infer([dy, y], { op }) {
    checkFloat(`${op}Grad`, 'dy', dy);
    checkFloat(`${op}Grad`, 'y', y);
    if (dy.size !== y.size) throw new Error(`${op}Grad: dy has ${dy.size} values, y has ${y.size}`);
    return spec(y.shape, 'float32');
  },
  kernel: {
    available: (backend, { op }) => backend.unaryBackward !== undefined && backend.unaryOps.has(op),
    // relu's rule reads x > 0, which is y > 0; sigmoid's and tanh's read y.
    run: (backend, [dy, y], { op }) => [produce(y.shape, 'float32', (out) => backend.unaryBackward(op,
      storageOf(dy, `${op}Grad`), storageOf(y, `${op}Grad`), storageOf(y, `${op}Grad`), out, y.size))],
  },
  compose: ([dy, y], { op }) => [mul(dy, activationSlope(op, y))],
  save: { inputs: [0, 1] },
  grad: ([ddx], [dy, y], { op }, needs) => [
    needs[0] ? activationGrad(op, ddx, y) : null,
    // d/dy of dy * slope(y): relu's slope is piecewise constant.
    needs[1] && op !== 'relu' ? mul(mul(ddx, dy), op === 'sigmoid' ? sub(1, mul(y, 2)) : mul(y, -2)) : null,
  ],
});

function activationSlope(op: Activation, y: Tensor): Tensor {
  if (op === 'relu') return cast(greater(y, 0), 'float32');
  if (op === 'sigmoid') return mul(y, sub(1, y));
  return sub(1, mul(y, y));
}

export function activationGrad(op: Activation, dy: Tensor, y: Tensor): Tensor {
  return run1(ACTIVATION_GRAD, [dy, y], { op });
}

const CLIP = register<{ min: number; max: number }>({
  name: 'clipByValue',
  inputs: ['x'],
  infer([x], { min, max }) {
    // int32 clips to the bounds truncated, as TF.js's int32 storage gives them.
    checkMathInput('clipByValue', x, 'exact');
    if (typeof min !== 'number' || typeof max !== 'number') throw new Error(`clipByValue: min and max must be numbers; received ${min}, ${max}`);
    if (!(min <= max)) throw new Error(`clipByValue: min ${min} must be <= max ${max}`);
    return spec(x.shape, x.dtype);
  },
  // In a scope of its own: runOp gives a forward none, and maximum's result is an intermediate.
  compose: ([x], { min, max }) => [ENGINE.tidy(() => minimum(maximum(x, min), max))],
  save: { inputs: [0] },
  // As TF.js: the gradient passes where min <= x <= max.
  grad: ([dy], [x], { min, max }) => [x.dtype === 'float32' ? where(logicalAnd(greaterEqual(x, min), lessEqual(x, max)), dy, 0) : null],
});

/** x limited to [min, max] element-wise (tf.clipByValue); min must not exceed max. */
export function clipByValue(x: Input, min: number, max: number): Tensor {
  if (!(x instanceof Tensor)) return withInputs('clipByValue', [['x', x]], ([t]) => clipByValue(t, min, max));
  return run1(CLIP, [x], { min, max });
}

declare module '../../core/tensor.js' {
  interface Tensor {
    relu(): Tensor; sigmoid(): Tensor; tanh(): Tensor; exp(): Tensor; log(): Tensor; neg(): Tensor;
    abs(): Tensor; sign(): Tensor; sqrt(): Tensor; square(): Tensor; clipByValue(min: number, max: number): Tensor;
  }
}
chain({
  relu() { return relu(this); },
  sigmoid() { return sigmoid(this); },
  tanh() { return tanh(this); },
  exp() { return exp(this); },
  log() { return log(this); },
  neg() { return neg(this); },
  abs() { return abs(this); },
  sign() { return sign(this); },
  sqrt() { return sqrt(this); },
  square() { return square(this); },
  clipByValue(min: number, max: number) { return clipByValue(this, min, max); },
});
