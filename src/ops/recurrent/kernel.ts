/**
 * The recurrent ops that run the backend's `recurrentSequence` kernel (kernel-params.ts) on
 * xProj = x W + b, and their gradient through `recurrentSequenceBackward`.
 *
 * One forward op per cell ('simpleRNNSequence', 'lstmSequence', 'gruSequence'), because the
 * outputs differ: hSeq, then cSeq (lstm), then `saved` (lstm, gru: the gates the backward
 * reads; internal, never differentiated). The inputs are always the seven slots
 * [xProj, recurrentKernel, h0, c0, recurrentBias, mask, recurrentDropoutMask]: a slot the
 * call leaves out holds h0 again (no allocation; `attrs.has` says which slots are real),
 * so `save` can name fixed slots. The gradient runs 'recurrentSequenceBackward' (not
 * differentiable: a second-order gradient through a recurrent layer is an error naming it),
 * then dU = sum over steps of hr^T dhProj_t as one GEMM (the h block of a resetAfter-false
 * gru reading r * hr) and dRecurrentBias = column sums, written with ops.
 */
import { hasKernel, recurrentGates, type Backend, type RecurrentConfig, type Storage } from '../../backends/backend.js';
import { ENGINE } from '../../core/engine.js';
import { fill } from '../creation.js';
import type { Tensor } from '../../core/tensor.js';
import { mul } from '../math/binary.js';
import { matMul } from '../linalg/matmul.js';
import { sum } from '../reduce/reduce.js';
import { register, runOp, type OpDef, type TensorSpec } from '../registry.js';
import { concat, reshape, slice } from '../structure/shape.js';
import { sizeOf, storageOf, wrap } from '../util.js';

/** Which optional slots hold a real tensor. */
export interface RecurrentSlots { c0: boolean; recurrentBias: boolean; mask: boolean; recurrentDropoutMask: boolean }
export interface RecurrentAttrs extends RecurrentConfig { has: RecurrentSlots }

/** Slot indices of the forward op's inputs. */
export const SLOT = { xProj: 0, recurrentKernel: 1, h0: 2, c0: 3, recurrentBias: 4, mask: 5, recurrentDropoutMask: 6 } as const;
const SLOT_NAMES = ['xProj', 'recurrentKernel', 'h0', 'c0', 'recurrentBias', 'mask', 'recurrentDropoutMask'];

/** True when the backend runs a recurrent call as one kernel, forward and backward. */
export function recurrentKernelAvailable(backend: Backend): boolean {
  return hasKernel(backend, 'recurrentSequence') && hasKernel(backend, 'recurrentSequenceBackward');
}

const FORWARD_NAMES = { simple: 'simpleRNNSequence', lstm: 'lstmSequence', gru: 'gruSequence' } as const;

/** Allocates one storage per spec, lets `launch` fill them, and wraps them; frees them all if it throws. */
function produceAll(specs: TensorSpec[], launch: (out: Storage[]) => void): Tensor[] {
  const storages = specs.map((s) => ENGINE.backend.alloc(sizeOf(s.shape), s.dtype));
  try {
    launch(storages);
  } catch (error) {
    for (const s of storages) ENGINE.backend.free(s);
    throw error;
  }
  return specs.map((s, i) => wrap(s.shape, s.dtype, storages[i]));
}

/** A slot's storage, or null when the call left it out. */
const optional = (t: Tensor, present: boolean, op: string): Storage | null => (present ? storageOf(t, op) : null);

function checkSlots(op: string, inputs: Tensor[], a: RecurrentAttrs): void {
  const G = recurrentGates(a.cell);
  const want: (number[] | null)[] = [
    [a.batch, a.steps, G * a.units], [a.units, G * a.units], [a.batch, a.units],
    a.has.c0 ? [a.batch, a.units] : null, a.has.recurrentBias ? [G * a.units] : null,
    a.has.mask ? [a.batch, a.steps] : null, a.has.recurrentDropoutMask ? [a.batch, a.units] : null,
  ];
  want.forEach((shape, i) => {
    const t = inputs[i];
    if (shape === null) return;
    if (t.dtype !== 'float32' || t.rank !== shape.length || t.shape.some((d, k) => d !== shape[k])) {
      throw new Error(`${op}: '${SLOT_NAMES[i]}' must be float32 of shape [${shape}]; received shape [${t.shape}] (${t.dtype})`);
    }
  });
}

