/**
 * Ragged tensors as TF.js passes them: nested row splits (int32 vectors) over dense values.
 * raggedRange, raggedGather, raggedTensorToTensor; their output sizes depend on split and index values,
 * which, as in TF.js, are read synchronously (the dense values are gathered on the backend).
 */
import { ENGINE } from '../../core/engine.js';
import { Tensor } from '../../core/tensor.js';
import { allTensors, listArguments, withInputs, type Input } from '../inputs.js';
import { tensor } from '../creation.js';
import { gather, tensorScatterUpdate } from './gather-scatter.js';
import { broadcastTo, cast, clone } from '../structure/shape.js';
import { checkTensor, describe } from '../util.js';

/**
 * tf.raggedRange(starts, limits, deltas): the ranges start, start + delta, ... (before
 * limit) of each row, as a ragged tensor: rtNestedSplits (int32 row boundaries, one more
 * than the rows) and rtDenseValues (starts' dtype). Scalars broadcast against vectors.
 */

export function raggedRange(starts: Input, limits: Input, deltas: Input): { rtNestedSplits: Tensor; rtDenseValues: Tensor } {
  if (!(starts instanceof Tensor && limits instanceof Tensor && deltas instanceof Tensor)) {
    return withInputs('raggedRange', [['starts', starts], ['limits', limits], ['deltas', deltas]], ([s, l, d]) => raggedRange(s, l, d));
  }
  const op = 'raggedRange';
  const inputs = [['starts', starts], ['limits', limits], ['deltas', deltas]] as const;
  const read = inputs.map(([name, t]) => {
    checkTensor(op, name, t);
    if (t.rank > 1) throw new Error(`${op}: ${name} must be a scalar or a vector; received ${describe(t)}`);
    if (t.dtype !== starts.dtype) throw new Error(`${op}: ${name} ${describe(t)} must have starts' dtype (${starts.dtype})`);
    if (!t.ref.backend.syncReadable) {
      throw new Error(`${op}: its output size depends on ${name}'s values, which the '${t.ref.backend.name}' backend can only read asynchronously`);
    }
    return t.dataSync();
  });
  const lengths = inputs.filter(([, t]) => t.rank === 1).map(([, t]) => t.size);
  if (lengths.some((n) => n !== lengths[0])) throw new Error(`${op}: starts, limits and deltas must have the same length; received [${lengths}]`);
  const rows = lengths.length > 0 ? lengths[0] : 1;
  const at = (values: ArrayLike<number>, row: number) => (values.length === 1 && rows !== 1 ? values[0] : values[row]);
  const splits = [0];
  const values: number[] = [];
  for (let row = 0; row < rows; row++) {
    const [start, limit, delta] = read.map((v) => at(v, row));
    if (delta === 0) throw new Error(`${op}: deltas must not be 0 (row ${row})`);
    const size = (delta > 0 && limit < start) || (delta < 0 && limit > start) ? 0 : Math.ceil(Math.abs((limit - start) / delta));
    // Accumulated in float64 and stored in the values' type, as TF.js fills them.
    const run = starts.dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
    let value = start;
    for (let i = 0; i < size; i++) { run[i] = value; value += delta; }
    values.push(...run);
    splits.push(splits[row] + size);
  }
  return { rtNestedSplits: tensor(splits, [rows + 1], 'int32'), rtDenseValues: tensor(values, [values.length], starts.dtype) };
}

function readInt32(op: string, name: string, t: Tensor, rank?: number): Int32Array {
  checkTensor(op, name, t);
  if (t.dtype !== 'int32') throw new Error(`${op}: ${name} must be int32; received ${describe(t)}`);
  if (rank !== undefined && t.rank !== rank) throw new Error(`${op}: ${name} must have rank ${rank}; received ${describe(t)}`);
  if (!t.ref.backend.syncReadable) {
    throw new Error(`${op}: reads ${name} synchronously, which the '${t.ref.backend.name}' backend cannot`);
  }
  return t.dataSync() as Int32Array;
}

/**
 * tf.raggedGather(paramsNestedSplits, paramsDenseValues, indices, outputRaggedRank): the
 * rows of a ragged tensor at int32 indices (of any rank; its inner axes become uniform row
 * splits), as { outputNestedSplits, outputDenseValues }.
 */
