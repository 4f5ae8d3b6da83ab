/**
 * tf.util: the helpers TF.js programs call (shuffling, assertions, shape arithmetic, typed
 * arrays, strings), with TF.js's names, arguments and results. Plain functions over
 * numbers and arrays: nothing here touches a backend.
 */
import type { DType } from '../backends/backend.js';

type FlatVector = ArrayLike<number> | ArrayLike<boolean> | ArrayLike<string>;
type Shuffleable = unknown[] | Uint32Array | Int32Array | Float32Array;
/**
 * The typed arrays of sora's numeric dtypes: Float32Array (float32), Int32Array (int32) and Uint8Array
 * (bool).
 */
export type TypedArrayOf = Float32Array | Int32Array | Uint8Array;
import { toNestedArray, type RecursiveArray } from '../core/nested-array.js';

export { toNestedArray, type RecursiveArray };
const DTYPE_NAMES = ['float32', 'int32', 'bool', 'complex64', 'string'];

/** Fisher-Yates, in place, with Math.random (as TF.js). */
export function shuffle(array: Shuffleable): void {
  for (let n = array.length; n > 0;) {
    const pick = Math.floor(Math.random() * n);
    n--;
    swap(array as unknown[], n, pick);
  }
}

/** Shuffles two arrays of the same length with the same permutation, in place. */
export function shuffleCombo(array: Shuffleable, array2: Shuffleable): void {
  if (array.length !== array2.length) {
    throw new Error(`util.shuffleCombo: the arrays must have the same length; received ${array.length} and ${array2.length}`);
  }
  for (let n = array.length; n > 0;) {
    const pick = Math.floor(Math.random() * n);
    n--;
    swap(array as unknown[], n, pick);
    swap(array2 as unknown[], n, pick);
  }
}

/** x limited to [min, max] (tf.util.clamp). */
export function clamp(min: number, x: number, max: number): number { return Math.max(min, Math.min(x, max)); }
/** The smallest even integer not below val (tf.util.nearestLargerEven). */
export function nearestLargerEven(val: number): number { return val % 2 === 0 ? val : val + 1; }
/** Swaps the values at two keys of an object or two indices of an array, in place (tf.util.swap). */
export function swap<T>(object: { [index: number]: T }, left: number, right: number): void {
  const kept = object[left];
  object[left] = object[right];
  object[right] = kept;
}
/** The sum of an array of numbers (tf.util.sum). */
export function sum(arr: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < arr.length; i++) total += arr[i];
  return total;
}
/** A uniform sample in [a, b). */
export function randUniform(a: number, b: number): number {
  const r = Math.random();
  return a + (b - a) * r;
}
/** The squared Euclidean distance between two arrays of one length (tf.util.distSquared). */
export function distSquared(a: FlatVector, b: FlatVector): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Number(a[i]) - Number(b[i]);
    total += d * d;
  }
  return total;
}

/** Throws an Error with `msg` (a string, or a function making it) when `expr` is false. */
export function assert(expr: boolean, msg: string | (() => string)): asserts expr {
  if (!expr) throw new Error(typeof msg === 'string' ? msg : msg());
}
/**
 * Throws (the message prefixed by errorMessagePrefix, default '') unless the two shapes are equal
 * (tf.util.assertShapesMatch).
 */
export function assertShapesMatch(shapeA: number[], shapeB: number[], errorMessagePrefix = ''): void {
  assert(arraysEqual(shapeA, shapeB), () => `${errorMessagePrefix} Shapes ${shapeA} and ${shapeB} must match`);
}
/** Throws unless the value is neither null nor undefined (tf.util.assertNonNull). */
export function assertNonNull(a: unknown): void {
  assert(a != null, 'The input to the tensor constructor must be a non-null value.');
}
/**
 * Throws unless every dimension of the shape is a non-negative integer
 * (tf.util.assertNonNegativeIntegerDimensions).
 */
export function assertNonNegativeIntegerDimensions(shape: number[]): void {
  for (const d of shape) {
    assert(Number.isInteger(d) && d >= 0, () => `Tensor must have a shape comprised of positive integers but got shape [${shape}].`);
  }
}

