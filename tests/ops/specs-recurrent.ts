/**
 * Test entries of the recurrent ops (src/ops/recurrent/): the forward op of each cell
 * (simpleRNNSequence, lstmSequence, gruSequence, run through recurrentSequence, which takes
 * the composed per-step path on a backend without the kernels) with every differentiable
 * input checked by finite differences, and the backward op (forward only: its values are a
 * gradient). Spread into OP_SPECS (tests/ops/specs.ts); the values against TF.js are in
 * tests/ops/recurrent.test.ts.
 */
import type { Tensor } from '../../src/index.js';
import { recurrentSequence, type RecurrentSequenceArgs } from '../../src/ops/recurrent/sequence.js';
import * as sora from '../../src/index.js';
import type { Input, OpCase } from './specs.js';

/** Values in [-scale, scale) from a linear congruential generator (no import of specs.ts's helpers: it imports this file). */
function uniform(shape: number[], seed: number, scale: number): Input {
  let state = seed >>> 0;
  const values = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return ((state >>> 8) / 2 ** 24 * 2 - 1) * scale;
  });
  return { values, shape, dtype: 'float32' };
}
const mask = (values: number[], shape: number[]): Input => ({ values, shape, dtype: 'bool' });

const c = (label: string, inputs: Input[], run: OpCase['run'], wrt: number[]): OpCase =>
  ({ label, inputs, run, wrt, tolerance: { atol: 2e-5, rtol: 2e-4 } });

type Cell = RecurrentSequenceArgs['cell'];
const GATES = { simple: 1, lstm: 4, gru: 3 } as const;
const B = 2, T = 3, I = 2, H = 3;
const MASK = mask([0, 1, 1, 1, 0, 1], [B, T]);

/** x, kernel, recurrentKernel, bias, h0, then c0 (lstm) or recurrentBias (resetAfter gru), then the mask. */
function inputsOf(cell: Cell, resetAfter: boolean, seed: number): Input[] {
  const W = GATES[cell] * H;
  const extra = cell === 'lstm' ? [uniform([B, H], seed + 5, 0.5)] : resetAfter ? [uniform([W], seed + 5, 0.6)] : [];
  return [uniform([B, T, I], seed, 1), uniform([I, W], seed + 1, 0.6), uniform([H, W], seed + 2, 0.6), uniform([W], seed + 3, 0.6),
    uniform([B, H], seed + 4, 0.5), ...extra, MASK];
}

function argsOf(cell: Cell, resetAfter: boolean, goBackwards: boolean, inputs: Tensor[]): RecurrentSequenceArgs {
  const [x, kernel, recurrentKernel, bias, h0, ...rest] = inputs;
  return {
    cell, activation: 'tanh', recurrentActivation: 'sigmoid', resetAfter, x, kernel, recurrentKernel, bias,
    recurrentBias: cell === 'gru' && resetAfter ? rest[0] : null, h0, c0: cell === 'lstm' ? rest[0] : null,
    mask: rest[rest.length - 1], inputDropoutMask: null, recurrentDropoutMask: null, goBackwards,
  };
}

/** hSeq, with cSeq added for lstm, so the check reaches both outputs. */
function run(cell: Cell, resetAfter: boolean, goBackwards: boolean) {
  return (inputs: Tensor[]): Tensor => {
    const { hSeq, cSeq } = recurrentSequence(argsOf(cell, resetAfter, goBackwards, inputs));
    return cSeq ? sora.add(hSeq, sora.mul(cSeq, 0.5)) : hSeq;
  };
}

const WRT = (cell: Cell, resetAfter: boolean) => [0, 1, 2, 3, 4, ...(cell === 'lstm' || resetAfter ? [5] : [])];

export const RECURRENT_SPECS: Record<string, OpCase[]> = {
  simpleRNNSequence: [c(`B${B} T${T} I${I} H${H} masked`, inputsOf('simple', false, 11), run('simple', false, false), WRT('simple', false))],
  lstmSequence: [c(`B${B} T${T} I${I} H${H} masked, goBackwards`, inputsOf('lstm', false, 21), run('lstm', false, true), WRT('lstm', false))],
  gruSequence: [
    c(`B${B} T${T} I${I} H${H} masked`, inputsOf('gru', false, 31), run('gru', false, false), WRT('gru', false)),
    c(`B${B} T${T} I${I} H${H} resetAfter, goBackwards`, inputsOf('gru', true, 41), run('gru', true, true), WRT('gru', true)),
  ],
  recurrentSequenceBackward: [
    c('lstm: the gradient of h0, c0 and the recurrent kernel', inputsOf('lstm', false, 51), (inputs) => {
      const f = (U: Tensor, h0: Tensor, c0: Tensor) => sora.sum(run('lstm', false, false)([inputs[0], inputs[1], U, inputs[3], h0, c0, inputs[6]]));
      const [dU, dh0, dc0] = sora.grads(f)([inputs[2], inputs[4], inputs[5]]);
      return sora.concat([dU.reshape([-1]), dh0.reshape([-1]), dc0.reshape([-1])]);
    }, []),
  ],
};