function defineForward(cell: RecurrentConfig['cell']): OpDef<RecurrentAttrs> {
  const name = FORWARD_NAMES[cell];
  const outputs = cell === 'lstm' ? 3 : cell === 'gru' ? 2 : 1;
  return register<RecurrentAttrs>({
    name,
    inputs: SLOT_NAMES,
    infer(inputs, a) {
      checkSlots(name, inputs, a);
      const seq = [a.batch, a.steps, a.units];
      const specs: TensorSpec[] = [{ shape: seq, dtype: 'float32' }];
      if (cell === 'lstm') specs.push({ shape: seq, dtype: 'float32' });
      if (cell !== 'simple') specs.push({ shape: [a.batch, a.steps, 4 * a.units], dtype: 'float32' });
      return specs;
    },
    kernel: {
      available: recurrentKernelAvailable,
      run: (backend, [xProj, U, h0, c0, bh, mask, dropout], a, specs) => produceAll(specs, (out) => {
        if (a.batch * a.steps * a.units === 0) return;
        backend.recurrentSequence({
          cell: a.cell, activation: a.activation, recurrentActivation: a.recurrentActivation, resetAfter: a.resetAfter,
          batch: a.batch, steps: a.steps, units: a.units,
          xProj: storageOf(xProj, name), recurrentKernel: storageOf(U, name), recurrentBias: optional(bh, a.has.recurrentBias, name),
          h0: storageOf(h0, name), c0: optional(c0, a.has.c0, name), mask: optional(mask, a.has.mask, name),
          recurrentDropoutMask: optional(dropout, a.has.recurrentDropoutMask, name),
          hSeq: out[0], cSeq: cell === 'lstm' ? out[1] : null, saved: cell === 'simple' ? null : out[outputs - 1],
        });
      }),
    },
    save: { inputs: [1, 2, 3, 4, 5, 6], outputs: Array.from({ length: outputs }, (_, i) => i) },
    unusedOutputs: 'null',
    grad: (dys, saved, a, needs) => recurrentGrad(dys, saved, a, needs),
  });
}

export const RECURRENT_FORWARD = { simple: defineForward('simple'), lstm: defineForward('lstm'), gru: defineForward('gru') };

/**
 * The backward kernel as an op. Inputs: recurrentKernel, h0, c0, recurrentBias, mask,
 * recurrentDropoutMask (the forward's slots 1..6, placeholders included), hSeq, cSeq, saved,
 * dhSeq, dcSeq (cSeq, saved, dcSeq: h0 again where absent; `hasDcSeq` says whether dcSeq
 * is real). Outputs: dxProj, then dhProj (gru), dh0, then dc0 (lstm).
 */
interface BackwardAttrs extends RecurrentAttrs { hasDcSeq: boolean }
const BACKWARD_INPUTS = ['recurrentKernel', 'h0', 'c0', 'recurrentBias', 'mask', 'recurrentDropoutMask', 'hSeq', 'cSeq', 'saved', 'dhSeq', 'dcSeq'];
const BACKWARD: OpDef<BackwardAttrs> = register<BackwardAttrs>({
  name: 'recurrentSequenceBackward',
  inputs: BACKWARD_INPUTS,
  infer(inputs, a) {
    // Internal: called by the forward ops' gradient only, with the slots the forward checked.
    const seq = [a.batch, a.steps, a.units];
    const sequences = [6, 9, ...(a.cell === 'lstm' ? [7] : []), ...(a.hasDcSeq ? [10] : [])];
    for (const i of sequences) {
      const t = inputs[i];
      if (t.dtype !== 'float32' || t.rank !== 3 || t.shape.some((d, k) => d !== seq[k])) {
        throw new Error(`recurrentSequenceBackward: '${BACKWARD_INPUTS[i]}' must be float32 of shape [${seq}]; received shape [${t.shape}] (${t.dtype})`);
      }
    }
    const W = recurrentGates(a.cell) * a.units;
    const specs: TensorSpec[] = [{ shape: [a.batch, a.steps, W], dtype: 'float32' }];
    if (a.cell === 'gru') specs.push({ shape: [a.batch, a.steps, W], dtype: 'float32' });
    specs.push({ shape: [a.batch, a.units], dtype: 'float32' });
    if (a.cell === 'lstm') specs.push({ shape: [a.batch, a.units], dtype: 'float32' });
    return specs;
  },
  kernel: {
    available: recurrentKernelAvailable,
    run: (backend, [U, h0, c0, bh, mask, dropout, hSeq, cSeq, saved, dhSeq, dcSeq], a, specs) => produceAll(specs, (out) => {
      const op = 'recurrentSequenceBackward';
      if (a.batch * a.steps * a.units === 0) return; // an empty batch or no units (args.ts refuses 0 steps): every output is empty
      const gru = a.cell === 'gru';
      backend.recurrentSequenceBackward({
        cell: a.cell, activation: a.activation, recurrentActivation: a.recurrentActivation, resetAfter: a.resetAfter,
        batch: a.batch, steps: a.steps, units: a.units,
        recurrentKernel: storageOf(U, op), recurrentBias: optional(bh, a.has.recurrentBias, op), h0: storageOf(h0, op),
        c0: optional(c0, a.has.c0, op), mask: optional(mask, a.has.mask, op),
        recurrentDropoutMask: optional(dropout, a.has.recurrentDropoutMask, op),
        hSeq: storageOf(hSeq, op), cSeq: optional(cSeq, a.cell === 'lstm', op), saved: optional(saved, a.cell !== 'simple', op),
        dhSeq: storageOf(dhSeq, op), dcSeq: optional(dcSeq, a.hasDcSeq, op),
        dxProj: out[0], dhProj: gru ? out[1] : null, dh0: out[gru ? 2 : 1], dc0: a.cell === 'lstm' ? out[2] : null,
      });
    }),
  },
  grad: 'none',
});

