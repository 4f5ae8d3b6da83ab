/**
 * Autograd as TF.js users know it: grad, grads, valueAndGrad, valueAndGrads,
 * variableGrads, customGrad; and the backward pass they share (`gradients`).
 *
 * The backward pass walks only the tape entries on a path from the xs to y, in reverse;
 * each entry's gradient runs in its own scope (its intermediates are freed at once), each
 * upstream gradient is freed as soon as its entry is done (peak memory is not forward plus
 * the whole backward), and every gradient is checked against its input's shape and dtype.
 * Gradients are computed with ops; inside an enclosing gradient computation they are
 * recorded too, which is what makes gradients of gradients work.
 */
import { ENGINE } from '../core/engine.js';
import { badGradient, missingGradient, node, relevantEntries, sameShape, type GradientFn } from '../core/tape.js';
import { Tensor, Variable } from '../core/tensor.js';
import { add } from './math/binary.js';
import { addComplex } from './math/complex.js';
import { fill } from './creation.js';
import { reshape } from './structure/shape.js';
import { checkTensor, describe } from './util.js';

/**
 * y = f() and dy/dx for each x (null where y does not depend on x). `dy`: the upstream
 * gradient (default ones of y's shape). Every intermediate is freed; value and gradients
 * belong to the caller.
 */
export function gradients(op: string, f: () => Tensor, xs: Tensor[], dy?: Tensor): { value: Tensor; grads: (Tensor | null)[] } {
  xs.forEach((x, i) => checkTensor(op, `xs[${i}]`, x));
  const { tape, start } = ENGINE.beginGradient();
  let forwardDone = false;
  ENGINE.startScope();
  try {
    const value = f();
    ENGINE.endForward();
    forwardDone = true;
    if (!(value instanceof Tensor)) throw new Error(`${op}: f must return a Tensor; it returned ${typeof value}`);
    value.assertAlive(op);
    if (dy !== undefined) {
      checkTensor(op, 'dy', dy);
      if (!sameShape(dy.shape, value.shape)) {
        throw new Error(`${op}: dy has shape [${dy.shape}] but f() has shape [${value.shape}]`);
      }
    }
    const grads = backprop(tape, start, xs, value, dy);
    try {
      // An x that y depends on only through argMax, argMin or an integer cast gets zeros, as
      // in TF.js; one that y depends on only through a comparison is an error, as in TF.js.
      xs.forEach((x, i) => { if (!grads[i] && reachesThroughZeroGradients(op, tape, start, x, value)) grads[i] = fill(x.shape, 0, 'float32'); });
    } catch (error) {
      for (const g of grads) g?.dispose();
      throw error;
    }
    ENGINE.endScope([value, grads]);
    return { value, grads };
  } catch (error) {
    if (!forwardDone) ENGINE.endForward();
    ENGINE.endScope();
    throw error;
  } finally {
    ENGINE.endGradient();
  }
}

function backprop(tape: Parameters<typeof relevantEntries>[0], start: number, xs: Tensor[], y: Tensor,
  dy: Tensor | undefined): (Tensor | null)[] {
  const entries = relevantEntries(tape, start, xs, y);
  // Keyed by graph node (a pinned handle counts as its origin).
  const grads = new Map<Tensor, Tensor>();
  grads.set(node(y), dy ? reshape(dy, dy.shape) : fill(y.shape, 1, 'float32'));
  const results = new Set<Tensor>(xs.map(node));
  // Plain loops: this runs for every recorded op of every training step.
  for (let e = 0; e < entries.length; e++) {
    const { entry, needs } = entries[e];
    const outputs = entry.outputs;
    const dys = new Array<Tensor | null>(outputs.length);
    let upstream = false;
    for (let k = 0; k < outputs.length; k++) {
      const d = grads.get(outputs[k]) ?? null;
      dys[k] = d;
      if (d) upstream = true;
    }
    if (!upstream) continue;
    if (!entry.gradient) throw missingGradient(entry);
    const firstNew = ENGINE.nextId;
    ENGINE.startScope();
    let inputGrads: (Tensor | null)[];
    try {
      inputGrads = entry.gradient(dys, entry.saved, needs, entry);
    } catch (error) {
      ENGINE.endScope();
      throw error;
    }
    ENGINE.endScope(inputGrads);
    const owned: Tensor[] = []; // this entry's gradients so far (a handful)
    for (let j = 0; j < entry.inputs.length; j++) {
      const input = entry.inputs[j];
      let g = inputGrads[j] ?? null;
      if (!g) continue;
      if (!needs[j]) {
        if (g.id >= firstNew && !owned.includes(g)) g.dispose();
        continue;
      }
      // A complex64 input's gradient is complex64 (src/ops/complex.ts); every other is float32.
      if (g.dtype !== (input.dtype === 'complex64' ? 'complex64' : 'float32') || !sameShape(g.shape, input.shape)) {
        throw badGradient(entry, j, g);
      }
      // A gradient that is not a fresh tensor (the upstream itself, a saved tensor, one
      // given to two inputs) gets its own handle, so freeing one never frees another; a
      // reshape view, so that an enclosing gradient still sees where it came from.
      if (g.id < firstNew || owned.includes(g)) g = reshape(g, g.shape);
      owned.push(g);
      const key = node(input);
      const previous = grads.get(key);
      if (previous) {
        grads.set(key, previous.dtype === 'complex64' ? addComplex(previous, g) : add(previous, g));
        previous.dispose();
        g.dispose();
      } else {
        grads.set(key, g);
      }
    }
    for (let k = 0; k < outputs.length; k++) {
      const o = outputs[k];
      if (results.has(o)) continue;
      dys[k]?.dispose();
      grads.delete(o);
    }
  }
  return xs.map((x) => grads.get(node(x)) ?? null);
}

