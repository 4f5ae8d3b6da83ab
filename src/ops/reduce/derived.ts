/**
 * More reductions, as TF.js defines them: prod (scans), all / any ('bool'), argMin,
 * logSumExp and logSoftmax (max-subtracted, with their own gradients), and the compositions
 * norm, euclideanNorm and moments.
 */
import { ENGINE } from '../../core/engine.js';
import type { Shape, Tensor } from '../../core/tensor.js';
import { sub, mul } from '../math/binary.js';
import { fill } from '../creation.js';
import { register, run1, spec } from '../registry.js';
import { argMax, max, mean, min, reducedShape, resolveAxes, resolveReduceAxis, spread, sum, type ReduceAttrs } from './reduce.js';
import { cumprod } from './scan.js';
import { cast, clone, reshape, slice, transpose } from '../structure/shape.js';
import { abs, exp, log, neg, sqrt, square } from '../math/unary.js';
import { chain, checkTensor, describe, produce, refuseComplex, resolveAxis, sizeOf, storageOf } from '../util.js';
import { withInputs, type Input } from '../inputs.js';

/** Runs `f` on x, cast to `dtype` first when it is not (freeing the cast). */
function asDType(x: Tensor, dtype: 'float32' | 'int32', f: (t: Tensor) => Tensor): Tensor {
  if (x.dtype === dtype) return f(x);
  const t = cast(x, dtype);
  try { return f(t); } finally { t.dispose(); }
}

const PROD = register<ReduceAttrs>({
  name: 'prod',
  inputs: ['x'],
  infer([x], attrs) {
    if (x.dtype === 'bool') throw new Error(`prod: x must be float32 or int32; received ${describe(x)}`);
    return spec(reducedShape(x, attrs), x.dtype);
  },
  // The last element of a running product along each reduced axis (the scan kernel).
  compose: ([x], attrs, [out]) => ENGINE.tidy(() => {
    if (attrs.axes.some((a) => x.shape[a] === 0)) return [fill(out.shape, 1, x.dtype)];
    let y = x;
    for (const a of [...attrs.axes].reverse()) {
      const begin = y.shape.map((_, i) => (i === a ? y.shape[a] - 1 : 0));
      y = slice(cumprod(y, a), begin, y.shape.map((d, i) => (i === a ? 1 : d)));
    }
    return [y === x ? clone(x) : reshape(y, out.shape)];
  }),
  save: { inputs: [0] },
  // As TF.js: the reduced axes moved last and merged; dx = dy * (exclusive cumprod from the
  // left) * (exclusive cumprod from the right), exact where x has zeros.
  grad: ([dy], [x], { axes, inShape }) => {
    const kept = inShape.map((_, i) => i).filter((i) => !axes.includes(i));
    const perm = [...kept, ...axes];
    const moved = transpose(x, perm);
    const n = sizeOf(axes.map((a) => inShape[a]));
    const rows = reshape(moved, [...kept.map((a) => inShape[a]), n]);
    const last = rows.rank - 1;
    const others = mul(cumprod(rows, last, true, false), cumprod(rows, last, true, true));
    const grad = mul(reshape(dy, [...kept.map((a) => inShape[a]), 1]), others);
    return [transpose(reshape(grad, moved.shape), perm.map((_, i) => perm.indexOf(i)))];
  },
});

function reduceArgs(op: string, x: Tensor, axis: number | number[] | undefined | null, keepDims: boolean): ReduceAttrs {
  checkTensor(op, 'x', x);
  return { axes: resolveAxes(op, x, axis ?? undefined), keepDims: Boolean(keepDims), inShape: x.shape };
}

/** tf.prod(x, axis?, keepDims?): int32 stays int32 (bool is read as int32), as TF.js. */
export function prod(x: Input, axis?: number | number[] | null, keepDims = false): Tensor {
  return withInputs('prod', [['x', x]], ([t]) => prodOf(t, axis, keepDims));
}
function prodOf(x: Tensor, axis?: number | number[] | null, keepDims = false): Tensor {
  const attrs = reduceArgs('prod', x, axis, keepDims);
  return x.dtype === 'bool' ? asDType(x, 'int32', (t) => run1(PROD, [t], attrs)) : run1(PROD, [x], attrs);
}

