/**
 * The random ops' distributions (fixed seeds, bounds of several standard errors), seeds
 * (determinism, distinct streams), the same values on every backend, dropout's mask made by
 * the kernel (nothing uploaded), the generator's known answers, and bad input.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { ENGINE } from '../../src/core/engine.js';
import { threefry } from '../../src/backends/reference/random.js';

const N = 20000;
function stats(values: ArrayLike<number>) {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let m2 = 0, m3 = 0, m4 = 0;
  for (let i = 0; i < n; i++) { const d = values[i] - mean; m2 += d * d; m3 += d * d * d; m4 += d * d * d * d; }
  const variance = m2 / n;
  return { mean, variance, skew: m3 / n / variance ** 1.5, kurtosis: m4 / n / variance ** 2,
    min: Math.min(...Array.from(values)), max: Math.max(...Array.from(values)) };
}
/** |got - want| within `k` standard errors of a mean of N draws with this variance. */
function near(got: number, want: number, variance: number, k = 5, n = N): void {
  expect(Math.abs(got - want), `got ${got}, expected ${want}`).toBeLessThan(k * Math.sqrt(variance / n));
}
const read = (t: sora.Tensor) => { const v = t.dataSync(); t.dispose(); return v; };

describe('the generator', () => {
  it('Threefry-2x32-20 gives Random123\'s known answers', () => {
    const words = new Uint32Array(2);
    const kat: [number, number, number, number, number, number][] = [
      [0, 0, 0, 0, 0x6b200159, 0x99ba4efe],
      [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x1cb996fc, 0xbb002be7],
      [0x13198a2e, 0x03707344, 0x243f6a88, 0x85a308d3, 0xc4923a9c, 0x483df7a0],
    ];
    for (const [k0, k1, c0, c1, w0, w1] of kat) {
      threefry(k0, k1, c0, c1, words);
      expect([words[0], words[1]]).toEqual([w0, w1]);
    }
  });
});

