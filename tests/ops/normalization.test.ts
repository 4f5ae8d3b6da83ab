/**
 * tf.batchNorm (2d / 3d / 4d) and tf.localResponseNormalization (src/ops/normalization.ts)
 * against TF.js's cpu backend on the reference backend and wasm: forward, the gradients of
 * every input (sora.grads vs tf.grads of sum(y * dy)), dtypes, chained methods, errors.
 *
 * Where sora differs from TF.js 4.22 (cpu), on purpose, pinned below:
 *  - TF.js's batchNorm kernel indexes mean / variance / offset / scale cyclically over x's
 *    flat index, right only when their shape is a suffix of x's (or a scalar); mean [2, 1]
 *    with x [2, 3] gives mixed-up rows. sora broadcasts (numpy's rule) and refuses shapes that
 *    do not broadcast to x.
 *  - a negative depthRadius is refused (TF.js returns x unchanged-looking garbage).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { randomArray } from '../backends/suite/harness.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const BACKENDS: [string, () => Promise<unknown>][] = [
  ['reference', () => sora.setBackend('reference')],
  ['wasm', () => sora.setBackend('wasm', { variant: 'simd' })],
];

function close(name: string, got: ArrayLike<number>, want: ArrayLike<number>, tol = 2e-5): void {
  expect(got.length, `${name} length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol * Math.max(1, Math.abs(want[i])))) throw new Error(`${name}: element ${i} is ${got[i]}, TF.js ${want[i]}`);
  }
}

interface Operand { shape: number[]; values: Float32Array }
const operand = (shape: number[], seed: number, positive = false): Operand =>
  ({ shape, values: randomArray(count(shape), seed).map((v) => (positive ? 0.2 + Math.abs(v) : v)) });

/** Forward and the gradients of every operand of f, sora against TF.js. */
type TfF = (...t: tf.Tensor[]) => tf.Tensor;
function compare(soraF: (...t: sora.Tensor[]) => sora.Tensor, tfF: TfF, operands: Operand[], seed: number, tol = 2e-5, tfGradF: TfF = tfF): void {
  const want = tf.tidy(() => {
    const ts = operands.map((o) => tf.tensor(o.values, o.shape));
    const y = tfF(...ts);
    const dy = tf.tensor(randomArray(y.size, seed), y.shape);
    const grads = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(tfGradF(...a), dy)))(ts);
    return { shape: y.shape, y: Array.from(y.dataSync()), grads: grads.map((g) => Array.from(g.dataSync())) };
  });
  sora.tidy(() => {
    const ts = operands.map((o) => sora.tensor(o.values, o.shape));
    const y = soraF(...ts);
    expect(y.shape).toEqual(want.shape);
    close('forward', y.dataSync(), want.y, tol);
    const dy = sora.tensor(randomArray(count(y.shape), seed), y.shape);
    const grads = sora.grads((...a: sora.Tensor[]) => soraF(...a).mul(dy).sum())(ts);
    grads.forEach((g, i) => {
      expect(g.shape, `gradient ${i} shape`).toEqual(operands[i].shape);
      close(`gradient ${i}`, g.dataSync(), want.grads[i], tol * 10);
    });
  });
}

/**
 * batchNorm written with TF.js's elementwise ops: the gradient oracle where TF.js's own
 * batchNorm gradient throws (pinned in 'TF.js batchNorm gradient failures').
 */
const formula = (eps = 0.001): TfF => (x, m, v, o, s) => {
  let y = tf.div(tf.sub(x, m), tf.sqrt(tf.add(v, eps)));
  if (s) y = tf.mul(y, s);
  return o ? tf.add(y, o) : y;
};
/** TF.js's batchNorm gradient works only with scale given, for x of rank <= 4 and statistics of rank >= 1. */
const tfGradWorks = (c: { x: number[]; stats: number[] }) => c.x.length <= 4 && c.stats.length > 0;

const BN_CASES: { x: number[]; stats: number[]; eps?: number }[] = [
  { x: [2, 3], stats: [3] },
  { x: [4, 5, 7], stats: [7], eps: 0.1 },
  { x: [2, 3, 3, 17], stats: [17] },
  { x: [2, 3, 3, 5], stats: [2, 3, 3, 5] },
  { x: [1, 1, 1, 2, 3], stats: [3] },
  { x: [3, 4], stats: [] },
];