/** hr for every step: h_{t-1} (h0 at t = 0) times the recurrent dropout mask, [batch * steps, units]. */
function previousStates(hSeq: Tensor, h0: Tensor, dropout: Tensor | null, a: RecurrentAttrs): Tensor {
  const { batch, steps, units } = a;
  const first = reshape(h0, [batch, 1, units]);
  const hPrev = steps === 1 ? first : concat([first, slice(hSeq, [0, 0, 0], [batch, steps - 1, units])], 1);
  const hr = dropout === null ? hPrev : mul(hPrev, reshape(dropout, [batch, 1, units]));
  return reshape(hr, [batch * steps, units]);
}

function recurrentGrad(dys: (Tensor | null)[], saved: Tensor[], a: RecurrentAttrs, needs: boolean[]): (Tensor | null)[] {
  const [U, h0, c0, bh, mask, dropout, hSeq, ...rest] = saved;
  const cSeq = a.cell === 'lstm' ? rest[0] : h0;
  const gates = a.cell === 'simple' ? h0 : rest[rest.length - 1];
  const { batch, steps, units } = a;
  const W = recurrentGates(a.cell) * units;
  const dhSeq = dys[0] ?? fill(hSeq.shape, 0, 'float32'); // only cSeq was used downstream
  const dcSeq = a.cell === 'lstm' ? dys[1] : null;
  const outs = runOp(BACKWARD, [U, h0, c0, bh, mask, dropout, hSeq, cSeq, gates, dhSeq, dcSeq ?? h0], { ...a, hasDcSeq: dcSeq !== null });
  const dxProj = outs[0];
  const dProj = a.cell === 'gru' ? outs[1] : dxProj;
  const dh0 = outs[a.cell === 'gru' ? 2 : 1];
  const dc0 = a.cell === 'lstm' ? outs[2] : null;
  let dU: Tensor | null = null;
  if (needs[SLOT.recurrentKernel]) {
    const hr = previousStates(hSeq, h0, a.has.recurrentDropoutMask ? dropout : null, a);
    const d2 = reshape(dProj, [batch * steps, W]);
    if (a.cell === 'gru' && !a.resetAfter) {
      // The candidate's recurrent product reads r * hr.
      const r = reshape(slice(gates, [0, 0, units], [batch, steps, units]), [batch * steps, units]);
      dU = concat([
        matMul(hr, slice(d2, [0, 0], [batch * steps, 2 * units]), true, false),
        matMul(mul(r, hr), slice(d2, [0, 2 * units], [batch * steps, units]), true, false),
      ], 1);
    } else {
      dU = matMul(hr, d2, true, false);
    }
  }
  const dbh = a.has.recurrentBias && needs[SLOT.recurrentBias] ? sum(dProj, [0, 1]) : null;
  return [
    needs[SLOT.xProj] ? dxProj : null, dU, needs[SLOT.h0] ? dh0 : null,
    a.has.c0 && needs[SLOT.c0] ? dc0 : null, dbh, null, null,
  ];
}
