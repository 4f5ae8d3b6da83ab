/**
 * The wasm backend on 1, 2 and 3 threads (the calling one and 0-2 workers over one shared
 * memory): every kernel that splits over threads, on odd shapes large enough to split, against
 * the reference backend, and against itself on one thread. Row, column and batch splits compute
 * each output exactly as one thread does (bitwise equal); only the filter gradients, whose
 * per-thread partial sums are added at the end, reassociate: measured at 1.1e-6 of the largest
 * gradient value, the test bounds it at 4e-6. Also: workers really run tasks (each thread's tally), thread
 * counts change on a live backend, and bad counts are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWasmBackend, type WasmBackend } from '../../src/backends/wasm/index.js';
import { createReferenceBackend } from '../../src/backends/reference/index.js';
import type { Backend, Conv2DGeometry, Storage } from '../../src/backends/backend.js';

function values(size: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2147483648 - 1) * scale;
  }
  return out;
}

type AnyBackend = Backend<Storage>;
interface Case {
  name: string;
  inputs: Record<string, Float32Array>;
  outputs: Record<string, number>;
  /** Outputs that start from given values (accumulated into, or updated in place). */
  initial?: Record<string, Float32Array>;
  call(b: AnyBackend, s: Record<string, Storage>): void;
  /** Reassociated across threads (partial sums): compared within a bound, not bitwise. */
  reassociates?: boolean;
  tolerance?: number;
}

function run(backend: AnyBackend, c: Case): Record<string, Float32Array> {
  const s: Record<string, Storage> = {};
  for (const [name, v] of Object.entries(c.inputs)) {
    s[name] = backend.alloc(v.length, 'float32');
    backend.write(s[name]!, v);
  }
  for (const [name, size] of Object.entries(c.outputs)) {
    s[name] = backend.alloc(size, 'float32');
    backend.write(s[name]!, c.initial?.[name] ?? new Float32Array(size));
  }
  c.call(backend, s);
  const out: Record<string, Float32Array> = {};
  for (const name of [...Object.keys(c.outputs), ...Object.keys(c.initial ?? {}).filter((n) => n in c.inputs)]) {
    out[name] = backend.readSync(s[name]!) as Float32Array;
  }
  for (const storage of Object.values(s)) backend.free(storage);
  return out;
}

function geometry(batch: number, h: number, w: number, ci: number, co: number, f: number, stride: number,
  pad: 'same' | 'valid'): Conv2DGeometry {
  const outHeight = pad === 'same' ? Math.ceil(h / stride) : Math.floor((h - f) / stride) + 1;
  const outWidth = pad === 'same' ? Math.ceil(w / stride) : Math.floor((w - f) / stride) + 1;
  const padAlong = (size: number, out: number): number => Math.max((out - 1) * stride + f - size, 0);
  return {
    batch, inHeight: h, inWidth: w, inChannels: ci, outHeight, outWidth, outChannels: co, filterHeight: f, filterWidth: f,
    strideHeight: stride, strideWidth: stride, dilationHeight: 1, dilationWidth: 1,
    padTop: pad === 'same' ? Math.floor(padAlong(h, outHeight) / 2) : 0,
    padLeft: pad === 'same' ? Math.floor(padAlong(w, outWidth) / 2) : 0,
  };
}

function gemmCase(m: number, n: number, k: number, o: { tA?: boolean; tB?: boolean; batch?: number; bias?: boolean;
  accumulate?: boolean } = {}): Case {
  const batch = o.batch ?? 1;
  return {
    name: `gemm ${m}x${k} @ ${k}x${n}${o.tA ? ' tA' : ''}${o.tB ? ' tB' : ''}${batch > 1 ? ` batch ${batch}` : ''}` +
      `${o.bias ? ' bias relu' : ''}${o.accumulate ? ' accumulate' : ''}`,
    inputs: { a: values(batch * m * k, m + k), b: values(batch * k * n, n + 3 * k), bias: values(n, 7) },
    outputs: { c: batch * m * n },
    initial: o.accumulate ? { c: values(batch * m * n, 11) } : undefined,
    call: (b, s) => b.gemm!({
      a: s.a!, b: s.b!, out: s.c!, m, n, k, transposeA: o.tA ?? false, transposeB: o.tB ?? false, bias: o.bias ? s.bias! : null,
      activation: o.bias ? 'relu' : 'linear', batch, accumulate: o.accumulate,
    }),
    tolerance: 2e-6 * k,
  };
}

