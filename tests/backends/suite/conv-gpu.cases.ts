/**
 * Convolution kernel cases (conv2d with its fused epilogue, conv2dBackpropInput,
 * conv2dBackpropFilter with and without accumulate, depthwiseConv2d and its two backprops),
 * compared with the reference backend over the odd geometries where index arithmetic breaks:
 * 1x1 inputs, a kernel as large as the input, strides larger than the kernel, 'same' with even
 * kernels (the odd padding pixel at the bottom / right), explicit uneven padding, dilation 2,
 * channels 1..17, and shapes that cross the GEMM tiles (64 rows) and the filter gradients'
 * 4096-pixel reduction chunks. Geometry from src/ops/conv/geometry.ts, as the ops compute it.
 */
import type { Conv2DGeometry, EpilogueOp } from '../../../src/backends/backend.js';
import { convGeometry, type ConvPadding } from '../../../src/ops/conv/geometry.js';
import { compareOutputs, randomArray, type KernelCase, type Tolerance } from './harness.js';

export interface GeometryCase {
  label: string;
  x: [number, number, number, number];
  filter: [number, number];
  strides: number | [number, number];
  pad: ConvPadding;
  dilations?: number;
}

/** The geometries every conv and pooling kernel is checked on. */
export const GEOMETRIES: GeometryCase[] = [
  { label: '1x1 input, 1x1 filter', x: [1, 1, 1, 3], filter: [1, 1], strides: 1, pad: 'valid' },
  { label: '1x1 input, 3x3 filter same', x: [2, 1, 1, 2], filter: [3, 3], strides: 1, pad: 'same' },
  { label: 'kernel equal to input', x: [2, 5, 4, 3], filter: [5, 4], strides: 1, pad: 'valid' },
  { label: 'stride 3 over a 2x2 kernel valid', x: [1, 9, 7, 2], filter: [2, 2], strides: 3, pad: 'valid' },
  { label: 'stride [3, 4] over a 2x1 kernel same', x: [2, 8, 9, 3], filter: [2, 1], strides: [3, 4], pad: 'same' },
  { label: 'same with a 4x2 kernel', x: [1, 6, 5, 2], filter: [4, 2], strides: 1, pad: 'same' },
  { label: 'same with a 2x2 kernel stride 2', x: [2, 7, 6, 3], filter: [2, 2], strides: 2, pad: 'same' },
  { label: 'explicit padding [1, 2] [2, 0]', x: [1, 6, 7, 2], filter: [3, 2], strides: [2, 1], pad: [[0, 0], [1, 2], [2, 0], [0, 0]] },
  { label: 'dilation 2 same', x: [2, 7, 8, 3], filter: [3, 3], strides: 1, pad: 'same', dilations: 2 },
  { label: 'dilation 2 valid', x: [1, 9, 8, 2], filter: [2, 3], strides: 1, pad: 'valid', dilations: 2 },
];

export function geometryOf(c: GeometryCase, inChannels: number, outChannels: number): Conv2DGeometry {
  return convGeometry({ op: 'conv2d', xShape: [c.x[0], c.x[1], c.x[2], inChannels], filterHeight: c.filter[0],
    filterWidth: c.filter[1], outChannels, strides: c.strides, dilations: c.dilations ?? 1, pad: c.pad });
}

const sizes = (g: Conv2DGeometry) => ({
  x: g.batch * g.inHeight * g.inWidth * g.inChannels,
  out: g.batch * g.outHeight * g.outWidth * g.outChannels,
  filter: g.filterHeight * g.filterWidth * g.inChannels * g.outChannels,
});

const TOL: Tolerance = { atol: 1e-5, rtol: 1e-4 };

