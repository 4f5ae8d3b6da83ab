/**
 * Recurrent cases: recurrentSequence and recurrentSequenceBackward (kernel-params.ts) against
 * the reference backend, every cell (simple, lstm, gru with both reset forms) on odd sizes:
 * units 1..33, one step and sequences up to 50, batch 1..5, masked steps (the first step of
 * row 0 and the whole of row 1 masked, others at random), the recurrent dropout mask, and
 * each activation the kernels compute, saturating inputs (+-1e4) and NaN at masked steps. The backward runs on the reference's forward outputs,
 * so both backends differentiate the same sequence.
 *
 * What must match: hSeq and cSeq everywhere; `saved` at the steps that run (a masked step's
 * gates are never read), its q block only for a resetAfter gru; dxProj, dhProj, dh0 and dc0
 * everywhere (a masked step's gate gradients are zeros). Tolerance: the forward is float32
 * against float64 over up to 50 steps of contracting recurrences, atol 2e-5, rtol 2e-4; the
 * backward sums the same terms in another order, atol 5e-5, rtol 5e-4.
 */
import {
  recurrentGates, type Backend, type RecurrentActivation, type RecurrentCellKind, type RecurrentConfig, type Storage,
  type TypedArray,
} from '../../../src/backends/backend.js';
import { assertClose, empty, knownGap, mulberry32, randomArray, upload, withKernels, type KernelCase } from './harness.js';

const FORWARD_TOL = { atol: 2e-5, rtol: 2e-4 };
const BACKWARD_TOL = { atol: 5e-5, rtol: 5e-4 };

/**
 * hostile: 'saturate' draws xProj from +-1e4 (every gate at 0 or 1, tanh at +-1: an exp that
 * overflows must give the limit, not NaN); 'nanMasked' puts NaN in xProj at every masked step,
 * which a kernel must not read (the state carries over, and the gradients stay finite).
 */
interface Shape { batch: number; steps: number; units: number; mask?: boolean; dropout?: boolean; hostile?: 'saturate' | 'nanMasked' }
type CellForm = { cell: RecurrentCellKind; resetAfter: boolean; activation: RecurrentActivation; recurrentActivation: RecurrentActivation };

const SHAPES: Shape[] = [
  { batch: 1, steps: 1, units: 1 },
  { batch: 2, steps: 1, units: 3, mask: true },
  { batch: 3, steps: 7, units: 5, mask: true },
  { batch: 2, steps: 3, units: 16, dropout: true },
  { batch: 4, steps: 5, units: 8, mask: true, dropout: true },
  { batch: 3, steps: 13, units: 17, mask: true },
  { batch: 1, steps: 50, units: 33 },
  { batch: 5, steps: 50, units: 7, mask: true, dropout: true },
  { batch: 5, steps: 2, units: 2 },
  { batch: 3, steps: 6, units: 5, hostile: 'saturate' },
  { batch: 4, steps: 7, units: 9, mask: true, dropout: true, hostile: 'nanMasked' },
];

const FORMS: CellForm[] = [
  { cell: 'simple', resetAfter: false, activation: 'tanh', recurrentActivation: 'sigmoid' },
  { cell: 'lstm', resetAfter: false, activation: 'tanh', recurrentActivation: 'sigmoid' },
  { cell: 'gru', resetAfter: false, activation: 'tanh', recurrentActivation: 'sigmoid' },
  { cell: 'gru', resetAfter: true, activation: 'tanh', recurrentActivation: 'sigmoid' },
];

/** Each other activation, on a short sequence (relu and linear recurrences are not contracting). */
const ACTIVATION_CASES: (CellForm & Shape)[] = [
  { cell: 'simple', resetAfter: false, activation: 'relu', recurrentActivation: 'sigmoid', batch: 3, steps: 4, units: 7, mask: true },
  { cell: 'simple', resetAfter: false, activation: 'linear', recurrentActivation: 'sigmoid', batch: 2, steps: 3, units: 5, dropout: true },
  { cell: 'lstm', resetAfter: false, activation: 'tanh', recurrentActivation: 'hardSigmoid', batch: 3, steps: 9, units: 6, mask: true },
  { cell: 'lstm', resetAfter: false, activation: 'relu', recurrentActivation: 'hardSigmoid', batch: 2, steps: 4, units: 5 },
  { cell: 'lstm', resetAfter: false, activation: 'linear', recurrentActivation: 'sigmoid', batch: 2, steps: 3, units: 3, dropout: true },
  { cell: 'gru', resetAfter: false, activation: 'tanh', recurrentActivation: 'hardSigmoid', batch: 3, steps: 9, units: 6, mask: true },
  { cell: 'gru', resetAfter: false, activation: 'relu', recurrentActivation: 'sigmoid', batch: 2, steps: 4, units: 5, dropout: true },
  { cell: 'gru', resetAfter: true, activation: 'tanh', recurrentActivation: 'hardSigmoid', batch: 3, steps: 9, units: 6, mask: true, dropout: true },
  { cell: 'gru', resetAfter: true, activation: 'linear', recurrentActivation: 'sigmoid', batch: 2, steps: 3, units: 4 },
];

