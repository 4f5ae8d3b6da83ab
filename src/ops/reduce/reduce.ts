/**
 * Reductions over axes: sum, max, min (kernels), mean (composed), argMax. Broadcast gradients
 * are summed by registry.ts's sumToShape, which runs `sum` by name. derived.ts adds prod,
 * all, any, argMin, logSumExp, logSoftmax, norm, euclideanNorm and moments.
 */
import type { ReduceOp } from '../../backends/backend.js';
import { ENGINE } from '../../core/engine.js';
import { Tensor, type Shape } from '../../core/tensor.js';
import { withInputs, type Input } from '../inputs.js';
import { cast, broadcastTo, reshape } from '../structure/shape.js';
import { onPairs } from '../math/complex-views.js';
import { affine, equal, mul } from '../math/binary.js';
import { register, registeredOps, run1, spec, type OpDef } from '../registry.js';
import { chain, checkTensor, describe, produce, sizeOf, storageOf } from '../util.js';

/**
 * The axes of a reduction, sorted. As TF.js: no axis (or null) is every axis, and an axis
 * must lie in [-rank, rank), so a 0-d tensor has none to name (reduce it with no axis or
 * []). Unlike TF.js, which silently gives a wrong result for `sum(x, [1, 1])`, an axis named
 * twice is refused.
 */
export function resolveAxes(op: string, x: Tensor, axis?: number | number[]): number[] {
  if (axis === undefined || axis === null) return [...x.shape.keys()];
  const list = Array.isArray(axis) ? axis : [axis];
  const axes = list.map((a) => resolveReduceAxis(op, a, x.rank));
  const repeated = axes.find((a, i) => axes.indexOf(a) !== i);
  if (repeated !== undefined) {
    throw new Error(`${op}: axis [${list.join(', ')}] names axis ${repeated} more than once; expected distinct axes`);
  }
  return axes.sort((a, b) => a - b);
}

/** One axis of a tensor of rank `rank`, in [-rank, rank) (none for a 0-d tensor), made non-negative. */
export function resolveReduceAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new Error(`${op}: axis ${axis} is out of range for a tensor of rank ${rank}; expected an integer in ` +
      (rank === 0 ? '[] (a 0-d tensor has no axis: pass no axis, or [])' : `[${-rank}, ${rank - 1}]`));
  }
  return axis < 0 ? axis + rank : axis;
}

/** `inShape`: the input's shape, which the gradient spreads back to. */
export interface ReduceAttrs { axes: number[]; keepDims: boolean; inShape: Shape }

export function reducedShape(x: Tensor, { axes, keepDims }: ReduceAttrs): Shape {
  return keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
}

/** One reduction of x over `axes`, as kernel calls on [outer, length, inner] views. */
function reduceKernel(op: ReduceOp, x: Tensor, axes: number[], shape: Shape): Tensor {
  const backend = ENGINE.backend;
  if (axes.length === 0) return produce(shape, x.dtype, (out) => backend.copyStrided(storageOf(x, op), out, [x.size], [1], 0, [1], 0));
  if (axes.length === x.rank) return produce(shape, x.dtype, (out) => backend.reduce!(op, storageOf(x, op), out, 1, x.size, 1));
  if (axes.length === 1) {
    // One axis (a bias gradient, a row sum): one kernel call straight into the output, no view.
    const a = axes[0];
    let outer = 1, inner = 1;
    for (let i = 0; i < a; i++) outer *= x.shape[i];
    for (let i = a + 1; i < x.rank; i++) inner *= x.shape[i];
    const input = storageOf(x, op);
    const storage = backend.alloc(outer * inner, x.dtype);
    try {
      backend.reduce!(op, input, storage, outer, x.shape[a], inner);
    } catch (error) {
      backend.free(storage);
      throw error;
    }
    return ENGINE.makeTensor(shape, x.dtype, storage, backend);
  }
  // Highest axis first, so lower axis numbers stay valid.
  let y = x;
  for (const a of [...axes].reverse()) {
    const outer = sizeOf(y.shape.slice(0, a));
    const inner = sizeOf(y.shape.slice(a + 1));
    const from = y;
    const next = produce(y.shape.filter((_, i) => i !== a), y.dtype,
      (out) => backend.reduce!(op, storageOf(from, op), out, outer, from.shape[a], inner));
    if (y !== x) y.dispose();
    y = next;
  }
  const result = ENGINE.makeView(y, shape);
  y.dispose();
  return result;
}

