import { describe, expect, it } from 'vitest';
import { attr, caseTopology, tfjsRun } from './op-harness.js';

describe('the single-op harness (TF.js side)', () => {
  it('runs one node through TF.js graph executor', async () => {
    const out = await tfjsRun({ op: 'AddV2', attr: { T: attr.type('float32') }, inputs: [
      { dtype: 'float32', shape: [2], values: [1, 2] }, { dtype: 'float32', shape: [2], values: [10, 20] }] });
    expect(out[0]!.values).toEqual([11, 22]);
    expect(JSON.stringify(caseTopology({ op: 'Relu', inputs: [] }))).toContain('Relu');
  });
});
