/**
 * The arithmetic, basic_math, logical, reduction and matrices op families against TF.js's graph
 * executor, one node at a time: odd shapes (1, 3, 7 wide), broadcasting, int32 and bool dtypes,
 * the attrs the human models use, and the errors a bad node gets.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Attrs } from '../../src/graph/attrs.js';
import { GRAPH_OPS } from '../../src/graph/ops/index.js';
import * as sora from '../../src/index.js';
import { attr, directContext, ints, tfjsRun } from './op-harness.js';
import { bools, f32, i32, refuses, same } from './ops-check.js';

beforeAll(async () => {
  await sora.ready();
});

const T = { T: attr.type('float32') };

/** Calls a handler synchronously on tensors (for the cases TF.js can't check). */
function RUN(op: string, inputs: sora.Tensor[], a: Record<string, unknown>): sora.Tensor {
  const node = { name: 'n', op, inputs: [], attrs: new Attrs(a, `node 'n' (${op})`) };
  return (GRAPH_OPS.get(op)!.run(inputs, directContext(node)) as sora.Tensor[])[0]!;
}

describe('arithmetic', () => {
  const binaries = [
    'Add', 'AddV2', 'Sub', 'Mul', 'RealDiv', 'Div', 'DivNoNan', 'FloorDiv', 'FloorMod', 'Mod', 'Maximum', 'Minimum',
    'SquaredDifference', 'Pow',
  ];
  for (const op of binaries) {
    it(`${op}: float32, broadcasting [7,3] with [3], [1] with [3,1,7]`, async () => {
      const positive = op === 'Pow';
      await same({ op, attr: T, inputs: [f32([7, 3], 1, positive ? 0.1 : -3, 3), f32([3], 2, 0.5, 2)] });
      await same({ op, attr: T, inputs: [f32([1], 3, positive ? 0.1 : -3, 3), f32([3, 1, 7], 4, 0.5, 2)] });
    });
  }
  for (const op of ['Add', 'Sub', 'Mul', 'Div', 'FloorDiv', 'FloorMod', 'Maximum', 'Minimum', 'SquaredDifference']) {
    it(`${op}: int32 stays int32 (negatives included)`, async () => {
      const b = i32([7], 6, 1, 4);
      await same({
        op, attr: { T: attr.type('int32') },
        inputs: [i32([3, 7], 5, -9, 9), { ...b, values: (b.values as number[]).map((v, i) => (i % 2 ? -v : v)) }],
      });
    });
  }
  it('Pow of int32 stays int32; Equal / Maximum on bools and ints', async () => {
    await same({ op: 'Pow', attr: { T: attr.type('int32') }, inputs: [i32([3, 7], 1, -3, 4), i32([7], 2, 0, 4)] });
    await same({ op: 'Equal', inputs: [bools([3, 7], 1), bools([7], 2)] });
  });
  it('DivNoNan: zero divisors give 0', async () => {
    await same({ op: 'DivNoNan', attr: T, inputs: [f32([3], 1), { dtype: 'float32', shape: [3], values: [0, 2, 0] }] });
  });
  it('AddN: 1, 2 and 3 terms', async () => {
    await same({ op: 'AddN', attr: { N: attr.i(1) }, inputs: [f32([3, 7], 1)] });
    await same({
      op: 'AddN', attr: { N: attr.i(2), _grappler_ArithmeticOptimizer_AddOpsRewriteStage: attr.b(true) },
      inputs: [f32([3, 7], 1), f32([3, 7], 2)],
    });
    await same({ op: 'AddN', attr: { N: attr.i(3) }, inputs: [f32([1, 3], 1), f32([1, 3], 2), f32([1, 3], 3)] });
  });
  it('BiasAdd: NHWC, and the default data format', async () => {
    await same({ op: 'BiasAdd', attr: { ...T, data_format: attr.s('NHWC') }, inputs: [f32([1, 3, 7, 3], 1), f32([3], 2)] });
    await same({ op: 'BiasAdd', attr: T, inputs: [f32([7, 1], 1), f32([1], 2)] });
  });
  it('BiasAdd NCHW puts the bias on axis 1 (TF semantics)', async () => {
    const got = sora.tidy(() => {
      const out = RUN('BiasAdd', [sora.zeros([1, 3, 1, 2]), sora.tensor([1, 2, 3])], { data_format: attr.s('NCHW') });
      return out.dataSync();
    });
    if (Array.from(got).join(',') !== '1,1,2,2,3,3') throw new Error(`got ${Array.from(got)}`);
  });
  it('errors: wrong input count, bad bias', async () => {
    await refuses({ op: 'AddV2', attr: T, inputs: [f32([3], 1)] }, /node 'bad' \(AddV2\): expected 2 inputs, got 1/, true);
    await refuses({ op: 'Mul', attr: T, inputs: [f32([3], 1), f32([3], 2), f32([3], 3)] }, /expected 2 inputs, got 3/);
    await refuses({ op: 'AddN', inputs: [] }, /expected at least 1 input/);
    await refuses({ op: 'BiasAdd', attr: T, inputs: [f32([3, 3], 1), f32([3, 1], 2)] }, /bias must be 1-D/);
    await refuses({ op: 'Sub', attr: T, inputs: [f32([3], 1), f32([7], 2)] }, /./, true);
  });
});

