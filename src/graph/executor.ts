/**
 * The graph executor: turns a parsed graph into a plan once (topological order, constant folding,
 * the last consumer of every value), then runs it for given inputs through the op families.
 *
 * Two ways to run a graph (or a library function's body):
 * - a static plan, for graphs without dataflow control flow: the needed nodes in topological order,
 *   each value in a slot that is released right after its last consumer ran. execute() runs only
 *   these, synchronously; executeAsync() runs them too, awaiting ops that read values back.
 * - a dataflow run, for graphs with TF1 control flow (Switch, Merge, Enter, Exit, NextIteration,
 *   LoopCond), under executeAsync only: node instances fire when their inputs arrive, each value
 *   tagged with the loop frame and iteration it belongs to; Switch sends its data down one output and
 *   a dead token down the other, and dead tokens propagate until a Merge.
 *
 * Ownership: values are counted by object, since a handler may return one of its inputs (Identity,
 * Enter, a TensorList op that returns its list). A value is freed when no slot holds it any more,
 * unless it is a weight, a folded constant or a caller's input. Nothing outlives a run but its outputs.
 */
import type { DType } from '../backends/backend.js';
import { ENGINE } from '../core/engine.js';
import { Tensor } from '../core/tensor.js';
import { reshape, tensor as makeTensorOp } from '../ops/index.js';
import { customOpsGeneration, getRegisteredOp, type RegisteredOp } from './custom-ops.js';
import { FUSED_OPS, fuseChains, graphFusion } from './fuse.js';
import { GRAPH_OPS } from './ops/index.js';
import { peekHostValues, setHostValues } from './ops/util.js';
import type { GraphFunction, ParsedGraph } from './parse.js';
import type { GraphInput, GraphNode, GraphResource, GraphValue, OpContext, OpEntry } from './types.js';
import {
  Body, DATAFLOW, EXECUTOR_OPS, type Feeds, HOST_FLOATS, Holdings, NONE, type Plan, type Step, type StepKind, UNFOLDABLE,
  UNFOLDABLE_FAMILIES, UNFOLDABLE_PREFIX, declaredDType, disposeValue, hostCopy, isPromise, isTensor, label, wantsHostValues,
} from './body.js';
import { DataflowRun, type ExecutorInternals } from './dataflow.js';

/** A graph input or output as GraphModel.inputs / outputs report it (TF.js's TensorInfo). */
export interface TensorInfo {
  /** The node name ('input_1') or, for an output other than the first, 'node:1'. */
  name: string;
  /** The shape the graph declares, -1 for unknown dims; undefined when unknown. */
  shape?: number[];
  /** The dtype the graph declares. */
  dtype: DType;
}

/** Options of one run. */
export interface ExecuteOptions {
  /** A While or a Merge/NextIteration loop that runs more iterations than this throws (default 1e6). */
  maxLoopIterations?: number;
}

/** Plans a graph once and runs it. */
export class GraphExecutor {
  /** The graph's Placeholders (inputs) in the order the graph lists them. */
  readonly inputs: TensorInfo[] = [];
  /** The graph's default outputs: nodes no other node consumes (as TF.js picks them). */
  readonly outputs: TensorInfo[] = [];

  private readonly main: Body;
  private readonly functionBodies = new Map<string, Body>();
  /** Weights and folded constants by 'node:output'. */
  private readonly constants = new Map<string, Tensor>();
  /** The same tensors, for the ownership checks. */
  private readonly owned = new Set<Tensor>();
  private disposed = false;
  /** The custom ops' generation the cached plans were made under. */
  private opsGeneration = customOpsGeneration();
  /** Output names as parsed once (execute is called with the same names every run). */
  private readonly parsedOutputs = new Map<string, GraphInput>();

  /**
   * Plans `graph`. `weights` maps each Const node's name to its tensor (the executor owns them from
   * here and frees them in dispose). `where` names the model in errors. Throws before anything runs
   * when a node's op has neither a built-in handler nor a registered custom op (naming the op and
   * registerOp), or an input names a node that does not exist.
   */
  constructor(
    readonly graph: ParsedGraph,
    readonly weights: ReadonlyMap<string, Tensor>,
    readonly where: string,
  ) {
    this.main = new Body(where, graph.nodes);
    for (const fn of graph.functions.values())
      this.functionBodies.set(fn.name, new Body(`${where}: function '${fn.name}'`, fn.nodes));
    const unknown: { op: string; at: string }[] = [];
    const check = (node: GraphNode, body: Body, fn?: string): void => {
      if (EXECUTOR_OPS.has(node.op) || GRAPH_OPS.has(node.op) || getRegisteredOp(node.op) !== undefined) {
        if (node.op === 'Const' && !weights.has(node.name) && !node.attrs.has('value')) {
          throw new Error(`${body.label}: Const node '${node.name}' has no weight and no value`);
        }
        return;
      }
      unknown.push({ op: node.op, at: `${label(node)}${fn === undefined ? '' : ` in function '${fn}'`}` });
    };
    for (const node of graph.nodes) check(node, this.main);
    for (const [name, body] of this.functionBodies)
      for (const node of graph.functions.get(name)!.nodes) check(node, body, name);
    if (unknown.length > 0) {
      const ops = [...new Set(unknown.map((u) => u.op))];
      const some = unknown.slice(0, 5).map((u) => u.at);
      throw new Error(
        `${where}: sora has no handler for the op${ops.length > 1 ? 's' : ''} ${ops.map((o) => `'${o}'`).join(', ')} ` +
          `(${some.join(', ')}${unknown.length > 5 ? `, and ${unknown.length - 5} more` : ''}); ` +
          `register one with sora.registerOp('${ops[0]}', fn)`,
      );
    }
    for (const [name, weight] of weights) {
      if (!isTensor(weight)) throw new Error(`${where}: the weight '${name}' is not a tensor`);
      ENGINE.keep(weight);
      this.constants.set(`${name}:0`, weight);
      this.owned.add(weight);
    }
    for (const node of graph.nodes) {
      if (node.op === 'Placeholder') {
        const shape = node.attrs.has('shape') ? node.attrs.shape('shape') : undefined;
        this.inputs.push({ name: node.name, shape, dtype: node.attrs.dtype('dtype', 'float32') });
      }
    }
    for (const node of graph.nodes) {
      if (this.main.consumers.get(node)!.length > 0 || this.main.controlConsumers.get(node)!.length > 0) continue;
      if (node.op === 'NoOp') continue;
      this.outputs.push({ name: node.name, dtype: declaredDType(node) });
    }
  }

