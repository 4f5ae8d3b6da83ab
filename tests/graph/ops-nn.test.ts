/**
 * The convolution (conv and pooling), normalization and image op families against TF.js's graph
 * executor, one node at a time: the attrs the human models' nodes carry (copied from their
 * model.json), each fused_ops variant, odd sizes (1, 3, 7 wide), and the errors a bad node gets.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Attrs } from '../../src/graph/attrs.js';
import { GRAPH_OPS } from '../../src/graph/ops/index.js';
import * as sora from '../../src/index.js';
import { attr, directContext, ints } from './op-harness.js';
import { f32, refuses, same } from './ops-check.js';

beforeAll(async () => {
  await sora.ready();
});

/** Calls a handler synchronously on tensors (for the cases TF.js can't check). */
function run(op: string, inputs: sora.Tensor[], a: Record<string, unknown>): sora.Tensor[] {
  const node = { name: 'n', op, inputs: [], attrs: new Attrs(a, `node 'n' (${op})`) };
  return GRAPH_OPS.get(op)!.run(inputs, directContext(node)) as sora.Tensor[];
}

const T = { T: attr.type('float32') };
const ones4 = [1, 1, 1, 1];

/** A conv node's attrs as the human models write them. */
function convAttr(padding: string, stride: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...T, data_format: attr.s('NHWC'), dilations: attr.ints(ones4), explicit_paddings: { list: {} }, padding: attr.s(padding),
    strides: attr.ints([1, stride, stride, 1]), use_cudnn_on_gpu: attr.b(true), ...extra,
  };
}

/** A fused conv node's attrs (epsilon 0, num_args, fused_ops) as the human models write them. */
function fusedAttr(padding: string, stride: number, fusedOps: string[], numArgs: number,
  extra: Record<string, unknown> = {}): Record<string, unknown> {
  return convAttr(padding, stride, { epsilon: attr.f(0), fused_ops: attr.strings(fusedOps), num_args: attr.i(numArgs), ...extra });
}

