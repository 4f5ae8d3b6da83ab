/**
 * Train a small MLP on MNIST, report the test accuracy, and show 25 test digits with their
 * predicted labels, in the terminal and as a PNG.
 *
 *   npm start                                   # build, then train on all 60,000 images
 *   MNIST_EPOCHS=1 MNIST_TRAIN_LIMIT=3000 node examples/mnist.mjs
 *
 * Environment: SORA_BACKEND (auto | wasm | webgpu | reference; default auto), MNIST_EPOCHS
 * (5), MNIST_BATCH_SIZE (32), MNIST_TRAIN_LIMIT / MNIST_TEST_LIMIT (all), MNIST_VERBOSE
 * (fit's verbose: 1 a progress bar in a terminal, 2 a line per epoch, 0 quiet),
 * MNIST_GRID_OFFSET (index of the first test digit shown, 0), MNIST_PNG (where the image
 * goes; default out/mnist-predictions.png in the repository), NO_COLOR, DEBUG (print the
 * stack of an error, not only its message).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sora from '../dist/index.js';
import { encodePng } from './lib/png.mjs';
import { imageGrid, terminalGrid } from './lib/digits.mjs';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A non-negative integer from the environment, or `fallback` when unset. */
function envInteger(name, fallback, { min = 0 } = {}) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be an integer >= ${min}; received ${name}=${JSON.stringify(raw)}`);
  }
  return value;
}

async function main() {
  const epochs = envInteger('MNIST_EPOCHS', 5, { min: 1 });
  const batchSize = envInteger('MNIST_BATCH_SIZE', 32, { min: 1 });
  const trainLimit = envInteger('MNIST_TRAIN_LIMIT', undefined, { min: 1 });
  const testLimit = envInteger('MNIST_TEST_LIMIT', undefined, { min: 25 });
  const verbose = envInteger('MNIST_VERBOSE', 1);
  if (verbose > 2) throw new Error(`MNIST_VERBOSE must be 0, 1 or 2; received ${verbose}`);
  const gridOffset = envInteger('MNIST_GRID_OFFSET', 0);
  const pngPath = resolve(process.env.MNIST_PNG || resolve(repoRoot, 'out', 'mnist-predictions.png'));
  const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;

  await sora.setBackend(process.env.SORA_BACKEND ?? 'auto');
  const env = sora.env();
  console.log(`sora backend: ${env.backend} — ${env.description}`);

  let started = performance.now();
  const mnist = await sora.data.loadMnist({ trainLimit, testLimit });
  const { rows, cols, train, test } = mnist;
  console.log(`MNIST: ${train.count} training and ${test.count} test images of ${rows}x${cols} ` +
    `(loaded in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  if (gridOffset + 25 > test.count) {
    throw new Error(`MNIST_GRID_OFFSET=${gridOffset} leaves fewer than 25 of the ${test.count} test images to show`);
  }

  const xTrain = sora.tensor(train.images, [train.count, rows, cols]);
  const yTrain = sora.utils.toCategorical(train.labels, 10);
  const xTest = sora.tensor(test.images, [test.count, rows, cols]);
  const yTest = sora.utils.toCategorical(test.labels, 10);

  const model = sora.sequential({
    layers: [
      sora.layers.flatten({ inputShape: [rows, cols] }),
      sora.layers.dense({ units: 64, activation: 'relu' }),
      sora.layers.dense({ units: 64, activation: 'relu' }),
      sora.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  model.summary();

  console.log(`\nTraining: ${epochs} epoch${epochs === 1 ? '' : 's'}, batch size ${batchSize}`);
  started = performance.now();
  await model.fit(xTrain, yTrain, { epochs, batchSize, verbose });
  const trainSeconds = (performance.now() - started) / 1000;
  console.log(`Trained in ${trainSeconds.toFixed(1)} s (${(trainSeconds / epochs).toFixed(2)} s/epoch)`);

  const [lossTensor, accuracyTensor] = await model.evaluate(xTest, yTest, { batchSize: 256 });
  const testLoss = (await lossTensor.data())[0];
  const testAccuracy = (await accuracyTensor.data())[0];
  sora.dispose([lossTensor, accuracyTensor]);
  console.log(`\nTest accuracy: ${(testAccuracy * 100).toFixed(2)}% on ${test.count} test images (loss ${testLoss.toFixed(4)})`);

  // The grid: 25 consecutive test digits from MNIST_GRID_OFFSET.
  const shown = 25;
  const images = test.images.subarray(gridOffset * rows * cols, (gridOffset + shown) * rows * cols);
  const actual = Array.from(test.labels.subarray(gridOffset, gridOffset + shown));
  const predicted = sora.tidy(() => {
    const probabilities = model.predict(sora.tensor(images, [shown, rows, cols]));
    return Array.from(probabilities.argMax(-1).dataSync());
  });
  const right = predicted.filter((p, i) => p === actual[i]).length;

  console.log(`\nTest digits ${gridOffset}..${gridOffset + shown - 1} with their predicted labels ` +
    `(${right}/${shown} right):\n`);
  for (const line of terminalGrid({ images, rows, cols, predicted, actual, color })) console.log(line);

  const canvas = imageGrid({
    images, rows, cols, predicted, actual,
    title: [
      `SORA MNIST: TEST ACCURACY ${(testAccuracy * 100).toFixed(2)}%`,
      `TEST DIGITS ${gridOffset}-${gridOffset + shown - 1}: ${right}/${shown} RIGHT (GREEN RIGHT, RED WRONG)`,
    ],
  });
  mkdirSync(dirname(pngPath), { recursive: true });
  writeFileSync(pngPath, encodePng({ width: canvas.width, height: canvas.height, channels: 3, pixels: canvas.pixels }));
  const shownPath = relative(process.cwd(), pngPath);
  console.log(`Wrote ${shownPath.startsWith('..') ? pngPath : shownPath} (${canvas.width}x${canvas.height} PNG)`);

  sora.dispose([xTrain, yTrain, xTest, yTest]);
  model.dispose();
}

try {
  await main();
} catch (error) {
  // A short message for the errors a user can fix (bad settings, no such backend); the stack with DEBUG.
  console.error(`examples/mnist.mjs: ${process.env.DEBUG ? error.stack : error.message}`);
  process.exitCode = 1;
}
