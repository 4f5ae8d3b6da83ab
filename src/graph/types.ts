/**
 * The shapes every part of the graph-model runtime agrees on: a parsed node, the values that
 * flow along the graph's edges (tensors, and the resources control flow passes around: tensor
 * lists, tensor arrays, hash tables), and the signature of an op handler, the function that runs
 * one TF op through sora's op registry.
 *
 * Parsing (parse.ts) turns model.json's GraphDef into GraphNodes once at load; the executor
 * (executor.ts) plans and runs them; the op families (ops/*.ts) are plain tables of handlers
 * keyed by TF op name, merged in ops/index.ts.
 */
import type { DType } from '../backends/backend.js';
import type { Tensor } from '../core/tensor.js';
import type { Attrs } from './attrs.js';

/**
 * A value that is not a tensor but flows along a graph edge: a TensorList, a TensorArray or a
 * hash table. The executor disposes it like a tensor when its last consumer has run.
 */
export interface GraphResource {
  /** What the resource is, for error messages and type checks in handlers. */
  readonly kind: 'tensorList' | 'tensorArray' | 'hashTable';
  /** Frees the tensors the resource holds (only those it owns). */
  dispose(): void;
}

/** What flows along one edge of the graph. */
export type GraphValue = Tensor | GraphResource;

/** One data or control input of a node, as model.json names it ('x', 'x:1', '^x'). */
export interface GraphInput {
  /** The producing node's name. */
  readonly node: string;
  /** Which of its outputs (0 for 'x', 1 for 'x:1'). */
  readonly output: number;
  /** A control dependency ('^x'): it orders, and carries no value. */
  readonly control: boolean;
}

/** One node of the graph, parsed once at load. */
export interface GraphNode {
  /** The node's name, unique in its graph or function body. */
  readonly name: string;
  /** The TF op, e.g. 'Conv2D', '_FusedConv2D', 'Switch'. */
  readonly op: string;
  /** Data inputs first, in order; control inputs after them. */
  readonly inputs: readonly GraphInput[];
  /** The node's attributes, decoded on demand. */
  readonly attrs: Attrs;
}

/**
 * What a handler can ask of the run it is part of. Most handlers use only `node` and `attrs`;
 * control flow (While, If) calls functions of the graph's library through `callFunction`.
 */
export interface OpContext {
  /** The node being run. */
  readonly node: GraphNode;
  /** Its attributes (the same object as node.attrs). */
  readonly attrs: Attrs;
  /**
   * Runs a function of the graph's library (While's cond and body, If's branches) on `inputs`
   * and resolves its outputs. The caller owns the outputs; the inputs are not disposed.
   */
  callFunction(name: string, inputs: readonly GraphValue[]): Promise<GraphValue[]>;
  /** The loop limit the caller set (GraphModel execute options); a While past it throws. */
  readonly maxLoopIterations: number;
}

/**
 * Runs one TF op: takes its data inputs (in order, control inputs left out) and returns its
 * outputs, in output order. A handler may return one of its inputs unchanged (Identity); the
 * executor counts uses by object, not by node, so nothing is freed twice. Temporaries must not
 * leak: the executor runs each handler inside a tidy and keeps only what it returns. A handler
 * that must read values back (NonMaxSuppression, Where, Unique) returns a Promise; such ops run
 * only under executeAsync, as in TF.js.
 */
export type OpHandler = (inputs: readonly GraphValue[], ctx: OpContext) => GraphValue[] | Promise<GraphValue[]>;

/** How a handler declares itself: its function, and whether it needs executeAsync. */
export interface OpEntry {
  /** The handler. */
  readonly run: OpHandler;
  /** True for ops that must read values back or run control flow (TF.js's dynamic and control families). */
  readonly async?: boolean;
  /**
   * The input indices whose values the handler reads on the host (Reshape's shape, Pad's paddings,
   * ConcatV2's axis): it reads them with hostValues() (ops/util.ts), never with dataSync, so the op
   * also runs on a backend that cannot read synchronously (webgpu). The executor makes sure each such
   * input has host values before the handler runs: constants have them from load, others are read
   * back (with await under executeAsync; under execute only where the backend reads synchronously).
   * A negative index counts from the end (ConcatV2's axis is its last input: -1).
   */
  readonly valueInputs?: readonly number[];
}

/** A family's handlers, keyed by TF op name ('Conv2D'). */
export type OpTable = Readonly<Record<string, OpEntry>>;

/** The dtypes a model.json names, mapped to sora's (TF.js's mapping: int64 reads as int32, double as float32). */
export type GraphDType = DType;
