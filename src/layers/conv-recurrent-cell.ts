/**
 * The cell of the convolutional LSTM as TF.js has it (tfjs-layers convolutional_recurrent.ts,
 * ConvLSTM2DCell): an LSTM cell whose input and recurrent products are 2-D convolutions. Weights as
 * TF.js saves them: kernel [kernelRows, kernelCols, channels, 4 * filters], recurrent_kernel
 * [kernelRows, kernelCols, filters, 4 * filters], bias [4 * filters], the gates i, f, c, o along
 * the last axis. Its pieces (the input projection of many steps at once, the recurrent
 * projection, the gates, TF.js's four dropout masks per gate) are what ConvLSTM2D
 * (conv-recurrent.ts) runs over a sequence; they compute in channelsLast.
 */
import type { Tensor } from '../core/tensor.js';
import { ENGINE } from '../core/engine.js';
import * as ops from '../ops/index.js';
import { fused } from '../ops/conv/fused.js';
import { dropout as dropoutOp } from '../ops/dropout.js';
import { Layer, type Kwargs, type SymbolicShape } from './base.js';
import { shapeString, toList } from './graph.js';
import { ACTIVATIONS } from './activations.js';
import { checkDataFormat, checkPositiveInt, type DataFormat } from './arg-checks.js';
import { channelsLast, checkPadding, checkStridesWithDilation, checkTuple, fromChannelsLast, windowOutput, type PaddingMode } from './conv-args.js';
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

const active = (rate: number): boolean => rate > 0 && rate < 1;
/** One [batch, rows, cols, channels] mask per gate (i, f, c, o), or none. */
export type GateMasks = Tensor[] | null;

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

  /** TF.js's dropout masks: one per gate, each from ones of `shape` (none when the rate drops nothing or not training). */
  gateMasks(shape: number[], rate: number, training: boolean): GateMasks {
    if (!training || !active(rate)) return null;
    return [0, 1, 2, 3].map(() => ENGINE.tidy(() => {
      const ones = ops.ones(shape);
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
    if (fresh(this.dropoutMask)) this.dropoutMask = this.gateMasks(inputs[0].shape, this.dropout, training);
    if (fresh(this.recurrentDropoutMask)) this.recurrentDropoutMask = this.gateMasks(inputs[1].shape, this.recurrentDropout, training);
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
