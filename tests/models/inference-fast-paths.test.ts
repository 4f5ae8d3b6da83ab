/**
 * The layers' fast paths for MobileNet-style models, on sora's reference and wasm backends:
 * batchNormalization at inference (src/layers/normalization.ts) runs folded over the last axis,
 * x * s + t as one 1x1 depthwise convolution, and the op chain over another axis: both against
 * the float64 formula and TF.js (cpu), with moving statistics, gamma and beta far from their
 * initial values, and the gradient through x of a frozen layer. reLU with maxValue 6 runs
 * ops.relu6 (src/layers/activation-layers.ts): values and gradient against TF.js's relu-then-clip
 * and tf.relu6, whose gradient is NaN at NaN (src/ops/math/activations.ts).
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as tfjs from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { expectClose, values, type TF } from './layers-16-helpers.js';

const CASES: [string, number[], Record<string, unknown>][] = [
  ['NHWC, last axis', [2, 5, 6, 7], {}],
  ['rank 2', [3, 17], {}],
  ['rank 3, epsilon 0.1', [2, 3, 5], { epsilon: 0.1 }],
  ['no center', [2, 4, 4, 6], { center: false }],
  ['no scale', [2, 4, 4, 6], { scale: false }],
  ['no center or scale', [1, 3, 3, 9], { center: false, scale: false }],
  ['axis 1 (the op chain)', [2, 4, 3, 5], { axis: 1 }],
  ['axis -3 (the op chain)', [2, 4, 3, 5], { axis: -3 }],
];

/** The layer's weights in TF.js's order, far from gamma 1, beta 0, mean 0, variance 1. */
function weightsFor(layer: TF): { data: number[]; shape: number[] }[] {
  return layer.weights.map((w: TF, i: number) => {
    const v = values(w.shape, i + 1);
    const name: string = w.name;
    return { data: /moving_variance/.test(name) ? v.map((a) => 0.2 + a * a * 3) : /moving_mean/.test(name) ? v.map((a) => a * 2) : v, shape: w.shape };
  });
}

/** (x - mean) / sqrt(variance + epsilon) * gamma + beta in float64, the statistics along the layer's axis. */
function closedForm(x: number[], shape: number[], ws: { data: number[] }[], args: Record<string, unknown>): number[] {
  const rank = shape.length;
  const axis = ((args.axis as number | undefined) ?? -1) < 0 ? ((args.axis as number | undefined) ?? -1) + rank : (args.axis as number);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const center = args.center ?? true, scale = args.scale ?? true;
  let k = 0;
  const gamma = scale ? ws[k++].data : null, beta = center ? ws[k++].data : null;
  const [mean, variance] = [ws[k].data, ws[k + 1].data];
  const epsilon = (args.epsilon as number | undefined) ?? 1e-3;
  return x.map((v, i) => {
    const c = Math.floor(i / inner) % shape[axis];
    const y = (v - mean[c]) / Math.sqrt(variance[c] + epsilon) * (gamma ? gamma[c] : 1);
    return beta ? y + beta[c] : y;
  });
}

afterAll(async () => { await sora.setBackend('reference'); });

