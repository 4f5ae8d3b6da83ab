#!/usr/bin/env node
/**
 * The webgpu backend's cost per dispatch: what the host spends to encode one small kernel,
 * where the GPU work itself is negligible (256-element adds), in Deno (lavapipe without a
 * GPU) or headless Chromium (SwiftShader). Three rows, each `--ops` calls back to back
 * ending with one read-back, so submission and the final wait are amortized:
 *
 *   kernel add      backend.binary('add', ...) straight on the backend (the context's cost)
 *   op add(y, x)    sora.add on tensors: the op layer, allocation and the kernel
 *   op add(y, 1)    sora.add with a plain number, which uploads a scalar per call
 *
 * Each row is warmed up once, then timed --reps times; the median rep is shown as µs per
 * op (to the end of the read), the host's part of it (to the end of the loop, before the
 * read: encoding, and any submits the loop forced), and the submits each rep made. `--trees a,b` runs the same program bundled from other
 * source trees too (a checkout of an earlier commit, e.g. `git archive <commit> | tar -x -C
 * /tmp/before` with node_modules linked), one after the other in the same runtime, so a
 * before / after comparison shares the machine and the run.
 *
 *   node bench/webgpu-dispatch.mjs [--runtime deno|chromium] [--ops 1000] [--reps 7] [--trees /tmp/before]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { median, parseFlags, table } from './common.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const flags = parseFlags(process.argv.slice(2), { runtime: 'string', ops: 'number', reps: 'number', trees: 'string' });
const runtime = flags.runtime ?? 'deno';
if (runtime !== 'deno' && runtime !== 'chromium') throw new Error(`--runtime must be deno or chromium; received ${runtime}`);
const config = { ops: flags.ops ?? 1000, reps: flags.reps ?? 7 };
const trees = [root, ...(flags.trees ? flags.trees.split(',').map((t) => resolve(t)) : [])];

// ---- runs inside Deno or the page ----
const entrySource = (tree) => `
import * as sora from ${JSON.stringify(join(tree, 'src/index.ts'))};
import { createWebGPUBackend } from ${JSON.stringify(join(tree, 'src/backends/webgpu/index.ts'))};
const emit = (kind, payload) => console.log(kind + ' ' + JSON.stringify(payload));

// body(mark) calls mark() after its loop, before the read: the host's encoding time.
async function timed(name, reps, ops, stats, body) {
  await body(() => {}); // warm-up: pipelines, pools, the JIT
  const us = [], encodeUs = [], submits = [];
  for (let r = 0; r < reps; r++) {
    const s0 = stats().submits;
    const t0 = performance.now();
    let t1 = 0;
    await body(() => { t1 = performance.now(); });
    us.push((performance.now() - t0) * 1000 / ops);
    encodeUs.push((t1 - t0) * 1000 / ops);
    submits.push(stats().submits - s0);
  }
  emit('ROW', { name, us, encodeUs, submits });
}

async function main(config) {
  const { ops, reps } = config;
  const backend = await createWebGPUBackend();
  emit('INFO', { adapter: backend.description });
  const size = 256;
  const x = backend.alloc(size, 'float32'), y = backend.alloc(size, 'float32'), z = backend.alloc(size, 'float32');
  backend.fill(x, size, 1); backend.fill(y, size, 0);
  await timed('kernel add', reps, ops, () => backend.stats(), async (mark) => {
    for (let i = 0; i < ops; i++) {
      if (i % 2 === 0) backend.binary('add', y, size, x, size, z, size); else backend.binary('add', z, size, x, size, y, size);
    }
    mark();
    await backend.read(y);
  });
  backend.free(x); backend.free(y); backend.free(z);
  backend.dispose();

  await sora.setBackend('webgpu');
  const engineStats = () => sora.backend().stats();
  const t = sora.fill([size], 1);
  for (const [name, operand] of [['op add(y, x)', t], ['op add(y, 1)', 1]]) {
    await timed(name, reps, ops, engineStats, async (mark) => {
      let acc = sora.fill([size], 0);
      for (let i = 0; i < ops; i++) {
        const next = sora.add(acc, operand);
        acc.dispose();
        acc = next;
      }
      mark();
      await acc.data();
      acc.dispose();
    });
  }
  t.dispose();
  emit('DONE', {});
}
const config = globalThis.Deno ? JSON.parse(Deno.args[0]) : JSON.parse(new URLSearchParams(location.search).get('config'));
main(config).then(() => globalThis.Deno?.exit(0), (error) => { emit('FATAL', String(error?.stack ?? error)); globalThis.Deno?.exit(1); });
`;

function handle(line, state) {
  const space = line.indexOf(' ');
  const kind = line.slice(0, space);
  const payload = () => JSON.parse(line.slice(space + 1));
  if (kind === 'INFO') state.info = payload();
  else if (kind === 'ROW') state.rows.push(payload());
  else if (kind === 'FATAL') state.fatal = payload();
  else if (kind === 'DONE') state.done = true;
}

async function runDeno(code, state) {
  const dir = mkdtempSync(join(tmpdir(), 'sora-webgpu-dispatch-'));
  try {
    const script = join(dir, 'entry.mjs');
    writeFileSync(script, code);
    const local = join(root, 'node_modules/.bin/deno');
    const [command, prefix] = existsSync(local) ? [local, []] : ['npx', ['deno']];
    const child = spawn(command, [...prefix, 'run', '--allow-read', '--allow-env', script, JSON.stringify(config)],
      { env: { ...process.env, XDG_RUNTIME_DIR: dir, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      for (const l of chunk.split('\n')) if (l && !/XDG_RUNTIME_DIR/.test(l)) process.stderr.write(`${l}\n`);
    });
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      pending += chunk;
      let newline;
      while ((newline = pending.indexOf('\n')) >= 0) { handle(pending.slice(0, newline), state); pending = pending.slice(newline + 1); }
    });
    await new Promise((done) => child.on('exit', done));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runChromium(code, state) {
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
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const puppeteer = await import('puppeteer-core');
  const userDataDir = mkdtempSync(join(tmpdir(), 'sora-webgpu-dispatch-'));
  const browser = await puppeteer.launch({
    executablePath: chromium, headless: true, userDataDir, protocolTimeout: 30 * 60_000,
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage();
    const done = new Promise((finish) => {
      page.on('console', (message) => { handle(message.text(), state); if (state.done || state.fatal) finish(); });
      page.on('pageerror', (error) => { state.fatal = String(error); finish(); });
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
  const body = [];
  let adapter = 'unknown adapter';
  for (const tree of trees) {
    const bundle = await build({
      stdin: { contents: entrySource(tree), resolveDir: tree, loader: 'js', sourcefile: 'webgpu-dispatch-entry.js' },
      bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent',
      external: ['node:*'],
    });
    const state = { info: null, fatal: null, done: false, rows: [] };
    await (runtime === 'deno' ? runDeno : runChromium)(bundle.outputFiles[0].text, state);
    if (state.fatal) throw new Error(`${tree}: ${state.fatal}`);
    adapter = state.info?.adapter ?? adapter;
    const label = tree === root ? 'this tree' : tree;
    for (const row of state.rows) {
      body.push([label, row.name, median(row.us).toFixed(1), `${Math.min(...row.us).toFixed(1)}-${Math.max(...row.us).toFixed(1)}`,
        median(row.encodeUs).toFixed(1), `${median(row.submits)}`]);
    }
  }
  console.log(`\nsora webgpu: µs per op, ${config.ops} ops per rep ending in one read, median of ${config.reps} reps, ` +
    `${runtime} on ${adapter}\n`);
  console.log(table(['tree', 'row', 'µs / op', 'range', 'encoding µs / op', 'submits / rep'], body));
}

main().catch((error) => { console.error(error); process.exit(1); });
