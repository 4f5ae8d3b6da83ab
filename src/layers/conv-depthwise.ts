/**
 * The depthwise convolution layers (TF.js names and configs): DepthwiseConv2D (weights
 * depthwise_kernel [kh, kw, inChannels, depthMultiplier], bias) on tf.fused.depthwiseConv2d, and
 * SeparableConv2D (depthwise_kernel, pointwise_kernel [1, 1, inChannels * depthMultiplier,
 * filters], bias) on tf.separableConv2d.
 */
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { fused } from '../ops/conv/fused.js';
import type { Initializer } from '../training/initializers.js';
import type { Regularizer } from '../training/regularizers.js';
import { getConstraint, serializeConstraint, type Constraint } from '../training/constraints.js';
import type { LayerVariable, SymbolicShape } from './base.js';
import { resolveInitializer, resolveRegularizer, serializeInitializer, serializeRegularizer } from './config.js';
import { checkPositiveInt } from './arg-checks.js';
import { windowOutput } from './conv-args.js';
import { BaseConv, type BaseConvArgs } from './conv.js';

/** The config of layers.depthwiseConv2d (TF.js's DepthwiseConv2DLayerArgs). */
export interface DepthwiseConv2DArgs extends BaseConvArgs {
  /** Output channels per input channel; default 1. */
  depthMultiplier?: number;
  /** How the depthwise kernel starts; default 'glorotNormal' (TF.js's). */
  depthwiseInitializer?: unknown;
  /** A penalty on the depthwise kernel; default none. */
  depthwiseRegularizer?: unknown;
  /** A constraint on the depthwise kernel; default none. */
  depthwiseConstraint?: unknown;
}

/** The config of layers.separableConv2d (TF.js's SeparableConvLayerArgs). */
export interface SeparableConv2DArgs extends DepthwiseConv2DArgs {
  /** The number of output channels; required. */
  filters: number;
  /** How the pointwise kernel starts; default 'glorotUniform'. */
  pointwiseInitializer?: unknown;
  /** A penalty on the pointwise kernel; default none. */
  pointwiseRegularizer?: unknown;
  /** A constraint on the pointwise kernel; default none. */
  pointwiseConstraint?: unknown;
}

/** The depthwise part both layers share. */
abstract class DepthwiseBase extends BaseConv {
  /** Output channels per input channel. */
  readonly depthMultiplier: number;
  /** How the depthwise kernel starts. */
  readonly depthwiseInitializer: Initializer;
  /** The penalty on the depthwise kernel, or null. */
  readonly depthwiseRegularizer: Regularizer | null;
  /** The constraint on the depthwise kernel, or null. */
  readonly depthwiseConstraint: Constraint | null;
  /** The depthwise kernel [kh, kw, inChannels, depthMultiplier], once built. */
  depthwiseKernel: LayerVariable | null = null;

  constructor(factory: string, args: DepthwiseConv2DArgs, depthwiseDefault: string) {
    super(2, factory, args);
    this.depthMultiplier = checkPositiveInt(this.where, 'depthMultiplier', args.depthMultiplier ?? 1);
    this.depthwiseInitializer = resolveInitializer(this.where, args.depthwiseInitializer, depthwiseDefault);
    this.depthwiseRegularizer = resolveRegularizer(this.where, args.depthwiseRegularizer);
    this.depthwiseConstraint = getConstraint(this.where, args.depthwiseConstraint);
  }
  /** The output channels for `channels` input channels. */
  protected abstract outChannels(channels: number): number;
  /** Creates the depthwise kernel. */
  protected buildDepthwise(channels: number): void {
    this.depthwiseKernel = this.addWeight('depthwise_kernel', [...this.kernelSize, channels, this.depthMultiplier], 'float32',
      this.depthwiseInitializer, this.depthwiseRegularizer, true, this.depthwiseConstraint);
  }
  /** Creates the bias of `units`. */
  protected buildBias(units: number): void {
    if (this.useBias) this.bias = this.addWeight('bias', [units], 'float32', this.biasInitializer, this.biasRegularizer, true, this.biasConstraint);
  }
  /** [batch, ...output rows and cols, output channels] in the layer's format. */
  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    const channels = this.inputChannels(shape);
    const space = this.space(shape).map((d, i) =>
      windowOutput(this.where, `kernel (kernelSize ${JSON.stringify(this.kernelSize)}, dilationRate ${JSON.stringify(this.dilationRate)})`,
        d, this.kernelSize[i], this.padding, this.strides[i], this.dilationRate[i]));
    return this.shaped(shape[0], space, this.outChannels(channels));
  }
  /** The base convolution's config with depthMultiplier and the depthwise kernel's initializer, regularizer, constraint. */
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), depthMultiplier: this.depthMultiplier, depthwiseInitializer: serializeInitializer(this.depthwiseInitializer),
      depthwiseRegularizer: serializeRegularizer(this.depthwiseRegularizer), depthwiseConstraint: serializeConstraint(this.depthwiseConstraint),
    };
  }
}