interface Values {
  config: RecurrentConfig;
  xProj: Float32Array; U: Float32Array; bh: Float32Array | null; h0: Float32Array; c0: Float32Array | null;
  mask: Float32Array | null; dropout: Float32Array | null; dhSeq: Float32Array; dcSeq: Float32Array | null;
}

function valuesOf(c: CellForm & Shape, seed: number): Values {
  const { batch, steps, units } = c;
  const W = recurrentGates(c.cell) * units;
  const rand = mulberry32(seed);
  // U scaled by 1.5 / sqrt(units): the recurrence stays contracting, so 50 steps do not amplify rounding.
  const U = randomArray(units * W, seed + 1, -1.5 / Math.sqrt(units), 1.5 / Math.sqrt(units));
  let mask: Float32Array | null = null;
  if (c.mask) {
    mask = Float32Array.from({ length: batch * steps }, () => (rand() < 0.25 ? 0 : 1));
    mask[0] = 0;
    if (batch > 1) mask.fill(0, steps, 2 * steps);
  }
  const xProj = randomArray(batch * steps * W, seed + 2, -1.5, 1.5);
  if (c.hostile === 'saturate') for (let i = 0; i < xProj.length; i++) xProj[i] = xProj[i] < 0 ? -1e4 : 1e4;
  if (c.hostile === 'nanMasked' && mask !== null) {
    for (let row = 0; row < batch * steps; row++) if (mask[row] === 0) xProj.fill(Number.NaN, row * W, (row + 1) * W);
  }
  return {
    config: { cell: c.cell, activation: c.activation, recurrentActivation: c.recurrentActivation, resetAfter: c.resetAfter, batch, steps, units },
    xProj, U,
    bh: c.cell === 'gru' && c.resetAfter ? randomArray(W, seed + 3, -0.5, 0.5) : null,
    h0: randomArray(batch * units, seed + 4, -0.5, 0.5),
    c0: c.cell === 'lstm' ? randomArray(batch * units, seed + 5, -0.5, 0.5) : null,
    mask,
    dropout: c.dropout ? Float32Array.from({ length: batch * units }, () => (rand() < 0.3 ? 0 : 1 / 0.7)) : null,
    dhSeq: randomArray(batch * steps * units, seed + 6),
    dcSeq: c.cell === 'lstm' ? randomArray(batch * steps * units, seed + 7) : null,
  };
}

interface ForwardResult { hSeq: TypedArray; cSeq: TypedArray | null; saved: TypedArray | null }

/** Uploads what is not null, runs `launch`, reads `outputs` back, frees everything. */
async function runOn<T extends Record<string, TypedArray | null>>(backend: Backend, inputs: Record<string, Float32Array | TypedArray | null>,
  outputs: Record<keyof T, number | null>, launch: (ins: Record<string, Storage | null>, outs: Record<string, Storage | null>) => void): Promise<T> {
  const ins: Record<string, Storage | null> = {};
  const outs: Record<string, Storage | null> = {};
  for (const [k, v] of Object.entries(inputs)) ins[k] = v === null ? null : upload(backend, v as Float32Array, 'float32');
  for (const [k, size] of Object.entries(outputs) as [string, number | null][]) outs[k] = size === null ? null : empty(backend, size);
  try {
    launch(ins, outs);
    const result: Record<string, TypedArray | null> = {};
    for (const [k, s] of Object.entries(outs)) result[k] = s === null ? null : await backend.read(s);
    return result as T;
  } finally {
    for (const s of [...Object.values(ins), ...Object.values(outs)]) if (s !== null) backend.free(s);
  }
}

function forward(backend: Backend, v: Values): Promise<ForwardResult> {
  const { cell, batch, steps, units } = v.config;
  const b = withKernels(backend);
  const seq = batch * steps * units;
  return runOn<{ hSeq: TypedArray; cSeq: TypedArray | null; saved: TypedArray | null }>(backend,
    { xProj: v.xProj, U: v.U, bh: v.bh, h0: v.h0, c0: v.c0, mask: v.mask, dropout: v.dropout },
    { hSeq: seq, cSeq: cell === 'lstm' ? seq : null, saved: cell === 'simple' ? null : 4 * seq },
    (i, o) => b.recurrentSequence({
      ...v.config, xProj: i.xProj!, recurrentKernel: i.U!, recurrentBias: i.bh, h0: i.h0!, c0: i.c0, mask: i.mask,
      recurrentDropoutMask: i.dropout, hSeq: o.hSeq!, cSeq: o.cSeq, saved: o.saved,
    }));
}

