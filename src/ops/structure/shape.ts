/**
 * Shape and movement ops: reshape (a view), expandDims, squeeze, transpose, slice, concat,
 * clone, cast, broadcastTo. Each is one strided copy (`copyStrided`, which every backend
 * has) or a view; their gradients are the inverse movements (broadcastTo's is registry.ts's
 * sumToShape). The row gather is in indexing/gather-scatter.ts, beside its gradient. Beside
 * them, the two shape ops TF.js has: ensureShape (a check) and broadcastArgs (two shape
 * vectors broadcast, read synchronously).
 */
import type { DType } from '../../backends/backend.js';
import { ENGINE } from '../../core/engine.js';
import { Tensor, type Shape } from '../../core/tensor.js';
import { allTensors, withInputs, withListInput, type Input } from '../inputs.js';
import { fill, tensor } from '../creation.js';
import { onPairs, viewAsComplex, viewAsReal } from '../math/complex-views.js';
import {
  isStringTensor, stringBroadcastTo, stringClone, stringConcat, stringReshape, stringSlice, stringTranspose,
} from '../string/movement.js';
import { register, run1, spec, sumToShape } from '../registry.js';
import {
  chain, checkDType, checkShape, checkTensor, concatShape, contiguousStrides, describe, produce, resolveAxis, sizeOf, storageOf,
} from '../util.js';

type NoAttrs = Record<string, never>;

const RESHAPE = register<{ shape: Shape; inShape: Shape }>({
  name: 'reshape',
  inputs: ['x'],
  complex: true, // a view: complex64 (re, im) pairs stay pairs
  view: true,
  infer: ([x], { shape }) => spec(shape, x.dtype),
  kernel: {
    available: () => true,
    run: (_, [x], { shape }) => {
      ENGINE.onActive(x, 'reshape');
      return [ENGINE.makeView(x, shape)];
    },
  },
  grad: ([dy], _, { inShape }) => [reshape(dy, inShape)],
});

/** Resolves a -1 and checks the size; the result is a view sharing x's data. */
export function reshape(x: Input, shape: Shape): Tensor {
  if (!(x instanceof Tensor)) return withInputs('reshape', [['x', x]], ([t]) => reshape(t, shape));
  checkTensor('reshape', 'x', x);
  if (!Array.isArray(shape)) throw new Error(`reshape: expected a shape array, received ${String(shape)}`);
  const inferredAt = shape.indexOf(-1);
  let target = shape.slice();
  if (inferredAt >= 0) {
    if (shape.indexOf(-1, inferredAt + 1) >= 0) throw new Error(`reshape: only one -1 allowed; received [${shape}]`);
    const known = sizeOf(shape.filter((d) => d !== -1));
    if (known === 0 || x.size % known !== 0) {
      throw new Error(`reshape: cannot reshape ${describe(x)} (${x.size} values) into [${shape}]`);
    }
    target[inferredAt] = x.size / known;
  }
  target = checkShape('reshape', target);
  if (sizeOf(target) !== x.size) {
    throw new Error(`reshape: cannot reshape ${describe(x)} (${x.size} values) into [${shape}] (${sizeOf(target)} values)`);
  }
  if (x.dtype === 'string') return stringReshape(x, target);
  return run1(RESHAPE, [x], { shape: target, inShape: x.shape });
}

/** Inserts an axis of size 1 at `axis` (default 0) (tf.expandDims). */
export function expandDims(x: Input, axis = 0): Tensor {
  if (!(x instanceof Tensor)) return withInputs('expandDims', [['x', x]], ([t]) => expandDims(t, axis));
  checkTensor('expandDims', 'x', x);
  const a = resolveAxis('expandDims', axis, x.rank + 1);
  const shape = x.shape.slice();
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}

