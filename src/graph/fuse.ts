/**
 * The fusing pass of the graph executor: at plan time (after constant folding), a chain
 *
 *   Conv2D | DepthwiseConv2dNative | MatMul  ->  bias add  ->  activation
 *
 * (either tail step may be missing; the bias a BiasAdd, or an Add / AddV2 whose other input is a
 * folded constant of one value per output channel; the activation Relu, Relu6, Elu, Sigmoid,
 * LeakyRelu, or Prelu with a folded alpha) becomes one node that runs sora's fused op
 * (fused.conv2d, fused.depthwiseConv2d, fused.matMul) with the bias and activation in its epilogue.
 * A converted _FusedConv2D / FusedDepthwiseConv2dNative / _FusedMatMul without an activation (or
 * without a bias) takes the activation (or the bias) that follows it the same way.
 *
 * A value inside a chain may be dropped only when nothing else reads it: one data consumer, no
 * control consumer, only output 0 read, not fed, not a requested output. The executor plans per
 * (fed, outputs) set, so asking for an intermediate's value plans that run without the fusion.
 *
 * The fused node keeps the name of the chain's last node (its value is the chain's value), takes
 * the head's data inputs, then the bias and Prelu's alpha, and carries the chain in `fusion`.
 * `setGraphFusion(false)` turns the pass off, for A/B runs (bench/graph-fuse-ab.mjs).
 */
import type { Tensor } from '../core/tensor.js';
import { fused } from '../ops/index.js';
import type { FusedActivation } from '../ops/conv/fused.js';
import { conv2dAttrs } from './ops/convolution.js';
import { fusedTail, type FusedTail } from './ops/fused-args.js';
import { tensorInput, where } from './ops/util.js';
import type { GraphInput, GraphNode, OpContext, OpEntry } from './types.js';

type HeadKind = 'conv2d' | 'depthwise' | 'matmul';

/** The ops a chain starts with, and which fused op runs it. */
const HEADS: Readonly<Record<string, { kind: HeadKind; native: boolean }>> = {
  Conv2D: { kind: 'conv2d', native: false },
  DepthwiseConv2dNative: { kind: 'depthwise', native: false },
  DepthwiseConv2d: { kind: 'depthwise', native: false },
  MatMul: { kind: 'matmul', native: false },
  _FusedConv2D: { kind: 'conv2d', native: true },
  FusedDepthwiseConv2dNative: { kind: 'depthwise', native: true },
  _FusedMatMul: { kind: 'matmul', native: true },
};

/** TF activation ops and the fused activation each becomes. */
const ACTIVATIONS: Readonly<Record<string, FusedActivation>> = {
  Relu: 'relu',
  Relu6: 'relu6',
  Elu: 'elu',
  Sigmoid: 'sigmoid',
  LeakyRelu: 'leakyrelu',
  Prelu: 'prelu',
};

/** The op name of a fused node, per head kind. */
const FUSED_OP: Readonly<Record<HeadKind, string>> = {
  conv2d: '_SoraFusedConv2D',
  depthwise: '_SoraFusedDepthwiseConv2D',
  matmul: '_SoraFusedMatMul',
};

/** What a fused node runs: the head, and what the chain adds after it. */
export interface Fusion {
  readonly kind: HeadKind;
  /** The chain's first node (its attributes: strides, padding, transposes, a native fused tail). */
  readonly head: GraphNode;
  /** How many of the fused node's inputs are the head's. */
  readonly headArity: number;
  /** True when the head is a converted fused op (its own fused_ops and arguments are read first). */
  readonly native: boolean;
  /** The next input after the head's is a bias. */
  readonly bias: boolean;
  /** The activation the chain ends with (for 'prelu', alpha is the last input). */
  readonly activation?: FusedActivation;
  /** LeakyRelu's alpha. */
  readonly leakyreluAlpha: number;
  /** The nodes the fused node stands for, head first. */
  readonly nodes: readonly GraphNode[];
}

/** A node the pass made. */
export interface FusedNode extends GraphNode {
  readonly fusion: Fusion;
}

let enabled = true;

/**
 * Turns the fusing pass on or off for plans made from now on (on by default), for A/B runs. Not read from
 * the environment: Deno without --allow-env refuses a module that reads process.env at import.
 */
export function setGraphFusion(on: boolean): void {
  enabled = on;
}

/** Whether the fusing pass is on. */
export function graphFusion(): boolean {
  return enabled;
}

