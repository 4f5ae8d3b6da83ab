/**
 * The reference convolution kernels (src/backends/reference/conv.ts) against TF.js's cpu
 * backend, and the geometry helper (src/ops/conv/geometry.ts) against TF.js's output shapes.
 *
 * Dilations: TF.js's conv2d and depthwiseConv2d refuse strides and dilations both above 1, and
 * their gradients refuse dilations above 1. A dilated filter is the same convolution as the
 * filter spread out with zeros between its taps (size (f - 1) * d + 1), so TF.js runs the spread
 * filter undilated, and the filter gradient of the dilated taps is the spread gradient at the
 * taps. That checks every stride and dilation pair, forward and backward.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { convGeometry, type ConvGeometry, type ConvPadding } from '../../src/ops/conv/geometry.js';
import type { EpilogueOp } from '../../src/backends/backend.js';
import { assertClose, randomArray } from './suite/harness.js';
import { ref, store, poisoned, count, inScope } from './reference-oracle.js';


beforeAll(async () => { await tf.setBackend('cpu'); });


/** [fh, fw, i, o] with zeros between the taps: ((fh - 1) * dh + 1, (fw - 1) * dw + 1, i, o). */
function spread(filter: Float32Array, shape: number[], dh: number, dw: number): { values: Float32Array; shape: number[] } {
  const [fh, fw, ci, co] = shape;
  const eh = (fh - 1) * dh + 1, ew = (fw - 1) * dw + 1;
  const values = new Float32Array(eh * ew * ci * co);
  for (let y = 0; y < fh; y++) for (let x = 0; x < fw; x++) {
    values.set(filter.subarray((y * fw + x) * ci * co, (y * fw + x + 1) * ci * co), (y * dh * ew + x * dw) * ci * co);
  }
  return { values, shape: [eh, ew, ci, co] };
}
/** The taps of a spread filter's gradient back at the dilated filter's positions. */
function gather(spreadGrad: Float32Array, shape: number[], dh: number, dw: number): Float32Array {
  const [fh, fw, ci, co] = shape;
  const ew = (fw - 1) * dw + 1;
  const out = new Float32Array(count(shape));
  for (let y = 0; y < fh; y++) for (let x = 0; x < fw; x++) {
    out.set(spreadGrad.subarray((y * dh * ew + x * dw) * ci * co, (y * dh * ew + x * dw + 1) * ci * co), (y * fw + x) * ci * co);
  }
  return out;
}

interface ConvCase {
  x: [number, number, number, number];
  /** [fh, fw, inChannels, outChannels] (depthwise: [fh, fw, inChannels, multiplier]). */
  f: [number, number, number, number];
  strides: [number, number];
  dilations: [number, number];
  pad: ConvPadding;
}
const name = (c: ConvCase) =>
  `x=[${c.x}] f=[${c.f}] strides=[${c.strides}] dilations=[${c.dilations}] pad=${JSON.stringify(c.pad)}`;

const CASES: ConvCase[] = [
  { x: [1, 5, 5, 1], f: [3, 3, 1, 1], strides: [1, 1], dilations: [1, 1], pad: 'valid' },
  { x: [2, 7, 6, 3], f: [3, 2, 3, 4], strides: [1, 1], dilations: [1, 1], pad: 'same' },
  { x: [2, 7, 9, 3], f: [3, 3, 3, 5], strides: [2, 2], dilations: [1, 1], pad: 'same' },
  { x: [1, 8, 8, 2], f: [2, 2, 2, 3], strides: [2, 3], dilations: [1, 1], pad: 'same' },
  { x: [3, 9, 7, 2], f: [3, 3, 2, 3], strides: [2, 1], dilations: [1, 1], pad: 'valid' },
  { x: [1, 9, 9, 2], f: [3, 3, 2, 2], strides: [1, 1], dilations: [2, 2], pad: 'same' },
  { x: [2, 10, 11, 3], f: [3, 2, 3, 2], strides: [1, 1], dilations: [2, 3], pad: 'valid' },
  { x: [1, 11, 13, 2], f: [3, 3, 2, 3], strides: [2, 3], dilations: [2, 2], pad: 'same' },
  { x: [2, 7, 7, 3], f: [5, 5, 3, 2], strides: [3, 3], dilations: [1, 1], pad: 'same' },
  { x: [1, 6, 6, 1], f: [3, 3, 1, 1], strides: [2, 2], dilations: [1, 1], pad: 1 },
  { x: [2, 5, 6, 2], f: [3, 3, 2, 3], strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [2, 0], [1, 3], [0, 0]] },
  { x: [1, 1, 1, 3], f: [1, 1, 3, 7], strides: [1, 1], dilations: [1, 1], pad: 'valid' },
  { x: [1, 3, 3, 1], f: [5, 5, 1, 1], strides: [1, 1], dilations: [1, 1], pad: 'same' },
  { x: [2, 33, 7, 3], f: [7, 1, 3, 2], strides: [3, 1], dilations: [1, 1], pad: 'same' },
];

