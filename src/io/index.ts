/** Model save/load in the TF.js layers and graph-model formats. */
export type {
  LoadHandler, LoadHandlerSync, LoadOptions, ModelArtifacts, ModelFormat, ModelArtifactsInfo, ModelJson, QuantizationDType, SaveHandler,
  SaveResult, TrainingConfig, WeightDType, WeightQuantization, WeightSpec, WeightsManifestGroup,
} from './types.js';
export {
  getLoadHandler, getSaveHandler, getLoadHandlers, getSaveHandlers, registerLoadRouter, registerSaveRouter,
} from './router.js';
export type { LoadRouter, SaveRouter } from './router.js';
export { concatBytes } from './weights.js';
export {
  CompositeArrayBuffer, concatenateArrayBuffers, getWeightSpecs, isHTTPScheme, decodeWeightsStream, weightsLoaderFactory,
  loadWeights, getModelArtifactsForJSON, getModelArtifactsForJSONSync, getModelArtifactsInfoForJSON, fromMemorySync,
  withSaveHandlerSync, browserFiles, decodeWeightsAny as decodeWeights, encodeWeightsAny as encodeWeights,
} from './helpers.js';
export type { NamedTensorMap } from './helpers.js';
export { listModels, removeModel, copyModel, moveModel } from './management.js';
export type { DecodedWeight, NamedWeight } from './weights.js';
export {
  artifactsInfo, checkArtifacts, checkModelJson, checkWeightPath, MODEL_JSON_NAME, modelJsonFromArtifacts, parseModelJson,
  WEIGHTS_BIN_NAME,
} from './model-json.js';
export type { ParsedModelJson } from './model-json.js';
export { fromMemory, withSaveHandler } from './memory.js';
export { fileLoadHandler, fileSaveHandler } from './file.js';
export { httpLoadHandler, http, browserHTTPRequest } from './http.js';
export {
  downloadsSaveHandler, indexedDbLoadHandler, indexedDbSaveHandler, localStorageLoadHandler, localStorageSaveHandler,
} from './browser.js';
