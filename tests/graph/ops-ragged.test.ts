/**
 * The ragged family against TF.js's ragged ops on the same inputs, and the coverage of every
 * op list of TF.js's converter (each op a handler, outside the executor's own Placeholder and Const
 * and TF Decision Forests' ops, which TF.js runs only with its separate tfjs-tfdf package).
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as sora from '../../src/index.js';
import { GRAPH_OPS } from '../../src/graph/ops/index.js';
import { attr, type CaseOutput, compareOutputs, ints, type OpCase, randomInput, soraRun } from './op-harness.js';

/**
 * TF.js 4.22's graph executor lists the ragged ops but does not run them ("Unknown op 'RaggedGather'"),
 * so the oracle is TF.js's ragged ops called with the node's inputs and attrs, as its executor would.
 */
async function tfjsRagged(c: OpCase): Promise<CaseOutput[]> {
  await tf.setBackend('cpu');
  const t = c.inputs.map((input) => tf.tensor(input.values as never, input.shape, input.dtype as 'float32'));
  let out: tf.Tensor[];
  if (c.op === 'RaggedGather') {
    const rank = Number((c.attr!.OUTPUT_RAGGED_RANK as { i: string }).i);
    const r = tf.raggedGather(t.slice(0, -2), t[t.length - 2]!, t[t.length - 1]!, rank);
    out = [...r.outputNestedSplits, r.outputDenseValues];
  } else if (c.op === 'RaggedRange') {
    const r = tf.raggedRange(t[0]!, t[1]!, t[2]!);
    out = [r.rtNestedSplits, r.rtDenseValues];
  } else {
    const types = (c.attr!.row_partition_types as { list: { s: string[] } }).list.s.map((v) => Buffer.from(v, 'base64').toString());
    out = [tf.raggedTensorToTensor(t[0]!, t[1]!, t[2]!, t.slice(3), types)];
  }
  const result: CaseOutput[] = [];
  for (const o of out) result.push({ dtype: o.dtype, shape: o.shape.slice(), values: Array.from((await o.data()) as ArrayLike<number>) });
  tf.dispose([...t, ...out]);
  return result;
}

async function same(c: OpCase): Promise<void> {
  const want = await tfjsRagged(c);
  await sora.setBackend('wasm');
  const before = sora.memory().numTensors;
  const got = await soraRun(c);
  expect(sora.memory().numTensors, 'tensors left behind').toBe(before);
  expect(compareOutputs(got, want)).toBe('');
}

const I = attr.type('int32');
const F = attr.type('float32');

describe('the ragged family against TF.js', () => {
  it('RaggedGather: splits then dense values, ragged and uniform indices', async () => {
    const base = { Tvalues: F, Tindices: I, Tsplits: I, PARAMS_RAGGED_RANK: attr.i(1) };
    await same({ op: 'RaggedGather', attr: { ...base, OUTPUT_RAGGED_RANK: attr.i(1) }, outputs: 2,
      inputs: [ints([0, 2, 2, 5]), randomInput([5], 1), ints([2, 0, 1, 2])] });
    await same({ op: 'RaggedGather', attr: { ...base, OUTPUT_RAGGED_RANK: attr.i(2) }, outputs: 3,
      inputs: [ints([0, 1, 4, 7]), randomInput([7, 3], 2), ints([2, 0, 1, 1], [2, 2])] });
  });

  it('RaggedRange: rows of ranges, scalars broadcast', async () => {
    await same({ op: 'RaggedRange', attr: { T: I, Tsplits: I }, outputs: 2, inputs: [ints([0, 5, 9]), ints([3, 8, 3]), ints([1, 2, -2])] });
    await same({ op: 'RaggedRange', attr: { T: I, Tsplits: I }, outputs: 2, inputs: [ints([0], []), ints([3, 1, 7]), ints([1], [])] });
  });

  it('RaggedTensorToTensor: ROW_SPLITS, and FIRST_DIM_SIZE with VALUE_ROWIDS', async () => {
    const base = { T: F, Tindex: I, Tshape: I, num_row_partition_tensors: attr.i(1) };
    await same({ op: 'RaggedTensorToTensor', attr: { ...base, row_partition_types: attr.strings(['ROW_SPLITS']) },
      inputs: [ints([3, 4]), randomInput([5], 3), { dtype: 'float32', shape: [], values: [-1] }, ints([0, 2, 2, 5])] });
    await same({ op: 'RaggedTensorToTensor',
      attr: { ...base, num_row_partition_tensors: attr.i(2), row_partition_types: attr.strings(['FIRST_DIM_SIZE', 'VALUE_ROWIDS']) },
      inputs: [ints([-1, -1]), randomInput([5], 4), { dtype: 'float32', shape: [], values: [0] }, ints([4], []), ints([0, 0, 2, 2, 2])] });
  });

  it('refuses an unknown row partition type, naming the node', async () => {
    await expect(soraRun({ op: 'RaggedTensorToTensor', attr: { T: F, row_partition_types: attr.strings(['ROWS']) },
      inputs: [ints([3, 4]), randomInput([5], 3), { dtype: 'float32', shape: [], values: [0] }, ints([0, 2, 2, 5])] }))
      .rejects.toThrow(/node 'op' \(RaggedTensorToTensor\): row_partition_types holds 'ROWS'/);
  });
});

describe('coverage of TF.js converter op lists', () => {
  it('every op of every op list has a handler (but the executor\'s own and TF Decision Forests\')', async () => {
    const require = createRequire(import.meta.url);
    const dir = join(dirname(require.resolve('@tensorflow/tfjs-converter/package.json')), 'dist/operations/op_list');
    const files = readdirSync(dir).filter((f) => f.endsWith('.js') && f !== 'index.js');
    expect(files.length).toBeGreaterThanOrEqual(20);
    const executorOwn = new Set(['Placeholder', 'Const']);
    const missing: string[] = [];
    let total = 0;
    for (const file of files) {
      if (file === 'tfdf.js') continue; // SimpleML*: TF Decision Forests, run by the separate tfjs-tfdf package and its own wasm
      const list = (await import(join(dir, file))) as { json?: { tfOpName: string }[] };
      for (const { tfOpName } of list.json ?? []) {
        total++;
        if (!executorOwn.has(tfOpName) && !GRAPH_OPS.has(tfOpName)) missing.push(`${file}/${tfOpName}`);
      }
    }
    expect(total).toBeGreaterThan(200);
    expect(missing).toEqual([]);
  });
});
