/**
 * Every TF op used by the human package's graph models (main graphs and function bodies, as
 * scripts/graph-model-ops.mjs reads them) has a built-in handler in GRAPH_OPS. When one does not,
 * the failure lists each missing op with the models that use it: the work left for the op families.
 */
import { describe, expect, it } from 'vitest';
import { GRAPH_OPS } from '../../src/graph/ops/index.js';
import { HUMAN_MODEL_CASES, humanModelInventory } from './human-models.js';

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
