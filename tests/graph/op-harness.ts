/**
 * Single-op differential checks for the graph op families: one TF node fed by Placeholders, run
 * by TF.js's own graph executor (tf.loadGraphModel on an in-memory model.json, cpu backend) and by
 * sora's handler for that op, called directly. Same inputs, same attrs, outputs compared.
 */
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { Attrs } from '../../src/graph/attrs.js';
import { GRAPH_OPS } from '../../src/graph/ops/index.js';
import type { GraphNode, OpContext } from '../../src/graph/types.js';

/** An input of a case: values, shape and dtype ('float32' | 'int32' | 'bool' | 'string'). */
export interface CaseInput {
  dtype: 'float32' | 'int32' | 'bool' | 'string' | 'complex64';
  shape: number[];
  values: number[] | string[] | boolean[];
}

/** One node to check: its TF op, its attrs (as model.json stores them: use `attr` below), its inputs. */
export interface OpCase {
  op: string;
  attr?: Record<string, unknown>;
  inputs: CaseInput[];
  /** How many outputs to fetch (default 1). */
  outputs?: number;
}

/** An output read back. */
export interface CaseOutput {
  dtype: string;
  shape: number[];
  values: number[] | string[];
}

const TF_TYPE: Record<string, string> = { float32: 'DT_FLOAT', int32: 'DT_INT32', bool: 'DT_BOOL', string: 'DT_STRING', complex64: 'DT_COMPLEX64' };
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** model.json AttrValue builders. */
export const attr = {
  i: (v: number) => ({ i: String(v) }),
  f: (v: number) => ({ f: v }),
  b: (v: boolean) => ({ b: v }),
  s: (v: string) => ({ s: b64(v) }),
  type: (dtype: keyof typeof TF_TYPE) => ({ type: TF_TYPE[dtype] }),
  ints: (v: number[]) => ({ list: { i: v.map(String) } }),
  floats: (v: number[]) => ({ list: { f: v } }),
  strings: (v: string[]) => ({ list: { s: v.map(b64) } }),
  types: (v: (keyof typeof TF_TYPE)[]) => ({ list: { type: v.map((d) => TF_TYPE[d]) } }),
  shape: (v: number[]) => ({ shape: { dim: v.map((d) => ({ size: String(d) })) } }),
};

/** The graph: Placeholders in0..inN, then the node 'op' reading them. */
export function caseTopology(c: OpCase): object {
  const placeholders = c.inputs.map((input, i) => ({
    name: `in${i}`, op: 'Placeholder',
    attr: { dtype: { type: TF_TYPE[input.dtype] }, shape: attr.shape(input.shape) },
  }));
  return { node: [...placeholders, { name: 'op', op: c.op, input: c.inputs.map((_, i) => `in${i}`), attr: c.attr ?? {} }], versions: { producer: 1 } };
}

function outputNames(c: OpCase): string[] {
  const n = c.outputs ?? 1;
  return Array.from({ length: n }, (_, i) => (i === 0 ? 'op' : `op:${i}`));
}

/** Runs the case through TF.js's graph executor (cpu backend): executeAsync, so dynamic ops run too. */
export async function tfjsRun(c: OpCase): Promise<CaseOutput[]> {
  await tf.setBackend('cpu');
  const model = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: caseTopology(c), weightSpecs: [], weightData: new ArrayBuffer(0), format: 'graph-model' }));
  const feeds: Record<string, tf.Tensor> = {};
  c.inputs.forEach((input, i) => {
    feeds[`in${i}`] = tf.tensor(input.values as never, input.shape, input.dtype);
  });
  const out = await model.executeAsync(feeds, outputNames(c));
  const list = Array.isArray(out) ? out : [out];
  const result: CaseOutput[] = [];
  for (const t of list) result.push({ dtype: t.dtype, shape: t.shape.slice(), values: Array.from(await t.data() as ArrayLike<number>) as number[] });
  tf.dispose([...list, ...Object.values(feeds)]);
  model.dispose();
  return result;
}

/** A context for calling a handler directly (no library functions). */
export function directContext(node: GraphNode): OpContext {
  return {
    node, attrs: node.attrs, maxLoopIterations: 1e6,
    callFunction: () => Promise.reject(new Error('directContext: no functions')),
  };
}

/** Runs the case through sora's handler for c.op, called directly on the active backend. */
export async function soraRun(c: OpCase): Promise<CaseOutput[]> {
  const entry = GRAPH_OPS.get(c.op);
  if (entry === undefined) throw new Error(`no sora handler for ${c.op}`);
  const node: GraphNode = {
    name: 'op', op: c.op, inputs: c.inputs.map((_, i) => ({ node: `in${i}`, output: 0, control: false })),
    attrs: new Attrs(c.attr ?? {}, `node 'op' (${c.op})`),
  };
  const inputs = c.inputs.map((input) => sora.tensor(input.values as never, input.shape, input.dtype));
  const outputs = await entry.run(inputs, directContext(node));
  const result: CaseOutput[] = [];
  for (const value of outputs.slice(0, c.outputs ?? 1)) {
    const t = value as sora.Tensor;
    result.push({ dtype: t.dtype, shape: t.shape.slice(), values: Array.from(await t.data() as ArrayLike<number>) as number[] });
  }
  const inputSet = new Set<unknown>(inputs);
  for (const value of outputs) if (!inputSet.has(value)) (value as { dispose(): void }).dispose();
  sora.dispose(inputs);
  return result;
}

/** Compares outputs: dtype, shape, and values within `tol` (relative to max(1, |expected|)). Returns a message or ''. */
export function compareOutputs(got: CaseOutput[], want: CaseOutput[], tol = 1e-5): string {
  if (got.length !== want.length) return `got ${got.length} outputs, want ${want.length}`;
  for (let k = 0; k < want.length; k++) {
    const g = got[k]!; const w = want[k]!;
    if (g.dtype !== w.dtype) return `output ${k}: dtype ${g.dtype}, want ${w.dtype}`;
    if (g.shape.join(',') !== w.shape.join(',')) return `output ${k}: shape [${g.shape}], want [${w.shape}]`;
    if (g.values.length !== w.values.length) return `output ${k}: ${g.values.length} values, want ${w.values.length}`;
    for (let i = 0; i < w.values.length; i++) {
      const a = g.values[i]!; const b = w.values[i]!;
      if (typeof b === 'string' || typeof a === 'string') {
        if (a !== b) return `output ${k}[${i}]: ${a}, want ${b}`;
        continue;
      }
      if (Number.isNaN(b) ? !Number.isNaN(a) : Math.abs(a - b) > tol * Math.max(1, Math.abs(b))) return `output ${k}[${i}]: ${a}, want ${b}`;
    }
  }
  return '';
}

/** A seeded generator of values in [lo, hi). */
export function seeded(seed: number): (lo?: number, hi?: number) => number {
  let s = seed >>> 0;
  return (lo = -1, hi = 1) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  };
}

/** A float32 input of `shape` with seeded values in [lo, hi). */
export function randomInput(shape: number[], seed: number, lo = -1, hi = 1): CaseInput {
  const rand = seeded(seed);
  const size = shape.reduce((a, b) => a * b, 1);
  return { dtype: 'float32', shape, values: Array.from({ length: size }, () => rand(lo, hi)) };
}

/** An int32 input. */
export function ints(values: number[], shape = [values.length]): CaseInput {
  return { dtype: 'int32', shape, values };
}
