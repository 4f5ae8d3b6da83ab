/**
 * tf.linalg (bandPart, gramSchmidt, qr), tf.signal (frame, hannWindow, hammingWindow,
 * stft), the spectral ops (fft, ifft, rfft, irfft) and complex64 (complex, real, imag, abs)
 * against TF.js 4.22's cpu backend on the same random inputs of odd shapes, on the
 * reference and both wasm builds; their gradients against finite differences; bad input.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';

function values(n: number, seed: number, lo = -1, hi = 1): number[] {
  let state = seed >>> 0;
  return Array.from({ length: n }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return lo + ((state >>> 8) / 16777216) * (hi - lo);
  });
}
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Both libraries' results, flattened; complex64 read as TF.js reads it ((re, im) pairs). */
async function both(f: (lib: typeof tf) => tf.Tensor | tf.Tensor[], g: (lib: typeof sora) => sora.Tensor | sora.Tensor[]) {
  const theirs = tf.tidy(() => f(tf));
  const ours = sora.tidy(() => g(sora));
  const list = <T>(x: T | T[]) => (Array.isArray(x) ? x : [x]);
  const want = await Promise.all(list(theirs).map(async (t) => ({ shape: t.shape, dtype: t.dtype, values: Array.from(await t.data() as Float32Array) })));
  const got = await Promise.all(list(ours).map(async (t) => ({ shape: t.shape, dtype: t.dtype, values: Array.from(await t.data()) })));
  tf.dispose(theirs);
  sora.dispose(ours as sora.Tensor[]);
  return { want, got };
}

async function expectClose(f: Parameters<typeof both>[0], g: Parameters<typeof both>[1], atol = 1e-4, rtol = 1e-4) {
  const { want, got } = await both(f, g);
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => {
    expect(got[i].shape, `output ${i} shape`).toEqual(w.shape);
    expect(got[i].dtype, `output ${i} dtype`).toBe(w.dtype);
    const scale = Math.max(1, ...w.values.map(Math.abs));
    w.values.forEach((v, k) => {
      if (Number.isNaN(v)) expect(got[i].values[k], `output ${i} [${k}]`).toBeNaN();
      else expect(Math.abs(got[i].values[k] - v), `output ${i} [${k}]: ${got[i].values[k]} vs ${v}`).toBeLessThanOrEqual(atol * scale + rtol * Math.abs(v));
    });
  });
}

beforeAll(async () => { await tf.setBackend('cpu'); });

