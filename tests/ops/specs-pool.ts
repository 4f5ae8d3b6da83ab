/**
 * Test entries of the pooling ops (src/ops/pool/): the 2-D pools and their backward ops, the
 * argmax pool and the composed 3-D pools, on odd shapes with 'same', 'valid' and numeric
 * padding. Spread into OP_SPECS (tests/ops/specs.ts); the values against TF.js are in
 * tests/ops/pool.test.ts. Inputs are distinct values 0.05 apart, so the finite differences
 * (step 0.01) never move a window's max.
 */
import * as sora from '../../src/index.js';
import type { Input, OpCase } from './specs.js';

/** Distinct values 0.05 apart, shuffled (specs.ts's `spaced`; not imported: specs.ts imports this file). */
function spaced(shape: number[], seed: number): Input {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) => (i - Math.floor(n / 2)) * 0.05 + 0.025);
  let state = seed >>> 0;
  for (let i = n - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = (state >>> 8) % (i + 1);
    [values[i], values[j]] = [values[j], values[i]];
  }
  return { values, shape, dtype: 'float32' };
}

const c = (label: string, inputs: Input[], run: OpCase['run'], wrt: number[] = [0]): OpCase =>
  ({ label, inputs, run, wrt, tolerance: { atol: 1e-5, rtol: 1e-4 } });

/** The pool's gradient for a fixed dy: runs its backward op forward. */
const backward = (f: (x: sora.Tensor) => sora.Tensor) => ([x]: sora.Tensor[]) =>
  sora.grad((t: sora.Tensor) => {
    const y = f(t);
    return y.mul(sora.range(0, y.size).mul(0.1).reshape(y.shape)).sum();
  })(x);

export const POOL_SPECS: Record<string, OpCase[]> = {
  maxPool: [
    c('[2,7,5,3] 3x3 strides 2 same', [spaced([2, 7, 5, 3], 1)], ([x]) => sora.maxPool(x, 3, 2, 'same')),
    c('[1,6,7,2] 2x3 strides [1,2] valid', [spaced([1, 6, 7, 2], 2)], ([x]) => sora.maxPool(x, [2, 3], [1, 2], 'valid')),
    c('[5,4,17] rank 3, pad 1 ceil', [spaced([5, 4, 17], 3)], ([x]) => sora.maxPool(x, 3, 2, 1, 'ceil')),
  ],
  avgPool: [
    c('[2,7,5,3] 3x3 strides 2 same', [spaced([2, 7, 5, 3], 4)], ([x]) => sora.avgPool(x, 3, 2, 'same')),
    c('[1,5,5,1] window = input', [spaced([1, 5, 5, 1], 5)], ([x]) => sora.avgPool(x, 5, 1, 'valid')),
    c('[1,8,6,4] dilated 2x2 same', [spaced([1, 8, 6, 4], 6)], ([x]) => sora.pool(x, 2, 'avg', 'same', 2)),
  ],
  maxPoolGrad: [c('[1,7,6,3] 3x3 strides 2 same', [spaced([1, 7, 6, 3], 7)], backward((x) => sora.maxPool(x, 3, 2, 'same')), [])],
  avgPoolGrad: [c('[2,5,7,2] 2x4 strides 3 same', [spaced([2, 5, 7, 2], 8)], backward((x) => sora.avgPool(x, [2, 4], 3, 'same')), [])],
  maxPoolWithArgmax: [
    c('[2,5,4,3] 3x2 strides 2 same, batch in index', [spaced([2, 5, 4, 3], 9)], ([x]) => {
      const { result, indexes } = sora.maxPoolWithArgmax(x, [3, 2], 2, 'same', true);
      return result.add(indexes.cast('float32'));
    }, []),
  ],
  maxPool3d: [c('[1,3,5,4,2] 2x3x2 same', [spaced([1, 3, 5, 4, 2], 10)], ([x]) => sora.maxPool3d(x, [2, 3, 2], 1, 'same'))],
  avgPool3d: [c('[2,4,3,5,1] 2 strides [1,2,2] same', [spaced([2, 4, 3, 5, 1], 11)], ([x]) => sora.avgPool3d(x, 2, [1, 2, 2], 'same'))],
};