describe('Conv2D', () => {
  for (const padding of ['SAME', 'VALID']) {
    for (const stride of [1, 2]) {
      it(`${padding}, stride ${stride}, 7x7 and 3x5 images, 3x3 and 1x1 filters`, async () => {
        await same({ op: 'Conv2D', attr: convAttr(padding, stride), inputs: [f32([1, 7, 7, 3], 1), f32([3, 3, 3, 5], 2)] });
        await same({ op: 'Conv2D', attr: convAttr(padding, stride), inputs: [f32([2, 3, 5, 1], 3), f32([1, 1, 1, 7], 4)] });
      });
    }
  }
  it('dilations 2', async () => {
    await same({
      op: 'Conv2D', attr: convAttr('SAME', 1, { dilations: attr.ints([1, 2, 2, 1]) }),
      inputs: [f32([1, 7, 7, 3], 1), f32([3, 3, 3, 2], 2)],
    });
  });
  it('EXPLICIT padding with explicit_paddings', async () => {
    const a = convAttr('EXPLICIT', 1, { explicit_paddings: attr.ints([0, 0, 1, 2, 2, 0, 0, 0]) });
    await same({ op: 'Conv2D', attr: a, inputs: [f32([1, 7, 5, 3], 1), f32([3, 3, 3, 2], 2)] });
  });
  it('NCHW (stride 1) as TF.js computes it', async () => {
    await same({
      op: 'Conv2D', attr: convAttr('SAME', 1, { data_format: attr.s('NCHW') }),
      inputs: [f32([1, 3, 7, 5], 1), f32([3, 3, 3, 2], 2)],
    });
  });
  it('NCHW with stride 2 reads strides[2..3] (TF\'s layout; TF.js reads [1..2]) and equals NHWC transposed', () => {
    const before = sora.memory().numTensors;
    const x = sora.randomNormal([1, 3, 7, 5], 0, 1, 'float32', 1);
    const filter = sora.randomNormal([3, 3, 3, 2], 0, 1, 'float32', 2);
    const [nchw] = run('Conv2D', [x, filter], convAttr('SAME', 1, { data_format: attr.s('NCHW'), strides: attr.ints([1, 1, 2, 2]) }));
    const xt = sora.transpose(x, [0, 2, 3, 1]);
    const [nhwc] = run('Conv2D', [xt, filter], convAttr('SAME', 2));
    const back = sora.transpose(nhwc!, [0, 3, 1, 2]);
    expect(nchw!.shape).toEqual([1, 2, 4, 3]);
    const [a, b] = [nchw!.dataSync(), back.dataSync()];
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(b[i]!)));
    sora.dispose([x, filter, nchw!, xt, nhwc!, back]);
    expect(sora.memory().numTensors).toBe(before);
  });
  it('errors: wrong input count, padding FOO, bad strides, bad data_format, bad explicit_paddings', async () => {
    const xf = [f32([1, 7, 7, 3], 1), f32([3, 3, 3, 5], 2)];
    await refuses({ op: 'Conv2D', attr: convAttr('SAME', 1), inputs: [xf[0]!] }, /node 'bad' \(Conv2D\): expected 2 inputs, got 1/, true);
    await refuses(
      { op: 'Conv2D', attr: convAttr('FOO', 1), inputs: xf },
      /node 'bad' \(Conv2D\): attribute 'padding' must be 'SAME', 'VALID' or 'EXPLICIT', got 'FOO'/, true,
    );
    await refuses(
      { op: 'Conv2D', attr: convAttr('SAME', 1, { strides: attr.ints([1, 2]) }), inputs: xf },
      /attribute 'strides' must be 4 positive integers, got \[1, 2\]/,
    );
    await refuses(
      { op: 'Conv2D', attr: convAttr('SAME', 1, { data_format: attr.s('HWCN') }), inputs: xf },
      /attribute 'data_format' must be 'NHWC' or 'NCHW', got 'HWCN'/,
    );
    await refuses(
      { op: 'Conv2D', attr: convAttr('EXPLICIT', 1, { explicit_paddings: attr.ints([1, 1]) }), inputs: xf },
      /8 non-negative explicit_paddings/,
    );
    await refuses({ op: 'Conv2D', attr: convAttr('VALID', 1), inputs: [f32([1, 7, 7, 2], 1), xf[1]!] }, /./, true);
    const { strides: _s, ...noStrides } = convAttr('SAME', 1);
    await refuses({ op: 'Conv2D', attr: noStrides, inputs: xf }, /the attribute 'strides' is missing/);
  });
});