export function raggedGather(paramsNestedSplits: Input[], paramsDenseValues: Input, indices: Input, outputRaggedRank: number):
  { outputNestedSplits: Tensor[]; outputDenseValues: Tensor } {
  if (!(allTensors(paramsNestedSplits) && paramsDenseValues instanceof Tensor && indices instanceof Tensor)) {
    return withInputs('raggedGather', [...listArguments('raggedGather', 'paramsNestedSplits', paramsNestedSplits, 'int32'),
      ['paramsDenseValues', paramsDenseValues], ['indices', indices, 'int32']],
    (list) => raggedGather(list.slice(0, -2), list[list.length - 2], list[list.length - 1], outputRaggedRank));
  }
  const op = 'raggedGather';
  if (!Array.isArray(paramsNestedSplits) || paramsNestedSplits.length === 0) throw new Error(`${op}: paramsNestedSplits must be a non-empty array`);
  const splits = paramsNestedSplits.map((t, i) => readInt32(op, `paramsNestedSplits[${i}]`, t, 1));
  checkTensor(op, 'paramsDenseValues', paramsDenseValues);
  if (paramsDenseValues.rank === 0) throw new Error(`${op}: paramsDenseValues must have rank >= 1; received ${describe(paramsDenseValues)}`);
  const index = readInt32(op, 'indices', indices);
  splits.forEach((list, dim) => {
    const bound = dim === splits.length - 1 ? paramsDenseValues.shape[0] : splits[dim + 1].length;
    if (list.length === 0) throw new Error(`${op}: paramsNestedSplits[${dim}] is empty`);
    list.forEach((v, i) => {
      if (v < 0 || v > bound || (i > 0 && v < list[i - 1])) {
        throw new Error(`${op}: paramsNestedSplits[${dim}] must ascend within [0, ${bound}]; received ${v} at ${i}`);
      }
    });
  });
  const rows = splits[0].length - 1;
  index.forEach((v, i) => {
    if (v < 0 || v >= rows) throw new Error(`${op}: indices value ${v} at position ${i} is out of range [0, ${rows})`);
  });
  const expected = indices.rank + splits.length - 1;
  if (outputRaggedRank !== undefined && outputRaggedRank !== expected) {
    throw new Error(`${op}: outputRaggedRank must be ${expected} (indices rank ${indices.rank} + ${splits.length} - 1); received ${outputRaggedRank}`);
  }
  // indices' inner axes as uniform splits, then each gathered row's splits, shifted to follow.
  const out: number[][] = Array.from({ length: expected }, () => [0]);
  let count = 1;
  for (let dim = 0; dim + 1 < indices.rank; dim++) {
    count *= indices.shape[dim];
    for (let i = 1; i <= count; i++) out[dim].push(i * indices.shape[dim + 1]);
  }
  const valueRows: number[] = [];
  for (const start0 of index) {
    let start = start0, limit = start0 + 1;
    splits.forEach((list, dim) => {
      const target = out[dim + indices.rank - 1];
      if (target) {
        const shift = target[target.length - 1] - list[start];
        for (let j = start; j < limit; j++) target.push(list[j + 1] + shift);
      }
      [start, limit] = [list[start], list[limit]];
    });
    for (let v = start; v < limit; v++) valueRows.push(v);
  }
  return ENGINE.tidy(() => ({
    outputNestedSplits: out.map((list) => tensor(list, [list.length], 'int32')),
    outputDenseValues: gather(paramsDenseValues, tensor(valueRows, [valueRows.length], 'int32')),
  }));
}

export type RowPartitionType = 'FIRST_DIM_SIZE' | 'VALUE_ROWIDS' | 'ROW_SPLITS';

/**
 * tf.raggedTensorToTensor(shape, values, defaultValue, rowPartitionTensors,
 * rowPartitionTypes): a ragged tensor made dense. Partitions are ROW_SPLITS per ragged
 * dimension, or FIRST_DIM_SIZE (a scalar row count) followed by VALUE_ROWIDS per dimension.
 * `shape` (int32; -1 entries, or a scalar -1, take the natural size: the longest row)
 * truncates longer rows; missing positions take defaultValue (broadcast to a value's shape).
 * Partitions are read synchronously; values are moved by one gather and one scatter.
 */
