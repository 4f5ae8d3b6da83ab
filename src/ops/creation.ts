/**
 * Tensor creation: tensor, scalar, tensor1d..6d, zeros, ones, fill, zerosLike / onesLike
 * (and their chainable methods), oneHot's float32 ones and zeros, linspace and range (random tensors: random.ts; eye,
 * diag and meshgrid, made with ops above this module: creation-composed.ts).
 */
import type { DType, TypedArray } from '../backends/backend.js';
import { ENGINE } from '../core/engine.js';
import type { Shape, Tensor } from '../core/tensor.js';
import { toDTypeArray } from '../core/dtypes.js';
import { register, run1, spec } from './registry.js';
import { viewAsComplex } from './math/complex-views.js';
import { encodeLeaf, makeStringTensor, refuseString } from './string/movement.js';
import { chain, checkAllocation, checkDType, checkShape, checkTensor, describe, produce, sizeOf, storageOf, toTensor } from './util.js';

/** Values of a tensor: numbers or booleans, or strings (a string tensor; Uint8Array bytes with dtype 'string'). */
export type NestedValues = number | boolean | string | Uint8Array | NestedValues[];
/** What tensor() takes as values: a number, boolean, string, nested arrays of them, or a typed array. */
export type TensorLike = TypedArray | Uint8Array | Uint8ClampedArray | Float64Array | NestedValues;

function inferShape(op: string, values: NestedValues): Shape {
  const shape: Shape = [];
  let level: NestedValues = values;
  while (Array.isArray(level)) { shape.push(level.length); level = level[0]; }
  return shape;
}

function flattenInto(op: string, values: NestedValues, shape: Shape, depth: number, out: number[]): void {
  if (depth === shape.length) {
    if (typeof values === 'boolean') { out.push(values ? 1 : 0); return; }
    if (typeof values !== 'number') {
      throw new Error(`${op}: expected a number at depth ${depth}, received ${Array.isArray(values) ? 'an array' : typeof values}`);
    }
    out.push(values);
    return;
  }
  if (!Array.isArray(values) || values.length !== shape[depth]) {
    throw new Error(`${op}: ragged nested array: expected length ${shape[depth]} at depth ${depth}, ` +
      `received ${Array.isArray(values) ? `length ${values.length}` : typeof values}`);
  }
  for (const v of values) flattenInto(op, v, shape, depth + 1, out);
}

/**
 * A string tensor (TF.js's tensor(['a', 'b']), or dtype 'string'): strings held as UTF-8 on the
 * JS side; Uint8Array leaves are taken as bytes, and numbers or booleans as their text (TF.js
 * encodes them the same way when a string comes first).
 */
function stringTensor(values: TensorLike, shape: Shape | undefined, op: string): Tensor {
  if (ArrayBuffer.isView(values) && !(values instanceof Uint8Array)) {
    throw new Error(`${op}: dtype 'string' takes strings (or Uint8Array bytes); received a ${values.constructor.name}`);
  }
  const inferred = values instanceof Uint8Array ? [] : inferShape(op, values as NestedValues);
  const flat: Uint8Array[] = [];
  const walk = (level: unknown, depth: number): void => {
    if (depth === inferred.length) { flat.push(encodeLeaf(op, level)); return; }
    if (!Array.isArray(level) || level.length !== inferred[depth]) {
      throw new Error(`${op}: ragged nested array: expected length ${inferred[depth]} at depth ${depth}, ` +
        `received ${Array.isArray(level) ? `length ${level.length}` : typeof level}`);
    }
    for (const v of level) walk(v, depth + 1);
  };
  walk(values, 0);
  const finalShape = shape === undefined ? inferred : checkShape(op, shape);
  if (flat.length !== sizeOf(finalShape)) {
    throw new Error(`${op}: ${flat.length} values do not fill shape [${finalShape}], which needs ${sizeOf(finalShape)}`);
  }
  return makeStringTensor(flat, finalShape);
}