/**
 * Ops whose integer output TF.js differentiates as zero (ArgMax, ArgMin), and cast, whose
 * integer or bool result is piecewise constant in x. TF.js passes dy through a cast to int32
 * or bool (so tf.grad of cast(cast(x, 'int32'), 'float32') is ones there); the derivative is
 * zero, as it is for floor, and sora gives zeros.
 */
const ZERO_GRADIENT_CUTS = new Set(['argMax', 'argMin', 'cast']);

/**
 * Whether y depends on x through the tape by a path whose float32 part ends at a zero-gradient
 * cut (above). False where x does not reach y at all. Throws where every path is cut at an
 * op with no gradient (equal, greater, topk's indices, ...), naming it, as TF.js throws there.
 */
function reachesThroughZeroGradients(op: string, tape: Parameters<typeof relevantEntries>[0], start: number, x: Tensor, y: Tensor): boolean {
  const reached = new Set<Tensor>([node(x)]);
  const floats = new Set<Tensor>([node(x)]);
  const onPath: boolean[] = new Array(tape.length).fill(false);
  for (let i = start; i < tape.length; i++) {
    const entry = tape[i];
    if (!entry.inputs.some((t) => reached.has(node(t)))) continue;
    onPath[i] = true;
    const fromFloat = entry.inputs.some((t) => floats.has(node(t)));
    for (const out of entry.outputs) {
      reached.add(out);
      if (fromFloat && (out.dtype === 'float32' || out.dtype === 'complex64')) floats.add(out);
    }
  }
  const toY = new Set<Tensor>([node(y)]);
  const cuts = new Set<string>();
  for (let i = tape.length - 1; i >= start; i--) {
    const entry = tape[i];
    if (!onPath[i] || !entry.outputs.some((t) => toY.has(t))) continue;
    for (const t of entry.inputs) if (reached.has(node(t))) toY.add(node(t));
    if (entry.inputs.some((t) => floats.has(node(t))) && entry.outputs.some((t) => toY.has(t) && !floats.has(t))) cuts.add(entry.def.name);
  }
  if (!toY.has(node(x)) || cuts.size === 0) return false;
  const blocking = [...cuts].filter((name) => !ZERO_GRADIENT_CUTS.has(name));
  if (blocking.length > 0) {
    throw new Error(`${op}: y depends on x only through ${blocking.map((b) => `'${b}'`).join(', ')}, which has no gradient ` +
      '(an integer or bool output)');
  }
  return true;
}

function noGradient(op: string, index: number): Error {
  return new Error(`${op}: cannot compute the gradient of y = f(x) with respect to x${index >= 0 ? `[${index}]` : ''}: ` +
    'y does not depend on it through differentiable float32 ops. Make sure f encloses every op from x to y.');
}

function checkFn(op: string, f: unknown): void {
  if (typeof f !== 'function') throw new Error(`${op}: expected f to be a function; received ${typeof f}`);
}

/** tf.grad: x => df/dx, for f of one tensor. */
export function grad(f: (x: Tensor) => Tensor): (x: Tensor, dy?: Tensor) => Tensor {
  checkFn('grad', f);
  return (x, dy) => {
    const { value, grads } = gradients('grad', () => f(x), [x], dy);
    value.dispose();
    if (!grads[0]) throw noGradient('grad', -1);
    return grads[0];
  };
}

/** tf.grads: xs => [df/dx0, df/dx1, ...]. */
export function grads(f: (...xs: Tensor[]) => Tensor): (xs: Tensor[], dy?: Tensor) => Tensor[] {
  checkFn('grads', f);
  return (xs, dy) => {
    if (!Array.isArray(xs)) throw new Error('grads: expected an array of tensors as the first argument');
    const { value, grads: gs } = gradients('grads', () => f(...xs), xs, dy);
    value.dispose();
    return requireAll('grads', gs);
  };
}

/** tf.valueAndGrad: x => { value, grad }. */
export function valueAndGrad(f: (x: Tensor) => Tensor): (x: Tensor, dy?: Tensor) => { value: Tensor; grad: Tensor } {
  checkFn('valueAndGrad', f);
  return (x, dy) => {
    const { value, grads: gs } = gradients('valueAndGrad', () => f(x), [x], dy);
    if (!gs[0]) { value.dispose(); throw noGradient('valueAndGrad', -1); }
    return { value, grad: gs[0] };
  };
}

