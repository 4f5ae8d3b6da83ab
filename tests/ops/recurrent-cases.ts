/**
 * The recurrent op's test cases (tests/ops/recurrent.test.ts, the registry's entries in
 * tests/ops/specs.ts): every cell and option on odd sizes, with values drawn from a seed.
 * No test-runner import.
 */
import type { RecurrentActivation, RecurrentCellKind } from '../../src/backends/backend.js';
import { mulberry32 } from '../backends/suite/harness.js';

export interface OpCase {
  cell: RecurrentCellKind;
  activation: RecurrentActivation;
  recurrentActivation: RecurrentActivation;
  resetAfter?: boolean;
  batch: number;
  steps: number;
  inputDim: number;
  units: number;
  mask?: boolean;
  /** The mask as float32 (values 0 and 1.. 3) instead of bool. */
  maskDType?: 'float32';
  goBackwards?: boolean;
  inputDropout?: boolean;
  recurrentDropout?: boolean;
  noBias?: boolean;
  /** gru resetAfter with no recurrentBias (Keras's useBias false keeps none). */
  noRecurrentBias?: boolean;
}

export const caseLabel = (c: OpCase): string =>
  `${c.cell}${c.resetAfter ? ' resetAfter' : ''} ${c.activation}/${c.recurrentActivation} B${c.batch} T${c.steps} I${c.inputDim} H${c.units}` +
  `${c.mask ? ` mask${c.maskDType ? ' (float32)' : ''}` : ''}${c.goBackwards ? ' goBackwards' : ''}` +
  `${c.inputDropout ? ' inputDropout' : ''}${c.recurrentDropout ? ' recurrentDropout' : ''}${c.noBias ? ' no bias' : ''}` +
  `${c.noRecurrentBias ? ' no recurrentBias' : ''}`;

export const CASES: OpCase[] = [
  { cell: 'simple', activation: 'tanh', recurrentActivation: 'sigmoid', batch: 2, steps: 4, inputDim: 3, units: 3 },
  { cell: 'simple', activation: 'relu', recurrentActivation: 'sigmoid', batch: 3, steps: 5, inputDim: 2, units: 4, mask: true, goBackwards: true },
  { cell: 'simple', activation: 'linear', recurrentActivation: 'sigmoid', batch: 2, steps: 3, inputDim: 3, units: 2, inputDropout: true, recurrentDropout: true },
  { cell: 'simple', activation: 'tanh', recurrentActivation: 'sigmoid', batch: 1, steps: 1, inputDim: 1, units: 1, noBias: true },
  { cell: 'lstm', activation: 'tanh', recurrentActivation: 'hardSigmoid', batch: 3, steps: 5, inputDim: 2, units: 4 },
  { cell: 'lstm', activation: 'tanh', recurrentActivation: 'sigmoid', batch: 3, steps: 4, inputDim: 3, units: 3, mask: true, goBackwards: true },
  { cell: 'lstm', activation: 'tanh', recurrentActivation: 'sigmoid', batch: 2, steps: 3, inputDim: 2, units: 3, inputDropout: true, recurrentDropout: true, mask: true, maskDType: 'float32' },
  { cell: 'lstm', activation: 'relu', recurrentActivation: 'hardSigmoid', batch: 2, steps: 3, inputDim: 3, units: 2, noBias: true },
  { cell: 'lstm', activation: 'tanh', recurrentActivation: 'sigmoid', batch: 1, steps: 1, inputDim: 2, units: 1 },
  { cell: 'gru', activation: 'tanh', recurrentActivation: 'hardSigmoid', batch: 3, steps: 5, inputDim: 2, units: 4 },
  { cell: 'gru', activation: 'tanh', recurrentActivation: 'sigmoid', batch: 3, steps: 4, inputDim: 3, units: 3, mask: true, goBackwards: true },
  { cell: 'gru', activation: 'tanh', recurrentActivation: 'sigmoid', batch: 2, steps: 3, inputDim: 2, units: 3, inputDropout: true, recurrentDropout: true },
  { cell: 'gru', activation: 'relu', recurrentActivation: 'hardSigmoid', batch: 2, steps: 3, inputDim: 2, units: 2, noBias: true },
  { cell: 'gru', resetAfter: true, activation: 'tanh', recurrentActivation: 'sigmoid', batch: 3, steps: 4, inputDim: 2, units: 3 },
  { cell: 'gru', resetAfter: true, activation: 'tanh', recurrentActivation: 'hardSigmoid', batch: 3, steps: 4, inputDim: 3, units: 2, mask: true, goBackwards: true, recurrentDropout: true, inputDropout: true },
  { cell: 'gru', resetAfter: true, activation: 'tanh', recurrentActivation: 'sigmoid', batch: 2, steps: 2, inputDim: 2, units: 3, noBias: true, noRecurrentBias: true },
];

export interface Array3 { values: Float32Array; shape: number[] }
export interface Values {
  x: Array3; kernel: Array3; recurrentKernel: Array3; bias: Array3 | null; recurrentBias: Array3 | null;
  h0: Array3; c0: Array3 | null;
  mask: { values: Float32Array; shape: number[]; dtype: 'bool' | 'float32' } | null;
  inputDropoutMask: Array3 | null; recurrentDropoutMask: Array3 | null;
}

const GATES = { simple: 1, lstm: 4, gru: 3 } as const;

/**
 * Values for a case: weights in [-0.6, 0.6) (gates away from saturation), x in [-1, 1), states
 * in [-0.5, 0.5); a mask with the first step of row 0 and all of row 1 masked; dropout masks
 * of 0 and 1 / 0.7.
 */
export function makeValues(c: OpCase, seed: number): Values {
  const rand = mulberry32(seed);
  const W = GATES[c.cell] * c.units;
  const uniform = (shape: number[], scale: number): Array3 =>
    ({ values: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rand() * 2 - 1) * scale), shape });
  const dropout = (shape: number[]): Array3 =>
    ({ values: Float32Array.from({ length: shape[0] * shape[1] }, () => (rand() < 0.3 ? 0 : 1 / 0.7)), shape });
  let mask: Values['mask'] = null;
  if (c.mask) {
    const values = Float32Array.from({ length: c.batch * c.steps }, () => (rand() < 0.3 ? 0 : 1));
    values[0] = 0;
    if (c.batch > 1) values.fill(0, c.steps, 2 * c.steps);
    if (c.maskDType) values.forEach((m, i) => { values[i] = m ? 1 + (i % 3) : 0; });
    mask = { values, shape: [c.batch, c.steps], dtype: c.maskDType ?? 'bool' };
  }
  return {
    x: uniform([c.batch, c.steps, c.inputDim], 1),
    kernel: uniform([c.inputDim, W], 0.6),
    recurrentKernel: uniform([c.units, W], 0.6),
    bias: c.noBias ? null : uniform([W], 0.6),
    recurrentBias: c.resetAfter && !c.noRecurrentBias ? uniform([W], 0.6) : null,
    h0: uniform([c.batch, c.units], 0.5),
    c0: c.cell === 'lstm' ? uniform([c.batch, c.units], 0.5) : null,
    mask,
    inputDropoutMask: c.inputDropout ? dropout([c.batch, c.inputDim]) : null,
    recurrentDropoutMask: c.recurrentDropout ? dropout([c.batch, c.units]) : null,
  };
}
