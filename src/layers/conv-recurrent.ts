/**
 * The convolutional LSTM as TF.js has it (tfjs-layers convolutional_recurrent.ts): ConvLSTM2DCell,
 * an LSTM cell whose input and recurrent products are 2-D convolutions, and ConvLSTM2D, the RNN
 * layer running it over [batch, steps, rows, cols, channels]. Weights as TF.js saves them:
 * kernel [kernelRows, kernelCols, channels, 4 * filters], recurrent_kernel [kernelRows,
 * kernelCols, filters, 4 * filters], bias [4 * filters], the gates i, f, c, o along the last axis.
 *
 * The layer computes what TF.js's per-step loop computes, in fewer ops: the input convolution of
 * every step is one conv2d over [batch * steps, rows, cols, channels] (bias in its epilogue),
 * then per step one 'same' conv2d of h by the recurrent kernel and the gates. Dropout in
 * training uses TF.js's four masks per call (one per gate, for the input and for h), each gate
 * then convolved apart. Both paths run in channelsLast; channelsFirst is moved there and back.
 */
import type { Tensor } from '../core/tensor.js';
import { ENGINE } from '../core/engine.js';
import * as ops from '../ops/index.js';
import { fused } from '../ops/conv/fused.js';
import { dropout as dropoutOp } from '../ops/dropout.js';
import { Layer, type Kwargs, type LayerVariable, type SymbolicShape } from './base.js';
import { shapeString } from './graph.js';
import { ACTIVATIONS } from './activations.js';
import { checkDataFormat, checkPositiveInt, type DataFormat } from './arg-checks.js';
import { channelsLast, checkPadding, checkStridesWithDilation, checkTuple, fromChannelsLast, windowOutput, type PaddingMode } from './conv-args.js';
import type { Constraint } from './layer-weight.js';
import { buildInScope, RNN } from './recurrent-base.js';
import type { BaseRNNLayerArgs } from './recurrent.js';
import { LSTMCell, type LSTMCellLayerArgs } from './recurrent-cells.js';
import type { FusedCell } from './recurrent-fused.js';

/** The config of layers.convLstm2dCell (TF.js's ConvLSTM2DCellArgs): an LSTM cell's, filters in place of units. */
export interface ConvLSTM2DCellArgs extends Omit<LSTMCellLayerArgs, 'units'> {
  /** The number of output channels (the state's channels); required. */
  filters: number;
  /** The convolution window: a number (both axes) or [rows, cols]; required. */
  kernelSize: number | number[];
  /** The input convolution's step: a number or [rows, cols]; default 1 (the recurrent one always steps 1). */
  strides?: number | number[];
  /** The input convolution's padding, 'valid' (the default) or 'same' (the recurrent one is always 'same'). */
  padding?: PaddingMode;
  /** 'channelsLast' ([..., rows, cols, channels], the default) or 'channelsFirst'. */
  dataFormat?: DataFormat;
  /** The input convolution's dilation: a number or [rows, cols]; default 1 (not with strides > 1). */
  dilationRate?: number | number[];
  /** TF.js's test hook: makes each dropout mask from ones and the rate, in place of tf.dropout; default none. */
  dropoutFunc?: (ones: Tensor, rate: number) => Tensor;
}

/** The config of layers.convLstm2d (TF.js's ConvLSTM2DArgs): the cell's and the RNN flags. */
export interface ConvLSTM2DArgs extends ConvLSTM2DCellArgs, BaseRNNLayerArgs {}

const toList = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);
const active = (rate: number): boolean => rate > 0 && rate < 1;
/** One [batch, rows, cols, channels] mask per gate (i, f, c, o), or none. */
type GateMasks = Tensor[] | null;

/** An LSTM cell over images (tf.layers.ConvLSTM2DCell): one step of [x, h, c], each [batch, rows, cols, channels]. */
export class ConvLSTM2DCell extends LSTMCell {
  /** 'ConvLSTM2DCell', the class name in saved configs. */
  static override className = 'ConvLSTM2DCell';
  /** The output channels. */
  readonly filters: number;
  /** The window [rows, cols]. */
  readonly kernelSize: number[];
  /** The input convolution's step [rows, cols]. */
  readonly strides: number[];
  /** The input convolution's padding. */
  readonly padding: PaddingMode;
  /** Whether channels come last or first. */
  readonly dataFormat: DataFormat;
  /** The input convolution's dilation [rows, cols]. */
  readonly dilationRate: number[];
  private readonly dropoutFunc: ((ones: Tensor, rate: number) => Tensor) | null;

