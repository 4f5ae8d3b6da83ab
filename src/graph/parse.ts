/**
 * model.json's GraphDef (modelTopology: node, library.function, versions) parsed into GraphNodes
 * once at load, with every name checked (a name read from a file never reaches Object.prototype:
 * nodes and functions live in Maps).
 *
 * Main-graph inputs read 'x', 'x:1' or '^x'. A function body's inputs read 'arg' (an argument of
 * the function), 'node:out_arg:index' (output arg `out_arg` of `node`, element `index`) or '^node';
 * the parser resolves them to a node and a flat output index with the output arg layout of the
 * few ops that have more than one output arg (OUTPUT_ARGS below), as TF.js's operation mapper does.
 */
import type { DType } from '../backends/backend.js';
import { Attrs, tfDType } from './attrs.js';
import type { GraphInput, GraphNode } from './types.js';

/** A function of the graph's library (While's cond and body, If's branches). */
export interface GraphFunction {
  /** The function's name, as While's 'cond' / 'body' attrs name it. */
  name: string;
  /** Its arguments in order: the names its body's nodes use to read them. */
  inputs: { name: string; dtype?: DType }[];
  /** Its results in order: the name, and the body value that returns it ('node:output:index' resolved to node and output). */
  outputs: { name: string; node: string; output: number }[];
  /**
   * The body's nodes. One Placeholder per argument (named after it) opens the list, so the body is a
   * graph of its own: the executor feeds the arguments to those Placeholders.
   */
  nodes: GraphNode[];
}

/** A parsed graph: the main graph's nodes and the library's functions. */
export interface ParsedGraph {
  /** The main graph's nodes, in file order. */
  nodes: GraphNode[];
  /** The library's functions by name. */
  functions: ReadonlyMap<string, GraphFunction>;
}

/**
 * The output args of ops with more than one, in order (TF's op registry). An op not listed has one
 * output arg, possibly a list (Split, IdentityN, While), so 'node:output:3' is its output 3. An arg
 * listed here is a single tensor, so its flat index is its position plus the element index.
 */
const OUTPUT_ARGS: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  ['Switch', ['output_false', 'output_true']],
  ['RefSwitch', ['output_false', 'output_true']],
  ['Merge', ['output', 'value_index']],
  ['RefMerge', ['output', 'value_index']],
  ['Unique', ['y', 'idx']],
  ['UniqueV2', ['y', 'idx']],
  ['TopKV2', ['values', 'indices']],
  ['NonMaxSuppressionV4', ['selected_indices', 'valid_outputs']],
  ['NonMaxSuppressionV5', ['selected_indices', 'selected_scores', 'valid_outputs']],
  ['FusedBatchNorm', ['y', 'batch_mean', 'batch_variance', 'reserve_space_1', 'reserve_space_2']],
  ['FusedBatchNormV2', ['y', 'batch_mean', 'batch_variance', 'reserve_space_1', 'reserve_space_2']],
  ['FusedBatchNormV3', ['y', 'batch_mean', 'batch_variance', 'reserve_space_1', 'reserve_space_2', 'reserve_space_3']],
  ['TensorArrayV3', ['handle', 'flow']],
  ['TensorListPopBack', ['output_handle', 'tensor']],
  ['MaxPoolWithArgmax', ['output', 'argmax']],
  ['SparseReshape', ['output_indices', 'output_shape']],
  ['SparseFillEmptyRows', ['output_indices', 'output_values', 'empty_row_indicator', 'reverse_index_map']],
  ['StringSplit', ['indices', 'values', 'shape']],
  ['StringNGrams', ['ngrams', 'ngrams_splits']],
  ['RaggedRange', ['rt_nested_splits', 'rt_dense_values']],
  ['Qr', ['q', 'r']],
]);

const FORBIDDEN = new Set(['__proto__']);

function fail(where: string, message: string): never {
  throw new Error(`${where}: ${message}`);
}

