/** Core layers (TF.js names and configs): InputLayer and tf.input, Dense, Flatten, Activation, Dropout. */
import type { Tensor } from '../core/tensor.js';
import type { DType } from '../backends/backend.js';
import * as ops from '../ops/index.js';
import { dense } from '../ops/linalg/matmul.js';
import { dropout } from '../ops/dropout.js';
import { ACTIVATIONS, checkActivation, type ActivationName } from './activations.js';
import type { Initializer } from '../training/initializers.js';
import type { Regularizer } from '../training/regularizers.js';
import { getConstraint, serializeConstraint, type Constraint } from '../training/constraints.js';
import { Layer, uniqueName, type Kwargs, type LayerArgs, type LayerVariable, type SymbolicShape } from './base.js';
import { resolveInitializer, resolveRegularizer, serializeInitializer, serializeRegularizer } from './config.js';
import { softmaxWithLogits } from './logits.js';
import { Node, SymbolicTensor } from './graph.js';

function activate(name: ActivationName, x: Tensor): Tensor {
  return name === 'softmax' ? softmaxWithLogits(x) : ACTIVATIONS[name](x);
}

/**
 * The config of tf.input: `shape` (without the batch axis) or `batchShape` (with it), `batchSize` (default:
 * any), `name` (default: unique) and `dtype` (default: 'float32').
 */
export interface InputConfig { shape?: (number | null)[]; batchShape?: (number | null)[]; batchSize?: number; name?: string; dtype?: DType }

/** The source of a graph: its one node has no inputs and outputs the model input. */
export class InputLayer extends Layer {
  /** Marks call() as sora's own: it receives a single input as a tensor. */
  static override readonly soraCall = true;
  /** 'InputLayer', the class name in saved configs. */
  static override className = 'InputLayer';
  /** An input layer for inputShape or batchInputShape (or batchShape); one of them is required. */
  constructor(args: LayerArgs & { batchShape?: (number | null)[] }) {
    super({ ...args, name: args?.name ?? uniqueName('input', false), batchInputShape: args?.batchInputShape ?? args?.batchShape });
    if (!this.batchInputShape) throw new Error('inputLayer: expected inputShape or batchInputShape');
    this.built = true;
    this.builtShape = this.batchInputShape;
    const output = new SymbolicTensor(this.dtype, this.batchInputShape, this, 0, 0, this.name);
    this.inboundNodes.push(new Node(this, [], [output], true, {}));
  }
  /** Returns its input unchanged. */
  override call(x: Tensor | Tensor[]): Tensor | Tensor[] { return x; }
  /** The layer's config as TF.js saves it, with batchInputShape, dtype and sparse: false. */
  override getConfig(): Record<string, unknown> {
    return { batchInputShape: this.batchInputShape, dtype: this.dtype, sparse: false, name: this.name };
  }
}

/**
 * Creates a symbolic input (tf.input) to build a functional model from: `shape` is one example's shape
 * without the batch axis (or `batchShape` with it), `dtype` defaults to 'float32' and `name` to a unique one.
 * @example
 * ```js
 * const x = sora.input({ shape: [28, 28, 1] });
 * ```
 */
export function input(config: InputConfig): SymbolicTensor {
  if (!config || (!config.shape && !config.batchShape)) {
    throw new Error('input: expected { shape: [...] } (one example, without the batch) or { batchShape: [null, ...] }');
  }
  if (config.shape && config.batchShape) throw new Error('input: give shape or batchShape, not both');
  const batchShape = config.batchShape ?? [config.batchSize ?? null, ...config.shape!];
  const layer = new InputLayer({ batchInputShape: batchShape, name: config.name, dtype: config.dtype });
  return layer.inboundNodes[0].outputs[0];
}

