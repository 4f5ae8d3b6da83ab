/**
 * model.fitDataset / evaluateDataset: the same trainer as fit, fed by a dataset. Over the
 * same batches it gives fit's weights exactly, and TF.js's fitDataset's History and weights.
 */
import { describe, it, expect, beforeAll, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';

beforeAll(async () => {
  await sora.setBackend('wasm');
  await tf.setBackend('cpu');
});

function mlp(lib: typeof sora, seed: number) {
  return lib.sequential({ layers: [
    lib.layers.dense({ inputShape: [4], units: 8, activation: 'relu', kernelInitializer: sora.initializers.glorotUniform({ seed }) as never }),
    lib.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: sora.initializers.glorotUniform({ seed: seed + 1 }) as never }),
  ] });
}

function batches(count: number, size: number) {
  const out: { x: Float32Array; y: Float32Array }[] = [];
  for (let b = 0; b < count; b++) {
    const x = new Float32Array(size * 4), y = new Float32Array(size * 3);
    for (let i = 0; i < size; i++) {
      for (let k = 0; k < 4; k++) x[i * 4 + k] = Math.sin(b * 31 + i * 7 + k * 3);
      y[i * 3 + (Math.abs(Math.round(x[i * 4] * 3 + x[i * 4 + 1])) % 3)] = 1;
    }
    out.push({ x, y });
  }
  return out;
}

