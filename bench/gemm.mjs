#!/usr/bin/env node
/**
 * GEMM throughput: sora's wasm GEMM (plain-SIMD and relaxed-SIMD builds) beside TF.js's wasm
 * backend (SIMD build, one thread), in the same process and run, every transpose combination.
 *
 *   npm run bench            (= npm run build && node --experimental-wasm-relaxed-simd bench/gemm.mjs)
 *   node --experimental-wasm-relaxed-simd bench/gemm.mjs [--quick] [--reps N] [--shapes 64,32x784x64]
 *                                                         [--ops NN,TN] [--json out.json] [--raw]
 *                                                         [--base DIR] [--no-tfjs]
 *
 * --base DIR adds DIR/sora-{simd,relaxed}.wasm (another build, e.g. a base commit's, built
 * in a temporary worktree) through the --raw harness, for before / after in the same run;
 * the harness passes each build's gemm the arguments its arity asks for (before and after the
 * batched ABI). --no-tfjs leaves TF.js out (the ratio columns are then against the base).
 *
 * A shape is m x k . k x n (one number: square). Op NN is C = A.B, TN = A^T.B, NT = A.B^T,
 * TT = A^T.B^T. GFLOP/s counts 2mnk flops per call. Each (shape, op) is warmed up on every
 * contender first (V8 tiers up from its baseline compiler), then timed in interleaved
 * repetitions, so a neighbour's load on a shared CPU hits all contenders alike; a repetition
 * runs enough calls to take ~20 ms and the median repetition is reported, by the wall clock
 * and, in parentheses, by this process's CPU time (which other processes' time slices do
 * not inflate). The ratio columns
 * are sora / TF.js. sora is driven through the built library (dist/, createWasmBackend) when
 * it exists, else through build/sora-*.wasm with a small harness here (the same ABI); the
 * header says which (--raw forces the latter). sora is timed at the backend's kernel call,
 * TF.js through tf.matMul (its op dispatch, output allocation and dispose included: a few
 * microseconds, which shows only at 64x64). Before timing, each contender's output is checked against the others.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const root = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
};
const quick = flag('--quick');
const reps = Number(option('--reps', quick ? 3 : 9));
const shapes = option('--shapes', '64,128,256,512,1024,32x784x64,128x784x512,128x512x512')
  .split(',').map((s) => {
    const d = s.split('x').map(Number);
    return d.length === 1 ? { m: d[0], k: d[0], n: d[0] } : { m: d[0], k: d[1], n: d[2] };
  });
const ops = option('--ops', 'NN,TN,NT,TT').split(',');
const jsonOut = option('--json', null);
/** Target length of one timed repetition, and the most time one contender gets per row. */
const REP_MS = quick ? 10 : 20;
const ROW_BUDGET_MS = quick ? 800 : 2500;

// ---------------------------------------------------------------- contenders

/** Deterministic values in [-1, 1). */
function values(size, seed) {
  const out = new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2147483648 - 1;
  }
  return out;
}

function relaxedValidates() {
  // (module (func (result v128) v128.const 0 v128.const 0 v128.const 0 f32x4.relaxed_madd))
  const zeros = new Array(16).fill(0);
  return WebAssembly.validate(new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,
    0x03, 0x02, 0x01, 0x00, 0x0a, 0x3d, 0x01, 0x3b, 0x00,
    0xfd, 0x0c, ...zeros, 0xfd, 0x0c, ...zeros, 0xfd, 0x0c, ...zeros, 0xfd, 0x85, 0x02, 0x0b,
  ]));
}

/** sora through dist/ (the library as users get it). */
async function soraFromDist(variant) {
  const { createWasmBackend } = await import(new URL('../dist/backends/wasm/index.js', import.meta.url).href);
  const backend = await createWasmBackend({ variant, threads: 1 });
  return {
    name: `sora ${variant}`,
    prepare({ m, n, k, a, b }) {
      const sa = backend.alloc(a.length, 'float32'); backend.write(sa, a);
      const sb = backend.alloc(b.length, 'float32'); backend.write(sb, b);
      const out = backend.alloc(m * n, 'float32');
      return {
        run: (transposeA, transposeB) => backend.gemm({
          a: sa, b: sb, out, m, n, k, transposeA, transposeB, bias: null, activation: 'linear',
        }),
        result: () => backend.readSync(out),
        dispose: () => { for (const s of [sa, sb, out]) backend.free(s); },
      };
    },
  };
}

