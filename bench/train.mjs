/**
 * Training speed on real MNIST: sora (wasm, one thread) against TF.js on its wasm backend
 * (SIMD build, one thread), the same models, batch sizes, optimizer and loss, in one run.
 *
 *   npm run bench:train                    # timings, 5-epoch accuracy, 20-epoch memory
 *   node bench/train.mjs --quick           # timings and memory; skip the 5-epoch accuracy run
 *
 * Timings: each model is warmed up in both libraries, then `--rounds` rounds alternate the
 * two (sora epoch, TF.js epoch, sora epoch, ...) so that load from other processes hits
 * both alike; the table shows medians. sora is timed over full epochs (model.fit with
 * epochs: 1). TF.js is timed over full epochs for the small MLP; for the 512-wide model it
 * is timed over `--tf-batches` batches (model.fit on that many batches' worth of samples)
 * and scaled to a full epoch, as the output says (--tf-full times full epochs instead).
 *
 * Before the timings, a memory check (first, because wasm memory never shrinks): 20 epochs
 * on 6,000 images, fit alone and then fit with evaluate + predict at each epoch's end,
 * printing live tensors and wasm memory per epoch; neither may grow after epoch 1. After
 * the timings, sora's test accuracy after 5 epochs of the small MLP on all 60,000 images
 * (and TF.js's too with --tf-accuracy), with each epoch's wall and CPU time.
 *
 * Flags: --quick, --rounds N (3), --tf-batches N (50), --tf-full, --only mlp|wide,
 * --skip-memory, --tf-accuracy, --json PATH (write the results there too), --profile, --threads N (sora on N threads; default 1).
 *
 * --profile: after a model's timed rounds, one more sora epoch with every kernel call of the
 * backend timed (a wrapper installed on the backend instance for that epoch only, removed
 * after), split into GEMM (gemm), elementwise (unary, binary, their gradients, reductions,
 * casts, copies ...), loss (softmax, softmax cross-entropy), optimizer (adam, sgd, rmsprop)
 * and JS: the rest of the epoch's wall time (op dispatch, tape, scopes, the arena, fit's
 * loop). The wrapper costs two performance.now() calls per kernel, counted in JS; the
 * profiled epoch is printed beside the untimed median so that cost shows.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as sora from '../dist/index.js';
import { machineLine, median, packageVersion, parseFlags, secondsSince, soraThreads, table, tfjsWasm } from './common.mjs';

const flags = parseFlags(process.argv.slice(2), {
  threads: 'number',
  quick: 'boolean', rounds: 'number', 'tf-batches': 'number', 'tf-full': 'boolean', only: 'string',
  'skip-memory': 'boolean', 'tf-accuracy': 'boolean', json: 'string', profile: 'boolean',
});
const rounds = flags.rounds ?? 3;
const tfBatches = flags.tfBatches ?? 50;

/** The two benchmark models. `tfBatches`: null times TF.js over full epochs. */
const MODELS = [
  {
    key: 'mlp', name: 'MLP 784-64-64-10', batchSize: 32, targetSpeedup: 12,
    flatten: true, units: [64, 64], tfBatches: null,
  },
  {
    key: 'wide', name: 'MLP 784-512-512-10', batchSize: 128, targetSpeedup: 20,
    flatten: false, units: [512, 512], tfBatches: flags.tfFull ? null : tfBatches,
  },
].filter((m) => !flags.only || m.key === flags.only);
if (MODELS.length === 0) throw new Error(`--only must be 'mlp' or 'wide'; received ${flags.only}`);

const log = (...args) => console.log(...args);
const fmt = (seconds) => (seconds >= 10 ? seconds.toFixed(1) : seconds.toFixed(2));

// ---- setup ----

await sora.setBackend('wasm');
const threadsLabel = await soraThreads(sora, flags.threads ?? 1);
const soraDescription = `sora ${packageVersion()} ${sora.env().description}, ${threadsLabel}`;
const { tf, description: tfDescription } = await tfjsWasm();
log(`${soraDescription}  vs  ${tfDescription}`);
log(machineLine());