/** conv2d, both backprops (dFilter overwritten and accumulated) on geometry g, seeded. */
async function checkConv(backend: Parameters<KernelCase['run']>[0], reference: Parameters<KernelCase['run']>[1],
  label: string, g: Conv2DGeometry, seed: number, tol = TOL): Promise<void> {
  const s = sizes(g);
  const x = randomArray(s.x, seed), filter = randomArray(s.filter, seed + 1), dy = randomArray(s.out, seed + 2);
  const prior = randomArray(s.filter, seed + 3);
  await compareOutputs(`${label} conv2d`, backend, reference, [x, filter], [{ size: s.out }],
    (b, [xs, fs], [out]) => b.conv2d({ ...g, x: xs, filter: fs, out, bias: null, activation: 'linear' }), tol);
  await compareOutputs(`${label} conv2dBackpropInput`, backend, reference, [dy, filter], [{ size: s.x }],
    (b, [dys, fs], [dx]) => b.conv2dBackpropInput({ ...g, dy: dys, filter: fs, dx }), tol);
  await compareOutputs(`${label} conv2dBackpropFilter`, backend, reference, [x, dy], [{ size: s.filter }],
    (b, [xs, dys], [dFilter]) => b.conv2dBackpropFilter({ ...g, x: xs, dy: dys, dFilter }), tol);
  await compareOutputs(`${label} conv2dBackpropFilter accumulate`, backend, reference, [x, dy], [{ size: s.filter }],
    (b, [xs, dys], [dFilter]) => {
      b.write(dFilter, prior);
      b.conv2dBackpropFilter({ ...g, x: xs, dy: dys, dFilter, accumulate: true });
    }, tol);
}

/** depthwiseConv2d (with bias and relu6) and both backprops, channel multiplier `mult`. */
async function checkDepthwise(backend: Parameters<KernelCase['run']>[0], reference: Parameters<KernelCase['run']>[1],
  label: string, g0: Conv2DGeometry, mult: number, seed: number, tol = TOL): Promise<void> {
  const g = { ...g0, outChannels: g0.inChannels * mult };
  const s = sizes({ ...g, inChannels: 1 });
  const xSize = g.batch * g.inHeight * g.inWidth * g.inChannels;
  const x = randomArray(xSize, seed), filter = randomArray(s.filter, seed + 1), dy = randomArray(s.out, seed + 2);
  const bias = randomArray(g.outChannels, seed + 4), prior = randomArray(s.filter, seed + 3);
  await compareOutputs(`${label} depthwiseConv2d x${mult}`, backend, reference, [x, filter, bias], [{ size: s.out }],
    (b, [xs, fs, bs], [out]) => b.depthwiseConv2d({ ...g, x: xs, filter: fs, out, bias: bs, activation: 'relu6', channelMultiplier: mult }), tol);
  await compareOutputs(`${label} depthwiseConv2dBackpropInput x${mult}`, backend, reference, [dy, filter], [{ size: xSize }],
    (b, [dys, fs], [dx]) => b.depthwiseConv2dBackpropInput({ ...g, dy: dys, filter: fs, dx, channelMultiplier: mult }), tol);
  for (const accumulate of [false, true]) {
    await compareOutputs(`${label} depthwiseConv2dBackpropFilter x${mult}${accumulate ? ' accumulate' : ''}`, backend, reference,
      [x, dy], [{ size: s.filter }], (b, [xs, dys], [dFilter]) => {
        if (accumulate) b.write(dFilter, prior);
        b.depthwiseConv2dBackpropFilter({ ...g, x: xs, dy: dys, dFilter, channelMultiplier: mult, accumulate });
      }, tol);
  }
}

export const cases: KernelCase[] = [];

GEOMETRIES.forEach((c, i) => {
  cases.push({
    name: `conv2d and backprops, ${c.label}, channels 1..17`,
    run: async (backend, reference) => {
      for (const [inC, outC] of [[1, 1], [2, 3], [3, 17], [17, 5], [8, 4]]) {
        const g = geometryOf({ ...c, x: [c.x[0], c.x[1], c.x[2], inC] }, inC, outC);
        await checkConv(backend, reference, `${c.label} ${inC}->${outC}`, g, 100 * i + inC);
      }
    },
  });
  cases.push({
    name: `depthwiseConv2d and backprops, ${c.label}, multiplier 1 and 2`,
    run: async (backend, reference) => {
      for (const [inC, mult] of [[1, 1], [3, 2], [17, 1], [5, 2]]) {
        const g = geometryOf(c, inC, inC * mult);
        await checkDepthwise(backend, reference, `${c.label} c=${inC}`, g, mult, 200 * i + inC);
      }
    },
  });
});

const ACTIVATIONS: EpilogueOp[] = ['linear', 'relu', 'relu6', 'sigmoid', 'tanh', 'elu', 'leakyRelu'];

