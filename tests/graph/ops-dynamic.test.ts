/**
 * The dynamic family (non-max suppressions, Where, ListDiff) and the value-dependent evaluation
 * ops (Unique, UniqueV2, InTopKV2) against TF.js's graph executor (executeAsync), one node at a time.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { GRAPH_OPS } from '../../src/graph/ops/index.js';
import type { CaseInput, OpCase } from './op-harness.js';
import { attr, ints, seeded } from './op-harness.js';
import { check, failure, soraRunRoute } from './op-routes.js';

const f32 = (values: number[], shape = [values.length]): CaseInput => ({ dtype: 'float32', shape, values });
const bools = (values: boolean[], shape = [values.length]): CaseInput => ({ dtype: 'bool', shape, values });

/** n boxes [y1, x1, y2, x2] in a small field, so many overlap, some given with corners swapped; scores with ties. */
function boxes(n: number, seed: number): [CaseInput, CaseInput] {
  const rand = seeded(seed);
  const b: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = rand(0, 4), x = rand(0, 4), h = rand(0.5, 2), w = rand(0.5, 2);
    if (i % 5 === 3) b.push(y + h, x + w, y, x);
    else b.push(y, x, y + h, x + w);
  }
  const s = Array.from({ length: n }, (_, i) => (i % 7 === 2 ? 0.5 : Math.round(rand(0, 1) * 100) / 100));
  return [f32(b, [n, 4]), f32(s)];
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('non-max suppression', () => {
  const [b, s] = boxes(40, 1);
  const [b1, s1] = boxes(1, 2);
  it.each<[string, OpCase]>([
    ['V2', { op: 'NonMaxSuppressionV2', inputs: [b, s, ints([10], []), f32([0.5], [])] }],
    ['V2 max 0', { op: 'NonMaxSuppressionV2', inputs: [b, s, ints([0], []), f32([0.5], [])] }],
    ['V3', { op: 'NonMaxSuppressionV3', inputs: [b, s, ints([20], []), f32([0.3], []), f32([0.4], [])] }],
    ['V3 iou 1', { op: 'NonMaxSuppressionV3', inputs: [b, s, ints([100], []), f32([1], []), f32([-1], [])] }],
    ['V3 one box', { op: 'NonMaxSuppressionV3', inputs: [b1, s1, ints([5], []), f32([0.5], []), f32([0], [])] }],
    ['V4 padded', { op: 'NonMaxSuppressionV4', attr: { pad_to_max_output_size: attr.b(true) },
      inputs: [b, s, ints([30], []), f32([0.2], []), f32([0.3], [])], outputs: 2 }],
    ['V4 not padded', { op: 'NonMaxSuppressionV4', attr: { pad_to_max_output_size: attr.b(false) },
      inputs: [b, s, ints([30], []), f32([0.2], []), f32([0.3], [])], outputs: 2 }],
    ['V4 no attr', { op: 'NonMaxSuppressionV4', inputs: [b, s, ints([5], []), f32([0.6], []), f32([0], [])], outputs: 2 }],
    ['V5 hard', { op: 'NonMaxSuppressionV5', inputs: [b, s, ints([15], []), f32([0.5], []), f32([0.1], []), f32([0], [])], outputs: 2 }],
    ['V5 soft (sigma)', { op: 'NonMaxSuppressionV5',
      inputs: [b, s, ints([25], []), f32([1], []), f32([0.05], []), f32([0.5], [])], outputs: 2 }],
    ['V5 soft with iou', { op: 'NonMaxSuppressionV5',
      inputs: [b, s, ints([25], []), f32([0.4], []), f32([0.2], []), f32([0.3], [])], outputs: 2 }],
    ['V5 as handtrack gives it', { op: 'NonMaxSuppressionV5', attr: { T: attr.type('float32'), pad_to_max_output_size: attr.b(false) },
      inputs: [b, s, ints([100], []), f32([0.6], []), f32([Number.NEGATIVE_INFINITY], []), f32([0], [])], outputs: 2 }],
  ])('%s', async (_, c) => {
    await check(c);
  });

  it('V5 also gives TF\'s third output, valid_outputs', async () => {
    const out = await soraRunRoute({ op: 'NonMaxSuppressionV5',
      inputs: [b, s, ints([15], []), f32([0.5], []), f32([0.1], []), f32([0], [])], outputs: 3 }, false);
    expect(out.outputs[2]).toEqual({ dtype: 'int32', shape: [], values: [out.outputs[0]!.shape[0]] });
  });

  it('every version is async and reads its thresholds as values', () => {
    const nms = ['NonMaxSuppressionV2', 'NonMaxSuppressionV3', 'NonMaxSuppressionV4', 'NonMaxSuppressionV5'];
    const ops = [...nms, 'Where', 'ListDiff', 'Unique', 'UniqueV2'];
    for (const op of ops) {
      expect(GRAPH_OPS.get(op)?.async, op).toBe(true);
    }
    expect(GRAPH_OPS.get('NonMaxSuppressionV5')?.valueInputs).toEqual([2, 3, 4, 5]);
  });

  it('bad inputs name the node and what is wrong, and leak nothing', async () => {
    expect(await failure({ op: 'NonMaxSuppressionV3',
      inputs: [f32([0, 0, 1], [1, 3]), f32([1]), ints([1], []), f32([0.5], []), f32([0], [])] }))
      .toMatch(/node 'op' \(NonMaxSuppressionV3\): boxes must have shape \[n, 4\], got \[1,3\]/);
    expect(await failure({ op: 'NonMaxSuppressionV3', inputs: [b, f32([1, 2]), ints([1], []), f32([0.5], []), f32([0], [])] }))
      .toMatch(/scores must have shape \[40\], got \[2\]/);
    expect(await failure({ op: 'NonMaxSuppressionV3',
      inputs: [b, s, ints([-1], []), f32([0.5], []), f32([0], [])] })).toMatch(/max_output_size must not be negative/);
    expect(await failure({ op: 'NonMaxSuppressionV3',
      inputs: [b, s, ints([3], []), f32([1.5], []), f32([0], [])] })).toMatch(/iou_threshold must be in \[0, 1\], got 1.5/);
    expect(await failure({ op: 'NonMaxSuppressionV5',
      inputs: [b, s, ints([3], []), f32([0.5], []), f32([0], [])] })).toMatch(/expected 6 inputs, got 5/);
  });
});

