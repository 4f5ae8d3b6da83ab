/**
 * Adagrad, Adadelta and Adamax, written with ops (inside a tidy) and assigned to the
 * variables. The formulas, their order and their float32 scalars follow TF.js's, so the
 * weights match TF.js's after any number of steps (tests/training/optimizers.test.ts).
 */
import { ENGINE } from '../../core/engine.js';
import type { Tensor, Variable } from '../../core/tensor.js';
import * as ops from '../../ops/index.js';
import { Optimizer } from './optimizer.js';

function checkRate(name: string, arg: string, value: number, min = 0, inclusive = true): void {
  if (!(Number.isFinite(value) && (inclusive ? value >= min : value > min))) {
    throw new Error(`${name}: ${arg} must be a number ${inclusive ? '>=' : '>'} ${min}; received ${value}`);
  }
}

/**
 * The Adagrad optimizer (tf.AdagradOptimizer): per-weight rates shrinking with the sum of squared gradients,
 * which starts at initialAccumulatorValue. learningRate is required and initialAccumulatorValue defaults to
 * 0.1; written with ops.
 */
export class Adagrad extends Optimizer {
  /** 'Adagrad', the class name TF.js saves. */
  readonly className = 'Adagrad';
  protected readonly slotNames = ['accumulator'];
  /** learningRate is required; initialAccumulatorValue defaults to 0.1. */
  constructor(learningRate: number, readonly initialAccumulatorValue = 0.1) {
    super(learningRate);
    checkRate('adagrad', 'initialAccumulatorValue', initialAccumulatorValue);
  }
  protected get slotCount(): number { return 1; }
  protected override get slotInitialValue(): number { return this.initialAccumulatorValue; }
  protected update(variable: Variable, grad: Tensor): void {
    const [accumulator] = this.slotsFor(variable, 1);
    ENGINE.tidy(() => {
      const sum = ops.add(accumulator, ops.square(grad));
      accumulator.assign(sum);
      variable.assign(ops.add(ops.mul(ops.div(grad, ops.sqrt(ops.add(sum, 1e-7))), -this.learningRate), variable));
    });
  }
  /** { learningRate, initialAccumulatorValue } as TF.js saves them. */
  getConfig(): Record<string, unknown> {
    return { learningRate: this.learningRate, initialAccumulatorValue: this.initialAccumulatorValue };
  }
}

/**
 * The Adadelta optimizer (tf.AdadeltaOptimizer): steps scaled by running averages of squared gradients and
 * squared updates. The constructor's defaults are learningRate 0.001, rho 0.95, epsilon 1e-7; written with
 * ops.
 */
export class Adadelta extends Optimizer {
  /** 'Adadelta', the class name TF.js saves. */
  readonly className = 'Adadelta';
  protected readonly slotNames = ['accum_grad', 'accum_var'];
  /** learningRate defaults to 0.001, rho to 0.95, epsilon to 1e-7. */
  constructor(learningRate = 0.001, readonly rho = 0.95, readonly epsilon = 1e-7) {
    super(learningRate);
    checkRate('adadelta', 'rho', rho);
    checkRate('adadelta', 'epsilon', epsilon);
  }
  protected get slotCount(): number { return 2; }
  protected update(variable: Variable, grad: Tensor): void {
    const [accumGrad, accumUpdate] = this.slotsFor(variable, 2);
    const rho = this.rho, eps = this.epsilon;
    ENGINE.tidy(() => {
      const newAccumGrad = ops.add(ops.mul(accumGrad, rho), ops.mul(ops.square(grad), 1 - rho));
      // As TF.js: the update's scale reads the gradient average from before this step.
      const updates = ops.mul(ops.div(ops.sqrt(ops.add(accumUpdate, eps)), ops.sqrt(ops.add(accumGrad, eps))), grad);
      const newAccumUpdate = ops.add(ops.mul(accumUpdate, rho), ops.mul(ops.square(updates), 1 - rho));
      accumGrad.assign(newAccumGrad);
      accumUpdate.assign(newAccumUpdate);
      variable.assign(ops.add(ops.mul(updates, -this.learningRate), variable));
    });
  }
  /** { learningRate, rho, epsilon } as TF.js saves them. */
  getConfig(): Record<string, unknown> {
    return { learningRate: this.learningRate, rho: this.rho, epsilon: this.epsilon };
  }
}

/**
 * The Adamax optimizer (tf.AdamaxOptimizer): Adam with the infinity norm in place of the second moment;
 * `decay` shrinks the rate per step. The constructor's defaults are learningRate 0.002, beta1 0.9, beta2
 * 0.999, epsilon 1e-7, decay 0; written with ops.
 */
export class Adamax extends Optimizer {
  /** 'Adamax', the class name TF.js saves. */
  readonly className = 'Adamax';
  protected readonly slotNames = ['m', 'v'];
  /** learningRate defaults to 0.002, beta1 to 0.9, beta2 to 0.999, epsilon to 1e-7, decay to 0. */
  constructor(learningRate = 0.002, readonly beta1 = 0.9, readonly beta2 = 0.999, readonly epsilon = 1e-7,
    /** The learning rate decay per step; 0 for none. */
    readonly decay = 0) {
    super(learningRate);
    checkRate('adamax', 'beta1', beta1);
    checkRate('adamax', 'beta2', beta2);
    checkRate('adamax', 'decay', decay);
  }
  protected get slotCount(): number { return 2; }

  /**
   * beta1^(step + 1) as TF.js accumulates it, one float32 product per step. Derived from
   * `iterations` rather than kept, so it follows the iteration count when fit rolls a step back.
   */
  private accBeta1(step: number): number {
    const b = Math.fround(this.beta1);
    let acc = b;
    for (let i = 0; i < step; i++) acc = Math.fround(acc * b);
    return acc;
  }

  protected update(variable: Variable, grad: Tensor): void {
    const [m, u] = this.slotsFor(variable, 2);
    // applyGradients counted this step already; TF.js's rate uses the steps before it.
    const step = this.iterations - 1;
    const rate = Math.fround(Math.fround(-this.learningRate) / Math.fround(Math.fround(step * this.decay) + 1));
    const scale = Math.fround(rate / Math.fround(1 - this.accBeta1(step)));
    ENGINE.tidy(() => {
      const newM = ops.add(ops.mul(m, this.beta1), ops.mul(grad, 1 - this.beta1));
      const newU = ops.maximum(ops.mul(u, this.beta2), ops.abs(grad));
      m.assign(newM);
      u.assign(newU);
      variable.assign(ops.add(ops.mul(scale, ops.div(newM, ops.add(newU, this.epsilon))), variable));
    });
  }
  /** { learningRate, beta1, beta2, epsilon, decay } as TF.js saves them. */
  getConfig(): Record<string, unknown> {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, decay: this.decay };
  }
}