for (const backendName of ['reference', 'wasm'] as const) {
  describe(`distributions on ${backendName}`, () => {
    beforeAll(async () => { await sora.setBackend(backendName); });

    it('randomUniform: range, mean, variance', () => {
      const s = stats(read(sora.randomUniform([N], -2, 3, 'float32', 1)));
      expect(s.min).toBeGreaterThanOrEqual(-2);
      expect(s.max).toBeLessThan(3);
      near(s.mean, 0.5, 25 / 12);
      expect(Math.abs(s.variance - 25 / 12)).toBeLessThan(0.05 * 25 / 12);
    });

    it('randomUniformInt: every integer of [min, max) about equally often (chi-square)', () => {
      const v = read(sora.randomUniformInt([N], -3, 8, 2));
      expect(v).toBeInstanceOf(Int32Array);
      const counts = new Array<number>(11).fill(0);
      for (const x of v) { expect(x >= -3 && x < 8).toBe(true); counts[x + 3]++; }
      const expected = N / 11;
      const chi2 = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
      expect(chi2).toBeLessThan(35); // 10 degrees of freedom: p < 1e-4 beyond 35
      const wide = read(sora.randomUniformInt([1000], -(2 ** 31), 2 ** 31 - 1, 3));
      expect(Math.min(...wide)).toBeLessThan(-(2 ** 30));
      expect(Math.max(...wide)).toBeGreaterThan(2 ** 30);
    });

    it('randomNormal: mean, variance, skew, kurtosis, one-sigma mass', () => {
      const v = read(sora.randomNormal([N], 1.5, 2, 'float32', 3));
      const s = stats(v);
      near(s.mean, 1.5, 4);
      expect(Math.abs(s.variance / 4 - 1)).toBeLessThan(0.05);
      expect(Math.abs(s.skew)).toBeLessThan(0.1);
      expect(Math.abs(s.kurtosis - 3)).toBeLessThan(0.2);
      const inside = Array.from(v).filter((x) => Math.abs(x - 1.5) < 2).length / N;
      near(inside, 0.6827, 0.6827 * 0.3173);
    });

    it('truncatedNormal: within two standard deviations, with the truncated variance', () => {
      const s = stats(read(sora.truncatedNormal([N], -1, 0.5, 'float32', 4)));
      expect(s.min).toBeGreaterThanOrEqual(-2);
      expect(s.max).toBeLessThanOrEqual(0);
      near(s.mean, -1, 0.25);
      // Var of a standard normal truncated to [-2, 2]: 1 - 4 phi(2) / (2 Phi(2) - 1) = 0.7737.
      expect(Math.abs(s.variance / 0.25 / 0.7737 - 1)).toBeLessThan(0.05);
      expect(s.min).toBeLessThan(-1.9); // the tails reach the bounds
    });

    for (const [alpha, beta] of [[0.5, 1], [2.5, 2], [9, 0.5]]) {
      it(`randomGamma alpha ${alpha} beta ${beta}: positive, mean alpha beta, variance alpha beta^2 (TF.js's values)`, async () => {
        const s = stats(read(sora.randomGamma([N], alpha, beta, 'float32', 5)));
        expect(s.min).toBeGreaterThan(0);
        near(s.mean, alpha * beta, alpha * beta ** 2);
        expect(Math.abs(s.variance / (alpha * beta ** 2) - 1)).toBeLessThan(0.1);
        // TF.js's own draws have the same mean (within both samples' errors).
        await tf.setBackend('cpu');
        const theirs = tf.randomGamma([N], alpha, beta, 'float32', 5);
        const theirMean = (await theirs.mean().data())[0];
        theirs.dispose();
        near(s.mean, theirMean, 2 * alpha * beta ** 2);
      });
    }

    it('multinomial: frequencies follow softmax(logits); zero probabilities are never drawn', () => {
      const logits = sora.tensor([[0, Math.log(2), Math.log(3), Math.log(4)], [0, 0, 0, 0]]);
      const v = read(sora.multinomial(logits, 5000, 6));
      logits.dispose();
      for (let row = 0; row < 2; row++) {
        const counts = [0, 0, 0, 0];
        for (let s = 0; s < 5000; s++) counts[v[row * 5000 + s]]++;
        const p = row === 0 ? [0.1, 0.2, 0.3, 0.4] : [0.25, 0.25, 0.25, 0.25];
        const chi2 = counts.reduce((acc, c, k) => acc + (c - 5000 * p[k]) ** 2 / (5000 * p[k]), 0);
        expect(chi2).toBeLessThan(21); // 3 degrees of freedom: p < 1e-4 beyond 21
      }
      const probs = sora.tensor([0.5, 0, 0.5, 0]);
      const drawn = read(sora.multinomial(probs, 2000, 7, true));
      probs.dispose();
      expect(new Set(drawn)).toEqual(new Set([0, 2]));
    });

    it('dropout: a rate fraction zeroed, the rest scaled by 1 / (1 - rate), mask made on the backend', () => {
      const x = sora.fill([100, 200], 2);
      const write = vi.spyOn(ENGINE.backend, 'write');
      const y = sora.dropout(x, 0.3, 8);
      expect(write).not.toHaveBeenCalled();
      write.mockRestore();
      const v = read(y);
      const zeros = v.filter((e) => e === 0).length / v.length;
      near(zeros, 0.3, 0.21);
      expect(v.every((e) => e === 0 || Math.abs(e - 2 / 0.7) < 1e-6)).toBe(true);
      // noiseShape [100, 1]: one draw per row.
      const rows = read(sora.dropout(x, 0.5, [100, 1], 9));
      for (let r = 0; r < 100; r++) expect(new Set(rows.subarray(r * 200, r * 200 + 200)).size).toBe(1);
      const columns = read(sora.dropout(x, 0.5, [1, null], 9)); // null: x's size there
      for (let r = 1; r < 100; r++) expect(Array.from(columns.subarray(r * 200, r * 200 + 200))).toEqual(Array.from(columns.subarray(0, 200)));
      const g = sora.grad((t) => sora.dropout(t, 0.5, 10).sum())(x);
      const mask = read(sora.dropout(sora.ones([100, 200]), 0.5, 10));
      expect(Array.from(read(g))).toEqual(Array.from(mask));
      x.dispose();
    });
  });
}

