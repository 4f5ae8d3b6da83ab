/**
 * Optimizers (TF.js names and defaults). SGD, momentum, Adam and RMSProp update each
 * variable with one in-place kernel; Adagrad, Adadelta and Adamax are written with ops
 * (src/optimizers_composed.ts). The base class is src/optimizer.ts.
 */
import { ENGINE } from '../../core/engine.js';
import type { Tensor, Variable } from '../../core/tensor.js';
import * as ops from '../../ops/index.js';
import { adamUpdates, rmspropUpdates, sgdUpdates } from '../../ops/optim.js';
import { Optimizer } from './optimizer.js';
import { Adadelta, Adagrad, Adamax } from './composed.js';
import { ownEntry } from '../../core/lookup.js';

export { Optimizer, type NamedTensor } from './optimizer.js';
export { Adadelta, Adagrad, Adamax } from './composed.js';

/**
 * Stochastic gradient descent (tf.SGDOptimizer), with optional momentum and Nesterov momentum: the
 * constructor's defaults are learningRate 0.01, momentum 0, nesterov false. Updates each variable with one
 * fused kernel.
 */
export class SGD extends Optimizer {
  /** 'SGD', the class name TF.js saves. */
  readonly className: string = 'SGD';
  protected readonly slotNames = ['momentum'];
  /** learningRate defaults to 0.01, momentum to 0, nesterov to false. */
  constructor(learningRate = 0.01, readonly momentum = 0, readonly nesterov = false) {
    super(learningRate);
    if (!(momentum >= 0)) throw new Error(`momentum: momentum must be >= 0; received ${momentum}`);
  }
  protected get slotCount(): number { return this.momentum > 0 ? 1 : 0; }
  protected update(variable: Variable, grad: Tensor): void { this.updateAll([{ variable, grad }]); }
  /** Every variable in one op call. */
  protected override updateAll(pairs: readonly { variable: Variable; grad: Tensor }[]): void {
    sgdUpdates(this.groups(pairs), this.momentum > 0, this.learningRate, this.momentum, this.nesterov);
  }
  /** { learningRate } as TF.js saves it, with momentum and useNesterov when momentum is set. */
  getConfig(): Record<string, unknown> {
    return this.momentum > 0
      ? { learningRate: this.learningRate, momentum: this.momentum, useNesterov: this.nesterov }
      : { learningRate: this.learningRate };
  }
}

/**
 * TF.js's MomentumOptimizer: SGD with momentum, saved as class 'Momentum'; learningRate and momentum are
 * required and useNesterov defaults to false.
 */
export class Momentum extends SGD {
  /** 'Momentum', the class name TF.js saves. */
  override readonly className: string = 'Momentum';
  /** learningRate and momentum are required; useNesterov defaults to false. */
  constructor(learningRate: number, momentum: number, useNesterov = false) {
    super(learningRate, momentum, useNesterov);
  }
}

/**
 * The Adam optimizer (tf.AdamOptimizer); the constructor's defaults are learningRate 0.001, beta1 0.9, beta2
 * 0.999, epsilon 1e-7. Updates each variable with one fused kernel.
 */
