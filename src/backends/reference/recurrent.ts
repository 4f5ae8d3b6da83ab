/**
 * The reference recurrent kernels (backend.ts `RecurrentSequenceParams`,
 * `RecurrentSequenceBackwardParams`; the cell equations are in kernel-params.ts): one batch row
 * at a time, steps first to last (the backward last to first), the state carried in float64
 * between steps and every product summed in float64, rounded once on store. The backward
 * reads h_{t-1} and c_{t-1} from the stored hSeq / cSeq (float32), as every fast backend must.
 * Clarity over speed: this is the oracle the wasm and WGSL twins are tested against.
 */
import {
  recurrentGates, type RecurrentActivation, type RecurrentConfig, type RecurrentSequenceBackwardParams,
  type RecurrentSequenceParams, type TypedArray,
} from '../backend.js';

type Arrays = { readonly values: TypedArray };

/** The activation of a recurrent cell at v (hardSigmoid: Keras's clip(0.2 v + 0.5, 0, 1)). */
export function recurrentActivate(activation: RecurrentActivation, v: number): number {
  switch (activation) {
    case 'tanh': return Math.tanh(v);
    case 'sigmoid': return 1 / (1 + Math.exp(-v));
    case 'hardSigmoid': return Math.min(1, Math.max(0, 0.2 * v + 0.5));
    case 'relu': return v > 0 ? v : 0;
    case 'linear': return v;
  }
}

/** The activation's derivative, read from its output y (the contract: no pre-activation kept). */
export function recurrentDerivative(activation: RecurrentActivation, y: number): number {
  switch (activation) {
    case 'tanh': return 1 - y * y;
    case 'sigmoid': return y * (1 - y);
    case 'hardSigmoid': return y > 0 && y < 1 ? 0.2 : 0;
    case 'relu': return y > 0 ? 1 : 0;
    case 'linear': return 1;
  }
}

/** Checks what both kernels share: sizes, and the optional buffers each cell needs or forbids. */
function checkConfig(kernel: string, p: RecurrentConfig & { c0: unknown; recurrentBias: unknown; saved: unknown }): void {
  const { batch, steps, units } = p;
  for (const [name, v] of [['batch', batch], ['steps', steps], ['units', units]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`reference ${kernel}: ${name} must be a non-negative integer, received ${v}`);
  }
  if ((p.cell === 'lstm') !== (p.c0 !== null)) throw new Error(`reference ${kernel}: c0 is required for 'lstm' and only for it (cell '${p.cell}')`);
  if ((p.cell === 'gru' && p.resetAfter) !== (p.recurrentBias !== null)) {
    throw new Error(`reference ${kernel}: recurrentBias is required for a resetAfter 'gru' and only for it (cell '${p.cell}', resetAfter ${p.resetAfter})`);
  }
  if ((p.cell !== 'simple') !== (p.saved !== null)) throw new Error(`reference ${kernel}: saved is required for 'lstm' and 'gru' and null for 'simple' (cell '${p.cell}')`);
}

/** Whether step t of batch row b runs (mask null: every step). */
const stepRuns = (mask: TypedArray | null, steps: number, b: number, t: number): boolean => mask === null || mask[b * steps + t] !== 0;

/**
 * out[j] = sum_k v[k] U[k, col0 + j] for j < count: the row vector v (units values) times a
 * block of `count` columns of U [units, width].
 */
function rowTimes(v: Float64Array, U: TypedArray, width: number, col0: number, count: number, out: Float64Array): void {
  out.fill(0, 0, count);
  for (let k = 0; k < v.length; k++) {
    const vk = v[k];
    if (vk === 0) continue;
    const row = k * width + col0;
    for (let j = 0; j < count; j++) out[j] += vk * U[row + j];
  }
}

/** out[k] += sum_j d[j] U[k, col0 + j] for k < units: d times the transpose of a block of U. */
function rowTimesTransposed(d: Float64Array, count: number, U: TypedArray, width: number, col0: number, out: Float64Array): void {
  for (let k = 0; k < out.length; k++) {
    const row = k * width + col0;
    let acc = 0;
    for (let j = 0; j < count; j++) acc += d[j] * U[row + j];
    out[k] += acc;
  }
}

