/**
 * Convolution cases: conv2d (plain and with the fused epilogue), its input and filter
 * gradients, and depthwiseConv2d with its two gradients, against the reference backend's
 * float64 loops. Geometry comes from the ops' helper (src/ops/conv/geometry.ts, TF.js's
 * computeConv2DInfo), on the shapes where lowering bugs live: a 1x1 input, a kernel equal to
 * the input, strides larger than the kernel, 'same' with even kernels (the odd pixel of padding
 * at the bottom / right), explicit asymmetric padding, dilation 2, batch 1 and 3, channels
 * 1..17 (every SIMD tail), 1x1 filters (the wasm GEMM-only path), shapes that cross the wasm
 * im2col tile (more than one tile of output rows) and one whose im2col row exceeds the tile
 * (the per-tap fallback), and accumulating filter gradients.
 *
 * Tolerance: float32 sums of `terms` products against float64, so atol = 3e-5 * sqrt(terms)
 * (inputs in [-1, 1)), rtol = 1e-4; terms is K = fh * fw * inChannels forward, fh * fw *
 * outChannels for the input gradient, batch * outHeight * outWidth for the filter gradient.
 */
import type { Backend, EpilogueOp, Storage } from '../../../src/backends/backend.js';
import { convGeometry, type ConvGeometry, type ConvPadding } from '../../../src/ops/conv/geometry.js';
import {
  assertClose, compareOutputs, knownGap, randomArray, upload, withKernels, type KernelBackend, type KernelCase, type Tolerance,
} from './harness.js';

export interface ConvShape {
  /** x: [batch, height, width, channels]. */
  x: [number, number, number, number];
  /** filter height, width. */
  f: [number, number];
  /** conv2d: output channels; depthwise: the channel multiplier; pooling: ignored. */
  out: number;
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: ConvPadding;
  label?: string;
}

export const describeShape = (s: ConvShape) => `x=[${s.x}] f=${s.f.join('x')} out=${s.out} s=${s.strides}` +
  (s.dilations ? ` d=${s.dilations}` : '') + ` pad=${JSON.stringify(s.pad)}` + (s.label ? ` ${s.label}` : '');

export function geometryOf(op: string, s: ConvShape, outChannels: number): ConvGeometry {
  return convGeometry({ op, xShape: s.x, filterHeight: s.f[0], filterWidth: s.f[1], outChannels,
    strides: s.strides, dilations: s.dilations ?? 1, pad: s.pad });
}

const count = (g: ConvGeometry) => ({
  x: g.batch * g.inHeight * g.inWidth * g.inChannels,
  out: g.batch * g.outHeight * g.outWidth * g.outChannels,
  pixels: g.batch * g.outHeight * g.outWidth,
});
const tol = (terms: number): Tolerance => ({ atol: 3e-5 * Math.sqrt(Math.max(terms, 1)), rtol: 1e-4 });

/** The geometries every family is checked on (pool.cases.ts reuses them). */
export const SHAPES: ConvShape[] = [
  { x: [1, 1, 1, 1], f: [1, 1], out: 1, strides: 1, pad: 'valid', label: '1x1 input' },
  { x: [3, 1, 1, 5], f: [3, 3], out: 3, strides: 1, pad: 'same', label: '1x1 input, padded 3x3' },
  { x: [3, 5, 4, 17], f: [1, 1], out: 9, strides: 1, pad: 'valid', label: 'pointwise' },
  { x: [1, 6, 5, 3], f: [6, 5], out: 4, strides: 1, pad: 'valid', label: 'kernel = input' },
  { x: [3, 9, 8, 2], f: [2, 2], out: 5, strides: [3, 3], pad: 'valid', label: 'stride > kernel' },
  { x: [1, 9, 9, 3], f: [1, 1], out: 2, strides: 4, pad: 'same', label: 'strided 1x1' },
  { x: [1, 7, 6, 5], f: [4, 2], out: 3, strides: 1, pad: 'same', label: 'same, even kernel' },
  { x: [3, 8, 7, 6], f: [2, 4], out: 2, strides: [2, 3], pad: 'same', label: 'same, even kernel, strided' },
  { x: [3, 9, 9, 7], f: [3, 3], out: 6, strides: 1, dilations: 2, pad: 'same', label: 'dilation 2' },
  { x: [1, 10, 9, 4], f: [2, 3], out: 2, strides: 1, dilations: [2, 1], pad: 'valid', label: 'dilation [2, 1]' },
  { x: [1, 8, 7, 13], f: [3, 3], out: 17, strides: 2, pad: 'same' },
  { x: [2, 6, 7, 3], f: [3, 2], out: 4, strides: 1, pad: [[0, 0], [1, 2], [0, 3], [0, 0]], label: 'explicit padding' },
  ...[1, 2, 3, 4, 5, 7, 8, 16, 17].map((c): ConvShape => ({ x: [1, 5, 4, c], f: [3, 2], out: 18 - c, strides: 1, pad: 'same', label: `channels ${c}` })),
  { x: [4, 30, 30, 3], f: [3, 3], out: 10, strides: 1, pad: 'same', label: 'two im2col tiles (K 27)' },
  { x: [2, 13, 13, 32], f: [3, 3], out: 8, strides: 1, pad: 'valid', label: 'two im2col tiles (K 288)' },
];

