/**
 * The built-in recurrent cells as TF.js has them (tfjs-layers recurrent.ts): SimpleRNNCell,
 * LSTMCell and GRUCell, with TF.js's defaults (kernel glorotNormal, recurrent kernel
 * orthogonal, bias zeros; lstm / gru recurrentActivation hardSigmoid) and weights laid out
 * gate by gate as TF.js saves them: kernel [inputDim, G * units], recurrent_kernel
 * [units, G * units], bias [G * units] (lstm gates i, f, c, o; gru z, r, h). A cell's call is one
 * step, [x_t, ...states] -> [output, ...newStates]; an RNN layer runs a whole sequence through
 * the one recurrentSequence op instead when the activations allow (fusedForm).
 */
import type { Tensor } from '../core/tensor.js';
import { ENGINE } from '../core/engine.js';
import * as ops from '../ops/index.js';
import { dropout as dropoutOp } from '../ops/dropout.js';
import { initializers, type Initializer } from '../training/initializers.js';
import type { Regularizer } from '../training/regularizers.js';
import { getConstraint, serializeConstraint, type Constraint } from '../training/constraints.js';
import type { Kwargs, LayerArgs, LayerVariable, SymbolicShape } from './base.js';
import { resolveInitializer, resolveRegularizer, serializeInitializer, serializeRegularizer } from './config.js';
import { ACTIVATIONS, checkActivation, type ActivationName } from './activations.js';
import { checkUnits, RNNCell } from './recurrent-cell.js';
import { fusable, type FusedCell } from './recurrent-fused.js';

/** The config of layers.simpleRNNCell (TF.js's SimpleRNNCellLayerArgs); `units` is required. */
export interface SimpleRNNCellLayerArgs extends LayerArgs {
  /** The size of the output and state. */
  units: number;
  /** The activation of the output (lstm / gru: of the candidate and cell); default 'tanh'. */
  activation?: ActivationName;
  /** Whether the cell adds a bias; default true. */
  useBias?: boolean;
  /** How the kernel starts; default 'glorotNormal' (TF.js's; Keras's is glorotUniform). */
  kernelInitializer?: unknown;
  /** How the recurrent kernel starts; default 'orthogonal'. */
  recurrentInitializer?: unknown;
  /** How the bias starts; default 'zeros'. */
  biasInitializer?: unknown;
  /** A penalty on the kernel; default none. */
  kernelRegularizer?: unknown;
  /** A penalty on the recurrent kernel; default none. */
  recurrentRegularizer?: unknown;
  /** A penalty on the bias; default none. */
  biasRegularizer?: unknown;
  /** A constraint on the kernel after each step; default none. */
  kernelConstraint?: unknown;
  /** A constraint on the recurrent kernel; default none. */
  recurrentConstraint?: unknown;
  /** A constraint on the bias; default none. */
  biasConstraint?: unknown;
  /** The fraction of the input zeroed in training (one mask per call), clamped to [0, 1]; default 0. */
  dropout?: number;
  /** The fraction of the recurrent state zeroed in training (one mask per call), clamped to [0, 1]; default 0. */
  recurrentDropout?: number;
  /** TF.js's hook for tests: makes a dropout mask from (ones, rate) instead of random dropout; default none. Not saved. */
  dropoutFunc?: (ones: Tensor, rate: number) => Tensor;
}

/** The config of layers.lstmCell and layers.gruCell. */
export interface GatedCellLayerArgs extends SimpleRNNCellLayerArgs {
  /** The gates' activation; default 'hardSigmoid' (TF.js's; Keras's is sigmoid). */
  recurrentActivation?: ActivationName;
  /** Accepted and saved; TF.js always runs the same implementation, and so does sora. */
  implementation?: number;
}
/** The config of layers.lstmCell (TF.js's LSTMCellLayerArgs). */
export interface LSTMCellLayerArgs extends GatedCellLayerArgs {
  /** Whether the forget gate's bias starts at 1 (the other gates' from biasInitializer); default false. */
  unitForgetBias?: boolean;
}
/** The config of layers.gruCell (TF.js's GRUCellLayerArgs). */
export interface GRUCellLayerArgs extends GatedCellLayerArgs {
  /**
   * Keras's form: the reset gate applied after the recurrent product, with a second bias row (bias
   * [2, 3 * units]); TF.js refuses true. Default false.
   */
  resetAfter?: boolean;
}

