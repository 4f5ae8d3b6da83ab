/**
 * Issue 15's semantics that differed from TF.js 4.22 (cpu backend), on sora's reference and
 * wasm backends: mean of int32 and bool, oneHot's on / off values and dtype, argMax / argMin
 * without an axis and with NaN, mirrorPad's gradient, squeeze(x, []), searchSorted's shape for 1-D inputs, and
 * reductions of a 0-d tensor along an axis or along an axis named twice. Where TF.js is wrong,
 * sora stays right and the test says so.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { b, f, i32, iv, rejects, same } from './tfjs-compare.js';

const fv = (values: number[], shape = [values.length]) => ({ values, shape, dtype: 'float32' as const });

/** TF.js throws too (with its own words); sora's Error names the op. */
type Lib = any;
function bothReject(label: string, op: string, run: (lib: Lib) => unknown, pattern?: RegExp): void {
  it(`${label}: TF.js throws`, () => { expect(() => run(tf)).toThrow(); });
  rejects(label, op, () => run(sora), pattern);
}

beforeAll(async () => { await tf.setBackend('cpu'); });

for (const backend of ['reference', 'wasm'] as const) {
  describe(`on ${backend}`, () => {
    beforeAll(async () => { await sora.setBackend(backend); });

    describe('mean of int32 and bool is float32', () => {
      same('mean int32 all, axis, keepDims', [i32([3, 5], -7, 9)], (l, [x]) => [l.mean(x), l.mean(x, 1), x.mean(0, true)]);
      same('mean bool', [b([4, 7])], (l, [x]) => [l.mean(x), l.mean(x, -1)]);
      same('equal(a, b).mean()', [fv([1, 2, 3, 4]), fv([1, 0, 3, 0])], (l, [x, y]) => l.equal(x, y).mean());
      same('mean int32 past 2^24', [iv([2147483647, 2147483647, 16777217])], (l, [x]) => l.mean(x));
      it('mean of nothing: TF.js 0 (it divides each element, then sums none), sora NaN (0 / 0), int32 as float32', () => {
        expect(tf.mean(tf.tensor1d([], 'int32')).dataSync()[0]).toBe(0);
        for (const dtype of ['int32', 'float32'] as const) {
          const m = sora.mean(sora.tensor1d([], dtype));
          expect([m.dtype, m.dataSync()[0]]).toEqual(['float32', Number.NaN]);
        }
      });
    });

    describe('oneHot', () => {
      const idx = iv([0, 2, 5, -1, 1]);
      same('default dtype int32', [idx], (l, [i]) => l.oneHot(i, 3));
      same('on / off values', [idx], (l, [i]) => [l.oneHot(i, 3, 5, -2), l.oneHot(i, 4, 0, 1)]);
      same('fractions in int32 are truncated', [idx], (l, [i]) => l.oneHot(i, 3, 2.5, -1.5));
      same('float32', [idx], (l, [i]) => [l.oneHot(i, 3, 1, 0, 'float32'), l.oneHot(i, 3, 2.5, 0.5, 'float32')]);
      same('bool', [idx], (l, [i]) => l.oneHot(i, 3, 1, 0, 'bool'));
      same('2-D indices and a scalar index', [iv([0, 1, 2, 0], [2, 2]), iv([1], [])], (l, [i, s]) => [l.oneHot(i, 3), l.oneHot(s, 3)]);
      same('chainable, with values', [idx], (l, [i]) => [i.oneHot(3), i.oneHot(3, 4, 1)]);
      it('bool with on value 2: TF.js stores 2 in a bool tensor, sora true (1)', () => {
        const i = [0, 2];
        expect(Array.from(tf.oneHot(tf.tensor1d(i, 'int32'), 3, 2, 0, 'bool').dataSync())).toEqual([2, 0, 0, 0, 0, 2]);
        const t = sora.oneHot(sora.tensor1d(i, 'int32'), 3, 2, 0, 'bool');
        expect([t.dtype, Array.from(t.dataSync())]).toEqual(['bool', [1, 0, 0, 0, 0, 1]]);
      });
      it('toCategorical stays float32; an int32 one-hot feeds softmaxCrossEntropy', () => {
        expect(sora.utils.toCategorical([0, 2], 3).dtype).toBe('float32');
        const labels = sora.tensor1d([0, 2], 'int32');
        const p = sora.tensor2d([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]]);
        const sparse = sora.losses.softmaxCrossEntropy(sora.oneHot(labels, 3), p);
        expect(sparse.dtype).toBe('float32');
      });
      rejects('bad dtype', 'oneHot', () => sora.oneHot(sora.tensor1d([0], 'int32'), 3, 1, 0, 'float64' as never), /dtype/);
    });

    describe('argMax / argMin', () => {
      same('no axis is axis 0', [f([4, 5])], (l, [x]) => [l.argMax(x), l.argMin(x), x.argMax(), x.argMin()]);
      same('no axis, 3-D int32', [i32([3, 4, 2], 0, 4)], (l, [x]) => [l.argMax(x), l.argMin(x)]);
      const nan = Number.NaN;
      same('NaN in first place wins', [fv([nan, 1, 3, -5])], (l, [x]) => [l.argMax(x), l.argMin(x)]);
      same('all NaN', [fv([nan, nan])], (l, [x]) => [l.argMax(x), l.argMin(x)]);
      same('no NaN: first extreme, ties and signed zeros', [fv([0, -0, 3, 3, -2, -2, 0])], (l, [x]) => [l.argMax(x), l.argMin(x)]);
      // TF.js's rule is a bug, and sora stays right. tfjs-backend-cpu's ArgMax / ArgMin seed
      // the running extreme with the first element and replace it on a strict > (<): a NaN
      // in first place wins (nothing compares greater than NaN), a NaN anywhere else is
      // passed over. So the answer depends on where the NaN sits: [NaN, 1, 3] gives 0 but
      // [1, NaN, 3] gives 2. sora's kernels (reference, wasm, WebGPU; argMin is the argMax
      // kernel's min form, one pass) take the first NaN wherever it is, as NumPy and PyTorch
      // do: a NaN poisons max() and min(), and argMax points at it.
      it('NaN after the first place: TF.js passes it over (position-dependent), sora takes the first NaN', () => {
        const values = [1, nan, 3, nan, 0, nan];
        const tfResult = [tf.argMax(tf.tensor1d(values)).dataSync()[0], tf.argMin(tf.tensor1d(values)).dataSync()[0]];
        const soraResult = [sora.argMax(sora.tensor1d(values)).dataSync()[0], sora.argMin(sora.tensor1d(values)).dataSync()[0]];
        expect(tfResult).toEqual([2, 4]);
        expect(soraResult).toEqual([1, 1]);
        // The same NaN in first place: TF.js now takes it.
        expect([tf.argMax(tf.tensor1d([nan, 1, 3])).dataSync()[0], tf.argMax(tf.tensor1d([1, nan, 3])).dataSync()[0]]).toEqual([0, 2]);
      });
      it('argMin and argMax along each axis, with a NaN in some rows (sora: the first NaN of each row)', () => {
        const x = sora.tensor2d([[4, nan, 1, 1], [2, 2, 9, -3], [nan, 0, nan, 5]]);
        expect([Array.from(sora.argMax(x, 1).dataSync()), Array.from(sora.argMin(x, 1).dataSync())]).toEqual([[1, 2, 0], [1, 3, 0]]);
        expect([Array.from(sora.argMax(x, 0).dataSync()), Array.from(sora.argMin(x, 0).dataSync())]).toEqual([[2, 0, 2, 2], [2, 0, 2, 1]]);
        const wide = sora.tensor2d(Array.from({ length: 2 * 37 }, (_, i) => (i === 30 || i === 37 + 5 ? nan : Math.sin(i))), [2, 37]);
        expect(Array.from(sora.argMin(wide, 1).dataSync())).toEqual([30, 5]);
        expect(Array.from(sora.argMax(wide, 1).dataSync())).toEqual([30, 5]);
      });
      bothReject('argMax of a scalar (no axis)', 'argMax', (l) => l.argMax(l.scalar(3)), /rank 0/);
      bothReject('argMin of a scalar along -1', 'argMin', (l) => l.argMin(l.scalar(3), -1), /rank 0/);
    });

    describe('mirrorPad gradient', () => {
      // TF.js's MirrorPad gradient slices dy at the padding offset (only the copy of x in the
      // middle), dropping the reflected copies; sora adds them back where they came from.
      // y = sum(mirrorPad(x, pads) * [10, 20, ...]) with x = [1, 2, 3]:
      const cases: [string, [number, number], number[], number[]][] = [
        ['reflect [2, 0]', [2, 0], [30, 40, 50], [30, 60, 60]],     // [x2 x1 | x0 x1 x2]
        ['reflect [1, 1]', [1, 1], [20, 30, 40], [20, 90, 40]],     // [x1 | x0 x1 x2 | x1]
        ['symmetric [1, 2]', [1, 2], [20, 30, 40], [30, 90, 90]],   // [x0 | x0 x1 x2 | x2 x1]
      ];
      for (const [label, pad, tfjs, right] of cases) {
        it(`${label}: TF.js [${tfjs}] (the middle slice), sora [${right}]`, () => {
          const mode = label.split(' ')[0] as 'reflect' | 'symmetric';
          const n = 3 + pad[0] + pad[1];
          const f = (l: Lib) => (x: Lib) => l.sum(l.mul(l.mirrorPad(x, [pad], mode), l.tensor1d(Array.from({ length: n }, (_, i) => 10 * (i + 1)))));
          expect(Array.from(tf.grad(f(tf))(tf.tensor1d([1, 2, 3])).dataSync())).toEqual(tfjs);
          expect(Array.from(sora.grad(f(sora))(sora.tensor1d([1, 2, 3])).dataSync())).toEqual(right);
        });
      }
    });

    describe('squeeze', () => {
      same('squeeze(x, []) removes every axis of size 1', [f([1, 2, 1, 3, 1])], (l, [x]) => [l.squeeze(x, []), x.squeeze([]), l.squeeze(x, [2])]);
      same('squeeze(scalar, [])', [fv([3], [])], (l, [x]) => l.squeeze(x, []));
    });

    describe('searchSorted on 1-D inputs gives [1, n]', () => {
      const seq = fv([1, 3, 5, 7]), values = fv([0, 3, 6, 8, 5]);
      same('left, right, lowerBound, upperBound', [seq, values], (l, [s, v]) =>
        [l.searchSorted(s, v), l.searchSorted(s, v, 'right'), l.lowerBound(s, v), l.upperBound(s, v)]);
      same('int32', [iv([1, 3, 5, 7]), iv([0, 3, 9])], (l, [s, v]) => l.searchSorted(s, v));
      same('2-D [1, m] sequence, 1-D values', [fv([1, 3, 5, 7], [1, 4]), values], (l, [s, v]) => l.searchSorted(s, v));
      same('2-D inputs keep their shape', [fv([1, 3, 5, 7], [2, 2]), fv([0, 3, 6, 8], [2, 2])], (l, [s, v]) => l.searchSorted(s, v, 'right'));
      it('3-D values: TF.js returns its 2-D view [rows, n], sora the shape of values (as TF.js documents)', () => {
        const s = [1, 2, 3, 4, 5, 6, 7, 8], v = [0, 2, 4, 6, 8, 9, 1, 3];
        expect(tf.searchSorted(tf.tensor2d(s, [4, 2]), tf.tensor3d(v, [2, 2, 2])).shape).toEqual([4, 2]);
        const out = sora.searchSorted(sora.tensor2d(s, [4, 2]), sora.tensor3d(v, [2, 2, 2]));
        expect(out.shape).toEqual([2, 2, 2]);
        expect(Array.from(out.dataSync())).toEqual(Array.from(tf.searchSorted(tf.tensor2d(s, [4, 2]), tf.tensor3d(v, [2, 2, 2])).dataSync()));
      });
    });

    describe('reductions of a 0-d tensor along an axis', () => {
      for (const op of ['sum', 'mean', 'max', 'min', 'prod', 'logSumExp'] as const) {
        bothReject(`${op}(scalar, 0)`, op, (l) => l[op](l.scalar(5), 0), /axis 0 is out of range for a tensor of rank 0/);
        bothReject(`${op}(scalar, -1)`, op, (l) => l[op](l.scalar(5), -1), /rank 0/);
        same(`${op}(scalar) and ${op}(scalar, [])`, [fv([5], [])], (l, [x]) => [l[op](x), l[op](x, [])]);
      }
      for (const op of ['all', 'any'] as const) {
        bothReject(`${op}(scalar, 0)`, op, (l) => l[op](l.scalar(1, 'bool'), 0), /rank 0/);
      }
      bothReject('moments(scalar, 0)', 'moments', (l) => l.moments(l.scalar(5), 0), /rank 0/);
      // TF.js's norm takes the absolute value of a 0-d tensor whatever the axis; so does sora.
      same('norm(scalar, ord, 0)', [fv([-5], [])], (l, [x]) => [l.norm(x, 'euclidean', 0), l.norm(x, 1, -1), l.euclideanNorm(x, 0)]);
    });

    describe('an axis named twice is refused', () => {
      // TF.js 4.22 gives wrong results here: sum([2,3], [1, 1]) is 21 with shape [] and mean 2.33.
      it('TF.js is wrong for sum(x, [1, 1])', () => {
        const t = tf.sum(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), [1, 1]);
        expect([t.shape, Array.from(t.dataSync())]).toEqual([[], [21]]);
      });
      const x = () => sora.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
      const lib: Lib = sora;
      for (const op of ['sum', 'mean', 'max', 'min', 'prod', 'logSumExp'] as const) {
        rejects(`${op}(x, [1, 1])`, op, () => lib[op](x(), [1, 1]), /names axis 1 more than once/);
        rejects(`${op}(x, [1, -1])`, op, () => lib[op](x(), [1, -1]), /axis \[1, -1\] names axis 1 more than once/);
      }
      rejects('all(x, [0, 0])', 'all', () => sora.all(sora.ones([2, 3], 'bool'), [0, 0]), /more than once/);
      rejects('moments(x, [0, 0])', 'moments', () => sora.moments(x(), [0, 0]), /more than once/);
      same('distinct axes in any order still reduce', [f([2, 3, 4])], (l, [x]) => [l.sum(x, [2, 0]), l.max(x, [-1, 1]), l.mean(x, [1, 0], true)]);
    });
  });
}
