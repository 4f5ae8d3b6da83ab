/**
 * tf.sparse (sparseSegmentSum, sparseSegmentMean, sparseReshape, sparseFillEmptyRows) and
 * tf.math.confusionMatrix. The sparse ops' output shapes depend on index values, so, as
 * in TF.js, they read those values synchronously (backends that can: reference, wasm);
 * the segment reductions then run on the backend as a gather and a segment sum, so their
 * gradients are those ops'.
 */
import { ENGINE } from '../../core/engine.js';
import { Tensor } from '../../core/tensor.js';
import { withInputs, type Input } from '../inputs.js';
import { add, div, maximum, mul, where } from '../math/binary.js';
import { fill, tensor } from '../creation.js';
import { gather, unsortedSegmentSum } from './gather-scatter.js';
import { cast, reshape } from '../structure/shape.js';
import { checkTensor, describe, refuseComplex, sizeOf } from '../util.js';

function readInts(op: string, name: string, t: Tensor, rank?: number): Int32Array {
  checkTensor(op, name, t);
  if (t.dtype !== 'int32') throw new Error(`${op}: ${name} must be int32; received ${describe(t)}`);
  if (rank !== undefined && t.rank !== rank) throw new Error(`${op}: ${name} must have rank ${rank}; received ${describe(t)}`);
  if (!t.ref.backend.syncReadable) {
    throw new Error(`${op}: its output shape depends on ${name}'s values, which the '${t.ref.backend.name}' backend can ` +
      'only read asynchronously; run it on the wasm backend');
  }
  return t.dataSync() as Int32Array;
}

function segmentReduce(op: string, data: Input, indices: Input, segmentIds: Input, mean: boolean): Tensor {
  refuseComplex(op, 'data', data);
  if (!(data instanceof Tensor && indices instanceof Tensor && segmentIds instanceof Tensor)) {
    return withInputs(op, [['data', data], ['indices', indices, 'int32'], ['segmentIds', segmentIds, 'int32']],
      ([d, i, s]) => segmentReduce(op, d, i, s, mean));
  }
  checkTensor(op, 'data', data);
  if (data.rank < 1) throw new Error(`${op}: data must have rank >= 1; received ${describe(data)}`);
  if (mean && data.dtype !== 'float32') throw new Error(`${op}: data must be float32; received ${describe(data)}`);
  const index = readInts(op, 'indices', indices, 1);
  const ids = readInts(op, 'segmentIds', segmentIds, 1);
  if (index.length !== ids.length) throw new Error(`${op}: indices ${describe(indices)} and segmentIds ${describe(segmentIds)} differ in length`);
  index.forEach((v, i) => {
    if (v < 0 || v >= data.shape[0]) throw new Error(`${op}: indices[${i}] = ${v} is out of range [0, ${data.shape[0]})`);
  });
  ids.forEach((v, i) => {
    if (v < 0) throw new Error(`${op}: segmentIds[${i}] = ${v} is negative`);
    if (i > 0 && v < ids[i - 1]) throw new Error(`${op}: segmentIds must not decrease; segmentIds[${i}] = ${v} < ${ids[i - 1]}`);
  });
  const segments = ids.length > 0 ? ids[ids.length - 1] + 1 : 0;
  return ENGINE.tidy(() => {
    const sums = unsortedSegmentSum(gather(data, indices), segmentIds, segments);
    if (!mean) return sums;
    const counts = unsortedSegmentSum(fill([ids.length], 1), segmentIds, segments);
    return div(sums, reshape(maximum(counts, 1), [segments, ...new Array<number>(data.rank - 1).fill(1)]));
  });
}

/** tf.sparse.sparseSegmentSum(data, indices, segmentIds): rows data[indices] summed by (sorted) segment. */
export function sparseSegmentSum(data: Input, indices: Input, segmentIds: Input): Tensor {
  return segmentReduce('sparseSegmentSum', data, indices, segmentIds, false);
}

/** tf.sparse.sparseSegmentMean(data, indices, segmentIds): the same, averaged (empty segments are 0). */
export function sparseSegmentMean(data: Input, indices: Input, segmentIds: Input): Tensor {
  return segmentReduce('sparseSegmentMean', data, indices, segmentIds, true);
}

/**
 * tf.sparse.sparseReshape(inputIndices, inputShape, newShape): the coordinates of a sparse
 * tensor's entries under a new dense shape (one -1 entry is inferred).
 */
export function sparseReshape(inputIndices: Input, inputShape: Input, newShape: Input): { outputIndices: Tensor; outputShape: Tensor } {
  const op = 'sparseReshape';
  if (!(inputIndices instanceof Tensor && inputShape instanceof Tensor && newShape instanceof Tensor)) {
    return withInputs(op, [['inputIndices', inputIndices, 'int32'], ['inputShape', inputShape, 'int32'], ['newShape', newShape, 'int32']],
      ([i, s, n]) => sparseReshape(i, s, n));
  }
  const indices = readInts(op, 'inputIndices', inputIndices, 2);
  const shape = Array.from(readInts(op, 'inputShape', inputShape, 1));
  const wanted = Array.from(readInts(op, 'newShape', newShape, 1));
  const [count, rank] = inputIndices.shape;
  if (rank !== shape.length) throw new Error(`${op}: inputIndices ${describe(inputIndices)} need ${shape.length} coordinates per entry`);
  const total = sizeOf(shape);
  const free = wanted.indexOf(-1);
  if (free >= 0 && wanted.indexOf(-1, free + 1) >= 0) throw new Error(`${op}: at most one -1 in newShape [${wanted}]`);
  if (free >= 0) {
    const known = sizeOf(wanted.filter((_, i) => i !== free));
    if (known === 0 || total % known !== 0) throw new Error(`${op}: cannot infer the -1 of [${wanted}] for ${total} elements`);
    wanted[free] = total / known;
  }
  if (wanted.some((d) => d < 0) || sizeOf(wanted) !== total) {
    throw new Error(`${op}: newShape [${wanted}] does not hold the ${total} elements of [${shape}]`);
  }
  const strides = (s: number[]) => s.map((_, i) => sizeOf(s.slice(i + 1)));
  const from = strides(shape), to = strides(wanted);
  const out: number[] = [];
  for (let e = 0; e < count; e++) {
    let flat = 0;
    for (let k = 0; k < rank; k++) flat += indices[e * rank + k] * from[k];
    for (let k = 0; k < wanted.length; k++) { out.push(Math.floor(flat / to[k])); flat %= to[k]; }
  }
  return { outputIndices: tensor(out, [count, wanted.length], 'int32'), outputShape: tensor(wanted, [wanted.length], 'int32') };
}