export function recurrentSequenceArrays(p: RecurrentSequenceParams<Arrays>): void {
  checkConfig('recurrentSequence', p);
  const { cell, batch, steps, units, resetAfter } = p;
  const act = (v: number): number => recurrentActivate(p.activation, v);
  const gate = (v: number): number => recurrentActivate(p.recurrentActivation, v);
  const G = recurrentGates(cell);
  const width = G * units;
  const xProj = p.xProj.values;
  const U = p.recurrentKernel.values;
  const bh = p.recurrentBias?.values ?? null;
  const mask = p.mask?.values ?? null;
  const dropout = p.recurrentDropoutMask?.values ?? null;
  const hSeq = p.hSeq.values;
  const cSeq = p.cSeq?.values ?? null;
  const saved = p.saved?.values ?? null;
  const h = new Float64Array(units);
  const c = new Float64Array(units);
  const hr = new Float64Array(units);
  const rec = new Float64Array(width);
  const recH = new Float64Array(units);
  const z = new Float64Array(units);
  const r = new Float64Array(units);
  const rhr = new Float64Array(units);
  for (let b = 0; b < batch; b++) {
    for (let k = 0; k < units; k++) {
      h[k] = p.h0.values[b * units + k];
      c[k] = p.c0 === null ? 0 : p.c0.values[b * units + k];
    }
    for (let t = 0; t < steps; t++) {
      const row = b * steps + t;
      const out = row * units;
      const sv = row * 4 * units;
      if (saved !== null) saved.fill(0, sv, sv + 4 * units);
      if (stepRuns(mask, steps, b, t)) {
        for (let k = 0; k < units; k++) hr[k] = dropout === null ? h[k] : h[k] * dropout[b * units + k];
        const px = row * width;
        if (cell === 'simple') {
          rowTimes(hr, U, width, 0, units, rec);
          for (let k = 0; k < units; k++) h[k] = act(xProj[px + k] + rec[k]);
        } else if (cell === 'lstm') {
          rowTimes(hr, U, width, 0, width, rec);
          for (let k = 0; k < units; k++) {
            const i = gate(xProj[px + k] + rec[k]);
            const f = gate(xProj[px + units + k] + rec[units + k]);
            const g = act(xProj[px + 2 * units + k] + rec[2 * units + k]);
            const o = gate(xProj[px + 3 * units + k] + rec[3 * units + k]);
            c[k] = f * c[k] + i * g;
            h[k] = o * act(c[k]);
            saved![sv + k] = i; saved![sv + units + k] = f; saved![sv + 2 * units + k] = g; saved![sv + 3 * units + k] = o;
          }
        } else {
          // z and r read hr U; the candidate reads (r * hr) U_h (resetAfter false) or q = hr U_h + bh_h.
          rowTimes(hr, U, width, 0, resetAfter ? width : 2 * units, rec);
          for (let k = 0; k < units; k++) {
            z[k] = gate(xProj[px + k] + rec[k] + (bh === null ? 0 : bh[k]));
            r[k] = gate(xProj[px + units + k] + rec[units + k] + (bh === null ? 0 : bh[units + k]));
          }
          if (!resetAfter) {
            for (let k = 0; k < units; k++) rhr[k] = r[k] * hr[k];
            rowTimes(rhr, U, width, 2 * units, units, recH);
          }
          for (let k = 0; k < units; k++) {
            const q = resetAfter ? rec[2 * units + k] + bh![2 * units + k] : 0;
            const n = act(xProj[px + 2 * units + k] + (resetAfter ? r[k] * q : recH[k]));
            h[k] = z[k] * h[k] + (1 - z[k]) * n;
            saved![sv + k] = z[k]; saved![sv + units + k] = r[k]; saved![sv + 2 * units + k] = n; saved![sv + 3 * units + k] = q;
          }
        }
      }
      for (let k = 0; k < units; k++) {
        hSeq[out + k] = h[k];
        if (cSeq !== null) cSeq[out + k] = c[k];
      }
    }
  }
}