function logicalReduce(name: 'all' | 'any') {
  return register<ReduceAttrs>({
    name,
    inputs: ['x'],
    infer([x], attrs) {
      if (x.dtype !== 'bool') throw new Error(`${name}: x must be a 'bool' tensor; received ${describe(x)}`);
      return spec(reducedShape(x, attrs), 'bool');
    },
    // An empty axis gives the identity: true for all, false for any.
    compose: ([x], attrs, [out]) => ENGINE.tidy(() => [attrs.axes.some((a) => x.shape[a] === 0)
      ? fill(out.shape, name === 'all' ? 1 : 0, 'bool')
      : cast((name === 'all' ? min : max)(cast(x, 'int32'), attrs.axes, attrs.keepDims), 'bool')]),
    grad: 'none',
  });
}
const ALL = logicalReduce('all');
const ANY = logicalReduce('any');

/** tf.all(x, axis?, keepDims?): logical and over the axes of a 'bool' tensor. */
export function all(x: Input, axis?: number | number[] | null, keepDims = false): Tensor {
  return withInputs('all', [['x', x, 'bool']], ([t]) => allOf(t, axis, keepDims));
}
function allOf(x: Tensor, axis?: number | number[] | null, keepDims = false): Tensor {
  return run1(ALL, [x], reduceArgs('all', x, axis, keepDims));
}
/** tf.any(x, axis?, keepDims?): logical or over the axes of a 'bool' tensor. */
export function any(x: Input, axis?: number | number[] | null, keepDims = false): Tensor {
  return withInputs('any', [['x', x, 'bool']], ([t]) => anyOf(t, axis, keepDims));
}
function anyOf(x: Tensor, axis?: number | number[] | null, keepDims = false): Tensor {
  return run1(ANY, [x], reduceArgs('any', x, axis, keepDims));
}

const ARG_MIN = register<{ axis: number }>({
  name: 'argMin',
  inputs: ['x'],
  infer([x], { axis }) {
    if (x.shape[axis] === 0) throw new Error(`argMin: axis ${axis} of ${describe(x)} is empty`);
    return spec(x.shape.filter((_, i) => i !== axis), 'int32');
  },
  // The argMax kernel's min form: one pass, no negated copy; the first NaN wins, as argMax.
  kernel: {
    available: (backend, _, [x]) => backend.argMax !== undefined && x.dtype === 'float32',
    run: (backend, [x], { axis }, [out]) => [produce(out.shape, 'int32', (storage) => backend.argMax(storageOf(x, 'argMin'),
      storage, sizeOf(x.shape.slice(0, axis)), x.shape[axis], sizeOf(x.shape.slice(axis + 1)), true))],
  },
  // argMax of -x: the first minimum, and a NaN as argMax takes it (the first NaN wins).
  compose: ([x], { axis }) => ENGINE.tidy(() => [argMax(neg(x.dtype === 'float32' ? x : cast(x, 'float32')), axis)]),
  grad: 'none',
});

/** tf.argMin(x, axis = 0): index (int32) of the first minimum along the axis (of a bool tensor, the first false). */
export function argMin(x: Input, axis = 0): Tensor {
  return withInputs('argMin', [['x', x]], ([t]) => argMinOf(t, axis));
}
function argMinOf(x: Tensor, axis = 0): Tensor {
  checkTensor('argMin', 'x', x);
  return run1(ARG_MIN, [x], { axis: resolveReduceAxis('argMin', axis, x.rank) });
}

