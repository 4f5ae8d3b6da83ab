/**
 * `npm run bench:cnn`: convolutional networks, sora beside TF.js in one run (issue 16's benchmark).
 *
 *   MNIST CNN (examples/mnist-cnn.mjs: conv 32 -> pool -> conv 64 -> pool -> dense 128 -> dense 10, adam, batch 64)
 *     training, seconds per epoch of 60,000 images:
 *       sora wasm        a full epoch of model.fit on MNIST (--train-batches N: N batches, scaled)
 *       sora webgpu      headless Chromium on its CPU adapter (SwiftShader), --gpu-batches batches, scaled
 *       TF.js cpu        --tf-cpu-batches batches of trainOnBatch (about 19 s each), scaled
 *       TF.js wasm       cannot train a CNN (no Conv2DBackpropFilter kernel): the row says what it throws
 *     inference, ms per predict of a batch of 64: sora wasm and TF.js wasm, the same weights, interleaved
 *   MobileNetV2 (alpha 1.0, 224x224, 1000 classes, seeded random weights; bench/keras-applications.mjs),
 *     ms per predict of one image: sora wasm and TF.js wasm, the same weights, interleaved
 *
 * Both wasm backends run one thread (TF.js's SIMD build; sora's SIMD build, or relaxed SIMD when
 * Node runs with --experimental-wasm-relaxed-simd). Timed rows are medians of --reps reps that
 * alternate the two libraries, so load from other processes hits both alike; ratios are TF.js's
 * time over sora's (above 1x, sora is faster). Beside wall time, the CPU time of this process
 * (process.cpuUsage: both libraries compute on this one thread), the steadier figure on a loaded
 * machine. --kernels adds, for sora's MobileNetV2 predict, the CPU time in each layer class and
 * the wall time in each wasm export (each call wrapped: expect a small overhead per call).
 * Writes bench/results/cnn-<date>.json (or --out) and prints a table.
 *
 *   node bench/cnn.mjs [--threads 1] [--quick] [--reps 15] [--train-batches N] [--gpu-batches 4] [--tf-cpu-batches 2]
 *        [--no-webgpu] [--no-tf-cpu] [--no-mnist] [--no-mobilenet] [--kernels] [--out file.json]
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine, median, packageVersion, parseFlags, soraThreads, table, tfjsWasm } from './common.mjs';
import { mobileNetV2, seedWeights, seededRandom } from './keras-applications.mjs';
import { chromiumWebgpuTraining } from './cnn-webgpu.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const flags = parseFlags(process.argv.slice(2), {
  threads: 'number',
  quick: 'boolean',
  reps: 'number',
  'train-batches': 'number',
  'gpu-batches': 'number',
  'tf-cpu-batches': 'number',
  'no-webgpu': 'boolean',
  'no-tf-cpu': 'boolean',
  'no-mnist': 'boolean',
  'no-mobilenet': 'boolean',
  kernels: 'boolean',
  out: 'string',
});
const reps = flags.reps ?? (flags.quick ? 7 : 15);
const trainBatches = flags.trainBatches ?? (flags.quick ? 150 : null);
const gpuBatches = flags.gpuBatches ?? (flags.quick ? 2 : 4);
const tfCpuBatches = flags.tfCpuBatches ?? (flags.quick ? 1 : 2);
const BATCH = 64;
const log = (...args) => console.log(...args);

for (const file of ['dist/index.js', 'build/sora-simd.wasm']) {
  if (!existsSync(join(root, file))) throw new Error(`${file} is missing: run \`npm run build\` first`);
}

// --kernels: time every export of sora's wasm instance (installed before sora instantiates it).
const kernelTimes = new Map();
if (flags.kernels) {
  const instantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = async (source, imports) => {
    const made = await instantiate(source, imports);
    const instance = made.instance ?? made;
    if (
      !('gemm_kernel_5x8_c' in instance.exports) &&
      !Object.keys(instance.exports).some((k) => k.startsWith('conv2d'))
    )
      return made;
    const exports = {};
    for (const [name, value] of Object.entries(instance.exports)) {
      exports[name] =
        typeof value !== 'function'
          ? value
          : (...args) => {
              const start = performance.now();
              try {
                return value(...args);
              } finally {
                const entry = kernelTimes.get(name) ?? { calls: 0, ms: 0 };
                entry.calls++;
                entry.ms += performance.now() - start;
                kernelTimes.set(name, entry);
              }
            };
    }
    const wrapped = { exports };
    return made.instance ? { module: made.module, instance: wrapped } : wrapped;
  };
}

const sora = await import('../dist/index.js');
const { mnistCnn } = await import('../examples/mnist-cnn.mjs');
await sora.setBackend('wasm');
const threadsLabel = await soraThreads(sora, flags.threads ?? 1);
const soraDescription = `sora ${packageVersion()} ${sora.env().description}, ${threadsLabel}`;
const { tf, description: tfDescription } = await tfjsWasm();
log(`${soraDescription}  vs  ${tfDescription}`);
log(machineLine());

const results = {
  date: new Date().toISOString(),
  machine: machineLine(),
  sora: soraDescription,
  tfjs: tfDescription,
  reps,
  rows: [],
};
const rows = [];
/** Adds a result row: `what` is [model, task]. */
const addRow = ([model, task], contender, fields) => {
  const row = { model, task, contender, ...fields };
  results.rows.push(row);
  rows.push(row);
};
const MNIST_TRAIN = ['MNIST CNN', 'train epoch (60,000)'];
const MNIST_PREDICT = ['MNIST CNN', 'predict batch of 64'];
const MOBILENET = ['MobileNetV2 224', 'predict 1 image'];
const fmtMs = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const fmtS = (s) => (s >= 100 ? s.toFixed(0) : s.toFixed(1));
const IMAGES_PER_EPOCH = 60_000;
const batchesPerEpoch = IMAGES_PER_EPOCH / BATCH; // 937.5: the last batch holds 32

