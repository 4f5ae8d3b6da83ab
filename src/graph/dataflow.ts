/**
 * The dataflow run of a graph with TF1 control flow (Switch, Merge, Enter, Exit, NextIteration, LoopCond),
 * under executeAsync only: node instances fire when their inputs arrive, each value tagged with the loop
 * frame and iteration it belongs to; Switch sends its data down one output and a dead token down the
 * other, and dead tokens propagate until a Merge. The executor (executor.ts) hands it the pieces it needs.
 */
import type { DType } from '../backends/backend.js';
import { ENGINE } from '../core/engine.js';
import type { Tensor } from '../core/tensor.js';
import { tensor as makeTensorOp } from '../ops/index.js';
import { Body, DATAFLOW, type Feeds, Holdings, type Plan, hostCopy, isPromise, isTensor, label } from './body.js';
import { getRegisteredOp } from './custom-ops.js';
import { GRAPH_OPS } from './ops/index.js';
import { peekHostValues, setHostValues } from './ops/util.js';
import type { GraphInput, GraphNode, GraphValue } from './types.js';

/** A frame context of a dataflow run: the root, or one iteration of one instance of a loop frame. */
interface Frame {
  readonly key: string;
  /** A number unique in the run, for the value and instance tables' keys. */
  readonly id: number;
  /** The context the frame was entered from (null for the root). */
  readonly parent: Frame | null;
  readonly instance: FrameInstance | null;
  readonly iteration: number;
}

interface FrameInstance {
  readonly key: string;
  readonly name: string;
  readonly parent: Frame;
  readonly iterations: Frame[];
  /** Values of is_constant Enters: visible in every iteration. */
  readonly constants: { node: GraphNode; value: GraphValue | typeof DEAD }[];
  /** An Enter of this instance fired dead: the whole loop sits in an untaken branch, and its Exits go out dead. */
  dead: boolean;
}

/** The token a dead output carries. */
const DEAD = Symbol('dead');

/** A node instance waiting for its inputs in a dataflow run. */
interface Pending {
  remaining: number;
  dead: boolean;
  /** Merge: it fired (later arrivals are dropped), how many inputs came, how many dead. */
  fired?: boolean;
  arrived?: number;
  deadCount?: number;
}

export interface ExecutorInternals {
  owned: ReadonlySet<Tensor>;
  where: string;
  constantOf(node: GraphNode, body: Body): Tensor;
  foldedOutput(node: GraphNode, k: number): Tensor | undefined;
  isFolded(node: GraphNode): boolean;
  invoke(node: GraphNode, body: Body, args: GraphValue[], limit: number): GraphValue[] | Promise<GraphValue[]>;
  readHostAsync(value: GraphValue | undefined, node: GraphNode): Promise<void>;
}

/**
 * One executeAsync of a graph with TF1 control flow. Node instances are keyed by (frame context, node);
 * a value by (frame context, node, output). Sources (feeds, constants, nodes without inputs) run first in
 * the root context and are visible from every frame.
 */
export class DataflowRun {
  private readonly holdings: Holdings;
  /** Live values by `${frame.key}|${node}:${output}`, with the count of readers still to come. */
  private readonly values = new Map<number, { value: GraphValue; readers: number }>();
  /**
   * Nodes outside every loop frame and branch: fed, constant, or reading only such nodes (and no control
   * flow op). They run first, in the root frame, and every frame reads them there.
   */
  private readonly statics = new Set<GraphNode>();
  private readonly pending = new Map<number, Pending>();
  private readonly ready: { node: GraphNode; frame: Frame; dead: boolean; mergeInput?: number }[] = [];
  private readonly instances = new Map<string, FrameInstance>();
  private readonly root: Frame = { key: '', id: 0, parent: null, instance: null, iteration: 0 };
  private frameCount = 0;
  /** Each node's position, and the producers of its data inputs. */
  private readonly position: ReadonlyMap<GraphNode, number>;
  private readonly producers = new Map<GraphNode, GraphNode[]>();
  /** Outputs per node in the value keys: one more than the highest output index read. */
  private width: number;
  /** For each node, how many needed nodes read each of its outputs. */
  private readonly reads = new Map<GraphNode, number[]>();
  private readonly x: ExecutorInternals;
  /** Inputs of each node that arrive as events (not from static nodes). */
  private readonly counted = new Map<GraphNode, number>();
  /** The keys of the requested outputs (root frame). */
  private readonly wanted = new Set<number>();