cases.push({
  name: 'conv2d with bias and every epilogue activation (leakyRelu alpha 0.3 and default)',
  run: async (backend, reference) => {
    const g = geometryOf({ label: '', x: [2, 9, 7, 3], filter: [3, 3], strides: 1, pad: 'same' }, 3, 6);
    const s = sizes(g);
    const x = randomArray(s.x, 1, -3, 3), filter = randomArray(s.filter, 2), bias = randomArray(6, 3);
    for (const activation of ACTIVATIONS) {
      for (const alpha of activation === 'leakyRelu' ? [0.3, undefined] : [undefined]) {
        await compareOutputs(`conv2d ${activation} alpha=${alpha}`, backend, reference, [x, filter, bias], [{ size: s.out }],
          (b, [xs, fs, bs], [out]) => b.conv2d({ ...g, x: xs, filter: fs, out, bias: bs, activation, alpha }), TOL);
      }
    }
  },
});

cases.push({
  name: 'conv2d and backprops across GEMM tiles and two 4096-pixel filter-gradient chunks (6x28x28, 3x3 same, 5->7)',
  run: async (backend, reference) => {
    const g = geometryOf({ label: '', x: [6, 28, 28, 5], filter: [3, 3], strides: 1, pad: 'same' }, 5, 7);
    await checkConv(backend, reference, 'large', g, 7, { atol: 1e-4, rtol: 1e-4 });
    await checkDepthwise(backend, reference, 'large', g, 2, 9, { atol: 1e-4, rtol: 1e-4 });
  },
});

cases.push({
  name: 'conv2d over 6400 pixels into 17 and 24 channels (conv_blocked\'s 3 column groups: 21-row workgroups, the grid sized for them)',
  run: async (backend, reference) => {
    for (const outC of [17, 24]) {
      const g = geometryOf({ label: '', x: [1, 80, 80, 3], filter: [3, 3], strides: 1, pad: 'same' }, 3, outC);
      const s = sizes(g);
      const x = randomArray(s.x, outC), filter = randomArray(s.filter, outC + 1);
      await compareOutputs(`6400 pixels 3->${outC} conv2d`, backend, reference, [x, filter], [{ size: s.out }],
        (b, [xs, fs], [out]) => b.conv2d({ ...g, x: xs, filter: fs, out, bias: null, activation: 'linear' }), TOL);
    }
  },
});

cases.push({
  name: 'conv2d and backprops with a 68,600-deep reduction (7x7 filter over 1400 channels; lavapipe caps invocations near 65,535 iterations)',
  run: async (backend, reference) => {
    const g = geometryOf({ label: '', x: [1, 7, 7, 1400], filter: [7, 7], strides: 1, pad: 'valid' }, 1400, 3);
    await checkConv(backend, reference, 'deep', g, 21, { atol: 1e-4, rtol: 1e-4 });
  },
});

cases.push({
  name: 'conv2d with 0 input channels (bias and relu only) and conv2dBackpropFilter over a batch of 0 (zeros, or dFilter kept with accumulate)',
  run: async (backend, reference) => {
    const g0 = geometryOf({ label: '', x: [2, 5, 4, 0], filter: [3, 3], strides: 1, pad: 'same' }, 0, 3);
    const out = 2 * 5 * 4 * 3;
    await compareOutputs('0 channels conv2d', backend, reference, [new Float32Array(0), new Float32Array(0), randomArray(3, 5)],
      [{ size: out }], (b, [x, filter, bias], [o]) => b.conv2d({ ...g0, x, filter, out: o, bias, activation: 'relu' }), 'exact');
    const g = geometryOf({ label: '', x: [0, 5, 4, 2], filter: [3, 3], strides: 1, pad: 'same' }, 2, 3);
    const prior = randomArray(54, 6);
    for (const accumulate of [false, true]) {
      await compareOutputs(`batch 0 conv2dBackpropFilter accumulate=${accumulate}`, backend, reference,
        [new Float32Array(0), new Float32Array(0)], [{ size: 54 }], (b, [x, dy], [dFilter]) => {
          b.write(dFilter, prior);
          b.conv2dBackpropFilter({ ...g, x, dy, dFilter, accumulate });
        }, 'exact');
      await compareOutputs(`batch 0 depthwiseConv2dBackpropFilter accumulate=${accumulate}`, backend, reference,
        [new Float32Array(0), new Float32Array(0)], [{ size: 18 }], (b, [x, dy], [dFilter]) => {
          b.write(dFilter, prior.subarray(0, 18));
          b.depthwiseConv2dBackpropFilter({ ...g, outChannels: 2, x, dy, dFilter, channelMultiplier: 1, accumulate });
        }, 'exact');
    }
  },
});
