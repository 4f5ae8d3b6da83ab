/**
 * tf.losses and tf.metrics against TF.js (cpu backend) on the same random inputs: every
 * loss under every Reduction, with and without weights (full and broadcast), label
 * smoothing and odd shapes; every metric including the aliases; gradients of the losses
 * against TF.js's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await sora.setBackend('reference');
});

function rand(n: number, seed: number, lo = -1, hi = 1): number[] {
  let s = seed;
  return Array.from({ length: n }, () => { s = (s * 48271) % 2147483647; return lo + (hi - lo) * (s / 2147483647); });
}
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

function close(actual: sora.Tensor, expected: tf.Tensor, label: string, tol = 1e-5): void {
  expect(actual.shape, label).toEqual(expected.shape);
  const a = actual.dataSync(), e = expected.dataSync();
  for (let i = 0; i < e.length; i++) {
    if (Number.isNaN(e[i])) { expect(Number.isNaN(a[i]), label).toBe(true); continue; }
    expect(Math.abs(a[i] - e[i]), `${label} [${i}]: ${a[i]} vs ${e[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e[i])));
  }
}

/** Both libraries' tf.losses, called with loose argument types (the same values go to each). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (...args: any[]) => any;
type LossCall = (lib: { losses: Record<string, AnyFn> }, y: unknown, p: unknown, w: unknown, r: number) => sora.Tensor | tf.Tensor;
const LOSSES: [string, LossCall, (n: number, s: number) => number[], (n: number, s: number) => number[]][] = [
  ['absoluteDifference', (l, y, p, w, r) => l.losses.absoluteDifference(y as never, p as never, w as never, r), rand, rand],
  ['meanSquaredError', (l, y, p, w, r) => l.losses.meanSquaredError(y as never, p as never, w as never, r), rand, rand],
  ['cosineDistance', (l, y, p, w, r) => l.losses.cosineDistance(y as never, p as never, -1, w as never, r), rand, rand],
  ['hingeLoss', (l, y, p, w, r) => l.losses.hingeLoss(y as never, p as never, w as never, r), (n, s) => rand(n, s).map((v) => (v > 0 ? 1 : 0)), rand],
  ['huberLoss', (l, y, p, w, r) => l.losses.huberLoss(y as never, p as never, w as never, 0.4, r), rand, (n, s) => rand(n, s, -2, 2)],
  ['logLoss', (l, y, p, w, r) => l.losses.logLoss(y as never, p as never, w as never, 1e-6, r), (n, s) => rand(n, s, 0, 1), (n, s) => rand(n, s, 0.01, 0.99)],
  ['sigmoidCrossEntropy', (l, y, p, w, r) => l.losses.sigmoidCrossEntropy(y as never, p as never, w as never, 0, r), (n, s) => rand(n, s, 0, 1), (n, s) => rand(n, s, -30, 30)],
  ['sigmoidCrossEntropy smoothed', (l, y, p, w, r) => l.losses.sigmoidCrossEntropy(y as never, p as never, w as never, 0.2, r), (n, s) => rand(n, s, 0, 1), (n, s) => rand(n, s, -5, 5)],
  ['softmaxCrossEntropy', (l, y, p, w, r) => l.losses.softmaxCrossEntropy(y as never, p as never, w as never, 0, r), (n, s) => rand(n, s, 0, 1), (n, s) => rand(n, s, -40, 40)],
  ['softmaxCrossEntropy smoothed', (l, y, p, w, r) => l.losses.softmaxCrossEntropy(y as never, p as never, w as never, 0.1, r), (n, s) => rand(n, s, 0, 1), (n, s) => rand(n, s, -3, 3)],
];

describe('tf.losses match TF.js', () => {
  for (const [name, call, labels, preds] of LOSSES) {
    it(name, () => {
      for (const shape of [[5, 3], [7, 1], [2, 3, 4]]) {
        const n = size(shape);
        const y = labels(n, 11 + n), p = preds(n, 29 + n);
        const perExample = name.startsWith('softmax') || name === 'cosineDistance';
        const lossShape = perExample ? shape.slice(0, -1).concat(name === 'cosineDistance' ? [1] : []) : shape;
        const weightShapes: (number[] | null)[] = [null, lossShape, lossShape.length > 1 ? [lossShape[0], ...lossShape.slice(1).map(() => 1)] : null];
        for (const ws of weightShapes) {
          for (const r of [0, 1, 2, 3]) {
            const w = ws ? rand(size(ws), 5).map((v, i) => (i % 3 === 0 ? 0 : Math.abs(v))) : null;
            const label = `${name} [${shape}] weights ${ws ? `[${ws}]` : 'none'} reduction ${r}`;
            const ours = sora.tidy(() => call(sora, sora.tensor(y, shape), sora.tensor(p, shape), w && sora.tensor(w, ws!), r)) as sora.Tensor;
            const theirs = tf.tidy(() => call(tf, tf.tensor(y, shape), tf.tensor(p, shape), w && tf.tensor(w, ws!), r) as tf.Tensor);
            close(ours, theirs, label, 2e-5);
            ours.dispose(); theirs.dispose();
          }
        }
      }
    });
  }
  it('gradients with respect to predictions match TF.js', () => {
    for (const [name, call, labels, preds] of LOSSES) {
      const shape = [4, 3];
      const y = labels(12, 3), p = preds(12, 4);
      const ours = sora.grad((x: sora.Tensor) => call(sora, sora.tensor(y, shape), x, null, 3) as sora.Tensor)(sora.tensor(p, shape));
      const theirs = tf.grad((x: tf.Tensor) => call(tf, tf.tensor(y, shape), x, null, 3) as tf.Tensor)(tf.tensor(p, shape));
      close(ours, theirs, `d ${name}`, 1e-4);
    }
  });
  it('computeWeightedLoss, Reduction, arrays as inputs, and bad input', () => {
    expect(sora.Reduction.SUM_BY_NONZERO_WEIGHTS).toBe(tf.Reduction.SUM_BY_NONZERO_WEIGHTS);
    expect(sora.Reduction.MEAN).toBe(tf.Reduction.MEAN);
    const l = [[1, 2], [3, 4]];
    for (const r of [0, 1, 2, 3]) {
      close(sora.losses.computeWeightedLoss(sora.tensor(l), sora.tensor([0, 2]), r), tf.losses.computeWeightedLoss(tf.tensor(l), tf.tensor([0, 2]), r), `cwl ${r}`);
    }
    close(sora.losses.meanSquaredError([1, 2, 3], [1, 2, 5]), tf.losses.meanSquaredError([1, 2, 3], [1, 2, 5]), 'arrays');
    expect(() => sora.losses.absoluteDifference(sora.tensor([1, 2]), sora.tensor([1, 2, 3])))
      .toThrow(/absoluteDifference: labels shape \[2\] and predictions shape \[3\] must match/);
    expect(() => sora.losses.computeWeightedLoss(sora.tensor([1]), null, 7 as never)).toThrow(/computeWeightedLoss: unknown reduction 7/);
    expect(() => sora.losses.cosineDistance(sora.tensor([1]), sora.tensor([1]), 3)).toThrow(/cosineDistance: axis 3 is out of range/);
    const gone = sora.tensor([1, 2]);
    gone.dispose();
    expect(() => sora.losses.huberLoss(gone, sora.tensor([1, 2]))).toThrow(/huberLoss: tensor \d+ .* is disposed/);
    expect(() => sora.metrics.meanSquaredError(gone, sora.tensor([1, 2]))).toThrow(/meanSquaredError: tensor \d+ .* is disposed/);
    expect(() => sora.losses.logLoss(sora.tensor([1]), null as never)).toThrow(/logLoss: 'predictions' is required/);
  });
  it('leave no tensors behind', () => {
    const y = sora.tensor([[0, 1], [1, 0]]), p = sora.tensor([[0.2, 0.8], [0.6, 0.4]]);
    const before = sora.memory().numTensors;
    for (const [, call] of LOSSES) for (const r of [0, 1, 2, 3]) call(sora, y, p, [[1, 0], [2, 1]], r).dispose();
    expect(sora.memory().numTensors).toBe(before);
  });
});

describe('tf.metrics match TF.js', () => {
  const names = Object.keys(tf.metrics) as (keyof typeof tf.metrics)[];
  it('sora has every tf.metrics name', () => {
    expect(names.filter((n) => !(n in sora.metrics))).toEqual([]);
  });
  for (const name of names) {
    it(name, () => {
      for (const shape of [[6, 3], [5, 1], [2, 3, 2]]) {
        const n = size(shape);
        const binary = ['binaryAccuracy', 'precision', 'recall', 'binaryCrossentropy'].includes(name);
        const y = binary || name.includes('ategorical') ? rand(n, 7 + n, 0, 1).map((v) => (v > 0.5 ? 1 : 0)) : rand(n, 7 + n);
        let p = name === 'precision' || name === 'recall' ? rand(n, 3 + n, 0, 1).map((v) => (v > 0.4 ? 1 : 0))
          : binary || name.includes('ategorical') ? rand(n, 3 + n, 0.01, 0.99) : rand(n, 3 + n);
        if (name === 'sparseCategoricalAccuracy' || (name as string) === 'sparseCategoricalCrossentropy') {
          const classes = shape[shape.length - 1];
          const yy = rand(n / classes, 5, 0, classes - 0.01).map(Math.floor);
          const ours = sora.metrics[name](sora.tensor(yy, [...shape.slice(0, -1), 1]), sora.tensor(p, shape));
          const theirs = tf.metrics[name](tf.tensor(yy, [...shape.slice(0, -1), 1]), tf.tensor(p, shape));
          close(ours, theirs, `${name} [${shape}]`);
          continue;
        }
        if (name === 'r2Score') p = p.map((v, i) => y[i] + v * 0.3);
        const ours = (sora.metrics[name] as (a: sora.Tensor, b: sora.Tensor) => sora.Tensor)(sora.tensor(y, shape), sora.tensor(p, shape));
        const theirs = (tf.metrics[name] as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor)(tf.tensor(y, shape), tf.tensor(p, shape));
        close(ours, theirs, `${name} [${shape}]`, 2e-5);
      }
    });
  }
  it('precision and recall are 0 when nothing is predicted or labelled positive; bad input names the metric', () => {
    const zero = sora.tensor([0, 0, 0]);
    expect(sora.metrics.precision(zero, zero).dataSync()[0]).toBe(0);
    expect(sora.metrics.recall(zero, zero).dataSync()[0]).toBe(0);
    expect(() => sora.metrics.recall(zero, null as never)).toThrow(/recall: expected 'yPred' to be a Tensor/);
  });
});

describe('metrics by name in compile', () => {
  it('fit logs the metrics TF.js logs, under the same keys, with the same values', async () => {
    const x = [[1, 2, -1], [0.5, -2, 3], [2, 1, 1], [-1, -1, 0.5], [0.3, 0.2, 0.1], [1, 0, -2]];
    const y = [[1, 0.5], [0.2, 1], [3, 1], [-2, 0.3], [0.7, 0.1], [1.5, -1]];
    const kernel = [[0.4, -0.3], [0.2, 0.6], [-0.5, 0.1]];
    const metrics = ['mse', 'mae', 'mape', 'cosine', 'MSE', 'MAE'];
    const ours = sora.sequential({ layers: [sora.layers.dense({ units: 2, inputShape: [3] })] });
    const theirs = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    ours.setWeights([sora.tensor(kernel), sora.tensor([0.1, -0.1])]);
    theirs.setWeights([tf.tensor(kernel), tf.tensor([0.1, -0.1])]);
    ours.compile({ optimizer: sora.train.sgd(0.05), loss: 'meanSquaredError', metrics });
    theirs.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError', metrics });
    const args = { epochs: 2, batchSize: 3, shuffle: false, verbose: 0, validationSplit: 1 / 3 };
    const a = await ours.fit(sora.tensor(x), sora.tensor(y), args as never);
    const b = await theirs.fit(tf.tensor(x), tf.tensor(y), args as never);
    expect(Object.keys(a.history).sort()).toEqual(Object.keys(b.history).sort());
    for (const key of Object.keys(b.history)) {
      const mine = a.history[key] as number[], ref = b.history[key] as number[];
      for (let i = 0; i < ref.length; i++) expect(Math.abs(mine[i] - ref[i]), `${key}[${i}]`).toBeLessThan(1e-4 * Math.max(1, Math.abs(ref[i])));
    }
  });
});

describe('classification metrics by name in compile', () => {
  it('accuracy, categoricalAccuracy, categoricalCrossentropy and binaryAccuracy as TF.js logs them', async () => {
    const x = [[1, 2, -1], [0.5, -2, 3], [2, 1, 1], [-1, -1, 0.5], [0.3, 0.2, 0.1], [1, 0, -2]];
    const y = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]];
    const kernel = [[0.4, -0.3, 0.2], [0.2, 0.6, -0.1], [-0.5, 0.1, 0.3]];
    const metrics = ['accuracy', 'categoricalAccuracy', 'categoricalCrossentropy', 'binaryAccuracy'];
    const ours = sora.sequential({ layers: [sora.layers.dense({ units: 3, inputShape: [3], activation: 'softmax' })] });
    const theirs = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [3], activation: 'softmax' })] });
    ours.setWeights([sora.tensor(kernel), sora.tensor([0.1, -0.1, 0])]);
    theirs.setWeights([tf.tensor(kernel), tf.tensor([0.1, -0.1, 0])]);
    ours.compile({ optimizer: sora.train.sgd(0.5), loss: 'categoricalCrossentropy', metrics });
    theirs.compile({ optimizer: tf.train.sgd(0.5), loss: 'categoricalCrossentropy', metrics });
    const args = { epochs: 3, batchSize: 2, shuffle: false, verbose: 0 };
    const a = await ours.fit(sora.tensor(x), sora.tensor(y), args as never);
    const b = await theirs.fit(tf.tensor(x), tf.tensor(y), args as never);
    expect(Object.keys(a.history).sort()).toEqual(Object.keys(b.history).sort());
    for (const key of Object.keys(b.history)) {
      const mine = a.history[key] as number[], ref = b.history[key] as number[];
      for (let i = 0; i < ref.length; i++) expect(Math.abs(mine[i] - ref[i]), `${key}[${i}]`).toBeLessThan(1e-4 * Math.max(1, Math.abs(ref[i])));
    }
  });
});