for (const backend of [['reference'], ['wasm', 'simd'], ['wasm', 'relaxed']] as const) {
  describe(`against TF.js on ${backend.join(' ')}`, () => {
    beforeAll(async () => { await sora.setBackend(backend[0], backend[1] ? { variant: backend[1] } : undefined); });

    it('complex, real, imag, abs', async () => {
      const re = values(21, 1), im = values(21, 2);
      await expectClose((t) => { const c = t.complex(t.tensor(re, [3, 7]), t.tensor(im, [3, 7])); return [c, t.real(c), t.imag(c), t.abs(c)]; },
        (s) => { const c = s.complex(s.tensor(re, [3, 7]), s.tensor(im, [3, 7])); return [c, s.real(c), s.imag(c), s.abs(c)]; }, 1e-6, 1e-6);
    });

    it('complex, real, imag, bandPart take values as TF.js does (convertToTensor)', async () => {
      await expectClose((t) => [t.complex([1, 2], [3, 4]), t.linalg.bandPart([[1, 2], [3, 4]], 0, 0)],
        (s) => [s.complex([1, 2], [3, 4]), s.linalg.bandPart([[1, 2], [3, 4]], 0, 0)], 0, 0);
      // TF.js fails on real parts of real values; sora gives the values and zeros.
      expect(await sora.real([[1, 2]]).array()).toEqual([[1, 2]]);
      expect(await sora.imag([5]).array()).toEqual([0]);
      const before = sora.memory().numTensors;
      sora.dispose([sora.complex([1], [2]), sora.multinomial([[0, 1, 2]], 3, 1)]);
      expect(sora.memory().numTensors).toBe(before);
    });

    it('complex64 reads, nests and prints as TF.js', async () => {
      for (const [re, im, shape] of [[[1, 2.5, -3, 4], [5, -6, 7.25, 0], [2, 2]], [[1, 2, 3], [4, 5, 6], [3]], [[0.5], [-2], []]] as const) {
        const theirs = tf.complex(tf.tensor(re, [...shape]), tf.tensor(im, [...shape]));
        const ours = sora.complex(sora.tensor([...re], [...shape]), sora.tensor([...im], [...shape]));
        expect(Array.from(await ours.data())).toEqual(Array.from(await theirs.data()));
        expect(await ours.array()).toEqual(await theirs.array());
        expect(ours.toString()).toBe(theirs.toString());
        expect(ours.toString(true)).toBe(theirs.toString(true));
        theirs.dispose();
        ours.dispose();
      }
    });

    for (const n of [1, 2, 5, 8, 33]) {
      it(`fft and ifft of [3, ${n}]`, async () => {
        const re = values(3 * n, n + 3), im = values(3 * n, n + 4);
        await expectClose((t) => { const c = t.complex(t.tensor(re, [3, n]), t.tensor(im, [3, n])); return [t.fft(c), t.ifft(c)]; },
          (s) => { const c = s.complex(s.tensor(re, [3, n]), s.tensor(im, [3, n])); return [s.fft(c), s.ifft(c)]; });
      });
    }

    for (const [shape, fftLength] of [[[7], undefined], [[2, 3, 8], undefined], [[4, 9], 16], [[3, 12], 5], [[5], 1]] as const) {
      it(`rfft of [${shape}] fftLength ${fftLength}`, async () => {
        const x = values(size([...shape]), 7 + shape.length);
        await expectClose((t) => t.rfft(t.tensor(x, [...shape]), fftLength), (s) => s.rfft(s.tensor(x, [...shape]), fftLength));
      });
    }

    for (const shape of [[5], [3, 5], [2, 2, 6], [3, 2], [4, 1]]) {
      it(`irfft of [${shape}]`, async () => {
        const re = values(size(shape), 11), im = values(size(shape), 12);
        await expectClose((t) => t.irfft(t.complex(t.tensor(re, shape), t.tensor(im, shape))),
          (s) => s.irfft(s.complex(s.tensor(re, shape), s.tensor(im, shape))));
      });
    }

    // Past the one-GEMM limits: four-step splits (1024 = 32 x 32, 1030 = 103 x 10, 2048 real),
    // a prime length (one GEMM), padding to 4096.
    for (const n of [1024, 1030, 1031]) {
      it(`fft and ifft of [2, ${n}] (long)`, async () => {
        const re = values(2 * n, n + 5), im = values(2 * n, n + 6);
        await expectClose((t) => { const c = t.complex(t.tensor(re, [2, n]), t.tensor(im, [2, n])); return [t.fft(c), t.ifft(c)]; },
          (s) => { const c = s.complex(s.tensor(re, [2, n]), s.tensor(im, [2, n])); return [s.fft(c), s.ifft(c)]; }, 1e-4, 1e-3);
      });
    }
    it('rfft of [2, 3000] padded to 4096, irfft of [2, 1025] (long)', async () => {
      const x = values(6000, 51), re = values(2050, 52), im = values(2050, 53);
      await expectClose((t) => t.rfft(t.tensor(x, [2, 3000]), 4096), (s) => s.rfft(s.tensor(x, [2, 3000]), 4096), 1e-4, 1e-3);
      await expectClose((t) => t.irfft(t.complex(t.tensor(re, [2, 1025]), t.tensor(im, [2, 1025]))),
        (s) => s.irfft(s.complex(s.tensor(re, [2, 1025]), s.tensor(im, [2, 1025]))), 1e-4, 1e-3);
    });

    it('irfft inverts rfft', async () => {
      const x = values(3 * 16, 13);
      await expectClose((t) => t.tensor(x, [3, 16]), (s) => s.irfft(s.rfft(s.tensor(x, [3, 16]))), 1e-5, 1e-4);
    });

    for (const [length, frameLength, step, padEnd] of [[23, 5, 3, false], [23, 5, 3, true], [16, 4, 4, false], [3, 5, 2, false], [3, 5, 2, true], [10, 3, 1, false]] as const) {
      it(`frame length ${length}, frameLength ${frameLength}, step ${step}, padEnd ${padEnd}`, async () => {
        const x = values(length, length + frameLength);
        await expectClose((t) => t.signal.frame(t.tensor1d(x), frameLength, step, padEnd, 0.5),
          (s) => s.signal.frame(s.tensor1d(x), frameLength, step, padEnd, 0.5), 0, 0);
      });
    }

    for (const n of [1, 2, 7, 16]) {
      it(`hannWindow, hammingWindow, cosineWindow of ${n}`, async () => {
        await expectClose((t) => [t.signal.hannWindow(n), t.signal.hammingWindow(n), t.cosineWindow(n, 0.3, 0.7)],
          (s) => [s.signal.hannWindow(n), s.signal.hammingWindow(n), s.cosineWindow(n, 0.3, 0.7)], 1e-7, 1e-6);
        expect(sora.enclosingPowerOfTwo(n + 0.5)).toBe(tf.enclosingPowerOfTwo(n + 0.5));
      });
    }

    for (const [length, frameLength, step, fftLength] of [[1000, 256, 128, undefined], [301, 25, 10, 32], [97, 20, 7, undefined], [64, 16, 16, 12]] as const) {
      it(`stft of ${length} samples, frameLength ${frameLength}, step ${step}, fftLength ${fftLength}`, async () => {
        const x = values(length, 17 + length);
        await expectClose((t) => t.signal.stft(t.tensor1d(x), frameLength, step, fftLength),
          (s) => s.signal.stft(s.tensor1d(x), frameLength, step, fftLength), 2e-4, 2e-4);
        await expectClose((t) => t.abs(t.signal.stft(t.tensor1d(x), frameLength, step, fftLength, t.signal.hammingWindow)),
          (s) => s.abs(s.signal.stft(s.tensor1d(x), frameLength, step, fftLength, s.signal.hammingWindow)), 2e-4, 2e-4);
      });
    }

    for (const [shape, lower, upper] of [[[4, 5], 1, 2], [[2, 3, 7], -1, 0], [[5, 3], 0, -1], [[3, 3], 3, 3], [[1, 6, 2], 0, 0]] as const) {
      it(`bandPart of [${shape}] (${lower}, ${upper})`, async () => {
        const x = values(size([...shape]), 19);
        await expectClose((t) => t.linalg.bandPart(t.tensor(x, [...shape]), lower, upper),
          (s) => s.linalg.bandPart(s.tensor(x, [...shape]), lower, upper), 0, 0);
        const ints = x.map((v) => Math.round(v * 9));
        await expectClose((t) => t.linalg.bandPart(t.tensor(ints, [...shape], 'int32'), t.scalar(lower, 'int32'), t.scalar(upper, 'int32')),
          (s) => s.linalg.bandPart(s.tensor(ints, [...shape], 'int32'), s.scalar(lower, 'int32'), s.scalar(upper, 'int32')), 0, 0);
      });
    }

    it('gramSchmidt of a matrix and of a list', async () => {
      const x = values(15, 23);
      await expectClose((t) => t.linalg.gramSchmidt(t.tensor2d(x, [3, 5])) as tf.Tensor, (s) => s.linalg.gramSchmidt(s.tensor2d(x, [3, 5])) as sora.Tensor);
      await expectClose((t) => t.linalg.gramSchmidt([t.tensor1d(x.slice(0, 3)), t.tensor1d(x.slice(3, 6))]) as tf.Tensor[],
        (s) => s.linalg.gramSchmidt([s.tensor1d(x.slice(0, 3)), s.tensor1d(x.slice(3, 6))]) as sora.Tensor[]);
    });

    for (const [shape, full] of [[[4, 3], false], [[4, 3], true], [[3, 5], false], [[3, 5], true], [[2, 3, 3], false], [[1, 1], false], [[2, 1, 3, 3], false], [[2, 3, 3], true]] as const) {
      it(`qr of [${shape}] fullMatrices ${full}`, async () => {
        const x = values(size([...shape]), 29 + shape.length);
        await expectClose((t) => t.linalg.qr(t.tensor(x, [...shape]), full), (s) => s.linalg.qr(s.tensor(x, [...shape]), full), 1e-5, 1e-4);
      });
    }
  });
}

