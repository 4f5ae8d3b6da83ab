/**
 * Pooling cases: pool2d ('max', 'avg') and pool2dBackward against the reference backend, on the
 * convolution cases' geometries (conv.cases.ts SHAPES: 1x1 inputs, a window equal to the input,
 * strides larger than the window, 'same' with even windows, dilation 2, channels 1..17, batch 1
 * and 3), plus the cases that decide semantics: ties (values drawn from {-1, 0, 0.5, 1}, so the
 * max gradient must pick the first max in row-major window order, as TF.js's maxPoolGrad does),
 * NaNs (a NaN wins 'max' and takes its gradient), and windows that lie wholly in the padding
 * ('max' gives -Infinity, 'avg' 0 / 0 = NaN, and neither passes any gradient).
 *
 * Tolerance: 'max' forward is exact (a selection; a NaN matches any NaN); 'avg' and the gradients sum a few float32
 * terms against float64: atol 1e-6, rtol 1e-5.
 */
import type { Conv2DGeometry, PoolMode } from '../../../src/backends/backend.js';
import { compareOutputs, knownGap, randomArray, type KernelCase } from './harness.js';
import { describeShape, geometryOf, SHAPES, type ConvShape } from './conv.cases.js';

const TOL = { atol: 1e-6, rtol: 1e-5 };
/** 'max' selects one of its inputs: equal values, any NaN for a NaN (wasm's f32x4.max gives the canonical NaN, whose word differs). */
const SELECTION = { atol: 0, rtol: 0 };

type Values = 'random' | 'ties' | 'nan';

function inputs(size: number, seed: number, values: Values): Float32Array {
  const x = randomArray(size, seed);
  if (values === 'ties') for (let i = 0; i < size; i++) x[i] = [-1, 0, 0.5, 1][Math.floor((x[i] + 1) * 2) & 3];
  if (values === 'nan') for (let i = 0; i < size; i += 5) x[i] = Number.NaN;
  return x;
}

function poolCases(label: string, g: Conv2DGeometry, values: Values): KernelCase[] {
  const xSize = g.batch * g.inHeight * g.inWidth * g.inChannels;
  const outSize = g.batch * g.outHeight * g.outWidth * g.inChannels;
  const seed = xSize * 13 + outSize;
  const x = inputs(xSize, seed, values);
  const dy = randomArray(outSize, seed + 1);
  return (['max', 'avg'] as PoolMode[]).flatMap((mode): KernelCase[] => [
    {
      name: `pool2d ${mode} ${label}${values === 'random' ? '' : ` ${values}`}`,
      run: async (backend, reference) => {
        if (knownGap(backend, 'pool2d')) return;
        await compareOutputs(`pool2d ${mode} ${label}`, backend, reference, [x], [{ size: outSize }],
          (b, [sx], [out]) => b.pool2d({ ...g, mode, x: sx, out }), mode === 'max' ? SELECTION : TOL);
      },
    },
    {
      name: `pool2dBackward ${mode} ${label}${values === 'random' ? '' : ` ${values}`}`,
      run: async (backend, reference) => {
        if (knownGap(backend, 'pool2dBackward')) return;
        await compareOutputs(`pool2dBackward ${mode} ${label}`, backend, reference, [dy, x], [{ size: xSize }],
          (b, [sdy, sx], [dx]) => b.pool2dBackward({ ...g, mode, dy: sdy, x: sx, dx }), TOL);
      },
    },
  ]);
}

const poolShape = (s: ConvShape) => geometryOf('maxPool', s, s.x[3]);

/** Windows that lie wholly in the padding (the op refuses such geometry; the kernel contract still defines it). */
const EMPTY_WINDOWS: Conv2DGeometry = {
  batch: 2, inHeight: 2, inWidth: 3, inChannels: 6, outHeight: 4, outWidth: 4, outChannels: 6,
  filterHeight: 2, filterWidth: 2, strideHeight: 2, strideWidth: 2, dilationHeight: 1, dilationWidth: 1,
  padTop: 3, padLeft: 2,
};

/**
 * Windows that tile the input (stride = window, no leading padding: the wasm gradient writes dx
 * once and zeroes only what no window covers), the 2x2 ones unrolled there: odd sizes leave a
 * last row and column in no window ('valid'), or clip the last window ('same'); channels with
 * and without a SIMD tail.
 */
const TILING: ConvShape[] = [
  { x: [3, 9, 7, 6], f: [2, 2], out: 0, strides: 2, pad: 'valid', label: 'tiling 2x2, a row and column uncovered' },
  { x: [1, 7, 5, 17], f: [2, 2], out: 0, strides: 2, pad: 'same', label: 'tiling 2x2, last windows clipped' },
  { x: [2, 6, 4, 8], f: [2, 2], out: 0, strides: 2, pad: 'valid', label: 'tiling 2x2, covered whole' },
  { x: [1, 5, 5, 3], f: [2, 2], out: 0, strides: 2, pad: 'valid', label: 'tiling 2x2, channels 3' },
  { x: [2, 8, 7, 5], f: [3, 3], out: 0, strides: 3, pad: 'same', label: 'tiling 3x3' },
  { x: [1, 7, 8, 4], f: [1, 2], out: 0, strides: [1, 2], pad: 'valid', label: 'tiling 1x2' },
];

export const cases: KernelCase[] = [
  ...TILING.flatMap((s) => (['random', 'ties', 'nan'] as Values[])
    .flatMap((values) => poolCases(describeShape({ ...s, out: s.x[3] }), poolShape(s), values))),
  ...SHAPES.flatMap((s) => poolCases(describeShape({ ...s, out: s.x[3] }), poolShape(s), 'random')),
  ...SHAPES.filter((s) => s.x[3] <= 17 && s.x[1] * s.x[2] < 900)
    .flatMap((s) => poolCases(describeShape({ ...s, out: s.x[3] }), poolShape(s), 'ties')),
  ...poolCases('x=[3,8,7,6] f=3x3 s=1 pad=same', geometryOf('maxPool', { x: [3, 8, 7, 6], f: [3, 3], out: 6, strides: 1, pad: 'same' }, 6), 'nan'),
  ...poolCases('windows in the padding', EMPTY_WINDOWS, 'random'),
];