/**
 * tf.sparse.sparseFillEmptyRows(indices, values, denseShape, defaultValue): every empty row
 * of a sparse tensor gets one entry (row, 0, ...) = defaultValue; entries come out grouped
 * by row in their given order. Also the empty-row flags and each input entry's new position.
 */
export function sparseFillEmptyRows(indices: Input, values: Input, denseShape: Input, defaultValue: Input):
  { outputIndices: Tensor; outputValues: Tensor; emptyRowIndicator: Tensor; reverseIndexMap: Tensor } {
  const op = 'sparseFillEmptyRows';
  if (!(indices instanceof Tensor && values instanceof Tensor && denseShape instanceof Tensor)) {
    return withInputs(op, [['indices', indices, 'int32'], ['values', values], ['denseShape', denseShape, 'int32']],
      ([i, v, s]) => sparseFillEmptyRows(i, v, s, defaultValue));
  }
  const index = readInts(op, 'indices', indices, 2);
  const shape = readInts(op, 'denseShape', denseShape, 1);
  checkTensor(op, 'values', values);
  if (!values.ref.backend.syncReadable) throw new Error(`${op}: values must be readable synchronously`);
  const vals = values.dataSync();
  const fallback = defaultValue instanceof Tensor ? checkTensor(op, 'defaultValue', defaultValue).dataSync()[0]
    : withInputs(op, [['defaultValue', defaultValue, values.dtype]], ([d]) => d.dataSync()[0]);
  const [count, rank] = indices.shape;
  if (values.rank !== 1 || values.size !== count) throw new Error(`${op}: values must have shape [${count}]; received ${describe(values)}`);
  const rows = shape[0] ?? 0;
  const byRow: number[][] = Array.from({ length: rows }, () => []);
  for (let e = 0; e < count; e++) {
    const row = index[e * rank];
    if (row < 0 || row >= rows) throw new Error(`${op}: indices[${e}] has row ${row}, out of range [0, ${rows})`);
    byRow[row].push(e);
  }
  const outIndices: number[] = [], outValues: number[] = [], reverse = new Array<number>(count);
  byRow.forEach((entries, row) => {
    if (entries.length === 0) {
      outIndices.push(row, ...new Array<number>(rank - 1).fill(0));
      outValues.push(fallback);
    }
    for (const e of entries) {
      reverse[e] = outValues.length;
      for (let k = 0; k < rank; k++) outIndices.push(index[e * rank + k]);
      outValues.push(vals[e]);
    }
  });
  return {
    outputIndices: tensor(outIndices, [outValues.length, rank], 'int32'),
    outputValues: tensor(outValues, [outValues.length], values.dtype),
    emptyRowIndicator: tensor(byRow.map((e) => (e.length === 0 ? 1 : 0)), [rows], 'bool'),
    reverseIndexMap: tensor(reverse, [count], 'int32'),
  };
}

/**
 * tf.math.confusionMatrix(labels, predictions, numClasses): int32 [numClasses, numClasses]
 * counts of (label, prediction) pairs, on the backend (one segment sum); pairs with a class
 * outside [0, numClasses) are not counted.
 */
export function confusionMatrix(labels: Input, predictions: Input, numClasses: number): Tensor {
  const op = 'confusionMatrix';
  refuseComplex(op, 'labels', labels);
  refuseComplex(op, 'predictions', predictions);
  if (!(labels instanceof Tensor && predictions instanceof Tensor)) {
    return withInputs(op, [['labels', labels, 'int32'], ['predictions', predictions, 'int32']], ([l, p]) => confusionMatrix(l, p, numClasses));
  }
  for (const [name, t] of [['labels', labels], ['predictions', predictions]] as const) {
    checkTensor(op, name, t);
    if (t.rank !== 1) throw new Error(`${op}: ${name} must be 1-D; received ${describe(t)}`);
  }
  if (labels.size !== predictions.size) throw new Error(`${op}: labels ${describe(labels)} and predictions ${describe(predictions)} differ in length`);
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new Error(`${op}: numClasses must be a positive integer; received ${numClasses}`);
  return ENGINE.tidy(() => {
    const l = cast(labels, 'int32'), p = cast(predictions, 'int32');
    const inRange = (t: Tensor) => t.greaterEqual(0).logicalAnd(t.less(numClasses));
    const pair = where(inRange(l).logicalAnd(inRange(p)), add(mul(l, numClasses), p), -1);
    return reshape(unsortedSegmentSum(fill([labels.size], 1, 'int32'), pair, numClasses * numClasses), [numClasses, numClasses]);
  });
}

/** The tf.sparse namespace. */
export const sparse = { sparseSegmentSum, sparseSegmentMean, sparseReshape, sparseFillEmptyRows };
/** The tf.math namespace (TF.js has confusionMatrix there). */
export const math = { confusionMatrix };
