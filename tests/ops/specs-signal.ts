/**
 * Test entries of the complex64 views (src/ops/complex.ts), through which every complex and
 * spectral op runs: complex/real/imag, fft, ifft, rfft, irfft and stft compositions on odd
 * shapes, each ending in float32 so the generated gradient checks apply. Spread into
 * OP_SPECS (tests/ops/specs.ts); the values against TF.js are in tests/tfjs-signal.test.ts.
 */
import * as sora from '../../src/index.js';
import { viewAsComplex, viewAsReal } from '../../src/ops/complex.js';
import type { Input, OpCase } from './specs.js';

/** Distinct values 0.05 apart, shuffled (specs.ts's `spaced`; not imported: specs.ts imports this file). */
function spaced(shape: number[], seed: number, offset = 0.025): Input {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) => (i - Math.floor(n / 2)) * 0.05 + offset);
  let state = seed >>> 0;
  for (let i = n - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = (state >>> 8) % (i + 1);
    [values[i], values[j]] = [values[j], values[i]];
  }
  return { values, shape, dtype: 'float32' };
}

const c = (label: string, inputs: OpCase['inputs'], run: OpCase['run'], wrt: number[] = [0]): OpCase =>
  ({ label, inputs, run, wrt, tolerance: { atol: 2e-5, rtol: 2e-4 } });

export const SIGNAL_SPECS: Record<string, OpCase[]> = {
  frame: [
    c('41 samples, frames of 7 every 3 (overlapping)', [spaced([41], 141)], ([x]) => sora.signal.frame(x, 7, 3)),
    c('23 samples, frames of 4 every 6 (gaps), padEnd', [spaced([23], 142)], ([x]) => sora.signal.frame(x, 4, 6, true, 0.5)),
    c('int32, frames of 5 every 5', [{ values: Array.from({ length: 17 }, (_, i) => i * 3 - 20), shape: [17], dtype: 'int32' }],
      ([x]) => sora.signal.frame(x, 5, 5), []),
  ],
  viewAsReal: [
    c('complex(a, b) as pairs [3,5]', [spaced([3, 5], 131), spaced([3, 5], 132, 0.0375)], ([a, b]) => viewAsReal(sora.complex(a, b)), [0, 1]),
    c('real + 2 imag of fft [3,7]', [spaced([3, 7], 133), spaced([3, 7], 134, 0.0375)], ([a, b]) => {
      const f = sora.fft(sora.complex(a, b));
      return sora.add(sora.real(f), sora.mul(sora.imag(f), 2));
    }, [0, 1]),
    c('rfft [2,9] fftLength 12 as pairs', [spaced([2, 9], 135)], ([x]) => viewAsReal(sora.rfft(x, 12))),
  ],
  viewAsComplex: [
    c('abs of fft [3,6]', [spaced([3, 6, 2], 136)], ([x]) => sora.abs(sora.fft(viewAsComplex(x)))),
    c('irfft of ifft [2,5]', [spaced([2, 5, 2], 137)], ([x]) => sora.irfft(sora.ifft(viewAsComplex(x)))),
    c('stft magnitude, 41 samples, frames of 16 every 7', [spaced([41], 138)], ([x]) => sora.abs(sora.signal.stft(x, 16, 7))),
    // 520 points: past the one-GEMM limit, split 26 x 20 (transposes, twiddles); forward only.
    c('abs of fft [2,520] (four-step) and irfft of [2,600] (long)', [spaced([2, 520, 2], 139), spaced([2, 600, 2], 140)],
      ([x, y]) => sora.concat([sora.abs(sora.fft(viewAsComplex(x))), sora.irfft(viewAsComplex(y)).slice([0, 0], [2, 520])], 1), []),
  ],
};