/**
 * Few input channels (1..4: the wasm direct kernel, assembly/conv-small.ts): 4 output pixels a
 * group and 8 output channels a block, so pixel counts and output channels that are not
 * multiples of those, windows leaving the image (lowered groups) beside whole ones.
 */
const SMALL_CHANNELS: ConvShape[] = [
  { x: [2, 28, 28, 1], f: [3, 3], out: 32, strides: 1, pad: 'valid', label: 'small channels, the MNIST conv1' },
  { x: [3, 9, 9, 1], f: [3, 3], out: 6, strides: 1, dilations: 2, pad: 'same', label: 'small channels, dilation 2' },
  { x: [3, 7, 6, 2], f: [2, 2], out: 9, strides: 3, pad: 'valid', label: 'small channels, stride > kernel' },
  { x: [1, 7, 6, 4], f: [4, 2], out: 12, strides: 1, pad: 'same', label: 'small channels, same, even kernel' },
  { x: [3, 1, 1, 3], f: [3, 3], out: 8, strides: 1, pad: 'same', label: 'small channels, 1x1 input' },
  { x: [1, 1, 1, 2], f: [1, 1], out: 5, strides: 1, pad: 'valid', label: 'small channels, 1x1 input, pointwise' },
  { x: [3, 5, 6, 1], f: [3, 3], out: 4, strides: 2, pad: 'same', label: 'small channels, out 4' },
  { x: [1, 6, 5, 3], f: [2, 3], out: 7, strides: 1, pad: 'valid', label: 'small channels, out 7' },
  { x: [3, 9, 9, 2], f: [3, 3], out: 16, strides: 1, dilations: 2, pad: 'same', label: 'small channels, out 16, dilation 2' },
  { x: [2, 12, 12, 3], f: [5, 5], out: 8, strides: 1, pad: 'same', label: 'small channels, 80 border pixels an image' },
  { x: [3, 9, 8, 4], f: [3, 3], out: 24, strides: 2, pad: 'same', label: 'small channels, out 24, strided' },
  { x: [3, 4, 5, 2], f: [3, 3], out: 17, strides: [1, 2], pad: [[0, 0], [2, 0], [1, 1], [0, 0]], label: 'small channels, explicit padding' },
];