describe('_FusedConv2D', () => {
  // fused_ops as the eleven models have them, and the rest of TF.js's activations.
  const variants: [string[], number][] = [
    [['BiasAdd'], 1], [['BiasAdd', 'Relu'], 1], [['BiasAdd', 'Relu6'], 1], [['BiasAdd', 'Prelu'], 2],
    [['BiasAdd', 'Elu'], 1], [['BiasAdd', 'Sigmoid'], 1], [['BiasAdd', 'LeakyRelu'], 1],
  ];
  for (const [ops, n] of variants) {
    it(`fused_ops [${ops.join(', ')}]: SAME/VALID, stride 1/2/3`, async () => {
      for (const [padding, stride] of [['SAME', 1], ['VALID', 2], ['VALID', 3], ['SAME', 2]] as const) {
        const args = [f32([5], 3, -2, 2), ...(n === 2 ? [f32([5], 4, 0, 0.5)] : [])];
        const extra = ops.includes('LeakyRelu') ? { leakyrelu_alpha: attr.f(0.3) } : {};
        await same({
          op: '_FusedConv2D', attr: fusedAttr(padding, stride, ops, n, extra),
          inputs: [f32([1, 7, 7, 3], 1, -2, 2), f32([3, 3, 3, 5], 2), ...args],
        });
      }
    });
  }
  it('Prelu with a per-position alpha (facemesh-style [1,1,C] and [H,W,C])', async () => {
    await same({
      op: '_FusedConv2D', attr: fusedAttr('SAME', 2, ['BiasAdd', 'Prelu'], 2),
      inputs: [f32([1, 7, 7, 3], 1), f32([3, 3, 3, 5], 2), f32([5], 3), f32([1, 1, 5], 4, 0, 0.5)],
    });
    await same({
      op: '_FusedConv2D', attr: fusedAttr('VALID', 1, ['BiasAdd', 'Prelu'], 2),
      inputs: [f32([1, 3, 3, 3], 1), f32([1, 1, 3, 5], 2), f32([5], 3), f32([3, 3, 5], 4, 0, 0.5)],
    });
  });
  it('EXPLICIT padding and dilations', async () => {
    await same({
      op: '_FusedConv2D',
      attr: fusedAttr('EXPLICIT', 1, ['BiasAdd', 'Relu'], 1, { explicit_paddings: attr.ints([0, 0, 2, 1, 1, 2, 0, 0]) }),
      inputs: [f32([1, 7, 5, 3], 1), f32([3, 3, 3, 2], 2), f32([2], 3)],
    });
    await same({
      op: '_FusedConv2D', attr: fusedAttr('SAME', 1, ['BiasAdd'], 1, { dilations: attr.ints([1, 2, 2, 1]) }),
      inputs: [f32([1, 7, 7, 3], 1), f32([3, 3, 3, 2], 2), f32([2], 3)],
    });
  });
  it('errors: num_args, FusedBatchNorm, unknown activation, padding FOO, input count', async () => {
    const xf = [f32([1, 7, 7, 3], 1), f32([3, 3, 3, 5], 2)];
    const bias = f32([5], 3);
    await refuses({
      op: '_FusedConv2D', attr: fusedAttr('SAME', 1, ['BiasAdd', 'Prelu'], 1),
      inputs: [...xf, bias],
    }, /BiasAdd and Prelu need two extra arguments/, true);
    await refuses({
      op: '_FusedConv2D', attr: fusedAttr('SAME', 1, ['BiasAdd'], 2),
      inputs: [...xf, bias, bias],
    }, /needs one extra argument \(bias\), got 2/, true);
    await refuses({
      op: '_FusedConv2D', attr: fusedAttr('SAME', 1, ['FusedBatchNorm', 'Relu'], 4),
      inputs: [...xf, bias, bias, bias, bias],
    }, /FusedBatchNorm is not supported/, true);
    await refuses({
      op: '_FusedConv2D', attr: fusedAttr('SAME', 1, ['BiasAdd', 'Tanh'], 1),
      inputs: [...xf, bias],
    }, /fused activation 'tanh' is not supported/, true);
    await refuses({
      op: '_FusedConv2D', attr: fusedAttr('FOO', 1, ['BiasAdd'], 1),
      inputs: [...xf, bias],
    }, /attribute 'padding' must be/, true);
    await refuses(
      { op: '_FusedConv2D', attr: fusedAttr('SAME', 1, ['BiasAdd'], 1), inputs: xf },
      /num_args is 1, so expected 3 inputs, got 2/,
    );
    await refuses({
      op: '_FusedConv2D', attr: fusedAttr('SAME', 1, ['BiasAdd'], 1),
      inputs: [xf[0]!],
    }, /expected at least 2 inputs, got 1/);
  });
});

