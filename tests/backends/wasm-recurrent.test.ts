/**
 * The wasm recurrent kernels (assembly/rnn.ts via src/backends/wasm/recurrent.ts) against the
 * reference backend, on both builds, beyond the shared suite's cases: every units count 1..33
 * (every tail of the 4-float vectors and the 8-column panels), sequences of 1..50 steps, batch
 * 1..5, every cell and gru form and activation, masks stored as float32, int32 and bool,
 * recurrent dropout, saturating and NaN inputs; the scratch is returned; bad configurations are
 * errors naming the kernel. Tolerance as the suite's: forward atol 2e-5 / rtol 2e-4 (float32
 * against float64 over up to 50 contracting steps), backward atol 5e-5 / rtol 5e-4.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  recurrentGates, type DType, type RecurrentActivation, type RecurrentCellKind, type RecurrentConfig, type Storage,
  type TypedArray,
} from '../../src/backends/backend.js';
import { createReferenceBackend } from '../../src/backends/reference/index.js';
import { createWasmBackend, type WasmBackend } from '../../src/backends/wasm/index.js';
import * as sora from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { addOpObserver } from '../../src/ops/registry.js';
import { recurrentSequence, type RecurrentSequenceArgs } from '../../src/ops/recurrent/sequence.js';
import { CASES as OP_CASES, caseLabel, makeValues, type OpCase, type Values as OpValues } from '../ops/recurrent-cases.js';
import { assertClose, mulberry32, randomArray } from './suite/harness.js';

const FORWARD_TOL = { atol: 2e-5, rtol: 2e-4 };
const BACKWARD_TOL = { atol: 5e-5, rtol: 5e-4 };
const reference = createReferenceBackend();

interface Case extends RecurrentConfig { mask: DType | null; dropout: boolean; xScale: number; nanAt?: number }

const FORMS: [RecurrentCellKind, boolean, RecurrentActivation, RecurrentActivation][] = [
  ['simple', false, 'tanh', 'sigmoid'], ['lstm', false, 'tanh', 'sigmoid'], ['gru', false, 'tanh', 'sigmoid'],
  ['gru', true, 'tanh', 'sigmoid'], ['lstm', false, 'tanh', 'hardSigmoid'], ['gru', true, 'relu', 'hardSigmoid'],
  ['simple', false, 'relu', 'linear'], ['gru', false, 'linear', 'sigmoid'], ['lstm', false, 'relu', 'sigmoid'],
  ['simple', false, 'linear', 'linear'], ['gru', false, 'tanh', 'hardSigmoid'],
];
const STEPS = [1, 2, 3, 7, 13, 50, 5];
const MASKS: (DType | null)[] = [null, 'float32', 'int32', 'bool'];

/** Units 1..33, each with a form, a length, a batch and a mask dtype in rotation. */
const SWEEP: Case[] = Array.from({ length: 33 }, (_, i) => {
  const [cell, resetAfter, activation, recurrentActivation] = FORMS[i % FORMS.length];
  // relu and linear recurrences are not contracting: keep those short.
  const contracting = activation === 'tanh' && recurrentActivation !== 'linear';
  return {
    cell, resetAfter, activation, recurrentActivation, units: i + 1, batch: 1 + (i % 5),
    steps: contracting ? STEPS[i % STEPS.length] : 1 + (i % 4), mask: MASKS[i % MASKS.length], dropout: i % 3 === 1, xScale: 1.5,
  };
});

interface Values { xProj: Float32Array; U: Float32Array; bh: Float32Array | null; h0: Float32Array; c0: Float32Array | null;
  mask: Float32Array | null; dropout: Float32Array | null; dhSeq: Float32Array; dcSeq: Float32Array | null }

