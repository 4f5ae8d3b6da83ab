/**
 * The artifacts of a saved model, in TF.js's two formats: a `model.json` holding the topology
 * (Keras-style for a layers model, a TensorFlow GraphDef for a graph model) and a weights
 * manifest, and binary weight files holding every weight's values concatenated in manifest
 * order, little-endian. The names and fields are TF.js's (tfjs-core io/types), so a TF.js
 * program's handlers and files carry over.
 */

/**
 * Element types of weight files, as TF.js reads them: 4-byte float32 and int32, 1-byte bool,
 * 8-byte complex64 (real and imaginary float32 interleaved), and string (each value a uint32
 * little-endian byte count, then its UTF-8 bytes, so a string weight has no fixed size).
 */
export type WeightDType = 'float32' | 'int32' | 'bool' | 'string' | 'complex64';

/** TF.js's two model.json formats: a Keras-style layers model, or a converted TensorFlow graph. */
export type ModelFormat = 'layers-model' | 'graph-model';

/** Storage types of a quantized weight; the manifest says how to map them back. */
export type QuantizationDType = 'uint8' | 'uint16' | 'float16';

/**
 * How a quantized weight is stored (uint8, uint16 or float16) and the scale and min that restore its values,
 * as TF.js writes it.
 */
export interface WeightQuantization {
  /** The stored type: 'uint8', 'uint16' or 'float16'. */
  dtype: QuantizationDType;
  /** value = stored * scale + min, for uint8 and uint16. */
  scale?: number;
  /** The value a stored 0 stands for (uint8 and uint16). */
  min?: number;
}

/** One weight of the manifest ('WeightsManifestEntry' in TF.js). */
export interface WeightSpec {
  /** The weight's name, e.g. 'dense_Dense1/kernel', which loading matches against the model's weights. */
  name: string;
  /** The weight's shape. */
  shape: number[];
  /** The weight's dtype as stored. */
  dtype: WeightDType;
  /** Whether the weight is the model's or the optimizer's state. */
  group?: 'model' | 'optimizer';
  /** Present in converted models; the stored bytes are this dtype, not `dtype`. */
  quantization?: WeightQuantization;
}

/** A group of weights stored across `paths`, concatenated in order (TF.js shards at 4 MB). */
export interface WeightsManifestGroup {
  /** The weight files of this group, relative to model.json. */
  paths: string[];
  /** The weights stored in those files, in order. */
  weights: WeightSpec[];
}

/**
 * The compile settings saved with a model (TF.js's training_config): the loss, the metrics and the optimizer
 * config.
 */
export interface TrainingConfig {
  /** The optimizer's class name and config, as Keras writes it. */
  optimizer_config: object;
  /** The loss name, one per output or by output name. */
  loss: string | string[] | Record<string, string>;
  /** The metric names, if any. */
  metrics?: string[] | Record<string, string>;
  /** Keras's weighted metrics, kept when a saved model has them. */
  weighted_metrics?: string[];
  /** Keras's sample weight mode, kept when a saved model has it. */
  sample_weight_mode?: string;
  /** The weight of each output's loss, if set. */
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
  /** 'layers-model' (loadLayersModel) or 'graph-model' (loadGraphModel). */
  format: ModelFormat;
  /** E.g. 'sora v0.1.0' or 'TensorFlow.js tfjs-layers v4.22.0'. */
  generatedBy: string;
  /** null when the model was saved directly rather than converted. */
  convertedBy: string | null;
  /** The compile settings saved with the model, if it was compiled. */
  trainingConfig?: TrainingConfig;
  /** Any metadata the saver added, kept as given. */
  userDefinedMetadata?: Record<string, unknown>;
  /** A graph model's SignatureDef (a SavedModel's inputs and outputs by key), kept as given. */
  signature?: object;
  /** A graph model's initializer graph (hash tables filled once before the first run), kept as given. */
  modelInitializer?: object;
  /** The initializer graph's SignatureDef, kept as given. */
  initializerSignature?: object;
}

/** The on-disk `model.json`, field for field as TF.js writes it. */
export interface ModelJson {
  /** The model's topology (its Keras-style config), as saved. */
  modelTopology: object;
  /** 'layers-model' (loadLayersModel) or 'graph-model' (loadGraphModel). */
  format: ModelFormat;
  /** The library and version that saved the model. */
  generatedBy: string;
  /** The converter that produced the model, or null when none did. */
  convertedBy: string | null;
  /** The weight files and the weights each holds, in order. */
  weightsManifest: WeightsManifestGroup[];
  /** Any metadata the saver added, kept as given. */
  userDefinedMetadata?: Record<string, unknown>;
  /** The compile settings saved with the model, if it was compiled. */
  trainingConfig?: TrainingConfig;
  /** A graph model's SignatureDef (a SavedModel's inputs and outputs by key), kept as given. */
  signature?: object;
  /** A graph model's initializer graph (hash tables filled once before the first run), kept as given. */
  modelInitializer?: object;
  /** The initializer graph's SignatureDef, kept as given. */
  initializerSignature?: object;
}

/**
 * What saving a model wrote, in bytes (TF.js's io.ModelArtifactsInfo): topology, weight specs and weight data
 * sizes, and the date saved.
 */
export interface ModelArtifactsInfo {
  /** When the model was saved. */
  dateSaved: Date;
  /** Always 'JSON'. */
  modelTopologyType: 'JSON';
  /** Bytes of the topology JSON. */
  modelTopologyBytes: number;
  /** Bytes of the weight specs JSON. */
  weightSpecsBytes: number;
  /** Bytes of the weight data. */
  weightDataBytes: number;
}

/** What a SaveHandler resolves to: the ModelArtifactsInfo of what was saved (TF.js's io.SaveResult). */
export interface SaveResult {
  /** The byte sizes and date of what was saved. */
  modelArtifactsInfo: ModelArtifactsInfo;
}

/**
 * Where model.save writes a model: an object whose `save(artifacts)` resolves to a SaveResult, as TF.js's
 * io.IOHandler.
 */
export interface SaveHandler {
  /** Writes the artifacts wherever this handler saves, and resolves to what was written. */
  save(artifacts: ModelArtifacts): Promise<SaveResult>;
}

/**
 * What loadLayersModel reads a model from: an object whose `load()` resolves to the ModelArtifacts (topology,
 * weight specs and weight data), as TF.js's io.IOHandler.
 */
export interface LoadHandler {
  /** Resolves to the model's artifacts: topology, weight specs and weight data. */
  load(): Promise<ModelArtifacts>;
}

/**
 * A handler whose `load()` returns the artifacts synchronously (TF.js's io.IOHandlerSync, as io.fromMemorySync
 * makes): what loadGraphModelSync takes.
 */
export interface LoadHandlerSync {
  /** Returns the model's artifacts: topology, weight specs and weight data. */
  load(): ModelArtifacts;
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
  /** loadGraphModel: the URL is a TF Hub module; '/model.json?tfjs-format=file' is appended (TF.js's fromTFHub). */
  fromTFHub?: boolean;
}
