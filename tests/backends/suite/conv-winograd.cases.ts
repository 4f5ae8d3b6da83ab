/**
 * The wasm backend's Winograd F(4x4, 3x3) convolutions (assembly/winograd.ts: 3x3 filters,
 * stride 1, dilation 1, channel counts multiples of 4 whose 16 transformed C x O filters fit)
 * and the shapes next to them that must fall back to im2col: every case runs conv2d, both
 * gradients and the accumulating filter gradient against the reference (conv.cases.ts's
 * convCases and tolerances), on every backend. Edges: a 1x1 and a 2x2 input (tiles mostly
 * outside the image), a kernel equal to the input (one output pixel), odd and even output
 * sizes (the partly empty last row and column of 4x4 tiles), batch 1 and 3, explicit padding
 * wider than the filter (the input gradient's padding 2 - pad goes negative), outputs spanning
 * several chunks of tiles (a chunk boundary inside an image row), batches laid out as a mosaic
 * whose tiles straddle images (winograd.ts plan: square, with an empty cell, and with whole-tile
 * cells along one axis only), and the fallbacks: channels
 * not a multiple of 4, too many channels for the scratch, dilation 2, stride 2, a 2x2 kernel.
 * Then an Inf or NaN in one operand: it must reach exactly the outputs direct convolution
 * reaches (Winograd's transforms would spread it across a 4x4 tile, so wasm checks its
 * operands and takes im2col).
 */
import { convCases, geometryOf, type ConvShape } from './conv.cases.js';
import { compareOutputs, knownGap, randomArray, type KernelCase } from './harness.js';

export const WINOGRAD_SHAPES: ConvShape[] = [
  { x: [1, 1, 1, 4], f: [3, 3], out: 4, strides: 1, pad: 'same', label: 'winograd, 1x1 input' },
  { x: [3, 2, 2, 8], f: [3, 3], out: 4, strides: 1, pad: 'same', label: 'winograd, 2x2 input' },
  { x: [3, 3, 3, 8], f: [3, 3], out: 4, strides: 1, pad: 'valid', label: 'winograd, kernel = input' },
  { x: [1, 6, 7, 4], f: [3, 3], out: 4, strides: 1, pad: 'valid', label: 'winograd, 4x5 output' },
  { x: [3, 5, 4, 12], f: [3, 3], out: 16, strides: 1, pad: 'same', label: 'winograd, every activation' },
  { x: [2, 7, 6, 16], f: [3, 3], out: 8, strides: 1, pad: [[0, 0], [2, 0], [0, 1], [0, 0]], label: 'winograd, explicit padding' },
  { x: [1, 4, 5, 4], f: [3, 3], out: 4, strides: 1, pad: [[0, 0], [3, 1], [1, 3], [0, 0]], label: 'winograd, padding wider than the filter' },
  { x: [4, 19, 20, 16], f: [3, 3], out: 12, strides: 1, pad: 'same', label: 'winograd, several chunks' },
  { x: [3, 13, 13, 32], f: [3, 3], out: 64, strides: 1, pad: 'valid', label: 'winograd, the MNIST CNN conv2' },
  { x: [4, 13, 13, 8], f: [3, 3], out: 4, strides: 1, pad: 'valid', label: 'winograd, 2 x 2 mosaic (input gradient)' },
  { x: [5, 13, 13, 4], f: [3, 3], out: 8, strides: 1, pad: 'same', label: 'winograd, 3 x 2 mosaic, one cell empty' },
  { x: [4, 13, 12, 8], f: [3, 3], out: 4, strides: 1, pad: 'same', label: 'winograd, mosaic rows, whole-tile columns' },
  { x: [1, 5, 5, 8], f: [3, 3], out: 6, strides: 1, pad: 'same', label: 'im2col: out channels 6' },
  { x: [1, 3, 4, 96], f: [3, 3], out: 96, strides: 1, pad: 'same', label: 'im2col: 96x96 channels exceed the scratch' },
  { x: [1, 9, 9, 8], f: [3, 3], out: 8, strides: 1, dilations: 2, pad: 'same', label: 'im2col: dilation 2' },
  { x: [3, 9, 8, 8], f: [3, 3], out: 4, strides: 2, pad: 'same', label: 'im2col: stride 2' },
  { x: [3, 5, 5, 8], f: [2, 2], out: 4, strides: 1, pad: 'same', label: 'im2col: same, 2x2 kernel' },
];

