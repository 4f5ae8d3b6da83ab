/**
 * One training step, evaluation sums and prediction, for any graph model: inputs and
 * targets standardized to lists (checked for count and shape, naming the input or output),
 * one gradient computation of the weighted sum of per-output losses, a NaN check, one
 * optimizer update. A crossentropy on an output that came from softmax trains on its logits
 * (src/layers/logits.ts).
 */
import { ENGINE } from '../core/engine.js';
import { Tensor, type Variable } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { gradients } from '../ops/autograd.js';
import { getLoss } from '../training/losses.js';
import { logitsOf } from '../layers/logits.js';
import type { Constraint } from '../layers/base.js';
import { shapeString, type SymbolicTensor } from '../layers/graph.js';
import type { Compiled, OutputLoss } from './compile.js';

/** What the step and the trainer need of a model. */
export interface GraphModel {
  readonly name: string;
  readonly inputs: SymbolicTensor[];
  readonly outputs: SymbolicTensor[];
  readonly inputNames: string[];
  readonly outputNames: string[];
  stopTraining: boolean;
  execute(xs: Tensor[], training: boolean): Tensor[];
  readonly weights: Variable[];
  readonly trainableWeights: Variable[];
  regularizationLoss(): Tensor | null;
  constraintsOf(): Map<Variable, Constraint>;
  getWeights(): Tensor[];
  setWeights(weights: Tensor[]): void;
}

export type TensorOrList = Tensor | Tensor[] | Record<string, Tensor>;

/** A value given for the model's inputs (or outputs) as the list of its tensors, checked. */
export function standardize(where: string, what: 'inputs' | 'targets', value: unknown, symbolic: SymbolicTensor[],
  names: string[]): Tensor[] {
  let list: unknown[];
  if (value instanceof Tensor) list = [value];
  else if (Array.isArray(value)) list = value;
  else if (value !== null && typeof value === 'object') {
    const dict = value as Record<string, unknown>;
    for (const key of Object.keys(dict)) {
      if (!names.includes(key)) throw new Error(`${where}: unknown ${what === 'inputs' ? 'input' : 'output'} '${key}'; expected ${names.join(', ')}`);
    }
    list = names.map((n) => {
      if (!(n in dict)) throw new Error(`${where}: no ${what} given for '${n}'`);
      return dict[n];
    });
  } else throw new Error(`${where}: ${what} must be a Tensor, a list of Tensors or a dict by name; received ${value === null ? 'null' : typeof value}`);
  if (list.length !== symbolic.length) {
    throw new Error(`${where}: the model has ${symbolic.length} ${what === 'inputs' ? 'input' : 'output'}(s) (${names.join(', ')}) ` +
      `but ${list.length} ${what} tensors were given`);
  }
  return list.map((t, i) => {
    if (!(t instanceof Tensor)) throw new Error(`${where}: ${what} ${i} ('${names[i]}') must be a Tensor; received ${typeof t}`);
    t.assertAlive(where);
    if (what === 'inputs') {
      const expected = symbolic[i].shape;
      if (t.rank !== expected.length || expected.some((d, k) => k > 0 && d !== null && d !== t.shape[k])) {
        const consumers = [...new Set(symbolic[i].consumers.map((l) => l.name))];
        throw new Error(`${where}: ${consumers.join(', ') || names[i]} expects input of shape ${shapeString(expected)}, ` +
          `received [${t.shape}] (model input '${names[i]}')`);
      }
    }
    return t;
  });
}

export function checkSamples(where: string, xs: Tensor[], ys: Tensor[], compiled: Compiled | null, model: GraphModel): number {
  const count = xs[0].shape[0];
  xs.forEach((x, i) => {
    if (x.shape[0] !== count) throw new Error(`${where}: input '${model.inputNames[i]}' has ${x.shape[0]} samples, input '${model.inputNames[0]}' has ${count}; they must match`);
  });
  ys.forEach((y, i) => {
    if (y.shape[0] !== count) {
      throw new Error(`${where}: x has ${count} samples but the targets of '${model.outputNames[i]}' have ${y.shape[0]}; they must match`);
    }
    compiled?.losses[i].builtin?.checkLabels(y, model.outputs[i].shape);
  });
  return count;
}

/** An output's loss, through the logits when it came from softmax and the loss allows. */
function outputLoss(loss: OutputLoss, y: Tensor, out: Tensor): Tensor {
  const logits = loss.builtin && !loss.fromLogits && logitsOf(out);
  const fusable = logits && (loss.id === 'categoricalCrossentropy' || loss.id === 'sparseCategoricalCrossentropy') && out.rank === 2;
  const value = fusable ? (loss.onLogits ??= getLoss(loss.id, { fromLogits: true })).compute(y, logits) : loss.compute(y, out);
  if (!(value instanceof Tensor)) throw new Error(`loss '${loss.id}' returned ${typeof value}, not a Tensor`);
  return value.rank === 0 ? value : ops.mean(value);
}

/** Total (weighted, with penalties) and per-output losses; per-output only when there are several. */
function losses(model: GraphModel, compiled: Compiled, ys: Tensor[], outs: Tensor[]): Tensor[] {
  const each = compiled.losses.map((loss, i) => outputLoss(loss, ys[i], outs[i]));
  let total: Tensor = compiled.losses[0].weight === 1 ? each[0] : ops.mul(each[0], compiled.losses[0].weight);
  for (let i = 1; i < each.length; i++) total = ops.add(total, compiled.losses[i].weight === 1 ? each[i] : ops.mul(each[i], compiled.losses[i].weight));
  const penalty = model.regularizationLoss();
  if (penalty) total = ops.add(total, penalty);
  return each.length > 1 ? [total, ...each] : [total];
}

