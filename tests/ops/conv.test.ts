/**
 * The convolution ops (src/ops/conv/) against TF.js's cpu backend: forward values and the
 * gradients of x and filter (sora.grads vs tf.grads), on the reference backend (its conv
 * kernels) and on wasm (the compositions of taps.ts while wasm has no conv kernels), on odd
 * shapes: 1x1 inputs, a kernel equal to the input, strides larger than the kernel, 'same'
 * with even kernels, channels 1..17, dilation 2, NCHW, explicit and numeric padding with
 * dimRoundingMode, rank-3 inputs.
 *
 * TF.js refuses the gradients of dilated convolutions ("dilation rates greater than 1 are not
 * yet supported in gradients"). A dilated filter is the same convolution as the filter spread
 * out with zeros between its taps, so the oracle always runs TF.js on the spread filter
 * undilated and reads the filter gradient at the taps; sora runs the dilated filter.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { assertClose, randomArray } from '../backends/suite/harness.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
type Rounding = 'floor' | 'round' | 'ceil' | undefined;
interface Case {
  x: number[];
  /** conv2d: [fh, fw, in, out]; depthwise: [fh, fw, in, multiplier]. */
  f: number[];
  strides: number | [number, number];
  pad: Pad;
  dilations?: number | [number, number];
  dataFormat?: 'NHWC' | 'NCHW';
  rounding?: Rounding;
}
const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const pairOf = (v: number | [number, number] | undefined): [number, number] => (v === undefined ? [1, 1] : typeof v === 'number' ? [v, v] : v);
const label = (c: Case) => `x [${c.x}] f [${c.f}] strides ${JSON.stringify(c.strides)} pad ${JSON.stringify(c.pad)}` +
  `${c.dilations ? ` dilations ${JSON.stringify(c.dilations)}` : ''}${c.dataFormat === 'NCHW' ? ' NCHW' : ''}${c.rounding ? ` ${c.rounding}` : ''}`;

const CONV_CASES: Case[] = [
  { x: [1, 1, 1, 1], f: [1, 1, 1, 1], strides: 1, pad: 'valid' },
  { x: [1, 1, 1, 3], f: [1, 1, 3, 2], strides: 1, pad: 'same' },
  { x: [2, 5, 5, 3], f: [5, 5, 3, 2], strides: 1, pad: 'valid' },
  { x: [2, 7, 6, 2], f: [2, 2, 2, 3], strides: 3, pad: 'valid' },
  { x: [1, 6, 5, 4], f: [2, 2, 4, 5], strides: 1, pad: 'same' },
  { x: [1, 7, 6, 3], f: [4, 2, 3, 2], strides: [2, 3], pad: 'same' },
  { x: [2, 6, 7, 17], f: [3, 3, 17, 1], strides: [2, 1], pad: 'same' },
  { x: [1, 4, 4, 1], f: [3, 3, 1, 16], strides: 1, pad: 'same' },
  { x: [1, 9, 8, 3], f: [3, 2, 3, 4], strides: 1, pad: 'valid', dilations: 2 },
  { x: [1, 7, 7, 2], f: [3, 3, 2, 3], strides: 1, pad: 'same', dilations: [2, 1] },
  { x: [2, 8, 6, 5], f: [3, 3, 5, 4], strides: 2, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [1, 7, 9, 3], f: [3, 3, 3, 2], strides: 2, pad: 1, rounding: 'floor' },
  { x: [1, 8, 8, 2], f: [3, 3, 2, 2], strides: 3, pad: 1, rounding: 'ceil' },
  { x: [2, 3, 6, 5], f: [3, 3, 3, 4], strides: 2, pad: 'same', dataFormat: 'NCHW' },
  { x: [1, 2, 5, 6], f: [2, 3, 2, 3], strides: 1, pad: 'valid', dilations: 2, dataFormat: 'NCHW' },
  { x: [5, 5, 2], f: [2, 2, 2, 3], strides: 1, pad: 'valid' },
  { x: [1, 2, 6, 5], f: [3, 3, 2, 2], strides: 1, pad: [[0, 0], [0, 0], [1, 0], [2, 1]], dataFormat: 'NCHW' },
  // 3x3, stride 1, channels in fours: the wasm backend's Winograd path (per image, and a mosaic of 4 images).
  { x: [3, 9, 10, 8], f: [3, 3, 8, 4], strides: 1, pad: 'same' },
  { x: [4, 13, 13, 8], f: [3, 3, 8, 12], strides: 1, pad: 'valid' },
  { x: [2, 4, 7, 6], f: [3, 3, 4, 4], strides: 1, pad: 'same', dataFormat: 'NCHW' },
];