/** The config of layers.dense (TF.js's DenseLayerArgs): `units` is required. */
export interface DenseArgs extends LayerArgs {
  units: number;
  /** The activation applied to the output, by name; default 'linear' (none). */
  activation?: ActivationName;
  /** Whether to add a bias vector; default true. */
  useBias?: boolean;
  /** How the kernel starts: sora.initializers.*() or a name; default 'glorotUniform'. */
  kernelInitializer?: unknown;
  /** How the bias starts; default 'zeros'. */
  biasInitializer?: unknown;
  /** A penalty on the kernel added to the loss (sora.regularizers.*()); default none. */
  kernelRegularizer?: unknown;
  /** A penalty on the bias added to the loss; default none. */
  biasRegularizer?: unknown;
  /**
   * A constraint applied to the kernel after each step: sora.constraints.*(), a name ('maxNorm', 'nonNeg',
   * ...) or a saved config; default none.
   */
  kernelConstraint?: unknown;
  /** A constraint applied to the bias after each step; default none. */
  biasConstraint?: unknown;
  /** Units of the previous layer; the same as inputShape: [inputDim]. Default none. */
  inputDim?: number;
}

/** The layer class behind layers.dense: output = activation(input · kernel + bias). */
export class Dense extends Layer {
  /** Marks call() as sora's own: it receives a single input as a tensor. */
  static override readonly soraCall = true;
  /** 'Dense', the class name in saved configs. */
  static override className = 'Dense';
  /** As in TF.js, the layer passes its input mask on. */
  override supportsMasking = true;
  /** The number of outputs per example. */
  readonly units: number;
  /** The activation applied to the output, by name. */
  readonly activation: ActivationName;
  /** Whether a bias vector is added. */
  readonly useBias: boolean;
  /** How the kernel starts. */
  readonly kernelInitializer: Initializer;
  /** How the bias starts. */
  readonly biasInitializer: Initializer;
  /** The penalty on the kernel, or null. */
  readonly kernelRegularizer: Regularizer | null;
  /** The penalty on the bias, or null. */
  readonly biasRegularizer: Regularizer | null;
  /** The constraint on the kernel, or null. */
  readonly kernelConstraint: Constraint | null;
  /** The constraint on the bias, or null. */
  readonly biasConstraint: Constraint | null;
  /** The [inputDim, units] weight matrix, once built. */
  kernel: LayerVariable | null = null;
  /** The [units] bias vector, once built (null without useBias). */
  bias: LayerVariable | null = null;

  /** A dense layer from its config (see layers.dense for the defaults). */
  constructor(args: DenseArgs) {
    if (!args || typeof args !== 'object') throw new Error('dense: expected a config object, e.g. { units: 64 }');
    super(args.inputDim !== undefined && !args.inputShape && !args.batchInputShape ? { ...args, inputShape: [args.inputDim] } : args);
    if (!Number.isInteger(args.units) || args.units <= 0) {
      throw new Error(`dense: expected a positive integer. Received: units=${JSON.stringify(args.units)}`);
    }
    const where = `dense ${this.name}`;
    this.units = args.units;
    this.activation = checkActivation(where, args.activation);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = resolveInitializer(where, args.kernelInitializer, 'glorotUniform');
    this.biasInitializer = resolveInitializer(where, args.biasInitializer, 'zeros');
    this.kernelRegularizer = resolveRegularizer(where, args.kernelRegularizer);
    this.biasRegularizer = resolveRegularizer(where, args.biasRegularizer);
    this.kernelConstraint = getConstraint(where, args.kernelConstraint);
    this.biasConstraint = getConstraint(where, args.biasConstraint);
  }

