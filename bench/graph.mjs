#!/usr/bin/env node
/**
 * `npm run bench:graph`: milliseconds per prediction of the eleven pretrained graph models in
 * node_modules/@vladmandic/human/models, sora beside TF.js in the same run:
 *
 *   sora wasm   vs  TF.js wasm (one thread)   in this Node process
 *   sora webgpu vs  TF.js webgpu              in headless Chromium (SwiftShader without a GPU)
 *
 * Each model is fed its own input size at batch 1 with deterministic values (bench/graph-models.mjs).
 * sora loads it with loadGraphModel('file://...'), TF.js with tf.io.fromMemory of the same files
 * read from disk (in the page both fetch them over http from this process). A prediction is
 * execute (executeAsync for the models that need it), then reading every output back. Both
 * contenders are warmed up (--warmup, 2), then timed interleaved (--reps, 10 on wasm; --gpu-reps, 5
 * on webgpu); the table shows the medians, the ratio TF.js ms / sora ms (above 1x sora is faster)
 * and the outputs' largest difference. A model sora cannot load or run yet gets its error in the
 * row; the run goes on. Writes bench/results/graph-<date>.json (every rep) or --out.
 *
 *   node --experimental-wasm-relaxed-simd bench/graph.mjs [--reps 10] [--gpu-reps 5] [--warmup 2]
 *        [--gpu-timeout 600] [--only movenet-lightning,blazeface] [--no-wasm] [--no-webgpu] [--no-tfjs] [--gpu] [--verbose] [--out file.json]
 *
 * The npm script runs Node with --experimental-wasm-relaxed-simd (sora's relaxed-SIMD build, as
 * browsers with relaxed SIMD get it; TF.js keeps its SIMD build); plain `node bench/graph.mjs`
 * times sora's SIMD build. The CPU time of the Node process is recorded beside wall time.
 * Chromium opens a fresh page per model (a model that loses its GPU device leaves the next ones
 * alone); a page with no result within --gpu-timeout seconds gives the row that error.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { machineLine, packageVersion, parseFlags, table, tfjsWasm } from './common.mjs';
import { GRAPH_MODELS, errorLine, inputValues, maxDifference, median, predictOnce, runMode, timeInterleaved } from './graph-models.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const MODELS = join(root, 'node_modules/@vladmandic/human/models');
const flags = parseFlags(process.argv.slice(2), {
  reps: 'number', 'gpu-reps': 'number', 'gpu-timeout': 'number', warmup: 'number', only: 'string', 'no-wasm': 'boolean', 'no-webgpu': 'boolean',
  'no-tfjs': 'boolean', gpu: 'boolean', verbose: 'boolean', out: 'string',
});
const reps = flags.reps ?? 10;
const gpuReps = flags.gpuReps ?? 5;
const gpuTimeout = flags.gpuTimeout ?? 600;
const warmup = flags.warmup ?? 2;
const log = (...args) => console.log(...args);
const fmtMs = (ms) => (!Number.isFinite(ms) ? '-' : ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const clip = (text, n = 200) => (text.length > n ? `${text.slice(0, n - 3)}...` : text);
const fmtDiff = (d) => (d === undefined ? '-' : Number.isNaN(d) ? 'shape!' : d.toExponential(1));

const only = flags.only?.split(',') ?? null;
if (only) {
  const unknown = only.filter((n) => !GRAPH_MODELS.some((m) => m.name === n));
  if (unknown.length) throw new Error(`--only: unknown model ${unknown.join(', ')}; the models are ${GRAPH_MODELS.map((m) => m.name).join(', ')}`);
}
const models = GRAPH_MODELS.filter((m) => !only || only.includes(m.name));

/** The artifacts of a model.json and its weight files, as tf.io.fromMemory takes them. */
function readArtifacts(name) {
  const json = JSON.parse(readFileSync(join(MODELS, `${name}.json`), 'utf8'));
  const weightSpecs = [], shards = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const path of group.paths) shards.push(readFileSync(join(MODELS, path)));
  }
  const bytes = Buffer.concat(shards);
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return {
    modelTopology: json.modelTopology, format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy,
    signature: json.signature, userDefinedMetadata: json.userDefinedMetadata, modelInitializer: json.modelInitializer,
    weightSpecs, weightData,
  };
}

