/**
 * conv1d, conv2dTranspose, separableConv2d, conv3d, conv3dTranspose and tf.fused (conv2d,
 * depthwiseConv2d, matMul)
 * against TF.js's cpu backend, forward and gradients of every tensor argument, on the
 * reference backend (conv kernels, bias and activation in their epilogue) and on wasm (the
 * compositions); the chained methods; a second derivative through conv2d.
 *
 * TF.js differences pinned here:
 *  - fused.conv2d with NCHW and an activation: TF.js throws outside gradients; sora composes.
 *  - conv1d with a numeric pad: TF.js pads the height it adds too, and its reshape of the
 *    [batch, 2 * pad + 1, width, out] result to rank 3 throws; sora pads the width only.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { assertClose, randomArray } from '../backends/suite/harness.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

const BACKENDS: [string, () => Promise<unknown>][] = [
  ['reference', () => sora.setBackend('reference')],
  ['wasm (simd)', () => sora.setBackend('wasm', { variant: 'simd' })],
];

/* eslint-disable @typescript-eslint/no-explicit-any */
type Lib = any;
const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

interface Program {
  label: string;
  shapes: number[][];
  run(lib: Lib, ...inputs: any[]): any;
  /** Summed terms per output value (scales the tolerance). */
  terms: number;
}

/** Forward and the gradients of sum(y * dy) for every input, sora against TF.js. */
function compare(p: Program, seed: number): void {
  const values = p.shapes.map((s, i) => randomArray(count(s), seed + i));
  const want = tf.tidy(() => {
    const inputs = values.map((v, i) => tf.tensor(v, p.shapes[i]));
    const y = p.run(tf, ...inputs) as tf.Tensor;
    const dy = tf.tensor(randomArray(y.size, seed + 50), y.shape);
    const grads = tf.grads((...xs: tf.Tensor[]) => p.run(tf, ...xs).mul(dy).sum())(inputs);
    return { shape: y.shape, y: y.dataSync(), dy: dy.dataSync(), grads: grads.map((g) => g.dataSync()) };
  });
  const tol = { atol: 2e-5 * p.terms + 1e-6, rtol: 2e-4 };
  sora.tidy(() => {
    const inputs = values.map((v, i) => sora.tensor(v, p.shapes[i]));
    const y = p.run(sora, ...inputs) as sora.Tensor;
    expect(y.shape).toEqual(want.shape);
    assertClose(`${p.label}: forward`, y.dataSync(), want.y, tol);
    const dy = sora.tensor(want.dy, want.shape);
    const grads = sora.grads((...xs: sora.Tensor[]) => p.run(sora, ...xs).mul(dy).sum())(inputs);
    grads.forEach((g, i) => {
      expect(g.shape).toEqual(p.shapes[i]);
      assertClose(`${p.label}: gradient of input ${i}`, g.dataSync(), want.grads[i], { atol: 2e-5 * count(want.shape) + 1e-6, rtol: 2e-4 });
    });
  });
}

