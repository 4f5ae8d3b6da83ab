#!/usr/bin/env node
/**
 * The graph executor's fusing pass (src/graph/fuse.ts) on and off in one process, interleaved: sora wasm
 * (this tree's dist) per model, medians of wall and CPU time (process.cpuUsage) per prediction.
 *
 *   node --experimental-wasm-relaxed-simd bench/graph-fuse-ab.mjs [models, comma-separated] [reps, 15]
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
const root = fileURLToPath(new URL('..', import.meta.url));
const names = (process.argv[2] ?? 'handlandmark-lite,faceres,antispoof,facemesh,movenet-lightning').split(',');
const reps = Number(process.argv[3] ?? 15);
const sora = await import(join(root, 'dist/index.js'));
const { setGraphFusion } = await import(join(root, 'dist/graph/fuse.js'));
const { GRAPH_MODELS, inputValues } = await import(join(root, 'bench/graph-models.mjs'));
sora.setThreadsCount?.(1); // one thread, as TF.js's wasm backend runs here
await sora.setBackend('wasm');
for (const name of names) {
  const spec = GRAPH_MODELS.find((m) => m.name === name);
  const model = await sora.loadGraphModel(pathToFileURL(join(root, 'node_modules/@vladmandic/human/models', `${name}.json`)).href);
  const feed = { [spec.input]: sora.tensor(inputValues(spec), spec.shape, spec.dtype) };
  const asyncMode = name === 'handtrack';
  const once = async () => { const out = asyncMode ? await model.executeAsync(feed) : model.execute(feed); const l = Array.isArray(out) ? out : [out]; for (const t of l) { await t.data(); t.dispose(); } };
  const inner = Math.max(1, Math.round(20 / (spec.shape[1] > 300 ? 10 : 1)));
  const t = { off: { w: [], c: [] }, on: { w: [], c: [] } };
  for (const on of [false, true]) { setGraphFusion(on); for (let i = 0; i < 3; i++) await once(); }
  for (let r = 0; r < reps; r++) for (const mode of ['off', 'on']) {
    setGraphFusion(mode === 'on');
    const c0 = process.cpuUsage(), w0 = performance.now();
    for (let i = 0; i < inner; i++) await once();
    const c = process.cpuUsage(c0);
    t[mode].w.push((performance.now() - w0) / inner); t[mode].c.push((c.user + c.system) / 1000 / inner);
  }
  const med = (a) => { const s = [...a].sort((p, q) => p - q); return s[s.length >> 1]; };
  console.log(`${name.padEnd(18)} fusion off ${med(t.off.w).toFixed(2)} ms (cpu ${med(t.off.c).toFixed(2)}), on ${med(t.on.w).toFixed(2)} ms (cpu ${med(t.on.c).toFixed(2)}): ${(med(t.off.w) / med(t.on.w)).toFixed(2)}x wall, ${(med(t.off.c) / med(t.on.c)).toFixed(2)}x cpu`);
  sora.dispose(Object.values(feed)); model.dispose();
}
process.exit(0);