/** dy (the reduced shape) spread back over the reduced axes. */
export function spread(dy: Tensor, { axes, inShape }: ReduceAttrs): Tensor {
  return broadcastTo(reshape(dy, inShape.map((d, i) => (axes.includes(i) ? 1 : d))), inShape);
}

function reduceOp(op: ReduceOp) {
  return register<ReduceAttrs>({
    name: op,
    inputs: ['x'],
    infer([x], attrs) {
      // max / min of bool is bool (any / all), as TF.js; sum's entry makes bool int32.
      if (op === 'sum' && x.dtype === 'bool') throw new Error(`${op}: not defined for bool tensors (${describe(x)}); cast first`);
      if (op !== 'sum' && attrs.axes.some((a) => x.shape[a] === 0)) {
        throw new Error(`${op}: cannot reduce an empty axis of ${describe(x)}`);
      }
      return spec(reducedShape(x, attrs), x.dtype);
    },
    // The reduce kernels are float32; int32 and bool go through float32 (int32 exact below 2^24).
    kernel: {
      available: (backend, _, [x]) => backend.reduce !== undefined && x.dtype === 'float32',
      run: (_, [x], attrs, [out]) => [reduceKernel(op, x, attrs.axes, out.shape)],
    },
    compose: ([x], attrs) => [cast(run1(registeredOps().get(op) as OpDef<ReduceAttrs>, [cast(x, 'float32')], attrs), x.dtype)],
    save: op === 'sum' ? undefined : { inputs: [0], outputs: [0] },
    grad: ([dy], saved, attrs) => {
      if (op === 'sum') return [spread(dy, attrs)];
      // max / min: the gradient goes to every position that equals the extreme.
      const [x, y] = saved;
      return [mul(spread(dy, attrs), cast(equal(x, spread(y, attrs)), 'float32'))];
    },
  });
}

const SUM = reduceOp('sum');
const MAX = reduceOp('max');
const MIN = reduceOp('min');

function reduce(def: typeof SUM, x: Tensor, axis: number | number[] | undefined, keepDims: boolean): Tensor {
  checkTensor(def.name, 'x', x);
  return run1(def, [x], { axes: resolveAxes(def.name, x, axis), keepDims, inShape: x.shape });
}

/** The sum over `axis` (default: every axis) (tf.sum); keepDims defaults to false. bool sums as int32. */
export function sum(x: Input, axis?: number | number[], keepDims = false): Tensor {
  if (!(x instanceof Tensor)) return withInputs('sum', [['x', x]], ([t]) => sum(t, axis, keepDims));
  // TF.js sums bool as int32.
  if (checkTensor('sum', 'x', x).dtype === 'bool') {
    const asInt = cast(x, 'int32');
    try { return reduce(SUM, asInt, axis, keepDims); } finally { asInt.dispose(); }
  }
  return reduce(SUM, x, axis, keepDims);
}
/**
 * The maximum over `axis` (default: every axis) (tf.max); keepDims defaults to false. A bool
 * tensor reduces to bool, as TF.js: true where any element is true.
 */
export function max(x: Input, axis?: number | number[], keepDims = false): Tensor {
  return x instanceof Tensor ? reduce(MAX, x, axis, keepDims) : withInputs('max', [['x', x]], ([t]) => max(t, axis, keepDims));
}
/**
 * The minimum over `axis` (default: every axis) (tf.min); keepDims defaults to false. A bool
 * tensor reduces to bool, as TF.js: true where every element is true.
 */
export function min(x: Input, axis?: number | number[], keepDims = false): Tensor {
  return x instanceof Tensor ? reduce(MIN, x, axis, keepDims) : withInputs('min', [['x', x]], ([t]) => min(t, axis, keepDims));
}

