/**
 * Cases for the random and multinomial kernels: each distribution on odd sizes gives the
 * reference's values for the same key (integers and masks word for word, floats to float32
 * rounding), and the generator's published known answers come out of every backend.
 */
import type { RandomDistribution } from '../../../src/backends/backend.js';
import { compareOutputs, type KernelCase } from './harness.js';

export const cases: KernelCase[] = [];

const FLOAT = { atol: 2e-5, rtol: 2e-4 };
const draws: [RandomDistribution, number, number][] = [
  ['uniform', -3, 5.5], ['uniformInt', -7, 13], ['uniformInt', -(2 ** 31), 2 ** 32 - 1], ['bernoulli', 0.3, 1 / 0.7],
  ['normal', 1.5, 2], ['truncatedNormal', -1, 0.5], ['gamma', 0.4, 2], ['gamma', 3.5, 0.5],
];
for (const [distribution, a, b] of draws) {
  for (const size of [1, 7, 33, 257, 1031]) {
    const dtype = distribution === 'uniformInt' ? 'int32' : 'float32';
    const exact = distribution === 'uniformInt' || distribution === 'bernoulli';
    cases.push({
      name: `random ${distribution} a=${a} b=${b} size ${size}`,
      run: (backend, reference) => compareOutputs(`random ${distribution} ${size}`, backend, reference, [],
        [{ size, dtype }], (k, _, [out]) => k.random({ distribution, out, size, key0: 0x12345678 + size, key1: 0x9abcdef0, a, b }),
        exact ? 'exact' : FLOAT).then(() => undefined),
    });
  }
}

// Threefry-2x32-20's known answer (Random123's kat_vectors: key (0, 0), counter (0, 0) gives
// 0x6b200159 in word 0), read out through uniformInt over the whole int32 range, where
// a + floor(x * (2^32 - 1) / 2^32) = a + x - 1.
cases.push({
  name: 'random: Threefry-2x32-20 known answer through uniformInt',
  run: async (backend) => {
    const out = backend.alloc(1, 'int32');
    backend.random!({ distribution: 'uniformInt', out, size: 1, key0: 0, key1: 0, a: -(2 ** 31), b: 2 ** 32 - 1 });
    const got = (await backend.read(out))[0];
    backend.free(out);
    const word = got + 2 ** 31 + 1;
    if (word !== 0x6b200159) throw new Error(`threefry(key 0, 0; counter 0, 0) word 0: got ${word.toString(16)}, expected 6b200159`);
  },
});

for (const [batch, classes, samples] of [[1, 2, 33], [3, 7, 5], [5, 33, 17]]) {
  // Rows with zeros (never drawn), one dominant class, and a uniform row.
  const probs = new Float32Array(batch * classes);
  for (let r = 0; r < batch; r++) {
    let total = 0;
    for (let c = 0; c < classes; c++) { const p = (c + r) % 3 === 0 ? 0 : (c * 7 + r) % 5 + 1; probs[r * classes + c] = p; total += p; }
    for (let c = 0; c < classes; c++) probs[r * classes + c] /= total;
  }
  cases.push({
    name: `multinomial ${batch}x${classes}, ${samples} samples`,
    run: async (backend, reference) => {
      const [got] = await compareOutputs(`multinomial ${batch}x${classes}`, backend, reference, [probs],
        [{ size: batch * samples, dtype: 'int32' }], (k, [p], [out]) => k.multinomial(p, out, batch, classes, samples, 77, 1234), 'exact');
      got.forEach((c, i) => {
        const r = Math.floor(i / samples);
        if (!(c >= 0 && c < classes) || probs[r * classes + c] === 0) throw new Error(`multinomial: drew class ${c} of row ${r}, whose probability is 0`);
      });
    },
  });
}
