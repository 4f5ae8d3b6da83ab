/**
 * The reference pooling kernels (src/backends/reference/pool.ts) against TF.js's cpu backend:
 * tf.maxPool / tf.avgPool and their gradients (tf.grads of sum(y * dy)), dilated windows
 * against tf.pool, ties in max, and the NaN rule where sora and TF.js's cpu backend differ.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { convGeometry, type ConvGeometry, type ConvPadding } from '../../src/ops/conv/geometry.js';
import type { PoolMode } from '../../src/backends/backend.js';
import { assertClose, randomArray } from './suite/harness.js';
import { ref, store, poisoned, count, inScope } from './reference-oracle.js';


beforeAll(async () => { await tf.setBackend('cpu'); });


interface PoolCase {
  x: [number, number, number, number];
  window: [number, number];
  strides: [number, number];
  pad: ConvPadding;
  /** Integer inputs in [0, 3): many ties inside each max window. */
  ties?: boolean;
}
const name = (c: PoolCase) => `x=[${c.x}] window=[${c.window}] strides=[${c.strides}] pad=${JSON.stringify(c.pad)}${c.ties ? ' ties' : ''}`;

const CASES: PoolCase[] = [
  { x: [1, 4, 4, 1], window: [2, 2], strides: [2, 2], pad: 'valid' },
  { x: [2, 7, 5, 3], window: [3, 3], strides: [2, 2], pad: 'same' },
  { x: [1, 7, 9, 2], window: [3, 2], strides: [1, 1], pad: 'same' },
  { x: [2, 9, 7, 3], window: [2, 3], strides: [3, 2], pad: 'valid' },
  { x: [1, 5, 5, 1], window: [5, 5], strides: [1, 1], pad: 'same' },
  { x: [1, 3, 3, 2], window: [3, 3], strides: [3, 3], pad: 'same' },
  { x: [2, 8, 8, 2], window: [3, 3], strides: [1, 1], pad: 'valid', ties: true },
  { x: [1, 7, 7, 3], window: [2, 2], strides: [2, 2], pad: 'same', ties: true },
  { x: [1, 33, 7, 1], window: [7, 1], strides: [3, 1], pad: 'same' },
  { x: [1, 6, 6, 1], window: [3, 3], strides: [2, 2], pad: 1 },
];

function geometryOf(c: PoolCase, dilations: [number, number] = [1, 1]): ConvGeometry {
  return convGeometry({
    op: 'pool2d', xShape: c.x, filterHeight: c.window[0], filterWidth: c.window[1], outChannels: c.x[3],
    strides: c.strides, dilations, pad: c.pad,
  });
}

/** True when some window reads outside the image (where 'avg' divides by fewer pixels). */
function windowCrossesPadding(g: ConvGeometry): boolean {
  const last = (out: number, stride: number, dilation: number, filter: number) => (out - 1) * stride + (filter - 1) * dilation;
  return g.padTop > 0 || g.padLeft > 0 ||
    last(g.outHeight, g.strideHeight, g.dilationHeight, g.filterHeight) - g.padTop >= g.inHeight ||
    last(g.outWidth, g.strideWidth, g.dilationWidth, g.filterWidth) - g.padLeft >= g.inWidth;
}

function inputs(c: PoolCase, seed: number): Float32Array {
  const x = randomArray(count(c.x), seed, c.ties ? 0 : -2, c.ties ? 3 : 2);
  return c.ties ? x.map(Math.floor) : x;
}

