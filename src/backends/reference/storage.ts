/** The reference backend's storage: a typed array JS owns (float32, or int32 for int32 and bool). */
import type { DType, Storage, TypedArray } from '../backend.js';

export class ReferenceStorage implements Storage {
  constructor(readonly values: TypedArray, readonly dtype: DType) {}
  get size(): number { return this.values.length; }
  get bytes(): number { return this.values.byteLength; }
}
