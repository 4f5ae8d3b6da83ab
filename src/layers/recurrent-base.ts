/**
 * The recurrent layer base class as TF.js exports it (tf.layers.RNN; the cell classes are in
 * recurrent-cell.ts and re-exported here). An RNN layer runs a cell over the time axis of
 * [batch, steps, features]: a built-in cell whose activations the kernel computes goes through
 * the one recurrentSequence op per call (recurrent-fused.ts); any other cell (a user's RNNCell
 * subclass, a stack) runs the per-step loop of cell calls with TF.js's rnn() masking.
 */
import type { Tensor } from '../core/tensor.js';
import { ENGINE } from '../core/engine.js';
import * as ops from '../ops/index.js';
import { Layer, type Kwargs, type LayerArgs, type LayerVariable, type SymbolicShape } from './base.js';
import { isSymbolic, shapeString, toList, type SymbolicTensor } from './graph.js';
import type { Constraint } from './layer-weight.js';
import { deserializeNested } from './nested-config.js';
import { fusable, fusedSequence } from './recurrent-fused.js';
import { buildInScope, RNNCell, StackedRNNCells, stateSizes } from './recurrent-cell.js';

export { buildInScope, checkUnits, RNNCell, StackedRNNCells, stateSizes, type StackedRNNCellsArgs } from './recurrent-cell.js';

/** The per-step loop's result: the last output, every output (when asked), the final states. */
export interface SequenceResult { last: Tensor; sequence: Tensor | null; states: Tensor[] }

/**
 * TF.js's rnn(): `step` over the steps of x [batch, steps, features] (last to first with
 * goBackwards, the outputs then in processing order); a step whose mask is 0 keeps the states
 * and outputs the previous first state.
 */
export function stepLoop(step: (x: Tensor, states: Tensor[]) => [Tensor, Tensor[]], x: Tensor, initial: Tensor[],
  goBackwards: boolean, mask: Tensor | null, needSequence: boolean): SequenceResult {
  return ENGINE.tidy(() => {
    const inputs = ops.unstack(x, 1);
    const masks = mask ? ops.unstack(ops.expandDims(ops.cast(ops.reshape(mask, [x.shape[0], x.shape[1]]), 'bool'), -1), 1) : null;
    const order = inputs.map((_, t) => (goBackwards ? inputs.length - 1 - t : t));
    let states = initial;
    let last: Tensor | null = null;
    const outputs: Tensor[] = [];
    for (const t of order) {
      const [output, next] = step(inputs[t], states);
      if (next.length !== states.length) throw new Error(`rnn: the cell returned ${next.length} states, expected ${states.length}`);
      if (masks) {
        const m = masks[t];
        last = ops.where(m, output, states[0]);
        states = next.map((s, i) => ops.where(m, s, states[i]));
      } else {
        last = output;
        states = next;
      }
      if (needSequence) outputs.push(last);
    }
    return { last: last!, sequence: needSequence ? ops.stack(outputs, 1) : null, states };
  });
}

/** The config of layers.rnn (TF.js's RNNLayerArgs); `cell` is required. */
export interface RNNLayerArgs extends LayerArgs {
  /** The cell run at each step: an RNNCell, or a list of them (stacked, the first fed by the input). */
  cell: RNNCell | RNNCell[];
  /** Whether the output is every step's output [batch, steps, units] rather than the last [batch, units]; default false. */
  returnSequences?: boolean;
  /** Whether the final states are returned after the output ([output, ...states]); default false. */
  returnState?: boolean;
  /** Whether the steps run last to first (the sequence output then in that order); default false. */
  goBackwards?: boolean;
  /** Whether each batch's final states start the next batch (needs a fixed batch size); default false. */
  stateful?: boolean;
  /** Accepted and ignored, as TF.js ignores it; default false. */
  unroll?: boolean;
  /** The feature size, when no inputShape is given (inputShape [inputLength, inputDim]); default none. */
  inputDim?: number;
  /** The sequence length with inputDim; default none (any length). */
  inputLength?: number;
}

/**
 * TF.js's apply with an initialState of symbolic tensors: they become more inputs of the node,
 * [x, ...states], and leave the kwargs; null when initialState is not symbolic (RNN and
 * Bidirectional both apply this way).
 */