function convCases(): Case[] {
  const g = geometry(9, 17, 15, 3, 7, 3, 1, 'same');
  const xSize = g.batch * g.inHeight * g.inWidth * g.inChannels, ySize = g.batch * g.outHeight * g.outWidth * g.outChannels;
  const fSize = g.filterHeight * g.filterWidth * g.inChannels * g.outChannels;
  const s2 = geometry(7, 17, 15, 5, 9, 5, 2, 'valid');
  const s2x = s2.batch * s2.inHeight * s2.inWidth * s2.inChannels, s2y = s2.batch * s2.outHeight * s2.outWidth * s2.outChannels;
  const s2f = 5 * 5 * 5 * 9;
  const dw = { ...geometry(8, 23, 21, 6, 12, 3, 1, 'same') };
  const dwx = dw.batch * dw.inHeight * dw.inWidth * 6, dwy = dw.batch * dw.outHeight * dw.outWidth * 12;
  const pool = geometry(9, 31, 29, 33, 33, 3, 2, 'same');
  const px = pool.batch * pool.inHeight * pool.inWidth * 33, py = pool.batch * pool.outHeight * pool.outWidth * 33;
  // Large enough to split: the thresholds are multiply-adds (GEMM_PARALLEL_MACS), so use many channels.
  const big = geometry(5, 23, 21, 17, 31, 3, 1, 'same');
  const bx = big.batch * big.inHeight * big.inWidth * 17, by = big.batch * big.outHeight * big.outWidth * 31;
  const bf = 3 * 3 * 17 * 31;
  return [
    {
      name: 'conv2d 5x23x21x17 -> 31, 3x3 same, bias elu', inputs: { x: values(bx, 1), f: values(bf, 2, 0.3), bias: values(31, 3) },
      outputs: { y: by }, call: (b, s) => b.conv2d!({ ...big, x: s.x!, filter: s.f!, out: s.y!, bias: s.bias!, activation: 'elu' }),
      tolerance: 1e-5,
    },
    {
      name: 'conv2d 7x17x15x5 -> 9, 5x5 stride 2 valid', inputs: { x: values(s2x, 4), f: values(s2f, 5, 0.3) },
      outputs: { y: s2y }, call: (b, s) => b.conv2d!({ ...s2, x: s.x!, filter: s.f!, out: s.y!, bias: null, activation: 'linear' }),
      tolerance: 1e-5,
    },
    {
      name: 'conv2dBackpropInput 5x23x21x17 <- 31', inputs: { dy: values(by, 6), f: values(bf, 7, 0.3) }, outputs: { dx: bx },
      call: (b, s) => b.conv2dBackpropInput!({ ...big, dy: s.dy!, filter: s.f!, dx: s.dx! }), tolerance: 1e-5,
    },
    {
      name: 'conv2dBackpropFilter 5x23x21x17 -> 31', inputs: { x: values(bx, 8), dy: values(by, 9) }, outputs: { df: bf },
      call: (b, s) => b.conv2dBackpropFilter!({ ...big, x: s.x!, dy: s.dy!, dFilter: s.df! }), reassociates: true,
      tolerance: 2e-4,
    },
    {
      name: 'conv2dBackpropFilter accumulate, 9x17x15x3 -> 7', inputs: { x: values(xSize, 10), dy: values(ySize, 11) },
      outputs: { df: fSize }, initial: { df: values(fSize, 12) },
      call: (b, s) => b.conv2dBackpropFilter!({ ...g, x: s.x!, dy: s.dy!, dFilter: s.df!, accumulate: true }),
      reassociates: true, tolerance: 1e-4,
    },
    {
      name: 'depthwiseConv2d 8x23x21x6 x2, bias relu6', inputs: { x: values(dwx, 13), f: values(9 * 12, 14), bias: values(12, 15) },
      outputs: { y: dwy },
      call: (b, s) => b.depthwiseConv2d!({ ...dw, x: s.x!, filter: s.f!, out: s.y!, bias: s.bias!, activation: 'relu6',
        channelMultiplier: 2 }),
      tolerance: 1e-5,
    },
    {
      name: 'depthwiseConv2dBackpropInput 8x23x21x6 x2', inputs: { dy: values(dwy, 16), f: values(9 * 12, 17) }, outputs: { dx: dwx },
      call: (b, s) => b.depthwiseConv2dBackpropInput!({ ...dw, dy: s.dy!, filter: s.f!, dx: s.dx!, channelMultiplier: 2 }),
      tolerance: 1e-5,
    },
    {
      name: 'depthwiseConv2dBackpropFilter 8x23x21x6 x2', inputs: { x: values(dwx, 18), dy: values(dwy, 19) }, outputs: { df: 9 * 12 },
      call: (b, s) => b.depthwiseConv2dBackpropFilter!({ ...dw, x: s.x!, dy: s.dy!, dFilter: s.df!, channelMultiplier: 2 }),
      reassociates: true, tolerance: 1e-4,
    },
    ...(['max', 'avg'] as const).flatMap((mode): Case[] => [
      {
        name: `pool2d ${mode} 9x31x29x33 3x3 stride 2`, inputs: { x: values(px, 20) }, outputs: { y: py },
        call: (b, s) => b.pool2d!({ ...pool, mode, x: s.x!, out: s.y! }), tolerance: 1e-6,
      },
      {
        name: `pool2dBackward ${mode} 9x31x29x33`, inputs: { x: values(px, 21), dy: values(py, 22) }, outputs: { dx: px },
        call: (b, s) => b.pool2dBackward!({ ...pool, mode, x: s.x!, dy: s.dy!, dx: s.dx! }), tolerance: 1e-6,
      },
    ]),
  ];
}

