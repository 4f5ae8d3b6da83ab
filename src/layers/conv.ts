/**
 * Convolution layers (TF.js names and configs): Conv1D, Conv2D, Conv3D, Conv2DTranspose and
 * Conv3DTranspose. Weights as TF.js saves them: kernel [...kernelSize, inChannels, filters]
 * ([...kernelSize, filters, inChannels] for the transposes), then bias [filters]. Conv1D and
 * Conv2D run tf.fused.conv2d, bias and activation in the kernel's epilogue where it has one.
 */
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { fused } from '../ops/conv/fused.js';
import { checkActivation, type ActivationName } from './activations.js';
import type { Initializer } from '../training/initializers.js';
import type { Regularizer } from '../training/regularizers.js';
import { getConstraint, serializeConstraint, type Constraint } from '../training/constraints.js';
import { Layer, type LayerArgs, type LayerVariable, type SymbolicShape } from './base.js';
import { resolveInitializer, resolveRegularizer, serializeInitializer, serializeRegularizer } from './config.js';
import { checkDataFormat, checkPositiveInt, checkRank, oneInput, type DataFormat } from './arg-checks.js';
import {
  activate, channelsLast, checkPadding, checkStridesWithDilation, checkTuple, deconvOutput, fromChannelsLast, windowOutput,
  type PaddingMode,
} from './conv-args.js';

/** The config shared by the convolution layers (TF.js's BaseConvLayerArgs). */
export interface BaseConvArgs extends LayerArgs {
  /** The window's size: a number (every axis) or one per spatial axis; required. */
  kernelSize: number | number[];
  /** The step between windows: a number or one per spatial axis; default 1. */
  strides?: number | number[];
  /** 'valid' (windows inside the input, the default) or 'same' (the output keeps ceil(input / stride)). */
  padding?: PaddingMode;
  /** 'channelsLast' ([batch, ...space, channels], the default) or 'channelsFirst'. */
  dataFormat?: DataFormat;
  /** The spacing of the window's taps: a number or one per spatial axis; default 1 (not with strides > 1). */
  dilationRate?: number | number[];
  /** The activation applied to the output, by name; default 'linear'. */
  activation?: ActivationName;
  /** Whether to add a bias vector; default true. */
  useBias?: boolean;
  /** How the bias starts; default 'zeros'. */
  biasInitializer?: unknown;
  /** A penalty on the bias added to the loss; default none. */
  biasRegularizer?: unknown;
  /** A constraint applied to the bias after each step; default none. */
  biasConstraint?: unknown;
}

/** The config of conv1d / conv2d / conv3d and the transposes (TF.js's ConvLayerArgs). */
export interface ConvLayerArgs extends BaseConvArgs {
  /** The number of output channels; required. */
  filters: number;
  /** How the kernel starts; default 'glorotNormal' (TF.js's; Keras's is 'glorotUniform'). */
  kernelInitializer?: unknown;
  /** A penalty on the kernel added to the loss; default none. */
  kernelRegularizer?: unknown;
  /** A constraint applied to the kernel after each step; default none. */
  kernelConstraint?: unknown;
}

/** What every convolution layer has: the window, the format, the activation and the bias. */
export abstract class BaseConv extends Layer {
  /** Marks call() as sora's own: it receives a single input as a tensor. */
  static override readonly soraCall = true;
  /** The window's size per spatial axis. */
  readonly kernelSize: number[];
  /** The step between windows per spatial axis. */
  readonly strides: number[];
  /** 'valid' or 'same'. */
  readonly padding: PaddingMode;
  /** Whether channels come last or first. */
  readonly dataFormat: DataFormat;
  /** The spacing of the window's taps per spatial axis. */
  readonly dilationRate: number[];
  /** The activation applied to the output, by name. */
  readonly activation: ActivationName;
  /** Whether a bias vector is added. */
  readonly useBias: boolean;
  /** How the bias starts. */
  readonly biasInitializer: Initializer;
  /** The penalty on the bias, or null. */
  readonly biasRegularizer: Regularizer | null;
  /** The constraint on the bias, or null. */
  readonly biasConstraint: Constraint | null;
  /** The bias vector, once built (null without useBias). */
  bias: LayerVariable | null = null;
  /** The factory's name and the layer's, for errors. */
  protected readonly where: string;

