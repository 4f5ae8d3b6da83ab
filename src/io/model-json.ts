/**
 * model.json: writing it as TF.js does (tfjs-core io_utils getModelJSONForModelArtifacts, same
 * field order) and reading one that may be hostile. A manifest's weight paths are checked to
 * stay inside the model's folder before anything is fetched or read.
 */
import type {
  ModelArtifacts, ModelArtifactsInfo, ModelFormat, ModelJson, TrainingConfig, WeightSpec, WeightsManifestGroup,
} from './types.js';
import { byteCountError, checkWeightSpecs, concatBytes, isArrayBuffer, measureWeights } from './weights.js';

/** The optional model.json fields a graph model carries, copied between model.json and artifacts as given. */
const GRAPH_FIELDS = ['signature', 'modelInitializer', 'initializerSignature'] as const;

/** The file name of a saved model's topology and weights manifest: 'model.json'. */
export const MODEL_JSON_NAME = 'model.json';
/** The file name sora (and TF.js's file and download handlers) give a model's weights: 'weights.bin'. */
export const WEIGHTS_BIN_NAME = 'weights.bin';

/** model.json for the artifacts, with all weights in one group stored at `weightsPath`. */
export function modelJsonFromArtifacts(artifacts: ModelArtifacts, weightsPath = WEIGHTS_BIN_NAME): ModelJson {
  const json: ModelJson = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [weightsPath], weights: artifacts.weightSpecs }],
  };
  // TF.js's field order (io_utils getModelJSONForModelArtifacts).
  if (artifacts.signature != null) json.signature = artifacts.signature;
  if (artifacts.userDefinedMetadata != null) json.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.modelInitializer != null) json.modelInitializer = artifacts.modelInitializer;
  if (artifacts.initializerSignature != null) json.initializerSignature = artifacts.initializerSignature;
  if (artifacts.trainingConfig != null) json.trainingConfig = artifacts.trainingConfig;
  return json;
}

/**
 * Checks artifacts before they are written (so nothing invalid is ever saved) or after they
 * are read from a store. Returns the weight data's byte length.
 */
export function checkArtifacts(artifacts: ModelArtifacts, where: string): number {
  if (artifacts === null || typeof artifacts !== 'object') {
    throw new Error(`${where}: expected model artifacts, got ${artifacts === null ? 'null' : typeof artifacts}`);
  }
  checkTopology(artifacts.modelTopology, where);
  checkFormat(artifacts.format, where);
  for (const field of GRAPH_FIELDS) checkOptionalObject(artifacts[field], field, where);
  const expected = checkWeightSpecs(artifacts.weightSpecs, where);
  const data: unknown = artifacts.weightData;
  if (!isArrayBuffer(data)) {
    throw new Error(`${where}: expected weightData to be an ArrayBuffer, got ${data === null ? 'null' : typeof data}`);
  }
  if (expected !== null && data.byteLength !== expected) {
    throw byteCountError(where, expected, data.byteLength, `${artifacts.weightSpecs.length} weights`);
  }
  // String weights: their length prefixes say how long they are.
  if (expected === null) measureWeights(artifacts.weightSpecs, data, where);
  return data.byteLength;
}

function checkOptionalObject(value: unknown, field: string, where: string): void {
  if (value != null && (typeof value !== 'object' || Array.isArray(value))) {
    throw new Error(`${where}: expected ${field} to be a JSON object, got ${JSON.stringify(value)?.slice(0, 80)}`);
  }
}

/**
 * The ModelArtifactsInfo (byte sizes and date) of ModelArtifacts, as TF.js's getModelArtifactsInfoForJSON
 * computes it.
 */
export function artifactsInfo(artifacts: ModelArtifacts): ModelArtifactsInfo {
  const encoder = new TextEncoder();
  return {
    dateSaved: new Date(),
    modelTopologyType: 'JSON',
    modelTopologyBytes: encoder.encode(JSON.stringify(artifacts.modelTopology)).length,
    weightSpecsBytes: encoder.encode(JSON.stringify(artifacts.weightSpecs)).length,
    weightDataBytes: artifacts.weightData.byteLength,
  };
}

function checkTopology(topology: unknown, where: string): asserts topology is object {
  if (topology === null || typeof topology !== 'object' || Array.isArray(topology) || isArrayBuffer(topology)) {
    throw new Error(`${where}: expected modelTopology to be a JSON object, got ` +
      `${topology === undefined ? 'nothing' : JSON.stringify(topology)?.slice(0, 80) ?? typeof topology}`);
  }
}

/**
 * The format must be 'layers-model' or 'graph-model', or absent: TF.js before 1.0 and the Keras
 * converter wrote no format field, and TF.js's loadLayersModel reads such artifacts as a layers model.
 */
function checkFormat(format: unknown, where: string): void {
  if (format !== 'layers-model' && format !== 'graph-model' && format !== undefined && format !== null) {
    throw new Error(`${where}: format is ${JSON.stringify(format)}; expected 'layers-model' (loadLayersModel) ` +
      `or 'graph-model' (loadGraphModel)`);
  }
}

/** A model.json whose weights have yet to be read. */
export interface ParsedModelJson {
  /** The model's artifacts without the weight data, which is loaded separately. */
  artifacts: Omit<ModelArtifacts, 'weightData'>;
  /**
   * The manifest's groups, in order; their bytes concatenated are the weight data. byteLength is null for
   * a group holding string weights, whose length only their bytes tell.
   */
  groups: { paths: string[]; weights: WeightSpec[]; byteLength: number | null }[];
}

