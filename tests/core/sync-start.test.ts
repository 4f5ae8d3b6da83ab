/**
 * No `await ready()` needed (issue 15): the first op, or getBackend(), starts a backend at once,
 * as TF.js's default backends start. In Node that is wasm, read beside its module and compiled
 * synchronously. A TF.js program with no ready() trains to the numbers TF.js (cpu) gives;
 * ready() afterwards keeps the same wasm instance; tensors, variables and a model made before a
 * backend change keep working after it (read, ops, gradients, fit). The engine's choice is also
 * tested on its own, with stand-in factories: the order, the reasons, an upgrade by ready(),
 * and a ready() in flight when an op starts a backend.
 *
 * The first tests depend on running first in this file (vitest gives each file a fresh engine).
 */
import { describe, expect, it, vi } from 'vitest';
import * as tfjs from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { Engine, ENGINE } from '../../src/core/engine.js';
import type { Backend, BackendName } from '../../src/backends/backend.js';
import { createReferenceBackend } from '../../src/backends/reference/index.js';
import { BACKEND_FACTORIES } from '../../src/backends/select.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type TF = any;

/** A TF.js-style program with no ready(): a small regression trained by fit from fixed weights. */
async function program(tf: TF): Promise<{ first: string; backend: string; losses: number[]; prediction: number[] }> {
  const first = tf.getBackend();
  const model = tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [3], units: 4, activation: 'relu' }),
    tf.layers.dense({ units: 1 }),
  ] });
  model.setWeights([
    tf.tensor2d([[0.2, -0.1, 0.4, 0.3], [-0.3, 0.25, 0.1, -0.2], [0.15, 0.3, -0.25, 0.05]]),
    tf.tensor1d([0.01, 0.02, -0.01, 0]),
    tf.tensor2d([[0.5], [-0.4], [0.3], [0.2]]),
    tf.tensor1d([0.1]),
  ]);
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
  const xs = tf.tensor2d(Array.from({ length: 16 }, (_, i) => [Math.sin(i), Math.cos(i * 0.5), (i % 4) / 4]));
  const ys = tf.tensor2d(Array.from({ length: 16 }, (_, i) => [Math.sin(i) * 0.5 + (i % 4) / 8]));
  const history = await model.fit(xs, ys, { epochs: 5, batchSize: 4, shuffle: false, verbose: 0 });
  const prediction = Array.from(model.predict(xs).dataSync() as Float32Array).slice(0, 4);
  return { first, backend: tf.getBackend(), losses: history.history.loss as number[], prediction };
}

describe('the first op starts a backend at once (Node)', () => {
  it('getBackend() with no ready() starts wasm, read and compiled synchronously; env() says what was passed over', () => {
    expect(ENGINE.hasBackend()).toBe(false);
    expect(sora.env().backend).toBeNull(); // env() looks without starting anything
    expect(sora.getBackend()).toBe('wasm');
    // vitest runs Node with --experimental-wasm-relaxed-simd, so the relaxed build is the one.
    expect(sora.env().description).toBe('wasm (SIMD + relaxed SIMD)');
    expect(sora.env().syncStart).toEqual({
      backend: 'wasm', passedOver: ['webgpu: starts only asynchronously (await sora.ready())'],
    });
    expect(sora.matMul(sora.tensor2d([[1, 2], [3, 4]]), sora.tensor2d([[5], [6]])).arraySync()).toEqual([[17], [39]]);
  });

  it('a TF.js program with no ready() trains as it does on TF.js', async () => {
    const theirs = await program(tfjs);
    const ours = await program(sora);
    // TF.js's getBackend() before any op is undefined (it names a backend only once one has
    // started); sora's starts the backend the first op would, so it always gives a name, as its
    // return type says. A deliberate difference (issue 15 asks getBackend() to start one).
    expect(theirs.first).toBeUndefined();
    expect(theirs.backend).toBe('cpu');
    expect(ours.first).toBe('wasm');
    expect(ours.backend).toBe('wasm');
    expect(ours.losses.length).toBe(5);
    expect(ours.losses[4]).toBeLessThan(ours.losses[0]);
    for (let i = 0; i < 5; i++) expect(ours.losses[i]).toBeCloseTo(theirs.losses[i], 5);
    for (let i = 0; i < 4; i++) expect(ours.prediction[i]).toBeCloseTo(theirs.prediction[i], 5);
  });

  it("ready() after the sync start runs 'auto', which keeps the same wasm instance (nothing moves)", async () => {
    const before = ENGINE.backend;
    const t = sora.tensor1d([1, 2, 3]);
    await sora.ready();
    expect(ENGINE.backend).toBe(before);
    expect(t.ref.backend).toBe(before);
    expect(sora.env().syncStart).toBeNull();
    expect(sora.env().autoSkipped.map((line) => line.split(':')[0])).toEqual(['webgpu']);
    t.dispose();
  });
});