/** conv2d forward (optionally with bias and an activation), input gradient, filter gradient (=, +=). */
export function convCases(s: ConvShape): KernelCase[] {
  const name = describeShape(s);
  const g = geometryOf('conv2d', s, s.out);
  const n = count(g);
  const K = g.filterHeight * g.filterWidth * g.inChannels;
  const seed = n.x * 31 + n.out * 7 + K;
  const x = randomArray(n.x, seed);
  const filter = randomArray(K * g.outChannels, seed + 1);
  const dy = randomArray(n.out, seed + 2);
  const bias = randomArray(g.outChannels, seed + 3);
  const forward = (activation: EpilogueOp, withBias: boolean, alpha?: number): KernelCase => ({
    name: `conv2d ${name}` + (withBias ? ' bias' : '') + (activation !== 'linear' ? ` ${activation}` : ''),
    run: async (backend, reference) => {
      if (knownGap(backend, 'conv2d')) return;
      await compareOutputs(`conv2d ${name}`, backend, reference, [x, filter, bias], [{ size: n.out }],
        (b, [sx, sf, sb], [out]) => b.conv2d({ ...g, x: sx, filter: sf, out, bias: withBias ? sb : null, activation, alpha }),
        tol(K));
    },
  });
  return [
    forward('linear', false),
    forward('relu', true),
    ...(s.label === 'channels 5' || s.label === 'dilation 2' || s.label === 'small channels, dilation 2'
      || s.label?.endsWith('every activation')
      ? (['relu6', 'sigmoid', 'tanh', 'elu'] as const).map((a) => forward(a, true)).concat(forward('leakyRelu', true, 0.1))
      : []),
    {
      name: `conv2dBackpropInput ${name}`,
      run: async (backend, reference) => {
        if (knownGap(backend, 'conv2dBackpropInput')) return;
        await compareOutputs(`conv2dBackpropInput ${name}`, backend, reference, [dy, filter], [{ size: n.x }],
          (b, [sdy, sf], [dx]) => b.conv2dBackpropInput({ ...g, dy: sdy, filter: sf, dx }),
          tol(g.filterHeight * g.filterWidth * g.outChannels));
      },
    },
    {
      name: `conv2dBackpropFilter ${name}`,
      run: async (backend, reference) => {
        if (knownGap(backend, 'conv2dBackpropFilter')) return;
        await compareOutputs(`conv2dBackpropFilter ${name}`, backend, reference, [x, dy], [{ size: filter.length }],
          (b, [sx, sdy], [dFilter]) => b.conv2dBackpropFilter({ ...g, x: sx, dy: sdy, dFilter }), tol(n.pixels));
      },
    },
    {
      name: `conv2dBackpropFilter accumulate ${name}`,
      run: async (backend, reference) => {
        if (knownGap(backend, 'conv2dBackpropFilter')) return;
        await compareAccumulated(`conv2dBackpropFilter accumulate ${name}`, backend, reference, [x, dy], filter,
          (b, [sx, sdy], dFilter) => b.conv2dBackpropFilter({ ...g, x: sx, dy: sdy, dFilter, accumulate: true }),
          tol(n.pixels));
      },
    },
  ];
}

/**
 * Runs an accumulating kernel on both backends: `start` is uploaded as the accumulator, the
 * kernel adds into it, and the two results are compared (and must differ from `start`).
 */
export async function compareAccumulated(label: string, backend: Backend, reference: Backend, inputs: Float32Array[],
  start: Float32Array, launch: (b: KernelBackend, ins: Storage[], acc: Storage) => void, t: Tolerance): Promise<void> {
  const results: Float32Array[] = [];
  for (const b of [withKernels(backend), withKernels(reference)]) {
    const ins = inputs.map((v) => upload(b, v));
    const acc = upload(b, start);
    launch(b, ins, acc);
    results.push((await b.read(acc)) as Float32Array);
    for (const st of [...ins, acc]) b.free(st);
  }
  assertClose(label, results[0], results[1], t);
  // The reference must have moved away from the start, or the case would not tell += from =.
  if (results[1].every((v, i) => v === start[i])) throw new Error(`${label}: the gradient is all zeros, the case checks nothing`);
}

