/**
 * Weight specs and bytes: validation of untrusted manifests, encoding for save, decoding for
 * load. A manifest is hostile until checked: every name, dtype, shape and byte count is
 * verified before any weight is read.
 */
import type { ModelArtifacts, WeightDType, WeightSpec } from './types.js';

/** A weight to encode: its name and its tensor (TF.js's NamedTensor, as io.encodeWeights takes them). */
export interface NamedWeight {
  /** The weight's name. */
  name: string;
  /** The weight's values. */
  values: Float32Array | Int32Array;
  /** The weight's shape. */
  shape: number[];
}

/** One weight read back from a weights buffer: its dtype, shape and values. */
export interface DecodedWeight {
  /** The weight's dtype (quantized weights are mapped back to it). */
  dtype: WeightDType;
  /**
   * The weight's values: Float32Array (float32; complex64 as real, imaginary pairs), Int32Array (int32),
   * Uint8Array (bool, 0 or 1), or one Uint8Array of UTF-8 bytes per value (string).
   */
  values: Float32Array | Int32Array | Uint8Array | Uint8Array[];
  /** The weight's shape. */
  shape: number[];
}

/** Bytes per value of each stored type; string weights have no fixed size (see WeightDType). */
const BYTES_PER_VALUE: Readonly<Record<string, number>> = Object.freeze(Object.assign(Object.create(null) as Record<string, number>,
  { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 }));
const WEIGHT_DTYPES: readonly string[] = ['float32', 'int32', 'bool', 'string', 'complex64'];
const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
/** Bytes of a string value's length prefix (uint32, little-endian), as TF.js writes it. */
const STRING_LENGTH_BYTES = 4;
/** True for an ArrayBuffer from any realm (a worker, an iframe, node:vm), unlike instanceof. */
export function isArrayBuffer(value: unknown): value is ArrayBuffer {
  return value instanceof ArrayBuffer || Object.prototype.toString.call(value) === '[object ArrayBuffer]';
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Checks one manifest entry and returns its byte length in the weight data, or null for a string
 * weight, whose length only its bytes tell (weightByteLengths walks them). `where` names the file
 * or source quoted in errors.
 */
export function checkWeightSpec(spec: unknown, index: number, where: string): number | null {
  const at = `${where}: weight ${index}`;
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new Error(`${at}: expected an object {name, shape, dtype}, got ${JSON.stringify(spec)}`);
  }
  const { name, shape, dtype, quantization, group } = spec as Record<string, unknown>;
  if (typeof name !== 'string' || name.length === 0) {
    throw new Error(`${at}: expected a non-empty string name, got ${JSON.stringify(name)}`);
  }
  const label = `${where}: weight '${name}'`;
  if (FORBIDDEN_NAMES.has(name)) throw new Error(`${label}: the name '${name}' is not allowed`);
  if (typeof dtype !== 'string' || !WEIGHT_DTYPES.includes(dtype)) {
    throw new Error(`${label}: unsupported dtype ${JSON.stringify(dtype)}; expected one of ` +
      `${WEIGHT_DTYPES.map((d) => `'${d}'`).join(', ')}`);
  }
  if (group !== undefined && group !== 'model' && group !== 'optimizer') {
    throw new Error(`${label}: unknown group ${JSON.stringify(group)}; expected 'model' or 'optimizer'`);
  }
  if (!Array.isArray(shape)) throw new Error(`${label}: expected shape to be an array, got ${JSON.stringify(shape)}`);
  let size = 1;
  for (let axis = 0; axis < shape.length; axis++) {
    const dim: unknown = shape[axis];
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
      throw new Error(`${label}: shape [${shape.map((d) => JSON.stringify(d)).join(', ')}] has ` +
        `${JSON.stringify(dim)} at axis ${axis}; expected a non-negative integer`);
    }
    size *= dim;
    if (size > Number.MAX_SAFE_INTEGER / 8) {
      throw new Error(`${label}: shape [${shape.join(', ')}] overflows: its size exceeds ${Number.MAX_SAFE_INTEGER / 8}`);
    }
  }
  let stored: string = dtype;
  if (quantization !== undefined) {
    if (quantization === null || typeof quantization !== 'object') {
      throw new Error(`${label}: expected quantization to be an object, got ${JSON.stringify(quantization)}`);
    }
    const q = quantization as Record<string, unknown>;
    if (q.dtype === 'uint8' || q.dtype === 'uint16') {
      if (dtype !== 'float32' && dtype !== 'int32') {
        throw new Error(`${label}: ${q.dtype} quantization applies to float32 and int32 weights, not ${dtype}`);
      }
      if (typeof q.scale !== 'number' || !Number.isFinite(q.scale) || typeof q.min !== 'number' || !Number.isFinite(q.min)) {
        throw new Error(`${label}: ${q.dtype} quantization needs finite scale and min, got ` +
          `scale=${JSON.stringify(q.scale)}, min=${JSON.stringify(q.min)}`);
      }
    } else if (q.dtype === 'float16') {
      if (dtype !== 'float32') throw new Error(`${label}: float16 quantization applies to float32 weights, not ${dtype}`);
    } else {
      throw new Error(`${label}: unknown quantization dtype ${JSON.stringify(q.dtype)}; ` +
        `expected 'uint8', 'uint16' or 'float16'`);
    }
    stored = q.dtype;
  }
  if (stored === 'string') return null;
  return size * BYTES_PER_VALUE[stored]!;
}