export function recurrentSequenceBackwardArrays(p: RecurrentSequenceBackwardParams<Arrays>): void {
  checkConfig('recurrentSequenceBackward', p);
  const { cell, batch, steps, units, resetAfter } = p;
  if ((cell === 'lstm') !== (p.dc0 !== null)) throw new Error(`reference recurrentSequenceBackward: dc0 is required for 'lstm' and only for it (cell '${cell}')`);
  if ((cell === 'gru') !== (p.dhProj !== null)) throw new Error(`reference recurrentSequenceBackward: dhProj is required for 'gru' and only for it (cell '${cell}')`);
  if (cell !== 'lstm' && p.dcSeq !== null) throw new Error(`reference recurrentSequenceBackward: dcSeq is for 'lstm' only (cell '${cell}')`);
  const dAct = (y: number): number => recurrentDerivative(p.activation, y);
  const dGate = (y: number): number => recurrentDerivative(p.recurrentActivation, y);
  const G = recurrentGates(cell);
  const width = G * units;
  const U = p.recurrentKernel.values;
  const mask = p.mask?.values ?? null;
  const dropout = p.recurrentDropoutMask?.values ?? null;
  const hSeq = p.hSeq.values;
  const cSeq = p.cSeq?.values ?? null;
  const saved = p.saved?.values ?? null;
  const dhSeq = p.dhSeq.values;
  const dcSeq = p.dcSeq?.values ?? null;
  const dxProj = p.dxProj.values;
  const dhProj = p.dhProj?.values ?? null;
  const dh = new Float64Array(units);
  const dc = new Float64Array(units);
  const dhr = new Float64Array(units);
  const dPre = new Float64Array(width);
  const dRhr = new Float64Array(units);
  /** h_{t-1} (or c_{t-1}) of row b at unit k: the stored sequence, or the initial state at t = 0. */
  const previous = (seq: TypedArray, init: TypedArray, b: number, t: number, k: number): number =>
    t === 0 ? init[b * units + k] : seq[(b * steps + t - 1) * units + k];
  for (let b = 0; b < batch; b++) {
    dh.fill(0);
    dc.fill(0);
    for (let t = steps - 1; t >= 0; t--) {
      const row = b * steps + t;
      const out = row * units;
      const sv = row * 4 * units;
      const px = row * width;
      for (let k = 0; k < units; k++) {
        dh[k] += dhSeq[out + k];
        if (dcSeq !== null) dc[k] += dcSeq[out + k];
      }
      if (!stepRuns(mask, steps, b, t)) {
        // A masked step carries the state: dh and dc flow on to step t - 1 unchanged.
        dxProj.fill(0, px, px + width);
        dhProj?.fill(0, px, px + width);
        continue;
      }
      const hPrev = (k: number): number => previous(hSeq, p.h0.values, b, t, k);
      const hrAt = (k: number): number => (dropout === null ? hPrev(k) : hPrev(k) * dropout[b * units + k]);
      dhr.fill(0);
      if (cell === 'simple') {
        for (let k = 0; k < units; k++) dPre[k] = dh[k] * dAct(hSeq[out + k]);
        rowTimesTransposed(dPre, units, U, width, 0, dhr);
        for (let k = 0; k < units; k++) dh[k] = 0;
      } else if (cell === 'lstm') {
        for (let k = 0; k < units; k++) {
          const i = saved![sv + k], f = saved![sv + units + k], g = saved![sv + 2 * units + k], o = saved![sv + 3 * units + k];
          const ac = recurrentActivate(p.activation, cSeq![out + k]);
          const dcTotal = dc[k] + dh[k] * o * dAct(ac);
          dPre[k] = dcTotal * g * dGate(i);
          dPre[units + k] = dcTotal * previous(cSeq!, p.c0!.values, b, t, k) * dGate(f);
          dPre[2 * units + k] = dcTotal * i * dAct(g);
          dPre[3 * units + k] = dh[k] * ac * dGate(o);
          dc[k] = dcTotal * f;
          dh[k] = 0;
        }
        rowTimesTransposed(dPre, width, U, width, 0, dhr);
      } else {
        for (let k = 0; k < units; k++) {
          const z = saved![sv + k], n = saved![sv + 2 * units + k];
          const dn = dh[k] * (1 - z) * dAct(n);
          dPre[k] = dh[k] * (hPrev(k) - n) * dGate(z);
          dPre[2 * units + k] = dn;
          dh[k] *= z;
        }
        // The candidate's recurrent input: (r * hr) U_h (resetAfter false) or r * q.
        const dCandidate = dRhr;
        if (resetAfter) {
          for (let k = 0; k < units; k++) {
            const r = saved![sv + units + k], q = saved![sv + 3 * units + k];
            dPre[units + k] = dPre[2 * units + k] * q * dGate(r);
            dCandidate[k] = dPre[2 * units + k] * r;
          }
          dhProj!.set(dPre.subarray(0, 2 * units), px);
          for (let k = 0; k < units; k++) dhProj![px + 2 * units + k] = dCandidate[k];
          rowTimesTransposed(dCandidate, units, U, width, 2 * units, dhr);
        } else {
          dCandidate.fill(0);
          rowTimesTransposed(dPre.subarray(2 * units), units, U, width, 2 * units, dCandidate);
          for (let k = 0; k < units; k++) {
            const r = saved![sv + units + k];
            dPre[units + k] = dCandidate[k] * hrAt(k) * dGate(r);
            dhr[k] += dCandidate[k] * r;
          }
          dhProj!.set(dPre, px);
        }
        rowTimesTransposed(dPre, 2 * units, U, width, 0, dhr);
      }
      for (let j = 0; j < width; j++) dxProj[px + j] = dPre[j];
      for (let k = 0; k < units; k++) dh[k] += dropout === null ? dhr[k] : dhr[k] * dropout[b * units + k];
    }
    for (let k = 0; k < units; k++) {
      p.dh0.values[b * units + k] = dh[k];
      if (p.dc0 !== null) p.dc0.values[b * units + k] = dc[k];
    }
  }
}
