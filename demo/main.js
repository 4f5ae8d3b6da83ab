/**
 * The MNIST demo page: fetch and parse the IDX files, choose a backend and a model, train with
 * live curves, show 25 test digits, read a drawn digit, and keep the model (IndexedDB,
 * downloads, user-chosen files); and a pose panel running a pretrained graph model (pose.js).
 *
 * Training runs on the main thread and yields to the browser between batches once ~12 ms
 * have passed (a MessageChannel task, which is not clamped like nested setTimeout). A worker
 * would need the model twice (one to train, one to read the drawing) and weights posted
 * across on every change, and WebGPU in workers is not in every browser; a batch of the
 * MLPs takes a few milliseconds and of the CNN tens of milliseconds on wasm, so yielding keeps
 * the page responsive at almost no cost.
 *
 * URL parameters preset the controls: ?backend=wasm&model=cnn&epochs=1&train=2000&batch=64;
 * ?seed=16 seeds the initial weights (as examples/mnist-cnn.mjs does) and trains without
 * shuffling, so a run repeats.
 * `window.soraDemo` exposes the page's state for tests and the console.
 */
import * as sora from 'sora';
import { drawBars, lineChart } from './charts.js';
import { describeBackend } from './backend-text.js';
import { drawingPad, paintDigit, toMnistInput } from './draw.js';
import { evaluateOn, nextPaint, settle, yieldToBrowser } from './pace.js';
import { buildModel, inputShapeOf } from './models.js';
import { posePanel } from './pose.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const STORE_URL = 'indexeddb://sora-mnist-demo';
const GRID_SIZE = 25;
const PROBE_SIZE = 512;
/**
 * 12,345 with commas, as the page is in English. Not toLocaleString: its first call in a page
 * loads the locale data (100-200 ms measured in headless Chromium), which delayed the first
 * paint after pressing Train.
 */
const withCommas = (n) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

const demo = {
  status: 'loading', backend: null, model: null, trainingModel: null, modelSource: null, mnist: null, prediction: null,
  probabilities: null, grid: null, errors: [], lastLogs: null, examplesPerSecond: 0, stopRequested: false, history: null,
  chartPoints: () => ({ loss: { train: charts.loss.points('train'), val: charts.loss.points('val') },
    acc: { train: charts.acc.points('train'), val: charts.acc.points('val') } }),
  chartLayouts: () => ({ loss: charts.loss.layout(), acc: charts.acc.layout() }),
  /** The library and the page's model builder, for the console and tests: soraDemo.buildModel('cnn', { seed: 16 }). */
  sora, buildModel,
};
window.soraDemo = demo;

const charts = {
  loss: lineChart($('loss-chart'), { label: 'loss' }),
  acc: lineChart($('acc-chart'), { label: 'accuracy', yMax: 1 }),
};

function showError(error) {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error?.reason ?? error);
  demo.errors.push(message);
  demo.status = demo.status === 'training' ? 'ready' : demo.status;
  const box = $('error');
  box.hidden = false;
  box.textContent = demo.errors.slice(-3).join('\n');
  setButtons();
}
/** Hides the error box once an action succeeds: what it said no longer holds. */
function clearErrors() {
  demo.errors = [];
  $('error').hidden = true;
  $('error').textContent = '';
}
window.addEventListener('error', (event) => showError(event.error ?? event.message));
window.addEventListener('unhandledrejection', (event) => showError(event.reason));

/** Runs an async handler, putting any error on the page, and clearing the error box when it succeeds. */
const guarded = (fn) => async (...args) => {
  try {
    await fn(...args);
    clearErrors();
  } catch (error) { showError(error); }
};

function setButtons() {
  const training = demo.status === 'training';
  $('train').disabled = training || !demo.mnist;
  $('stop').disabled = !training;
  $('backend').disabled = training;
  $('save-idb').disabled = training || !demo.model;
  $('download').disabled = training || !demo.model;
  $('load-idb').disabled = training;
  $('files').disabled = training;
}

// ---- backend ----

/** A note when WebGPU cannot run here, naming the backend that runs instead; null when it can. */
async function describeWebGpu(running) {
  const instead = running === 'webgpu' ? '' : `, so sora runs on ${running}`;
  if (!('gpu' in navigator)) return `This browser has no WebGPU${instead}.`;
  const adapter = await navigator.gpu.requestAdapter().catch(() => null);
  if (!adapter) return `This browser has WebGPU but offers it no graphics card${instead}.`;
  return null;
}

