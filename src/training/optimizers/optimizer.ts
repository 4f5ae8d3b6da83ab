/**
 * The optimizer base class (TF.js's tf.Optimizer): minimize, computeGradients,
 * applyGradients, the per-variable state ("slots", created on first use and named as TF.js
 * names them), and getWeights / setWeights of that state. The optimizers are in
 * src/optimizers.ts and src/optimizers_composed.ts.
 */
import { ENGINE } from '../../core/engine.js';
import type { Tensor, Variable } from '../../core/tensor.js';
import * as ops from '../../ops/index.js';
import { gradients, trainableVariables, variableGrads } from '../../ops/autograd.js';
import { sameShape } from '../../core/tape.js';
import type { UpdateGroup } from '../../ops/optim.js';

/** The registered variable called `name`; an unknown or ambiguous name is an error. */
function variableNamed(name: string, where = 'applyGradients'): Variable {
  const found = [...ENGINE.variables.values()].filter((v) => v.name === name);
  if (found.length !== 1) {
    throw new Error(`${where}: ${found.length === 0 ? 'no' : `${found.length}`} registered variables are named ` +
      `'${name}'; pass { variable, grad } pairs instead`);
  }
  return found[0];
}

/** A tensor with a name, as applyGradients and getWeights take and give them (TF.js's NamedTensor). */
export interface NamedTensor { name: string; tensor: Tensor }

/**
 * The base class of the optimizers (tf.Optimizer): minimize(f) and applyGradients update variables, and
 * getWeights / setWeights save and restore the optimizer's state.
 */
export abstract class Optimizer {
  /** The optimizer's class name as TF.js saves it ('Adam', 'SGD', ...). */
  abstract readonly className: string;
  /** The number of steps taken. */
  iterations = 0;
  protected readonly slots = new Map<Variable, Variable[]>();
  /** TF.js's names of the per-variable state, in its getWeights order ('m', 'v' for Adam). */
  protected abstract readonly slotNames: readonly string[];
  /** Sets the learning rate; the subclasses' constructors give their own defaults. */
  constructor(public learningRate: number) {
    if (!(Number.isFinite(learningRate) && learningRate > 0)) {
      throw new Error(`optimizer: learningRate must be a positive number; received ${learningRate}`);
    }
  }

  /** State TF.js keeps that cannot change this optimizer's updates (RMSProp's moments at momentum 0): setWeights skips it. */
  protected stateUnused(_kind: number): boolean { return false; }

  /** The value a new state tensor starts at (Adagrad's accumulators start at initialAccumulatorValue). */
  protected get slotInitialValue(): number { return 0; }

  /** The variable's state tensors, created on first use (or by prepare), named as TF.js names them. */
  protected slotsFor(variable: Variable, count: number): Variable[] {
    const initial = this.slotInitialValue;
    let slots = this.slots.get(variable);
    if (!slots) {
      slots = [];
      for (let i = 0; i < count; i++) {
        const start = ops.fill(variable.shape, initial);
        slots.push(ENGINE.makeVariable(start, `${variable.name}/${this.slotNames[i] ?? `slot${i}`}`, false));
        start.dispose();
      }
      this.slots.set(variable, slots);
    }
    return slots;
  }

  /** Each variable with its gradient and state (created on first use), as the fused update ops take them. */
  protected groups(pairs: readonly { variable: Variable; grad: Tensor }[]): UpdateGroup[] {
    const count = this.slotCount;
    const groups = new Array<UpdateGroup>(pairs.length);
    for (let i = 0; i < pairs.length; i++) {
      const { variable, grad } = pairs[i];
      groups[i] = { variable, grad, state: this.slotsFor(variable, count) };
    }
    return groups;
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
      if (!sameShape(grad.shape, variable.shape)) {
        throw new Error(`applyGradients: variable '${variable.name}' has shape [${variable.shape}], its gradient ` +
          `has shape [${grad.shape}]`);
      }
    }
    this.iterations++;
    this.updateAll(pairs);
  }

  /**
   * One step of every variable. The optimizers with fused kernels override it with one op call
   * for all of them (no op dispatch per variable); the others update each in turn.
   */
  protected updateAll(pairs: readonly { variable: Variable; grad: Tensor }[]): void {
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
  /** The optimizer's hyperparameters as TF.js saves them ({ learningRate, ... }). */
  abstract getConfig(): Record<string, unknown>;

  /** TF.js's getClassName: the name saved with a model's optimizer. */
  getClassName(): string { return this.className; }

  /**
   * Adds one to the step count (tf.Optimizer's iterations), as each applyGradients step does; Adam and Adamax
   * use the count for bias correction.
   */
  incrementIterations(): void { this.iterations++; }

  /** The iteration count as TF.js saves it: { name: 'iter', tensor: int32 scalar }. */
  async saveIterations(): Promise<NamedTensor> {
    return { name: 'iter', tensor: ops.scalar(this.iterations, 'int32') };
  }

  /** Reads the iteration count from the first entry; returns the rest. */
  async extractIterations(weightValues: NamedTensor[]): Promise<NamedTensor[]> {
    if (!weightValues?.length || weightValues[0].tensor.size !== 1) {
      throw new Error('extractIterations: expected the iteration count (a scalar) first');
    }
    this.iterations = (await weightValues[0].tensor.data())[0];
    return weightValues.slice(1);
  }

  /**
   * The iteration count, then the state of every variable, grouped by kind in TF.js's
   * order (Adam: every 'm', then every 'v'), each named '<variable>/<kind>'.
   */
  async getWeights(): Promise<NamedTensor[]> {
    const state: NamedTensor[] = [];
    const all = [...this.slots.values()];
    for (let k = 0; k < Math.max(0, ...all.map((s) => s.length)); k++) {
      for (const slots of all) if (slots[k]) state.push({ name: slots[k].name, tensor: slots[k] });
    }
    return [await this.saveIterations(), ...state];
  }

  /** Restores what getWeights gave (from this or a TF.js optimizer of the same class), by variable name. */
  async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const state = await this.extractIterations(weightValues);
    for (const { name, tensor } of state) {
      const cut = name.lastIndexOf('/');
      const kind = this.slotNames.indexOf(name.slice(cut + 1));
      if (cut < 0 || kind < 0) {
        throw new Error(`setWeights: '${name}' is not state of a ${this.className} optimizer (expected '<variable>/` +
          `${this.slotNames.join("' or '<variable>/")}')`);
      }
      const variable = variableNamed(name.slice(0, cut), 'setWeights');
      const slots = this.slotsFor(variable, this.slotCount);
      if (!slots[kind] && this.stateUnused(kind)) continue;
      if (!slots[kind]) throw new Error(`setWeights: this ${this.className} optimizer keeps no '${this.slotNames[kind]}' state`);
      slots[kind].assign(tensor);
    }
  }

  /**
   * Frees the optimizer's state (its moment and accumulator variables); stepping again afterwards starts that
   * state from zeros (the step count is kept).
   */
  dispose(): void {
    for (const slots of this.slots.values()) for (const s of slots) s.dispose();
    this.slots.clear();
  }
}