for (const [backendName, select] of BACKENDS) {
  describe(`batchNorm on ${backendName} against TF.js`, () => {
    beforeAll(async () => { await select(); });
    BN_CASES.forEach((c, k) => {
      it(`x=[${c.x}] statistics=[${c.stats}]${c.eps ? ` eps=${c.eps}` : ''}: x, mean, variance, offset, scale`, () => {
        const ops = [operand(c.x, 10 + k), operand(c.stats, 20 + k), operand(c.stats, 30 + k, true), operand(c.stats, 40 + k), operand(c.stats, 50 + k)];
        const theirs: TfF = (x, m, v, o, s) => tf.batchNorm(x, m, v, o, s, c.eps);
        compare((x, m, v, o, s) => sora.batchNorm(x, m, v, o, s, c.eps), theirs, ops, 60 + k, 2e-5, tfGradWorks(c) ? theirs : formula(c.eps));
        // Without offset and scale; and the chained method.
        compare((x, m, v) => x.batchNorm(m, v), (x, m, v) => x.batchNorm(m, v), ops.slice(0, 3), 70 + k, 2e-5, formula());
      });
    });
    it('batchNorm2d / 3d / 4d with rank-1 and full-rank statistics', () => {
      const cases: [number[], number[], typeof sora.batchNorm, typeof tf.batchNorm2d][] = [
        [[3, 4], [4], sora.batchNorm2d, tf.batchNorm2d], [[3, 4], [3, 4], sora.batchNorm2d, tf.batchNorm2d],
        [[2, 3, 4], [4], sora.batchNorm3d, tf.batchNorm3d as never], [[2, 2, 3, 4], [2, 2, 3, 4], sora.batchNorm4d, tf.batchNorm4d as never],
      ];
      cases.forEach(([x, stats, ours, theirs], k) => {
        const ops = [operand(x, k), operand(stats, 5 + k), operand(stats, 9 + k, true), operand(stats, 13 + k), operand(stats, 17 + k)];
        compare((...t) => ours(t[0], t[1], t[2], t[3], t[4]), (...t) => (theirs as typeof tf.batchNorm)(t[0], t[1], t[2], t[3], t[4]), ops, 21 + k);
      });
    });
    it('int32 x gives int32 (truncated), as TF.js', () => {
      const args: [number[][], number[], number[]] = [[[3, -2, 7], [1, 0, -4]], [1, 2, 3], [1, 1, 1]];
      const ours = sora.tidy(() => { const y = sora.batchNorm(sora.tensor(args[0], [2, 3], 'int32'), [...args[1]], [...args[2]]); return [y.dtype, Array.from(y.dataSync())]; });
      const theirs = tf.tidy(() => { const y = tf.batchNorm(tf.tensor(args[0], [2, 3], 'int32'), [...args[1]], [...args[2]]); return [y.dtype, Array.from(y.dataSync())]; });
      expect(ours).toEqual(theirs);
    });
  });

  describe(`localResponseNormalization on ${backendName} against TF.js`, () => {
    beforeAll(async () => { await select(); });
    const LRN: [number[], number, number, number, number][] = [
      [[1, 2, 3, 7], 2, 1, 1, 0.5], [[2, 3, 1, 17], 5, 2, 0.3, 0.75], [[4, 3, 4], 1, 0.5, 2, 1], [[1, 1, 1, 1], 3, 1, 1, 0.5],
      [[2, 2, 2, 5], 0, 1, 1, 0.5], [[1, 2, 2, 3], 10, 1, 0.1, 0.25],
    ];
    LRN.forEach(([shape, r, bias, alpha, beta], k) => {
      it(`x=[${shape}] depthRadius=${r} bias=${bias} alpha=${alpha} beta=${beta}`, () => {
        compare((x) => sora.localResponseNormalization(x, r, bias, alpha, beta),
          (x) => tf.localResponseNormalization(x as tf.Tensor4D, r, bias, alpha, beta), [operand(shape, 80 + k)], 90 + k, 5e-5);
      });
    });
    it('defaults, the chained method, int32 as TF.js', () => {
      compare((x) => x.localResponseNormalization(), (x) => x.localResponseNormalization(), [operand([1, 2, 2, 9], 3)], 4, 5e-5);
      const ours = sora.tidy(() => { const y = sora.localResponseNormalization(sora.tensor([3, 1, 2, 5, 4, 0], [1, 1, 2, 3], 'int32'), 1, 0.5, 0.01); return [y.dtype, Array.from(y.dataSync())]; });
      const theirs = tf.tidy(() => { const y = tf.localResponseNormalization(tf.tensor([3, 1, 2, 5, 4, 0], [1, 1, 2, 3], 'int32') as tf.Tensor4D, 1, 0.5, 0.01); return [y.dtype, Array.from(y.dataSync())]; });
      expect(ours).toEqual(theirs);
    });
  });
}