const rate = (where: string, field: string, value: unknown): number => {
  if (value == null) return 0;
  if (typeof value !== 'number' || Number.isNaN(value)) throw new Error(`${where}: ${field} must be a number in [0, 1]. Received: ${field}=${JSON.stringify(value)}`);
  // As TF.js: clamped to [0, 1]; only 0 < rate < 1 drops anything.
  return Math.min(1, Math.max(0, value));
};
const active = (r: number): boolean => r > 0 && r < 1;

/** What the three built-in cells share: options, weights, dropout masks and config. */
abstract class BuiltinCell extends RNNCell {
  /** Marks call() as sora's own. */
  static override readonly soraCall = true;
  /** The output and state size. */
  readonly units: number;
  /** The output (or candidate) activation. */
  readonly activation: ActivationName;
  /** The gates' activation ('linear' for simpleRNNCell, which has none). */
  readonly recurrentActivation: ActivationName;
  /** Whether a bias is added. */
  readonly useBias: boolean;
  /** How the kernel starts. */
  readonly kernelInitializer: Initializer;
  /** How the recurrent kernel starts. */
  readonly recurrentInitializer: Initializer;
  /** How the bias starts. */
  readonly biasInitializer: Initializer;
  /** The penalty on the kernel, or null. */
  readonly kernelRegularizer: Regularizer | null;
  /** The penalty on the recurrent kernel, or null. */
  readonly recurrentRegularizer: Regularizer | null;
  /** The penalty on the bias, or null. */
  readonly biasRegularizer: Regularizer | null;
  /** The constraint on the kernel, or null. */
  readonly kernelConstraint: Constraint | null;
  /** The constraint on the recurrent kernel, or null. */
  readonly recurrentConstraint: Constraint | null;
  /** The constraint on the bias, or null. */
  readonly biasConstraint: Constraint | null;
  /** The input dropout rate. */
  readonly dropout: number;
  /** The recurrent dropout rate. */
  readonly recurrentDropout: number;
  /** The mask maker given as dropoutFunc, or null (random dropout). */
  readonly dropoutFunc: ((ones: Tensor, rate: number) => Tensor) | null;
  /** [inputDim, G * units], once built. */
  kernel: LayerVariable | null = null;
  /** [units, G * units], once built. */
  recurrentKernel: LayerVariable | null = null;
  /** [G * units] (gru resetAfter: [2, 3 * units]), once built; null without useBias. */
  bias: LayerVariable | null = null;
  /** The gate count G and the cell kind the kernel knows it by. */
  protected abstract readonly gates: number;
  protected abstract readonly kind: FusedCell['cell'];

  constructor(args: SimpleRNNCellLayerArgs & { recurrentActivation?: ActivationName }, defaultRecurrent: ActivationName) {
    super(args);
    const where = `${this.getClassName()} ${this.name}`;
    this.units = checkUnits(where, args.units);
    this.activation = checkActivation(where, args.activation ?? 'tanh');
    this.recurrentActivation = checkActivation(where, args.recurrentActivation ?? defaultRecurrent);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = resolveInitializer(where, args.kernelInitializer || undefined, 'glorotNormal');
    this.recurrentInitializer = resolveInitializer(where, args.recurrentInitializer || undefined, 'orthogonal');
    this.biasInitializer = resolveInitializer(where, args.biasInitializer || undefined, 'zeros');
    this.kernelRegularizer = resolveRegularizer(where, args.kernelRegularizer);
    this.recurrentRegularizer = resolveRegularizer(where, args.recurrentRegularizer);
    this.biasRegularizer = resolveRegularizer(where, args.biasRegularizer);
    this.kernelConstraint = getConstraint(where, args.kernelConstraint);
    this.recurrentConstraint = getConstraint(where, args.recurrentConstraint);
    this.biasConstraint = getConstraint(where, args.biasConstraint);
    this.dropout = rate(where, 'dropout', args.dropout);
    this.recurrentDropout = rate(where, 'recurrentDropout', args.recurrentDropout);
    if (args.dropoutFunc != null && typeof args.dropoutFunc !== 'function') throw new Error(`${where}: dropoutFunc must be a function`);
    this.dropoutFunc = args.dropoutFunc ?? null;
  }

