/**
 * The rest of TF.js's shape and indexing surface, written with other ops: pad1d-4d,
 * reverse1d-4d, ensureShape, broadcastArgs, sparseToDense, setdiff1dAsync, inTopKAsync,
 * and the chainable methods TF.js has for ops defined elsewhere (t.concat, t.stack,
 * t.depthToSpace, t.spaceToBatchND, t.batchToSpaceND, t.onesLike, t.zerosLike, t.oneHot,
 * t.reshapeAs).
 */
import { ENGINE } from '../../core/engine.js';
import { Tensor, type Shape } from '../../core/tensor.js';
import { equal } from '../math/binary.js';
import { fill, oneHot, onesLike, scalar, tensor, zerosLike } from '../creation.js';
import { tensorScatterUpdate } from '../indexing/gather-scatter.js';
import { any } from '../reduce/derived.js';
import { topk } from '../indexing/search.js';
import { broadcastTo, cast, concat, reshape } from './shape.js';
import { batchToSpaceND, depthToSpace, spaceToBatchND } from './ranked.js';
import { pad, reverse, stack } from './rearrange.js';
import { chain, checkShape, checkTensor, describe } from '../util.js';
import { withInputs, type Input } from '../inputs.js';

function ranked(op: string, x: Tensor, rank: number): Tensor {
  checkTensor(op, 'x', x);
  if (x.rank !== rank) throw new Error(`${op}: expected a rank-${rank} tensor; received ${describe(x)}`);
  return x;
}

export const pad1d = (x: Tensor, paddings: [number, number], constantValue = 0): Tensor =>
  pad(ranked('pad1d', x, 1), [paddings], constantValue);
export const pad2d = (x: Tensor, paddings: [[number, number], [number, number]], constantValue = 0): Tensor =>
  pad(ranked('pad2d', x, 2), paddings, constantValue);
export const pad3d = (x: Tensor, paddings: [[number, number], [number, number], [number, number]], constantValue = 0): Tensor =>
  pad(ranked('pad3d', x, 3), paddings, constantValue);
export const pad4d = (x: Tensor, paddings: [[number, number], [number, number], [number, number], [number, number]],
  constantValue = 0): Tensor => pad(ranked('pad4d', x, 4), paddings, constantValue);

export const reverse1d = (x: Tensor): Tensor => reverse(ranked('reverse1d', x, 1));
export const reverse2d = (x: Tensor, axis?: number | number[]): Tensor => reverse(ranked('reverse2d', x, 2), axis);
export const reverse3d = (x: Tensor, axis?: number | number[]): Tensor => reverse(ranked('reverse3d', x, 3), axis);
export const reverse4d = (x: Tensor, axis?: number | number[]): Tensor => reverse(ranked('reverse4d', x, 4), axis);

/** tf.ensureShape(x, shape): x itself when its shape matches (null entries match any size). */
export function ensureShape(x: Tensor, shape: (number | null)[]): Tensor {
  checkTensor('ensureShape', 'x', x);
  if (shape.length !== x.rank || shape.some((d, i) => d !== null && d !== x.shape[i])) {
    throw new Error(`ensureShape: ${describe(x)} is not compatible with the expected shape [${shape.map(String)}]`);
  }
  return x;
}

/**
 * tf.broadcastArgs(s0, s1): the broadcast of two int32 shape vectors. The result's size
 * depends on the values, so, as unique does, it reads them synchronously.
 */
export function broadcastArgs(s0: Tensor, s1: Tensor): Tensor {
  const shapes = [s0, s1].map((s, i) => {
    checkTensor('broadcastArgs', `s${i}`, s);
    if (s.dtype !== 'int32' || s.rank !== 1) throw new Error(`broadcastArgs: s${i} must be an int32 vector; received ${describe(s)}`);
    if (!s.ref.backend.syncReadable) {
      throw new Error(`broadcastArgs: reads its shapes synchronously, which the '${s.ref.backend.name}' backend cannot`);
    }
    return Array.from(s.dataSync());
  });
  const [a, b] = shapes;
  const rank = Math.max(a.length, b.length);
  const out = Array.from({ length: rank }, (_, i) => {
    const da = a[a.length - rank + i] ?? 1, db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`broadcastArgs: shapes [${a}] and [${b}] do not broadcast (axis ${i})`);
    return da === 1 ? db : da;
  });
  return tensor(out, [rank], 'int32');
}

/**
 * tf.sparseToDense(sparseIndices, sparseValues, outputShape, defaultValue = 0): a dense
 * tensor of defaultValue with sparseValues (one, or one per index) at sparseIndices.
 */
export function sparseToDense(sparseIndices: Input, sparseValues: Input, outputShape: Shape, defaultValue: number | Tensor = 0): Tensor {
  return withInputs('sparseToDense', [['sparseIndices', sparseIndices, 'int32'], ['sparseValues', sparseValues]],
    ([i, v]) => sparseToDenseOf(i, v, outputShape, defaultValue));
}
function sparseToDenseOf(sparseIndices: Tensor, sparseValues: Tensor, outputShape: Shape,
  defaultValue: number | Tensor = 0): Tensor {
  checkTensor('sparseToDense', 'sparseIndices', sparseIndices);
  checkTensor('sparseToDense', 'sparseValues', sparseValues);
  const shape = checkShape('sparseToDense', outputShape);
  if (sparseIndices.dtype !== 'int32') throw new Error(`sparseToDense: sparseIndices must be int32; received ${describe(sparseIndices)}`);
  if (sparseIndices.rank > 2) throw new Error(`sparseToDense: sparseIndices must have rank <= 2; received ${describe(sparseIndices)}`);
  const count = sparseIndices.rank > 0 ? sparseIndices.shape[0] : 1;
  const depth = sparseIndices.rank > 1 ? sparseIndices.shape[1] : 1;
  if (shape.length !== depth) throw new Error(`sparseToDense: outputShape [${shape}] must have ${depth} entries`);
  if (!(sparseValues.rank === 0 || (sparseValues.rank === 1 && sparseValues.size === count))) {
    throw new Error(`sparseToDense: sparseValues must have shape [] or [${count}]; received ${describe(sparseValues)}`);
  }
  return ENGINE.tidy(() => {
    const base = defaultValue instanceof Tensor ? broadcastTo(cast(reshape(defaultValue, []), sparseValues.dtype), shape)
      : fill(shape, defaultValue, sparseValues.dtype);
    return tensorScatterUpdate(base, reshape(sparseIndices, [count, depth]), broadcastTo(sparseValues, [count]));
  });
}