  constructor(
    executor: ExecutorInternals,
    private readonly body: Body,
    private readonly plan: Plan,
    private readonly feeds: Feeds,
    fedValues: ReadonlySet<GraphValue>,
    private readonly limit: number,
  ) {
    this.x = executor;
    this.position = body.position;
    let top = 0;
    for (const node of body.nodes) {
      this.producers.set(
        node,
        body.dataInputs.get(node)!.map((input) => body.producer(input)),
      );
      for (const input of node.inputs) top = Math.max(top, input.output);
      const reads: number[] = [];
      for (const c of body.consumers.get(node)!) {
        while (reads.length <= c.output) reads.push(0);
        if (plan.needed.has(c.node)) reads[c.output]!++;
      }
      this.reads.set(node, reads);
    }
    this.width = top + 1;
    const owned = this.x.owned;
    this.holdings = new Holdings((v) => owned.has(v as Tensor) || fedValues.has(v));
    for (const node of plan.order!) {
      const fixed = feeds.has(node.name) || this.x.isFolded(node) || node.inputs.length === 0;
      if (fixed || (!DATAFLOW.has(node.op) && node.inputs.every((input) => this.statics.has(body.producer(input))))) {
        this.statics.add(node);
      }
    }
    for (const node of plan.needed) {
      if (this.statics.has(node)) continue;
      this.counted.set(node, node.inputs.filter((input) => !this.statics.has(body.producer(input))).length);
    }
  }

  private fail(node: GraphNode, message: string): never {
    throw new Error(`${this.body.label}: ${label(node)}: ${message}`);
  }

  /** The key of output `output` of `node` in `frame` (every output read in the graph fits the width). */
  private valueKey(frame: Frame, node: GraphNode, output: number): number {
    return (frame.id * this.body.nodes.length + this.position.get(node)!) * this.width + output;
  }

  private outputKey(frame: Frame, o: GraphInput): number {
    return this.valueKey(frame, this.body.producer(o), o.output);
  }

  async run(outputs: readonly GraphInput[]): Promise<GraphValue[]> {
    const wanted = this.wanted;
    for (const o of outputs) this.width = Math.max(this.width, o.output + 1);
    for (const o of outputs) wanted.add(this.outputKey(this.root, o));
    let done = false;
    try {
      for (const node of this.plan.order!) {
        if (!this.statics.has(node)) continue;
        const result = await this.runStatic(node);
        this.publish(node, this.root, result, true);
        this.consume(node, this.root);
      }
      for (const node of this.body.nodes) {
        if (this.counted.get(node) === 0) this.ready.push({ node, frame: this.root, dead: false });
      }
      let head = 0;
      while (head < this.ready.length) {
        const item = this.ready[head++]!;
        if (head > 4096 && head * 2 > this.ready.length) {
          this.ready.splice(0, head);
          head = 0;
        }
        await this.fire(item.node, item.frame, item.dead, item.mergeInput);
      }
      const result = outputs.map((o) => {
        const held = this.values.get(this.outputKey(this.root, o));
        if (held === undefined) {
          throw new Error(
            `${this.body.label}: the output '${o.node}${o.output ? `:${o.output}` : ''}' was not computed ` +
              '(it sits in a branch or loop that did not run)',
          );
        }
        return held.value;
      });
      done = true;
      return result;
    } finally {
      for (const [key, held] of this.values) {
        if (done && wanted.has(key)) continue;
        this.holdings.drop(held.value);
      }
      this.values.clear();
      for (const instance of this.instances.values()) {
        for (const c of instance.constants) if (c.value !== DEAD) this.holdings.drop(c.value);
      }
    }
  }