function checkName(name: unknown, where: string, what: string): string {
  if (typeof name !== 'string' || name.length === 0)
    fail(where, `${what} has no name (got ${JSON.stringify(name)?.slice(0, 60)})`);
  if (FORBIDDEN.has(name)) fail(where, `${what} is named '${name}', which is not allowed`);
  return name;
}

interface RawNode {
  name: string;
  op: string;
  input: string[];
  attr: unknown;
}

function rawNodes(list: unknown, where: string): RawNode[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) fail(where, `expected a list of nodes, got ${typeof list}`);
  return list.map((raw, i) => {
    if (raw === null || typeof raw !== 'object') fail(where, `node #${i} is not an object`);
    const r = raw as Record<string, unknown>;
    const name = checkName(r.name, where, `node #${i}`);
    if (typeof r.op !== 'string' || r.op.length === 0) fail(where, `node '${name}' has no op`);
    const input = r.input ?? [];
    if (!Array.isArray(input) || input.some((s) => typeof s !== 'string'))
      fail(where, `node '${name}' (${r.op}): 'input' must be a list of strings`);
    return { name, op: r.op, input: input as string[], attr: r.attr };
  });
}

/** 'x', 'x:1', '^x' of the main graph. */
function mainInput(text: string, node: RawNode, where: string): GraphInput {
  if (text.startsWith('^')) return { node: text.slice(1), output: 0, control: true };
  const parts = text.split(':');
  if (parts.length === 1) return { node: text, output: 0, control: false };
  const output = Number(parts[parts.length - 1]);
  if (parts.length !== 2 || !Number.isInteger(output) || output < 0)
    fail(where, `node '${node.name}' (${node.op}): cannot read input '${text}'`);
  return { node: parts[0]!, output, control: false };
}

function checkUnique(nodes: readonly { name: string; op: string }[], where: string): Map<string, string> {
  const ops = new Map<string, string>();
  for (const node of nodes) {
    if (ops.has(node.name)) fail(where, `two nodes are named '${node.name}' (${ops.get(node.name)} and ${node.op})`);
    ops.set(node.name, node.op);
  }
  return ops;
}

function checkInputs(nodes: readonly GraphNode[], ops: ReadonlyMap<string, string>, where: string): void {
  for (const node of nodes) {
    let seenControl = false;
    for (const input of node.inputs) {
      if (!ops.has(input.node))
        fail(where, `node '${node.name}' (${node.op}) reads '${input.node}', which is not a node of the graph`);
      if (input.control) seenControl = true;
      else if (seenControl) fail(where, `node '${node.name}' (${node.op}) lists a data input after a control input`);
    }
  }
}

function build(raw: RawNode, inputs: GraphInput[]): GraphNode {
  const where = `node '${raw.name}' (${raw.op})`;
  return { name: raw.name, op: raw.op, inputs, attrs: new Attrs(raw.attr, where) };
}

/** Resolves a function body's 'node:out_arg:index' to a node and flat output index. */
function bodyValue(
  text: string,
  ops: ReadonlyMap<string, string>,
  where: string,
  user: string,
): { node: string; output: number } {
  const parts = text.split(':');
  if (parts.length === 1) return { node: text, output: 0 };
  if (parts.length === 2) {
    const output = Number(parts[1]);
    if (!Number.isInteger(output) || output < 0) fail(where, `${user}: cannot read '${text}'`);
    return { node: parts[0]!, output };
  }
  const [node, arg, idx] = parts as [string, string, string];
  const index = Number(idx);
  if (parts.length !== 3 || !Number.isInteger(index) || index < 0) fail(where, `${user}: cannot read '${text}'`);
  const op = ops.get(node);
  if (op === undefined) fail(where, `${user} reads '${text}', but '${node}' is not a node of the function`);
  const args = OUTPUT_ARGS.get(op);
  if (args === undefined) return { node, output: index };
  const at = args.indexOf(arg);
  if (at < 0) fail(where, `${user} reads '${text}', but ${op} has no output '${arg}' (it has ${args.join(', ')})`);
  return { node, output: at + index };
}

