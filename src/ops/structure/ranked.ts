/**
 * TF.js's ranked helpers and rearrangements written with other ops: concat1d-4d,
 * slice1d-4d, as1D-as5D / asScalar / asType, tensor5d / tensor6d, depthToSpace,
 * spaceToBatchND, batchToSpaceND, meshgrid, eye, diag, linspace, range, outerProduct, dot.
 * Their gradients are those of the ops they are made of.
 */
import type { DType } from '../../backends/backend.js';
import { ENGINE } from '../../core/engine.js';
import type { Shape, Tensor } from '../../core/tensor.js';
import { mul } from '../math/binary.js';
import { tensor, type TensorLike } from '../creation.js';
import { matMul } from '../linalg/matmul.js';
import { broadcastTo, cast, concat, reshape, slice, transpose } from './shape.js';
import { pad, tile } from './rearrange.js';
import { chain, checkAllocation, checkDType, checkTensor, describe } from '../util.js';
import { withInputs, type Input } from '../inputs.js';

function ranked(op: string, t: Tensor, rank: number): Tensor {
  checkTensor(op, 'x', t);
  if (t.rank !== rank) throw new Error(`${op}: expected a rank-${rank} tensor; received ${describe(t)}`);
  return t;
}

function concatRanked(rank: number) {
  const op = `concat${rank}d`;
  return (tensors: Tensor[], axis = 0): Tensor => {
    if (!Array.isArray(tensors)) throw new Error(`${op}: expected an array of tensors`);
    tensors.forEach((t) => ranked(op, t, rank));
    return concat(tensors, axis);
  };
}
export const concat1d = (tensors: Tensor[]): Tensor => concatRanked(1)(tensors, 0);
export const concat2d = concatRanked(2);
export const concat3d = concatRanked(3);
export const concat4d = concatRanked(4);

function sliceRanked(rank: number) {
  return (x: Tensor, begin: number | number[], size?: number | number[]): Tensor =>
    slice(ranked(`slice${rank}d`, x, rank), begin, size);
}
export const slice1d = (x: Tensor, begin: number, size: number): Tensor => sliceRanked(1)(x, [begin], [size]);
export const slice2d = sliceRanked(2);
export const slice3d = sliceRanked(3);
export const slice4d = sliceRanked(4);

function tensorRanked(rank: number) {
  const op = `tensor${rank}d`;
  return (values: TensorLike, shape?: Shape, dtype?: DType): Tensor => {
    const t = tensor(values, shape, dtype, op);
    if (t.rank !== rank) {
      t.dispose();
      throw new Error(`${op}: expected rank ${rank}, received shape [${t.shape}]`);
    }
    return t;
  };
}
export const tensor5d = tensorRanked(5);
export const tensor6d = tensorRanked(6);

/** tf.depthToSpace(x, blockSize, dataFormat = 'NHWC'): channel blocks moved into space. */
export function depthToSpace(x: Tensor, blockSize: number, dataFormat: 'NHWC' | 'NCHW' = 'NHWC'): Tensor {
  ranked('depthToSpace', x, 4);
  if (!Number.isInteger(blockSize) || blockSize < 2) throw new Error(`depthToSpace: blockSize must be an integer >= 2; received ${blockSize}`);
  const [b, d1, d2, d3] = x.shape;
  const channels = dataFormat === 'NHWC' ? d3 : d1;
  if (channels % (blockSize * blockSize) !== 0) {
    throw new Error(`depthToSpace: the channels (${channels}) of ${describe(x)} must divide by blockSize^2 = ${blockSize * blockSize}`);
  }
  const c = channels / (blockSize * blockSize);
  return ENGINE.tidy(() => (dataFormat === 'NHWC'
    ? reshape(transpose(reshape(x, [b, d1, d2, blockSize, blockSize, c]), [0, 1, 3, 2, 4, 5]), [b, d1 * blockSize, d2 * blockSize, c])
    : reshape(transpose(reshape(x, [b, blockSize, blockSize, c, d2, d3]), [0, 3, 4, 1, 5, 2]), [b, c, d2 * blockSize, d3 * blockSize])));
}

