/**
 * Test entries of the ops issue 15 adds (bitwiseAnd in math/bitwise.ts, movingAverage in
 * math/moving-average.ts), spread into OP_SPECS (tests/ops/specs.ts).
 */
import * as sora from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { ints, positive, spaced, type Input, type OpCase } from './specs.js';

const EXACT = { atol: 0, rtol: 0 };
type Case = Omit<OpCase, 'wrt'> & { wrt?: number[] };
const c = (label: string, inputs: Input[], run: (t: Tensor[]) => Tensor, extra: Partial<Case> = {}): Case =>
  ({ label, inputs, run, ...extra });
/** int32 values across the whole range: both signs, the extremes, and bits 30 and 31. */
const wide = (shape: number[], seed: number): Input => {
  const small = ints(shape, seed, -9, 10);
  const edges = [2147483647, -2147483648, -1, 0, 1073741824, -1073741825, 123456789, -987654321];
  return { ...small, values: small.values.map((v, i) => (i % 3 === 0 ? edges[(i / 3 + seed) % edges.length] : v * 7919 * (i + 1))) };
};
const scalarInput = (v: number): Input => ({ values: [v], shape: [], dtype: 'float32' });

export function namesSpecs(): Record<string, Case[]> {
  return {
    bitwiseAnd: [
      c('small [3,5]', [ints([3, 5], 501, -9, 10), ints([3, 5], 502, -9, 10)], ([a, b]) => sora.bitwiseAnd(a, b), { tolerance: EXACT }),
      c('the int32 range [7,9]', [wide([7, 9], 503), wide([7, 9], 504)], ([a, b]) => sora.bitwiseAnd(a, b), { tolerance: EXACT }),
      c('scalar', [{ values: [-6], shape: [], dtype: 'int32' }, { values: [13], shape: [], dtype: 'int32' }],
        ([a, b]) => sora.bitwiseAnd(a, b), { tolerance: EXACT }),
      c('empty', [ints([0, 3], 505), ints([0, 3], 506)], ([a, b]) => sora.bitwiseAnd(a, b), { tolerance: EXACT }),
    ],
    movingAverage: [
      c('zero-debiased [3,5], step 2', [spaced([3, 5], 511), spaced([3, 5], 512, 0.0375), scalarInput(0.6), scalarInput(2)],
        ([v, x, d, s]) => sora.movingAverage(v, x, d, s), { wrt: [0, 1, 2] }),
      c('not debiased [7]', [spaced([7], 513), positive([7], 514), scalarInput(0.9)],
        ([v, x, d]) => sora.movingAverage(v, x, d, undefined, false), { wrt: [0, 1, 2] }),
      c('number decay and step', [spaced([2, 3], 515), spaced([2, 3], 516, 0.0375)],
        ([v, x]) => sora.movingAverage(v, x, 0.25, 3), { wrt: [0, 1] }),
      c('empty', [spaced([0, 4], 517), spaced([0, 4], 518)], ([v, x]) => sora.movingAverage(v, x, 0.5, 1)),
    ],
  };
}
