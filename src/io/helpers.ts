/**
 * tf.io's helpers with TF.js's names and arguments: buffers (CompositeArrayBuffer,
 * concatenateArrayBuffers), weight manifests (getWeightSpecs, weightsLoaderFactory,
 * loadWeights, decodeWeightsStream), artifacts from a model.json object, synchronous
 * in-memory handlers, and browserFiles (a model.json File plus its weight Files). Weights
 * decode into tensors with the same checks as every other load path (src/io/weights.ts).
 */
import type { Tensor } from '../core/tensor.js';
import { tensor } from '../ops/creation.js';
import { complex } from '../ops/math/complex.js';
import { makeStringTensor } from '../ops/string/movement.js';
import type { LoadHandler, ModelArtifacts, ModelArtifactsInfo, SaveResult, WeightSpec, WeightsManifestGroup } from './types.js';
import {
  checkWeightSpecs, concatBytes, type DecodedWeight, decodeWeights, encodeWeights, isArrayBuffer,
  type NamedWeight as NamedWeightValues, weightByteLengths,
} from './weights.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
import { checkArtifacts, parseModelJson, readWeightGroups } from './model-json.js';

/** Tensors by name, as TF.js's NamedTensorMap (what io.decodeWeights returns). */
export type NamedTensorMap = Record<string, Tensor>;
type Buffers = ArrayBuffer | ArrayBufferView | (ArrayBuffer | ArrayBufferView)[];

function bytesOf(part: ArrayBuffer | ArrayBufferView): Uint8Array {
  return isArrayBuffer(part) ? new Uint8Array(part) : new Uint8Array(part.buffer, part.byteOffset, part.byteLength);
}

/** Several buffers read as one: byteLength, and slice() across their boundaries (TF.js's class). */
export class CompositeArrayBuffer {
  private readonly parts: Uint8Array[];
  private readonly starts: number[] = [];
  /** The total length of the joined buffers, in bytes. */
  readonly byteLength: number;

  /**
   * Joins buffers (an ArrayBuffer, a typed array or a list of them; default none) into one readable sequence,
   * as tf.io.CompositeArrayBuffer.
   */
  constructor(buffers?: Buffers | null) {
    const list = buffers == null ? [] : Array.isArray(buffers) ? buffers : [buffers];
    this.parts = list.map((b, i) => {
      if (!isArrayBuffer(b) && !ArrayBuffer.isView(b)) {
        throw new Error(`CompositeArrayBuffer: buffer ${i} is not an ArrayBuffer or typed array; received ${typeof b}`);
      }
      return bytesOf(b);
    });
    let total = 0;
    for (const part of this.parts) { this.starts.push(total); total += part.byteLength; }
    this.byteLength = total;
  }

  /** One ArrayBuffer holding all of `buffers` in order. */
  static join(buffers?: Buffers | null): ArrayBuffer {
    return new CompositeArrayBuffer(buffers).slice();
  }

  /** Bytes [start, end) as a new ArrayBuffer; negative or out-of-range bounds clamp as ArrayBuffer.slice's do. */
  slice(start = 0, end = this.byteLength): ArrayBuffer {
    const clamp = (v: number) => Math.min(this.byteLength, Math.max(0, v < 0 ? this.byteLength + v : v));
    const from = clamp(start), to = Math.max(from, clamp(end));
    const out = new Uint8Array(to - from);
    this.parts.forEach((part, i) => {
      const lo = Math.max(from, this.starts[i]), hi = Math.min(to, this.starts[i] + part.byteLength);
      if (lo < hi) out.set(part.subarray(lo - this.starts[i], hi - this.starts[i]), lo - from);
    });
    return out.buffer;
  }
}

/** One ArrayBuffer holding `buffers` in order (TF.js's deprecated name for CompositeArrayBuffer.join). */
export function concatenateArrayBuffers(buffers: ArrayBuffer[] | ArrayBuffer): ArrayBuffer {
  return concatBytes(Array.isArray(buffers) ? buffers : [buffers]);
}

