/**
 * The recurrent op (src/ops/recurrent/sequence.ts) on the reference backend: hSeq and the
 * gradients of x, h0 and the weights against TF.js's own simpleRNN / lstm / gru layers (cpu
 * backend; masks, goBackwards, initial states, hardSigmoid), every input's gradient by finite differences for every cell and option, the
 * composed per-step path against the kernel path (values and gradients), and no leaks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { ENGINE } from '../../src/core/engine.js';
import { addOpObserver } from '../../src/ops/registry.js';
import { recurrentSequence, type RecurrentSequenceArgs } from '../../src/ops/recurrent/sequence.js';
import { CASES, caseLabel, makeValues, type OpCase, type Values } from './recurrent-cases.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await sora.setBackend('reference');
});

/** The op's arguments from plain values (sora tensors; the caller disposes them). */
function argsOf(c: OpCase, v: Values): RecurrentSequenceArgs {
  const t = (x: { values: Float32Array; shape: number[] } | null) => (x === null ? null : sora.tensor(x.values, x.shape));
  return {
    cell: c.cell, activation: c.activation, recurrentActivation: c.recurrentActivation, resetAfter: c.resetAfter ?? false,
    x: t(v.x)!, kernel: t(v.kernel)!, recurrentKernel: t(v.recurrentKernel)!, bias: t(v.bias), recurrentBias: t(v.recurrentBias),
    h0: t(v.h0)!, c0: t(v.c0), mask: v.mask && sora.tensor(v.mask.values, v.mask.shape, v.mask.dtype),
    inputDropoutMask: t(v.inputDropoutMask), recurrentDropoutMask: t(v.recurrentDropoutMask), goBackwards: c.goBackwards ?? false,
  };
}
const tensorsOf = (a: RecurrentSequenceArgs): Tensor[] =>
  [a.x, a.kernel, a.recurrentKernel, a.bias, a.recurrentBias, a.h0, a.c0, a.mask, a.inputDropoutMask, a.recurrentDropoutMask]
    .filter((t): t is Tensor => t !== null);

/** Runs f with the active backend's recurrent kernels hidden, so the op takes its composed path. */
function composed<T>(f: () => T): T {
  const backend = ENGINE.backend as unknown as Record<string, unknown>;
  backend.recurrentSequence = undefined;
  backend.recurrentSequenceBackward = undefined;
  try { return f(); } finally {
    delete backend.recurrentSequence;
    delete backend.recurrentSequenceBackward;
  }
}

/** The differentiable inputs present in a case, by name. */
const WRT = ['x', 'kernel', 'recurrentKernel', 'bias', 'recurrentBias', 'h0', 'c0'] as const;
type WrtName = (typeof WRT)[number];

/** The scalar the gradients are of: sum(hSeq * wh) + sum(cSeq * wc), fixed weights. */
function lossOf(a: RecurrentSequenceArgs): Tensor {
  const { hSeq, cSeq } = recurrentSequence(a);
  const w = (shape: number[], k: number) => sora.tensor(Float32Array.from({ length: shape.reduce((p, q) => p * q, 1) },
    (_, i) => (((i + k) * 37) % 11) / 11 - 0.45), shape);
  const lh = sora.sum(sora.mul(hSeq, w(hSeq.shape, 0)));
  return cSeq ? sora.add(lh, sora.sum(sora.mul(cSeq, w(cSeq.shape, 5)))) : lh;
}

function gradients(a: RecurrentSequenceArgs, names: WrtName[]): Float32Array[] {
  return sora.tidy(() => {
    const xs = names.map((n) => a[n] as Tensor);
    const f = (...ts: Tensor[]) => lossOf({ ...a, ...Object.fromEntries(names.map((n, i) => [n, ts[i]])) });
    return sora.grads(f)(xs).map((g) => g.dataSync() as Float32Array);
  });
}