describe('DepthwiseConv2dNative, DepthwiseConv2d, FusedDepthwiseConv2dNative', () => {
  const dw = (padding: string, stride: number, extra: Record<string, unknown> = {}) => {
    const { use_cudnn_on_gpu: _u, ...a } = convAttr(padding, stride, extra);
    return a;
  };
  for (const op of ['DepthwiseConv2dNative', 'DepthwiseConv2d']) {
    it(`${op}: SAME/VALID, stride 1/2, channel multiplier 1 and 2`, async () => {
      for (const [padding, stride] of [['SAME', 1], ['SAME', 2], ['VALID', 1], ['VALID', 2]] as const) {
        await same({ op, attr: dw(padding, stride), inputs: [f32([1, 7, 7, 3], 1), f32([3, 3, 3, 1], 2)] });
        await same({ op, attr: dw(padding, stride), inputs: [f32([2, 5, 3, 1], 3), f32([3, 3, 1, 2], 4)] });
      }
    });
  }
  it('DepthwiseConv2dNative with dilations 2 and EXPLICIT padding', async () => {
    await same({
      op: 'DepthwiseConv2dNative', attr: dw('SAME', 1, { dilations: attr.ints([1, 2, 2, 1]) }),
      inputs: [f32([1, 7, 7, 3], 1), f32([3, 3, 3, 1], 2)],
    });
    await same({
      op: 'DepthwiseConv2dNative', attr: dw('EXPLICIT', 1, { explicit_paddings: attr.ints([0, 0, 1, 1, 2, 0, 0, 0]) }),
      inputs: [f32([1, 7, 5, 3], 1), f32([3, 3, 3, 1], 2)],
    });
  });
  const fdw = (padding: string, stride: number, ops: string[], n: number) =>
    dw(padding, stride, { fused_ops: attr.strings(ops), num_args: attr.i(n) });
  const variants: [string[], number][] = [
    [['BiasAdd'], 1], [['BiasAdd', 'Relu'], 1], [['BiasAdd', 'Relu6'], 1], [['BiasAdd', 'Prelu'], 2], [['BiasAdd', 'Sigmoid'], 1],
  ];
  for (const [ops, n] of variants) {
    it(`FusedDepthwiseConv2dNative [${ops.join(', ')}]: SAME stride 1 and 2, VALID`, async () => {
      for (const [padding, stride] of [['SAME', 1], ['SAME', 2], ['VALID', 1]] as const) {
        const args = [f32([3], 3, -2, 2), ...(n === 2 ? [f32([3], 4, 0, 0.5)] : [])];
        await same({
          op: 'FusedDepthwiseConv2dNative', attr: fdw(padding, stride, ops, n),
          inputs: [f32([1, 7, 7, 3], 1, -3, 3), f32([3, 3, 3, 1], 2), ...args],
        });
      }
    });
  }
  it('errors: wrong input count, padding FOO, num_args', async () => {
    await refuses({ op: 'DepthwiseConv2dNative', attr: dw('SAME', 1), inputs: [f32([1, 7, 7, 3], 1)] }, /expected 2 inputs, got 1/, true);
    await refuses({
      op: 'DepthwiseConv2dNative', attr: dw('FOO', 1),
      inputs: [f32([1, 7, 7, 3], 1), f32([3, 3, 3, 1], 2)],
    }, /'padding' must be/, true);
    await refuses({
      op: 'FusedDepthwiseConv2dNative', attr: fdw('SAME', 1, ['BiasAdd'], 2),
      inputs: [f32([1, 7, 7, 3], 1), f32([3, 3, 3, 1], 2), f32([3], 3), f32([3], 4)],
    }, /one extra argument/, true);
  });
});