function checkBlocks(op: string, x: Tensor, blockShape: number[], pairs: [number, number][], name: string): void {
  if (!Array.isArray(blockShape) || blockShape.length < 1 || blockShape.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new Error(`${op}: blockShape must be positive integers; received ${JSON.stringify(blockShape)}`);
  }
  if (x.rank < blockShape.length + 1) throw new Error(`${op}: x ${describe(x)} needs rank > blockShape length ${blockShape.length}`);
  if (!Array.isArray(pairs) || pairs.length !== blockShape.length ||
    pairs.some((p) => p.length !== 2 || p.some((v) => !Number.isInteger(v) || v < 0))) {
    throw new Error(`${op}: ${name} must be ${blockShape.length} pairs of non-negative integers; received ${JSON.stringify(pairs)}`);
  }
}

/** tf.spaceToBatchND(x, blockShape, paddings): spatial blocks moved into the batch. */
export function spaceToBatchND(x: Tensor, blockShape: number[], paddings: [number, number][]): Tensor {
  checkTensor('spaceToBatchND', 'x', x);
  checkBlocks('spaceToBatchND', x, blockShape, paddings, 'paddings');
  const m = blockShape.length;
  const padded = x.shape.map((d, i) => (i >= 1 && i <= m ? d + paddings[i - 1][0] + paddings[i - 1][1] : d));
  blockShape.forEach((b, i) => {
    if (padded[i + 1] % b !== 0) {
      throw new Error(`spaceToBatchND: padded axis ${i + 1} (${padded[i + 1]}) of ${describe(x)} must divide by blockShape[${i}] = ${b}`);
    }
  });
  const [batch, rest] = [x.shape[0], x.shape.slice(m + 1)];
  return ENGINE.tidy(() => {
    const full = pad(x, x.shape.map((_, i) => (i >= 1 && i <= m ? paddings[i - 1] : [0, 0])) as [number, number][]);
    const split = reshape(full, [batch, ...blockShape.flatMap((b, i) => [padded[i + 1] / b, b]), ...rest]);
    const perm = [...blockShape.map((_, i) => 2 + 2 * i), 0, ...blockShape.map((_, i) => 1 + 2 * i),
      ...rest.map((_, i) => 1 + 2 * m + i)];
    const product = blockShape.reduce((p, q) => p * q, 1);
    return reshape(transpose(split, perm), [batch * product, ...blockShape.map((b, i) => padded[i + 1] / b), ...rest]);
  });
}

/** tf.batchToSpaceND(x, blockShape, crops): the inverse of spaceToBatchND. */
export function batchToSpaceND(x: Tensor, blockShape: number[], crops: [number, number][]): Tensor {
  checkTensor('batchToSpaceND', 'x', x);
  checkBlocks('batchToSpaceND', x, blockShape, crops, 'crops');
  const m = blockShape.length;
  const product = blockShape.reduce((p, q) => p * q, 1);
  if (x.shape[0] % product !== 0) {
    throw new Error(`batchToSpaceND: the batch (${x.shape[0]}) of ${describe(x)} must divide by the block product ${product}`);
  }
  const batch = x.shape[0] / product;
  const spatial = x.shape.slice(1, m + 1);
  const rest = x.shape.slice(m + 1);
  const grown = spatial.map((d, i) => d * blockShape[i]);
  crops.forEach(([a, b], i) => {
    if (a + b > grown[i]) throw new Error(`batchToSpaceND: crops [${a}, ${b}] exceed axis ${i + 1} (${grown[i]})`);
  });
  return ENGINE.tidy(() => {
    const split = reshape(x, [...blockShape, batch, ...spatial, ...rest]);
    const perm = [m, ...spatial.flatMap((_, i) => [m + 1 + i, i]), ...rest.map((_, i) => 2 * m + 1 + i)];
    const merged = reshape(transpose(split, perm), [batch, ...grown, ...rest]);
    return slice(merged, [0, ...crops.map(([a]) => a), ...rest.map(() => 0)],
      [batch, ...grown.map((d, i) => d - crops[i][0] - crops[i][1]), ...rest]);
  });
}

