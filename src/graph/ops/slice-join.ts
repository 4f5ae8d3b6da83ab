/**
 * The slice-and-join family of TF ops: concat, gather, slices, pack/unpack, split, tile,
 * reverse and the scatters. Axes, begins, sizes and reps are value inputs (read on the host).
 * Where x itself has host values and the result is small (shape arithmetic: StridedSlice of a
 * Shape, Pack of scalars, ConcatV2 of shape pieces), the result is computed on the host and keeps
 * host values, so a chain of them never reads the device back.
 */
import { ENGINE } from '../../core/engine.js';
import type { Tensor } from '../../core/tensor.js';
import {
  cast, concat, gather, gatherND, reshape, reverse, scatterND, slice, sparseToDense, split, stack, stridedSlice,
  tensorScatterUpdate, tile, unstack,
} from '../../ops/index.js';
import type { GraphValue, OpContext, OpTable } from '../types.js';
import { HOST_LIMIT, entry, expectInputs, hostBox, hostConcat, hostDType, hostOf, hostTensor, stridedPlan } from './host.js';
import { hostInt, hostInts, hostValues, tensorInput, tensorInputs, where } from './util.js';

/** An axis in [-rank, rank), resolved; an Error naming the node otherwise. */
function axisOf(axis: number, rank: number, ctx: OpContext, what = 'axis'): number {
  if (axis < -rank || axis >= rank) throw new Error(`${where(ctx)}: ${what} ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/** Host values of every tensor when all have them and share a numeric dtype; else undefined. */
function allHost(tensors: readonly Tensor[]): ArrayLike<number>[] | undefined {
  const out: ArrayLike<number>[] = [];
  for (const t of tensors) {
    const values = hostOf(t);
    if (values === undefined || t.dtype !== tensors[0]!.dtype) return undefined;
    out.push(values);
  }
  return out;
}

function concatOf(tensors: Tensor[], axis: number, ctx: OpContext): Tensor {
  if (tensors.length === 0) throw new Error(`${where(ctx)}: expected at least one tensor to concatenate`);
  const rank = tensors[0]!.rank;
  const a = axisOf(axis, Math.max(rank, 1), ctx);
  const host = allHost(tensors);
  const dtype = hostDType(tensors[0]!.dtype);
  if (host !== undefined && dtype !== undefined && rank > 0) {
    for (const [i, t] of tensors.entries()) {
      if (t.rank !== rank || t.shape.some((d, k) => k !== a && d !== tensors[0]!.shape[k])) {
        throw new Error(`${where(ctx)}: input ${i} has shape [${t.shape}], which does not join [${tensors[0]!.shape}] along axis ${a}`);
      }
    }
    const joined = hostConcat(tensors.map((t, i) => ({ values: host[i]!, shape: t.shape })), a);
    if (joined.values.length <= HOST_LIMIT) return hostTensor(joined.values, joined.shape, dtype);
  }
  return tensors.length === 1 ? tensors[0]! : concat(tensors, a);
}

function gatherOf(x: Tensor, indices: Tensor, axis: number, batchDims: number, ctx: OpContext): Tensor {
  const a = axisOf(axis, x.rank, ctx);
  const xs = hostOf(x);
  const is = hostOf(indices);
  const dtype = hostDType(x.dtype);
  if (xs !== undefined && is !== undefined && dtype !== undefined && batchDims === 0) {
    const d = x.shape[a]!;
    const outer = x.shape.slice(0, a).reduce((p, q) => p * q, 1);
    const inner = x.shape.slice(a + 1).reduce((p, q) => p * q, 1);
    const out: number[] = [];
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < is.length; k++) {
        const at = is[k]!;
        if (!(at >= 0 && at < d)) {
          throw new Error(`${where(ctx)}: index ${at} is out of range [0, ${d}) of axis ${a} of shape [${x.shape}]`);
        }
        for (let i = 0; i < inner; i++) out.push(xs[(o * d + Math.trunc(at)) * inner + i]!);
      }
    }
    if (out.length <= HOST_LIMIT) return hostTensor(out, [...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)], dtype);
  }
  return ENGINE.tidy(() => gather(x, indices.dtype === 'int32' ? indices : cast(indices, 'int32'), a, batchDims));
}

function sliceOf(x: Tensor, begin: number[], size: number[], ctx: OpContext): Tensor {
  if (begin.length !== x.rank || size.length !== x.rank) {
    throw new Error(`${where(ctx)}: begin [${begin}] and size [${size}] must have one entry per axis of shape [${x.shape}]`);
  }
  const counts = size.map((s, i) => (s === -1 ? x.shape[i]! - begin[i]! : s));
  for (let i = 0; i < x.rank; i++) {
    if (begin[i]! < 0 || counts[i]! < 0 || begin[i]! + counts[i]! > x.shape[i]!) {
      throw new Error(`${where(ctx)}: begin [${begin}] and size [${size}] reach outside shape [${x.shape}] on axis ${i}`);
    }
  }
  const xs = hostOf(x);
  const dtype = hostDType(x.dtype);
  if (xs !== undefined && dtype !== undefined) {
    return hostTensor(hostBox(xs, x.shape, begin, begin.map(() => 1), counts), counts, dtype);
  }
  return slice(x, begin, counts);
}

function stridedSliceOf(inputs: readonly GraphValue[], ctx: OpContext): Tensor {
  expectInputs(inputs, ctx, 4);
  const x = tensorInput(inputs, 0, ctx);
  const begin = hostInts(inputs, 1, ctx);
  const end = hostInts(inputs, 2, ctx);
  const strides = hostInts(inputs, 3, ctx);
  const masks = {
    begin: ctx.attrs.int('begin_mask', 0), end: ctx.attrs.int('end_mask', 0), ellipsis: ctx.attrs.int('ellipsis_mask', 0),
    newAxis: ctx.attrs.int('new_axis_mask', 0), shrink: ctx.attrs.int('shrink_axis_mask', 0),
  };
  const xs = hostOf(x);
  const dtype = hostDType(x.dtype);
  if (xs !== undefined && dtype !== undefined) {
    const plan = stridedPlan(x.shape, begin, end, strides, masks);
    return hostTensor(hostBox(xs, x.shape, plan.start, plan.step, plan.counts), plan.outShape, dtype);
  }
  return stridedSlice(x, begin, end, strides, masks.begin, masks.end, masks.ellipsis, masks.newAxis, masks.shrink);
}

function packOf(inputs: readonly GraphValue[], ctx: OpContext): Tensor {
  const tensors = tensorInputs(inputs, ctx);
  if (tensors.length === 0) throw new Error(`${where(ctx)}: expected at least one tensor to pack`);
  const first = tensors[0]!;
  const a = axisOf(ctx.attrs.int('axis', 0), first.rank + 1, ctx);
  // As TF.js: an input whose shape differs from the first's only by axes of size 1 is reshaped to it.
  const squeezed = first.shape.filter((d) => d !== 1).join(',');
  const same = tensors.map((t, i) => {
    if (t.shape.join(',') === first.shape.join(',')) return t;
    if (t.shape.filter((d) => d !== 1).join(',') !== squeezed) {
      throw new Error(`${where(ctx)}: input ${i} has shape [${t.shape}], input 0 has [${first.shape}]; Pack needs one shape`);
    }
    return reshape(t, first.shape);
  });
  const host = allHost(same);
  const dtype = hostDType(first.dtype);
  if (host !== undefined && dtype !== undefined) {
    const shape = first.shape.slice();
    shape.splice(a, 0, 1);
    const joined = hostConcat(host.map((values) => ({ values, shape })), a);
    if (joined.values.length <= HOST_LIMIT) return hostTensor(joined.values, joined.shape, dtype);
  }
  return stack(same, a);
}

function splitOf(x: Tensor, sizes: number | number[], axis: number, ctx: OpContext): Tensor[] {
  const a = axisOf(axis, x.rank, ctx);
  if (typeof sizes === 'number' && (sizes <= 0 || x.shape[a]! % sizes !== 0)) {
    throw new Error(`${where(ctx)}: axis ${a} of shape [${x.shape}] does not split into ${sizes} equal parts`);
  }
  return split(x, sizes, a);
}

const concatV2 = entry((inputs, ctx) => {
  expectInputs(inputs, ctx, 2, Infinity);
  return [ENGINE.tidy(() => concatOf(tensorInputs(inputs, ctx, 0, inputs.length - 1), hostInt(inputs, inputs.length - 1, ctx), ctx))];
}, { valueInputs: [-1] });

/** Handlers of the slice_join family, keyed by TF op name. */
export const SLICE_JOIN: OpTable = {
  ConcatV2: concatV2,
  Concat: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 2, Infinity);
    return [ENGINE.tidy(() => concatOf(tensorInputs(inputs, ctx, 1), hostInt(inputs, 0, ctx), ctx))];
  }, { valueInputs: [0] }),
  GatherV2: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 3);
    const x = tensorInput(inputs, 0, ctx);
    return [gatherOf(x, tensorInput(inputs, 1, ctx), hostInt(inputs, 2, ctx), ctx.attrs.int('batch_dims', 0), ctx)];
  }, { valueInputs: [2] }),
  Gather: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 2);
    return [gatherOf(tensorInput(inputs, 0, ctx), tensorInput(inputs, 1, ctx), 0, 0, ctx)];
  }),
  Reverse: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 2);
    const x = tensorInput(inputs, 0, ctx);
    const dims = hostValues(inputs, 1, ctx);
    if (dims.length !== x.rank) throw new Error(`${where(ctx)}: dims has ${dims.length} entries for shape [${x.shape}]`);
    const axes: number[] = [];
    for (let i = 0; i < dims.length; i++) if (dims[i]) axes.push(i);
    return [reverse(x, axes)];
  }, { valueInputs: [1] }),
  ReverseV2: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 2);
    const x = tensorInput(inputs, 0, ctx);
    return [reverse(x, hostInts(inputs, 1, ctx).map((a) => axisOf(a, x.rank, ctx)))];
  }, { valueInputs: [1] }),
  Slice: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 3);
    return [sliceOf(tensorInput(inputs, 0, ctx), hostInts(inputs, 1, ctx), hostInts(inputs, 2, ctx), ctx)];
  }, { valueInputs: [1, 2] }),
  StridedSlice: entry((inputs, ctx) => [stridedSliceOf(inputs, ctx)], { valueInputs: [1, 2, 3] }),
  Pack: entry((inputs, ctx) => [ENGINE.tidy(() => packOf(inputs, ctx))]),
  Unpack: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 1);
    const x = tensorInput(inputs, 0, ctx);
    if (x.rank === 0) throw new Error(`${where(ctx)}: cannot unpack a scalar`);
    const a = axisOf(ctx.attrs.int('axis', 0), x.rank, ctx);
    const xs = hostOf(x);
    const dtype = hostDType(x.dtype);
    if (xs !== undefined && dtype !== undefined) {
      // tf.unstack(tf.shape(x)) and the like: each slice from the host values.
      const shape = x.shape.filter((_, i) => i !== a);
      return Array.from({ length: x.shape[a]! }, (_, k) => hostTensor(hostBox(xs, x.shape, x.shape.map((_, i) => (i === a ? k : 0)),
        x.shape.map(() => 1), x.shape.map((d, i) => (i === a ? 1 : d))), shape, dtype));
    }
    return unstack(x, a);
  }),
  Tile: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 2);
    const x = tensorInput(inputs, 0, ctx);
    const reps = hostInts(inputs, 1, ctx);
    if (reps.length !== x.rank) throw new Error(`${where(ctx)}: multiples [${reps}] must have one entry per axis of shape [${x.shape}]`);
    return [tile(x, reps)];
  }, { valueInputs: [1] }),
  Split: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 2);
    return splitOf(tensorInput(inputs, 1, ctx), ctx.attrs.int('num_split', 1), hostInt(inputs, 0, ctx), ctx);
  }, { valueInputs: [0] }),
  SplitV: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 3);
    return splitOf(tensorInput(inputs, 0, ctx), hostInts(inputs, 1, ctx), hostInt(inputs, 2, ctx), ctx);
  }, { valueInputs: [1, 2] }),
  ScatterNd: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 3);
    return [ENGINE.tidy(() => {
      const indices = tensorInput(inputs, 0, ctx);
      return scatterND(indices.dtype === 'int32' ? indices : cast(indices, 'int32'), tensorInput(inputs, 1, ctx), hostInts(inputs, 2, ctx));
    })];
  }, { valueInputs: [2] }),
  GatherNd: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 2);
    return [ENGINE.tidy(() => {
      const indices = tensorInput(inputs, 1, ctx);
      return gatherND(tensorInput(inputs, 0, ctx), indices.dtype === 'int32' ? indices : cast(indices, 'int32'));
    })];
  }),
  SparseToDense: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 4);
    return [ENGINE.tidy(() => {
      const values = tensorInput(inputs, 2, ctx);
      const fallback = tensorInput(inputs, 3, ctx);
      const indices = tensorInput(inputs, 0, ctx);
      return sparseToDense(indices.dtype === 'int32' ? indices : cast(indices, 'int32'), values, hostInts(inputs, 1, ctx),
        fallback.dtype === values.dtype ? fallback : cast(fallback, values.dtype));
    })];
  }, { valueInputs: [1] }),
  TensorScatterUpdate: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 3);
    return [ENGINE.tidy(() => {
      const indices = tensorInput(inputs, 1, ctx);
      return tensorScatterUpdate(tensorInput(inputs, 0, ctx), indices.dtype === 'int32' ? indices : cast(indices, 'int32'),
        tensorInput(inputs, 2, ctx));
    })];
  }),
};