  /** A ConvLSTM2D cell; filters and kernelSize are required. */
  constructor(args: ConvLSTM2DCellArgs) {
    if (!args || typeof args !== 'object') throw new Error('convLstm2dCell: expected a config object, e.g. { filters: 8, kernelSize: 3 }');
    const factory = `ConvLSTM2DCell${typeof args.name === 'string' ? ` ${args.name}` : ''}`;
    const filters = checkPositiveInt(factory, 'filters', args.filters);
    if (args.kernelSize === undefined) throw new Error(`${factory}: kernelSize is required`);
    super({ ...args, units: filters });
    const where = `ConvLSTM2DCell ${this.name}`;
    this.filters = filters;
    this.kernelSize = checkTuple(where, 'kernelSize', args.kernelSize, 2);
    this.strides = checkTuple(where, 'strides', args.strides ?? 1, 2);
    this.padding = checkPadding(where, args.padding);
    this.dataFormat = checkDataFormat(where, args.dataFormat);
    this.dilationRate = checkTuple(where, 'dilationRate', args.dilationRate ?? 1, 2);
    checkStridesWithDilation(where, this.strides, this.dilationRate);
    if (args.dropoutFunc != null && typeof args.dropoutFunc !== 'function') {
      throw new Error(`${where}: dropoutFunc must be a function (ones, rate) => mask. Received: dropoutFunc=${typeof args.dropoutFunc}`);
    }
    this.dropoutFunc = args.dropoutFunc ?? null;
  }

  /** The output [rows, cols] of the input convolution for input [rows, cols] (null: unknown). */
  outputSpace(rows: number | null, cols: number | null): [number | null, number | null] {
    const where = `ConvLSTM2DCell ${this.name}`;
    return [windowOutput(where, 'kernel', rows, this.kernelSize[0], this.padding, this.strides[0], this.dilationRate[0]),
      windowOutput(where, 'kernel', cols, this.kernelSize[1], this.padding, this.strides[1], this.dilationRate[1])];
  }

