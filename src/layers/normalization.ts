/**
 * Normalization layers (TF.js names and configs): BatchNormalization and LayerNormalization,
 * composed from moments / sub / mul / rsqrt; batch norm's inference over the last axis is one
 * depthwise pass (affineLastAxis).
 */
import { ENGINE } from '../core/engine.js';
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import type { Initializer } from '../training/initializers.js';
import type { Regularizer } from '../training/regularizers.js';
import { getConstraint, serializeConstraint, type Constraint } from '../training/constraints.js';
import { Layer, type Kwargs, type LayerArgs, type LayerVariable, type SymbolicShape } from './base.js';
import { resolveInitializer, resolveRegularizer, serializeInitializer, serializeRegularizer } from './config.js';
import { checkNumber, oneInput } from './arg-checks.js';
import { depthwiseGeometry, depthwiseOp } from '../ops/conv/depthwise.js';
import { LINEAR } from '../ops/conv/epilogue.js';

/** The config of layers.batchNormalization (TF.js's BatchNormalizationLayerArgs). */
export interface BatchNormalizationArgs extends LayerArgs {
  /** The features axis, normalized per entry; default -1. */
  axis?: number;
  /** The moving statistics' momentum: moving = moving * momentum + batch * (1 - momentum); default 0.99. */
  momentum?: number;
  /** Added to the variance before the square root; default 1e-3. */
  epsilon?: number;
  /** Whether to add the learned offset beta; default true. */
  center?: boolean;
  /** Whether to multiply by the learned scale gamma; default true. */
  scale?: boolean;
  /** How beta starts; default 'zeros'. */
  betaInitializer?: unknown;
  /** How gamma starts; default 'ones'. */
  gammaInitializer?: unknown;
  /** How the moving mean starts; default 'zeros'. */
  movingMeanInitializer?: unknown;
  /** How the moving variance starts; default 'ones'. */
  movingVarianceInitializer?: unknown;
  /** Penalty on beta; default none. */
  betaRegularizer?: unknown;
  /** Penalty on gamma; default none. */
  gammaRegularizer?: unknown;
  /** Constraint on beta; default none. */
  betaConstraint?: unknown;
  /** Constraint on gamma; default none. */
  gammaConstraint?: unknown;
}

const serialized = (i: Initializer) => serializeInitializer(i);

/** The axis `axis` of a rank-`rank` input, negative counting from the end; an error naming the layer when out of range. */
function resolveAxis(where: string, axis: number, rank: number): number {
  const resolved = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || resolved < 1 || resolved >= rank) {
    throw new Error(`${where}: axis ${axis} is out of range for inputs of rank ${rank} (the batch axis 0 cannot be normalized)`);
  }
  return resolved;
}

/**
 * The layer class behind layers.batchNormalization: in training (fit) the batch's mean and
 * variance normalize it and move the moving statistics; at inference the moving statistics do.
 */
export class BatchNormalization extends Layer {
  /** Marks call() as sora's own: it receives a single input as a tensor. */
  static override readonly soraCall = true;
  /** 'BatchNormalization', the class name in saved configs. */
  static override className = 'BatchNormalization';
  /** As in TF.js, the layer passes its input mask on. */
  override supportsMasking = true;
  /** The features axis as configured (may be negative). */
  readonly axis: number;
  /** The moving statistics' momentum. */
  readonly momentum: number;
  /** Added to the variance before the square root. */
  readonly epsilon: number;
  /** Whether beta is added. */
  readonly center: boolean;
  /** Whether gamma multiplies. */
  readonly scale: boolean;
  private readonly inits: Record<'beta' | 'gamma' | 'movingMean' | 'movingVariance', Initializer>;
  private readonly regs: Record<'beta' | 'gamma', Regularizer | null>;
  private readonly cons: Record<'beta' | 'gamma', Constraint | null>;
  /** The learned scale, once built (null without scale). */
  gamma: LayerVariable | null = null;
  /** The learned offset, once built (null without center). */
  beta: LayerVariable | null = null;
  /** The moving mean (not trained; moved by fit). */
  movingMean: LayerVariable | null = null;
  /** The moving variance (not trained; moved by fit). */
  movingVariance: LayerVariable | null = null;