const PROGRAMS: Program[] = [
  { label: 'conv1d [2,9,3] * [3,3,4] stride 2 same', shapes: [[2, 9, 3], [3, 3, 4]], terms: 9,
    run: (lib, x, f) => lib.conv1d(x, f, 2, 'same') },
  { label: 'conv1d [7,2] (rank 2) * [2,2,3] valid dilation 2', shapes: [[7, 2], [2, 2, 3]], terms: 4,
    // TF.js refuses dilated gradients: its side runs the filter spread with a zero tap between.
    run: (lib, x, f) => (lib === tf
      ? tf.conv1d(x, tf.concat([f.slice([0, 0, 0], [1, 2, 3]), tf.zeros([1, 2, 3]), f.slice([1, 0, 0], [1, 2, 3])]), 1, 'valid')
      : lib.conv1d(x, f, 1, 'valid', 'NWC', 2)) },
  { label: 'conv1d [1,1,1] * [1,1,1]', shapes: [[1, 1, 1], [1, 1, 1]], terms: 1, run: (lib, x, f) => lib.conv1d(x, f, 1, 'valid') },
  { label: 'conv2dTranspose [1,3,3,2] -> [1,5,5,4] valid', shapes: [[1, 3, 3, 2], [3, 3, 4, 2]], terms: 18,
    run: (lib, x, f) => lib.conv2dTranspose(x, f, [1, 5, 5, 4], 1, 'valid') },
  { label: 'conv2dTranspose [2,3,4,3] -> [2,6,8,1] stride 2 same', shapes: [[2, 3, 4, 3], [2, 2, 1, 3]], terms: 12,
    run: (lib, x, f) => lib.conv2dTranspose(x, f, [2, 6, 8, 1], 2, 'same') },
  { label: 'conv2dTranspose [4,4,2] (rank 3) -> [7,7,3] stride 2 same', shapes: [[4, 4, 2], [3, 3, 3, 2]], terms: 18,
    run: (lib, x, f) => lib.conv2dTranspose(x, f, [7, 7, 3], 2, 'same') },
  { label: 'conv2dTranspose [1,2,2,1] -> [1,5,5,1] stride 3 (above the kernel) valid', shapes: [[1, 2, 2, 1], [2, 2, 1, 1]], terms: 4,
    run: (lib, x, f) => lib.conv2dTranspose(x, f, [1, 5, 5, 1], 3, 'valid') },
  { label: 'separableConv2d [2,6,6,3] same', shapes: [[2, 6, 6, 3], [3, 3, 3, 2], [1, 1, 6, 4]], terms: 60,
    run: (lib, x, d, p) => lib.separableConv2d(x, d, p, 1, 'same') },
  { label: 'separableConv2d [1,7,5,2] stride 2 valid', shapes: [[1, 7, 5, 2], [2, 2, 2, 1], [1, 1, 2, 5]], terms: 10,
    run: (lib, x, d, p) => lib.separableConv2d(x, d, p, 2, 'valid') },
  { label: 'chained x.conv2d(...).conv2dTranspose(...)', shapes: [[1, 6, 6, 2], [3, 3, 2, 3], [2, 2, 4, 3]], terms: 54,
    run: (_lib, x, f, g) => x.conv2d(f, 2, 'same').conv2dTranspose(g, [1, 6, 6, 4], 2, 'same') },
  { label: 'chained x.depthwiseConv2d(...).separableConv2d(...) and conv1d', shapes: [[1, 5, 5, 2], [2, 2, 2, 2], [3, 3, 4, 1], [1, 1, 4, 3], [2, 3, 2]],
    terms: 120, run: (_lib, x, d, s, p, f1) => x.depthwiseConv2d(d, 1, 'same').separableConv2d(s, p, 1, 'valid').reshape([1, 9, 3]).conv1d(f1, 1, 'same') },
  { label: 'conv3d [1,4,5,4,2] * [2,3,2,2,3] same', shapes: [[1, 4, 5, 4, 2], [2, 3, 2, 2, 3]], terms: 24,
    run: (lib, x, f) => lib.conv3d(x, f, 1, 'same') },
  { label: 'conv3d [2,5,4,6,1] * [3,2,2,1,2] strides [2,1,3] valid', shapes: [[2, 5, 4, 6, 1], [3, 2, 2, 1, 2]], terms: 12,
    run: (lib, x, f) => lib.conv3d(x, f, [2, 1, 3], 'valid') },
  { label: 'conv3d [3,3,3,2] (rank 4) * [3,3,3,2,1]: kernel equal to the input', shapes: [[3, 3, 3, 2], [3, 3, 3, 2, 1]], terms: 54,
    run: (lib, x, f) => lib.conv3d(x, f, 1, 'valid') },
  { label: 'dilation2d [2,6,5,3] by [3,2,3] same', shapes: [[2, 6, 5, 3], [3, 2, 3]], terms: 1,
    run: (lib, x, f) => lib.dilation2d(x, f, 1, 'same') },
  { label: 'dilation2d [1,7,7,2] by [2,2,2] strides 2 valid', shapes: [[1, 7, 7, 2], [2, 2, 2]], terms: 1,
    run: (lib, x, f) => lib.dilation2d(x, f, 2, 'valid') },
  { label: 'dilation2d [5,6,1] (rank 3) by [2,3,1] same, dilations 2', shapes: [[5, 6, 1], [2, 3, 1]], terms: 1,
    run: (lib, x, f) => lib.dilation2d(x, f, 1, 'same', 2) },
  { label: 'chained x.dilation2d(...)', shapes: [[1, 4, 4, 2], [2, 2, 2]], terms: 1, run: (_lib, x, f) => x.dilation2d(f, 1, 'valid') },
];