describe('tensors made before a backend change keep working', () => {
  it('reads, ops, views, gradients, variables and a model made on wasm work on reference and back', async () => {
    await sora.setBackend('wasm');
    const x = sora.tensor2d([[1, -2, 3], [0.5, 4, -1]]);
    const view = x.reshape([3, 2]);
    const v = sora.variable(sora.tensor1d([0.5, -0.25, 1]));
    const model = sora.sequential({ layers: [sora.layers.dense({ inputShape: [3], units: 2, kernelInitializer: 'ones' })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const y = sora.tensor2d([[1, 0], [0, 1]]);
    const before = model.predict(x).dataSync();
    const wasm = ENGINE.backend;

    await sora.setBackend('reference');
    expect(sora.getBackend()).toBe('reference');
    expect(Array.from(x.dataSync())).toEqual([1, -2, 3, 0.5, 4, -1]); // read where it lives
    expect(x.ref.backend).toBe(wasm);
    expect(sora.add(x, 1).arraySync()).toEqual([[2, -1, 4], [1.5, 5, 0]]); // an op moves it
    expect(x.ref.backend.name).toBe('reference');
    expect(view.arraySync()).toEqual([[1, -2], [3, 0.5], [4, -1]]); // the view shares the moved data
    const dx = sora.grad((t: sora.Tensor) => sora.sum(sora.mul(t, v)))(x);
    expect(dx.arraySync()).toEqual([[0.5, -0.25, 1], [0.5, -0.25, 1]]);
    const after = model.predict(x).dataSync();
    for (let i = 0; i < before.length; i++) expect(after[i]).toBeCloseTo(before[i], 6);
    const history = await model.fit(x, y, { epochs: 3, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses[2]).toBeLessThan(losses[0]);
    sora.train.sgd(0.5).minimize(() => sora.sum(sora.square(v)), false, [v]);
    expect(Array.from(v.dataSync())).toEqual([0, 0, 0]);

    await sora.setBackend('wasm');
    expect(ENGINE.backend).toBe(wasm);
    expect(sora.sub(x, view.reshape([2, 3])).arraySync()).toEqual([[0, 0, 0], [0, 0, 0]]);
    expect(model.predict(x).shape).toEqual([2, 2]);
    expect(v.ref.backend.name).toBe('reference'); // not used since: still where it was
    expect(Array.from(sora.add(v, 1).dataSync())).toEqual([1, 1, 1]);
    expect(v.ref.backend).toBe(wasm);
    sora.dispose([x, view, v, y, dx]);
    model.dispose();
  });
});

/** A backend read only asynchronously, as webgpu is (a reference backend underneath). */
function asyncOnly(): Backend {
  const backend = createReferenceBackend();
  const readSync = backend.readSync.bind(backend);
  return Object.assign(backend, {
    name: 'webgpu', syncReadable: false, description: 'async stand-in',
    read: async (storage: Parameters<typeof readSync>[0]) => readSync(storage),
    readSync: () => { throw new Error('async stand-in: read with await data()'); },
  }) as unknown as Backend;
}

describe('tensors on a backend read only asynchronously', () => {
  it('move when setBackend leaves it, so reads (dataSync too), ops, gradients and fit work on the new one', async () => {
    const gpu = asyncOnly();
    const original = BACKEND_FACTORIES.find((f) => f.name === 'webgpu')!;
    ENGINE.registerBackend({ name: 'webgpu', priority: 3, create: async () => gpu });
    try {
      await sora.setBackend('webgpu');
      const x = sora.tensor2d([[1, -2], [3, 4]]);
      const view = x.reshape([4]);
      const model = sora.sequential({ layers: [sora.layers.dense({ inputShape: [2], units: 1, kernelInitializer: 'ones' })] });
      model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const before = await model.predict(x).data();
      expect(() => x.dataSync()).toThrow(/lives on the 'webgpu' backend, whose data can only be read asynchronously/);
      const disposed = sora.tensor1d([5]);
      disposed.dispose();

      await sora.setBackend('wasm');
      const wasm = ENGINE.backend;
      expect(x.ref.backend).toBe(wasm); // moved by setBackend, not on first use
      expect(Array.from(x.dataSync())).toEqual([1, -2, 3, 4]);
      expect(Array.from(view.dataSync())).toEqual([1, -2, 3, 4]);
      expect(sora.mul(x, 2).arraySync()).toEqual([[2, -4], [6, 8]]);
      expect(sora.grad((t: sora.Tensor) => sora.sum(sora.square(t)))(x).arraySync()).toEqual([[2, -4], [6, 8]]);
      expect(Array.from(model.predict(x).dataSync())).toEqual(Array.from(before));
      const history = await model.fit(x, sora.tensor2d([[0], [1]]), { epochs: 3, verbose: 0 });
      expect((history.history.loss as number[])[2]).toBeLessThan((history.history.loss as number[])[0]);
      expect(gpu.bytesInUse()).toBe(0); // every storage left it
      sora.dispose([x, view]);
      model.dispose();
    } finally {
      ENGINE.registerBackend(original);
      ENGINE.dropBackend('webgpu');
    }
  });
});

/** A stand-in backend with its own name, for the engine's choice alone. */
function standIn(name: BackendName): Backend {
  return Object.assign(createReferenceBackend(), { name, description: `stand-in ${name}` }) as unknown as Backend;
}

describe("the engine's synchronous start", () => {
  it('takes the highest priority that starts at once, listing why each above it did not', async () => {
    const engine = new Engine();
    engine.registerBackend({ name: 'webgpu', priority: 3, create: async () => standIn('webgpu') });
    engine.registerBackend({
      name: 'wasm', priority: 2, create: async () => standIn('wasm'),
      createSync: () => { throw new Error('http://x/sora-relaxed.wasm can only be fetched asynchronously'); },
    });
    expect(engine.backend.name).toBe('reference');
    expect(engine.syncStart).toEqual({ backend: 'reference', passedOver: [
      'webgpu: starts only asynchronously (await sora.ready())',
      'wasm: http://x/sora-relaxed.wasm can only be fetched asynchronously',
    ] });
    // ready() still reaches the best backend, and says so by clearing syncStart.
    const best = await engine.ready();
    expect(best.name).toBe('webgpu');
    expect(engine.backend).toBe(best);
    expect(engine.syncStart).toBeNull();
    expect(await engine.ready()).toBe(best); // once chosen, ready() does not choose again
  });

  it('warns once when a backend that could run here failed to load, and throws when nothing starts at once', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const engine = new Engine();
      engine.registerBackend({
        name: 'wasm', priority: 2, create: async () => standIn('wasm'),
        createSync: () => { throw Object.assign(new Error('could not load file:///x.wasm: ENOENT'), { loadFailure: true }); },
      });
      expect(engine.backend.name).toBe('reference');
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/first op started 'reference'.*could not load file:\/\/\/x\.wasm/);
    } finally {
      warn.mockRestore();
    }
    const none = new Engine();
    for (const [name, priority] of [['webgpu', 3], ['wasm', 2], ['reference', 1]] as const) {
      none.registerBackend({ name, priority, create: async () => standIn(name) });
    }
    expect(() => none.backend).toThrow(new RegExp('^sora: no backend starts synchronously here:\n' +
      ' {2}webgpu: starts only asynchronously \\(await sora\\.ready\\(\\)\\)\n {2}wasm: .*\n {2}reference: .*\n' +
      '`await sora\\.ready\\(\\)` \\(or `await sora\\.setBackend\\(\'auto\'\\)`\\) before the first op$'));
    expect(none.hasBackend()).toBe(false);
  });

  it('an op during a ready() in flight starts a backend at once, and ready() then keeps that instance', async () => {
    const engine = new Engine();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const created: Backend[] = [];
    engine.registerBackend({ name: 'webgpu', priority: 3, create: async () => { throw new Error('no adapter'); } });
    engine.registerBackend({
      name: 'wasm', priority: 2,
      create: async () => { await gate; const b = standIn('wasm'); created.push(b); return b; },
      createSync: () => { const b = standIn('wasm'); created.push(b); return b; },
    });
    const pending = engine.ready();
    await new Promise((r) => setTimeout(r, 0)); // the webgpu attempt fails, wasm's create waits
    const started = engine.backend;
    expect(started.name).toBe('wasm');
    expect(engine.syncStart?.backend).toBe('wasm');
    release();
    expect(await pending).toBe(started);
    expect(created.length).toBe(2); // the async one was made, then dropped for the one in use
    expect(engine.backend).toBe(started);
    expect(engine.syncStart).toBeNull();
  });
});