const mnist = await sora.data.loadMnist();
const { rows, cols, train, test } = mnist;
const trainCount = train.count;
log(`MNIST: ${trainCount} training, ${test.count} test images\n`);

const oneHot = (labels) => {
  const out = new Float32Array(labels.length * 10);
  labels.forEach((d, i) => { out[i * 10 + d] = 1; });
  return out;
};
const trainOneHot = oneHot(train.labels);

/** Both libraries' copies of the data, shaped for a model (flat [n, 784] or [n, 28, 28]). */
function dataFor(model) {
  const shape = model.flatten ? [trainCount, rows, cols] : [trainCount, rows * cols];
  return {
    sora: { x: sora.tensor(train.images, shape), y: sora.tensor(trainOneHot, [trainCount, 10]) },
    tf: { x: tf.tensor(train.images, shape), y: tf.tensor(trainOneHot, [trainCount, 10]) },
  };
}

function soraModel(spec) {
  const first = spec.flatten ? [sora.layers.flatten({ inputShape: [rows, cols] })] : [];
  const hidden = spec.units.map((units, i) => sora.layers.dense({
    units, activation: 'relu', ...(i === 0 && !spec.flatten ? { inputShape: [rows * cols] } : {}),
  }));
  const model = sora.sequential({ layers: [...first, ...hidden, sora.layers.dense({ units: 10, activation: 'softmax' })] });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

function tfModel(spec) {
  const first = spec.flatten ? [tf.layers.flatten({ inputShape: [rows, cols] })] : [];
  const hidden = spec.units.map((units, i) => tf.layers.dense({
    units, activation: 'relu', ...(i === 0 && !spec.flatten ? { inputShape: [rows * cols] } : {}),
  }));
  const model = tf.sequential({ layers: [...first, ...hidden, tf.layers.dense({ units: 10, activation: 'softmax' })] });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

// ---- memory over 20 epochs (first, while the wasm memory is fresh: it never shrinks) ----


/**
 * 20 epochs of one fit() on 6,000 images, sampling sora.memory() at each epoch's end: first
 * training alone, then (a fresh model) with evaluate and predict in every epoch's callback,
 * as a user watching validation would. Live tensors and wasm memory must not grow after
 * epoch 1 in either.
 */
async function memoryRun(withInference) {
  const count = 6000, epochs = 20;
  const model = soraModel({ flatten: true, units: [64, 64] });
  const x = sora.tensor(train.images.subarray(0, count * rows * cols), [count, rows, cols]);
  const y = sora.tensor(trainOneHot.subarray(0, count * 10), [count, 10]);
  const xTest = sora.tensor(test.images.subarray(0, 1000 * rows * cols), [1000, rows, cols]);
  const yTest = sora.utils.toCategorical(test.labels.subarray(0, 1000), 10);
  const samples = [];
  const sample = (epoch) => {
    const m = sora.memory();
    samples.push({ epoch, numTensors: m.numTensors, wasmLiveBytes: m.backends.wasm.numBytes, memoryBytes: m.backends.wasm.memoryBytes });
  };
  sample(0);
  await model.fit(x, y, {
    epochs, batchSize: 32, verbose: 0,
    callbacks: {
      onEpochEnd: async (epoch) => {
        if (withInference) {
          sora.dispose(await model.evaluate(xTest, yTest, { batchSize: 256 }));
          sora.tidy(() => model.predict(xTest).argMax(-1).dataSync());
        }
        sample(epoch + 1);
      },
    },
  });
  sora.dispose([x, y, xTest, yTest]);
  model.dispose();
  const first = samples[1];
  const grew = samples.slice(2).filter((s) => s.numTensors > first.numTensors ||
    s.wasmLiveBytes > first.wasmLiveBytes || s.memoryBytes > first.memoryBytes);
  return { samples, grewAt: grew.map((s) => s.epoch), flat: grew.length === 0 };
}

const results = { sora: soraDescription, tfjs: tfDescription, machine: machineLine(), models: [] };
if (!flags.skipMemory) {
  log('== sora memory: MLP 784-64-64-10, 20 epochs on 6000 images, sora.memory() after each epoch');
  log('   A: fit alone; B: a fresh model, evaluate (batch 256) + predict on 1000 test images after each epoch');
  const runs = { A: await memoryRun(false), B: await memoryRun(true) };
  log(table(['after epoch', 'A numTensors', 'A wasm live bytes', 'A wasm memoryBytes', 'B numTensors', 'B wasm live bytes', 'B wasm memoryBytes'],
    runs.A.samples.map((a, i) => {
      const b = runs.B.samples[i];
      return [a.epoch === 0 ? 'start' : a.epoch, a.numTensors, a.wasmLiveBytes, a.memoryBytes, b.numTensors, b.wasmLiveBytes, b.memoryBytes];
    })));
  for (const [name, run] of Object.entries(runs)) {
    log(`  ${name}: ${run.flat ? 'flat after epoch 1' : `GREW after epoch 1 (at epochs ${run.grewAt.join(', ')})`}`);
  }
  log('  (memoryBytes is the linear memory size; it never shrinks, so B starts where A left it)\n');
  results.memory = runs;
}

// ---- epoch timings ----

/** Wall and process CPU seconds of an async call, and its value. */
async function timed(fn) {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const value = await fn();
  const wall = secondsSince(start);
  const cpu = process.cpuUsage(cpuStart);
  return { value, wall, cpu: (cpu.user + cpu.system) / 1e6 };
}

// ---- --profile: the backend's kernel calls timed by kind ----

/** The kind of each backend method --profile times; anything else the backend does is JS. */
const KERNEL_KINDS = {
  gemm: 'GEMM',
  softmax: 'loss', softmaxCrossEntropy: 'loss',
  adam: 'optimizer', sgd: 'optimizer', rmsprop: 'optimizer', adamMany: 'optimizer',
};
const ELEMENTWISE = ['unary', 'unaryBackward', 'activation', 'prelu', 'binary', 'affine', 'reduce', 'argMax', 'select',
  'cast', 'fill', 'copyStrided', 'gatherRows', 'scatterRows', 'oneHot', 'scan', 'topk', 'random'];
const PROFILE_KINDS = ['GEMM', 'elementwise', 'loss', 'optimizer'];

/**
 * Wraps the active backend's kernels with timers; returns { totals, calls, remove }. The
 * wrappers are own properties of the instance, so `remove` restores the class methods.
 */
function profileKernels() {
  const backend = sora.engine().backend;
  const totals = Object.fromEntries(PROFILE_KINDS.map((k) => [k, 0]));
  const calls = Object.fromEntries(PROFILE_KINDS.map((k) => [k, 0]));
  const names = [...Object.keys(KERNEL_KINDS), ...ELEMENTWISE].filter((name) => typeof backend[name] === 'function');
  for (const name of names) {
    const kind = KERNEL_KINDS[name] ?? 'elementwise';
    const original = backend[name];
    backend[name] = function timed(a, b, c, d, e, f, g, h, i, j) {
      const start = performance.now();
      try {
        return original.call(this, a, b, c, d, e, f, g, h, i, j);
      } finally {
        totals[kind] += performance.now() - start;
        calls[kind]++;
      }
    };
  }
  return { totals, calls, remove: () => { for (const name of names) delete backend[name]; } };
}

for (const spec of MODELS) {
  const steps = Math.ceil(trainCount / spec.batchSize);
  log(`== ${spec.name}, batch ${spec.batchSize}, adam, categoricalCrossentropy (${steps} steps an epoch)`);
  const data = dataFor(spec);
  const ours = soraModel(spec);
  const theirs = tfModel(spec);

  // Warm-up: a few batches each (compiles kernels, creates optimizer slots, grows memory).
  const warmSamples = spec.batchSize * 10;
  const soraWarm = { x: sora.slice(data.sora.x, 0, warmSamples), y: sora.slice(data.sora.y, 0, warmSamples) };
  await ours.fit(soraWarm.x, soraWarm.y, { epochs: 1, batchSize: spec.batchSize, verbose: 0 });
  sora.dispose([soraWarm.x, soraWarm.y]);
  const tfWarm = { x: data.tf.x.slice(0, warmSamples), y: data.tf.y.slice(0, warmSamples) };
  await theirs.fit(tfWarm.x, tfWarm.y, { epochs: 1, batchSize: spec.batchSize, verbose: 0 });
  tf.dispose([tfWarm.x, tfWarm.y]);

  // TF.js over a fixed number of batches when spec.tfBatches is set.
  const tfSamples = spec.tfBatches ? Math.min(spec.tfBatches * spec.batchSize, trainCount) : trainCount;
  const tfData = spec.tfBatches ? { x: data.tf.x.slice(0, tfSamples), y: data.tf.y.slice(0, tfSamples) } : data.tf;
  const tfScale = steps / Math.ceil(tfSamples / spec.batchSize);

  const soraTimes = [], tfTimes = [], soraCpu = [], tfCpu = [];
  for (let round = 0; round < rounds; round++) {
    const soraRun = await timed(() => ours.fit(data.sora.x, data.sora.y, { epochs: 1, batchSize: spec.batchSize, verbose: 0 }));
    soraTimes.push(soraRun.wall);
    soraCpu.push(soraRun.cpu);
    const tfRun = await timed(() => theirs.fit(tfData.x, tfData.y, { epochs: 1, batchSize: spec.batchSize, verbose: 0 }));
    tfTimes.push(tfRun.wall * tfScale);
    tfCpu.push(tfRun.cpu * tfScale);
    log(`  round ${round + 1}: sora ${fmt(soraRun.wall)} s/epoch (cpu ${fmt(soraRun.cpu)} s, loss ` +
      `${soraRun.value.history.loss[0].toFixed(4)}), TF.js ${fmt(tfRun.wall * tfScale)} s/epoch (cpu ` +
      `${fmt(tfRun.cpu * tfScale)} s, loss ${tfRun.value.history.loss[0].toFixed(4)})` +
      (spec.tfBatches ? ` = ${fmt(tfRun.wall)} s for ${tfSamples / spec.batchSize} batches x ${tfScale.toFixed(2)}` : ''));
  }
  let profile = null;
  if (flags.profile) {
    const probe = profileKernels();
    let run;
    try {
      run = await timed(() => ours.fit(data.sora.x, data.sora.y, { epochs: 1, batchSize: spec.batchSize, verbose: 0 }));
    } finally {
      probe.remove();
    }
    const ms = run.wall * 1000;
    const kernels = PROFILE_KINDS.reduce((acc, k) => acc + probe.totals[k], 0);
    profile = { wallMs: ms, kernelsMs: probe.totals, calls: probe.calls, jsMs: ms - kernels };
    log(`  profiled epoch: ${fmt(run.wall)} s (the timed median: ${fmt(median(soraTimes))} s)`);
    log(table(['part', 'ms/epoch', 'share', 'µs/step', 'calls/step'], [
      ...PROFILE_KINDS.map((k) => [k, probe.totals[k].toFixed(0), `${(probe.totals[k] / ms * 100).toFixed(1)}%`,
        (probe.totals[k] / steps * 1000).toFixed(1), (probe.calls[k] / steps).toFixed(1)]),
      ['JS (the rest)', profile.jsMs.toFixed(0), `${(profile.jsMs / ms * 100).toFixed(1)}%`, (profile.jsMs / steps * 1000).toFixed(1), ''],
      ['epoch', ms.toFixed(0), '100%', (ms / steps * 1000).toFixed(1), ''],
    ]).split('\n').map((line) => `  ${line}`).join('\n'));
  }
  if (tfData !== data.tf) tf.dispose([tfData.x, tfData.y]);
  sora.dispose([data.sora.x, data.sora.y]);
  tf.dispose([data.tf.x, data.tf.y]);
  ours.dispose();
  theirs.dispose();

  const soraEpoch = median(soraTimes), tfEpoch = median(tfTimes);
  results.models.push({
    name: spec.name, batchSize: spec.batchSize, steps, soraTimes, tfTimes, soraCpu, tfCpu, soraEpoch, tfEpoch,
    speedup: tfEpoch / soraEpoch, cpuSpeedup: median(tfCpu) / median(soraCpu), targetSpeedup: spec.targetSpeedup,
    tfTimed: spec.tfBatches ? `${tfSamples / spec.batchSize} batches x ${tfScale.toFixed(2)}` : 'full epochs',
    ...(profile ? { profile } : {}),
  });
  log('');
}

log(`Epoch time, median of ${rounds} round${rounds === 1 ? '' : 's'} (sora and TF.js alternating); ` +
  'cpu: process CPU time, less sensitive to other load:\n');
log(table(
  ['model', 'batch', 'sora s/epoch', 'ms/step', 'TF.js s/epoch', 'TF.js timed over', 'speedup', 'cpu speedup', 'target'],
  results.models.map((m) => [
    m.name, m.batchSize, fmt(m.soraEpoch), (m.soraEpoch / m.steps * 1000).toFixed(2), fmt(m.tfEpoch), m.tfTimed,
    `${m.speedup.toFixed(1)}x`, `${m.cpuSpeedup.toFixed(1)}x`,
    `>= ${m.targetSpeedup}x ${m.speedup >= m.targetSpeedup ? 'met' : 'MISSED'}`,
  ]),
));
log('');

// ---- accuracy after 5 epochs ----

/**
 * Train the small MLP for 5 epochs on all training images in `lib` ('sora' or 'tfjs'), logging
 * each epoch's wall and CPU seconds; returns the test accuracy and loss and the epoch times.
 */
async function accuracyRun(lib) {
  const spec = { flatten: true, units: [64, 64] };
  const api = lib === 'sora' ? sora : tf;
  const model = lib === 'sora' ? soraModel(spec) : tfModel(spec);
  const x = api.tensor(train.images, [trainCount, rows, cols]);
  const y = api.tensor(trainOneHot, [trainCount, 10]);
  const xTest = api.tensor(test.images, [test.count, rows, cols]);
  const yTest = api.tensor(oneHot(test.labels), [test.count, 10]);
  const epochs = [];
  let wallStart = performance.now(), cpuStart = process.cpuUsage();
  await model.fit(x, y, {
    epochs: 5, batchSize: 32, verbose: 0,
    callbacks: {
      onEpochEnd: (epoch, logs) => {
        const cpu = process.cpuUsage(cpuStart);
        epochs.push({ wall: secondsSince(wallStart), cpu: (cpu.user + cpu.system) / 1e6 });
        log(`  ${lib} epoch ${epoch + 1}: ${fmt(epochs[epoch].wall)} s (cpu ${fmt(epochs[epoch].cpu)} s), ` +
          `loss ${logs.loss.toFixed(4)}, acc ${logs.acc.toFixed(4)}`);
        wallStart = performance.now();
        cpuStart = process.cpuUsage();
      },
    },
  });
  const [loss, accuracy] = await model.evaluate(xTest, yTest, { batchSize: 256 });
  const testAccuracy = (await accuracy.data())[0];
  const testLoss = (await loss.data())[0];
  api.dispose([x, y, xTest, yTest, loss, accuracy]);
  model.dispose();
  return { testAccuracy, testLoss, epochs };
}

if (!flags.quick) {
  log('== test accuracy: MLP 784-64-64-10, adam, 5 epochs, batch 32, all 60,000 training images');
  results.accuracy = {};
  for (const lib of flags.tfAccuracy ? ['sora', 'tfjs'] : ['sora']) {
    const run = await accuracyRun(lib);
    results.accuracy[lib] = run;
    const verdict = lib === 'sora' ? `; target >= 97.0% ${run.testAccuracy >= 0.97 ? 'met' : 'MISSED'}` : '';
    log(`  ${lib} test accuracy ${(run.testAccuracy * 100).toFixed(2)}% (loss ${run.testLoss.toFixed(4)}) on ` +
      `${test.count} images${verdict}; median epoch ${fmt(median(run.epochs.map((e) => e.wall)))} s`);
  }
  log('');
}

if (flags.json) {
  mkdirSync(dirname(flags.json), { recursive: true });
  writeFileSync(flags.json, `${JSON.stringify(results, null, 2)}\n`);
  log(`Wrote ${flags.json}`);
}