type Activation = 'linear' | 'relu' | 'relu6' | 'elu' | 'sigmoid' | 'leakyrelu' | 'prelu';
const ACTIVATIONS: Activation[] = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'];

function fusedPrograms(): Program[] {
  const out: Program[] = [];
  for (const activation of ACTIVATIONS) {
    const withPrelu = activation === 'prelu';
    out.push({
      label: `fused.conv2d ${activation} bias [4]`, shapes: [[2, 5, 6, 3], [3, 3, 3, 4], [4], ...(withPrelu ? [[4]] : [])], terms: 27,
      run: (lib, x, filter, bias, weights) => lib.fused.conv2d({
        x, filter, strides: 1, pad: 'same', bias, activation, preluActivationWeights: weights, leakyreluAlpha: 0.15,
      }),
    });
    out.push({
      label: `fused.depthwiseConv2d ${activation} bias [6]`, shapes: [[1, 6, 5, 3], [2, 3, 3, 2], [6], ...(withPrelu ? [[6]] : [])], terms: 6,
      run: (lib, x, filter, bias, weights) => lib.fused.depthwiseConv2d({
        x, filter, strides: [2, 1], pad: 'valid', bias, activation, preluActivationWeights: weights, leakyreluAlpha: 0.3,
      }),
    });
    out.push({
      label: `fused.matMul ${activation} bias [5]`, shapes: [[3, 4], [4, 5], [5], ...(withPrelu ? [[5]] : [])], terms: 4,
      run: (lib, a, b, bias, weights) => lib.fused.matMul({ a, b, bias, activation, preluActivationWeights: weights, leakyreluAlpha: 0.25 }),
    });
  }
  out.push(
    { label: 'fused.conv2d relu, bias [1,1,1,2], stride 2, dilation 1', shapes: [[1, 7, 7, 2], [2, 2, 2, 2], [1, 1, 1, 2]], terms: 8,
      run: (lib, x, filter, bias) => lib.fused.conv2d({ x, filter, strides: 2, pad: 'valid', bias, activation: 'relu' }) },
    { label: 'fused.conv2d relu, scalar bias [1] (broadcast, composed)', shapes: [[1, 4, 4, 2], [3, 3, 2, 3], [1]], terms: 18,
      run: (lib, x, filter, bias) => lib.fused.conv2d({ x, filter, strides: 1, pad: 'same', bias, activation: 'relu' }) },
    // TF.js refuses NCHW with an activation outside gradients ("only NHWC is currently supported
    // for the case of gradient depth is 0 and the activation is not linear") and composes
    // conv2d, add and the activation under them; sora composes both times, so the oracle is that.
    { label: 'fused.conv2d NCHW, relu, bias [1] (composed, as TF.js under gradients)',
      shapes: [[2, 2, 5, 4], [3, 3, 2, 1], [1]], terms: 18,
      run: (lib, x, filter, bias) => (lib === tf ? tf.relu(tf.conv2d(x, filter, 1, 'same', 'NCHW').add(bias))
        : lib.fused.conv2d({ x, filter, strides: 1, pad: 'same', dataFormat: 'NCHW', bias, activation: 'relu' })) },
    { label: 'fused.depthwiseConv2d leakyrelu with a negative alpha (composed)', shapes: [[1, 5, 5, 2], [2, 2, 2, 1], [2]], terms: 4,
      run: (lib, x, filter, bias) => lib.fused.depthwiseConv2d({ x, filter, strides: 1, pad: 'same', bias, activation: 'leakyrelu', leakyreluAlpha: -0.5 }) },
    { label: 'fused.conv2d without a bias', shapes: [[1, 4, 4, 2], [3, 3, 2, 3]], terms: 18,
      run: (lib, x, filter) => lib.fused.conv2d({ x, filter, strides: 1, pad: 'valid', activation: 'elu' }) },
    { label: 'fused.matMul batched transposed, relu6, bias [2,1,5]', shapes: [[2, 4, 3], [2, 5, 4], [2, 1, 5]], terms: 4,
      run: (lib, a, b, bias) => lib.fused.matMul({ a, b, transposeA: true, transposeB: true, bias, activation: 'relu6' }) },
  );
  return out;
}