/** tf.meshgrid(x, y, { indexing = 'xy' }): coordinate matrices of two vectors (flattened first). */
export function meshgrid(x: Input, y?: Input, options: { indexing?: 'xy' | 'ij' } = {}): Tensor[] {
  return withInputs('meshgrid', y === undefined ? [['x', x]] : [['x', x], ['y', y]], ([a, b]) => meshgridOf(a, b, options));
}
function meshgridOf(x: Tensor, y?: Tensor, { indexing = 'xy' }: { indexing?: 'xy' | 'ij' } = {}): Tensor[] {
  checkTensor('meshgrid', 'x', x);
  if (indexing !== 'xy' && indexing !== 'ij') throw new Error(`meshgrid: indexing must be 'xy' or 'ij'; received ${String(indexing)}`);
  if (y === undefined) return [reshape(x, [x.size])];
  checkTensor('meshgrid', 'y', y);
  const [n, m] = [x.size, y.size];
  return ENGINE.tidy(() => (indexing === 'xy'
    ? [broadcastTo(reshape(x, [1, n]), [m, n]), broadcastTo(reshape(y, [m, 1]), [m, n])]
    : [broadcastTo(reshape(x, [n, 1]), [n, m]), broadcastTo(reshape(y, [1, m]), [n, m])]));
}

/** tf.eye(numRows, numColumns = numRows, batchShape?, dtype = 'float32'). */
export function eye(numRows: number, numColumns?: number, batchShape?: number[], dtype: DType = 'float32'): Tensor {
  const cols = numColumns ?? numRows;
  for (const [name, v] of [['numRows', numRows], ['numColumns', cols]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`eye: ${name} must be a non-negative integer; received ${v}`);
  }
  checkDType('eye', dtype);
  if (batchShape !== undefined && !Array.isArray(batchShape)) {
    throw new Error(`eye: batchShape must be an array of non-negative integers; received ${String(batchShape)}`);
  }
  checkAllocation('eye', [...(batchShape ?? []), numRows, cols], dtype);
  checkAllocation('eye', [numRows, cols], dtype, 'matrix', true);
  const values = new Float32Array(numRows * cols);
  for (let i = 0; i < Math.min(numRows, cols); i++) values[i * cols + i] = 1;
  if (!batchShape || batchShape.length === 0) return tensor(values, [numRows, cols], dtype, 'eye');
  return ENGINE.tidy(() => tile(tensor(values, [...batchShape.map(() => 1), numRows, cols], dtype, 'eye'), [...batchShape, 1, 1]));
}

/** tf.diag(x): a tensor of shape [...x.shape, ...x.shape] with x on its diagonal. */
export function diag(x: Input): Tensor {
  return withInputs('diag', [['x', x]], ([t]) => diagOf(t));
}
function diagOf(x: Tensor): Tensor {
  checkTensor('diag', 'x', x);
  if (x.dtype === 'bool') throw new Error(`diag: x must be float32 or int32; received ${describe(x)}`);
  return ENGINE.tidy(() => reshape(mul(reshape(x, [x.size, 1]), eye(x.size, x.size, undefined, x.dtype)), [...x.shape, ...x.shape]));
}

/** tf.linspace(start, stop, num): num evenly spaced float32 values from start to stop. */
export function linspace(start: number, stop: number, num: number): Tensor {
  if (!Number.isInteger(num) || num <= 0) throw new Error(`linspace: num must be a positive integer; received ${num}`);
  checkAllocation('linspace', [num], 'float32', 'output', true);
  const values = new Float32Array(num);
  const step = (stop - start) / (num - 1);
  values[0] = start;
  for (let i = 1; i < num; i++) values[i] = values[i - 1] + step;
  return tensor(values, [num], 'float32', 'linspace');
}