export class Adam extends Optimizer {
  /** 'Adam', the class name TF.js saves. */
  readonly className = 'Adam';
  protected readonly slotNames = ['m', 'v'];
  /** learningRate defaults to 0.001, beta1 to 0.9, beta2 to 0.999, epsilon to 1e-7. */
  constructor(learningRate = 0.001, readonly beta1 = 0.9, readonly beta2 = 0.999, readonly epsilon = 1e-7) {
    super(learningRate);
  }
  protected get slotCount(): number { return 2; }
  protected update(variable: Variable, grad: Tensor): void { this.updateAll([{ variable, grad }]); }
  /** Every variable in one op call. */
  protected override updateAll(pairs: readonly { variable: Variable; grad: Tensor }[]): void {
    adamUpdates(this.groups(pairs), this.learningRate, this.beta1, this.beta2, this.epsilon, this.iterations);
  }
  /** { learningRate, beta1, beta2, epsilon } as TF.js saves them. */
  getConfig(): Record<string, unknown> {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

/**
 * RMSProp (tf.RMSPropOptimizer); `centered` divides by the gradient's variance rather than its mean square
 * (TF.js's formulas). The constructor's defaults are learningRate 0.001, decay 0.9, momentum 0, epsilon 1e-7,
 * centered false.
 */
export class RMSProp extends Optimizer {
  /** 'RMSProp', the class name TF.js saves. */
  readonly className = 'RMSProp';
  protected readonly slotNames = ['rms', 'momentum', 'mg'];
  /** learningRate defaults to 0.001, decay to 0.9, momentum to 0, epsilon to 1e-7, centered to false. */
  constructor(learningRate = 0.001, readonly decay = 0.9, readonly momentum = 0, readonly epsilon = 1e-7,
    /** Whether to divide by the gradient's variance rather than its mean square. */
    readonly centered = false) {
    super(learningRate);
  }
  protected get slotCount(): number { return this.centered ? 3 : this.momentum > 0 ? 2 : 1; }
  /** At momentum 0 the moments TF.js keeps are multiplied by 0, so sora keeps none. */
  protected override stateUnused(kind: number): boolean { return kind === 1 && this.momentum === 0 && !this.centered; }
  /** Every variable in one op call (centered: each with ops in turn). */
  protected override updateAll(pairs: readonly { variable: Variable; grad: Tensor }[]): void {
    if (this.centered) {
      super.updateAll(pairs);
      return;
    }
    rmspropUpdates(this.groups(pairs), this.slotCount === 2, this.learningRate, this.decay, this.momentum, this.epsilon);
  }
  protected update(variable: Variable, grad: Tensor): void {
    if (!this.centered) {
      this.updateAll([{ variable, grad }]);
      return;
    }
    const [meanSquare, moment, meanGrad] = this.slotsFor(variable, this.slotCount);
    ENGINE.tidy(() => {
      const d = this.decay;
      const ms = ops.add(ops.mul(meanSquare, d), ops.mul(ops.square(grad), 1 - d));
      const mg = ops.add(ops.mul(meanGrad, d), ops.mul(grad, 1 - d));
      const step = ops.div(ops.mul(grad, this.learningRate), ops.sqrt(ops.sub(ms, ops.add(ops.square(mg), this.epsilon))));
      const mom = ops.add(ops.mul(moment, this.momentum), step);
      meanSquare.assign(ms);
      meanGrad.assign(mg);
      moment.assign(mom);
      variable.assign(ops.sub(variable, mom));
    });
  }
  /** { learningRate, decay, momentum, epsilon, centered } as TF.js saves them. */
  getConfig(): Record<string, unknown> {
    return { learningRate: this.learningRate, decay: this.decay, momentum: this.momentum, epsilon: this.epsilon,
      centered: this.centered };
  }
}

/** sora.train.* as in TF.js (same arguments and defaults; epsilon null or omitted: 1e-7). */
export const train = {
  /**
   * Plain stochastic gradient descent (tf.train.sgd): each step subtracts learningRate × gradient;
   * learningRate defaults to 0.01 here (the SGD class's default), and TF.js requires it.
   */
  sgd: (learningRate?: number) => new SGD(learningRate),
  /**
   * SGD with momentum (tf.train.momentum); learningRate and momentum are required, useNesterov defaults to
   * false.
   */
  momentum: (learningRate: number, momentum: number, useNesterov = false) => new Momentum(learningRate, momentum, useNesterov),
  /**
   * The Adam optimizer (tf.train.adam) with TF.js's defaults: learningRate 0.001, beta1 0.9, beta2 0.999,
   * epsilon null or omitted meaning 1e-7.
   * @example
   * ```js
   * model.compile({ optimizer: sora.train.adam(0.001), loss: 'meanSquaredError' });
   * ```
   */
  adam: (learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null) =>
    new Adam(learningRate, beta1, beta2, epsilon ?? 1e-7),
  /**
   * The RMSProp optimizer (tf.train.rmsprop): learningRate is required; decay defaults to 0.9, momentum to 0,
   * epsilon (null or omitted) to 1e-7 and centered to false.
   */
  rmsprop: (learningRate: number, decay = 0.9, momentum = 0, epsilon: number | null = null, centered = false) =>
    new RMSProp(learningRate, decay, momentum, epsilon ?? 1e-7, centered),
  /**
   * The Adagrad optimizer (tf.train.adagrad): learningRate is required and initialAccumulatorValue defaults
   * to 0.1.
   */
  adagrad: (learningRate: number, initialAccumulatorValue = 0.1) => new Adagrad(learningRate, initialAccumulatorValue),
  /**
   * The Adadelta optimizer (tf.train.adadelta) with TF.js's defaults: learningRate 0.001, rho 0.95, epsilon
   * (null or omitted) 1e-7.
   */
  adadelta: (learningRate = 0.001, rho = 0.95, epsilon: number | null = null) => new Adadelta(learningRate, rho, epsilon ?? 1e-7),
  /**
   * The Adamax optimizer (tf.train.adamax) with TF.js's defaults: learningRate 0.002, beta1 0.9, beta2 0.999,
   * epsilon (null or omitted) 1e-7, decay 0.
   */
  adamax: (learningRate = 0.002, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null, decay = 0) =>
    new Adamax(learningRate, beta1, beta2, epsilon ?? 1e-7, decay),
};

/** TF.js's class names for the optimizers, and its OptimizerConstructors (the factories of tf.train). */
export {
  SGD as SGDOptimizer, Momentum as MomentumOptimizer, Adam as AdamOptimizer, RMSProp as RMSPropOptimizer,
  Adagrad as AdagradOptimizer, Adadelta as AdadeltaOptimizer, Adamax as AdamaxOptimizer, train as OptimizerConstructors,
};

const BY_NAME: Record<string, () => Optimizer> = {
  sgd: () => new SGD(), adam: () => new Adam(), rmsprop: () => new RMSProp(), adagrad: () => new Adagrad(0.01),
  adadelta: () => new Adadelta(1), adamax: () => new Adamax(0.002),
};

/** compile's optimizer: an Optimizer, or a Keras name with Keras's defaults. */
export function getOptimizer(id: unknown): Optimizer {
  if (id instanceof Optimizer) return id;
  const make = typeof id === 'string' ? ownEntry(BY_NAME, id.toLowerCase()) : undefined;
  if (make) return make();
  throw new Error(`compile: unknown optimizer ${JSON.stringify(id)}; expected one of ` +
    `${Object.keys(BY_NAME).map((n) => `'${n}'`).join(', ')}, or sora.train.*()`);
}