/** Every weight of a manifest, group after group. */
export function getWeightSpecs(weightsManifest: WeightsManifestGroup[]): WeightSpec[] {
  if (!Array.isArray(weightsManifest)) throw new Error('getWeightSpecs: expected a weights manifest (an array of groups)');
  return weightsManifest.flatMap((group) => group.weights);
}

/** Whether a URL starts with http:// or https:// (tf.io.isHTTPScheme). */
export function isHTTPScheme(url: string): boolean {
  return /^https?:\/\//.test(url);
}

/** A decoded weight as a tensor of its dtype (complex64 from its interleaved real and imaginary parts). */
export function weightTensor(weight: DecodedWeight, where: string): Tensor {
  const { dtype, values, shape } = weight;
  if (dtype === 'string') return makeStringTensor(values as Uint8Array[], shape);
  if (dtype === 'complex64') {
    const pairs = values as Float32Array;
    const real = new Float32Array(pairs.length / 2);
    const imag = new Float32Array(pairs.length / 2);
    for (let i = 0; i < real.length; i++) { real[i] = pairs[2 * i]!; imag[i] = pairs[2 * i + 1]!; }
    const re = tensor(real, shape, 'float32', where);
    const im = tensor(imag, shape, 'float32', where);
    try {
      return complex(re, im);
    } finally {
      re.dispose();
      im.dispose();
    }
  }
  return tensor(values as Float32Array | Int32Array | Uint8Array, shape, dtype, where);
}

/** Weight bytes decoded into tensors by name (TF.js's decodeWeights, as tensors). */
export function decodeToTensors(weightData: ArrayBuffer | ArrayBuffer[], specs: WeightSpec[], where = 'decodeWeights'): NamedTensorMap {
  const data = Array.isArray(weightData) ? concatBytes(weightData) : weightData;
  const out: NamedTensorMap = {};
  for (const [name, weight] of decodeWeights({ weightSpecs: specs, weightData: data }, where)) {
    out[name] = weightTensor(weight, where);
  }
  return out;
}

/** Reads a stream of weight bytes to its end, then decodes it (TF.js's decodeWeightsStream). */
export async function decodeWeightsStream(stream: ReadableStream<ArrayBuffer | ArrayBufferView>, specs: WeightSpec[]):
  Promise<NamedTensorMap> {
  if (typeof (stream as ReadableStream)?.getReader !== 'function') {
    throw new Error('decodeWeightsStream: expected a ReadableStream of bytes');
  }
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(bytesOf(value));
  }
  return decodeToTensors(concatBytes(chunks), specs, 'decodeWeightsStream');
}

/**
 * TF.js's weightsLoaderFactory: a loader of a manifest's weights (all, or those in
 * `weightNames`) that fetches only the groups it needs, as '<prefix>/<path>' URLs, with
 * `fetchWeightsFunction`.
 */
export function weightsLoaderFactory(fetchWeightsFunction: (fetchUrls: string[]) => Promise<ArrayBuffer[]>):
  (manifest: WeightsManifestGroup[], filePathPrefix?: string, weightNames?: string[]) => Promise<NamedTensorMap> {
  if (typeof fetchWeightsFunction !== 'function') throw new Error('weightsLoaderFactory: expected a function fetching URLs');
  return async (manifest, filePathPrefix = '', weightNames) => {
    const where = 'weightsLoader';
    const wanted = weightNames == null ? null : new Set(weightNames);
    const all = getWeightSpecs(manifest).map((s) => s.name);
    const missing = weightNames?.filter((name) => !all.includes(name)) ?? [];
    if (missing.length > 0) {
      throw new Error(`${where}: could not find weights in the manifest with names: ${missing.join(', ')}; ` +
        `the manifest has: ${all.join(', ')}`);
    }
    const groups = manifest.map((group, g) => ({ g, group }))
      .filter(({ group }) => wanted === null || group.weights.some((spec) => wanted.has(spec.name)));
    const urls = groups.flatMap(({ group }) => group.paths.map((path) =>
      filePathPrefix + (filePathPrefix.endsWith('/') || filePathPrefix === '' ? '' : '/') + path));
    const buffers = await fetchWeightsFunction(urls);
    if (!Array.isArray(buffers) || buffers.length !== urls.length) {
      throw new Error(`${where}: the fetch function returned ${Array.isArray(buffers) ? buffers.length : typeof buffers} ` +
        `buffers for ${urls.length} URLs`);
    }
    const out: NamedTensorMap = {};
    let next = 0;
    for (const { g, group } of groups) {
      const shards = buffers.slice(next, next + group.paths.length);
      next += group.paths.length;
      const bytes = new Uint8Array(CompositeArrayBuffer.join(shards));
      // String weights' lengths are in their bytes, so offsets are known only once the group is read.
      const lengths = weightByteLengths(group.weights, bytes, `${where}: group ${g}`);
      let offset = 0;
      for (let i = 0; i < group.weights.length; i++) {
        const spec = group.weights[i]!;
        const length = lengths[i]!;
        if (wanted === null || wanted.has(spec.name)) {
          if (offset + length > bytes.byteLength) {
            throw new Error(`${where}: weight '${spec.name}' needs bytes ${offset}..${offset + length} of group ${g}, ` +
              `which has ${bytes.byteLength}; the data is truncated`);
          }
          Object.assign(out, decodeToTensors(bytes.slice(offset, offset + length).buffer, [spec], where));
        }
        offset += length;
      }
    }
    return out;
  };
}

