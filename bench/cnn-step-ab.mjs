#!/usr/bin/env node
/**
 * One MNIST-CNN training step (trainOnBatch, batch 64) and one predict of 64 images on this
 * build of sora beside another build, in one process, on wasm: examples/mnist-cnn.mjs's model
 * on random images, steps alternating between the two builds so that load from other
 * processes hits both alike. Prints each build's median and minimum wall and CPU milliseconds
 * (the CPU time of this single-threaded process is the steadier figure on a shared machine)
 * and the epoch (60,000 images) the median step implies.
 *
 *   npm run build && node bench/cnn-step-ab.mjs --base ../main/dist/index.js [--steps 30]
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { machineLine, median, parseFlags, table } from './common.mjs';
import { mnistCnn } from '../examples/mnist-cnn.mjs';

const flags = parseFlags(process.argv.slice(2), { base: 'string', steps: 'number' });
if (!flags.base) throw new Error('--base PATH: the dist/index.js of the build to compare with');
const steps = flags.steps ?? 30;
const B = 64;

const builds = [
  { name: 'this build', sora: await import('../dist/index.js') },
  { name: `base (${flags.base})`, sora: await import(pathToFileURL(resolve(flags.base)).href) },
];
console.log(machineLine());
for (const build of builds) {
  const { sora } = build;
  sora.setThreadsCount?.(1); // one thread, as TF.js's wasm backend runs here
  await sora.setBackend('wasm');
  build.model = mnistCnn(sora, 28, 28, 1);
  build.x = sora.randomUniform([B, 28, 28, 1]);
  build.y = sora.oneHot(sora.tensor(Array.from({ length: B }, (_, i) => i % 10), [B], 'int32'), 10);
  for (let i = 0; i < 3; i++) await build.model.trainOnBatch(build.x, build.y);
  build.times = { train: [], trainCpu: [], predict: [], predictCpu: [] };
}

/** Wall and CPU milliseconds of one await of run(). */
async function timed(run) {
  const t = performance.now(), c = process.cpuUsage();
  await run();
  const used = process.cpuUsage(c);
  return [performance.now() - t, (used.user + used.system) / 1000];
}

for (let i = 0; i < steps; i++) {
  for (const b of builds) {
    const [wall, cpu] = await timed(() => b.model.trainOnBatch(b.x, b.y));
    b.times.train.push(wall); b.times.trainCpu.push(cpu);
    const [pWall, pCpu] = await timed(async () => { const out = b.model.predict(b.x); await out.data(); out.dispose(); });
    b.times.predict.push(pWall); b.times.predictCpu.push(pCpu);
  }
}
const ms = (v) => v.toFixed(2);
console.log(table(['build', 'step ms wall (min)', 'step ms CPU (min)', 'epoch s (CPU)', 'predict ms wall (min)', 'predict ms CPU (min)'],
  builds.map(({ name, times: t }) => [name, `${ms(median(t.train))} (${ms(Math.min(...t.train))})`,
    `${ms(median(t.trainCpu))} (${ms(Math.min(...t.trainCpu))})`, (median(t.trainCpu) * 60000 / B / 1000).toFixed(1),
    `${ms(median(t.predict))} (${ms(Math.min(...t.predict))})`, `${ms(median(t.predictCpu))} (${ms(Math.min(...t.predictCpu))})`])));
