/**
 * Shared checks of the op-family tests: a case run by sora's handler and by TF.js's
 * graph executor must agree, and leave no tensor behind; a bad case must throw a clear Error,
 * leave nothing behind, and (where TF.js refuses it too) be refused by TF.js as well.
 */
import { expect } from 'vitest';
import * as sora from '../../src/index.js';
import { Attrs } from '../../src/graph/attrs.js';
import { GRAPH_OPS } from '../../src/graph/ops/index.js';
import type { GraphNode } from '../../src/graph/types.js';
import { type CaseInput, type OpCase, compareOutputs, directContext, randomInput, soraRun, tfjsRun } from './op-harness.js';

/** Runs `c` on both sides and expects the same dtypes, shapes and values (relative `tol`), and no leak. */
export async function same(c: OpCase, tol = 1e-5): Promise<void> {
  const before = sora.memory().numTensors;
  const got = await soraRun(c);
  expect(sora.memory().numTensors, `${c.op}: tensors leaked`).toBe(before);
  const want = await tfjsRun(c);
  expect(compareOutputs(got, want, tol), `${c.op} ${JSON.stringify(c.inputs.map((i) => i.shape))}`).toBe('');
}

/** Expects sora's handler to throw an Error matching `message` and leak nothing; with `tfjsToo`, TF.js must refuse it as well. */
export async function refuses(c: OpCase, message: RegExp, tfjsToo = false): Promise<void> {
  const entry = GRAPH_OPS.get(c.op);
  if (entry === undefined) throw new Error(`no sora handler for ${c.op}`);
  const node: GraphNode = {
    name: 'bad', op: c.op, inputs: c.inputs.map((_, i) => ({ node: `in${i}`, output: 0, control: false })),
    attrs: new Attrs(c.attr ?? {}, `node 'bad' (${c.op})`),
  };
  const before = sora.memory().numTensors;
  const inputs = c.inputs.map((input) => sora.tensor(input.values as never, input.shape, input.dtype));
  try {
    await expect((async () => entry.run(inputs, directContext(node)))()).rejects.toThrow(message);
  } finally {
    sora.dispose(inputs);
  }
  expect(sora.memory().numTensors, `${c.op}: tensors leaked on error`).toBe(before);
  if (tfjsToo) await expect(tfjsRun(c)).rejects.toThrow();
}

/** A float32 input with values in [lo, hi). */
export const f32 = (shape: number[], seed: number, lo = -1, hi = 1): CaseInput => randomInput(shape, seed, lo, hi);

/** An int32 input of seeded integers in [lo, hi). */
export function i32(shape: number[], seed: number, lo = -5, hi = 5): CaseInput {
  const r = randomInput(shape, seed, lo, hi);
  return { dtype: 'int32', shape, values: (r.values as number[]).map(Math.floor) };
}

/** A bool input of seeded values. */
export function bools(shape: number[], seed: number): CaseInput {
  const r = randomInput(shape, seed);
  return { dtype: 'bool', shape, values: (r.values as number[]).map((v) => v > 0) };
}