/**
 * Creates a tensor from values (a number, a nested array or a typed array) with an optional shape and dtype,
 * as tf.tensor does; the shape defaults to the values' nesting and the dtype to 'float32' (or 'int32' for an
 * Int32Array, 'bool' for booleans).
 * @example
 * ```js
 * const x = sora.tensor([[1, 2], [3, 4]]);          // shape [2, 2], float32
 * const y = sora.tensor([1, 2, 3, 4], [2, 2], 'int32');
 * x.print();
 * ```
 */
export function tensor(values: TensorLike, shape?: Shape, dtype?: DType, op = 'tensor'): Tensor {
  if (dtype === 'string' || (dtype === undefined && typeof firstLeaf(values, true) === 'string')) {
    return stringTensor(values, shape, op);
  }
  let flat: ArrayLike<number>;
  let inferred: Shape;
  if (ArrayBuffer.isView(values)) {
    flat = values as ArrayLike<number>;
    inferred = [flat.length];
  } else if (typeof values === 'number' || typeof values === 'boolean' || Array.isArray(values)) {
    inferred = inferShape(op, values as NestedValues);
    const out: number[] = [];
    flattenInto(op, values, inferred, 0, out);
    flat = out;
  } else {
    throw new Error(`${op}: values must be a number, a (nested) array or a typed array; received ${typeof values}`);
  }
  const finalShape = shape === undefined ? inferred : checkShape(op, shape);
  const resolvedDType = dtype === undefined
    ? (values instanceof Int32Array ? 'int32' : typeof firstLeaf(values) === 'boolean' ? 'bool' : 'float32') : checkDType(op, dtype);
  const size = sizeOf(finalShape);
  if (flat.length !== size) {
    throw new Error(`${op}: ${flat.length} values do not fill shape [${finalShape}], which needs ${size}`);
  }
  checkAllocation(op, finalShape, resolvedDType);
  const typed = toDTypeArray(flat, resolvedDType);
  return produce(finalShape, resolvedDType, (out) => ENGINE.backend.write(out, typed));
}

/** The first scalar in nested arrays: a boolean makes a bool tensor, a string a string tensor (as in TF.js). */
function firstLeaf(values: unknown, skipEmpty = false): unknown {
  let level = values;
  while (Array.isArray(level)) {
    // tensor([[], ['a']]) is ragged, but [[]] is an empty float32 tensor: only the first entry counts.
    if (skipEmpty && level.length === 0) return undefined;
    level = level[0];
  }
  return level;
}

function ranked(rank: number, name: string) {
  return (values: TensorLike, shape?: Shape, dtype?: DType): Tensor => {
    const t = tensor(values, shape, dtype, name);
    if (t.rank !== rank) {
      t.dispose();
      throw new Error(`${name}: expected rank ${rank}, received shape [${t.shape}]`);
    }
    return t;
  };
}

/** A rank-0 tensor holding one number, or one string (tf.scalar); dtype defaults to 'float32' ('string' for a string). */
export function scalar(value: number | string | Uint8Array, dtype?: DType): Tensor {
  if (typeof value === 'string' || value instanceof Uint8Array || dtype === 'string') {
    if (dtype !== undefined && dtype !== 'string') throw new Error(`scalar: a string value makes a 'string' scalar; received dtype '${dtype}'`);
    return makeStringTensor([encodeLeaf('scalar', value)], []);
  }
  if (typeof value !== 'number') throw new Error(`scalar: expected a number, received ${typeof value}`);
  // Ops make scalars of plain numbers all the time: one element, no nested-array parsing.
  const resolved = dtype === undefined ? 'float32' : checkDType('scalar', dtype);
  const one = toDTypeArray([value], resolved);
  return produce([], resolved, (out) => ENGINE.backend.write(out, one));
}
const tensor1dRanked = ranked(1, 'tensor1d');
/** tensor1d(values, dtype?) as in TF.js (no shape argument). */
export function tensor1d(values: TensorLike, dtype?: DType): Tensor {
  return tensor1dRanked(values, undefined, dtype);
}
/** tensor() for a rank-2 tensor (tf.tensor2d): throws unless the values (or shape) have two axes. */
export const tensor2d = ranked(2, 'tensor2d');
/** tensor() for a rank-3 tensor (tf.tensor3d): throws unless the values (or shape) have three axes. */
export const tensor3d = ranked(3, 'tensor3d');
/** tensor() for a rank-4 tensor (tf.tensor4d): throws unless the values (or shape) have four axes. */
export const tensor4d = ranked(4, 'tensor4d');
/** tensor() for a rank-5 tensor (tf.tensor5d): throws unless the values (or shape) have five axes. */
export const tensor5d = ranked(5, 'tensor5d');
/** tensor() for a rank-6 tensor (tf.tensor6d): throws unless the values (or shape) have six axes. */
export const tensor6d = ranked(6, 'tensor6d');

