/**
 * The reduction family of TF ops: reductions over axes read on the host (input 1, a scalar or
 * a list; 'keep_dims'), ArgMax/ArgMin, the scans (Cumsum, Cumprod with 'exclusive' and
 * 'reverse') and the bin counts.
 */
import type { Tensor } from '../../core/tensor.js';
import {
  all, any, argMax, argMin, bincount, cumprod, cumsum, denseBincount, max, mean, min, prod, sum,
} from '../../ops/index.js';
import type { OpEntry, OpTable } from '../types.js';
import { arity } from './args.js';
import { hostInt, hostInts, tensorInput } from './util.js';

/** A reduction over the axes of input 1. */
function reduce(f: (x: Tensor, axes: number[], keepDims: boolean) => Tensor): OpEntry {
  return {
    valueInputs: [1],
    run: (inputs, ctx) => {
      arity(inputs, 2, ctx);
      return [f(tensorInput(inputs, 0, ctx), hostInts(inputs, 1, ctx), ctx.attrs.bool('keep_dims', false))];
    },
  };
}

/** An index reduction (ArgMax) along the one axis of input 1. */
function argReduce(f: (x: Tensor, axis: number) => Tensor): OpEntry {
  return {
    valueInputs: [1],
    run: (inputs, ctx) => {
      arity(inputs, 2, ctx);
      return [f(tensorInput(inputs, 0, ctx), hostInt(inputs, 1, ctx))];
    },
  };
}

/** A scan (Cumsum) along the one axis of input 1. */
function scan(f: (x: Tensor, axis: number, exclusive: boolean, reverse: boolean) => Tensor): OpEntry {
  return {
    valueInputs: [1],
    run: (inputs, ctx) => {
      arity(inputs, 2, ctx);
      const x = tensorInput(inputs, 0, ctx);
      return [f(x, hostInt(inputs, 1, ctx), ctx.attrs.bool('exclusive', false), ctx.attrs.bool('reverse', false))];
    },
  };
}

/** Handlers of the reduction family, keyed by TF op name. */
export const REDUCTION: OpTable = {
  Max: reduce(max),
  Mean: reduce(mean),
  Min: reduce(min),
  Sum: reduce(sum),
  All: reduce(all),
  Any: reduce(any),
  Prod: reduce(prod),
  ArgMax: argReduce(argMax),
  ArgMin: argReduce(argMin),
  Cumsum: scan(cumsum),
  Cumprod: scan(cumprod),
  Bincount: {
    valueInputs: [1],
    run: (inputs, ctx) => {
      arity(inputs, 3, ctx);
      return [bincount(tensorInput(inputs, 0, ctx), tensorInput(inputs, 2, ctx), hostInt(inputs, 1, ctx))];
    },
  },
  DenseBincount: {
    valueInputs: [1],
    run: (inputs, ctx) => {
      arity(inputs, 3, ctx);
      const [x, weights] = [tensorInput(inputs, 0, ctx), tensorInput(inputs, 2, ctx)];
      return [denseBincount(x, weights, hostInt(inputs, 1, ctx), ctx.attrs.bool('binary_output', false))];
    },
  },
};
