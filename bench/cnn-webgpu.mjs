/**
 * bench/cnn.mjs's webgpu rows: the MNIST CNN trained for a few batches, and one predict of a
 * batch of 64, on sora's webgpu backend in headless Chromium (as bench/browser.mjs runs it:
 * an esbuild bundle served from 127.0.0.1, results read from the console). Without a GPU,
 * Chromium's adapter is SwiftShader, which runs the shaders on the CPU. The data are random
 * images and labels: the timing of a step does not depend on the values.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

const pageSource = (root) => `
import * as sora from ${JSON.stringify(join(root, 'dist/index.js'))};
const emit = (kind, payload) => console.log('BENCH ' + JSON.stringify({ kind, payload }));
const median = (v) => { const s = [...v].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
async function main() {
  const { batches, batch } = JSON.parse(new URLSearchParams(location.search).get('config'));
  await sora.setBackend('webgpu');
  const L = sora.layers;
  const model = sora.sequential({ layers: [
    L.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }), L.maxPooling2d({ poolSize: 2 }),
    L.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }), L.maxPooling2d({ poolSize: 2 }), L.flatten(),
    L.dense({ units: 128, activation: 'relu' }), L.dense({ units: 10, activation: 'softmax' }),
  ] });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  const x = sora.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', 1);
  const y = sora.oneHot(sora.tensor(Array.from({ length: batch }, (_, i) => (i * 7) % 10), [batch], 'int32'), 10);
  await model.trainOnBatch(x, y); // pipelines compile
  const steps = [];
  for (let b = 0; b < batches; b++) {
    const start = performance.now();
    await model.trainOnBatch(x, y); // resolves with the loss, read back: the step is done
    steps.push(performance.now() - start);
  }
  const predicts = [];
  for (let r = 0; r < 3; r++) {
    const start = performance.now();
    const out = model.predict(x);
    await out.data();
    out.dispose();
    predicts.push(performance.now() - start);
  }
  emit('done', { msPerBatch: median(steps), steps, msPerPredict: median(predicts.slice(1)), adapter: sora.env().description });
}
main().catch((error) => emit('fatal', String(error && error.stack || error)));
`;

/** { msPerBatch, steps, msPerPredict, adapter } from sora webgpu in headless Chromium. */
export async function chromiumWebgpuTraining({ root, batches, batch }) {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) throw new Error(`headless Chromium not found at ${chromium}`);
  const bundle = await build({
    stdin: { contents: pageSource(root), resolveDir: root, loader: 'js', sourcefile: 'cnn-page.js' },
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent',
    external: ['node:*', 'fs', 'path', 'worker_threads', 'perf_hooks', 'os'], minify: true,
  });
  const files = {
    '/bench.js': ['text/javascript', bundle.outputFiles[0].text],
    '/': ['text/html', '<!doctype html><meta charset="utf-8"><title>sora cnn bench</title><script type="module" src="/bench.js"></script>'],
    '/favicon.ico': ['image/x-icon', ''],
  };
  const server = createServer((request, response) => {
    const path = new URL(request.url, 'http://x').pathname;
    let file = files[path];
    if (!file && /^\/sora-(simd|relaxed)\.wasm$/.test(path)) file = ['application/wasm', readFileSync(join(root, 'build', path))];
    if (!file) { response.statusCode = 404; response.end(); return; }
    response.setHeader('content-type', file[0]);
    response.end(file[1]);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const puppeteer = await import('puppeteer-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'sora-cnn-bench-'));
  const browser = await puppeteer.launch({
    executablePath: chromium, headless: true, userDataDir, protocolTimeout: 60 * 60_000,
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage();
    const done = new Promise((resolve, reject) => {
      page.on('console', (message) => {
        const text = message.text();
        if (!text.startsWith('BENCH ')) return;
        const { kind, payload } = JSON.parse(text.slice(6));
        if (kind === 'done') resolve(payload);
        else if (kind === 'fatal') reject(new Error(payload.split('\n')[0]));
      });
      page.on('pageerror', (error) => reject(error));
    });
    await page.goto(`http://127.0.0.1:${server.address().port}/?config=${encodeURIComponent(JSON.stringify({ batches, batch }))}`);
    return await done;
  } finally {
    await browser.close();
    rmSync(userDataDir, { recursive: true, force: true });
    server.close();
  }
}