/** The number of elements of a shape, the product of its dimensions (1 for a scalar) (tf.util.sizeFromShape). */
export function sizeFromShape(shape: number[]): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}
/** Whether a shape is a scalar's, [] (tf.util.isScalarShape). */
export function isScalarShape(shape: number[]): boolean { return shape.length === 0; }

/** Whether two arrays have the same length and elements (tf.util.arraysEqual). */
export function arraysEqual(n1: FlatVector | null | undefined, n2: FlatVector | null | undefined): boolean {
  if (n1 === n2) return true;
  if (n1 == null || n2 == null || n1.length !== n2.length) return false;
  for (let i = 0; i < n1.length; i++) if (n1[i] !== n2[i]) return false;
  return true;
}
/** As arraysEqual, with null entries matching anything (shapes with unknown dimensions). */
export function arraysEqualWithNull(n1: (number | null)[] | null, n2: (number | null)[] | null): boolean {
  if (n1 === n2) return true;
  if (n1 == null || n2 == null || n1.length !== n2.length) return false;
  return n1.every((d, i) => d === null || n2[i] === null || d === n2[i]);
}

/** Whether a number is an integer (tf.util.isInt). */
export function isInt(a: number): boolean { return a % 1 === 0; }
/** The hyperbolic tangent of a number (tf.util.tanh). */
export function tanh(x: number): number { return Math.tanh(x); }
/**
 * A [rows, cols] shape as close to square as possible with at least `size` elements
 * (tf.util.sizeToSquarishShape).
 */
export function sizeToSquarishShape(size: number): [number, number] {
  const width = Math.ceil(Math.sqrt(size));
  return [width, Math.ceil(size / width)];
}

/** 0..n-1 in random order. */
export function createShuffledIndices(n: number): Uint32Array {
  const indices = new Uint32Array(n);
  for (let i = 0; i < n; i++) indices[i] = i;
  shuffle(indices);
  return indices;
}

/** A string padded with spaces on the right to `size` characters (tf.util.rightPad). */
export function rightPad(a: string, size: number): string { return a.length >= size ? a : a + ' '.repeat(size - a.length); }

/**
 * Resolves once `checkFn()` is true, calling it again after `delayFn(tries)` ms; rejects
 * after `maxCounter` failed tries.
 */
export function repeatedTry(checkFn: () => boolean, delayFn: (counter: number) => number = () => 0, maxCounter?: number,
  scheduleFn?: (fn: () => void, delay: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let tries = 0;
    const attempt = (): void => {
      if (checkFn()) { resolve(); return; }
      tries++;
      const delay = delayFn(tries);
      if (maxCounter != null && tries >= maxCounter) { reject(); return; }
      (scheduleFn ?? ((fn, ms) => setTimeout(fn, ms)))(attempt, delay);
    };
    attempt();
  });
}

/** Replaces the one -1 in `shape` so that it holds `size` elements. */
export function inferFromImplicitShape(shape: number[], size: number): number[] {
  let known = 1;
  let implicit = -1;
  shape.forEach((d, i) => {
    if (d >= 0) known *= d;
    else if (d === -1) {
      if (implicit !== -1) throw new Error(`util.inferFromImplicitShape: shapes can only have 1 implicit size; found -1 at dim ${implicit} and dim ${i}`);
      implicit = i;
    } else {
      throw new Error(`util.inferFromImplicitShape: shapes can not be < 0; found ${d} at dim ${i}`);
    }
  });
  if (implicit === -1) {
    if (size > 0 && size !== known) throw new Error(`util.inferFromImplicitShape: size ${size} must match the product of shape [${shape}]`);
    return shape;
  }
  if (known === 0) throw new Error(`util.inferFromImplicitShape: cannot infer the missing size in [${shape}] when there are 0 elements`);
  if (size % known !== 0) throw new Error(`util.inferFromImplicitShape: the implicit size can't be a fraction; got ${size} / ${known}`);
  const out = shape.slice();
  out[implicit] = size / known;
  return out;
}