  /** The number of spatial axes (1, 2 or 3). */
  readonly rank: number;

  /** A convolution layer of `rank` spatial axes from its config. */
  constructor(rank: number, factory: string, args: BaseConvArgs) {
    if (!args || typeof args !== 'object') throw new Error(`${factory}: expected a config object, e.g. { filters: 8, kernelSize: 3 }`);
    super(args);
    this.rank = rank;
    const where = `${factory} ${this.name}`;
    this.where = where;
    if (args.kernelSize === undefined) throw new Error(`${where}: kernelSize is required`);
    this.kernelSize = checkTuple(where, 'kernelSize', args.kernelSize, rank);
    this.strides = checkTuple(where, 'strides', args.strides ?? 1, rank);
    this.padding = checkPadding(where, args.padding);
    this.dataFormat = checkDataFormat(where, args.dataFormat);
    this.dilationRate = checkTuple(where, 'dilationRate', args.dilationRate ?? 1, rank);
    checkStridesWithDilation(where, this.strides, this.dilationRate);
    this.activation = checkActivation(where, args.activation);
    this.useBias = args.useBias ?? true;
    this.biasInitializer = resolveInitializer(where, args.biasInitializer, 'zeros');
    this.biasRegularizer = resolveRegularizer(where, args.biasRegularizer);
    this.biasConstraint = getConstraint(where, args.biasConstraint);
  }

  /** The input's channel count: rank rank + 2 and a known channel axis, else an error naming the layer. */
  protected inputChannels(inputShape: SymbolicShape | SymbolicShape[]): number {
    const shape = inputShape as SymbolicShape;
    const space = this.dataFormat === 'channelsLast' ? 'space..., channels' : 'channels, space...';
    checkRank(this.where, shape, this.rank + 2, `[batch, ${space}] with ${this.rank} spatial ax${this.rank === 1 ? 'is' : 'es'}`);
    const channels = shape[this.dataFormat === 'channelsLast' ? shape.length - 1 : 1];
    if (typeof channels !== 'number') {
      throw new Error(`${this.where}: the channel axis of the input must have a known size; received shape ${JSON.stringify(shape)}`);
    }
    return channels;
  }

  /** The spatial sizes of an input shape (null where unknown). */
  protected space(shape: SymbolicShape): (number | null)[] {
    const dims = this.dataFormat === 'channelsLast' ? shape.slice(1, -1) : shape.slice(2);
    return dims.map((d) => (typeof d === 'number' ? d : null));
  }

  /** [batch, ...space, channels] in the layer's format. */
  protected shaped(batch: SymbolicShape[number], space: (number | null)[], channels: number): SymbolicShape {
    return this.dataFormat === 'channelsLast' ? [batch, ...space, channels] : [batch, channels, ...space];
  }

  /** The convolution of a channelsLast input, pre-activation unless it fused `fusedActivation`. */
  protected abstract forward(x: Tensor, fusedActivation: 'linear' | 'relu' | 'sigmoid' | null): Tensor;
  /** Whether forward() can fuse the activation. */
  protected fuses(): boolean { return false; }

  /** The convolution, bias and activation, in the layer's format. */
  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = oneInput(inputs);
    const act = this.activation;
    const fusable = this.fuses() && (act === 'linear' || act === 'relu' || act === 'sigmoid');
    const y = fromChannelsLast(this.forward(channelsLast(x, this.dataFormat), fusable ? act : null), this.dataFormat);
    return fusable ? y : activate(act, y);
  }

  /** Adds the bias to a channelsLast output. */
  protected withBias(y: Tensor): Tensor { return this.bias ? ops.add(y, this.bias) : y; }

  /** The config TF.js saves for every convolution layer. */
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), kernelSize: this.kernelSize, strides: this.strides, padding: this.padding, dataFormat: this.dataFormat,
      dilationRate: this.dilationRate, activation: this.activation, useBias: this.useBias,
      biasInitializer: serializeInitializer(this.biasInitializer), biasRegularizer: serializeRegularizer(this.biasRegularizer),
      activityRegularizer: null, biasConstraint: serializeConstraint(this.biasConstraint),
    };
  }
}

