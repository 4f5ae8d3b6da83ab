/**
 * Advanced activation layers (TF.js names and configs): ReLU (with maxValue), ELU, LeakyReLU,
 * PReLU (learned alpha), Softmax (axis), ThresholdedReLU.
 */
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import type { Initializer } from '../training/initializers.js';
import type { Regularizer } from '../training/regularizers.js';
import { getConstraint, serializeConstraint, type Constraint } from '../training/constraints.js';
import { Layer, type LayerArgs, type LayerVariable, type SymbolicShape } from './base.js';
import { resolveInitializer, resolveRegularizer, serializeInitializer, serializeRegularizer } from './config.js';
import { softmaxWithLogits } from './logits.js';
import { checkNumber, oneInput } from './arg-checks.js';

/** The shared frame: one input, the output shape of the input. */
abstract class ElementwiseActivation extends Layer {
  /** Marks call() as sora's own: it receives a single input as a tensor. */
  static override readonly soraCall = true;
  protected abstract activate(x: Tensor): Tensor;
  /** Applies the activation. */
  override call(inputs: Tensor | Tensor[]): Tensor { return this.activate(oneInput(inputs)); }
}

/** The config of layers.reLU. */
export interface ReLULayerArgs extends LayerArgs {
  /** The largest output (6 gives relu6); default none (no cap). */
  maxValue?: number | null;
}

/** The layer class behind layers.reLU: max(x, 0), capped at maxValue when given. */
export class ReLU extends ElementwiseActivation {
  /** 'ReLU', the class name in saved configs. */
  static override className = 'ReLU';
  /** As in TF.js, the layer passes its input mask on. */
  override supportsMasking = true;
  /** The cap, or null. */
  readonly maxValue: number | null;
  /** A ReLU layer; maxValue defaults to none. */
  constructor(args: ReLULayerArgs = {}) {
    super(args);
    const where = `reLU ${this.name}`;
    this.maxValue = args.maxValue == null ? null : checkNumber(where, 'maxValue', args.maxValue, 0, Infinity);
    // Keras's ReLU also has negative_slope and threshold; TF.js's has neither, so a file that sets them is refused.
    for (const field of ['negativeSlope', 'threshold'] as const) {
      if (args[field] != null && args[field] !== 0) {
        throw new Error(`${where}: ${field} other than 0 is not supported (use leakyReLU or thresholdedReLU). ` +
          `Received: ${field}=${JSON.stringify(args[field])}`);
      }
    }
  }
  protected activate(x: Tensor): Tensor {
    if (this.maxValue === null) return ops.relu(x);
    // relu6 (MobileNet's) in one op: the values and the gradient (0 < x <= 6) of relu then clip, one pass fewer.
    return this.maxValue === 6 ? ops.relu6(x) : ops.clipByValue(ops.relu(x), 0, this.maxValue);
  }
  /** The layer's config as TF.js saves it, with maxValue. */
  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), maxValue: this.maxValue }; }
}

/** The layer class behind layers.elu: x for x > 0, alpha * (exp(x) - 1) otherwise. */
export class ELU extends ElementwiseActivation {
  /** 'ELU', the class name in saved configs. */
  static override className = 'ELU';
  /** The scale of the negative part. */
  readonly alpha: number;
  /** An ELU layer; alpha defaults to 1. */
  constructor(args: LayerArgs & { alpha?: number } = {}) {
    super(args);
    this.alpha = checkNumber(`elu ${this.name}`, 'alpha', args.alpha ?? 1);
  }
  // TF.js refuses alpha other than 1 (NotImplementedError); sora computes it, as Keras does.
  protected activate(x: Tensor): Tensor { return this.alpha === 1 ? ops.elu(x) : ops.where(ops.greater(x, 0), x, ops.mul(ops.elu(x), this.alpha)); }
  /** The layer's config as TF.js saves it, with alpha. */
  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), alpha: this.alpha }; }
}

/** The layer class behind layers.leakyReLU: x for x > 0, alpha * x otherwise. */
export class LeakyReLU extends ElementwiseActivation {
  /** 'LeakyReLU', the class name in saved configs. */
  static override className = 'LeakyReLU';
  /** The slope of the negative part. */
  readonly alpha: number;
  /** A leaky ReLU layer; alpha defaults to 0.3 (Keras's and TF.js's). */
  constructor(args: LayerArgs & { alpha?: number } = {}) {
    super(args);
    this.alpha = checkNumber(`leakyReLU ${this.name}`, 'alpha', args.alpha ?? 0.3);
  }
  protected activate(x: Tensor): Tensor { return ops.leakyRelu(x, this.alpha); }
  /** The layer's config as TF.js saves it, with alpha. */
  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), alpha: this.alpha }; }
}

/** The layer class behind layers.thresholdedReLU: x for x > theta, 0 otherwise. */
export class ThresholdedReLU extends ElementwiseActivation {
  /** 'ThresholdedReLU', the class name in saved configs. */
  static override className = 'ThresholdedReLU';
  /** The threshold. */
  readonly theta: number;
  /** A thresholded ReLU layer; theta defaults to 1. */
  constructor(args: LayerArgs & { theta?: number } = {}) {
    super(args);
    this.theta = checkNumber(`thresholdedReLU ${this.name}`, 'theta', args.theta ?? 1, 0, Infinity);
  }
  protected activate(x: Tensor): Tensor { return ops.mul(x, ops.cast(ops.greater(x, this.theta), 'float32')); }
  /** The layer's config as TF.js saves it, with theta. */
  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), theta: this.theta }; }
}