const DEPTHWISE_CASES: Case[] = [
  { x: [1, 1, 1, 1], f: [1, 1, 1, 1], strides: 1, pad: 'valid' },
  { x: [2, 5, 5, 3], f: [5, 5, 3, 2], strides: 1, pad: 'valid' },
  { x: [2, 7, 6, 2], f: [2, 2, 2, 3], strides: 3, pad: 'valid' },
  { x: [1, 6, 5, 4], f: [2, 2, 4, 1], strides: 1, pad: 'same' },
  { x: [2, 6, 7, 17], f: [3, 3, 17, 2], strides: [2, 1], pad: 'same' },
  { x: [1, 9, 8, 3], f: [3, 2, 3, 2], strides: 1, pad: 'valid', dilations: 2 },
  { x: [2, 8, 6, 5], f: [3, 3, 5, 1], strides: 2, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [1, 7, 9, 3], f: [3, 3, 3, 2], strides: 2, pad: 1, rounding: 'round' },
  { x: [5, 5, 2], f: [2, 2, 2, 3], strides: 1, pad: 'same' },
  { x: [2, 3, 6, 5], f: [3, 2, 3, 2], strides: 2, pad: 'same', dataFormat: 'NCHW' },
];

/** [fh, fw, i, o] with zeros between the taps. */
function spread(filter: Float32Array, shape: number[], [dh, dw]: [number, number]): { values: Float32Array; shape: number[] } {
  const [fh, fw, ci, co] = shape;
  const eh = (fh - 1) * dh + 1, ew = (fw - 1) * dw + 1;
  const values = new Float32Array(eh * ew * ci * co);
  for (let y = 0; y < fh; y++) for (let x = 0; x < fw; x++) {
    values.set(filter.subarray((y * fw + x) * ci * co, (y * fw + x + 1) * ci * co), (y * dh * ew + x * dw) * ci * co);
  }
  return { values, shape: [eh, ew, ci, co] };
}
/** The spread filter's gradient read at the dilated taps. */
function gather(grad: Float32Array, shape: number[], [dh, dw]: [number, number]): Float32Array {
  const [fh, fw, ci, co] = shape;
  const ew = (fw - 1) * dw + 1;
  const out = new Float32Array(count(shape));
  for (let y = 0; y < fh; y++) for (let x = 0; x < fw; x++) {
    out.set(grad.subarray((y * dh * ew + x * dw) * ci * co, (y * dh * ew + x * dw + 1) * ci * co), (y * fw + x) * ci * co);
  }
  return out;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
type Lib = any;
type Conv = (lib: Lib, x: unknown, f: unknown, c: Case, dilations: number | [number, number]) => any;
const conv2dOf: Conv = (lib, x, f, c, d) => lib.conv2d(x, f, c.strides, c.pad, c.dataFormat ?? 'NHWC', d, c.rounding);
// TF.js's cpu depthwiseConv2d ignores dataFormat 'NCHW' (it reads the image as NHWC and returns
// NaNs; pinned below), so its side of an NCHW case runs NHWC between transposes.
const depthwiseOf: Conv = (lib, x, f, c, d) => (lib === tf && c.dataFormat === 'NCHW'
  ? tf.depthwiseConv2d((x as tf.Tensor4D).transpose<tf.Tensor4D>([0, 2, 3, 1]), f as tf.Tensor4D, c.strides, c.pad as 'same', 'NHWC', d, c.rounding).transpose([0, 3, 1, 2])
  : lib.depthwiseConv2d(x, f, c.strides, c.pad, c.dataFormat ?? 'NHWC', d, c.rounding));

interface Expected { shape: number[]; y: Float32Array; dx: Float32Array; df: Float32Array; dy: Float32Array }

/** TF.js's forward and gradients (of sum(y * dy)) on the spread filter. */
function oracle(c: Case, run: Conv, x: Float32Array, f: Float32Array, seed: number): Expected {
  const d = pairOf(c.dilations);
  const wide = spread(f, c.f, d);
  return tf.tidy(() => {
    const xt = tf.tensor(x, c.x), ft = tf.tensor(wide.values, wide.shape);
    const y = run(tf, xt, ft, c, 1) as tf.Tensor;
    const dy = tf.tensor(randomArray(y.size, seed), y.shape);
    const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => run(tf, a, b, c, 1).mul(dy).sum())([xt, ft]);
    return {
      shape: y.shape, y: y.dataSync() as Float32Array, dy: dy.dataSync() as Float32Array,
      dx: dx.dataSync() as Float32Array, df: gather(df.dataSync() as Float32Array, c.f, d),
    };
  });
}

