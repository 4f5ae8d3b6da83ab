/**
 * Indexing: gather with axis and batchDims, gatherND, scatterND, tensorScatterUpdate,
 * sparseToDense (a tensorScatterUpdate of a filled tensor), unsortedSegmentSum, bincount /
 * denseBincount, and gatherRows (the row gather they run, beside unsortedSegmentSum, its
 * gradient). Every one is rows moved by index: a gather of rows (`gatherRows`) or a scatter
 * of rows (`scatterRows`, 'add' or 'set') over a 2-D view, with row indices computed by int32
 * ops on the tensor's own backend (nothing is read back). Indices are checked against their
 * bounds before any kernel runs where values can be read synchronously (as gatherRows
 * does); on webgpu an out-of-range row is zero (gather) or skipped (scatter).
 */
import { ENGINE } from '../../core/engine.js';
import { Tensor, type Shape } from '../../core/tensor.js';
import { add, greaterEqual, less, logicalAnd, mul, where } from '../math/binary.js';
import { fill, tensor } from '../creation.js';
import { register, run1, spec } from '../registry.js';
import { sum } from '../reduce/reduce.js';
import { broadcastTo, cast, reshape } from '../structure/shape.js';
import { chain, checkIndices, checkShape, checkTensor, describe, produce, refuseComplex, resolveAxis, sizeOf, storageOf } from '../util.js';
import { withInputs, type Input } from '../inputs.js';
import { stringGather } from '../string/movement.js';

/** An int32 tensor of `values` (shape-derived constants: no data is read). */
function constant(values: number[], shape: Shape): Tensor {
  return tensor(values, shape, 'int32');
}

const GATHER_ROWS = register<{ inShape: Shape }>({
  name: 'gather',
  inputs: ['x', 'indices'],
  infer([x, indices]) {
    if (x.rank < 1) throw new Error(`gather: x must have rank >= 1; received ${describe(x)}`);
    checkIndices('gather', 'indices', indices, () => x.shape[0]);
    return spec([...indices.shape, ...x.shape.slice(1)], x.dtype);
  },
  kernel: {
    available: (backend) => backend.gatherRows !== undefined,
    run: (backend, [x, indices], _, [out]) => [produce(out.shape, out.dtype, (storage) => backend.gatherRows(
      storageOf(x, 'gather'), storageOf(indices, 'gather'), storage, indices.size, x.size / Math.max(x.shape[0], 1)))],
  },
  save: { inputs: [1] },
  // Rows scattered back and summed by index (one scatter-add, not a one-hot GEMM over every row).
  grad: ([dy], [indices], { inShape }) => [reshape(unsortedSegmentSum(reshape(dy, [indices.size, sizeOf(inShape.slice(1))]),
    reshape(indices, [indices.size]), inShape[0]), inShape), null],
});

/**
 * Rows of x (axis 0) at int32 `indices`, like tf.gather(x, indices) for axis 0: the op every
 * gather below runs (tf.gather itself goes through gatherV2).
 */
export function gatherRows(x: Tensor, indices: Tensor | number[] | Int32Array): Tensor {
  checkTensor('gather', 'x', x);
  const made = !(indices instanceof Tensor);
  const index = indices instanceof Tensor ? indices : tensorOfIndices(indices);
  try {
    return run1(GATHER_ROWS, [x, index], { inShape: x.shape });
  } finally {
    if (made) index.dispose();
  }
}

function tensorOfIndices(values: number[] | Int32Array): Tensor {
  const list = values instanceof Int32Array ? values : Int32Array.from(values);
  const storage = ENGINE.backend.alloc(list.length, 'int32');
  ENGINE.backend.write(storage, list);
  return ENGINE.makeTensor([list.length], 'int32', storage);
}

interface GatherAttrs { axis: number; batchDims: number; inShape: Shape }

/** The flat row of x viewed as [outer * axisLen, inner] for every gathered slice, [B * pre * N]. */
function gatherRowIndices(indices: Tensor, { axis, batchDims, inShape }: GatherAttrs): Tensor {
  const batch = sizeOf(inShape.slice(0, batchDims));
  const pre = sizeOf(inShape.slice(batchDims, axis));
  const n = sizeOf(indices.shape.slice(batchDims));
  if (batch * pre === 1) return reshape(indices, [n]);
  const starts = Array.from({ length: batch * pre }, (_, i) => i * inShape[axis]);
  return reshape(add(constant(starts, [batch, pre, 1]), reshape(indices, [batch, 1, n])), [batch * pre * n]);
}

