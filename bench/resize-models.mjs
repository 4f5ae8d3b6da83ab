#!/usr/bin/env node
/**
 * CenterNet and MoveNet predictions on sora wasm with the resize kernel and with it hidden (the
 * composition that ran before it), interleaved in one process: medians of wall and CPU time
 * (each prediction reads its outputs back). bench/resize-micro.mjs times the op alone.
 *
 *   npm run build && node --experimental-wasm-relaxed-simd bench/resize-models.mjs
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GRAPH_MODELS, inputValues, median } from './graph-models.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const sora = await import('../dist/index.js');
const { ENGINE } = await import('../dist/core/engine.js');
sora.setThreadsCount?.(1); // one thread, as TF.js's wasm backend runs here
await sora.setBackend('wasm');
const be = ENGINE.backend, kernel = be.resize;
for (const name of ['centernet', 'movenet-lightning']) {
  const spec = GRAPH_MODELS.find((m) => m.name === name);
  const model = await sora.loadGraphModel(pathToFileURL(join(root, 'node_modules/@vladmandic/human/models', `${name}.json`)).href);
  const feed = { [spec.input]: sora.tensor(inputValues(spec), spec.shape, spec.dtype) };
  const once = () => { const out = model.execute(feed); const l = Array.isArray(out) ? out : [out]; l.forEach((t) => t.dataSync()); l.forEach((t) => t.dispose()); };
  const res = { kernel: [[], []], composition: [[], []] };
  for (let r = 0; r < 14; r++) {
    for (const mode of ['kernel', 'composition']) {
      be.resize = mode === 'kernel' ? kernel : undefined;
      const c0 = process.cpuUsage(), t0 = performance.now();
      once();
      const w = performance.now() - t0, c = process.cpuUsage(c0);
      if (r >= 2) { res[mode][0].push(w); res[mode][1].push((c.user + c.system) / 1000); }
    }
  }
  be.resize = kernel;
  console.log(name, Object.entries(res).map(([k, [w, c]]) => `${k} ${median(w).toFixed(1)} ms (cpu ${median(c).toFixed(1)})`).join(', '));
}
