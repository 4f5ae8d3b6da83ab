#!/usr/bin/env node
/**
 * A ConvLSTM2D model's training step (trainOnBatch) and predict, sora on wasm beside TF.js 4.22 on
 * its cpu backend, in one process, steps alternating between the two so that load from other
 * processes hits both alike: convLstm2d(filters 8, kernel 3, 'same') -> flatten -> dense(1) on
 * [batch 8, steps 10, 16, 16, 1] (override with --batch, --steps, --size, --filters). Prints each
 * library's median and minimum wall and CPU milliseconds (the CPU time of this single-threaded
 * process is the steadier figure on a shared machine).
 *
 *   npx tsc -p tsconfig.json && node bench/conv-lstm.mjs [--runs 10]
 */
import { createRequire } from 'node:module';
import { machineLine, median, parseFlags, table } from './common.mjs';

const flags = parseFlags(process.argv.slice(2), { runs: 'number', batch: 'number', steps: 'number', size: 'number', filters: 'number' });
const runs = flags.runs ?? 10, B = flags.batch ?? 8, T = flags.steps ?? 10, S = flags.size ?? 16, F = flags.filters ?? 8;
const require = createRequire(import.meta.url);
const tfjs = require('@tensorflow/tfjs');
const sora = await import('../dist/index.js');
await tfjs.setBackend('cpu');
sora.setThreadsCount?.(1); // one thread, as TF.js's wasm backend runs here
await sora.setBackend('wasm');

const shape = [B, T, S, S, 1];
const values = Array.from({ length: B * T * S * S }, (_, i) => Math.sin(i * 0.37));
const targets = Array.from({ length: B }, (_, i) => (i % 2 ? 1 : -1));
const contenders = [{ name: 'sora (wasm)', tf: sora }, { name: 'TF.js 4.22 (cpu)', tf: tfjs }].map((c) => {
  const { tf } = c;
  const model = tf.sequential({ layers: [
    tf.layers.convLstm2d({ inputShape: shape.slice(1), filters: F, kernelSize: 3, padding: 'same' }),
    tf.layers.flatten(), tf.layers.dense({ units: 1 }),
  ] });
  model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
  return { ...c, model, x: tf.tensor(values, shape), y: tf.tensor(targets, [B, 1]), train: [], trainCpu: [], predict: [], predictCpu: [] };
});
// TF.js's weights in both, so both compute the same numbers.
contenders[0].model.setWeights(contenders[1].model.getWeights().map((w) => sora.tensor(Array.from(w.dataSync()), w.shape)));

async function timed(run) {
  const t = performance.now(), c = process.cpuUsage();
  await run();
  const used = process.cpuUsage(c);
  return [performance.now() - t, (used.user + used.system) / 1000];
}

for (const c of contenders) await c.model.trainOnBatch(c.x, c.y); // warm-up
for (let i = 0; i < runs; i++) {
  for (const c of contenders) {
    const [wall, cpu] = await timed(() => c.model.trainOnBatch(c.x, c.y));
    c.train.push(wall); c.trainCpu.push(cpu);
    const [pWall, pCpu] = await timed(async () => { const out = c.model.predict(c.x); await out.data(); out.dispose(); });
    c.predict.push(pWall); c.predictCpu.push(pCpu);
  }
}
console.log(machineLine());
console.log(`convLstm2d(filters ${F}, kernel 3, same) -> flatten -> dense(1), input [${shape}], ${runs} runs each, alternating`);
const ms = (xs) => `${median(xs).toFixed(1)} (min ${Math.min(...xs).toFixed(1)})`;
console.log(table(['library', 'train step ms', 'train CPU ms', 'predict ms', 'predict CPU ms'],
  contenders.map((c) => [c.name, ms(c.train), ms(c.trainCpu), ms(c.predict), ms(c.predictCpu)])));
