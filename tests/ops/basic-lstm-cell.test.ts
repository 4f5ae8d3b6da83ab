/**
 * tf.basicLSTMCell and tf.multiRNNCell against TF.js 4.22 (cpu backend), on sora's reference
 * and wasm backends: the same inputs give the same [newC, newH], and tf.grads of a weighted
 * sum of the outputs gives the same gradient for every input (forgetBias, kernel, bias, data,
 * c, h; through a stack of cells, each cell's weights too). Bad input is refused naming the
 * op and the argument, before anything is allocated.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';

type Lib = any; // sora or tf: the same calls on both
let seed = 20261207;
function values(n: number, scale = 1): number[] {
  return Array.from({ length: n }, () => {
    seed = (seed * 16807) % 2147483647;
    return scale * (2 * (seed / 2147483647) - 1);
  });
}
interface Case { batch: number; inputSize: number; units: number; forgetBias: number }
interface Data { kernel: number[]; bias: number[]; data: number[]; c: number[]; h: number[]; wc: number[]; wh: number[] }
function dataFor({ batch, inputSize, units }: Case): Data {
  return {
    kernel: values((inputSize + units) * 4 * units, 0.8), bias: values(4 * units, 0.5), data: values(batch * inputSize, 2),
    c: values(batch * units, 1.5), h: values(batch * units), wc: values(batch * units), wh: values(batch * units),
  };
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, label: string, tol = 1e-5): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  for (let k = 0; k < expected.length; k++) {
    const e = expected[k], a = actual[k];
    if (!(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)))) throw new Error(`${label}[${k}]: sora ${a}, TF.js ${e}`);
  }
}

/** newC, newH and the gradients of sum(newC * wc + newH * wh) by every input, as plain arrays. */
function runCell(lib: Lib, { batch, inputSize, units, forgetBias }: Case, d: Data): number[][] {
  return lib.tidy(() => {
    const args = [lib.scalar(forgetBias), lib.tensor2d(d.kernel, [inputSize + units, 4 * units]), lib.tensor1d(d.bias),
      lib.tensor2d(d.data, [batch, inputSize]), lib.tensor2d(d.c, [batch, units]), lib.tensor2d(d.h, [batch, units])];
    const wc = lib.tensor2d(d.wc, [batch, units]), wh = lib.tensor2d(d.wh, [batch, units]);
    const [newC, newH] = lib.basicLSTMCell(...args);
    const loss = (...xs: unknown[]) => {
      const [c, h] = lib.basicLSTMCell(...xs);
      return lib.add(lib.sum(lib.mul(c, wc)), lib.sum(lib.mul(h, wh)));
    };
    const grads = lib.grads(loss)(args);
    expect(newC.shape).toEqual([batch, units]);
    expect(newH.shape).toEqual([batch, units]);
    return [newC, newH, ...grads].map((t: { dataSync(): ArrayLike<number> }) => Array.from(t.dataSync()));
  });
}

const CASES: Case[] = [
  { batch: 1, inputSize: 1, units: 1, forgetBias: 1 },
  { batch: 3, inputSize: 5, units: 2, forgetBias: 1 },
  { batch: 2, inputSize: 4, units: 7, forgetBias: 0 },
  { batch: 5, inputSize: 3, units: 33, forgetBias: -0.5 },
];
const OUTPUTS = ['newC', 'newH', 'd forgetBias', 'd lstmKernel', 'd lstmBias', 'd data', 'd c', 'd h'];

beforeAll(async () => { await tf.setBackend('cpu'); });