/**
 * Checks a list of specs (unique, valid) and returns the total bytes they take, or null when a string
 * weight is among them (its bytes say how long it is: see weightByteLengths).
 */
export function checkWeightSpecs(specs: unknown, where: string): number | null {
  if (!Array.isArray(specs)) throw new Error(`${where}: expected a list of weight specs, got ${JSON.stringify(specs)}`);
  const seen = new Set<string>();
  let total: number | null = 0;
  for (let i = 0; i < specs.length; i++) {
    const bytes = checkWeightSpec(specs[i], i, where);
    total = total === null || bytes === null ? null : total + bytes;
    const name = (specs[i] as WeightSpec).name;
    if (seen.has(name)) throw new Error(`${where}: weight '${name}' appears twice in the manifest`);
    seen.add(name);
  }
  if (total !== null && total > Number.MAX_SAFE_INTEGER) throw new Error(`${where}: the weights' total size overflows`);
  return total;
}

function sizeOfShape(shape: readonly number[]): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

/**
 * The byte length of each of `specs` (already checked) laid out from the start of `bytes`: fixed for
 * numeric weights, found by walking the length prefixes of string weights. Throws, naming the weight
 * and `where`, when a string weight runs past the end of `bytes`; a numeric weight cut short is left
 * to the caller's total check.
 */
export function weightByteLengths(specs: readonly WeightSpec[], bytes: Uint8Array, where: string): number[] {
  const lengths: number[] = [];
  let offset = 0;
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    const fixed = checkWeightSpec(spec, i, where);
    if (fixed !== null) {
      lengths.push(fixed);
      offset += fixed;
      continue;
    }
    const start = offset;
    const size = sizeOfShape(spec.shape);
    for (let v = 0; v < size; v++) {
      if (offset + STRING_LENGTH_BYTES > bytes.length) {
        throw new Error(`${where}: string weight '${spec.name}' (shape [${spec.shape.join(', ')}]) runs past the end of the ` +
          `data: value ${v} of ${size} needs its 4-byte length at byte ${offset}, and the data has ${bytes.length} bytes; ` +
          'the data is truncated');
      }
      const length = (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
      offset += STRING_LENGTH_BYTES;
      if (offset + length > bytes.length) {
        throw new Error(`${where}: string weight '${spec.name}' (shape [${spec.shape.join(', ')}]) runs past the end of the ` +
          `data: value ${v} of ${size} is ${length} bytes from byte ${offset}, and the data has ${bytes.length} bytes; ` +
          'the data is truncated');
      }
      offset += length;
    }
    lengths.push(offset - start);
  }
  return lengths;
}