  /** Makes kernel, recurrent_kernel and bias for one step's input [batch, rows, cols, channels] (channelsLast). */
  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape;
    const channels = shape[this.dataFormat === 'channelsFirst' ? 1 : shape.length - 1];
    if (shape.length !== 4 || typeof channels !== 'number') {
      throw new Error(`ConvLSTM2DCell ${this.name}: expected a step input of rank 4 with a known channel axis; received ` +
        `${shapeString(shape)}`);
    }
    const [rows, cols] = this.kernelSize, width = 4 * this.filters;
    this.kernel = this.addWeight('kernel', [rows, cols, channels, width], 'float32', this.kernelInitializer, this.kernelRegularizer,
      true, this.kernelConstraint);
    this.recurrentKernel = this.addWeight('recurrent_kernel', [rows, cols, this.filters, width], 'float32', this.recurrentInitializer,
      this.recurrentRegularizer, true, this.recurrentConstraint);
    if (this.useBias) {
      const { shape: biasShape, init } = this.biasSpec();
      this.bias = this.addWeight('bias', biasShape, 'float32', init, this.biasRegularizer, true, this.biasConstraint);
    }
    Layer.prototype.build.call(this, inputShape);
  }

  /** None: the one-kernel recurrent op multiplies matrices, and this cell convolves. */
  override fusedForm(): FusedCell | null { return null; }

  /** TF.js's masks: `count` per call, each from ones shaped like `like` (or none when inactive or not training). */
  gateMasks(like: Tensor, rate: number, training: boolean): GateMasks {
    if (!training || !active(rate)) return null;
    return [0, 1, 2, 3].map(() => ENGINE.tidy(() => {
      const ones = ops.onesLike(like);
      return this.dropoutFunc ? this.dropoutFunc(ones, rate) : dropoutOp(ones, rate);
    }));
  }

  /**
   * The input convolution of x ([n, rows, cols, channels], channelsLast) with the bias: [n, rows', cols',
   * 4 * filters]. With masks (each broadcasting against x), each gate's input is masked and convolved apart.
   */
  projectInput(x: Tensor, masks: GateMasks): Tensor {
    const conv = (input: Tensor, filter: Tensor, bias: Tensor | undefined) => fused.conv2d({
      x: input, filter, strides: this.strides as [number, number], pad: this.padding,
      dilations: this.dilationRate as [number, number], bias,
    });
    if (!masks) return conv(x, this.kernel!, this.bias ?? undefined);
    const kernels = ops.split(this.kernel!, 4, 3);
    const biases = this.bias ? ops.split(this.bias, 4, 0) : [undefined, undefined, undefined, undefined];
    return ops.concat(masks.map((m, g) => conv(ops.mul(x, m), kernels[g], biases[g])), 3);
  }

  /** The recurrent convolution of h ([batch, rows', cols', filters]): stride 1, 'same'; per gate with masks. */
  projectState(h: Tensor, masks: GateMasks): Tensor {
    if (!masks) return ops.conv2d(h, this.recurrentKernel!, 1, 'same');
    const kernels = ops.split(this.recurrentKernel!, 4, 3);
    return ops.concat(masks.map((m, g) => ops.conv2d(ops.mul(h, m), kernels[g], 1, 'same')), 3);
  }

  /** The gates from z (input plus recurrent projections) and c: [newH, newC], channelsLast. */
  stepGates(z: Tensor, c: Tensor): [Tensor, Tensor] {
    const [zi, zf, zc, zo] = ops.split(z, 4, 3);
    const s = ACTIVATIONS[this.recurrentActivation], a = ACTIVATIONS[this.activation];
    const cNext = ops.add(ops.mul(s(zf), c), ops.mul(s(zi), a(zc)));
    return [ops.mul(s(zo), a(cNext)), cNext];
  }

  /** One step: [x, h, c] (the layer's dataFormat) -> [h, h, c]; dropout masks are made once and kept while training. */
  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor[] {
    const where = `ConvLSTM2DCell ${this.name}`;
    if (!Array.isArray(inputs) || inputs.length !== 3) {
      throw new Error(`${where}: expects 3 input tensors ([x, h, c]); received ${Array.isArray(inputs) ? inputs.length : 'one tensor'}`);
    }
    const training = kwargs.training === true;
    const fresh = (m: Tensor | Tensor[] | null) => m === null || toList(m).some((t) => t.isDisposed);
    if (fresh(this.dropoutMask)) this.dropoutMask = this.gateMasks(inputs[0], this.dropout, training);
    if (fresh(this.recurrentDropoutMask)) this.recurrentDropoutMask = this.gateMasks(inputs[1], this.recurrentDropout, training);
    const format = this.dataFormat;
    const [x, h, c] = inputs.map((t) => channelsLast(t, format));
    const last = (m: Tensor | Tensor[] | null): GateMasks => (m ? toList(m).map((t) => channelsLast(t, format)) : null);
    const z = ops.add(this.projectInput(x, last(this.dropoutMask)), this.projectState(h, last(this.recurrentDropoutMask)));
    const [hNext, cNext] = this.stepGates(z, c);
    const out = fromChannelsLast(hNext, format);
    return [out, out, fromChannelsLast(cNext, format)];
  }

  /** The cell's config as TF.js saves it: the LSTM cell's fields without units, and the convolution's. */
  override getConfig(): Record<string, unknown> {
    const { units: _, ...config } = super.getConfig();
    return {
      ...config, filters: this.filters, kernelSize: this.kernelSize, padding: this.padding, dataFormat: this.dataFormat,
      dilationRate: this.dilationRate, strides: this.strides,
    };
  }
}

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
    this.checkRank(shape);
    this.stepShape = [shape[0], ...shape.slice(2)];
    buildInScope(this.cell, this.name, this.stepShape);
    for (const [w, c] of this.cell.constraints as Map<LayerVariable, Constraint>) this.constraints.set(w, c);
    if (this.stateful) this.stateBatch = shape[0];
    Layer.prototype.build.call(this, inputShape);
  }

  /** Checks the sequence input only (initial states are checked by call). */
  protected override checkShapes(shapes: SymbolicShape | SymbolicShape[]): void {
    this.checkRank((Array.isArray(shapes[0]) ? shapes[0] : shapes) as SymbolicShape);
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
   * repeats the last output), training (dropout), initialState ([h, c], each the state's shape).
   */
  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor | Tensor[] {
    const list = toList(inputs);
    const x = list[0];
    if (list.length > 1 && kwargs.initialState != null) {
      throw new Error(`${this.where}: give initialState either in kwargs or after the input in a list, not both`);
    }
    const given = list.length > 1 ? list.slice(1) : kwargs.initialState != null ? toList(kwargs.initialState as Tensor | Tensor[]) : null;
    const mask = ((Array.isArray(kwargs.mask) ? kwargs.mask[0] : kwargs.mask) ?? null) as Tensor | null;
    const stateShape = this.checkConvCall(x, given, mask);
    for (const t of this.retiredStates.splice(0)) t.dispose();
    const training = kwargs.training === true;
    const result = ENGINE.tidy(() => {
      const initial = given ?? (this.stateful ? this.currentConvStates(stateShape) : [ops.zeros(stateShape), ops.zeros(stateShape)]);
      return this.runSequence(x, initial, mask, training);
    });
    if (this.stateful) {
      this.retiredStates.push(...(this.convStates ?? []));
      this.convStates = result.states.map((s) => ENGINE.keep(ENGINE.withoutRecording(() => ops.clone(s))));
    }
    return this.returnState ? [result.output, ...result.states] : result.output;
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
    if (mask && !(mask.rank >= 2 && mask.shape[0] === batch && mask.shape[1] === steps && mask.size === batch * steps)) {
      throw new Error(`${this.where}: the mask must have shape [${batch}, ${steps}] (batch, steps); received [${mask.shape}]`);
    }
    if (this.stateful && !given) {
      const expected = this.convStates?.[0].shape[0] ?? this.stateBatch;
      if (expected !== null && expected !== batch) {
        throw new Error(`${this.where}: the layer is stateful with batch size ${expected}; received a batch of ${batch} ` +
          '(call resetStates() or keep the batch size)');
      }
    }
    return state;
  }

  /** The output (last or every step), and the final [h, c], in the layer's format. */
  private runSequence(x: Tensor, initial: Tensor[], mask: Tensor | null, training: boolean): { output: Tensor; states: Tensor[] } {
    const cell = this.cell, format = this.dataFormat;
    const [batch, steps] = x.shape;
    const inputMasks = cell.gateMasks(ops.zeros([batch, ...x.shape.slice(2)]), cell.dropout, training);
    const stateMasks = cell.gateMasks(initial[0], cell.recurrentDropout, training);
    const toLast = (m: GateMasks): GateMasks => (m ? m.map((t) => channelsLast(t, format)) : null);
    // Every step's input convolution at once: [batch * steps, rows, cols, channels], each gate's mask over all steps.
    const xs = channelsLast(ops.reshape(x, [batch * steps, ...x.shape.slice(2)]), format);
    const xMasks = toLast(inputMasks)?.map((m) => ops.reshape(ops.tile(ops.expandDims(m, 1), [1, steps, 1, 1, 1]), xs.shape)) ?? null;
    const projected = cell.projectInput(xs, xMasks);
    const perStep = ops.unstack(ops.reshape(projected, [batch, steps, ...projected.shape.slice(1)]), 1);
    const hMasks = toLast(stateMasks);
    const stepMasks = mask ? ops.unstack(ops.reshape(ops.cast(mask, 'bool'), [batch, steps, 1, 1, 1]), 1) : null;
    let [h, c] = initial.map((s) => channelsLast(s, format));
    const outputs: Tensor[] = [];
    for (let k = 0; k < steps; k++) {
      const t = this.goBackwards ? steps - 1 - k : k;
      const [hNext, cNext] = cell.stepGates(ops.add(perStep[t], cell.projectState(h, hMasks)), c);
      if (stepMasks) {
        h = ops.where(stepMasks[t], hNext, h);
        c = ops.where(stepMasks[t], cNext, c);
      } else {
        h = hNext;
        c = cNext;
      }
      if (this.returnSequences) outputs.push(h);
    }
    const states = [fromChannelsLast(h, format), fromChannelsLast(c, format)];
    const sequence = this.returnSequences ? ops.stack(outputs, 1) : null;
    const output = !sequence ? states[0] : format === 'channelsFirst' ? ops.transpose(sequence, [0, 1, 4, 2, 3]) : sequence;
    return { output, states };
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
