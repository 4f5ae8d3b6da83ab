/**
 * Recurrent kernel cases (recurrentSequence and recurrentSequenceBackward, kernel-params.ts):
 * the backend under test against the reference backend (float64 state and sums) on odd sizes:
 * every cell (gru in both reset forms), every activation as activation and as
 * recurrentActivation, units 1..33, steps 1..50, batch 1..5 plus two wide batches, masks
 * (float32, int32 and bool words; the first step and a whole row masked), the recurrent
 * dropout mask, dcSeq present or not, saturated gates (xProj up to 1e4) and no steps at all. The backward runs on the forward's own outputs
 * (hSeq, cSeq, saved from the backend under test, the same for both), with random dhSeq.
 * Tolerance max(2e-5, 2e-4 |ref|) forward, max(5e-5, 5e-4 |ref|) backward: float32 state over
 * up to 50 steps against float64 (measured worst: see the test's report).
 */
import { recurrentGates, type RecurrentActivation, type RecurrentCellKind } from '../../../src/backends/backend.js';
import { bools, compareOutputs, mulberry32, type Input, type KernelCase } from './harness.js';

export interface RecurrentCase {
  cell: RecurrentCellKind;
  activation?: RecurrentActivation;
  recurrentActivation?: RecurrentActivation;
  resetAfter?: boolean;
  batch: number;
  steps: number;
  units: number;
  mask?: 'float32' | 'int32' | 'bool';
  dropout?: boolean;
  dcSeq?: boolean;
  /** xProj's values lie in [-scale, scale) (default 1.5): 1e4 saturates every gate (hostile values). */
  scale?: number;
}

export const recurrentLabel = (c: RecurrentCase): string =>
  `recurrent ${c.cell}${c.resetAfter ? ' resetAfter' : ''} ${c.activation ?? 'tanh'}/${c.recurrentActivation ?? 'sigmoid'} ` +
  `B${c.batch} T${c.steps} H${c.units}${c.mask ? ` mask ${c.mask}` : ''}${c.dropout ? ' dropout' : ''}${c.dcSeq ? ' dcSeq' : ''}${c.scale ? ` xProj scale ${c.scale}` : ''}`;

const ACTIVATIONS: RecurrentActivation[] = ['tanh', 'sigmoid', 'hardSigmoid', 'relu', 'linear'];
const FORMS: { cell: RecurrentCellKind; resetAfter?: boolean }[] = [
  { cell: 'simple' }, { cell: 'lstm' }, { cell: 'gru' }, { cell: 'gru', resetAfter: true },
];

export const RECURRENT_CASES: RecurrentCase[] = [
  ...FORMS.flatMap((f) => [
    { ...f, batch: 1, steps: 1, units: 1 },
    { ...f, batch: 3, steps: 7, units: 5, mask: 'float32' as const },
    { ...f, batch: 2, steps: 13, units: 17, dropout: true },
    { ...f, batch: 5, steps: 50, units: 33, mask: 'float32' as const, dropout: true, dcSeq: f.cell === 'lstm' },
    { ...f, batch: 4, steps: 3, units: 2, mask: 'int32' as const },
    { ...f, batch: 1, steps: 9, units: 31, mask: 'bool' as const, dcSeq: f.cell === 'lstm' },
  ]),
  // Every activation in both places (a simple cell has only the first).
  ...ACTIVATIONS.flatMap((activation, i) => [
    { cell: 'simple' as const, activation, batch: 2, steps: 6, units: 7 },
    { cell: 'lstm' as const, activation, recurrentActivation: ACTIVATIONS[(i + 2) % 5], batch: 3, steps: 5, units: 9, mask: 'float32' as const },
    { cell: 'gru' as const, activation: ACTIVATIONS[(i + 1) % 5], recurrentActivation: activation, batch: 2, steps: 4, units: 6, dropout: true },
    { cell: 'gru' as const, resetAfter: true, activation: ACTIVATIONS[(i + 3) % 5], recurrentActivation: activation, batch: 2, steps: 4,
      units: 6, mask: 'float32' as const },
  ]),
  // Past one workgroup of 64 invocations, and the bench's sizes.
  { cell: 'lstm', batch: 8, steps: 12, units: 64, mask: 'float32', dcSeq: true },
  { cell: 'gru', batch: 64, steps: 3, units: 64, dropout: true },
  { cell: 'simple', activation: 'relu', batch: 17, steps: 5, units: 33, mask: 'float32' },
  // No steps: hSeq is empty, dh0 and dc0 are zero.
  ...FORMS.map((f) => ({ ...f, batch: 2, steps: 0, units: 3, dropout: true, dcSeq: f.cell === 'lstm' })),
  // Saturated gates: exp overflows to Infinity or underflows to 0, and no NaN may come out.
  ...FORMS.map((f) => ({ ...f, batch: 2, steps: 5, units: 3, mask: 'float32' as const, scale: 1e4 })),
  { cell: 'lstm', activation: 'hardSigmoid', recurrentActivation: 'hardSigmoid', batch: 2, steps: 4, units: 3, scale: 1e4 },
];

