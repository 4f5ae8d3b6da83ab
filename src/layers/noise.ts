/**
 * Noise layers (TF.js names and configs), active only in training (fit), the identity at
 * inference: GaussianNoise, GaussianDropout, AlphaDropout, SpatialDropout1D.
 */
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { dropout } from '../ops/dropout.js';
import { Layer, type Kwargs, type LayerArgs, type SymbolicShape } from './base.js';
import { checkNumber, checkRank, oneInput } from './arg-checks.js';

/** The shared frame: the noise is drawn only when kwargs.training is true. */
abstract class TrainingNoise extends Layer {
  /** Marks call() as sora's own: it receives a single input as a tensor. */
  static override readonly soraCall = true;
  /** As in TF.js, every noise layer passes its input mask on. */
  override supportsMasking = true;
  protected abstract noisy(x: Tensor): Tensor;
  /** The noisy input in training, the input itself otherwise. */
  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
    const x = oneInput(inputs);
    return kwargs.training ? this.noisy(x) : x;
  }
}

/** The layer class behind layers.gaussianNoise: adds N(0, stddev²) noise in training. */
export class GaussianNoise extends TrainingNoise {
  /** 'GaussianNoise', the class name in saved configs. */
  static override className = 'GaussianNoise';
  /** The noise's standard deviation. */
  readonly stddev: number;
  /** A Gaussian noise layer; stddev is required. */
  constructor(args: LayerArgs & { stddev: number }) {
    super(args);
    this.stddev = checkNumber(`gaussianNoise ${this.name}`, 'stddev', args?.stddev, 0);
  }
  protected noisy(x: Tensor): Tensor { return ops.add(x, ops.randomNormal(x.shape, 0, this.stddev)); }
  /** The layer's config as TF.js saves it, with stddev. */
  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), stddev: this.stddev }; }
}

/** The layer class behind layers.gaussianDropout: multiplies by N(1, rate / (1 - rate)) noise in training. */
export class GaussianDropout extends TrainingNoise {
  /** 'GaussianDropout', the class name in saved configs. */
  static override className = 'GaussianDropout';
  /** The drop probability the noise stands for. */
  readonly rate: number;
  /** A Gaussian dropout layer; rate in [0, 1) is required. */
  constructor(args: LayerArgs & { rate: number }) {
    super(args);
    this.rate = checkNumber(`gaussianDropout ${this.name}`, 'rate', args?.rate, 0, 1);
  }
  protected noisy(x: Tensor): Tensor {
    if (this.rate === 0) return x;
    return ops.mul(x, ops.randomNormal(x.shape, 1, Math.sqrt(this.rate / (1 - this.rate))));
  }
  /** The layer's config as TF.js saves it, with rate. */
  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), rate: this.rate }; }
}

// SELU's constants: alpha * scale is the value SELU saturates to for very negative inputs.
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/**
 * The layer class behind layers.alphaDropout: in training, sets a fraction `rate` of the inputs to
 * SELU's saturation value and rescales so that the mean and variance stay those of the input.
 */
export class AlphaDropout extends TrainingNoise {
  /** 'AlphaDropout', the class name in saved configs. */
  static override className = 'AlphaDropout';
  /** The fraction of inputs dropped. */
  readonly rate: number;
  /** The shape of the drop mask (null entries take the input's size), or null for the input's shape. */
  readonly noiseShape: (number | null)[] | null;
  /** An alpha dropout layer; rate in [0, 1) is required, noiseShape defaults to the input's shape. */
  constructor(args: LayerArgs & { rate: number; noiseShape?: (number | null)[] | null }) {
    super(args);
    const where = `alphaDropout ${this.name}`;
    this.rate = checkNumber(where, 'rate', args?.rate, 0, 1);
    const shape = args.noiseShape ?? null;
    if (shape !== null && (!Array.isArray(shape) || !shape.every((d) => d === null || (Number.isInteger(d) && d > 0)))) {
      throw new Error(`${where}: noiseShape must be an array of positive integers or nulls. Received: noiseShape=${JSON.stringify(shape)}`);
    }
    this.noiseShape = shape;
  }
  protected noisy(x: Tensor): Tensor {
    if (this.rate === 0) return x;
    const shape = this.noiseShape ? this.noiseShape.map((d, i) => d ?? x.shape[i]) : x.shape;
    const dropped = -SELU_ALPHA * SELU_SCALE;
    const kept = ops.cast(ops.greaterEqual(ops.randomUniform(shape), this.rate), 'float32');
    const a = ((1 - this.rate) * (1 + this.rate * dropped ** 2)) ** -0.5;
    const b = -a * dropped * this.rate;
    // Keras: x * kept + alphaP * (1 - kept). TF.js writes (kept - 1) * alphaP, the dropped value with its sign
    // flipped, so its outputs drift from mean 0 (pinned in tests/models/layers-16-families.test.ts).
    const mixed = ops.add(ops.mul(x, kept), ops.mul(ops.sub(1, kept), dropped));
    return ops.add(ops.mul(mixed, a), b);
  }
  /** The layer's config as TF.js saves it, with rate and noiseShape. */
  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), rate: this.rate, noiseShape: this.noiseShape }; }
}

/** The layer class behind layers.spatialDropout1d: drops whole channels of [batch, steps, channels] in training. */
export class SpatialDropout1D extends TrainingNoise {
  /** 'SpatialDropout1D', the class name in saved configs. */
  static override className = 'SpatialDropout1D';
  /** The fraction of channels dropped. */
  readonly rate: number;
  /** The seed of the mask, when one was given. */
  readonly seed: number | null;
  private calls = 0;
  /** A spatial dropout layer; rate in [0, 1) is required, seed defaults to none. */
  constructor(args: LayerArgs & { rate: number; seed?: number | null }) {
    super(args);
    this.rate = checkNumber(`spatialDropout1d ${this.name}`, 'rate', args?.rate, 0, 1);
    this.seed = args.seed ?? null;
  }
  /** Checks the input is [batch, steps, channels]. */
  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    checkRank(`spatialDropout1d ${this.name}`, inputShape as SymbolicShape, 3, '[batch, steps, channels]');
    super.build(inputShape);
  }
  protected noisy(x: Tensor): Tensor {
    if (this.rate === 0) return x;
    return dropout(x, this.rate, [x.shape[0], 1, x.shape[2]], this.seed === null ? undefined : this.seed + this.calls++);
  }
  /** The layer's config as TF.js saves it, with rate and seed. */
  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), rate: this.rate, noiseShape: null, seed: this.seed }; }
}