describe('recurrentSequence against TF.js layers (cpu)', () => {
  for (const [n, c] of CASES.entries()) {
    if (c.inputDropout || c.recurrentDropout || c.resetAfter || c.maskDType === 'float32') continue; // TF.js has no way to take these
    it(`hSeq, the last state and the gradients match TF.js: ${caseLabel(c)}`, () => {
      const v = makeValues(c, 10 + n);
      const a = argsOf(c, v);
      const { hSeq, cSeq } = recurrentSequence(a);
      const config = {
        units: c.units, activation: c.activation, recurrentActivation: c.recurrentActivation, returnSequences: true,
        returnState: true, goBackwards: c.goBackwards ?? false, useBias: v.bias !== null,
      };
      const layer = c.cell === 'simple' ? tf.layers.simpleRNN(config) : c.cell === 'lstm' ? tf.layers.lstm(config) : tf.layers.gru(config);
      const x = tf.tensor(v.x.values, v.x.shape);
      const initialState = [tf.tensor(v.h0.values, v.h0.shape), ...(v.c0 ? [tf.tensor(v.c0.values, v.c0.shape)] : [])];
      const mask = v.mask ? tf.tensor(v.mask.values, v.mask.shape, 'bool') : undefined;
      tf.dispose(layer.apply(x, { initialState, mask }) as tf.Tensor[]); // builds the layer
      const weights = [v.kernel, v.recurrentKernel, ...(v.bias ? [v.bias] : [])].map((w) => tf.tensor(w.values, w.shape));
      layer.setWeights(weights);
      const out = layer.apply(x, { initialState, mask }) as tf.Tensor[];
      const close = (got: ArrayLike<number>, want: ArrayLike<number>, what: string) => {
        expect(got.length, what).toBe(want.length);
        for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i]), `${what} element ${i}: sora ${got[i]}, TF.js ${want[i]}`).toBeLessThan(2e-6);
      };
      close(hSeq.dataSync(), out[0].dataSync(), 'hSeq');
      const last = (seq: Tensor) => sora.slice(seq, [0, c.steps - 1, 0], [c.batch, 1, c.units]).dataSync();
      close(last(hSeq), out[1].dataSync(), 'the last output');
      if (cSeq) close(last(cSeq), out[2].dataSync(), 'the last cell state');

      // The gradients of sum(hSeq * w): x and h0 by tf.grads, the weights by tf.variableGrads.
      const w = Float32Array.from({ length: hSeq.size }, (_, i) => ((i * 37) % 11) / 11 - 0.45);
      const tfLoss = (xx: tf.Tensor, h: tf.Tensor) =>
        tf.sum(tf.mul((layer.apply(xx, { initialState: [h, ...initialState.slice(1)], mask }) as tf.Tensor[])[0], tf.tensor(w, hSeq.shape)));
      if (c.steps === 1) {
        // TF.js cannot differentiate a one-step sequence: Unpack's gradient hands stack() a lone
        // tensor ("Argument tensors passed to stack must be a `Tensor[]`"). sora's gradients of
        // this case are checked by finite differences below.
        expect(() => tf.grads((xx: tf.Tensor, h: tf.Tensor) => tfLoss(xx, h))([x, initialState[0]])).toThrow(/passed to stack must be/);
        tf.dispose([x, ...initialState, ...(mask ? [mask] : []), ...out, ...weights]);
        sora.dispose([hSeq, ...(cSeq ? [cSeq] : []), ...tensorsOf(a)]);
        return;
      }
      const [dxTf, dh0Tf] = tf.grads((xx: tf.Tensor, h: tf.Tensor) => tfLoss(xx, h))([x, initialState[0]]);
      const variables = layer.trainableWeights.map((lw) => lw.read() as tf.Variable);
      const { value, grads: byName } = tf.variableGrads(() => tfLoss(x, initialState[0]) as tf.Scalar, variables);
      const names: WrtName[] = ['x', 'h0', 'kernel', 'recurrentKernel', ...(v.bias ? ['bias' as const] : [])];
      const got = sora.tidy(() => {
        const f = (...ts: Tensor[]) => sora.sum(sora.mul(recurrentSequence({ ...a, ...Object.fromEntries(names.map((name, i) => [name, ts[i]])) }).hSeq,
          sora.tensor(w, hSeq.shape)));
        return sora.grads(f)(names.map((name) => a[name] as Tensor)).map((g) => g.dataSync());
      });
      const want = [dxTf, dh0Tf, ...variables.map((variable) => byName[variable.name])];
      names.forEach((name, i) => close(got[i], want[i].dataSync(), `d${name}`));
      tf.dispose([x, ...initialState, ...(mask ? [mask] : []), ...out, ...weights, dxTf, dh0Tf, value, ...Object.values(byName)]);
      sora.dispose([hSeq, ...(cSeq ? [cSeq] : []), ...tensorsOf(a)]);
    });
  }
});