/** Random inputs of one case: a mask with its first step and (batch > 1) its second row masked. */
function inputsOf(c: RecurrentCase, seed: number) {
  const rand = mulberry32(seed);
  const G = recurrentGates(c.cell);
  const uniform = (n: number, lo = -1, hi = 1) => Float32Array.from({ length: n }, () => lo + (hi - lo) * rand());
  let mask: Input | null = null;
  if (c.mask) {
    const bits = Array.from({ length: c.batch * c.steps }, () => (rand() < 0.3 ? 0 : 1));
    bits[0] = 0;
    if (c.batch > 1) bits.fill(0, c.steps, 2 * c.steps);
    mask = c.mask === 'bool' ? bools(bits) : c.mask === 'int32' ? Int32Array.from(bits) : Float32Array.from(bits);
  }
  // U scaled by 1 / sqrt(units) keeps relu and linear cells from growing over 50 steps.
  const scale = 1 / Math.sqrt(c.units);
  return {
    xProj: uniform(c.batch * c.steps * G * c.units, -(c.scale ?? 1.5), c.scale ?? 1.5),
    U: uniform(c.units * G * c.units, -scale, scale),
    bh: c.cell === 'gru' && c.resetAfter ? uniform(G * c.units) : null,
    h0: uniform(c.batch * c.units),
    c0: c.cell === 'lstm' ? uniform(c.batch * c.units) : null,
    mask,
    dropout: c.dropout ? Float32Array.from({ length: c.batch * c.units }, () => (rand() < 0.3 ? 0 : 1 / 0.7)) : null,
    dhSeq: uniform(c.batch * c.steps * c.units),
    dcSeq: c.dcSeq ? uniform(c.batch * c.steps * c.units) : null,
  };
}

const FORWARD_TOL = { atol: 2e-5, rtol: 2e-4 };
const BACKWARD_TOL = { atol: 5e-5, rtol: 5e-4 };

/** Forward then backward of case c, each compared with the reference. */
export async function checkRecurrent(backend: Parameters<KernelCase['run']>[0], reference: Parameters<KernelCase['run']>[1],
  c: RecurrentCase, seed: number): Promise<void> {
  const label = recurrentLabel(c);
  const { batch, steps, units, cell } = c;
  const config = { cell, activation: c.activation ?? 'tanh', recurrentActivation: c.recurrentActivation ?? 'sigmoid',
    resetAfter: c.resetAfter ?? false, batch, steps, units } as const;
  const v = inputsOf(c, seed);
  const seq = batch * steps * units, width = recurrentGates(cell) * units;
  // Optional inputs go last, in a fixed order; `at` finds them.
  const optional = [v.bh, v.c0, v.mask, v.dropout].filter((x) => x !== null) as Input[];
  const at = (ins: unknown[], present: boolean, index: number) => (present ? ins[index] : null);
  const has = [v.bh !== null, v.c0 !== null, v.mask !== null, v.dropout !== null];
  const slot = (i: number) => has.slice(0, i).filter(Boolean).length;
  const pick = <T>(ins: T[], first: number) => ({
    recurrentBias: at(ins, has[0], first + slot(0)) as T | null, c0: at(ins, has[1], first + slot(1)) as T | null,
    mask: at(ins, has[2], first + slot(2)) as T | null, recurrentDropoutMask: at(ins, has[3], first + slot(3)) as T | null,
  });
  const outputs = [{ size: seq }, ...(cell === 'lstm' ? [{ size: seq }] : []), ...(cell !== 'simple' ? [{ size: 4 * seq }] : [])];
  const forward = await compareOutputs(`${label} forward`, backend, reference, [v.xProj, v.U, v.h0, ...optional], outputs,
    (b, ins, outs) => b.recurrentSequence({ ...config, xProj: ins[0], recurrentKernel: ins[1], h0: ins[2], ...pick(ins, 3),
      hSeq: outs[0], cSeq: cell === 'lstm' ? outs[1] : null, saved: cell === 'simple' ? null : outs[outs.length - 1] }), FORWARD_TOL);
  const saved = forward.slice(1) as Float32Array[];
  const backOut = [{ size: batch * steps * width }, ...(cell === 'gru' ? [{ size: batch * steps * width }] : []), { size: batch * units },
    ...(cell === 'lstm' ? [{ size: batch * units }] : [])];
  const extra = [...saved, ...(v.dcSeq ? [v.dcSeq] : [])];
  await compareOutputs(`${label} backward`, backend, reference, [v.U, v.h0, forward[0] as Float32Array, v.dhSeq, ...extra, ...optional],
    backOut, (b, ins, outs) => {
      const e = 4;
      b.recurrentSequenceBackward({ ...config, recurrentKernel: ins[0], h0: ins[1], hSeq: ins[2], dhSeq: ins[3],
        cSeq: cell === 'lstm' ? ins[e] : null, saved: cell === 'simple' ? null : ins[e + saved.length - 1],
        dcSeq: v.dcSeq ? ins[e + saved.length] : null, ...pick(ins, e + extra.length),
        dxProj: outs[0], dhProj: cell === 'gru' ? outs[1] : null, dh0: outs[cell === 'gru' ? 2 : 1], dc0: cell === 'lstm' ? outs[2] : null });
    }, BACKWARD_TOL);
}

export const cases: KernelCase[] = RECURRENT_CASES.map((c, i) => ({
  name: recurrentLabel(c),
  run: (backend, reference) => checkRecurrent(backend, reference, c, 1700 + i),
}));