/**
 * `reps` alternating timings of each function: wall and CPU (this process's user + system) ms
 * per call, `calls` calls back to back per rep. Both libraries compute on this one thread, so
 * on a loaded machine the CPU time is the steadier figure.
 */
function interleaved(fns, { calls = 1 } = {}) {
  const times = fns.map(() => ({ wall: [], cpu: [] }));
  for (let r = 0; r < reps; r++) {
    fns.forEach((fn, i) => {
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      for (let c = 0; c < calls; c++) fn();
      const cpu = process.cpuUsage(cpuStart);
      times[i].wall.push((performance.now() - start) / calls);
      times[i].cpu.push((cpu.user + cpu.system) / 1000 / calls);
    });
  }
  return times.map((t) => ({ median: median(t.wall), cpuMedian: median(t.cpu), reps: t.wall, cpuReps: t.cpu }));
}

function maxDiff(a, b) {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** The MNIST CNN in TF.js (the same layers as examples/mnist-cnn.mjs builds in sora). */
function tfMnistCnn() {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  return model;
}

// ---- MNIST CNN: training ----

if (!flags.noMnist) {
  const mnist = await sora.data.loadMnist();
  const { train, test } = mnist;
  log(`\nMNIST CNN, batch ${BATCH}: ${train.count} training images`);
  const soraModel = mnistCnn(sora);
  {
    const count = trainBatches ? Math.min(train.count, trainBatches * BATCH) : train.count;
    const x = sora.tensor(train.images.subarray(0, count * 784), [count, 28, 28, 1]);
    const y = sora.utils.toCategorical(train.labels.subarray(0, count), 10);
    const warmX = sora.slice(x, [0], [5 * BATCH]);
    const warmY = sora.slice(y, [0], [5 * BATCH]);
    await soraModel.fit(warmX, warmY, { epochs: 1, batchSize: BATCH, verbose: 0 }); // JIT, arena, scratch
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    await soraModel.fit(x, y, { epochs: 1, batchSize: BATCH, verbose: 0 });
    const cpu = process.cpuUsage(cpuStart);
    const seconds = (performance.now() - start) / 1000;
    const epoch = seconds * (train.count / count);
    const cpuEpoch = ((cpu.user + cpu.system) / 1e6) * (train.count / count);
    const how = count === train.count ? 'full epoch, model.fit' : `${count / BATCH} batches of model.fit, scaled`;
    addRow(MNIST_TRAIN, 'sora wasm', { seconds: epoch, cpuSeconds: cpuEpoch, how });
    const perBatch = (seconds * 1000) / Math.ceil(count / BATCH);
    log(`  sora wasm: ${fmtS(epoch)} s/epoch, CPU ${fmtS(cpuEpoch)} s (${fmtMs(perBatch)} ms a batch)`);
    sora.dispose([x, y, warmX, warmY]);
  }

  if (!flags.noWebgpu) {
    try {
      const gpu = await chromiumWebgpuTraining({ root, batches: gpuBatches, batch: BATCH });
      const epoch = (gpu.msPerBatch * batchesPerEpoch) / 1000;
      const how = `median of ${gpuBatches} trainOnBatch, scaled; ${gpu.adapter}`;
      addRow(MNIST_TRAIN, 'sora webgpu (Chromium, CPU adapter)', { seconds: epoch, how });
      addRow(MNIST_PREDICT, 'sora webgpu (Chromium, CPU adapter)', { ms: gpu.msPerPredict, how: gpu.adapter });
      log(`  sora webgpu: ${fmtS(epoch)} s/epoch (${fmtMs(gpu.msPerBatch)} ms a batch; ${gpu.adapter})`);
    } catch (error) {
      addRow(MNIST_TRAIN, 'sora webgpu (Chromium)', { skipped: String(error.message ?? error) });
      log(`  sora webgpu: skipped (${error.message ?? error})`);
    }
  }

  const xBatch = { values: train.images.subarray(0, BATCH * 784), shape: [BATCH, 28, 28, 1] };
  const yBatch = Array.from(train.labels.subarray(0, BATCH));
  {
    // TF.js wasm has no Conv2DBackpropFilter: one trainOnBatch says so (or, in a later TF.js, is timed below).
    const model = tfMnistCnn();
    const [x, y] = [tf.tensor(xBatch.values, xBatch.shape), tf.oneHot(yBatch, 10)];
    try {
      await model.trainOnBatch(x, y);
      addRow(MNIST_TRAIN, 'TF.js wasm', { skipped: 'trains in this TF.js: not timed here' });
    } catch (error) {
      const message = String(error.message ?? error).split('\n')[0];
      addRow(MNIST_TRAIN, 'TF.js wasm', { skipped: `cannot train: ${message}` });
      log(`  TF.js wasm: cannot train (${message})`);
    }
    tf.dispose([x, y]);
    model.dispose();
  }

  if (!flags.noTfCpu) {
    await tf.setBackend('cpu');
    const model = tfMnistCnn();
    const [x, y] = [tf.tensor(xBatch.values, xBatch.shape), tf.oneHot(yBatch, 10)];
    const times = [];
    const cpuTimes = [];
    for (let b = 0; b < tfCpuBatches; b++) {
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      await model.trainOnBatch(x, y);
      const cpu = process.cpuUsage(cpuStart);
      times.push(performance.now() - start);
      cpuTimes.push((cpu.user + cpu.system) / 1000);
      log(`  TF.js cpu: batch ${b + 1} of ${tfCpuBatches}: ${(times.at(-1) / 1000).toFixed(1)} s`);
    }
    const epoch = (median(times) * batchesPerEpoch) / 1000;
    const how = `median of ${tfCpuBatches} trainOnBatch, scaled`;
    const cpuSeconds = (median(cpuTimes) * batchesPerEpoch) / 1000;
    addRow(MNIST_TRAIN, 'TF.js cpu', { seconds: epoch, cpuSeconds, how, batchMs: times, batchCpuMs: cpuTimes });
    log(`  TF.js cpu: ${fmtS(epoch)} s/epoch, ${(epoch / 3600).toFixed(1)} h (${fmtMs(median(times))} ms a batch)`);
    tf.dispose([x, y]);
    model.dispose();
    await tf.setBackend('wasm');
  }

  // ---- MNIST CNN: inference, the trained weights in both libraries ----
  {
    const tfModel = tfMnistCnn();
    const weights = soraModel.getWeights();
    tfModel.setWeights(weights.map((w) => tf.tensor(w.dataSync(), w.shape)));
    sora.dispose(weights);
    const xs = sora.tensor(test.images.subarray(0, BATCH * 784), [BATCH, 28, 28, 1]);
    const xt = tf.tensor(test.images.subarray(0, BATCH * 784), [BATCH, 28, 28, 1]);
    const soraPredict = () => sora.tidy(() => soraModel.predict(xs).dataSync());
    const tfPredict = () => tf.tidy(() => tfModel.predict(xt).dataSync());
    const diff = maxDiff(soraPredict(), tfPredict());
    for (let i = 0; i < 5; i++) { soraPredict(); tfPredict(); }
    const [ours, theirs] = interleaved([soraPredict, tfPredict], { calls: 5 });
    addRow(MNIST_PREDICT, 'sora wasm', { ms: ours.median, cpuMs: ours.cpuMedian, reps: ours.reps, maxDiff: diff });
    addRow(MNIST_PREDICT, 'TF.js wasm', { ms: theirs.median, cpuMs: theirs.cpuMedian, reps: theirs.reps });
    log(
      `  predict 64: sora wasm ${fmtMs(ours.median)} ms, TF.js wasm ${fmtMs(theirs.median)} ms ` +
        `(${(theirs.median / ours.median).toFixed(2)}x; outputs agree within ${diff.toExponential(1)})`,
    );
    sora.dispose(xs);
    xt.dispose();
    tfModel.dispose();
  }
  soraModel.dispose();
}

// ---- MobileNetV2, one image ----
if (!flags.noMobilenet) {
  log('\nMobileNetV2 (alpha 1.0, 224x224), predict one image');
  const tfModel = mobileNetV2(tf, { alpha: 1, inputSize: 224, classes: 1000 });
  seedWeights(tf, tfModel, 16);
  let artifacts;
  await tfModel.save(
    tf.io.withSaveHandler(async (saved) => {
      artifacts = saved;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const weightData = Array.isArray(artifacts.weightData)
    ? tf.io.concatenateArrayBuffers(artifacts.weightData)
    : artifacts.weightData;
  const soraMobile = await sora.loadLayersModel(sora.io.fromMemory({ ...artifacts, weightData }));
  const random = seededRandom(7);
  const image = Float32Array.from({ length: 224 * 224 * 3 }, () => random() * 2 - 1);
  const xs = sora.tensor(image, [1, 224, 224, 3]);
  const xt = tf.tensor(image, [1, 224, 224, 3]);
  const soraPredict = () => sora.tidy(() => soraMobile.predict(xs).dataSync());
  const tfPredict = () => tf.tidy(() => tfModel.predict(xt).dataSync());
  const diff = maxDiff(soraPredict(), tfPredict());
  for (let i = 0; i < 3; i++) { soraPredict(); tfPredict(); }
  const [ours, theirs] = interleaved([soraPredict, tfPredict]);
  addRow(MOBILENET, 'sora wasm', { ms: ours.median, cpuMs: ours.cpuMedian, reps: ours.reps, maxDiff: diff });
  addRow(MOBILENET, 'TF.js wasm', { ms: theirs.median, cpuMs: theirs.cpuMedian, reps: theirs.reps });
  log(
    `  sora wasm ${fmtMs(ours.median)} ms, TF.js wasm ${fmtMs(theirs.median)} ms ` +
      `(${(theirs.median / ours.median).toFixed(2)}x; outputs agree within ${diff.toExponential(1)})`,
  );
  if (flags.kernels) {
    const layerTimes = new Map();
    const calls = soraMobile.layers.map((layer) => {
      const call = layer.call;
      const kind = layer.getClassName();
      const size = layer.kernelSize ? ` ${layer.kernelSize.join('x')}${layer.strides?.[0] === 2 ? ' stride 2' : ''}` : '';
      layer.call = (...args) => {
        const start = process.cpuUsage();
        try { return call.apply(layer, args); } finally {
          const cpu = process.cpuUsage(start);
          const entry = layerTimes.get(kind + size) ?? { calls: 0, ms: 0 };
          entry.calls++;
          entry.ms += (cpu.user + cpu.system) / 1000;
          layerTimes.set(kind + size, entry);
        }
      };
      return [layer, call];
    });
    const runs = 5;
    const cpuStart = process.cpuUsage();
    for (let i = 0; i < runs; i++) soraPredict();
    const cpu = process.cpuUsage(cpuStart);
    const cpuTotal = (cpu.user + cpu.system) / 1000 / runs;
    for (const [layer, call] of calls) layer.call = call;
    const byLayer = [...layerTimes].sort((a, b) => b[1].ms - a[1].ms);
    const inLayers = byLayer.reduce((sum, [, e]) => sum + e.ms, 0) / runs;
    const classes = Object.fromEntries(byLayer.map(([k, e]) => [k, { calls: e.calls / runs, cpuMs: e.ms / runs }]));
    results.layers = { cpuMsPerPredict: cpuTotal, classes };
    log(`\nsora wasm: CPU time per layer class in one MobileNetV2 predict (${fmtMs(cpuTotal)} ms; ` +
      `${fmtMs(inLayers)} ms inside layers' call, the rest in the model's execution around them):`);
    log(table(['layer', 'calls', 'CPU ms', 'share'], byLayer.map(([k, e]) => [
      k, (e.calls / runs).toFixed(0), fmtMs(e.ms / runs), `${((100 * e.ms) / runs / cpuTotal).toFixed(1)}%`])));
    kernelTimes.clear();
    const start = performance.now();
    for (let i = 0; i < runs; i++) soraPredict();
    const total = (performance.now() - start) / runs;
    const list = [...kernelTimes].sort((a, b) => b[1].ms - a[1].ms);
    const inWasm = list.reduce((sum, [, e]) => sum + e.ms, 0) / runs;
    results.kernels = {
      msPerPredict: total,
      exports: Object.fromEntries(list.map(([k, e]) => [k, { calls: e.calls / runs, ms: e.ms / runs }])),
    };
    log(
      `\nsora wasm exports in one MobileNetV2 predict (${fmtMs(total)} ms with the wrappers; ${fmtMs(inWasm)} ms in wasm):`,
    );
    log(
      table(
        ['export', 'calls', 'ms', 'share'],
        list
          .slice(0, 12)
          .map(([k, e]) => [
            k,
            (e.calls / runs).toFixed(0),
            fmtMs(e.ms / runs),
            `${((100 * e.ms) / runs / total).toFixed(1)}%`,
          ]),
      ),
    );
  }
  sora.dispose(xs);
  xt.dispose();
  soraMobile.dispose();
  tfModel.dispose();
}

// ---- report ----
const soraRow = (r) => rows.find((o) => o.model === r.model && o.task === r.task && o.contender === 'sora wasm');
/** The other contender's figure over sora wasm's ('' for sora wasm itself or a missing figure). */
const ratio = (r, unit) => {
  const ours = soraRow(r);
  return ours && r !== ours && r[unit] && ours[unit] ? `${(r[unit] / ours[unit]).toFixed(2)}x` : '';
};
// Rows grouped by model and task (in the order they were first run), sora wasm first in each group.
const groups = [...new Set(rows.map((r) => `${r.model}|${r.task}`))];
const rank = (r) => groups.indexOf(`${r.model}|${r.task}`) * 100 + (r.contender === 'sora wasm' ? 0 : 1 + rows.indexOf(r));
rows.sort((a, b) => rank(a) - rank(b));
const time = (r) => (r.skipped ? '-' : r.seconds !== undefined ? `${fmtS(r.seconds)} s` : `${fmtMs(r.ms)} ms`);
log(`\n${table(['model', 'task', 'contender', 'time', 'CPU time', 'vs sora wasm (time, CPU)', 'how'], rows.map((r) => [
  r.model, r.task, r.contender, time(r),
  r.cpuMs !== undefined ? `${fmtMs(r.cpuMs)} ms` : r.cpuSeconds !== undefined ? `${fmtS(r.cpuSeconds)} s` : '',
  [ratio(r, r.seconds !== undefined ? 'seconds' : 'ms'), ratio(r, r.seconds !== undefined ? 'cpuSeconds' : 'cpuMs')]
    .filter(Boolean).join(', '),
  r.skipped ?? r.how ?? `median of ${reps}, interleaved`,
]))}`);
log("(vs sora wasm: the contender's time over sora wasm's in this run; above 1x, sora wasm is faster.)");
const out = flags.out ?? join(root, 'bench/results', `cnn-${results.date.slice(0, 10)}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 1)}\n`);
log(`\nwrote ${out}`);