/** Axes (one, several, or null for all) resolved to non-negative indices for `shape`. */
export function parseAxisParam(axis: number | number[] | null | undefined, shape: number[]): number[] {
  const rank = shape.length;
  const axes = axis == null ? shape.map((_, i) => i) : ([] as number[]).concat(axis);
  assert(axes.every((a) => a >= -rank && a < rank),
    () => `util.parseAxisParam: all values in axis must be in range [-${rank}, ${rank}); received axis ${axes}`);
  assert(axes.every(isInt), () => `util.parseAxisParam: all values in axis must be integers; received axis ${axes}`);
  return axes.map((a) => (a < 0 ? a + rank : a));
}

/** The shape without its size-1 dimensions (only those in `axis`, when given), and the dims kept. */
export function squeezeShape(shape: number[], axis?: number[]): { newShape: number[]; keptDims: number[] } {
  const axes = axis == null || axis.length === 0 ? null : new Set(parseAxisParam(axis, shape));
  const newShape: number[] = [];
  const keptDims: number[] = [];
  shape.forEach((d, i) => {
    if (axes?.has(i) && d !== 1) throw new Error(`util.squeezeShape: can't squeeze axis ${i} since its dim '${d}' is not 1`);
    const drop = axes ? axes.has(i) : d === 1;
    if (!drop) { newShape.push(d); keptDims.push(i); }
  });
  return { newShape, keptDims };
}

/** A zeroed array for `size` values of `dtype`, as TF.js holds them (bool: Uint8Array; string: Array). */
export function getArrayFromDType(dtype: DType | 'string' | undefined, size: number): TypedArrayOf | string[] {
  switch (dtype ?? 'float32') {
    case 'float32': return new Float32Array(size);
    case 'int32': return new Int32Array(size);
    case 'bool': return new Uint8Array(size);
    case 'string': return new Array<string>(size);
    default: throw new Error(`util.getArrayFromDType: unknown dtype ${JSON.stringify(dtype)}`);
  }
}
/** A zeroed typed array of a dtype's kind and a size (tf.util.getTypedArrayFromDType). */
export function getTypedArrayFromDType(dtype: DType, size: number): TypedArrayOf {
  return getArrayFromDType(dtype, size) as TypedArrayOf;
}
/** A zeroed typed array of a size for a dtype (default 'float32') (tf.util.makeZerosTypedArray). */
export function makeZerosTypedArray(size: number, dtype: DType | 'complex64' = 'float32'): TypedArrayOf {
  if (dtype === 'complex64') return new Float32Array(size);
  if (dtype === 'float32' || dtype === 'int32' || dtype === 'bool') return getTypedArrayFromDType(dtype, size);
  throw new Error(`util.makeZerosTypedArray: unknown dtype ${JSON.stringify(dtype)}`);
}
/** A typed array of ones of a size for a dtype (default 'float32') (tf.util.makeOnesTypedArray). */
export function makeOnesTypedArray(size: number, dtype: DType = 'float32'): TypedArrayOf {
  return makeZerosTypedArray(size, dtype).fill(1);
}
/** A nested array of zeros of a shape (tf.util.makeZerosNestedTypedArray); dtype defaults to 'float32'. */
export function makeZerosNestedTypedArray(shape: number[], dtype: DType = 'float32'): RecursiveArray<number> {
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') throw new Error(`util.makeZerosNestedTypedArray: unknown dtype ${JSON.stringify(dtype)}`);
  return toNestedArray(shape, makeZerosTypedArray(sizeFromShape(shape), dtype));
}

/** Throws on NaN or infinite values about to be uploaded as `dtype`. */
export function checkConversionForErrors(vals: ArrayLike<number>, dtype: string): void {
  for (let i = 0; i < vals.length; i++) {
    if (!Number.isFinite(vals[i])) throw new Error(`util.checkConversionForErrors: a tensor of type ${dtype} being uploaded contains ${vals[i]} (at ${i})`);
  }
}
/** Whether a string is a dtype sora has: 'float32', 'int32' or 'bool' (tf.util.isValidDtype). */
export function isValidDtype(dtype: string): boolean { return DTYPE_NAMES.includes(dtype); }
/** Whether casting `oldType` values to `newType` can lose information. */
export function hasEncodingLoss(oldType: string, newType: string): boolean {
  if (newType === 'complex64') return false;
  if (newType === 'float32') return oldType === 'complex64';
  if (newType === 'int32') return oldType === 'float32' || oldType === 'complex64';
  return !(newType === 'bool' && oldType === 'bool');
}
/** Bytes per value as TF.js stores `dtype` on the CPU (bool: 1, complex64: 8). */
export function bytesPerElement(dtype: string): number {
  if (dtype === 'float32' || dtype === 'int32') return 4;
  if (dtype === 'complex64') return 8;
  if (dtype === 'bool') return 1;
  throw new Error(`util.bytesPerElement: unknown dtype ${JSON.stringify(dtype)}`);
}
/** The total byte length of an array of encoded strings (tf.util.bytesFromStringArray). */
export function bytesFromStringArray(arr: Uint8Array[] | null): number {
  return arr == null ? 0 : arr.reduce((n, bytes) => n + bytes.length, 0);
}

