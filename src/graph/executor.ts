/**
 * The graph executor: turns a parsed graph into a plan once (topological order, constant folding,
 * the last consumer of every value), then runs it for given inputs through the op families.
 *
 * CONTRACT (shared by the loader and GraphModel in model.ts, which only use what is declared here).
 * The bodies are being built; see parse.ts for ParsedGraph.
 */
import type { DType } from '../backends/backend.js';
import type { Tensor } from '../core/tensor.js';
import type { ParsedGraph } from './parse.js';

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

  /**
   * Plans `graph`. `weights` maps each Const node's name to its tensor (the executor owns them from
   * here and frees them in dispose). `where` names the model in errors. Throws before anything runs
   * when a node's op has neither a built-in handler nor a registered custom op (naming the op and
   * registerOp), or an input names a node that does not exist.
   */
  constructor(readonly graph: ParsedGraph, readonly weights: ReadonlyMap<string, Tensor>, readonly where: string) {
    void graph; void weights; void where;
    throw new Error('GraphExecutor: not built yet');
  }

  /** Folds Const-only subgraphs into tensors once, reading host values of small results back (await). */
  async foldConstants(): Promise<void> {
    throw new Error('not built yet');
  }

  /** foldConstants for loadGraphModelSync: folds only where the backend reads synchronously. */
  foldConstantsSync(): void {
    throw new Error('not built yet');
  }

  /** True when some node needs executeAsync (control flow, or an op whose entry is async). */
  get needsAsync(): boolean {
    return false;
  }

  /**
   * Runs the graph synchronously. `inputs` maps Placeholder names ('x' or 'x:0') to tensors, checked
   * against each Placeholder's dtype and shape; `outputs` are node names ('y', 'y:1'). Returns new
   * tensors the caller owns, in `outputs` order; every intermediate is freed. Throws, naming the node
   * and op, when the graph needs executeAsync (as TF.js's execute does).
   */
  execute(inputs: ReadonlyMap<string, Tensor>, outputs: readonly string[], options?: ExecuteOptions): Tensor[] {
    void inputs; void outputs; void options;
    throw new Error('not built yet');
  }

  /** Runs the graph with control flow and ops that read values back. Same contract as execute. */
  async executeAsync(inputs: ReadonlyMap<string, Tensor>, outputs: readonly string[], options?: ExecuteOptions): Promise<Tensor[]> {
    void inputs; void outputs; void options;
    throw new Error('not built yet');
  }

  /** Frees the weights and folded constants. */
  dispose(): void {}
}