/** Runs a fused node: the head's op with the chain's bias and activation in its epilogue. */
function runFused(inputs: Parameters<OpEntry['run']>[0], ctx: OpContext): Tensor[] {
  const f = (ctx.node as FusedNode).fusion;
  const headCtx: OpContext = { ...ctx, node: f.head, attrs: f.head.attrs };
  const headInputs = inputs.slice(0, f.headArity);
  if (headInputs.length < 2) throw new Error(`${where(ctx)}: expected at least 2 inputs, got ${headInputs.length}`);
  const tail: FusedTail = f.native
    ? fusedTail(headInputs, headCtx, 2, f.kind !== 'matmul')
    : { activation: 'linear', leakyreluAlpha: 0.2 };
  let k = f.headArity;
  if (f.bias) tail.bias = tensorInput(inputs, k++, ctx);
  if (f.activation !== undefined) {
    tail.activation = f.activation;
    tail.leakyreluAlpha = f.leakyreluAlpha;
    if (f.activation === 'prelu') tail.preluActivationWeights = tensorInput(inputs, k++, ctx);
  }
  const a = tensorInput(inputs, 0, ctx);
  const b = tensorInput(inputs, 1, ctx);
  if (f.kind === 'matmul') {
    const transposeA = f.head.attrs.bool('transpose_a', false);
    const transposeB = f.head.attrs.bool('transpose_b', false);
    return [fused.matMul({ a, b, transposeA, transposeB, ...tail })];
  }
  const { format, strides, dilations, pad } = conv2dAttrs(headCtx);
  const op = f.kind === 'conv2d' ? fused.conv2d : fused.depthwiseConv2d;
  return [op({ x: a, filter: b, strides, pad, dataFormat: format, dilations, ...tail })];
}

/** The handlers of fused nodes, by op name (a table, so a profiler can wrap them as it wraps GRAPH_OPS). */
export const FUSED_OPS: ReadonlyMap<string, OpEntry> = new Map(
  Object.values(FUSED_OP).map((op) => [op, { run: runFused } satisfies OpEntry]),
);

/** What the pass asks of the graph it rewrites. */
export interface FusionGraph {
  /** The data consumers of a node's outputs. */
  consumers(node: GraphNode): readonly { readonly node: GraphNode; readonly output: number }[];
  /** How many nodes take a control edge from it. */
  controlConsumers(node: GraphNode): number;
  producer(input: GraphInput): GraphNode;
  dataInputs(node: GraphNode): readonly GraphInput[];
  /** The folded value an input reads (a weight, a Const, a folded node), or undefined when it is computed per run. */
  constant(input: GraphInput): Tensor | undefined;
  /** A node that must stay as it is: fed, folded, not needed by the run, or an op a custom op overrides. */
  fixed(node: GraphNode): boolean;
  /** Requested outputs, as 'node:output'. */
  readonly requested: ReadonlySet<string>;
}

/** The rewrite of one plan: nodes dropped, and the fused node that stands in for each chain's last node. */
export interface FusionResult {
  readonly removed: ReadonlySet<GraphNode>;
  readonly replaced: ReadonlyMap<GraphNode, FusedNode>;
}

function floatNode(node: GraphNode): boolean {
  if (!node.attrs.has('T')) return true;
  try {
    return node.attrs.dtype('T') === 'float32';
  } catch {
    return false;
  }
}

function nhwc(node: GraphNode): boolean {
  try {
    return node.attrs.string('data_format', 'NHWC') === 'NHWC';
  } catch {
    return false;
  }
}

/** The head's fused_ops, lower-cased ([] for a plain op; undefined when unreadable). */
function nativeOps(node: GraphNode): string[] | undefined {
  try {
    return node.attrs.strings('fused_ops', []).map((s) => s.toLowerCase());
  } catch {
    return undefined;
  }
}

/** The output channels of a head whose weights are folded (undefined when unknown). */
function outChannels(kind: HeadKind, head: GraphNode, g: FusionGraph): number | undefined {
  const inputs = g.dataInputs(head);
  const w = inputs[1] === undefined ? undefined : g.constant(inputs[1]);
  if (w === undefined) return undefined;
  if (kind === 'conv2d') return w.rank === 4 ? w.shape[3] : undefined;
  if (kind === 'depthwise') return w.rank === 4 ? w.shape[2]! * w.shape[3]! : undefined;
  if (w.rank !== 2) return undefined;
  let transposeB = false;
  try {
    transposeB = head.attrs.bool('transpose_b', false);
  } catch {
    return undefined;
  }
  return transposeB ? w.shape[0] : w.shape[1];
}

/** A folded float bias of one value per channel: shape [C] or [1, ..., 1, C], rank at most the output's. */
function channelBias(t: Tensor | undefined, channels: number | undefined, outRank: number): boolean {
  if (t === undefined || channels === undefined || t.dtype !== 'float32' || t.rank < 1 || t.rank > outRank) return false;
  if (t.shape[t.rank - 1] !== channels) return false;
  return t.size === channels;
}