for (const backend of ['reference', 'wasm'] as const) {
  describe(`on ${backend}`, () => {
    beforeAll(async () => { await sora.setBackend(backend); });

    describe('basicLSTMCell: the same states and gradients as TF.js', () => {
      for (const c of CASES) {
        it(`batch ${c.batch}, inputSize ${c.inputSize}, units ${c.units}, forgetBias ${c.forgetBias}`, () => {
          const d = dataFor(c);
          const before = sora.memory().numTensors;
          const mine = runCell(sora, c, d), theirs = runCell(tf, c, d);
          expect(sora.memory().numTensors).toBe(before);
          mine.forEach((m, k) => close(m, theirs[k], OUTPUTS[k], k < 2 ? 1e-5 : 2e-5));
        });
      }

      it('the gates are i, j, f, o (TF.js\'s order): a kernel of zeros and a chosen bias shows each', () => {
        // bias i = 0 (sigmoid 1/2), j = 2, f = -1 (plus forgetBias 1: sigmoid 0 = 1/2), o = 3.
        for (const lib of [sora, tf] as Lib[]) {
          const [c, h] = lib.basicLSTMCell(1, lib.zeros([2, 4]), [0, 2, -1, 3], [[5]], [[0.8]], [[0.4]]);
          const newC = 0.5 * Math.tanh(2) + 0.8 * 0.5;
          close(c.dataSync(), [newC], 'newC', 1e-6);
          close(h.dataSync(), [Math.tanh(newC) / (1 + Math.exp(-3))], 'newH', 1e-6);
        }
      });

      it('takes values, a [1, units] c broadcast over the batch, and a bias of shape [1, 4 * units], as TF.js', () => {
        const c = CASES[1];
        const d = dataFor(c);
        const kernel = sora.tensor2d(d.kernel, [c.inputSize + c.units, 4 * c.units]);
        const data = sora.tensor2d(d.data, [c.batch, c.inputSize]), h = sora.tensor2d(d.h, [c.batch, c.units]);
        const call = (lib: Lib, k: unknown, x: unknown, hh: unknown) =>
          lib.basicLSTMCell(1, k, [d.bias], x, [d.c.slice(0, c.units)], hh).map((t: tf.Tensor) => Array.from(t.dataSync()));
        const theirs = call(tf, tf.tensor2d(d.kernel, [c.inputSize + c.units, 4 * c.units]),
          tf.tensor2d(d.data, [c.batch, c.inputSize]), tf.tensor2d(d.h, [c.batch, c.units]));
        const mine = call(sora, kernel, data, h);
        const fromValues = call(sora, kernel.arraySync(), data.arraySync(), h.arraySync());
        mine.forEach((m: number[], k: number) => { close(m, theirs[k], OUTPUTS[k]); expect(fromValues[k]).toEqual(m); });
      });
    });

    describe('multiRNNCell: a stack of basicLSTMCells as TF.js runs it', () => {
      const sizes = [{ inputSize: 3, units: 4 }, { inputSize: 4, units: 2 }, { inputSize: 2, units: 5 }];
      const batch = 3;
      const weights = sizes.map((s) => ({ kernel: values((s.inputSize + s.units) * 4 * s.units, 0.7), bias: values(4 * s.units, 0.3) }));
      const data = values(batch * sizes[0].inputSize, 1.5);
      const states = sizes.map((s) => ({ c: values(batch * s.units), h: values(batch * s.units) }));
      const w = values(batch * sizes[2].units);

      /** new states, and the gradients of the last h weighted by w by data, each c0 / h0 and each cell's kernel. */
      function runStack(lib: Lib, cells: number): number[][] {
        return lib.tidy(() => {
          const kernels = sizes.slice(0, cells).map((s, k) => lib.tensor2d(weights[k].kernel, [s.inputSize + s.units, 4 * s.units]));
          const biases = weights.slice(0, cells).map((wt) => lib.tensor1d(wt.bias));
          const x = lib.tensor2d(data, [batch, sizes[0].inputSize]);
          const c0 = sizes.slice(0, cells).map((s, k) => lib.tensor2d(states[k].c, [batch, s.units]));
          const h0 = sizes.slice(0, cells).map((s, k) => lib.tensor2d(states[k].h, [batch, s.units]));
          const stackWith = (ks: unknown[]) => ks.map((kernel, k) =>
            (input: unknown, c: unknown, h: unknown) => lib.basicLSTMCell(0.5, kernel, biases[k], input, c, h));
          const [newC, newH] = lib.multiRNNCell(stackWith(kernels), x, c0, h0);
          expect(newC.length).toBe(cells);
          expect(newH.length).toBe(cells);
          const last = lib.tensor2d(w.slice(0, batch * sizes[cells - 1].units), [batch, sizes[cells - 1].units]);
          const loss = (xx: unknown, ...rest: unknown[]) => {
            const cs = rest.slice(0, cells), hs = rest.slice(cells, 2 * cells), ks = rest.slice(2 * cells);
            const [, hOut] = lib.multiRNNCell(stackWith(ks), xx, cs, hs);
            return lib.sum(lib.mul(hOut[cells - 1], last));
          };
          const grads = lib.grads(loss)([x, ...c0, ...h0, ...kernels]);
          return [...newC, ...newH, ...grads].map((t: tf.Tensor) => Array.from(t.dataSync()));
        });
      }
      for (const cells of [1, 2, 3]) {
        it(`${cells} cell${cells > 1 ? 's' : ''}: states, and gradients by data, the states and every kernel`, () => {
          const before = sora.memory().numTensors;
          const mine = runStack(sora, cells), theirs = runStack(tf, cells);
          expect(sora.memory().numTensors).toBe(before);
          expect(mine.length).toBe(theirs.length);
          mine.forEach((m, k) => close(m, theirs[k], `output ${k}`, 2e-5));
        });
      }

      it('ignores states past the last cell, as TF.js does', () => {
        const cell = (x: sora.Tensor, c: sora.Tensor, h: sora.Tensor) => sora.basicLSTMCell(1, sora.ones([2, 4]), sora.zeros([4]), x, c, h);
        const [c, h] = sora.multiRNNCell([cell], [[1]], [[[0.5]], [[9]]], [[[0.1]], [[9]]]);
        expect([c.length, h.length]).toEqual([1, 1]);
        const [c1] = sora.basicLSTMCell(1, sora.ones([2, 4]), sora.zeros([4]), [[1]], [[0.5]], [[0.1]]);
        expect(Array.from(c[0].dataSync())).toEqual(Array.from(c1.dataSync()));
      });
    });
  });
}

