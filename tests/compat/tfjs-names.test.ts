/**
 * Issue 15: the TF.js names outside tf.layers, each against @tensorflow/tfjs (cpu backend in
 * Node) where it computes something.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await sora.setBackend('reference');
});

describe('tf.backend() and tf.engine().backend', () => {
  it('floatPrecision() and epsilon() are 32 and 1e-7, as TF.js on the cpu', () => {
    expect(sora.backend().floatPrecision()).toBe(tf.backend().floatPrecision());
    expect(sora.backend().floatPrecision()).toBe(32);
    expect(sora.backend().epsilon()).toBe(tf.backend().epsilon());
  });

  it('numDataIds() counts live data: a new tensor adds one, a reshape shares it, dispose frees it', () => {
    const count = (lib: typeof tf | typeof sora) => (lib.engine().backend as unknown as { numDataIds(): number }).numDataIds();
    const delta = (lib: typeof tf | typeof sora) => {
      const before = count(lib);
      const a = (lib as typeof tf).tensor1d([1, 2, 3, 4]);
      const b = (lib as typeof tf).tensor1d([5, 6]);
      const r = a.reshape([2, 2]);
      const afterMake = count(lib) - before;
      a.dispose(); r.dispose();
      const afterFree = count(lib) - before;
      b.dispose();
      return [afterMake, afterFree, count(lib) - before];
    };
    expect(delta(sora)).toEqual(delta(tf));
    expect(delta(sora)).toEqual([2, 1, 0]);
  });
});

describe('toCategorical', () => {
  it('TF.js has none in tf.util or tf.data, and neither does sora; sora.utils.toCategorical is tf.oneHot(...).toFloat()', () => {
    const named = (ns: unknown) => Object.keys(ns as object).filter((k) => /categorical/i.test(k));
    expect(named(tf.util)).toEqual([]);
    expect(named(tf.data)).toEqual([]);
    expect(named(sora.util)).toEqual([]);
    expect(named(sora.data)).toEqual([]);
    const labels = [2, 0, 1, 2];
    const theirs = tf.oneHot(tf.tensor1d(labels, 'int32'), 4).toFloat();
    const ours = sora.utils.toCategorical(labels, 4);
    expect(ours.dtype).toBe(theirs.dtype);
    expect(ours.shape).toEqual(theirs.shape);
    expect(Array.from(ours.dataSync())).toEqual(Array.from(theirs.dataSync()));
    ours.dispose(); theirs.dispose();
  });
});