describe('recurrentSequence gradients', () => {
  for (const [n, c] of CASES.entries()) {
    it(`every input's gradient matches finite differences, and the composed path: ${caseLabel(c)}`, () => {
      const v = makeValues(c, 40 + n);
      const a = argsOf(c, v);
      const names = WRT.filter((name) => a[name] !== null);
      const before = sora.memory().numTensors;
      const analytic = gradients(a, names);
      expect(sora.memory().numTensors, 'tensors left by the gradient').toBe(before);
      const viaOps = composed(() => gradients(a, names));
      const eps = 1e-3;
      names.forEach((name, k) => {
        const source = v[name]!;
        // The composed path differentiates the same function with other rounding.
        for (let i = 0; i < analytic[k].length; i++) {
          expect(Math.abs(viaOps[k][i] - analytic[k][i]), `composed d${name}[${i}]: ${viaOps[k][i]} vs kernel ${analytic[k][i]}`)
            .toBeLessThan(2e-4 * Math.max(1, Math.abs(analytic[k][i])));
        }
        // Finite differences of every element (float32 forward: eps 1e-3).
        for (let i = 0; i < source.values.length; i++) {
          const probe = (delta: number) => {
            const values = source.values.slice();
            values[i] += delta;
            const moved = sora.tensor(values, source.shape);
            const l = sora.tidy(() => lossOf({ ...a, [name]: moved }).dataSync()[0]);
            moved.dispose();
            return l;
          };
          const numeric = (probe(eps) - probe(-eps)) / (2 * eps);
          expect(Math.abs(analytic[k][i] - numeric), `d${name}[${i}]: analytic ${analytic[k][i]}, numeric ${numeric}`)
            .toBeLessThan(4e-3 * Math.max(1, Math.abs(numeric)));
        }
      });
      sora.dispose(tensorsOf(a));
    });
  }
});

describe('recurrentSequence paths', () => {
  it('runs the kernel op where the backend has the kernels, composed ops where it has not', () => {
    const c = CASES.find((k) => k.cell === 'lstm')!;
    const a = argsOf(c, makeValues(c, 3));
    const ran: string[] = [];
    const stop = addOpObserver((name, _i, _o, _ms, kernel) => { if (kernel) ran.push(name); });
    try {
      const viaKernel = recurrentSequence(a);
      expect(ran).toContain('lstmSequence');
      ran.length = 0;
      const viaOps = composed(() => recurrentSequence(a));
      expect(ran).not.toContain('lstmSequence');
      expect(ran).toContain('matMul');
      const k = viaKernel.hSeq.dataSync(), o = viaOps.hSeq.dataSync();
      for (let i = 0; i < k.length; i++) expect(Math.abs(k[i] - o[i])).toBeLessThan(1e-6);
      sora.dispose([viaKernel.hSeq, viaKernel.cSeq!, viaOps.hSeq, viaOps.cSeq!]);
    } finally {
      stop();
      sora.dispose(tensorsOf(a));
    }
  });

  it("a simple cell ignores recurrentActivation (it has no gates)", () => {
    const c = CASES.find((k) => k.cell === 'simple')!;
    const a = argsOf(c, makeValues(c, 4));
    const want = recurrentSequence(a).hSeq;
    const got = recurrentSequence({ ...a, recurrentActivation: 'whatever' as never }).hSeq;
    expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
    sora.dispose([want, got, ...tensorsOf(a)]);
  });

  it('a numeric mask runs the steps where it is nonzero, as the bool mask does', () => {
    const c = CASES.find((k) => k.cell === 'gru' && k.mask)!;
    const v = makeValues(c, 5);
    const a = argsOf(c, v);
    const numeric = sora.tensor(Float32Array.from(v.mask!.values, (m, i) => (m ? 1 + (i % 3) : 0)), v.mask!.shape);
    const want = recurrentSequence(a).hSeq;
    const got = recurrentSequence({ ...a, mask: numeric }).hSeq;
    expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
    sora.dispose([numeric, want, got, ...tensorsOf(a)]);
  });

  it('an empty batch gives an empty hSeq and zero weight gradients, on both paths', () => {
    const c = CASES.find((k) => k.cell === 'gru' && k.mask)!;
    const v = makeValues({ ...c, batch: 0 }, 8);
    const a = argsOf(c, v);
    for (const path of [<T>(f: () => T) => f(), composed]) {
      const [dx, dU] = path(() => gradients(a, ['x', 'recurrentKernel']));
      expect(dx.length).toBe(0);
      expect(Array.from(dU)).toEqual(new Array(dU.length).fill(0));
      const { hSeq } = path(() => recurrentSequence(a));
      expect(hSeq.shape).toEqual([0, c.steps, c.units]);
      hSeq.dispose();
    }
    sora.dispose(tensorsOf(a));
  });

  it('a gradient through cSeq alone (hSeq unused) matches the composed path', () => {
    const c = CASES.find((k) => k.cell === 'lstm' && k.mask)!;
    const a = argsOf(c, makeValues(c, 12));
    const names: WrtName[] = ['x', 'recurrentKernel', 'h0', 'c0'];
    const viaCells = () => sora.tidy(() => sora.grads((...ts: Tensor[]) =>
      sora.sum(sora.square(recurrentSequence({ ...a, ...Object.fromEntries(names.map((n, i) => [n, ts[i]])) }).cSeq!)))(
      names.map((n) => a[n] as Tensor)).map((g) => g.dataSync()));
    const got = viaCells();
    const want = composed(viaCells);
    got.forEach((g, k) => g.forEach((value, i) => expect(Math.abs(value - want[k][i]), `d${names[k]}[${i}]`).toBeLessThan(1e-5)));
    expect(got[1].some((value) => value !== 0)).toBe(true);
    sora.dispose(tensorsOf(a));
  });

  it('a gradient of the gradient is an error naming the backward op', () => {
    const c = CASES.find((k) => k.cell === 'simple')!;
    const a = argsOf(c, makeValues(c, 6));
    const second = () => sora.grad((h0: Tensor) => sora.sum(sora.grad((h: Tensor) => lossOf({ ...a, h0: h }))(h0)))(a.h0);
    expect(second).toThrow(/recurrentSequenceBackward/);
    sora.dispose(tensorsOf(a));
  });
});