describe('more than TF.js does', () => {
  beforeAll(async () => { await sora.setBackend('wasm'); });
  // TF.js reshapes batched q and r to x's shape, so it fails on non-square batches.
  for (const [shape, full] of [[[2, 1, 6, 2], false], [[3, 2, 5], true], [[2, 5, 3], true]] as const) {
    it(`qr of a non-square batch [${shape}] fullMatrices ${full}: q r = x, q^T q = I, r upper triangular`, () => {
      const x = sora.tensor(values(size([...shape]), 41), [...shape]);
      const [q, r] = sora.linalg.qr(x, full);
      const [m, n] = shape.slice(-2);
      const k = full ? m : Math.min(m, n);
      expect(q.shape).toEqual([...shape.slice(0, -2), m, k]);
      expect(r.shape).toEqual([...shape.slice(0, -2), k, n]);
      const batch = size([...shape.slice(0, -2)]);
      const qs = q.reshape([batch, m, k]), rs = r.reshape([batch, k, n]), xs = x.reshape([batch, m, n]);
      for (let b = 0; b < batch; b++) {
        const qb = qs.slice([b, 0, 0], [1, m, k]).reshape([m, k]), rb = rs.slice([b, 0, 0], [1, k, n]).reshape([k, n]);
        const product = Array.from(sora.matMul(qb, rb).dataSync()), want = Array.from(xs.slice([b, 0, 0], [1, m, n]).dataSync());
        product.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(1e-5));
        Array.from(sora.matMul(qb, qb, true, false).dataSync()).forEach((v, i) => expect(Math.abs(v - (Math.floor(i / k) === i % k ? 1 : 0))).toBeLessThan(1e-5));
        Array.from(rb.dataSync()).forEach((v, i) => { if (Math.floor(i / n) > i % n) expect(Math.abs(v)).toBeLessThan(1e-6); });
      }
    });
  }
  it('chained fft, ifft, rfft, irfft', async () => {
    const x = values(24, 43);
    await expectClose((t) => { const c = t.complex(t.tensor(x, [3, 8]), t.tensor(x, [3, 8])); return [c.fft(), c.ifft(), t.tensor(x, [3, 8]).rfft(), c.irfft()]; },
      (s) => { const c = s.complex(s.tensor(x, [3, 8]), s.tensor(x, [3, 8])); return [c.fft(), c.ifft(), s.tensor(x, [3, 8]).rfft(), c.irfft()]; });
  });
});

