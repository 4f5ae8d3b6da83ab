/**
 * What an RNN layer hands the one-kernel recurrentSequence op for a built-in cell: the cell's
 * kind and activations, its weights in TF.js's layout, and its dropout rates.
 */
import type { Tensor } from '../core/tensor.js';

/** A built-in cell in the form the recurrentSequence op takes (see src/ops/recurrent/sequence.ts). */
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
}
