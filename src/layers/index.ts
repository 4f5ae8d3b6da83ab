/**
 * Layers (TF.js names and config objects). build() creates weights from the input shape;
 * call() only combines ops. Shapes here exclude nothing: a layer's input shape is
 * [batch, ...] with null for the batch.
 */
import { ENGINE } from '../engine.js';
import type { Tensor, Variable } from '../tensor.js';
import * as ops from '../ops/index.js';
import { dense } from '../ops/linalg.js';
import { dropout } from '../ops/nn.js';
import { ACTIVATIONS, checkActivation, type ActivationName } from '../activations.js';
import { getInitializer, initializerFromConfig, type Initializer, type InitializerIdentifier } from '../initializers.js';
import { getRegularizer, regularizerFromConfig, type Regularizer } from '../regularizers.js';

export type SymbolicShape = (number | null)[];

export interface LayerArgs {
  name?: string;
  trainable?: boolean;
  /** Shape of one example (without the batch), on the first layer. */
  inputShape?: number[];
  batchInputShape?: (number | null)[];
  batchSize?: number;
  dtype?: 'float32';
}

const uidCounts = new Map<string, number>();
function uniqueName(className: string): string {
  const count = (uidCounts.get(className) ?? 0) + 1;
  uidCounts.set(className, count);
  const snake = className.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  return `${snake}_${className}${count}`;
}

export interface CallOptions {
  training: boolean;
  /** Return the pre-softmax logits (the model fuses softmax into the loss). */
  logits?: boolean;
}

export abstract class Layer {
  abstract readonly className: string;
  readonly name: string;
  trainable: boolean;
  batchInputShape: SymbolicShape | null;
  built = false;
  inputShape: SymbolicShape | null = null;
  protected readonly weightList: Variable[] = [];

  constructor(args: LayerArgs, className: string) {
    this.name = args.name ?? uniqueName(className);
    this.trainable = args.trainable ?? true;
    if (args.batchInputShape) this.batchInputShape = args.batchInputShape.slice();
    else if (args.inputShape) {
      if (!Array.isArray(args.inputShape) || args.inputShape.some((d) => !Number.isInteger(d) || d <= 0)) {
        throw new Error(`${className}: inputShape must be an array of positive integers; received ${JSON.stringify(args.inputShape)}`);
      }
      this.batchInputShape = [args.batchSize ?? null, ...args.inputShape];
    } else this.batchInputShape = null;
  }

  get weights(): Variable[] { return this.weightList; }
  get trainableWeights(): Variable[] { return this.trainable ? this.weightList.filter((w) => w.trainable) : []; }

  /** Create weights for an input of this shape; idempotent. */
  build(inputShape: SymbolicShape): void {
    this.inputShape = inputShape.slice();
    this.built = true;
  }

  abstract computeOutputShape(inputShape: SymbolicShape): SymbolicShape;
  abstract call(x: Tensor, options: CallOptions): Tensor;

  /** Check an input against the built shape, naming this layer on mismatch. */
  checkInput(x: Tensor): void {
    const expected = this.inputShape;
    if (!expected) return;
    const ok = x.rank === expected.length && expected.every((d, i) => d === null || d === x.shape[i]);
    if (!ok) {
      throw new Error(`${this.name}: expected input of shape [${expected.map((d) => d ?? 'null')}], ` +
        `received [${x.shape}]`);
    }
  }

  apply(x: Tensor, options: CallOptions = { training: false }): Tensor {
    if (!this.built) this.build([null, ...x.shape.slice(1)]);
    this.checkInput(x);
    return this.call(x, options);
  }

  /** Regularization penalty of this layer's weights, or null. */
  regularizationLoss(): Tensor | null { return null; }

  countParams(): number { return this.weightList.reduce((acc, w) => acc + w.size, 0); }

  /** Keras-style config (snake_case keys), as TF.js writes it into model.json. */
  getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { name: this.name, trainable: this.trainable, dtype: 'float32' };
    if (this.batchInputShape) config.batch_input_shape = this.batchInputShape;
    return config;
  }

  /** Weight names as saved: '<layer>/<weight>'. */
  addWeight(name: string, initial: Tensor, trainable = true): Variable {
    const v = ENGINE.makeVariable(initial, `${this.name}/${name}`, trainable);
    initial.dispose();
    this.weightList.push(v);
    return v;
  }

  dispose(): void {
    for (const w of this.weightList) w.dispose();
    this.weightList.length = 0;
    this.built = false;
  }
}