  // ---- constant folding ----

  /** Folds Const-only subgraphs into tensors once, reading host values of small results back (await). */
  async foldConstants(): Promise<void> {
    const { steps, keepSlot } = this.foldPlan(false);
    const slots: (Tensor | undefined)[] = [];
    const holdings = new Holdings((v) => this.owned.has(v as Tensor));
    try {
      for (const step of steps) {
        const call = this.foldCall(step, slots, holdings);
        if (call === undefined) continue;
        const { entry, args, ctx } = call;
        for (const i of entry.valueInputs ?? []) await this.readHostAsync(args[i < 0 ? args.length + i : i], step.node);
        let result = entry.async ? entry.run(args, ctx) : ENGINE.tidy(() => entry.run(args, ctx));
        if (isPromise(result)) result = await result;
        this.storeFolded(step.node, result as GraphValue[], step.outputs, slots, holdings);
      }
      for (const t of this.keepFolded(keepSlot, slots)) setHostValues(t, hostCopy(await t.data<DType>()));
    } finally {
      for (const t of slots) if (t !== undefined && holdings.holds(t)) holdings.drop(t);
    }
    this.clearPlans();
  }

  /** foldConstants for loadGraphModelSync: folds only where the backend reads synchronously. */
  foldConstantsSync(): void {
    if (!ENGINE.backend.syncReadable) return;
    const { steps, keepSlot } = this.foldPlan(true);
    const slots: (Tensor | undefined)[] = [];
    const holdings = new Holdings((v) => this.owned.has(v as Tensor));
    try {
      for (const step of steps) {
        const call = this.foldCall(step, slots, holdings);
        if (call === undefined) continue;
        const { entry, args, ctx } = call;
        for (const i of entry.valueInputs ?? []) this.readHostSync(args[i < 0 ? args.length + i : i], step.node);
        this.storeFolded(step.node, ENGINE.tidy(() => entry.run(args, ctx)) as GraphValue[], step.outputs, slots, holdings);
      }
      for (const t of this.keepFolded(keepSlot, slots)) setHostValues(t, hostCopy(t.dataSync<DType>()));
    } finally {
      for (const t of slots) if (t !== undefined && holdings.holds(t)) holdings.drop(t);
    }
    this.clearPlans();
  }

  /** A fold step's call (its handler, inputs and context), or undefined for a Const, whose tensor is stored here. */
  private foldCall(step: FoldStep, slots: (Tensor | undefined)[], holdings: Holdings):
    { entry: OpEntry; args: GraphValue[]; ctx: OpContext } | undefined {
    if (step.constant !== undefined) {
      this.storeFolded(step.node, [step.constant], step.outputs, slots, holdings);
      return undefined;
    }
    return { entry: GRAPH_OPS.get(step.node.op)!, args: step.inputs.map((s) => slots[s]!), ctx: this.context(step.node, this.main, 1e6) };
  }

  /** Keeps the folded values other nodes read; returns them and the weights whose host values are still to read. */
  private keepFolded(keepSlot: ReadonlyMap<number, string>, slots: (Tensor | undefined)[]): Set<Tensor> {
    const toRead = new Set<Tensor>();
    for (const [slot, key] of keepSlot) {
      const t = slots[slot];
      if (t === undefined) continue;
      if (wantsHostValues(t) && peekHostValues(t) === undefined) toRead.add(t);
      this.keepConstant(key, t);
    }
    for (const t of this.weights.values()) {
      if (!t.isDisposed && wantsHostValues(t) && peekHostValues(t) === undefined) toRead.add(t);
    }
    return toRead;
  }

  private keepConstant(key: string, t: Tensor): void {
    ENGINE.keep(t);
    this.constants.set(key, t);
    this.owned.add(t);
  }

  private storeFolded(
    node: GraphNode,
    result: GraphValue[],
    outputs: number[],
    slots: (Tensor | undefined)[],
    holdings: Holdings,
  ): void {
    if (!Array.isArray(result))
      throw new Error(`${this.where}: ${label(node)}: the handler returned ${typeof result}, not a list of outputs`);
    for (const value of result) holdings.hold(value);
    outputs.forEach((slot, k) => {
      if (slot < 0) return;
      const value = result[k];
      if (!isTensor(value))
        throw new Error(
          `${this.where}: ${label(node)}: output ${k} is ${value === undefined ? 'missing' : 'not a tensor'}`,
        );
      holdings.hold(value);
      slots[slot] = value;
    });
    for (const value of result) holdings.drop(value);
  }

