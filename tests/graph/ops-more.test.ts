/**
 * The sparse, spectral, string and hash_table families against TF.js's graph executor.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as sora from '../../src/index.js';
import { Attrs } from '../../src/graph/attrs.js';
import { GRAPH_OPS } from '../../src/graph/ops/index.js';
import type { GraphNode, GraphValue } from '../../src/graph/types.js';
import type { CaseInput, OpCase } from './op-harness.js';
import { attr, directContext, ints, randomInput } from './op-harness.js';
import { check } from './op-routes.js';

const f32 = (values: number[], shape = [values.length]): CaseInput => ({ dtype: 'float32', shape, values });
const strs = (values: string[], shape = [values.length]): CaseInput => ({ dtype: 'string', shape, values });

const node = (name: string, op: string, attrs: Record<string, unknown> = {}): GraphNode =>
  ({ name, op, inputs: [], attrs: new Attrs(attrs, `node '${name}' (${op})`) });

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('sparse family', () => {
  it.each<[string, OpCase]>([
    ['SparseFillEmptyRows', {
      op: 'SparseFillEmptyRows', outputs: 4,
      inputs: [ints([0, 0, 1, 0, 1, 3, 2, 0, 3, 1, 5, 1], [6, 2]), f32([0, 10, 13, 14, 32, 33]), ints([6, 4]), f32([-1], [])],
    }],
    ['SparseReshape', {
      op: 'SparseReshape', outputs: 2, inputs: [ints([0, 0, 0, 1, 1, 2, 1, 2, 3], [3, 3]), ints([2, 3, 6]), ints([9, -1])],
    }],
    ['SparseSegmentSum', { op: 'SparseSegmentSum', inputs: [randomInput([4, 3], 1), ints([0, 2, 1, 3]), ints([0, 0, 1, 2])] }],
    ['SparseSegmentMean', { op: 'SparseSegmentMean', inputs: [randomInput([4, 3], 2), ints([0, 1, 2, 2]), ints([0, 1, 1, 3])] }],
  ])('%s', async (_, c) => {
    await check(c);
  });
});

describe('spectral family', () => {
  it.each<[string, OpCase]>([
    ['RFFT', { op: 'RFFT', inputs: [randomInput([2, 8], 3), ints([8])] }],
  ])('%s', async (_, c) => {
    await check(c, 1e-4);
  });

  /** Runs a spectral op on a complex64 input made with complex(), against the TF.js op of that name. */
  async function complexCase(op: 'FFT' | 'IFFT' | 'IRFFT', shape: number[], seed: number, fftLength?: number): Promise<string> {
    const re = randomInput(shape, seed).values as number[];
    const im = randomInput(shape, seed + 1).values as number[];
    const before = sora.memory().numTensors;
    const parts = [sora.tensor(re, shape), sora.tensor(im, shape)];
    const x = sora.complex(parts[0]!, parts[1]!);
    sora.dispose(parts);
    const lengths = fftLength === undefined ? [] : [sora.tensor1d([fftLength], 'int32')];
    const n = node('op', op);
    let message = '';
    try {
      const [y] = await GRAPH_OPS.get(op)!.run([x, ...lengths], directContext(n)) as sora.Tensor[];
      const tx = tf.complex(tf.tensor(re, shape), tf.tensor(im, shape));
      const ty = op === 'FFT' ? tf.fft(tx) : op === 'IFFT' ? tf.ifft(tx) : tf.irfft(tx);
      expect(y!.dtype).toBe(ty.dtype);
      expect(y!.shape).toEqual(ty.shape);
      const got = await y!.data() as Float32Array;
      const want = await ty.data() as Float32Array;
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-4);
      tf.dispose([tx, ty]);
      y!.dispose();
    } catch (error) {
      message = (error as Error).message;
    }
    x.dispose();
    sora.dispose(lengths);
    expect(sora.memory().numTensors).toBe(before);
    return message;
  }

  it('FFT, IFFT and IRFFT of complex64 inputs', async () => {
    expect(await complexCase('FFT', [2, 4], 4)).toBe('');
    expect(await complexCase('IFFT', [6], 5)).toBe('');
    expect(await complexCase('IRFFT', [2, 5], 6, 8)).toBe('');
    expect(await complexCase('IRFFT', [3, 3], 7)).toBe('');
  });

  it('an IRFFT length other than 2 (k - 1) is refused by name', async () => {
    expect(await complexCase('IRFFT', [5], 6, 9)).toMatch(/node 'op' \(IRFFT\): fft_length 9 is not supported/);
  });
});