function valuesOf(c: Case, seed: number): Values {
  const { batch, steps, units } = c;
  const W = recurrentGates(c.cell) * units;
  const rand = mulberry32(seed);
  let mask: Float32Array | null = null;
  if (c.mask !== null) {
    mask = Float32Array.from({ length: batch * steps }, () => (rand() < 0.3 ? 0 : 1));
    mask[0] = 0;
    if (batch > 1) mask.fill(0, steps, 2 * steps);
  }
  const xProj = randomArray(batch * steps * W, seed + 2, -c.xScale, c.xScale);
  if (c.nanAt !== undefined) xProj[c.nanAt] = Number.NaN;
  return {
    xProj, U: randomArray(units * W, seed + 1, -1.5 / Math.sqrt(units), 1.5 / Math.sqrt(units)),
    bh: c.cell === 'gru' && c.resetAfter ? randomArray(W, seed + 3, -0.5, 0.5) : null,
    h0: randomArray(batch * units, seed + 4, -0.5, 0.5), c0: c.cell === 'lstm' ? randomArray(batch * units, seed + 5, -0.5, 0.5) : null,
    mask, dropout: c.dropout ? Float32Array.from({ length: batch * units }, () => (rand() < 0.3 ? 0 : 1 / 0.7)) : null,
    dhSeq: randomArray(batch * steps * units, seed + 6), dcSeq: c.cell === 'lstm' ? randomArray(batch * steps * units, seed + 7) : null,
  };
}

type AnyBackend = typeof reference | WasmBackend;

function put(b: AnyBackend, values: Float32Array | null, dtype: DType = 'float32', held: Storage[] = []): Storage | null {
  if (values === null) return null;
  const s = b.alloc(values.length, dtype) as never as Storage;
  (b as typeof reference).write(s as never, dtype === 'float32' ? values : Int32Array.from(values, (v) => (v !== 0 ? 1 : 0)));
  held.push(s);
  return s;
}

const config = (c: Case): RecurrentConfig => ({
  cell: c.cell, activation: c.activation, recurrentActivation: c.recurrentActivation, resetAfter: c.resetAfter,
  batch: c.batch, steps: c.steps, units: c.units,
});

/** The forward, then the backward on the forward's outputs of `on` (the same sequence on both backends). */
async function run(b: AnyBackend, c: Case, v: Values, forwardOf?: { hSeq: TypedArray; cSeq: TypedArray | null; saved: TypedArray | null }) {
  const held: Storage[] = [];
  const any = b as unknown as typeof reference;
  try {
    const { batch, steps, units } = c;
    const seq = batch * steps * units, W = recurrentGates(c.cell) * units;
    const empty = (n: number | null) => (n === null ? null : put(b, new Float32Array(n).fill(Number.NaN), 'float32', held));
    const common = {
      ...config(c), recurrentKernel: put(b, v.U, 'float32', held)!, recurrentBias: put(b, v.bh, 'float32', held),
      h0: put(b, v.h0, 'float32', held)!, c0: put(b, v.c0, 'float32', held), mask: put(b, v.mask, c.mask ?? 'float32', held),
      recurrentDropoutMask: put(b, v.dropout, 'float32', held),
    };
    const f = {
      ...common, xProj: put(b, v.xProj, 'float32', held)!, hSeq: empty(seq)!, cSeq: empty(c.cell === 'lstm' ? seq : null),
      saved: empty(c.cell === 'simple' ? null : 4 * seq),
    };
    any.recurrentSequence!(f as never);
    const forward = { hSeq: await any.read(f.hSeq as never), cSeq: f.cSeq && await any.read(f.cSeq as never), saved: f.saved && await any.read(f.saved as never) };
    const from = forwardOf ?? forward;
    const g = {
      ...common, hSeq: put(b, from.hSeq as Float32Array, 'float32', held)!, cSeq: put(b, from.cSeq as Float32Array | null, 'float32', held),
      saved: put(b, from.saved as Float32Array | null, 'float32', held), dhSeq: put(b, v.dhSeq, 'float32', held)!,
      dcSeq: put(b, v.dcSeq, 'float32', held), dxProj: empty(batch * steps * W)!, dhProj: empty(c.cell === 'gru' ? batch * steps * W : null),
      dh0: empty(batch * units)!, dc0: empty(c.cell === 'lstm' ? batch * units : null),
    };
    any.recurrentSequenceBackward!(g as never);
    const backward = {
      dxProj: await any.read(g.dxProj as never), dhProj: g.dhProj && await any.read(g.dhProj as never),
      dh0: await any.read(g.dh0 as never), dc0: g.dc0 && await any.read(g.dc0 as never),
    };
    return { forward, backward };
  } finally {
    for (const s of held) any.free(s as never);
  }
}

/** saved where the contract defines it: steps that run; q (block 3) only for lstm and resetAfter gru. */
function definedSaved(saved: TypedArray, c: Case, v: Values): number[] {
  const blocks = c.cell === 'lstm' || c.resetAfter ? 4 : 3;
  const out: number[] = [];
  for (let row = 0; row < c.batch * c.steps; row++) {
    if (v.mask !== null && v.mask[row] === 0) continue;
    for (let j = 0; j < blocks * c.units; j++) out.push(saved[row * 4 * c.units + j]);
  }
  return out;
}