describe('no leaks', () => {
  beforeAll(async () => { await sora.setBackend('wasm'); });
  it('each op leaves exactly its outputs (and its gradient only the gradient)', () => {
    const x = sora.tensor(values(2 * 1030, 61), [2, 1030]);
    const m = sora.tensor(values(20, 62), [4, 5]);
    const calls: [string, () => sora.Tensor | sora.Tensor[]][] = [
      ['complex', () => sora.complex(x, x)], ['real', () => sora.real(x)], ['abs', () => sora.abs(sora.complex(m, m))],
      ['fft (four-step)', () => sora.fft(sora.complex(x, x))], ['rfft (long)', () => sora.rfft(x, 2048)],
      ['irfft', () => sora.irfft(sora.complex(m, m))], ['stft', () => sora.signal.stft(sora.reshape(x, [2060]), 100, 30)],
      ['frame', () => sora.signal.frame(sora.reshape(x, [2060]), 7, 5, true)], ['qr', () => sora.linalg.qr(m)],
      ['bandPart', () => sora.linalg.bandPart(m, 1, sora.scalar(2, 'int32'))], ['gramSchmidt', () => sora.linalg.gramSchmidt(m.slice([0, 0], [3, 5]))],
      ['grad of stft magnitude', () => sora.grad((t) => sora.abs(sora.signal.stft(t, 64, 32)).sum())(sora.reshape(x, [2060]))],
    ];
    for (const [name, f] of calls) {
      const before = sora.memory().numTensors;
      const out = sora.tidy(f);
      const outputs = Array.isArray(out) ? out.length : 1;
      // Inputs made inside f (complex(m, m), reshapes) are tidied; only the outputs stay.
      expect(sora.memory().numTensors - before, name).toBe(outputs);
      sora.dispose(out as sora.Tensor[]);
    }
    sora.dispose([x, m]);
  });
});