/** `saved` where it is defined: steps that run, blocks i f g o (lstm), z r n and q only for resetAfter (gru). */
function definedSaved(saved: TypedArray, v: Values): number[] {
  const { cell, resetAfter, batch, steps, units } = v.config;
  const blocks = cell === 'lstm' || resetAfter ? 4 : 3;
  const out: number[] = [];
  for (let row = 0; row < batch * steps; row++) {
    if (v.mask !== null && v.mask[row] === 0) continue;
    for (let j = 0; j < blocks * units; j++) out.push(saved[row * 4 * units + j]);
  }
  return out;
}

function backward(backend: Backend, v: Values, f: ForwardResult) {
  const { cell, batch, steps, units } = v.config;
  const b = withKernels(backend);
  const W = recurrentGates(cell) * units;
  return runOn<{ dxProj: TypedArray; dhProj: TypedArray | null; dh0: TypedArray; dc0: TypedArray | null }>(backend,
    { U: v.U, bh: v.bh, h0: v.h0, c0: v.c0, mask: v.mask, dropout: v.dropout, hSeq: f.hSeq, cSeq: f.cSeq, saved: f.saved, dhSeq: v.dhSeq, dcSeq: v.dcSeq },
    { dxProj: batch * steps * W, dhProj: cell === 'gru' ? batch * steps * W : null, dh0: batch * units, dc0: cell === 'lstm' ? batch * units : null },
    (i, o) => b.recurrentSequenceBackward({
      ...v.config, recurrentKernel: i.U!, recurrentBias: i.bh, h0: i.h0!, c0: i.c0, mask: i.mask, recurrentDropoutMask: i.dropout,
      hSeq: i.hSeq!, cSeq: i.cSeq, saved: i.saved, dhSeq: i.dhSeq!, dcSeq: i.dcSeq, dxProj: o.dxProj!, dhProj: o.dhProj, dh0: o.dh0!, dc0: o.dc0,
    }));
}

function describeCase(c: CellForm & Shape): string {
  return `${c.cell}${c.resetAfter ? ' resetAfter' : ''} ${c.activation}/${c.recurrentActivation} batch=${c.batch} steps=${c.steps} ` +
    `units=${c.units}${c.mask ? ' masked' : ''}${c.dropout ? ' recurrent dropout' : ''}${c.hostile ? ` ${c.hostile}` : ''}`;
}

function recurrentCases(c: CellForm & Shape, seed: number): KernelCase[] {
  const label = describeCase(c);
  return [
    {
      name: `recurrentSequence ${label}`,
      run: async (backend, reference) => {
        if (knownGap(backend, 'recurrentSequence')) return;
        const v = valuesOf(c, seed);
        const [got, want] = [await forward(backend, v), await forward(reference, v)];
        assertClose(`recurrentSequence ${label} hSeq`, got.hSeq, want.hSeq, FORWARD_TOL);
        if (want.cSeq) assertClose(`recurrentSequence ${label} cSeq`, got.cSeq!, want.cSeq, FORWARD_TOL);
        if (want.saved) assertClose(`recurrentSequence ${label} saved`, definedSaved(got.saved!, v), definedSaved(want.saved, v), FORWARD_TOL);
      },
    },
    {
      name: `recurrentSequenceBackward ${label}`,
      run: async (backend, reference) => {
        if (knownGap(backend, 'recurrentSequenceBackward')) return;
        const v = valuesOf(c, seed);
        const f = await forward(reference, v);
        const [got, want] = [await backward(backend, v, f), await backward(reference, v, f)];
        for (const k of ['dxProj', 'dhProj', 'dh0', 'dc0'] as const) {
          if (want[k] !== null) assertClose(`recurrentSequenceBackward ${label} ${k}`, got[k]!, want[k]!, BACKWARD_TOL);
        }
      },
    },
  ];
}

export const cases: KernelCase[] = [
  ...FORMS.flatMap((form, i) => SHAPES.map((shape, j) => ({ ...form, ...shape, seed: 1000 + 100 * i + j }))),
  ...ACTIVATION_CASES.map((c, i) => ({ ...c, seed: 2000 + i })),
].flatMap(({ seed, ...c }) => recurrentCases(c, seed));