  /** Creates the kernel and bias for the input's last axis. */
  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = inputShape as SymbolicShape;
    const inDim = shape[shape.length - 1];
    if (shape.length < 2 || inDim === null || Array.isArray(inDim)) {
      throw new Error(`${this.name}: dense expects inputs of shape [batch, ..., features] with a known ` +
        `feature size; received ${JSON.stringify(inputShape)}`);
    }
    this.kernel = this.addWeight('kernel', [inDim, this.units], 'float32', this.kernelInitializer, this.kernelRegularizer,
      true, this.kernelConstraint);
    if (this.useBias) {
      this.bias = this.addWeight('bias', [this.units], 'float32', this.biasInitializer, this.biasRegularizer, true, this.biasConstraint);
    }
    super.build([null, ...shape.slice(1)]);
  }

  /** The input shape with its last axis replaced by units. */
  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return [...(inputShape as SymbolicShape).slice(0, -1), this.units];
  }

  /** Rank > 2 inputs apply to the last axis, as in Keras: [..., in] -> [..., units]. */
  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const fused = this.activation === 'relu' ? 'relu' : 'linear';
    const flat = x.rank > 2 ? ops.reshape(x, [-1, x.shape[x.rank - 1]]) : x;
    const flatOut = dense(flat, this.kernel!, this.bias, fused);
    const y = x.rank > 2 ? ops.reshape(flatOut, [...x.shape.slice(0, -1), this.units]) : flatOut;
    return fused === 'relu' ? y : activate(this.activation, y);
  }

  /**
   * The layer's config as TF.js saves it (units, activation, useBias, initializers, regularizers,
   * constraints).
   */
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), units: this.units, activation: this.activation, useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializer), biasInitializer: serializeInitializer(this.biasInitializer),
      kernelRegularizer: serializeRegularizer(this.kernelRegularizer), biasRegularizer: serializeRegularizer(this.biasRegularizer),
      activityRegularizer: null, kernelConstraint: serializeConstraint(this.kernelConstraint),
      biasConstraint: serializeConstraint(this.biasConstraint),
    };
  }
}

/** The layer class behind layers.flatten: each example flattened to one axis. */
export class Flatten extends Layer {
  /** Marks call() as sora's own: it receives a single input as a tensor. */
  static override readonly soraCall = true;
  /** 'Flatten', the class name in saved configs. */
  static override className = 'Flatten';
  /** [batch, the product of the other axes]. */
  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    const rest = shape.slice(1);
    return [shape[0], rest.some((d) => d === null) ? null : rest.reduce<number>((a, b) => a * (b as number), 1)];
  }
  /** Reshapes each example to one axis. */
  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return x.rank === 2 ? x : ops.reshape(x, [x.shape[0], -1]);
  }
}

/** The layer class behind layers.activation: an activation function applied to the input. */
export class Activation extends Layer {
  /** Marks call() as sora's own: it receives a single input as a tensor. */
  static override readonly soraCall = true;
  /** 'Activation', the class name in saved configs. */
  static override className = 'Activation';
  /** As in TF.js, the layer passes its input mask on. */
  override supportsMasking = true;
  /** The activation applied, by name. */
  readonly activation: ActivationName;
  /** An activation layer for an activation name. */
  constructor(args: LayerArgs & { activation: ActivationName }) {
    super(args);
    this.activation = checkActivation(`activation ${this.name}`, args?.activation);
  }
  /** Applies the activation. */
  override call(inputs: Tensor | Tensor[]): Tensor {
    return activate(this.activation, Array.isArray(inputs) ? inputs[0] : inputs);
  }
  /** The layer's config as TF.js saves it, with the activation's name. */
  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), activation: this.activation }; }
}

/** The layer class behind layers.dropout: a fraction `rate` of the inputs zeroed during training. */
export class Dropout extends Layer {
  /** Marks call() as sora's own: it receives a single input as a tensor. */
  static override readonly soraCall = true;
  /** 'Dropout', the class name in saved configs. */
  static override className = 'Dropout';
  /** As in TF.js, the layer passes its input mask on. */
  override supportsMasking = true;
  /** The fraction of inputs zeroed during training. */
  readonly rate: number;
  /** The seed of the dropout mask, when one was given. */
  readonly seed?: number;
  private calls = 0;
  /** A dropout layer for a rate in [0, 1); seed defaults to none (a random mask). */
  constructor(args: LayerArgs & { rate: number; seed?: number | null }) {
    super(args);
    if (!(typeof args?.rate === 'number' && args.rate >= 0 && args.rate < 1)) {
      throw new Error(`dropout: rate must be a number in [0, 1). Received: rate=${JSON.stringify(args?.rate)}`);
    }
    this.rate = args.rate;
    this.seed = args.seed ?? undefined;
  }
  /**
   * Zeroes a fraction rate of the inputs and scales the rest by 1 / (1 - rate) when kwargs.training is true;
   * passes the input through otherwise.
   */
  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!kwargs.training || this.rate === 0) return x;
    return dropout(x, this.rate, this.seed === undefined ? undefined : this.seed + this.calls++);
  }
  /** The layer's config as TF.js saves it, with rate and seed. */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, noiseShape: null, seed: this.seed ?? null };
  }
}