export function raggedTensorToTensor(shape: Input, values: Input, defaultValue: Input, rowPartitionTensors: Input[],
  rowPartitionTypes: RowPartitionType[]): Tensor {
  if (!(shape instanceof Tensor && values instanceof Tensor && defaultValue instanceof Tensor && allTensors(rowPartitionTensors))) {
    const op = 'raggedTensorToTensor';
    return ENGINE.tidy(() => { // defaultValue's values take values' dtype
      const [s, v] = withInputs(op, [['shape', shape, 'int32'], ['values', values]], (list) => list);
      return withInputs(op, [['defaultValue', defaultValue, v.dtype], ...listArguments(op, 'rowPartitionTensors', rowPartitionTensors, 'int32')],
        ([d, ...parts]) => raggedTensorToTensor(s, v, d, parts, rowPartitionTypes));
    });
  }
  const op = 'raggedTensorToTensor';
  checkTensor(op, 'values', values);
  checkTensor(op, 'defaultValue', defaultValue);
  if (values.rank === 0) throw new Error(`${op}: values must have rank >= 1; received ${describe(values)}`);
  if (!Array.isArray(rowPartitionTypes) || rowPartitionTypes.length === 0 || rowPartitionTypes.length !== rowPartitionTensors.length) {
    throw new Error(`${op}: give one row partition type per row partition tensor (${rowPartitionTensors.length}); received ${JSON.stringify(rowPartitionTypes)}`);
  }
  const parts = rowPartitionTensors.map((t, i) => readInt32(op, `rowPartitionTensors[${i}]`, t));
  // Row splits per ragged dimension, from either encoding.
  const splits: number[][] = [];
  let rows: number;
  if (rowPartitionTypes[0] === 'FIRST_DIM_SIZE') {
    rows = parts[0][0];
    rowPartitionTypes.slice(1).forEach((type, k) => {
      if (type !== 'VALUE_ROWIDS') throw new Error(`${op}: after FIRST_DIM_SIZE every partition must be VALUE_ROWIDS; received ${type}`);
      const ids = parts[k + 1];
      const parent = k === 0 ? rows : splits[k - 1][splits[k - 1].length - 1];
      const counts = new Array<number>(parent).fill(0);
      ids.forEach((id, i) => {
        if (id < 0 || id >= parent || (i > 0 && id < ids[i - 1])) throw new Error(`${op}: value row ids must ascend within [0, ${parent}); received ${id} at ${i}`);
        counts[id]++;
      });
      splits.push(counts.reduce((acc, n) => [...acc, acc[acc.length - 1] + n], [0]));
    });
  } else {
    rowPartitionTypes.forEach((type, k) => {
      if (type !== 'ROW_SPLITS') throw new Error(`${op}: partitions must be all ROW_SPLITS or FIRST_DIM_SIZE then VALUE_ROWIDS; received ${type}`);
      const list = Array.from(parts[k]);
      const bound = k + 1 < parts.length ? parts[k + 1].length - 1 : values.shape[0];
      if (list.length === 0 || list[0] !== 0 || list.some((v, i) => v > bound || (i > 0 && v < list[i - 1]))) {
        throw new Error(`${op}: rowPartitionTensors[${k}] must be row splits from 0 ascending to at most ${bound}; received [${list}]`);
      }
      splits.push(list);
    });
    rows = splits[0].length - 1;
  }
  const ragged = splits.length;
  if (splits[ragged - 1][splits[ragged - 1].length - 1] > values.shape[0]) throw new Error(`${op}: the row partitions point past the ${values.shape[0]} values`);
  // Each value's position along every ragged dimension, walking down from the rows.
  const inner = values.shape.slice(1);
  const natural = [rows, ...splits.map((list) => Math.max(0, ...list.slice(1).map((v, i) => v - list[i])))];
  const given = Array.from(readInt32(op, 'shape', shape));
  const outShape = shape.rank === 0 ? [...natural, ...inner]
    : given.map((d, i) => (d === -1 ? [...natural, ...inner][i] : d));
  if (outShape.length !== ragged + 1 + inner.length || inner.some((d, i) => outShape[ragged + 1 + i] !== d)) {
    throw new Error(`${op}: shape [${given}] must have ${ragged + 1} ragged dimensions then the values' [${inner}]`);
  }
  let positions: number[][] = Array.from({ length: rows }, (_, r) => [r]);
  for (const list of splits) {
    const next: number[][] = [];
    positions.forEach((position, row) => {
      for (let child = list[row]; child < list[row + 1]; child++) next.push([...position, child - list[row]]);
    });
    positions = next;
  }
  const kept = positions.flatMap((position, v) => (position.every((p, d) => p < outShape[d]) ? [v] : []));
  return ENGINE.tidy(() => {
    const base = broadcastTo(cast(defaultValue, values.dtype), outShape);
    if (kept.length === 0) return clone(base);
    const coordinates = tensor(kept.flatMap((v) => positions[v]), [kept.length, ragged + 1], 'int32');
    return tensorScatterUpdate(base, coordinates, gather(values, tensor(kept, [kept.length], 'int32')));
  });
}
