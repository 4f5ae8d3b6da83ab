/** Plumbing shared by the ops: argument checks, storages in, tensors out. */
import { storageBytes, type Backend, type DType, type Storage } from '../backends/backend.js';
import { DTYPES, isDType, type NumericDType } from '../core/dtypes.js';
import { ENGINE } from '../core/engine.js';
import { Tensor, type Shape } from '../core/tensor.js';

export function sizeOf(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function describe(t: Tensor): string {
  return `shape [${t.shape}] (${t.dtype})`;
}

export function checkTensor(op: string, name: string, value: unknown): Tensor {
  if (!(value instanceof Tensor)) {
    throw new Error(`${op}: expected '${name}' to be a Tensor, received ${value === null ? 'null' : typeof value}`);
  }
  value.assertAlive(op);
  return value;
}

/** x itself when it is a tensor of the given rank (the ranked ops: concat2d, depthToSpace, outerProduct ...). */
export function checkRank(op: string, x: Tensor, rank: number): Tensor {
  checkTensor(op, 'x', x);
  if (x.rank !== rank) throw new Error(`${op}: expected a rank-${rank} tensor; received ${describe(x)}`);
  return x;
}

export function checkShape(op: string, shape: unknown): Shape {
  if (!Array.isArray(shape)) throw new Error(`${op}: expected a shape (array of integers), received ${String(shape)}`);
  shape.forEach((d, i) => {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new Error(`${op}: shape entries must be non-negative integers; received shape ` +
        `[${shape}] with ${String(d)} at index ${i}`);
    }
  });
  const size = sizeOf(shape);
  if (size > 2 ** 31 - 1) throw new RangeError(`${op}: shape [${shape}] has ${size} elements, more than 2^31-1`);
  return shape as Shape;
}

/**
 * Values an op computes in JavaScript before they reach a backend (windows, eye, range,
 * linspace, resize's sample positions, tf.buffer) are held in a typed array too: at most
 * 2 GiB, what every engine's typed arrays can hold.
 */
const HOST_MAX_BYTES = 2 ** 31;

/** A byte count for a message: exact while it is, else two digits ('1.8e19'). */
function formatBytes(bytes: number): string {
  return Number.isSafeInteger(bytes) ? String(bytes) : bytes.toPrecision(2).replace('e+', 'e');
}

/**
 * Checks, before anything is allocated, that a tensor of `shape` and `dtype` can be made:
 * every entry a non-negative integer, and its bytes within what the active backend can hold
 * (`maxStorageBytes`; with `host`, also within HOST_MAX_BYTES, for values built in
 * JavaScript first). The error names the op, what the shape is (`what`: 'output', 'window',
 * ...), the shape, its bytes and the limit; a RangeError, as TF.js's for a size it cannot
 * allocate. Returns the element count. runOp checks every op's outputs this way (passing the
 * backend it already holds); ops that build arrays before they reach runOp call it at their entry.
 */
export function checkAllocation(op: string, shape: readonly number[], dtype: DType, what = 'output', host = false,
  backend: Backend | null = ENGINE.hasBackend() ? ENGINE.backend : null): number {
  let size = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new RangeError(`${op}: ${what} shape [${shape}] has ${String(d)} at index ${i}; ` +
        'expected non-negative integers');
    }
    size *= d;
  }
  const bytes = storageBytes(size, dtype);
  const backendLimit = backend ? backend.maxStorageBytes() : Infinity;
  if (bytes <= backendLimit && (!host || bytes <= HOST_MAX_BYTES)) return size;
  const where = host && HOST_MAX_BYTES < backendLimit
    ? `the limit of ${HOST_MAX_BYTES} bytes for values computed in JavaScript before they reach the backend`
    : `the ${backend!.name} backend's limit of ${backendLimit} bytes`;
  throw new RangeError(`${op}: ${what} shape [${shape}] needs ${formatBytes(bytes)} bytes (${dtype}), over ${where}`);
}

export function checkDType(op: string, dtype: unknown): NumericDType {
  if (!isDType(dtype)) {
    // complex64 is left out: tf.complex makes it (below).
    throw new Error(`${op}: dtype must be one of ${Object.keys(DTYPES).filter((d) => d !== 'complex64').map((d) => `'${d}'`).join(', ')}; ` +
      `received ${JSON.stringify(dtype)}`);
  }
  if (dtype === 'string') {
    throw new Error(`${op}: dtype 'string' holds strings (tf.tensor(['a', 'b'])), not numbers; ${op} makes or takes numeric dtypes`);
  }
  if (dtype === 'complex64') {
    throw new Error(`${op}: dtype 'complex64' is made by tf.complex and the fft ops, not by ${op}; ` +
      'make the real and imaginary parts as float32 and combine them with tf.complex(real, imag)');
  }
  return dtype;
}