/** LSTM / GRU forward then backward (batch 7, 13 steps, 37 units: odd, not a multiple of 8), with a mask. */
function recurrentCase(cell: 'lstm' | 'gru', resetAfter: boolean): Case {
  const batch = 7, steps = 13, units = 37, g = cell === 'lstm' ? 4 : 3, gu = g * units, bsu = batch * steps * units;
  const mask = values(batch * steps, 60).map((v, i) => (i % steps === 0 || v > -0.6 ? 1 : 0));
  return {
    name: `${cell}${resetAfter ? ' resetAfter' : ''} forward and backward, batch 7, 13 steps, 37 units, masked`,
    inputs: {
      xProj: values(batch * steps * gu, 61), u: values(units * gu, 62, 0.4), rb: values(gu, 63), h0: values(batch * units, 64),
      c0: values(batch * units, 65), mask, dhSeq: values(bsu, 66), dcSeq: values(bsu, 67),
    },
    outputs: { hSeq: bsu, cSeq: bsu, saved: bsu * 4, dxProj: batch * steps * gu, dhProj: batch * steps * gu, dh0: batch * units,
      dc0: batch * units },
    call: (b, s) => {
      const common = {
        cell, activation: 'tanh' as const, recurrentActivation: 'sigmoid' as const, resetAfter, batch, steps, units,
        recurrentKernel: s.u!, recurrentBias: resetAfter ? s.rb! : null, h0: s.h0!, c0: cell === 'lstm' ? s.c0! : null,
        mask: s.mask!, recurrentDropoutMask: null, hSeq: s.hSeq!, cSeq: cell === 'lstm' ? s.cSeq! : null, saved: s.saved!,
      };
      b.recurrentSequence!({ ...common, xProj: s.xProj! });
      b.recurrentSequenceBackward!({ ...common, dhSeq: s.dhSeq!, dcSeq: cell === 'lstm' ? s.dcSeq! : null, dxProj: s.dxProj!,
        dhProj: cell === 'gru' ? s.dhProj! : null, dh0: s.dh0!, dc0: cell === 'lstm' ? s.dc0! : null });
    },
    tolerance: 1e-5,
  };
}