export function statesAsInputs(inputs: unknown, kwargs: Kwargs, where: string): [SymbolicTensor[], Kwargs] | null {
  const given = kwargs.initialState;
  if (given == null || !isSymbolic(given)) return null;
  if (Array.isArray(inputs)) throw new Error(`${where}: give initialState either in kwargs or after the input in a list, not both`);
  const { initialState: _, ...rest } = kwargs;
  return [[inputs as SymbolicTensor, ...toList(given)], rest];
}

/** The layer class behind layers.rnn, and the base of simpleRNN, lstm and gru (tf.layers.RNN). */
export class RNN extends Layer {
  /** Marks call() as sora's own. */
  static override readonly soraCall = true;
  /** 'RNN', the class name in saved configs. */
  static override className = 'RNN';
  /** The cell run at each step. */
  readonly cell: RNNCell;
  /** Whether every step's output is returned. */
  readonly returnSequences: boolean;
  /** Whether the final states follow the output. */
  readonly returnState: boolean;
  /** Whether the steps run last to first. */
  readonly goBackwards: boolean;
  /** Whether the final states carry over to the next call. */
  readonly stateful: boolean;
  /** Ignored (TF.js ignores it too). */
  readonly unroll: boolean;
  /** As TF.js's: the layer passes its input mask on (with returnSequences) and skips masked steps. */
  override supportsMasking = true;
  private statesValue: Tensor[] | null = null;
  private retired: Tensor[] = [];
  private statefulBatch: number | null = null;
  private inputDim: number | null = null;

  /** An RNN layer from its config (see layers.rnn). */
  constructor(args: RNNLayerArgs) {
    const withShape = args && args.inputDim !== undefined && !args.inputShape && !args.batchInputShape
      ? { ...args, inputShape: [args.inputLength ?? null, args.inputDim] } : args;
    super(withShape);
    const where = `${this.getClassName()} ${this.name}`;
    if (args.cell == null) throw new Error(`${where}: the config needs a cell (an RNNCell or a list of them)`);
    const cell = Array.isArray(args.cell) ? new StackedRNNCells({ cells: args.cell }) : args.cell;
    if (!(cell instanceof Layer) || cell.stateSize == null || stateSizes(cell).some((d) => !Number.isInteger(d) || d <= 0)) {
      throw new Error(`${where}: the cell must be a layer with a stateSize (a positive integer per state); received ` +
        `${cell instanceof Layer ? `stateSize=${JSON.stringify((cell as RNNCell).stateSize)}` : typeof cell}`);
    }
    this.cell = cell;
    this.returnSequences = args.returnSequences ?? false;
    this.returnState = args.returnState ?? false;
    this.goBackwards = args.goBackwards ?? false;
    this.stateful = args.stateful ?? false;
    this.unroll = args.unroll ?? false;
  }

  /** The name errors use: the class and the layer's name. */
  protected get where(): string { return `${this.getClassName()} ${this.name}`; }

  /** The cell's weights, trainable first (the RNN layer holds none of its own). */
  override get trainableWeights(): LayerVariable[] { return this.trainable ? this.cell.trainableWeights : []; }
  /** The cell's non-trainable weights (all of them while the layer is frozen). */
  override get nonTrainableWeights(): LayerVariable[] { return this.trainable ? this.cell.nonTrainableWeights : this.cell.weights; }
  /** The cell's weight penalties. */
  override regularizationLoss(): Tensor | null { return this.cell.regularizationLoss(); }

