/**
 * What the executor's two ways of running (executor.ts's static plans, dataflow.ts's TF1 control flow)
 * share: a graph or function body indexed once, the plan and its steps, the count of holders of each
 * value (see executor.ts on ownership), and the small helpers both use.
 */
import type { DType } from '../backends/backend.js';
import { Tensor } from '../core/tensor.js';
import type { HostValues } from './ops/util.js';
import type { GraphInput, GraphNode, GraphResource, GraphValue, OpContext, OpEntry } from './types.js';

/** TF1 control flow: these run only in a dataflow run (executeAsync). */
export const DATAFLOW = new Set([
  'Enter',
  'RefEnter',
  'Exit',
  'RefExit',
  'Merge',
  'RefMerge',
  'Switch',
  'RefSwitch',
  'NextIteration',
  'RefNextIteration',
  'LoopCond',
]);
/** Ops the executor runs itself, with no handler. */
export const EXECUTOR_OPS = new Set(['Const', 'Placeholder', 'PlaceholderWithDefault']);
/** Ops whose results differ from run to run, that hold state, have effects or give nothing: never folded. */
export const UNFOLDABLE_PREFIX = /^(Random|StatelessRandom|Multinomial|TruncatedNormal|ParameterizedTruncatedNormal)/;
export const UNFOLDABLE = new Set(['While', 'StatelessWhile', 'If', 'StatelessIf', 'NoOp', 'Print', 'PrintV2', 'Assert']);
/** Families whose values are resources or whose ops have effects: never folded. */
export const UNFOLDABLE_FAMILIES = new Set(['control', 'hash_table']);
/** Folded results whose values are recorded on the host: ints and bools up to this size, floats up to HOST_FLOATS. */
export const HOST_INTS = 65536;
export const HOST_FLOATS = 256;

export function isTensor(value: unknown): value is Tensor {
  return value instanceof Tensor;
}

export function isPromise<T>(value: unknown): value is Promise<T> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function';
}

export function label(node: GraphNode): string {
  return `node '${node.name}' (${node.op})`;
}

/** The dtype a node declares for its output ('T' or 'dtype'); While's 'T' is a list, so that is skipped. */
export function declaredDType(node: GraphNode): DType {
  for (const name of ['T', 'dtype']) {
    if (!node.attrs.has(name)) continue;
    try {
      return node.attrs.dtype(name);
    } catch {
      // Not a single dtype (a list of them): try the next attribute.
    }
  }
  return 'float32';
}

export function disposeValue(value: GraphValue): void {
  if (isTensor(value)) value.dispose();
  else (value as GraphResource).dispose();
}

export function wantsHostValues(t: Tensor): boolean {
  if (t.dtype === 'int32' || t.dtype === 'bool') return t.size <= HOST_INTS;
  return t.dtype === 'float32' && t.size <= HOST_FLOATS;
}

export function hostCopy(values: unknown): HostValues {
  if (Array.isArray(values)) return values.slice() as string[];
  const typed = values as Float32Array | Int32Array | Uint8Array;
  return typed.slice();
}

/** A data consumer of a node's output. */
export interface Consumer {
  readonly node: GraphNode;
  /** Position among the consumer's data inputs. */
  readonly at: number;
  /** Which output of the producer it reads. */
  readonly output: number;
}

/** A graph or a function body, indexed once. */
export class Body {
  readonly byName = new Map<string, GraphNode>();
  readonly position = new Map<GraphNode, number>();
  readonly consumers = new Map<GraphNode, Consumer[]>();
  readonly controlConsumers = new Map<GraphNode, GraphNode[]>();
  readonly dataInputs = new Map<GraphNode, GraphInput[]>();
  readonly plans = new Map<string, Plan>();

  constructor(
    readonly label: string,
    readonly nodes: readonly GraphNode[],
  ) {
    nodes.forEach((node, i) => {
      this.byName.set(node.name, node);
      this.position.set(node, i);
      this.consumers.set(node, []);
      this.controlConsumers.set(node, []);
    });
    for (const node of nodes) {
      const data = node.inputs.filter((input) => !input.control);
      this.dataInputs.set(node, data);
      data.forEach((input, at) => this.consumers.get(this.producer(input))!.push({ node, at, output: input.output }));
      for (const input of node.inputs) if (input.control) this.controlConsumers.get(this.producer(input))!.push(node);
    }
  }

  producer(input: GraphInput): GraphNode {
    const node = this.byName.get(input.node);
    if (node === undefined) throw new Error(`${this.label}: '${input.node}' is not a node of the graph`);
    return node;
  }
}

/** What a step of a static plan does. */
export type StepKind = 'feed' | 'const' | 'default' | 'op';

export interface Step {
  readonly node: GraphNode;
  readonly kind: StepKind;
  /** The slots of its data inputs. */
  readonly inputs: number[];
  /** The slot of each output index (-1: nobody reads it). */
  readonly outputs: number[];
  /** Slots whose last reader is this step: released after it ran. */
  readonly release: number[];
  /** An op step's built-in handler, looked up once at plan time (a custom op registered later still wins). */
  readonly entry?: OpEntry;
  /** The entry's valueInputs (none: a shared empty list). */
  readonly valueInputs: readonly number[];
  /** The handler's context, made on the first run and kept while the loop limit is the same. */
  ctx?: OpContext;
  /** A const step's values, looked up on the first run (constants live as long as the plans). */
  constants?: GraphValue[];
}

export const NONE: readonly number[] = Object.freeze([]);

export interface Plan {
  /** The nodes the outputs need (fed nodes count, their inputs do not). */
  readonly needed: Set<GraphNode>;
  /** True when the needed nodes hold TF1 control flow: a dataflow run. */
  readonly dataflow: boolean;
  /** The static plan (empty for a dataflow run). */
  readonly steps: Step[];
  readonly slotCount: number;
  readonly outputSlots: number[];
  /** The first needed node that must run under executeAsync (control flow, or an async entry). */
  readonly asyncNode?: GraphNode;
  /** For a dataflow run: the needed nodes in topological order, a NextIteration's back edge left out. */
  readonly order?: GraphNode[];
}

/** Values of one run, counted by object; see the file comment. */
export class Holdings {
  private readonly count = new Map<GraphValue, number>();

  constructor(private readonly kept: (value: GraphValue) => boolean) {}

  hold(value: GraphValue): void {
    this.count.set(value, (this.count.get(value) ?? 0) + 1);
  }

  drop(value: GraphValue): void {
    const n = (this.count.get(value) ?? 0) - 1;
    if (n > 0) {
      this.count.set(value, n);
      return;
    }
    this.count.delete(value);
    if (!this.kept(value)) disposeValue(value);
  }

  holds(value: GraphValue): boolean {
    return this.count.has(value);
  }
}

export type Feeds = ReadonlyMap<string, ReadonlyMap<number, GraphValue>>;