export interface DenseArgs extends LayerArgs {
  units: number;
  activation?: ActivationName;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: string | Regularizer;
  biasRegularizer?: string | Regularizer;
  /** Units of the previous layer; the same as inputShape: [inputDim]. */
  inputDim?: number;
}

export class Dense extends Layer {
  readonly className = 'Dense';
  readonly units: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  private readonly kernelInitializer: Initializer;
  private readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  kernel: Variable | null = null;
  bias: Variable | null = null;

  constructor(args: DenseArgs) {
    if (!args || typeof args !== 'object') throw new Error('dense: expected a config object, e.g. { units: 64 }');
    const withInput = args.inputDim !== undefined && !args.inputShape ? { ...args, inputShape: [args.inputDim] } : args;
    super(withInput, 'Dense');
    if (!Number.isInteger(args.units) || args.units <= 0) {
      throw new Error(`dense: expected a positive integer. Received: units=${JSON.stringify(args.units)}`);
    }
    this.units = args.units;
    this.activation = checkActivation(`dense ${this.name}`, args.activation);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = getInitializer(`dense ${this.name}`, args.kernelInitializer, 'glorotUniform');
    this.biasInitializer = getInitializer(`dense ${this.name}`, args.biasInitializer, 'zeros');
    this.kernelRegularizer = getRegularizer(`dense ${this.name}`, args.kernelRegularizer);
    this.biasRegularizer = getRegularizer(`dense ${this.name}`, args.biasRegularizer);
  }

  override build(inputShape: SymbolicShape): void {
    if (this.built) return;
    const inDim = inputShape[inputShape.length - 1];
    if (inputShape.length < 2 || inDim === null) {
      throw new Error(`${this.name}: dense expects inputs of shape [batch, ..., features] with a known ` +
        `feature size; received [${inputShape.map((d) => d ?? 'null')}]`);
    }
    this.kernel = this.addWeight('kernel', this.kernelInitializer.apply([inDim, this.units]));
    if (this.useBias) this.bias = this.addWeight('bias', this.biasInitializer.apply([this.units]));
    super.build(inputShape);
  }

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    return [...inputShape.slice(0, -1), this.units];
  }

  /** Rank > 2 inputs apply to the last axis, as in Keras: [..., in] -> [..., units]. */
  call(x: Tensor, options: CallOptions): Tensor {
    const fused = this.activation === 'relu' ? 'relu' : 'linear';
    const flat = x.rank > 2 ? ops.reshape(x, [-1, x.shape[x.rank - 1]]) : x;
    const flatOut = dense(flat, this.kernel!, this.bias, fused);
    const y = x.rank > 2 ? ops.reshape(flatOut, [...x.shape.slice(0, -1), this.units]) : flatOut;
    if (fused === 'relu' || this.activation === 'linear' || (options.logits && this.activation === 'softmax')) return y;
    return ACTIVATIONS[this.activation](y);
  }

  override regularizationLoss(): Tensor | null {
    const terms: Tensor[] = [];
    if (this.kernelRegularizer && this.kernel) terms.push(this.kernelRegularizer.apply(this.kernel));
    if (this.biasRegularizer && this.bias) terms.push(this.biasRegularizer.apply(this.bias));
    return terms.reduce<Tensor | null>((acc, t) => (acc ? ops.add(acc, t) : t), null);
  }

  override getConfig(): Record<string, unknown> {
    const initializer = (i: Initializer) => ({ class_name: i.className, config: i.getConfig() });
    const regularizer = (r: Regularizer | null) => (r ? { class_name: 'L1L2', config: { l1: r.l1, l2: r.l2 } } : null);
    return {
      ...super.getConfig(), units: this.units, activation: this.activation, use_bias: this.useBias,
      kernel_initializer: initializer(this.kernelInitializer), bias_initializer: initializer(this.biasInitializer),
      kernel_regularizer: regularizer(this.kernelRegularizer), bias_regularizer: regularizer(this.biasRegularizer),
      activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
    };
  }
}

export class Flatten extends Layer {
  readonly className = 'Flatten';
  constructor(args: LayerArgs = {}) { super(args, 'Flatten'); }
  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    const rest = inputShape.slice(1);
    return [inputShape[0], rest.some((d) => d === null) ? null : rest.reduce<number>((a, b) => a * (b as number), 1)];
  }
  call(x: Tensor): Tensor { return x.rank === 2 ? x : ops.reshape(x, [x.shape[0], -1]); }
}

