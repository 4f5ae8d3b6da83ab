#!/usr/bin/env node
/**
 * `npm run bench:threads:browser`: GEMM on threads in headless Chromium, on a cross-origin-
 * isolated page (served with COOP and COEP, so it has SharedArrayBuffer): sora's wasm backend on
 * one thread and on two (or --threads N), beside TF.js's wasm backend on the same number of
 * threads (its threaded SIMD build) and jax-js's wasm device (its worker pool). Square C = A.B,
 * interleaved repetitions of ~60 ms each, medians; each product is checked against sora's
 * one-thread product first.
 *
 *   node bench/threads-browser.mjs [--sizes 256,512,1024] [--reps 9] [--threads 2]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { parseFlags } from './common.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const flags = parseFlags(process.argv.slice(2), { sizes: 'string', reps: 'number', threads: 'number', 'tfjs-threads': 'number' });
const TFJS_WASM = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');

const pageSource = `
import * as sora from ${JSON.stringify(join(root, 'dist/index.js'))};
import * as tf from '@tensorflow/tfjs';
import * as tfWasm from '@tensorflow/tfjs-backend-wasm';
import * as jax from '@jax-js/jax';

const emit = (kind, payload) => console.log('BENCH ' + JSON.stringify({ kind, payload }));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function values(count, seed) {
  let state = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) { state = (Math.imul(state, 1664525) + 1013904223) >>> 0; out[i] = state / 4294967296 * 2 - 1; }
  return out;
}

async function main() {
  const config = JSON.parse(new URLSearchParams(location.search).get('config'));
  const threads = config.threads;
  sora.setWasmPaths('/');
  await sora.setBackend('wasm');
  sora.setThreadsCount(threads);
  const start = Date.now();
  while (sora.env().threads.workersReady < threads - 1) {
    if (Date.now() - start > 20000) throw new Error('sora workers did not start: ' + JSON.stringify(sora.env().threads));
    await new Promise((r) => setTimeout(r, 10));
  }
  tfWasm.setWasmPaths('/tfjs/');
  if (config.tfjsThreads) tfWasm.setThreadsCount(config.tfjsThreads);
  await tf.setBackend('wasm');
  await tf.ready();
  await jax.init('wasm');
  jax.defaultDevice('wasm');
  const np = jax.numpy;
  emit('info', { isolated: crossOriginIsolated, sora: sora.env().description + ', threads ' + JSON.stringify(sora.env().threads),
    tfjs: 'TF.js ' + tf.version.tfjs + ' wasm, multithread ' + tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') +
      ', ' + tfWasm.getThreadsCount() + ' threads', userAgent: navigator.userAgent });
  const contenders = [
    ...[1, threads].map((t) => ({ name: 'sora wasm, ' + t + (t > 1 ? ' threads' : ' thread'), prepare(n, av, bv) {
      const a = sora.tensor(av, [n, n]), b = sora.tensor(bv, [n, n]);
      return { run() { sora.setThreadsCount(t); sora.matMul(a, b).dispose(); },
        async result() { sora.setThreadsCount(t); const y = sora.matMul(a, b); const v = await y.data(); y.dispose(); return v; },
        dispose() { a.dispose(); b.dispose(); sora.setThreadsCount(threads); } };
    } })),
    { name: 'TF.js wasm, ' + tfWasm.getThreadsCount() + ' threads', prepare(n, av, bv) {
      const a = tf.tensor(av, [n, n]), b = tf.tensor(bv, [n, n]);
      return { run() { tf.matMul(a, b).dispose(); },
        async result() { const y = tf.matMul(a, b); const v = await y.data(); y.dispose(); return v; },
        dispose() { a.dispose(); b.dispose(); } };
    } },
    { name: 'jax-js wasm (its worker pool)', prepare(n, av, bv) {
      const a = np.array(av).reshape([n, n]), b = np.array(bv).reshape([n, n]);
      return { async run() { const y = np.matmul(a.ref, b.ref); await y.blockUntilReady(); y.dispose(); },
        async result() { const y = np.matmul(a.ref, b.ref); return new Float32Array(await y.data()); },
        dispose() { a.dispose(); b.dispose(); } };
    } },
  ];
  for (const n of config.sizes) {
    const av = values(n * n, n), bv = values(n * n, n + 1);
    const prepared = contenders.map((c) => ({ c, p: c.prepare(n, av, bv) }));
    const want = await prepared[0].p.result();
    for (const { c, p } of prepared) {
      const got = await p.result();
      let diff = 0;
      for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(got[i] - want[i]));
      if (!(diff <= 1e-3 * Math.sqrt(n))) throw new Error(c.name + ' at ' + n + ' differs from sora by ' + diff);
    }
    const calls = [];
    for (const { p } of prepared) {
      for (let i = 0; i < 3; i++) await p.run();
      const t0 = performance.now();
      await p.run();
      calls.push(Math.max(1, Math.round(60 / Math.max(0.01, performance.now() - t0))));
    }
    const times = prepared.map(() => []);
    for (let r = 0; r < config.reps; r++) {
      for (let i = 0; i < prepared.length; i++) {
        const t0 = performance.now();
        for (let j = 0; j < calls[i]; j++) await prepared[i].p.run();
        times[i].push((performance.now() - t0) / calls[i]);
      }
    }
    const ms = times.map(median);
    prepared.forEach(({ c }, i) => emit('row', { n, contender: c.name, ms: ms[i], gflops: 2 * n ** 3 / ms[i] / 1e6, vsThreaded: ms[i] / ms[1] }));
    for (const { p } of prepared) p.dispose();
  }
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
  const config = {
    sizes: (flags.sizes ?? '256,512,1024').split(',').map(Number), reps: flags.reps ?? 9, threads: flags.threads ?? 2,
    tfjsThreads: flags.tfjsThreads ?? null,
  };
  const bundle = await build({
    stdin: { contents: pageSource, resolveDir: root, loader: 'js', sourcefile: 'threads-page.js' },
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent',
    external: ['node:*', 'fs', 'path', 'worker_threads', 'perf_hooks', 'os'], minify: true,
  });
  const files = {
    '/bench.js': ['text/javascript', bundle.outputFiles[0].text],
    '/': ['text/html', '<!doctype html><meta charset="utf-8"><title>sora threads</title><script type="module" src="/bench.js"></script>'],
    '/favicon.ico': ['image/x-icon', ''],
  };
  const server = createServer((request, response) => {
    const path = new URL(request.url, 'http://x').pathname;
    let file = files[path];
    if (!file && /^\/sora-(simd|relaxed)\.wasm$/.test(path)) file = ['application/wasm', readFileSync(join(root, 'build', path))];
    if (!file && /^\/tfjs\/tfjs-backend-wasm[-a-z]*\.wasm$/.test(path)) file = ['application/wasm', readFileSync(join(TFJS_WASM, path.slice(6)))];
    if (!file) { response.statusCode = 404; response.end(); return; }
    response.setHeader('content-type', file[0]);
    response.setHeader('cross-origin-opener-policy', 'same-origin');
    response.setHeader('cross-origin-embedder-policy', 'require-corp');
    response.end(file[1]);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const puppeteer = await import('puppeteer-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'sora-bench-'));
  const browser = await puppeteer.launch({
    executablePath: chromium, headless: true, userDataDir, protocolTimeout: 30 * 60_000,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
      '--disable-dev-shm-usage'],
  });
  const rows = [];
  let info = null;
  try {
    const page = await browser.newPage();
    const done = new Promise((resolve, reject) => {
      page.on('console', (message) => {
        const text = message.text();
        if (!text.startsWith('BENCH ')) return;
        const { kind, payload } = JSON.parse(text.slice(6));
        if (kind === 'info') info = payload;
        else if (kind === 'row') { rows.push(payload); process.stdout.write('.'); }
        else if (kind === 'done') resolve();
        else if (kind === 'fatal') reject(new Error(payload));
      });
      page.on('pageerror', (error) => reject(error));
    });
    await page.goto(`${origin}/?config=${encodeURIComponent(JSON.stringify(config))}`);
    await done;
    info.chromium = await browser.version();
  } finally {
    await browser.close();
    rmSync(userDataDir, { recursive: true, force: true });
    server.close();
  }
  process.stdout.write('\n');
  console.log(`# GEMM on threads — ${info.chromium}, cross-origin isolated ${info.isolated}, ${cpus().length} CPUs (${cpus()[0]?.model.trim()}), ${new Date().toISOString()}`);
  console.log(`sora: ${info.sora}; ${info.tfjs}`);
  console.log(`median of ${config.reps} interleaved repetitions; "sora ${config.threads}t is" = that contender's time / sora on ${config.threads} threads\n`);
  console.log(`| n | contender | ms | GFLOP/s | sora ${config.threads}t is |`);
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.n} | ${r.contender} | ${r.ms.toFixed(2)} | ${r.gflops.toFixed(1)} | ${r.vsThreaded.toFixed(2)}x |`);
}

main().catch((error) => { console.error(error); process.exit(1); });