  /** The bias's shape and initializer (lstm unitForgetBias and gru resetAfter change them). */
  protected biasSpec(): { shape: number[]; init: Initializer } { return { shape: [this.gates * this.units], init: this.biasInitializer }; }

  /** Creates kernel, recurrent_kernel and bias for a step input [batch, features]. */
  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape;
    const inputDim = shape[shape.length - 1];
    if (inputDim === null) throw new Error(`${this.getClassName()} ${this.name}: the feature size must be known; received ${JSON.stringify(shape)}`);
    const width = this.gates * this.units;
    this.kernel = this.addWeight('kernel', [inputDim, width], 'float32', this.kernelInitializer, this.kernelRegularizer, true,
      this.kernelConstraint);
    this.recurrentKernel = this.addWeight('recurrent_kernel', [this.units, width], 'float32', this.recurrentInitializer,
      this.recurrentRegularizer, true, this.recurrentConstraint);
    if (this.useBias) {
      const { shape: biasShape, init } = this.biasSpec();
      this.bias = this.addWeight('bias', biasShape, 'float32', init, this.biasRegularizer, true, this.biasConstraint);
    }
    super.build(inputShape);
  }

  /**
   * This call's dropout masks, made on first use in training as TF.js's generateDropoutMask (one
   * [batch, inputDim] and one [batch, units] mask for every step of the call); none otherwise.
   */
  protected masks(batch: number, inputDim: number, training: boolean): { input: Tensor | null; recurrent: Tensor | null } {
    const fresh = (m: Tensor | Tensor[] | null) => m === null || (Array.isArray(m) ? m[0] : m).isDisposed;
    const drop = (ones: Tensor, r: number) => (this.dropoutFunc ? this.dropoutFunc(ones, r) : dropoutOp(ones, r));
    if (training && active(this.dropout) && fresh(this.dropoutMask)) this.dropoutMask = drop(ops.ones([batch, inputDim]), this.dropout);
    if (training && active(this.recurrentDropout) && fresh(this.recurrentDropoutMask)) {
      this.recurrentDropoutMask = drop(ops.ones([batch, this.units]), this.recurrentDropout);
    }
    const first = (m: Tensor | Tensor[] | null) => (m === null ? null : Array.isArray(m) ? m[0] : m);
    // Not in training, no mask applies, even one a training call left on a cell used alone.
    if (!training) return { input: null, recurrent: null };
    return { input: active(this.dropout) ? first(this.dropoutMask) : null,
      recurrent: active(this.recurrentDropout) ? first(this.recurrentDropoutMask) : null };
  }

  /** The one-kernel form, when both activations are ones the kernel computes. */
  override fusedForm(): FusedCell | null {
    if (!this.kernel) return null;
    const form: FusedCell = { cell: this.kind, activation: this.activation, recurrentActivation: this.recurrentActivation, resetAfter: false,
      kernel: this.kernel, recurrentKernel: this.recurrentKernel!, bias: this.bias, recurrentBias: null,
      dropoutMasks: (batch, inputDim, training) => this.masks(batch, inputDim, training) };
    return fusable(form) ? form : null;
  }

  /** x W (+ b): the input projection of one step. */
  protected project(x: Tensor, bias: Tensor | null = this.bias): Tensor {
    const p = ops.matMul(x, this.kernel!);
    return bias ? ops.add(p, bias) : p;
  }

  /** The config keys every built-in cell saves, in TF.js's order. */
  protected baseCellConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(), units: this.units, activation: this.activation, useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      recurrentInitializer: serializeInitializer(this.recurrentInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
      kernelRegularizer: serializeRegularizer(this.kernelRegularizer),
      recurrentRegularizer: serializeRegularizer(this.recurrentRegularizer),
      biasRegularizer: serializeRegularizer(this.biasRegularizer), activityRegularizer: null,
      kernelConstraint: serializeConstraint(this.kernelConstraint),
      recurrentConstraint: serializeConstraint(this.recurrentConstraint),
      biasConstraint: serializeConstraint(this.biasConstraint),
      dropout: this.dropout, recurrentDropout: this.recurrentDropout,
    };
  }
}

