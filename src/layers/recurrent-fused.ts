/**
 * The fast path of a recurrent layer over a built-in cell: the whole sequence as the one
 * recurrentSequence op (src/ops/recurrent/sequence.ts: the input projection of all steps in one
 * GEMM, the time loop in the backend's kernel, its own gradient), with TF.js's rnn() results:
 * the outputs in processing order, a masked step carrying the states.
 */
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { recurrentKernelSupports, recurrentSequence } from '../ops/recurrent/sequence.js';

/** A built-in cell in the form the recurrentSequence op takes. */
export interface FusedCell {
  cell: 'simple' | 'lstm' | 'gru';
  activation: string;
  recurrentActivation: string;
  /** gru only: Keras's reset-after form (bias [2, 3 * units]); false for the other cells. */
  resetAfter: boolean;
  /** [inputDim, G * units], the gates in TF.js's order. */
  kernel: Tensor;
  /** [units, G * units]. */
  recurrentKernel: Tensor;
  /** [G * units] or null (gru resetAfter: the input bias row). */
  bias: Tensor | null;
  /** gru resetAfter only: the recurrent bias row [3 * units]; else null. */
  recurrentBias: Tensor | null;
  /** This call's dropout masks ([batch, inputDim] and [batch, units]; null where none), made once per call. */
  dropoutMasks(batch: number, inputDim: number, training: boolean): { input: Tensor | null; recurrent: Tensor | null };
}

/** Whether the op computes both of the cell's activations. */
export const fusable = (form: FusedCell): boolean =>
  recurrentKernelSupports(form.activation) && (form.cell === 'simple' || recurrentKernelSupports(form.recurrentActivation));

/**
 * The sequence through the op: the last output, every output (when `needSequence`), the final
 * states ([h] or lstm's [h, c]). x [batch, steps, features], initial one [batch, units] per state,
 * mask [batch, steps] or null.
 */
export function fusedSequence(form: FusedCell, x: Tensor, initial: Tensor[], mask: Tensor | null, training: boolean,
  goBackwards: boolean, needSequence: boolean): { last: Tensor; sequence: Tensor | null; states: Tensor[] } {
  const [batch, steps, inputDim] = x.shape;
  const dropout = form.dropoutMasks(batch, inputDim, training);
  const activation = (name: string) => name as Parameters<typeof recurrentSequence>[0]['activation'];
  const { hSeq, cSeq } = recurrentSequence({
    cell: form.cell, activation: activation(form.activation),
    recurrentActivation: activation(form.cell === 'simple' ? 'linear' : form.recurrentActivation), resetAfter: form.resetAfter,
    x, kernel: form.kernel, recurrentKernel: form.recurrentKernel, bias: form.bias, recurrentBias: form.recurrentBias,
    h0: initial[0], c0: form.cell === 'lstm' ? initial[1] : null,
    mask: mask && mask.rank !== 2 ? ops.reshape(mask, [batch, steps]) : mask,
    inputDropoutMask: dropout.input, recurrentDropoutMask: dropout.recurrent, goBackwards,
  });
  const lastOf = (seq: Tensor) => ops.reshape(ops.slice(seq, [0, steps - 1, 0], [batch, 1, seq.shape[2]]), [batch, seq.shape[2]]);
  const h = lastOf(hSeq);
  const states = cSeq ? [h, lastOf(cSeq)] : [h];
  return { last: h, sequence: needSequence ? hSeq : null, states };
}
