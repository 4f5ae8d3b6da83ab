/**
 * Ragged tensors as TF.js passes them: nested row splits (int32 vectors) over dense values.
 * raggedRange and raggedGather; their output sizes depend on split and index values,
 * which, as in TF.js, are read synchronously (the dense values are gathered on the backend).
 */
import { ENGINE } from '../engine.js';
import type { Tensor } from '../tensor.js';
import { tensor } from './creation.js';
import { gather } from './indexing.js';
import { checkTensor, describe } from './util.js';

/**
 * tf.raggedRange(starts, limits, deltas): the ranges start, start + delta, ... (before
 * limit) of each row, as a ragged tensor: rtNestedSplits (int32 row boundaries, one more
 * than the rows) and rtDenseValues (starts' dtype). Scalars broadcast against vectors.
 */

export function raggedRange(starts: Tensor, limits: Tensor, deltas: Tensor): { rtNestedSplits: Tensor; rtDenseValues: Tensor } {
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
export function raggedGather(paramsNestedSplits: Tensor[], paramsDenseValues: Tensor, indices: Tensor, outputRaggedRank: number):
  { outputNestedSplits: Tensor[]; outputDenseValues: Tensor } {
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
