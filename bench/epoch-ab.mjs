#!/usr/bin/env node
/**
 * One MNIST epoch on this build of sora beside another build, in one process: the same MLP
 * (784-64-64-10, relu, softmax, Adam, categorical crossentropy, batch 32, all 60,000
 * images) on wasm, epochs alternating between the two builds so that load from other
 * processes hits both alike. Prints each build's median wall and CPU seconds per epoch and
 * their ratio. Use it to show a change did not slow training down.
 *
 *   npm run build && node bench/epoch-ab.mjs --base ../old/dist/index.js [--rounds 5]
 *
 * The base is any built sora (a worktree of an older commit after `npm run build`); each build
 * loads its own wasm, engine and tensors, so the two never share state.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { machineLine, median, parseFlags, table } from './common.mjs';

const flags = parseFlags(process.argv.slice(2), { base: 'string', rounds: 'number' });
if (!flags.base) throw new Error('--base PATH: the dist/index.js of the build to compare with');
const rounds = flags.rounds ?? 5;

const builds = [
  { name: 'this build', sora: await import('../dist/index.js') },
  { name: `base (${flags.base})`, sora: await import(pathToFileURL(resolve(flags.base)).href) },
];
console.log(machineLine());

const mnist = await builds[0].sora.data.loadMnist();
const { rows, cols, train } = mnist;
const labels = new Float32Array(train.count * 10);
train.labels.forEach((d, i) => { labels[i * 10 + d] = 1; });

for (const build of builds) {
  const { sora } = build;
  sora.setThreadsCount?.(1); // one thread, as TF.js's wasm backend runs here
  await sora.setBackend('wasm');
  build.x = sora.tensor(train.images, [train.count, rows, cols]);
  build.y = sora.tensor(labels, [train.count, 10]);
  build.model = sora.sequential({ layers: [
    sora.layers.flatten({ inputShape: [rows, cols] }),
    sora.layers.dense({ units: 64, activation: 'relu' }),
    sora.layers.dense({ units: 64, activation: 'relu' }),
    sora.layers.dense({ units: 10, activation: 'softmax' }),
  ] });
  build.model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  // Warm-up: compiles the kernels' optimizing tier, creates optimizer slots, grows memory.
  const warm = { x: sora.slice(build.x, 0, 3200), y: sora.slice(build.y, 0, 3200) };
  await build.model.fit(warm.x, warm.y, { epochs: 1, batchSize: 32, verbose: 0 });
  sora.dispose([warm.x, warm.y]);
  build.wall = [];
  build.cpu = [];
}

for (let round = 0; round < rounds; round++) {
  for (const build of round % 2 === 0 ? builds : [...builds].reverse()) {
    const cpuStart = process.cpuUsage();
    const start = performance.now();
    await build.model.fit(build.x, build.y, { epochs: 1, batchSize: 32, verbose: 0 });
    const cpu = process.cpuUsage(cpuStart);
    build.wall.push((performance.now() - start) / 1000);
    build.cpu.push((cpu.user + cpu.system) / 1e6);
  }
}

const [ours, base] = builds;
console.log(`MNIST MLP 784-64-64-10, batch 32, Adam: one epoch, median of ${rounds} alternating rounds`);
console.log(table(['build', 'wall s', 'CPU s'], builds.map((b) => [b.name, median(b.wall).toFixed(3), median(b.cpu).toFixed(3)])));
console.log(`this build / base: wall ${(median(ours.wall) / median(base.wall)).toFixed(3)}, CPU ${(median(ours.cpu) / median(base.cpu)).toFixed(3)}`);