const LOG_SUM_EXP = register<ReduceAttrs>({
  name: 'logSumExp',
  inputs: ['x'],
  infer([x], attrs) {
    if (x.dtype !== 'float32') throw new Error(`logSumExp: x must be float32; received ${describe(x)}`);
    return spec(reducedShape(x, attrs), 'float32');
  },
  // max + log(sum(exp(x - max))), as TF.js composes it.
  compose: ([x], { axes }, [out]) => ENGINE.tidy(() => {
    const m = max(x, axes, true);
    return [reshape(log(sum(exp(sub(x, m)), axes, true)).add(m), out.shape)];
  }),
  save: { inputs: [0], outputs: [0] },
  grad: ([dy], [x, y], attrs) => [mul(spread(dy, attrs), exp(sub(x, spread(y, attrs))))],
});

/** tf.logSumExp(x, axis?, keepDims?): log(sum(exp(x))) over the axes, computed stably. */
export function logSumExp(x: Input, axis?: number | number[] | null, keepDims = false): Tensor {
  refuseComplex('logSumExp', 'x', x);
  return withInputs('logSumExp', [['x', x]], ([t]) => logSumExpOf(t, axis, keepDims));
}
function logSumExpOf(x: Tensor, axis?: number | number[] | null, keepDims = false): Tensor {
  const attrs = reduceArgs('logSumExp', x, axis, keepDims);
  return asDType(x, 'float32', (t) => run1(LOG_SUM_EXP, [t], attrs));
}

const LOG_SOFTMAX = register<{ axis: number }>({
  name: 'logSoftmax',
  inputs: ['logits'],
  infer([x], { axis }) {
    if (x.dtype !== 'float32') throw new Error(`logSoftmax: logits must be float32; received ${describe(x)}`);
    if (axis !== x.rank - 1) {
      throw new Error(`logSoftmax: only the last axis (${x.rank - 1}) is supported, as in TF.js; received axis ${axis}`);
    }
    return spec(x.shape, 'float32');
  },
  compose: ([x], { axis }) => ENGINE.tidy(() => [sub(x, logSumExp(x, axis, true))]),
  save: { outputs: [0] },
  grad: ([dy], [y], { axis }) => [sub(dy, mul(sum(dy, axis, true), exp(y)))],
});

/** log(softmax(logits)) along `axis` (default -1, the last), computed stably (tf.logSoftmax). */
export function logSoftmax(logits: Input, axis = -1): Tensor {
  return withInputs('logSoftmax', [['logits', logits, 'float32']], ([t]) => logSoftmaxOf(t, axis));
}
function logSoftmaxOf(logits: Tensor, axis = -1): Tensor {
  checkTensor('logSoftmax', 'logits', logits);
  if (logits.rank === 0) throw new Error(`logSoftmax: logits must have rank >= 1; received ${describe(logits)}`);
  return run1(LOG_SOFTMAX, [logits], { axis: resolveAxis('logSoftmax', axis, logits.rank) });
}

export type NormOrd = number | 'euclidean' | 'fro';

/** tf.norm(x, ord = 'euclidean', axis = null, keepDims = false): vector and matrix norms. */
export function norm(x: Input, ord: NormOrd = 'euclidean', axis: number | number[] | null = null, keepDims = false): Tensor {
  refuseComplex('norm', 'x', x);
  return withInputs('norm', [['x', x]], ([t]) => normOf2(t, ord, axis, keepDims));
}
function normOf2(x: Tensor, ord: NormOrd = 'euclidean', axis: number | number[] | null = null, keepDims = false): Tensor {
  checkTensor('norm', 'x', x);
  return ENGINE.tidy(() => {
    const t = x.dtype === 'float32' ? x : cast(x, 'float32');
    const result = normOf(t, ord, axis);
    if (!keepDims || x.rank === 0) return result;
    const axes = resolveAxes('norm', x, axis ?? undefined);
    return reshape(result, x.shape.map((d, i) => (axes.includes(i) ? 1 : d)));
  });
}