/** "expected N bytes, got M" with the reason, for a weight file or buffer of the wrong size. */
export function byteCountError(where: string, expected: number, got: number, what: string): Error {
  const reason = got < expected ? 'the data is truncated' : 'the data has trailing bytes';
  return new Error(`${where}: expected ${expected} bytes for ${what}, got ${got}; ${reason}`);
}

/**
 * The byte length of each spec in `data`, checked to cover the data exactly; the error names `where`,
 * the weight cut short (or the trailing bytes), and with `listNames` every weight of the group.
 */
export function measureWeights(specs: readonly WeightSpec[], data: ArrayBuffer | Uint8Array, where: string, listNames = false): number[] {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  const lengths = weightByteLengths(specs, bytes, where);
  let total = 0;
  for (const length of lengths) total += length;
  if (total !== bytes.byteLength) {
    let offset = 0;
    let cut = -1;
    for (let i = 0; i < lengths.length && cut < 0; i++) {
      if (offset + lengths[i]! > bytes.byteLength) cut = i;
      offset += lengths[i]!;
    }
    const names = specs.map((spec) => spec.name).join(', ');
    const listed = listNames ? ` (${names.length > 200 ? `${names.slice(0, 200)}...` : names})` : '';
    const what = `${specs.length} weight${specs.length === 1 ? '' : 's'}${listed}`;
    const error = byteCountError(where, total, bytes.byteLength, what);
    if (cut >= 0) error.message += `: weight '${specs[cut]!.name}' (shape [${specs[cut]!.shape.join(', ')}]) is the first cut short`;
    throw error;
  }
  return lengths;
}

/**
 * Decodes every weight of the artifacts into its own typed array: float32, int32, bool (Uint8Array),
 * complex64 (interleaved Float32Array) or string (UTF-8 bytes per value); quantized weights are mapped
 * back to their dtype as TF.js maps them (uint8/uint16: stored * scale + min, rounded for int32;
 * float16: widened). Throws, naming `where`, unless `weightData` holds exactly the bytes the specs describe.
 */
export function decodeWeights(artifacts: Pick<ModelArtifacts, 'weightSpecs' | 'weightData'>,
  where = 'weightData'): Map<string, DecodedWeight> {
  const specs = artifacts.weightSpecs;
  checkWeightSpecs(specs, where);
  const data = artifacts.weightData;
  if (!isArrayBuffer(data)) {
    throw new Error(`${where}: expected weightData to be an ArrayBuffer, got ${data === null ? 'null' : typeof data}`);
  }
  const lengths = measureWeights(specs, data, where);
  const out = new Map<string, DecodedWeight>();
  let offset = 0;
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    const bytes = lengths[i]!;
    out.set(spec.name, { dtype: spec.dtype, values: decodeOne(spec, data, offset, bytes), shape: spec.shape.slice() });
    offset += bytes;
  }
  return out;
}

/** The stored uint16 values at [offset, offset + bytes): a view where aligned on a little-endian host, else a copy. */
function uint16s(data: ArrayBuffer, offset: number, bytes: number): Uint16Array {
  const values = offset % 2 === 0 ? new Uint16Array(data, offset, bytes / 2) : new Uint16Array(data.slice(offset, offset + bytes));
  if (LITTLE_ENDIAN) return values;
  const swapped = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) swapped[i] = ((values[i]! & 0xff) << 8) | (values[i]! >> 8);
  return swapped;
}

