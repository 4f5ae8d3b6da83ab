/**
 * Loading models in the TF.js layers format: loadLayersModel and tf.models.modelFromJSON (a
 * model.json topology, then its weights matched by name; a name that matches more than one
 * saved weight is an error, never a first match). The loader is the one place that knows
 * every model class (./builtins.ts), and hands them down to nested fromConfig calls.
 */
import { ENGINE } from '../core/engine.js';
import * as ops from '../ops/index.js';
import { deserializeLayer, fromPythonic, registeredClass, withModelClasses } from '../layers/serialization.js';
import { forEachLayerEntry, normalizeKerasConfigs, unbuiltLayerReason } from '../io/keras-classes.js';
import { ownEntry } from '../core/lookup.js';
import {
  type DecodedWeight, decodeWeights, getLoadHandler, type LoadHandler, type LoadOptions, type ModelArtifacts,
} from '../io/index.js';
import { builtinModelClass } from './builtins.js';
import type { LayersModel } from './functional.js';

/**
 * Refuses, before any layer is built, a config naming a layer class that neither customObjects,
 * serialization.registerClass nor sora's built-in layers provide, when TF.js or Keras defines
 * it (Conv2D, ReLU, Lambda ...): the error names the class and the layer. Other unknown names
 * are left to deserializeLayer, whose error asks for the custom layer to be registered.
 */
function checkLayerClasses(entry: unknown, where: string, customObjects: Record<string, unknown>): void {
  forEachLayerEntry(entry, ({ className, name }) => {
    if (typeof className !== 'string') return;
    if (ownEntry(customObjects, className) !== undefined || registeredClass(className, customObjects)) return;
    const reason = unbuiltLayerReason(className);
    if (reason) throw new Error(`${where}: ${name ? `layer '${name}' is a ${className}: ` : ''}${reason}`);
  });
}

/**
 * A model from a model.json topology (snake_case), with fresh weights. The topology is TF.js's
 * {class_name, config, keras_version, backend} or the Keras converter's {model_config,
 * keras_version, backend, training_config}, whose model_config is read as TF.js reads it (the
 * Keras training_config is not: TF.js takes the training config from the artifacts).
 */
function modelFromTopology(topologyJson: unknown, where: string, customObjects: Record<string, unknown> = {}): LayersModel {
  const raw = (topologyJson ?? {}) as { model_config?: unknown; class_name?: unknown };
  const modelConfig = (raw.model_config ?? raw) as { class_name?: unknown; config?: unknown };
  if (modelConfig === null || typeof modelConfig !== 'object' || typeof modelConfig.class_name !== 'string') {
    throw new Error(`${where}: the topology${raw.model_config != null ? "'s model_config" : ''} has no class_name`);
  }
  const entry = fromPythonic(modelConfig) as { className: string; config: Record<string, unknown> };
  const known = withModelClasses(customObjects, builtinModelClass);
  checkLayerClasses(entry, where, known);
  normalizeKerasConfigs(entry, where);
  const made = deserializeLayer(entry, where, known);
  if (!('execute' in made)) {
    made.dispose();
    throw new Error(`${where}: the topology holds a ${entry.className}, not a model`);
  }
  return made as LayersModel;
}

/** The saved weight for `name`: exact, else Keras's cell-scoped name, else the one saved name ending in '/name'. */
function findWeight(decoded: Map<string, DecodedWeight>, name: string, where: string) {
  const exact = decoded.get(name);
  if (exact) return { key: name, value: exact };
  // TF.js's rule for Keras's recurrent files: 'lstm/lstm_cell/kernel' is the layer's 'lstm/kernel'.
  const scoped = [...decoded.keys()].filter((k) => {
    const t = k.split('/');
    return t.length > 2 && [...t.slice(0, -2), t[t.length - 1]].join('/') === name;
  });
  if (scoped.length === 1) return { key: scoped[0], value: decoded.get(scoped[0])! };
  const matches = [...decoded.keys()].filter((k) => k.endsWith(`/${name}`));
  if (matches.length > 1) throw new Error(`${where}: weight '${name}' is ambiguous: the file has ${matches.join(', ')}`);
  return matches.length ? { key: matches[0], value: decoded.get(matches[0])! } : undefined;
}

