/**
 * Hand-written graphs for the executor tests: a model.json topology plus its weights, run
 * by TF.js's graph executor (tf.loadGraphModel on an in-memory model, cpu backend) and by sora's
 * parseGraph + GraphExecutor, outputs compared.
 */
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { GraphExecutor } from '../../src/graph/executor.js';
import { parseGraph } from '../../src/graph/parse.js';
import { attr } from './op-harness.js';

/** A constant of the graph (a Const node's weight). */
export interface Weight {
  dtype: 'float32' | 'int32' | 'bool';
  shape: number[];
  values: number[];
}

/** A node as model.json writes it. */
export interface RawNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, unknown>;
}

/** A graph: topology nodes, library functions, weights. */
export interface TestGraph {
  nodes: RawNode[];
  functions?: unknown[];
  weights?: Record<string, Weight>;
}

const TF_TYPE = { float32: 'DT_FLOAT', int32: 'DT_INT32', bool: 'DT_BOOL' } as const;

/** A node. */
export function n(name: string, op: string, input: string[] = [], a: Record<string, unknown> = {}): RawNode {
  return { name, op, input, attr: a };
}

/** A Placeholder of `dtype` and `shape` (-1 for any dim). */
export function placeholder(name: string, dtype: keyof typeof TF_TYPE, shape?: number[]): RawNode {
  return n(
    name,
    'Placeholder',
    [],
    shape === undefined ? { dtype: attr.type(dtype) } : { dtype: attr.type(dtype), shape: attr.shape(shape) },
  );
}

/** A Const node whose value lives in `weights`. */
export function constant(name: string, weight: Weight, weights: Record<string, Weight>, input: string[] = []): RawNode {
  weights[name] = weight;
  return n(name, 'Const', input, {
    dtype: attr.type(weight.dtype),
    value: { tensor: { dtype: TF_TYPE[weight.dtype], tensorShape: {} } },
  });
}

/** The topology object. */
export function topology(g: TestGraph): object {
  return {
    node: g.nodes,
    library: g.functions === undefined ? {} : { function: g.functions },
    versions: { producer: 1 },
  };
}

/** The weight specs and bytes of a test graph's weights, in TF.js's layout. */
export function weightData(weights: Record<string, Weight>): { specs: object[]; data: ArrayBuffer } {
  const specs: object[] = [];
  const chunks: Uint8Array[] = [];
  for (const [name, w] of Object.entries(weights)) {
    specs.push({ name, shape: w.shape, dtype: w.dtype });
    const bytes =
      w.dtype === 'float32'
        ? new Uint8Array(Float32Array.from(w.values).buffer)
        : w.dtype === 'int32'
          ? new Uint8Array(Int32Array.from(w.values).buffer)
          : Uint8Array.from(w.values.map((v) => (v ? 1 : 0)));
    chunks.push(bytes);
  }
  const total = chunks.reduce((a, c) => a + c.length, 0);
  const data = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    data.set(c, at);
    at += c.length;
  }
  return { specs, data: data.buffer };
}

/** A value fed to a graph. */
export interface Feed {
  dtype: 'float32' | 'int32' | 'bool';
  shape: number[];
  values: number[];
}

/** An output read back. */
export interface Out {
  dtype: string;
  shape: number[];
  values: number[];
}

/** Runs the graph through TF.js (executeAsync, cpu backend). */
export async function tfjsOutputs(g: TestGraph, feeds: Record<string, Feed>, outputs: string[]): Promise<Out[]> {
  await tf.setBackend('cpu');
  const { specs, data } = weightData(g.weights ?? {});
  const model = await tf.loadGraphModel(
    tf.io.fromMemory({
      modelTopology: topology(g),
      weightSpecs: specs as never,
      weightData: data,
      format: 'graph-model',
    }),
  );
  const inputs: Record<string, tf.Tensor> = {};
  for (const [name, f] of Object.entries(feeds)) inputs[name] = tf.tensor(f.values, f.shape, f.dtype);
  const result = await model.executeAsync(inputs, outputs);
  const list = Array.isArray(result) ? result : [result];
  const out: Out[] = [];
  for (const t of list)
    out.push({ dtype: t.dtype, shape: t.shape.slice(), values: Array.from((await t.data()) as ArrayLike<number>) });
  tf.dispose([...list, ...Object.values(inputs)]);
  model.dispose();
  return out;
}

/** sora's executor for the graph (weights made as sora tensors, owned by the executor). */
export function soraExecutor(g: TestGraph, where = 'test.json'): GraphExecutor {
  const parsed = parseGraph(topology(g), where);
  const weights = new Map<string, sora.Tensor>();
  for (const [name, w] of Object.entries(g.weights ?? {}))
    weights.set(name, sora.tensor(w.values as never, w.shape, w.dtype));
  try {
    return new GraphExecutor(parsed, weights, where);
  } catch (error) {
    for (const t of weights.values()) t.dispose();
    throw error;
  }
}

/** Feeds as sora tensors. */
export function soraFeeds(feeds: Record<string, Feed>): Map<string, sora.Tensor> {
  return new Map(Object.entries(feeds).map(([name, f]) => [name, sora.tensor(f.values as never, f.shape, f.dtype)]));
}

/** Reads sora tensors back and disposes them. */
export async function readAll(tensors: sora.Tensor[]): Promise<Out[]> {
  const out: Out[] = [];
  for (const t of tensors)
    out.push({ dtype: t.dtype, shape: t.shape.slice(), values: Array.from((await t.data()) as ArrayLike<number>) });
  const seen = new Set<sora.Tensor>();
  for (const t of tensors)
    if (!seen.has(t)) {
      seen.add(t);
      t.dispose();
    }
  return out;
}

/** Expects outputs equal within `tol` (relative to max(1, |want|)). Returns '' or what differs. */
export function differ(got: Out[], want: Out[], tol = 1e-5): string {
  if (got.length !== want.length) return `got ${got.length} outputs, want ${want.length}`;
  for (let k = 0; k < want.length; k++) {
    const g = got[k]!;
    const w = want[k]!;
    if (g.dtype !== w.dtype) return `output ${k}: dtype ${g.dtype}, want ${w.dtype}`;
    if (g.shape.join(',') !== w.shape.join(',')) return `output ${k}: shape [${g.shape}], want [${w.shape}]`;
    for (let i = 0; i < w.values.length; i++) {
      if (Math.abs(g.values[i]! - w.values[i]!) > tol * Math.max(1, Math.abs(w.values[i]!)))
        return `output ${k}[${i}]: ${g.values[i]}, want ${w.values[i]}`;
    }
  }
  return '';
}