describe('string family', () => {
  it.each<[string, OpCase]>([
    ['StaticRegexReplace', {
      op: 'StaticRegexReplace', attr: { pattern: attr.s('a+'), rewrite: attr.s('<$0>'), replace_global: attr.b(true) },
      inputs: [strs(['banana', 'aardvark', ''])],
    }],
    ['StaticRegexReplace first only', {
      op: 'StaticRegexReplace', attr: { pattern: attr.s('[0-9]'), rewrite: attr.s('#'), replace_global: attr.b(false) },
      inputs: [strs(['a1b2', 'x'])],
    }],
    ['StringNGrams', {
      op: 'StringNGrams', outputs: 2, inputs: [strs(['a', 'b', 'c', 'd', 'e']), ints([0, 3, 5])],
      attr: {
        separator: attr.s('|'), ngram_widths: attr.ints([1, 2]), left_pad: attr.s('l'), right_pad: attr.s('r'), pad_width: attr.i(1),
        preserve_short_sequences: attr.b(false),
      },
    }],
    ['StringSplit', {
      op: 'StringSplit', attr: { skip_empty: attr.b(true) }, outputs: 3, inputs: [strs(['a b  c', '', 'de f']), strs([' '], [])],
    }],
    ['StringToHashBucketFast', {
      op: 'StringToHashBucketFast', attr: { num_buckets: attr.i(17) }, inputs: [strs(['a', 'hello', '', 'world'])],
    }],
  ])('%s', async (_, c) => {
    await check(c);
  });
});

describe('hash_table family', () => {
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
  const types = { key_dtype: { type: 'DT_STRING' }, value_dtype: { type: 'DT_INT32' } };

  async function tfjsTable(keys: string[], values: number[], query: string[], fallback: number): Promise<[number[], number]> {
    const topology = {
      node: [
        { name: 'keys', op: 'Placeholder', attr: { dtype: { type: 'DT_STRING' } } },
        { name: 'values', op: 'Placeholder', attr: { dtype: { type: 'DT_INT32' } } },
        { name: 'query', op: 'Placeholder', attr: { dtype: { type: 'DT_STRING' } } },
        { name: 'fallback', op: 'Placeholder', attr: { dtype: { type: 'DT_INT32' } } },
        { name: 'table', op: 'HashTableV2', attr: { ...types, shared_name: { s: b64('t') } } },
        { name: 'import', op: 'LookupTableImportV2', input: ['table', 'keys', 'values'] },
        { name: 'find', op: 'LookupTableFindV2', input: ['table', 'query', 'fallback', '^import'] },
        { name: 'size', op: 'LookupTableSizeV2', input: ['table', '^import'] },
      ],
      versions: { producer: 1 },
    };
    const artifacts = { modelTopology: topology, weightSpecs: [], weightData: new ArrayBuffer(0), format: 'graph-model' };
    const model = await tf.loadGraphModel(tf.io.fromMemory(artifacts));
    const feeds = {
      keys: tf.tensor1d(keys, 'string'), values: tf.tensor1d(values, 'int32'), query: tf.tensor1d(query, 'string'),
      fallback: tf.scalar(fallback, 'int32'),
    };
    const [found, size] = await model.executeAsync(feeds, ['find', 'size']) as tf.Tensor[];
    const out: [number[], number] = [Array.from(await found!.data()), (await size!.data())[0]!];
    tf.dispose([found!, size!, ...Object.values(feeds)]);
    model.dispose();
    return out;
  }

  const run = async (n: GraphNode, inputs: GraphValue[]): Promise<GraphValue[]> => GRAPH_OPS.get(n.op)!.run(inputs, directContext(n));

  it('import, find and size give what TF.js gives, the table persists across runs, and nothing leaks', async () => {
    const keys = ['cat', 'dog', 'emu', 'dog'];
    const values = [3, 5, 7, 9];
    const query = ['dog', 'ant', 'cat', 'emu', ''];
    const want = await tfjsTable(keys, values, query, -1);
    const before = sora.memory().numTensors;
    const tableNode = node('table', 'HashTableV2', types);
    const [table] = await run(tableNode, []);
    const k = sora.tensor1d(keys, 'string');
    const v = sora.tensor1d(values, 'int32');
    expect(await run(node('import', 'LookupTableImportV2'), [table!, k, v])).toEqual([]);
    const q = sora.tensor1d(query, 'string');
    const d = sora.scalar(-1, 'int32');
    const [found] = await run(node('find', 'LookupTableFindV2'), [table!, q, d]) as sora.Tensor[];
    const [size] = await run(node('size', 'LookupTableSizeV2'), [table!]) as sora.Tensor[];
    expect([Array.from(await found!.data()), (await size!.data())[0]]).toEqual(want);
    expect(found!.dtype).toBe('int32');
    // A second run of the same HashTable node gives the same, still filled, table.
    const [again] = await run(tableNode, []);
    expect(again).toBe(table);
    const [size2] = await run(node('size', 'LookupTableSizeV2'), [again!]) as sora.Tensor[];
    expect((await size2!.data())[0]).toBe(3);
    table!.dispose();
    sora.dispose([k, v, q, d, found!, size!, size2!]);
    expect(sora.memory().numTensors).toBe(before);
  });

  it('mismatched dtypes and a tensor where a table belongs are refused by name', async () => {
    const [table] = await run(node('table2', 'HashTableV2', types), []);
    const k = sora.tensor1d([1, 2], 'int32');
    await expect(run(node('import', 'LookupTableImportV2'), [table!, k, k]))
      .rejects.toThrow(/node 'import' \(LookupTableImportV2\): the table maps string to int32/);
    await expect(run(node('find', 'LookupTableFindV2'), [k, k, k]))
      .rejects.toThrow(/node 'find' \(LookupTableFindV2\): input 0 must be a hashTable, got a tensor/);
    k.dispose();
  });
});
