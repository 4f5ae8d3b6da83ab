/** Model save/load in the TF.js layers format. */
export type {
  LoadHandler, LoadOptions, ModelArtifacts, ModelArtifactsInfo, ModelJson, QuantizationDType, SaveHandler,
  SaveResult, TrainingConfig, WeightDType, WeightQuantization, WeightSpec, WeightsManifestGroup,
} from './types.js';
export { getLoadHandler, getSaveHandler } from './router.js';
export { decodeWeights, encodeWeights, concatBytes } from './weights.js';
export type { DecodedWeight, NamedWeight } from './weights.js';
export {
  artifactsInfo, checkArtifacts, checkWeightPath, MODEL_JSON_NAME, modelJsonFromArtifacts, parseModelJson,
  WEIGHTS_BIN_NAME,
} from './model_json.js';
export type { ParsedModelJson } from './model_json.js';
export { fromMemory, withSaveHandler } from './memory.js';
export { fileLoadHandler, fileSaveHandler } from './file.js';
export { httpLoadHandler } from './http.js';
export {
  downloadsSaveHandler, indexedDbLoadHandler, indexedDbSaveHandler, localStorageLoadHandler, localStorageSaveHandler,
} from './browser.js';
