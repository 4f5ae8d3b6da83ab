/**
 * The reference recurrent step (backend.ts `RecurrentStepParams`): the element-wise part of
 * one LSTM or GRU (reset_after) step after the op's GEMMs, in float64, gates in Keras's order.
 */
import type { RecurrentStepParams, TypedArray } from '../backend.js';

type Arrays = { readonly values: TypedArray };

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
/** Keras's (and TF.js layers') hard sigmoid: clip(0.2 v + 0.5, 0, 1); NaN stays NaN. */
const hardSigmoid = (v: number): number => {
  const y = 0.2 * v + 0.5;
  return y < 0 ? 0 : y > 1 ? 1 : y;
};

export function recurrentStepArrays(p: RecurrentStepParams<Arrays>): void {
  const rec = p.recurrentActivation === 'sigmoid' ? sigmoid : hardSigmoid;
  const { batch, units } = p;
  const xg = p.xGates.values, hPrev = p.hPrev.values, h = p.h.values, gates = p.gates?.values;
  if (p.cell === 'lstm') {
    // xGates rows: [i | f | c | o], each `units` wide.
    const cPrev = (p.cPrev as Arrays).values, c = (p.c as Arrays).values;
    for (let b = 0; b < batch; b++) {
      const row = b * 4 * units;
      for (let u = 0; u < units; u++) {
        const i = rec(xg[row + u]);
        const f = rec(xg[row + units + u]);
        const g = Math.tanh(xg[row + 2 * units + u]);
        const o = rec(xg[row + 3 * units + u]);
        const cNew = f * cPrev[b * units + u] + i * g;
        c[b * units + u] = cNew;
        h[b * units + u] = o * Math.tanh(cNew);
        if (gates) {
          gates[row + u] = i; gates[row + units + u] = f; gates[row + 2 * units + u] = g; gates[row + 3 * units + u] = o;
        }
      }
    }
    return;
  }
  // GRU, reset_after: xGates = x W + b_in and hGates = h U + b_rec, rows [z | r | h].
  const hg = (p.hGates as Arrays).values;
  for (let b = 0; b < batch; b++) {
    const row = b * 3 * units;
    for (let u = 0; u < units; u++) {
      const z = rec(xg[row + u] + hg[row + u]);
      const r = rec(xg[row + units + u] + hg[row + units + u]);
      const n = Math.tanh(xg[row + 2 * units + u] + r * hg[row + 2 * units + u]);
      h[b * units + u] = z * hPrev[b * units + u] + (1 - z) * n;
      if (gates) { gates[row + u] = z; gates[row + units + u] = r; gates[row + 2 * units + u] = n; }
    }
  }
}