describe('a TF.js program of the tf.contrib era: two stacked cells trained with optimizer.minimize', () => {
  // Variables for two cells (input 3 -> units 4 -> units 2) and a readout, unrolled over 5 steps by hand as
  // TF.js's old LSTM examples did; 3 SGD steps must leave every variable as TF.js leaves it.
  const sizes = [[3, 4], [4, 2]];
  const init = sizes.map(([input, units]) => ({ kernel: values((input + units) * 4 * units, 0.6), bias: values(4 * units, 0.2) }));
  const readout = values(2 * 1, 0.8);
  const inputs = Array.from({ length: 5 }, () => values(2 * 3, 1.5));
  const target = [0.3, -0.6];

  function train(lib: Lib): number[][] {
    const kernels = sizes.map(([input, units], k) => lib.variable(lib.tensor2d(init[k].kernel, [input + units, 4 * units])));
    const biases = sizes.map((_, k) => lib.variable(lib.tensor1d(init[k].bias)));
    const w = lib.variable(lib.tensor2d(readout, [2, 1]));
    const cells = sizes.map((_, k) => (data: unknown, c: unknown, h: unknown) => lib.basicLSTMCell(1, kernels[k], biases[k], data, c, h));
    const optimizer = lib.train.sgd(0.5);
    for (let step = 0; step < 3; step++) {
      optimizer.minimize(() => {
        let c = sizes.map(([, units]) => lib.zeros([2, units])), h = sizes.map(([, units]) => lib.zeros([2, units]));
        for (const x of inputs) [c, h] = lib.multiRNNCell(cells, lib.tensor2d(x, [2, 3]), c, h);
        return lib.mean(lib.square(lib.sub(lib.matMul(h[1], w), lib.tensor2d(target, [2, 1]))));
      });
    }
    return [...kernels, ...biases, w].map((v: { dataSync(): ArrayLike<number> }) => Array.from(v.dataSync()));
  }

  it('every variable as TF.js\'s after 3 steps (reference backend)', async () => {
    await sora.setBackend('reference');
    const mine = train(sora), theirs = train(tf);
    mine.forEach((m, k) => close(m, theirs[k], `variable ${k}`, 1e-5));
    // The steps moved the weights (the comparison is not of untouched initial values).
    expect(Math.max(...mine[2].map((v, i) => Math.abs(v - init[0].bias[i])))).toBeGreaterThan(1e-4);
  });
});

