/**
 * Activations and other per-element ops written with kernels of other ops: elu, selu,
 * leakyRelu, prelu, relu6, softplus, logSigmoid, step, divNoNan, addN. Each is one registry
 * entry with its own gradient (written with ops), which avoids the NaN a composition's
 * recorded gradient can give in its unused branch (elu's expm1 of a large x).
 * int32 inputs follow TF.js's cpu backend (see unary-math.ts).
 */
import type { Tensor } from '../../core/tensor.js';
import { add, broadcastShapes, div, equal, floorDiv, greater, less, lessEqual, maximum, minimum, mul, type Operand, where } from './binary.js';
import { zerosLike } from '../creation.js';
import { register, run1, spec, type OpDef } from '../registry.js';
import { cast } from '../structure/shape.js';
import { exp, neg, relu, sigmoid, abs } from './unary.js';
import { expm1, log1p } from './elementary.js';
import { checkMathInput, composed, makeInput, withInput, type IntRule, type MathInput } from './unary-math.js';
import { ENGINE } from '../../core/engine.js';
import { scalar } from '../creation.js';
import { chain, describe, produce, refuseComplex, storageOf, toTensor } from '../util.js';
import { DEFAULT_LEAKY_ALPHA, hasKernel, type EpilogueOp } from '../../backends/backend.js';

type NoAttrs = Record<string, never>;

/** TF.js's selu constants (Klambauer et al.). */
const SELU_SCALE = 1.0507009873554805;
const SELU_SCALE_ALPHA = 1.7580993408473766;

interface Activation<A> {
  name: string;
  int: IntRule;
  float: (x: Tensor, attrs: A) => Tensor;
  /** 'exact' int32 path; 'truncate' / 'float' cast around `float`. */
  exactInt?: (x: Tensor, attrs: A) => Tensor;
  save: 'x' | 'y';
  grad: (dy: Tensor, saved: Tensor, attrs: A) => Tensor;
  /** The backend's one-pass `activation` kernel for a float32 x, where it has one: the epilogue code and its alpha. */
  kernel?: { op: EpilogueOp; alpha?: (attrs: A) => number };
}

function activation<A>(a: Activation<A>): OpDef<A> {
  const fast = a.kernel;
  return register<A>({
    name: a.name,
    inputs: ['x'],
    infer: ([x]) => spec(x.shape, checkMathInput(a.name, x, a.int)),
    kernel: fast && {
      available: (backend, _, [x]) => x.dtype === 'float32' && hasKernel(backend, 'activation'),
      run: (backend, [x], attrs) => [produce(x.shape, 'float32',
        (out) => backend.activation(fast.op, storageOf(x, a.name), out, x.size, fast.alpha ? fast.alpha(attrs) : DEFAULT_LEAKY_ALPHA))],
    },
    compose: ([x], attrs) => [composed(x, a.int, (t) => a.float(t, attrs), a.exactInt && ((t) => a.exactInt!(t, attrs)))],
    save: a.save === 'x' ? { inputs: [0] } : { outputs: [0] },
    grad: ([dy], [saved], attrs) => [saved.dtype === 'float32' ? a.grad(dy, saved, attrs) : null],
  });
}

const ELU = activation<NoAttrs>({
  name: 'elu', int: 'reject', save: 'y', kernel: { op: 'elu' },
  float: (x) => where(greater(x, 0), x, expm1(x)),
  // TF.js's EluGrad: dy where y >= 0, dy (y + 1) below.
  grad: (dy, y) => where(less(y, 0), mul(dy, add(y, 1)), dy),
});
const SELU = activation<NoAttrs>({
  name: 'selu', int: 'truncate', save: 'x',
  float: (x) => where(greater(x, 0), mul(x, SELU_SCALE), mul(expm1(x), SELU_SCALE_ALPHA)),
  grad: (dy, x) => mul(dy, where(greater(x, 0), SELU_SCALE, mul(exp(x), SELU_SCALE_ALPHA))),
});
const RELU6 = activation<NoAttrs>({
  name: 'relu6', int: 'exact', save: 'x', kernel: { op: 'relu6' },
  float: (x) => minimum(maximum(x, 0), 6),
  exactInt: (x) => minimum(maximum(x, 0), 6),
  // As TF.js: the gradient passes where 0 < x <= 6, and is NaN where x is (step keeps NaN).
  grad: (dy, x) => mul(dy, run1(STEP, [x], { alpha: 0 }).mul(cast(lessEqual(x, 6), 'float32'))),
});
// max(x, 0) + log1p(e^-|x|): no overflow for large x, full accuracy for very negative x.
const SOFTPLUS = activation<NoAttrs>({
  name: 'softplus', int: 'truncate', save: 'x',
  float: (x) => add(relu(x), log1p(exp(neg(abs(x))))),
  grad: (dy, x) => mul(dy, sigmoid(x)),
});
const LOG_SIGMOID = activation<NoAttrs>({
  name: 'logSigmoid', int: 'truncate', save: 'x',
  float: (x) => neg(softplus(neg(x))),
  grad: (dy, x) => mul(dy, sigmoid(neg(x))),
});
const LEAKY_RELU = activation<{ alpha: number }>({
  name: 'leakyRelu', int: 'float', save: 'x', kernel: { op: 'leakyRelu', alpha: ({ alpha }) => alpha },
  float: (x, { alpha }) => where(less(x, 0), mul(x, alpha), x),
  grad: (dy, x, { alpha }) => where(greater(x, 0), dy, mul(dy, alpha)),
});
// NaN stays NaN, as TF.js's step.
const STEP = activation<{ alpha: number }>({
  name: 'step', int: 'exact', save: 'x',
  float: (x, { alpha }) => where(greater(x, 0), 1, where(equal(x, x), alpha, x)),
  exactInt: (x, { alpha }) => where(greater(x, 0), scalar(1, 'int32'), scalar(Math.trunc(alpha), 'int32')),
  grad: (dy) => zerosLike(dy),
});