/** Fetches a manifest's weights over HTTP(S) (or any URL fetch takes) and decodes them. */
export function loadWeights(manifest: WeightsManifestGroup[], filePathPrefix = '', weightNames?: string[],
  requestInit?: RequestInit): Promise<NamedTensorMap> {
  const fetchAll = (urls: string[]) => Promise.all(urls.map(async (url) => {
    const response = await globalThis.fetch(url, requestInit);
    if (!response.ok) throw new Error(`loadWeights: fetching ${url} failed: HTTP ${response.status} ${response.statusText}`);
    return response.arrayBuffer();
  }));
  return weightsLoaderFactory(fetchAll)(manifest, filePathPrefix, weightNames);
}

type ModelJsonLike = Omit<Partial<ModelArtifacts>, 'weightSpecs' | 'weightData'> & {
  modelTopology: object; weightsManifest?: WeightsManifestGroup[];
};

function artifactsFromJson(modelJSON: ModelJsonLike, weightSpecs?: WeightSpec[], weightData?: ArrayBuffer): ModelArtifacts {
  if (modelJSON == null || typeof modelJSON !== 'object' || modelJSON.modelTopology == null) {
    throw new Error('getModelArtifactsForJSON: expected a model.json object with a modelTopology');
  }
  const artifacts: Record<string, unknown> = {
    modelTopology: modelJSON.modelTopology, format: modelJSON.format, generatedBy: modelJSON.generatedBy,
    convertedBy: modelJSON.convertedBy,
  };
  for (const key of ['trainingConfig', 'userDefinedMetadata', 'signature', 'modelInitializer', 'initializerSignature']) {
    if ((modelJSON as Record<string, unknown>)[key] != null) artifacts[key] = (modelJSON as Record<string, unknown>)[key];
  }
  if (weightSpecs != null) artifacts.weightSpecs = weightSpecs;
  if (weightData != null) artifacts.weightData = weightData;
  return artifacts as unknown as ModelArtifacts;
}

/** ModelArtifacts from a parsed model.json, its weights read by `loadWeights(manifest)` -> [specs, data]. */
export async function getModelArtifactsForJSON(modelJSON: ModelJsonLike,
  loadWeights: (manifest: WeightsManifestGroup[]) => Promise<[WeightSpec[], ArrayBuffer]>): Promise<ModelArtifacts> {
  if (modelJSON?.weightsManifest == null) return artifactsFromJson(modelJSON);
  const [specs, data] = await loadWeights(modelJSON.weightsManifest);
  return artifactsFromJson(modelJSON, specs, data);
}

/**
 * The ModelArtifacts of a parsed model.json with the weight specs and data already in hand
 * (tf.io.getModelArtifactsForJSONSync); without weights the artifacts have none.
 */