  /** A batch normalization layer from its config (see layers.batchNormalization for the defaults). */
  constructor(args: BatchNormalizationArgs = {}) {
    super(args);
    const where = `batchNormalization ${this.name}`;
    this.axis = args.axis ?? -1;
    if (!Number.isInteger(this.axis)) throw new Error(`${where}: axis must be an integer. Received: axis=${JSON.stringify(args.axis)}`);
    this.momentum = checkNumber(where, 'momentum', args.momentum ?? 0.99, 0, 1, true);
    this.epsilon = checkNumber(where, 'epsilon', args.epsilon ?? 1e-3, 0);
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.inits = {
      beta: resolveInitializer(where, args.betaInitializer, 'zeros'),
      gamma: resolveInitializer(where, args.gammaInitializer, 'ones'),
      movingMean: resolveInitializer(where, args.movingMeanInitializer, 'zeros'),
      movingVariance: resolveInitializer(where, args.movingVarianceInitializer, 'ones'),
    };
    this.regs = { beta: resolveRegularizer(where, args.betaRegularizer), gamma: resolveRegularizer(where, args.gammaRegularizer) };
    this.cons = { beta: getConstraint(where, args.betaConstraint), gamma: getConstraint(where, args.gammaConstraint) };
  }

  /** Creates gamma, beta, movingMean and movingVariance (TF.js's order) of the features axis's size. */
  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = inputShape as SymbolicShape;
    const axis = resolveAxis(`batchNormalization ${this.name}`, this.axis, shape.length);
    const dim = shape[axis];
    if (typeof dim !== 'number') {
      throw new Error(`batchNormalization ${this.name}: axis ${this.axis} of the input must have a known size; received shape ${JSON.stringify(shape)}`);
    }
    if (this.scale) this.gamma = this.addWeight('gamma', [dim], 'float32', this.inits.gamma, this.regs.gamma, true, this.cons.gamma);
    if (this.center) this.beta = this.addWeight('beta', [dim], 'float32', this.inits.beta, this.regs.beta, true, this.cons.beta);
    this.movingMean = this.addWeight('moving_mean', [dim], 'float32', this.inits.movingMean, null, false);
    this.movingVariance = this.addWeight('moving_variance', [dim], 'float32', this.inits.movingVariance, null, false);
    super.build(shape.map((d, i) => (i === axis ? d : null)));
  }

  /**
   * Normalizes with the batch statistics in training (moving the moving ones), else with the moving ones. A
   * frozen layer (trainable false) normalizes with the moving ones in training too, as Keras does since TF 2,
   * so that fine-tuning a model around it leaves its statistics alone; TF.js's layer still uses and moves the
   * batch statistics (pinned in tests/models/layers-16.test.ts).
   */
  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
    const x = oneInput(inputs);
    const axis = resolveAxis(`batchNormalization ${this.name}`, this.axis, x.rank);
    const reduce = x.shape.map((_, i) => i).filter((i) => i !== axis);
    const broadcast = x.shape.map((d, i) => (i === axis ? d : 1));
    const shaped = (v: Tensor) => ops.reshape(v, broadcast);
    const normalize = (mean: Tensor, variance: Tensor) => {
      let y = ops.mul(ops.sub(x, mean), ops.rsqrt(ops.add(variance, this.epsilon)));
      if (this.gamma) y = ops.mul(y, shaped(this.gamma));
      return this.beta ? ops.add(y, shaped(this.beta)) : y;
    };
    if (!kwargs.training || !this.trainable) {
      const folded = axis === x.rank - 1 && x.dtype === 'float32' && x.size > 0;
      return folded ? this.affineLastAxis(x) : normalize(shaped(this.movingMean!), shaped(this.movingVariance!));
    }
    const { mean, variance } = ops.moments(x, reduce, true);
    const out = normalize(mean, variance);
    // TF.js moves the statistics as it computes the batch's: moving -= (moving - batch) * (1 - momentum).
    ENGINE.tidy(() => {
      for (const [moving, batch] of [[this.movingMean!, mean], [this.movingVariance!, variance]] as const) {
        moving.assign(ops.sub(moving, ops.mul(ops.sub(moving, ops.reshape(batch, moving.shape)), 1 - this.momentum)));
      }
    });
    return out;
  }

  /**
   * Inference over the last axis in one pass over x: y = x * s + t with s = gamma / sqrt(movingVariance + epsilon)
   * and t = beta - movingMean * s (per channel, C values), run as a 1x1 depthwise convolution with bias t of x
   * viewed as one row of pixels [1, 1, size / C, C]. The four passes of (x - mean) * rsqrt * gamma + beta
   * were 40% of MobileNetV2's predict on wasm. Folding rounds differently: the error is within a few ulp of
   * |x * s| + |mean * s| instead of |(x - mean) * s|, as in every engine that folds batch norm.
   */
  private affineLastAxis(x: Tensor): Tensor {
    const channels = x.shape[x.rank - 1];
    let s = ops.rsqrt(ops.add(this.movingVariance!, this.epsilon));
    if (this.gamma) s = ops.mul(s, this.gamma);
    const meanScaled = ops.mul(this.movingMean!, s);
    const t = this.beta ? ops.sub(this.beta, meanScaled) : ops.neg(meanScaled);
    const pixels = ops.reshape(x, [1, 1, x.size / channels, channels]), filter = ops.reshape(s, [1, 1, channels, 1]);
    const g = depthwiseGeometry({ op: 'batchNormalization', x: pixels, filter, strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1 });
    return ops.reshape(depthwiseOp(pixels, filter, t, g, LINEAR), x.shape);
  }

  /** The layer's config as TF.js saves it. */
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), axis: this.axis, momentum: this.momentum, epsilon: this.epsilon, center: this.center, scale: this.scale,
      betaInitializer: serialized(this.inits.beta), gammaInitializer: serialized(this.inits.gamma),
      movingMeanInitializer: serialized(this.inits.movingMean), movingVarianceInitializer: serialized(this.inits.movingVariance),
      betaRegularizer: serializeRegularizer(this.regs.beta), gammaRegularizer: serializeRegularizer(this.regs.gamma),
      betaConstraint: serializeConstraint(this.cons.beta), gammaConstraint: serializeConstraint(this.cons.gamma),
    };
  }
}