/** sora's forward and gradients against the oracle; tolerance grows with the terms summed. */
function check(c: Case, run: Conv, seed: number): void {
  const x = randomArray(count(c.x), seed), f = randomArray(count(c.f), seed + 1);
  const want = oracle(c, run, x, f, seed + 2);
  const terms = c.f[0] * c.f[1] * c.f[2];
  const tol = { atol: 1e-5 * terms + 1e-6, rtol: 1e-4 };
  sora.tidy(() => {
    const xt = sora.tensor(x, c.x), ft = sora.tensor(f, c.f), d = c.dilations ?? 1;
    const y = run(sora, xt, ft, c, d) as sora.Tensor;
    expect(y.shape).toEqual(want.shape);
    assertClose('forward', y.dataSync(), want.y, tol);
    const dy = sora.tensor(want.dy, want.shape);
    const [dx, df] = sora.grads((a: sora.Tensor, b: sora.Tensor) => run(sora, a, b, c, d).mul(dy).sum())([xt, ft]);
    expect(dx.shape).toEqual(c.x);
    expect(df.shape).toEqual(c.f);
    assertClose('dx', dx.dataSync(), want.dx, { atol: tol.atol * 4, rtol: 1e-4 });
    assertClose('dFilter', df.dataSync(), want.df, { atol: 1e-5 * count(want.shape) + 1e-6, rtol: 1e-4 });
  });
}

const BACKENDS: [string, () => Promise<unknown>][] = [
  ['reference', () => sora.setBackend('reference')],
  ['wasm (simd)', () => sora.setBackend('wasm', { variant: 'simd' })],
];

for (const [backendName, select] of BACKENDS) {
  describe(`conv2d on ${backendName} against TF.js`, () => {
    beforeAll(async () => { await select(); });
    CONV_CASES.forEach((c, i) => it(label(c), () => check(c, conv2dOf, 100 + 10 * i)));
  });
  describe(`depthwiseConv2d on ${backendName} against TF.js`, () => {
    beforeAll(async () => { await select(); });
    DEPTHWISE_CASES.forEach((c, i) => it(label(c), () => check(c, depthwiseOf, 300 + 10 * i)));
  });
}

describe('TF.js differences', () => {
  it("TF.js's cpu depthwiseConv2d reads NCHW as NHWC; sora convolves each channel", async () => {
    await sora.setBackend('reference');
    const direct = tf.tidy(() => tf.depthwiseConv2d(tf.ones([1, 2, 5, 5]) as tf.Tensor4D, tf.ones([3, 3, 2, 1]) as tf.Tensor4D, 1, 'same', 'NCHW').dataSync());
    expect(Array.from(direct).some(Number.isNaN)).toBe(true);
    // Every output pixel of a ones image under a ones 3x3 filter, 'same': 4 at corners, 6 on edges, 9 inside.
    const y = sora.tidy(() => sora.depthwiseConv2d(sora.ones([1, 2, 5, 5]), sora.ones([3, 3, 2, 1]), 1, 'same', 'NCHW').dataSync());
    expect(Array.from(y.slice(0, 5))).toEqual([4, 6, 6, 6, 4]);
    expect(y[12]).toBe(9);
  });
});