export function getModelArtifactsForJSONSync(modelJSON: ModelJsonLike, weightSpecs?: WeightSpec[], weightData?: ArrayBuffer):
  ModelArtifacts {
  if (modelJSON?.weightsManifest != null && (weightSpecs == null || weightData == null)) {
    throw new Error(`getModelArtifactsForJSONSync: the model.json has a weightsManifest but ${weightSpecs == null ? 'weightSpecs' : 'weightData'} ` +
      'is missing; pass the weight specs and data read from it');
  }
  return artifactsFromJson(modelJSON, weightSpecs, weightData);
}

function utf8Length(text: string): number { return new TextEncoder().encode(text).length; }

/** What saving these artifacts stores, in bytes (TF.js's getModelArtifactsInfoForJSON). */
export function getModelArtifactsInfoForJSON(modelArtifacts: Partial<ModelArtifacts>): ModelArtifactsInfo {
  if (isArrayBuffer(modelArtifacts.modelTopology)) {
    throw new Error('getModelArtifactsInfoForJSON: expected a JSON model topology; received an ArrayBuffer');
  }
  const data = modelArtifacts.weightData as ArrayBuffer | ArrayBuffer[] | undefined;
  return {
    dateSaved: new Date(),
    modelTopologyType: 'JSON',
    modelTopologyBytes: modelArtifacts.modelTopology == null ? 0 : utf8Length(JSON.stringify(modelArtifacts.modelTopology)),
    weightSpecsBytes: modelArtifacts.weightSpecs == null ? 0 : utf8Length(JSON.stringify(modelArtifacts.weightSpecs)),
    weightDataBytes: data == null ? 0 : Array.isArray(data) ? data.reduce((n, b) => n + b.byteLength, 0) : data.byteLength,
  };
}

/** A handler whose load() returns the artifacts synchronously (TF.js's fromMemorySync). */
export function fromMemorySync(artifacts: ModelArtifacts): { load(): ModelArtifacts } {
  if (artifacts == null || typeof artifacts !== 'object') throw new Error('fromMemorySync: expected model artifacts');
  return { load: () => artifacts };
}