/**
 * Finds the chains among `order` (the run's nodes in topological order) and makes their fused nodes.
 * Returns undefined when there is nothing to fuse.
 */
export function fuseChains(order: readonly GraphNode[], g: FusionGraph): FusionResult | undefined {
  const removed = new Set<GraphNode>();
  const replaced = new Map<GraphNode, FusedNode>();
  /** The one node that reads `node`'s value, when the value may be dropped. */
  const soleReader = (node: GraphNode): GraphNode | undefined => {
    if (g.requested.has(`${node.name}:0`) || g.controlConsumers(node) > 0) return undefined;
    const readers = g.consumers(node);
    if (readers.length !== 1 || readers[0]!.output !== 0) return undefined;
    const next = readers[0]!.node;
    return g.fixed(next) || removed.has(next) || replaced.has(next) ? undefined : next;
  };
  for (const head of order) {
    const spec = HEADS[head.op];
    if (spec === undefined || g.fixed(head) || removed.has(head) || replaced.has(head) || !floatNode(head)) continue;
    if (spec.kind !== 'matmul' && !nhwc(head)) continue;
    const headInputs = g.dataInputs(head);
    let hasBias = false;
    let hasActivation = false;
    if (spec.native) {
      const ops = nativeOps(head);
      if (ops === undefined || ops.length > 2 || (ops[0] !== undefined && ops[0] !== 'biasadd')) continue;
      hasBias = ops[0] === 'biasadd';
      hasActivation = ops[1] !== undefined;
      // Without BiasAdd a conv's one argument is Prelu's alpha: adding a bias would reorder them.
      if (!hasBias && headInputs.length > 2) continue;
    } else if (headInputs.length !== 2) continue;
    if (hasActivation) continue;
    const outRank = spec.kind === 'matmul' ? 2 : 4;
    const chain: GraphNode[] = [head];
    const extra: GraphInput[] = [];
    let bias = false;
    let activation: FusedActivation | undefined;
    let leakyreluAlpha = 0.2;
    let cur = head;
    for (;;) {
      const next = soleReader(cur);
      if (next === undefined || !floatNode(next)) break;
      const inputs = g.dataInputs(next);
      if (!hasBias && !bias && (next.op === 'BiasAdd' || next.op === 'Add' || next.op === 'AddV2')) {
        if (inputs.length !== 2) break;
        let other: GraphInput | undefined;
        if (next.op === 'BiasAdd') {
          if (g.producer(inputs[0]!) !== cur || !nhwc(next)) break;
          other = inputs[1];
        } else {
          const side = g.producer(inputs[0]!) === cur ? 1 : g.producer(inputs[1]!) === cur ? 0 : -1;
          if (side < 0 || g.producer(inputs[side]!) === cur) break;
          other = inputs[side];
        }
        const t = other === undefined ? undefined : g.constant(other);
        if (!channelBias(t, outChannels(spec.kind, head, g), outRank)) break;
        bias = true;
        extra.push(other!);
        chain.push(next);
        cur = next;
        continue;
      }
      const act = ACTIVATIONS[next.op];
      if (act === undefined) break;
      if (act === 'prelu') {
        if (inputs.length !== 2 || g.producer(inputs[0]!) !== cur || g.constant(inputs[1]!) === undefined) break;
        // _FusedMatMul reads its arguments in order: an alpha with no bias before it would read as the bias.
        if (spec.kind === 'matmul' && !bias && !hasBias) break;
        // A native conv head with no bias takes its one argument as alpha; the pass adds only after a bias.
        if (spec.native && !hasBias && !bias) break;
        extra.push(inputs[1]!);
      } else if (inputs.length !== 1) break;
      if (act === 'leakyrelu') {
        try {
          leakyreluAlpha = next.attrs.float('alpha', 0.2);
        } catch {
          break;
        }
      }
      activation = act;
      chain.push(next);
      cur = next;
      break;
    }
    if (chain.length === 1) continue;
    const last = chain[chain.length - 1]!;
    for (const node of chain) if (node !== last) removed.add(node);
    const fusion: Fusion = {
      kind: spec.kind, head, headArity: headInputs.length, native: spec.native, bias, activation, leakyreluAlpha, nodes: chain,
    };
    replaced.set(last, {
      name: last.name,
      op: FUSED_OP[spec.kind],
      inputs: [...headInputs, ...extra],
      attrs: head.attrs,
      fusion,
    });
  }
  return replaced.size === 0 ? undefined : { removed, replaced };
}
