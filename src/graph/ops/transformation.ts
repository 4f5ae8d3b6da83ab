/**
 * The transformation family of TF ops: Cast, the reshapes (Reshape, ExpandDims, Squeeze,
 * EnsureShape, BroadcastTo), the pads, and the space/batch/depth rearrangements. Shapes, axes
 * and paddings are value inputs (read on the host). Reshapes pass host values on; Cast of host
 * values computes on the host.
 */
import type { Tensor } from '../../core/tensor.js';
import {
  batchToSpaceND, broadcastArgs, broadcastTo, cast, depthToSpace, ensureShape, expandDims, mirrorPad, pad, reshape, spaceToBatchND,
  squeeze,
} from '../../ops/index.js';
import type { GraphValue, OpContext, OpTable } from '../types.js';
import { entry, expectInputs, hostOf, hostTensor, sameValues } from './host.js';
import { hostInt, hostInts, hostNumber, tensorInput, where } from './util.js';

/** A [n, 2] value input as pairs (paddings, crops); an Error naming the node for another shape. */
function pairs(inputs: readonly GraphValue[], i: number, ctx: OpContext, rank?: number): [number, number][] {
  const flat = hostInts(inputs, i, ctx);
  const t = tensorInput(inputs, i, ctx);
  if (t.rank !== 2 || t.shape[1] !== 2 || (rank !== undefined && t.shape[0] !== rank)) {
    throw new Error(`${where(ctx)}: input ${i} must have shape [${rank ?? 'n'}, 2], got [${t.shape}]`);
  }
  const out: [number, number][] = [];
  for (let k = 0; k < flat.length; k += 2) out.push([flat[k]!, flat[k + 1]!]);
  return out;
}

function castOf(x: Tensor, dtype: Tensor['dtype']): Tensor {
  if (x.dtype === dtype) return x;
  const values = hostOf(x);
  if (values !== undefined && (dtype === 'int32' || dtype === 'float32')) {
    return hostTensor(dtype === 'int32' ? Array.from(values, (v) => Math.trunc(v)) : values, x.shape, dtype);
  }
  return cast(x, dtype);
}

const padEntry = entry((inputs, ctx) => {
  expectInputs(inputs, ctx, 2, 3);
  const x = tensorInput(inputs, 0, ctx);
  const value = inputs.length > 2 ? hostNumber(inputs, 2, ctx) : 0;
  return [pad(x, pairs(inputs, 1, ctx, x.rank), value)];
}, { valueInputs: [1, 2] });

/** Handlers of the transformation family, keyed by TF op name. */
export const TRANSFORMATION: OpTable = {
  Cast: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 1);
    return [castOf(tensorInput(inputs, 0, ctx), ctx.attrs.dtype('DstT'))];
  }),
  ExpandDims: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 2);
    const x = tensorInput(inputs, 0, ctx);
    return [sameValues(x, expandDims(x, hostInt(inputs, 1, ctx)))];
  }, { valueInputs: [1] }),
  Squeeze: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 1);
    const x = tensorInput(inputs, 0, ctx);
    // TF names the attribute squeeze_dims; TF.js's converter also reads axis.
    const axes = ctx.attrs.has('squeeze_dims') ? ctx.attrs.ints('squeeze_dims') : ctx.attrs.ints('axis', []);
    return [sameValues(x, squeeze(x, axes))];
  }),
  Reshape: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 2);
    const x = tensorInput(inputs, 0, ctx);
    return [sameValues(x, reshape(x, hostInts(inputs, 1, ctx)))];
  }, { valueInputs: [1] }),
  EnsureShape: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 1, 2);
    const x = tensorInput(inputs, 0, ctx);
    // TF's EnsureShape carries the shape as an attribute; TF.js's converter reads it from input 1.
    const dims = inputs.length > 1 ? hostInts(inputs, 1, ctx) : ctx.attrs.shape('shape');
    if (dims === undefined) return [x];
    const out = ensureShape(x, dims.map((d) => (d < 0 ? null : d)));
    return [out === x ? x : sameValues(x, out)];
  }, { valueInputs: [1] }),
  Pad: padEntry,
  PadV2: padEntry,
  MirrorPad: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 2);
    const x = tensorInput(inputs, 0, ctx);
    const mode = ctx.attrs.string('mode').toLowerCase();
    if (mode !== 'reflect' && mode !== 'symmetric') throw new Error(`${where(ctx)}: mode must be REFLECT or SYMMETRIC, got '${mode}'`);
    return [mirrorPad(x, pairs(inputs, 1, ctx, x.rank), mode)];
  }, { valueInputs: [1] }),
  SpaceToBatchND: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 3);
    return [spaceToBatchND(tensorInput(inputs, 0, ctx), hostInts(inputs, 1, ctx), pairs(inputs, 2, ctx))];
  }, { valueInputs: [1, 2] }),
  BatchToSpaceND: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 3);
    return [batchToSpaceND(tensorInput(inputs, 0, ctx), hostInts(inputs, 1, ctx), pairs(inputs, 2, ctx))];
  }, { valueInputs: [1, 2] }),
  DepthToSpace: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 1);
    const format = ctx.attrs.string('data_format', 'NHWC').toUpperCase();
    if (format !== 'NHWC' && format !== 'NCHW') throw new Error(`${where(ctx)}: data_format must be NHWC or NCHW, got '${format}'`);
    return [depthToSpace(tensorInput(inputs, 0, ctx), ctx.attrs.int('block_size'), format)];
  }),
  BroadcastTo: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 2);
    return [broadcastTo(tensorInput(inputs, 0, ctx), hostInts(inputs, 1, ctx))];
  }, { valueInputs: [1] }),
  BroadcastArgs: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 2);
    const [s0, s1] = [tensorInput(inputs, 0, ctx), tensorInput(inputs, 1, ctx)];
    const [a, b] = [hostOf(s0), hostOf(s1)];
    if (a === undefined || b === undefined || s0.rank !== 1 || s1.rank !== 1) return [broadcastArgs(s0, s1)];
    // Both shapes known on the host: the broadcast shape, right-aligned, computed here.
    const out: number[] = [];
    for (let i = 1; i <= Math.max(a.length, b.length); i++) {
      const p = i <= a.length ? a[a.length - i]! : 1;
      const q = i <= b.length ? b[b.length - i]! : 1;
      if (p !== q && p !== 1 && q !== 1) {
        throw new Error(`${where(ctx)}: shapes [${Array.from(a)}] and [${Array.from(b)}] do not broadcast`);
      }
      out.unshift(p === 1 ? q : p);
    }
    return [hostTensor(out, [out.length], 'int32')];
  }),
};
