/**
 * The reference recurrent kernels (src/backends/reference/recurrent.ts): the forward against a
 * per-step loop written as TF.js's cells are (recurrent.ts SimpleRNNCell / LSTMCell / GRUCell:
 * the whole batch per step, matMul of the dropped state, gates split by columns, the mask's
 * "keep the previous state" select as its rnn() does), and the backward by central finite
 * differences of a weighted sum of hSeq and cSeq, on odd sizes, for every cell and option.
 * The finite differences run the kernel on float64 storages, so they resolve 1e-7.
 */
import { describe, expect, it } from 'vitest';
import { recurrentGates, type RecurrentActivation, type RecurrentCellKind } from '../../src/backends/backend.js';
import { recurrentSequenceArrays, recurrentSequenceBackwardArrays } from '../../src/backends/reference/recurrent.js';
import { mulberry32 } from './suite/harness.js';

type Arrays = { values: Float32Array };
/** A float64 storage posing as a float32 one: the kernel reads and writes numbers either way. */
const f64 = (values: ArrayLike<number>): Arrays => ({ values: Float64Array.from(values) as unknown as Float32Array });
const zeros = (n: number): Arrays => f64(new Float64Array(n));

interface Case {
  cell: RecurrentCellKind;
  activation?: RecurrentActivation;
  recurrentActivation?: RecurrentActivation;
  resetAfter?: boolean;
  batch: number;
  steps: number;
  units: number;
  mask?: boolean;
  dropout?: boolean;
}
const label = (c: Case) => `${c.cell}${c.resetAfter ? ' resetAfter' : ''} ${c.activation ?? 'tanh'}/${c.recurrentActivation ?? 'sigmoid'} ` +
  `B${c.batch} T${c.steps} H${c.units}${c.mask ? ' mask' : ''}${c.dropout ? ' dropout' : ''}`;

/** The inputs of one case: random values, a mask with its first step and a whole row masked. */
function inputs(c: Case, seed: number) {
  const rand = mulberry32(seed);
  const G = recurrentGates(c.cell);
  const uniform = (n: number, lo = -1, hi = 1) => Float64Array.from({ length: n }, () => lo + (hi - lo) * rand());
  const mask = c.mask ? Float64Array.from({ length: c.batch * c.steps }, () => (rand() < 0.3 ? 0 : 1)) : null;
  if (mask !== null) {
    mask[0] = 0;
    if (c.batch > 1) mask.fill(0, c.steps, 2 * c.steps);
  }
  return {
    xProj: uniform(c.batch * c.steps * G * c.units, -1.5, 1.5),
    U: uniform(c.units * G * c.units),
    bh: c.cell === 'gru' && c.resetAfter ? uniform(G * c.units) : null,
    h0: uniform(c.batch * c.units),
    c0: c.cell === 'lstm' ? uniform(c.batch * c.units) : null,
    mask,
    dropout: c.dropout ? Float64Array.from({ length: c.batch * c.units }, () => (rand() < 0.3 ? 0 : 1 / 0.7)) : null,
  };
}
type Inputs = ReturnType<typeof inputs>;

function activate(a: RecurrentActivation, v: number): number {
  if (a === 'tanh') return Math.tanh(v);
  if (a === 'sigmoid') return 1 / (1 + Math.exp(-v));
  if (a === 'hardSigmoid') return v < -2.5 ? 0 : v > 2.5 ? 1 : 0.2 * v + 0.5;
  if (a === 'relu') return Math.max(v, 0);
  return v;
}

/** [rows, n] x [n, cols] (cols taken from U's column block col0 .. col0 + cols of a [n, width] matrix). */
function matMulBlock(a: Float64Array, rows: number, n: number, U: Float64Array, width: number, col0: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[r * n + k] * U[k * width + col0 + j];
      out[r * cols + j] = s;
    }
  }
  return out;
}