const FILL = register<{ shape: Shape; value: number; dtype: DType }>({
  name: 'fill',
  inputs: [],
  infer: (_, { shape, dtype }) => spec(shape, dtype),
  kernel: {
    available: () => true,
    run: (backend, _, { shape, value, dtype }) => [produce(shape, dtype, (out) => backend.fill(out, sizeOf(shape), value))],
  },
  grad: 'none',
});

/**
 * A tensor of a shape filled with one value (tf.fill); dtype defaults to 'float32', or 'string' for a
 * string value (a string tensor, as TF.js).
 */
export function fill(shape: Shape, value: number | string, dtype?: DType): Tensor {
  const s = checkShape('fill', shape);
  if (typeof value === 'string' || dtype === 'string') {
    if (typeof value !== 'string' || (dtype !== undefined && dtype !== 'string')) {
      throw new Error(`fill: a string value fills a 'string' tensor; received value ${JSON.stringify(value)}, dtype '${dtype}'`);
    }
    const bytes = encodeLeaf('fill', value);
    return makeStringTensor(new Array<Uint8Array>(sizeOf(s)).fill(bytes), s);
  }
  dtype = checkDType('fill', dtype ?? 'float32');
  if (typeof value !== 'number') throw new Error(`fill: value must be a number; received ${typeof value}`);
  return run1(FILL, [], { shape: s, value: dtype === 'bool' ? Number(Math.round(value) !== 0) : value, dtype });
}

/** A tensor of a shape filled with 0 (tf.zeros); dtype defaults to 'float32'. */
export function zeros(shape: Shape, dtype: DType = 'float32'): Tensor { return fill(shape, 0, dtype); }
/** A tensor of a shape filled with 1 (tf.ones); dtype defaults to 'float32'. */
export function ones(shape: Shape, dtype: DType = 'float32'): Tensor { return fill(shape, 1, dtype); }
/**
 * zerosLike and onesLike are recorded with a zero gradient, so that y = f(zerosLike(x))
 * differentiates to zeros for x, as in TF.js, rather than finding x unused.
 */
const fillLike = (name: string, value: number) => register<{ shape: Shape }>({
  name,
  inputs: ['x'],
  infer: ([x]) => spec(x.shape, x.dtype),
  compose: ([x]) => [fill(x.shape, value, x.dtype)],
  grad: (_, __, { shape }) => [fill(shape, 0, 'float32')],
});
const ZEROS_LIKE = fillLike('zerosLike', 0);
const ONES_LIKE = fillLike('onesLike', 1);

/** A tensor of zeros with the shape and dtype of another (tf.zerosLike). */
export function zerosLike(t: Tensor | TensorLike): Tensor { return filledLike(ZEROS_LIKE, t, 0); }
/** A tensor of ones with the shape and dtype of another (tf.onesLike). */
export function onesLike(t: Tensor | TensorLike): Tensor { return filledLike(ONES_LIKE, t, 1); }

/**
 * The recorded fill of x's shape and dtype; x may be values (TF.js's convertToTensor; inputs.ts
 * sits above this module). complex64 is filled directly (not recorded); a string tensor is refused.
 */
