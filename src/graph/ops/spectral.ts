/**
 * The spectral family of TF ops: FFT, IFFT, RFFT and IRFFT over the innermost axis. RFFT's
 * fft_length crops or zero-pads the signal as TF defines it (TF.js ignores it; the two agree when
 * it equals the signal's length); IRFFT takes n = 2 (k - 1) samples, the only length TF.js gives.
 */
import { fft, ifft, irfft, rfft } from '../../ops/index.js';
import type { GraphValue, OpContext, OpTable } from '../types.js';
import { entry, expectInputs } from './host.js';
import { hostInts, tensorInput, where } from './util.js';

/** fft_length, a one-value value input: a positive integer. */
function fftLength(inputs: readonly GraphValue[], ctx: OpContext): number {
  const values = hostInts(inputs, 1, ctx);
  if (values.length !== 1 || values[0]! < 1) throw new Error(`${where(ctx)}: fft_length must hold one positive integer, got [${values}]`);
  return values[0]!;
}

/** Handlers of the spectral family, keyed by TF op name. */
export const SPECTRAL: OpTable = {
  FFT: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 1);
    return [fft(tensorInput(inputs, 0, ctx))];
  }),
  IFFT: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 1);
    return [ifft(tensorInput(inputs, 0, ctx))];
  }),
  RFFT: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 1, 2);
    return [rfft(tensorInput(inputs, 0, ctx), inputs.length > 1 ? fftLength(inputs, ctx) : undefined)];
  }, { valueInputs: [1] }),
  IRFFT: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 1, 2);
    const x = tensorInput(inputs, 0, ctx);
    if (inputs.length > 1) {
      const n = fftLength(inputs, ctx);
      const k = x.shape[x.rank - 1] ?? 0;
      if (n !== 2 * (k - 1)) {
        throw new Error(`${where(ctx)}: fft_length ${n} is not supported for ${k} frequencies (only 2 * (k - 1) = ${2 * (k - 1)})`);
      }
    }
    return [irfft(x)];
  }, { valueInputs: [1] }),
};