describe('basic_math', () => {
  const ranges: Record<string, [number, number]> = {
    Sqrt: [0.01, 4], Rsqrt: [0.1, 4], Log: [0.01, 4], Log1p: [-0.5, 3], Acos: [-0.95, 0.95], Asin: [-0.95, 0.95], Atanh: [-0.9, 0.9],
    Acosh: [1.01, 4], Reciprocal: [0.5, 3],
  };
  const unaries = [
    'Abs', 'Acos', 'Acosh', 'Asin', 'Asinh', 'Atan', 'Atanh', 'Ceil', 'Cos', 'Cosh', 'Elu', 'Erf', 'Exp', 'Expm1', 'Floor', 'Log', 'Log1p',
    'Neg', 'Relu', 'Relu6', 'Round', 'Rsqrt', 'Selu', 'Sigmoid', 'Sign', 'Sin', 'Sinh', 'Softplus', 'Sqrt', 'Square', 'Tan', 'Tanh',
    'Reciprocal', 'IsNan', 'IsFinite', 'IsInf',
  ];
  for (const op of unaries) {
    it(`${op} on [1], [3], [3,7]`, async () => {
      const [lo, hi] = ranges[op] ?? [-8, 8];
      for (const [k, shape] of [[1], [3], [3, 7]].entries()) await same({ op, attr: T, inputs: [f32(shape, 10 + k, lo, hi)] });
    });
  }
  it('IsNan / IsInf / IsFinite see NaN and infinities; Relu6 clamps', async () => {
    const values = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 7, -1];
    const special = { dtype: 'float32' as const, shape: [5], values };
    for (const op of ['IsNan', 'IsInf', 'IsFinite', 'Relu6', 'Abs']) await same({ op, attr: T, inputs: [special] });
  });
  for (const op of ['Abs', 'Neg', 'Relu', 'Relu6', 'Square', 'Sign']) {
    it(`${op} keeps int32`, async () => {
      await same({ op, attr: { T: attr.type('int32') }, inputs: [i32([3, 7], 4, -9, 9)] });
    });
  }
  it('LeakyRelu: default alpha and alpha 0.1', async () => {
    await same({ op: 'LeakyRelu', attr: T, inputs: [f32([3, 7], 1)] });
    await same({ op: 'LeakyRelu', attr: { ...T, alpha: attr.f(0.1) }, inputs: [f32([3, 7], 1)] });
  });
  it('Prelu: per-channel alpha (facemesh) and broadcasting', async () => {
    await same({ op: 'Prelu', attr: T, inputs: [f32([1, 3, 7, 3], 1), f32([3], 2, 0, 0.5)] });
    await same({ op: 'Prelu', attr: T, inputs: [f32([7, 1], 3), f32([1, 1], 4, 0, 0.5)] });
  });
  it('Atan2 broadcasts', async () => {
    await same({ op: 'Atan2', attr: T, inputs: [f32([3, 7], 1), f32([7], 2)] });
  });
  it('ClipByValue: bounds from scalar inputs', async () => {
    await same({
      op: 'ClipByValue', attr: T,
      inputs: [f32([3, 7], 1, -3, 3), { dtype: 'float32', shape: [], values: [-1] }, { dtype: 'float32', shape: [], values: [0.5] }],
    });
  });
  it('Complex (float32 parts in, complex64 out)', async () => {
    await same({ op: 'Complex', attr: { T: attr.type('float32'), Tout: attr.type('complex64') }, inputs: [f32([3], 1), f32([3], 2)] });
  });
  it('Real, Imag, ComplexAbs of a complex64 tensor (TF.js values from tf.real / tf.imag / tf.abs)', async () => {
    const re = [1, -3, 0.5];
    const im = [2, 4, -0.25];
    const want: Record<string, number[]> = {
      Real: Array.from(await tf.real(tf.complex(re, im)).data()), Imag: Array.from(await tf.imag(tf.complex(re, im)).data()),
      ComplexAbs: Array.from(await tf.abs(tf.complex(re, im)).data()),
    };
    const before = sora.memory().numTensors;
    for (const op of ['Real', 'Imag', 'ComplexAbs']) {
      const x = sora.complex(re, im);
      const y = RUN(op, [x], { T: attr.type('complex64'), Tout: attr.type('float32') });
      expect(y.dtype).toBe('float32');
      expect(Array.from(y.dataSync())).toEqual(want[op]);
      sora.dispose([x, y]);
    }
    expect(sora.memory().numTensors).toBe(before);
  });
  it('errors: wrong input count', async () => {
    await refuses({ op: 'Relu', attr: T, inputs: [] }, /node 'bad' \(Relu\): expected 1 input, got 0/, true);
    await refuses({ op: 'Sqrt', attr: T, inputs: [f32([3], 1), f32([3], 1)] }, /expected 1 input, got 2/);
    await refuses({ op: 'ClipByValue', attr: T, inputs: [f32([3], 1), f32([1], 2)] }, /expected 3 inputs, got 2/);
  });
});

