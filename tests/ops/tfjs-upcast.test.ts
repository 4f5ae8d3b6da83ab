/**
 * Issue 15: dtype mixes TF.js 4.22 (cpu backend) takes with a sensible answer, and sora now
 * takes too, on its reference and wasm backends: max / min of bool (bool), argMax / argMin of
 * bool, where with branches of different dtypes (TF.js's upcastType) and matMul / dot with
 * int32 operands. Where TF.js's answer on a mix is nonsense (add and neg of bool, concat of
 * int32 and float32), sora still refuses; TF.js's answer is pinned beside the refusal.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { b, f, i32, iv, rejects, same } from './tfjs-compare.js';

const bv = (values: number[], shape = [values.length]) => ({ values, shape, dtype: 'bool' as const });

beforeAll(async () => { await tf.setBackend('cpu'); });

for (const backend of ['reference', 'wasm'] as const) {
  describe(`on ${backend}`, () => {
    beforeAll(async () => { await sora.setBackend(backend); });

    describe('max / min of bool is bool', () => {
      same('all axes', [b([7])], (l, [x]) => [l.max(x), l.min(x)]);
      same('all true, all false', [bv([1, 1]), bv([0, 0])], (l, [t, u]) => [l.max(t), l.min(t), l.max(u), l.min(u)]);
      same('along axes, keepDims', [b([3, 4, 2])], (l, [x]) => [l.max(x, 1), l.min(x, [0, 2]), l.max(x, -1, true), l.min(x, 0, true)]);
      same('chained', [b([4, 3])], (l, [x]) => [x.max(), x.min(1), x.max(0, true)]);
      same('scalar', [bv([1], [])], (l, [x]) => [l.max(x), l.min(x)]);
    });

    describe('argMax / argMin of bool (true > false)', () => {
      same('1-D', [bv([0, 1, 1, 0]), bv([1, 0, 0, 1])], (l, [x, y]) => [l.argMax(x), l.argMin(x), l.argMax(y), l.argMin(y)]);
      same('all equal: the first', [bv([1, 1, 1]), bv([0, 0])], (l, [x, y]) => [l.argMax(x), l.argMin(x), l.argMax(y), l.argMin(y)]);
      same('along each axis', [b([3, 5])], (l, [x]) => [l.argMax(x, 0), l.argMax(x, 1), l.argMin(x, -1), l.argMin(x, 0)]);
      same('chained', [b([4, 3])], (l, [x]) => [x.argMax(1), x.argMin(0)]);
    });

    describe('where with branches of different dtypes (TF.js upcastType)', () => {
      const c = b([2, 3]);
      same('int32 and float32 are float32', [c, i32([2, 3]), f([2, 3])], (l, [k, x, y]) => [l.where(k, x, y), l.where(k, y, x)]);
      same('bool and int32 are int32', [c, b([2, 3]), i32([2, 3])], (l, [k, x, y]) => [l.where(k, x, y), l.where(k, y, x)]);
      same('bool and float32 are float32', [c, b([2, 3]), f([2, 3])], (l, [k, x, y]) => [l.where(k, x, y), l.where(k, y, x)]);
      same('broadcast', [b([2, 3]), i32([3]), f([2, 1])], (l, [k, x, y]) => l.where(k, x, y));
      same('same dtype unchanged', [c, b([2, 3]), b([2, 3])], (l, [k, x, y]) => l.where(k, x, y));
      // A number branch that does not fit the other's dtype is float32 and upcasts, as TF.js; never
      // truncated (0.5 beside int32 was 0). One that fits keeps the tensor's dtype: TF.js gives
      // float32 there too, with the same values (the one difference, pinned below).
      same('a fractional number beside int32, or 2 beside bool, upcasts to float32', [c, i32([2, 3]), b([2, 3])], (l, [k, x, y]) =>
        [l.where(k, x, 0.5), l.where(k, 0.5, x), l.where(k, y, 2), l.where(k, x, [0.5, 1.5, 2.5])]);
      it('an integer number beside int32 keeps int32 (TF.js: float32, the same values)', () => {
        const k = sora.tensor([true, false]), x = sora.tensor([3, 4], undefined, 'int32');
        const r = sora.where(k, x, 0);
        const t = tf.where(tf.tensor([true, false]), tf.tensor([3, 4], undefined, 'int32'), 0);
        expect([r.dtype, t.dtype]).toEqual(['int32', 'float32']);
        expect(Array.from(r.dataSync())).toEqual(Array.from(t.dataSync()));
        for (const z of [k, x, r]) z.dispose();
        t.dispose();
      });
      same('the chained x.where(condition, b), as TF.js', [c, f([2, 3]), f([2, 3])], (l, [k, x, y]) => x.where(k, y));
      same('gradient to the float32 branch', [c, i32([2, 3]), f([2, 3])], (l, [k, x, y]) =>
        l.grad((t: never) => l.where(k, x, t).mul(l.scalar(3)))(y));
    });

    describe('matMul / dot with int32 operands', () => {
      same('int32 x float32 and float32 x int32 are float32', [i32([2, 3]), f([3, 4]), f([4, 2])],
        (l, [a, x, y]) => [l.matMul(a, x), l.matMul(y, a), a.matMul(x)]);
      same('int32 x int32 is int32', [i32([2, 3]), i32([3, 4])], (l, [a, x]) => [l.matMul(a, x), l.matMul(x, a, true, true)]);
      same('transposes and batches', [i32([2, 3, 4]), f([2, 3, 5])], (l, [a, x]) => [l.matMul(a, x, true), l.matMul(x, a, true)]);
      same('dot', [iv([1, 2, 3]), f([3]), f([3, 2]), i32([2, 3])],
        (l, [v, w, m, n]) => [l.dot(v, w), l.dot(v, m), l.dot(n, w), n.dot(m), l.dot(n, v)]);
      same('gradient of int32 x float32 to the float operand', [i32([2, 3]), f([3, 4]), f([3, 5])], (l, [a, x, y]) => [
        l.grad((t: never) => l.matMul(a, t).square().sum())(x),
        l.grad((t: never) => l.matMul(t, a, true, true).sum())(y)]);
      same('int32 matMul in the chain of a float model', [i32([4, 3]), f([3, 2])], (l, [a, w]) =>
        l.grads((t: never) => l.relu(l.matMul(a, t)).mean())([w]));
    });

    it('no tensor is left over', () => {
      const before = sora.memory().numTensors;
      const c = sora.tensor1d([1, 0, 1], 'bool'), k = sora.tensor1d([1, 2, 3], 'int32'), x = sora.tensor1d([0.5, 1.5, 2.5]);
      const a = sora.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), w = sora.tensor2d([0.5, 1, -1, 2], [2, 2]);
      const outs = [sora.max(c), sora.min(c, 0, true), c.max(), sora.argMax(c), sora.argMin(c), sora.where(c, k, x), sora.where(c, c, k),
        sora.matMul(a, w), sora.matMul(a, a), sora.dot(a, w), sora.grad((t: sora.Tensor) => sora.matMul(a, t).sum())(w),
        sora.grad((t: sora.Tensor) => sora.where(c, k, t).sum())(x)];
      for (const t of [...outs, c, k, x, a, w]) t.dispose();
      expect(sora.memory().numTensors).toBe(before);
    });

    describe("TF.js's nonsense on mixes stays refused", () => {
      // TF.js adds bool to bool and stores 2 in a bool tensor; sora refuses bool arithmetic.
      it('add(bool, bool): TF.js bool 2, sora a clear Error', () => {
        const t = tf.add(tf.tensor1d([true, false], 'bool'), tf.tensor1d([true, false], 'bool'));
        expect([t.dtype, Array.from(t.dataSync())]).toEqual(['bool', [2, 0]]);
        expect(() => sora.add(sora.tensor1d([1, 0], 'bool'), sora.tensor1d([1, 0], 'bool'))).toThrow(/add/);
      });
      // TF.js negates true to a bool 1 (-1 stored as truthy); sora refuses.
      it('neg(bool): TF.js bool 1, sora a clear Error', () => {
        const t = tf.neg(tf.tensor1d([true, false], 'bool'));
        expect([t.dtype, Array.from(t.dataSync())]).toEqual(['bool', [1, 0]]);
        expect(() => sora.neg(sora.tensor1d([1, 0], 'bool'))).toThrow(/neg/);
      });
      // TF.js concatenates int32 and float32 as int32, truncating the floats; sora refuses.
      it('concat(int32, float32): TF.js truncates to int32, sora a clear Error', () => {
        const t = tf.concat([tf.tensor1d([1, 2], 'int32'), tf.tensor1d([0.5, 2.5])]);
        expect([t.dtype, Array.from(t.dataSync())]).toEqual(['int32', [1, 2, 0, 2]]);
        expect(() => sora.concat([sora.tensor1d([1, 2], 'int32'), sora.tensor1d([0.5, 2.5])])).toThrow(/concat/);
      });
      rejects('matMul of bool', 'matMul', () => sora.matMul(sora.tensor2d([1, 0], [1, 2], 'bool'), sora.tensor2d([1, 2], [2, 1])), /float32/);
    });
  });
}

// Values past 2^24: TF.js's cpu matMul sums int32 products in float64; sora's gemm is float32.
it('int32 matMul past 2^24: TF.js exact, sora float32-rounded', async () => {
  await sora.setBackend('reference');
  const t = tf.matMul(tf.tensor2d([16777217, 1], [1, 2], 'int32'), tf.tensor2d([1, 1], [2, 1], 'int32'));
  expect([t.dtype, Array.from(t.dataSync())]).toEqual(['int32', [16777218]]);
  const s = sora.matMul(sora.tensor2d([16777217, 1], [1, 2], 'int32'), sora.tensor2d([1, 1], [2, 1], 'int32'));
  expect([s.dtype, Array.from(s.dataSync())]).toEqual(['int32', [16777216]]);
});
