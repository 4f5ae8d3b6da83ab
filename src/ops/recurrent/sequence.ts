/**
 * recurrentSequence: a recurrent layer call (simple RNN, LSTM or GRU over a whole sequence)
 * as one op with its own gradient. Internal, not a tf.* name: the recurrent layers call it.
 *
 * Every argument is checked first (args.ts). Then: x times the input dropout mask, x and the
 * mask reversed along time for goBackwards, xProj = x W + b as one GEMM over all steps, and
 * the backend's `recurrentSequence` kernel over the sequence (kernel.ts, whose gradient is the
 * backward kernel plus one GEMM each for dU; dx, dW and db come from the GEMM's own
 * gradient). A backend without the kernels runs composed per-step ops (compose.ts): the same
 * equations, mask rule and layouts, so the same results within float32 rounding.
 */
import { ENGINE } from '../../core/engine.js';
import type { Tensor } from '../../core/tensor.js';
import { fill } from '../creation.js';
import { mul, notEqual } from '../math/binary.js';
import { dense } from '../linalg/matmul.js';
import { runOp } from '../registry.js';
import { reverse } from '../structure/rearrange.js';
import { cast, reshape } from '../structure/shape.js';
import { checkRecurrentArgs, type RecurrentSequenceArgs } from './args.js';
import { composedRecurrent } from './compose.js';
import { RECURRENT_FORWARD, recurrentKernelAvailable, type RecurrentAttrs } from './kernel.js';

export { recurrentKernelSupports, type RecurrentSequenceArgs } from './args.js';

/**
 * hSeq [batch, steps, units] (h_t at each step, in processing order: reversed time for
 * goBackwards, as TF.js's rnn() returns it) and cSeq (lstm's c_t alike, else null).
 * Differentiable in x, kernel, recurrentKernel, bias, recurrentBias, h0 and c0; the masks
 * are constants.
 */
export function recurrentSequence(a: RecurrentSequenceArgs): { hSeq: Tensor; cSeq: Tensor | null } {
  const { batch, steps, inputDim, units, gates } = checkRecurrentArgs(a);
  const [hSeq, cSeq] = ENGINE.tidy((): [Tensor, Tensor | null] => {
    let x = a.x;
    if (a.inputDropoutMask) x = mul(x, reshape(a.inputDropoutMask, [batch, 1, inputDim]));
    let mask = a.mask ? (a.mask.dtype === 'bool' ? a.mask : notEqual(a.mask, 0)) : null;
    if (a.goBackwards) {
      x = reverse(x, 1);
      if (mask) mask = reverse(mask, 1);
    }
    const xProj = reshape(dense(reshape(x, [batch * steps, inputDim]), a.kernel, a.bias ?? null), [batch, steps, gates * units]);
    // A resetAfter gru without biases: the kernel's recurrentBias is zeros.
    const recurrentBias = a.cell === 'gru' && a.resetAfter ? a.recurrentBias ?? fill([gates * units], 0, 'float32') : null;
    const c0 = a.cell === 'lstm' ? a.c0 : null;
    const dropout = a.recurrentDropoutMask ?? null;
    const recurrentActivation = a.cell === 'simple' ? 'linear' : a.recurrentActivation;
    if (recurrentKernelAvailable(ENGINE.backend)) {
      const attrs: RecurrentAttrs = {
        cell: a.cell, activation: a.activation, recurrentActivation, resetAfter: a.resetAfter, batch, steps, units,
        has: { c0: c0 !== null, recurrentBias: recurrentBias !== null, mask: mask !== null, recurrentDropoutMask: dropout !== null },
      };
      // Slots the call leaves out hold h0 again (kernel.ts).
      const h0 = a.h0;
      const maskValues = mask ? cast(mask, 'float32') : null;
      const outs = runOp(RECURRENT_FORWARD[a.cell], [xProj, a.recurrentKernel, h0, c0 ?? h0, recurrentBias ?? h0, maskValues ?? h0, dropout ?? h0], attrs);
      return [outs[0], a.cell === 'lstm' ? outs[1] : null];
    }
    const out = composedRecurrent({
      cell: a.cell, activation: a.activation, recurrentActivation, resetAfter: a.resetAfter,
      xProj, recurrentKernel: a.recurrentKernel, recurrentBias, h0: a.h0, c0, mask, recurrentDropoutMask: dropout,
    });
    return [out.hSeq, out.cSeq];
  });
  return { hSeq, cSeq };
}