/** Removes axes of size 1: those listed in `axis`, or by default every one (tf.squeeze). */
export function squeeze(x: Input, axis?: number | number[]): Tensor {
  if (!(x instanceof Tensor)) return withInputs('squeeze', [['x', x]], ([t]) => squeeze(t, axis));
  checkTensor('squeeze', 'x', x);
  // As TF.js: no axis, or an empty list, removes every axis of size 1.
  const named = axis === undefined || axis === null || (Array.isArray(axis) && axis.length === 0) ? undefined : axis;
  const axes = named === undefined ? undefined : (Array.isArray(named) ? named : [named]).map((a) => resolveAxis('squeeze', a, x.rank));
  for (const a of axes ?? []) {
    if (x.shape[a] !== 1) throw new Error(`squeeze: axis ${a} of ${describe(x)} has size ${x.shape[a]}, not 1`);
  }
  return reshape(x, x.shape.filter((d, i) => (axes ? !axes.includes(i) : d !== 1)));
}

/** A contiguous copy of `x` through the strided copy every backend has. */
function copy(x: Tensor, dtype: DType, shape: Shape, strides: number[], offset: number, op: string): Tensor {
  return produce(shape, dtype, (out) => ENGINE.backend.copyStrided(storageOf(x, op), out, shape, strides, offset,
    contiguousStrides(shape), 0));
}

const CLONE = register<NoAttrs>({
  name: 'clone',
  inputs: ['x'],
  infer: ([x]) => spec(x.shape, x.dtype),
  kernel: { available: () => true, run: (_, [x]) => [copy(x, x.dtype, x.shape, contiguousStrides(x.shape), 0, 'clone')] },
  grad: ([dy]) => [dy],
});

/** A new tensor with the same values, shape and dtype (tf.clone). */
export const clone = (x: Input): Tensor => {
  if (!(x instanceof Tensor)) return withInputs('clone', [['x', x]], ([t]) => clone(t));
  if (x.dtype === 'string') return stringClone(x);
  return x.dtype === 'complex64' ? onPairs(x, clone) : run1(CLONE, [x], {});
};

const CAST = register<{ dtype: DType }>({
  name: 'cast',
  inputs: ['x'],
  infer: ([x], { dtype }) => spec(x.shape, dtype),
  kernel: {
    available: () => true,
    run: (backend, [x], { dtype }) => [produce(x.shape, dtype, (out) => backend.cast(storageOf(x, 'cast'), out, x.size))],
  },
  // A float-to-float cast passes the gradient; integer and bool results carry none.
  grad: ([dy]) => [dy],
});

/**
 * The values converted to another dtype (tf.cast): float to int truncates toward zero, anything to bool is
 * value != 0.
 */
export function cast(x: Input, dtype: DType): Tensor {
  if (!(x instanceof Tensor)) return withInputs('cast', [['x', x]], ([t]) => cast(t, dtype));
  checkTensor('cast', 'x', x);
  if ((x.dtype === 'string') !== (dtype === 'string')) {
    throw new Error(`cast: cannot cast ${describe(x)} to '${dtype}'; string tensors are cast neither to nor from numbers`);
  }
  if (dtype === 'string') return stringClone(x);
  checkDType('cast', dtype);
  return dtype === x.dtype ? clone(x) : run1(CAST, [x], { dtype });
}

/**
 * tf.cast, the public op and the chained t.cast / toFloat / toInt / toBool: also complex64, as
 * TF.js casts it (a real tensor gains zero imaginary parts; to a real dtype, the real part).
 * Compositions call `cast`, which refuses complex64, so that no op drops imaginary parts unasked.
 */
export function castOp(x: Input, dtype: DType): Tensor {
  if (!(x instanceof Tensor)) return withInputs('cast', [['x', x]], ([t]) => castOp(t, dtype));
  if (dtype === 'complex64') return x.dtype === 'complex64' ? clone(x) : toComplex(checkTensor('cast', 'x', x));
  if (x.dtype === 'complex64') return ENGINE.tidy(() => cast(realPart(x), dtype));
  return cast(x, dtype);
}

/** complex64 x's real part (float32). */
function realPart(x: Tensor): Tensor {
  return ENGINE.tidy(() => reshape(slice(viewAsReal(x), new Array<number>(x.rank + 1).fill(0), [...x.shape, 1]), x.shape));
}

/** x (float32, int32 or bool) as complex64 with zero imaginary parts. */
export function toComplex(x: Tensor): Tensor {
  return ENGINE.tidy(() => {
    const re = reshape(cast(x, 'float32'), [...x.shape, 1]);
    return viewAsComplex(concat([re, fill(re.shape, 0)], x.rank));
  });
}

