/**
 * The graph, transformation, slice_join, creation and evaluation families against TF.js's own
 * graph executor, one node at a time, on the device route and the host route (op-routes.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { CaseInput, OpCase } from './op-harness.js';
import { attr, ints, randomInput } from './op-harness.js';
import { check, failure, soraRunRoute } from './op-routes.js';

const f32 = (values: number[], shape = [values.length]): CaseInput => ({ dtype: 'float32', shape, values });
const bools = (values: boolean[], shape = [values.length]): CaseInput => ({ dtype: 'bool', shape, values });
const iota = (shape: number[], dtype: 'int32' | 'float32' = 'int32'): CaseInput => {
  const size = shape.reduce((a, b) => a * b, 1);
  return { dtype, shape, values: Array.from({ length: size }, (_, i) => i - 3) };
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('graph family', () => {
  const x = randomInput([2, 3, 4], 1);
  it.each<[string, OpCase]>([
    ['Identity', { op: 'Identity', inputs: [x] }],
    ['Snapshot', { op: 'Snapshot', inputs: [iota([3])] }],
    ['StopGradient', { op: 'StopGradient', inputs: [x] }],
    ['IdentityN', { op: 'IdentityN', inputs: [x, iota([2, 2])], outputs: 2 }],
    ['Shape', { op: 'Shape', inputs: [x] }],
    ['Shape of a scalar', { op: 'Shape', inputs: [f32([1], [])] }],
    ['Size', { op: 'Size', inputs: [x] }],
    ['Rank', { op: 'Rank', inputs: [x] }],
  ])('%s', async (_, c) => {
    await check(c);
  });

  it('ShapeN gives int32 shapes (TF.js gives float32 ones: TF says out_type, int32 by default)', async () => {
    const out = await soraRunRoute({ op: 'ShapeN', inputs: [x, iota([5])], outputs: 2 }, false);
    expect(out.outputs).toEqual([{ dtype: 'int32', shape: [3], values: [2, 3, 4] }, { dtype: 'int32', shape: [1], values: [5] }]);
    expect(out.hostOutputs).toEqual([true, true]);
  });

  it('Print logs its message and the first summarize values of each data input, and passes x on; NoOp gives nothing', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      await check({ op: 'Print', attr: { message: attr.s('here'), summarize: attr.i(2) }, inputs: [x, iota([4])] });
      const lines = log.mock.calls.map((c) => JSON.stringify(c));
      // Once from TF.js's run, once from each of sora's two routes.
      expect(lines.filter((l) => l === JSON.stringify(['here'])).length).toBe(3);
      expect(lines.filter((l) => l === JSON.stringify([[-3, -2]])).length).toBe(3);
    } finally {
      log.mockRestore();
      warn.mockRestore();
    }
    expect(await soraRunRoute({ op: 'NoOp', inputs: [], outputs: 0 }, false)).toEqual({ outputs: [], hostOutputs: [] });
  });

  it('Shape, Size and Rank record host values', async () => {
    expect(await check({ op: 'Shape', inputs: [randomInput([1, 7, 2], 2)] })).toEqual([true]);
    expect(await check({ op: 'Size', inputs: [randomInput([3, 2], 2)] })).toEqual([true]);
  });
});

describe('transformation family', () => {
  const x = randomInput([2, 3, 4], 3);
  it.each<[string, OpCase]>([
    ['Reshape', { op: 'Reshape', inputs: [x, ints([4, -1])] }],
    ['Reshape to scalar', { op: 'Reshape', inputs: [f32([5], [1, 1]), ints([])] }],
    ['ExpandDims', { op: 'ExpandDims', inputs: [x, ints([1], [])] }],
    ['ExpandDims -1', { op: 'ExpandDims', inputs: [iota([2, 2]), ints([-1])] }],
    ['Squeeze dims', { op: 'Squeeze', attr: { squeeze_dims: attr.ints([0, 2]) }, inputs: [randomInput([1, 3, 1, 2], 4)] }],
    ['Squeeze all', { op: 'Squeeze', inputs: [randomInput([1, 3, 1, 2], 4)] }],
    ['Cast float to int', { op: 'Cast', attr: { DstT: attr.type('int32') }, inputs: [f32([-2.7, -0.5, 0, 1.5, 3.9])] }],
    ['Cast int to float', { op: 'Cast', attr: { DstT: attr.type('float32') }, inputs: [iota([2, 3])] }],
    ['Cast float to bool', { op: 'Cast', attr: { DstT: attr.type('bool') }, inputs: [f32([0, 2, -1, 0])] }],
    ['Cast bool to int', { op: 'Cast', attr: { DstT: attr.type('int32') }, inputs: [bools([true, false, true])] }],
    ['Cast same dtype', { op: 'Cast', attr: { DstT: attr.type('float32') }, inputs: [x] }],
    ['Pad', { op: 'Pad', inputs: [x, ints([0, 1, 2, 0, 1, 1], [3, 2])] }],
    ['Pad int', { op: 'Pad', inputs: [iota([2, 2]), ints([1, 1, 0, 2], [2, 2])] }],
    ['PadV2', { op: 'PadV2', inputs: [x, ints([1, 0, 0, 0, 0, 2], [3, 2]), f32([2.5], [])] }],
    ['MirrorPad REFLECT', { op: 'MirrorPad', attr: { mode: attr.s('REFLECT') }, inputs: [iota([3, 4]), ints([1, 2, 2, 1], [2, 2])] }],
    ['MirrorPad SYMMETRIC', { op: 'MirrorPad', attr: { mode: attr.s('SYMMETRIC') }, inputs: [iota([3, 4]), ints([2, 3, 0, 1], [2, 2])] }],
    ['SpaceToBatchND', { op: 'SpaceToBatchND', inputs: [randomInput([1, 4, 4, 2], 5), ints([2, 2]), ints([0, 0, 0, 0], [2, 2])] }],
    ['SpaceToBatchND padded', { op: 'SpaceToBatchND', inputs: [randomInput([2, 3, 3, 1], 5), ints([2, 2]), ints([1, 0, 0, 1], [2, 2])] }],
    ['BatchToSpaceND', { op: 'BatchToSpaceND', inputs: [randomInput([4, 2, 2, 1], 6), ints([2, 2]), ints([0, 0, 0, 1], [2, 2])] }],
    ['DepthToSpace', { op: 'DepthToSpace', attr: { block_size: attr.i(2), data_format: attr.s('NHWC') },
      inputs: [randomInput([1, 2, 3, 8], 7)] }],
    ['BroadcastTo', { op: 'BroadcastTo', inputs: [randomInput([3, 1], 8), ints([2, 3, 4])] }],
    ['BroadcastArgs', { op: 'BroadcastArgs', inputs: [ints([3, 1]), ints([2, 1, 4])] }],
    ['BroadcastArgs with 0', { op: 'BroadcastArgs', inputs: [ints([0, 1]), ints([1, 1, 6])] }],
    ['EnsureShape', { op: 'EnsureShape', inputs: [x, ints([2, 3, 4])] }],
  ])('%s', async (_, c) => {
    await check(c);
  });

  it('Reshape, ExpandDims and Cast keep host values for the shape arithmetic that follows', async () => {
    expect(await check({ op: 'Reshape', inputs: [iota([2, 3]), ints([3, 2])] })).toEqual([true]);
    expect(await check({ op: 'ExpandDims', inputs: [iota([2]), ints([0])] })).toEqual([true]);
    expect(await check({ op: 'Cast', attr: { DstT: attr.type('int32') }, inputs: [f32([1.5, 2])] })).toEqual([true]);
    expect(await check({ op: 'BroadcastArgs', inputs: [ints([5, 1, 3]), ints([4, 1])] })).toEqual([true]);
  });

  it('bad inputs name the node and what is wrong, and leak nothing', async () => {
    expect(await failure({ op: 'Reshape', inputs: [iota([2, 3]), ints([4, 2])] })).toMatch(/node 'op' \(Reshape\).*\[4,2\]/);
    expect(await failure({ op: 'Pad',
      inputs: [iota([2, 3]), ints([1, 1], [1, 2])] })).toMatch(/node 'op' \(Pad\): input 1 must have shape \[2, 2\]/);
    expect(await failure({ op: 'Squeeze', attr: { squeeze_dims: attr.ints([0]) },
      inputs: [iota([2, 3])] })).toMatch(/node 'op' \(Squeeze\)/);
    expect(await failure({ op: 'BroadcastArgs', inputs: [ints([2, 3]), ints([4, 3])] })).toMatch(/node 'op' \(BroadcastArgs\)/);
    expect(await failure({ op: 'Reshape', inputs: [iota([2, 3])] })).toMatch(/node 'op' \(Reshape\): expected 2 inputs, got 1/);
    expect(await failure({ op: 'Cast', inputs: [iota([2])] })).toMatch(/node 'op' \(Cast\).*DstT/);
    expect(await failure({ op: 'MirrorPad', attr: { mode: attr.s('EDGE') },
      inputs: [iota([3]), ints([1, 1], [1, 2])] })).toMatch(/REFLECT/);
  });
});

/** StridedSlice cases: [begin, end, strides, masks]. */
type Masks = Partial<Record<'begin_mask' | 'end_mask' | 'ellipsis_mask' | 'new_axis_mask' | 'shrink_axis_mask', number>>;
const stridedCases: [string, number[], number[], number[], number[], Masks][] = [
  ['plain', [2, 3, 4], [0, 1, 1], [2, 3, 3], [1, 1, 1], {}],
  ['negative indices', [2, 3, 4], [-1, -3, -4], [2, -1, -1], [1, 1, 2], {}],
  ['negative strides', [2, 3, 4], [1, 2, 3], [-3, -4, 0], [-1, -1, -2], {}],
  ['begin_mask', [2, 3, 4], [1, 2, 3], [2, 3, 4], [1, 1, 1], { begin_mask: 0b101 }],
  ['end_mask', [2, 3, 4], [0, 1, 1], [0, 0, 0], [1, 1, 1], { end_mask: 0b111 }],
  ['begin and end masks with negative stride', [5], [0], [0], [-2], { begin_mask: 1, end_mask: 1 }],
  ['shrink_axis_mask', [2, 3, 4], [1, 0, -1], [2, 3, 0], [1, 1, 1], { shrink_axis_mask: 0b101 }],
  ['shrink to scalar', [4], [2], [3], [1], { shrink_axis_mask: 1 }],
  ['new_axis_mask', [2, 3], [0, 0, 1], [0, 2, 3], [1, 1, 1], { new_axis_mask: 0b001 }],
  ['new axis in the middle', [2, 3], [0, 0, 0], [2, 0, 3], [1, 1, 1], { new_axis_mask: 0b010 }],
  ['ellipsis_mask', [2, 3, 4], [0, 1], [0, 3], [1, 2], { ellipsis_mask: 0b01 }],
  ['ellipsis then new axis', [2, 3, 4], [0, 0], [0, 0], [1, 1], { ellipsis_mask: 0b01, new_axis_mask: 0b10 }],
  ['ellipsis in the middle with shrink', [2, 3, 4], [1, 0, 2], [2, 0, 3], [1, 1, 1], { ellipsis_mask: 0b010, shrink_axis_mask: 0b101 }],
  ['fewer entries than rank', [2, 3, 4], [1], [2], [1], {}],
  ['out of range clamps', [2, 3, 4], [-10, 0, 2], [10, 10, 100], [1, 2, 1], {}],
  ['empty result', [2, 3, 4], [1, 2, 0], [1, 1, 4], [1, 1, 1], {}],
  ['all masks', [2, 3, 4, 5], [0, 1, 0, 2], [0, 2, 0, 0], [1, 1, 1, -1],
    { begin_mask: 0b0001, end_mask: 0b1000, new_axis_mask: 0b0100, shrink_axis_mask: 0b0010 }],
];