  /** Builds the cell for one step's input [batch, features], its weights named under this layer. */
  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape;
    this.checkInputShape(shape);
    buildInScope(this.cell, this.name, [shape[0], ...shape.slice(2)]);
    // The cell's constraints apply after each step, as if they were this layer's.
    for (const [w, c] of this.cell.constraints as Map<LayerVariable, Constraint>) this.constraints.set(w, c);
    if (this.stateful) this.statefulBatch = shape[0];
    this.inputDim = shape[2];
    super.build(inputShape);
  }

  private checkInputShape(shape: SymbolicShape): void {
    if (shape.length !== 3) {
      throw new Error(`${this.where}: expected input of rank 3 ([batch, steps, features]); received shape ${shapeString(shape)}`);
    }
    if (this.inputDim !== null && shape[2] !== null && shape[2] !== this.inputDim) {
      throw new Error(`${this.where}: expected ${this.inputDim} features per step (the layer was built for them); ` +
        `received shape ${shapeString(shape)}`);
    }
  }

  /** Checks the input's rank on the tensor's own shape before the layer is built. */
  override callOnTensors(inputs: Tensor | Tensor[], kwargs: Kwargs, inGraph = false): Tensor | Tensor[] {
    const x = toList(inputs)[0];
    if (x?.shape) this.checkCall(...this.callArgs(inputs, kwargs));
    return super.callOnTensors(inputs, kwargs, inGraph);
  }

  /** The sequence, the initial states (from the list or kwargs.initialState, else null) and the mask of a call. */
  private callArgs(inputs: Tensor | Tensor[], kwargs: Kwargs): [Tensor, Tensor[] | null, Tensor | null] {
    const list = toList(inputs);
    if (list.length > 1 && kwargs.initialState != null) {
      throw new Error(`${this.where}: give initialState either in kwargs or after the input in a list, not both`);
    }
    const given = list.length > 1 ? list.slice(1) : kwargs.initialState != null ? toList(kwargs.initialState as Tensor | Tensor[]) : null;
    const mask = (Array.isArray(kwargs.mask) ? kwargs.mask[0] : kwargs.mask) as Tensor | null | undefined;
    return [list[0], given, mask ?? null];
  }

  /** Checks the sequence input (any length) and, given as more inputs, the initial states' count and sizes. */
  protected override checkShapes(shapes: SymbolicShape | SymbolicShape[]): void {
    const list = (Array.isArray(shapes[0]) ? shapes : [shapes]) as SymbolicShape[];
    this.checkInputShape(list[0]);
    if (list.length === 1) return;
    const sizes = stateSizes(this.cell);
    if (list.length - 1 !== sizes.length) {
      throw new Error(`${this.where}: the cell has ${sizes.length} state(s) (sizes ${sizes.join(', ')}); received ` +
        `${list.length - 1} initial state(s)`);
    }
    list.slice(1).forEach((s, i) => {
      if (s.length !== 2 || (s[1] !== null && s[1] !== sizes[i])) {
        throw new Error(`${this.where}: initialState[${i}] must have shape [batch, ${sizes[i]}] (batch, units); received ${shapeString(s)}`);
      }
    });
  }

  /**
   * On symbolic tensors, an initialState given as symbolic tensors becomes more inputs of the node
   * ([x, ...states]), as TF.js's RNN.apply makes them; otherwise the layer's usual apply.
   */
  override apply(inputs: Tensor, kwargs?: Kwargs): Tensor;
  override apply(inputs: Tensor[], kwargs?: Kwargs): Tensor | Tensor[];
  override apply(inputs: SymbolicTensor, kwargs?: Kwargs): SymbolicTensor;
  override apply(inputs: SymbolicTensor[], kwargs?: Kwargs): SymbolicTensor | SymbolicTensor[];
  override apply(inputs: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[], kwargs?: Kwargs): Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[];
  override apply(inputs: unknown, kwargs: Kwargs = {}): unknown {
    const moved = statesAsInputs(inputs, kwargs, this.where);
    return moved ? super.apply(...moved) : super.apply(inputs as Tensor, kwargs);
  }

  /** [batch, units] (the last output) or [batch, steps, units]; then one [batch, size] per state with returnState. */
  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape | SymbolicShape[] {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape;
    const sizes = stateSizes(this.cell);
    const output = this.returnSequences ? [shape[0], shape[1], sizes[0]] : [shape[0], sizes[0]];
    return this.returnState ? [output, ...sizes.map((d) => [shape[0], d])] : output;
  }

  /** The input mask with returnSequences (else null), and null for each state with returnState. */
  override computeMask(_inputs: Tensor | Tensor[], mask?: Tensor | Tensor[] | null): Tensor | Tensor[] | null {
    const m = (Array.isArray(mask) ? mask[0] : mask) ?? null;
    const output = this.returnSequences ? m : null;
    return this.returnState ? [output, ...stateSizes(this.cell).map(() => null)] as Tensor[] : output;
  }

  /**
   * Runs the cell over the steps. kwargs: mask ([batch, steps], from the previous layer), training
   * (dropout), initialState (a tensor or list, one [batch, size] per state). Shapes are checked
   * before anything runs.
   */
  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
    const [x, given, mask] = this.callArgs(inputs, kwargs);
    this.checkCall(x, given, mask);
    for (const t of this.retired.splice(0)) t.dispose();
    const training = kwargs.training === true;
    const result = ENGINE.tidy(() => {
      const initial = given ?? (this.stateful ? this.currentStates(x.shape[0]) : this.getInitialState(x));
      return this.runCell(x, initial, mask, training);
    });
    if (this.stateful) this.keepStates(result.states);
    const output = this.returnSequences ? result.sequence! : result.last;
    const returned = this.returnState ? [output, ...result.states] : [output];
    // What the call does not return is freed here (a gradient keeps its own hold on what it needs).
    for (const t of new Set([result.last, result.sequence, ...result.states])) if (t && !returned.includes(t)) t.dispose();
    return this.returnState ? returned : output;
  }

  /** The sequence through the one-kernel op when the cell has a fused form, else the per-step loop. */
  protected runCell(x: Tensor, initial: Tensor[], mask: Tensor | null, training: boolean): SequenceResult {
    // Each call draws its own dropout masks (Keras resets them per call; TF.js's layers.rnn keeps its
    // cell's first ones). They live in the call's scope, which frees them once no gradient needs them.
    const clearMasks = () => { this.cell.dropoutMask = null; this.cell.recurrentDropoutMask = null; };
    clearMasks();
    try {
      const fused = this.cell.fusedForm();
      if (fused && fusable(fused)) return fusedSequence(fused, x, initial, mask, training, this.goBackwards, this.returnSequences);
      const step = (input: Tensor, states: Tensor[]): [Tensor, Tensor[]] => {
        const out = toList(this.cell.call([input, ...states], { training }));
        return [out[0], out.slice(1)];
      };
      return stepLoop(step, x, initial, this.goBackwards, mask, this.returnSequences);
    } finally {
      clearMasks();
    }
  }

  private checkCall(x: Tensor, given: Tensor[] | null, mask: Tensor | null): void {
    this.checkInputShape(x.shape);
    const [batch, steps] = x.shape;
    if (steps === 0) throw new Error(`${this.where}: the input has no time steps; received shape [${x.shape}]`);
    const sizes = stateSizes(this.cell);
    if (given) {
      if (given.length !== sizes.length) {
        throw new Error(`${this.where}: the cell has ${sizes.length} state(s) (sizes ${sizes.join(', ')}); received ` +
          `${given.length} initial state(s)`);
      }
      given.forEach((s, i) => {
        if (s.rank !== 2 || s.shape[0] !== batch || s.shape[1] !== sizes[i]) {
          throw new Error(`${this.where}: initialState[${i}] must have shape [${batch}, ${sizes[i]}] (batch, units); ` +
            `received [${s.shape}]`);
        }
      });
    }
    if (mask && !(mask.shape.length >= 2 && mask.shape[0] === batch && mask.shape[1] === steps && mask.size === batch * steps)) {
      throw new Error(`${this.where}: the mask must have shape [${batch}, ${steps}] (batch, steps); received [${mask.shape}]`);
    }
    if (this.stateful && !given) {
      const expected = this.statesValue?.[0].shape[0] ?? this.statefulBatch;
      if (expected !== null && expected !== batch) {
        throw new Error(`${this.where}: the layer is stateful with batch size ${expected}; received a batch of ${batch} ` +
          '(call resetStates() or keep the batch size)');
      }
    }
  }

  /** TF.js's getInitialState: zeros, one [batch, size] per state, for the sequence `inputs` [batch, steps, features]. */
  getInitialState(inputs: Tensor): Tensor[] { return stateSizes(this.cell).map((d) => ops.zeros([inputs.shape[0], d])); }

  private currentStates(batch: number): Tensor[] {
    if (!this.statesValue) {
      this.statefulBatch ??= batch;
      this.resetStates();
    }
    return this.statesValue!;
  }

  /** Keeps copies of the final states for the next call; the old ones are freed at the next call (a gradient may still read them). */
  private keepStates(states: Tensor[]): void {
    if (this.statesValue) this.retired.push(...this.statesValue);
    this.statesValue = states.map((s) => ENGINE.keep(ENGINE.withoutRecording(() => ops.clone(s))));
  }

  /** The current states of a stateful layer (null entries before the first call), as TF.js's `states`. */
  get states(): (Tensor | null)[] { return this.statesValue ? this.statesValue.slice() : stateSizes(this.cell).map(() => null); }
  /** TF.js's getStates(): the same as `states`. */
  getStates(): (Tensor | null)[] { return this.states; }
  /** TF.js's setStates(states): sets a stateful layer's states, as resetStates(states) does. */
  setStates(states: Tensor[]): void { this.resetStates(states); }

  /**
   * Resets a stateful layer's states to zeros, or to `states` ([batch, size] each): TF.js's
   * resetStates. A layer that is not stateful, or whose batch size is unknown, is an error.
   */
  resetStates(states?: Tensor | Tensor[]): void {
    if (!this.stateful) throw new Error(`${this.where}: resetStates() needs a stateful layer (stateful: true)`);
    const batch = this.statefulBatch ?? this.batchInputShape?.[0] ?? null;
    if (batch === null) {
      throw new Error(`${this.where}: a stateful RNN needs to know its batch size: give the first layer batchInputShape ` +
        '(Sequential) or the input a batchShape (functional)');
    }
    const sizes = stateSizes(this.cell);
    const values = states === undefined ? null : toList(states);
    if (values) {
      if (values.length !== sizes.length) {
        throw new Error(`${this.where}: expects ${sizes.length} state(s); received ${values.length} state value(s)`);
      }
      values.forEach((v, i) => {
        if (v.shape.join() !== `${batch},${sizes[i]}`) {
          throw new Error(`${this.where}: state ${i} must have shape [${batch}, ${sizes[i]}]; received [${v.shape}]`);
        }
      });
    }
    const old = this.statesValue ?? [];
    this.statesValue = sizes.map((d, i) => ENGINE.keep(values ? ops.clone(values[i]) : ops.zeros([batch, d])));
    for (const t of old) t.dispose();
  }

  /** Frees the cell's weights and the kept states. */
  override dispose(): ReturnType<Layer['dispose']> {
    const result = super.dispose();
    for (const t of [...(this.statesValue ?? []), ...this.retired.splice(0)]) t.dispose();
    this.statesValue = null;
    const cell = this.cell.isDisposed ? { numDisposedVariables: 0 } : this.cell.dispose();
    return { ...result, numDisposedVariables: result.numDisposedVariables + cell.numDisposedVariables };
  }

  /** The layer's config as TF.js saves it: the cell's fields, the RNN's flags, and (for layers.rnn) the cell itself. */
  override getConfig(): Record<string, unknown> {
    const cellConfig = this.cell.getConfig();
    const config: Record<string, unknown> = {
      returnSequences: this.returnSequences, returnState: this.returnState, goBackwards: this.goBackwards,
      stateful: this.stateful, unroll: this.unroll,
    };
    if (this.getClassName() === 'RNN') config.cell = { className: this.cell.getClassName(), config: cellConfig };
    return { ...cellConfig, ...super.getConfig(), ...config };
  }

  /** layers.rnn from a saved config: the cell is deserialized first. */
  static override fromConfig<T extends Layer>(cls: new (config: Record<string, unknown>) => T, config: Record<string, unknown>,
    customObjects: Record<string, unknown> = {}): T {
    const cell = config.cell;
    if (cell && typeof cell === 'object' && !(cell instanceof Layer)) {
      return new cls({ ...config, cell: deserializeNested(cell, 'RNN.fromConfig', customObjects) });
    }
    return new cls(config);
  }
}