describe('recurrentSequence bad input', () => {
  const c = CASES.find((k) => k.cell === 'lstm' && k.batch === 3)!;
  const bad: [string, (a: RecurrentSequenceArgs) => RecurrentSequenceArgs, RegExp][] = [
    ['a kernel of the wrong width', (a) => ({ ...a, kernel: sora.zeros([c.inputDim, 3 * c.units]) }),
      /recurrentSequence: 'kernel' must have shape \[2,16\] \(\[inputDim, G \* units\].*received shape \[2,12\]/],
    ['a recurrentKernel that is not [units, G * units]', (a) => ({ ...a, recurrentKernel: sora.zeros([4, 12]) }),
      /recurrentSequence: 'recurrentKernel' must have shape \[4,16\].*received shape \[4,12\]/],
    ['x of rank 2', (a) => ({ ...a, x: sora.zeros([3, 2]) }), /'x' must be a float32 tensor of rank 3 \[batch, steps, inputDim\]; received shape \[3,2\]/],
    ['x with no steps (TF.js fails on it too)', (a) => ({ ...a, x: sora.zeros([3, 0, 2]) }), /recurrentSequence: 'x' must have at least one step; received shape \[3,0,2\]/],
    ['an h0 whose batch differs', (a) => ({ ...a, h0: sora.zeros([2, c.units]) }), /'h0' must have shape \[3,4\].*received shape \[2,4\]/],
    ['an lstm without c0', (a) => ({ ...a, c0: null }), /'c0' must be a Tensor of shape \[3,4\].*received null/],
    ['a gru given c0', (a) => ({ ...a, cell: 'gru', kernel: sora.zeros([2, 12]), recurrentKernel: sora.zeros([4, 12]), bias: null }),
      /'c0' must be null for cell 'gru'/],
    ['a mask of the wrong shape', (a) => ({ ...a, mask: sora.ones([3, 4], 'bool') }), /'mask' must have shape \[3,5\].*received shape \[3,4\] \(bool\)/],
    ['an int32 recurrent dropout mask', (a) => ({ ...a, recurrentDropoutMask: sora.ones([3, 4], 'int32') }), /'recurrentDropoutMask' must be float32; received shape \[3,4\] \(int32\)/],
    ['an input dropout mask over units', (a) => ({ ...a, inputDropoutMask: sora.ones([3, 4]) }), /'inputDropoutMask' must have shape \[3,2\]/],
    ['an activation the kernels lack', (a) => ({ ...a, activation: 'selu' as never }), /'activation' must be one of tanh, sigmoid, hardSigmoid, relu, linear; received selu/],
    ['resetAfter on an lstm', (a) => ({ ...a, resetAfter: true }), /'resetAfter' is for cell 'gru' only/],
    ['a recurrentBias without resetAfter', (a) => ({ ...a, recurrentBias: sora.zeros([16]) }), /'recurrentBias' must be null unless cell is 'gru' with resetAfter/],
    ['a bias of the wrong size', (a) => ({ ...a, bias: sora.zeros([12]) }), /'bias' must have shape \[16\]/],
  ];
  for (const [what, change, message] of bad) {
    it(`${what}: an Error naming the argument, before anything is allocated`, () => {
      const a = argsOf(c, makeValues(c, 9));
      const changed = change(a);
      const before = sora.memory().numTensors;
      expect(() => recurrentSequence(changed)).toThrow(message);
      expect(sora.memory().numTensors).toBe(before);
      sora.dispose([...new Set([...tensorsOf(a), ...tensorsOf(changed)])]);
    });
  }
});
