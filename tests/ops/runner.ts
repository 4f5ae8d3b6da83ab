/**
 * Runs an op case on the active backend and reads the results back: forward values,
 * analytic gradients of a weighted sum of the output, finite differences of the same, and
 * the same gradient computed inside a tidy inside the gradient. No test-runner import: used
 * in Node and bundled into Chromium and Deno.
 */
import * as sora from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { makeInput, type OpCase } from './specs.js';

export interface Result { shape: number[]; dtype: string; values: number[] }

async function read(t: Tensor): Promise<Result> {
  return { shape: t.shape.slice(), dtype: t.dtype, values: Array.from(await t.data()) };
}

/** The op's output on the active backend; throws if it leaked a tensor. */
export async function forward(opCase: OpCase): Promise<Result> {
  const before = sora.memory().numTensors;
  const inputs = opCase.inputs.map(makeInput);
  const out = sora.tidy(() => opCase.run(inputs));
  const result = await read(out);
  out.dispose();
  sora.dispose(inputs);
  const leaked = sora.memory().numTensors - before;
  if (leaked !== 0) throw new Error(`forward leaked ${leaked} tensors`);
  return result;
}

/** Fixed weights for the scalar loss sum(out * w), so every output element matters differently. */
function weights(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return sora.tensor(Array.from({ length: n }, (_, i) => ((i * 37) % 11) / 11 - 0.45), shape);
}

function loss(opCase: OpCase, inputs: Tensor[]): Tensor {
  const out = opCase.run(inputs);
  return sora.sum(sora.mul(out.dtype === 'float32' ? out : out.toFloat(), weights(out.shape)));
}

/**
 * d loss / d input for each input in `wrt`, on the active backend. `inTidy`: the op runs
 * inside a tidy inside the gradient (its intermediates freed before the backward pass).
 */
export async function analytic(opCase: OpCase, inTidy = false): Promise<Result[]> {
  const before = sora.memory().numTensors;
  const inputs = opCase.inputs.map(makeInput);
  const f = (...xs: Tensor[]) => {
    const all = inputs.map((t, i) => (opCase.wrt.includes(i) ? xs[opCase.wrt.indexOf(i)] : t));
    return inTidy ? sora.tidy(() => loss(opCase, all)) : loss(opCase, all);
  };
  const grads = sora.grads(f)(opCase.wrt.map((i) => inputs[i]));
  const results = await Promise.all(grads.map(read));
  sora.dispose(grads);
  sora.dispose(inputs);
  const leaked = sora.memory().numTensors - before;
  if (leaked !== 0) throw new Error(`the gradient${inTidy ? ' (op in a tidy)' : ''} leaked ${leaked} tensors`);
  return results;
}

/** Central differences of the loss (synchronous backends). */
export function numeric(opCase: OpCase, eps = 1e-2): number[][] {
  const at = (index: number, element: number, delta: number): number => sora.tidy(() => {
    const inputs = opCase.inputs.map((input, i) => {
      if (i !== index) return makeInput(input);
      const values = input.values.slice();
      values[element] += delta;
      return makeInput({ ...input, values });
    });
    return loss(opCase, inputs).dataSync()[0];
  });
  return opCase.wrt.map((index) => opCase.inputs[index].values.map((_, e) => (at(index, e, eps) - at(index, e, -eps)) / (2 * eps)));
}

/** Throws naming the label and the first element out of tolerance (NaN must match NaN). */
export function assertClose(label: string, actual: Result, expected: Result, tol = { atol: 1e-5, rtol: 1e-4 }): void {
  if (actual.shape.join() !== expected.shape.join() || actual.dtype !== expected.dtype) {
    throw new Error(`${label}: got [${actual.shape}] ${actual.dtype}, expected [${expected.shape}] ${expected.dtype}`);
  }
  closeArrays(label, actual.values, expected.values, tol);
}

export function closeArrays(label: string, actual: number[], expected: number[], tol: { atol: number; rtol: number }): void {
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    const same = Number.isNaN(e) ? Number.isNaN(a) : a === e || Math.abs(a - e) <= Math.max(tol.atol, tol.rtol * Math.abs(e));
    if (!same) throw new Error(`${label}: element ${i} is ${a}, expected ${e} (atol ${tol.atol}, rtol ${tol.rtol})`);
  }
}
