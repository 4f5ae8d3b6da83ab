/**
 * loadGraphModel and loadGraphModelSync, as tfjs-converter has them: a URL (file://, http(s),
 * relative, indexeddb://, localstorage://, TF Hub with fromTFHub) or a handler, routed as
 * loadLayersModel routes them (src/io/router.ts); or, synchronously, artifacts in memory.
 */
import { checkModelJson } from '../io/model-json.js';
import { fromMemorySync } from '../io/helpers.js';
import type { LoadHandler, LoadHandlerSync, LoadOptions, ModelArtifacts, ModelJson } from '../io/types.js';
import { isArrayBuffer } from '../io/weights.js';
import { GraphModel } from './model.js';

/** What TF Hub serves a TF.js model under: '<module>/model.json?tfjs-format=file' (TF.js's getTFHubUrl). */
function tfHubUrl(url: string): string {
  return `${url.endsWith('/') ? url : `${url}/`}model.json?tfjs-format=file`;
}

/**
 * Loads a TF.js graph model (tensorflowjs_converter's output: model.json and its weight files) from a URL
 * ('file://dir/model.json' in Node and Deno, http(s):// or a relative URL, 'indexeddb://name',
 * 'localstorage://name') or a LoadHandler such as io.browserFiles. `options`: requestInit, fetchFunc,
 * onProgress, weightPathPrefix, weightUrlConverter, and fromTFHub for a TF Hub module URL.
 * @example
 * ```js
 * const model = await sora.loadGraphModel('file://node_modules/@vladmandic/human/models/emotion.json');
 * model.predict(sora.zeros([1, 64, 64, 1])).print();
 * ```
 */
export async function loadGraphModel(modelUrl: string | LoadHandler, options: LoadOptions = {}): Promise<GraphModel> {
  if (modelUrl == null) {
    throw new Error('loadGraphModel: expected a model URL or a LoadHandler, got ' + (modelUrl === null ? 'null' : 'undefined'));
  }
  if (typeof modelUrl !== 'string' && (typeof modelUrl !== 'object' || typeof (modelUrl as LoadHandler).load !== 'function')) {
    throw new Error(`loadGraphModel: expected a model URL or a handler with load(), got ${typeof modelUrl}`);
  }
  const opts = options ?? {};
  const url = opts.fromTFHub === true && typeof modelUrl === 'string' ? tfHubUrl(modelUrl) : modelUrl;
  const model = new GraphModel(url, opts);
  await model.load();
  return model;
}

/**
 * Loads a graph model synchronously (TF.js's loadGraphModelSync) from artifacts in memory: ModelArtifacts
 * ({modelTopology, weightSpecs, weightData, ...}), a LoadHandlerSync (io.fromMemorySync), or
 * [modelJSON, weightData], the parsed model.json and its weight files' bytes concatenated.
 * @example
 * ```js
 * const model = sora.loadGraphModelSync([modelJson, weightsArrayBuffer]);
 * ```
 */
export function loadGraphModelSync(modelSource: LoadHandlerSync | ModelArtifacts | [ModelJson | object, ArrayBuffer]): GraphModel {
  const at = 'loadGraphModelSync';
  if (modelSource == null) throw new Error(`${at}: expected model artifacts, a handler with load(), or [modelJSON, weightData]`);
  let handler: LoadHandlerSync;
  if (Array.isArray(modelSource)) {
    const [modelJson, weights] = modelSource as unknown[];
    if (modelJson == null || typeof modelJson !== 'object') throw new Error(`${at}: the first element must be the model.json object`);
    if (!isArrayBuffer(weights)) {
      throw new Error(`${at}: the second element must be an ArrayBuffer of the weights, got ${weights === null ? 'null' : typeof weights}`);
    }
    if (!('modelTopology' in modelJson)) throw new Error(`${at}: the model.json has no 'modelTopology'`);
    if (!('weightsManifest' in modelJson)) throw new Error(`${at}: the model.json has no 'weightsManifest'`);
    // The same checks as a model.json read from a file (formats, weight specs, names); the byte count is checked at load.
    const { artifacts } = checkModelJson(modelJson, `${at}: model.json`);
    handler = fromMemorySync({ ...artifacts, weightData: weights });
  } else if (typeof (modelSource as LoadHandlerSync).load === 'function') {
    handler = modelSource as LoadHandlerSync;
  } else if (typeof modelSource === 'object' && 'modelTopology' in modelSource && 'weightSpecs' in modelSource &&
    'weightData' in modelSource) {
    handler = fromMemorySync(modelSource as ModelArtifacts);
  } else {
    throw new Error(`${at}: unknown model source: expected ModelArtifacts {modelTopology, weightSpecs, weightData}, ` +
      'a handler with a synchronous load(), or [modelJSON, weightData]');
  }
  const artifacts: unknown = handler.load();
  if (artifacts !== null && typeof artifacts === 'object' && typeof (artifacts as PromiseLike<unknown>).then === 'function') {
    // An async handler: its artifacts arrive later, which a synchronous load cannot wait for.
    (artifacts as Promise<unknown>).then(undefined, () => undefined);
    throw new Error(`${at}: the handler's load() returned a Promise; use loadGraphModel for an asynchronous handler`);
  }
  const model = new GraphModel(handler);
  model.loadSync(artifacts as ModelArtifacts);
  return model;
}
