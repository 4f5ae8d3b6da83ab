/**
 * The graph of a functional model: symbolic tensors (shape and dtype, no values) made by
 * `layer.apply` on symbolic inputs, nodes (one call of a layer), the topological order of the
 * nodes between a model's inputs and outputs, and running that order on real tensors.
 */
import type { Tensor } from '../core/tensor.js';
import type { DType } from '../backends/backend.js';

export type SymbolicShape = (number | null)[];

/** What a layer's call receives besides its inputs (`training`, and layer-specific keys). */
export interface Kwargs { training?: boolean; [key: string]: unknown }

/**
 * What the graph needs of a layer (src/layers/base.ts's Layer has it): the graph sits below the
 * layers, so it names this shape instead of importing them.
 */
export interface GraphLayer {
  readonly name: string;
  /** One node per call of the layer on symbolic tensors. */
  readonly inboundNodes: Node[];
  getClassName(): string;
  /** Run the layer on real tensors (a node's call; `inGraph` when a model runs it). */
  callOnTensors(inputs: Tensor | Tensor[], kwargs: Kwargs, inGraph?: boolean): Tensor | Tensor[];
  /** Whether the layer passes a mask on (computeMask is then asked for its output mask). */
  readonly supportsMasking: boolean;
  /** The output mask(s) from the inputs and their masks. */
  computeMask(inputs: Tensor | Tensor[], mask?: Tensor | Tensor[] | null): Tensor | Tensor[] | null | undefined;
}

let nextSymbolicId = 0;

/** A placeholder for a tensor in a graph: what `tf.input` and `layer.apply(symbolic)` return. */
export class SymbolicTensor {
  /** A number unique to this symbolic tensor. */
  readonly id = nextSymbolicId++;
  /** The layers called on this tensor. */
  readonly consumers: GraphLayer[] = [];
  /** Made by sora.input and layer.apply; not called directly. */
  constructor(readonly dtype: DType, readonly shape: SymbolicShape, readonly sourceLayer: GraphLayer,
    /** Which application of the source layer produced it. */
    readonly nodeIndex: number, readonly tensorIndex: number, readonly name: string) {}
  /** The number of axes. */
  get rank(): number { return this.shape.length; }
}

/** One value or a list of them, as a list. */
export const toList = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

export function isSymbolic(x: unknown): x is SymbolicTensor | SymbolicTensor[] {
  return x instanceof SymbolicTensor || (Array.isArray(x) && x.length > 0 && x.every((t) => t instanceof SymbolicTensor));
}

/** One call of a layer: which symbolic tensors went in and came out. */
export class Node {
  constructor(readonly layer: GraphLayer, readonly inputs: SymbolicTensor[], public outputs: SymbolicTensor[],
    /** The layer was called with one tensor rather than a list: its call gets one tensor back. */
    readonly singleInput: boolean, readonly kwargs: Kwargs) {}
}

export const shapeString = (shape: SymbolicShape): string => `[${shape.map((d) => d ?? 'null').join(',')}]`;

/**
 * The nodes needed to compute `outputs` from `inputs`, in an order where every node comes after
 * the nodes that feed it. An output that does not depend on the inputs alone (a disconnected
 * graph) and a cycle are errors naming the tensor and layer at fault.
 */
export function topologicalNodes(where: string, inputs: SymbolicTensor[], outputs: SymbolicTensor[]): Node[] {
  const inputIds = new Set(inputs.map((t) => t.id));
  const order: Node[] = [];
  const state = new Map<Node, 'visiting' | 'done'>();
  const visit = (t: SymbolicTensor, consumer: string): void => {
    if (inputIds.has(t.id)) return;
    const node = t.sourceLayer.inboundNodes[t.nodeIndex];
    if (!node || node.inputs.length === 0) {
      throw new Error(`${where}: graph disconnected: tensor '${t.name}' (${consumer}) comes from ` +
        `${t.sourceLayer.getClassName()} '${t.sourceLayer.name}', which is not among the model's inputs ` +
        `(${inputs.map((i) => `'${i.name}'`).join(', ')}); pass it in inputs`);
    }
    const seen = state.get(node);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new Error(`${where}: the graph has a cycle through layer '${node.layer.name}'`);
    state.set(node, 'visiting');
    for (const input of node.inputs) visit(input, `input of layer '${node.layer.name}'`);
    state.set(node, 'done');
    order.push(node);
  };
  for (const output of outputs) visit(output, 'a model output');
  return order;
}