/** TF.js's loop: per step, the cell over the whole batch, then rnn()'s mask select. */
function tfjsStyleLoop(c: Case, v: Inputs): { hSeq: Float64Array; cSeq: Float64Array | null } {
  const { batch: B, steps: T, units: H } = c;
  const a = (x: number) => activate(c.activation ?? 'tanh', x);
  const s = (x: number) => activate(c.recurrentActivation ?? 'sigmoid', x);
  const G = recurrentGates(c.cell);
  const W = G * H;
  let h = v.h0.slice();
  let cs = v.c0?.slice() ?? null;
  const hSeq = new Float64Array(B * T * H);
  const cSeq = c.cell === 'lstm' ? new Float64Array(B * T * H) : null;
  for (let t = 0; t < T; t++) {
    const p = (b: number, j: number) => v.xProj[(b * T + t) * W + j];
    const hr = h.map((x, i) => (v.dropout === null ? x : x * v.dropout[i]));
    const newH = new Float64Array(B * H);
    const newC = new Float64Array(B * H);
    if (c.cell === 'simple') {
      const rec = matMulBlock(hr, B, H, v.U, W, 0, H);
      for (let b = 0; b < B; b++) for (let k = 0; k < H; k++) newH[b * H + k] = a(p(b, k) + rec[b * H + k]);
    } else if (c.cell === 'lstm') {
      const z = matMulBlock(hr, B, H, v.U, W, 0, W);
      for (let b = 0; b < B; b++) {
        for (let k = 0; k < H; k++) {
          const zi = (g: number) => p(b, g * H + k) + z[b * W + g * H + k];
          const i = s(zi(0)), f = s(zi(1)), o = s(zi(3));
          newC[b * H + k] = f * cs![b * H + k] + i * a(zi(2));
          newH[b * H + k] = o * a(newC[b * H + k]);
        }
      }
    } else {
      const mzr = matMulBlock(hr, B, H, v.U, W, 0, 2 * H);
      const z = new Float64Array(B * H);
      const r = new Float64Array(B * H);
      const bh = (j: number) => (v.bh === null ? 0 : v.bh[j]);
      for (let b = 0; b < B; b++) {
        for (let k = 0; k < H; k++) {
          z[b * H + k] = s(p(b, k) + mzr[b * 2 * H + k] + bh(k));
          r[b * H + k] = s(p(b, H + k) + mzr[b * 2 * H + H + k] + bh(H + k));
        }
      }
      const recH = c.resetAfter
        ? matMulBlock(hr, B, H, v.U, W, 2 * H, H).map((q, i) => r[i] * (q + bh(2 * H + (i % H))))
        : matMulBlock(r.map((x, i) => x * hr[i]), B, H, v.U, W, 2 * H, H);
      for (let b = 0; b < B; b++) {
        for (let k = 0; k < H; k++) {
          const i = b * H + k;
          newH[i] = z[i] * h[i] + (1 - z[i]) * a(p(b, 2 * H + k) + recH[i]);
        }
      }
    }
    for (let b = 0; b < B; b++) {
      const runs = v.mask === null || v.mask[b * T + t] !== 0;
      for (let k = 0; k < H; k++) {
        const i = b * H + k;
        if (!runs) { newH[i] = h[i]; if (cs !== null) newC[i] = cs[i]; }
        hSeq[(b * T + t) * H + k] = newH[i];
        if (cSeq !== null) cSeq[(b * T + t) * H + k] = newC[i];
      }
    }
    h = newH;
    if (cs !== null) cs = newC;
  }
  return { hSeq, cSeq };
}

function forward(c: Case, v: Inputs) {
  const { batch: B, steps: T, units: H } = c;
  const out = {
    hSeq: zeros(B * T * H),
    cSeq: c.cell === 'lstm' ? zeros(B * T * H) : null,
    saved: c.cell === 'simple' ? null : zeros(B * T * 4 * H),
  };
  recurrentSequenceArrays({
    cell: c.cell, activation: c.activation ?? 'tanh', recurrentActivation: c.recurrentActivation ?? 'sigmoid',
    resetAfter: c.resetAfter ?? false, batch: B, steps: T, units: H,
    xProj: f64(v.xProj), recurrentKernel: f64(v.U), recurrentBias: v.bh && f64(v.bh), h0: f64(v.h0), c0: v.c0 && f64(v.c0),
    mask: v.mask && f64(v.mask), recurrentDropoutMask: v.dropout && f64(v.dropout), ...out,
  });
  return out;
}