  private async runStatic(node: GraphNode): Promise<(GraphValue | typeof DEAD)[]> {
    const fed = this.feeds.get(node.name);
    if (fed !== undefined) {
      const width = Math.max(...fed.keys()) + 1;
      return Array.from({ length: width }, (_, k) => fed.get(k) ?? DEAD);
    }
    if (node.op === 'Const') return [this.x.constantOf(node, this.body)];
    if (this.x.isFolded(node)) {
      const out: GraphValue[] = [];
      for (let k = 0; ; k++) {
        const v = this.x.foldedOutput(node, k);
        if (v === undefined) break;
        out.push(v);
      }
      return out;
    }
    if (node.op === 'Placeholder') this.fail(node, 'the input was not given');
    const args = this.body.dataInputs.get(node)!.map((_, i) => this.lookup(node, i, this.root));
    return this.compute(node, this.root, args);
  }

  /** The frame an instance's outputs land in. */
  private outputFrame(node: GraphNode, frame: Frame, dead: boolean): Frame | null {
    switch (node.op) {
      case 'Enter':
      case 'RefEnter':
        return this.enter(node, frame, dead);
      case 'Exit':
      case 'RefExit':
        if (frame.instance === null) this.fail(node, 'an Exit outside of any loop frame');
        return frame.instance.parent;
      case 'NextIteration':
      case 'RefNextIteration':
        if (frame.instance === null) this.fail(node, 'a NextIteration outside of any loop frame');
        return dead ? null : this.iteration(frame.instance, frame.iteration + 1, node);
      default:
        return frame;
    }
  }

  private enter(node: GraphNode, frame: Frame, dead: boolean): Frame {
    const name = node.attrs.string('frame_name');
    const key = `${frame.key}/${name}`;
    let instance = this.instances.get(key);
    if (instance === undefined) {
      instance = { key, name, parent: frame, iterations: [], constants: [], dead: false };
      this.instances.set(key, instance);
    }
    if (dead && !node.attrs.bool('is_constant', false)) instance.dead = true;
    return this.iteration(instance, 0, node);
  }

  private iteration(instance: FrameInstance, n: number, node: GraphNode): Frame {
    const existing = instance.iterations[n];
    if (existing !== undefined) return existing;
    if (n > this.limit) {
      throw new Error(
        `${this.body.label}: the loop '${instance.name}' ran more than ${this.limit} iterations ` +
          `(at ${label(node)}); raise maxLoopIterations if that is expected`,
      );
    }
    const frame: Frame = {
      key: `${instance.key}#${n}`,
      id: ++this.frameCount,
      parent: instance.parent,
      instance,
      iteration: n,
    };
    instance.iterations[n] = frame;
    // Constant Enters of the loop reach every iteration.
    if (n > 0) for (const c of instance.constants) this.deliver(c.node, frame, c.value);
    return frame;
  }

  /** Runs (or kills) one node instance whose inputs all arrived. */
  private async fire(node: GraphNode, frame: Frame, dead: boolean, mergeInput?: number): Promise<void> {
    const dataInputs = this.body.dataInputs.get(node)!;
    let result: (GraphValue | typeof DEAD)[];
    if (dead) {
      result = [DEAD];
    } else if (node.op === 'Merge' || node.op === 'RefMerge') {
      const value = this.lookup(node, mergeInput!, frame);
      const index = ENGINE.tidy(() => makeTensorOp(mergeInput!, [], 'int32'));
      setHostValues(index, Int32Array.of(mergeInput!));
      result = [value, index];
    } else {
      const args = dataInputs.map((_, i) => this.lookup(node, i, frame));
      result = await this.compute(node, frame, args);
    }
    const target = this.outputFrame(node, frame, result[0] === DEAD && result.length === 1);
    const dropped =
      target === null || ((node.op === 'Exit' || node.op === 'RefExit') && result[0] === DEAD && !frame.instance!.dead);
    if (dropped) {
      // A dead NextIteration ends its loop; a dead Exit of a live loop is superseded by the live one to come.
      for (const v of result) {
        if (v === DEAD) continue;
        this.holdings.hold(v);
        this.holdings.drop(v);
      }
    } else {
      this.publish(node, target, result, false);
      if ((node.op === 'Enter' || node.op === 'RefEnter') && node.attrs.bool('is_constant', false)) {
        const instance = target.instance!;
        const value = result[0]!;
        if (value !== DEAD) this.holdings.hold(value);
        instance.constants.push({ node, value });
        for (const later of instance.iterations.slice(1)) this.deliver(node, later, value);
      }
    }
    // Inputs are let go only now: an output may be one of them.
    this.consume(node, frame, mergeInput);
  }