/** One non-finite value in an operand of a Winograd-shaped convolution: the reference's Inf / NaN pattern, exactly. */
function nonFiniteCases(): KernelCase[] {
  // x [1, 7, 7, 4], 3x3 valid: a 5x5 output, its first 4x4 tile reading x rows and columns 0..5.
  const shape: ConvShape = { x: [1, 7, 7, 4], f: [3, 3], out: 4, strides: 1, pad: 'valid' };
  const g = geometryOf('conv2d', shape, 4);
  const x = randomArray(196, 5), filter = randomArray(144, 6), dy = randomArray(100, 7);
  // Pixel (0, 2) is in the windows of outputs (0, 0..2) only, (0, 6) in those of taps (0..2, 2) only;
  // a Winograd tile would carry either across its whole row. dy pixel (0, 2) reaches dx rows 0..2 only.
  const xInf = x.slice(); xInf[2 * 4 + 1] = Infinity;
  const xInfRight = x.slice(); xInfRight[6 * 4 + 1] = -Infinity;
  const dyNaN = dy.slice(); dyNaN[2 * 4 + 2] = NaN;
  const tolerance = { atol: 1e-4, rtol: 1e-4 };
  const check = (label: string, got: Float32Array) => {
    // Most outputs must stay finite, and some not, or the case checks nothing.
    const finite = got.filter(Number.isFinite).length;
    if (finite === 0 || finite === got.length) throw new Error(`${label}: ${finite} of ${got.length} finite, expected some of each`);
  };
  return [
    {
      name: 'conv2d: an Inf in x reaches only the outputs whose window holds it',
      run: async (backend, reference) => {
        if (knownGap(backend, 'conv2d')) return;
        const [got] = await compareOutputs('conv2d Inf in x', backend, reference, [xInf, filter], [{ size: 100 }],
          (b, [sx, sf], [out]) => b.conv2d({ ...g, x: sx, filter: sf, out, bias: null, activation: 'linear' }), tolerance);
        check('conv2d Inf in x', got as Float32Array);
      },
    },
    {
      name: 'conv2dBackpropInput: a NaN in dy reaches only the input pixels under it',
      run: async (backend, reference) => {
        if (knownGap(backend, 'conv2dBackpropInput')) return;
        const [got] = await compareOutputs('conv2dBackpropInput NaN in dy', backend, reference, [dyNaN, filter], [{ size: 196 }],
          (b, [sdy, sf], [dx]) => b.conv2dBackpropInput({ ...g, dy: sdy, filter: sf, dx }), tolerance);
        check('conv2dBackpropInput NaN in dy', got as Float32Array);
      },
    },
    {
      name: 'conv2dBackpropFilter: an Inf in x reaches only the taps that read it',
      run: async (backend, reference) => {
        if (knownGap(backend, 'conv2dBackpropFilter')) return;
        const [got] = await compareOutputs('conv2dBackpropFilter Inf in x', backend, reference, [xInfRight, dy], [{ size: 144 }],
          (b, [sx, sdy], [dFilter]) => b.conv2dBackpropFilter({ ...g, x: sx, dy: sdy, dFilter }), tolerance);
        check('conv2dBackpropFilter Inf in x', got as Float32Array);
      },
    },
  ];
}

export const cases: KernelCase[] = [...WINOGRAD_SHAPES.flatMap(convCases), ...nonFiniteCases()];