for (const mode of ['max', 'avg'] as PoolMode[]) {
  describe(`reference pool2d ${mode} against TF.js`, () => {
    CASES.forEach((c, index) => {
      it(name(c), () => {
        const g = geometryOf(c);
        const x = inputs(c, 10 + index);
        const outSize = g.batch * g.outHeight * g.outWidth * g.outChannels;
        const dy = randomArray(outSize, 20 + index);
        const expected = inScope(() => {
          const run = (t: tf.Tensor) => (mode === 'max' ? tf.maxPool : tf.avgPool)(t as tf.Tensor4D, c.window, c.strides, c.pad as 'same');
          const xt = tf.tensor4d(x, c.x);
          const y = run(xt);
          const dyt = tf.tensor(dy, y.shape);
          const [dx] = tf.grads((t: tf.Tensor) => tf.sum(tf.mul(run(t), dyt)))([xt]);
          return { shape: y.shape, y: y.dataSync() as Float32Array, dx: dx.dataSync() as Float32Array };
        });
        expect([g.batch, g.outHeight, g.outWidth, g.outChannels]).toEqual(expected.shape);
        const out = poisoned(outSize);
        ref.pool2d({ ...g, mode, x: store(x), out });
        assertClose(`${mode}Pool forward`, ref.readSync(out), expected.y);
        const dx = poisoned(count(c.x));
        ref.pool2dBackward({ ...g, mode, x: store(x), dy: store(dy), dx });
        const got = ref.readSync(dx);
        if (mode === 'max' || !windowCrossesPadding(g)) {
          assertClose(`${mode}Pool backward`, got, expected.dx);
        } else {
          // TF.js quirk (4.22, cpu AvgPoolGrad): the gradient divides by the whole window
          // (filterHeight * filterWidth) even where the forward divided by the pixels inside
          // the image, so it is not the forward's gradient once windows cross the padding.
          // sora's is: avg pooling is linear, so sum(dy * pool(x)) must equal sum(dx * x)
          // for every x (the adjoint identity), and here TF.js's misses it.
          const adjoint = (d: ArrayLike<number>) => {
            let lhs = 0, rhs = 0;
            for (let i = 0; i < dy.length; i++) lhs += dy[i] * expected.y[i];
            for (let i = 0; i < x.length; i++) rhs += d[i] * x[i];
            return Math.abs(lhs - rhs) / Math.max(1, Math.abs(lhs));
          };
          expect(adjoint(got)).toBeLessThan(1e-5);
          expect(adjoint(expected.dx)).toBeGreaterThan(1e-3);
        }
      });
    });

    // Dilated windows: tf.pool (forward only; stride 1, as TF.js requires with dilations).
    // 'valid' only: TF.js quirk (4.22): tf.pool with dilations and 'same' pads the image with
    // zeros (space-to-batch) that then count as pixels, for 'max' and 'avg' alike, unlike
    // tf.maxPool / tf.avgPool undilated; the contract skips padding whatever the dilation.
    for (const [c, dilations] of [
      [{ x: [1, 9, 9, 2], window: [3, 3], strides: [1, 1], pad: 'valid' }, [2, 2]],
      [{ x: [2, 8, 11, 1], window: [2, 3], strides: [1, 1], pad: 'valid' }, [3, 2]],
    ] as [PoolCase, [number, number]][]) {
      it(`${name(c)} dilations=[${dilations}] vs tf.pool`, () => {
        const g = geometryOf(c, dilations);
        const x = inputs(c, 77);
        const expected = inScope(() => {
          const y = tf.pool(tf.tensor4d(x, c.x), c.window, mode, c.pad as 'same', dilations, c.strides);
          return { shape: y.shape, y: y.dataSync() as Float32Array };
        });
        expect([g.batch, g.outHeight, g.outWidth, g.outChannels]).toEqual(expected.shape);
        const out = poisoned(expected.y.length);
        ref.pool2d({ ...g, mode, x: store(x), out });
        assertClose(`${mode} pool dilated`, ref.readSync(out), expected.y);
      });
    }
  });
}