describe('other convolutions', () => {
  it('Conv1D: stride, dilation, SAME/VALID', async () => {
    for (const [padding, stride, dilation] of [['SAME', 1, 1], ['VALID', 2, 1], ['SAME', 1, 2]] as const) {
      const a = { ...T, stride: attr.i(stride), padding: attr.s(padding), data_format: attr.s('NWC'), dilation: attr.i(dilation) };
      await same({ op: 'Conv1D', attr: a, inputs: [f32([2, 7, 3], 1), f32([3, 3, 5], 2)] });
    }
  });
  it('Conv2DBackpropInput: output shape from input 0, SAME and VALID, stride 2', async () => {
    for (const padding of ['SAME', 'VALID']) {
      const outH = padding === 'SAME' ? 7 : 7;
      const dyH = padding === 'SAME' ? 4 : 3;
      await same({
        op: 'Conv2DBackpropInput', attr: convAttr(padding, 2),
        inputs: [ints([1, outH, 5, 3]), f32([3, 3, 3, 2], 2), f32([1, dyH, padding === 'SAME' ? 3 : 2, 2], 3)],
      });
    }
  });
  it('Conv3D: SAME/VALID, stride 1/2', async () => {
    for (const [padding, stride] of [['SAME', 1], ['VALID', 2]] as const) {
      const a = {
        ...T, strides: attr.ints([1, stride, stride, stride, 1]), padding: attr.s(padding), data_format: attr.s('NDHWC'),
        dilations: attr.ints([1, 1, 1, 1, 1]),
      };
      await same({ op: 'Conv3D', attr: a, inputs: [f32([1, 5, 7, 3, 2], 1), f32([3, 3, 1, 2, 3], 2)] });
    }
  });
  it('Dilation2D: rates 1 and 2, SAME/VALID', async () => {
    for (const [padding, rate] of [['SAME', 1], ['VALID', 2], ['SAME', 2]] as const) {
      const a = { ...T, strides: attr.ints([1, 1, 1, 1]), rates: attr.ints([1, rate, rate, 1]), padding: attr.s(padding) };
      await same({ op: 'Dilation2D', attr: a, inputs: [f32([1, 7, 7, 3], 1), f32([2, 3, 3], 2)] });
    }
  });
  it('errors', async () => {
    await refuses({
      op: 'Conv3D', attr: { strides: attr.ints([1, 1, 1, 1, 1]), padding: attr.s('EXPLICIT') },
      inputs: [f32([1, 3, 3, 3, 1], 1), f32([1, 1, 1, 1, 1], 2)],
    }, /must be 'SAME' or 'VALID', got 'EXPLICIT'/);
    await refuses({
      op: 'Conv2DBackpropInput', attr: convAttr('SAME', 2),
      inputs: [ints([1, 7]), f32([3, 3, 3, 2], 2), f32([1, 4, 3, 2], 3)],
    }, /output shape must have 3 or 4 entries/);
    await refuses({
      op: 'Conv1D', attr: { padding: attr.s('SAME') },
      inputs: [f32([2, 7, 3], 1), f32([3, 3, 5], 2)],
    }, /'stride' is missing/);
  });
});