const GATHER_V2 = register<GatherAttrs>({
  name: 'gatherV2',
  inputs: ['x', 'indices'],
  infer([x, indices], { axis, batchDims }) {
    if (batchDims < 0 || batchDims > indices.rank || batchDims > axis) {
      throw new Error(`gather: batchDims ${batchDims} must be in [0, min(indices rank ${indices.rank}, axis ${axis})]`);
    }
    for (let i = 0; i < batchDims; i++) {
      if (x.shape[i] !== indices.shape[i]) {
        throw new Error(`gather: x ${describe(x)} and indices ${describe(indices)} differ in batch axis ${i}`);
      }
    }
    checkIndices('gather', 'indices', indices, () => x.shape[axis]);
    return spec([...x.shape.slice(0, axis), ...indices.shape.slice(batchDims), ...x.shape.slice(axis + 1)], x.dtype);
  },
  // Rows of axis 0 (a batch sliced from the data every training step): the gatherRows kernel
  // straight into the output, without the composition's reshapes.
  kernel: {
    available: (backend, { axis, batchDims }) => backend.gatherRows !== undefined && axis === 0 && batchDims === 0,
    run: (backend, inputs, _, specs) => {
      const x = inputs[0], indices = inputs[1];
      return [produce(specs[0].shape, specs[0].dtype, (storage) => backend.gatherRows(storageOf(x, 'gather'),
        storageOf(indices, 'gather'), storage, indices.size, x.size / Math.max(x.shape[0], 1)))];
    },
  },
  compose: ([x, indices], attrs, [out]) => ENGINE.tidy(() => {
    const rows = reshape(x, [sizeOf(x.shape.slice(0, attrs.axis + 1)), sizeOf(x.shape.slice(attrs.axis + 1))]);
    return [reshape(gatherRows(rows, gatherRowIndices(indices, attrs)), out.shape)];
  }),
  save: { inputs: [1] },
  grad: ([dy], [indices], attrs, needs) => {
    if (!needs[0]) return [null, null];
    const { axis, inShape } = attrs;
    const inner = sizeOf(inShape.slice(axis + 1));
    const flat = gatherRowIndices(indices, attrs);
    const summed = unsortedSegmentSum(reshape(dy, [flat.size, inner]), flat, sizeOf(inShape.slice(0, axis + 1)));
    return [reshape(summed, inShape), null];
  },
});

/** tf.gather(x, indices, axis = 0, batchDims = 0): slices of x along `axis` at int32 indices. */
export function gather(x: Input, indices: Input, axis = 0, batchDims = 0): Tensor {
  refuseComplex('gather', 'x', x);
  return withInputs('gather', [['x', x], ['indices', indices, 'int32']], ([t, i]) => gatherOf(t, i, axis, batchDims));
}
function gatherOf(x: Tensor, indices: Tensor | number[] | Int32Array, axis = 0, batchDims = 0): Tensor {
  checkTensor('gather', 'x', x);
  const index = indices instanceof Tensor ? checkTensor('gather', 'indices', indices) : tensor(Array.from(indices), undefined, 'int32');
  try {
    if (x.rank === 0) throw new Error(`gather: x must have rank >= 1; received ${describe(x)}`);
    const a = resolveAxis('gather', axis, x.rank);
    const b = batchDims < 0 ? batchDims + index.rank : batchDims;
    if (x.dtype === 'string') return stringGather(x, index, a, b);
    // Every axis, 0 included, goes through gatherV2 (rows gathered by gatherRows above).
    return run1(GATHER_V2, [x, index], { axis: a, batchDims: b, inShape: x.shape });
  } finally {
    if (!(indices instanceof Tensor)) index.dispose();
  }
}

/** Row numbers of x viewed as [prod(shape[:K]), rest] for indices [..., K]: int32, [count]. */
function ndRowIndices(indices: Tensor, shape: Shape): Tensor {
  const depth = indices.shape[indices.rank - 1];
  const strides = shape.slice(0, depth).map((_, k) => sizeOf(shape.slice(k + 1, depth)));
  const rows = sizeOf(indices.shape.slice(0, -1));
  return sum(mul(reshape(indices, [rows, depth]), constant(strides, [depth])), 1);
}