describe('logical', () => {
  for (const op of ['Equal', 'NotEqual', 'Greater', 'GreaterEqual', 'Less', 'LessEqual']) {
    it(`${op}: float32 and int32, broadcasting, bool out`, async () => {
      await same({ op, attr: { ...T, incompatible_shape_error: attr.b(true) }, inputs: [f32([3, 7], 1), f32([7], 2)] });
      await same({ op, attr: { T: attr.type('int32') }, inputs: [i32([3, 7], 3, -2, 2), i32([3, 1], 4, -2, 2)] });
    });
  }
  for (const op of ['LogicalAnd', 'LogicalOr']) {
    it(`${op} broadcasting`, async () => {
      await same({ op, inputs: [bools([3, 7], 1), bools([7], 2)] });
    });
  }
  it('LogicalNot', async () => {
    await same({ op: 'LogicalNot', inputs: [bools([1, 7], 1)] });
  });
  it('Select and SelectV2 (same shapes, broadcasting)', async () => {
    await same({ op: 'Select', attr: T, inputs: [bools([3, 7], 1), f32([3, 7], 2), f32([3, 7], 3)] });
    await same({ op: 'SelectV2', attr: T, inputs: [bools([7], 1), f32([3, 7], 2), f32([3, 1], 3)] });
    await same({ op: 'Select', attr: { T: attr.type('int32') }, inputs: [bools([3], 1), i32([3], 2), i32([3], 3)] });
  });
  // TF.js's graph executor cannot run BitwiseAnd: its op list names the inputs x, y and its executor reads a, b.
  it('BitwiseAnd on int32, checked against known values', async () => {
    const x = sora.tensor([12, 7, 255, -1, 0], [5], 'int32');
    const y = sora.tensor([10, 3, 15, 6, 9], [5], 'int32');
    const z = RUN('BitwiseAnd', [x, y], { T: attr.type('int32') });
    expect(z.dtype).toBe('int32');
    expect(Array.from(z.dataSync())).toEqual([8, 3, 15, 6, 0]);
    sora.dispose([x, y, z]);
    await expect(tfjsRun({ op: 'BitwiseAnd', attr: { T: attr.type('int32') }, inputs: [i32([3], 1), i32([3], 2)] })).rejects.toThrow();
  });
  it('errors: wrong input count', async () => {
    await refuses({ op: 'Select', attr: T, inputs: [bools([3], 1), f32([3], 2)] }, /expected 3 inputs, got 2/, true);
    await refuses({ op: 'Less', attr: T, inputs: [f32([3], 1)] }, /expected 2 inputs, got 1/, true);
  });
});