/** The exponential linear unit, x for x > 0 else exp(x) - 1, element-wise (tf.elu). */
export const elu = (x: MathInput): Tensor => withInput('elu', x, (t) => run1(ELU, [t], {}), 'float32');
/** The scaled exponential linear unit element-wise, with the standard alpha and scale (tf.selu). */
export const selu = (x: MathInput): Tensor => withInput('selu', x, (t) => run1(SELU, [t], {}));
/** min(max(x, 0), 6) element-wise (tf.relu6). */
export const relu6 = (x: MathInput): Tensor => withInput('relu6', x, (t) => run1(RELU6, [t], {}));
/** log(1 + exp(x)) element-wise, computed stably (tf.softplus). */
export const softplus = (x: MathInput): Tensor => withInput('softplus', x, (t) => run1(SOFTPLUS, [t], {}));
/** log(sigmoid(x)) element-wise, computed stably (tf.logSigmoid). */
export const logSigmoid = (x: MathInput): Tensor => withInput('logSigmoid', x, (t) => run1(LOG_SIGMOID, [t], {}));
/** x for x > 0 else alpha × x, element-wise (tf.leakyRelu); alpha defaults to 0.2. */
export function leakyRelu(x: MathInput, alpha = 0.2): Tensor {
  checkNumber('leakyRelu', 'alpha', alpha);
  return withInput('leakyRelu', x, (t) => run1(LEAKY_RELU, [t], { alpha }));
}
/** 1 for x > 0 else alpha, element-wise (tf.step); alpha defaults to 0. */
export function step(x: MathInput, alpha = 0): Tensor {
  checkNumber('step', 'alpha', alpha);
  return withInput('step', x, (t) => run1(STEP, [t], { alpha }));
}

function checkNumber(op: string, name: string, value: unknown): void {
  if (typeof value !== 'number') throw new Error(`${op}: '${name}' must be a number; received ${typeof value}`);
}

/** Whether `alpha` (leading 1s aside) is `x`'s last axes: alpha[i % alpha.size] is x[i]'s slope, and x keeps its shape. */
function repeatsOver(alpha: readonly number[], x: readonly number[]): boolean {
  let lead = 0;
  while (lead < alpha.length && alpha[lead] === 1) lead++;
  const tail = alpha.length - lead;
  if (alpha.length > x.length || tail > x.length) return false;
  for (let i = 0; i < tail; i++) if (alpha[lead + i] !== x[x.length - tail + i]) return false;
  return true;
}

const PRELU = register<NoAttrs>({
  name: 'prelu',
  inputs: ['x', 'alpha'],
  infer([x, alpha]) {
    for (const [name, t] of [['x', x], ['alpha', alpha]] as const) {
      if (t.dtype !== 'float32') throw new Error(`prelu: '${name}' must be float32 here; received ${describe(t)}`);
    }
    return spec(broadcastShapes('prelu', x.shape, alpha.shape), 'float32');
  },
  // One pass where alpha repeats along x's last axes (a slope per channel), x giving the shape; the
  // kernel's rows are alpha.size long, so a single slope (rows of one) stays with the composition.
  kernel: {
    available: (backend, _, [x, alpha]) => hasKernel(backend, 'prelu') && alpha.size >= 4 && repeatsOver(alpha.shape, x.shape),
    run: (backend, [x, alpha]) => [produce(x.shape, 'float32',
      (out) => backend.prelu(storageOf(x, 'prelu'), storageOf(alpha, 'prelu'), out, x.size, alpha.size))],
  },
  compose: ([x, alpha]) => [ENGINE.tidy(() => where(less(x, 0), mul(x, alpha), x))],
  save: { inputs: [0, 1] },
  broadcasts: true,
  grad: ([dy], [x, alpha], _, needs) => {
    const positive = greater(x, 0);
    return [needs[0] ? where(positive, dy, mul(dy, alpha)) : null, needs[1] ? where(positive, 0, mul(dy, x)) : null];
  },
});

