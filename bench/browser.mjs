#!/usr/bin/env node
/**
 * `npm run bench:browser`: GEMM in headless Chromium on sora's webgpu backend (the built
 * dist/index.js) beside TF.js's WebGPU backend (@tensorflow/tfjs-backend-webgpu), in one page
 * on the same adapter: SwiftShader on a machine without a GPU, the hardware adapter otherwise
 * (pass --gpu to drop --disable-gpu-style flags and let Chromium pick it).
 *
 * Each row multiplies [m, k] x [k, n] with both libraries, interleaved rep by rep so a
 * change in machine load hits both. A rep runs `inner` products back to back (enough for
 * ~50 MFLOP, so small shapes are not all submit overhead) and ends with a read-back of the
 * last product, so the work is really done. Reported: the median time per product,
 * GFLOP/s, and sora's speed-up over TF.js.
 *
 *   node bench/browser.mjs [--reps 5] [--sizes 64,128,...] [--no-mlp] [--no-tfjs] [--gpu]
 */
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { machineLine, median, packageVersion, parseFlags, table } from './common.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const flags = parseFlags(process.argv.slice(2), {
  reps: 'number', sizes: 'string', 'no-mlp': 'boolean', 'no-tfjs': 'boolean', gpu: 'boolean', verbose: 'boolean',
});
const reps = flags.reps ?? 5;
const sizes = (flags.sizes ?? '64,128,256,512,1024').split(',').map(Number);
const shapes = [
  ...sizes.map((s) => ({ label: `${s}x${s}x${s}`, m: s, k: s, n: s })),
  ...(flags.noMlp ? [] : [
    { label: 'MLP 32x784 · 784x64', m: 32, k: 784, n: 64 },
    { label: 'MLP 128x784 · 784x512', m: 128, k: 784, n: 512 },
    { label: 'MLP 128x512 · 512x512', m: 128, k: 512, n: 512 },
  ]),
];

// ---- the page: runs in Chromium, bundled with esbuild ----
const pageSource = `
import * as sora from ${JSON.stringify(join(root, 'dist/index.js'))};
import { randomArray } from ${JSON.stringify(join(root, 'tests/suite/harness.ts'))};
const values = (count, seed) => randomArray(count, seed, -0.5, 0.5);
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';

const emit = (kind, payload) => console.log(kind + ' ' + JSON.stringify(payload));


async function soraRep(a, b, inner) {
  const t0 = performance.now();
  let c;
  for (let i = 0; i < inner; i++) { c?.dispose(); c = sora.matMul(a, b); }
  await c.data();
  c.dispose();
  return (performance.now() - t0) / inner;
}

async function tfRep(a, b, inner) {
  const t0 = performance.now();
  let c;
  for (let i = 0; i < inner; i++) { c?.dispose(); c = tf.matMul(a, b); }
  await c.data();
  c.dispose();
  return (performance.now() - t0) / inner;
}

async function main() {
  const { shapes, reps, withTf } = JSON.parse(new URLSearchParams(location.search).get('config'));
  await sora.setBackend('webgpu');
  const info = { sora: sora.env().description, userAgent: navigator.userAgent };
  if (withTf) {
    await tf.setBackend('webgpu');
    await tf.ready();
    const backend = tf.backend();
    info.tfjs = backend.adapterInfo ? JSON.stringify(backend.adapterInfo) : 'webgpu';
  }
  emit('INFO', info);
  for (const { label, m, k, n } of shapes) {
    const flops = 2 * m * n * k;
    const inner = Math.min(200, Math.max(1, Math.ceil(5e7 / flops)));
    const av = values(m * k, m + k), bv = values(k * n, n * 3 + k);
    const sa = sora.tensor(av, [m, k]), sb = sora.tensor(bv, [k, n]);
    const ta = withTf ? tf.tensor2d(av, [m, k]) : null, tb = withTf ? tf.tensor2d(bv, [k, n]) : null;
    // Warm-up: pipelines compile, buffers enter the pools.
    await soraRep(sa, sb, 1);
    if (withTf) await tfRep(ta, tb, 1);
    // Agreement check on the warm-up shapes (catches a fast wrong kernel).
    if (withTf) {
      const x = await sora.matMul(sa, sb).data(), y = await tf.matMul(ta, tb).data();
      let worst = 0;
      for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
      if (worst > 1e-3 * Math.sqrt(k)) throw new Error(label + ': sora and TF.js differ by ' + worst);
    }
    const soraMs = [], tfMs = [];
    for (let r = 0; r < reps; r++) {
      soraMs.push(await soraRep(sa, sb, inner));
      if (withTf) tfMs.push(await tfRep(ta, tb, inner));
    }
    sa.dispose(); sb.dispose(); ta?.dispose(); tb?.dispose();
    emit('ROW', { label, flops, inner, soraMs, tfMs });
  }
  emit('DONE', {});
}
main().catch((error) => emit('FATAL', String(error && error.stack || error)));
`;