/** A handler whose save() hands the artifacts to `saveHandler` and returns synchronously. */
export function withSaveHandlerSync(saveHandler: (artifacts: ModelArtifacts) => SaveResult | void): { save(a: ModelArtifacts): SaveResult } {
  if (typeof saveHandler !== 'function') throw new Error('withSaveHandlerSync: expected a function');
  return {
    save(artifacts) {
      checkArtifacts(artifacts, 'withSaveHandlerSync');
      return saveHandler(artifacts) ?? { modelArtifactsInfo: getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

/**
 * A load handler over a model.json File and its weight Files (from an <input type=file>),
 * matched by the manifest paths' base names, as TF.js's browserFiles.
 */
export function browserFiles(files: File[]): LoadHandler {
  if (!Array.isArray(files) || files.length < 1) {
    throw new Error(`browserFiles: at least 1 file (model.json) is required; received ${Array.isArray(files) ? 0 : typeof files}`);
  }
  const [jsonFile, ...weightFiles] = files;
  return {
    async load(): Promise<ModelArtifacts> {
      const parsed = parseModelJson(await jsonFile.text(), jsonFile.name);
      const byName = new Map<string, File>();
      for (const file of weightFiles) {
        if (byName.has(file.name)) throw new Error(`browserFiles: two weight files are named '${file.name}'`);
        byName.set(file.name, file);
      }
      const paths = parsed.groups.flatMap((group) => group.paths);
      const basename = (path: string) => path.slice(path.lastIndexOf('/') + 1);
      for (const path of paths) {
        if (!byName.has(basename(path))) throw new Error(`browserFiles: weight file with basename '${basename(path)}' is not provided`);
      }
      if (paths.length !== weightFiles.length) {
        throw new Error(`browserFiles: the weights manifest names ${paths.length} files, but ${weightFiles.length} were provided`);
      }
      return readWeightGroups(parsed, async (path) => new Uint8Array(await byName.get(basename(path))!.arrayBuffer()),
        (path) => basename(path));
    },
  };
}

type NamedTensor = { name: string; tensor: Tensor };

/**
 * decodeWeights as TF.js takes it, (weightData, specs) -> tensors by name, or as sora's
 * loaders take it, (artifacts, where?) -> values by name (src/io/weights.ts).
 */
export function decodeWeightsAny(weightData: ArrayBuffer | ArrayBuffer[], specs: WeightSpec[]): NamedTensorMap;
export function decodeWeightsAny(artifacts: Pick<ModelArtifacts, 'weightSpecs' | 'weightData'>, where?: string):
  ReturnType<typeof decodeWeights>;
export function decodeWeightsAny(first: unknown, second?: unknown): NamedTensorMap | ReturnType<typeof decodeWeights> {
  if (isArrayBuffer(first) || Array.isArray(first)) return decodeToTensors(first as ArrayBuffer | ArrayBuffer[], second as WeightSpec[]);
  return decodeWeights(first as Pick<ModelArtifacts, 'weightSpecs' | 'weightData'>, second as string | undefined);
}

/**
 * encodeWeights as TF.js takes it, (tensors by name, or {name, tensor} pairs, group?) ->
 * Promise<{ data, specs }>, or as sora's savers take it, ({name, values, shape}[]) ->
 * { weightSpecs, weightData }.
 */
export function encodeWeightsAny(weights: NamedTensorMap | NamedTensor[], group?: 'model' | 'optimizer'):
  Promise<{ data: ArrayBuffer; specs: WeightSpec[] }>;
export function encodeWeightsAny(weights: readonly NamedWeightValues[]): { weightSpecs: WeightSpec[]; weightData: ArrayBuffer };
export function encodeWeightsAny(weights: unknown, group?: 'model' | 'optimizer'):
  Promise<{ data: ArrayBuffer; specs: WeightSpec[] }> | { weightSpecs: WeightSpec[]; weightData: ArrayBuffer } {
  const list = Array.isArray(weights) ? weights : null;
  if (list?.length === 0) {
    // Either form: nothing to encode; the result answers to both forms' field names.
    const { weightSpecs, weightData } = encodeWeights([]);
    return Object.assign(Promise.resolve({ data: weightData, specs: weightSpecs }), { weightSpecs, weightData }) as never;
  }
  if (list && !('tensor' in (list[0] as object))) return encodeWeights(list as NamedWeightValues[]);
  const pairs: NamedTensor[] = list ? list as NamedTensor[] : Object.entries(weights as NamedTensorMap).map(([name, tensor]) => ({ name, tensor }));
  return (async () => {
    // TF.js's layout for every dtype: float32 / int32 4 bytes a value, bool 1, complex64 8 (re, im),
    // string a uint32 little-endian byte count then the UTF-8 bytes of each value.
    const specs: WeightSpec[] = [];
    const parts: Uint8Array[] = [];
    for (const { name, tensor: t } of pairs) {
      const dtype = t.dtype as WeightSpec['dtype'];
      if (!['float32', 'int32', 'bool', 'complex64', 'string'].includes(dtype)) {
        throw new Error(`encodeWeights: weight '${name}' has the unsupported dtype ${t.dtype}`);
      }
      if (dtype === 'string') {
        for (const value of await t.bytes() as Uint8Array[]) {
          const length = new Uint8Array(4);
          new DataView(length.buffer).setUint32(0, value.length, true);
          parts.push(length, value);
        }
      } else {
        const values = await t.data() as Float32Array | Int32Array | Uint8Array;
        const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
        if (values.BYTES_PER_ELEMENT === 4 && !LITTLE_ENDIAN) {
          const copy = bytes.slice();
          for (let i = 0; i < copy.length; i += 4) copy.subarray(i, i + 4).reverse();
          parts.push(copy);
        } else {
          parts.push(bytes);
        }
      }
      const spec: WeightSpec = { name, shape: t.shape.slice(), dtype };
      if (group) spec.group = group;
      specs.push(spec);
    }
    checkWeightSpecs(specs, 'encodeWeights');
    return { data: concatBytes(parts), specs };
  })();
}