// ---- wasm, in this process ----
async function wasmRows(results) {
  for (const file of ['dist/index.js', 'build/sora-simd.wasm']) {
    if (!existsSync(join(root, file))) throw new Error(`${file} is missing: run \`npm run build\` first`);
  }
  const sora = await import('../dist/index.js');
  sora.setThreadsCount?.(1); // one thread, as TF.js's wasm backend runs here
  await sora.setBackend('wasm');
  results.soraWasm = `sora ${packageVersion()} ${sora.env().description}, 1 thread`;
  let tf = null;
  if (!flags.noTfjs) {
    const wasm = await tfjsWasm();
    tf = wasm.tf;
    results.tfjsWasm = wasm.description;
  }
  log(`wasm: ${results.soraWasm}  vs  ${results.tfjsWasm ?? 'no TF.js'}`);
  for (const spec of models) {
    const row = { model: spec.name, backend: 'wasm', input: `${spec.shape.join('x')} ${spec.dtype}` };
    results.rows.push(row);
    const values = inputValues(spec);
    let tfc = null, soc = null, tfModel = null, soraModel = null;
    const before = sora.memory().numTensors;
    try {
      if (tf) {
        tfModel = await tf.loadGraphModel(tf.io.fromMemory(readArtifacts(spec.name)));
        const feed = { [spec.input]: tf.tensor(values, spec.shape, spec.dtype) };
        const outputs = tfModel.outputNodes;
        tfc = { model: tfModel, feed, outputs, mode: await runMode(tfModel, feed, outputs) };
        row.outputs = outputs;
        row.tfjsMode = tfc.mode;
      }
    } catch (error) {
      row.tfjsError = errorLine(error);
    }
    try {
      const url = pathToFileURL(join(MODELS, `${spec.name}.json`)).href;
      if (typeof sora.loadGraphModel !== 'function') throw new Error('sora.loadGraphModel is not exported yet');
      soraModel = await sora.loadGraphModel(url);
      const feed = { [spec.input]: sora.tensor(values, spec.shape, spec.dtype) };
      const outputs = row.outputs ?? soraModel.outputNodes;
      soc = { model: soraModel, feed, outputs, mode: await runMode(soraModel, feed, outputs) };
      row.soraMode = soc.mode;
      if (tfc) row.maxDiff = maxDifference(await predictOnce(soc.model, soc.mode, soc.feed, soc.outputs),
        await predictOnce(tfc.model, tfc.mode, tfc.feed, tfc.outputs));
    } catch (error) {
      row.soraError = errorLine(error);
    }
    if (soc || tfc) {
      try {
        const samples = await timeInterleaved([soc, tfc], { warmup, reps, clock: nodeClock });
        if (soc) Object.assign(row, summary('sora', samples[0]));
        if (tfc) Object.assign(row, summary('tfjs', samples[1]));
      } catch (error) {
        row.timingError = errorLine(error);
      }
    }
    for (const t of Object.values(soc?.feed ?? {})) t.dispose();
    for (const t of Object.values(tfc?.feed ?? {})) t.dispose();
    soraModel?.dispose();
    tfModel?.dispose();
    row.soraLeaked = sora.memory().numTensors - before;
    log(`  ${spec.name}: sora ${row.soraError ? clip(row.soraError) : `${fmtMs(row.soraMs)} ms`}, TF.js ${row.tfjsError ? clip(row.tfjsError) : `${fmtMs(row.tfjsMs)} ms`}` +
      `${row.maxDiff !== undefined ? `, max |diff| ${fmtDiff(row.maxDiff)}` : ''}`);
  }
}

