/**
 * Optimizers (TF.js names and defaults). Each update is one in-place kernel per variable,
 * with the slot variables (moments) created on first use.
 */
import { ENGINE } from './engine.js';
import type { Tensor, Variable } from './tensor.js';
import * as ops from './ops/index.js';
import { adamUpdate, rmspropUpdate, sgdUpdate } from './ops/optim.js';
import { gradients, trainableVariables, variableGrads } from './ops/autograd.js';

/** The registered variable called `name`; an unknown or ambiguous name is an error. */
function variableNamed(name: string): Variable {
  const found = [...ENGINE.variables.values()].filter((v) => v.name === name);
  if (found.length !== 1) {
    throw new Error(`applyGradients: ${found.length === 0 ? 'no' : `${found.length}`} registered variables are named ` +
      `'${name}'; pass { variable, grad } pairs instead`);
  }
  return found[0];
}

export abstract class Optimizer {
  abstract readonly className: string;
  iterations = 0;
  protected readonly slots = new Map<Variable, Tensor[]>();
  constructor(public learningRate: number) {
    if (!(Number.isFinite(learningRate) && learningRate > 0)) {
      throw new Error(`optimizer: learningRate must be a positive number; received ${learningRate}`);
    }
  }

  protected slotsFor(variable: Variable, count: number): Tensor[] {
    let slots = this.slots.get(variable);
    if (!slots) {
      slots = [];
      for (let i = 0; i < count; i++) {
        const zeros = ops.zeros(variable.shape);
        slots.push(ENGINE.makeVariable(zeros, `${variable.name}/slot${i}`, false));
        zeros.dispose();
      }
      this.slots.set(variable, slots);
    }
    return slots;
  }

  /** How many state tensors (moments) each variable has. */
  protected abstract get slotCount(): number;

  /** Create the state of every variable now (rather than at its first update) and return it. */
  prepare(variables: Variable[]): Tensor[] {
    return variables.flatMap((v) => this.slotsFor(v, this.slotCount));
  }

  /**
   * Apply one step. Gradients come as TF.js gives them, by variable name (a map, or
   * `{ name, tensor }` entries, resolved in the variable registry), or as variable-gradient
   * pairs. Every name and shape is checked before any variable changes.
   */
  applyGradients(grads: Record<string, Tensor> | { name: string; tensor: Tensor }[] | { variable: Variable; grad: Tensor }[]): void {
    const pairs = Array.isArray(grads)
      ? grads.map((g) => ('variable' in g ? g : { variable: variableNamed(g.name), grad: g.tensor }))
      : Object.entries(grads).map(([name, grad]) => ({ variable: variableNamed(name), grad }));
    for (const { variable, grad } of pairs) {
      grad.assertAlive('applyGradients');
      if (grad.shape.join() !== variable.shape.join()) {
        throw new Error(`applyGradients: variable '${variable.name}' has shape [${variable.shape}], its gradient ` +
          `has shape [${grad.shape}]`);
      }
    }
    this.iterations++;
    for (const { variable, grad } of pairs) this.update(variable, grad);
  }

  /** tf.Optimizer.computeGradients: f's value and its gradients by variable name. */
  computeGradients(f: () => Tensor, varList?: Variable[]): { value: Tensor; grads: Record<string, Tensor> } {
    return variableGrads(f, varList);
  }

  /**
   * tf.Optimizer.minimize: one step on f's gradients with respect to `varList` (default:
   * every trainable variable). Returns the cost when `returnCost`, else null.
   */
  minimize(f: () => Tensor, returnCost = false, varList?: Variable[]): Tensor | null {
    const list = varList ?? trainableVariables();
    const { value, grads } = gradients('minimize', f, list);
    try {
      if (value.size !== 1) throw new Error(`minimize: f must return a scalar; it returned shape [${value.shape}]`);
      const pairs = list.flatMap((variable, i) => (grads[i] ? [{ variable, grad: grads[i]! }] : []));
      if (pairs.length === 0) {
        throw new Error(`minimize: f does not depend on any of the ${list.length} variables through differentiable ops`);
      }
      this.applyGradients(pairs);
    } catch (error) {
      value.dispose();
      throw error;
    } finally {
      for (const g of grads) g?.dispose();
    }
    if (returnCost) return value;
    value.dispose();
    return null;
  }