function checkNDIndices(op: string, indices: Tensor, shape: Shape): number {
  if (indices.dtype !== 'int32') throw new Error(`${op}: indices must be int32; received ${describe(indices)}`);
  const depth = indices.rank === 0 ? 0 : indices.shape[indices.rank - 1];
  if (indices.rank < 1 || depth > shape.length) {
    throw new Error(`${op}: the last axis of indices ${describe(indices)} must be at most the rank of [${shape}]`);
  }
  checkIndices(op, 'indices', indices, (i) => shape[i % depth]);
  return depth;
}

const GATHER_ND = register<{ inShape: Shape }>({
  name: 'gatherND',
  inputs: ['x', 'indices'],
  infer([x, indices]) {
    const depth = checkNDIndices('gatherND', indices, x.shape);
    return spec([...indices.shape.slice(0, -1), ...x.shape.slice(depth)], x.dtype);
  },
  compose: ([x, indices], _, [out]) => ENGINE.tidy(() => {
    const depth = indices.shape[indices.rank - 1];
    const rows = reshape(x, [sizeOf(x.shape.slice(0, depth)), sizeOf(x.shape.slice(depth))]);
    return [reshape(gatherRows(rows, ndRowIndices(indices, x.shape)), out.shape)];
  }),
  save: { inputs: [1] },
  grad: ([dy], [indices], { inShape }, needs) => [needs[0] ? scatterND(indices, dy, inShape) : null, null],
});

/** tf.gatherND(x, indices): slices of x at the int32 coordinates in indices' last axis. */
export function gatherND(x: Input, indices: Input): Tensor {
  return withInputs('gatherND', [['x', x], ['indices', indices, 'int32']], ([t, i]) => gatherNDOf(t, i));
}
function gatherNDOf(x: Tensor, indices: Tensor): Tensor {
  checkTensor('gatherND', 'x', x);
  checkTensor('gatherND', 'indices', indices);
  return run1(GATHER_ND, [x, indices], { inShape: x.shape });
}

/** Checks updates against indices and shape for scatterND / tensorScatterUpdate. */
function checkUpdates(op: string, indices: Tensor, updates: Tensor, shape: Shape): void {
  const depth = checkNDIndices(op, indices, shape);
  const want = [...indices.shape.slice(0, -1), ...shape.slice(depth)];
  if (updates.rank !== want.length || updates.shape.some((d, i) => d !== want[i])) {
    throw new Error(`${op}: updates must have shape [${want}] for indices ${describe(indices)} into [${shape}]; ` +
      `received ${describe(updates)}`);
  }
  if (updates.dtype === 'bool' && op === 'scatterND') throw new Error(`${op}: updates must be float32 or int32`);
}

/** Fills `out` with `start` (a value or a tensor) and scatters the update rows into it. */
function scatterInto(mode: 'add' | 'set', indices: Tensor, updates: Tensor, shape: Shape, start: number | Tensor): Tensor {
  const backend = ENGINE.backend;
  const depth = indices.shape[indices.rank - 1];
  const rows = ENGINE.tidy(() => ndRowIndices(indices, shape));
  try {
    return produce(shape, updates.dtype, (out) => {
      if (typeof start === 'number') backend.fill(out, sizeOf(shape), start);
      else backend.copyStrided(storageOf(start, 'scatter'), out, [start.size], [1], 0, [1], 0);
      backend.scatterRows!(mode, storageOf(updates, 'scatter'), storageOf(rows, 'scatter'), out, rows.size,
        sizeOf(shape.slice(depth)), sizeOf(shape.slice(0, depth)));
    });
  } finally {
    rows.dispose();
  }
}

const SCATTER_ND = register<{ shape: Shape }>({
  name: 'scatterND',
  inputs: ['indices', 'updates'],
  infer([indices, updates], { shape }) {
    checkUpdates('scatterND', indices, updates, shape);
    return spec(shape, updates.dtype);
  },
  kernel: {
    available: (backend) => backend.scatterRows !== undefined,
    run: (_, [indices, updates], { shape }) => [scatterInto('add', indices, updates, shape, 0)],
  },
  save: { inputs: [0] },
  grad: ([dy], [indices], _, needs) => [null, needs[1] ? gatherND(dy, indices) : null],
});

/** tf.scatterND(indices, updates, shape): zeros of `shape` with updates summed in at indices. */
export function scatterND(indices: Input, updates: Input, shape: Shape): Tensor {
  return withInputs('scatterND', [['indices', indices, 'int32'], ['updates', updates]], ([i, u]) => scatterNDOf(i, u, shape));
}
function scatterNDOf(indices: Tensor, updates: Tensor, shape: Shape): Tensor {
  checkTensor('scatterND', 'indices', indices);
  checkTensor('scatterND', 'updates', updates);
  return run1(SCATTER_ND, [indices, updates], { shape: checkShape('scatterND', shape) });
}