/** x where x >= 0, alpha * x below (alpha broadcasts to x); int32 gives float32, as TF.js. */
export function prelu(x: MathInput, alpha: MathInput): Tensor {
  return withInput('prelu', x, (t) => {
    const a = toTensor('prelu', 'alpha', alpha, undefined, makeInput);
    const made = a.made ? [a.tensor] : [];
    try {
      const [fx, fa] = [t, a.tensor].map((v) => (v.dtype === 'int32' ? made[made.push(cast(v, 'float32')) - 1] : v));
      return run1(PRELU, [fx, fa], {});
    } finally {
      for (const m of made) m.dispose();
    }
  });
}

const DIV_NO_NAN = register<NoAttrs>({
  name: 'divNoNan',
  inputs: ['a', 'b'],
  infer([a, b]) {
    if (a.dtype !== 'float32' || b.dtype !== 'float32') {
      throw new Error(`divNoNan: operands must be float32 here; received a ${describe(a)}, b ${describe(b)}`);
    }
    return spec(broadcastShapes('divNoNan', a.shape, b.shape), 'float32');
  },
  compose: ([a, b]) => [ENGINE.tidy(() => where(equal(b, 0), 0, div(a, b)))],
  save: { inputs: [0, 1] },
  broadcasts: true,
  // Zero where b is 0 (TF.js's composed gradient gives NaN there).
  grad: ([dy], [a, b], _, needs) => {
    const zero = equal(b, 0);
    const safe = where(zero, 1, b);
    return [needs[0] ? where(zero, 0, div(dy, safe)) : null,
      needs[1] ? where(zero, 0, neg(div(mul(dy, a), mul(safe, safe)))) : null];
  },
});

/** a / b, and 0 where b is 0; two int32 operands divide as floorDiv (x / 0 = 0), as TF.js. */
export function divNoNan(a: Operand, b: Operand): Tensor {
  refuseComplex('divNoNan', 'a', a);
  refuseComplex('divNoNan', 'b', b);
  const left = toTensor('divNoNan', 'a', a, undefined, makeInput);
  const right = toTensor('divNoNan', 'b', b, undefined, makeInput);
  const made = [left, right].filter((t) => t.made).map((t) => t.tensor);
  try {
    const [x, y] = [left.tensor, right.tensor];
    if (x.dtype === 'int32' && y.dtype === 'int32') return floorDiv(x, y);
    const [fx, fy] = [x, y].map((v) => (v.dtype === 'float32' ? v : made[made.push(cast(v, 'float32')) - 1]));
    return run1(DIV_NO_NAN, [fx, fy], {});
  } finally {
    for (const m of made) m.dispose();
  }
}

const ADD_N = register<NoAttrs>({
  name: 'addN',
  inputs: [],
  infer(tensors) {
    if (tensors.length === 0) throw new Error('addN: expected a non-empty list of tensors');
    const [first] = tensors;
    tensors.forEach((t, i) => {
      if (t.dtype !== first.dtype || t.shape.join() !== first.shape.join()) {
        throw new Error(`addN: all tensors must have the same shape and dtype; tensors[0] is ${describe(first)}, ` +
          `tensors[${i}] is ${describe(t)}`);
      }
    });
    if (first.dtype === 'bool') throw new Error(`addN: not defined for bool tensors (${describe(first)})`);
    return spec(first.shape, first.dtype);
  },
  compose: (tensors) => [ENGINE.tidy(() => tensors.slice(1).reduce((sum, t) => add(sum, t), tensors[0]))],
  grad: 'composed',
});

/** The sum of same-shaped, same-dtype tensors (or values made float32 ones; no broadcasting, as TF.js). */
export function addN(tensors: MathInput[]): Tensor {
  if (!Array.isArray(tensors)) throw new Error('addN: expected an array of tensors');
  const inputs = tensors.map((t, i) => toTensor('addN', `tensors[${i}]`, t, undefined, makeInput));
  try {
    const list = inputs.map((t) => t.tensor);
    // A single tensor comes back as a new handle, so the caller owns what it gets.
    return list.length === 1 ? add(list[0], 0) : run1(ADD_N, list, {});
  } finally {
    for (const t of inputs) if (t.made) t.tensor.dispose();
  }
}

declare module '../../core/tensor.js' {
  interface Tensor {
    elu(): Tensor; selu(): Tensor; relu6(): Tensor; softplus(): Tensor; logSigmoid(): Tensor;
    leakyRelu(alpha?: number): Tensor; step(alpha?: number): Tensor; prelu(alpha: MathInput): Tensor;
    divNoNan(b: Operand): Tensor;
  }
}
chain({
  elu() { return elu(this); },
  selu() { return selu(this); },
  relu6() { return relu6(this); },
  softplus() { return softplus(this); },
  logSigmoid() { return logSigmoid(this); },
  leakyRelu(alpha?: number) { return leakyRelu(this, alpha); },
  step(alpha?: number) { return step(this, alpha); },
  prelu(alpha: MathInput) { return prelu(this, alpha); },
  divNoNan(b: Operand) { return divNoNan(this, b); },
});