describe('gradients against finite differences (reference backend)', () => {
  beforeAll(async () => { await sora.setBackend('reference'); });
  const check = (label: string, shape: number[], f: (x: sora.Tensor) => sora.Tensor) => {
    it(label, () => {
      const x0 = values(size(shape), 31);
      const weights = values(1000, 37);
      const loss = (x: sora.Tensor) => { const y = f(x); return sora.sum(sora.mul(y, sora.tensor(weights.slice(0, y.size), y.shape))); };
      const g = sora.grad(loss)(sora.tensor(x0, shape)).dataSync();
      const eps = 1e-2;
      x0.forEach((_, i) => {
        const at = (d: number) => sora.tidy(() => { const v = x0.slice(); v[i] += d; return loss(sora.tensor(v, shape)).dataSync()[0]; });
        const numeric = (at(eps) - at(-eps)) / (2 * eps);
        expect(Math.abs(g[i] - numeric), `${label} [${i}]: ${g[i]} vs ${numeric}`).toBeLessThan(3e-3 * (1 + Math.abs(numeric)));
      });
    });
  };
  check('abs(rfft(x))', [2, 9], (x) => sora.abs(sora.rfft(sora.add(x, 0.1), 12)));
  check('real and imag of fft(complex(x, x^2))', [3, 5], (x) => {
    const c = sora.fft(sora.complex(x, sora.square(x)));
    return sora.add(sora.real(c), sora.mul(sora.imag(c), 0.5));
  });
  check('irfft(ifft(...)) chain', [2, 4], (x) => sora.irfft(sora.ifft(sora.complex(x, sora.neg(x)))));
  check('abs(fft) of length 1030 through the four-step path (first 12 samples varied)', [12], (x) => {
    const signal = sora.concat([x, sora.fill([1018], 0.25)]);
    return sora.slice(sora.abs(sora.fft(sora.complex(signal, sora.square(signal)))), [0], [40]);
  });
  check('stft magnitude', [40], (x) => sora.abs(sora.signal.stft(x, 16, 8)));
  check('bandPart', [4, 5], (x) => sora.linalg.bandPart(x, 1, 0));
  check('gramSchmidt', [3, 4], (x) => sora.linalg.gramSchmidt(x) as sora.Tensor);
  check('qr', [4, 3], (x) => { const [q, r] = sora.linalg.qr(x); return sora.concat([q.reshape([-1]), r.reshape([-1])]); });
});

describe('bad input names the op and the argument', () => {
  beforeAll(async () => { await sora.setBackend('reference'); });
  it.each([
    [() => sora.complex(sora.zeros([2]), sora.zeros([3])), /complex: real and imag must have one shape/],
    [() => sora.complex(sora.zeros([2], 'int32'), sora.zeros([2])), /complex: real must be float32/],
    [() => sora.fft(sora.zeros([4])), /fft: input must be complex64/],
    [() => sora.rfft(sora.complex(sora.zeros([4]), sora.zeros([4]))), /rfft: input must be float32/],
    [() => sora.rfft(sora.zeros([4]), 0), /rfft: fftLength must be a positive integer/],
    [() => sora.irfft(sora.zeros([4])), /irfft: input must be complex64/],
    [() => sora.fft(sora.complex(sora.zeros([1, 2 * 4099]), sora.zeros([1, 2 * 4099]))), /fft: a transform of 8198 points needs one of length 4099/],
    [() => sora.rfft(sora.zeros([1, 4099])), /rfft: a transform of 4099 points needs one of length 4099/],
    [() => sora.div(sora.complex(sora.zeros([2]), sora.zeros([2])), sora.zeros([2])), /div: 'a' is complex64, which div does not take/],
    [() => sora.zeros([2], 'complex64'), /fill: dtype 'complex64' is made by tf.complex/],
    [() => sora.variable(sora.complex(sora.zeros([2]), sora.zeros([2]))), /variable: '.*' would be complex64/],
    [() => sora.tile(sora.complex(sora.zeros([2]), sora.zeros([2])), [2]), /tile: 'x' is complex64, which tile does not take/],
    [() => sora.signal.frame(sora.zeros([2, 3]), 2, 1), /frame: signal must be rank 1/],
    [() => sora.signal.frame(sora.zeros([9]), 0, 1), /frame: frameLength must be a positive integer/],
    [() => sora.signal.hannWindow(0), /hannWindow: windowLength must be a positive integer/],
    [() => sora.linalg.bandPart(sora.zeros([3]), 0, 0), /bandPart: a must have rank >= 2/],
    [() => sora.linalg.bandPart(sora.zeros([3, 3]), 4, 0), /bandPart: numLower \(4\) must not exceed the number of rows/],
    [() => sora.linalg.bandPart(sora.zeros([3, 3]), 0.5, 0), /bandPart: numLower must be an integer/],
    [() => sora.linalg.gramSchmidt(sora.zeros([4, 3])), /gramSchmidt: 4 vectors exceed their dimension 3/],
    [() => sora.linalg.gramSchmidt([sora.zeros([3]), sora.zeros([2])]), /gramSchmidt: xs\[1\] must be rank 1 of length 3/],
    [() => sora.linalg.qr(sora.zeros([3])), /qr: x must have rank >= 2/],
    [() => sora.linalg.qr(sora.zeros([3, 3], 'int32')), /qr: x must be float32/],
  ])('%#', (f, message) => { expect(f).toThrow(message); });
});