/** The loss the finite differences probe: sum(hSeq * wh) + sum(cSeq * wc). */
function loss(c: Case, v: Inputs, wh: Float64Array, wc: Float64Array): number {
  const out = forward(c, v);
  let s = 0;
  for (let i = 0; i < wh.length; i++) s += out.hSeq.values[i] * wh[i];
  if (out.cSeq !== null) for (let i = 0; i < wc.length; i++) s += out.cSeq.values[i] * wc[i];
  return s;
}

/**
 * The analytic gradients: the backward kernel's dxProj, dh0, dc0, and dU, dbh from dhProj
 * (dxProj for simple and lstm) as the op computes them: dU = sum over running steps of
 * hr^T dhProj_t, with r * hr for the h block of a resetAfter-false gru; dbh = its column sums.
 */
function analytic(c: Case, v: Inputs, wh: Float64Array, wc: Float64Array) {
  const { batch: B, steps: T, units: H } = c;
  const W = recurrentGates(c.cell) * H;
  const fwd = forward(c, v);
  const grads = {
    dxProj: zeros(B * T * W), dhProj: c.cell === 'gru' ? zeros(B * T * W) : null,
    dh0: zeros(B * H), dc0: c.cell === 'lstm' ? zeros(B * H) : null,
  };
  recurrentSequenceBackwardArrays({
    cell: c.cell, activation: c.activation ?? 'tanh', recurrentActivation: c.recurrentActivation ?? 'sigmoid',
    resetAfter: c.resetAfter ?? false, batch: B, steps: T, units: H,
    recurrentKernel: f64(v.U), recurrentBias: v.bh && f64(v.bh), h0: f64(v.h0), c0: v.c0 && f64(v.c0),
    mask: v.mask && f64(v.mask), recurrentDropoutMask: v.dropout && f64(v.dropout), ...fwd,
    dhSeq: f64(wh), dcSeq: c.cell === 'lstm' ? f64(wc) : null, ...grads,
  });
  const dProj = (grads.dhProj ?? grads.dxProj).values;
  const dU = new Float64Array(H * W);
  const dbh = new Float64Array(W);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const row = b * T + t;
      for (let k = 0; k < H; k++) {
        const hPrev = t === 0 ? v.h0[b * H + k] : fwd.hSeq.values[(row - 1) * H + k];
        const hr = v.dropout === null ? hPrev : hPrev * v.dropout[b * H + k];
        const r = c.cell === 'gru' ? fwd.saved!.values[row * 4 * H + H + k] : 0;
        for (let j = 0; j < W; j++) {
          const rowValue = c.cell === 'gru' && !c.resetAfter && j >= 2 * H ? r * hr : hr;
          dU[k * W + j] += rowValue * dProj[row * W + j];
        }
      }
      for (let j = 0; j < W; j++) dbh[j] += dProj[row * W + j];
    }
  }
  return { xProj: grads.dxProj.values, U: dU, bh: dbh, h0: grads.dh0.values, c0: grads.dc0?.values ?? null };
}

const CASES: Case[] = [
  { cell: 'simple', batch: 1, steps: 1, units: 1 },
  { cell: 'simple', batch: 3, steps: 5, units: 7, mask: true },
  { cell: 'simple', activation: 'relu', batch: 2, steps: 4, units: 3, dropout: true },
  { cell: 'simple', activation: 'linear', batch: 2, steps: 3, units: 5, mask: true, dropout: true },
  { cell: 'lstm', batch: 1, steps: 1, units: 1 },
  { cell: 'lstm', batch: 3, steps: 5, units: 7 },
  { cell: 'lstm', batch: 3, steps: 6, units: 5, mask: true, dropout: true },
  { cell: 'lstm', recurrentActivation: 'hardSigmoid', batch: 2, steps: 4, units: 3, mask: true },
  { cell: 'lstm', activation: 'relu', batch: 2, steps: 3, units: 4 },
  { cell: 'gru', batch: 1, steps: 1, units: 1 },
  { cell: 'gru', batch: 3, steps: 5, units: 7, mask: true },
  { cell: 'gru', recurrentActivation: 'hardSigmoid', batch: 2, steps: 4, units: 3, dropout: true },
  { cell: 'gru', resetAfter: true, batch: 1, steps: 1, units: 2 },
  { cell: 'gru', resetAfter: true, batch: 3, steps: 5, units: 7, mask: true, dropout: true },
  { cell: 'gru', resetAfter: true, activation: 'relu', recurrentActivation: 'hardSigmoid', batch: 2, steps: 4, units: 3 },
];