/** Wall and CPU (this process's user + system) ms of one prediction. */
const nodeClock = {
  start: () => ({ wall: performance.now(), cpu: process.cpuUsage() }),
  stop: ({ wall, cpu }) => {
    const used = process.cpuUsage(cpu);
    return { ms: performance.now() - wall, cpuMs: (used.user + used.system) / 1000 };
  },
};

/** { <who>: [ms...], <who>Ms: median, <who>CpuMs: median CPU } from samples ({ ms, cpuMs } or ms). */
function summary(who, samples) {
  const ms = samples.map((s) => (typeof s === 'number' ? s : s.ms));
  const out = { [who]: ms, [`${who}Ms`]: median(ms) };
  if (typeof samples[0] === 'object') out[`${who}CpuMs`] = median(samples.map((s) => s.cpuMs));
  return out;
}

// ---- webgpu, in headless Chromium ----
const pageSource = `
import * as sora from ${JSON.stringify(join(root, 'dist/index.js'))};
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { errorLine, inputValues, maxDifference, median, predictOnce, runMode, timeInterleaved } from ${JSON.stringify(join(root, 'bench/graph-models.mjs'))};

const emit = (kind, payload) => console.log('BENCH ' + JSON.stringify({ kind, payload }));

async function main() {
  const { models, warmup, reps, tfjs } = JSON.parse(new URLSearchParams(location.search).get('config'));
  if (!('gpu' in navigator)) throw new Error('this Chromium has no navigator.gpu');
  sora.setWasmPaths('/');
  await sora.setBackend('webgpu');
  if (tfjs) { await tf.setBackend('webgpu'); await tf.ready(); }
  emit('info', { userAgent: navigator.userAgent, sora: sora.env().description, tfjs: tfjs ? 'TF.js ' + tf.version.tfjs + ' ' + tf.getBackend() : null });
  for (const spec of models) {
    const row = { model: spec.name, backend: 'webgpu', input: spec.shape.join('x') + ' ' + spec.dtype };
    const values = inputValues(spec);
    let tfc = null, soc = null, tfModel = null, soraModel = null;
    try {
      if (tfjs) {
        tfModel = await tf.loadGraphModel('/models/' + spec.name + '.json');
        const feed = { [spec.input]: tf.tensor(values, spec.shape, spec.dtype) };
        const outputs = tfModel.outputNodes;
        tfc = { model: tfModel, feed, outputs, mode: await runMode(tfModel, feed, outputs) };
        row.outputs = outputs;
        row.tfjsMode = tfc.mode;
      }
    } catch (error) { row.tfjsError = errorLine(error); }
    try {
      if (typeof sora.loadGraphModel !== 'function') throw new Error('sora.loadGraphModel is not exported yet');
      soraModel = await sora.loadGraphModel('/models/' + spec.name + '.json');
      const feed = { [spec.input]: sora.tensor(values, spec.shape, spec.dtype) };
      const outputs = row.outputs ?? soraModel.outputNodes;
      soc = { model: soraModel, feed, outputs, mode: await runMode(soraModel, feed, outputs) };
      row.soraMode = soc.mode;
      if (tfc) row.maxDiff = maxDifference(await predictOnce(soc.model, soc.mode, soc.feed, soc.outputs),
        await predictOnce(tfc.model, tfc.mode, tfc.feed, tfc.outputs));
    } catch (error) { row.soraError = errorLine(error); }
    if (soc || tfc) {
      try {
        const samples = await timeInterleaved([soc, tfc], { warmup, reps });
        if (soc) { row.sora = samples[0]; row.soraMs = median(samples[0]); }
        if (tfc) { row.tfjs = samples[1]; row.tfjsMs = median(samples[1]); }
      } catch (error) { row.timingError = errorLine(error); }
    }
    for (const t of Object.values(soc?.feed ?? {})) t.dispose();
    for (const t of Object.values(tfc?.feed ?? {})) t.dispose();
    soraModel?.dispose();
    tfModel?.dispose();
    emit('row', row);
  }
  emit('done', {});
}
main().catch((error) => emit('fatal', String(error && error.stack || error)));
`;

