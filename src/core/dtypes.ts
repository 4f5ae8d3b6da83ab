/**
 * The dtypes as a table: bytes per element, the typed array that holds values on the CPU,
 * and how values read back. 'bool' is 4-byte 0/1 on every backend, so it shares int32's
 * storage paths in every kernel; packed int8 will come as the format of dedicated quantized
 * kernels, not as a general dtype.
 */
import type { DType, TypedArray } from '../backends/backend.js';
import { hasOwnName } from './lookup.js';

/**
 * The dtypes whose values a backend stores. 'string' tensors hold their values on the JS side
 * (src/core/string-storage.ts): no kernel ever sees one, so they have no row here.
 */
export type NumericDType = Exclude<DType, 'string'>;

export interface DTypeInfo {
  /** Bytes per element in backend storage (complex64: a pair of float32 words). */
  readonly bytes: 4 | 8;
  /** The CPU array type of read-back values. */
  readonly array: Float32ArrayConstructor | Int32ArrayConstructor;
  /** float: arithmetic of floats; integer: truncating; boolean: 0 or 1. */
  readonly kind: 'float' | 'integer' | 'boolean' | 'complex';
  /** What `data()` / `dataSync()` return, as TF.js returns them (bool: Uint8Array). */
  readonly readBack: Float32ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor;
}

export const DTYPES: Readonly<Record<NumericDType, DTypeInfo>> = {
  float32: { bytes: 4, array: Float32Array, kind: 'float', readBack: Float32Array },
  int32: { bytes: 4, array: Int32Array, kind: 'integer', readBack: Int32Array },
  bool: { bytes: 4, array: Int32Array, kind: 'boolean', readBack: Uint8Array },
  /**
   * Interleaved (re, im) float32 pairs in a float32 storage of twice the size: what TF.js's
   * data() returns for complex64, and a layout every float32 kernel (strided copies, GEMM
   * with leading dimensions) reads without a complex kernel family of its own.
   */
  complex64: { bytes: 8, array: Float32Array, kind: 'complex', readBack: Float32Array },
};

/** Values as `data()` returns them for `dtype`: storage values, or bool's 0/1 as a Uint8Array. */
export type DataValues = Float32Array | Int32Array | Uint8Array;
/**
 * What `data()` / `dataSync()` give for each dtype, as TF.js types them: a numeric dtype by
 * default, `t.dataSync<'string'>()` for the decoded values of a string tensor.
 */
export interface DataTypeMap {
  float32: Float32Array; int32: Int32Array; bool: Uint8Array; complex64: Float32Array; string: string[];
}
export function readBack(values: TypedArray, dtype: NumericDType): DataValues {
  const wanted = DTYPES[dtype].readBack;
  return values instanceof wanted ? values : wanted.from(values);
}

export function isDType(value: unknown): value is DType {
  return value === 'string' || hasOwnName(DTYPES, value);
}

/** A CPU array for `size` values of `dtype`. */
export function arrayFor(dtype: NumericDType, size: number): TypedArray {
  return new DTYPES[dtype].array(size);
}

/** Values converted to `dtype`'s array: int32 truncates toward zero; bool is round(v) != 0 (TF.js). */
export function toDTypeArray(values: ArrayLike<number>, dtype: DType): TypedArray {
  if (dtype === 'string') throw new Error("toDTypeArray: 'string' values are not numbers (internal error: see src/core/string-storage.ts)");
  const info = DTYPES[dtype];
  if (info.kind === 'float') return values instanceof Float32Array ? values : Float32Array.from(values);
  if (info.kind === 'boolean') return Int32Array.from(values, (v) => (Math.round(v) !== 0 ? 1 : 0));
  return values instanceof Int32Array ? values : Int32Array.from(values, (v) => Math.trunc(v));
}

/** TF.js's upcast rule for mixing dtypes: bool < int32 < float32. */
export function upcastType(a: DType, b: DType): DType {
  if (a === 'float32' || b === 'float32') return 'float32';
  if (a === 'int32' || b === 'int32') return 'int32';
  return 'bool';
}