describe('fitDataset', () => {
  it('over a generator gives the weights of fit over the same batches', async () => {
    const data = batches(6, 5);
    const a = mlp(sora, 3), b = mlp(sora, 3);
    a.compile({ optimizer: sora.train.adam(0.02), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    b.compile({ optimizer: sora.train.adam(0.02), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const ds = sora.data.generator(function* () {
      for (const { x, y } of data) yield { xs: sora.tensor(x, [5, 4]), ys: sora.tensor(y, [5, 3]) };
    });
    const h1 = await a.fitDataset(ds, { epochs: 2, verbose: 0 });
    const afterFirst = sora.memory().numTensors;
    sora.dispose(await a.evaluateDataset(ds));
    expect(sora.memory().numTensors).toBe(afterFirst);
    const x = sora.tensor(Float32Array.from(data.flatMap((d) => Array.from(d.x))), [30, 4]);
    const y = sora.tensor(Float32Array.from(data.flatMap((d) => Array.from(d.y))), [30, 3]);
    const h2 = await b.fit(x, y, { epochs: 2, batchSize: 5, shuffle: false, verbose: 0 });
    expect(h1.history).toEqual(h2.history);
    const wa = a.getWeights(), wb = b.getWeights();
    wa.forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(wb[i].dataSync())));
  });

  it('matches TF.js fitDataset: History with a validation dataset, and weights', async () => {
    const data = batches(4, 6);
    const ours = mlp(sora, 8);
    const theirs = tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [4], units: 8, activation: 'relu' }), tf.layers.dense({ units: 3, activation: 'softmax' })] });
    theirs.setWeights(ours.getWeights().map((w) => tf.tensor(w.dataSync() as Float32Array, w.shape)));
    ours.compile({ optimizer: sora.train.sgd(0.1), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    theirs.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const make = <L extends typeof sora | typeof tf>(lib: L, from: number, to: number) => (lib.data as typeof sora.data).array(data.slice(from, to))
      .map((d: { x: Float32Array; y: Float32Array }) => ({ xs: (lib as typeof sora).tensor(d.x, [6, 4]), ys: (lib as typeof sora).tensor(d.y, [6, 3]) }));
    const h = await ours.fitDataset(make(sora, 0, 3), { epochs: 3, validationData: make(sora, 3, 4), verbose: 0 });
    const th = await theirs.fitDataset(make(tf, 0, 3) as never, { epochs: 3, validationData: make(tf, 3, 4) as never, verbose: 0 });
    expect(Object.keys(h.history).sort()).toEqual(Object.keys(th.history).sort());
    for (const key of Object.keys(h.history)) {
      h.history[key].forEach((v, i) => expect(Math.abs(v - (th.history[key][i] as number)), key).toBeLessThan(1e-5));
    }
    const ev = await ours.evaluateDataset(make(sora, 3, 4)) as sora.Tensor[];
    const tev = await theirs.evaluateDataset(make(tf, 3, 4) as never, {}) as tf.Scalar[];
    ev.forEach((t, i) => expect(t.dataSync()[0]).toBeCloseTo(tev[i].dataSync()[0], 5));
  });

  it('batchesPerEpoch iterates on across epochs; callbacks and the progress line run; a dataset that runs out stops training', async () => {
    let pulled = 0;
    const model = mlp(sora, 5);
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const data = batches(5, 2);
    const ds = sora.data.generator(function* () {
      for (const { x, y } of data) { pulled++; yield [sora.tensor(x, [2, 4]), sora.tensor(y, [2, 3])]; }
    });
    const events: string[] = [];
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((s) => { lines.push(String(s)); return true; });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const h = await model.fitDataset(ds, { epochs: 4, batchesPerEpoch: 2, verbose: 2, callbacks: {
        onEpochBegin: (e) => { events.push(`epoch ${e}`); }, onBatchEnd: (b) => { events.push(`batch ${b}`); },
      } });
      expect(pulled).toBe(5);
      // The short epoch ends (onEpochEnd), then training stops. TF.js 4.22 warns that it is
      // "interrupting training" but runs the remaining epochs empty; sora does what it says.
      expect(h.epoch).toEqual([0, 1, 2]);
      expect(events).toEqual(['epoch 0', 'batch 0', 'batch 1', 'epoch 1', 'batch 0', 'batch 1', 'epoch 2', 'batch 0']);
      expect(String(warn.mock.calls[0][0])).toMatch(/the dataset ran out after 1 batches of epoch 3 \(batchesPerEpoch 2\)/);
      expect(lines.join('')).toMatch(/Epoch 1\/4\n2\/2 - [\d.]+s [\d.]+ms\/step - loss: [\d.]+/);
    } finally {
      write.mockRestore();
      warn.mockRestore();
    }
  });

  it('a NaN in a streamed batch names it and leaves the weights as before it', async () => {
    const data = batches(5, 4);
    data[3].x[2] = NaN;
    const stream = (count: number) => sora.data.array(data.slice(0, count)).map((d) => ({ xs: sora.tensor(d.x, [4, 4]), ys: sora.tensor(d.y, [4, 3]) }));
    const hit = mlp(sora, 11), clean = mlp(sora, 11);
    hit.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    clean.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    await expect(hit.fitDataset(stream(5), { epochs: 1, verbose: 0 }))
      .rejects.toThrow(/fitDataset: epoch 1, batch 4: the loss became NaN; training stopped and the weights were left as they were before this step/);
    await clean.fitDataset(stream(3), { epochs: 1, verbose: 0 });
    const a = hit.getWeights(), b = clean.getWeights();
    a.forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(b[i].dataSync())));
  });

  it('an element that is not a batch, or of the wrong shape, names the batch', async () => {
    const model = mlp(sora, 6);
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    await expect(model.fitDataset(sora.data.array([{ x: 1 }]), { epochs: 1, verbose: 0 }))
      .rejects.toThrow(/fitDataset: epoch 1, batch 1: each dataset element must be \{ xs, ys \} or \[xs, ys\].*received \{ x \}/);
    const wrong = sora.data.array([0]).map(() => ({ xs: sora.ones([2, 5]), ys: sora.ones([2, 3]) }));
    await expect(model.fitDataset(wrong, { epochs: 1, verbose: 0 })).rejects.toThrow(/batch 1: dense_Dense\d+ expects input of shape \[null,4\], received \[2,5\]/);
    await expect(model.fitDataset([] as never, { epochs: 1 })).rejects.toThrow(/expected a tf.data Dataset/);
  });
});
