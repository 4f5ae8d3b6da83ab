/**
 * Bad convolution calls: TF.js (cpu) throws, and sora throws an Error naming the op and the
 * values at fault, before anything is allocated (no tensor is left behind). Where TF.js does
 * not throw and sora does, the case says so and why.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Lib = any;

beforeAll(async () => {
  await tf.setBackend('cpu');
  await sora.setBackend('reference');
});

function bothThrow(label: string, op: string, pattern: RegExp, run: (lib: Lib) => unknown, tfThrows = true): void {
  it(`${label}: an Error naming ${op}`, () => {
    if (tfThrows) expect(() => tf.tidy(() => { run(tf); })).toThrow();
    const before = sora.memory().numTensors;
    let error: unknown;
    sora.tidy(() => { try { run(sora); } catch (e) { error = e; } });
    expect(error, `${label} should throw`).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(op);
    expect((error as Error).message).toMatch(pattern);
    expect(sora.memory().numTensors, 'tensors left behind').toBe(before);
  });
}

const x = (lib: Lib, shape = [1, 5, 5, 3]) => lib.ones(shape);
const f = (lib: Lib, shape = [3, 3, 3, 2]) => lib.ones(shape);

describe('conv2d errors', () => {
  bothThrow('channels that disagree', 'conv2d', /3 input channels.*expects 2/, (lib) => lib.conv2d(x(lib), f(lib, [3, 3, 2, 2]), 1, 'same'));
  bothThrow('strides and dilations both above 1', 'conv2d', /strides=2 and dilations=2/, (lib) => lib.conv2d(x(lib), f(lib), 2, 'same', 'NHWC', 2));
  bothThrow('a negative stride', 'conv2d', /strides=-1/, (lib) => lib.conv2d(x(lib), f(lib), -1, 'same'));
  bothThrow('a zero dilation', 'conv2d', /dilations=\[0,1\]/, (lib) => lib.conv2d(x(lib), f(lib), 1, 'same', 'NHWC', [0, 1]));
  bothThrow('x of rank 2', 'conv2d', /rank 4.*shape \[5,5\]/, (lib) => lib.conv2d(lib.ones([5, 5]), f(lib), 1, 'same'));
  bothThrow('a filter of rank 3', 'conv2d', /filter must be rank 4.*\[3,3,3\]/, (lib) => lib.conv2d(x(lib), lib.ones([3, 3, 3]), 1, 'same'));
  bothThrow("dimRoundingMode with pad 'same'", 'conv2d', /dimRoundingMode 'floor'.*pad='same'/, (lib) => lib.conv2d(x(lib), f(lib), 1, 'same', 'NHWC', 1, 'floor'));
  bothThrow('an int32 x', 'conv2d', /'x' must be float32.*int32/, (lib) => lib.conv2d(lib.ones([1, 5, 5, 3], 'int32'), f(lib), 1, 'same'));
  bothThrow('NCHW channels that disagree', 'conv2d', /2 input channels.*NCHW.*expects 3/, (lib) => lib.conv2d(x(lib, [1, 2, 5, 5]), f(lib), 1, 'same', 'NCHW'));
});

describe('the other convolutions', () => {
  bothThrow('depthwiseConv2d channels that disagree', 'depthwiseConv2d', /3 input channels.*inChannels dim is 4/,
    (lib) => lib.depthwiseConv2d(x(lib), f(lib, [3, 3, 4, 1]), 1, 'same'));
  bothThrow('depthwiseConv2d strides and dilations both above 1', 'depthwiseConv2d', /strides=\[2,2\] and dilations=\[1,2\]/,
    (lib) => lib.depthwiseConv2d(x(lib), f(lib, [2, 2, 3, 1]), [2, 2], 'valid', 'NHWC', [1, 2]));
  bothThrow('conv2dTranspose channels that disagree with the filter', 'conv2dTranspose', /maps 2 input channels to 4/,
    (lib) => lib.conv2dTranspose(x(lib, [1, 3, 3, 3]), f(lib, [3, 3, 4, 2]), [1, 5, 5, 4], 1, 'valid'));
  bothThrow('conv1d NCW', 'conv1d', /dataFormat must be 'NWC'.*NCW/, (lib) => lib.conv1d(lib.ones([1, 5, 2]), lib.ones([2, 2, 3]), 1, 'same', 'NCW'));
  bothThrow('conv1d channels that disagree', 'conv1d', /2 input channels.*expects 4/, (lib) => lib.conv1d(lib.ones([1, 5, 2]), lib.ones([2, 4, 3]), 1, 'same'));
  bothThrow('separableConv2d pointwise filter of the wrong depth', 'separableConv2d', /inChannels \* channelMultiplier = 6/,
    (lib) => lib.separableConv2d(x(lib), f(lib, [3, 3, 3, 2]), lib.ones([1, 1, 5, 4]), 1, 'same'));
  bothThrow('separableConv2d NCHW', 'separableConv2d', /NCHW/,
    (lib) => lib.separableConv2d(x(lib, [1, 3, 5, 5]), f(lib, [3, 3, 3, 2]), lib.ones([1, 1, 6, 4]), 1, 'same', 1, 'NCHW'));
  bothThrow('fused.conv2d with an unknown activation', 'fused.conv2d', /activation must be one of.*"swish"/,
    (lib) => lib.fused.conv2d({ x: x(lib), filter: f(lib), strides: 1, pad: 'same', activation: 'swish' }));
  bothThrow('fused.matMul inner dims that disagree', 'matMul', /inner dimensions/,
    (lib) => lib.fused.matMul({ a: lib.ones([2, 3]), b: lib.ones([4, 5]), activation: 'relu' }));
  bothThrow('conv3d channels that disagree', 'conv3d', /2 input channels.*expects 3/,
    (lib) => lib.conv3d(lib.ones([1, 3, 3, 3, 2]), lib.ones([2, 2, 2, 3, 1]), 1, 'same'));
  bothThrow('conv3d NCDHW', 'conv3d', /dataFormat must be 'NDHWC'/,
    (lib) => lib.conv3d(lib.ones([1, 2, 3, 3, 3]), lib.ones([2, 2, 2, 2, 1]), 1, 'same', 'NCDHW'));
  bothThrow('conv3d strides and dilations both above 1', 'conv3d', /strides=2 and dilations=\[1,1,2\]/,
    (lib) => lib.conv3d(lib.ones([1, 5, 5, 5, 1]), lib.ones([2, 2, 2, 1, 1]), 2, 'same', 'NDHWC', [1, 1, 2]));
  bothThrow('dilation2d depth that disagrees', 'dilation2d', /depth 3.*filter's depth is 2/,
    (lib) => lib.dilation2d(x(lib), lib.ones([2, 2, 2]), 1, 'same'));
  bothThrow('dilation2d filter of rank 4', 'dilation2d', /filter must be rank 3/, (lib) => lib.dilation2d(x(lib), f(lib), 1, 'same'));
});

describe('where sora is stricter than TF.js', () => {
  // TF.js's conv2dTranspose does not check that a conv2d of outputShape gives x's size: its
  // kernel reads dy by the geometry of outputShape and returns numbers from the wrong pixels.
  bothThrow('conv2dTranspose whose x does not fit outputShape', 'conv2dTranspose', /gives 5 x 5 pixels.*has 4 x 4/,
    (lib) => lib.conv2dTranspose(x(lib, [1, 4, 4, 2]), f(lib, [3, 3, 3, 2]), [1, 5, 5, 3], 1, 'same'), false);
  // TF.js returns a tensor of shape [1, -1, -1, 2].
  bothThrow('a kernel larger than the padded input', 'conv2d', /window \(5 x 5.*input 3 x 3/,
    (lib) => lib.conv2d(x(lib, [1, 3, 3, 3]), f(lib, [5, 5, 3, 2]), 1, 'valid'), false);
  bothThrow('a depthwise kernel larger than the padded input', 'depthwiseConv2d', /window \(4 x 2.*padded input 3 x 3/,
    (lib) => lib.depthwiseConv2d(x(lib, [1, 3, 3, 3]), f(lib, [4, 2, 3, 1]), 1, 'valid'), false);
  bothThrow('a conv3d filter deeper than the input', 'conv3d', /filter \[4,2,2\].*input \[3,3,3\]/,
    (lib) => lib.conv3d(lib.ones([1, 3, 3, 3, 1]), lib.ones([4, 2, 2, 1, 1]), 1, 'valid'), false);
  // TF.js takes a fractional stride and returns NaNs.
  bothThrow('a fractional stride', 'conv2d', /strides=1.5/, (lib) => lib.conv2d(x(lib), f(lib), 1.5, 'same'), false);
});
