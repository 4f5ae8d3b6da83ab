/**
 * Tensor: a shape, a dtype, and a reference to data owned by one backend. Reshapes share
 * the data (reference-counted); everything else makes a new tensor. The chainable methods
 * (`t.add(b)`, `t.argMax(-1)`, ...) are attached by the op modules that define them
 * (src/ops/*), so an entry that imports few ops ships few.
 */
import type { Backend, DType, Storage } from '../backends/backend.js';
import { readBack, type DataTypeMap, type DataValues, type NumericDType } from './dtypes.js';
import { decodeUtf8, isStringStorage } from './string-storage.js';
import { ENGINE } from './engine.js';
import { formatTensor } from './tensor-format.js';
import { toNestedArray } from './nested-array.js';

/** A tensor's shape: the length of each axis ([] for a scalar). */
export type Shape = number[];

/** Data shared by a tensor and its reshaped views. */
export class DataRef {
  refCount = 1;
  /** Its index in the engine's list of live data (LiveRefs), -1 when not listed. */
  slot = -1;
  constructor(public storage: Storage, public backend: Backend) {}
  /** Bytes of the values, as tf.memory() counts them: 4 per storage word, a string's UTF-8 bytes. */
  get numBytes(): number { return isStringStorage(this.storage) ? this.storage.bytes : this.storage.size * 4; }
}

/** Numbers nested in arrays, as tensor() takes them and array() returns them. */
export type NestedArray = number | NestedArray[];
export type NestedStringArray = string | NestedStringArray[];
/** What `array()` gives for a dtype: nested numbers, or nested strings for 'string'. */
export type ArrayOf<D extends DType> = D extends 'string' ? NestedStringArray : NestedArray;

/**
 * An immutable n-dimensional array of numbers (tf.Tensor) with a shape and a dtype ('float32', 'int32' or
 * 'bool'); its storage lives on the active backend until dispose() (or the tidy around it) frees it. Read it
 * with data(), dataSync(), array() or arraySync().
 */
export class Tensor {
  /** The length of each axis. */
  readonly shape: Shape;
  /** The number of values, the product of the shape. */
  readonly size: number;
  private disposed = false;
  /** Set by `keep()`: no enclosing tidy disposes it. */
  kept = false;
  /** The engine's mark for "returned from the scope closing now" (see Engine.endScope). */
  resultOf = 0;
  /**
   * For a handle the tape pinned: the tensor it stands for. A gradient that reads a saved
   * tensor is a function of that tensor, so the tape follows `origin` (gradients of gradients).
   */
  origin: Tensor | null = null;

  /** Made by the engine; create tensors with sora.tensor and the other creation ops. */
  constructor(shape: Shape, readonly dtype: DType, public ref: DataRef, readonly id: number) {
    this.shape = shape.slice();
    let size = 1;
    for (let i = 0; i < shape.length; i++) size *= shape[i];
    this.size = size;
  }

  /** The number of axes (0 for a scalar). */
  get rank(): number { return this.shape.length; }
  /** Whether dispose() (or the tidy around it) has freed the tensor. */
  get isDisposed(): boolean { return this.disposed; }

  /** Throws, naming the op, when the tensor is disposed. */
  assertAlive(op: string): void {
    if (this.disposed) {
      throw new Error(`${op}: tensor ${this.id} (shape [${this.shape}], ${this.dtype}) is ` +
        'disposed; keep it out of tidy() or dispose() it later');
    }
  }

  /**
   * The values, copied out of the backend (bool as a Uint8Array, as TF.js; a string tensor's
   * as decoded strings: `data<'string'>()`). Works on every backend.
   */
  async data<D extends DType = NumericDType>(): Promise<DataTypeMap[D]> {
    this.assertAlive('data');
    if (isStringStorage(this.ref.storage)) return this.strings() as DataTypeMap[D];
    const values = await this.ref.backend.read(this.ref.storage);
    const words = this.dtype === 'complex64' ? 2 * this.size : this.size; // complex64: (re, im) pairs
    return readBack(values.length === words ? values : values.subarray(0, words), this.dtype as NumericDType) as DataTypeMap[D];
  }

  /** The values, synchronously; webgpu tensors need `await data()`. */
  dataSync<D extends DType = NumericDType>(): DataTypeMap[D] {
    this.assertAlive('dataSync');
    if (isStringStorage(this.ref.storage)) return this.strings() as DataTypeMap[D];
    const backend = this.ref.backend;
    if (!backend.syncReadable) {
      throw new Error(`dataSync: tensor ${this.id} lives on the '${backend.name}' backend, whose ` +
        'data can only be read asynchronously; use `await tensor.data()`');
    }
    return readBack(backend.readSync(this.ref.storage), this.dtype as NumericDType) as DataTypeMap[D];
  }