  /**
   * The foldable nodes of the main graph in topological order: every input (data and control) is a Const
   * or a foldable node, the op is a built-in that is neither random, stateful nor control flow (and, for a
   * synchronous fold, not async). Const inputs come first as steps holding their tensor. keepSlot: the
   * values that non-folded nodes read (or nobody: the graph's outputs), kept as constants.
   */
  private foldPlan(sync: boolean): { steps: FoldStep[]; keepSlot: Map<number, string> } {
    const body = this.main;
    const foldable = new Set<GraphNode>();
    const isConstant = (node: GraphNode): boolean => node.op === 'Const' || foldable.has(node);
    const order = this.topological(body, new Set(body.nodes), new Set(), true);
    for (const node of order) {
      if (
        node.op === 'Const' ||
        node.inputs.length === 0 ||
        UNFOLDABLE_PREFIX.test(node.op) ||
        UNFOLDABLE.has(node.op) ||
        getRegisteredOp(node.op) !== undefined
      )
        continue;
      if (this.constants.has(`${node.name}:0`)) continue;
      const entry = GRAPH_OPS.get(node.op);
      if (
        entry === undefined ||
        UNFOLDABLE_FAMILIES.has(entry.family) ||
        DATAFLOW.has(node.op) ||
        (sync && entry.async)
      )
        continue;
      if (node.inputs.every((input) => isConstant(body.producer(input)))) foldable.add(node);
    }
    const slotOf = new Map<string, number>();
    const slot = (name: string, output: number): number => {
      const key = `${name}:${output}`;
      let s = slotOf.get(key);
      if (s === undefined) slotOf.set(key, (s = slotOf.size));
      return s;
    };
    const constSteps: FoldStep[] = [];
    const steps: FoldStep[] = [];
    const keepSlot = new Map<number, string>();
    const seenConst = new Set<GraphNode>();
    for (const node of order) {
      if (!foldable.has(node)) continue;
      const inputs: number[] = [];
      for (const input of body.dataInputs.get(node)!) {
        const producer = body.producer(input);
        const s = slot(input.node, input.output);
        inputs.push(s);
        if (producer.op === 'Const' && !seenConst.has(producer)) {
          seenConst.add(producer);
          constSteps.push({ node: producer, inputs: [], outputs: [s], constant: this.constantOf(producer, body) });
        }
      }
      const consumers = body.consumers.get(node)!;
      let width = 1;
      for (const c of consumers) width = Math.max(width, c.output + 1);
      const outputs: number[] = [];
      for (let k = 0; k < width; k++) {
        const readers = consumers.filter((c) => c.output === k);
        if (readers.length === 0 && k > 0) {
          outputs.push(-1);
          continue;
        }
        const s = slot(node.name, k);
        outputs.push(s);
        if (readers.length === 0 || readers.some((c) => !foldable.has(c.node))) keepSlot.set(s, `${node.name}:${k}`);
      }
      steps.push({ node, inputs, outputs });
    }
    return { steps: [...constSteps, ...steps], keepSlot };
  }

  /** The tensor of a Const node: its weight, or its inline value made once. */
  private constantOf(node: GraphNode, body: Body): Tensor {
    const known = this.constants.get(`${node.name}:0`);
    if (known !== undefined) return known;
    const value = node.attrs.tensor('value');
    if (value.values === undefined)
      throw new Error(`${body.label}: ${label(node)} has no weight and its 'value' holds no values`);
    const size = value.shape.reduce((a, b) => a * b, 1);
    let values = value.values as (number | string | boolean)[];
    if (values.length === 1 && size !== 1) values = new Array<number | string | boolean>(size).fill(values[0]!);
    const t = ENGINE.tidy(() => makeTensorOp(values as never, value.shape, value.dtype));
    this.keepConstant(`${node.name}:0`, t);
    if (t.dtype === 'int32') setHostValues(t, Int32Array.from(values.map(Number)));
    else if (t.dtype === 'bool')
      setHostValues(t, Uint8Array.from(values.map((v) => (v === true || v === 'true' || v === 1 ? 1 : 0))));
    else if (t.dtype === 'float32' && t.size <= HOST_FLOATS) setHostValues(t, Float32Array.from(values.map(Number)));
    else if (t.dtype === 'string') setHostValues(t, values.map(String));
    return t;
  }

  private clearPlans(): void {
    this.main.plans.clear();
    for (const body of this.functionBodies.values()) body.plans.clear();
  }

  /** True when some node needs executeAsync (control flow, or an op whose entry is async). */
  get needsAsync(): boolean {
    return this.main.nodes.some((node) => this.mustRunAsync(node) && !this.constants.has(`${node.name}:0`));
  }

  private mustRunAsync(node: GraphNode): boolean {
    if (DATAFLOW.has(node.op)) return true;
    if (EXECUTOR_OPS.has(node.op) || getRegisteredOp(node.op) !== undefined) return false;
    return GRAPH_OPS.get(node.op)?.async === true;
  }

  // ---- planning ----