function assignWeights(model: LayersModel, artifacts: ModelArtifacts, where: string): void {
  const decoded = decodeWeights(artifacts, where);
  const used = new Set<string>();
  const pairs = model.weights.map((w) => {
    const found = findWeight(decoded, w.name, where);
    if (!found) {
      throw new Error(`${where}: weight '${w.name}' (shape [${w.shape}]) is missing from the weights manifest ` +
        `(it has ${[...decoded.keys()].join(', ')})`);
    }
    if (found.value.dtype !== 'float32' && found.value.dtype !== 'int32') {
      throw new Error(`${where}: weight '${found.key}' is ${found.value.dtype}; a layers model's weights are float32 or int32`);
    }
    if (found.value.shape.join() !== w.shape.join()) {
      throw new Error(`${where}: weight '${found.key}' has shape [${found.value.shape}], the model expects [${w.shape}]`);
    }
    if (used.has(found.key)) throw new Error(`${where}: saved weight '${found.key}' matches two model weights`);
    used.add(found.key);
    return { w, found };
  });
  // Optimizer state saved beside the model (group 'optimizer') is not a layer weight.
  const optimizerWeights = new Set(artifacts.weightSpecs.filter((spec) => spec.group === 'optimizer').map((spec) => spec.name));
  const unused = [...decoded.keys()].filter((k) => !used.has(k) && !optimizerWeights.has(k));
  if (unused.length) throw new Error(`${where}: the file has weights the model does not use: ${unused.join(', ')}`);
  // As TF.js's loadWeights (batchSetValue -> LayerVariable.write), a weight with a constraint
  // (maxNorm, nonNeg ...) holds the constrained value once loaded. Keras loads it unconstrained;
  // a file Keras trained already satisfies its constraints, so the two agree on real models.
  const constraints = model.constraintsOf();
  for (const { w, found } of pairs) {
    const t = ops.tensor(found.value.values as Float32Array | Int32Array, found.value.shape, w.dtype);
    w.assign(t);
    t.dispose();
    const constraint = constraints.get(w);
    if (constraint) {
      const constrained = constraint.apply(w);
      w.assign(constrained);
      constrained.dispose();
    }
  }
}

/**
 * A TF.js graph model (format 'graph-model', or a GraphDef topology: a `node` list and no class_name)
 * is refused with the loader to use instead.
 */
function refuseGraphModel(artifacts: ModelArtifacts, where: string): void {
  const topology = artifacts?.modelTopology as { node?: unknown; class_name?: unknown; model_config?: unknown } | undefined;
  const graphDef = topology != null && Array.isArray(topology.node) && topology.class_name == null && topology.model_config == null;
  if (artifacts?.format === 'graph-model' || graphDef) {
    throw new Error(`${where}: this is a TF.js graph model (format 'graph-model': a TensorFlow graph converted by ` +
      'tensorflowjs_converter), not a layers model; load it with sora.loadGraphModel');
  }
}

/**
 * Loads a model saved in the TF.js layers format (by sora or TF.js): 'file://dir/model.json', an http(s) or
 * relative URL, 'indexeddb://name', 'localstorage://name', or a LoadHandler such as io.browserFiles;
 * `options` default to none.
 * @example
 * ```js
 * const model = await sora.loadLayersModel('https://example.com/model/model.json');
 * model.predict(sora.zeros([1, 4])).print();
 * ```
 */
export async function loadLayersModel(pathOrHandler: string | LoadHandler, options: LoadOptions = {}): Promise<LayersModel> {
  await ENGINE.ready();
  const where = typeof pathOrHandler === 'string' ? pathOrHandler : 'loadLayersModel';
  const artifacts = await getLoadHandler(pathOrHandler, options).load();
  refuseGraphModel(artifacts, `loadLayersModel(${where})`);
  const model = modelFromTopology(artifacts.modelTopology, `loadLayersModel(${where})`);
  try {
    assignWeights(model, artifacts, `loadLayersModel(${where})`);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

/** tf.models.modelFromJSON: a model from its topology (or {modelTopology}), freshly initialized. */
export async function modelFromJSON(json: unknown, customObjects?: Record<string, unknown>): Promise<LayersModel> {
  await ENGINE.ready();
  const value = typeof json === 'string' ? JSON.parse(json) : json;
  const topologyJson = (value as { modelTopology?: unknown })?.modelTopology ?? value;
  return modelFromTopology(topologyJson, 'modelFromJSON', customObjects);
}