export function checkFloat(op: string, name: string, t: Tensor): void {
  if (t.dtype !== 'float32') throw new Error(`${op}: '${name}' must be float32; received ${describe(t)}`);
}

/** Resolve a possibly negative axis against a rank. */
export function resolveAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1)) {
    throw new Error(`${op}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** The tensor's storage on the active backend. */
export function storageOf(t: Tensor, op: string): Storage {
  return ENGINE.onActive(t, op).storage;
}

export function allocate(size: number, dtype: DType = 'float32'): Storage {
  return ENGINE.backend.alloc(size, dtype);
}

export function wrap(shape: Shape, dtype: DType, storage: Storage): Tensor {
  return ENGINE.makeTensor(shape, dtype, storage);
}

/** Allocate an output of `shape`, let `launch` fill it, and wrap it as a tensor. */
export function produce(shape: Shape, dtype: DType, launch: (out: Storage) => void): Tensor {
  const storage = allocate(sizeOf(shape), dtype);
  try {
    launch(storage);
  } catch (error) {
    ENGINE.backend.free(storage);
    throw error;
  }
  return wrap(shape, dtype, storage);
}

export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) { strides[i] = stride; stride *= shape[i]; }
  return strides;
}

/**
 * Attach chainable methods (`t.add(b)`) to Tensor; each op module attaches its own, beside
 * a `declare module '../core/tensor.js'` block that types them.
 */
export function chain(methods: Record<string, (this: Tensor, ...args: never[]) => unknown>): void {
  Object.assign(Tensor.prototype, methods);
}

/**
 * A Tensor argument as TF.js's convertToTensor takes it: a Tensor, or a number / (nested)
 * array / typed array made into one of `dtype`. `made` tells the caller to dispose it.
 */
export function toTensor(op: string, name: string, value: unknown, dtype: DType | undefined,
  make: (values: unknown, dtype: DType | undefined) => Tensor): { tensor: Tensor; made: boolean } {
  if (value instanceof Tensor) return { tensor: checkTensor(op, name, value), made: false };
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string' || Array.isArray(value) ||
    ArrayBuffer.isView(value)) {
    const given = typeof value === 'boolean' ? Number(value) : value;
    try {
      return { tensor: make(given, typeof value === 'boolean' && dtype === undefined ? 'bool' : dtype), made: true };
    } catch (error) {
      throw new Error(`${op}: '${name}' cannot be made a tensor: ${(error as Error).message}`);
    }
  }
  throw new Error(`${op}: expected '${name}' to be a Tensor, a number or an array; received ` +
    `${value === null ? 'null' : typeof value}`);
}

/** Throws naming the op when an int32 index is outside [0, bound) (sync backends only). */
export function checkIndices(op: string, name: string, indices: Tensor, bounds: (position: number) => number): void {
  if (indices.dtype !== 'int32') throw new Error(`${op}: ${name} must be int32; received ${describe(indices)}`);
  if (!indices.ref.backend.syncReadable) return;
  const values = indices.dataSync();
  for (let i = 0; i < values.length; i++) {
    const bound = bounds(i);
    if (values[i] < 0 || values[i] >= bound) {
      throw new Error(`${op}: index ${values[i]} at position ${i} is out of range [0, ${bound}) (${name})`);
    }
  }
}

/**
 * Refuses a complex64 tensor at the entry of an op TF.js refuses it for, where the op's
 * composition would otherwise name an inner op in the error (the registry refuses complex64
 * for every op not marked `complex`, naming that op).
 */
export function refuseComplex(op: string, name: string, value: unknown): void {
  if (value instanceof Tensor && value.dtype === 'complex64') {
    throw new Error(`${op}: '${name}' is complex64, which ${op} does not take (nor does TF.js); take tf.real / tf.imag (or tf.abs) first`);
  }
}

/** The shape of `tensors` joined along `axis` (resolved): every one of one dtype and rank, equal outside axis. */
export function concatShape(tensors: readonly Tensor[], axis: number): Shape {
  const first = tensors[0];
  for (const t of tensors) {
    if (t.rank !== first.rank || t.dtype !== first.dtype || t.shape.some((d, i) => i !== axis && d !== first.shape[i])) {
      throw new Error(`concat: ${describe(t)} does not match ${describe(first)} outside axis ${axis}`);
    }
  }
  const shape = first.shape.slice();
  shape[axis] = tensors.reduce((acc, t) => acc + t.shape[axis], 0);
  return shape;
}