const N = 100_003; // odd, above the elementwise threshold
const CASES: Case[] = [
  gemmCase(301, 257, 131),
  gemmCase(131, 301, 77, { tA: true }),
  gemmCase(33, 1031, 65, { tB: true, bias: true }),
  gemmCase(517, 37, 129, { tA: true, tB: true, accumulate: true }),
  gemmCase(67, 71, 73, { batch: 7 }),
  gemmCase(129, 65, 97, { batch: 3, tB: true, bias: true }),
  ...convCases(),
  recurrentCase('lstm', false),
  recurrentCase('gru', true),
  recurrentCase('gru', false),
  {
    name: `unary exp over ${N}`, inputs: { x: values(N, 30, 4) }, outputs: { y: N },
    call: (b, s) => b.unary!('exp', s.x!, s.y!, N), tolerance: 1e-6,
  },
  {
    name: `unary tanh over [77, ${N - 5})`, inputs: { x: values(N, 31, 4) }, outputs: { y: N },
    call: (b, s) => b.unary!('tanh', s.x!, s.y!, N, 77, N - 5), tolerance: 1e-6,
  },
  {
    name: `unaryBackward sigmoid over ${N}`, inputs: { dy: values(N, 32), x: values(N, 33), y: values(N, 34) }, outputs: { dx: N },
    call: (b, s) => b.unaryBackward!('sigmoid', s.dy!, s.x!, s.y!, s.dx!, N), tolerance: 1e-6,
  },
  {
    name: `binary mul with a repeating operand of 33 over ${N}`, inputs: { a: values(N, 35), b: values(33, 36) }, outputs: { y: N },
    call: (b, s) => b.binary!('mul', s.a!, N, s.b!, 33, s.y!, N), tolerance: 1e-6,
  },
  {
    name: `binary sub over [5, ${N - 9}), the repeating operand first`, inputs: { a: values(7, 37), b: values(N, 38) }, outputs: { y: N },
    call: (b, s) => b.binary!('sub', s.a!, 7, s.b!, N, s.y!, N, 5, N - 9), tolerance: 1e-6,
  },
  {
    name: `adam over ${N}`, inputs: { grad: values(N, 39) }, outputs: { param: N, m: N, v: N },
    initial: { param: values(N, 40), m: values(N, 41, 0.1), v: values(N, 42, 0.1).map(Math.abs) },
    call: (b, s) => b.adam!({ param: s.param!, grad: s.grad!, m: s.m!, v: s.v!, size: N, learningRate: 0.01, beta1: 0.9,
      beta2: 0.999, epsilon: 1e-7, correction1: 1 / (1 - 0.9 ** 3), correction2: 1 / (1 - 0.999 ** 3) }),
    tolerance: 1e-5,
  },
  {
    name: `sgd with Nesterov momentum over ${N}`, inputs: { grad: values(N, 43) }, outputs: { param: N, velocity: N },
    initial: { param: values(N, 44), velocity: values(N, 45, 0.1) },
    call: (b, s) => b.sgd!({ param: s.param!, grad: s.grad!, velocity: s.velocity!, size: N, learningRate: 0.1, momentum: 0.9,
      nesterov: true }),
    tolerance: 1e-6,
  },
  {
    name: `rmsprop with momentum over ${N}`, inputs: { grad: values(N, 46) }, outputs: { param: N, ms: N, mom: N },
    initial: { param: values(N, 47), ms: values(N, 48, 0.1).map(Math.abs), mom: values(N, 49, 0.1) },
    call: (b, s) => b.rmsprop!({ param: s.param!, grad: s.grad!, meanSquare: s.ms!, moment: s.mom!, size: N, learningRate: 0.01,
      decay: 0.9, momentum: 0.5, epsilon: 1e-7 }),
    tolerance: 1e-5,
  },
  {
    name: 'softmax 301 rows of 333', inputs: { x: values(301 * 333, 50, 30) }, outputs: { y: 301 * 333 },
    call: (b, s) => b.softmax!(s.x!, s.y!, 301, 333), tolerance: 1e-6,
  },
  {
    name: 'reduce sum 77 x 1031 x 3 along the middle axis', inputs: { x: values(77 * 1031 * 3, 51) }, outputs: { y: 77 * 3 },
    call: (b, s) => b.reduce!('sum', s.x!, s.y!, 77, 1031, 3), tolerance: 1e-4,
  },
  {
    name: `activation leakyRelu and affine over ${N}`, inputs: { x: values(N, 52) }, outputs: { y: N, z: N },
    call: (b, s) => { b.activation!('leakyRelu', s.x!, s.y!, N, 0.3); b.affine!(s.y!, s.z!, N, 1.5, -0.25); },
    tolerance: 1e-6,
  },
];

function maxDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

