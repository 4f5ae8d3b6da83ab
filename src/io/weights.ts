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

/** One weight read back from a weights buffer: its name and its values as a tensor. */
export interface DecodedWeight {
  /** The weight's values. */
  values: Float32Array | Int32Array;
  /** The weight's shape. */
  shape: number[];
}

const BYTES_PER_VALUE: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };
const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
/** True for an ArrayBuffer from any realm (a worker, an iframe, node:vm), unlike instanceof. */
export function isArrayBuffer(value: unknown): value is ArrayBuffer {
  return value instanceof ArrayBuffer || Object.prototype.toString.call(value) === '[object ArrayBuffer]';
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Checks one manifest entry and returns its byte length in the weight data. `where` names
 * the file or source quoted in errors.
 */
export function checkWeightSpec(spec: unknown, index: number, where: string): number {
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
  if (dtype !== 'float32' && dtype !== 'int32') {
    throw new Error(`${label}: unsupported dtype ${JSON.stringify(dtype)}; expected 'float32' or 'int32'`);
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
    if (size > Number.MAX_SAFE_INTEGER / 4) {
      throw new Error(`${label}: shape [${shape.join(', ')}] overflows: its size exceeds ${Number.MAX_SAFE_INTEGER / 4}`);
    }
  }
  let stored: string = dtype;
  if (quantization !== undefined) {
    if (quantization === null || typeof quantization !== 'object') {
      throw new Error(`${label}: expected quantization to be an object, got ${JSON.stringify(quantization)}`);
    }
    const q = quantization as Record<string, unknown>;
    if (q.dtype === 'uint8' || q.dtype === 'uint16') {
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
  return size * BYTES_PER_VALUE[stored]!;
}

/**
 * Checks a list of specs (unique, valid) and returns the total bytes they take.
 */
export function checkWeightSpecs(specs: unknown, where: string): number {
  if (!Array.isArray(specs)) throw new Error(`${where}: expected a list of weight specs, got ${JSON.stringify(specs)}`);
  const seen = new Set<string>();
  let total = 0;
  for (let i = 0; i < specs.length; i++) {
    total += checkWeightSpec(specs[i], i, where);
    const name = (specs[i] as WeightSpec).name;
    if (seen.has(name)) throw new Error(`${where}: weight '${name}' appears twice in the manifest`);
    seen.add(name);
  }
  if (total > Number.MAX_SAFE_INTEGER) throw new Error(`${where}: the weights' total size overflows`);
  return total;
}

/** "expected N bytes, got M" with the reason, for a weight file or buffer of the wrong size. */
export function byteCountError(where: string, expected: number, got: number, what: string): Error {
  const reason = got < expected ? 'the data is truncated' : 'the data has trailing bytes';
  return new Error(`${where}: expected ${expected} bytes for ${what}, got ${got}; ${reason}`);
}

/**
 * Decodes every weight of the artifacts into its own typed array (float32, or int32 for int32
 * weights; quantized weights are mapped back to their dtype). Throws, naming `where`, unless
 * `weightData` holds exactly the bytes the specs describe.
 */
export function decodeWeights(artifacts: Pick<ModelArtifacts, 'weightSpecs' | 'weightData'>,
  where = 'weightData'): Map<string, DecodedWeight> {
  const specs = artifacts.weightSpecs;
  const total = checkWeightSpecs(specs, where);
  const data = artifacts.weightData;
  if (!isArrayBuffer(data)) {
    throw new Error(`${where}: expected weightData to be an ArrayBuffer, got ${data === null ? 'null' : typeof data}`);
  }
  if (data.byteLength !== total) {
    throw byteCountError(where, total, data.byteLength, `${specs.length} weight${specs.length === 1 ? '' : 's'}`);
  }
  const out = new Map<string, DecodedWeight>();
  let offset = 0;
  for (const spec of specs) {
    const bytes = checkWeightSpec(spec, 0, where);
    out.set(spec.name, { values: decodeOne(spec, data, offset, bytes), shape: spec.shape.slice() });
    offset += bytes;
  }
  return out;
}

function decodeOne(spec: WeightSpec, data: ArrayBuffer, offset: number, bytes: number): Float32Array | Int32Array {
  const q = spec.quantization;
  if (q === undefined) {
    const copy = data.slice(offset, offset + bytes);
    const values = spec.dtype === 'float32' ? new Float32Array(copy) : new Int32Array(copy);
    if (!LITTLE_ENDIAN) swap32(values);
    return values;
  }
  const view = new DataView(data, offset, bytes);
  const size = bytes / BYTES_PER_VALUE[q.dtype]!;
  const out = spec.dtype === 'float32' ? new Float32Array(size) : new Int32Array(size);
  if (q.dtype === 'float16') {
    for (let i = 0; i < size; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
    return out;
  }
  const scale = q.scale!;
  const min = q.min!;
  const round = spec.dtype === 'int32';
  for (let i = 0; i < size; i++) {
    const stored = q.dtype === 'uint8' ? view.getUint8(i) : view.getUint16(2 * i, true);
    const value = stored * scale + min;
    out[i] = round ? Math.round(value) : value;
  }
  return out;
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
    const bytes = checkWeightSpec(spec, i, where);
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