describe('TF.js batchNorm gradient failures (pinned; sora\'s gradients are checked against the formula instead)', () => {
  const grads = (x: number[], stats: number[], withScale: boolean) => () => tf.tidy(() => {
    const t = [tf.ones(x), tf.ones(stats), tf.ones(stats), tf.ones(stats), tf.ones(stats)];
    return tf.grads((a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s?: tf.Tensor) =>
      tf.batchNorm(a, m, v, o, s).sum())(withScale ? t : t.slice(0, 4));
  });
  it('throws without scale, for x of rank 5, and for scalar statistics', () => {
    expect(grads([2, 3], [3], true)).not.toThrow();
    expect(grads([2, 3], [3], false)).toThrow(/dataId/);
    expect(grads([1, 1, 1, 2, 3], [3], true)).toThrow(/transpose/);
    expect(grads([3, 4], [], true)).toThrow(/Size\(12\) must match/);
  });
});

describe('normalization errors, before anything runs', () => {
  beforeAll(async () => { await sora.setBackend('reference'); });
  it('batchNorm', () => {
    const x = sora.zeros([2, 3]);
    expect(() => sora.batchNorm(x, [1, 2, 3], [[1, 1, 1]])).toThrow(/batchNorm: mean, variance, offset and scale must have equal ranks.*variance/);
    expect(() => sora.batchNorm(x, [1, 2], [1, 1])).toThrow(/batchNorm: .*mean.*does not broadcast to x|cannot be broadcast/);
    expect(() => sora.batchNorm2d(sora.zeros([2, 3, 1]), [1], [1])).toThrow(/batchNorm2d: x must be rank 2; received/);
    expect(() => sora.batchNorm3d(sora.zeros([1, 2, 3]), sora.ones([2, 3]), sora.ones([2, 3]))).toThrow(/batchNorm3d: mean must be rank 3 or rank 1/);
    expect(() => sora.batchNorm(sora.zeros([2], 'bool'), [1], [1])).toThrow(/batchNorm: 'x' must be float32 or int32/);
    expect(() => sora.batchNorm(x, sora.zeros([1, 1, 3]), sora.ones([1, 1, 3]))).toThrow(/batchNorm: mean .* has a higher rank than x/);
  });
  it('pins: TF.js indexes statistics cyclically; sora broadcasts', () => {
    const x = [0, 1, 2, 3, 4, 5], mean = [1, 2], v = [1, 1];
    const ours = sora.tidy(() => Array.from(sora.batchNorm(sora.tensor(x, [2, 3]), sora.tensor(mean, [2, 1]), sora.tensor(v, [2, 1]), undefined, undefined, 0).dataSync()));
    const theirs = tf.tidy(() => Array.from(tf.batchNorm(tf.tensor(x, [2, 3]), tf.tensor(mean, [2, 1]), tf.tensor(v, [2, 1]), undefined, undefined, 0).dataSync()));
    expect(ours).toEqual([-1, 0, 1, 1, 2, 3]);
    expect(theirs).toEqual([-1, -1, 1, 1, 3, 3]);
  });
  it('localResponseNormalization', () => {
    expect(() => sora.localResponseNormalization(sora.zeros([2, 3]), 1)).toThrow(/localResponseNormalization: x must be rank 3 or 4; received/);
    expect(() => sora.localResponseNormalization(sora.zeros([1, 2, 3]), 1.5)).toThrow(/depthRadius must be a non-negative integer; received depthRadius=1.5/);
    expect(() => sora.localResponseNormalization(sora.zeros([1, 2, 3]), -1)).toThrow(/depthRadius=-1/);
    expect(() => tf.localResponseNormalization(tf.zeros([1, 2, 3]) as tf.Tensor3D, 1.5)).toThrow(/depthRadius must be an integer/);
  });
});