  private async compute(node: GraphNode, frame: Frame, args: GraphValue[]): Promise<(GraphValue | typeof DEAD)[]> {
    switch (node.op) {
      case 'Enter':
      case 'RefEnter':
      case 'Exit':
      case 'RefExit':
      case 'NextIteration':
      case 'RefNextIteration':
      case 'LoopCond':
        return [args[0]!];
      case 'Switch':
      case 'RefSwitch': {
        const pred = args[1];
        if (!isTensor(pred)) this.fail(node, 'the predicate is not a tensor');
        // Read on the host once: every Switch of a loop reads the same LoopCond value.
        if (peekHostValues(pred) === undefined) {
          setHostValues(
            pred,
            hostCopy(pred.ref.backend.syncReadable ? pred.dataSync<DType>() : await pred.data<DType>()),
          );
        }
        const flag = (peekHostValues(pred) as ArrayLike<number>)[0] !== 0;
        return flag ? [DEAD, args[0]!] : [args[0]!, DEAD];
      }
      case 'PlaceholderWithDefault':
        return [args[0]!];
      default:
        break;
    }
    void frame;
    const entry = getRegisteredOp(node.op) === undefined ? GRAPH_OPS.get(node.op) : undefined;
    for (const i of entry?.valueInputs ?? []) await this.x.readHostAsync(args[i < 0 ? args.length + i : i], node);
    let out = this.x.invoke(node, this.body, args, this.limit);
    if (isPromise(out)) out = await out;
    if (!Array.isArray(out)) this.fail(node, `the handler returned ${typeof out}, not a list of outputs`);
    return out;
  }

  /** The value an input reads in `frame`: its own, a constant Enter's of the loop, or a source's. */
  private lookup(node: GraphNode, i: number, frame: Frame): GraphValue {
    const input = this.body.dataInputs.get(node)![i]!;
    const producer = this.producers.get(node)![i]!;
    if (this.statics.has(producer)) {
      const held = this.values.get(this.valueKey(this.root, producer, input.output));
      if (held === undefined) this.fail(node, `input '${input.node}:${input.output}' has no value`);
      return held.value;
    }
    if (
      (producer.op === 'Enter' || producer.op === 'RefEnter') &&
      producer.attrs.bool('is_constant', false) &&
      frame.instance !== null
    ) {
      const c = frame.instance.constants.find((k) => k.node === producer);
      if (c !== undefined && c.value !== DEAD) return c.value;
    }
    const held = this.values.get(this.valueKey(frame, producer, input.output));
    if (held === undefined)
      this.fail(node, `input '${input.node}:${input.output}' has no value in frame '${frame.key || 'root'}'`);
    return held.value;
  }

  /** The instance ran: each data input it read loses a reader. */
  private consume(node: GraphNode, frame: Frame, mergeInput?: number): void {
    const inputs = this.body.dataInputs.get(node)!;
    const producers = this.producers.get(node)!;
    inputs.forEach((input, i) => {
      if (mergeInput !== undefined && i !== mergeInput) return;
      // A static value read in a loop frame may be read again in every iteration: only reads in the root
      // frame count down, and the run's end lets go of the rest.
      const producer = producers[i]!;
      const statik = this.statics.has(producer);
      if (frame !== this.root && statik) return;
      this.unread(this.valueKey(statik ? this.root : frame, producer, input.output));
    });
  }

  private unread(key: number): void {
    const held = this.values.get(key);
    if (held === undefined) return;
    if (--held.readers > 0) return;
    this.values.delete(key);
    this.holdings.drop(held.value);
  }