/** sora's raw module (build/sora-<variant>.wasm, or dir's) with a bump allocator: same ABI, no dist needed. */
async function soraFromBuild(variant, dir = null) {
  const bytes = readFileSync(dir ? `${dir}/sora-${variant}.wasm` : new URL(`../build/sora-${variant}.wasm`, import.meta.url));
  const memory = new WebAssembly.Memory({ initial: 256 });
  const { instance } = await WebAssembly.instantiate(bytes, { env: { memory } });
  const kernels = instance.exports;
  const base = (kernels.heap_base ? kernels.heap_base() : 65536) + 63 & ~63;
  const work = base;
  const heapStart = work + kernels.gemm_workspace_bytes() + 63 & ~63;
  // The batched ABI (20 parameters) takes act, alpha after bias and batch, strides, accumulate last.
  const gemm = kernels.gemm.length >= 20
    ? (pa, pb, pc, m, n, k, tA, tB) => kernels.gemm(pa, pb, pc, m, n, k, tA, tB, 0, 0, 0.2, work, 0, 0, 0, 1, 0, 0, 0, 0)
    : (pa, pb, pc, m, n, k, tA, tB) => kernels.gemm(pa, pb, pc, m, n, k, tA, tB, 0, 0, work);
  return {
    name: dir ? `sora ${variant} base` : `sora ${variant}`,
    prepare({ m, n, k, a, b }) {
      let top = heapStart;
      const alloc = (floats) => { const p = top; top += floats * 4 + 63 & ~63; return p; };
      const pa = alloc(a.length), pb = alloc(b.length), pc = alloc(m * n);
      if (top > memory.buffer.byteLength) memory.grow(Math.ceil((top - memory.buffer.byteLength) / 65536));
      new Float32Array(memory.buffer, pa, a.length).set(a);
      new Float32Array(memory.buffer, pb, b.length).set(b);
      return {
        run: (transposeA, transposeB) =>
          gemm(pa, pb, pc, m, n, k, transposeA ? 1 : 0, transposeB ? 1 : 0),
        result: () => new Float32Array(memory.buffer, pc, m * n).slice(),
        dispose: () => {},
      };
    },
  };
}

async function tfjsWasm() {
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setThreadsCount(1);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs: the wasm backend did not initialize');
  await tf.ready();
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return {
    name: 'tfjs-wasm',
    detail: `@tensorflow/tfjs-backend-wasm ${wasm.version_wasm ?? ''}, ${wasm.getThreadsCount()} thread, SIMD ${simd}`,
    prepare({ m, n, k, a, b, transposeA, transposeB }) {
      const ta = tf.tensor2d(a, transposeA ? [k, m] : [m, k]);
      const tb = tf.tensor2d(b, transposeB ? [n, k] : [k, n]);
      let last = null;
      return {
        // The wasm backend runs matMul synchronously; dispose keeps its memory flat.
        run: (tA, tB) => { if (last) last.dispose(); last = tf.matMul(ta, tb, tA, tB); },
        result: () => last.dataSync().slice(),
        dispose: () => { if (last) last.dispose(); ta.dispose(); tb.dispose(); },
      };
    },
  };
}

// ---------------------------------------------------------------- measuring

function median(xs) {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Calls per repetition so that one repetition takes about REP_MS, and that repetition's ms. */
function calibrate(run) {
  let calls = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) run();
    const ms = Math.max(performance.now() - t0, 1e-3);
    if (ms >= REP_MS / 4 || calls >= 1 << 16) {
      const perRep = Math.max(1, Math.round(calls * REP_MS / ms));
      return { calls: perRep, ms: perRep * ms / calls };
    }
    calls *= 4;
  }
}