function geometryOf(c: ConvCase, depthwise: boolean): ConvGeometry {
  return convGeometry({
    op: depthwise ? 'depthwiseConv2d' : 'conv2d', xShape: c.x, filterHeight: c.f[0], filterWidth: c.f[1],
    outChannels: depthwise ? c.f[2] * c.f[3] : c.f[3], strides: c.strides, dilations: c.dilations, pad: c.pad,
  });
}

/** TF.js's forward and gradients (of sum(y * dy)) with the filter spread for dilations. */
function tfConv(c: ConvCase, depthwise: boolean, x: Float32Array, filter: Float32Array, dy: Float32Array) {
  const s = spread(filter, c.f, c.dilations[0], c.dilations[1]);
  return inScope(() => {
    const xt = tf.tensor4d(x, c.x), ft = tf.tensor4d(s.values, s.shape as [number, number, number, number]);
    const run = (a: tf.Tensor4D, b: tf.Tensor4D) => depthwise
      ? tf.depthwiseConv2d(a, b, c.strides, c.pad as 'same')
      : tf.conv2d(a, b, c.strides, c.pad as 'same');
    const y = run(xt, ft);
    const dyt = tf.tensor(dy, y.shape);
    const [dx, dSpread] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(run(a as tf.Tensor4D, b as tf.Tensor4D), dyt)))([xt, ft]);
    return {
      y: y.dataSync() as Float32Array, shape: y.shape,
      dx: dx.dataSync() as Float32Array,
      dFilter: gather(dSpread.dataSync() as Float32Array, c.f, c.dilations[0], c.dilations[1]),
    };
  });
}

const tolerance = (terms: number) => ({ atol: 2e-5 * Math.sqrt(terms), rtol: 1e-4 });

describe('conv geometry against TF.js output shapes', () => {
  for (const c of CASES) {
    it(name(c), () => {
      const g = geometryOf(c, false);
      const s = spread(new Float32Array(count(c.f)), c.f, c.dilations[0], c.dilations[1]);
      const y = tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(s.shape as [number, number, number, number]) as tf.Tensor4D, c.strides, c.pad as 'same');
      expect([g.batch, g.outHeight, g.outWidth, g.outChannels]).toEqual(y.shape);
      y.dispose();
    });
  }
  it("'same' puts the odd padding pixel at the bottom / right (padTop = floor(total / 2))", () => {
    // in 6, filter 4, stride 1: total 3 -> top 1, bottom 2.
    const g = convGeometry({ op: 'conv2d', xShape: [1, 6, 6, 1], filterHeight: 4, filterWidth: 4, outChannels: 1, strides: 1, pad: 'same' });
    expect([g.outHeight, g.padTop, g.padBottom, g.padLeft, g.padRight]).toEqual([6, 1, 2, 1, 2]);
    // in 7, filter 3 dilated by 2 (effective 5), stride 2: out 4, total max(3 * 2 + 5 - 7, 0) = 4.
    const d = convGeometry({ op: 'conv2d', xShape: [1, 7, 7, 1], filterHeight: 3, filterWidth: 3, outChannels: 1, strides: 2, dilations: 2, pad: 'same' });
    expect([d.outHeight, d.padTop, d.padBottom]).toEqual([4, 2, 2]);
    // Stride larger than the filter: no negative padding.
    const w = convGeometry({ op: 'conv2d', xShape: [1, 9, 9, 1], filterHeight: 1, filterWidth: 1, outChannels: 1, strides: 4, pad: 'same' });
    expect([w.outHeight, w.padTop, w.padBottom]).toEqual([3, 0, 0]);
  });
  it('a numeric pad uses each axis its own filter size and stride', () => {
    // TF.js quirk (tfjs-core 4.22 conv_util computeOutputShape2D): with a numeric pad it sizes
    // BOTH axes with the filter height and stride height, so a 1 x 3 filter over 5 x 5 with
    // pad 0... 1 gives TF.js width 7 where the window fits 5 times. sora sizes each axis by its own.
    const g = convGeometry({ op: 'conv2d', xShape: [1, 5, 5, 1], filterHeight: 1, filterWidth: 3, outChannels: 1, strides: 1, pad: 1 });
    expect([g.outHeight, g.outWidth]).toEqual([7, 5]);
    const shape = inScope(() => tf.conv2d(tf.zeros([1, 5, 5, 1]) as tf.Tensor4D, tf.zeros([1, 3, 1, 1]) as tf.Tensor4D, 1, 1).shape);
    expect(shape).toEqual([1, 7, 7, 1]);
  });
  it('errors name the op and the value received', () => {
    const base = { op: 'conv2d', xShape: [1, 5, 5, 1], filterHeight: 3, filterWidth: 3, outChannels: 1 } as const;
    expect(() => convGeometry({ ...base, strides: 0, pad: 'same' })).toThrow(/conv2d: strides must be positive integers; received strides=0/);
    expect(() => convGeometry({ ...base, strides: 1, dilations: [1, 1.5], pad: 'same' })).toThrow(/conv2d: dilations/);
    expect(() => convGeometry({ ...base, strides: 1, pad: 'full' as never })).toThrow(/conv2d: pad must be .*received pad="full"/);
    expect(() => convGeometry({ ...base, strides: 1, pad: -1 })).toThrow(/conv2d: explicit padding must be non-negative/);
    expect(() => convGeometry({ ...base, xShape: [5, 5, 1], strides: 1, pad: 'same' })).toThrow(/conv2d: x must be rank 4 .*\[5, 5, 1\]/);
    expect(() => convGeometry({ ...base, filterHeight: 9, strides: 1, pad: 'valid' })).toThrow(/conv2d: the window \(9 x 3/);
  });
});

