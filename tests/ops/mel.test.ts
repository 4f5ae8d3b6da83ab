/**
 * tf.signal.linearToMelWeightMatrix and mfccsFromLogMelSpectrograms (TensorFlow's Python ops;
 * TF.js has neither, so there is no TF.js oracle): against formulas written here from
 * TensorFlow's documentation (the mel scale as 2595 log10(1 + f / 700), a different spelling
 * of HTK's 1127 ln(1 + f / 700)), against values derived by hand, on the reference and both
 * wasm builds; the MFCC gradient against its closed form; a pure tone's log-mel peak; errors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';

const mel = (hz: number) => 2595 * Math.log10(1 + hz / 700);

/** The weight matrix from TensorFlow's documented definition, in float64, row by row. */
function melMatrix(bands: number, bins: number, rate: number, low: number, high: number): number[][] {
  const edges = Array.from({ length: bands + 2 }, (_, i) => mel(low) + (i * (mel(high) - mel(low))) / (bands + 1));
  return Array.from({ length: bins }, (_, bin) => Array.from({ length: bands }, (_, m) => {
    if (bin === 0) return 0; // HTK drops the DC bin
    const f = mel((bin * rate) / 2 / (bins - 1));
    const rising = (f - edges[m]) / (edges[m + 1] - edges[m]);
    const falling = (edges[m + 2] - f) / (edges[m + 2] - edges[m + 1]);
    return Math.max(0, Math.min(rising, falling));
  }));
}

/** TensorFlow's MFCC: dct(x, type=2) (2 sum x_i cos(pi k (2i+1) / 2N)) times rsqrt(2N). */
function mfcc(row: number[]): number[] {
  const n = row.length;
  return row.map((_, k) => row.reduce((s, x, i) => s + 2 * x * Math.cos((Math.PI * k * (2 * i + 1)) / (2 * n)), 0) / Math.sqrt(2 * n));
}

function values(n: number, seed: number): number[] {
  let state = seed >>> 0;
  return Array.from({ length: n }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state >>> 8) / 16777216 * 2 - 1;
  });
}

function expectNear(got: ArrayLike<number>, want: number[], atol: number) {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(Math.abs(got[i] - w), `[${i}]: ${got[i]} vs ${w}`).toBeLessThanOrEqual(atol));
}

for (const backend of [['reference'], ['wasm', 'simd'], ['wasm', 'relaxed']] as const) {
  describe(`mel and MFCC on ${backend.join(' ')}`, () => {
    beforeAll(async () => { await sora.setBackend(backend[0], backend[1] ? { variant: backend[1] } : undefined); });

    for (const [bands, bins, rate, low, high] of [[20, 129, 8000, 125, 3800], [40, 257, 16000, 20, 8000], [7, 33, 22050, 300, 5000], [3, 2, 100, 0, 50]]) {
      it(`linearToMelWeightMatrix(${bands}, ${bins}, ${rate}, ${low}, ${high}) matches the documented formula`, async () => {
        const w = sora.signal.linearToMelWeightMatrix(bands, bins, rate, low, high);
        expect(w.shape).toEqual([bins, bands]);
        expect(w.dtype).toBe('float32');
        // float32 storage of values <= 1; the two mel spellings agree to ~1e-12.
        expectNear(await w.data(), melMatrix(bands, bins, rate, low, high).flat(), 1e-6);
        w.dispose();
      });
    }

    it('linearToMelWeightMatrix: TensorFlow\'s defaults, and values derived by hand', async () => {
      const w = sora.signal.linearToMelWeightMatrix();
      expect(w.shape).toEqual([129, 20]);
      w.dispose();
      // One band over [0, 4] Hz, bins at 0, 2 and 4 Hz: the band's centre is mel(4) / 2, so the
      // 2 Hz bin weighs min(m2 / (m4 / 2), (m4 - m2) / (m4 / 2)) = 2 - 2 ln(702/700) / ln(704/700)
      // (~0.998579); DC is zeroed and the 4 Hz bin sits on the upper edge (weight 0).
      const one = sora.signal.linearToMelWeightMatrix(1, 3, 8, 0, 4);
      expectNear(await one.data(), [0, 2 - (2 * Math.log(702 / 700)) / Math.log(704 / 700), 0], 1e-6);
      expect((await one.data())[1]).toBeCloseTo(0.998579, 5);
      one.dispose();
      // A single spectrogram bin is DC only: all zero.
      const dc = sora.signal.linearToMelWeightMatrix(4, 1, 8000, 100, 4000);
      expect(Array.from(await dc.data())).toEqual([0, 0, 0, 0]);
      dc.dispose();
    });

    it('mfccsFromLogMelSpectrograms matches the DCT-II formula on [3, 5, 7], and hand values for N = 1, 2', async () => {
      const x = values(105, 9);
      const y = sora.signal.mfccsFromLogMelSpectrograms(sora.tensor(x, [3, 5, 7]));
      expect(y.shape).toEqual([3, 5, 7]);
      const want = Array.from({ length: 15 }, (_, r) => mfcc(x.slice(r * 7, r * 7 + 7))).flat();
      expectNear(await y.data(), want, 2e-6);
      y.dispose();
      // N = 1: sqrt(2) x. N = 2, [a, b]: [a + b, (a - b) / sqrt(2)].
      const y1 = sora.signal.mfccsFromLogMelSpectrograms([[3], [-1]]);
      expectNear(await y1.data(), [3 * Math.SQRT2, -Math.SQRT2], 1e-6);
      const y2 = sora.signal.mfccsFromLogMelSpectrograms([2, 5]);
      expectNear(await y2.data(), [7, -3 / Math.SQRT2], 1e-6);
      sora.dispose([y1, y2]);
    });

    it('mfccsFromLogMelSpectrograms: the gradient of sum(mfcc * g) is D g (the DCT transposed)', async () => {
      const n = 6, x = values(2 * n, 3), g = values(2 * n, 4);
      const dx = sora.grad((t: sora.Tensor) => sora.sum(sora.mul(sora.signal.mfccsFromLogMelSpectrograms(t), sora.tensor(g, [2, n]))))(sora.tensor(x, [2, n]));
      const want = [0, 1].flatMap((r) => Array.from({ length: n }, (_, i) => g.slice(r * n, r * n + n)
        .reduce((s, gk, k) => s + gk * Math.sqrt(2 / n) * Math.cos((Math.PI * k * (2 * i + 1)) / (2 * n)), 0)));
      expectNear(await dx.data(), want, 2e-6);
      dx.dispose();
    });

    it('the log-mel pipeline gives TF.js\'s numbers (its cpu backend, given the same matrix)', async () => {
      const pcm = values(2000, 11);
      const weights = sora.signal.linearToMelWeightMatrix(24, 129, 16000, 40, 7000);
      const w = await weights.data();
      const ours = sora.tidy(() => sora.log(sora.add(sora.matMul(sora.abs(sora.signal.stft(sora.tensor1d(pcm), 200, 80, 256)), weights), 1e-6)));
      await tf.setBackend('cpu');
      const theirs = tf.tidy(() => tf.log(tf.add(tf.matMul(tf.abs(tf.signal.stft(tf.tensor1d(pcm), 200, 80, 256)), tf.tensor2d(w, [129, 24])), 1e-6)));
      expect(ours.shape).toEqual(theirs.shape);
      expect(ours.shape).toEqual([23, 24]);
      // Log-mel values of a random signal are O(1); both sides run float32 FFTs.
      expectNear(await ours.data(), Array.from(await theirs.data() as Float32Array), 2e-4);
      sora.dispose([ours, weights]);
      theirs.dispose();
    });

    it('the log-mel spectrogram of a pure tone peaks at the band centred on it', async () => {
      const rate = 16000, bands = 40, low = 20, high = 8000, fftLength = 512;
      // The tone sits on the centre of band 17 (of edges evenly spaced in mel).
      const centre = mel(low) + (18 * (mel(high) - mel(low))) / (bands + 1);
      const hz = 700 * (10 ** (centre / 2595) - 1);
      const pcm = Float32Array.from({ length: rate / 2 }, (_, i) => Math.sin((2 * Math.PI * hz * i) / rate));
      const peaks = sora.tidy(() => {
        const spectrum = sora.abs(sora.signal.stft(sora.tensor1d(pcm), 400, 160, fftLength));
        const melSpectrum = sora.matMul(spectrum, sora.signal.linearToMelWeightMatrix(bands, fftLength / 2 + 1, rate, low, high));
        return sora.argMax(sora.log(sora.add(melSpectrum, 1e-6)), 1);
      });
      const frames = Array.from(await peaks.data());
      expect(frames.length).toBe(48);
      expect(new Set(frames)).toEqual(new Set([17]));
      peaks.dispose();
    });
  });
}