  /** Stores a node instance's outputs in `frame` and tells their readers. */
  private publish(node: GraphNode, frame: Frame, result: (GraphValue | typeof DEAD)[], source: boolean): void {
    const consumers = this.body.consumers.get(node)!;
    const dead = result.length === 1 && result[0] === DEAD && !source;
    for (const v of result) if (v !== DEAD && v !== undefined) this.holdings.hold(v);
    const reads = this.reads.get(node)!;
    const width = Math.max(result.length, reads.length, 1);
    for (let k = 0; k < width; k++) {
      const value = dead ? DEAD : result[k];
      const readers = reads[k] ?? 0;
      if (value === undefined) {
        if (readers > 0) this.fail(node, `gave ${result.length} outputs; output ${k} is read`);
        continue;
      }
      if (value === DEAD || k >= this.width) continue; // dead, or nobody reads it
      const key = this.valueKey(frame, node, k);
      const wantedHere = frame === this.root && this.wanted.has(key);
      if (readers > 0 || wantedHere) {
        this.holdings.hold(value);
        const old = this.values.get(key);
        if (old !== undefined) this.holdings.drop(old.value);
        this.values.set(key, { value, readers: readers + (wantedHere ? 1 : 0) });
      }
    }
    for (const v of result) if (v !== DEAD && v !== undefined) this.holdings.drop(v);
    if (source) return;
    // Tell the readers (data and control), output by output.
    for (const c of consumers) {
      if (!this.plan.needed.has(c.node)) continue;
      const value = dead ? DEAD : result[c.output];
      this.arrive(c.node, frame, value === DEAD || value === undefined, c.at);
    }
    for (const child of this.body.controlConsumers.get(node)!) {
      if (!this.plan.needed.has(child)) continue;
      this.arrive(child, frame, dead, -1);
    }
  }

  /** Delivers a constant Enter's value to its readers in a later iteration. */
  private deliver(node: GraphNode, frame: Frame, value: GraphValue | typeof DEAD): void {
    for (const c of this.body.consumers.get(node)!) {
      if (this.plan.needed.has(c.node)) this.arrive(c.node, frame, value === DEAD, c.at);
    }
    for (const child of this.body.controlConsumers.get(node)!) {
      if (this.plan.needed.has(child)) this.arrive(child, frame, value === DEAD, -1);
    }
  }

  /** One input of (node, frame) arrived, live or dead. */
  private arrive(node: GraphNode, frame: Frame, dead: boolean, at: number): void {
    const key = frame.id * this.body.nodes.length + this.position.get(node)!;
    const isMerge = node.op === 'Merge' || node.op === 'RefMerge';
    let state = this.pending.get(key);
    if (state === undefined) {
      state = { remaining: this.counted.get(node) ?? 0, dead: false, deadCount: 0 };
      if (isMerge) state.remaining = this.mergeExpected(node, frame);
      this.pending.set(key, state);
    }
    if (isMerge) {
      if (at < 0) return;
      // A Merge's state goes once every input that can reach it in this frame has (a loop's: one).
      state.arrived = (state.arrived ?? 0) + 1;
      if (state.arrived >= state.remaining) this.pending.delete(key);
      if (state.fired) return; // a value reaching a Merge that already fired is never read
      if (!dead) {
        state.fired = true;
        this.ready.push({ node, frame, dead: false, mergeInput: at });
        return;
      }
      state.deadCount = (state.deadCount ?? 0) + 1;
      if (state.deadCount >= state.remaining) {
        state.fired = true;
        this.ready.push({ node, frame, dead: true });
      }
      return;
    }
    if (dead) state.dead = true;
    if (--state.remaining === 0) {
      this.pending.delete(key);
      this.ready.push({ node, frame, dead: state.dead });
    }
  }

  /** How many inputs of a Merge can arrive in `frame`: a loop's Merge reads its Enter in iteration 0, its NextIteration after. */
  private mergeExpected(node: GraphNode, frame: Frame): number {
    const inputs = this.body.dataInputs.get(node)!;
    const fromNext = inputs.filter((input) => this.body.producer(input).op.endsWith('NextIteration')).length;
    if (fromNext === 0) return inputs.length;
    return frame.iteration === 0 ? inputs.length - fromNext : fromNext;
  }
}