/** The convolutions with `filters` output channels and one kernel (TF.js's Conv). */
export abstract class Conv extends BaseConv {
  /** The number of output channels. */
  readonly filters: number;
  /** How the kernel starts. */
  readonly kernelInitializer: Initializer;
  /** The penalty on the kernel, or null. */
  readonly kernelRegularizer: Regularizer | null;
  /** The constraint on the kernel, or null. */
  readonly kernelConstraint: Constraint | null;
  /** The kernel, once built. */
  kernel: LayerVariable | null = null;

  /** A convolution layer from its config (filters and kernelSize required). */
  constructor(rank: number, factory: string, args: ConvLayerArgs) {
    super(rank, factory, args);
    this.filters = checkPositiveInt(this.where, 'filters', args.filters);
    this.kernelInitializer = resolveInitializer(this.where, args.kernelInitializer, 'glorotNormal');
    this.kernelRegularizer = resolveRegularizer(this.where, args.kernelRegularizer);
    this.kernelConstraint = getConstraint(this.where, args.kernelConstraint);
  }

  /** The kernel's shape for `channels` input channels. */
  protected kernelShape(channels: number): number[] { return [...this.kernelSize, channels, this.filters]; }

  /** Creates the kernel and bias for the input's channel count. */
  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const channels = this.inputChannels(inputShape);
    this.kernel = this.addWeight('kernel', this.kernelShape(channels), 'float32', this.kernelInitializer, this.kernelRegularizer,
      true, this.kernelConstraint);
    if (this.useBias) {
      this.bias = this.addWeight('bias', [this.filters], 'float32', this.biasInitializer, this.biasRegularizer, true, this.biasConstraint);
    }
    super.build(inputShape);
  }

  /** [batch, ...each spatial axis's output length, filters] in the layer's format. */
  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    const space = this.space(shape).map((d, i) =>
      windowOutput(this.where, `kernel (kernelSize ${JSON.stringify(this.kernelSize)}, dilationRate ${JSON.stringify(this.dilationRate)})`,
        d, this.kernelSize[i], this.padding, this.strides[i], this.dilationRate[i]));
    return this.shaped(shape[0], space, this.filters);
  }

  /** The config TF.js saves: the base convolution's with filters and the kernel's initializer, regularizer, constraint. */
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), filters: this.filters, kernelInitializer: serializeInitializer(this.kernelInitializer),
      kernelRegularizer: serializeRegularizer(this.kernelRegularizer), kernelConstraint: serializeConstraint(this.kernelConstraint),
    };
  }
}

/** The layer class behind layers.conv2d: 2-D convolution over [batch, rows, cols, channels]. */
export class Conv2D extends Conv {
  /** 'Conv2D', the class name in saved configs. */
  static override className = 'Conv2D';
  /** A 2-D convolution layer (see layers.conv2d for the defaults). */
  constructor(args: ConvLayerArgs) { super(2, 'conv2d', args); }
  protected override fuses(): boolean { return true; }
  protected forward(x: Tensor, act: 'linear' | 'relu' | 'sigmoid' | null): Tensor {
    return fused.conv2d({
      x, filter: this.kernel!, strides: this.strides as [number, number], pad: this.padding,
      dilations: this.dilationRate as [number, number], bias: this.bias ?? undefined, activation: act ?? 'linear',
    });
  }
}

