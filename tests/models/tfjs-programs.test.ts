/**
 * TF.js programs of the kind its tutorials teach, written once against a `tf` argument and
 * run on TF.js (cpu) and on sora: the same program gives the same numbers. They lean on the
 * pieces TF.js users reach for: variables, minimize, tf.util, tf.buffer, tf.losses, tidy.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tfjs from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';

beforeAll(async () => {
  await tfjs.setBackend('cpu');
  await sora.setBackend('reference');
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type TF = any;

/** The polynomial-regression tutorial: fit a, b, c, d of a cubic with SGD and minimize. */
async function polynomial(tf: TF): Promise<number[]> {
  const xs = tf.linspace(-1, 1, 40);
  const ys = tf.tidy(() => xs.pow(3).mul(-0.8).add(xs.square().mul(-0.2)).add(xs.mul(0.9)).add(0.5));
  const [a, b, c, d] = [0.1, -0.3, 0.25, 0.05].map((v) => tf.variable(tf.scalar(v)));
  const predict = (x: TF) => tf.tidy(() => a.mul(x.pow(tf.scalar(3, 'int32'))).add(b.mul(x.square())).add(c.mul(x)).add(d));
  const optimizer = tf.train.sgd(0.5);
  for (let i = 0; i < 60; i++) optimizer.minimize(() => tf.losses.meanSquaredError(ys, predict(xs)));
  const out = [a, b, c, d].map((v) => v.dataSync()[0]);
  tf.dispose([xs, ys, a, b, c, d]);
  return out;
}

/** Hand-made batches: tf.util.createShuffledIndices order, tf.buffer one-hot labels, adam, softmaxCrossEntropy. */
async function batches(tf: TF, order: Uint32Array): Promise<number[]> {
  const features = Array.from({ length: 12 }, (_, i) => [Math.sin(i), Math.cos(i * 0.7), (i % 3) - 1]);
  const labels = features.map((f) => (f[0] + f[1] > 0 ? 1 : 0));
  const w = tf.variable(tf.tensor2d([[0.1, -0.2], [0.3, 0.05], [-0.1, 0.2]]));
  const optimizer = tf.train.adam(0.1);
  for (let start = 0; start < 12; start += 4) {
    const idx = Array.from(order.subarray(start, start + 4));
    const x = tf.tensor2d(idx.map((i) => features[i]));
    const onehot = tf.buffer([4, 2]);
    idx.forEach((i, row) => onehot.set(1, row, labels[i]));
    const y = onehot.toTensor();
    optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, x.matMul(w)));
    tf.dispose([x, y]);
  }
  const out = Array.from(w.dataSync() as Float32Array);
  w.dispose();
  return out;
}

describe('TF.js tutorial programs run unchanged on sora', () => {
  it('polynomial regression with variables, sgd and tf.losses', async () => {
    const ours = await polynomial(sora), theirs = await polynomial(tfjs);
    for (let i = 0; i < 4; i++) expect(Math.abs(ours[i] - theirs[i]), `coefficient ${i}`).toBeLessThan(1e-5);
  });
  it('hand-made batches with tf.util, tf.buffer and adam', async () => {
    const order = sora.util.createShuffledIndices(12);
    const ours = await batches(sora, order), theirs = await batches(tfjs, order);
    for (let i = 0; i < theirs.length; i++) expect(Math.abs(ours[i] - theirs[i]), `w[${i}]`).toBeLessThan(1e-5);
  });
});
