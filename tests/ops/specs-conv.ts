/**
 * Test entries of the convolution ops (src/ops/conv/): conv2d (plain and with the fused bias
 * and activation), depthwiseConv2d, and their input and filter gradients as ops of their own,
 * on odd shapes (strides, 'same' with an even kernel, dilation 2, a multiplier of 2). Spread
 * into OP_SPECS (tests/ops/specs.ts); the values against TF.js are in tests/ops/conv*.test.ts.
 */
import * as sora from '../../src/index.js';
import { conv2dBackpropFilter, conv2dGeometry } from '../../src/ops/conv/conv2d.js';
import { depthwiseBackpropFilter, depthwiseBackpropInput, depthwiseGeometry } from '../../src/ops/conv/depthwise.js';
import type { Input, OpCase } from './specs.js';

/** Distinct values 0.05 apart, shuffled (specs.ts's `spaced`; not imported: specs.ts imports this file). */
function spaced(shape: number[], seed: number, offset = 0.025): Input {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) => (i - Math.floor(n / 2)) * 0.05 + offset);
  let state = seed >>> 0;
  for (let i = n - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = (state >>> 8) % (i + 1);
    [values[i], values[j]] = [values[j], values[i]];
  }
  return { values, shape, dtype: 'float32' };
}

const c = (label: string, inputs: OpCase['inputs'], run: OpCase['run'], wrt: number[]): OpCase =>
  ({ label, inputs, run, wrt, tolerance: { atol: 2e-5, rtol: 2e-4 } });

export const CONV_SPECS: Record<string, OpCase[]> = {
  conv2d: [
    c('[2,5,4,3] * [2,2,3,2] same, strides 2', [spaced([2, 5, 4, 3], 401), spaced([2, 2, 3, 2], 402, 0.0375)],
      ([x, f]) => sora.conv2d(x, f, 2, 'same'), [0, 1]),
    c('[1,6,5,2] * [2,2,2,3] valid, dilation 2', [spaced([1, 6, 5, 2], 403), spaced([2, 2, 2, 3], 404, 0.0375)],
      ([x, f]) => sora.conv2d(x, f, 1, 'valid', 'NHWC', 2), [0, 1]),
    c('fused: bias [2] and elu in the epilogue', [spaced([1, 4, 4, 2], 405), spaced([3, 3, 2, 2], 406, 0.0375), spaced([2], 407)],
      ([x, filter, bias]) => sora.fused.conv2d({ x, filter, strides: 1, pad: 'same', bias, activation: 'elu' }), [0, 1, 2]),
  ],
  conv2dBackpropInput: [
    c('conv2dTranspose [1,3,3,2] -> [1,6,6,3] strides 2 same', [spaced([1, 3, 3, 2], 411), spaced([3, 3, 3, 2], 412, 0.0375)],
      ([x, f]) => sora.conv2dTranspose(x, f, [1, 6, 6, 3], 2, 'same'), [0, 1]),
  ],
  conv2dBackpropFilter: [
    c('x [1,5,5,2], dy [1,3,3,3] of a 3x3 valid conv', [spaced([1, 5, 5, 2], 421), spaced([1, 3, 3, 3], 422, 0.0375)],
      ([x, dy]) => conv2dBackpropFilter(x, dy, conv2dGeometry({
        op: 'test', x, filter: sora.zeros([3, 3, 2, 3]), strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1,
      })), [0, 1]),
  ],
  depthwiseConv2d: [
    c('[2,5,4,3] * [3,2,3,2] same, strides [2,1]', [spaced([2, 5, 4, 3], 431), spaced([3, 2, 3, 2], 432, 0.0375)],
      ([x, f]) => sora.depthwiseConv2d(x, f, [2, 1], 'same'), [0, 1]),
    c('fused: bias [4] and sigmoid', [spaced([1, 4, 4, 2], 433), spaced([2, 2, 2, 2], 434, 0.0375), spaced([4], 435)],
      ([x, filter, bias]) => sora.fused.depthwiseConv2d({ x, filter, strides: 1, pad: 'valid', bias, activation: 'sigmoid' }), [0, 1, 2]),
  ],
  depthwiseConv2dBackpropInput: [
    c('dy [1,2,2,4], filter [2,2,2,2], dilation 2', [spaced([1, 2, 2, 4], 441), spaced([2, 2, 2, 2], 442, 0.0375)],
      ([dy, f]) => depthwiseBackpropInput(dy, f, depthwiseGeometry({
        op: 'test', x: sora.zeros([1, 4, 4, 2]), filter: f, strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 2,
      }), 2), [0, 1]),
  ],
  depthwiseConv2dBackpropFilter: [
    c('x [1,5,4,3], dy [1,2,1,3] of a 2x2 stride-3 conv', [spaced([1, 5, 4, 3], 451), spaced([1, 2, 1, 3], 452, 0.0375)],
      ([x, dy]) => depthwiseBackpropFilter(x, dy, depthwiseGeometry({
        op: 'test', x, filter: sora.zeros([2, 2, 3, 1]), strides: 3, pad: 'valid', dataFormat: 'NHWC', dilations: 1,
      }), 1), [0, 1]),
  ],
  conv3d: [
    c('[1,3,4,3,2] * [2,2,2,2,2] same, strides [1,2,1]', [spaced([1, 3, 4, 3, 2], 461), spaced([2, 2, 2, 2, 2], 462, 0.0375)],
      ([x, f]) => sora.conv3d(x, f, [1, 2, 1], 'same'), [0, 1]),
  ],
  conv3dTranspose: [
    c('[1,2,2,2,2] -> [1,4,4,3,1] strides 2 same', [spaced([1, 2, 2, 2, 2], 471), spaced([2, 2, 2, 1, 2], 472, 0.0375)],
      ([x, f]) => sora.conv3dTranspose(x, f, [1, 4, 4, 3, 1], 2, 'same'), [0, 1]),
  ],
  dilation2d: [
    c('[1,5,4,2] by [2,3,2] same, strides 2', [spaced([1, 5, 4, 2], 481), spaced([2, 3, 2], 482, 0.0375)],
      ([x, f]) => sora.dilation2d(x, f, 2, 'same'), [0, 1]),
  ],
};
