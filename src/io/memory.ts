/**
 * In-memory handlers, TF.js's `io.fromMemory` and `io.withSaveHandler`: for tests, for
 * copying a model, and for callers who store artifacts their own way.
 */
import type { LoadHandler, ModelArtifacts, SaveHandler, SaveResult, TrainingConfig, WeightSpec } from './types.js';
import { artifactsInfo, checkArtifacts } from './model-json.js';
import { concatBytes } from './weights.js';

/**
 * A load handler over artifacts already in memory (weightData may also be a list of buffers,
 * as TF.js allows). They are checked when load() runs; load() returns them with weightData
 * as one buffer.
 */
export function fromMemory(artifacts: Omit<ModelArtifacts, 'weightData'> & { weightData: ArrayBuffer | ArrayBuffer[] }): LoadHandler;
/** TF.js's older form, (modelTopology, weightSpecs, weightData, trainingConfig?): deprecated there, taken here too. */
export function fromMemory(modelTopology: object, weightSpecs: WeightSpec[], weightData: ArrayBuffer | ArrayBuffer[],
  trainingConfig?: TrainingConfig): LoadHandler;
export function fromMemory(first: object, weightSpecs?: WeightSpec[], weightData?: ArrayBuffer | ArrayBuffer[],
  trainingConfig?: TrainingConfig): LoadHandler {
  const artifacts = (weightSpecs === undefined ? first : {
    modelTopology: first, weightSpecs, weightData, format: 'layers-model', generatedBy: 'unknown', convertedBy: null,
    ...(trainingConfig ? { trainingConfig } : {}),
  }) as Omit<ModelArtifacts, 'weightData'> & { weightData: ArrayBuffer | ArrayBuffer[] };
  return {
    async load(): Promise<ModelArtifacts> {
      const data = artifacts.weightData;
      const loaded = { ...artifacts, weightData: Array.isArray(data) ? concatBytes(data) : data } as ModelArtifacts;
      checkArtifacts(loaded, 'fromMemory');
      return loaded;
    },
  };
}

/** A save handler that hands the checked artifacts to `callback`. */
export function withSaveHandler(callback: (artifacts: ModelArtifacts) => Promise<SaveResult | void> | SaveResult | void):
  SaveHandler {
  return {
    async save(artifacts: ModelArtifacts): Promise<SaveResult> {
      checkArtifacts(artifacts, 'withSaveHandler');
      const result = await callback(artifacts);
      return result ?? { modelArtifactsInfo: artifactsInfo(artifacts) };
    },
  };
}
