/**
 * fit and fitDataset give the event loop a turn as TF.js's yieldEvery does: 'auto' (every
 * 125 ms) by default, 'batch', 'epoch', a number of milliseconds, or 'never'. Training time is
 * made by an onBatchEnd that holds the thread a few ms, so the counts do not hang on the
 * machine's speed. The headless Chromium side (animation frames) is yield-chromium.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';

beforeAll(async () => {
  await sora.setBackend('wasm');
  await tf.setBackend('cpu');
});

type Lib = typeof sora | typeof tf;

function model(lib: Lib) {
  const m = (lib as typeof sora).sequential({ layers: [
    (lib as typeof sora).layers.dense({ inputShape: [4], units: 8, activation: 'relu' }),
    (lib as typeof sora).layers.dense({ units: 2, activation: 'softmax' }),
  ] });
  m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  return m;
}

function data(lib: Lib, samples: number) {
  const x = new Float32Array(samples * 4).map((_, i) => Math.sin(i * 0.37));
  const y = new Float32Array(samples * 2).map((_, i) => ((i >> 1) + (i & 1)) % 2);
  return [(lib as typeof sora).tensor2d(x, [samples, 4]), (lib as typeof sora).tensor2d(y, [samples, 2])] as const;
}

const hold = (ms: number) => { const end = performance.now() + ms; while (performance.now() < end) { /* busy */ } };

/** Counts a chain of setTimeout(0) ticks while `run` goes; each batch holds the thread `ms`. */
async function ticksDuring(run: (onBatchEnd: () => void) => Promise<unknown>, ms = 5): Promise<number> {
  let ticks = 0, on = true;
  const tick = () => { if (!on) return; ticks++; setTimeout(tick, 0); };
  setTimeout(tick, 0);
  try {
    await run(() => hold(ms));
  } finally {
    on = false;
  }
  return ticks;
}