describe('reference recurrentSequence', () => {
  for (const [n, c] of CASES.entries()) {
    it(`forward matches TF.js's per-step loop: ${label(c)}`, () => {
      const v = inputs(c, 100 + n);
      const got = forward(c, v);
      const want = tfjsStyleLoop(c, v);
      const close = (a: ArrayLike<number>, b: ArrayLike<number>) => {
        expect(a.length).toBe(b.length);
        for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]), `element ${i}`).toBeLessThan(1e-12);
      };
      close(got.hSeq.values, want.hSeq);
      if (c.cell === 'lstm') close(got.cSeq!.values, want.cSeq!);
    });

    it(`backward matches finite differences: ${label(c)}`, () => {
      const v = inputs(c, 200 + n);
      const rand = mulberry32(300 + n);
      const size = c.batch * c.steps * c.units;
      const wh = Float64Array.from({ length: size }, () => rand() * 2 - 1);
      const wc = Float64Array.from({ length: size }, () => rand() * 2 - 1);
      const grads = analytic(c, v, wh, wc);
      const eps = 1e-6;
      let checked = 0;
      for (const name of ['xProj', 'U', 'bh', 'h0', 'c0'] as const) {
        const values = v[name];
        const g = grads[name];
        if (values === null) continue;
        for (let i = 0; i < values.length; i++) {
          const keep = values[i];
          values[i] = keep + eps;
          const up = loss(c, v, wh, wc);
          values[i] = keep - eps;
          const down = loss(c, v, wh, wc);
          values[i] = keep;
          const numeric = (up - down) / (2 * eps);
          expect(Math.abs(g![i] - numeric), `d${name}[${i}]: analytic ${g![i]}, numeric ${numeric}`)
            .toBeLessThan(1e-6 * Math.max(1, Math.abs(numeric)));
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(0);
    });
  }

  it('a masked step carries the state and gives zero gate gradients', () => {
    const c: Case = { cell: 'lstm', batch: 2, steps: 3, units: 2, mask: true };
    const v = inputs(c, 7);
    const out = forward(c, v);
    // Row 1 is masked whole: every step holds h0 and c0.
    for (let t = 0; t < 3; t++) {
      for (let k = 0; k < 2; k++) {
        expect(out.hSeq.values[(3 + t) * 2 + k]).toBe(v.h0[2 + k]);
        expect(out.cSeq!.values[(3 + t) * 2 + k]).toBe(v.c0![2 + k]);
      }
    }
    const grads = analytic(c, v, new Float64Array(12).fill(1), new Float64Array(12).fill(1));
    for (let j = 3 * 8; j < 6 * 8; j++) expect(grads.xProj[j]).toBe(0);
    // dh0 of the masked row sums the gradients of its three steps.
    expect(grads.h0[2]).toBe(3);
    expect(grads.c0![3]).toBe(3);
  });

  it('rejects a c0 on a non-lstm cell and a missing recurrentBias on a resetAfter gru', () => {
    const base = { activation: 'tanh', recurrentActivation: 'sigmoid', batch: 1, steps: 1, units: 1, xProj: zeros(3), recurrentKernel: zeros(3),
      h0: zeros(1), mask: null, recurrentDropoutMask: null, hSeq: zeros(1), cSeq: null, saved: zeros(4) } as const;
    expect(() => recurrentSequenceArrays({ ...base, cell: 'gru', resetAfter: true, recurrentBias: null, c0: null }))
      .toThrow(/recurrentSequence: recurrentBias is required for a resetAfter 'gru'/);
    expect(() => recurrentSequenceArrays({ ...base, cell: 'gru', resetAfter: false, recurrentBias: null, c0: zeros(1) }))
      .toThrow(/recurrentSequence: c0 is required for 'lstm' and only for it/);
  });
});
