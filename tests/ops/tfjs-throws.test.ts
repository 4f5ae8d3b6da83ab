/**
 * Issue 15: where TF.js 4.22 (cpu backend) throws, sora throws too, with its own words: the
 * op, the argument and the fix. Found by scripts/tfjs-throws.mjs, which calls every op name
 * both libraries export with a battery of odd arguments. Each case runs in both libraries.
 *
 * Cases the script lists that sora keeps on purpose (TF.js's throw is its own limitation or
 * bug, and sora's result is right) are pinned at the end with the reason.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { rejects } from './tfjs-compare.js';

type Lib = any;
/** TF.js throws; sora throws an Error naming the op (and matching `pattern`). */
function bothThrow(label: string, op: string, run: (lib: Lib) => unknown, pattern?: RegExp): void {
  it(`${label}: TF.js throws`, async () => {
    let threw = false;
    try { await run(tf); } catch { threw = true; }
    expect(threw).toBe(true);
  });
  rejects(label, op, () => run(sora), pattern);
}

beforeAll(async () => { await tf.setBackend('cpu'); await sora.setBackend('reference'); });

describe('dtypes TF.js refuses', () => {
  for (const dtype of ['int32', 'bool'] as const) {
    bothThrow(`depthToSpace on ${dtype}`, 'depthToSpace', (l) => l.depthToSpace(l.zeros([1, 2, 2, 4], dtype), 2), /float32.*cast/);
    bothThrow(`image.flipLeftRight on ${dtype}`, 'flipLeftRight', (l) => l.image.flipLeftRight(l.zeros([1, 2, 2, 3], dtype)), /float32/);
  }
  bothThrow('image.cropAndResize with int32 boxes', 'cropAndResize', (l) => l.image.cropAndResize(l.ones([1, 4, 4, 1]),
    l.tensor2d([0, 0, 1, 1], [1, 4], 'int32'), l.tensor1d([0], 'int32'), [2, 2]), /boxes must be float32/);
  for (const name of ['boxes', 'scores'] as const) {
    const args = (l: Lib) => [l.tensor2d([0, 0, 1, 1, 0, 0, 2, 2], [2, 4], name === 'boxes' ? 'int32' : 'float32'),
      l.tensor1d([1, 2], name === 'scores' ? 'int32' : 'float32'), 2];
    bothThrow(`image.nonMaxSuppression with int32 ${name}`, 'nonMaxSuppression', (l) => l.image.nonMaxSuppression(...args(l)),
      new RegExp(`${name} must be float32`));
    // TF.js's other forms take int32 (only the synchronous one asserts float32): so does sora.
    it(`image.nonMaxSuppressionAsync / WithScore with int32 ${name}: both answer alike`, async () => {
      const answers = [];
      for (const l of [tf, sora] as Lib[]) {
        answers.push([Array.from((await l.image.nonMaxSuppressionAsync(...args(l))).dataSync()),
          Array.from(l.image.nonMaxSuppressionWithScore(...args(l)).selectedIndices.dataSync())]);
      }
      expect(answers[0]).toEqual([[1, 0], [1, 0]]);
      expect(answers[1]).toEqual(answers[0]);
    });
  }
  it('float32 still works for both', () => {
    const x = [...Array(16).keys()];
    const a = sora.depthToSpace(sora.tensor4d(x, [1, 2, 2, 4]), 2), b = tf.depthToSpace(tf.tensor4d(x, [1, 2, 2, 4]), 2);
    expect([a.shape, Array.from(a.dataSync())]).toEqual([b.shape, Array.from(b.dataSync())]);
  });
  it('sumOutType of a name that is no dtype', () => {
    expect(() => tf.sumOutType('bogus' as never)).toThrow();
    expect(() => sora.sumOutType('bogus' as never)).toThrow(/sumOutType: type must be a dtype name.*"bogus"/);
    expect([sora.sumOutType('bool'), sora.sumOutType('float32')]).toEqual([tf.sumOutType('bool'), tf.sumOutType('float32')]);
  });
});