function metricValues(compiled: Compiled, ys: Tensor[], outs: Tensor[]): Tensor[] {
  return compiled.metrics.flatMap((list, i) => list.map((m) => {
    const v = m.compute(ys[i], outs[i], compiled.losses[i].fromLogits);
    return v.rank === 0 ? v : ops.mean(v);
  }));
}

export function nonFiniteLoss(where: string, value: number): Error {
  return new Error(`${where}: the loss became ${value}; training stopped and the weights were left as ` +
    'they were before this step. Lower the learning rate, or check the inputs for NaN / huge values.');
}

/**
 * One optimizer step; returns the logs' values ([loss, ...per-output, ...metrics]) as scalar
 * tensors for the caller to dispose. `checked`: read the loss first and throw on NaN before
 * anything changes. Unchecked steps read nothing back (webgpu).
 */
export async function trainStep(model: GraphModel, compiled: Compiled, xs: Tensor[], ys: Tensor[], where: string,
  checked: boolean): Promise<Tensor[]> {
  const variables = model.trainableWeights;
  let outs: Tensor[] = [];
  let extra: Tensor[] = [];
  const { value, grads } = gradients('fit', () => {
    outs = model.execute(xs, true).map((t) => (xs.includes(t) ? t : ENGINE.keep(t)));
    const [total, ...each] = losses(model, compiled, ys, outs);
    extra = each.map((t) => ENGINE.keep(t));
    return total;
  }, variables);
  try {
    if (checked) {
      const lossValue = (await value.data())[0];
      if (!Number.isFinite(lossValue)) throw nonFiniteLoss(where, lossValue);
    }
    compiled.optimizer.applyGradients(variables.flatMap((variable, i) => (grads[i] ? [{ variable, grad: grads[i]! }] : [])));
    const constraints = model.constraintsOf();
    if (constraints.size) {
      ENGINE.tidy(() => {
        for (const [w, c] of constraints) if (variables.includes(w)) w.assign(c.apply(w));
      });
    }
    return [value, ...extra, ...ENGINE.tidy(() => metricValues(compiled, ys, outs))];
  } catch (error) {
    value.dispose();
    for (const t of extra) t.dispose();
    throw error;
  } finally {
    for (const g of grads) g?.dispose();
    for (const t of outs) if (!xs.includes(t)) t.dispose();
  }
}

export async function readScalars(tensors: Tensor[]): Promise<number[]> {
  return Promise.all(tensors.map(async (t) => (await t.data())[0]));
}

/** Running batch-weighted sums of the logs, kept on the backend (no read-back). */
export class RunningSums {
  sums: Tensor[] | null = null;
  count = 0;
  add(values: Tensor[], size: number): void {
    const previous = this.sums;
    this.sums = ENGINE.tidy(() => values.map((v, i) => {
      const weighted = ops.mul(v, size);
      return previous ? ops.add(previous[i], weighted) : weighted;
    }));
    this.count += size;
    for (const t of previous ?? []) t.dispose();
  }
  /** The means as scalar tensors (still on the backend); resets. */
  means(length: number): Tensor[] {
    const sums = this.sums;
    const count = Math.max(this.count, 1);
    const means = sums ? ENGINE.tidy(() => sums.map((s) => ops.div(s, count))) : Array.from({ length }, () => ops.scalar(0));
    this.dispose();
    return means;
  }
  dispose(): void {
    for (const t of this.sums ?? []) t.dispose();
    this.sums = null;
    this.count = 0;
  }
}

/** Loss and metric values of one batch, without training. */
export function evaluateBatch(model: GraphModel, compiled: Compiled, xs: Tensor[], ys: Tensor[]): Tensor[] {
  return ENGINE.tidy(() => {
    const outs = model.execute(xs, false);
    return [...losses(model, compiled, ys, outs), ...metricValues(compiled, ys, outs)];
  });
}

/** Means over all samples in batches, as scalar tensors (TF.js's evaluate result). */
export function evaluateTensors(model: GraphModel, compiled: Compiled, xs: Tensor[], ys: Tensor[], batchSize: number): Tensor[] {
  const count = xs[0].shape[0];
  const sums = new RunningSums();
  try {
    for (let start = 0; start < count; start += batchSize) {
      const size = Math.min(batchSize, count - start);
      const slice = (t: Tensor) => (start === 0 && size === count ? t : ops.slice(t, start, size));
      const xb = xs.map(slice), yb = ys.map(slice);
      const values = evaluateBatch(model, compiled, xb, yb);
      sums.add(values, size);
      for (const t of [...values, ...xb, ...yb]) if (!xs.includes(t) && !ys.includes(t)) t.dispose();
    }
    return sums.means(compiled.keys.length);
  } finally {
    sums.dispose();
  }
}

/** Outputs for every sample, in batches. */
export function predictTensors(model: GraphModel, xs: Tensor[], batchSize: number): Tensor[] {
  const count = xs[0].shape[0];
  if (count <= batchSize) return ENGINE.tidy(() => model.execute(xs, false).map((t) => (xs.includes(t) ? ops.clone(t) : t)));
  const parts: Tensor[][] = [];
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    parts.push(ENGINE.tidy(() => model.execute(xs.map((x) => ops.slice(x, start, size)), false)));
  }
  const outs = model.outputs.map((_, i) => ops.concat(parts.map((p) => p[i]), 0));
  for (const p of parts) for (const t of p) t.dispose();
  return outs;
}