async function useBackend(name) {
  // Keep a trained model across the switch: its weights live on the old backend.
  let artifacts = null;
  if (demo.model) await demo.model.save(sora.io.withSaveHandler(async (a) => { artifacts = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  sora.setWasmPaths('./');
  try {
    await sora.setBackend(name);
  } catch (error) {
    if (demo.backend) $('backend').value = $('backend').querySelector(`option[value="${demo.backend}"]`) ? demo.backend : 'auto';
    throw error;
  }
  const env = sora.env();
  demo.backend = env.backend;
  $('backend-status').textContent = describeBackend(env, name);
  // Under auto the header already says why WebGPU was passed over; the note is for a backend picked by hand.
  const note = name === 'auto' ? null : await describeWebGpu(env.backend);
  $('webgpu-note').hidden = !note;
  $('webgpu-note').textContent = note ?? '';
  if (artifacts) {
    const old = demo.model;
    await setModel(await sora.loadLayersModel(sora.io.fromMemory(artifacts)), demo.modelSource);
    try { old.dispose(); } catch { /* its backend may be gone */ }
  }
}

// ---- data ----

async function loadMnist() {
  const names = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
  const started = performance.now();
  const bytes = await Promise.all(names.map(async (name) => {
    const response = await fetch(`data/${name}`);
    if (!response.ok) throw new Error(`could not fetch data/${name}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }));
  const trainLimit = params.has('train') ? Number(params.get('train')) : undefined;
  demo.mnist = sora.data.mnistFromBytes({ trainImages: bytes[0], trainLabels: bytes[1], testImages: bytes[2], testLabels: bytes[3] }, { trainLimit });
  const { train, test } = demo.mnist;
  $('train-count').max = String(train.count);
  $('train-count').value = String(Math.min(Number($('train-count').value), train.count));
  $('progress-text').textContent = `MNIST: ${train.count} training and ${test.count} test images, ` +
    `fetched and parsed in ${((performance.now() - started) / 1000).toFixed(1)} s.`;
}

// ---- model ----

function setModel(model, source) {
  demo.model = model;
  demo.modelSource = source;
  $('model-status').textContent = `Model: ${source} (${withCommas(model.countParams())} weights).`;
  setButtons();
  return Promise.all([showGrid(), predictDrawing()]);
}

async function showGrid() {
  const { test } = demo.mnist ?? {};
  if (!demo.model || !test) return;
  const count = Math.min(GRID_SIZE, test.count);
  const shape = inputShapeOf(demo.model);
  const probabilities = sora.tidy(() => demo.model.predict(sora.tensor(test.images.subarray(0, count * 784), [count, ...shape])));
  const predicted = Array.from(await probabilities.argMax(-1).data());
  demo.grid = { predicted, probabilities: Array.from(await probabilities.data()) };
  probabilities.dispose();
  const grid = $('grid');
  grid.replaceChildren();
  let wrong = 0;
  for (let i = 0; i < count; i++) {
    const figure = document.createElement('figure');
    const canvas = document.createElement('canvas');
    canvas.width = 28; canvas.height = 28;
    paintDigit(canvas, test.images.subarray(i * 784, (i + 1) * 784));
    const caption = document.createElement('figcaption');
    const ok = predicted[i] === test.labels[i];
    if (!ok) { figure.classList.add('wrong'); wrong++; }
    caption.textContent = ok ? `${predicted[i]}` : `${predicted[i]} (is ${test.labels[i]})`;
    figure.append(canvas, caption);
    grid.append(figure);
  }
  $('grid-caption').textContent = `The first ${count} test digits: ${count - wrong} read right, ${wrong} wrong (red).`;
}

let predicting = false, predictAgain = false;
async function predictDrawing() {
  if (predicting) { predictAgain = true; return; }
  predicting = true;
  try {
    do {
      predictAgain = false;
      const input = toMnistInput($('draw'));
      const preview = $('input-preview');
      preview.getContext('2d').clearRect(0, 0, preview.width, preview.height);
      if (input) paintDigit(preview, input);
      if (!input || !demo.model) {
        demo.prediction = null; demo.probabilities = null;
        $('prediction').textContent = !input ? 'Draw a digit' : 'Train or load a model first';
        drawBars($('probs'), null);
        continue;
      }
      const output = sora.tidy(() => demo.model.predict(sora.tensor(input, [1, ...inputShapeOf(demo.model)])));
      const probabilities = Array.from(await output.data());
      output.dispose();
      const best = probabilities.indexOf(Math.max(...probabilities));
      demo.prediction = best; demo.probabilities = probabilities;
      $('prediction').textContent = `It reads ${best} (${(probabilities[best] * 100).toFixed(1)}%)`;
      drawBars($('probs'), probabilities);
    } while (predictAgain);
  } finally {
    predicting = false;
  }
}

// ---- training ----

async function train() {
  const { train: data } = demo.mnist;
  const count = Math.min(Number($('train-count').value) || data.count, data.count);
  const epochs = Math.max(1, Number($('epochs').value) || 1);
  const batchSize = Math.max(1, Number($('batch-size').value) || 32);
  const valCount = Math.max(10, Math.round(count * 0.1)), trainCount = count - valCount;
  const seed = params.has('seed') ? Number(params.get('seed')) : undefined;
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new Error(`the seed in the address must be an integer; received seed=${JSON.stringify(params.get('seed'))}`);
  if (trainCount < batchSize) throw new Error(`${count} training images leave too few for batches of ${batchSize}; use more images or a smaller batch`);
  demo.status = 'training';
  demo.stopRequested = false;
  demo.history = null;
  setButtons();
  charts.loss.reset(); charts.acc.reset();
  // Say so at once and let it paint: copying the images to the device below takes a while
  // (seconds for 60,000 on a software GPU) and holds the page meanwhile.
  $('progress').removeAttribute('value');
  $('progress-text').textContent = `Preparing ${withCommas(trainCount)} training images on ${demo.backend}…`;
  await nextPaint();
  const model = buildModel($('model').value, { seed });
  demo.trainingModel = model;
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const shape = inputShapeOf(model);
  const tensor = (from, n) => sora.tensor(data.images.subarray(from * 784, (from + n) * 784), [n, ...shape]);
  const labels = (from, n) => sora.utils.toCategorical(data.labels.subarray(from, from + n), 10);
  const xs = tensor(0, trainCount), ys = labels(0, trainCount);
  const xVal = tensor(trainCount, valCount), yVal = labels(trainCount, valCount);
  const probes = {
    train: [tensor(0, Math.min(PROBE_SIZE, trainCount)), labels(0, Math.min(PROBE_SIZE, trainCount))],
    val: [tensor(trainCount, Math.min(PROBE_SIZE, valCount)), labels(trainCount, Math.min(PROBE_SIZE, valCount))],
  };
  const batches = Math.ceil(trainCount / batchSize);
  const probeEvery = Math.max(1, Math.floor(batches / 10));
  let epoch = 0, lastBatch = -1, seen = 0, busyMs = 0, lastYield = performance.now();
  const started = performance.now();
  const probe = async (x) => {
    await settle(model); // the batches queued so far are training time, not the probe's
    const t0 = performance.now();
    for (const name of ['train', 'val']) {
      const [loss, acc] = await evaluateOn(model, ...probes[name]);
      charts.loss.add(name, x, loss);
      charts.acc.add(name, x, acc);
    }
    busyMs += performance.now() - t0;
  };
  try {
    await probe(0);
    // verbose 0: the page shows the progress; fit's own progress lines would only fill the console.
    const history = await model.fit(xs, ys, {
      // No validationData: fit would evaluate all of it in one task; onEpochEnd does it in chunks (evaluateOn).
      epochs, batchSize, shuffle: seed === undefined, verbose: 0,
      callbacks: {
        onEpochBegin: async (e) => { epoch = e; },
        // fit clears stopTraining when it starts: a Stop pressed before (during the first probe) is applied here.
        onBatchBegin: async () => { if (demo.stopRequested) model.stopTraining = true; },
        onBatchEnd: async (batch, logs) => {
          lastBatch = batch;
          seen += logs.size;
          const done = (epoch * batches + batch + 1) / (epochs * batches);
          demo.examplesPerSecond = seen / ((performance.now() - started - busyMs) / 1000);
          $('progress').value = done;
          $('progress-text').textContent = `Epoch ${epoch + 1}/${epochs}, batch ${batch + 1}/${batches} · ` +
            `${withCommas(demo.examplesPerSecond)} examples/s on ${demo.backend}`;
          if ((batch + 1) % probeEvery === 0 || batch + 1 === batches) {
            await probe(epoch + (batch + 1) / batches);
            lastYield = performance.now(); // the probe yields between its chunks
          }
          if (performance.now() - lastYield > 12) { await yieldToBrowser(); lastYield = performance.now(); }
        },
        onEpochEnd: async (e, fitLogs) => {
          await settle(model);
          const t0 = performance.now();
          const [valLoss, valAcc] = await evaluateOn(model, xVal, yVal);
          busyMs += performance.now() - t0;
          lastYield = performance.now();
          const logs = { ...fitLogs, val_loss: valLoss, val_acc: valAcc };
          demo.lastLogs = logs;
          $('progress-text').textContent = `Epoch ${e + 1}/${epochs}: loss ${logs.loss.toFixed(4)}, accuracy ${logs.acc.toFixed(4)}, ` +
            `validation loss ${logs.val_loss.toFixed(4)}, accuracy ${logs.val_acc.toFixed(4)} · ` +
            `${withCommas(demo.examplesPerSecond)} examples/s on ${demo.backend}`;
        },
      },
    });
    demo.history = history;
    // fit ends the epoch it was stopped in (onEpochEnd runs), so the History counts it.
    const epochsRun = history.epoch.length;
    const stopped = demo.stopRequested && (epochsRun < epochs || lastBatch + 1 < batches);
    const name = `${$('model').selectedOptions[0].textContent}, trained here on ${withCommas(trainCount)} images`;
    if (stopped) {
      $('progress-text').textContent = `Stopped at epoch ${epochsRun} of ${epochs}, after batch ${lastBatch + 1} of ${batches}` +
        (demo.lastLogs ? `: validation accuracy ${demo.lastLogs.val_acc.toFixed(4)}` : '') + '.';
    }
    demo.model?.dispose();
    await setModel(model, stopped ? `${name}, stopped at epoch ${epochsRun} of ${epochs} (batch ${lastBatch + 1} of ${batches})`
      : `${name} for ${epochs} epoch${epochs === 1 ? '' : 's'}`);
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    sora.dispose([xs, ys, xVal, yVal, ...probes.train, ...probes.val]);
    demo.trainingModel = null;
    if (!$('progress').hasAttribute('value')) $('progress').value = 0;
    demo.status = 'ready';
    setButtons();
  }
}

// ---- keeping the model ----

async function loadFrom(handlerOrUrl, source) {
  const model = await sora.loadLayersModel(handlerOrUrl);
  demo.model?.dispose();
  await setModel(model, source);
}

async function savedInBrowser() {
  const models = await sora.io.listModels().catch(() => ({}));
  return STORE_URL in models;
}

// ---- start ----

async function start() {
  for (const [param, id] of [['backend', 'backend'], ['model', 'model'], ['epochs', 'epochs'], ['train', 'train-count'], ['batch', 'batch-size']]) {
    if (params.has(param)) $(id).value = params.get(param);
  }
  const pad = drawingPad($('draw'), () => { predictDrawing().catch(showError); });
  $('clear').onclick = () => pad.clear();
  $('train').onclick = guarded(train);
  $('stop').onclick = () => {
    if (demo.status !== 'training') return;
    demo.stopRequested = true;
    if (demo.trainingModel) demo.trainingModel.stopTraining = true;
    $('progress-text').textContent = 'Stopping after this batch…';
  };
  $('backend').onchange = guarded(async () => { await useBackend($('backend').value); });
  $('save-idb').onclick = guarded(async () => {
    await demo.model.save(STORE_URL);
    $('model-status').textContent = `Saved in this browser (${STORE_URL}); it will be loaded when the page opens again.`;
  });
  $('load-idb').onclick = guarded(async () => {
    if (!(await savedInBrowser())) throw new Error('No model saved in this browser yet: train one and press Save.');
    await loadFrom(STORE_URL, `loaded from IndexedDB (${STORE_URL})`);
  });
  $('download').onclick = guarded(async () => { await demo.model.save('downloads://model'); });
  $('files').onchange = guarded(async (event) => {
    const files = [...event.target.files];
    const json = files.find((f) => f.name.endsWith('.json'));
    if (!json) throw new Error('Choose the model.json file together with its weights file(s).');
    await loadFrom(sora.io.browserFiles([json, ...files.filter((f) => f !== json)]), `loaded from ${files.map((f) => f.name).join(' + ')}`);
  });
  drawBars($('probs'), null);
  posePanel({ sora, demo, $, report: showError });
  setButtons();
  await useBackend($('backend').value);
  await loadMnist();
  if (await savedInBrowser()) await loadFrom(STORE_URL, `loaded from IndexedDB (${STORE_URL}), saved earlier`);
  demo.status = 'ready';
  setButtons();
}

start().catch((error) => { demo.status = 'error'; showError(error); });
