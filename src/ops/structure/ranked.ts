/**
 * TF.js's ranked aliases, each the op it names on a tensor of one rank (checked first):
 * concat1d-4d, slice1d-4d, pad1d-4d, reverse1d-4d, and the chainable t.as1D-as5D,
 * t.asScalar (reshapes) and t.asType (a cast). Their gradients are those of the ops they name.
 */
import type { DType } from '../../backends/backend.js';
import { Tensor } from '../../core/tensor.js';
import { allTensors, withInputs, withListInput, type Input } from '../inputs.js';
import { castOp, concat, reshape, slice } from './shape.js';
import { pad, reverse } from './rearrange.js';
import { chain, checkRank, describe, refuseComplex } from '../util.js';

/** f on x of the given rank (checked first); values become a tensor (inputs.ts). */
function ranked(op: string, x: Input, rank: number, f: (x: Tensor) => Tensor): Tensor {
  if (!(x instanceof Tensor)) return withInputs(op, [['x', x]], ([t]) => f(checkRank(op, t, rank)));
  refuseComplex(op, 'x', x); // slice, pad and reverse refuse it too, naming themselves
  return f(checkRank(op, x, rank));
}

function concatRanked(rank: number) {
  const op = `concat${rank}d`;
  const self = (tensors: Input[], axis = 0): Tensor => {
    if (!Array.isArray(tensors)) throw new Error(`${op}: expected an array of tensors`);
    if (!allTensors(tensors)) return withListInput(op, 'tensors', tensors, (list) => self(list, axis));
    tensors.forEach((t) => checkRank(op, t, rank));
    return concat(tensors, axis);
  };
  return self;
}
/** concat for rank-1 tensors (tf.concat1d). */
export const concat1d = (tensors: Input[]): Tensor => concatRanked(1)(tensors, 0);
/** concat for rank-2 tensors along `axis` (tf.concat2d); throws on another rank. */
export const concat2d = concatRanked(2);
/** concat for rank-3 tensors along `axis` (tf.concat3d); throws on another rank. */
export const concat3d = concatRanked(3);
/** concat for rank-4 tensors along `axis` (tf.concat4d); throws on another rank. */
export const concat4d = concatRanked(4);

function sliceRanked(rank: number) {
  return (x: Input, begin: number | number[], size?: number | number[]): Tensor =>
    ranked(`slice${rank}d`, x, rank, (t) => slice(t, begin, size));
}
/** slice for a rank-1 tensor: `size` elements from `begin` (tf.slice1d). */
export const slice1d = (x: Input, begin: number, size: number): Tensor => sliceRanked(1)(x, [begin], [size]);
/** slice for a rank-2 tensor (tf.slice2d); throws on another rank. */
export const slice2d = sliceRanked(2);
/** slice for a rank-3 tensor (tf.slice3d); throws on another rank. */
export const slice3d = sliceRanked(3);
/** slice for a rank-4 tensor (tf.slice4d); throws on another rank. */
export const slice4d = sliceRanked(4);

/** pad for a rank-1 tensor (tf.pad1d); constantValue defaults to 0. */
export const pad1d = (x: Input, paddings: [number, number], constantValue = 0): Tensor =>
  ranked('pad1d', x, 1, (t) => pad(t, [paddings], constantValue));
/** pad for a rank-2 tensor (tf.pad2d); constantValue defaults to 0. */
export const pad2d = (x: Input, paddings: [[number, number], [number, number]], constantValue = 0): Tensor =>
  ranked('pad2d', x, 2, (t) => pad(t, paddings, constantValue));
/** pad for a rank-3 tensor (tf.pad3d); constantValue defaults to 0. */
export const pad3d = (x: Input, paddings: [[number, number], [number, number], [number, number]], constantValue = 0): Tensor =>
  ranked('pad3d', x, 3, (t) => pad(t, paddings, constantValue));
/** pad for a rank-4 tensor (tf.pad4d); constantValue defaults to 0. */
export const pad4d = (x: Input, paddings: [[number, number], [number, number], [number, number], [number, number]],
  constantValue = 0): Tensor => ranked('pad4d', x, 4, (t) => pad(t, paddings, constantValue));

/** reverse for a rank-1 tensor (tf.reverse1d). */
export const reverse1d = (x: Input): Tensor => ranked('reverse1d', x, 1, (t) => reverse(t));
/** reverse for a rank-2 tensor along `axis` (default: every axis) (tf.reverse2d). */
export const reverse2d = (x: Input, axis?: number | number[]): Tensor => ranked('reverse2d', x, 2, (t) => reverse(t, axis));
/** reverse for a rank-3 tensor along `axis` (default: every axis) (tf.reverse3d). */
export const reverse3d = (x: Input, axis?: number | number[]): Tensor => ranked('reverse3d', x, 3, (t) => reverse(t, axis));
/** reverse for a rank-4 tensor along `axis` (default: every axis) (tf.reverse4d). */
export const reverse4d = (x: Input, axis?: number | number[]): Tensor => ranked('reverse4d', x, 4, (t) => reverse(t, axis));

declare module '../../core/tensor.js' {
  interface Tensor {
    as1D(): Tensor; as2D(rows: number, columns: number): Tensor; as3D(rows: number, columns: number, depth: number): Tensor;
    as4D(rows: number, columns: number, depth: number, depth2: number): Tensor;
    as5D(rows: number, columns: number, depth: number, depth2: number, depth3: number): Tensor;
    asScalar(): Tensor; asType(dtype: DType): Tensor;
  }
}
chain({
  as1D() { return reshape(this, [this.size]); },
  as2D(rows: number, columns: number) { return reshape(this, [rows, columns]); },
  as3D(rows: number, columns: number, depth: number) { return reshape(this, [rows, columns, depth]); },
  as4D(rows: number, columns: number, depth: number, depth2: number) { return reshape(this, [rows, columns, depth, depth2]); },
  as5D(rows: number, columns: number, depth: number, depth2: number, depth3: number) {
    return reshape(this, [rows, columns, depth, depth2, depth3]);
  },
  asScalar() {
    if (this.size !== 1) throw new Error(`asScalar: the tensor must have exactly one value; received ${describe(this)}`);
    return reshape(this, []);
  },
  asType(dtype: DType) { return castOp(this, dtype); },
});
