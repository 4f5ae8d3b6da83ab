/**
 * tf.raggedRange(starts, limits, deltas): the ranges start, start + delta, ... (before
 * limit) of each row, as a ragged tensor: rtNestedSplits (int32 row boundaries, one more
 * than the rows) and rtDenseValues (starts' dtype). Scalars broadcast against vectors. The
 * output size depends on the values, so, as in TF.js, they are read synchronously.
 */
import type { Tensor } from '../tensor.js';
import { tensor } from './creation.js';
import { checkTensor, describe } from './util.js';

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