function decodeOne(spec: WeightSpec, data: ArrayBuffer, offset: number, bytes: number): DecodedWeight['values'] {
  const q = spec.quantization;
  if (q === undefined) {
    if (spec.dtype === 'string') return decodeStrings(new Uint8Array(data, offset, bytes), sizeOfShape(spec.shape));
    const copy = data.slice(offset, offset + bytes);
    if (spec.dtype === 'bool') return new Uint8Array(copy);
    const values = spec.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
    if (!LITTLE_ENDIAN) swap32(values);
    return values;
  }
  if (q.dtype === 'float16') {
    const stored = uint16s(data, offset, bytes);
    const table = halfTable();
    const out = new Float32Array(stored.length);
    for (let i = 0; i < stored.length; i++) out[i] = table[stored[i]!]!;
    return out;
  }
  const stored = q.dtype === 'uint8' ? new Uint8Array(data, offset, bytes) : uint16s(data, offset, bytes);
  const scale = q.scale!;
  const min = q.min!;
  if (spec.dtype === 'int32') {
    const out = new Int32Array(stored.length);
    for (let i = 0; i < stored.length; i++) out[i] = Math.round(stored[i]! * scale + min);
    return out;
  }
  const out = new Float32Array(stored.length);
  for (let i = 0; i < stored.length; i++) out[i] = stored[i]! * scale + min;
  return out;
}

function decodeStrings(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let offset = 0;
  for (let v = 0; v < size; v++) {
    const length = (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
    offset += STRING_LENGTH_BYTES;
    out.push(bytes.slice(offset, offset + length));
    offset += length;
  }
  return out;
}

let HALF_TABLE: Float32Array | undefined;
/** Every float16 bit pattern widened to float32, built once (256 KB): decoding is then one lookup per value. */
function halfTable(): Float32Array {
  if (HALF_TABLE === undefined) {
    HALF_TABLE = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) HALF_TABLE[h] = halfToFloat(h);
  }
  return HALF_TABLE;
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function swap32(values: Float32Array | Int32Array): void {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  for (let i = 0; i < bytes.length; i += 4) {
    const a = bytes[i]!; const b = bytes[i + 1]!;
    bytes[i] = bytes[i + 3]!; bytes[i + 1] = bytes[i + 2]!; bytes[i + 2] = b; bytes[i + 3] = a;
  }
}

/**
 * Lays named weights out as TF.js does: specs in the order given, values concatenated as
 * little-endian float32 / int32 (dtype from the array type).
 */
export function encodeWeights(weights: readonly NamedWeight[]): { weightSpecs: WeightSpec[]; weightData: ArrayBuffer } {
  const weightSpecs: WeightSpec[] = [];
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const { name, values, shape } = weights[i]!;
    const dtype: WeightDType | undefined = values instanceof Float32Array ? 'float32'
      : values instanceof Int32Array ? 'int32' : undefined;
    const spec = { name, shape: Array.isArray(shape) ? shape.slice() : shape, dtype } as WeightSpec;
    const where = 'encodeWeights';
    if (dtype === undefined) {
      throw new Error(`${where}: weight '${name}': expected a Float32Array or Int32Array, got ` +
        `${values === null ? 'null' : (values as object)?.constructor?.name ?? typeof values}`);
    }
    const bytes = checkWeightSpec(spec, i, where)!;
    if (bytes !== values.byteLength) {
      throw new Error(`${where}: weight '${name}': shape [${shape.join(', ')}] holds ${bytes / 4} values, ` +
        `but ${values.length} were given`);
    }
    weightSpecs.push(spec);
    total += bytes;
  }
  checkWeightSpecs(weightSpecs, 'encodeWeights');
  const weightData = new ArrayBuffer(total);
  const bytes = new Uint8Array(weightData);
  let offset = 0;
  for (const { values } of weights) {
    bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), offset);
    if (!LITTLE_ENDIAN) swap32(new Int32Array(weightData, offset, values.length));
    offset += values.byteLength;
  }
  return { weightSpecs, weightData };
}

/** Joins buffers into one fresh ArrayBuffer (shards of a weight group, groups of a model). */
export function concatBytes(parts: readonly (ArrayBuffer | Uint8Array)[]): ArrayBuffer {
  let total = 0;
  for (const part of parts) total += part.byteLength;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part instanceof Uint8Array ? part : new Uint8Array(part), offset);
    offset += part.byteLength;
  }
  return out.buffer;
}