/**
 * Run `nodes` on real tensors: `feed` maps each model input to its value, `maskFeed` (a model
 * used as a layer) to its mask; `outputMasks`, when given, receives the outputs' masks.
 */
export function runNodes(nodes: Node[], feed: Map<number, Tensor>, outputs: SymbolicTensor[], kwargs: Kwargs,
  maskFeed?: Map<number, Tensor | null | undefined>, outputMasks?: (Tensor | null)[]): Tensor[] {
  const values = new Map(feed);
  // Masks as TF.js's executor passes them: a layer gets its inputs' masks as kwargs.mask, and one
  // that supportsMasking gives its outputs' masks by computeMask; any other layer's outputs have none.
  const masks = new Map<number, Tensor | null | undefined>(maskFeed);
  for (const node of nodes) {
    const ins = node.inputs.map((t) => values.get(t.id)!);
    const inMasks = node.inputs.map((t) => masks.get(t.id));
    const mask = (node.singleInput ? inMasks[0] : inMasks) as Tensor | Tensor[] | undefined;
    const x = node.singleInput ? ins[0] : ins;
    // A mask given in the layer's own call (layer.apply(x, { mask })) comes first.
    const result = node.layer.callOnTensors(x, { ...(inMasks.some((m) => m) && { mask }), ...node.kwargs, ...kwargs }, true);
    const outs = Array.isArray(result) ? result : [result];
    if (outs.length !== node.outputs.length) {
      throw new Error(`layer '${node.layer.name}' returned ${outs.length} tensors, its node has ${node.outputs.length}`);
    }
    const outMask = node.layer.supportsMasking ? node.layer.computeMask(x, mask) : null;
    node.outputs.forEach((t, i) => {
      values.set(t.id, outs[i]);
      masks.set(t.id, Array.isArray(outMask) ? outMask[i] : outMask);
    });
  }
  if (outputMasks) outputMasks.push(...outputs.map((t) => masks.get(t.id) ?? null));
  return outputs.map((t) => values.get(t.id)!);
}

/**
 * The layers of a graph in Keras's order: by decreasing depth from the outputs (inputs
 * first), ties in the order a walk from the outputs first meets them.
 */
export function layersByDepth(inputs: SymbolicTensor[], outputs: SymbolicTensor[], nodes: Node[]): GraphLayer[] {
  const inputIds = new Set(inputs.map((t) => t.id));
  const firstSeen = new Map<GraphLayer, number>();
  const seen = new Set<SymbolicTensor>();
  const walk = (t: SymbolicTensor) => {
    if (seen.has(t)) return;
    seen.add(t);
    if (!firstSeen.has(t.sourceLayer)) firstSeen.set(t.sourceLayer, firstSeen.size);
    if (inputIds.has(t.id)) return;
    for (const input of t.sourceLayer.inboundNodes[t.nodeIndex].inputs) walk(input);
  };
  for (const t of outputs) walk(t);
  const nodeDepth = new Map<Node, number>();
  const layerDepth = new Map<GraphLayer, number>();
  const inputDepth = (t: SymbolicTensor, depth: number) => {
    if (inputIds.has(t.id)) layerDepth.set(t.sourceLayer, Math.max(layerDepth.get(t.sourceLayer) ?? 0, depth));
  };
  // Reverse topological order: every consumer comes before the nodes that feed it.
  for (const node of [...nodes].reverse()) {
    const depth = Math.max(nodeDepth.get(node) ?? 0, layerDepth.get(node.layer) ?? 0);
    nodeDepth.set(node, depth);
    layerDepth.set(node.layer, depth);
    for (const t of node.inputs) {
      inputDepth(t, depth + 1);
      if (inputIds.has(t.id)) continue;
      const source = t.sourceLayer.inboundNodes[t.nodeIndex];
      nodeDepth.set(source, Math.max(nodeDepth.get(source) ?? 0, depth + 1));
    }
  }
  for (const t of inputs) if (!layerDepth.has(t.sourceLayer)) layerDepth.set(t.sourceLayer, 0);
  return [...layerDepth.keys()].sort((a, b) => (layerDepth.get(b)! - layerDepth.get(a)!) ||
    ((firstSeen.get(a) ?? Infinity) - (firstSeen.get(b) ?? Infinity)));
}
