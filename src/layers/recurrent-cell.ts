/**
 * The recurrent cell base class as TF.js exports it (tf.layers.RNNCell), StackedRNNCells (several
 * cells run as one), and buildInScope, which names a cell's weights under the layer that builds it
 * ('lstm1/kernel'; a stack's 'rnn1/RNNCell_0/kernel'), as TF.js saves them.
 */
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { Layer, type Kwargs, type LayerArgs, type LayerVariable, type SymbolicShape } from './base.js';
import { checkPositiveInt } from './arg-checks.js';
import { deserializeNested } from './nested-config.js';
import type { FusedCell } from './recurrent-fused.js';
import { toList } from './graph.js';

/**
 * The base class of a recurrent cell (tf.layers.RNNCell): a layer whose call takes [x_t, ...states]
 * ([batch, features] and one [batch, size] per state) and returns [output, ...newStates], with
 * `stateSize` (one number per state; the first is the output size). Subclass it with build, call and
 * stateSize to run your own cell in layers.rnn.
 */
export abstract class RNNCell extends Layer {
  /** The size of each state, the first the output's: a number for one state, or a list. */
  abstract stateSize: number | number[];
  /** The input dropout mask of the current call (made once per call in training), or null. */
  dropoutMask: Tensor | Tensor[] | null = null;
  /** The recurrent dropout mask of the current call, or null. */
  recurrentDropoutMask: Tensor | Tensor[] | null = null;
  /** What the one-kernel path needs of a built-in cell; null (the per-step loop) for any other cell. */
  fusedForm(): FusedCell | null { return null; }
}

/** A cell's state sizes as a list. */
export const stateSizes = (cell: { stateSize: number | number[] }): number[] =>
  (Array.isArray(cell.stateSize) ? cell.stateSize.slice() : [cell.stateSize]);

/**
 * Build `layer` with its weights named under `scope` ('lstm1/kernel'), as TF.js names a cell's weights
 * by the RNN layer that builds it. Bidirectional and convLstm2d use it for their cells too.
 */
export function buildInScope(layer: Layer, scope: string, inputShape: SymbolicShape | SymbolicShape[]): void {
  if (layer.built) return;
  const own = Object.getOwnPropertyDescriptor(layer, 'name')!;
  Object.defineProperty(layer, 'name', { ...own, value: scope });
  try {
    layer.build(inputShape);
    layer.built = true;
  } finally {
    Object.defineProperty(layer, 'name', own);
  }
}

/** The config of layers.stackedRNNCells: the cells, the first fed by the input and each next by the previous output. */
export interface StackedRNNCellsArgs extends LayerArgs { cells: RNNCell[] }

/** Several cells run as one (tf.layers.stackedRNNCells): each step goes through them in turn. */
export class StackedRNNCells extends RNNCell {
  /** Marks call() as sora's own. */
  static override readonly soraCall = true;
  /** 'StackedRNNCells', the class name in saved configs. */
  static override className = 'StackedRNNCells';
  /** The cells, the first fed by the input. */
  readonly cells: RNNCell[];

  /** A stack of cells; at least one. */
  constructor(args: StackedRNNCellsArgs) {
    super(args);
    if (!Array.isArray(args.cells) || args.cells.length === 0 || !args.cells.every((c) => c instanceof Layer)) {
      throw new Error(`stackedRNNCells ${this.name}: cells must be a non-empty list of RNN cells`);
    }
    this.cells = args.cells;
  }

  /** Every cell's state sizes, the last cell's first (TF.js's order: the first state is the stack's output). */
  get stateSize(): number[] { return this.cells.slice().reverse().flatMap((c) => stateSizes(c)); }

  /** Each cell's weights in order, trainable first within each. */
  override get trainableWeights(): LayerVariable[] { return this.trainable ? this.cells.flatMap((c) => c.trainableWeights) : []; }
  /** The cells' non-trainable weights (all of them while the stack is frozen). */
  override get nonTrainableWeights(): LayerVariable[] {
    return this.trainable ? this.cells.flatMap((c) => c.nonTrainableWeights) : this.cells.flatMap((c) => c.weights);
  }
  /** The cells' weight penalties. */
  override regularizationLoss(): Tensor | null {
    const terms = this.cells.map((c) => c.regularizationLoss()).filter((t): t is Tensor => t !== null);
    return terms.length === 0 ? null : terms.reduce((a, b) => ops.add(a, b));
  }

  /** Builds each cell for the previous one's output, its weights named '<scope>/RNNCell_<i>/...'. */
  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    let shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape;
    this.cells.forEach((cell, i) => {
      buildInScope(cell, `${this.name}/RNNCell_${i}`, shape);
      for (const [w, c] of cell.constraints) this.constraints.set(w, c);
      shape = [shape[0], stateSizes(cell)[0]];
    });
    super.build(inputShape);
  }

  /** [x, ...states] -> [output, ...newStates], the states in stateSize's order. */
  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor[] {
    const list = toList(inputs);
    const rest = list.slice(1);
    // States arrive last cell first; each cell's own group in its stateSize's order.
    const groups = this.cells.slice().reverse().map((c) => rest.splice(0, stateSizes(c).length)).reverse();
    let x = list[0];
    const next: Tensor[][] = [];
    this.cells.forEach((cell, i) => {
      const out = toList(cell.call([x, ...groups[i]], kwargs));
      x = out[0];
      next.push(out.slice(1));
    });
    return [x, ...next.reverse().flat()];
  }

  /** Frees every cell's weights. */
  override dispose(): ReturnType<Layer['dispose']> {
    const result = super.dispose();
    const count = this.cells.reduce((a, c) => a + (c.isDisposed ? 0 : c.dispose().numDisposedVariables), 0);
    return { ...result, numDisposedVariables: result.numDisposedVariables + count };
  }

  /** The stack's config as TF.js saves it: each cell's {className, config}. */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), cells: this.cells.map((c) => ({ className: c.getClassName(), config: c.getConfig() })) };
  }

  /** A stack from a saved config: each cell deserialized. */
  static override fromConfig<T extends Layer>(cls: new (config: Record<string, unknown>) => T, config: Record<string, unknown>,
    customObjects: Record<string, unknown> = {}): T {
    const cells = (config.cells as unknown[] ?? []).map((c) => (c instanceof Layer ? c
      : deserializeNested(c, 'StackedRNNCells.fromConfig', customObjects)));
    return new cls({ ...config, cells });
  }
}

/** A positive integer `units`, else an error naming the layer. */
export const checkUnits = (where: string, units: unknown): number => checkPositiveInt(where, 'units', units);