describe('fit yields to the event loop (yieldEvery)', () => {
  // 64 batches of 5 ms: about 320 ms of training in one epoch.
  const fitTicks = (yieldEvery?: unknown, epochs = 1, batches = 64) => ticksDuring((onBatchEnd) => {
    const m = model(sora);
    const [x, y] = data(sora, batches * 4);
    return m.fit(x, y, { epochs, batchSize: 4, verbose: 0, callbacks: { onBatchEnd }, yieldEvery: yieldEvery as never })
      .finally(() => { x.dispose(); y.dispose(); m.dispose?.(); });
  });

  it("'auto' (the default) lets timers run about every 125 ms", async () => {
    expect(await fitTicks()).toBeGreaterThanOrEqual(1);
    expect(await fitTicks('auto')).toBeGreaterThanOrEqual(1);
  });

  it('a number of milliseconds lets timers run about that often', async () => {
    // ~320 ms at 20 ms: ~16 yields; a generous floor for a loaded machine.
    expect(await fitTicks(20)).toBeGreaterThanOrEqual(5);
    // 0 ms: after every batch, as TF.js documents a number.
    expect(await fitTicks(0, 1, 16)).toBeGreaterThanOrEqual(12);
  });

  it("'batch' yields after every batch, 'epoch' after every epoch", async () => {
    expect(await fitTicks('batch', 1, 16)).toBeGreaterThanOrEqual(12);
    // 3 epochs of 8 batches: a turn after each of the first two epochs at least.
    expect(await fitTicks('epoch', 3, 8)).toBeGreaterThanOrEqual(2);
  });

  it("'never' lets no timer run", async () => {
    expect(await fitTicks('never')).toBe(0);
  });

  it('fitDataset yields the same way', async () => {
    const run = (yieldEvery?: unknown) => ticksDuring((onBatchEnd) => {
      const m = model(sora);
      const [x, y] = data(sora, 256);
      const ds = sora.data.zip({ xs: sora.data.array(x.unstack()), ys: sora.data.array(y.unstack()) }).batch(4);
      return m.fitDataset(ds, { epochs: 1, verbose: 0, callbacks: { onBatchEnd }, yieldEvery: yieldEvery as never })
        .finally(() => { x.dispose(); y.dispose(); });
    });
    expect(await run()).toBeGreaterThanOrEqual(1);
    expect(await run(20)).toBeGreaterThanOrEqual(5);
    expect(await run('never')).toBe(0);
  });

  it('onYield runs at each timed yield with (epoch, batch, logs), as in TF.js', async () => {
    const calls: [number, number][] = [];
    const m = model(sora);
    const [x, y] = data(sora, 128);
    await m.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, yieldEvery: 10, callbacks: {
      onBatchEnd: () => hold(4), onYield: (epoch: number, batch: number, logs: sora.Logs) => {
        expect(typeof logs.batch).toBe('number');
        calls.push([epoch, batch]);
      },
    } as never });
    expect(calls.length).toBeGreaterThanOrEqual(6);
    expect(calls.some(([e]) => e === 1)).toBe(true);
    // 'batch' and 'epoch' yield without onYield (TF.js calls it on its timer only).
    let called = 0;
    await m.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0, yieldEvery: 'batch', callbacks: { onYield: () => { called++; } } as never });
    expect(called).toBe(0);
    x.dispose(); y.dispose();
  });

  it('yielding does not change what is learned', async () => {
    const losses = async (yieldEvery: unknown) => {
      const m = sora.sequential({ layers: [sora.layers.dense({ inputShape: [4], units: 2, activation: 'softmax',
        kernelInitializer: sora.initializers.glorotUniform({ seed: 3 }) as never })] });
      m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
      const [x, y] = data(sora, 64);
      const h = await m.fit(x, y, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0, yieldEvery: yieldEvery as never });
      x.dispose(); y.dispose();
      return h.history.loss;
    };
    expect(await losses('batch')).toEqual(await losses('never'));
  });

  it('refuses an invalid yieldEvery, naming it and the accepted values', async () => {
    const m = model(sora);
    const [x, y] = data(sora, 8);
    for (const bad of ['sometimes', -5, Number.NaN, true, {}]) {
      await expect(m.fit(x, y, { verbose: 0, yieldEvery: bad as never })).rejects.toThrow(
        /fit: yieldEvery must be 'auto', 'batch', 'epoch', 'never' or a number of milliseconds >= 0; received /);
    }
    await expect(m.fit(x, y, { verbose: 0, yieldEvery: 'sometimes' as never })).rejects.toThrow(/received 'sometimes'/);
    await expect(m.fit(x, y, { verbose: 0, yieldEvery: -5 })).rejects.toThrow(/received -5$/);
    const ds = sora.data.zip({ xs: sora.data.array(x.unstack()), ys: sora.data.array(y.unstack()) }).batch(4);
    await expect(m.fitDataset(ds, { epochs: 1, verbose: 0, yieldEvery: 'frame' as never })).rejects.toThrow(
      /fitDataset: yieldEvery must be .*received 'frame'/);
    // As TF.js: 'never' with an onYield callback is a contradiction.
    await expect(m.fit(x, y, { verbose: 0, yieldEvery: 'never', callbacks: { onYield: () => {} } as never })).rejects.toThrow(
      /yieldEvery is 'never' but a callback has onYield/);
    x.dispose(); y.dispose();
  });

  it('TF.js yields the same way on the same program (reference)', async () => {
    const run = (yieldEvery: unknown) => ticksDuring((onBatchEnd) => {
      const m = model(tf);
      const [x, y] = data(tf, 256);
      return (m as unknown as tf.LayersModel).fit(x as never, y as never,
        { epochs: 1, batchSize: 4, verbose: 0, callbacks: { onBatchEnd }, yieldEvery: yieldEvery as never })
        .finally(() => { (x as never as tf.Tensor).dispose(); (y as never as tf.Tensor).dispose(); });
    });
    expect(await run('auto')).toBeGreaterThanOrEqual(1);
    expect(await run(20)).toBeGreaterThanOrEqual(5);
    expect(await run('never')).toBe(0);
  });
});