for (const depthwise of [false, true]) {
  const op = depthwise ? 'depthwiseConv2d' : 'conv2d';
  describe(`reference ${op} against TF.js`, () => {
    CASES.forEach((c, index) => {
      it(name(c), () => {
        const g = geometryOf(c, depthwise);
        const x = randomArray(count(c.x), 100 + index);
        const filter = randomArray(count(c.f), 200 + index);
        const outSize = g.batch * g.outHeight * g.outWidth * g.outChannels;
        const dy = randomArray(outSize, 300 + index);
        const expected = tfConv(c, depthwise, x, filter, dy);
        expect([g.batch, g.outHeight, g.outWidth, g.outChannels]).toEqual(expected.shape);
        const terms = c.f[0] * c.f[1] * (depthwise ? 1 : c.f[2]);
        const cm = { channelMultiplier: c.f[3] };

        const out = poisoned(outSize);
        if (depthwise) ref.depthwiseConv2d({ ...g, ...cm, x: store(x), filter: store(filter), out, bias: null, activation: 'linear' });
        else ref.conv2d({ ...g, x: store(x), filter: store(filter), out, bias: null, activation: 'linear' });
        assertClose(`${op} forward`, ref.readSync(out), expected.y, tolerance(terms));

        const dx = poisoned(count(c.x));
        if (depthwise) ref.depthwiseConv2dBackpropInput({ ...g, ...cm, dy: store(dy), filter: store(filter), dx });
        else ref.conv2dBackpropInput({ ...g, dy: store(dy), filter: store(filter), dx });
        assertClose(`${op} backprop input`, ref.readSync(dx), expected.dx, tolerance(terms * c.f[3]));

        const dFilter = poisoned(count(c.f));
        if (depthwise) ref.depthwiseConv2dBackpropFilter({ ...g, ...cm, x: store(x), dy: store(dy), dFilter });
        else ref.conv2dBackpropFilter({ ...g, x: store(x), dy: store(dy), dFilter });
        const filterTerms = g.batch * g.outHeight * g.outWidth;
        assertClose(`${op} backprop filter`, ref.readSync(dFilter), expected.dFilter, tolerance(filterTerms));

        // accumulate adds the gradient to what dFilter holds.
        const start = randomArray(count(c.f), 400 + index);
        const acc = store(start);
        if (depthwise) ref.depthwiseConv2dBackpropFilter({ ...g, ...cm, x: store(x), dy: store(dy), dFilter: acc, accumulate: true });
        else ref.conv2dBackpropFilter({ ...g, x: store(x), dy: store(dy), dFilter: acc, accumulate: true });
        const sum = (expected.dFilter).map((v, i) => v + start[i]);
        assertClose(`${op} backprop filter, accumulate`, ref.readSync(acc), sum, tolerance(filterTerms));
      });
    });

    // The epilogue: bias + activation against tf.fused (tanh, which tf.fused lacks, as tanh(conv + bias)).
    const FUSED: [EpilogueOp, tf.fused.Activation | null, number | undefined][] = [
      ['linear', 'linear', undefined], ['relu', 'relu', undefined], ['relu6', 'relu6', undefined], ['sigmoid', 'sigmoid', undefined],
      ['elu', 'elu', undefined], ['leakyRelu', 'leakyrelu', undefined], ['leakyRelu', 'leakyrelu', 0.05], ['tanh', null, undefined],
    ];
    FUSED.forEach(([activation, tfActivation, alpha], index) => {
      const c = CASES[(2 + index) % CASES.length];
      it(`bias + ${activation}${alpha !== undefined ? ` alpha=${alpha}` : ''} vs tf.fused (${name(c)})`, () => {
        const g = geometryOf(c, depthwise);
        // Inputs in [-3, 3) so that outputs cross 0 and pass 6 (relu6).
        const x = randomArray(count(c.x), 500 + index, -3, 3);
        const filter = randomArray(count(c.f), 600 + index, -1, 1);
        const bias = randomArray(g.outChannels, 700 + index, -2, 2);
        const s = spread(filter, c.f, c.dilations[0], c.dilations[1]);
        const expected = inScope((): Float32Array => {
          const args = {
            x: tf.tensor4d(x, c.x), filter: tf.tensor4d(s.values, s.shape as [number, number, number, number]),
            strides: c.strides, pad: c.pad as 'same', bias: tf.tensor1d(bias),
          };
          if (tfActivation === null) {
            const y = depthwise ? tf.depthwiseConv2d(args.x, args.filter, c.strides, c.pad as 'same') : tf.conv2d(args.x, args.filter, c.strides, c.pad as 'same');
            return tf.tanh(tf.add(y, args.bias)).dataSync() as Float32Array;
          }
          // TF.js quirk (4.22): tf.fused.conv2d / depthwiseConv2d with 'leakyrelu' and no
          // leakyreluAlpha multiply negatives by undefined (NaN) instead of tf.leakyRelu's 0.2
          // (pinned below); sora's default is 0.2, so TF.js gets it spelled out.
          const fused = { ...args, activation: tfActivation, ...(tfActivation === 'leakyrelu' ? { leakyreluAlpha: alpha ?? 0.2 } : {}) };
          return (depthwise ? tf.fused.depthwiseConv2d(fused) : tf.fused.conv2d(fused)).dataSync() as Float32Array;
        });
        const out = poisoned(expected.length);
        const epilogue = { bias: store(bias), activation, ...(alpha !== undefined ? { alpha } : {}) };
        if (depthwise) ref.depthwiseConv2d({ ...g, channelMultiplier: c.f[3], x: store(x), filter: store(filter), out, ...epilogue });
        else ref.conv2d({ ...g, x: store(x), filter: store(filter), out, ...epilogue });
        assertClose(`${op} + ${activation}`, ref.readSync(out), expected, tolerance(9 * count(c.f)));
      });
    });
  });
}