describe('pooling', () => {
  const poolAttr = (padding: string, k: number, s: number) => ({
    ...T, data_format: attr.s('NHWC'), ksize: attr.ints([1, k, k, 1]), strides: attr.ints([1, s, s, 1]), padding: attr.s(padding),
    explicit_paddings: { list: {} },
  });
  for (const op of ['MaxPool', 'AvgPool']) {
    it(`${op}: the models' ksize/strides (2/2 VALID, 2/2 SAME, 3/2 SAME, 3/1 SAME) on odd sizes`, async () => {
      for (const [padding, k, s] of [['VALID', 2, 2], ['SAME', 2, 2], ['SAME', 3, 2], ['SAME', 3, 1], ['VALID', 3, 1]] as const) {
        await same({ op, attr: poolAttr(padding, k, s), inputs: [f32([1, 7, 7, 3], 1)] });
        await same({ op, attr: poolAttr(padding, k, s), inputs: [f32([2, 3, 5, 1], 2)] });
      }
    });
  }
  it('MaxPoolWithArgmax: both outputs, include_batch_in_index both ways', async () => {
    for (const include of [false, true]) {
      const a = { ...poolAttr('SAME', 3, 2), include_batch_in_index: attr.b(include), Targmax: attr.type('int32') };
      await same({ op: 'MaxPoolWithArgmax', attr: a, inputs: [f32([2, 7, 5, 3], 1)], outputs: 2 });
    }
  });
  for (const op of ['MaxPool3D', 'AvgPool3D']) {
    it(`${op}: SAME/VALID`, async () => {
      for (const [padding, k, s] of [['VALID', 2, 2], ['SAME', 3, 1]] as const) {
        const a = {
          ...T, data_format: attr.s('NDHWC'), ksize: attr.ints([1, k, k, k, 1]), strides: attr.ints([1, s, s, s, 1]),
          padding: attr.s(padding),
        };
        await same({ op, attr: a, inputs: [f32([1, 5, 7, 3, 2], 1)] });
      }
    });
  }
  it('errors: wrong input count, padding FOO, bad ksize, NCHW', async () => {
    await refuses({ op: 'MaxPool', attr: poolAttr('SAME', 2, 2), inputs: [f32([1, 7, 7, 3], 1), f32([1], 1)] }, /expected 1 input, got 2/);
    await refuses({ op: 'MaxPool', attr: poolAttr('FOO', 2, 2), inputs: [f32([1, 7, 7, 3], 1)] }, /attribute 'padding' must be/, true);
    await refuses({
      op: 'AvgPool', attr: { ...poolAttr('SAME', 2, 2), ksize: attr.ints([1, 0, 2, 1]) },
      inputs: [f32([1, 7, 7, 3], 1)],
    }, /'ksize' must be 4 positive integers/);
    await refuses({
      op: 'MaxPool', attr: { ...poolAttr('SAME', 2, 2), data_format: attr.s('NCHW') },
      inputs: [f32([1, 7, 7, 3], 1)],
    }, /'data_format' must be 'NHWC', got 'NCHW'/);
  });
});

describe('normalization', () => {
  it('Softmax and LogSoftmax on the last axis', async () => {
    for (const shape of [[1], [3, 7], [1, 3, 7]]) {
      await same({ op: 'Softmax', attr: T, inputs: [f32(shape, 1, -5, 5)] });
      await same({ op: 'LogSoftmax', attr: T, inputs: [f32(shape, 2, -5, 5)] });
    }
  });
  for (const op of ['FusedBatchNorm', 'FusedBatchNormV2', 'FusedBatchNormV3']) {
    it(`${op}: inference form, epsilon`, async () => {
      const a = { ...T, U: attr.type('float32'), epsilon: attr.f(0.001), data_format: attr.s('NHWC'), is_training: attr.b(false) };
      const c = [f32([3], 2), f32([3], 3), f32([3], 4), f32([3], 5, 0.5, 2)];
      await same({ op, attr: a, inputs: [f32([1, 7, 5, 3], 1), ...c] });
      await same({ op, attr: { ...a, epsilon: attr.f(0.1) }, inputs: [f32([2, 3, 3], 1), ...c] });
    });
  }
  it('FusedBatchNormV3 NCHW normalizes axis 1', () => {
    const x = sora.tensor([1, 2, 3, 4], [1, 2, 1, 2]);
    const one = sora.ones([2]);
    const zero = sora.zeros([2]);
    const mean = sora.tensor([1, 3]);
    const [y] = run('FusedBatchNormV3', [x, one, zero, mean, one], { epsilon: attr.f(0), data_format: attr.s('NCHW') });
    expect(Array.from(y!.dataSync())).toEqual([0, 1, 0, 1]);
    sora.dispose([x, one, zero, mean, y!]);
  });
  it('LRN: default and given radius, bias, alpha, beta', async () => {
    await same({ op: 'LRN', attr: T, inputs: [f32([1, 3, 3, 7], 1)] });
    await same({
      op: 'LRN', attr: { ...T, depth_radius: attr.i(2), bias: attr.f(2), alpha: attr.f(0.1), beta: attr.f(0.75) },
      inputs: [f32([1, 3, 1, 7], 2)],
    });
  });
  it('EuclideanNorm: axes and keep_dims', async () => {
    await same({ op: 'EuclideanNorm', attr: { ...T, keep_dims: attr.b(false) }, inputs: [f32([3, 7], 1), ints([1])] });
    await same({ op: 'EuclideanNorm', attr: { ...T, keep_dims: attr.b(true) }, inputs: [f32([3, 7, 1], 1), ints([0, 2])] });
  });
  it('errors', async () => {
    await refuses({
      op: 'FusedBatchNormV3', attr: T,
      inputs: [f32([1, 3], 1), f32([3], 2), f32([3], 3), f32([3], 4)],
    }, /expected 5 inputs, got 4/, true);
    await refuses({ op: 'Softmax', attr: T, inputs: [] }, /expected 1 input, got 0/, true);
  });
});

