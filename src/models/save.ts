/**
 * Models in the TF.js layers format: the topology ('Sequential', or 'Model' / 'Functional'
 * with inbound_nodes, input_layers and output_layers, as tfjs-layers and Keras write it),
 * save, loadLayersModel and tf.models.modelFromJSON. Weights are matched by name; a name
 * that matches more than one saved weight is an error, never a first match.
 */
import { ENGINE } from '../core/engine.js';
import * as ops from '../ops/index.js';
import { Layer, sourceLayerOf } from '../layers/base.js';
import { deserializeLayer, fromPythonic, toPythonic } from '../layers/serialization.js';
import {
  decodeWeights, encodeWeights, getLoadHandler, getSaveHandler, type LoadHandler, type LoadOptions, type ModelArtifacts,
  type SaveHandler, type SaveResult,
} from '../io/index.js';
import type { Node, SymbolicTensor } from './graph.js';
import type { LayersModel } from './functional.js';

const VERSION = '0.1.0';

const isModel = (layer: Layer): boolean => 'execute' in layer;

type NodeRef = [string, number, number, Record<string, unknown>?];

/** The camelCase config of a functional model: layers with their inbound nodes, inputs, outputs. */
export function functionalConfig(model: LayersModel, nodes: Node[]): Record<string, unknown> {
  const inModel = new Set(nodes);
  for (const t of model.inputs) inModel.add(t.sourceLayer.inboundNodes[0]);
  // A layer's node index counts only its calls inside this model (Keras's node conversion map).
  const localIndex = (t: SymbolicTensor): number =>
    t.sourceLayer.inboundNodes.slice(0, t.nodeIndex).filter((n) => inModel.has(n)).length;
  // TF.js and Keras count a nested model's own internal node as its call 0.
  const ref = (t: SymbolicTensor): NodeRef => [t.sourceLayer.name, localIndex(t) + (isModel(sourceLayerOf(t)) ? 1 : 0), t.tensorIndex];
  return {
    name: model.name,
    layers: model.layers.map((layer) => ({
      name: layer.name,
      className: layer.getClassName(),
      config: layer.getConfig(),
      inboundNodes: layer.inboundNodes.filter((n) => inModel.has(n) && n.inputs.length > 0)
        .map((n) => n.inputs.map((t) => [...ref(t), {}])),
    })),
    inputLayers: model.inputs.map(ref),
    outputLayers: model.outputs.map(ref),
  };
}

/** Rebuild the graph of a functional config (camelCase): layers, then their calls in dependency order. */
export function functionalFromConfig(config: Record<string, unknown>, customObjects: Record<string, unknown>):
  { inputs: SymbolicTensor[]; outputs: SymbolicTensor[]; name?: string } {
  const name = typeof config.name === 'string' ? config.name : undefined;
  const where = `model '${name ?? 'model'}'`;
  const entries = config.layers as { name?: string; className: string; config: Record<string, unknown>; inboundNodes?: NodeRef[][] }[];
  if (!Array.isArray(entries) || entries.length === 0) throw new Error(`${where}: the config has no layers`);
  const created = new Map<string, Layer>();
  const pending = new Map<Layer, NodeRef[][]>();
  for (const entry of entries) {
    const layer = deserializeLayer(entry, where, customObjects);
    const layerName = entry.name ?? layer.name;
    if (created.has(layerName)) throw new Error(`${where}: two layers are named '${layerName}'`);
    created.set(layerName, layer);
    pending.set(layer, (entry.inboundNodes ?? []).slice());
  }
  const lookup = (r: NodeRef, at: string): SymbolicTensor | null => {
    const [source, nodeIndex, tensorIndex] = r;
    const layer = created.get(source);
    if (!layer) throw new Error(`${where}: ${at} refers to layer '${source}', which the config does not have`);
    const index = isModel(layer) ? Math.max(0, nodeIndex - 1) : nodeIndex;
    return layer.inboundNodes[index]?.outputs[tensorIndex] ?? null;
  };
  for (;;) {
    let progress = false;
    let waiting: string | null = null;
    for (const [layer, nodes] of pending) {
      while (nodes.length) {
        const refs = nodes[0];
        const inputs = refs.map((r) => lookup(r, `layer '${layer.name}'`));
        const missing = inputs.findIndex((t) => t === null);
        if (missing >= 0) {
          waiting ??= `layer '${layer.name}' waits for call ${refs[missing][1]} of layer '${refs[missing][0]}'`;
          break;
        }
        layer.apply(inputs.length === 1 ? inputs[0]! : inputs as SymbolicTensor[]);
        nodes.shift();
        progress = true;
      }
    }
    if (![...pending.values()].some((n) => n.length)) break;
    if (!progress) throw new Error(`${where}: the graph has a cycle or a call that never happens: ${waiting}`);
  }
  const ends = (key: 'inputLayers' | 'outputLayers') => {
    const refs = config[key] as NodeRef[] | undefined;
    if (!Array.isArray(refs) || refs.length === 0) throw new Error(`${where}: the config has no ${key === 'inputLayers' ? 'input_layers' : 'output_layers'}`);
    return refs.map((r) => {
      const t = lookup(r, key === 'inputLayers' ? 'input_layers' : 'output_layers');
      if (!t) throw new Error(`${where}: ${key === 'inputLayers' ? 'input' : 'output'} '${r[0]}' (call ${r[1]}) does not exist`);
      return t;
    });
  };
  return { inputs: ends('inputLayers'), outputs: ends('outputLayers'), name };
}