/** The config of layers.layerNormalization (TF.js's LayerNormalizationLayerArgs). */
export interface LayerNormalizationArgs extends LayerArgs {
  /** The axis or axes normalized over (per example); default -1. */
  axis?: number | number[];
  /** Added to the variance before the square root; default 1e-3. */
  epsilon?: number;
  /** Whether to add the learned offset beta; default true. */
  center?: boolean;
  /** Whether to multiply by the learned scale gamma; default true. */
  scale?: boolean;
  /** How beta starts; default 'zeros'. */
  betaInitializer?: unknown;
  /** How gamma starts; default 'ones'. */
  gammaInitializer?: unknown;
  /** Penalty on beta; default none. */
  betaRegularizer?: unknown;
  /** Penalty on gamma; default none. */
  gammaRegularizer?: unknown;
}

/** The layer class behind layers.layerNormalization: each example normalized over `axis`, then scaled and offset. */
export class LayerNormalization extends Layer {
  /** Marks call() as sora's own: it receives a single input as a tensor. */
  static override readonly soraCall = true;
  /** 'LayerNormalization', the class name in saved configs. */
  static override className = 'LayerNormalization';
  /** The axis or axes as configured. */
  readonly axis: number | number[];
  /** Added to the variance before the square root. */
  readonly epsilon: number;
  /** Whether beta is added. */
  readonly center: boolean;
  /** Whether gamma multiplies. */
  readonly scale: boolean;
  private readonly inits: Record<'beta' | 'gamma', Initializer>;
  private readonly regs: Record<'beta' | 'gamma', Regularizer | null>;
  /** The learned scale, once built (null without scale). */
  gamma: LayerVariable | null = null;
  /** The learned offset, once built (null without center). */
  beta: LayerVariable | null = null;