/** Whether a value is a string (tf.util.isString). */
export function isString(value: unknown): value is string { return typeof value === 'string' || value instanceof String; }
/** Whether a value is a boolean (tf.util.isBoolean). */
export function isBoolean(value: unknown): value is boolean { return typeof value === 'boolean'; }
/** Whether a value is a number (tf.util.isNumber). */
export function isNumber(value: unknown): value is number { return typeof value === 'number'; }
/** Whether a value is a function (tf.util.isFunction). */
export function isFunction(f: any): boolean { return Boolean(f && f.constructor && f.call && f.apply); }
/** Whether a value is a promise (has a then method) (tf.util.isPromise). */
export function isPromise(object: unknown): object is Promise<unknown> {
  return Boolean(object) && typeof (object as { then?: unknown }).then === 'function';
}
/** Whether a value is a Float32Array, Int32Array, Uint8Array or Uint8ClampedArray (tf.util.isTypedArray). */
export function isTypedArray(a: unknown): a is Float32Array | Int32Array | Uint8Array | Uint8ClampedArray {
  return a instanceof Float32Array || a instanceof Int32Array || a instanceof Uint8Array || a instanceof Uint8ClampedArray;
}

/** The dtype TF.js gives values: Int32Array and Uint8Array int32, booleans bool, strings string, else float32. */
export function inferDtype(values: unknown): DType | 'string' {
  if (Array.isArray(values)) return inferDtype(values[0]);
  if (values instanceof Float32Array) return 'float32';
  if (values instanceof Int32Array || values instanceof Uint8Array || values instanceof Uint8ClampedArray) return 'int32';
  if (isString(values)) return 'string';
  if (isBoolean(values)) return 'bool';
  return 'float32';
}

/** The smallest divisor of size that is at least start (size itself when none) (tf.util.nearestDivisor). */
export function nearestDivisor(size: number, start: number): number {
  for (let d = start; d < size; d++) if (size % d === 0) return d;
  return size;
}
/** Row-major strides of every dimension but the last (whose stride is 1), as TF.js lists them. */
export function computeStrides(shape: number[]): number[] {
  if (shape.length < 2) return [];
  const strides = new Array<number>(shape.length - 1);
  let stride = 1;
  for (let i = shape.length - 1; i > 0; i--) { stride *= shape[i]; strides[i - 1] = stride; }
  return strides;
}
/** The flat index of a multi-dimensional location, given the strides (tf.util.locToIndex). */
export function locToIndex(locs: number[], rank: number, strides: number[]): number {
  if (rank === 0) return 0;
  let index = locs[locs.length - 1];
  for (let i = 0; i < locs.length - 1; i++) index += strides[i] * locs[i];
  return index;
}
/** The multi-dimensional location of a flat index, given the strides (tf.util.indexToLoc). */
export function indexToLoc(index: number, rank: number, strides: number[]): number[] {
  if (rank === 0) return [];
  const locs = new Array<number>(rank);
  for (let i = 0; i < rank - 1; i++) {
    locs[i] = Math.floor(index / strides[i]);
    index -= locs[i] * strides[i];
  }
  locs[rank - 1] = index;
  return locs;
}