describe('image', () => {
  for (const op of ['ResizeBilinear', 'ResizeNearestNeighbor']) {
    it(`${op}: align_corners / half_pixel_centers as the models set them, up and down`, async () => {
      for (const [align, half] of [[false, false], [false, true], [true, false]] as const) {
        const a = { ...T, align_corners: attr.b(align), half_pixel_centers: attr.b(half) };
        await same({ op, attr: a, inputs: [f32([1, 3, 7, 3], 1), ints([7, 5])] });
        await same({ op, attr: a, inputs: [f32([2, 7, 5, 1], 2), ints([3, 1])] });
      }
    });
  }
  it('CropAndResize: bilinear and nearest, extrapolation', async () => {
    const boxes = { dtype: 'float32' as const, shape: [3, 4], values: [0, 0, 1, 1, 0.1, 0.2, 0.7, 0.9, -0.2, 0.5, 1.3, 1.1] };
    for (const method of ['bilinear', 'nearest']) {
      const a = { ...T, method: attr.s(method), extrapolation_value: attr.f(0.5) };
      await same({ op: 'CropAndResize', attr: a, inputs: [f32([2, 7, 5, 3], 1), boxes, ints([0, 1, 1]), ints([3, 4])] });
    }
  });
  it('ImageProjectiveTransformV3: nearest and bilinear, each fill mode', async () => {
    // Offsets keep sample points off the wrap seams (multiples of len - 1), where float32 (sora) and
    // float64 (TF.js's cpu kernel) coordinates may land on different sides.
    const transforms = { dtype: 'float32' as const, shape: [1, 8], values: [1.1, 0.2, -1.0137, -0.1, 0.9, 0.5213, 0, 0] };
    const modes = [
      ['NEAREST', 'CONSTANT'], ['BILINEAR', 'CONSTANT'], ['NEAREST', 'REFLECT'], ['BILINEAR', 'WRAP'], ['NEAREST', 'NEAREST'],
      ['BILINEAR', 'REFLECT'], ['NEAREST', 'WRAP'],
    ];
    for (const [interpolation, fill] of modes) {
      const a = { dtype: attr.type('float32'), interpolation: attr.s(interpolation!), fill_mode: attr.s(fill!) };
      await same({
        op: 'ImageProjectiveTransformV3', attr: a,
        inputs: [f32([1, 7, 5, 3], 1), transforms, ints([7, 5]), { dtype: 'float32', shape: [], values: [0.25] }],
      });
    }
  });
  it('errors: wrong input count, bad size, bad method', async () => {
    await refuses({ op: 'ResizeBilinear', attr: T, inputs: [f32([1, 3, 3, 1], 1)] }, /expected 2 inputs, got 1/, true);
    await refuses({
      op: 'ResizeBilinear', attr: T,
      inputs: [f32([1, 3, 3, 1], 1), ints([3, 3, 3])],
    }, /input 1 must be \[height, width\], got \[3, 3, 3\]/);
    const boxes = { dtype: 'float32' as const, shape: [1, 4], values: [0, 0, 1, 1] };
    await refuses({
      op: 'CropAndResize', attr: { method: attr.s('cubic') },
      inputs: [f32([1, 3, 3, 1], 1), boxes, ints([0]), ints([2, 2])],
    }, /'method' must be one of 'BILINEAR', 'NEAREST', got 'cubic'/);
  });
});
