/**
 * The artifacts of a saved model, in the TF.js layers format: a `model.json` holding the
 * Keras-style topology and a weights manifest, and binary weight files holding every
 * weight's values concatenated in manifest order, little-endian. The names and fields are
 * TF.js's (tfjs-core io/types), so a TF.js program's handlers and files carry over.
 */

/** Element types sora reads and writes in weight files. */
export type WeightDType = 'float32' | 'int32';

/** Storage types of a quantized weight; the manifest says how to map them back. */
export type QuantizationDType = 'uint8' | 'uint16' | 'float16';

/**
 * How a quantized weight is stored (uint8, uint16 or float16) and the scale and min that restore its values,
 * as TF.js writes it.
 */
export interface WeightQuantization {
  dtype: QuantizationDType;
  /** value = stored * scale + min, for uint8 and uint16. */
  scale?: number;
  min?: number;
}

/** One weight of the manifest ('WeightsManifestEntry' in TF.js). */
export interface WeightSpec {
  /** E.g. 'dense_Dense1/kernel'. */
  name: string;
  shape: number[];
  dtype: WeightDType;
  group?: 'model' | 'optimizer';
  /** Present in converted models; the stored bytes are this dtype, not `dtype`. */
  quantization?: WeightQuantization;
}

/** A group of weights stored across `paths`, concatenated in order (TF.js shards at 4 MB). */
export interface WeightsManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

/**
 * The compile settings saved with a model (TF.js's training_config): the loss, the metrics and the optimizer
 * config.
 */
export interface TrainingConfig {
  optimizer_config: object;
  loss: string | string[] | Record<string, string>;
  metrics?: string[] | Record<string, string>;
  weighted_metrics?: string[];
  sample_weight_mode?: string;
  loss_weights?: number[] | Record<string, number>;
}

/**
 * A saved model in memory (TF.js's io.ModelArtifacts): the topology JSON, the weight specs and the weights as
 * one ArrayBuffer, with format and generator metadata.
 */
export interface ModelArtifacts {
  /** The Keras-style topology (class_name, config, keras_version, backend). */
  modelTopology: object;
  /** Every weight, in the order of its bytes in `weightData`. */
  weightSpecs: WeightSpec[];
  /** All weights' bytes, concatenated. */
  weightData: ArrayBuffer;
  format: 'layers-model';
  /** E.g. 'sora v0.1.0' or 'TensorFlow.js tfjs-layers v4.22.0'. */
  generatedBy: string;
  /** null when the model was saved directly rather than converted. */
  convertedBy: string | null;
  trainingConfig?: TrainingConfig;
  userDefinedMetadata?: Record<string, unknown>;
}

/** The on-disk `model.json`, field for field as TF.js writes it. */
export interface ModelJson {
  modelTopology: object;
  format: 'layers-model';
  generatedBy: string;
  convertedBy: string | null;
  weightsManifest: WeightsManifestGroup[];
  userDefinedMetadata?: Record<string, unknown>;
  trainingConfig?: TrainingConfig;
}

/**
 * What saving a model wrote, in bytes (TF.js's io.ModelArtifactsInfo): topology, weight specs and weight data
 * sizes, and the date saved.
 */
export interface ModelArtifactsInfo {
  dateSaved: Date;
  modelTopologyType: 'JSON';
  modelTopologyBytes: number;
  weightSpecsBytes: number;
  weightDataBytes: number;
}

/** What a SaveHandler resolves to: the ModelArtifactsInfo of what was saved (TF.js's io.SaveResult). */
export interface SaveResult {
  modelArtifactsInfo: ModelArtifactsInfo;
}

/**
 * Where model.save writes a model: an object whose `save(artifacts)` resolves to a SaveResult, as TF.js's
 * io.IOHandler.
 */
export interface SaveHandler {
  save(artifacts: ModelArtifacts): Promise<SaveResult>;
}

/**
 * What loadLayersModel reads a model from: an object whose `load()` resolves to the ModelArtifacts (topology,
 * weight specs and weight data), as TF.js's io.IOHandler.
 */
export interface LoadHandler {
  load(): Promise<ModelArtifacts>;
}

/**
 * Options for loading a model over HTTP or from a URL, as TF.js's io.LoadOptions: the fetch function, request
 * options, a weight path prefix or URL converter, and a progress callback; all optional.
 */
export interface LoadOptions {
  /** Replaces the global fetch for http(s) and relative URLs. */
  fetchFunc?: typeof fetch;
  /** Passed to every fetch (headers, credentials, ...). */
  requestInit?: RequestInit;
  /** Where weight files are fetched from instead of model.json's folder (TF.js's weightPathPrefix). */
  weightPathPrefix?: string;
  /** Maps a manifest path to the URL to fetch it from (TF.js's weightUrlConverter). */
  weightUrlConverter?: (weightFileName: string) => Promise<string>;
  /** Called with the fraction of weight files loaded so far, after each one (TF.js's onProgress). */
  onProgress?: (fraction: number) => void;
}
