/**
 * The reference recurrent step (src/backends/reference/recurrent.ts): LSTM against TF.js's
 * tf.basicLSTMCell (cpu backend) and against a float64 formula with hard sigmoid; GRU
 * (reset_after) against a float64 formula. The `gates` output is checked too.
 *
 * Gate orders: the contract takes Keras's LSTM order i, f, c, o; tf.basicLSTMCell splits its
 * pre-activations as i, j (the cell candidate), f, o and adds `forgetBias` to f inside the
 * cell. So the kernel's xGates are TF.js's [z_i, z_f + forgetBias, z_j, z_o].
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { assertClose, randomArray } from './suite/harness.js';
import { ref, store, poisoned, inScope } from './reference-oracle.js';


beforeAll(async () => { await tf.setBackend('cpu'); });


const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const hardSigmoid = (v: number) => Math.min(1, Math.max(0, 0.2 * v + 0.5));

describe('reference recurrentStep lstm', () => {
  for (const [batch, inputSize, units, forgetBias] of [[1, 1, 1, 1], [3, 5, 7, 1], [2, 4, 33, 0.5], [5, 3, 2, 0]]) {
    it(`against tf.basicLSTMCell: batch=${batch} input=${inputSize} units=${units} forgetBias=${forgetBias}`, () => {
      const seed = batch * 100 + units;
      const x = randomArray(batch * inputSize, seed, -2, 2);
      const hPrev = randomArray(batch * units, seed + 1);
      const cPrev = randomArray(batch * units, seed + 2, -2, 2);
      const kernel = randomArray((inputSize + units) * 4 * units, seed + 3);
      const bias = randomArray(4 * units, seed + 4);
      const [tfC, tfH] = inScope(() => tf.basicLSTMCell(forgetBias, tf.tensor2d(kernel, [inputSize + units, 4 * units]),
        tf.tensor1d(bias), tf.tensor2d(x, [batch, inputSize]), tf.tensor2d(cPrev, [batch, units]), tf.tensor2d(hPrev, [batch, units]))
        .map((t) => t.dataSync() as Float32Array));
      // TF.js's pre-activations [x, h] . kernel + bias in float64, then reordered for the kernel.
      const xGates = new Float32Array(batch * 4 * units);
      for (let b = 0; b < batch; b++) {
        const z = new Float64Array(4 * units);
        for (let col = 0; col < 4 * units; col++) {
          let s = bias[col];
          for (let r = 0; r < inputSize; r++) s += x[b * inputSize + r] * kernel[r * 4 * units + col];
          for (let r = 0; r < units; r++) s += hPrev[b * units + r] * kernel[(inputSize + r) * 4 * units + col];
          z[col] = s;
        }
        for (let u = 0; u < units; u++) {
          const row = b * 4 * units;
          xGates[row + u] = z[u];                             // i
          xGates[row + units + u] = z[2 * units + u] + forgetBias; // f
          xGates[row + 2 * units + u] = z[units + u];         // c (TF.js's j)
          xGates[row + 3 * units + u] = z[3 * units + u];     // o
        }
      }
      const h = poisoned(batch * units), c = poisoned(batch * units);
      ref.recurrentStep({
        cell: 'lstm', recurrentActivation: 'sigmoid', batch, units, xGates: store(xGates), hGates: null,
        hPrev: store(hPrev), cPrev: store(cPrev), h, c, gates: null,
      });
      const tol = { atol: 2e-5 * Math.sqrt(inputSize + units), rtol: 1e-4 };
      assertClose('lstm c', ref.readSync(c), tfC, tol);
      assertClose('lstm h', ref.readSync(h), tfH, tol);
    });
  }

  for (const recurrentActivation of ['sigmoid', 'hardSigmoid'] as const) {
    it(`against the float64 formula with ${recurrentActivation}, gates kept`, () => {
      const batch = 3, units = 7;
      // Pre-activations in [-4, 4): hard sigmoid clips below -2.5 and above 2.5.
      const xGates = randomArray(batch * 4 * units, 31, -4, 4);
      const hPrev = randomArray(batch * units, 32);
      const cPrev = randomArray(batch * units, 33, -2, 2);
      const rec = recurrentActivation === 'sigmoid' ? sigmoid : hardSigmoid;
      const expectH: number[] = [], expectC: number[] = [], expectGates = new Array<number>(batch * 4 * units);
      for (let b = 0; b < batch; b++) {
        for (let u = 0; u < units; u++) {
          const z = (gate: number) => xGates[b * 4 * units + gate * units + u];
          const [i, f, g, o] = [rec(z(0)), rec(z(1)), Math.tanh(z(2)), rec(z(3))];
          const cNew = f * cPrev[b * units + u] + i * g;
          expectC.push(cNew);
          expectH.push(o * Math.tanh(cNew));
          [i, f, g, o].forEach((v, gate) => { expectGates[b * 4 * units + gate * units + u] = v; });
        }
      }
      const h = poisoned(batch * units), c = poisoned(batch * units), gates = poisoned(batch * 4 * units);
      ref.recurrentStep({
        cell: 'lstm', recurrentActivation, batch, units, xGates: store(xGates), hGates: null,
        hPrev: store(hPrev), cPrev: store(cPrev), h, c, gates,
      });
      assertClose('lstm c', ref.readSync(c), expectC);
      assertClose('lstm h', ref.readSync(h), expectH);
      assertClose('lstm gates', ref.readSync(gates), expectGates);
      if (recurrentActivation === 'hardSigmoid') {
        const kept = ref.readSync(gates);
        expect(kept.some((v) => v === 0) && kept.some((v) => v === 1), 'hard sigmoid saturates at 0 and 1').toBe(true);
      }
    });
  }
});

describe('reference recurrentStep gru (reset_after)', () => {
  for (const recurrentActivation of ['sigmoid', 'hardSigmoid'] as const) {
    for (const [batch, units] of [[1, 1], [3, 7], [2, 33]]) {
      it(`against the float64 formula: batch=${batch} units=${units} ${recurrentActivation}`, () => {
        const seed = batch * 10 + units;
        const xGates = randomArray(batch * 3 * units, seed, -3, 3);
        const hGates = randomArray(batch * 3 * units, seed + 1, -3, 3);
        const hPrev = randomArray(batch * units, seed + 2);
        const rec = recurrentActivation === 'sigmoid' ? sigmoid : hardSigmoid;
        const expectH: number[] = [], expectGates = new Array<number>(batch * 3 * units);
        for (let b = 0; b < batch; b++) {
          for (let u = 0; u < units; u++) {
            const at = (gate: number) => b * 3 * units + gate * units + u;
            const z = rec(xGates[at(0)] + hGates[at(0)]);
            const r = rec(xGates[at(1)] + hGates[at(1)]);
            // reset_after: r multiplies h U + b_rec, not h before the product.
            const n = Math.tanh(xGates[at(2)] + r * hGates[at(2)]);
            expectH.push(z * hPrev[b * units + u] + (1 - z) * n);
            [z, r, n].forEach((v, gate) => { expectGates[at(gate)] = v; });
          }
        }
        const h = poisoned(batch * units), gates = poisoned(batch * 3 * units);
        ref.recurrentStep({
          cell: 'gru', recurrentActivation, batch, units, xGates: store(xGates), hGates: store(hGates),
          hPrev: store(hPrev), cPrev: null, h, c: null, gates,
        });
        assertClose('gru h', ref.readSync(h), expectH);
        assertClose('gru gates', ref.readSync(gates), expectGates);
      });
    }
  }
  it('writes h only (no gates when gates is null)', () => {
    const h = poisoned(2);
    ref.recurrentStep({
      cell: 'gru', recurrentActivation: 'sigmoid', batch: 1, units: 2, xGates: store([0, 0, 0, 0, 0, 0]), hGates: store([0, 0, 0, 0, 0, 0]),
      hPrev: store([1, -1]), cPrev: null, h, c: null, gates: null,
    });
    // z = r = 0.5, n = tanh(0) = 0: h = 0.5 * hPrev.
    expect(Array.from(ref.readSync(h))).toEqual([0.5, -0.5]);
  });
});