async function main() {
  let soraSource = 'dist/ (createWasmBackend)';
  let makeSora = soraFromDist;
  if (flag('--raw')) {
    soraSource = 'build/sora-*.wasm via bench/gemm.mjs\'s own harness (--raw)';
    makeSora = soraFromBuild;
  } else if (!existsSync(new URL('../dist/backends/wasm/index.js', import.meta.url))) {
    soraSource = 'build/sora-*.wasm via bench/gemm.mjs\'s own harness (dist/ not built)';
    makeSora = soraFromBuild;
  }
  const contenders = [await makeSora('simd')];
  if (relaxedValidates()) contenders.push(await makeSora('relaxed'));
  else console.log('relaxed SIMD does not validate here (Node 20 needs --experimental-wasm-relaxed-simd): skipping sora relaxed');
  const baseDir = option('--base', null);
  if (baseDir) {
    contenders.push(await soraFromBuild('simd', baseDir));
    if (relaxedValidates()) contenders.push(await soraFromBuild('relaxed', baseDir));
  }
  const tfjs = flag('--no-tfjs') ? null : await tfjsWasm();
  if (tfjs) contenders.push(tfjs);

  console.log(`GEMM GFLOP/s, single thread, median of ${reps} interleaved repetitions of ~${REP_MS} ms ` +
    `(at least 3 and ~${ROW_BUDGET_MS} ms per contender and row for slow ones)`);
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.cpus().length} cpus, load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`sora: ${soraSource}${baseDir ? `; base: ${baseDir}` : ''}; ${tfjs ? tfjs.detail : 'TF.js left out (--no-tfjs)'}`);
  console.log('cells: wall-clock median (process-CPU-time median, less sensitive to other load on the machine)');
  // V8 runs new wasm code in its baseline tier until the optimizing tier has compiled it in
  // the background: exercise every kernel (edge tiles, packing, all ops) for a while first.
  for (const c of contenders) {
    for (const [m, k, n] of [[67, 67, 67], [300, 300, 300]]) {
      const setup = c.prepare({ m, n, k, a: values(m * k, 1), b: values(k * n, 2), transposeA: false, transposeB: false });
      const t0 = performance.now();
      while (performance.now() - t0 < (quick ? 100 : 300)) {
        for (const op of ['NN', 'TN', 'NT', 'TT']) setup.run(op[0] === 'T', op[1] === 'T');
      }
      setup.dispose();
    }
  }
  const names = contenders.map((c) => c.name);
  // Ratio columns: each sora build against its base build with --base, else against TF.js.
  const soraNames = names.filter((x) => x !== 'tfjs-wasm' && !x.endsWith(' base'));
  const against = (x) => (baseDir ? `${x} base` : 'tfjs-wasm');
  const header = ['shape (m x k . k x n)', 'op', ...names,
    ...soraNames.map((x) => `${x.replace('sora ', '')}/${baseDir ? 'base' : 'tfjs'}`)];
  const widths = header.map((h, i) => Math.max(h.length, i === 0 ? 22 : 13));
  const line = (cells) => cells.map((c, i) => (i < 2 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  console.log(line(header));
  const rows = [];
  for (const { m, k, n } of shapes) {
    for (const op of ops) {
      const transposeA = op[0] === 'T', transposeB = op[1] === 'T';
      const a = values(m * k, m * 7 + k), b = values(k * n, k * 13 + n);
      const flops = 2 * m * n * k;
      const setups = contenders.map((c) => c.prepare({ m, n, k, a, b, transposeA, transposeB }));
      // Warm up (tier-up) and check that everyone computes the same product.
      const plans = setups.map((s) => {
        const t0 = performance.now();
        for (let i = 0; i < 3 && performance.now() - t0 < 300; i++) s.run(transposeA, transposeB);
        return calibrate(() => s.run(transposeA, transposeB));
      });
      const calls = plans.map((p) => p.calls);
      const outputs = setups.map((s) => s.result());
      const tol = 1e-4 * Math.sqrt(k) * 4;
      for (let c = 1; c < outputs.length; c++) {
        for (let i = 0; i < outputs[0].length; i++) {
          if (!(Math.abs(outputs[c][i] - outputs[0][i]) <= tol)) {
            throw new Error(`${m}x${k}.${k}x${n} ${op}: ${names[c]} and ${names[0]} differ at ${i}: ` +
              `${outputs[c][i]} vs ${outputs[0][i]}`);
          }
        }
      }
      // A slow contender (TF.js with a transposed operand at 1024) gets fewer repetitions.
      const msPerRep = Math.max(...plans.map((p) => p.ms));
      const rowReps = Math.max(3, Math.min(reps, Math.floor(ROW_BUDGET_MS / msPerRep)));
      const wall = contenders.map(() => []), cpu = contenders.map(() => []);
      for (let r = 0; r < rowReps; r++) {
        setups.forEach((s, c) => {
          const t0 = performance.now(), c0 = process.cpuUsage();
          for (let i = 0; i < calls[c]; i++) s.run(transposeA, transposeB);
          const used = process.cpuUsage(c0);
          wall[c].push((performance.now() - t0) / calls[c]);
          cpu[c].push((used.user + used.system) / 1000 / calls[c]);
        });
      }
      setups.forEach((s) => s.dispose());
      const gflops = wall.map((t) => flops / median(t) / 1e6);
      const cpuGflops = cpu.map((t) => flops / median(t) / 1e6);
      const ratio = (g, x) => g[names.indexOf(x)] / g[names.indexOf(against(x))];
      const times = (r) => `${r.toFixed(r < 10 ? 2 : 1)}x`;
      rows.push({
        m, k, n, op, reps: rowReps,
        gflops: Object.fromEntries(names.map((x, i) => [x, gflops[i]])),
        cpuGflops: Object.fromEntries(names.map((x, i) => [x, cpuGflops[i]])),
      });
      console.log(line([`${m}x${k} . ${k}x${n}`, op, ...gflops.map((g, i) => `${g.toFixed(1)} (${cpuGflops[i].toFixed(1)})`),
        ...soraNames.map((x) => `${times(ratio(gflops, x))} (${times(ratio(cpuGflops, x))})`)]));
    }
  }
  if (jsonOut) {
    writeFileSync(jsonOut, JSON.stringify({ node: process.version, cpu: os.cpus()[0]?.model, soraSource, reps, rows }, null, 1));
  }
}

await main();
