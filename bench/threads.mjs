/**
 * GEMM on one and on several threads: sora's wasm backend through sora.matMul at 1 and 2 (or
 * --threads N) threads, beside jax-js's wasm device (its own worker pool in Deno and browsers;
 * one thread in Node 20, which has no global Worker) and, in Node, TF.js's wasm backend (which
 * runs one thread in Node). Square shapes, C = A.B, in the same process and run.
 *
 *   npm run bench:threads                          # Node (relaxed SIMD flag on)
 *   npm run bench:threads:deno                     # Deno
 *   node --experimental-wasm-relaxed-simd bench/threads.mjs [--sizes 256,512,1024] [--reps 9] [--threads 2] [--variant simd|relaxed]
 *        [--json out.json]
 *
 * Each contender is warmed up (V8 tiers wasm up from its baseline compiler), then the
 * contenders are timed in interleaved repetitions (a neighbour's load hits all alike); a
 * repetition runs enough products to take ~60 ms, and the table shows the median repetition
 * as ms per product and GFLOP/s (2n^3 flops). Ratios are sora on N threads over the others.
 * Every contender's product is checked against sora's one-thread product first.
 */
import * as sora from '../dist/index.js';
import { median } from './common.mjs';

const isDeno = typeof globalThis.Deno !== 'undefined';
const argv = isDeno ? Deno.args : process.argv.slice(2);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
};
const sizes = option('--sizes', '256,512,1024').split(',').map(Number);
const reps = Number(option('--reps', '9'));
const threads = Number(option('--threads', '2'));
const jsonOut = option('--json', null);
const variant = option('--variant', undefined);

function values(count, seed) {
  let state = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 4294967296 * 2 - 1;
  }
  return out;
}

await sora.setBackend('wasm', variant ? { variant } : undefined);
const workersReady = async (n) => {
  sora.setThreadsCount(n);
  const start = Date.now();
  while (sora.env().threads.workersReady < n - 1) {
    if (Date.now() - start > 20_000) throw new Error('sora workers did not start');
    await new Promise((r) => setTimeout(r, 10));
  }
};
await workersReady(threads);

/** Contenders: { name, prepare(n, a, b) -> { run(): Promise|void, result(): Float32Array, dispose() } }. */
const contenders = [];
for (const t of [1, threads]) {
  contenders.push({
    name: `sora wasm, ${t} thread${t > 1 ? 's' : ''}`,
    async prepare(n, av, bv) {
      const a = sora.tensor(av, [n, n]), b = sora.tensor(bv, [n, n]);
      return {
        run() {
          sora.setThreadsCount(t);
          sora.matMul(a, b).dispose();
        },
        result() { sora.setThreadsCount(t); const y = sora.matMul(a, b); const v = y.dataSync(); y.dispose(); return v; },
        dispose() { a.dispose(); b.dispose(); sora.setThreadsCount(threads); },
      };
    },
  });
}

let jaxInfo = null;
try {
  const jax = await import('@jax-js/jax');
  await jax.init('wasm');
  jax.defaultDevice('wasm');
  const np = jax.numpy;
  jaxInfo = `jax-js ${JSON.parse(await readText(new URL('../node_modules/@jax-js/jax/package.json', import.meta.url))).version} wasm` +
    (isDeno ? ' (its worker pool)' : ' (one thread: Node 20 has no global Worker)');
  contenders.push({
    name: 'jax-js wasm',
    async prepare(n, av, bv) {
      const a = np.array(av).reshape([n, n]), b = np.array(bv).reshape([n, n]);
      await a.blockUntilReady(); await b.blockUntilReady();
      return {
        async run() { const y = np.matmul(a.ref, b.ref); await y.blockUntilReady(); y.dispose(); },
        async result() { const y = np.matmul(a.ref, b.ref); return new Float32Array(await y.data()); },
        dispose() { a.dispose(); b.dispose(); },
      };
    },
  });
} catch (error) {
  console.error(`jax-js not run: ${error.message}`);
}

let tfInfo = null;
if (!isDeno) {
  try {
    const tf = await import('@tensorflow/tfjs');
    await import('@tensorflow/tfjs-backend-wasm');
    await tf.setBackend('wasm');
    await tf.ready();
    tfInfo = `TF.js ${tf.version.tfjs} wasm (one thread: TF.js runs one in Node)`;
    contenders.push({
      name: 'TF.js wasm',
      async prepare(n, av, bv) {
        const a = tf.tensor(av, [n, n]), b = tf.tensor(bv, [n, n]);
        return {
          run() { tf.matMul(a, b).dispose(); },
          result() { const y = tf.matMul(a, b); const v = y.dataSync(); y.dispose(); return v; },
          dispose() { a.dispose(); b.dispose(); },
        };
      },
    });
  } catch (error) {
    console.error(`TF.js not run: ${error.message}`);
  }
}

async function readText(url) {
  if (isDeno) return Deno.readTextFile(url);
  const { readFile } = await import('node:fs/promises');
  return readFile(url, 'utf8');
}

const rows = [];
for (const n of sizes) {
  const av = values(n * n, n), bv = values(n * n, n + 1);
  const prepared = [];
  for (const c of contenders) prepared.push({ c, p: await c.prepare(n, av, bv) });
  const want = await prepared[0].p.result();
  for (const { c, p } of prepared) {
    const got = await p.result();
    let diff = 0;
    for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(got[i] - want[i]));
    if (!(diff <= 1e-3 * Math.sqrt(n))) throw new Error(`${c.name} at ${n}: differs from sora's one thread by ${diff}`);
  }
  // Warm up and size a repetition (~60 ms).
  const calls = [];
  for (const { p } of prepared) {
    for (let i = 0; i < 3; i++) await p.run();
    const t0 = performance.now();
    await p.run();
    calls.push(Math.max(1, Math.round(60 / Math.max(0.01, performance.now() - t0))));
  }
  const times = prepared.map(() => []);
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < prepared.length; i++) {
      const { p } = prepared[i];
      const t0 = performance.now();
      for (let j = 0; j < calls[i]; j++) await p.run();
      times[i].push((performance.now() - t0) / calls[i]);
    }
  }
  const ms = times.map(median);
  for (let i = 0; i < prepared.length; i++) {
    rows.push({ n, contender: prepared[i].c.name, ms: ms[i], gflops: 2 * n ** 3 / ms[i] / 1e6,
      vsThreaded: ms[i] / ms[1] });
  }
  for (const { p } of prepared) p.dispose();
}

const cores = isDeno ? navigator.hardwareConcurrency : (await import('node:os')).availableParallelism();
console.log(`# GEMM on threads — ${isDeno ? `Deno ${Deno.version.deno}` : `Node ${process.version}`}, ${cores} cores, ` +
  `${new Date().toISOString()}`);
console.log(`sora: ${sora.env().description}; ${[jaxInfo, tfInfo].filter(Boolean).join('; ')}`);
console.log(`median of ${reps} interleaved repetitions; "sora ${threads}t is" = that contender's time / sora on ${threads} threads\n`);
console.log(`| n | contender | ms | GFLOP/s | sora ${threads}t is |`);
console.log('|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.n} | ${r.contender} | ${r.ms.toFixed(2)} | ${r.gflops.toFixed(1)} | ${r.vsThreaded.toFixed(2)}x |`);
}
if (jsonOut) {
  const text = JSON.stringify({ date: new Date().toISOString(), runtime: isDeno ? 'deno' : 'node', threads, rows }, null, 1);
  if (isDeno) await Deno.writeTextFile(jsonOut, text);
  else (await import('node:fs')).writeFileSync(jsonOut, text);
}
