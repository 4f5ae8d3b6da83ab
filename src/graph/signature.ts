/**
 * What GraphModel reads and checks around the executor: a SignatureDef's entries (SavedModel conversions
 * name inputs and outputs by key), graph tensor names ('x', 'x:1'), every Const having its weight, and a
 * fed tensor's dtype and shape against its Placeholder (or the signature entry it is fed through).
 */
import type { DType } from '../backends/backend.js';
import type { Tensor } from '../core/tensor.js';
import type { ModelArtifacts } from '../io/types.js';
import { tfDType } from './attrs.js';
import type { ParsedGraph } from './parse.js';
import type { GraphNode } from './types.js';
export const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** One entry of a SignatureDef: its key, and the graph tensor it names. */
export interface SignatureEntry {
  /** The signature's key ('input_1:0', 'tower_0/images', 'output_0'). */
  key: string;
  /** The graph tensor ('input_1:0'), as TF.js passes it to the executor. */
  tensor: string;
  /** The node producing it. */
  node: string;
  /** The dtype the signature declares. */
  dtype?: DType;
  /** The shape the signature declares (-1 for unknown dims). */
  shape?: number[];
}

/** 'x' -> ['x', 0]; 'x:1' -> ['x', 1] (a ':' followed by digits at the end is an output index). */
export function splitTensorName(name: string): [string, number] {
  const match = /^(.*):(\d+)$/.exec(name);
  return match ? [match[1]!, Number(match[2])] : [name, 0];
}

/** One spelling per graph tensor: 'x' for 'x' and 'x:0', 'x:1' for output 1. */
export function canonicalTensorName(name: string): string {
  const [node, output] = splitTensorName(name);
  return output === 0 ? node : `${node}:${output}`;
}

function describeShape(shape: readonly number[] | undefined): string {
  return shape === undefined ? 'unknown' : `[${shape.join(', ')}]`;
}

function signatureShape(value: unknown): number[] | undefined {
  const shape = value as { dim?: { size?: unknown }[]; unknownRank?: boolean } | undefined;
  if (shape == null || typeof shape !== 'object' || shape.unknownRank === true) return undefined;
  if (shape.dim !== undefined && !Array.isArray(shape.dim)) return undefined;
  return (shape.dim ?? []).map((d) => {
    const size = Number(d?.size ?? 0);
    return Number.isInteger(size) ? size : -1;
  });
}


/** The entries of signature.inputs or .outputs, each naming a node of the graph; none when the signature has none. */
export function readSignature(signature: unknown, part: 'inputs' | 'outputs', nodes: ReadonlyMap<string, GraphNode>, where: string):
  SignatureEntry[] {
  if (signature == null) return [];
  if (typeof signature !== 'object' || Array.isArray(signature)) {
    throw new Error(`${where}: expected the signature to be an object, got ${JSON.stringify(signature)?.slice(0, 80)}`);
  }
  const entries = (signature as Record<string, unknown>)[part];
  if (entries == null) return [];
  if (typeof entries !== 'object' || Array.isArray(entries)) {
    throw new Error(`${where}: expected signature.${part} to be an object of tensor infos, got ${JSON.stringify(entries)?.slice(0, 80)}`);
  }
  const out: SignatureEntry[] = [];
  for (const key of Object.keys(entries)) {
    if (FORBIDDEN_KEYS.has(key)) throw new Error(`${where}: signature.${part} has the key '${key}', which is not allowed`);
    const info = (entries as Record<string, unknown>)[key] as { name?: unknown; dtype?: unknown; tensorShape?: unknown } | null;
    if (info === null || typeof info !== 'object' || typeof info.name !== 'string' || info.name.length === 0) {
      throw new Error(`${where}: signature.${part}['${key}'] must name a graph tensor ({name: 'node:0', ...}), got ` +
        `${JSON.stringify(info)?.slice(0, 80)}`);
    }
    const [node] = splitTensorName(info.name);
    if (!nodes.has(node)) {
      throw new Error(`${where}: signature.${part}['${key}'] names tensor '${info.name}', and the graph has no node '${node}'`);
    }
    out.push({ key, tensor: info.name, node, dtype: tfDType(info.dtype), shape: signatureShape(info.tensorShape) });
  }
  return out;
}

/**
 * Every Const node (in the graph and in its functions) must have a weight of its name, or carry its value
 * inline: TF.js reads a Const's value from the weights by node name.
 */
export function checkConstNodes(graph: ParsedGraph, artifacts: ModelArtifacts, where: string): void {
  const names = new Set(artifacts.weightSpecs.map((s) => s.name));
  const check = (node: GraphNode, scope: string) => {
    if (node.op !== 'Const' || names.has(node.name)) return;
    if (node.attrs.has('value')) {
      const value = node.attrs.tensor('value');
      if (value.values !== undefined) return;
    }
    throw new Error(`${where}: Const node '${node.name}'${scope} has no weight in the weights manifest ` +
      `(${names.size} weight${names.size === 1 ? '' : 's'}) and no inline value`);
  };
  for (const node of graph.nodes) check(node, '');
  for (const fn of graph.functions.values()) for (const node of fn.nodes) check(node, ` of function '${fn.name}'`);
}

/**
 * A tensor fed to a Placeholder must have its dtype, and its shape where it declares one (-1 matches any size);
 * where the Placeholder leaves them out, the signature entry it is fed through says them.
 */
export function checkPlaceholder(node: GraphNode, value: Tensor, label: string, at: string, entry: SignatureEntry | undefined): void {
  if (!node.op.startsWith('Placeholder')) return;
  const dtype = node.attrs.has('dtype') ? node.attrs.dtype('dtype') : entry?.dtype;
  if (dtype !== undefined && value.dtype !== dtype) {
    throw new Error(`${at}: ${label} must be ${dtype}, got ${value.dtype} values of shape [${value.shape.join(', ')}]`);
  }
  const shape = node.attrs.has('shape') ? node.attrs.shape('shape') : entry?.shape;
  if (shape === undefined) return;
  const ok = shape.length === value.shape.length && shape.every((d, i) => d === -1 || d === value.shape[i]);
  if (!ok) throw new Error(`${at}: ${label} must have shape ${describeShape(shape)} (-1: any size), got [${value.shape.join(', ')}]`);
}
