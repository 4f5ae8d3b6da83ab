/**
 * The pooling ops (src/ops/pool/) against TF.js's cpu backend, forward and gradients (sora.grad
 * vs tf.grad of sum(pool(x) * dy)), on the reference backend (its pool2d kernels) and on wasm
 * (no pool2d kernel yet: the composition of compose.ts runs); dtypes, chained methods and the
 * errors raised before any kernel runs.
 *
 * Where sora differs from TF.js 4.22 (cpu), on purpose, pinned below:
 *  - a pool that leaves no output (window larger than the padded input) is an Error; TF.js
 *    returns an empty tensor;
 *  - a negative or fractional stride is an Error; TF.js fails on a negative shape or returns
 *    garbage (strides 1.5 gives -Infinity entries);
 *  - tf.pool with dilations and 'same' pads with zeros through spaceToBatchND, so its avg counts
 *    the padding and its max lets a 0 of padding win over negative pixels; sora excludes padding
 *    as tf.avgPool / tf.maxPool do (the oracle for those cases is TF.js on the explicitly
 *    windows inside the image, and the border is pinned);
 *  - a NaN wins its max window (as sora's max reduction and Math.max); TF.js's cpu backend skips it;
 *  - gradients where TF.js's tf.grad is wrong, checked against central differences of TF.js's own
 *    forward instead (`differences`): avgPool's where a window reads padding (its avgPoolGrad
 *    divides by the whole window), maxPool's under dimRoundingMode 'ceil' / 'round', and
 *    maxPool3d's for a window whose sides differ (pinned below).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { addOpObserver } from '../../src/ops/registry.js';
import { randomArray } from '../backends/suite/harness.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

type Pad = 'valid' | 'same' | number;
interface Case {
  x: [number, number, number, number];
  window: number | [number, number];
  strides: number | [number, number];
  pad: Pad;
  dims?: 'floor' | 'round' | 'ceil';
  /** Integer values in [0, 3): many ties in each max window. */
  ties?: boolean;
}
const label = (c: Case) => `x=[${c.x}] window=${JSON.stringify(c.window)} strides=${JSON.stringify(c.strides)} pad=${JSON.stringify(c.pad)}` +
  `${c.dims ? ` ${c.dims}` : ''}${c.ties ? ' ties' : ''}`;
const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

const CASES: Case[] = [
  { x: [1, 4, 4, 1], window: 2, strides: 2, pad: 'valid' },
  { x: [2, 7, 5, 3], window: 3, strides: 2, pad: 'same' },
  { x: [1, 7, 9, 2], window: [2, 4], strides: 1, pad: 'same' }, // even windows, 'same'
  { x: [2, 9, 7, 5], window: [2, 3], strides: [3, 2], pad: 'valid' },
  { x: [1, 8, 8, 4], window: 2, strides: 3, pad: 'same' }, // strides larger than the window
  { x: [1, 9, 9, 1], window: 1, strides: 4, pad: 'valid' },
  { x: [3, 1, 1, 2], window: 1, strides: 1, pad: 'valid' }, // 1x1 inputs
  { x: [1, 1, 1, 3], window: 3, strides: 1, pad: 'same' },
  { x: [2, 5, 6, 7], window: [5, 6], strides: 1, pad: 'valid' }, // window = input
  { x: [1, 5, 5, 17], window: 5, strides: 2, pad: 'same' },
  { x: [1, 6, 6, 16], window: 3, strides: 2, pad: 1 },
  { x: [1, 7, 6, 2], window: 3, strides: 2, pad: 1, dims: 'ceil' },
  { x: [1, 7, 6, 2], window: 2, strides: 2, pad: 0, dims: 'round' },
  { x: [1, 6, 7, 3], window: 3, strides: 2, pad: 2, dims: 'floor' },
  { x: [2, 8, 8, 2], window: 3, strides: 1, pad: 'valid', ties: true },
  { x: [1, 7, 7, 3], window: 2, strides: 2, pad: 'same', ties: true },
];