function normOf(x: Tensor, ord: NormOrd, axis: number | number[] | null): Tensor {
  if (x.rank === 0) return abs(x);
  if (axis === null || axis === undefined) return normOf(reshape(x, [x.size]), ord, 0);
  const axes = (Array.isArray(axis) ? axis : [axis]).map((a) => resolveAxis('norm', a, x.rank));
  if (axes.length === 1) {
    if (ord === 1) return sum(abs(x), axes);
    if (ord === Infinity) return max(abs(x), axes);
    if (ord === -Infinity) return min(abs(x), axes);
    if (ord === 'euclidean' || ord === 2) return sqrt(sum(square(x), axes));
    throw new Error(`norm: invalid ord ${String(ord)} for a vector norm; expected 1, 2, Infinity, -Infinity or 'euclidean'`);
  }
  if (axes.length === 2 && axes[0] !== axes[1]) {
    const [a0, a1] = axes;
    // After reducing one axis, the other's number drops by one if it came after it.
    const after = (kept: number, gone: number) => (kept > gone ? kept - 1 : kept);
    if (ord === 1) return max(sum(abs(x), a0), after(a1, a0));
    if (ord === Infinity) return max(sum(abs(x), a1), after(a0, a1));
    if (ord === -Infinity) return min(sum(abs(x), a1), after(a0, a1));
    if (ord === 'fro' || ord === 'euclidean') return sqrt(sum(square(x), axes));
    throw new Error(`norm: invalid ord ${String(ord)} for a matrix norm; expected 1, Infinity, -Infinity, 'fro' or 'euclidean'`);
  }
  throw new Error(`norm: invalid axis [${axes}]; expected one axis or two different axes`);
}

/** tf.euclideanNorm(x, axis?, keepDims?). */
export function euclideanNorm(x: Input, axis: number | number[] | null = null, keepDims = false): Tensor {
  refuseComplex('euclideanNorm', 'x', x);
  return norm(x, 'euclidean', axis, keepDims);
}

/** tf.moments(x, axes?, keepDims?): { mean, variance } over the axes (float32). */
export function moments(x: Input, axis: number | number[] | null = null, keepDims = false): { mean: Tensor; variance: Tensor } {
  refuseComplex('moments', 'x', x);
  return withInputs('moments', [['x', x]], ([t]) => momentsOf(t, axis, keepDims));
}
function momentsOf(x: Tensor, axis: number | number[] | null = null, keepDims = false): { mean: Tensor; variance: Tensor } {
  checkTensor('moments', 'x', x);
  const axes = resolveAxes('moments', x, axis ?? undefined);
  return ENGINE.tidy(() => {
    const t = x.dtype === 'float32' ? x : cast(x, 'float32');
    const average = mean(t, axes, keepDims);
    const keptShape: Shape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const variance = mean(square(sub(t, reshape(average, keptShape))), axes, keepDims);
    return { mean: average, variance };
  });
}

declare module '../../core/tensor.js' {
  interface Tensor {
    prod(axis?: number | number[] | null, keepDims?: boolean): Tensor;
    all(axis?: number | number[] | null, keepDims?: boolean): Tensor;
    any(axis?: number | number[] | null, keepDims?: boolean): Tensor;
    argMin(axis?: number): Tensor;
    logSumExp(axis?: number | number[] | null, keepDims?: boolean): Tensor;
    logSoftmax(axis?: number): Tensor;
    norm(ord?: NormOrd, axis?: number | number[] | null, keepDims?: boolean): Tensor;
    euclideanNorm(axis?: number | number[] | null, keepDims?: boolean): Tensor;
  }
}
chain({
  prod(axis?: number | number[] | null, keepDims?: boolean) { return prod(this, axis, keepDims); },
  all(axis?: number | number[] | null, keepDims?: boolean) { return all(this, axis, keepDims); },
  any(axis?: number | number[] | null, keepDims?: boolean) { return any(this, axis, keepDims); },
  argMin(axis?: number) { return argMin(this, axis); },
  logSumExp(axis?: number | number[] | null, keepDims?: boolean) { return logSumExp(this, axis, keepDims); },
  logSoftmax(axis?: number) { return logSoftmax(this, axis); },
  norm(ord?: NormOrd, axis?: number | number[] | null, keepDims?: boolean) { return norm(this, ord, axis, keepDims); },
  euclideanNorm(axis?: number | number[] | null, keepDims?: boolean) { return euclideanNorm(this, axis, keepDims); },
});