/**
 * Parses and checks the text of a model.json (`where` names it in errors). Rejects '__proto__'
 * keys anywhere, formats other than layers-model and graph-model, bad weight specs and unsafe
 * weight paths.
 */
export function parseModelJson(text: string, where: string): ParsedModelJson {
  let json: unknown;
  try {
    json = JSON.parse(text, (key, value: unknown) => {
      if (key === '__proto__') throw new Error(`a '__proto__' key is not allowed`);
      return value;
    });
  } catch (error) {
    throw new Error(`${where}: not a valid model.json: ${(error as Error).message}`, { cause: error });
  }
  return checkModelJson(json, where);
}

/**
 * Checks a model.json already parsed into an object (loadGraphModelSync's [modelJSON, weights] form),
 * as parseModelJson checks the text.
 */
export function checkModelJson(json: unknown, where: string): ParsedModelJson {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new Error(`${where}: expected a JSON object, got ${JSON.stringify(json)?.slice(0, 80)}`);
  }
  const model = json as Record<string, unknown>;
  if (model.modelTopology == null) throw new Error(`${where}: the modelTopology field is missing`);
  checkTopology(model.modelTopology, where);
  // TF.js before 1.0 and old Keras converters wrote no format field.
  const format = (model.format ?? 'layers-model') as ModelFormat;
  checkFormat(format, where);
  for (const field of GRAPH_FIELDS) checkOptionalObject(model[field], field, where);
  const generatedBy = model.generatedBy ?? 'unknown';
  const convertedBy = model.convertedBy ?? null;
  if (typeof generatedBy !== 'string') throw new Error(`${where}: expected generatedBy to be a string`);
  if (convertedBy !== null && typeof convertedBy !== 'string') throw new Error(`${where}: expected convertedBy to be a string or null`);

  const manifest = model.weightsManifest ?? [];
  if (!Array.isArray(manifest)) throw new Error(`${where}: expected weightsManifest to be a list of groups`);
  const groups: ParsedModelJson['groups'] = [];
  const weightSpecs: WeightSpec[] = [];
  for (let g = 0; g < manifest.length; g++) {
    const group = manifest[g] as Partial<WeightsManifestGroup> | null;
    const at = `${where}: weightsManifest[${g}]`;
    if (group === null || typeof group !== 'object' || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new Error(`${at}: expected {paths: string[], weights: [...]}`);
    }
    for (const path of group.paths) checkWeightPath(path, at);
    const byteLength = checkWeightSpecs(group.weights, at);
    if (byteLength !== 0 && group.paths.length === 0) throw new Error(`${at}: has weights but no paths to read them from`);
    groups.push({ paths: group.paths.slice(), weights: group.weights, byteLength });
    weightSpecs.push(...group.weights);
  }
  checkWeightSpecs(weightSpecs, where); // names must be unique across groups too

  const artifacts: Omit<ModelArtifacts, 'weightData'> = {
    modelTopology: model.modelTopology as object,
    weightSpecs,
    format,
    generatedBy,
    convertedBy,
  };
  if (model.trainingConfig != null) artifacts.trainingConfig = model.trainingConfig as TrainingConfig;
  if (model.userDefinedMetadata != null) {
    if (typeof model.userDefinedMetadata !== 'object' || Array.isArray(model.userDefinedMetadata)) {
      throw new Error(`${where}: expected userDefinedMetadata to be a JSON object`);
    }
    artifacts.userDefinedMetadata = model.userDefinedMetadata as Record<string, unknown>;
  }
  for (const field of GRAPH_FIELDS) if (model[field] != null) artifacts[field] = model[field] as object;
  return { artifacts, groups };
}

/**
 * A weight path must name a file in the model's folder or below it: relative, with no '..'
 * segment (also when percent-decoded, as URL resolution would), no backslash, no ':' (scheme,
 * drive letter), no control characters.
 */
export function checkWeightPath(path: unknown, where: string): asserts path is string {
  const reject = (why: string): never => {
    throw new Error(`${where}: weight path ${JSON.stringify(path)} ${why}; paths must stay inside the model's folder`);
  };
  if (typeof path !== 'string' || path.length === 0) return reject('is not a non-empty string');
  if (path.length > 4096) return reject('is too long');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return reject('contains control characters');
  if (path.includes('\\')) return reject('contains a backslash');
  if (path.startsWith('/')) return reject('is absolute');
  if (path.includes(':')) return reject("contains ':' (a scheme, drive letter or stream name)");
  for (const segment of path.split(/[/?#]/)) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return reject('has a malformed percent-escape');
    }
    if (segment === '..' || decoded === '..' || decoded.includes('/') || decoded.includes('\\')) {
      return reject("has a '..' segment or an encoded separator");
    }
  }
}

/**
 * Reads every group's shards with `read` (given a manifest path, returns its bytes), checks
 * each group's byte count, and returns the artifacts with all weights concatenated.
 */
export async function readWeightGroups(parsed: ParsedModelJson,
  read: (path: string) => Promise<Uint8Array>, describePath: (path: string) => string): Promise<ModelArtifacts> {
  const parts: Uint8Array[] = [];
  for (const group of parsed.groups) {
    const shards = await Promise.all(group.paths.map(read));
    let got = 0;
    for (const shard of shards) got += shard.byteLength;
    const files = group.paths.map(describePath).join(' + ');
    if (group.byteLength === null || got !== group.byteLength) {
      // Measures each weight against the bytes read: the error names the files and the first weight cut short.
      measureWeights(group.weights, shards.length === 1 ? shards[0]! : new Uint8Array(concatBytes(shards)), files, true);
    }
    parts.push(...shards);
  }
  return { ...parsed.artifacts, weightData: concatBytes(parts) };
}