describe('reduction', () => {
  const keep = (b: boolean) => ({ ...T, Tidx: attr.type('int32'), keep_dims: attr.b(b) });
  for (const op of ['Sum', 'Mean', 'Max', 'Min', 'Prod']) {
    it(`${op}: scalar axis, axis list, negative axis, keep_dims both ways`, async () => {
      const x = f32([3, 7, 1], 1, 0.5, 1.5);
      await same({ op, attr: keep(false), inputs: [x, ints([1], [])] });
      await same({ op, attr: keep(true), inputs: [x, ints([0, 2])] });
      await same({ op, attr: keep(false), inputs: [x, ints([-2])] });
      await same({ op, attr: { ...T }, inputs: [f32([7], 2), ints([0])] });
    });
  }
  it('Sum and Max keep int32', async () => {
    await same({ op: 'Sum', attr: keep(false), inputs: [i32([3, 7], 1), ints([1])] });
    await same({ op: 'Max', attr: keep(true), inputs: [i32([3, 7], 1), ints([0])] });
  });
  it('int32 and bool inputs keep TF.js\'s dtypes (Mean, Prod, Min of int32; Sum and Any of bool)', async () => {
    for (const op of ['Mean', 'Prod', 'Min']) await same({ op, attr: keep(false), inputs: [i32([3, 7], 2, -3, 4), ints([1])] });
    await same({ op: 'Sum', attr: keep(false), inputs: [bools([3, 7], 3), ints([0])] });
    await same({ op: 'ArgMax', attr: T, inputs: [i32([3, 7], 4), ints([1], [])] });
    await same({ op: 'Cumsum', attr: T, inputs: [i32([3, 7], 5), ints([1], [])] });
  });
  it('an empty axis list reduces nothing', async () => {
    await same({ op: 'Sum', attr: keep(false), inputs: [f32([3, 7], 1), ints([])] });
    await same({ op: 'Max', attr: keep(true), inputs: [f32([3, 7], 1), ints([])] });
  });
  it('Mean over H and W with keep_dims (centernet) and without (emotion)', async () => {
    await same({ op: 'Mean', attr: keep(true), inputs: [f32([1, 3, 7, 3], 1), ints([1, 2])] });
    await same({ op: 'Mean', attr: keep(false), inputs: [f32([1, 3, 7, 3], 1), ints([1, 2])] });
  });
  for (const op of ['All', 'Any']) {
    it(`${op} on bools`, async () => {
      await same({ op, attr: { keep_dims: attr.b(false) }, inputs: [bools([3, 7], 1), ints([1])] });
      await same({ op, attr: { keep_dims: attr.b(true) }, inputs: [bools([3, 7], 2), ints([0])] });
    });
  }
  for (const op of ['ArgMax', 'ArgMin']) {
    it(`${op}: each axis, int32 out`, async () => {
      const a = { ...T, Tidx: attr.type('int32'), output_type: attr.type('int32') };
      await same({ op, attr: a, inputs: [f32([3, 7], 1), ints([1], [])] });
      await same({ op, attr: a, inputs: [f32([3, 7], 1), ints([0], [])] });
      await same({ op, attr: a, inputs: [f32([1, 3, 7], 2), ints([-1], [])] });
    });
  }
  for (const op of ['Cumsum', 'Cumprod']) {
    it(`${op}: exclusive and reverse`, async () => {
      for (const exclusive of [false, true]) {
        for (const reverse of [false, true]) {
          await same({
            op, attr: { ...T, exclusive: attr.b(exclusive), reverse: attr.b(reverse) },
            inputs: [f32([3, 7], 1, 0.5, 1.5), ints([1], [])],
          });
        }
      }
      await same({ op, attr: T, inputs: [f32([3, 7], 1, 0.5, 1.5), ints([0], [])] });
    });
  }
  it('Bincount and DenseBincount', async () => {
    const x = ints([0, 1, 1, 3, 2, 1, 6], [7]);
    await same({ op: 'Bincount', attr: T, inputs: [x, ints([7], []), f32([7], 1, 0, 1)] });
    await same({ op: 'Bincount', attr: T, inputs: [x, ints([5], []), { dtype: 'float32', shape: [0], values: [] }] });
    await same({ op: 'DenseBincount', attr: { ...T, binary_output: attr.b(false) }, inputs: [x, ints([7], []), f32([7], 2, 0, 1)] });
    await same({
      op: 'DenseBincount', attr: { ...T, binary_output: attr.b(true) },
      inputs: [ints([0, 1, 1, 2, 2, 0], [2, 3]), ints([3], []), { dtype: 'float32', shape: [0], values: [] }],
    });
  });
  it('errors: wrong input count, fractional or multi-valued axis', async () => {
    await refuses({ op: 'Sum', attr: keep(false), inputs: [f32([3], 1)] }, /expected 2 inputs, got 1/);
    await refuses({ op: 'ArgMax', attr: T, inputs: [f32([3, 7], 1), ints([0, 1])] }, /input 1 must hold one value, got 2/);
    await refuses({ op: 'Mean', attr: keep(false), inputs: [f32([3, 7], 1), ints([3])] }, /./, true);
  });
});