/** Waits until the backend's workers have all started (they start asynchronously). */
async function workersReady(backend: WasmBackend, workers: number): Promise<void> {
  const start = Date.now();
  while (backend.readyWorkers < workers) {
    if (Date.now() - start > 20_000) throw new Error(`only ${backend.readyWorkers} of ${workers} workers started in 20 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('wasm backend on 1, 2 and 3 threads', () => {
  const backends: WasmBackend[] = [];
  const reference = createReferenceBackend() as unknown as AnyBackend;
  const expected = new Map<string, Record<string, Float32Array>>();
  const oneThread = new Map<string, Record<string, Float32Array>>();
  beforeAll(async () => {
    for (const threads of [1, 2, 3]) {
      const backend = await createWasmBackend({ variant: 'simd', threads });
      expect(backend.threadsUnavailable).toBeNull();
      expect(backend.threads).toBe(threads);
      await workersReady(backend, threads - 1);
      backends.push(backend);
    }
    for (const c of CASES) {
      expected.set(c.name, run(reference, c));
      oneThread.set(c.name, run(backends[0] as unknown as AnyBackend, c));
    }
  }, 120_000);
  afterAll(() => { for (const b of backends) b.dispose(); });

  for (const c of CASES) {
    it(`${c.name}: 2 and 3 threads match the reference, and one thread ${c.reassociates ? 'within 4e-6 relative' : 'bitwise'}`, () => {
      for (const threads of [2, 3]) {
        const backend = backends[threads - 1]!;
        const tasks = (): number => backend.threadTally().reduce((a, b) => a + b, 0);
        const before = tasks();
        const got = run(backend as unknown as AnyBackend, c);
        // The case is large enough to split: it ran as tasks of the pool, not at once on one thread.
        expect(tasks() - before, 'tasks run').toBeGreaterThanOrEqual(2);
        for (const [name, want] of Object.entries(expected.get(c.name)!)) {
          const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 1);
          expect(maxDiff(got[name]!, want), `${name} on ${threads} threads against the reference`).toBeLessThanOrEqual(
            (c.tolerance ?? 1e-6) * scale);
          const single = oneThread.get(c.name)![name]!;
          if (c.reassociates) {
            // The partial sums of each thread's images are added at the end: a different order of the same
            // sum. Measured: 1.1e-6 of the largest gradient (2415 terms a value); bounded at 4e-6.
            expect(maxDiff(got[name]!, single), `${name}: ${threads} threads against one`).toBeLessThanOrEqual(4e-6 * scale);
          } else {
            expect(maxDiff(got[name]!, single), `${name}: ${threads} threads against one`).toBe(0);
          }
        }
      }
    });
  }

  it('the workers ran tasks: each thread tallies some', () => {
    for (const threads of [2, 3]) {
      const backend = backends[threads - 1]!;
      // Tasks are claimed, not assigned: on a loaded machine a worker may miss the short jobs
      // above, so each gets up to 50 larger ones (a few ms each) to take a task.
      const c = gemmCase(384, 384, 384);
      for (let round = 0; round < 50 && !backend.threadTally().every((t) => t > 0); round++) {
        run(backend as unknown as AnyBackend, c);
      }
      const tally = backend.threadTally();
      expect(tally).toHaveLength(threads);
      for (let t = 0; t < threads; t++) expect(tally[t], `thread ${t} of ${threads}: ${tally}`).toBeGreaterThan(0);
    }
  });

  it('changes thread count on a live backend, keeping its tensors; refuses counts that are not 1 to 64', async () => {
    const backend = await createWasmBackend({ variant: 'simd', threads: 1 });
    try {
      const c = CASES[0]!;
      const before = run(backend as unknown as AnyBackend, c);
      backend.setThreads(3);
      expect(backend.threads).toBe(3);
      await workersReady(backend, 2);
      expect(maxDiff(run(backend as unknown as AnyBackend, c).c!, before.c!)).toBe(0);
      backend.setThreads(2);
      expect(backend.threads).toBe(2);
      expect(maxDiff(run(backend as unknown as AnyBackend, c).c!, before.c!)).toBe(0);
      for (const bad of [0, 1.5, 65, -1, Number.NaN]) {
        expect(() => backend.setThreads(bad)).toThrow(/setThreadsCount: the thread count must be a whole number from 1 to 64/);
      }
      expect(backend.threads).toBe(2);
      await expect(createWasmBackend({ threads: 0 })).rejects.toThrow(/wasm backend: the thread count must be/);
    } finally {
      backend.dispose();
    }
  });

  it('a task that traps (here: a pointer past the memory) throws from the job on any thread, and the pool goes on', async () => {
    const backend = backends[2]!;
    const pool = (backend as unknown as { pool: import('../../src/backends/wasm/threads.js').ThreadPool }).pool;
    const bad = backend.memory.buffer.byteLength + (1 << 20);
    for (let attempt = 0; attempt < 5; attempt++) {
      pool.begin();
      for (let t = 0; t < 6; t++) {
        const s = pool.task('unary');
        pool.args[s] = 0; pool.args[s + 1] = bad; pool.args[s + 2] = bad; pool.args[s + 3] = 1 << 16;
      }
      // On the calling thread the trap itself propagates; on a worker it is reported by the job.
      expect(() => pool.run()).toThrow(/out of bounds|a worker failed running unary/);
    }
    const c = CASES[0]!;
    expect(maxDiff(run(backend as unknown as AnyBackend, c).c!, oneThread.get(c.name)!.c!)).toBe(0);
  });

  it('runs on one thread, saying why, with a memory that is not shared', async () => {
    const backend = await createWasmBackend({ variant: 'simd', threads: 3,
      memory: new WebAssembly.Memory({ initial: 64, maximum: 65536 }) });
    expect(backend.threads).toBe(1);
    expect(backend.threadsUnavailable).toMatch(/a memory was given/);
    const c = CASES[0]!;
    expect(maxDiff(run(backend as unknown as AnyBackend, c).c!, oneThread.get(c.name)!.c!)).toBe(0);
  });
});