describe('slice_join family', () => {
  const x = randomInput([2, 3, 4], 9);
  it.each(stridedCases)('StridedSlice %s', async (_, shape, begin, end, strides, masks) => {
    const a: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(masks)) a[k] = attr.i(v);
    await check({ op: 'StridedSlice', attr: a, inputs: [iota(shape), ints(begin), ints(end), ints(strides)] });
    await check({ op: 'StridedSlice', attr: a, inputs: [iota(shape, 'float32'), ints(begin), ints(end), ints(strides)] });
  });

  it.each<[string, OpCase]>([
    ['ConcatV2', { op: 'ConcatV2', attr: { N: attr.i(3) },
      inputs: [randomInput([2, 1], 1), randomInput([2, 3], 2), randomInput([2, 2], 3), ints([-1], [])] }],
    ['ConcatV2 axis 0 int', { op: 'ConcatV2', attr: { N: attr.i(2) }, inputs: [iota([1, 2]), iota([3, 2]), ints([0], [])] }],
    ['ConcatV2 of one', { op: 'ConcatV2', attr: { N: attr.i(1) }, inputs: [iota([3]), ints([0], [])] }],
    ['ConcatV2 1-D shapes', { op: 'ConcatV2', attr: { N: attr.i(3) }, inputs: [ints([1]), ints([5, 6]), ints([]), ints([0], [])] }],
    ['Concat', { op: 'Concat', attr: { N: attr.i(2) }, inputs: [ints([1], []), randomInput([2, 2], 1), randomInput([2, 3], 2)] }],
    ['GatherV2', { op: 'GatherV2', inputs: [x, ints([2, 0, 2, 1]), ints([1], [])] }],
    ['GatherV2 axis -1 2-D indices', { op: 'GatherV2', inputs: [iota([3, 4]), ints([3, 0, 1, 1], [2, 2]), ints([-1], [])] }],
    ['GatherV2 batch_dims', { op: 'GatherV2', attr: { batch_dims: attr.i(1) }, inputs: [x, ints([2, 0, 1, 1], [2, 2]), ints([2], [])] }],
    ['GatherV2 scalar index', { op: 'GatherV2', inputs: [iota([4]), ints([2], []), ints([0], [])] }],
    ['Gather', { op: 'Gather', inputs: [x, ints([1, 0, 1])] }],
    ['GatherNd', { op: 'GatherNd', inputs: [x, ints([1, 2, 0, 1, 0, 0], [3, 2])] }],
    ['GatherNd full index', { op: 'GatherNd', inputs: [x, ints([1, 2, 3, 0, 0, 0], [2, 3])] }],
    ['Slice', { op: 'Slice', inputs: [x, ints([1, 0, 1]), ints([1, -1, 2])] }],
    ['Slice int', { op: 'Slice', inputs: [iota([6]), ints([2]), ints([3])] }],
    ['Pack', { op: 'Pack', attr: { axis: attr.i(1), N: attr.i(3) },
      inputs: [randomInput([2, 3], 1), randomInput([2, 3], 2), randomInput([2, 3], 3)] }],
    ['Pack scalars', { op: 'Pack', attr: { N: attr.i(3) }, inputs: [ints([1], []), ints([-1], []), ints([7], [])] }],
    ['Pack axis -1', { op: 'Pack', attr: { axis: attr.i(-1), N: attr.i(2) }, inputs: [iota([2, 2]), iota([2, 2])] }],
    ['Pack of one', { op: 'Pack', attr: { N: attr.i(1) }, inputs: [iota([3])] }],
    ['Unpack', { op: 'Unpack', attr: { axis: attr.i(1), num: attr.i(3) }, inputs: [x], outputs: 3 }],
    ['Unpack axis -1', { op: 'Unpack', attr: { axis: attr.i(-1), num: attr.i(4) }, inputs: [x], outputs: 4 }],
    ['Tile', { op: 'Tile', inputs: [iota([2, 3]), ints([2, 1])] }],
    ['Split', { op: 'Split', attr: { num_split: attr.i(2) }, inputs: [ints([2], []), x], outputs: 2 }],
    ['Split axis -3', { op: 'Split', attr: { num_split: attr.i(2) }, inputs: [ints([-3], []), x], outputs: 2 }],
    ['SplitV', { op: 'SplitV', attr: { num_split: attr.i(3) }, inputs: [x, ints([1, -1, 1]), ints([2], [])], outputs: 3 }],
    ['Reverse', { op: 'Reverse', inputs: [x, bools([true, false, true])] }],
    ['ReverseV2', { op: 'ReverseV2', inputs: [x, ints([1, -1])] }],
    ['ScatterNd', { op: 'ScatterNd', inputs: [ints([0, 2, 1], [3, 1]), f32([1, 2, 3]), ints([4])] }],
    ['TensorScatterUpdate', { op: 'TensorScatterUpdate', inputs: [iota([4, 2]), ints([3, 0], [2, 1]), ints([9, 9, 8, 8], [2, 2])] }],
    ['SparseToDense', { op: 'SparseToDense', inputs: [ints([0, 2], [2, 1]), ints([5]), f32([4, 5]), f32([-1], [])] }],
  ])('%s', async (_, c) => {
    await check(c);
  });

  it('Shape -> StridedSlice -> Pack -> Reshape runs on host values', async () => {
    expect(await check({ op: 'StridedSlice', attr: { shrink_axis_mask: attr.i(1) },
      inputs: [ints([1, 7, 2]), ints([1]), ints([2]), ints([1])] }))
      .toEqual([true]);
    expect(await check({ op: 'Pack', inputs: [ints([7], []), ints([-1], [])] })).toEqual([true]);
    expect(await check({ op: 'ConcatV2', inputs: [ints([1, 2]), ints([3]), ints([0], [])] })).toEqual([true]);
    expect(await check({ op: 'GatherV2', inputs: [ints([4, 5, 6]), ints([2, 0]), ints([0], [])] })).toEqual([true]);
    expect(await check({ op: 'Slice', inputs: [ints([4, 5, 6]), ints([1]), ints([-1])] })).toEqual([true]);
    expect(await check({ op: 'Unpack', attr: { num: attr.i(3) }, inputs: [ints([4, 5, 6])], outputs: 3 })).toEqual([true, true, true]);
    expect(await check({ op: 'Unpack', attr: { axis: attr.i(1) }, inputs: [iota([2, 3])], outputs: 3 })).toEqual([true, true, true]);
  });

  it('bad inputs name the node and what is wrong, and leak nothing', async () => {
    expect(await failure({ op: 'ConcatV2',
      inputs: [iota([2]), iota([2]), ints([1], [])] })).toMatch(/node 'op' \(ConcatV2\): axis 1 is out of range for rank 1/);
    expect(await failure({ op: 'ConcatV2', inputs: [iota([2, 2]), iota([3, 3]), ints([0], [])] })).toMatch(/node 'op' \(ConcatV2\)/);
    expect(await failure({ op: 'GatherV2', inputs: [iota([3]), ints([0]), ints([2], [])] })).toMatch(/axis 2 is out of range/);
    expect(await failure({ op: 'Split', attr: { num_split: attr.i(4) },
      inputs: [ints([0], []), iota([6])] })).toMatch(/does not split into 4/);
    expect(await failure({ op: 'Slice', inputs: [iota([3]), ints([2]), ints([2])] })).toMatch(/reach outside shape \[3\]/);
    expect(await failure({ op: 'StridedSlice', attr: { shrink_axis_mask: attr.i(1) },
      inputs: [iota([3]), ints([5]), ints([6]), ints([1])] }))
      .toMatch(/node 'op' \(StridedSlice\).*out of range/);
    expect(await failure({ op: 'StridedSlice', inputs: [iota([3]), ints([0]), ints([2])] })).toMatch(/expected 4 inputs, got 3/);
    expect(await failure({ op: 'Pack', inputs: [iota([2]), iota([3])] })).toMatch(/Pack needs one shape/);
    expect(await failure({ op: 'Tile', inputs: [iota([2]), ints([2, 2])] })).toMatch(/multiples \[2,2\]/);
  });
});