  /** Needed nodes in topological order (data and control edges; fed nodes have no inputs). */
  private topological(
    body: Body,
    needed: ReadonlySet<GraphNode>,
    fed: ReadonlySet<string>,
    loops = false,
  ): GraphNode[] {
    // With `loops`, a NextIteration's edge back to its Merge is left out, so TF1 loops order too.
    const counts = (producer: GraphNode): boolean =>
      needed.has(producer) && !(loops && producer.op.endsWith('NextIteration'));
    const indegree = new Map<GraphNode, number>();
    for (const node of needed) {
      indegree.set(node, fed.has(node.name) ? 0 : node.inputs.filter((input) => counts(body.producer(input))).length);
    }
    const ready = body.nodes.filter((node) => indegree.get(node) === 0);
    const order: GraphNode[] = [];
    for (let i = 0; i < ready.length; i++) {
      const node = ready[i]!;
      order.push(node);
      if (!counts(node)) continue;
      const next = [...body.consumers.get(node)!.map((c) => c.node), ...body.controlConsumers.get(node)!];
      for (const child of next) {
        if (!needed.has(child) || fed.has(child.name)) continue;
        const left = indegree.get(child)! - 1;
        indegree.set(child, left);
        if (left === 0) ready.push(child);
      }
    }
    if (order.length !== needed.size) {
      const stuck = [...needed]
        .filter((node) => !order.includes(node))
        .slice(0, 3)
        .map(label);
      throw new Error(`${body.label}: the graph has a cycle through ${stuck.join(', ')} that is not a TF loop`);
    }
    return order;
  }

