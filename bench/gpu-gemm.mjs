#!/usr/bin/env node
/**
 * GEMM throughput of sora's webgpu backend on a real GPU: square products at 1024-4096 in
 * Deno (wgpu over Vulkan/Metal/D3D12, which picks the hardware adapter when there is one)
 * or in Chromium (--runtime chromium, asking for the high-performance adapter). Both GEMM
 * variants are timed: 'tiled' (workgroup memory, the default on GPUs) and 'blocked' (the
 * CPU-adapter kernel), and sampled outputs are checked against float64 dot products.
 *
 * A rep encodes `inner` products back to back and waits for queue.onSubmittedWorkDone()
 * (backend.flush()), so submission overhead is amortized and the work is really done.
 * Without a hardware adapter the run still works (SwiftShader / lavapipe) and says so;
 * pass smaller --sizes there.
 *
 *   node bench/gpu-gemm.mjs [--runtime deno|chromium] [--sizes 1024,2048,4096] [--reps 5]
 *                           [--variants tiled,blocked]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { median, parseFlags, table } from './common.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const flags = parseFlags(process.argv.slice(2), { runtime: 'string', sizes: 'string', reps: 'number', variants: 'string' });
const runtime = flags.runtime ?? 'deno';
if (runtime !== 'deno' && runtime !== 'chromium') throw new Error(`--runtime must be deno or chromium; received ${runtime}`);
const config = {
  sizes: (flags.sizes ?? '1024,2048,3072,4096').split(',').map(Number),
  reps: flags.reps ?? 5,
  variants: (flags.variants ?? 'tiled,blocked').split(','),
};

// ---- runs inside Deno or the page ----
const entrySource = `
import { createWebGPUBackend, isCpuAdapter } from ${JSON.stringify(join(root, 'src/backends/webgpu/index.ts'))};
import { randomArray } from ${JSON.stringify(join(root, 'tests/backends/suite/harness.ts'))};
const values = (count, seed) => randomArray(count, seed, -0.5, 0.5);
const emit = (kind, payload) => console.log(kind + ' ' + JSON.stringify(payload));


async function main(config) {
  const gpu = globalThis.navigator?.gpu;
  if (!gpu) throw new Error('no navigator.gpu in this runtime');
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('no WebGPU adapter');
  const info = adapter.info;
  emit('INFO', { adapter: [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' '),
    cpu: isCpuAdapter(info), maxBuffer: adapter.limits.maxStorageBufferBindingSize });
  for (const variant of config.variants) {
    const backend = await createWebGPUBackend({ adapter: await gpu.requestAdapter({ powerPreference: 'high-performance' }), gemm: variant });
    for (const size of config.sizes) {
      const m = size, n = size, k = size;
      const av = values(m * k, size + 1), bv = values(k * n, size + 2);
      const a = backend.alloc(m * k, 'float32'), b = backend.alloc(k * n, 'float32'), c = backend.alloc(m * n, 'float32');
      backend.write(a, av); backend.write(b, bv);
      const params = { a, b, out: c, m, n, k, transposeA: false, transposeB: false, bias: null, activation: 'linear' };
      backend.gemm(params);
      const got = await backend.read(c);
      let worst = 0;
      for (let t = 0; t < 32; t++) {
        const i = (t * 7919) % m, j = (t * 104729) % n;
        let sum = 0;
        for (let p = 0; p < k; p++) sum += av[i * k + p] * bv[p * n + j];
        worst = Math.max(worst, Math.abs(got[i * n + j] - sum));
      }
      const flops = 2 * m * n * k;
      const inner = Math.max(1, Math.min(50, Math.round(2e11 / flops)));
      const ms = [];
      for (let r = 0; r < config.reps; r++) {
        const t0 = performance.now();
        for (let i = 0; i < inner; i++) backend.gemm(params);
        await backend.flush();
        ms.push((performance.now() - t0) / inner);
      }
      backend.free(a); backend.free(b); backend.free(c);
      emit('ROW', { variant, size, flops, inner, ms, worst });
    }
    backend.dispose();
  }
  emit('DONE', {});
}
const config = globalThis.Deno ? JSON.parse(Deno.args[0]) : JSON.parse(new URLSearchParams(location.search).get('config'));
main(config).then(() => globalThis.Deno?.exit(0), (error) => { emit('FATAL', String(error?.stack ?? error)); globalThis.Deno?.exit(1); });
`;

function handle(line, rows, state) {
  const space = line.indexOf(' ');
  const kind = line.slice(0, space);
  if (kind === 'INFO') {
    state.info = JSON.parse(line.slice(space + 1));
    console.log(`adapter: ${state.info.adapter}${state.info.cpu ? '  (a CPU adapter: no hardware GPU was found; numbers are not GPU numbers)' : ''}`);
  } else if (kind === 'ROW') {
    const row = JSON.parse(line.slice(space + 1));
    rows.push(row);
    console.log(`  ${row.variant} ${row.size}: ${(row.flops / median(row.ms) / 1e6).toFixed(1)} GFLOP/s`);
  } else if (kind === 'FATAL') {
    state.fatal = JSON.parse(line.slice(space + 1));
  } else if (kind === 'DONE') {
    state.done = true;
  }
}

async function runDeno(code, rows, state) {
  const dir = mkdtempSync(join(tmpdir(), 'sora-gpu-gemm-'));
  try {
    const script = join(dir, 'entry.mjs');
    writeFileSync(script, code);
    const local = join(root, 'node_modules/.bin/deno');
    const [command, prefix] = existsSync(local) ? [local, []] : ['npx', ['deno']];
    const child = spawn(command, [...prefix, 'run', '--allow-read', '--allow-env', script, JSON.stringify(config)],
      { env: { ...process.env, XDG_RUNTIME_DIR: dir }, stdio: ['ignore', 'pipe', 'inherit'] });
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      pending += chunk;
      let newline;
      while ((newline = pending.indexOf('\n')) >= 0) { handle(pending.slice(0, newline), rows, state); pending = pending.slice(newline + 1); }
    });
    await new Promise((resolve) => child.on('exit', resolve));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runChromium(code, rows, state) {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) throw new Error(`Chromium not found at ${chromium}: apt-get install -y chromium`);
  const files = {
    '/entry.js': ['text/javascript', code],
    '/': ['text/html', '<!doctype html><meta charset="utf-8"><script type="module" src="/entry.js"></script>'],
    '/favicon.ico': ['image/x-icon', ''],
  };
  const server = createServer((request, response) => {
    const file = files[new URL(request.url, 'http://x').pathname];
    if (!file) { response.statusCode = 404; response.end(); return; }
    response.setHeader('content-type', file[0]);
    response.end(file[1]);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const puppeteer = await import('puppeteer-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'sora-gpu-gemm-'));
  const browser = await puppeteer.launch({
    executablePath: chromium, headless: true, userDataDir, protocolTimeout: 60 * 60_000,
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--ignore-gpu-blocklist',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    const done = new Promise((resolve) => {
      page.on('console', (message) => { handle(message.text(), rows, state); if (state.done || state.fatal) resolve(); });
      page.on('pageerror', (error) => { state.fatal = String(error); resolve(); });
    });
    await page.goto(`http://127.0.0.1:${server.address().port}/?config=${encodeURIComponent(JSON.stringify(config))}`);
    await done;
  } finally {
    await browser.close();
    rmSync(userDataDir, { recursive: true, force: true });
    server.close();
  }
}

async function main() {
  const bundle = await build({
    stdin: { contents: entrySource, resolveDir: root, loader: 'js', sourcefile: 'gpu-gemm-entry.js' },
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent',
  });
  const rows = [];
  const state = { info: null, fatal: null, done: false };
  await (runtime === 'deno' ? runDeno : runChromium)(bundle.outputFiles[0].text, rows, state);
  if (state.fatal) throw new Error(state.fatal);
  const body = rows.map((r) => {
    const ms = median(r.ms);
    return [r.variant, `${r.size}`, ms.toFixed(2), (r.flops / ms / 1e6).toFixed(1), r.worst.toExponential(1)];
  });
  console.log(`\nsora webgpu GEMM in ${runtime} on ${state.info?.adapter ?? 'unknown adapter'}, median of ${config.reps} reps\n`);
  console.log(table(['variant', 'm=n=k', 'ms', 'GFLOP/s', 'max |err| (32 samples)'], body));
}

main().catch((error) => { console.error(error); process.exit(1); });