async function webgpuRows(results) {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) throw new Error(`headless Chromium not found at ${chromium}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  const bundle = await build({
    stdin: { contents: pageSource, resolveDir: root, loader: 'js', sourcefile: 'graph-page.js' },
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent',
    external: ['node:*', 'fs', 'path', 'worker_threads', 'perf_hooks', 'os', 'url'], minify: true,
  });
  const files = {
    '/bench.js': ['text/javascript', bundle.outputFiles[0].text],
    '/': ['text/html', '<!doctype html><meta charset="utf-8"><title>sora graph bench</title><script type="module" src="/bench.js"></script>'],
    '/favicon.ico': ['image/x-icon', ''],
  };
  const server = createServer((request, response) => {
    const path = new URL(request.url, 'http://x').pathname;
    let file = files[path];
    if (!file && /^\/sora-(simd|relaxed)\.wasm$/.test(path)) file = ['application/wasm', readFileSync(join(root, 'build', path))];
    const model = /^\/models\/([a-z0-9-]+\.(json|bin))$/.exec(path);
    if (!file && model && existsSync(join(MODELS, model[1]))) {
      file = [model[2] === 'json' ? 'application/json' : 'application/octet-stream', readFileSync(join(MODELS, model[1]))];
    }
    if (!file) { response.statusCode = 404; response.end(); return; }
    response.setHeader('content-type', file[0]);
    response.end(file[1]);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const puppeteer = await import('puppeteer-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'sora-graph-bench-'));
  const browser = await puppeteer.launch({
    executablePath: chromium, headless: true, userDataDir, protocolTimeout: 60 * 60_000,
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
      ...(flags.gpu ? ['--enable-features=Vulkan', '--ignore-gpu-blocklist'] : [])],
  });
  results.chromium = (await browser.version()).replace(/^[^/]*\//, '');
  try {
    // A page per model: each gets fresh devices, so one model that loses its device (TF.js's on
    // HandTrack under SwiftShader) does not fail the models after it.
    const queue = models.map((spec) => ({ spec, tfjs: !flags.noTfjs }));
    for (let q = 0; q < queue.length; q++) {
      const { spec, tfjs: withTfjs } = queue[q];
      const page = await browser.newPage();
      let timer;
      const done = new Promise((resolve, reject) => {
        page.on('console', (message) => {
          const text = message.text();
          if (!text.startsWith('BENCH ')) { if (flags.verbose) log('page:', text); return; }
          const { kind, payload } = JSON.parse(text.slice(6));
          if (kind === 'info') {
            if (results.soraWebgpu) return;
            Object.assign(results, { userAgent: payload.userAgent, soraWebgpu: payload.sora, tfjsWebgpu: payload.tfjs });
            log(`webgpu (Chromium ${results.chromium}): sora ${payload.sora}  vs  ${payload.tfjs ?? 'no TF.js'}`);
          } else if (kind === 'row') {
            const lost = /device was lost|no longer exists/;
            if (withTfjs && (lost.test(payload.soraError ?? '') || lost.test(payload.timingError ?? ''))) {
              // TF.js's run took the GPU process's device down with it (HandTrack under SwiftShader): time
              // sora again in a fresh page without TF.js, and keep TF.js's error in the row.
              payload.tfjsError ??= payload.timingError ?? 'the device was lost while TF.js ran beside sora';
              results.pendingTfjsErrors ??= {};
              results.pendingTfjsErrors[payload.model] = payload.tfjsError;
              queue.push({ spec, tfjs: false });
              log(`  ${payload.model}: the GPU device was lost with TF.js beside sora; timing sora alone in a fresh page`);
              return;
            }
            if (!withTfjs && results.pendingTfjsErrors?.[payload.model]) {
              payload.tfjsError = `lost the GPU device: ${results.pendingTfjsErrors[payload.model]}`;
              delete results.pendingTfjsErrors[payload.model];
            }
            results.rows.push(payload);
            log(`  ${payload.model}: sora ${payload.soraError ? clip(payload.soraError) : `${fmtMs(payload.soraMs)} ms`}, ` +
              `TF.js ${payload.tfjsError ? clip(payload.tfjsError) : `${fmtMs(payload.tfjsMs)} ms`}${payload.maxDiff !== undefined ? `, max |diff| ${fmtDiff(payload.maxDiff)}` : ''}` +
              `${payload.timingError ? ` (timing: ${payload.timingError})` : ''}`);
          } else if (kind === 'done') resolve();
          else if (kind === 'fatal') reject(new Error(payload));
        });
        page.on('pageerror', (error) => reject(error));
        timer = setTimeout(() => reject(new Error(`no result within ${gpuTimeout} s (--gpu-timeout)`)), gpuTimeout * 1000);
      });
      const config = { models: [spec], warmup, reps: gpuReps, tfjs: withTfjs };
      try {
        await page.goto(`http://127.0.0.1:${server.address().port}/?config=${encodeURIComponent(JSON.stringify(config))}`);
        await done;
      } catch (error) {
        const row = { model: spec.name, backend: 'webgpu', soraError: errorLine(error), tfjsError: errorLine(error) };
        results.rows.push(row);
        log(`  ${spec.name}: ${row.soraError}`);
      } finally {
        clearTimeout(timer);
        await page.close().catch(() => {});
      }
    }
    delete results.pendingTfjsErrors;
  } finally {
    await browser.close();
    rmSync(userDataDir, { recursive: true, force: true });
    server.close();
  }
}

