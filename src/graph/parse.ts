/**
 * model.json's GraphDef (modelTopology: node, library.function, versions) parsed into GraphNodes
 * once at load, with every name checked (a name read from a file never reaches Object.prototype).
 *
 * CONTRACT (the executor and loader use what is declared here); the body is being built.
 */
import type { DType } from '../backends/backend.js';
import type { GraphNode } from './types.js';

/** A function of the graph's library (While's cond and body, If's branches). */
export interface GraphFunction {
  /** The function's name, as While's 'cond' / 'body' attrs name it. */
  name: string;
  /** Its arguments in order: the names its body's nodes use to read them. */
  inputs: { name: string; dtype?: DType }[];
  /** Its results in order: the name, and the body value that returns it ('node:output:index' resolved to node and output). */
  outputs: { name: string; node: string; output: number }[];
  /** The body's nodes. */
  nodes: GraphNode[];
}

/** A parsed graph: the main graph's nodes and the library's functions. */
export interface ParsedGraph {
  /** The main graph's nodes, in file order. */
  nodes: GraphNode[];
  /** The library's functions by name. */
  functions: ReadonlyMap<string, GraphFunction>;
}

/** Parses modelTopology (`where` names the file in errors). */
export function parseGraph(topology: unknown, where: string): ParsedGraph {
  void topology;
  throw new Error(`${where}: parseGraph is not built yet`);
}