describe('seeds', () => {
  beforeAll(async () => { await sora.setBackend('wasm'); });
  const ops: [string, (seed?: number | string) => sora.Tensor][] = [
    ['randomUniform', (s) => sora.randomUniform([257], 0, 1, 'float32', s)],
    ['randomNormal', (s) => sora.randomNormal([257], 0, 1, 'float32', s)],
    ['randomStandardNormal', (s) => sora.randomStandardNormal([257], 'float32', s)],
    ['truncatedNormal', (s) => sora.truncatedNormal([257], 0, 1, 'float32', s)],
    ['randomGamma', (s) => sora.randomGamma([257], 1.5, 1, 'float32', s)],
    ['randomUniformInt', (s) => sora.randomUniformInt([257], 0, 1000, s)],
  ];
  for (const [name, draw] of ops) {
    it(`${name}: a seed repeats its values, other seeds and no seed do not`, () => {
      const same = [read(draw(42)), read(draw(42))];
      expect(Array.from(same[0])).toEqual(Array.from(same[1]));
      expect(Array.from(read(draw('42')))).toEqual(Array.from(read(draw('42'))));
      for (const other of [read(draw(43)), read(draw('42')), read(draw()), read(draw(42.5))]) {
        const equal = other.filter((v, i) => v === same[0][i]).length;
        expect(equal).toBeLessThan(name === 'randomUniformInt' ? 10 : 3);
      }
      expect(Array.from(read(draw()))).not.toEqual(Array.from(read(draw())));
    });
  }

  it('dtype int32 rounds the draws (randomNormal, truncatedNormal, randomGamma), as TF.js', () => {
    for (const [f, g] of [
      [() => sora.randomNormal([257], 3, 4, 'int32', 5), () => sora.randomNormal([257], 3, 4, 'float32', 5)],
      [() => sora.truncatedNormal([257], 0, 9, 'int32', 6), () => sora.truncatedNormal([257], 0, 9, 'float32', 6)],
      [() => sora.randomGamma([257], 2, 0.1, 'int32', 7), () => sora.randomGamma([257], 2, 0.1, 'float32', 7)],
    ]) {
      const ints = f(), floats = read(g());
      expect(ints.dtype).toBe('int32');
      Array.from(read(ints)).forEach((v, i) => expect(Math.abs(v - floats[i])).toBeLessThanOrEqual(0.5));
    }
  });

  it('rand calls its function once per element, in order', () => {
    let k = 0;
    const t = sora.rand([2, 3], () => k++ * 1.5);
    expect(t.shape).toEqual([2, 3]);
    expect(Array.from(read(t))).toEqual([0, 1.5, 3, 4.5, 6, 7.5]);
    expect(Array.from(read(sora.rand([4], () => 2.7, 'int32')))).toEqual([2, 2, 2, 2]);
    expect(() => sora.rand([2], 3 as never)).toThrow(/rand: randFunction must be a function/);
  });

  it('a seed gives the same values on reference, wasm simd and wasm relaxed', async () => {
    const draws = async () => {
      const ts = [sora.randomUniform([1031], -1, 1, 'float32', 9), sora.randomNormal([1031], 0, 1, 'float32', 9),
        sora.truncatedNormal([1031], 0, 1, 'float32', 9), sora.randomGamma([1031], 0.7, 1, 'float32', 9),
        sora.randomUniformInt([1031], -50, 50, 9), sora.multinomial(sora.tensor([1, 2, 3, 0.5]), 1031, 9)];
      const values = await Promise.all(ts.map((t) => t.data()));
      sora.dispose(ts);
      return values.map((v) => Array.from(v));
    };
    await sora.setBackend('reference');
    const reference = await draws();
    for (const variant of ['simd', 'relaxed'] as const) {
      await sora.setBackend('wasm', { variant });
      const got = await draws();
      got.forEach((values, k) => values.forEach((v, i) =>
        expect(Math.abs(v - reference[k][i]), `draw ${k} element ${i} on ${variant}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(reference[k][i])))));
    }
  });
});

describe('bad input names the op and the argument', () => {
  beforeAll(async () => { await sora.setBackend('reference'); });
  afterAll(async () => { await sora.setBackend('wasm'); });
  it.each([
    [() => sora.randomUniform([2, -1]), /randomUniform: shape entries must be non-negative/],
    [() => sora.randomUniform([2], 0, 1, 'bool'), /randomUniform: dtype must be 'float32'/],
    [() => sora.randomNormal([2], Number.NaN), /randomNormal: mean must be a finite number/],
    [() => sora.randomUniformInt([2], 5, 5), /randomUniformInt: maxval must exceed minval/],
    [() => sora.randomUniformInt([2], 0.5, 5), /randomUniformInt: minval must be an int32 integer/],
    [() => sora.randomGamma([2], 0), /randomGamma: alpha must be positive/],
    [() => sora.randomGamma([2], 1, -1), /randomGamma: beta must be positive/],
    [() => sora.randomNormal([2], 0, 1, 'float32', {} as never), /randomNormal: seed must be a number or a string/],
    [() => sora.multinomial(sora.zeros([2, 2, 2]), 3), /multinomial: logits must have rank 1 or 2/],
    [() => sora.multinomial(sora.zeros([1]), 3), /multinomial: at least 2 outcomes/],
    [() => sora.multinomial(sora.zeros([3]), 0), /multinomial: numSamples must be a positive integer/],
    [() => sora.multinomial(sora.zeros([3], 'int32'), 2), /multinomial: logits must be float32/],
    [() => sora.dropout(sora.zeros([3]), 1), /dropout: rate must be in \[0, 1\)/],
    [() => sora.dropout(sora.zeros([3, 2]), 0.5, [2, 2]), /dropout: noiseShape \[2,2\]/],
  ])('%#', (f, message) => { expect(f).toThrow(message); });
});