describe('matrices', () => {
  it('MatMul with each transpose combination (odd sizes)', async () => {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        const a = f32(ta ? [7, 3] : [3, 7], 1);
        const b = f32(tb ? [1, 7] : [7, 1], 2);
        await same({ op: 'MatMul', attr: { ...T, transpose_a: attr.b(ta), transpose_b: attr.b(tb) }, inputs: [a, b] });
      }
    }
    await same({ op: 'MatMul', attr: T, inputs: [f32([1, 1], 1), f32([1, 3], 2)] });
  });
  it('BatchMatMul and BatchMatMulV2 with adj_x / adj_y and batch broadcasting', async () => {
    await same({
      op: 'BatchMatMul', attr: { ...T, adj_x: attr.b(false), adj_y: attr.b(true) },
      inputs: [f32([3, 1, 7], 1), f32([3, 3, 7], 2)],
    });
    await same({
      op: 'BatchMatMulV2', attr: { ...T, adj_x: attr.b(true), adj_y: attr.b(false) },
      inputs: [f32([2, 3, 7, 3], 1), f32([3, 7, 1], 2)],
    });
  });
  const fusedMatMul = (ops: string[], n: number, extra: Record<string, unknown> = {}) => ({
    ...T, epsilon: attr.f(0), fused_ops: attr.strings(ops), num_args: attr.i(n),
    transpose_a: attr.b(false), transpose_b: attr.b(false), ...extra,
  });
  it('_FusedMatMul: BiasAdd and BiasAdd+Relu as antispoof has them', async () => {
    await same({ op: '_FusedMatMul', attr: fusedMatMul(['BiasAdd'], 1), inputs: [f32([3, 7], 1), f32([7, 3], 2), f32([3], 3)] });
    await same({ op: '_FusedMatMul', attr: fusedMatMul(['BiasAdd', 'Relu'], 1), inputs: [f32([1, 7], 1), f32([7, 3], 2), f32([3], 3)] });
  });
  for (const act of ['Relu6', 'Elu', 'Sigmoid', 'LeakyRelu']) {
    it(`_FusedMatMul: BiasAdd+${act}, transposes`, async () => {
      const a = fusedMatMul(['BiasAdd', act], 1, { transpose_a: attr.b(true), transpose_b: attr.b(true), leakyrelu_alpha: attr.f(0.3) });
      await same({ op: '_FusedMatMul', attr: a, inputs: [f32([7, 3], 1, -3, 3), f32([1, 7], 2, -3, 3), f32([1], 3)] });
    });
  }
  it('_FusedMatMul: BiasAdd+Prelu takes bias and alpha', async () => {
    await same({
      op: '_FusedMatMul', attr: fusedMatMul(['BiasAdd', 'Prelu'], 2),
      inputs: [f32([3, 7], 1), f32([7, 3], 2), f32([3], 3), f32([3], 4, 0, 0.5)],
    });
  });
  it('_FusedMatMul errors: num_args, unknown activation, FusedBatchNorm, input count', async () => {
    const ab = [f32([3, 7], 1), f32([7, 3], 2)];
    await refuses({
      op: '_FusedMatMul', attr: fusedMatMul(['BiasAdd', 'Prelu'], 1),
      inputs: [...ab, f32([3], 3)],
    }, /BiasAdd and Prelu need two extra arguments/, true);
    await refuses({
      op: '_FusedMatMul', attr: fusedMatMul(['BiasAdd'], 2),
      inputs: [...ab, f32([3], 3), f32([3], 4)],
    }, /needs one extra argument/, true);
    await refuses({
      op: '_FusedMatMul', attr: fusedMatMul(['BiasAdd', 'Tanh'], 1),
      inputs: [...ab, f32([3], 3)],
    }, /fused activation 'tanh' is not supported/, true);
    await refuses({ op: '_FusedMatMul', attr: fusedMatMul(['BiasAdd'], 1), inputs: ab }, /num_args is 1, so expected 3 inputs, got 2/);
    await refuses({ op: '_FusedMatMul', attr: fusedMatMul(['BiasAdd'], 1), inputs: [ab[0]!] }, /expected at least 2 inputs, got 1/);
  });
  it('Transpose: perm from an input (handtrack), rank 3 and 4', async () => {
    await same({ op: 'Transpose', attr: { ...T, Tperm: attr.type('int32') }, inputs: [f32([1, 3, 7], 1), ints([2, 0, 1])] });
    await same({ op: 'Transpose', attr: T, inputs: [f32([1, 3, 7, 2], 1), ints([0, 3, 1, 2])] });
    await same({ op: 'Transpose', attr: { T: attr.type('int32') }, inputs: [i32([3, 7], 2), ints([1, 0])] });
  });
  it('Einsum: matmul, batch, transpose, reduce', async () => {
    await same({ op: 'Einsum', attr: { ...T, equation: attr.s('ij,jk->ik'), N: attr.i(2) }, inputs: [f32([3, 7], 1), f32([7, 1], 2)] });
    await same({
      op: 'Einsum', attr: { ...T, equation: attr.s('bij,bjk->bik'), N: attr.i(2) },
      inputs: [f32([2, 3, 7], 1), f32([2, 7, 3], 2)],
    });
    await same({ op: 'Einsum', attr: { ...T, equation: attr.s('ij->ji'), N: attr.i(1) }, inputs: [f32([3, 7], 1)] });
  });
  it('MatrixBandPart (equal bounds: TF.js reads num_lower for both)', async () => {
    await same({ op: 'MatrixBandPart', attr: T, inputs: [f32([3, 7], 1), ints([1], []), ints([1], [])] });
    await same({ op: 'MatrixBandPart', attr: T, inputs: [f32([2, 3, 7], 1), ints([-1], []), ints([-1], [])] });
  });
  it('MatrixBandPart with different bounds reads num_upper from input 2 (TF\'s op)', () => {
    const x = sora.ones([3, 4]);
    const lower = sora.scalar(0, 'int32');
    const upper = sora.scalar(1, 'int32');
    const y = RUN('MatrixBandPart', [x, lower, upper], T);
    expect(Array.from(y.dataSync())).toEqual([1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1]);
    sora.dispose([x, lower, upper, y]);
  });
  it('errors: wrong input counts', async () => {
    await refuses({ op: 'MatMul', attr: T, inputs: [f32([3, 7], 1)] }, /expected 2 inputs, got 1/, true);
    await refuses({ op: 'Transpose', attr: T, inputs: [f32([3, 7], 1), ints([0, 1, 2])] }, /./, true);
    await refuses({ op: 'MatMul', attr: T, inputs: [f32([3, 7], 1), f32([3, 7], 1)] }, /./, true);
  });
});

describe('coverage', () => {
  it('every op of the eight TF.js op lists these families cover has a handler in its family', async () => {
    const families = ['arithmetic', 'basic_math', 'logical', 'reduction', 'matrices', 'normalization', 'convolution', 'image'];
    const missing: string[] = [];
    for (const family of families) {
      const list = (await import(`@tensorflow/tfjs-converter/dist/operations/op_list/${family}.js`)) as { json: { tfOpName: string }[] };
      expect(list.json.length).toBeGreaterThan(3);
      for (const { tfOpName } of list.json) if (GRAPH_OPS.get(tfOpName)?.family !== family) missing.push(`${family}/${tfOpName}`);
    }
    expect(missing).toEqual([]);
  });
});