describe('ranks and lengths', () => {
  bothThrow('inTopKAsync with 1-D predictions', 'inTopKAsync',
    (l) => l.inTopKAsync(l.tensor1d([1, 2, 3]), l.scalar(1, 'int32')), /rank 2 or more/);
  bothThrow('unstack of a scalar', 'unstack', (l) => l.unstack(l.scalar(1)), /rank 1 or more/);
  bothThrow('slice: begin longer than the rank', 'slice', (l) => l.slice(l.tensor1d([1, 2, 3, 4, 5, 6]), [2, 2]), /begin \[2,2\] has 2 entries.*rank 1/);
  bothThrow('slice: size longer than the rank', 'slice', (l) => l.slice(l.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), [0, 0], [1, 1, 1]), /size \[1,1,1\]/);
  bothThrow('slice2d: begin of three', 'slice', (l) => l.slice2d(l.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), [1, 0, 2], [1, 1]), /rank 2/);
  bothThrow('stridedSlice: begin a number', 'stridedSlice', (l) => l.stridedSlice(l.tensor1d([1, 2, 3]), 3, 1, 0), /begin must be an array.*3/);
  bothThrow('stridedSlice: begin a tensor', 'stridedSlice',
    (l) => l.stridedSlice(l.tensor1d([1, 2]), l.tensor1d([0]), [2]), /begin must be an array of integers; received Tensor/);
  it('slice with fewer entries than the rank still fills the rest, as TF.js', () => {
    const a = sora.slice(sora.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), [1]), b = tf.slice(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), [1]);
    expect([a.shape, Array.from(a.dataSync())]).toEqual([b.shape, Array.from(b.dataSync())]);
  });
});

describe('sora throws where TF.js returns nonsense', () => {
  // Found by the script's reverse list: bounds that are arrays reached maximum / minimum and
  // broadcast, an internal error ('the forward made [1,4,4,2]'); TF.js compares them as strings.
  it('clipByValue with array bounds: a clear Error', () => {
    const x = sora.ones([1, 4, 4, 1]);
    expect(() => sora.clipByValue(x, [0, 2] as never, [1, 1] as never)).toThrow(/clipByValue: min and max must be numbers; received 0,2, 1,1/);
    expect(tf.clipByValue(tf.ones([1, 4, 4, 1]), [0, 2] as never, [1, 1] as never).shape).toEqual([1, 4, 4, 1]);
  });
});

describe('TF.js throws, sora answers on purpose (TF.js limitations and bugs)', () => {
  // norm of int32: TF.js composes norm with sqrt, which refuses int32; the norm of integers is
  // well defined, and sora gives it as float32 (sqrt of an integer sum is not an integer).
  it('euclidean norm of int32', () => {
    expect(() => tf.norm(tf.tensor1d([3, 4], 'int32'))).toThrow();
    const n = sora.norm(sora.tensor1d([3, 4], 'int32'));
    expect([n.dtype, n.dataSync()[0]]).toEqual(['float32', 5]);
  });
  // real / imag of a real tensor: TF.js's cpu kernel reads a complex part that is not there
  // (a TypeError); the real part of a real number is itself, its imaginary part 0.
  it('real and imag of float32', () => {
    expect(() => tf.real(tf.tensor1d([1, -2]))).toThrow();
    expect(Array.from(sora.real(sora.tensor1d([1, -2])).dataSync())).toEqual([1, -2]);
    expect(Array.from(sora.imag(sora.tensor1d([1, -2])).dataSync())).toEqual([0, 0]);
  });
  // split with sizes [-1]: TF.js infers a -1 when other sizes are given, but a lone -1 fails
  // its sum check; the one size it can stand for is the whole axis.
  it('split(x, [-1])', () => {
    expect(() => tf.split(tf.tensor1d([1, 2, 3]), [-1])).toThrow(/sum of sizes/);
    const parts = sora.split(sora.tensor1d([1, 2, 3]), [-1]);
    expect(parts.map((p) => Array.from(p.dataSync()))).toEqual([[1, 2, 3]]);
  });
  // qr with fullMatrices on a batch of wide matrices: TF.js's batched path reshapes r to
  // the input's shape, which is wrong when q is square; one matrix alone works in both.
  it('linalg.qr(batch of wide matrices, true)', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8];
    expect(() => tf.linalg.qr(tf.tensor3d(values, [1, 2, 4]), true)).toThrow();
    const [q, r] = sora.linalg.qr(sora.tensor3d(values, [1, 2, 4]), true);
    const [q1, r1] = tf.linalg.qr(tf.tensor2d(values, [2, 4]), true);
    expect([q.shape, r.shape]).toEqual([[1, 2, 2], [1, 2, 4]]);
    Array.from(q1.dataSync()).forEach((v, i) => expect(q.dataSync()[i]).toBeCloseTo(v, 4));
    Array.from(r1.dataSync()).forEach((v, i) => expect(r.dataSync()[i]).toBeCloseTo(v, 4));
  });
});