describe('reference pool2d, the rules of the contract', () => {
  const c: PoolCase = { x: [1, 2, 2, 1], window: [2, 2], strides: [2, 2], pad: 'valid' };
  const g = geometryOf(c);
  const pool = (mode: PoolMode, x: number[]) => {
    const out = poisoned(1);
    ref.pool2d({ ...g, mode, x: store(x), out });
    return ref.readSync(out)[0];
  };
  const backward = (mode: PoolMode, x: number[]) => {
    const dx = poisoned(4);
    ref.pool2dBackward({ ...g, mode, x: store(x), dy: store([5]), dx });
    return Array.from(ref.readSync(dx));
  };

  it("a NaN wins 'max' and takes max's gradient (TF.js's cpu backend differs: it skips NaN)", () => {
    expect(pool('max', [1, Number.NaN, 3, Number.NaN])).toBeNaN();
    expect(backward('max', [1, Number.NaN, 3, Number.NaN])).toEqual([0, 5, 0, 0]);
    // TF.js quirk (4.22, cpu backend): its max pool compares with `>`, so a NaN never wins
    // and the window's max is that of the other pixels; sora's max propagates NaN, as
    // Math.max and its reduce kernel do.
    expect(inScope(() => tf.maxPool(tf.tensor4d([1, Number.NaN, 3, Number.NaN], c.x), 2, 2, 'valid').dataSync()[0])).toBe(3);
  });
  it("TF.js's tf.pool with dilations and 'same' counts its zero padding (sora does not)", () => {
    const x = new Float32Array(9).fill(-1);
    const tfMax = inScope(() => Array.from(tf.pool(tf.tensor4d(x, [1, 3, 3, 1]), [2, 2], 'max', 'same', [2, 2], 1).dataSync()));
    expect(tfMax).toContain(0);
    const same = convGeometry({ op: 'pool2d', xShape: [1, 3, 3, 1], filterHeight: 2, filterWidth: 2, outChannels: 1, strides: 1, dilations: 2, pad: 'same' });
    const out = poisoned(9);
    ref.pool2d({ ...same, mode: 'max', x: store(x), out });
    expect(Array.from(ref.readSync(out))).toEqual(new Array(9).fill(-1));
  });
  it("'max' routes the gradient to the first max in row-major window order", () => {
    expect(backward('max', [2, 7, 7, 7])).toEqual([0, 5, 0, 0]);
    expect(backward('max', [-Infinity, -Infinity, -Infinity, -Infinity])).toEqual([5, 0, 0, 0]);
    expect(pool('max', [-Infinity, -Infinity, -Infinity, -Infinity])).toBe(-Infinity);
  });
  it("'avg' divides by the pixels inside the image only", () => {
    // A 3 x 3 'same' window at a corner of a 2 x 2 image covers 4 pixels of 9.
    const same = convGeometry({ op: 'pool2d', xShape: [1, 2, 2, 1], filterHeight: 3, filterWidth: 3, outChannels: 1, strides: 1, pad: 'same' });
    const out = poisoned(4);
    ref.pool2d({ ...same, mode: 'avg', x: store([1, 2, 3, 6]), out });
    expect(Array.from(ref.readSync(out))).toEqual([3, 3, 3, 3]);
  });
  it("windows with no pixel inside: 'max' gives -Infinity and no gradient, 'avg' 0 / 0", () => {
    // A 1 x 1 window over a 1 x 1 image padded by 1 on every side: 3 x 3 windows, only the
    // middle one (index 4) reads the pixel.
    const empty = convGeometry({ op: 'pool2d', xShape: [1, 1, 1, 1], filterHeight: 1, filterWidth: 1, outChannels: 1, strides: 1, pad: 1 });
    expect([empty.outHeight, empty.outWidth]).toEqual([3, 3]);
    const out = poisoned(9);
    const others = (v: number) => [v, v, v, v, 4, v, v, v, v];
    ref.pool2d({ ...empty, mode: 'max', x: store([4]), out });
    expect(Array.from(ref.readSync(out))).toEqual(others(-Infinity));
    ref.pool2d({ ...empty, mode: 'avg', x: store([4]), out });
    expect(Array.from(ref.readSync(out))).toEqual(others(Number.NaN));
    const dx = poisoned(1);
    ref.pool2dBackward({ ...empty, mode: 'max', x: store([4]), dy: store([1, 2, 3, 4, 5, 6, 7, 8, 9]), dx });
    expect(Array.from(ref.readSync(dx))).toEqual([5]);
  });
});