for (const [backendName, select] of BACKENDS) {
  describe(`conv1d, conv2dTranspose, separableConv2d and tf.fused on ${backendName} against TF.js`, () => {
    beforeAll(async () => { await select(); });
    [...PROGRAMS, ...fusedPrograms()].forEach((p, i) => it(p.label, () => compare(p, 700 + 10 * i)));
    // TF.js has no gradient for conv3dTranspose (Conv3DBackpropInputV2): sum(T(x, f) * dy) is
    // sum(x * conv3d(dy, f)), so its gradients are TF.js's conv3d and conv3d's filter gradient.
    for (const [xs, fs, outputShape, strides, pad] of [
      [[1, 2, 3, 2, 2], [2, 2, 2, 3, 2], [1, 4, 6, 4, 3], 2, 'same'],
      [[1, 3, 3, 3, 1], [3, 3, 3, 2, 1], [1, 5, 5, 5, 2], 1, 'valid'],
    ] as [number[], number[], [number, number, number, number, number], number, 'same' | 'valid'][]) {
      it(`conv3dTranspose [${xs}] -> [${outputShape}] strides ${strides} ${pad}`, () => {
        const x = randomArray(count(xs), 41), f = randomArray(count(fs), 42), dy = randomArray(count(outputShape), 43);
        const want = tf.tidy(() => {
          const [xt, ft, dyt] = [tf.tensor5d(x, xs as never), tf.tensor5d(f, fs as never), tf.tensor5d(dy, outputShape)];
          const df = tf.grad((g: tf.Tensor) => tf.conv3d(dyt, g as tf.Tensor5D, strides, pad).mul(xt).sum())(ft);
          return { y: tf.conv3dTranspose(xt, ft, outputShape, strides, pad).dataSync(), dx: tf.conv3d(dyt, ft, strides, pad).dataSync(), df: df.dataSync() };
        });
        sora.tidy(() => {
          const [xt, ft, dyt] = [sora.tensor(x, xs), sora.tensor(f, fs), sora.tensor(dy, outputShape)];
          const tol = { atol: 1e-4, rtol: 1e-4 };
          assertClose('forward', sora.conv3dTranspose(xt, ft, outputShape, strides, pad).dataSync(), want.y, tol);
          const [dx, df] = sora.grads((a: sora.Tensor, b: sora.Tensor) => sora.conv3dTranspose(a, b, outputShape, strides, pad).mul(dyt).sum())([xt, ft]);
          assertClose('dx', dx.dataSync(), want.dx, tol);
          assertClose('dFilter', df.dataSync(), want.df, { atol: 1e-3, rtol: 1e-4 });
        });
      });
    }
    it('no tensor outlives the forwards and gradients but what they return', () => {
      const x = sora.tensor(randomArray(2 * 5 * 5 * 3, 61), [2, 5, 5, 3]), f = sora.tensor(randomArray(3 * 3 * 3 * 2, 62), [3, 3, 3, 2]);
      const b = sora.tensor(randomArray(2, 63), [2]), v = sora.tensor(randomArray(2 * 3 * 3 * 3 * 1, 64), [2, 3, 3, 3, 1]);
      const w = sora.tensor(randomArray(2 * 2 * 2 * 1 * 2, 65), [2, 2, 2, 1, 2]);
      const before = sora.memory().numTensors;
      const outputs = [
        sora.conv2d(x, f, 2, 'same'), sora.depthwiseConv2d(x, f.slice([0, 0, 0, 0], [3, 3, 3, 1]), 1, 'valid'),
        sora.fused.conv2d({ x, filter: f, strides: 1, pad: 'same', bias: b, activation: 'relu' }), sora.conv3d(v, w, 1, 'same'),
        ...sora.grads((a: sora.Tensor, k: sora.Tensor, c: sora.Tensor) =>
          sora.fused.conv2d({ x: a, filter: k, strides: 2, pad: 'valid', bias: c, activation: 'elu' }).sum())([x, f, b]),
      ];
      // depthwiseConv2d's filter slice is the one other tensor made here.
      expect(sora.memory().numTensors).toBe(before + outputs.length + 1);
      sora.dispose([x, f, b, v, w, ...outputs]);
    });
    it('conv3d with dilations [2, 1, 2] (forward: TF.js refuses dilated gradients)', () => {
      const x = randomArray(2 * 5 * 4 * 5 * 2, 31), f = randomArray(2 * 2 * 2 * 2 * 3, 32);
      const want = tf.tidy(() => tf.conv3d(tf.tensor5d(x, [2, 5, 4, 5, 2]), tf.tensor5d(f, [2, 2, 2, 2, 3]), 1, 'same', 'NDHWC', [2, 1, 2]).dataSync());
      sora.tidy(() => assertClose('conv3d dilated', sora.conv3d(sora.tensor(x, [2, 5, 4, 5, 2]), sora.tensor(f, [2, 2, 2, 2, 3]), 1, 'same', 'NDHWC', [2, 1, 2]).dataSync(),
        want, { atol: 1e-5, rtol: 1e-4 }));
    });
    it('the second derivative through conv2d (finite differences of the gradient)', () => {
      sora.tidy(() => {
        const x = sora.tensor(randomArray(2 * 5 * 5 * 2, 5), [2, 5, 5, 2]), w = sora.tensor(randomArray(3 * 3 * 2 * 3, 6), [3, 3, 2, 3]);
        const g = (t: sora.Tensor) => sora.grad((u: sora.Tensor) => sora.conv2d(u, w, 2, 'same').tanh().sum())(t).square().sum();
        const second = sora.grad(g)(x).dataSync();
        const eps = 1e-2, base = x.dataSync();
        for (const i of [0, 13, 49, 99]) {
          const plus = Float32Array.from(base), minus = Float32Array.from(base);
          plus[i] += eps; minus[i] -= eps;
          const numeric = (g(sora.tensor(plus, x.shape)).dataSync()[0] - g(sora.tensor(minus, x.shape)).dataSync()[0]) / (2 * eps);
          expect(Math.abs(second[i] - numeric), `element ${i}`).toBeLessThan(5e-3 * Math.max(1, Math.abs(numeric)));
        }
      });
    });
  });
}

describe('TF.js differences', () => {
  it('conv1d with a numeric pad: TF.js fails its own reshape; sora pads the width only', async () => {
    await sora.setBackend('reference');
    const x = randomArray(2 * 6 * 3, 1), f = randomArray(3 * 3 * 2, 2);
    expect(() => tf.tidy(() => tf.conv1d(tf.tensor3d(x, [2, 6, 3]), tf.tensor3d(f, [3, 3, 2]), 1, 1 as never))).toThrow();
    const want = tf.tidy(() => tf.conv1d(tf.pad(tf.tensor3d(x, [2, 6, 3]), [[0, 0], [1, 1], [0, 0]]), tf.tensor3d(f, [3, 3, 2]), 1, 'valid').dataSync());
    sora.tidy(() => assertClose('conv1d pad 1', sora.conv1d(sora.tensor(x, [2, 6, 3]), sora.tensor(f, [3, 3, 2]), 1, 1).dataSync(), want));
  });
});
