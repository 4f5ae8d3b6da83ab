/**
 * Long float32 sums on both wasm builds: the sum kernel, softmax's normalizer and the ops
 * built on them (sum, moments) stay accurate over 10^7 terms. Plain f32 lanes gave
 * sum(fill([1e7], 0.1)) = 1,005,958.6 (relative error 6e-3) and a variance of 2.2 for a
 * constant tensor.
 */
import { describe, it, expect, afterAll } from 'vitest';
import * as sora from '../../src/index.js';
import { createWasmBackend } from '../../src/backends/wasm/index.js';

const N = 10_000_000;
const TENTH = Math.fround(0.1);

for (const variant of ['simd', 'relaxed'] as const) {
  describe(`wasm ${variant}: sums of 1e7 terms`, () => {
    it('row sum (inner 1) of 1e7 copies of 0.1 and of a ramp', async () => {
      const backend = await createWasmBackend({ variant });
      const x = backend.alloc(N, 'float32'), out = backend.alloc(1, 'float32');
      backend.fill(x, N, 0.1);
      backend.reduce!('sum', x, out, 1, N, 1);
      expect(Math.abs(backend.readSync(out)[0] / (N * TENTH) - 1)).toBeLessThan(1e-6);
      // Terms of growing size: 0, 1e-6, 2e-6, ... (the sum is 5e7 - 5e-6).
      const ramp = backend.view(x) as Float32Array;
      let exact = 0;
      for (let i = 0; i < N; i++) { ramp[i] = i * 1e-6; exact += ramp[i]; }
      backend.reduce!('sum', x, out, 1, N, 1);
      expect(Math.abs(backend.readSync(out)[0] / exact - 1)).toBeLessThan(1e-6);
      backend.free(x); backend.free(out);
    });

    it('column sums (inner 17 and 4: the 16-, 4- and 1-column paths) over 6e5 and 2.5e6 rows', async () => {
      const backend = await createWasmBackend({ variant });
      for (const inner of [17, 4]) {
        const length = Math.floor(N / inner);
        const x = backend.alloc(length * inner, 'float32'), out = backend.alloc(inner, 'float32');
        backend.fill(x, length * inner, 0.1);
        backend.reduce!('sum', x, out, 1, length, inner);
        for (const v of backend.readSync(out)) expect(Math.abs(v / (length * TENTH) - 1)).toBeLessThan(1e-6);
        backend.free(x); backend.free(out);
      }
    });

    it('softmax over a row of 1e6 equal logits sums its exponentials accurately', async () => {
      const backend = await createWasmBackend({ variant });
      const cols = 1_000_000;
      const x = backend.alloc(cols, 'float32'), out = backend.alloc(cols, 'float32');
      // exp(x - max) = exp(-2.3) for all but one column: a normalizer far from a power of two.
      backend.fill(x, cols, -2.3);
      (backend.view(x) as Float32Array)[0] = 0;
      backend.softmax!(x, out, 1, cols);
      const e = Math.exp(Math.fround(-2.3));
      const expected = 1 / (1 + (cols - 1) * e);
      expect(Math.abs(backend.readSync(out)[0] / expected - 1)).toBeLessThan(1e-5);
      backend.free(x); backend.free(out);
    });

    it('sora.sum and sora.moments through the ops', async () => {
      await sora.setBackend('wasm', { variant });
      sora.tidy(() => {
        const total = sora.sum(sora.fill([N], 0.1)).dataSync()[0];
        expect(Math.abs(total / 1e6 - 1)).toBeLessThan(1e-6);
        const { mean, variance } = sora.moments(sora.add(sora.fill([N], 0.1), 1000));
        expect(Math.abs(mean.dataSync()[0] / 1000.1 - 1)).toBeLessThan(1e-6);
        expect(variance.dataSync()[0]).toBeLessThan(1e-6);
      });
    });
  });
}

afterAll(async () => { await sora.setBackend('reference'); });