/** tf.setdiff1dAsync(x, y): [values of x not in y (in order), their int32 positions in x]. */
export async function setdiff1dAsync(x: Input, y: Input): Promise<[Tensor, Tensor]> {
  const made = withInputs('setdiff1dAsync', [['x', x], ['y', y]], (list) => list);
  try {
    return await setdiff1dAsyncOf(made[0], made[1]);
  } finally {
    made.forEach((t, i) => { if (t !== [x, y][i]) t.dispose(); });
  }
}
async function setdiff1dAsyncOf(x: Tensor, y: Tensor): Promise<[Tensor, Tensor]> {
  checkTensor('setdiff1dAsync', 'x', x);
  checkTensor('setdiff1dAsync', 'y', y);
  if (x.dtype !== y.dtype) throw new Error(`setdiff1dAsync: x ${describe(x)} and y ${describe(y)} differ in dtype`);
  if (x.rank !== 1 || y.rank !== 1) throw new Error(`setdiff1dAsync: x and y must be 1-D; received ${describe(x)} and ${describe(y)}`);
  const [xs, ys] = await Promise.all([x.data(), y.data()]);
  const drop = new Set(ys);
  const positions = [...xs.keys()].filter((i) => !drop.has(xs[i]));
  return [tensor(positions.map((i) => xs[i]), [positions.length], x.dtype), tensor(positions, [positions.length], 'int32')];
}

/**
 * tf.inTopKAsync(predictions, targets, k = 1): whether each target class is among its row's
 * k largest predictions ('bool'); ties rank the lower class first. Computed on the backend.
 */
export async function inTopKAsync(predictions: Input, targets: Input, k = 1): Promise<Tensor> {
  return withInputs('inTopKAsync', [['predictions', predictions], ['targets', targets, 'int32']], ([p, t]) => inTopKAsyncOf(p, t, k));
}
function inTopKAsyncOf(predictions: Tensor, targets: Tensor, k = 1): Tensor {
  checkTensor('inTopKAsync', 'predictions', predictions);
  checkTensor('inTopKAsync', 'targets', targets);
  if (predictions.rank < 1 || targets.rank !== predictions.rank - 1 ||
    targets.shape.some((d, i) => d !== predictions.shape[i])) {
    throw new Error(`inTopKAsync: targets ${describe(targets)} must match the leading axes of predictions ${describe(predictions)}`);
  }
  if (targets.dtype !== 'int32') throw new Error(`inTopKAsync: targets must be int32; received ${describe(targets)}`);
  return ENGINE.tidy(() => {
    const { indices } = topk(predictions, k);
    return any(equal(indices, reshape(targets, [...targets.shape, 1])), -1);
  });
}

declare module '../../core/tensor.js' {
  interface Tensor {
    concat(tensors: Tensor | Tensor[], axis?: number): Tensor; stack(tensors: Tensor | Tensor[], axis?: number): Tensor;
    depthToSpace(blockSize: number, dataFormat?: 'NHWC' | 'NCHW'): Tensor;
    spaceToBatchND(blockShape: number[], paddings: [number, number][]): Tensor;
    batchToSpaceND(blockShape: number[], crops: [number, number][]): Tensor;
    onesLike(): Tensor; zerosLike(): Tensor; oneHot(depth: number, onValue?: number, offValue?: number): Tensor;
    reshapeAs(x: Tensor): Tensor;
  }
}
chain({
  concat(tensors: Tensor | Tensor[], axis?: number) { return concat([this, ...(Array.isArray(tensors) ? tensors : [tensors])], axis); },
  stack(tensors: Tensor | Tensor[], axis?: number) { return stack([this, ...(Array.isArray(tensors) ? tensors : [tensors])], axis); },
  depthToSpace(blockSize: number, dataFormat?: 'NHWC' | 'NCHW') { return depthToSpace(this, blockSize, dataFormat); },
  spaceToBatchND(blockShape: number[], paddings: [number, number][]) { return spaceToBatchND(this, blockShape, paddings); },
  batchToSpaceND(blockShape: number[], crops: [number, number][]) { return batchToSpaceND(this, blockShape, crops); },
  onesLike() { return onesLike(this); },
  zerosLike() { return zerosLike(this); },
  // int32, as TF.js's tensor.oneHot (its default dtype).
  oneHot(depth: number, onValue = 1, offValue = 0) {
    return ENGINE.tidy(() => cast(oneHot(this, depth).mul(onValue - offValue).add(scalar(offValue)), 'int32'));
  },
  reshapeAs(x: Tensor) { return reshape(this, checkTensor('reshapeAs', 'x', x).shape); },
});