for (const backend of ['reference', 'wasm'] as const) {
  describe(`batchNormalization inference on ${backend} against TF.js`, () => {
    for (const [what, shape, args] of CASES) {
      it(what, async () => {
        await tfjs.setBackend('cpu');
        await sora.setBackend(backend);
        const theirs = tfjs.layers.batchNormalization(args);
        const ours = sora.layers.batchNormalization(args);
        const x = values(shape).map((v) => v * 3 + 1);
        theirs.apply(tfjs.zeros(shape));
        ours.apply(sora.zeros(shape));
        const ws = weightsFor(theirs);
        theirs.setWeights(ws.map((w) => tfjs.tensor(w.data, w.shape)));
        ours.setWeights(ws.map((w) => sora.tensor(w.data, w.shape)));
        const tfjsOut = Array.from((theirs.apply(tfjs.tensor(x, shape)) as TF).dataSync() as Float32Array);
        const got = ours.apply(sora.tensor(x, shape)) as sora.Tensor;
        expect(got.shape).toEqual(shape);
        const expected = closedForm(x, shape, ws, args);
        // Folding rounds x * s + (beta - mean * s) where TF.js rounds (x - mean) * s + beta.
        expectClose(got.dataSync(), expected, `${backend} ${what} against the formula`, 2e-5, 1e-5);
        const last = args.axis === undefined || args.axis === -1;
        if (last) expectClose(got.dataSync(), tfjsOut, `${backend} ${what} against TF.js`, 2e-5, 1e-5);
        // TF.js's cpu batchNorm reads the statistics cyclically (mean[i % C]) over x in memory order, right
        // only for the last axis: on another axis it normalizes with the wrong channel's statistics.
        else expect(tfjsOut.some((v, i) => Math.abs(v - expected[i]) > 1e-3), 'TF.js still misreads a non-last axis').toBe(true);
      });
    }

    it('an empty batch keeps its shape', async () => {
      await sora.setBackend(backend);
      const y = sora.layers.batchNormalization().apply(sora.zeros([0, 2, 3])) as sora.Tensor;
      expect(y.shape).toEqual([0, 2, 3]);
    });

    it('a frozen layer in a gradient: d/dx sum(w * bn(x)) = w * gamma / sqrt(variance + epsilon)', async () => {
      await sora.setBackend(backend);
      const shape = [2, 3, 3, 4];
      const layer = sora.layers.batchNormalization({ epsilon: 0.01 });
      layer.apply(sora.zeros(shape));
      layer.trainable = false;
      const ws = weightsFor(layer);
      layer.setWeights(ws.map((w) => sora.tensor(w.data, w.shape)));
      const weight = sora.tensor(values(shape, 5), shape);
      const dx = sora.grad((x: sora.Tensor) => sora.sum(sora.mul(layer.apply(x, { training: true }) as sora.Tensor, weight)))(
        sora.tensor(values(shape), shape));
      const [gamma, , , variance] = ws.map((w) => w.data);
      const w = weight.dataSync();
      const expected = Array.from(w, (v, i) => v * gamma[i % 4] / Math.sqrt(variance[i % 4] + 0.01));
      expectClose(dx.dataSync(), expected, `${backend} frozen gradient`, 1e-5, 1e-5);
    });
  });
}

for (const backend of ['reference', 'wasm'] as const) {
  it(`reLU maxValue 6 on ${backend}: TF.js's values and gradient (0 where x <= 0 or x > 6), at 0, 6, NaN and infinities`, async () => {
    await tfjs.setBackend('cpu');
    await sora.setBackend(backend);
    const x = [...values([4, 9]).map((v) => v * 9), 0, 6, -0, 6.0001, 5.9999, Number.NaN, Infinity, -Infinity];
    const w = values([x.length], 3);
    const f = (tf: TF) => (t: TF) => tf.sum(tf.mul(tf.layers.reLU({ maxValue: 6 }).apply(t), tf.tensor(w)));
    const theirs = tfjs.layers.reLU({ maxValue: 6 }).apply(tfjs.tensor(x)) as TF;
    const ours = sora.layers.reLU({ maxValue: 6 }).apply(sora.tensor(x)) as sora.Tensor;
    // Exact, NaN where TF.js has NaN (toEqual takes NaN as equal to NaN); the sign of a zero is not compared.
    const plain = (v: ArrayLike<number>) => Array.from(v, (a) => a + 0);
    expect(plain(ours.dataSync())).toEqual(plain(theirs.dataSync()));
    expect(Array.from(ours.dataSync()).filter((v) => v === 6).length).toBeGreaterThan(1);
    const dTheirs = plain(tfjs.grad(f(tfjs))(tfjs.tensor(x)).dataSync());
    const dOurs = plain(sora.grad(f(sora))(sora.tensor(x)).dataSync());
    expect(dOurs).toEqual(dTheirs);
    expect(dOurs.some(Number.isNaN), 'a NaN input has a NaN gradient, as TF.js').toBe(true);
    // relu6 itself: the same gradient as TF.js's tf.relu6, NaN included.
    const g6 = (tf: TF) => tf.grad((t: TF) => tf.sum(tf.mul(tf.relu6(t), tf.tensor(w))));
    expect(plain(g6(sora)(sora.tensor(x)).dataSync())).toEqual(plain(g6(tfjs)(tfjs.tensor(x)).dataSync()));
  });
}