async function compare(backend: WasmBackend, c: Case, seed: number): Promise<void> {
  const label = `${c.cell}${c.resetAfter ? ' resetAfter' : ''} ${c.activation}/${c.recurrentActivation} ` +
    `batch=${c.batch} steps=${c.steps} units=${c.units} mask=${c.mask} dropout=${c.dropout}`;
  const v = valuesOf(c, seed);
  const want = await run(reference, c, v);
  const before = backend.bytesInUse();
  const got = await run(backend, c, v, want.forward);
  expect(backend.bytesInUse(), 'the kernels return their scratch').toBe(before);
  assertClose(`${label} hSeq`, got.forward.hSeq, want.forward.hSeq, FORWARD_TOL);
  if (want.forward.cSeq) assertClose(`${label} cSeq`, got.forward.cSeq!, want.forward.cSeq, FORWARD_TOL);
  if (want.forward.saved) assertClose(`${label} saved`, definedSaved(got.forward.saved!, c, v), definedSaved(want.forward.saved, c, v), FORWARD_TOL);
  if (want.forward.saved && v.mask !== null) {
    // A masked step's gates are zeros, as the reference writes them.
    const W4 = 4 * c.units;
    for (let row = 0; row < c.batch * c.steps; row++) {
      if (v.mask[row] === 0) expect(Array.from(got.forward.saved!.subarray(row * W4, (row + 1) * W4)).every((x) => x === 0)).toBe(true);
    }
  }
  for (const k of ['dxProj', 'dhProj', 'dh0', 'dc0'] as const) {
    if (want.backward[k] !== null) assertClose(`${label} ${k}`, got.backward[k]!, want.backward[k]!, BACKWARD_TOL);
  }
}

for (const variant of ['simd', 'relaxed'] as const) {
  describe(`wasm ${variant} recurrent kernels against the reference`, () => {
    let backend: WasmBackend;
    beforeAll(async () => { backend = await createWasmBackend({ variant }); });

    it('every units count 1..33, with every cell, gru form, activation and mask dtype in rotation', async () => {
      for (const [i, c] of SWEEP.entries()) await compare(backend, c, 5000 + i);
    });

    it('a batch wider than the micro-kernel rows and units past one panel (batch 13, units 41, 20 steps)', async () => {
      for (const [i, [cell, resetAfter]] of ([['lstm', false], ['gru', false], ['gru', true], ['simple', false]] as const).entries()) {
        await compare(backend, { cell, resetAfter, activation: 'tanh', recurrentActivation: 'sigmoid', batch: 13, steps: 20, units: 41,
          mask: 'float32', dropout: i % 2 === 0, xScale: 1.5 }, 6000 + i);
      }
    });

    it('saturating pre-activations (|xProj| up to 1e4) and a NaN stay as the reference has them', async () => {
      for (const [i, [cell, resetAfter, activation]] of ([['lstm', false, 'tanh'], ['gru', true, 'tanh'], ['gru', false, 'tanh'],
        ['simple', false, 'relu']] as const).entries()) {
        const c: Case = { cell, resetAfter, activation, recurrentActivation: 'sigmoid', batch: 3, steps: 4, units: 6, mask: null,
          dropout: false, xScale: 1e4 };
        await compare(backend, c, 7000 + i);
        // A NaN in row 1's xProj at step 2: that row's later states are NaN (relu: 0, as the reference's v > 0 ? v : 0).
        await compare(backend, { ...c, xScale: 1.5, nanAt: (1 * c.steps + 2) * recurrentGates(cell) * c.units + 1 }, 7100 + i);
      }
    });

    it('a bad configuration is an Error naming the kernel and what is wrong, before the kernel runs', () => {
      const s = backend.alloc(64, 'float32');
      try {
        const base = { batch: 2, steps: 2, units: 2, resetAfter: false, activation: 'tanh', recurrentActivation: 'sigmoid',
          xProj: s, recurrentKernel: s, recurrentBias: null, h0: s, c0: null, mask: null, recurrentDropoutMask: null, hSeq: s, cSeq: null, saved: s } as const;
        expect(() => backend.recurrentSequence({ ...base, cell: 'lstm' })).toThrow("wasm recurrentSequence: c0 is required for 'lstm'");
        expect(() => backend.recurrentSequence({ ...base, cell: 'gru', resetAfter: true })).toThrow('recurrentBias is required for a resetAfter');
        expect(() => backend.recurrentSequence({ ...base, cell: 'gru', activation: 'elu' as never })).toThrow("unknown activation 'elu'");
        expect(() => backend.recurrentSequence({ ...base, cell: 'simple', units: 1.5 })).toThrow('units must be a non-negative integer, received 1.5');
        expect(() => backend.recurrentSequenceBackward({ ...base, cell: 'gru', dhSeq: s, dcSeq: null, dxProj: s, dhProj: null, dh0: s, dc0: null }))
          .toThrow("wasm recurrentSequenceBackward: dhProj is required for 'gru'");
      } finally {
        backend.free(s);
      }
    });
  });
}