describe('Where and ListDiff', () => {
  it.each<[string, OpCase]>([
    ['Where bool 2-D', { op: 'Where', inputs: [bools([true, false, false, true, true, false], [2, 3])] }],
    ['Where float', { op: 'Where', attr: { T: attr.type('float32') }, inputs: [f32([0, 1.5, -2, 0, 0, 3, 0, 1], [2, 2, 2])] }],
    ['Where int 1-D', { op: 'Where', attr: { T: attr.type('int32') }, inputs: [ints([0, 0, 4, 0, -1])] }],
    ['Where none', { op: 'Where', inputs: [bools([false, false, false])] }],
    ['ListDiff', { op: 'ListDiff', inputs: [ints([1, 2, 3, 4, 5, 6, 3]), ints([1, 3, 5])], outputs: 2 }],
    ['ListDiff float', { op: 'ListDiff', inputs: [f32([0.5, 1, 2]), f32([7])], outputs: 2 }],
  ])('%s', async (_, c) => {
    await check(c);
  });

  it('Where of a string tensor and ListDiff of 2-D tensors are refused by name', async () => {
    expect(await failure({ op: 'Where',
      inputs: [{ dtype: 'string', shape: [1], values: ['a'] }] })).toMatch(/node 'op' \(Where\): condition must be numeric/);
    expect(await failure({ op: 'ListDiff',
      inputs: [ints([1, 2], [1, 2]), ints([1])] })).toMatch(/node 'op' \(ListDiff\): x and y must be 1-D/);
  });
});

describe('Unique, UniqueV2 and InTopKV2', () => {
  it.each<[string, OpCase]>([
    ['Unique', { op: 'Unique', inputs: [ints([4, 1, 4, 2, 1, 1, 7])], outputs: 2 }],
    ['Unique float with -0', { op: 'Unique', inputs: [f32([0, -0, 1.5, 1.5, -3])], outputs: 2 }],
    ['UniqueV2 axis 0', { op: 'UniqueV2', inputs: [ints([1, 2, 3, 1, 2, 3, 0, 0, 0], [3, 3]), ints([0], [])], outputs: 2 }],
    ['UniqueV2 axis 1', { op: 'UniqueV2', inputs: [ints([1, 1, 2, 3, 3, 4], [2, 3]), ints([1], [])], outputs: 2 }],
  ])('%s', async (_, c) => {
    await check(c);
  });

  it('InTopKV2 (TF.js\'s converter has no InTopKV2: checked against tf.inTopKAsync)', async () => {
    const predictions = f32([0.1, 0.8, 0.1, 0.3, 0.3, 0.4, 0.9, 0.05, 0.05], [3, 3]);
    const targets = ints([1, 0, 2]);
    const out = await soraRunRoute({ op: 'InTopKV2', inputs: [predictions, targets, ints([2], [])] }, false);
    const want = await tf.inTopKAsync(tf.tensor2d(predictions.values as number[], [3, 3]), tf.tensor1d([1, 0, 2], 'int32'), 2);
    expect(out.outputs[0]).toEqual({ dtype: 'bool', shape: [3], values: Array.from(await want.data()) });
    want.dispose();
  });

  it('bad axes are refused by name', async () => {
    expect(await failure({ op: 'UniqueV2',
      inputs: [ints([1, 2]), ints([1], [])] })).toMatch(/node 'op' \(UniqueV2\): axis 1 is out of range/);
    expect(await failure({ op: 'Unique', inputs: [ints([1], [])] })).toMatch(/rank 1 or more/);
  });
});