const TRANSPOSE = register<{ perm: number[] }>({
  name: 'transpose',
  inputs: ['x'],
  infer([x], { perm }) {
    if (perm.length !== x.rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
      throw new Error(`transpose: perm [${perm}] is not a permutation of the ${x.rank} axes of ${describe(x)}`);
    }
    return spec(perm.map((a) => x.shape[a]), x.dtype);
  },
  kernel: {
    available: () => true,
    run: (_, [x], { perm }, [out]) => {
      const strides = contiguousStrides(x.shape);
      return [copy(x, x.dtype, out.shape, perm.map((a) => strides[a]), 0, 'transpose')];
    },
  },
  grad: ([dy], _, { perm }) => [transpose(dy, perm.map((_, i) => perm.indexOf(i)))],
});

/** Permutes the axes (tf.transpose); `perm` defaults to reversing them (a matrix transpose for rank 2). */
export function transpose(x: Input, perm?: number[]): Tensor {
  if (!(x instanceof Tensor)) return withInputs('transpose', [['x', x]], ([t]) => transpose(t, perm));
  checkTensor('transpose', 'x', x);
  const order = perm ?? [...x.shape.keys()].reverse();
  if (x.dtype === 'string') return stringTranspose(x, order);
  if (x.dtype === 'complex64') { // the pairs' axis stays last
    if (order.length !== x.rank) throw new Error(`transpose: perm [${order}] is not a permutation of the ${x.rank} axes of ${describe(x)}`);
    return onPairs(x, (pairs) => transpose(pairs, [...order, x.rank]));
  }
  return run1(TRANSPOSE, [x], { perm: order });
}

interface SliceAttrs { begin: number[]; size: number[]; inShape: Shape }

const SLICE = register<SliceAttrs>({
  name: 'slice',
  inputs: ['x'],
  infer([x], { begin, size }) {
    size.forEach((s, i) => {
      if (!Number.isInteger(begin[i]) || begin[i] < 0 || !Number.isInteger(s) || s < 0 || begin[i] + s > x.shape[i]) {
        throw new Error(`slice: begin [${begin}] size [${size}] is out of bounds for ${describe(x)} (axis ${i})`);
      }
    });
    return spec(size, x.dtype);
  },
  kernel: {
    available: () => true,
    run: (_, [x], { begin, size }) => {
      const strides = contiguousStrides(x.shape);
      return [copy(x, x.dtype, size, strides, begin.reduce((acc, b, i) => acc + b * strides[i], 0), 'slice')];
    },
  },
  grad: ([dy], _, attrs) => [slicePlace(dy, attrs)],
});

/** slice's gradient: dy placed at `begin` in zeros of the input's shape; its gradient is slice. */
const SLICE_PLACE = register<SliceAttrs>({
  name: 'slicePlace',
  inputs: ['dy'],
  infer: ([dy], { inShape }) => spec(inShape, dy.dtype),
  kernel: {
    available: () => true,
    run: (backend, [dy], { begin, size, inShape }) => [produce(inShape, dy.dtype, (out) => {
      const strides = contiguousStrides(inShape);
      backend.fill(out, sizeOf(inShape), 0);
      backend.copyStrided(storageOf(dy, 'slice grad'), out, size, contiguousStrides(size), 0, strides,
        begin.reduce((acc, b, i) => acc + b * strides[i], 0));
    })],
  },
  grad: ([ddx], _, { begin, size }) => [slice(ddx, begin, size)],
});

function slicePlace(dy: Tensor, attrs: SliceAttrs): Tensor { return run1(SLICE_PLACE, [dy], attrs); }

