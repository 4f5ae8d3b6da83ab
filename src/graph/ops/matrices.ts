/**
 * The matrices family of TF ops: MatMul and BatchMatMul (V1, V2) with their transpose attrs,
 * _FusedMatMul (tail from fused-args.ts), Transpose (perm on the host), Einsum, MatrixBandPart.
 */
import { einsum, fused, linalg, matMul, transpose } from '../../ops/index.js';
import type { OpEntry, OpTable } from '../types.js';
import { arity } from './args.js';
import { fusedTail } from './fused-args.js';
import { hostInts, tensorInput, tensorInputs, where } from './util.js';

/** MatMul reads transpose_a/_b; BatchMatMul reads adj_x/_y. */
function matMulOp(ta: string, tb: string): OpEntry {
  return {
    run: (inputs, ctx) => {
      arity(inputs, 2, ctx);
      return [matMul(tensorInput(inputs, 0, ctx), tensorInput(inputs, 1, ctx), ctx.attrs.bool(ta, false), ctx.attrs.bool(tb, false))];
    },
  };
}

/** Handlers of the matrices family, keyed by TF op name. */
export const MATRICES: OpTable = {
  MatMul: matMulOp('transpose_a', 'transpose_b'),
  BatchMatMul: matMulOp('adj_x', 'adj_y'),
  BatchMatMulV2: matMulOp('adj_x', 'adj_y'),
  _FusedMatMul: {
    run: (inputs, ctx) => {
      if (inputs.length < 2) throw new Error(`${where(ctx)}: expected at least 2 inputs, got ${inputs.length}`);
      const tail = fusedTail(inputs, ctx, 2, false);
      return [fused.matMul({
        a: tensorInput(inputs, 0, ctx), b: tensorInput(inputs, 1, ctx),
        transposeA: ctx.attrs.bool('transpose_a', false), transposeB: ctx.attrs.bool('transpose_b', false), ...tail,
      })];
    },
  },
  Transpose: {
    valueInputs: [1],
    run: (inputs, ctx) => {
      arity(inputs, 2, ctx);
      return [transpose(tensorInput(inputs, 0, ctx), hostInts(inputs, 1, ctx))];
    },
  },
  Einsum: {
    run: (inputs, ctx) => {
      if (inputs.length === 0) throw new Error(`${where(ctx)}: expected at least 1 input, got 0`);
      // TF.js lower-cases the equation; TF's is case-sensitive, and so is this.
      return [einsum(ctx.attrs.string('equation'), ...tensorInputs(inputs, ctx))];
    },
  },
  MatrixBandPart: {
    run: (inputs, ctx) => {
      arity(inputs, 3, ctx);
      // TF.js reads num_lower for both bounds (its op list names input 1 twice); TF's num_upper is input 2.
      return [linalg.bandPart(tensorInput(inputs, 0, ctx), tensorInput(inputs, 1, ctx), tensorInput(inputs, 2, ctx))];
    },
  },
};
