#!/usr/bin/env node
/**
 * The TF ops of the pretrained graph models shipped by the devDependency @vladmandic/human
 * (its models/ folder: BlazeFace, FaceMesh, Iris, MoveNet, HandTrack, ...), for the graph-model
 * executor's work list: `node scripts/graph-model-ops.mjs` prints each model's ops and weight
 * dtypes, then every op with the models that use it. The files are read as JSON only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const HUMAN_MODELS = fileURLToPath(new URL('../node_modules/@vladmandic/human/models/', import.meta.url));

/** Each model.json in `dir` (not models.json, the package's index): name, format, node count, op counts, weight dtypes. */
export function graphModelInventory(dir = HUMAN_MODELS) {
  return readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'models.json').sort().map((file) => {
    const json = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const topology = json.modelTopology ?? {};
    const nodes = [...(topology.node ?? []), ...(topology.library?.function ?? []).flatMap((fn) => fn.nodeDef ?? [])];
    const ops = new Map();
    for (const node of nodes) ops.set(node.op, (ops.get(node.op) ?? 0) + 1);
    const weights = (json.weightsManifest ?? []).flatMap((group) => group.weights);
    const dtypes = [...new Set(weights.map((w) => (w.quantization ? `${w.dtype} as ${w.quantization.dtype}` : w.dtype)))].sort();
    const paths = (json.weightsManifest ?? []).flatMap((group) => group.paths);
    return { name: file.replace(/\.json$/, ''), format: json.format, nodes: nodes.length, ops, dtypes, paths };
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const models = graphModelInventory();
  const users = new Map();
  for (const m of models) {
    console.log(`${m.name}: ${m.format}, ${m.nodes} nodes, ${m.ops.size} ops; weights ${m.dtypes.join(', ')} in ${m.paths.join(', ')}`);
    console.log(`  ${[...m.ops].sort((a, b) => b[1] - a[1]).map(([op, n]) => `${op} ${n}`).join(', ')}`);
    for (const op of m.ops.keys()) users.set(op, [...(users.get(op) ?? []), m.name]);
  }
  console.log(`\n${users.size} distinct ops over ${models.length} models:`);
  for (const [op, names] of [...users].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))) {
    console.log(`  ${op.padEnd(28)} ${names.length}  ${names.join(' ')}`);
  }
}