const MEAN = register<ReduceAttrs>({
  name: 'mean',
  inputs: ['x'],
  infer([x], attrs) {
    if (x.dtype !== 'float32') throw new Error(`mean: x must be float32; received ${describe(x)}`);
    return spec(reducedShape(x, attrs), 'float32');
  },
  compose: ([x], attrs) => {
    const count = attrs.axes.reduce((acc, a) => acc * x.shape[a], 1);
    return [affine(sum(x, attrs.axes, attrs.keepDims), 1 / count)];
  },
  grad: 'composed',
});

/** The mean over `axis` (default: every axis) (tf.mean); keepDims defaults to false. */
export function mean(x: Input, axis?: number | number[], keepDims = false): Tensor {
  if (!(x instanceof Tensor)) return withInputs('mean', [['x', x]], ([t]) => mean(t, axis, keepDims));
  // complex64: the mean of the (re, im) pairs (TF.js gives the real parts' mean, float32; tests pin it).
  if (x.dtype === 'complex64') return onPairs(x, (pairs) => mean(pairs, resolveAxes('mean', x, axis), keepDims));
  // TF.js averages int32 and bool as float32 (so equal(a, b).mean() is the fraction equal).
  if (checkTensor('mean', 'x', x).dtype !== 'float32') {
    const asFloat = cast(x, 'float32');
    try { return reduce(MEAN, asFloat, axis, keepDims); } finally { asFloat.dispose(); }
  }
  return reduce(MEAN, x, axis, keepDims);
}

const ARG_MAX: OpDef<{ axis: number }> = register<{ axis: number }>({
  name: 'argMax',
  inputs: ['x'],
  infer([x], { axis }) {
    if (x.shape[axis] === 0) throw new Error(`argMax: axis ${axis} of ${describe(x)} is empty`);
    return spec(x.shape.filter((_, i) => i !== axis), 'int32');
  },
  kernel: {
    available: (backend, _, [x]) => backend.argMax !== undefined && x.dtype === 'float32',
    run: (backend, [x], { axis }, [out]) => [produce(out.shape, 'int32', (storage) => backend.argMax(storageOf(x, 'argMax'),
      storage, sizeOf(x.shape.slice(0, axis)), x.shape[axis], sizeOf(x.shape.slice(axis + 1))))],
  },
  // int32 and bool (true > false, as TF.js) through float32.
  compose: ([x], attrs): Tensor[] => [run1(ARG_MAX, [cast(x, 'float32')], attrs)],
  grad: 'none',
});

/**
 * tf.argMax(x, axis = 0): index (int32) of the first maximum along the axis (of a bool
 * tensor, the first true, as TF.js). A NaN counts as
 * the maximum: the first NaN wins, in every backend's kernel (NumPy's and PyTorch's rule).
 * TF.js's cpu backend differs, by a bug: it seeds the running maximum with the first element
 * and replaces it on a strict >, so a NaN in first place wins and a NaN anywhere else is
 * passed over ([NaN, 1, 3] gives 0, [1, NaN, 3] gives 2). sora stays right
 * (tests/ops/tfjs-semantics.test.ts pins both answers).
 */
export function argMax(x: Input, axis = 0): Tensor {
  if (!(x instanceof Tensor)) return withInputs('argMax', [['x', x]], ([t]) => argMax(t, axis));
  checkTensor('argMax', 'x', x);
  return run1(ARG_MAX, [x], { axis: resolveReduceAxis('argMax', axis, x.rank) });
}

declare module '../../core/tensor.js' {
  interface Tensor {
    sum(axis?: number | number[], keepDims?: boolean): Tensor;
    mean(axis?: number | number[], keepDims?: boolean): Tensor;
    max(axis?: number | number[], keepDims?: boolean): Tensor;
    min(axis?: number | number[], keepDims?: boolean): Tensor;
    argMax(axis?: number): Tensor;
  }
}
chain({
  sum(axis?: number | number[], keepDims?: boolean) { return sum(this, axis, keepDims); },
  mean(axis?: number | number[], keepDims?: boolean) { return mean(this, axis, keepDims); },
  max(axis?: number | number[], keepDims?: boolean) { return max(this, axis, keepDims); },
  min(axis?: number | number[], keepDims?: boolean) { return min(this, axis, keepDims); },
  argMax(axis?: number) { return argMax(this, axis); },
});
