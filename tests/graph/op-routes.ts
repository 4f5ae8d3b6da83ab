/**
 * Runs one OpCase through sora's handler twice: as op-harness's soraRun does (inputs on the
 * device, value inputs read back), and with every input's host values recorded first, as the
 * executor records them for constants and shape arithmetic; the host route (ops/host.ts) must give
 * the same outputs. Also checks that neither route leaks a tensor.
 */
import { expect } from 'vitest';
import * as sora from '../../src/index.js';
import { Attrs } from '../../src/graph/attrs.js';
import { GRAPH_OPS } from '../../src/graph/ops/index.js';
import { peekHostValues, setHostValues } from '../../src/graph/ops/util.js';
import type { GraphNode } from '../../src/graph/types.js';
import { type CaseOutput, type OpCase, compareOutputs, directContext, tfjsRun } from './op-harness.js';

/** The node a case describes, as the parser would give it. */
export function caseNode(c: OpCase): GraphNode {
  return {
    name: 'op', op: c.op, inputs: c.inputs.map((_, i) => ({ node: `in${i}`, output: 0, control: false })),
    attrs: new Attrs(c.attr ?? {}, `node 'op' (${c.op})`),
  };
}

/** sora's outputs for a case; `host`: every input carries host values. Also reports which outputs carry host values. */
export async function soraRunRoute(c: OpCase, host: boolean): Promise<{ outputs: CaseOutput[]; hostOutputs: boolean[] }> {
  const entry = GRAPH_OPS.get(c.op);
  if (entry === undefined) throw new Error(`no sora handler for ${c.op}`);
  const before = sora.memory().numTensors;
  const inputs = c.inputs.map((input) => sora.tensor(input.values as never, input.shape, input.dtype));
  if (host) {
    inputs.forEach((t, i) => {
      const v = c.inputs[i]!;
      if (v.dtype === 'int32') setHostValues(t, Int32Array.from(v.values as number[]));
      else if (v.dtype === 'float32') setHostValues(t, Float32Array.from(v.values as number[]));
      else if (v.dtype === 'bool') setHostValues(t, Uint8Array.from(v.values as boolean[], (b) => (b ? 1 : 0)));
      else if (v.dtype === 'string') setHostValues(t, (v.values as string[]).slice());
    });
  }
  const outputs = (await entry.run(inputs, directContext(caseNode(c)))) as sora.Tensor[];
  const result: CaseOutput[] = [];
  const hostOutputs: boolean[] = [];
  for (const t of outputs.slice(0, c.outputs ?? 1)) {
    result.push({ dtype: t.dtype, shape: t.shape.slice(), values: Array.from(await t.data() as ArrayLike<number>) as number[] });
    const known = peekHostValues(t);
    hostOutputs.push(known !== undefined);
    if (known !== undefined && !Array.isArray(known)) {
      // Recorded host values must be the tensor's values.
      expect(Array.from(known as ArrayLike<number>)).toEqual(result[result.length - 1]!.values.map(Number));
    }
  }
  const inputSet = new Set<unknown>(inputs);
  for (const t of new Set(outputs)) if (!inputSet.has(t)) t.dispose();
  sora.dispose(inputs);
  expect(sora.memory().numTensors, `${c.op}: tensors leaked`).toBe(before);
  return { outputs: result, hostOutputs };
}

/** Checks sora against TF.js on both routes; returns the host route's host-output flags. */
export async function check(c: OpCase, tol = 1e-5): Promise<boolean[]> {
  const want = await tfjsRun(c);
  const device = await soraRunRoute(c, false);
  expect(compareOutputs(device.outputs, want, tol), `${c.op} (device route)`).toBe('');
  const host = await soraRunRoute(c, true);
  expect(compareOutputs(host.outputs, want, tol), `${c.op} (host route)`).toBe('');
  return host.hostOutputs;
}

/** Runs a case expected to fail; returns the message (and checks that nothing leaked). */
export async function failure(c: OpCase): Promise<string> {
  const entry = GRAPH_OPS.get(c.op);
  if (entry === undefined) throw new Error(`no sora handler for ${c.op}`);
  const before = sora.memory().numTensors;
  const inputs = c.inputs.map((input) => sora.tensor(input.values as never, input.shape, input.dtype));
  let message = '';
  try {
    const out = await entry.run(inputs, directContext(caseNode(c)));
    sora.dispose(out.filter((t) => !inputs.includes(t as sora.Tensor)) as sora.Tensor[]);
  } catch (error) {
    message = (error as Error).message;
  }
  sora.dispose(inputs);
  expect(sora.memory().numTensors, `${c.op}: tensors leaked on error`).toBe(before);
  return message;
}