describe('creation family', () => {
  it.each<[string, OpCase]>([
    ['Fill float', { op: 'Fill', attr: { T: attr.type('float32') }, inputs: [ints([2, 3]), f32([1.5], [])] }],
    ['Fill int', { op: 'Fill', attr: { T: attr.type('int32') }, inputs: [ints([4]), ints([7], [])] }],
    ['Fill string', { op: 'Fill', attr: { T: attr.type('string') }, inputs: [ints([2]), { dtype: 'string', shape: [], values: ['ab'] }] }],
    ['Fill bool', { op: 'Fill', attr: { T: attr.type('bool') }, inputs: [ints([3]), { dtype: 'bool', shape: [], values: [true] }] }],
    ['Fill empty', { op: 'Fill', attr: { T: attr.type('float32') }, inputs: [ints([0, 3]), f32([1], [])] }],
    ['Range int', { op: 'Range', attr: { Tidx: attr.type('int32') }, inputs: [ints([2], []), ints([11], []), ints([3], [])] }],
    ['Range float', { op: 'Range', attr: { Tidx: attr.type('float32') }, inputs: [f32([0.5], []), f32([2], []), f32([0.1], [])] }],
    ['Range down', { op: 'Range', attr: { Tidx: attr.type('int32') }, inputs: [ints([5], []), ints([-2], []), ints([-2], [])] }],
    ['Range empty', { op: 'Range', attr: { Tidx: attr.type('int32') }, inputs: [ints([3], []), ints([3], []), ints([1], [])] }],
    ['LinSpace', { op: 'LinSpace', inputs: [f32([-1], []), f32([2], []), ints([7], [])] }],
    ['OneHot', { op: 'OneHot', attr: { T: attr.type('float32'), axis: attr.i(-1) },
      inputs: [ints([0, 2, 5, 1]), ints([4], []), f32([3], []), f32([-1], [])] }],
    ['Ones', { op: 'Ones', attr: { T: attr.type('float32') }, inputs: [ints([2, 2])] }],
    ['Zeros', { op: 'Zeros', attr: { T: attr.type('int32') }, inputs: [ints([3])] }],
    ['OnesLike', { op: 'OnesLike', inputs: [iota([2, 3])] }],
    ['ZerosLike', { op: 'ZerosLike', inputs: [randomInput([2, 3], 1)] }],
  ])('%s', async (_, c) => {
    await check(c);
  });

  it('random ops give the shape, dtype and range asked for', async () => {
    const u = await soraRunRoute({ op: 'RandomUniform', attr: { dtype: attr.type('float32'), seed: attr.i(3) },
      inputs: [ints([50, 4])] }, false);
    expect(u.outputs[0]!.shape).toEqual([50, 4]);
    expect((u.outputs[0]!.values as number[]).every((v) => v >= 0 && v < 1)).toBe(true);
    const n = await soraRunRoute({ op: 'RandomStandardNormal', attr: { dtype: attr.type('float32') }, inputs: [ints([1000])] }, false);
    const mean = (n.outputs[0]!.values as number[]).reduce((a, b) => a + b, 0) / 1000;
    expect(Math.abs(mean)).toBeLessThan(0.15);
    const t = await soraRunRoute({ op: 'TruncatedNormal', attr: { dtype: attr.type('float32'), stddev: attr.f(2) },
      inputs: [ints([500])] }, false);
    expect((t.outputs[0]!.values as number[]).every((v) => Math.abs(v) <= 4)).toBe(true);
    const i = await soraRunRoute({ op: 'RandomUniformInt', attr: { seed: attr.i(1) },
      inputs: [ints([300]), ints([-2], []), ints([3], [])] }, false);
    expect(i.outputs[0]!.dtype).toBe('int32');
    expect(new Set(i.outputs[0]!.values as number[])).toEqual(new Set([-2, -1, 0, 1, 2]));
    const m = await soraRunRoute({ op: 'Multinomial', attr: { seed: attr.i(1) },
      inputs: [f32([0, -100, 0, -100, 0, 0], [2, 3]), ints([20], [])] }, false);
    expect(m.outputs[0]!.shape).toEqual([2, 20]);
    // Row 0 puts no mass on class 1; row 1 almost none on class 0.
    expect((m.outputs[0]!.values as number[]).slice(0, 20).every((v) => v === 0 || v === 2)).toBe(true);
    expect((m.outputs[0]!.values as number[]).slice(20).every((v) => v === 1 || v === 2)).toBe(true);
  });

  it('Fill and Range of host values record host values', async () => {
    expect(await check({ op: 'Fill', attr: { T: attr.type('int32') }, inputs: [ints([2]), ints([0], [])] })).toEqual([true]);
    expect(await check({ op: 'Range', attr: { Tidx: attr.type('int32') },
      inputs: [ints([0], []), ints([4], []), ints([1], [])] })).toEqual([true]);
  });

  it('bad inputs name the node and what is wrong, and leak nothing', async () => {
    expect(await failure({ op: 'Fill', attr: { T: attr.type('float32') },
      inputs: [ints([2, -1]), f32([1], [])] })).toMatch(/node 'op' \(Fill\): shape \[2,-1\] has a negative/);
    expect(await failure({ op: 'Range', attr: { Tidx: attr.type('int32') },
      inputs: [ints([0], []), ints([4], []), ints([0], [])] })).toMatch(/delta must not be zero/);
    expect(await failure({ op: 'OneHot', attr: { axis: attr.i(0) },
      inputs: [ints([0]), ints([2], []), f32([1], []), f32([0], [])] })).toMatch(/axis 0 is not supported/);
  });
});

