/**
 * Models in the TF.js layers format: the topology ('Sequential', or 'Model' / 'Functional'
 * with inbound_nodes, input_layers and output_layers, as tfjs-layers and Keras write it),
 * a functional graph from its config, and save. Loading is ./load.ts.
 */
import { Layer, sourceLayerOf } from '../layers/base.js';
import { deserializeLayer, toPythonic } from '../layers/serialization.js';
import { encodeWeights, getSaveHandler, type ModelArtifacts, type SaveHandler, type SaveResult } from '../io/index.js';
import type { Node, SymbolicTensor } from '../layers/graph.js';
import type { Compiled } from './compile.js';

const VERSION = '0.1.0';

/** What saving reads of a model (functional.ts's LayersModel; named here so that save imports no model class). */
type SavedModel = Layer & {
  readonly inputs: SymbolicTensor[];
  readonly outputs: SymbolicTensor[];
  readonly layers: Layer[];
  readonly compiled: Compiled | null;
};

const isModel = (layer: Layer): boolean => 'execute' in layer;

type NodeRef = [string, number, number, Record<string, unknown>?];

/** The camelCase config of a functional model: layers with their inbound nodes, inputs, outputs. */
export function functionalConfig(model: SavedModel, nodes: Node[]): Record<string, unknown> {
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

function topology(model: SavedModel): Record<string, unknown> {
  const pythonic = toPythonic({ className: model.getClassName(), config: model.getConfig() }) as Record<string, unknown>;
  return { ...pythonic, keras_version: `tfjs-layers ${VERSION}`, backend: 'tensor_flow.js' };
}

async function save(model: SavedModel, handlerOrUrl: string | SaveHandler): Promise<SaveResult> {
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