function parseFunction(raw: unknown, where: string): GraphFunction {
  if (raw === null || typeof raw !== 'object') fail(where, 'library.function holds something that is not an object');
  const r = raw as Record<string, unknown>;
  const signature = (r.signature ?? {}) as Record<string, unknown>;
  const name = checkName(signature.name, where, 'a library function');
  const at = `${where}: function '${name}'`;
  const argList = (list: unknown, what: string): { name: string; type?: unknown }[] => {
    if (list === undefined) return [];
    if (!Array.isArray(list)) fail(at, `${what} must be a list`);
    return list.map((a, i) => {
      const arg = (a ?? {}) as Record<string, unknown>;
      return { name: checkName(arg.name, at, `${what} #${i}`), type: arg.type };
    });
  };
  const inputArgs = argList(signature.inputArg, 'inputArg');
  const outputArgs = argList(signature.outputArg, 'outputArg');
  const body = rawNodes(r.nodeDef, at);
  const all = [...inputArgs.map((a) => ({ name: a.name, op: 'Placeholder' })), ...body];
  const ops = checkUnique(all, at);
  const nodes: GraphNode[] = inputArgs.map((a) => ({
    name: a.name,
    op: 'Placeholder',
    inputs: [],
    attrs: new Attrs(
      a.type === undefined ? {} : { dtype: { type: a.type } },
      `argument '${a.name}' of function '${name}'`,
    ),
  }));
  for (const node of body) {
    const user = `node '${node.name}' (${node.op})`;
    nodes.push(
      build(
        node,
        node.input.map(
          (text): GraphInput =>
            text.startsWith('^')
              ? { node: text.slice(1), output: 0, control: true }
              : { ...bodyValue(text, ops, at, user), control: false },
        ),
      ),
    );
  }
  checkInputs(nodes, ops, at);
  const ret = (r.ret ?? {}) as Record<string, unknown>;
  if (typeof ret !== 'object') fail(at, "'ret' must be an object");
  const outputs = outputArgs.map((arg) => {
    const text = Object.hasOwn(ret, arg.name) ? ret[arg.name] : undefined;
    if (typeof text !== 'string') fail(at, `output '${arg.name}' has no entry in 'ret'`);
    const value = bodyValue(text, ops, at, `output '${arg.name}'`);
    if (!ops.has(value.node)) fail(at, `output '${arg.name}' reads '${text}', which is not a node of the function`);
    return { name: arg.name, ...value };
  });
  return { name, inputs: inputArgs.map((a) => ({ name: a.name, dtype: tfDType(a.type) })), outputs, nodes };
}

/** Parses modelTopology (`where` names the file in errors). */
export function parseGraph(topology: unknown, where: string): ParsedGraph {
  if (topology === null || typeof topology !== 'object' || Array.isArray(topology))
    fail(where, 'modelTopology must be an object (a GraphDef)');
  const t = topology as Record<string, unknown>;
  const raw = rawNodes(t.node, where);
  const ops = checkUnique(raw, where);
  const nodes = raw.map((node) =>
    build(
      node,
      node.input.map((text) => mainInput(text, node, where)),
    ),
  );
  checkInputs(nodes, ops, where);
  const functions = new Map<string, GraphFunction>();
  const library = t.library as Record<string, unknown> | undefined;
  if (library !== undefined && library !== null) {
    if (typeof library !== 'object') fail(where, "'library' must be an object");
    const list = library.function ?? [];
    if (!Array.isArray(list)) fail(where, "'library.function' must be a list");
    for (const f of list) {
      const fn = parseFunction(f, where);
      if (functions.has(fn.name)) fail(where, `two library functions are named '${fn.name}'`);
      functions.set(fn.name, fn);
    }
  }
  return { nodes, functions };
}