/** tf.valueAndGrads: xs => { value, grads }. */
export function valueAndGrads(f: (...xs: Tensor[]) => Tensor): (xs: Tensor[], dy?: Tensor) => { value: Tensor; grads: Tensor[] } {
  checkFn('valueAndGrads', f);
  return (xs, dy) => {
    if (!Array.isArray(xs)) throw new Error('valueAndGrads: expected an array of tensors as the first argument');
    const { value, grads: gs } = gradients('valueAndGrads', () => f(...xs), xs, dy);
    try {
      return { value, grads: requireAll('valueAndGrads', gs) };
    } catch (error) {
      value.dispose();
      throw error;
    }
  }; 
}

function requireAll(op: string, gs: (Tensor | null)[]): Tensor[] {
  const missing = gs.findIndex((g) => g === null);
  if (missing >= 0) {
    for (const g of gs) g?.dispose();
    throw noGradient(op, missing);
  }
  return gs as Tensor[];
}

/** The trainable variables alive now, in creation order. */
export function trainableVariables(): Variable[] {
  return [...ENGINE.variables.values()].filter((v) => v.trainable);
}

/**
 * tf.variableGrads: f's value and its gradients with respect to `varList` (default: every
 * trainable variable), keyed by variable name; variables f does not use are left out.
 */
export function variableGrads(f: () => Tensor, varList?: Variable[]): { value: Tensor; grads: Record<string, Tensor> } {
  checkFn('variableGrads', f);
  const list = varList ?? trainableVariables();
  list.forEach((v, i) => {
    if (!(v instanceof Variable)) throw new Error(`variableGrads: varList[${i}] is not a Variable`);
  });
  const { value, grads: gs } = gradients('variableGrads', f, list);
  if (value.size !== 1 || value.dtype !== 'float32') {
    value.dispose();
    for (const g of gs) g?.dispose();
    throw new Error(`variableGrads: f must return a float32 scalar; it returned ${describe(value)}`);
  }
  const named: Record<string, Tensor> = {};
  list.forEach((v, i) => {
    const g = gs[i];
    if (!g) return;
    if (named[v.name]) g.dispose();
    else named[v.name] = g;
  });
  if (list.length > 0 && Object.keys(named).length === 0) {
    value.dispose();
    throw new Error(`variableGrads: f does not depend on any of the ${list.length} variables; ` +
      'make sure f uses them through differentiable float32 ops');
  }
  return { value, grads: named };
}

export type CustomGradientFunc = (...args: (Tensor | ((save: Tensor[]) => void))[]) => {
  value: Tensor | Tensor[];
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => Tensor | Tensor[];
};

/**
 * tf.customGrad: `f(...inputs, save)` returns `{ value, gradFunc(dy, saved) }`; the result
 * is a function whose gradient is `gradFunc` (written with ops, so it may be differentiated
 * again), while the ops inside f are not recorded.
 */
export function customGrad(f: CustomGradientFunc): (...inputs: Tensor[]) => Tensor {
  checkFn('customGrad', f);
  return (...inputs) => {
    inputs.forEach((t, i) => checkTensor('customGrad', `inputs[${i}]`, t));
    let savedTensors: Tensor[] = [];
    const save = (tensors: Tensor[]): void => {
      if (!Array.isArray(tensors) || tensors.some((t) => !(t instanceof Tensor))) {
        throw new Error('customGrad: save() takes an array of tensors');
      }
      savedTensors = tensors;
    };
    const { value, gradFunc } = ENGINE.withoutRecording(() => f(...inputs, save));
    if (Array.isArray(value)) throw new Error('customGrad: f must return one Tensor as value');
    if (!(value instanceof Tensor)) throw new Error('customGrad: f must return { value: Tensor, gradFunc }');
    if (typeof gradFunc !== 'function') throw new Error('customGrad: f must return { value, gradFunc: function }');
    const gradient: GradientFn = (dys, saved) => {
      const out = gradFunc(dys[0]!, saved);
      const list = Array.isArray(out) ? out : [out];
      if (list.length !== inputs.length) {
        throw new Error(`customGrad: gradFunc returned ${list.length} gradients for ${inputs.length} inputs`);
      }
      const bad = list.findIndex((g) => !(g instanceof Tensor));
      if (bad >= 0) {
        throw new Error(`customGrad: gradFunc must return only tensors (zerosLike(x) for none); gradient ${bad} is ${list[bad]}`);
      }
      return list;
    };
    // record pins the saved tensors in place: it is given its own copy of the list.
    ENGINE.record({ name: 'customGrad', inputs: inputs.map((_, i) => `inputs[${i}]`) }, inputs, [value], savedTensors.slice(),
      gradient, null);
    return value;
  };
}
