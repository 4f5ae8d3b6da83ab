/**
 * The convolutional LSTM layer as TF.js has it (tfjs-layers convolutional_recurrent.ts,
 * ConvLSTM2D): the RNN layer running a ConvLSTM2DCell (conv-recurrent-cell.ts) over
 * [batch, steps, rows, cols, channels].
 *
 * It computes what TF.js's per-step loop computes, in fewer ops: the input convolution of every
 * step is one conv2d over [batch * steps, rows, cols, channels] (bias in its epilogue), then per
 * step one 'same' conv2d of h by the recurrent kernel and the gates. Dropout in training uses
 * TF.js's four masks per call (one per gate, for the input and for h), each gate then convolved
 * apart. Everything runs in channelsLast; channelsFirst is moved there and back.
 */
import type { Tensor } from '../core/tensor.js';
import { ENGINE } from '../core/engine.js';
import * as ops from '../ops/index.js';
import { Layer, type Kwargs, type LayerVariable, type SymbolicShape } from './base.js';
import { shapeString, toList } from './graph.js';
import type { DataFormat } from './arg-checks.js';
import { channelsLast, fromChannelsLast } from './conv-args.js';
import type { Constraint } from './layer-weight.js';
import { buildInScope, RNN } from './recurrent-base.js';
import type { BaseRNNLayerArgs } from './recurrent.js';
import { ConvLSTM2DCell, type ConvLSTM2DCellArgs, type GateMasks } from './conv-recurrent-cell.js';

export { ConvLSTM2DCell, type ConvLSTM2DCellArgs };

/** The config of layers.convLstm2d (TF.js's ConvLSTM2DArgs): the cell's and the RNN flags. */
export interface ConvLSTM2DArgs extends ConvLSTM2DCellArgs, BaseRNNLayerArgs {}

/**
 * The layer class behind layers.convLstm2d (tf.layers.ConvLSTM2D): a ConvLSTM2DCell over the steps
 * of [batch, steps, rows, cols, channels]; the output [batch, rows', cols', filters] (every step's
 * with returnSequences), the states h and c of that shape with returnState.
 */
export class ConvLSTM2D extends RNN {
  /** 'ConvLSTM2D', the class name in saved configs. */
  static override className = 'ConvLSTM2D';
  declare readonly cell: ConvLSTM2DCell;
  private convStates: Tensor[] | null = null;
  private retiredStates: Tensor[] = [];
  private stateBatch: number | null = null;
  private stepShape: SymbolicShape | null = null;

  /** A convLstm2d layer; filters and kernelSize are required. */
  constructor(args: ConvLSTM2DArgs) {
    if (args?.unroll) throw new Error('ConvLSTM2D: unroll is not possible with convolutional RNNs (as TF.js)');
    if (args && Array.isArray(args.cell)) throw new Error('ConvLSTM2D: convolutional cells cannot be stacked (as TF.js)');
    super({ ...args, cell: new ConvLSTM2DCell(args) });
  }

  /** The output channels. */
  get filters(): number { return this.cell.filters; }
  /** The window [rows, cols]. */
  get kernelSize(): number[] { return this.cell.kernelSize; }
  /** Whether channels come last or first. */
  get dataFormat(): DataFormat { return this.cell.dataFormat; }

  /** [batch, steps, ...state] for a [batch, steps, rows, cols, channels] input (the layer's dataFormat). */
  private sequenceShape(shape: SymbolicShape): SymbolicShape {
    this.checkRank(shape);
    const first = this.dataFormat === 'channelsFirst';
    const [rows, cols] = this.cell.outputSpace(shape[first ? 3 : 2], shape[first ? 4 : 3]);
    const f = this.cell.filters;
    return [shape[0], shape[1], ...(first ? [f, rows, cols] : [rows, cols, f])];
  }