describe('evaluation family', () => {
  it.each<[string, OpCase]>([
    ['TopKV2', { op: 'TopKV2', attr: { sorted: attr.b(true) }, inputs: [randomInput([3, 7], 11), ints([3], [])], outputs: 2 }],
    ['TopKV2 int with ties', { op: 'TopKV2', attr: { sorted: attr.b(true) },
      inputs: [ints([3, 1, 3, 2, 1, 3]), ints([4], [])], outputs: 2 }],
    ['TopKV2 k=0', { op: 'TopKV2', inputs: [randomInput([5], 12), ints([0], [])], outputs: 2 }],
    ['LowerBound', { op: 'LowerBound', inputs: [f32([1, 2, 2, 5, 0, 3, 3, 4], [2, 4]), f32([2, 6, 0, 3, 3, 1], [2, 3])] }],
    ['UpperBound', { op: 'UpperBound', inputs: [f32([1, 2, 2, 5, 0, 3, 3, 4], [2, 4]), f32([2, 6, 0, 3, 3, 1], [2, 3])] }],
  ])('%s', async (_, c) => {
    await check(c);
  });

  it('bad inputs name the node and what is wrong', async () => {
    expect(await failure({ op: 'TopKV2',
      inputs: [randomInput([3], 1), ints([4], [])] })).toMatch(/node 'op' \(TopKV2\): k 4 must be in \[0, 3\]/);
  });
});
