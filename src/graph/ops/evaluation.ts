/**
 * The evaluation family of TF ops: TopKV2, the sorted searches, Unique and InTopKV2. Unique
 * reads x back (its output shape depends on the values), so it is async and works on every
 * backend, webgpu included.
 */
import { ENGINE } from '../../core/engine.js';
import type { Tensor } from '../../core/tensor.js';
import { cast, gather, inTopKAsync, lowerBound, tensor, topk, unique, upperBound } from '../../ops/index.js';
import type { GraphValue, OpContext, OpTable } from '../types.js';
import { entry, expectInputs } from './host.js';
import { hostInt, tensorInput, where } from './util.js';

/** Unique along `axis` from values read back: the first occurrence of each slice, and each slice's index among them. */
async function uniqueOf(x: Tensor, axis: number, ctx: OpContext): Promise<Tensor[]> {
  if (x.rank === 0) throw new Error(`${where(ctx)}: x must have rank 1 or more, got a scalar`);
  if (axis < -x.rank || axis >= x.rank) throw new Error(`${where(ctx)}: axis ${axis} is out of range for shape [${x.shape}]`);
  const a = axis < 0 ? axis + x.rank : axis;
  if (x.dtype === 'string' || x.dtype === 'complex64') {
    const out = unique(x, a);
    return [out.values, out.indices];
  }
  const data = await x.data() as ArrayLike<number>;
  const outer = x.shape.slice(0, a).reduce((p, q) => p * q, 1);
  const length = x.shape[a]!;
  const inner = x.shape.slice(a + 1).reduce((p, q) => p * q, 1);
  const seen = new Map<string, number>();
  const firsts: number[] = [];
  const indices = new Int32Array(length);
  for (let l = 0; l < length; l++) {
    const parts: number[] = [];
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) parts.push(data[(o * length + l) * inner + i]! + 0);
    const key = parts.join(',');
    let at = seen.get(key);
    if (at === undefined) { at = firsts.length; seen.set(key, at); firsts.push(l); }
    indices[l] = at;
  }
  return ENGINE.tidy(() => [gather(x, tensor(firsts, [firsts.length], 'int32'), a), tensor(indices, [length], 'int32')]);
}

function searchInputs(inputs: readonly GraphValue[], ctx: OpContext): [Tensor, Tensor] {
  expectInputs(inputs, ctx, 2);
  const sorted = tensorInput(inputs, 0, ctx);
  const values = tensorInput(inputs, 1, ctx);
  if (sorted.rank < 1 || values.rank !== sorted.rank || values.shape.slice(0, -1).join(',') !== sorted.shape.slice(0, -1).join(',')) {
    throw new Error(`${where(ctx)}: sorted_inputs [${sorted.shape}] and values [${values.shape}] must share their leading axes`);
  }
  return [sorted, values];
}

/** Handlers of the evaluation family, keyed by TF op name. */
export const EVALUATION: OpTable = {
  TopKV2: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 2);
    const x = tensorInput(inputs, 0, ctx);
    const k = hostInt(inputs, 1, ctx);
    if (x.rank < 1) throw new Error(`${where(ctx)}: input must have rank 1 or more, got a scalar`);
    const last = x.shape[x.rank - 1]!;
    if (k < 0 || k > last) throw new Error(`${where(ctx)}: k ${k} must be in [0, ${last}] for shape [${x.shape}]`);
    const out = topk(x, k, ctx.attrs.bool('sorted', true));
    return [out.values, out.indices];
  }, { valueInputs: [1] }),
  LowerBound: entry((inputs, ctx) => [lowerBound(...searchInputs(inputs, ctx))]),
  UpperBound: entry((inputs, ctx) => [upperBound(...searchInputs(inputs, ctx))]),
  Unique: entry(async (inputs, ctx) => {
    expectInputs(inputs, ctx, 1);
    return uniqueOf(tensorInput(inputs, 0, ctx), 0, ctx);
  }, { async: true }),
  UniqueV2: entry(async (inputs, ctx) => {
    expectInputs(inputs, ctx, 2);
    return uniqueOf(tensorInput(inputs, 0, ctx), hostInt(inputs, 1, ctx), ctx);
  }, { async: true, valueInputs: [1] }),
  InTopKV2: entry(async (inputs, ctx) => {
    expectInputs(inputs, ctx, 3);
    const predictions = tensorInput(inputs, 0, ctx);
    const targets = tensorInput(inputs, 1, ctx);
    const k = hostInt(inputs, 2, ctx);
    const ids = targets.dtype === 'int32' ? targets : cast(targets, 'int32');
    try {
      return [await inTopKAsync(predictions, ids, k)];
    } finally {
      if (ids !== targets) ids.dispose();
    }
  }, { async: true, valueInputs: [2] }),
};