  private plan(body: Body, fed: ReadonlySet<string>, outputs: readonly GraphInput[]): Plan {
    const fuse = body === this.main && graphFusion();
    // A fused plan left out the nodes a custom op overrides, so plans are made again when the custom ops change.
    if (this.opsGeneration !== customOpsGeneration()) {
      this.opsGeneration = customOpsGeneration();
      this.clearPlans();
    }
    const key = `${fuse ? 'f' : ''}|${[...fed].sort().join(',')}|${outputs.map((o) => `${o.node}:${o.output}`).join(',')}`;
    const cached = body.plans.get(key);
    if (cached !== undefined) return cached;
    const needed = new Set<GraphNode>();
    const stack = outputs.map((o) => body.producer(o));
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (needed.has(node)) continue;
      needed.add(node);
      if (fed.has(node.name) || this.isFolded(node)) continue;
      for (const input of node.inputs) stack.push(body.producer(input));
    }
    const missing = [...needed].filter((node) => node.op === 'Placeholder' && !fed.has(node.name));
    if (missing.length > 0) {
      throw new Error(
        `${body.label}: the outputs [${outputs.map((o) => o.node).join(', ')}] need the input${missing.length > 1 ? 's' : ''} ` +
          `${missing.map((n) => `'${n.name}'`).join(', ')}, which ${missing.length > 1 ? 'were' : 'was'} not given`,
      );
    }
    const dataflow = [...needed].some((node) => DATAFLOW.has(node.op) && !fed.has(node.name));
    const asyncNode = body.nodes.find(
      (node) => needed.has(node) && !fed.has(node.name) && !this.isFolded(node) && this.mustRunAsync(node),
    );
    let plan: Plan;
    if (dataflow) {
      const order = this.topological(body, needed, fed, true);
      plan = { needed, dataflow, steps: [], slotCount: 0, outputSlots: [], asyncNode, order };
    } else {
      plan = this.staticPlan(body, needed, fed, outputs, asyncNode, fuse);
    }
    body.plans.set(key, plan);
    return plan;
  }

  /** A node whose every output the plan can take from the constants (a Const, or a folded node). */
  private isFolded(node: GraphNode): boolean {
    return node.op === 'Const' || (node.op !== 'Placeholder' && this.constants.has(`${node.name}:0`));
  }

  private staticPlan(
    body: Body,
    needed: Set<GraphNode>,
    fed: ReadonlySet<string>,
    outputs: readonly GraphInput[],
    asyncNode: GraphNode | undefined,
    fuse: boolean,
  ): Plan {
    let order = this.topological(body, needed, fed);
    if (fuse) order = this.fused(body, order, needed, fed, outputs);
    const slotOf = new Map<string, number>();
    const slot = (name: string, output: number): number => {
      const k = `${name}:${output}`;
      let s = slotOf.get(k);
      if (s === undefined) slotOf.set(k, (s = slotOf.size));
      return s;
    };
    const lastUse: number[] = [];
    const steps: Step[] = order.map((node, index) => {
      const kind: StepKind = fed.has(node.name)
        ? 'feed'
        : this.isFolded(node)
          ? 'const'
          : node.op === 'PlaceholderWithDefault'
            ? 'default'
            : 'op';
      const inputs =
        kind === 'feed' || kind === 'const'
          ? []
          : (body.dataInputs.get(node) ?? node.inputs).map((input) => slot(input.node, input.output));
      for (const s of inputs) lastUse[s] = index;
      const entry = kind === 'op' ? (GRAPH_OPS.get(node.op) ?? FUSED_OPS.get(node.op)) : undefined;
      return { node, kind, inputs, outputs: [], release: [], entry, valueInputs: entry?.valueInputs ?? NONE };
    });
    const outputSlots = outputs.map((o) => slot(o.node, o.output));
    const isOutput = new Set(outputSlots);
    const producedAt = new Map<number, number>();
    const stepOf = new Map<string, number>(order.map((node, index) => [node.name, index]));
    for (const [key, s] of slotOf) {
      const name = key.slice(0, key.lastIndexOf(':'));
      const output = Number(key.slice(key.lastIndexOf(':') + 1));
      const index = stepOf.get(name)!;
      const step = steps[index]!;
      while (step.outputs.length <= output) step.outputs.push(-1);
      step.outputs[output] = s;
      producedAt.set(s, index);
    }
    for (const [s, index] of producedAt) {
      if (isOutput.has(s)) continue;
      steps[Math.max(lastUse[s] ?? index, index)]!.release.push(s);
    }
    return { needed, dataflow: false, steps, slotCount: slotOf.size, outputSlots, asyncNode };
  }

  /** The run's nodes with the fusing pass applied (fuse.ts): each fused chain's nodes give way to one node. */
  private fused(
    body: Body,
    order: GraphNode[],
    needed: ReadonlySet<GraphNode>,
    fed: ReadonlySet<string>,
    outputs: readonly GraphInput[],
  ): GraphNode[] {
    const constant = (input: GraphInput): Tensor | undefined => {
      const producer = body.producer(input);
      if (fed.has(producer.name) || !this.isFolded(producer)) return undefined;
      return producer.op === 'Const' ? this.constantOf(producer, body) : this.constants.get(`${producer.name}:${input.output}`);
    };
    const result = fuseChains(order, {
      consumers: (node) => body.consumers.get(node)!,
      controlConsumers: (node) => body.controlConsumers.get(node)!.length,
      producer: (input) => body.producer(input),
      dataInputs: (node) => body.dataInputs.get(node)!,
      constant,
      fixed: (node) =>
        !needed.has(node) || fed.has(node.name) || this.isFolded(node) || getRegisteredOp(node.op) !== undefined,
      requested: new Set(outputs.map((o) => `${o.node}:${o.output}`)),
    });
    if (result === undefined) return order;
    const { removed, replaced } = result;
    return order.filter((node) => !removed.has(node)).map((node) => replaced.get(node) ?? node);
  }

  // ---- inputs and outputs ----

  private parseName(name: string, what: string): GraphInput {
    const colon = name.lastIndexOf(':');
    const tail = colon < 0 ? '' : name.slice(colon + 1);
    const node = colon >= 0 && /^\d+$/.test(tail) ? name.slice(0, colon) : name;
    const output = node === name ? 0 : Number(tail);
    if (!this.main.byName.has(node)) {
      throw new Error(
        `${this.where}: the ${what} '${name}' is not a node of the graph` +
          (what === 'input' ? ` (its inputs are ${this.inputs.map((i) => `'${i.name}'`).join(', ') || 'none'})` : ''),
      );
    }
    return { node, output, control: false };
  }

  /** Checks the caller's inputs against the Placeholders before anything runs. */
  private feeds(inputs: ReadonlyMap<string, Tensor>): Map<string, Map<number, GraphValue>> {
    if (!(inputs instanceof Map)) throw new Error(`${this.where}: expected the inputs as a Map of names to tensors`);
    const feeds = new Map<string, Map<number, GraphValue>>();
    for (const [name, value] of inputs) {
      const { node: nodeName, output } = this.parseName(String(name), 'input');
      const node = this.main.byName.get(nodeName)!;
      if (!isTensor(value)) throw new Error(`${this.where}: the input '${name}' is not a tensor`);
      if (value.isDisposed) throw new Error(`${this.where}: the input '${name}' is a disposed tensor`);
      if (node.op === 'Placeholder' || node.op === 'PlaceholderWithDefault') {
        const dtype = node.attrs.has('dtype') ? node.attrs.dtype('dtype') : undefined;
        if (dtype !== undefined && dtype !== value.dtype) {
          throw new Error(`${this.where}: the input '${name}' must be ${dtype}, got ${value.dtype} values`);
        }
        const shape = node.attrs.has('shape') ? node.attrs.shape('shape') : undefined;
        if (shape !== undefined) {
          const fits = shape.length === value.shape.length && shape.every((d, i) => d < 0 || d === value.shape[i]);
          if (!fits) {
            throw new Error(
              `${this.where}: the input '${name}' must have shape [${shape.map((d) => (d < 0 ? -1 : d))}], ` +
                `got [${value.shape}]`,
            );
          }
        }
      }
      let byOutput = feeds.get(nodeName);
      if (byOutput === undefined) feeds.set(nodeName, (byOutput = new Map()));
      if (byOutput.has(output)) throw new Error(`${this.where}: the input '${name}' is given twice`);
      byOutput.set(output, value);
    }
    return feeds;
  }

  private outputNames(outputs: readonly string[]): GraphInput[] {
    if (!Array.isArray(outputs)) throw new Error(`${this.where}: expected the output names as a list`);
    return outputs.map((name) => {
      const key = String(name);
      let parsed = this.parsedOutputs.get(key);
      if (parsed === undefined) {
        parsed = this.parseName(key, 'output');
        if (this.parsedOutputs.size < 4096) this.parsedOutputs.set(key, parsed);
      }
      return parsed;
    });
  }

  private alive(): void {
    if (this.disposed) throw new Error(`${this.where}: the model is disposed`);
  }

  /** The caller owns what execute returns: protected values (weights, constants, the caller's own inputs) come back as copies. */
  private hand(values: GraphValue[], outputs: readonly GraphInput[], fedValues: ReadonlySet<GraphValue>): Tensor[] {
    const bad = values.findIndex((value) => !isTensor(value));
    if (bad >= 0) {
      const kept = (v: GraphValue): boolean => (isTensor(v) && this.owned.has(v)) || fedValues.has(v);
      for (const value of new Set(values)) if (!kept(value)) disposeValue(value);
      throw new Error(
        `${this.where}: the output '${outputs[bad]!.node}:${outputs[bad]!.output}' is a ${(values[bad] as GraphResource).kind}, not a tensor`,
      );
    }
    return (values as Tensor[]).map((t) => (this.owned.has(t) || fedValues.has(t) ? reshape(t, t.shape) : t));
  }

  // ---- running ----

  /**
   * Runs the graph synchronously. `inputs` maps Placeholder names ('x' or 'x:0') to tensors, checked
   * against each Placeholder's dtype and shape; `outputs` are node names ('y', 'y:1'). Returns new
   * tensors the caller owns, in `outputs` order; every intermediate is freed. Throws, naming the node
   * and op, when the graph needs executeAsync (as TF.js's execute does).
   */
  execute(inputs: ReadonlyMap<string, Tensor>, outputs: readonly string[], options?: ExecuteOptions): Tensor[] {
    this.alive();
    const feeds = this.feeds(inputs);
    const wanted = this.outputNames(outputs);
    const plan = this.plan(this.main, new Set(feeds.keys()), wanted);
    if (plan.asyncNode !== undefined) {
      const node = plan.asyncNode;
      throw new Error(
        `${this.where}: ${label(node)} ${
          DATAFLOW.has(node.op) || node.op.includes('While') || node.op.includes('If')
            ? 'is control flow'
            : 'reads values back (its output shape depends on them)'
        }; use executeAsync() instead of execute()`,
      );
    }
    const fedValues = new Set<GraphValue>(inputs.values());
    const values = this.runStaticSync(this.main, plan, feeds, fedValues, this.limit(options));
    return this.hand(values, wanted, fedValues);
  }

  /** Runs the graph with control flow and ops that read values back. Same contract as execute. */
  async executeAsync(
    inputs: ReadonlyMap<string, Tensor>,
    outputs: readonly string[],
    options?: ExecuteOptions,
  ): Promise<Tensor[]> {
    this.alive();
    const feeds = this.feeds(inputs);
    const wanted = this.outputNames(outputs);
    const fedValues = new Set<GraphValue>(inputs.values());
    const values = await this.runAsync(this.main, feeds, wanted, fedValues, this.limit(options));
    return this.hand(values, wanted, fedValues);
  }

  private limit(options?: ExecuteOptions): number {
    const n = options?.maxLoopIterations ?? 1e6;
    if (typeof n !== 'number' || !(n >= 0))
      throw new Error(`${this.where}: maxLoopIterations must be a non-negative number, got ${n}`);
    return n;
  }

  private runAsync(
    body: Body,
    feeds: Feeds,
    outputs: readonly GraphInput[],
    fedValues: ReadonlySet<GraphValue>,
    limit: number,
  ): Promise<GraphValue[]> {
    const plan = this.plan(body, new Set(feeds.keys()), outputs);
    return plan.dataflow
      ? this.runDataflow(body, plan, feeds, outputs, fedValues, limit)
      : this.runStaticAsync(body, plan, feeds, fedValues, limit);
  }

  /** The handler of a node: a custom op wins over a built-in. */
  private handler(node: GraphNode, body: Body, known?: OpEntry): { entry?: OpEntry; custom?: RegisteredOp } {
    const custom = getRegisteredOp(node.op);
    if (custom !== undefined) return { custom };
    const entry = known ?? GRAPH_OPS.get(node.op) ?? FUSED_OPS.get(node.op);
    if (entry === undefined) {
      throw new Error(
        `${body.label}: sora has no handler for ${label(node)}; register one with sora.registerOp('${node.op}', fn)`,
      );
    }
    return { entry };
  }

  private context(node: GraphNode, body: Body, limit: number): OpContext {
    return {
      node,
      attrs: node.attrs,
      maxLoopIterations: limit,
      callFunction: (name, inputs) => this.callFunction(name, inputs, limit, node, body),
    };
  }

  /** Runs a library function on `inputs`; the caller owns the outputs (the inputs come back as themselves). */
  private async callFunction(
    name: string,
    inputs: readonly GraphValue[],
    limit: number,
    caller: GraphNode,
    from: Body,
  ): Promise<GraphValue[]> {
    const fn: GraphFunction | undefined = this.graph.functions.get(name);
    const body = this.functionBodies.get(name);
    if (fn === undefined || body === undefined)
      throw new Error(`${from.label}: ${label(caller)} calls the function '${name}', which the graph's library lacks`);
    if (inputs.length !== fn.inputs.length) {
      throw new Error(
        `${from.label}: ${label(caller)} calls '${name}' with ${inputs.length} arguments; it takes ${fn.inputs.length}`,
      );
    }
    const feeds = new Map<string, Map<number, GraphValue>>();
    fn.inputs.forEach((arg, i) => feeds.set(arg.name, new Map([[0, inputs[i]!]])));
    const outputs = fn.outputs.map((o) => ({ node: o.node, output: o.output, control: false }));
    const values = await this.runAsync(body, feeds, outputs, new Set(inputs), limit);
    return values.map((v) => (isTensor(v) && this.owned.has(v) ? reshape(v, v.shape) : v));
  }

  private readHostSync(value: GraphValue | undefined, node: GraphNode): void {
    if (!isTensor(value) || peekHostValues(value) !== undefined) return;
    if (!value.ref.backend.syncReadable) {
      throw new Error(
        `${this.where}: ${label(node)} needs the values of an input on the host, and the '${value.ref.backend.name}' ` +
          'backend cannot read them synchronously; use executeAsync()',
      );
    }
    setHostValues(value, hostCopy(value.dataSync<DType>()));
  }

  private async readHostAsync(value: GraphValue | undefined, node: GraphNode): Promise<void> {
    void node;
    if (!isTensor(value) || peekHostValues(value) !== undefined) return;
    setHostValues(value, hostCopy(await value.data<DType>()));
  }

  /** Runs one op node's handler (inside a tidy when it is synchronous); the result is a list of values. */
  private invoke(
    node: GraphNode,
    body: Body,
    args: GraphValue[],
    limit: number,
    sync: boolean,
    known?: OpEntry,
    context?: OpContext,
  ): GraphValue[] | Promise<GraphValue[]> {
    const { entry, custom } = known !== undefined && getRegisteredOp(node.op) === undefined
      ? { entry: known, custom: undefined }
      : this.handler(node, body, known);
    if (custom !== undefined) {
      const tensors = args.map((a, i) => {
        if (!isTensor(a))
          throw new Error(
            `${body.label}: ${label(node)}: input ${i} of a custom op is a ${(a as GraphResource).kind}, not a tensor`,
          );
        return a;
      });
      const call = (): unknown => custom.customExecutor({ op: node.op, inputs: tensors, attrs: node.attrs.toObject() });
      const wrap = (r: unknown): GraphValue[] => {
        const list = Array.isArray(r) ? r : [r];
        for (const v of list)
          if (!isTensor(v))
            throw new Error(`${body.label}: ${label(node)}: the custom op returned ${typeof v}, not a tensor`);
        return list as Tensor[];
      };
      const isAsyncFunction = custom.customExecutor.constructor.name === 'AsyncFunction';
      if (isAsyncFunction) {
        if (sync) throw new Error(`${body.label}: ${label(node)}: the custom op is async; use executeAsync()`);
        return (call() as Promise<unknown>).then(wrap);
      }
      let promise: Promise<unknown> | undefined;
      const result = ENGINE.tidy(() => {
        const r = call();
        if (isPromise(r)) {
          promise = r as Promise<unknown>;
          return undefined;
        }
        return r;
      });
      if (promise !== undefined) {
        if (sync) {
          promise.then(
            (r) => {
              for (const v of Array.isArray(r) ? r : [r]) if (isTensor(v) && !tensors.includes(v)) v.dispose();
            },
            () => undefined,
          );
          throw new Error(`${body.label}: ${label(node)}: the custom op returned a Promise; use executeAsync()`);
        }
        return promise.then(wrap);
      }
      return wrap(result);
    }
    const ctx = context ?? this.context(node, body, limit);
    if (entry!.async) {
      if (sync) throw new Error(`${body.label}: ${label(node)} must run under executeAsync()`);
      return entry!.run(args, ctx);
    }
    let promise: Promise<GraphValue[]> | undefined;
    const result = ENGINE.tidy(() => {
      const r = entry!.run(args, ctx);
      if (isPromise(r)) {
        promise = r as Promise<GraphValue[]>;
        return undefined;
      }
      return r;
    });
    if (promise !== undefined) {
      if (sync) {
        promise.then(
          (r) => {
            for (const v of r) if (isTensor(v) && !args.includes(v)) v.dispose();
          },
          () => undefined,
        );
        throw new Error(`${body.label}: ${label(node)}: its handler returned a Promise; use executeAsync()`);
      }
      return promise;
    }
    return result!;
  }

  private checkResult(node: GraphNode, body: Body, result: unknown): GraphValue[] {
    if (!Array.isArray(result))
      throw new Error(`${body.label}: ${label(node)}: the handler returned ${typeof result}, not a list of outputs`);
    return result as GraphValue[];
  }

  /** A step's data inputs from their slots. */
  private args(step: Step, slots: (GraphValue | undefined)[]): GraphValue[] {
    const inputs = step.inputs;
    const args = new Array<GraphValue>(inputs.length);
    for (let i = 0; i < inputs.length; i++) args[i] = slots[inputs[i]!]!;
    return args;
  }

  /** A step's handler context, kept on the step (plans are per body, so only the limit can change). */
  private stepContext(step: Step, body: Body, limit: number): OpContext {
    const known = step.ctx;
    if (known !== undefined && known.maxLoopIterations === limit) return known;
    return (step.ctx = this.context(step.node, body, limit));
  }

  /** Puts a step's results in their slots, frees those nobody reads. */
  private store(
    step: Step,
    body: Body,
    result: GraphValue[],
    slots: (GraphValue | undefined)[],
    holdings: Holdings,
  ): void {
    for (const value of result) if (value !== undefined) holdings.hold(value);
    const outputs = step.outputs;
    for (let k = 0; k < outputs.length; k++) {
      const s = outputs[k]!;
      if (s < 0) continue;
      const value = result[k];
      if (value === undefined)
        throw new Error(`${body.label}: ${label(step.node)} gave ${result.length} outputs; output ${k} is read`);
      holdings.hold(value);
      slots[s] = value;
    }
    for (const value of result) if (value !== undefined) holdings.drop(value);
  }

  private release(step: Step, slots: (GraphValue | undefined)[], holdings: Holdings): void {
    for (const s of step.release) {
      const value = slots[s];
      slots[s] = undefined;
      if (value !== undefined) holdings.drop(value);
    }
  }

  /** The values of a step that needs none of the handlers: a feed, a constant, an unfed PlaceholderWithDefault. */
  private direct(step: Step, body: Body, feeds: Feeds, slots: (GraphValue | undefined)[]): GraphValue[] | undefined {
    const node = step.node;
    if (step.kind === 'feed') {
      const given = feeds.get(node.name)!;
      return step.outputs.map((s, k) => {
        const v = given.get(k);
        if (v === undefined && s >= 0)
          throw new Error(`${body.label}: output ${k} of the fed node '${node.name}' is read but was not given`);
        return v as GraphValue;
      });
    }
    if (step.kind === 'const') {
      if (step.constants !== undefined) return step.constants;
      if (node.op === 'Const') return (step.constants = [this.constantOf(node, body)]);
      return (step.constants = step.outputs.map((s, k) => {
        const v = this.constants.get(`${node.name}:${k}`);
        if (v === undefined && s >= 0)
          throw new Error(`${body.label}: output ${k} of the folded ${label(node)} was not kept`);
        return v as GraphValue;
      }));
    }
    if (step.kind === 'default') return [slots[step.inputs[0]!]!];
    return undefined;
  }

  private runStaticSync(
    body: Body,
    plan: Plan,
    feeds: Feeds,
    fedValues: ReadonlySet<GraphValue>,
    limit: number,
  ): GraphValue[] {
    const holdings = new Holdings((v) => this.owned.has(v as Tensor) || fedValues.has(v));
    const slots: (GraphValue | undefined)[] = new Array(plan.slotCount);
    let done = false;
    try {
      for (const step of plan.steps) {
        let result = step.kind === 'op' ? undefined : this.direct(step, body, feeds, slots);
        if (result === undefined) {
          const args = this.args(step, slots);
          const custom = getRegisteredOp(step.node.op) !== undefined;
          if (!custom) for (const i of step.valueInputs) this.readHostSync(args[i < 0 ? args.length + i : i], step.node);
          const ctx = custom ? undefined : this.stepContext(step, body, limit);
          result = this.checkResult(step.node, body, this.invoke(step.node, body, args, limit, true, step.entry, ctx));
        }
        this.store(step, body, result, slots, holdings);
        this.release(step, slots, holdings);
      }
      done = true;
      return plan.outputSlots.map((s) => slots[s]!);
    } finally {
      this.sweep(slots, done ? new Set(plan.outputSlots) : new Set(), holdings);
    }
  }

  private async runStaticAsync(
    body: Body,
    plan: Plan,
    feeds: Feeds,
    fedValues: ReadonlySet<GraphValue>,
    limit: number,
  ): Promise<GraphValue[]> {
    const holdings = new Holdings((v) => this.owned.has(v as Tensor) || fedValues.has(v));
    const slots: (GraphValue | undefined)[] = new Array(plan.slotCount);
    let done = false;
    try {
      for (const step of plan.steps) {
        let result = step.kind === 'op' ? undefined : this.direct(step, body, feeds, slots);
        if (result === undefined) {
          const args = this.args(step, slots);
          const custom = getRegisteredOp(step.node.op) !== undefined;
          if (!custom) for (const i of step.valueInputs) await this.readHostAsync(args[i < 0 ? args.length + i : i], step.node);
          const ctx = custom ? undefined : this.stepContext(step, body, limit);
          let out = this.invoke(step.node, body, args, limit, false, step.entry, ctx);
          if (isPromise(out)) out = await out;
          result = this.checkResult(step.node, body, out);
        }
        this.store(step, body, result, slots, holdings);
        this.release(step, slots, holdings);
      }
      done = true;
      return plan.outputSlots.map((s) => slots[s]!);
    } finally {
      this.sweep(slots, done ? new Set(plan.outputSlots) : new Set(), holdings);
    }
  }

  /** Frees whatever slots still hold, but the outputs (after an error: everything). */
  private sweep(slots: (GraphValue | undefined)[], keep: ReadonlySet<number>, holdings: Holdings): void {
    slots.forEach((value, s) => {
      if (value === undefined || keep.has(s)) return;
      slots[s] = undefined;
      holdings.drop(value);
    });
    if (keep.size === 0) return;
    // Output slots keep their hold: the values leave the run as the caller's.
  }

  // ---- the dataflow run (TF1 control flow) ----

  private async runDataflow(
    body: Body,
    plan: Plan,
    feeds: Feeds,
    outputs: readonly GraphInput[],
    fedValues: ReadonlySet<GraphValue>,
    limit: number,
  ): Promise<GraphValue[]> {
    const run = new DataflowRun(this.internals(), body, plan, feeds, fedValues, limit);
    return run.run(outputs);
  }

  /** The pieces of the executor a dataflow run uses. */
  private internals(): ExecutorInternals {
    return {
      owned: this.owned,
      where: this.where,
      constantOf: (node, body) =>
        this.isFolded(node) && node.op !== 'Const'
          ? this.constants.get(`${node.name}:0`)!
          : this.constantOf(node, body),
      foldedOutput: (node, k) => this.constants.get(`${node.name}:${k}`),
      isFolded: (node) => this.isFolded(node),
      invoke: (node, body, args, limit) => this.invoke(node, body, args, limit, false),
      readHostAsync: (value, node) => this.readHostAsync(value, node),
    };
  }

  /** Frees the weights and folded constants. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.owned) t.dispose();
    this.owned.clear();
    this.constants.clear();
    this.clearPlans();
  }
}

/** A step of constant folding: a Const (its tensor given) or a foldable node. */
interface FoldStep {
  readonly node: GraphNode;
  readonly inputs: number[];
  readonly outputs: number[];
  readonly constant?: Tensor;
}