function topology(model: LayersModel): Record<string, unknown> {
  const pythonic = toPythonic({ className: model.getClassName(), config: model.getConfig() }) as Record<string, unknown>;
  return { ...pythonic, keras_version: `tfjs-layers ${VERSION}`, backend: 'tensor_flow.js' };
}

async function save(model: LayersModel, handlerOrUrl: string | SaveHandler): Promise<SaveResult> {
  const weights = model.weights;
  const named = await Promise.all(weights.map(async (w) => ({ name: w.name, shape: w.shape, values: (await w.data()) as Float32Array })));
  const seen = new Set<string>();
  for (const w of named) {
    if (seen.has(w.name)) throw new Error(`${model.name}.save: two weights are named '${w.name}'; give the layers unique names`);
    seen.add(w.name);
  }
  const { weightSpecs, weightData } = encodeWeights(named);
  const artifacts: ModelArtifacts = {
    modelTopology: topology(model), weightSpecs, weightData, format: 'layers-model',
    generatedBy: `sora v${VERSION}`, convertedBy: null,
  };
  const compiled = model.compiled;
  if (compiled) {
    artifacts.trainingConfig = {
      loss: compiled.config.loss as string, metrics: compiled.config.metrics as string[],
      optimizer_config: { class_name: compiled.optimizer.className, config: compiled.optimizer.getConfig() },
    };
    if (compiled.config.lossWeights) artifacts.trainingConfig.loss_weights = compiled.config.lossWeights as number[];
  }
  return getSaveHandler(handlerOrUrl).save(artifacts);
}

export const saveModel = { topology, save };

/** A model from a model.json topology (snake_case), with fresh weights. */
export function modelFromTopology(topologyJson: unknown, where: string, customObjects: Record<string, unknown> = {}): LayersModel {
  const raw = (topologyJson ?? {}) as { model_config?: unknown; class_name?: unknown };
  // Keras files may nest the model under model_config.
  const modelConfig = (raw.model_config ?? raw) as { class_name?: unknown; config?: unknown };
  if (typeof modelConfig.class_name !== 'string') throw new Error(`${where}: the topology has no class_name`);
  const entry = fromPythonic(modelConfig) as { className: string; config: Record<string, unknown> };
  const made = deserializeLayer(entry, where, customObjects);
  if (!('execute' in made)) {
    made.dispose();
    throw new Error(`${where}: the topology holds a ${entry.className}, not a model`);
  }
  return made as LayersModel;
}

/** The saved weight for `name`: exact, else the one saved name ending in '/name'. */
function findWeight(decoded: Map<string, { values: Float32Array | Int32Array; shape: number[] }>, name: string, where: string) {
  const exact = decoded.get(name);
  if (exact) return { key: name, value: exact };
  const matches = [...decoded.keys()].filter((k) => k.endsWith(`/${name}`));
  if (matches.length > 1) throw new Error(`${where}: weight '${name}' is ambiguous: the file has ${matches.join(', ')}`);
  return matches.length ? { key: matches[0], value: decoded.get(matches[0])! } : undefined;
}

export function assignWeights(model: LayersModel, artifacts: ModelArtifacts, where: string): void {
  const decoded = decodeWeights(artifacts, where);
  const used = new Set<string>();
  const pairs = model.weights.map((w) => {
    const found = findWeight(decoded, w.name, where);
    if (!found) {
      throw new Error(`${where}: weight '${w.name}' (shape [${w.shape}]) is missing from the weights manifest ` +
        `(it has ${[...decoded.keys()].join(', ')})`);
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
  for (const { w, found } of pairs) {
    const t = ops.tensor(found.value.values, found.value.shape, w.dtype);
    w.assign(t);
    t.dispose();
  }
}

/**
 * Load a model saved in the TF.js layers format (by sora or TF.js): 'file://dir/model.json',
 * an http(s) or relative URL, 'indexeddb://name', 'localstorage://name', or a handler.
 */
export async function loadLayersModel(pathOrHandler: string | LoadHandler, options: LoadOptions = {}): Promise<LayersModel> {
  await ENGINE.ready();
  const where = typeof pathOrHandler === 'string' ? pathOrHandler : 'loadLayersModel';
  const artifacts = await getLoadHandler(pathOrHandler, options).load();
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