const stepInputs = (where: string, inputs: Tensor | Tensor[], count: number): Tensor[] => {
  if (!Array.isArray(inputs) || inputs.length !== count) {
    throw new Error(`${where}: expects ${count} input tensors ([x, ${count === 3 ? 'h, c' : 'h'}]); received ` +
      `${Array.isArray(inputs) ? inputs.length : 'one tensor'}`);
  }
  return inputs;
};

/** The cell of simpleRNN (tf.layers.simpleRNNCell): h = activation(x W + b + h_{t-1} U). */
export class SimpleRNNCell extends BuiltinCell {
  /** 'SimpleRNNCell', the class name in saved configs. */
  static override className = 'SimpleRNNCell';
  /** One state of size units. */
  readonly stateSize: number;
  protected readonly gates = 1;
  protected readonly kind = 'simple' as const;
  /** A simpleRNNCell from its config; units is required. */
  constructor(args: SimpleRNNCellLayerArgs) {
    super(args, 'linear');
    this.stateSize = this.units;
  }
  /** One step: [x, h] -> [h', h']. */
  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor[] {
    const [x, h] = stepInputs(`SimpleRNNCell ${this.name}`, inputs, 2);
    const m = this.masks(x.shape[0], x.shape[1], kwargs.training === true);
    const hr = m.recurrent ? ops.mul(h, m.recurrent) : h;
    const out = ACTIVATIONS[this.activation](ops.add(this.project(m.input ? ops.mul(x, m.input) : x), ops.matMul(hr, this.recurrentKernel!)));
    return [out, out];
  }
  /** The config as TF.js saves it. */
  override getConfig(): Record<string, unknown> { return this.baseCellConfig(); }
}

/** The cell of lstm (tf.layers.lstmCell): gates i, f, c, o; states [h, c]. */
export class LSTMCell extends BuiltinCell {
  /** 'LSTMCell', the class name in saved configs. */
  static override className = 'LSTMCell';
  /** Two states, h and c, of size units. */
  readonly stateSize: number[];
  /** Whether the forget gate's bias starts at 1. */
  readonly unitForgetBias: boolean;
  /** Saved as given (null when not given, as TF.js). */
  readonly implementation: number | null;
  protected readonly gates = 4;
  protected readonly kind = 'lstm' as const;
  /** An lstmCell from its config; units is required. */
  constructor(args: LSTMCellLayerArgs) {
    super(args, 'hardSigmoid');
    this.stateSize = [this.units, this.units];
    this.unitForgetBias = args.unitForgetBias ?? false;
    this.implementation = args.implementation ?? null;
  }
  /** With unitForgetBias, the forget block of the bias starts at 1 and the others from biasInitializer. */
  protected override biasSpec(): { shape: number[]; init: Initializer } {
    const spec = super.biasSpec();
    if (!this.unitForgetBias) return spec;
    const base = this.biasInitializer, units = this.units;
    return { shape: spec.shape, init: { className: base.className, getConfig: () => base.getConfig(),
      apply: () => ENGINE.tidy(() => ops.concat([base.apply([units]), initializers.ones().apply([units]), base.apply([2 * units])], 0)) } };
  }
  /** One step: [x, h, c] -> [h', h', c']. */
  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor[] {
    const [x, h, c] = stepInputs(`LSTMCell ${this.name}`, inputs, 3);
    const m = this.masks(x.shape[0], x.shape[1], kwargs.training === true);
    const hr = m.recurrent ? ops.mul(h, m.recurrent) : h;
    const z = ops.add(this.project(m.input ? ops.mul(x, m.input) : x), ops.matMul(hr, this.recurrentKernel!));
    const [zi, zf, zc, zo] = ops.split(z, 4, 1);
    const s = ACTIVATIONS[this.recurrentActivation], a = ACTIVATIONS[this.activation];
    const cNext = ops.add(ops.mul(s(zf), c), ops.mul(s(zi), a(zc)));
    const hNext = ops.mul(s(zo), a(cNext));
    return [hNext, hNext, cNext];
  }
  /** The config as TF.js saves it. */
  override getConfig(): Record<string, unknown> {
    const { dropout, recurrentDropout, ...rest } = this.baseCellConfig();
    return { ...rest, recurrentActivation: this.recurrentActivation, unitForgetBias: this.unitForgetBias, dropout, recurrentDropout,
      implementation: this.implementation };
  }
}