describe('TF.js quirks the comparisons above work around', () => {
  it("tf.fused.conv2d with 'leakyrelu' and no leakyreluAlpha gives NaN for negative outputs", () => {
    const y = inScope(() => tf.fused.conv2d({
      x: tf.tensor4d([-1, 2], [1, 1, 2, 1]), filter: tf.tensor4d([1], [1, 1, 1, 1]), strides: 1, pad: 'valid', activation: 'leakyrelu',
    }).dataSync());
    expect(Number.isNaN(y[0])).toBe(true);
    expect(y[1]).toBe(2);
  });
});

describe('reference conv2d hostile values', () => {
  it('a NaN in x poisons exactly the outputs whose windows read it; padding reads zeros', () => {
    const c: ConvCase = { x: [1, 5, 5, 1], f: [3, 3, 1, 1], strides: [1, 1], dilations: [1, 1], pad: 'same' };
    const g = geometryOf(c, false);
    const x = new Float32Array(25).fill(1);
    x[0] = Number.NaN; // pixel (0, 0): read by outputs (0..1, 0..1) only
    const out = poisoned(25);
    ref.conv2d({ ...g, x: store(x), filter: store(new Float32Array(9).fill(1)), out, bias: null, activation: 'relu' });
    const y = ref.readSync(out);
    const nan = Array.from(y, (v, i) => (Number.isNaN(v) ? i : -1)).filter((i) => i >= 0);
    expect(nan).toEqual([0, 1, 5, 6]);
    // A corner of a 'same' 3 x 3 window of ones over ones sums 4 pixels, an edge 6, the middle 9.
    expect([y[24], y[22], y[12]]).toEqual([4, 6, 9]);
  });
});