export class Activation extends Layer {
  readonly className = 'Activation';
  readonly activation: ActivationName;
  constructor(args: LayerArgs & { activation: ActivationName }) {
    super(args, 'Activation');
    this.activation = checkActivation(`activation ${this.name}`, args?.activation);
  }
  computeOutputShape(inputShape: SymbolicShape): SymbolicShape { return inputShape; }
  call(x: Tensor, options: CallOptions): Tensor {
    if (options.logits && this.activation === 'softmax') return x;
    return ACTIVATIONS[this.activation](x);
  }
  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), activation: this.activation }; }
}

export class Dropout extends Layer {
  readonly className = 'Dropout';
  readonly rate: number;
  readonly seed?: number;
  private calls = 0;
  constructor(args: LayerArgs & { rate: number; seed?: number }) {
    super(args, 'Dropout');
    if (!(typeof args?.rate === 'number' && args.rate >= 0 && args.rate < 1)) {
      throw new Error(`dropout: rate must be a number in [0, 1). Received: rate=${JSON.stringify(args?.rate)}`);
    }
    this.rate = args.rate;
    this.seed = args.seed;
  }
  computeOutputShape(inputShape: SymbolicShape): SymbolicShape { return inputShape; }
  call(x: Tensor, options: CallOptions): Tensor {
    if (!options.training || this.rate === 0) return x;
    return dropout(x, this.rate, this.seed === undefined ? undefined : this.seed + this.calls++);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, noise_shape: null, seed: this.seed ?? null };
  }
}

export class InputLayer extends Layer {
  readonly className = 'InputLayer';
  constructor(args: LayerArgs) {
    super(args, 'InputLayer');
    if (!this.batchInputShape) throw new Error('inputLayer: expected inputShape or batchInputShape');
  }
  computeOutputShape(inputShape: SymbolicShape): SymbolicShape { return inputShape; }
  call(x: Tensor): Tensor { return x; }
}

/** Factories under TF.js names: sora.layers.dense({...}), ... */
export const layers = {
  dense: (args: DenseArgs) => new Dense(args),
  flatten: (args?: LayerArgs) => new Flatten(args),
  activation: (args: LayerArgs & { activation: ActivationName }) => new Activation(args),
  dropout: (args: LayerArgs & { rate: number; seed?: number }) => new Dropout(args),
  inputLayer: (args: LayerArgs) => new InputLayer(args),
};

type KerasConfig = Record<string, unknown>;

/** Rebuild a layer from its Keras-style {class_name, config} (loading saved models). */
export function layerFromConfig(entry: { class_name: string; config: KerasConfig }): Layer {
  const c = entry.config ?? {};
  const base: LayerArgs = {
    name: typeof c.name === 'string' ? c.name : undefined,
    trainable: c.trainable === undefined ? true : Boolean(c.trainable),
    batchInputShape: Array.isArray(c.batch_input_shape) ? c.batch_input_shape as (number | null)[] : undefined,
  };
  switch (entry.class_name) {
    case 'Dense': {
      const dense = new Dense({
        ...base, units: c.units as number, activation: (c.activation ?? 'linear') as ActivationName,
        useBias: c.use_bias === undefined ? true : Boolean(c.use_bias),
        kernelRegularizer: regularizerFromConfig(c.kernel_regularizer as never) ?? undefined,
        biasRegularizer: regularizerFromConfig(c.bias_regularizer as never) ?? undefined,
      });
      // Saved weights overwrite initial values; keep the initializers only for getConfig.
      Object.assign(dense, {
        kernelInitializer: initializerFromConfig(c.kernel_initializer as never, 'glorotUniform'),
        biasInitializer: initializerFromConfig(c.bias_initializer as never, 'zeros'),
      });
      return dense;
    }
    case 'Flatten': return new Flatten(base);
    case 'Activation': return new Activation({ ...base, activation: c.activation as ActivationName });
    case 'Dropout': return new Dropout({ ...base, rate: c.rate as number, seed: (c.seed as number | null) ?? undefined });
    case 'InputLayer': return new InputLayer(base);
    default:
      throw new Error(`loadLayersModel: layer class '${entry.class_name}' is not supported; sora reads ` +
        'Dense, Flatten, Activation, Dropout and InputLayer');
  }
}