/** The cell of gru (tf.layers.gruCell): gates z, r, h; h' = z * h + (1 - z) * candidate. */
export class GRUCell extends BuiltinCell {
  /** 'GRUCell', the class name in saved configs. */
  static override className = 'GRUCell';
  /** One state of size units. */
  readonly stateSize: number;
  /** Keras's reset-after form (bias [2, 3 * units]); TF.js has only false. */
  readonly resetAfter: boolean;
  /** Saved as given (null when not given, as TF.js). */
  readonly implementation: number | null;
  protected readonly gates = 3;
  protected readonly kind = 'gru' as const;
  /** A gruCell from its config; units is required. */
  constructor(args: GRUCellLayerArgs) {
    super(args, 'hardSigmoid');
    this.stateSize = this.units;
    this.resetAfter = args.resetAfter ?? false;
    this.implementation = args.implementation ?? null;
  }
  /** resetAfter: two bias rows [2, 3 * units], the input's and the recurrent product's. */
  protected override biasSpec(): { shape: number[]; init: Initializer } {
    const spec = super.biasSpec();
    return this.resetAfter ? { shape: [2, spec.shape[0]], init: spec.init } : spec;
  }
  /** The bias rows: [input bias, recurrent bias] (the recurrent one null unless resetAfter). */
  private biasRows(): [Tensor | null, Tensor | null] {
    if (!this.bias || !this.resetAfter) return [this.bias, null];
    const [b, rb] = ops.unstack(this.bias, 0);
    return [b, rb];
  }
  /** The one-kernel form, with the bias rows split for resetAfter. */
  override fusedForm(): FusedCell | null {
    const form = super.fusedForm();
    if (!form) return null;
    const [bias, recurrentBias] = this.biasRows();
    return { ...form, resetAfter: this.resetAfter, bias, recurrentBias };
  }
  /**
   * One step: [x, h] -> [h', h']. With recurrentDropout, the masked h feeds the recurrent products
   * and the unmasked h the blend z * h (Keras's form; TF.js blends the masked h).
   */
  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor[] {
    const [x, h] = stepInputs(`GRUCell ${this.name}`, inputs, 2);
    const m = this.masks(x.shape[0], x.shape[1], kwargs.training === true);
    const hr = m.recurrent ? ops.mul(h, m.recurrent) : h;
    const [bias, recurrentBias] = this.biasRows();
    const [xz, xr, xh] = ops.split(this.project(m.input ? ops.mul(x, m.input) : x, bias), 3, 1);
    const s = ACTIVATIONS[this.recurrentActivation], a = ACTIVATIONS[this.activation];
    const u = this.units;
    let candidate: Tensor, z: Tensor;
    if (this.resetAfter) {
      const inner = ops.matMul(hr, this.recurrentKernel!);
      const [iz, ir, ih] = ops.split(recurrentBias ? ops.add(inner, recurrentBias) : inner, 3, 1);
      z = s(ops.add(xz, iz));
      const r = s(ops.add(xr, ir));
      candidate = a(ops.add(xh, ops.mul(r, ih)));
    } else {
      const [uzr, uh] = ops.split(this.recurrentKernel!, [2 * u, u], 1);
      const [iz, ir] = ops.split(ops.matMul(hr, uzr), 2, 1);
      z = s(ops.add(xz, iz));
      const r = s(ops.add(xr, ir));
      candidate = a(ops.add(xh, ops.matMul(ops.mul(r, hr), uh)));
    }
    const hNext = ops.add(ops.mul(z, h), ops.mul(ops.sub(1, z), candidate));
    return [hNext, hNext];
  }
  /** The config as TF.js saves it (resetAfter included). */
  override getConfig(): Record<string, unknown> {
    const { dropout, recurrentDropout, ...rest } = this.baseCellConfig();
    return { ...rest, recurrentActivation: this.recurrentActivation, dropout, recurrentDropout, implementation: this.implementation,
      resetAfter: this.resetAfter };
  }
}