  protected abstract update(variable: Variable, grad: Tensor): void;
  abstract getConfig(): Record<string, unknown>;

  dispose(): void {
    for (const slots of this.slots.values()) for (const s of slots) s.dispose();
    this.slots.clear();
  }
}

export class SGD extends Optimizer {
  readonly className = 'SGD';
  constructor(learningRate = 0.01, readonly momentum = 0, readonly nesterov = false) {
    super(learningRate);
    if (!(momentum >= 0)) throw new Error(`momentum: momentum must be >= 0; received ${momentum}`);
  }
  protected get slotCount(): number { return this.momentum > 0 ? 1 : 0; }
  protected update(variable: Variable, grad: Tensor): void {
    const velocity = this.momentum > 0 ? this.slotsFor(variable, 1)[0] : null;
    sgdUpdate(variable, grad, velocity, this.learningRate, this.momentum, this.nesterov);
  }
  getConfig(): Record<string, unknown> {
    return this.momentum > 0
      ? { learningRate: this.learningRate, momentum: this.momentum, useNesterov: this.nesterov }
      : { learningRate: this.learningRate };
  }
}

export class Adam extends Optimizer {
  readonly className = 'Adam';
  constructor(learningRate = 0.001, readonly beta1 = 0.9, readonly beta2 = 0.999, readonly epsilon = 1e-7) {
    super(learningRate);
  }
  protected get slotCount(): number { return 2; }
  protected update(variable: Variable, grad: Tensor): void {
    const [m, v] = this.slotsFor(variable, 2);
    adamUpdate(variable, grad, m, v, this.learningRate, this.beta1, this.beta2, this.epsilon, this.iterations);
  }
  getConfig(): Record<string, unknown> {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

export class RMSProp extends Optimizer {
  readonly className = 'RMSProp';
  constructor(learningRate = 0.001, readonly decay = 0.9, readonly momentum = 0, readonly epsilon = 1e-7) {
    super(learningRate);
  }
  protected get slotCount(): number { return this.momentum > 0 ? 2 : 1; }
  protected update(variable: Variable, grad: Tensor): void {
    const slots = this.slotsFor(variable, this.slotCount);
    rmspropUpdate(variable, grad, slots[0], slots[1] ?? null, this.learningRate, this.decay, this.momentum, this.epsilon);
  }
  getConfig(): Record<string, unknown> {
    return { learningRate: this.learningRate, decay: this.decay, momentum: this.momentum, epsilon: this.epsilon };
  }
}

/** sora.train.* as in TF.js. */
export const train = {
  sgd: (learningRate?: number) => new SGD(learningRate),
  momentum: (learningRate: number, momentum: number, useNesterov = false) => new SGD(learningRate, momentum, useNesterov),
  adam: (learningRate?: number, beta1?: number, beta2?: number, epsilon?: number) => new Adam(learningRate, beta1, beta2, epsilon),
  rmsprop: (learningRate: number, decay?: number, momentum?: number, epsilon?: number) =>
    new RMSProp(learningRate, decay, momentum, epsilon),
};

export function getOptimizer(id: unknown): Optimizer {
  if (id instanceof Optimizer) return id;
  if (typeof id === 'string') {
    switch (id.toLowerCase()) {
      case 'sgd': return new SGD();
      case 'adam': return new Adam();
      case 'rmsprop': return new RMSProp();
    }
  }
  throw new Error(`compile: unknown optimizer ${JSON.stringify(id)}; expected 'sgd', 'adam', 'rmsprop' or sora.train.*()`);
}