  /** A string tensor's values decoded from UTF-8 (TF.js's dataSync of a string tensor). */
  private strings(): string[] {
    const storage = this.ref.storage;
    return isStringStorage(storage) ? storage.values.map(decodeUtf8) : [];
  }

  /** Resolves to the values as nested arrays of the tensor's shape (tf.Tensor.array); strings decoded. */
  async array<D extends DType = NumericDType>(): Promise<ArrayOf<D>> {
    return nest(await this.data<DType>(), this.shape, this.dtype) as ArrayOf<D>;
  }
  /**
   * The values as nested arrays, synchronously (tf.Tensor.arraySync); throws on backends that read only
   * asynchronously (webgpu).
   */
  arraySync<D extends DType = NumericDType>(): ArrayOf<D> {
    return nest(this.dataSync<DType>(), this.shape, this.dtype) as ArrayOf<D>;
  }

  /** Frees the tensor's storage now; using it afterwards is an error naming the op. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    ENGINE.releaseTensor(this);
  }

  /** TF.js's throwIfDisposed: an Error when the tensor is disposed. */
  throwIfDisposed(): void { this.assertAlive('throwIfDisposed'); }

  /**
   * The values' bytes as TF.js gives them: 4 per float32 / int32 value, 1 per bool; a string
   * tensor's as one Uint8Array (UTF-8) per element, copies of what it holds.
   */
  async bytes(): Promise<Uint8Array | Uint8Array[]> {
    this.assertAlive('bytes');
    const storage = this.ref.storage;
    if (isStringStorage(storage)) return storage.values.map((v) => v.slice());
    const values = await this.data();
    return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  }

  /**
   * The values formatted as TF.js formats them ('Tensor\n    [[1, 2],\n     [3, 4]]'); with
   * `verbose`, dtype, rank and shape too. A tensor on an asynchronous backend (webgpu) is
   * described instead, as its values cannot be read synchronously.
   */
  toString(verbose = false): string {
    if (this.disposed) return `Tensor(disposed, shape [${this.shape}], ${this.dtype})`;
    if (!this.ref.backend.syncReadable) {
      return `Tensor(shape [${this.shape}], ${this.dtype}, on the '${this.ref.backend.name}' backend: ` +
        'await tensor.data() to read its values)';
    }
    return formatTensor(this.dataSync<DType>(), this.shape, this.dtype, verbose);
  }
  /**
   * Logs the tensor's values to the console (tf.Tensor.print); verbose (default false) adds its dtype, rank
   * and shape.
   */
  print(verbose = false): void { console.log(this.toString(verbose)); }
}

/**
 * A tensor whose values an optimizer updates in place; not collected by tidy(). A view of it
 * (reshape, ...) taken before an update keeps the values it had, as in TF.js.
 */
export class Variable extends Tensor {
  /** Made by sora.variable (or tensor.variable()); not called directly. */
  constructor(shape: Shape, dtype: DType, ref: DataRef, id: number, readonly name: string,
    /** Whether optimizers and gradients take this variable when none are listed. */
    public trainable: boolean) {
    super(shape, dtype, ref, id);
  }

  /** Overwrite the values (same shape and dtype). */
  assign(value: Tensor): void {
    this.assertAlive('assign');
    if (value.dtype !== this.dtype || value.shape.length !== this.shape.length ||
      value.shape.some((d, i) => d !== this.shape[i])) {
      throw new Error(`assign: variable '${this.name}' has shape [${this.shape}] (${this.dtype}); ` +
        `received shape [${value.shape}] (${value.dtype})`);
    }
    // Views of the variable taken before keep their values (see Engine.ownData); `value`
    // may be one of them, so it is read from the data it had.
    ENGINE.copyInto(value, ENGINE.ownData(this, 'assign', false));
  }
}

/** Nested as TF.js nests values: a number for a scalar, [] for any empty tensor. */
/** complex64 rows hold (re, im) pairs side by side, as TF.js's array() gives them. */
function nest(values: DataValues | string[], shape: Shape, dtype: DType): NestedArray | NestedStringArray {
  // toNestedArray only indexes the values, so it nests strings as it nests numbers.
  return toNestedArray(shape, values as ArrayLike<number>, dtype === 'complex64') as NestedArray | NestedStringArray;
}