/** tf.range(start, stop, step = 1, dtype = 'float32'), with TF.js's rules for empty ranges. */
export function range(start: number, stop: number, step = 1, dtype: 'float32' | 'int32' = 'float32'): Tensor {
  if (step === 0) throw new Error('range: step must not be zero');
  if (dtype !== 'float32' && dtype !== 'int32') throw new Error(`range: dtype must be 'float32' or 'int32'; received ${String(dtype)}`);
  const empty = start === stop || (start < stop && step < 0) || (stop < start && step > 1);
  const count = empty ? 0 : Math.abs(Math.ceil((stop - start) / step));
  // (NaN bounds give an empty range, as in TF.js.)
  if (!Number.isNaN(count)) checkAllocation('range', [count], dtype, 'output', true);
  const values = dtype === 'int32' ? new Int32Array(count) : new Float32Array(count);
  const by = stop < start && step === 1 ? -1 : step;
  if (count > 0) values[0] = start;
  for (let i = 1; i < count; i++) values[i] = values[i - 1] + by;
  return tensor(values, [count], dtype, 'range');
}

/** tf.outerProduct(v1, v2): the matrix v1[i] * v2[j]. */
export function outerProduct(v1: Input, v2: Input): Tensor {
  return withInputs('outerProduct', [['v1', v1], ['v2', v2]], ([a, b]) => outerProductOf(a, b));
}
function outerProductOf(v1: Tensor, v2: Tensor): Tensor {
  ranked('outerProduct', v1, 1);
  ranked('outerProduct', v2, 1);
  return ENGINE.tidy(() => matMul(reshape(v1, [v1.size, 1]), reshape(v2, [1, v2.size])));
}

/** tf.dot(t1, t2): vector . vector (a scalar), matrix . vector, vector . matrix, matrix . matrix. */
export function dot(t1: Input, t2: Input): Tensor {
  return withInputs('dot', [['t1', t1], ['t2', t2]], ([a, b]) => dotOf(a, b));
}
function dotOf(t1: Tensor, t2: Tensor): Tensor {
  checkTensor('dot', 't1', t1);
  checkTensor('dot', 't2', t2);
  if (t1.rank < 1 || t1.rank > 2 || t2.rank < 1 || t2.rank > 2) {
    throw new Error(`dot: both inputs must have rank 1 or 2; received ${describe(t1)} and ${describe(t2)}`);
  }
  const inner1 = t1.shape[t1.rank - 1], inner2 = t2.shape[0];
  if (inner1 !== inner2) throw new Error(`dot: inner dimensions differ: ${describe(t1)} and ${describe(t2)}`);
  return ENGINE.tidy(() => {
    const a = t1.rank === 1 ? reshape(t1, [1, inner1]) : t1;
    const b = t2.rank === 1 ? reshape(t2, [inner2, 1]) : t2;
    const product = matMul(a, b);
    const shape = [...(t1.rank === 2 ? [t1.shape[0]] : []), ...(t2.rank === 2 ? [t2.shape[1]] : [])];
    return reshape(product, shape);
  });
}

declare module '../../core/tensor.js' {
  interface Tensor {
    as1D(): Tensor; as2D(rows: number, columns: number): Tensor; as3D(rows: number, columns: number, depth: number): Tensor;
    as4D(rows: number, columns: number, depth: number, depth2: number): Tensor;
    as5D(rows: number, columns: number, depth: number, depth2: number, depth3: number): Tensor;
    asScalar(): Tensor; asType(dtype: DType): Tensor; dot(b: Tensor): Tensor;
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
  asType(dtype: DType) { return cast(this, dtype); },
  dot(b: Tensor) { return dot(this, b); },
});