const BACKENDS: [string, () => Promise<unknown>][] = [
  ['reference', () => sora.setBackend('reference')],
  ['wasm', () => sora.setBackend('wasm', { variant: 'simd' })],
];

function close(name: string, got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-5): void {
  expect(got.length, `${name} length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const ok = Number.isNaN(want[i]) ? Number.isNaN(got[i]) : got[i] === want[i] || Math.abs(got[i] - want[i]) <= tol * Math.max(1, Math.abs(want[i]));
    if (!ok) throw new Error(`${name}: element ${i} is ${got[i]}, TF.js ${want[i]}`);
  }
}

/** Distinct values 0.05 apart, shuffled; with `ties`, integers in [0, 3). */
function values(c: Case | number[], seed: number): Float32Array {
  const shape = Array.isArray(c) ? c : c.x;
  const r = randomArray(count(shape), seed);
  if (!Array.isArray(c) && c.ties) return r.map((u) => Math.floor((u + 1) * 1.5));
  const order = Array.from(r.keys()).sort((a, b) => r[a] - r[b]);
  const v = new Float32Array(r.length);
  order.forEach((at, rank) => { v[at] = (rank - r.length / 2) * 0.05; });
  return v;
}
/** tf.grad is trusted where no window reads padding. */
const trusted = (c: Case) => c.pad === 'valid' || (c.pad === 0 && c.dims === undefined);

type SoraPool = (x: sora.Tensor) => sora.Tensor;
type TfPool = (x: tf.Tensor) => tf.Tensor;

/**
 * The gradient of sum(f(x) * dy) by central differences of TF.js's forward (h = 0.01): exact
 * for avg (linear) and for max on `spaced` values (no two within 2h, so no perturbation moves
 * a window's max). The oracle where TF.js's own gradient is wrong: its avgPoolGrad divides by
 * the whole window where the forward divides by the pixels inside, and its maxPoolGrad drops
 * windows that hang over the bottom / right under dimRoundingMode 'ceil' / 'round'.
 */
function differences(tfF: TfPool, x: Float32Array, shape: number[], dy: tf.Tensor): Float64Array {
  const h = 0.01, dx = new Float64Array(x.length);
  const g = (v: Float32Array) => tf.tidy(() => tf.sum(tf.mul(tfF(tf.tensor(v, shape)), dy)).dataSync()[0]);
  for (let i = 0; i < x.length; i++) {
    const plus = Float32Array.from(x), minus = Float32Array.from(x);
    plus[i] += h; minus[i] -= h;
    dx[i] = (g(plus) - g(minus)) / (plus[i] - minus[i]);
  }
  return dx;
}

/**
 * sora's forward and gradient of sum(f(x) * dy) against TF.js: the forward always, the
 * gradient against tf.grad (`oracle: 'grad'`), against differences of TF.js's forward
 * ('differences'), or both.
 */
function compare(soraF: SoraPool, tfF: TfPool, x: Float32Array, shape: number[], seed: number,
  oracle: 'grad' | 'differences' | 'both' = 'both', tol = 1e-5): void {
  tf.engine().startScope();
  let want: { shape: number[]; y: ArrayLike<number>; dx: ArrayLike<number> | null; fd: ArrayLike<number> | null };
  try {
    const xt = tf.tensor(x, shape);
    const y = tfF(xt);
    const dy = tf.tensor(randomArray(y.size, seed), y.shape);
    const dx = oracle === 'differences' ? null : tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tfF(t), dy)))(xt).dataSync();
    const fd = oracle === 'grad' ? null : differences(tfF, x, shape, dy);
    want = { shape: y.shape, y: y.dataSync(), dx, fd };
  } finally { tf.engine().endScope(); }
  sora.tidy(() => {
    const xt = sora.tensor(x, shape);
    const y = soraF(xt);
    expect(y.shape).toEqual(want.shape);
    close('forward', y.dataSync(), want.y, tol);
    const dy = sora.tensor(randomArray(count(y.shape), seed), y.shape);
    const dx = sora.grad((t: sora.Tensor) => soraF(t).mul(dy).sum())(xt);
    expect(dx.shape).toEqual(shape);
    if (want.dx) close('gradient vs tf.grad', dx.dataSync(), want.dx, tol);
    if (want.fd) close('gradient vs differences of TF.js\'s forward', dx.dataSync(), want.fd, 2e-3);
  });
}

/** For each op the forward of `f` ran: its name and whether a backend kernel ran it (not a composition). */
function opsRun(f: () => void): [string, boolean][] {
  const seen: [string, boolean][] = [];
  const remove = addOpObserver((name, _inputs, _outputs, _ms, kernel) => { seen.push([name, kernel]); });
  try { sora.tidy(f); } finally { remove(); }
  return seen;
}

for (const [backendName, select] of BACKENDS) {
  describe(`2-D pools on ${backendName} against TF.js`, () => {
    beforeAll(async () => { await select(); });
    CASES.forEach((c, index) => {
      it(`maxPool ${label(c)}`, () => {
        compare((x) => sora.maxPool(x, c.window, c.strides, c.pad, c.dims),
          (x) => tf.maxPool(x as tf.Tensor4D, c.window, c.strides, c.pad, c.dims), values(c, 100 + index), c.x, 200 + index,
          c.ties ? 'grad' : c.dims ? 'differences' : 'both');
      });
      if (!c.ties) {
        it(`avgPool ${label(c)}`, () => {
          compare((x) => sora.avgPool(x, c.window, c.strides, c.pad, c.dims),
            (x) => tf.avgPool(x as tf.Tensor4D, c.window, c.strides, c.pad, c.dims), values(c, 300 + index), c.x, 400 + index,
            trusted(c) ? 'both' : 'differences');
        });
      }
    });
    it(`runs the pool2d kernel where the backend has it, else the composition`, () => {
      const hasKernel = backendName === 'reference';
      const ran = opsRun(() => { sora.grad((t: sora.Tensor) => sora.maxPool(t, 2, 1, 'same').sum())(sora.ones([1, 3, 3, 1])); });
      expect(ran.filter(([name]) => name === 'maxPool' || name === 'maxPoolGrad')).toEqual([['maxPool', hasKernel], ['maxPoolGrad', hasKernel]]);
      if (!hasKernel) expect(ran.some(([name]) => name === 'stridedSlice')).toBe(true);
    });
    it('rank 3 (one image), and the chained methods', () => {
      const c: Case = { x: [1, 5, 6, 3], window: 3, strides: 2, pad: 'same' };
      compare((x) => sora.maxPool(x, 3, 2, 'same'), (x) => tf.maxPool(x as tf.Tensor3D, 3, 2, 'same'), values(c, 1), [5, 6, 3], 2);
      compare((x) => x.avgPool(3, 2, 'same'), (x) => x.avgPool(3, 2, 'same'), values(c, 3), [5, 6, 3], 4, 'differences');
      compare((x) => x.maxPool([2, 3], 1, 'valid'), (x) => x.maxPool([2, 3], 1, 'valid'), values(c, 5), c.x, 6);
      compare((x) => x.pool(3, 'avg', 'valid', 2), (x) => x.pool(3, 'avg', 'valid', 2), values(c, 7), c.x, 8);
    });
    it('tf.pool with dilations, valid and same, max and avg', () => {
      const c: Case = { x: [2, 9, 8, 3], window: 3, strides: 1, pad: 'valid' };
      for (const type of ['max', 'avg'] as const) {
        compare((x) => sora.pool(x, [3, 2], type, 'valid', [2, 3]), (x) => tf.pool(x as tf.Tensor4D, [3, 2], type, 'valid', [2, 3]),
          values(c, 11), c.x, 12);
        compare((x) => sora.pool(x, 2, type, 'same', 1, 2), (x) => tf.pool(x as tf.Tensor4D, 2, type, 'same', 1, 2), values(c, 13), c.x, 14,
          type === 'avg' ? 'differences' : 'both');
        // 'same' with dilations: TF.js's result on windows wholly inside the image agrees; the
        // border windows differ (TF.js counts zero padding), pinned in the next test.
        compare((x) => sora.slice(sora.pool(x, 2, type, 'same', 2), [0, 1, 1, 0], [2, 7, 6, 3]),
          (x) => tf.slice(tf.pool(x as tf.Tensor4D, 2, type, 'same', 2), [0, 1, 1, 0], [2, 7, 6, 3]), values(c, 15), c.x, 16);
      }
    });
    it('pins: a dilated "same" pool excludes padding, where TF.js counts zeros', () => {
      const x = Array.from({ length: 25 }, (_, i) => -(i + 1));
      const ours = sora.tidy(() => Array.from(sora.pool(sora.tensor(x, [1, 5, 5, 1]), 2, 'avg', 'same', 2).dataSync()));
      const theirs = tf.tidy(() => Array.from(tf.pool(tf.tensor(x, [1, 5, 5, 1]) as tf.Tensor4D, 2, 'avg', 'same', 2).dataSync()));
      // Window (0, 0) reads pixels (-1, -1), (-1, 1), (1, -1), (1, 1): only x[1, 1] = -7 is inside.
      expect(ours[0]).toBe(-7);
      expect(theirs[0]).toBe(-7 / 4);
      const oursMax = sora.tidy(() => Array.from(sora.pool(sora.tensor(x, [1, 5, 5, 1]), 2, 'max', 'same', 2).dataSync()));
      const theirsMax = tf.tidy(() => Array.from(tf.pool(tf.tensor(x, [1, 5, 5, 1]) as tf.Tensor4D, 2, 'max', 'same', 2).dataSync()));
      expect(oursMax[0]).toBe(-7);
      expect(theirsMax[0]).toBe(0);
    });
    it('pins: a NaN wins its max window (the kernel and the composition agree); TF.js\'s cpu backend skips it', () => {
      const x = [1, NaN, 3, 4, 5, 6, 7, 8, 9];
      const ours = sora.tidy(() => Array.from(sora.maxPool(sora.tensor(x, [1, 3, 3, 1]), 2, 1, 'valid').dataSync()));
      const theirs = tf.tidy(() => Array.from(tf.maxPool(tf.tensor(x, [1, 3, 3, 1]) as tf.Tensor4D, 2, 1, 'valid').dataSync()));
      expect(ours).toEqual([NaN, NaN, 8, 9]);
      expect(theirs).toEqual([5, 6, 8, 9]);
      const dx = sora.tidy(() => Array.from(sora.grad((t: sora.Tensor) => sora.maxPool(t, 2, 1, 'valid').sum())(sora.tensor(x, [1, 3, 3, 1])).dataSync()));
      expect(dx).toEqual([0, 2, 0, 0, 0, 0, 0, 1, 1]);
    });
    it('dtypes: maxPool keeps int32 and bool, avgPool takes float32 only, as TF.js', () => {
      const xi = [1, 5, 2, 0, 3, 9, 4, 8, 7];
      for (const dtype of ['int32', 'bool'] as const) {
        const v = dtype === 'bool' ? xi.map((n) => n % 2) : xi;
        const ours = sora.tidy(() => { const y = sora.maxPool(sora.tensor(v, [1, 3, 3, 1], dtype), 2, 1, 'valid'); return [y.dtype, Array.from(y.dataSync())]; });
        const theirs = tf.tidy(() => { const y = tf.maxPool(tf.tensor(v, [1, 3, 3, 1], dtype) as tf.Tensor4D, 2, 1, 'valid'); return [y.dtype, Array.from(y.dataSync())]; });
        expect(ours).toEqual(theirs);
      }
      expect(() => sora.avgPool(sora.tensor([1, 2, 3, 4], [1, 2, 2, 1], 'int32'), 2, 1, 'valid')).toThrow(/avgPool: x must be float32.*int32/);
      expect(() => tf.avgPool(tf.tensor([1, 2, 3, 4], [1, 2, 2, 1], 'int32') as tf.Tensor4D, 2, 1, 'valid')).toThrow(/float32/);
      // Values (not a Tensor) are taken, as TF.js.
      expect(Array.from(sora.avgPool([[[[1], [2]], [[3], [6]]]], 2, 1, 'valid').dataSync())).toEqual([3]);
    });
    it('maxPoolWithArgmax: values and indexes as TF.js, with and without the batch in the index', () => {
      for (const [pad, include] of [['valid', false], ['same', true], ['same', false]] as const) {
        const x = randomArray(2 * 5 * 4 * 3, 21);
        const ours = sora.tidy(() => {
          const r = sora.maxPoolWithArgmax(sora.tensor(x, [2, 5, 4, 3]), [3, 2], 2, pad, include);
          return [r.result.shape, Array.from(r.result.dataSync()), r.indexes.dtype, Array.from(r.indexes.dataSync())];
        });
        const theirs = tf.tidy(() => {
          const r = tf.maxPoolWithArgmax(tf.tensor(x, [2, 5, 4, 3]) as tf.Tensor4D, [3, 2], 2, pad, include);
          return [r.result.shape, Array.from(r.result.dataSync()), r.indexes.dtype, Array.from(r.indexes.dataSync())];
        });
        expect(ours).toEqual(theirs);
      }
      // Ties: the first index of the window's max, as TF.js.
      const ties = [1, 1, 1, 1, 2, 2, 2, 2, 0, 0, 0, 0, 2, 2, 2, 2];
      const ours = sora.tidy(() => Array.from(sora.maxPoolWithArgmax(sora.tensor(ties, [1, 4, 4, 1]), 2, 1, 'valid').indexes.dataSync()));
      const theirs = tf.tidy(() => Array.from(tf.maxPoolWithArgmax(tf.tensor(ties, [1, 4, 4, 1]) as tf.Tensor4D, 2, 1, 'valid').indexes.dataSync()));
      expect(ours).toEqual(theirs);
      // Pinned: a window of -Infinity only gives its first pixel inside the image (never the
      // padding); TF.js gives -1, no index at all.
      const inf = new Array<number>(9).fill(-Infinity);
      const oursInf = sora.tidy(() => Array.from(sora.maxPoolWithArgmax(sora.tensor(inf, [1, 3, 3, 1]), 3, 1, 'same').indexes.dataSync()));
      const theirsInf = tf.tidy(() => Array.from(tf.maxPoolWithArgmax(tf.tensor(inf, [1, 3, 3, 1]) as tf.Tensor4D, 3, 1, 'same').indexes.dataSync()));
      expect(oursInf).toEqual([0, 0, 1, 0, 0, 1, 3, 3, 4]);
      expect(theirsInf).toEqual(new Array<number>(9).fill(-1));
    });
  });
}

const CASES_3D: { x: number[]; window: number | [number, number, number]; strides: number | [number, number, number]; pad: Pad; dims?: 'ceil' }[] = [
  { x: [1, 4, 4, 4, 1], window: 2, strides: 2, pad: 'valid' },
  { x: [2, 3, 5, 4, 3], window: [2, 3, 2], strides: 1, pad: 'same' },
  { x: [1, 5, 3, 4, 2], window: 2, strides: [3, 1, 2], pad: 'same' },
  { x: [1, 1, 1, 1, 4], window: 1, strides: 1, pad: 'valid' },
  { x: [1, 3, 4, 2, 2], window: [3, 4, 2], strides: 1, pad: 'valid' },
  { x: [1, 5, 4, 5, 1], window: 3, strides: 2, pad: 1, dims: 'ceil' },
];
for (const [backendName, select] of BACKENDS) {
  describe(`3-D pools (composed) on ${backendName} against TF.js`, () => {
    beforeAll(async () => { await select(); });
    CASES_3D.forEach((c, index) => {
      const name = `x=[${c.x}] window=${JSON.stringify(c.window)} strides=${JSON.stringify(c.strides)} pad=${JSON.stringify(c.pad)}`;
      const crosses = c.pad !== 'valid';
      it(`maxPool3d ${name}`, () => {
        compare((x) => sora.maxPool3d(x, c.window, c.strides, c.pad, c.dims),
          (x) => tf.maxPool3d(x as tf.Tensor5D, c.window, c.strides, c.pad, c.dims), values(c.x, 500 + index), c.x, 600 + index,
          c.dims || typeof c.window !== 'number' ? 'differences' : 'both');
      });
      it(`avgPool3d ${name}`, () => {
        compare((x) => sora.avgPool3d(x, c.window, c.strides, c.pad, c.dims),
          (x) => tf.avgPool3d(x as tf.Tensor5D, c.window, c.strides, c.pad, c.dims), values(c.x, 700 + index), c.x, 800 + index,
          crosses ? 'differences' : 'both');
      });
    });
    it('pins: TF.js\'s maxPool3d gradient for a [3, 4, 2] window disagrees with its own forward; sora\'s does not', () => {
      const shape = [1, 3, 4, 2, 2], x = values(shape, 504);
      const dy = randomArray(2, 31);
      const theirs = tf.tidy(() => Array.from(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool3d(t as tf.Tensor5D, [3, 4, 2], 1, 'valid'), tf.tensor(dy, [1, 1, 1, 1, 2]))))(tf.tensor(x, shape)).dataSync()));
      const fd = tf.tidy(() => Array.from(differences((t) => tf.maxPool3d(t as tf.Tensor5D, [3, 4, 2], 1, 'valid'), x, shape, tf.tensor(dy, [1, 1, 1, 1, 2]))));
      const ours = sora.tidy(() => Array.from(sora.grad((t: sora.Tensor) => sora.maxPool3d(t, [3, 4, 2], 1, 'valid').mul(sora.tensor(dy, [1, 1, 1, 1, 2])).sum())(sora.tensor(x, shape)).dataSync()));
      close('sora vs differences', ours, fd, 2e-3);
      expect(theirs.some((v, i) => Math.abs(v - fd[i]) > 0.01)).toBe(true);
    });
    it('rank 4 (one volume); int32 gives float32 as TF.js; errors', () => {
      compare((x) => sora.maxPool3d(x, 2, 1, 'same'), (x) => tf.maxPool3d(x as tf.Tensor4D, 2, 1, 'same'), values([3, 3, 2, 2], 9), [3, 3, 2, 2], 10);
      const xi = Array.from({ length: 27 }, (_, i) => (i * 7) % 11);
      const ours = sora.tidy(() => { const y = sora.maxPool3d(sora.tensor(xi, [1, 3, 3, 3, 1], 'int32'), 2, 1, 'valid'); return [y.dtype, Array.from(y.dataSync())]; });
      const theirs = tf.tidy(() => { const y = tf.maxPool3d(tf.tensor(xi, [1, 3, 3, 3, 1], 'int32') as tf.Tensor5D, 2, 1, 'valid'); return [y.dtype, Array.from(y.dataSync())]; });
      expect(ours).toEqual(theirs);
      const v = sora.zeros([1, 3, 3, 3, 1]);
      expect(() => sora.maxPool3d(v, 2, 1, 'valid', undefined, 'NCDHW')).toThrow(/maxPool3d: only dataFormat 'NDHWC' is supported.*"NCDHW"/);
      expect(() => sora.avgPool3d(v, 4, 1, 'valid')).toThrow(/avgPool3d: the 4 x 4 x 4 window leaves no output on the 3 x 3 x 3 input/);
      expect(() => sora.maxPool3d(v, 2, [1, 0, 1], 'valid')).toThrow(/maxPool3d: strides must be a positive integer or three of them; received strides=\[1,0,1\]/);
      expect(() => sora.avgPool3d(sora.zeros([3, 3, 3]), 2, 1, 'valid')).toThrow(/avgPool3d: x must be rank 5 \(NDHWC\) or 4/);
      expect(() => sora.avgPool3d(sora.zeros([1, 3, 3, 3, 1], 'int32'), 2, 1, 'valid')).toThrow(/avgPool3d: x must be float32/);
      expect(() => sora.maxPool3d(v, 2, 1, 'same', 'floor')).toThrow(/maxPool3d: pad must be an integer when using dimRoundingMode floor/);
    });
  });
}

describe('pool errors, before any kernel runs', () => {
  beforeAll(async () => { await sora.setBackend('reference'); });
  const x = () => sora.zeros([1, 4, 4, 2]);
  it('a pool that leaves no output (TF.js returns an empty tensor)', () => {
    expect(() => sora.maxPool(x(), 5, 1, 'valid')).toThrow(/maxPool: the 5 x 5 window .*leaves no output on the 4 x 4 input with pad="valid"/);
    expect(() => sora.avgPool(x(), [1, 6], 1, 'valid')).toThrow(/avgPool: the window \(1 x 6 with dilations\) does not fit the padded input 4 x 4/);
    expect(tf.tidy(() => tf.maxPool(tf.zeros([1, 4, 4, 2]) as tf.Tensor4D, 5, 1, 'valid').shape)).toEqual([1, 0, 0, 2]);
  });
  it('a negative or fractional stride (TF.js fails later or returns garbage)', () => {
    expect(() => sora.maxPool(x(), 2, -1, 'valid')).toThrow(/maxPool: strides must be positive integers; received strides=-1/);
    expect(() => sora.avgPool(x(), 2, [1, 1.5], 'same')).toThrow(/avgPool: strides must be positive integers; received strides=\[1,1.5\]/);
  });
  it('dilations with strides, a bad filter size, pad and dimRoundingMode, rank', () => {
    expect(() => sora.pool(x(), 2, 'max', 'valid', 2, 2)).toThrow(/pool: either strides or dilations must be 1.*strides=2 and dilations=2/);
    expect(() => tf.pool(tf.zeros([1, 4, 4, 2]) as tf.Tensor4D, 2, 'max', 'valid', 2, 2)).toThrow(/Either strides or dilations must be 1/);
    expect(() => sora.maxPool(x(), 0, 1, 'valid')).toThrow(/maxPool: filterSize must be positive integers; received filterSize=0/);
    expect(() => sora.maxPool(x(), 2, 1, 'same', 'floor')).toThrow(/maxPool: pad must be an integer when using dimRoundingMode floor; received pad="same"/);
    expect(() => sora.maxPool(sora.zeros([4, 4]), 2, 1, 'valid')).toThrow(/maxPool: x must be rank 4 \(NHWC\) or 3/);
    expect(() => sora.pool(x(), 2, 'sum' as 'max', 'valid')).toThrow(/pool: poolingType must be 'avg' or 'max'; received poolingType="sum"/);
    expect(() => sora.maxPoolWithArgmax(x(), 2, 1, 1 as never)).toThrow(/maxPoolWithArgmax: pad must be 'valid' or 'same'/);
  });
  it('allocates nothing when it refuses', () => {
    const xt = x();
    const before = sora.memory().numTensors;
    expect(() => sora.maxPool(xt, 9, 1, 'valid')).toThrow();
    expect(sora.memory().numTensors).toBe(before);
  });
});