/** The layer class behind layers.conv1d: 1-D convolution over [batch, steps, channels] (conv2d on one row). */
export class Conv1D extends Conv {
  /** 'Conv1D', the class name in saved configs. */
  static override className = 'Conv1D';
  /** A 1-D convolution layer (see layers.conv1d for the defaults). */
  constructor(args: ConvLayerArgs) { super(1, 'conv1d', args); }
  protected override fuses(): boolean { return true; }
  protected forward(x: Tensor, act: 'linear' | 'relu' | 'sigmoid' | null): Tensor {
    const [batch, steps, channels] = x.shape;
    const y = fused.conv2d({
      x: ops.reshape(x, [batch, 1, steps, channels]), filter: ops.reshape(this.kernel!, [1, ...this.kernel!.shape]),
      strides: [1, this.strides[0]], pad: this.padding, dilations: [1, this.dilationRate[0]], bias: this.bias ?? undefined,
      activation: act ?? 'linear',
    });
    return ops.reshape(y, [batch, y.shape[2], this.filters]);
  }
  /** TF.js's config, which leaves dataFormat out (kept here when it is 'channelsFirst', which TF.js's layer mishandles). */
  override getConfig(): Record<string, unknown> {
    const { dataFormat, ...config } = super.getConfig();
    return dataFormat === 'channelsLast' ? config : { ...config, dataFormat };
  }
}

/** The layer class behind layers.conv3d: 3-D convolution over [batch, depth, rows, cols, channels]. */
export class Conv3D extends Conv {
  /** 'Conv3D', the class name in saved configs. */
  static override className = 'Conv3D';
  /** A 3-D convolution layer (see layers.conv3d for the defaults). */
  constructor(args: ConvLayerArgs) { super(3, 'conv3d', args); }
  protected forward(x: Tensor): Tensor {
    return this.withBias(ops.conv3d(x, this.kernel!, this.strides as [number, number, number], this.padding, 'NDHWC',
      this.dilationRate as [number, number, number]));
  }
}

/** The transposed convolutions: kernel [...kernelSize, filters, inChannels], no dilation (as TF.js). */
abstract class ConvTranspose extends Conv {
  constructor(rank: number, factory: string, args: ConvLayerArgs) {
    super(rank, factory, args);
    if (this.dilationRate.some((d) => d !== 1)) {
      throw new Error(`${this.where}: dilationRate must be 1 (TF.js's transposed convolutions have none). ` +
        `Received: dilationRate=${JSON.stringify(args.dilationRate)}`);
    }
  }
  protected override kernelShape(channels: number): number[] { return [...this.kernelSize, this.filters, channels]; }
  /** [batch, ...each axis times its stride (plus the kernel's overhang with 'valid'), filters]. */
  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    const space = this.space(shape).map((d, i) => deconvOutput(d, this.strides[i], this.kernelSize[i], this.padding));
    return this.shaped(shape[0], space, this.filters);
  }
  /** The output shape of a concrete channelsLast input. */
  protected outputOf(x: Tensor): number[] {
    const space = x.shape.slice(1, -1).map((d, i) => deconvOutput(d, this.strides[i], this.kernelSize[i], this.padding) as number);
    return [x.shape[0], ...space, this.filters];
  }
  /** TF.js's config, without dilationRate. */
  override getConfig(): Record<string, unknown> {
    const { dilationRate: _, ...config } = super.getConfig();
    return config;
  }
}

/** The layer class behind layers.conv2dTranspose: the transposed 2-D convolution (a conv2d's input gradient run forward). */
export class Conv2DTranspose extends ConvTranspose {
  /** 'Conv2DTranspose', the class name in saved configs. */
  static override className = 'Conv2DTranspose';
  /** A transposed 2-D convolution layer (see layers.conv2dTranspose for the defaults). */
  constructor(args: ConvLayerArgs) { super(2, 'conv2dTranspose', args); }
  protected forward(x: Tensor): Tensor {
    return this.withBias(ops.conv2dTranspose(x, this.kernel!, this.outputOf(x) as [number, number, number, number],
      this.strides as [number, number], this.padding));
  }
}

/** The layer class behind layers.conv3dTranspose: the transposed 3-D convolution. */
export class Conv3DTranspose extends ConvTranspose {
  /** 'Conv3DTranspose', the class name in saved configs. */
  static override className = 'Conv3DTranspose';
  /** A transposed 3-D convolution layer (see layers.conv3dTranspose for the defaults). */
  constructor(args: ConvLayerArgs) { super(3, 'conv3dTranspose', args); }
  protected forward(x: Tensor): Tensor {
    return this.withBias(ops.conv3dTranspose(x, this.kernel!, this.outputOf(x) as [number, number, number, number, number],
      this.strides as [number, number, number], this.padding));
  }
}