async function main() {
  if (!existsSync(join(root, 'dist/index.js'))) throw new Error('dist/index.js is missing: run `npm run build` first');
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) throw new Error(`headless Chromium not found at ${chromium}: apt-get install -y chromium`);
  const bundle = await build({
    stdin: { contents: pageSource, resolveDir: root, loader: 'js', sourcefile: 'bench-page.js' },
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent',
    external: ['node:*'], minify: true,
  });
  const files = {
    '/bench.js': ['text/javascript', bundle.outputFiles[0].text],
    '/': ['text/html', '<!doctype html><meta charset="utf-8"><title>sora bench</title><script type="module" src="/bench.js"></script>'],
    '/favicon.ico': ['image/x-icon', ''],
  };
  const server = createServer((request, response) => {
    const file = files[new URL(request.url, 'http://x').pathname];
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
  const rows = [];
  let info = null;
  try {
    const page = await browser.newPage();
    const done = new Promise((resolve, reject) => {
      page.on('console', (message) => {
        const text = message.text();
        const space = text.indexOf(' ');
        const kind = text.slice(0, space);
        if (kind === 'INFO') { info = JSON.parse(text.slice(space + 1)); console.log(`sora: ${info.sora}; TF.js: ${info.tfjs ?? 'off'}`); }
        else if (kind === 'ROW') { const row = JSON.parse(text.slice(space + 1)); rows.push(row); if (flags.verbose) console.log(row); else process.stdout.write('.'); }
        else if (kind === 'DONE') resolve();
        else if (kind === 'FATAL') reject(new Error(JSON.parse(text.slice(space + 1))));
        else if (flags.verbose) console.log('page:', text);
      });
      page.on('pageerror', (error) => reject(error));
    });
    const config = { shapes, reps, withTf: !flags.noTfjs };
    await page.goto(`${origin}/?config=${encodeURIComponent(JSON.stringify(config))}`);
    await done;
  } finally {
    await browser.close();
    rmSync(userDataDir, { recursive: true, force: true });
    server.close();
  }
  process.stdout.write('\n');

  const gflops = (flops, ms) => (flops / (ms * 1e6)).toFixed(2);
  const body = rows.map((r) => {
    const s = median(r.soraMs), t = median(r.tfMs);
    return [r.label, s.toFixed(2), gflops(r.flops, s), r.tfMs.length ? t.toFixed(2) : '-',
      r.tfMs.length ? gflops(r.flops, t) : '-', r.tfMs.length ? `${(t / s).toFixed(2)}x` : '-'];
  });
  console.log(`\nGEMM in headless Chromium (${info?.userAgent?.match(/Chrome\/[\d.]+/)?.[0] ?? 'Chromium'}), ` +
    `median of ${reps} reps; ${machineLine()}`);
  console.log(`sora: ${info?.sora}; TF.js ${packageVersion('@tensorflow/tfjs-backend-webgpu')} webgpu\n`);
  console.log(table(['shape (m x k x n)', 'sora ms', 'sora GFLOP/s', 'tfjs ms', 'tfjs GFLOP/s', 'sora/tfjs'], body));
}

main().catch((error) => { console.error(error); process.exit(1); });
