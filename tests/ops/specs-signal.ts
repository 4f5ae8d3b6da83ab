/**
 * Test entries of the complex64 views (src/ops/complex.ts), through which every complex and
 * spectral op runs: complex/real/imag, fft, ifft, rfft, irfft and stft compositions on odd
 * shapes, each ending in float32 so the generated gradient checks apply. Spread into
 * OP_SPECS (tests/ops/specs.ts); the values against TF.js are in tests/tfjs-signal.test.ts.
 */
import * as sora from '../../src/index.js';
import { viewAsComplex, viewAsReal } from '../../src/ops/math/complex.js';
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

const ints = (n: number): Input => ({ values: Array.from({ length: n }, (_, i) => ((i * 7) % 11) - 5), shape: [n], dtype: 'int32' });

export const SIGNAL_SPECS: Record<string, OpCase[]> = {
  viewAsReal: [c('complex(a, b) as pairs [3,5]', [spaced([3, 5], 131), spaced([3, 5], 132, 0.0375)], ([a, b]) => viewAsReal(sora.complex(a, b)), [0, 1])],
  viewAsComplex: [c('pairs [3,4,2] as complex, abs', [spaced([3, 4, 2], 133)], ([x]) => sora.abs(viewAsComplex(x)))],
  complex: [c('[2,3] real + 2 imag of it', [spaced([2, 3], 134), spaced([2, 3], 135, 0.0375)], ([a, b]) => {
    const z = sora.complex(a, b);
    return sora.add(sora.real(z), sora.mul(sora.imag(z), 2));
  }, [0, 1])],
  real: [c('of fft [3,7]', [spaced([3, 7], 136), spaced([3, 7], 137, 0.0375)], ([a, b]) => sora.real(sora.fft(sora.complex(a, b))), [0, 1]),
    c('of float32 [5]', [spaced([5], 138)], ([x]) => sora.real(x))],
  imag: [c('of ifft [2,6]', [spaced([2, 6], 139), spaced([2, 6], 140, 0.0375)], ([a, b]) => sora.imag(sora.ifft(sora.complex(a, b))), [0, 1]),
    c('of float32 [5] (zeros)', [spaced([5], 141)], ([x]) => sora.imag(x), [])],
  complexAbs: [c('abs of complex [4,3]', [spaced([4, 3], 142), spaced([4, 3], 143, 0.0375)], ([a, b]) => sora.abs(sora.complex(a, b)), [0, 1])],
  fft: [
    c('abs of fft [3,6]', [spaced([3, 6, 2], 144)], ([x]) => sora.abs(sora.fft(viewAsComplex(x)))),
    // 520 points: past the one-GEMM limit, split 26 x 20 (transposes, twiddles); forward only.
    c('abs of fft [2,520] (four-step)', [spaced([2, 520, 2], 145)], ([x]) => sora.abs(sora.fft(viewAsComplex(x))), []),
  ],
  ifft: [c('real of ifft [2,5]', [spaced([2, 5, 2], 146)], ([x]) => sora.real(sora.ifft(viewAsComplex(x))))],
  rfft: [c('[2,9] fftLength 12 as pairs', [spaced([2, 9], 147)], ([x]) => viewAsReal(sora.rfft(x, 12))),
    c('[7] cropped to 5', [spaced([7], 148)], ([x]) => sora.abs(sora.rfft(x, 5)))],
  irfft: [c('irfft of ifft [2,5]', [spaced([2, 5, 2], 149)], ([x]) => sora.irfft(sora.ifft(viewAsComplex(x)))),
    c('[2,600] (long, 1198 points)', [spaced([2, 600, 2], 150)], ([x]) => sora.irfft(viewAsComplex(x)), [])],
  stft: [c('magnitude, 41 samples, frames of 16 every 7', [spaced([41], 138)], ([x]) => sora.abs(sora.signal.stft(x, 16, 7))),
    c('hamming window, fftLength 12 < frameLength 13', [spaced([50], 152)], ([x]) =>
      viewAsReal(sora.signal.stft(x, 13, 9, 12, sora.signal.hammingWindow)))],
  mfccsFromLogMelSpectrograms: [c('[3,5]: 5 mel bins', [spaced([3, 5], 161)], ([x]) => sora.signal.mfccsFromLogMelSpectrograms(x)),
    c('[2,3,8], the first 4 kept', [spaced([2, 3, 8], 162)], ([x]) => sora.slice(sora.signal.mfccsFromLogMelSpectrograms(x), [0, 0, 0], [-1, -1, 4]))],
  frame: [
    c('41 samples, frames of 7 every 3 (overlapping)', [spaced([41], 153)], ([x]) => sora.signal.frame(x, 7, 3)),
    c('23 samples, frames of 4 every 6 (gaps), padEnd', [spaced([23], 154)], ([x]) => sora.signal.frame(x, 4, 6, true, 0.5)),
    c('int32, frames of 5 every 5', [ints(17)], ([x]) => sora.signal.frame(x, 5, 5), []),
  ],
  bandPart: [c('[2,4,5] lower 1, upper 2', [spaced([2, 4, 5], 155)], ([x]) => sora.linalg.bandPart(x, 1, 2)),
    c('int32 [3,3] with tensor limits', [{ ...ints(9), shape: [3, 3] }], ([x]) =>
      sora.linalg.bandPart(x, sora.scalar(-1, 'int32'), sora.scalar(0, 'int32')), [])],
  gramSchmidt: [c('rows of [3,4]', [spaced([3, 4], 156)], ([x]) => sora.linalg.gramSchmidt(x) as sora.Tensor),
    // Offsets keep the vectors' norms near 1 (small norms curve too much for finite differences).
    c('a list of two [3]', [spaced([3], 157), spaced([3], 158, 0.0375)], ([a, b]) =>
      sora.concat(sora.linalg.gramSchmidt([a.add([1, 0, 0.5]), b.add([0, 1, -0.5])]) as sora.Tensor[]), [0, 1])],
  qr: [c('[4,3] q and r', [spaced([4, 3], 159)], ([x]) => { const [q, r] = sora.linalg.qr(x); return sora.concat([q.reshape([-1]), r.reshape([-1])]); }),
    c('[2,3,5] full, batched', [spaced([2, 3, 5], 160)], ([x]) => { const [q, r] = sora.linalg.qr(x, true); return sora.concat([q.reshape([-1]), r.reshape([-1])]); }, [])],
};
