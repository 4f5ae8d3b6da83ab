/**
 * tf.buffer / TensorBuffer: a mutable CPU array with a shape, set element by element and
 * turned into a tensor with toTensor(). Values are held as TF.js holds them: Float32Array,
 * Int32Array, or Uint8Array for bool. Unlike TF.js, `set` checks its coordinates too, so an
 * out-of-range write is an error rather than a write into another element.
 */
import type { DType } from '../backends/backend.js';
import { isDType } from '../core/dtypes.js';
import type { Tensor, Shape } from '../core/tensor.js';
import { tensor } from './creation.js';
import { chain, checkAllocation } from './util.js';
import { computeStrides, getTypedArrayFromDType, sizeFromShape, type TypedArrayOf } from '../compat/util.js';

/**
 * A mutable buffer of values with a shape and dtype (tf.TensorBuffer), made by sora.buffer: set and get
 * values by index, then toTensor().
 */
export class TensorBuffer {
  /** The buffer's shape. */
  readonly shape: Shape;
  /** The number of values. */
  readonly size: number;
  /** The stride of each axis but the last, as TF.js computes them. */
  readonly strides: number[];
  /** The values, flat, in row-major order; a 'string' buffer holds strings (TF.js's too), '' where none was set. */
  values: TypedArrayOf | string[];

  /**
   * A buffer of a shape and dtype (default 'float32'), zeroed or over the values given; sora.buffer() is the
   * usual way.
   */
  constructor(shape: Shape, readonly dtype: DType = 'float32', values?: TypedArrayOf | number[] | string[]) {
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new Error(`buffer: shape must be an array of non-negative integers; received ${JSON.stringify(shape)}`);
    }
    if (!isDType(dtype) || dtype === 'complex64') { // complex64 tensors come from tf.complex
      throw new Error(`buffer: dtype must be 'float32', 'int32', 'bool' or 'string'; received ${JSON.stringify(dtype)}`);
    }
    checkAllocation('buffer', shape, dtype, 'buffer', true);
    this.shape = shape.slice();
    this.size = sizeFromShape(shape);
    if (values != null && values.length !== this.size) {
      throw new Error(`buffer: ${values.length} values do not match the size ${this.size} of shape [${shape}]`);
    }
    this.values = dtype === 'string' ? Array.from({ length: this.size }, (_, i) => String(values?.[i] ?? ''))
      : values == null ? getTypedArrayFromDType(dtype, this.size)
      : Array.isArray(values) ? getTypedArrayFromDType(dtype, this.size).map((_, i) => Number(values[i])) as TypedArrayOf : values;
    this.strides = computeStrides(shape);
  }

  /** The number of axes. */
  get rank(): number { return this.shape.length; }

  /** Writes `value` at `locs` (a scalar buffer takes no coordinates). */
  set(value: number | boolean | string, ...locs: number[]): void {
    const at = this.checkedIndex('set', locs);
    if (this.dtype === 'string') (this.values as string[])[at] = String(value);
    else (this.values as TypedArrayOf)[at] = Number(value);
  }

  /** The value at `locs` (a string in a 'string' buffer: `get` is typed as TF.js types it, a number). */
  get(...locs: number[]): number {
    return this.values[this.checkedIndex('get', locs)] as number;
  }

  /** The flat index of a location [i, j, ...] in the buffer. */
  locToIndex(locs: number[]): number {
    if (this.rank === 0) return 0;
    let index = locs[locs.length - 1];
    for (let i = 0; i < locs.length - 1; i++) index += this.strides[i] * locs[i];
    return index;
  }

  /** The location [i, j, ...] of a flat index in the buffer. */
  indexToLoc(index: number): number[] {
    if (this.rank === 0) return [];
    const locs = new Array<number>(this.rank);
    for (let i = 0; i < this.rank - 1; i++) {
      locs[i] = Math.floor(index / this.strides[i]);
      index -= locs[i] * this.strides[i];
    }
    locs[this.rank - 1] = index;
    return locs;
  }

  /** A new tensor with a copy of the values. */
  toTensor(): Tensor {
    return tensor(this.values, this.shape, this.dtype, 'TensorBuffer.toTensor');
  }

  private checkedIndex(method: string, given: number[]): number {
    const locs = given.length === 0 ? [0] : given;
    if (this.rank === 0 ? locs.length !== 1 || locs[0] !== 0 : locs.length !== this.rank) {
      throw new Error(`TensorBuffer.${method}: the number of provided coordinates (${given.length}) must match the ` +
        `rank (${this.rank})`);
    }
    if (this.rank > 0) {
      locs.forEach((loc, i) => {
        if (!Number.isInteger(loc) || loc < 0 || loc >= this.shape[i]) {
          throw new Error(`TensorBuffer.${method}: requested out of range element at [${locs}]; buffer shape [${this.shape}]`);
        }
      });
    }
    return this.locToIndex(locs);
  }
}

/** tf.buffer(shape, dtype = 'float32', values?): a TensorBuffer. */
export function buffer(shape: Shape, dtype: DType = 'float32', values?: TypedArrayOf | number[]): TensorBuffer {
  return new TensorBuffer(shape, dtype, values);
}

declare module '../core/tensor.js' {
  interface Tensor {
    /** A TensorBuffer holding a copy of the values. */
    buffer(): Promise<TensorBuffer>;
    bufferSync(): TensorBuffer;
  }
}
chain({
  async buffer() { return new TensorBuffer(this.shape, this.dtype, (await this.data<DType>()).slice()); },
  bufferSync() { return new TensorBuffer(this.shape, this.dtype, this.dataSync<DType>().slice()); },
});