  /** A layer normalization layer from its config (see layers.layerNormalization for the defaults). */
  constructor(args: LayerNormalizationArgs = {}) {
    super(args);
    const where = `layerNormalization ${this.name}`;
    this.axis = args.axis ?? -1;
    const axes = Array.isArray(this.axis) ? this.axis : [this.axis];
    if (axes.length === 0 || !axes.every(Number.isInteger)) {
      throw new Error(`${where}: axis must be an integer or a non-empty array of integers. Received: axis=${JSON.stringify(args.axis)}`);
    }
    this.epsilon = checkNumber(where, 'epsilon', args.epsilon ?? 1e-3, 0);
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.inits = { beta: resolveInitializer(where, args.betaInitializer, 'zeros'), gamma: resolveInitializer(where, args.gammaInitializer, 'ones') };
    this.regs = { beta: resolveRegularizer(where, args.betaRegularizer), gamma: resolveRegularizer(where, args.gammaRegularizer) };
    this.supportsMasking = true;
  }

  private axes(rank: number): number[] {
    const axes = (Array.isArray(this.axis) ? this.axis : [this.axis]).map((a) => resolveAxis(`layerNormalization ${this.name}`, a, rank));
    if (new Set(axes).size !== axes.length) throw new Error(`layerNormalization ${this.name}: axis ${JSON.stringify(this.axis)} repeats an axis`);
    return axes.sort((a, b) => a - b);
  }

  /** Creates gamma and beta (TF.js's order) of the normalized axes' sizes. */
  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = inputShape as SymbolicShape;
    const axes = this.axes(shape.length);
    const paramShape = axes.map((a) => shape[a]);
    if (!paramShape.every((d): d is number => typeof d === 'number')) {
      throw new Error(`layerNormalization ${this.name}: the normalized axes must have known sizes; received shape ${JSON.stringify(shape)}`);
    }
    if (this.scale) this.gamma = this.addWeight('gamma', paramShape, 'float32', this.inits.gamma, this.regs.gamma, true);
    if (this.center) this.beta = this.addWeight('beta', paramShape, 'float32', this.inits.beta, this.regs.beta, true);
    super.build(shape.map((d, i) => (axes.includes(i) ? d : null)));
  }

  /** (x - mean) / sqrt(variance + epsilon) * gamma + beta, the statistics taken over `axis` per example. */
  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = oneInput(inputs);
    const axes = this.axes(x.rank);
    const broadcast = x.shape.map((d, i) => (axes.includes(i) ? d : 1));
    const { mean, variance } = ops.moments(x, axes, true);
    let y = ops.mul(ops.sub(x, mean), ops.rsqrt(ops.add(variance, this.epsilon)));
    if (this.gamma) y = ops.mul(y, ops.reshape(this.gamma, broadcast));
    return this.beta ? ops.add(y, ops.reshape(this.beta, broadcast)) : y;
  }

  /** The layer's config as TF.js saves it. */
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), axis: this.axis, epsilon: this.epsilon, center: this.center, scale: this.scale,
      betaInitializer: serialized(this.inits.beta), gammaInitializer: serialized(this.inits.gamma),
      betaRegularizer: serializeRegularizer(this.regs.beta), gammaRegularizer: serializeRegularizer(this.regs.gamma),
    };
  }
}