/** Nested arrays (and typed arrays inside them) flattened in order; typed arrays stay whole with `skipTypedArray`. */
export function flatten<T>(arr: RecursiveArray<T> | ArrayLike<T>, result: T[] = [], skipTypedArray = false): T[] {
  const out = result ?? [];
  const visit = (v: unknown): void => {
    if (v == null || typeof v !== 'object' || isPromise(v) || (skipTypedArray && isTypedArray(v))) { out.push(v as T); return; }
    if (Array.isArray(v) || isTypedArray(v)) { for (let i = 0; i < (v as ArrayLike<unknown>).length; i++) visit((v as ArrayLike<unknown>)[i]); return; }
    // Array-likes given as objects with index keys ({0: .., 1: ..}).
    const last = Math.max(-1, ...Object.keys(v).filter((k) => /^(0|[1-9][0-9]*)$/.test(k)).map(Number));
    for (let i = 0; i <= last; i++) visit((v as Record<number, unknown>)[i]);
  };
  visit(arr);
  return out;
}

/** Values (nested or flat) as the typed array of `dtype` (bool: round(v) != 0, as a Uint8Array). */
export function toTypedArray(a: RecursiveArray<number> | ArrayLike<number>, dtype: DType | 'complex64'): TypedArrayOf {
  if ((dtype as string) === 'string') throw new Error('util.toTypedArray: cannot convert a string[] to a TypedArray');
  const flat = Array.isArray(a) ? flatten<number>(a as RecursiveArray<number>) : a as ArrayLike<number>;
  if (dtype === 'float32' || dtype === 'complex64' || dtype == null) return flat instanceof Float32Array ? flat : new Float32Array(flat);
  if (dtype === 'int32') return flat instanceof Int32Array ? flat : new Int32Array(flat);
  if (dtype === 'bool') return flat instanceof Uint8Array ? flat : Uint8Array.from(flat as ArrayLike<number>, (v) => (Math.round(v) !== 0 ? 1 : 0));
  throw new Error(`util.toTypedArray: unknown dtype ${JSON.stringify(dtype)}`);
}
/** A one-element typed array holding a value in a dtype's storage (tf.util.createScalarValue). */
export function createScalarValue(value: number | string, dtype: DType | 'string'): TypedArrayOf | Uint8Array {
  return dtype === 'string' ? encodeString(String(value)) : toTypedArray([Number(value)], dtype);
}
/** Backend values (or an ArrayBuffer of them) as `dtype`'s array. */
export function convertBackendValuesAndArrayBuffer(data: ArrayBuffer | ArrayLike<number> | Uint8Array[], dtype: string):
  Float32Array | Int32Array | Uint8Array | Uint8Array[] {
  if (Array.isArray(data)) return data as Uint8Array[];
  const view = data as ArrayLike<number> & ArrayBuffer;
  if (dtype === 'float32') return data instanceof Float32Array ? data : new Float32Array(view);
  if (dtype === 'int32') return data instanceof Int32Array ? data : new Int32Array(view);
  if (dtype === 'bool' || dtype === 'string') return Uint8Array.from(new Int32Array(view));
  throw new Error(`util.convertBackendValuesAndArrayBuffer: unknown dtype ${JSON.stringify(dtype)}`);
}

/** Milliseconds from a high-resolution clock. */
export function now(): number { return globalThis.performance?.now() ?? Date.now(); }
/** The platform's fetch (browsers, Deno, Node >= 18). */
export function fetch(path: string, requestInits?: RequestInit): Promise<Response> {
  if (typeof globalThis.fetch !== 'function') throw new Error('util.fetch: this platform has no global fetch');
  return globalThis.fetch(path, requestInits);
}
/** A string as bytes in an encoding (default 'utf-8') (tf.util.encodeString). */
export function encodeString(s: string, encoding = 'utf-8'): Uint8Array {
  if ((encoding || 'utf-8').toLowerCase().replace('-', '') !== 'utf8') {
    throw new Error(`util.encodeString: only utf-8 is supported; received encoding '${encoding}'`);
  }
  return new TextEncoder().encode(s);
}
/** Bytes as a string in an encoding (default 'utf-8') (tf.util.decodeString). */
export function decodeString(bytes: Uint8Array, encoding = 'utf-8'): string {
  return new TextDecoder(encoding || 'utf-8').decode(bytes);
}
export { fingerPrint64, hexToLong } from './hash.js';
export type { Long } from './hash.js';
