/**
 * Every TF op used by the human package's graph models (main graphs and function bodies, as
 * scripts/graph-model-ops.mjs reads them) has a built-in handler in GRAPH_OPS. When one does not,
 * the failure lists each missing op with the models that use it: the work left for the op families.
 */
import { describe, expect, it } from 'vitest';
import { GRAPH_OPS } from '../../src/graph/ops/index.js';
import { compareModelOutputs, HUMAN_MODEL_CASES, humanModelInventory, inputSignature, type ModelOutput, modelInput } from './human-models.js';

describe('the ops of the human package\'s graph models', () => {
  const inventory = humanModelInventory();

  it('are the eleven models the differential tests feed', () => {
    expect(inventory.map((m) => m.name)).toEqual(HUMAN_MODEL_CASES.map((c) => c.name));
    for (const m of inventory) expect(m.format, m.name).toBe('graph-model');
  });

  it('each have a handler in GRAPH_OPS', () => {
    const users = new Map<string, string[]>();
    for (const m of inventory) for (const op of m.ops.keys()) users.set(op, [...(users.get(op) ?? []), m.name]);
    expect(users.size).toBeGreaterThan(60);
    const missing = [...users].filter(([op]) => !GRAPH_OPS.has(op)).sort((a, b) => a[0].localeCompare(b[0]));
    const report = missing.map(([op, names]) => `${op} (${names.join(', ')})`);
    expect(report, `${missing.length} of ${users.size} ops have no handler`).toEqual([]);
  });
});

describe('the per-model tests\' own parts', () => {
  const output = (values: number[], extra: Partial<ModelOutput> = {}): ModelOutput =>
    ({ name: 'y', dtype: 'float32', shape: [values.length], values: Float32Array.from(values), ...extra });

  it('compareModelOutputs holds values to 1e-4 * max(1, |b|) and names every mismatch', () => {
    const ok = compareModelOutputs([output([1, 1000, 0, Number.NaN])], [output([1 + 0.9e-4, 1000.09, -0.9e-4, Number.NaN])]);
    expect(ok[0]!.problems).toEqual([]);
    expect(compareModelOutputs([output([1, 2])], [output([1, 2 + 3e-4])])[0]!.problems[0]).toMatch(/1 of 2 values off .* worst at 1/);
    expect(compareModelOutputs([output([1000])], [output([1000.2])])[0]!.problems).toHaveLength(1);
    expect(compareModelOutputs([output([Number.NaN])], [output([0])])[0]!.problems).toHaveLength(1);
    expect(compareModelOutputs([output([1], { dtype: 'int32' })], [output([1])])[0]!.problems).toEqual(['dtype int32, TF.js float32']);
    expect(compareModelOutputs([output([1, 2], { shape: [2, 1] })], [output([1, 2])])[0]!.problems).toEqual(['shape [2,1], TF.js [2]']);
    expect(compareModelOutputs([output([1], { name: 'z' })], [output([1])])[0]!.problems).toEqual(["output #0 is 'z', TF.js's is 'y'"]);
    expect(compareModelOutputs([], [output([1])])[0]!.problems[0]).toMatch(/sora returned 0 outputs/);
  });

  it('feeds each model a crop of the photo at its input size, scaled as the human library does', () => {
    for (const spec of HUMAN_MODEL_CASES) {
      const input = modelInput(spec.name);
      const signature = inputSignature(spec.name);
      expect(input.name, spec.name).toBe(signature.name);
      expect(input.shape.length, spec.name).toBe(4);
      signature.shape.forEach((d, i) => { if (d !== -1) expect(input.shape[i], `${spec.name} dim ${i}`).toBe(d); });
      expect(input.values.length).toBe(input.shape.reduce((a, b) => a * b, 1));
      let min = Infinity, max = -Infinity, sum = 0;
      for (const v of input.values) { min = Math.min(min, v); max = Math.max(max, v); sum += v; }
      const [low, high] = { unit: [0, 1], byte: [0, 255], 'byte-int': [0, 255], signed: [-1, 1], 'gray-signed': [-1, 1] }[spec.scale];
      expect(min, spec.name).toBeGreaterThanOrEqual(low!);
      expect(max, spec.name).toBeLessThanOrEqual(high!);
      // A real picture spreads over most of the range (no blank or saturated crop).
      expect(max - min, spec.name).toBeGreaterThan(0.5 * (high! - low!));
      const mean = sum / input.values.length;
      expect(mean, spec.name).toBeGreaterThan(low! + 0.1 * (high! - low!));
      expect(mean, spec.name).toBeLessThan(high! - 0.1 * (high! - low!));
    }
    expect(modelInput('movenet-lightning').values).toBeInstanceOf(Int32Array);
    expect(modelInput('handtrack').shape).toEqual([1, 320, 320, 3]);
    expect(modelInput('emotion').shape).toEqual([1, 64, 64, 1]);
  });
});