/** depthwiseConv2d forward (plain and with bias + relu6), input gradient, filter gradient (=, +=). */
function depthwiseCases(s: ConvShape, multiplier: number): KernelCase[] {
  const name = `${describeShape({ ...s, out: multiplier })}`;
  const O = s.x[3] * multiplier;
  const g = geometryOf('depthwiseConv2d', s, O);
  const n = count(g);
  const taps = g.filterHeight * g.filterWidth;
  const seed = n.x * 17 + n.out * 5 + taps + multiplier;
  const x = randomArray(n.x, seed);
  const filter = randomArray(taps * O, seed + 1);
  const dy = randomArray(n.out, seed + 2);
  const bias = randomArray(O, seed + 3);
  const p = { ...g, channelMultiplier: multiplier };
  return [
    ...([['linear', false], ['relu6', true]] as const).map(([activation, withBias]): KernelCase => ({
      name: `depthwiseConv2d ${name}` + (withBias ? ` bias ${activation}` : ''),
      run: async (backend, reference) => {
        if (knownGap(backend, 'depthwiseConv2d')) return;
        await compareOutputs(`depthwiseConv2d ${name}`, backend, reference, [x, filter, bias], [{ size: n.out }],
          (b, [sx, sf, sb], [out]) => b.depthwiseConv2d({ ...p, x: sx, filter: sf, out, bias: withBias ? sb : null, activation }),
          tol(taps));
      },
    })),
    {
      name: `depthwiseConv2dBackpropInput ${name}`,
      run: async (backend, reference) => {
        if (knownGap(backend, 'depthwiseConv2dBackpropInput')) return;
        await compareOutputs(`depthwiseConv2dBackpropInput ${name}`, backend, reference, [dy, filter], [{ size: n.x }],
          (b, [sdy, sf], [dx]) => b.depthwiseConv2dBackpropInput({ ...p, dy: sdy, filter: sf, dx }), tol(taps * multiplier));
      },
    },
    {
      name: `depthwiseConv2dBackpropFilter ${name}`,
      run: async (backend, reference) => {
        if (knownGap(backend, 'depthwiseConv2dBackpropFilter')) return;
        await compareOutputs(`depthwiseConv2dBackpropFilter ${name}`, backend, reference, [x, dy], [{ size: filter.length }],
          (b, [sx, sdy], [dFilter]) => b.depthwiseConv2dBackpropFilter({ ...p, x: sx, dy: sdy, dFilter }), tol(n.pixels));
      },
    },
    {
      name: `depthwiseConv2dBackpropFilter accumulate ${name}`,
      run: async (backend, reference) => {
        if (knownGap(backend, 'depthwiseConv2dBackpropFilter')) return;
        await compareAccumulated(`depthwiseConv2dBackpropFilter accumulate ${name}`, backend, reference, [x, dy], filter,
          (b, [sx, sdy], dFilter) => b.depthwiseConv2dBackpropFilter({ ...p, x: sx, dy: sdy, dFilter, accumulate: true }),
          tol(n.pixels));
      },
    },
  ];
}

/**
 * Depthwise shapes of the graph models' paths (assembly/depthwise.ts): 3x3 and 5x5 filters at strides 1
 * and 2 take pixel pairs (and quads for 3x3 at stride 1) with the last f32x4 group moved back to
 * C - 4 when C % 4 != 0 (18 and 22 channels in CenterNet), 'same' and 'valid'; channels 1 and 3 stay scalar.
 */
const DEPTHWISE_PATHS: ConvShape[] = [
  { x: [1, 9, 10, 18], f: [5, 5], out: 1, strides: 1, pad: 'same', label: 'depthwise 5x5, 18 channels' },
  { x: [2, 11, 9, 33], f: [5, 5], out: 1, strides: 2, pad: 'valid', label: 'depthwise 5x5 stride 2, 33 channels' },
  { x: [1, 8, 11, 3], f: [5, 5], out: 1, strides: 2, pad: 'same', label: 'depthwise 5x5 stride 2, 3 channels' },
  { x: [1, 7, 12, 22], f: [3, 3], out: 1, strides: 1, pad: 'same', label: 'depthwise 3x3, 22 channels' },
  { x: [1, 9, 11, 18], f: [3, 3], out: 1, strides: 2, pad: 'same', label: 'depthwise 3x3 stride 2, 18 channels' },
  { x: [1, 6, 9, 1], f: [3, 3], out: 1, strides: 1, pad: 'valid', label: 'depthwise 3x3, 1 channel' },
];

/** An im2col row longer than the wasm tile (K = 9 * 7300 > 65536 floats): the per-tap GEMM path. */
const HUGE_K: ConvShape = { x: [1, 3, 3, 7300], f: [3, 3], out: 2, strides: 1, pad: 'same', label: 'K beyond the im2col tile' };

export const cases: KernelCase[] = [
  ...SHAPES.flatMap(convCases),
  ...SMALL_CHANNELS.flatMap(convCases),
  ...convCases(HUGE_K),
  ...SHAPES.filter((s) => s.x[1] * s.x[2] < 900 && s.x[3] < 32).flatMap((s) => [1, 3].flatMap((m) => depthwiseCases(s, m))),
  ...DEPTHWISE_PATHS.flatMap((s) => depthwiseCases(s, 1)),
];