/** The layer class behind layers.softmax: softmax along `axis`. */
export class Softmax extends ElementwiseActivation {
  /** 'Softmax', the class name in saved configs. */
  static override className = 'Softmax';
  /** The axis the probabilities sum to 1 along. */
  readonly axis: number;
  /**
   * A softmax layer; axis defaults to -1 (Keras's default; TF.js's layers.softmax defaults to 1,
   * the same axis for the usual [batch, classes] input).
   */
  constructor(args: LayerArgs & { axis?: number } = {}) {
    super(args);
    this.axis = args.axis ?? -1;
    if (!Number.isInteger(this.axis)) throw new Error(`softmax ${this.name}: axis must be an integer. Received: axis=${JSON.stringify(args.axis)}`);
  }
  protected activate(x: Tensor): Tensor {
    const axis = this.axis < 0 ? this.axis + x.rank : this.axis;
    if (axis < 0 || axis >= x.rank) throw new Error(`softmax ${this.name}: axis ${this.axis} is out of range for input of rank ${x.rank}`);
    if (axis === x.rank - 1) return softmaxWithLogits(x);
    const perm = x.shape.map((_, i) => i);
    [perm[axis], perm[x.rank - 1]] = [perm[x.rank - 1], perm[axis]];
    return ops.transpose(ops.softmax(ops.transpose(x, perm)), perm);
  }
  /** The layer's config as TF.js saves it, with axis. */
  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), axis: this.axis }; }
}

/** The config of layers.prelu (TF.js's PReLULayerArgs). */
export interface PReLULayerArgs extends LayerArgs {
  /** How alpha starts; default 'zeros'. */
  alphaInitializer?: unknown;
  /** Penalty on alpha; default none. */
  alphaRegularizer?: unknown;
  /** Constraint on alpha; default none. */
  alphaConstraint?: unknown;
  /** 1-based axes along which alpha is shared (size 1), e.g. [1, 2] for one alpha per channel of an image; default none. */
  sharedAxes?: number | number[] | null;
}

/** The layer class behind layers.prelu: x for x > 0, alpha * x otherwise, alpha learned per entry. */
export class PReLU extends ElementwiseActivation {
  /** 'PReLU', the class name in saved configs. */
  static override className = 'PReLU';
  /** As in TF.js, the layer passes its input mask on. */
  override supportsMasking = true;
  /** How alpha starts. */
  readonly alphaInitializer: Initializer;
  /** Penalty on alpha, or null. */
  readonly alphaRegularizer: Regularizer | null;
  /** Constraint on alpha, or null. */
  readonly alphaConstraint: Constraint | null;
  /** The shared axes, or null. */
  readonly sharedAxes: number[] | null;
  /** The learned slopes, once built. */
  alpha: LayerVariable | null = null;
  /** A PReLU layer (see layers.prelu for the defaults). */
  constructor(args: PReLULayerArgs = {}) {
    super(args);
    const where = `prelu ${this.name}`;
    this.alphaInitializer = resolveInitializer(where, args.alphaInitializer, 'zeros');
    this.alphaRegularizer = resolveRegularizer(where, args.alphaRegularizer);
    this.alphaConstraint = getConstraint(where, args.alphaConstraint);
    const shared = args.sharedAxes == null ? null : Array.isArray(args.sharedAxes) ? args.sharedAxes : [args.sharedAxes];
    if (shared && !shared.every((a) => Number.isInteger(a) && a >= 1)) {
      throw new Error(`${where}: sharedAxes must be positive (1-based) axis numbers. Received: sharedAxes=${JSON.stringify(args.sharedAxes)}`);
    }
    this.sharedAxes = shared;
  }
  /** Creates alpha of the example's shape, size 1 along the shared axes. */
  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = inputShape as SymbolicShape;
    const where = `prelu ${this.name}`;
    const param = shape.slice(1);
    for (const a of this.sharedAxes ?? []) {
      if (a >= shape.length) throw new Error(`${where}: sharedAxes ${JSON.stringify(this.sharedAxes)} names axis ${a} of an input of rank ${shape.length}`);
      param[a - 1] = 1;
    }
    if (!param.every((d): d is number => typeof d === 'number')) {
      throw new Error(`${where}: the input's non-shared axes must have known sizes; received shape ${JSON.stringify(shape)}`);
    }
    this.alpha = this.addWeight('alpha', param, 'float32', this.alphaInitializer, this.alphaRegularizer, true, this.alphaConstraint);
    super.build([null, ...shape.slice(1)]);
  }
  protected activate(x: Tensor): Tensor { return ops.prelu(x, this.alpha!); }
  /** The layer's config as TF.js saves it. */
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), alphaInitializer: serializeInitializer(this.alphaInitializer),
      alphaRegularizer: serializeRegularizer(this.alphaRegularizer), alphaConstraint: serializeConstraint(this.alphaConstraint),
      sharedAxes: this.sharedAxes,
    };
  }
}