/** The layer class behind layers.depthwiseConv2d: each input channel convolved with its own depthMultiplier filters. */
export class DepthwiseConv2D extends DepthwiseBase {
  /** 'DepthwiseConv2D', the class name in saved configs. */
  static override className = 'DepthwiseConv2D';
  /** A depthwise convolution layer (see layers.depthwiseConv2d for the defaults). */
  constructor(args: DepthwiseConv2DArgs) { super('depthwiseConv2d', args, 'glorotNormal'); }
  protected outChannels(channels: number): number { return channels * this.depthMultiplier; }
  /** Creates depthwise_kernel and bias [inChannels * depthMultiplier]. */
  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const channels = this.inputChannels(inputShape);
    this.buildDepthwise(channels);
    this.buildBias(channels * this.depthMultiplier);
    super.build(inputShape);
  }
  protected override fuses(): boolean { return true; }
  protected forward(x: Tensor, act: 'linear' | 'relu' | 'sigmoid' | null): Tensor {
    return fused.depthwiseConv2d({
      x, filter: this.depthwiseKernel!, strides: this.strides as [number, number], pad: this.padding,
      dilations: this.dilationRate as [number, number], bias: this.bias ?? undefined, activation: act ?? 'linear',
    });
  }
}

/** The layer class behind layers.separableConv2d: a depthwise convolution, then a 1x1 convolution to `filters` channels. */
export class SeparableConv2D extends DepthwiseBase {
  /** 'SeparableConv2D', the class name in saved configs. */
  static override className = 'SeparableConv2D';
  /** The number of output channels. */
  readonly filters: number;
  /** How the pointwise kernel starts. */
  readonly pointwiseInitializer: Initializer;
  /** The penalty on the pointwise kernel, or null. */
  readonly pointwiseRegularizer: Regularizer | null;
  /** The constraint on the pointwise kernel, or null. */
  readonly pointwiseConstraint: Constraint | null;
  /** The pointwise kernel [1, 1, inChannels * depthMultiplier, filters], once built. */
  pointwiseKernel: LayerVariable | null = null;

  /**
   * A separable convolution layer (see layers.separableConv2d for the defaults). The pointwise kernel starts
   * from pointwiseInitializer; TF.js's reads depthwiseInitializer for it.
   */
  constructor(args: SeparableConv2DArgs) {
    super('separableConv2d', args, 'glorotUniform');
    this.filters = checkPositiveInt(this.where, 'filters', args.filters);
    this.pointwiseInitializer = resolveInitializer(this.where, args.pointwiseInitializer, 'glorotUniform');
    this.pointwiseRegularizer = resolveRegularizer(this.where, args.pointwiseRegularizer);
    this.pointwiseConstraint = getConstraint(this.where, args.pointwiseConstraint);
  }
  protected outChannels(): number { return this.filters; }
  /** Creates depthwise_kernel, pointwise_kernel and bias [filters], in TF.js's order. */
  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const channels = this.inputChannels(inputShape);
    this.buildDepthwise(channels);
    this.pointwiseKernel = this.addWeight('pointwise_kernel', [1, 1, channels * this.depthMultiplier, this.filters], 'float32',
      this.pointwiseInitializer, this.pointwiseRegularizer, true, this.pointwiseConstraint);
    this.buildBias(this.filters);
    super.build(inputShape);
  }
  protected forward(x: Tensor): Tensor {
    return this.withBias(ops.separableConv2d(x, this.depthwiseKernel!, this.pointwiseKernel!, this.strides as [number, number],
      this.padding, this.dilationRate as [number, number]));
  }
  /** TF.js's config: filters and the pointwise kernel's settings, no kernel* fields. */
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), filters: this.filters, pointwiseInitializer: serializeInitializer(this.pointwiseInitializer),
      pointwiseRegularizer: serializeRegularizer(this.pointwiseRegularizer), pointwiseConstraint: serializeConstraint(this.pointwiseConstraint),
    };
  }
}