describe('bad input: an Error naming the op and the argument, and nothing allocated', () => {
  beforeAll(async () => { await sora.setBackend('reference'); });
  const k = [[1, 2, 3, 4], [1, 2, 3, 4]]; // inputSize 1, units 1
  const cases: [string, () => unknown, RegExp][] = [
    ['a kernel of the wrong height', () => sora.basicLSTMCell(1, [[1, 2, 3, 4]], [0, 0, 0, 0], [[1]], [[0]], [[0]]),
      /basicLSTMCell: expected 'lstmKernel' of shape \[2, 4\].*received shape \[1,4\]/],
    ['a kernel not 4 * units wide', () => sora.basicLSTMCell(1, [[1, 2, 3], [1, 2, 3]], [0, 0, 0], [[1]], [[0]], [[0]]),
      /'lstmKernel' of shape \[2, 4\]/],
    ['a bias of the wrong size', () => sora.basicLSTMCell(1, k, [0, 0, 0], [[1]], [[0]], [[0]]), /'lstmBias' to broadcast to \[1,4\]/],
    ['h of another batch than data', () => sora.basicLSTMCell(1, k, [0, 0, 0, 0], [[1]], [[0]], [[0], [0]]),
      /'h' of shape \[1, \?\]/],
    ['c of another width than h', () => sora.basicLSTMCell(1, k, [0, 0, 0, 0], [[1]], [[0, 1]], [[0]]), /'c' to broadcast to \[1,1\]/],
    ['data of rank 1', () => sora.basicLSTMCell(1, k, [0, 0, 0, 0], [1], [[0]], [[0]]), /'data' of shape \[batch, \?\]/],
    ['int32 data', () => sora.tidy(() => sora.basicLSTMCell(1, k, [0, 0, 0, 0], sora.tensor2d([[1]], [1, 1], 'int32'), [[0]], [[0]])),
      /'data' to be float32/],
    ['a forgetBias of another shape', () => sora.basicLSTMCell([1, 2], k, [0, 0, 0, 0], [[1]], [[0]], [[0]]),
      /'forgetBias' to broadcast to \[1,1\]/],
    ['a missing h', () => sora.basicLSTMCell(1, k, [0, 0, 0, 0], [[1]], [[0]], undefined as never), /basicLSTMCell: expected 'h'/],
    ['no cells', () => sora.multiRNNCell([], [[1]], [], []), /multiRNNCell: expected 'lstmCells' to be a non-empty array/],
    ['a cell that is not a function', () => sora.multiRNNCell([1 as never], [[1]], [[[0]]], [[[0]]]), /'lstmCells\[0\]' to be a function/],
    ['fewer states than cells', () => sora.multiRNNCell([(x, c, h) => [c, h], (x, c, h) => [c, h]], [[1]], [[[0]]], [[[0]], [[0]]]),
      /expected 'c' to be an array of 2 states/],
    ['a cell returning one tensor', () => sora.multiRNNCell([(x) => x as never], [[1]], [[[0]]], [[[0]]]),
      /lstmCells\[0\] must return \[newC, newH\]/],
  ];
  for (const [label, run, pattern] of cases) {
    it(label, () => {
      const before = sora.memory().numTensors;
      expect(run).toThrow(pattern);
      expect(sora.memory().numTensors).toBe(before);
    });
  }
  it('TF.js refuses the same shapes (with its own words)', () => {
    expect(() => tf.basicLSTMCell(1, [[1, 2, 3, 4]], [0, 0, 0, 0], [[1]], [[0]], [[0]])).toThrow();
    expect(() => tf.basicLSTMCell(1, k, [0, 0, 0], [[1]], [[0]], [[0]])).toThrow();
    expect(() => tf.basicLSTMCell(1, k, [0, 0, 0, 0], [[1]], [[0]], [[0], [0]])).toThrow();
  });
});