// ---- the table ----
function cell(row) {
  if (!row) return ['-', '-', '-', '-'];
  const short = (error) => `error: ${error.length > 60 ? `${error.slice(0, 57)}...` : error}`;
  const sora = row.soraError ? short(row.soraError) : row.timingError ? short(row.timingError) : fmtMs(row.soraMs);
  const tfjs = row.tfjsError ? short(row.tfjsError) : fmtMs(row.tfjsMs);
  const ratio = row.soraMs > 0 && row.tfjsMs > 0 ? `${(row.tfjsMs / row.soraMs).toFixed(2)}x` : '-';
  return [sora, tfjs, ratio, fmtDiff(row.maxDiff)];
}

function printTable(results) {
  const header = ['model', 'input', 'sora wasm ms', 'TF.js wasm ms', 'TF.js/sora', 'max |diff|',
    'sora webgpu ms', 'TF.js webgpu ms', 'TF.js/sora', 'max |diff|'];
  const lines = models.map((spec) => {
    const wasm = results.rows.find((r) => r.model === spec.name && r.backend === 'wasm');
    const gpu = results.rows.find((r) => r.model === spec.name && r.backend === 'webgpu');
    return [spec.name, `${spec.shape.join('x')} ${spec.dtype}`, ...cell(wasm), ...cell(gpu)];
  });
  log('');
  log(table(header, lines));
  log('');
  log('ms per prediction (execute or executeAsync, then every output read back), medians; TF.js/sora above 1x: sora is faster.');
}

async function main() {
  const date = new Date().toISOString();
  const results = {
    date, machine: machineLine(), sora: packageVersion(), tfjs: packageVersion('@tensorflow/tfjs'),
    node: process.version, reps, gpuReps, warmup, rows: [],
  };
  log(results.machine);
  if (!flags.noWasm) await wasmRows(results);
  if (!flags.noWebgpu) {
    try {
      await webgpuRows(results);
    } catch (error) {
      results.webgpuError = errorLine(error);
      log(`webgpu: skipped (${results.webgpuError})`);
    }
  }
  printTable(results);
  const out = flags.out ?? join(root, 'bench/results', `graph-${date.slice(0, 10)}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 1)}\n`);
  log(`Wrote ${out}`);
  // TF.js's wasm backend keeps Node alive; the results are written.
  process.exit(0);
}

main().catch((error) => { console.error(error); process.exit(1); });