/**
 * Through the op (src/ops/recurrent/): on the wasm backend the op runs these kernels (one
 * kernel op per call, checked by an op observer) and gives the reference backend's hSeq, cSeq
 * and every input's gradient, for each of the op suite's cases (goBackwards, input dropout,
 * float32 masks, no bias included). Tolerance atol 1e-4 / rtol 1e-3: the gradients pass
 * through the op's GEMMs too.
 */
describe('the recurrent op on wasm against the reference backend', () => {
  const WRT = ['x', 'kernel', 'recurrentKernel', 'bias', 'recurrentBias', 'h0', 'c0'] as const;
  function outputs(c: OpCase, v: OpValues): Float32Array[] {
    const t = (x: { values: Float32Array; shape: number[] } | null) => (x === null ? null : sora.tensor(x.values, x.shape));
    return sora.tidy(() => {
      const a: RecurrentSequenceArgs = {
        cell: c.cell, activation: c.activation, recurrentActivation: c.recurrentActivation, resetAfter: c.resetAfter ?? false,
        x: t(v.x)!, kernel: t(v.kernel)!, recurrentKernel: t(v.recurrentKernel)!, bias: t(v.bias), recurrentBias: t(v.recurrentBias),
        h0: t(v.h0)!, c0: t(v.c0), mask: v.mask && sora.tensor(v.mask.values, v.mask.shape, v.mask.dtype),
        inputDropoutMask: t(v.inputDropoutMask), recurrentDropoutMask: t(v.recurrentDropoutMask), goBackwards: c.goBackwards ?? false,
      };
      const names = WRT.filter((n) => a[n] !== null);
      const { hSeq, cSeq } = recurrentSequence(a);
      const loss = (...ts: Tensor[]) => {
        const r = recurrentSequence({ ...a, ...Object.fromEntries(names.map((n, i) => [n, ts[i]])) });
        const w = (x: Tensor) => sora.sin(sora.reshape(sora.range(0, x.size), x.shape));
        const lh = sora.sum(sora.mul(r.hSeq, w(r.hSeq)));
        return r.cSeq ? sora.add(lh, sora.sum(sora.mul(r.cSeq, sora.cos(w(r.cSeq))))) : lh;
      };
      const grads = sora.grads(loss)(names.map((n) => a[n] as Tensor));
      return [hSeq, ...(cSeq ? [cSeq] : []), ...grads].map((x) => x.dataSync() as Float32Array);
    });
  }
  afterAll(async () => { await sora.setBackend('wasm'); });

  for (const [n, c] of OP_CASES.entries()) {
    it(caseLabel(c), async () => {
      const v = makeValues(c, 900 + n);
      await sora.setBackend('reference');
      const want = outputs(c, v);
      await sora.setBackend('wasm');
      const kernels: string[] = [];
      const stop = addOpObserver((name, _i, _o, _ms, kernel) => { if (kernel) kernels.push(name); });
      const before = sora.memory().numTensors;
      let got: Float32Array[];
      try { got = outputs(c, v); } finally { stop(); }
      expect(kernels).toContain(`${c.cell === 'simple' ? 'simpleRNN' : c.cell}Sequence`);
      expect(kernels).toContain('recurrentSequenceBackward');
      expect(sora.memory().numTensors).toBe(before);
      expect(got.length).toBe(want.length);
      want.forEach((w, i) => assertClose(`${caseLabel(c)} output ${i}`, got[i], w, { atol: 1e-4, rtol: 1e-3 }));
    });
  }
});