  private checkRank(shape: readonly unknown[]): void {
    const layout = this.dataFormat === 'channelsFirst' ? 'channels, rows, cols' : 'rows, cols, channels';
    if (shape.length !== 5) {
      throw new Error(`${this.where}: expected input of rank 5 ([batch, steps, ${layout}]); received shape ${JSON.stringify(shape)}`);
    }
    const expected = this.stepShape;
    if (expected && shape.slice(2).some((d, i) => d !== null && expected[i + 1] !== null && d !== expected[i + 1])) {
      throw new Error(`${this.where}: expected steps of shape ${shapeString(expected.slice(1))} (the layer was built for them); ` +
        `received shape ${JSON.stringify(shape)}`);
    }
  }

  /** Builds the cell for one step [batch, rows, cols, channels], its weights named under this layer. */
  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape;
    this.sequenceShape(shape); // the rank, and a window that fits, before any weight is made
    this.stepShape = [shape[0], ...shape.slice(2)];
    buildInScope(this.cell, this.name, this.stepShape);
    for (const [w, c] of this.cell.constraints as Map<LayerVariable, Constraint>) this.constraints.set(w, c);
    if (this.stateful) this.stateBatch = shape[0];
    Layer.prototype.build.call(this, inputShape);
  }

  /** Checks the sequence input and, given as more inputs (symbolic initial states), h and c against the state's shape. */
  protected override checkShapes(shapes: SymbolicShape | SymbolicShape[], received: SymbolicShape | SymbolicShape[] = shapes): void {
    const list = (Array.isArray(received[0]) ? received : [received]) as SymbolicShape[];
    const full = this.sequenceShape(list[0]);
    if (list.length === 1) return;
    if (list.length !== 3) throw new Error(`${this.where}: the cell has 2 states (h, c); received ${list.length - 1} initial state(s)`);
    const state = [full[0], ...full.slice(2)];
    list.slice(1).forEach((s, i) => {
      if (s.length !== state.length || s.some((d, k) => k > 0 && d !== null && state[k] !== null && d !== state[k])) {
        throw new Error(`${this.where}: initialState[${i}] must have shape ${shapeString(state)}; received ${shapeString(s)}`);
      }
    });
  }

  /** The checks of a call on the tensors' own shapes, before the layer is built (no weights made for a bad call). */
  override callOnTensors(inputs: Tensor | Tensor[], kwargs: Kwargs, inGraph = false): Tensor | Tensor[] {
    const [x, given, mask] = this.convCallArgs(inputs, kwargs);
    if (x?.shape) this.checkConvCall(x, given, mask);
    return Layer.prototype.callOnTensors.call(this, inputs, kwargs, inGraph);
  }

  /** The sequence, the initial states (from the list or kwargs.initialState, else null) and the mask of a call. */
  private convCallArgs(inputs: Tensor | Tensor[], kwargs: Kwargs): [Tensor, Tensor[] | null, Tensor | null] {
    const list = toList(inputs);
    if (list.length > 1 && kwargs.initialState != null) {
      throw new Error(`${this.where}: give initialState either in kwargs or after the input in a list, not both`);
    }
    const given = list.length > 1 ? list.slice(1) : kwargs.initialState != null ? toList(kwargs.initialState as Tensor | Tensor[]) : null;
    return [list[0], given, ((Array.isArray(kwargs.mask) ? kwargs.mask[0] : kwargs.mask) ?? null) as Tensor | null];
  }

  /** As TF.js: [batch, rows', cols', filters] (with steps after batch for returnSequences), then h and c with returnState. */
  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape | SymbolicShape[] {
    const full = this.sequenceShape((Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape);
    const state = [full[0], ...full.slice(2)];
    const output = this.returnSequences ? full : state;
    return this.returnState ? [output, state, state.slice()] : output;
  }

  /**
   * Runs the cell over the steps. kwargs: mask ([batch, steps]: a masked step keeps the states and
   * repeats the last output; or one per output position, see maskShape), training (dropout),
   * initialState ([h, c], each the state's shape).
   */
  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
    const [x, given, mask] = this.convCallArgs(inputs, kwargs);
    const stateShape = this.checkConvCall(x, given, mask);
    for (const t of this.retiredStates.splice(0)) t.dispose();
    const training = kwargs.training === true;
    const result = ENGINE.tidy(() => {
      const initial = given ?? (this.stateful ? this.currentConvStates(stateShape) : this.getInitialState(x));
      return this.runSequence(x, initial, mask, training);
    });
    if (this.stateful) {
      this.retiredStates.push(...(this.convStates ?? []));
      this.convStates = result.states.map((s) => ENGINE.keep(ENGINE.withoutRecording(() => ops.clone(s))));
    }
    if (this.returnState) return [result.output, ...result.states];
    // What the call does not return is freed now, so a call outside a tidy leaves only its output.
    for (const t of result.states) if (t !== result.output) t.dispose();
    return result.output;
  }

  /** Every check of a call, before anything runs; the state's shape [batch, ...] in the layer's format. */
  private checkConvCall(x: Tensor, given: Tensor[] | null, mask: Tensor | null): number[] {
    const full = this.sequenceShape(x.shape) as number[];
    const [batch, steps] = x.shape;
    if (steps === 0) throw new Error(`${this.where}: the input has no time steps; received shape [${x.shape}]`);
    const state = [batch, ...full.slice(2)];
    if (given) {
      if (given.length !== 2) throw new Error(`${this.where}: the cell has 2 states (h, c); received ${given.length} initial state(s)`);
      given.forEach((s, i) => {
        if (s.shape.join() !== state.join()) {
          throw new Error(`${this.where}: initialState[${i}] must have shape [${state}]; received [${s.shape}]`);
        }
      });
    }
    if (mask) this.maskShape(mask, state, steps);
    if (this.stateful && !given) {
      const expected = this.convStates?.[0].shape[0] ?? this.stateBatch;
      if (expected !== null && expected !== batch) {
        throw new Error(`${this.where}: the layer is stateful with batch size ${expected}; received a batch of ${batch} ` +
          '(call resetStates() or keep the batch size)');
      }
    }
    return state;
  }

  /**
   * How a mask spreads over the states (channelsLast): a step mask [batch, steps] to [batch, steps, 1, 1, 1],
   * or a mask per position [batch, steps, rows', cols'] (what masking computes for images, which TF.js then
   * applies to each position) to [batch, steps, rows', cols', 1]. Any other shape is an error.
   */
  private maskShape(mask: Tensor, state: number[], steps: number): number[] {
    const space = this.dataFormat === 'channelsFirst' ? state.slice(2) : state.slice(1, 3);
    if (mask.shape[0] === state[0] && mask.shape[1] === steps) {
      if (mask.rank === 2) return [state[0], steps, 1, 1, 1];
      if (mask.rank === 4 && mask.shape[2] === space[0] && mask.shape[3] === space[1]) return [...mask.shape, 1];
    }
    throw new Error(`${this.where}: the mask must have shape [${state[0]}, ${steps}] (one per step) or [${state[0]}, ${steps}, ` +
      `${space.join(', ')}] (one per output position); received [${mask.shape}]`);
  }

  /** The output (last or every step), and the final [h, c], in the layer's format. */
  private runSequence(x: Tensor, initial: Tensor[], mask: Tensor | null, training: boolean): { output: Tensor; states: Tensor[] } {
    const cell = this.cell, format = this.dataFormat;
    const [batch, steps] = x.shape;
    const inputMasks = cell.gateMasks([batch, ...x.shape.slice(2)], cell.dropout, training);
    const stateMasks = cell.gateMasks(initial[0].shape, cell.recurrentDropout, training);
    const toLast = (m: GateMasks): GateMasks => (m ? m.map((t) => channelsLast(t, format)) : null);
    // Every step's input convolution at once: [batch * steps, rows, cols, channels], each gate's mask over all steps.
    const xs = channelsLast(ops.reshape(x, [batch * steps, ...x.shape.slice(2)]), format);
    const xMasks = toLast(inputMasks)?.map((m) => ops.reshape(ops.tile(ops.expandDims(m, 1), [1, steps, 1, 1, 1]), xs.shape)) ?? null;
    const projected = cell.projectInput(xs, xMasks);
    const perStep = ops.unstack(ops.reshape(projected, [batch, steps, ...projected.shape.slice(1)]), 1);
    const hMasks = toLast(stateMasks);
    const stepMasks = mask ? ops.unstack(ops.reshape(ops.cast(mask, 'bool'), this.maskShape(mask, initial[0].shape, steps)), 1) : null;
    let [h, c] = initial.map((s) => channelsLast(s, format));
    const outputs: Tensor[] = [];
    for (let k = 0; k < steps; k++) {
      const t = this.goBackwards ? steps - 1 - k : k;
      // Each step in its own scope: only h and c outlive it (a gradient keeps what it needs).
      [h, c] = ENGINE.tidy(() => {
        const [hNext, cNext] = cell.stepGates(ops.add(perStep[t], cell.projectState(h, hMasks)), c);
        return stepMasks ? [ops.where(stepMasks[t], hNext, h), ops.where(stepMasks[t], cNext, c)] : [hNext, cNext];
      });
      if (this.returnSequences) outputs.push(h);
    }
    const states = [fromChannelsLast(h, format), fromChannelsLast(c, format)];
    const sequence = this.returnSequences ? ops.stack(outputs, 1) : null;
    const output = !sequence ? states[0] : format === 'channelsFirst' ? ops.transpose(sequence, [0, 1, 4, 2, 3]) : sequence;
    return { output, states };
  }

  /** TF.js's getInitialState: zeros for h and c, each of the state's shape ([batch, rows', cols', filters] in the layer's format). */
  override getInitialState(inputs: Tensor): Tensor[] {
    const full = this.sequenceShape(inputs.shape) as number[];
    const shape = [inputs.shape[0], ...full.slice(2)];
    return [ops.zeros(shape), ops.zeros(shape)];
  }

  private currentConvStates(stateShape: number[]): Tensor[] {
    if (!this.convStates) {
      this.stateBatch ??= stateShape[0];
      this.resetStates();
    }
    return this.convStates!;
  }

  /** The current states [h, c] of a stateful layer (nulls before the first call), as TF.js's `states`. */
  override get states(): (Tensor | null)[] { return this.convStates ? this.convStates.slice() : [null, null]; }
  /** TF.js's getStates(): the same as `states`. */
  override getStates(): (Tensor | null)[] { return this.states; }

  /**
   * Resets a stateful layer's states to zeros, or to `states` (h and c, each [batch, rows', cols',
   * filters] in the layer's format): TF.js's resetStates. Not stateful, or no known batch size, is an error.
   */
  override resetStates(states?: Tensor | Tensor[]): void {
    if (!this.stateful) throw new Error(`${this.where}: resetStates() needs a stateful layer (stateful: true)`);
    const batch = this.stateBatch ?? this.batchInputShape?.[0] ?? null;
    const input = this.stepShape ?? (this.batchInputShape ? [null, ...this.batchInputShape.slice(2)] : null);
    if (batch === null || !input) {
      throw new Error(`${this.where}: a stateful RNN needs to know its batch size: give the first layer batchInputShape ` +
        '(Sequential) or the input a batchShape (functional)');
    }
    const full = this.sequenceShape([batch, null, ...input.slice(1)]);
    const shape = [batch, ...full.slice(2)] as number[];
    const values = states === undefined ? null : toList(states);
    if (values) {
      if (values.length !== 2) throw new Error(`${this.where}: expects 2 state(s); received ${values.length} state value(s)`);
      values.forEach((v, i) => {
        if (v.shape.join() !== shape.join()) throw new Error(`${this.where}: state ${i} must have shape [${shape}]; received [${v.shape}]`);
      });
    }
    const old = this.convStates ?? [];
    this.convStates = [0, 1].map((i) => ENGINE.keep(values ? ops.clone(values[i]) : ops.zeros(shape)));
    for (const t of old) t.dispose();
  }

  /** Frees the cell's weights and the kept states. */
  override dispose(): ReturnType<Layer['dispose']> {
    for (const t of [...(this.convStates ?? []), ...this.retiredStates.splice(0)]) t.dispose();
    this.convStates = null;
    return super.dispose();
  }

}