/** tf.slice(x, begin, size): size -1 (or omitted) runs to the end of the axis. */
export function slice(x: Input, begin: number | number[], size?: number | number[]): Tensor {
  if (!(x instanceof Tensor)) return withInputs('slice', [['x', x]], ([t]) => slice(t, begin, size));
  checkTensor('slice', 'x', x);
  for (const [name, v] of [['begin', begin], ['size', size]] as const) {
    if (Array.isArray(v) && v.length > x.rank) {
      throw new Error(`slice: ${name} [${v}] has ${v.length} entries but x ${describe(x)} has rank ${x.rank}`);
    }
  }
  const starts = typeof begin === 'number' ? [begin, ...new Array<number>(x.rank - 1).fill(0)] : begin.slice();
  while (starts.length < x.rank) starts.push(0);
  const sizes = size === undefined ? x.shape.map((d, i) => d - starts[i])
    : typeof size === 'number' ? [size, ...x.shape.slice(1).map((d, i) => d - starts[i + 1])] : size.slice();
  while (sizes.length < x.rank) sizes.push(x.shape[sizes.length] - starts[sizes.length]);
  const shape = sizes.map((s, i) => (s === -1 ? x.shape[i] - starts[i] : s));
  if (x.dtype === 'string') return stringSlice(x, starts, shape);
  return run1(SLICE, [x], { begin: starts, size: shape, inShape: x.shape });
}

const CONCAT = register<{ axis: number; sizes: Shape[] }>({
  name: 'concat',
  inputs: [],
  infer(tensors, { axis }) {
    return spec(concatShape(tensors, axis), tensors[0].dtype);
  },
  kernel: {
    available: () => true,
    run: (backend, tensors, { axis }, [out]) => [produce(out.shape, out.dtype, (storage) => {
      const outStrides = contiguousStrides(out.shape);
      let offset = 0;
      for (const t of tensors) {
        backend.copyStrided(storageOf(t, 'concat'), storage, t.shape, contiguousStrides(t.shape), 0, outStrides,
          offset * outStrides[axis]);
        offset += t.shape[axis];
      }
    })],
  },
  grad: ([dy], _, { axis, sizes }, needs) => {
    let begin = 0;
    return sizes.map((shape, i) => {
      const starts = new Array<number>(shape.length).fill(0);
      starts[axis] = begin;
      begin += shape[axis];
      return needs[i] ? slice(dy, starts, shape) : null;
    });
  },
});

