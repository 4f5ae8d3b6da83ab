/**
 * `npm run bench:text`: issue 17's text classifier, sora beside TF.js in one run.
 *
 *   embedding(5000, 32) -> bidirectional(lstm(64), concat) -> dense(128, relu) -> dense(1, sigmoid)
 *   on 100 token ids a text, batch 64, adam, binary cross-entropy (seeded random ids and labels)
 *
 *   training, ms per batch (trainOnBatch):
 *     sora wasm      median of --reps batches after --warmup
 *     TF.js cpu      --tf-cpu-batches batches (about 100 s each on this machine; 1 by default)
 *     TF.js wasm     cannot train it ("Kernel 'UnsortedSegmentSum' not registered"): the row says what it throws
 *   inference, ms per predict of a batch of 64: sora wasm and TF.js wasm, the same weights, interleaved
 *   the LSTM step cost at B8 I32 H64 (issue 17's figure: 1.0 ms a step forward and backward built
 *     from per-step ops): sora wasm's recurrent op over 100 steps, forward and forward + backward,
 *     ms a step, the fused path (the backend's recurrentSequence kernel, when it has one) beside the
 *     composed per-step path, interleaved
 *
 * Both wasm backends run one thread; `npm run bench:text` runs Node with
 * --experimental-wasm-relaxed-simd, so sora takes its relaxed-SIMD build (as browsers that have
 * relaxed SIMD do; TF.js keeps its SIMD build), and plain `node bench/text.mjs` times sora's SIMD
 * build. Timed rows give wall and this process's CPU time (the steadier figure on a loaded
 * machine). Writes bench/results/text-<date>.json (or --out).
 *
 *   node [--experimental-wasm-relaxed-simd] bench/text.mjs [--threads 1] [--quick] [--reps 9] [--warmup 3] [--tf-cpu-batches 1] [--no-tf-cpu] [--unidirectional] [--out file.json]
 *
 * --unidirectional: one forward lstm(64) in place of the bidirectional layer (both libraries).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine, median, packageVersion, parseFlags, soraThreads, table, tfjsWasm } from './common.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const flags = parseFlags(process.argv.slice(2), {
  threads: 'number',
  quick: 'boolean', reps: 'number', warmup: 'number', 'tf-cpu-batches': 'number', 'no-tf-cpu': 'boolean',
  unidirectional: 'boolean', out: 'string',
});
const reps = flags.reps ?? (flags.quick ? 5 : 9);
const warmup = flags.warmup ?? 3;
const tfCpuBatches = flags.tfCpuBatches ?? 1;
const [VOCAB, EMBEDDING, STEPS, UNITS, DENSE, BATCH] = [5000, 32, 100, 64, 128, 64];
const log = (...args) => console.log(...args);
const fmtMs = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3));

for (const file of ['dist/index.js', 'build/sora-simd.wasm']) {
  if (!existsSync(join(root, file))) throw new Error(`${file} is missing: run \`npm run build\` first`);
}
const sora = await import('../dist/index.js');
const { ENGINE } = await import('../dist/core/engine.js');
const { hasKernel } = await import('../dist/backends/backend.js');
const { recurrentSequence } = await import('../dist/ops/recurrent/sequence.js');
await sora.setBackend('wasm');
const threadsLabel = await soraThreads(sora, flags.threads ?? 1);
const recurrentKernel = hasKernel(ENGINE.backend, 'recurrentSequence') && hasKernel(ENGINE.backend, 'recurrentSequenceBackward');
const soraDescription = `sora ${packageVersion()} ${sora.env().description}, ${threadsLabel}, ` +
  `${recurrentKernel ? 'wasm recurrentSequence kernel' : 'no wasm recurrent kernel (the op\'s composed path)'}`;
const { tf, description: tfDescription } = await tfjsWasm();
log(`${soraDescription}  vs  ${tfDescription}`);
log(machineLine());
const modelLine = `embedding(${VOCAB}, ${EMBEDDING}) -> ${flags.unidirectional ? `lstm(${UNITS})` : `bidirectional(lstm(${UNITS}))`} ` +
  `-> dense(${DENSE}, relu) -> dense(1, sigmoid); ${STEPS} tokens, batch ${BATCH}`;
log(modelLine);

const results = { date: new Date().toISOString(), machine: machineLine(), sora: soraDescription, tfjs: tfDescription, model: modelLine, reps, rows: [] };
const addRow = (task, contender, fields) => {
  results.rows.push({ task, contender, ...fields });
  const time = fields.ms !== undefined ? `${fmtMs(fields.ms)} ms${fields.cpuMs !== undefined ? ` (CPU ${fmtMs(fields.cpuMs)} ms)` : ''}` : fields.skipped;
  log(`  ${task}, ${contender}: ${time}${fields.how ? `; ${fields.how}` : ''}`);
};

/** The model in either library (both have TF.js's layer names and config fields). */
function textModel(lib) {
  const lstm = () => lib.layers.lstm({ units: UNITS });
  const model = lib.sequential({
    layers: [
      lib.layers.embedding({ inputDim: VOCAB, outputDim: EMBEDDING, inputLength: STEPS }),
      flags.unidirectional ? lstm() : lib.layers.bidirectional({ layer: lstm(), mergeMode: 'concat' }),
      lib.layers.dense({ units: DENSE, activation: 'relu' }),
      lib.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  model.compile({ optimizer: lib.train.adam(1e-3), loss: 'binaryCrossentropy' });
  return model;
}

/** mulberry32. */
function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seededRandom(17);
const ids = Int32Array.from({ length: BATCH * STEPS }, () => 1 + Math.floor(random() * (VOCAB - 1)));
const labels = Float32Array.from({ length: BATCH }, () => (random() < 0.5 ? 0 : 1));

/** Wall and CPU ms of one call of f (awaited). */
async function timed(f) {
  const start = performance.now(), cpuStart = process.cpuUsage();
  await f();
  const cpu = process.cpuUsage(cpuStart);
  return { wall: performance.now() - start, cpu: (cpu.user + cpu.system) / 1000 };
}

// ---- training ----
log('\ntraining, ms per batch of 64 (trainOnBatch)');
const soraModel = textModel(sora);
{
  const x = sora.tensor(ids, [BATCH, STEPS], 'int32'), y = sora.tensor(labels, [BATCH, 1]);
  for (let i = 0; i < warmup; i++) await soraModel.trainOnBatch(x, y);
  const times = [];
  for (let i = 0; i < reps; i++) times.push(await timed(() => soraModel.trainOnBatch(x, y)));
  addRow('train batch', 'sora wasm', { ms: median(times.map((t) => t.wall)), cpuMs: median(times.map((t) => t.cpu)),
    how: `median of ${reps} after ${warmup} warm-up`, batchMs: times.map((t) => t.wall) });
  sora.dispose([x, y]);
}
{
  const model = textModel(tf);
  const x = tf.tensor(ids, [BATCH, STEPS], 'int32'), y = tf.tensor(labels, [BATCH, 1]);
  try {
    await model.trainOnBatch(x, y);
    addRow('train batch', 'TF.js wasm', { skipped: 'trains in this TF.js: not timed here' });
  } catch (error) {
    addRow('train batch', 'TF.js wasm', { skipped: `cannot train: ${String(error.message ?? error).split('\n')[0]}` });
  }
  tf.dispose([x, y]);
  model.dispose();
}
// ---- inference: sora's trained weights in both libraries ----
log('\ninference, ms per predict of a batch of 64');
{
  const tfModel = textModel(tf);
  const weights = soraModel.getWeights();
  tfModel.setWeights(weights.map((w) => tf.tensor(w.dataSync(), w.shape)));
  sora.dispose(weights);
  const xs = sora.tensor(ids, [BATCH, STEPS], 'int32'), xt = tf.tensor(ids, [BATCH, STEPS], 'int32');
  const soraPredict = () => sora.tidy(() => soraModel.predict(xs).dataSync());
  const tfPredict = () => tf.tidy(() => tfModel.predict(xt).dataSync());
  const a = soraPredict(), b = tfPredict();
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
  for (let i = 0; i < 2; i++) { soraPredict(); tfPredict(); }
  const ours = [], theirs = [];
  for (let r = 0; r < reps; r++) { ours.push(await timed(soraPredict)); theirs.push(await timed(tfPredict)); }
  const how = `median of ${reps}, interleaved; outputs agree within ${diff.toExponential(1)}`;
  addRow('predict batch', 'sora wasm', { ms: median(ours.map((t) => t.wall)), cpuMs: median(ours.map((t) => t.cpu)), how, maxDiff: diff });
  addRow('predict batch', 'TF.js wasm', { ms: median(theirs.map((t) => t.wall)), cpuMs: median(theirs.map((t) => t.cpu)), how });
  sora.dispose(xs);
  xt.dispose();
  tfModel.dispose();
}
soraModel.dispose();

// ---- the LSTM step cost, B8 I32 H64 ----
{
  const [batch, inputDim, units, steps] = [8, 32, 64, 100];
  log(`\nthe LSTM step cost, batch ${batch}, input ${inputDim}, units ${units}: ms a step of one call over ${steps} steps`);
  /** Runs f with the backend's recurrent kernels hidden: the op takes its composed per-step path. */
  const composed = (f) => {
    const backend = ENGINE.backend;
    backend.recurrentSequence = undefined;
    backend.recurrentSequenceBackward = undefined;
    try { return f(); } finally {
      delete backend.recurrentSequence;
      delete backend.recurrentSequenceBackward;
    }
  };
  const u = (shape, seed, scale) => sora.randomUniform(shape, -scale, scale, 'float32', seed);
  const t = { x: u([batch, steps, inputDim], 1, 1), kernel: u([inputDim, 4 * units], 2, 0.2), recurrentKernel: u([units, 4 * units], 3, 0.15),
    bias: u([4 * units], 4, 0.1), h0: sora.zeros([batch, units]), c0: sora.zeros([batch, units]) };
  const args = (over) => ({ cell: 'lstm', activation: 'tanh', recurrentActivation: 'sigmoid', resetAfter: false, ...t, ...over,
    recurrentBias: null, mask: null, inputDropoutMask: null, recurrentDropoutMask: null, goBackwards: false });
  const forward = () => sora.tidy(() => { recurrentSequence(args({})).hSeq.dataSync(); });
  const train = () => sora.tidy(() => {
    const f = (x, kernel, recurrentKernel, bias) => sora.sum(recurrentSequence(args({ x, kernel, recurrentKernel, bias })).hSeq);
    for (const g of sora.grads(f)([t.x, t.kernel, t.recurrentKernel, t.bias])) g.dataSync();
  });
  const fused = recurrentKernel;
  for (const run of [forward, train]) { if (fused) run(); composed(run); }
  const rows = { forward: [[], []], train: [[], []] };
  for (let r = 0; r < reps; r++) {
    for (const [name, run] of [['forward', forward], ['train', train]]) {
      if (fused) rows[name][0].push(await timed(run));
      rows[name][1].push(await timed(() => composed(run)));
    }
  }
  const per = (list, key) => median(list.map((m) => m[key])) / steps;
  for (const [name, label] of [['forward', 'LSTM step forward'], ['train', 'LSTM step forward + backward']]) {
    if (fused) {
      addRow(label, 'sora wasm, recurrentSequence kernel', { ms: per(rows[name][0], 'wall'), cpuMs: per(rows[name][0], 'cpu'),
        how: `median of ${reps}, interleaved with the next row` });
    }
    addRow(label, `sora wasm, composed per-step ops${fused ? '' : ' (this build has no wasm recurrent kernel)'}`,
      { ms: per(rows[name][1], 'wall'), cpuMs: per(rows[name][1], 'cpu'), how: `median of ${reps}` });
  }
  sora.dispose(Object.values(t));
}

// ---- TF.js cpu training, last: it takes minutes ----
if (!flags.noTfCpu) {
  log(`\ntraining on TF.js cpu (${tfCpuBatches} batch${tfCpuBatches === 1 ? '' : 'es'}: minutes)`);
  await tf.setBackend('cpu');
  const model = textModel(tf);
  const x = tf.tensor(ids, [BATCH, STEPS], 'int32'), y = tf.tensor(labels, [BATCH, 1]);
  const times = [];
  for (let b = 0; b < tfCpuBatches; b++) {
    times.push(await timed(() => model.trainOnBatch(x, y)));
    log(`  TF.js cpu: batch ${b + 1} of ${tfCpuBatches}: ${(times.at(-1).wall / 1000).toFixed(1)} s`);
  }
  addRow('train batch', 'TF.js cpu', { ms: median(times.map((t) => t.wall)), cpuMs: median(times.map((t) => t.cpu)),
    how: `median of ${tfCpuBatches} trainOnBatch (no warm-up)`, batchMs: times.map((t) => t.wall) });
  tf.dispose([x, y]);
  model.dispose();
}

// ---- report ----
const tasks = [...new Set(results.rows.map((r) => r.task))];
const ordered = [...results.rows].sort((a, b) => tasks.indexOf(a.task) - tasks.indexOf(b.task));
log(`\n${table(['task', 'contender', 'ms', 'CPU ms', 'how'], ordered.map((r) => [
  r.task, r.contender, r.ms !== undefined ? fmtMs(r.ms) : '-', r.cpuMs !== undefined ? fmtMs(r.cpuMs) : '', r.skipped ?? r.how ?? '',
]))}`);
const out = flags.out ?? join(root, 'bench/results', `text-${results.date.slice(0, 10)}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(results, null, 1)}\n`);
log(`\nwrote ${out}`);