function filledLike(def: typeof ZEROS_LIKE, x: Tensor | TensorLike, value: number): Tensor {
  const input = toTensor(def.name, 'x', x, undefined, (v, dtype) => (typeof v === 'number' ? scalar(v, dtype) : tensor(v as TensorLike, undefined, dtype)));
  try {
    const t = input.tensor;
    const { shape, dtype } = t;
    if (dtype === 'string') refuseString(def.name, 'x'); // there is no zero string (TF.js throws too)
    if (dtype === 'float32' || dtype === 'int32' || dtype === 'bool') return run1(def, [t], { shape });
    if (dtype !== 'complex64') return fill(shape, value, dtype);
    // (value, 0) pairs, as TF.js's zerosLike / onesLike of complex64.
    return ENGINE.tidy(() => viewAsComplex(value === 0 ? fill([...shape, 2], 0)
      : tensor(Float32Array.from({ length: 2 * sizeOf(shape) }, (_, i) => (i % 2 === 0 ? value : 0)), [...shape, 2], 'float32')));
  } finally {
    if (input.made) input.tensor.dispose();
  }
}

/** tf.linspace(start, stop, num): num evenly spaced float32 values from start to stop. */
export function linspace(start: number, stop: number, num: number): Tensor {
  if (!Number.isInteger(num) || num <= 0) throw new Error(`linspace: num must be a positive integer; received ${num}`);
  checkAllocation('linspace', [num], 'float32', 'output', true);
  const values = new Float32Array(num);
  const step = (stop - start) / (num - 1);
  values[0] = start;
  for (let i = 1; i < num; i++) values[i] = values[i - 1] + step;
  return tensor(values, [num], 'float32', 'linspace');
}

/** tf.range(start, stop, step = 1, dtype = 'float32'), with TF.js's rules for empty ranges. */
export function range(start: number, stop: number, step = 1, dtype: 'float32' | 'int32' = 'float32'): Tensor {
  if (step === 0) throw new Error('range: step must not be zero');
  if (dtype !== 'float32' && dtype !== 'int32') throw new Error(`range: dtype must be 'float32' or 'int32'; received ${String(dtype)}`);
  const empty = start === stop || (start < stop && step < 0) || (stop < start && step > 1);
  const count = empty ? 0 : Math.abs(Math.ceil((stop - start) / step));
  // (NaN bounds give an empty range, as in TF.js.)
  if (!Number.isNaN(count)) checkAllocation('range', [count], dtype, 'output', true);
  const values = dtype === 'int32' ? new Int32Array(count) : new Float32Array(count);
  const by = stop < start && step === 1 ? -1 : step;
  if (count > 0) values[0] = start;
  for (let i = 1; i < count; i++) values[i] = values[i - 1] + by;
  return tensor(values, [count], dtype, 'range');
}

/** One-hot rows (float32) of int32 indices; an index outside [0, depth) gives a zero row. */
const ONE_HOT = register<{ depth: number }>({
  name: 'oneHot',
  inputs: ['indices'],
  infer([indices], { depth }) {
    if (indices.dtype !== 'int32') throw new Error(`oneHot: indices must be int32; received ${describe(indices)}`);
    if (!Number.isInteger(depth) || depth < 1) throw new Error(`oneHot: depth must be a positive integer; received ${depth}`);
    return spec([...indices.shape, depth], 'float32');
  },
  kernel: {
    available: (backend) => backend.oneHot !== undefined,
    run: (backend, [indices], { depth }, [out]) => [produce(out.shape, 'float32',
      (storage) => backend.oneHot(storageOf(indices, 'oneHot'), storage, indices.size, depth))],
  },
  grad: 'none',
});

/**
 * The float32 ones and zeros of tf.oneHot (the op named 'oneHot'); the public oneHot, with
 * TF.js's on and off values and dtype (int32 by default), is creation-composed.ts's.
 */
export function oneHotFloat32(indices: Tensor, depth: number): Tensor {
  return run1(ONE_HOT, [checkTensor('oneHot', 'indices', indices)], { depth });
}

declare module '../core/tensor.js' {
  interface Tensor {
    onesLike(): Tensor; zerosLike(): Tensor;
  }
}
chain({
  onesLike() { return onesLike(this); },
  zerosLike() { return zerosLike(this); },
});

/** A seedable generator (mulberry32); Math.random seeds it when no seed is given. */
export class Random {
  private state: number;
  constructor(seed?: number) { this.state = (seed ?? Math.floor(Math.random() * 2 ** 32)) >>> 0; }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  normal(): number {
    // Box-Muller; 1 - u keeps log away from 0.
    const u = 1 - this.next(), v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