/** Joins tensors along an axis (tf.concat); axis defaults to 0. The other axes must match. */
export function concat(tensors: Input[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new Error('concat: expected a non-empty array of tensors');
  if (!allTensors(tensors)) return withListInput('concat', 'tensors', tensors, (list) => concat(list, axis));
  tensors.forEach((t, i) => checkTensor('concat', `tensors[${i}]`, t));
  const a = resolveAxis('concat', axis, tensors[0].rank);
  if (tensors.some(isStringTensor)) return stringConcat(tensors, a);
  if (tensors.some((t) => t.dtype === 'complex64')) { // the pairs, joined along the same axis
    tensors.forEach((t, i) => {
      if (t.dtype !== 'complex64') throw new Error(`concat: complex64 tensors join only complex64 ones (as TF.js); tensors[${i}] is ${describe(t)}`);
    });
    return ENGINE.tidy(() => viewAsComplex(concat(tensors.map(viewAsReal), a)));
  }
  return run1(CONCAT, tensors, { axis: a, sizes: tensors.map((t) => t.shape) });
}

const BROADCAST_TO = register<{ shape: Shape; inShape: Shape }>({
  name: 'broadcastTo',
  inputs: ['x'],
  infer([x], { shape }) {
    if (shape.length < x.rank) throw new Error(`broadcastTo: cannot broadcast ${describe(x)} to [${shape}]`);
    const padded = [...new Array<number>(shape.length - x.rank).fill(1), ...x.shape];
    padded.forEach((d, i) => {
      if (d !== shape[i] && d !== 1) {
        throw new Error(`broadcastTo: cannot broadcast ${describe(x)} to [${shape}] (axis ${i}: ${d} vs ${shape[i]})`);
      }
    });
    return spec(shape, x.dtype);
  },
  kernel: {
    available: () => true,
    run: (_, [x], { shape }) => {
      const padded = [...new Array<number>(shape.length - x.rank).fill(1), ...x.shape];
      const xStrides = contiguousStrides(padded);
      return [copy(x, x.dtype, shape, padded.map((d, i) => (d === 1 ? 0 : xStrides[i])), 0, 'broadcastTo')];
    },
  },
  grad: ([dy], _, { inShape }) => [sumToShape(dy, inShape)],
});

/** Materialize x broadcast to `shape` (numpy rules). */
export function broadcastTo(x: Input, shape: Shape): Tensor {
  if (!(x instanceof Tensor)) return withInputs('broadcastTo', [['x', x]], ([t]) => broadcastTo(t, shape));
  checkTensor('broadcastTo', 'x', x);
  if (x.dtype === 'string') return stringBroadcastTo(x, checkShape('broadcastTo', shape));
  return run1(BROADCAST_TO, [x], { shape: checkShape('broadcastTo', shape), inShape: x.shape });
}

/** tf.ensureShape(x, shape): x itself when its shape matches (null entries match any size). */
export function ensureShape(x: Input, shape: (number | null)[]): Tensor {
  if (!(x instanceof Tensor)) return withInputs('ensureShape', [['x', x]], ([t]) => ensureShape(t, shape));
  checkTensor('ensureShape', 'x', x);
  if (shape.length !== x.rank || shape.some((d, i) => d !== null && d !== x.shape[i])) {
    throw new Error(`ensureShape: ${describe(x)} is not compatible with the expected shape [${shape.map(String)}]`);
  }
  return x;
}

/**
 * tf.broadcastArgs(s0, s1): the broadcast of two int32 shape vectors. The result's size
 * depends on the values, so, as unique does, it reads them synchronously.
 */
export function broadcastArgs(s0: Input, s1: Input): Tensor {
  if (!(s0 instanceof Tensor && s1 instanceof Tensor)) {
    return withInputs('broadcastArgs', [['s0', s0, 'int32'], ['s1', s1, 'int32']], ([a, b]) => broadcastArgs(a, b));
  }
  const shapes = [s0, s1].map((s, i) => {
    checkTensor('broadcastArgs', `s${i}`, s);
    if (s.dtype !== 'int32' || s.rank !== 1) throw new Error(`broadcastArgs: s${i} must be an int32 vector; received ${describe(s)}`);
    if (!s.ref.backend.syncReadable) {
      throw new Error(`broadcastArgs: reads its shapes synchronously, which the '${s.ref.backend.name}' backend cannot`);
    }
    return Array.from(s.dataSync());
  });
  const [a, b] = shapes;
  const rank = Math.max(a.length, b.length);
  const out = Array.from({ length: rank }, (_, i) => {
    const da = a[a.length - rank + i] ?? 1, db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`broadcastArgs: shapes [${a}] and [${b}] do not broadcast (axis ${i})`);
    return da === 1 ? db : da;
  });
  return tensor(out, [rank], 'int32');
}

declare module '../../core/tensor.js' {
  interface Tensor {
    reshape(shape: Shape): Tensor; flatten(): Tensor; expandDims(axis?: number): Tensor;
    squeeze(axis?: number | number[]): Tensor; clone(): Tensor; cast(dtype: DType): Tensor;
    toInt(): Tensor; toFloat(): Tensor; toBool(): Tensor; transpose(perm?: number[]): Tensor;
    slice(begin: number | number[], size?: number | number[]): Tensor; broadcastTo(shape: Shape): Tensor;
    concat(tensors: Tensor | Input[], axis?: number): Tensor; reshapeAs(x: Tensor): Tensor;
  }
}
chain({
  reshape(shape: Shape) { return reshape(this, shape); },
  flatten() { return reshape(this, [this.size]); },
  expandDims(axis?: number) { return expandDims(this, axis); },
  squeeze(axis?: number | number[]) { return squeeze(this, axis); },
  clone() { return clone(this); },
  cast(dtype: DType) { return castOp(this, dtype); },
  toInt() { return castOp(this, 'int32'); },
  toFloat() { return castOp(this, 'float32'); },
  toBool() { return castOp(this, 'bool'); },
  transpose(perm?: number[]) { return transpose(this, perm); },
  slice(begin: number | number[], size?: number | number[]) { return slice(this, begin, size); },
  broadcastTo(shape: Shape) { return broadcastTo(this, shape); },
  concat(tensors: Tensor | Input[], axis?: number) { return concat([this, ...(Array.isArray(tensors) ? tensors : [tensors])], axis); },
  reshapeAs(x: Tensor) { return reshape(this, checkTensor('reshapeAs', 'x', x).shape); },
});