describe('mel errors', () => {
  it('linearToMelWeightMatrix refuses what TensorFlow refuses, naming the argument and value', () => {
    const m = sora.signal.linearToMelWeightMatrix;
    expect(() => m(0)).toThrow(/linearToMelWeightMatrix: numMelBins must be a positive integer; received 0/);
    expect(() => m(20, 2.5)).toThrow(/numSpectrogramBins must be a positive integer; received 2.5/);
    expect(() => m(20, 129, 0)).toThrow(/sampleRate must be positive; received 0/);
    expect(() => m(20, 129, 8000, -1)).toThrow(/lowerEdgeHertz must be non-negative; received -1/);
    expect(() => m(20, 129, 8000, 500, 500)).toThrow(/lowerEdgeHertz \(500\) must be below upperEdgeHertz \(500\)/);
    expect(() => m(20, 129, 8000, 125, 4001)).toThrow(/upperEdgeHertz must not exceed the Nyquist frequency sampleRate \/ 2 = 4000; received 4001/);
    expect(() => m(20, 129, Number.NaN)).toThrow(/sampleRate must be a finite number; received NaN/);
    expect(() => m(1e6, 1e6)).toThrow(/linearToMelWeightMatrix: output shape \[1000000,1000000\] needs/);
  });

  it('mfccsFromLogMelSpectrograms refuses integers, scalars and an empty last axis', () => {
    const f = sora.signal.mfccsFromLogMelSpectrograms;
    const ints = sora.tensor([1, 2], [2], 'int32'), scalar = sora.scalar(1), empty = sora.zeros([3, 0]);
    const before = sora.memory().numTensors;
    expect(() => f(ints)).toThrow(/mfccsFromLogMelSpectrograms: logMelSpectrograms must be float32 of rank >= 1.*shape \[2\] \(int32\)/);
    expect(() => f(scalar)).toThrow(/rank >= 1.*shape \[\]/);
    expect(() => f(empty)).toThrow(/numMelBins \(the last dimension\) must be positive; received shape \[3,0\]/);
    expect(() => f([[1, 2]] as unknown as sora.Tensor).dispose()).not.toThrow();
    expect(sora.memory().numTensors).toBe(before); // nothing allocated by the refusals, nothing leaked by values
    sora.dispose([ints, scalar, empty]);
  });
});
