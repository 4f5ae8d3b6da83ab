/**
 * The pretrained TF graph models of the devDependency @vladmandic/human, which the graph-model
 * executor (issue 18) must load: this checks that the fixture is what that work is sized on
 * (eleven graph models, 9 to 52 distinct TF ops each, HandTrack's while loop, TensorLists and
 * non-max suppression, quantized weights) and that every weights path stays in the folder.
 */
import { describe, expect, test } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { graphModelInventory } from '../../scripts/graph-model-ops.mjs';

type Model = { name: string; format: string; nodes: number; ops: Map<string, number>; dtypes: string[]; paths: string[] };
const models = graphModelInventory() as Model[];

describe('the pretrained graph models shipped by @vladmandic/human', () => {
  test('eleven graph models, each using between 9 and 52 distinct TF ops', () => {
    expect(models.map((m) => m.name)).toEqual(['antispoof', 'blazeface', 'centernet', 'emotion', 'facemesh', 'faceres',
      'handlandmark-lite', 'handtrack', 'iris', 'liveness', 'movenet-lightning']);
    for (const m of models) {
      expect(m.format, m.name).toBe('graph-model');
      expect(m.ops.size, m.name).toBeGreaterThanOrEqual(9);
      expect(m.ops.size, m.name).toBeLessThanOrEqual(52);
      expect(m.ops.get('Placeholder'), m.name).toBeGreaterThan(0);
    }
  });
  test('HandTrack has a while loop, TensorLists and non-max suppression; the union is 70 ops', () => {
    const handtrack = models.find((m) => m.name === 'handtrack')!;
    for (const op of ['Enter', 'Exit', 'Merge', 'Switch', 'NextIteration', 'LoopCond', 'TensorListReserve', 'TensorListStack',
      'NonMaxSuppressionV5', 'Where']) {
      expect(handtrack.ops.has(op), op).toBe(true);
    }
    expect(new Set(models.flatMap((m) => [...m.ops.keys()])).size).toBe(70);
  });
  test('weights are float32 (plain, float16- or uint8-quantized) and int32, in files inside the folder', () => {
    const dtypes = new Set(models.flatMap((m) => m.dtypes));
    expect([...dtypes].sort()).toEqual(['float32', 'float32 as float16', 'float32 as uint8', 'int32']);
    for (const m of models) {
      expect(m.paths.length, m.name).toBeGreaterThan(0);
      for (const p of m.paths) expect(p, m.name).toMatch(/^[A-Za-z0-9_.-]+\.bin$/);
    }
  });
});
