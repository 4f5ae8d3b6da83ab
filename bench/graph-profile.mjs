#!/usr/bin/env node
/**
 * Where a graph model's prediction spends its time on sora wasm, beside TF.js wasm (one thread):
 * for each model of bench/graph-models.mjs, sora's time per TF op (every handler of the graph op
 * table wrapped with a clock, summed per op over --reps predictions after a warm-up) and what is
 * left of the wall time outside the handlers (the executor: planning each run, slots, tidy,
 * freeing), beside TF.js's time per kernel (tf.profile on the same input; its kernel names are
 * TF.js's: FusedConv2D for _FusedConv2D, Multiply for Mul...).
 *
 *   node --experimental-wasm-relaxed-simd bench/graph-profile.mjs [--only movenet-lightning] [--reps 10] [--top 8] [--out file.json]
 *
 * Prints per model: wall ms of both, sora's executor overhead (ms and µs per node run), and the
 * top ops of each by time (medians over the reps, TF.js's over up to 5 profiled runs). Handlers nest nowhere (each node runs one), so the sum of handler times
 * plus the overhead is the wall time. Writes JSON with every op's count and ms when --out is given.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { machineLine, parseFlags, tfjsWasm } from './common.mjs';
import { GRAPH_MODELS, errorLine, inputValues, median, runMode } from './graph-models.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const MODELS = join(root, 'node_modules/@vladmandic/human/models');
const flags = parseFlags(process.argv.slice(2), { only: 'string', reps: 'number', top: 'number', out: 'string' });
const reps = flags.reps ?? 10;
const top = flags.top ?? 8;
const only = flags.only?.split(',') ?? null;
const models = GRAPH_MODELS.filter((m) => !only || only.includes(m.name));
const log = (...args) => console.log(...args);

const sora = await import('../dist/index.js');
const { GRAPH_OPS } = await import('../dist/graph/ops/index.js');
// The executor's fusing pass (src/graph/fuse.ts) runs chains as fused nodes, whose handlers live in FUSED_OPS.
const { FUSED_OPS } = await import('../dist/graph/fuse.js');
sora.setThreadsCount?.(1); // one thread, as TF.js's wasm backend runs here
await sora.setBackend('wasm');
const { tf, description } = await tfjsWasm();
log(`${machineLine()}\nsora ${sora.env().description} vs ${description}`);

// Every handler timed: op name -> { count, ms } of the current measurement.
let current = null;
for (const [op, entry] of [...GRAPH_OPS, ...FUSED_OPS]) {
  const run = entry.run;
  if (entry.async) {
    entry.run = async (args, ctx) => {
      const start = performance.now();
      try { return await run(args, ctx); } finally { tally(op, performance.now() - start); }
    };
  } else {
    entry.run = (args, ctx) => {
      const start = performance.now();
      try { return run(args, ctx); } finally { tally(op, performance.now() - start); }
    };
  }
}
function tally(op, ms) {
  if (!current) return;
  const t = (current[op] ??= { count: 0, ms: 0 });
  t.count++;
  t.ms += ms;
}

function readArtifacts(name) {
  const json = JSON.parse(readFileSync(join(MODELS, `${name}.json`), 'utf8'));
  const weightSpecs = [], shards = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const path of group.paths) shards.push(readFileSync(join(MODELS, path)));
  }
  const bytes = Buffer.concat(shards);
  return { modelTopology: json.modelTopology, format: json.format, signature: json.signature, weightSpecs,
    weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) };
}

async function once(model, mode, feed) {
  const out = mode === 'execute' ? model.execute(feed) : await model.executeAsync(feed);
  const list = Array.isArray(out) ? out : [out];
  await Promise.all(list.map((t) => t.data()));
  for (const t of list) t.dispose();
}

const fmt = (ms) => (ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const results = [];
for (const spec of models) {
  const values = inputValues(spec);
  const row = { model: spec.name };
  results.push(row);
  try {
    const model = await sora.loadGraphModel(pathToFileURL(join(MODELS, `${spec.name}.json`)).href);
    const feed = { [spec.input]: sora.tensor(values, spec.shape, spec.dtype) };
    const mode = await runMode(model, feed);
    await once(model, mode, feed);
    // Per rep: its wall time and each op's total; the report takes medians over reps (a GC pause or
    // another process's burst lands in one rep, not in all).
    const walls = [], perRep = [];
    for (let r = 0; r < reps; r++) {
      current = Object.create(null);
      const start = performance.now();
      await once(model, mode, feed);
      walls.push(performance.now() - start);
      perRep.push(current);
    }
    current = null;
    const names = [...new Set(perRep.flatMap((ops) => Object.keys(ops)))];
    const ops = Object.fromEntries(names.map((op) => [op, { count: perRep[0][op]?.count ?? 0, ms: median(perRep.map((o) => o[op]?.ms ?? 0)) }]));
    const handlerRep = perRep.map((o) => Object.values(o).reduce((s, t) => s + t.ms, 0));
    const overheads = walls.map((w, r) => w - handlerRep[r]);
    const nodes = Object.values(perRep[0]).reduce((s, t) => s + t.count, 0);
    row.sora = { wallMs: median(walls), handlerMs: median(handlerRep), overheadMs: median(overheads), nodes, ops };
    sora.dispose(Object.values(feed));
    model.dispose();
  } catch (error) {
    row.soraError = errorLine(error);
  }
  try {
    const model = await tf.loadGraphModel(tf.io.fromMemory(readArtifacts(spec.name)));
    const feed = { [spec.input]: tf.tensor(values, spec.shape, spec.dtype) };
    const mode = await runMode(model, feed);
    await once(model, mode, feed);
    const walls = [];
    for (let r = 0; r < reps; r++) {
      const start = performance.now();
      await once(model, mode, feed);
      walls.push(performance.now() - start);
    }
    const kernels = Object.create(null);
    const profiles = Math.min(reps, 5);
    for (let r = 0; r < profiles; r++) {
      const info = await tf.profile(() => once(model, mode, feed));
      const rep = Object.create(null);
      for (const k of info.kernels) {
        // The op-level wrappers (fusedConv2d__op) time the same work as their kernel: counted once.
        if (k.name.endsWith('__op')) continue;
        const t = (rep[k.name] ??= { count: 0, ms: 0 });
        t.count++;
        t.ms += await k.kernelTimeMs;
      }
      for (const [name, t] of Object.entries(rep)) ((kernels[name] ??= { count: t.count, ms: [] }).ms.push(t.ms));
    }
    row.tfjs = { wallMs: median(walls), ops: Object.fromEntries(Object.entries(kernels).map(([k, t]) => [k, { count: t.count, ms: median(t.ms) }])) };
    tf.dispose(Object.values(feed));
    model.dispose();
  } catch (error) {
    row.tfjsError = errorLine(error);
  }
  const topOps = (ops) => Object.entries(ops).sort((a, b) => b[1].ms - a[1].ms).slice(0, top)
    .map(([op, t]) => `${op} ${fmt(t.ms)} (${t.count})`).join(', ');
  log(`\n${spec.name}: sora ${row.sora ? `${fmt(row.sora.wallMs)} ms` : row.soraError}, TF.js ${row.tfjs ? `${fmt(row.tfjs.wallMs)} ms` : row.tfjsError}`);
  if (row.sora) {
    const overhead = row.sora.overheadMs;
    log(`  sora: handlers ${fmt(row.sora.handlerMs)} ms over ${row.sora.nodes} node runs; outside them ${fmt(overhead)} ms ` +
      `(${((overhead * 1000) / Math.max(1, row.sora.nodes)).toFixed(1)} µs a node run)`);
    log(`  sora ops:  ${topOps(row.sora.ops)}`);
  }
  if (row.tfjs) log(`  TF.js kernels: ${topOps(row.tfjs.ops)}`);
}
if (flags.out) writeFileSync(flags.out, `${JSON.stringify({ date: new Date().toISOString(), machine: machineLine(), reps, results }, null, 1)}\n`);
process.exit(0);