const TENSOR_SCATTER_UPDATE = register<Record<string, never>>({
  name: 'tensorScatterUpdate',
  inputs: ['tensor', 'indices', 'updates'],
  infer([t, indices, updates]) {
    if (t.dtype !== updates.dtype) throw new Error(`tensorScatterUpdate: tensor ${describe(t)} and updates ${describe(updates)} differ in dtype`);
    checkUpdates('tensorScatterUpdate', indices, updates, t.shape);
    return spec(t.shape, t.dtype);
  },
  kernel: {
    available: (backend) => backend.scatterRows !== undefined,
    run: (_, [t, indices, updates]) => [scatterInto('set', indices, updates, t.shape, t)],
  },
  save: { inputs: [1, 2] },
  grad: ([dy], [indices, updates], _, needs) => [
    needs[0] ? tensorScatterUpdate(dy, indices, fill(updates.shape, 0)) : null, null,
    needs[2] ? gatherND(dy, indices) : null,
  ],
});

/** tf.tensorScatterUpdate(tensor, indices, updates): a copy of tensor with slices replaced. */
export function tensorScatterUpdate(t: Input, indices: Input, updates: Input): Tensor {
  return withInputs('tensorScatterUpdate', [['tensor', t], ['indices', indices, 'int32'], ['updates', updates]],
    ([x, i, u]) => tensorScatterUpdateOf(x, i, u));
}
function tensorScatterUpdateOf(t: Tensor, indices: Tensor, updates: Tensor): Tensor {
  checkTensor('tensorScatterUpdate', 'tensor', t);
  checkTensor('tensorScatterUpdate', 'indices', indices);
  checkTensor('tensorScatterUpdate', 'updates', updates);
  return run1(TENSOR_SCATTER_UPDATE, [t, indices, updates], {});
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

const UNSORTED_SEGMENT_SUM = register<{ numSegments: number }>({
  name: 'unsortedSegmentSum',
  inputs: ['x', 'segmentIds'],
  infer([x, ids], { numSegments }) {
    if (ids.dtype !== 'int32') throw new Error(`unsortedSegmentSum: segmentIds must be int32; received ${describe(ids)}`);
    if (x.dtype === 'bool') throw new Error(`unsortedSegmentSum: x must be float32 or int32; received ${describe(x)}`);
    if (ids.rank !== 1 || x.rank < 1 || ids.shape[0] !== x.shape[0]) {
      throw new Error(`unsortedSegmentSum: segmentIds must be 1-D with one id per row of x ${describe(x)}; received ${describe(ids)}`);
    }
    if (!Number.isInteger(numSegments) || numSegments < 0) {
      throw new Error(`unsortedSegmentSum: numSegments must be a non-negative integer; received ${numSegments}`);
    }
    return spec([numSegments, ...x.shape.slice(1)], x.dtype);
  },
  kernel: {
    available: (backend) => backend.scatterRows !== undefined,
    // Ids outside [0, numSegments) are dropped, as in TF.js.
    run: (backend, [x, ids], { numSegments }, [out]) => [produce(out.shape, x.dtype, (storage) => {
      const cols = sizeOf(x.shape.slice(1));
      backend.fill(storage, numSegments * cols, 0);
      backend.scatterRows('add', storageOf(x, 'unsortedSegmentSum'), storageOf(ids, 'unsortedSegmentSum'), storage,
        x.shape[0], cols, numSegments);
    })],
  },
  save: { inputs: [1] },
  // dy's rows gathered back; a dropped id gets zeros (TF.js's gatherDropNegatives).
  grad: ([dy], [ids], { numSegments }) => {
    const valid = logicalAnd(greaterEqual(ids, 0), less(ids, numSegments));
    const rows = gatherRows(dy, where(valid, ids, 0));
    return [where(reshape(valid, [ids.size, ...new Array<number>(dy.rank - 1).fill(1)]), rows, 0), null];
  },
});

/** tf.unsortedSegmentSum(x, segmentIds, numSegments): rows of x summed by their segment id. */
export function unsortedSegmentSum(x: Input, segmentIds: Input, numSegments: number): Tensor {
  return withInputs('unsortedSegmentSum', [['x', x], ['segmentIds', segmentIds, 'int32']], ([t, ids]) => unsortedSegmentSumOf(t, ids, numSegments));
}
function unsortedSegmentSumOf(x: Tensor, segmentIds: Tensor, numSegments: number): Tensor {
  checkTensor('unsortedSegmentSum', 'x', x);
  checkTensor('unsortedSegmentSum', 'segmentIds', segmentIds);
  return run1(UNSORTED_SEGMENT_SUM, [x, segmentIds], { numSegments });
}

/**
 * tf.bincount(x, weights, size): counts (or summed weights) of the int32 values of x in
 * [0, size); larger values are ignored, negative ones an Error (as in TF.js; on webgpu,
 * where x cannot be read synchronously, they are ignored). The result has weights' dtype.
 */
export function bincount(x: Input, weights: Input, size: number): Tensor {
  return withInputs('bincount', [['x', x, 'int32'], ['weights', weights]], ([t, w]) => bincountOf(t, w, size));
}
function bincountOf(x: Tensor, weights: Tensor, size: number): Tensor {
  checkTensor('bincount', 'x', x);
  checkTensor('bincount', 'weights', weights);
  if (x.dtype !== 'int32') throw new Error(`bincount: x must be int32; received ${describe(x)}`);
  if (!Number.isInteger(size) || size < 0) throw new Error(`bincount: size must be a non-negative integer; received ${size}`);
  if (weights.size !== x.size && weights.size !== 0) {
    throw new Error(`bincount: weights must have x's size (${x.size}) or none; received ${describe(weights)}`);
  }
  if (x.ref.backend.syncReadable) {
    const values = x.dataSync();
    const at = values.findIndex((v) => v < 0);
    if (at >= 0) throw new Error(`bincount: x must be non-negative; received ${values[at]} at position ${at}`);
  }
  return ENGINE.tidy(() => {
    const w = weights.size === 0 ? fill([x.size], 1, weights.dtype === 'bool' ? 'int32' : weights.dtype) : reshape(weights, [x.size]);
    return unsortedSegmentSum(w, reshape(x, [x.size]), size);
  });
}

/**
 * tf.denseBincount(x, weights, size, binaryOutput = false): bincount of a 1-D x, or of each
 * row of a 2-D x; binaryOutput gives 1 where a value occurs.
 */
export function denseBincount(x: Input, weights: Input, size: number, binaryOutput = false): Tensor {
  refuseComplex('denseBincount', 'x', x);
  refuseComplex('denseBincount', 'weights', weights);
  return withInputs('denseBincount', [['x', x, 'int32'], ['weights', weights]], ([t, w]) => denseBincountOf(t, w, size, binaryOutput));
}
function denseBincountOf(x: Tensor, weights: Tensor, size: number, binaryOutput = false): Tensor {
  checkTensor('denseBincount', 'x', x);
  if (x.rank !== 1 && x.rank !== 2) throw new Error(`denseBincount: x must be 1-D or 2-D; received ${describe(x)}`);
  return ENGINE.tidy(() => {
    const rows = x.rank === 1 ? 1 : x.shape[0];
    const valid = logicalAnd(greaterEqual(x, 0), less(x, size));
    const offsets = constant(Array.from({ length: rows }, (_, r) => r * size), x.rank === 1 ? [] : [rows, 1]);
    // Each row's values moved to its own range of bins; out-of-range values to -1 (dropped).
    const ids = where(valid, add(x, offsets), -1);
    const counts = bincount(ids, binaryOutput ? fill([0], 0, 'float32') : weights, rows * size);
    const result = binaryOutput ? cast(cast(counts, 'bool'), weights.dtype === 'bool' ? 'int32' : weights.dtype) : counts;
    return reshape(result, x.rank === 1 ? [size] : [rows, size]);
  });
}

declare module '../../core/tensor.js' {
  interface Tensor {
    gather(indices: Input, axis?: number, batchDims?: number): Tensor;
    gatherND(indices: Input): Tensor;
    unsortedSegmentSum(segmentIds: Input, numSegments: number): Tensor;
    bincount(weights: Input, size: number): Tensor;
  }
}
chain({
  gather(indices: Input, axis?: number, batchDims?: number) { return gather(this, indices, axis, batchDims); },
  gatherND(indices: Input) { return gatherND(this, indices); },
  unsortedSegmentSum(segmentIds: Input, numSegments: number) { return unsortedSegmentSum(this, segmentIds, numSegments); },
  bincount(weights: Input, size: number) { return bincount(this, weights, size); },
});
