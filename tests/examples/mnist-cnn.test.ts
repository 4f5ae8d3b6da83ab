/**
 * examples/mnist-cnn.mjs at a reduced size: the conv2d / maxPooling2d network trained for one
 * epoch on the first 6,000 MNIST training images (batch 32, adam, seeded weights, no shuffle) on the
 * wasm backend classifies the first 1,000 test images with more than 90% accuracy (measured: 93.6%,
 * 6 to 23 s per epoch on a shared 2-core machine). The full run (3 epochs on 60,000) is `npm run mnist:cnn`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sora from '../../src/index.js';
// @ts-expect-error: a plain ES module without type declarations
import { mnistCnn, trainMnistCnn } from '../../examples/mnist-cnn.mjs';

beforeAll(async () => { await sora.setBackend('wasm'); });
afterAll(async () => { await sora.setBackend('reference'); });

describe('the MNIST CNN example', () => {
  it('has the layers and parameter count of the classic network (Keras reports 225,034)', () => {
    const model = mnistCnn(sora);
    expect(model.layers.map((l: sora.Layer) => l.getClassName())).toEqual(
      ['Conv2D', 'MaxPooling2D', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dense', 'Dense']);
    expect(model.outputShape).toEqual([null, 10]);
    expect(model.layers[3].outputShape).toEqual([null, 5, 5, 64]);
    expect(model.countParams()).toBe(225034);
    model.dispose();
  });

  it('one epoch on 6,000 images (seeded, so it repeats): > 90% on 1,000 test images (wasm), leaving no tensor behind', async () => {
    expect(sora.getBackend()).toBe('wasm');
    const mnist = await sora.data.loadMnist({ trainLimit: 6000, testLimit: 1000 });
    const before = sora.memory().numTensors;
    const { model, testAccuracy, secondsPerEpoch } = await trainMnistCnn(sora, mnist, { epochs: 1, batchSize: 32, seed: 16 });
    console.log(`mnist-cnn (6,000 images, 1 epoch, wasm): test accuracy ${(testAccuracy * 100).toFixed(1)}%, ${secondsPerEpoch.toFixed(1)} s/epoch`);
    expect(testAccuracy).toBeGreaterThan(0.9);
    model.dispose();
    expect(sora.memory().numTensors).toBe(before);
  }, 300_000);

  it('the script refuses a bad setting with a one-line error naming it (against dist/, as a user runs it)', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const run = spawnSync(process.execPath, ['examples/mnist-cnn.mjs'], { cwd: root, env: { ...process.env, MNIST_EPOCHS: 'two' }, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('examples/mnist-cnn.mjs: MNIST_EPOCHS must be an integer >= 1; received MNIST_EPOCHS="two"');
  });
});
