/**
 * Train the classic MNIST convolutional network and report its test accuracy and seconds per epoch:
 *
 *   conv2d(32, 3x3, relu) -> maxPooling2d(2) -> conv2d(64, 3x3, relu) -> maxPooling2d(2)
 *     -> flatten -> dense(128, relu) -> dense(10, softmax)
 *
 *   npm run mnist:cnn                                  # build, then 3 epochs on all 60,000 images
 *   MNIST_EPOCHS=1 MNIST_TRAIN_LIMIT=6000 MNIST_TEST_LIMIT=1000 node examples/mnist-cnn.mjs
 *
 * Environment: SORA_BACKEND (auto | wasm | webgpu | reference; default auto), MNIST_EPOCHS (3),
 * MNIST_BATCH_SIZE (64), MNIST_TRAIN_LIMIT / MNIST_TEST_LIMIT (all), MNIST_VERBOSE (fit's verbose:
 * 1 a progress bar in a terminal, 2 a line per epoch, 0 quiet), DEBUG (print an error's stack).
 */
import { pathToFileURL } from 'node:url';

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

/**
 * The network above, for `rows` x `cols` grey images, compiled with adam and categorical cross-entropy. With
 * a `seed`, the kernels start from seeded initializers (TF.js's defaults: glorotNormal for the convolutions,
 * glorotUniform for the dense layers), so that a run repeats.
 */
export function mnistCnn(sora, rows = 28, cols = 28, seed = undefined) {
  const init = (name, k) => (seed === undefined ? undefined : sora.initializers[name]({ seed: seed + k }));
  const model = sora.sequential({
    layers: [
      sora.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [rows, cols, 1], kernelInitializer: init('glorotNormal', 0) }),
      sora.layers.maxPooling2d({ poolSize: 2 }),
      sora.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: init('glorotNormal', 1) }),
      sora.layers.maxPooling2d({ poolSize: 2 }),
      sora.layers.flatten(),
      sora.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init('glorotUniform', 2) }),
      sora.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: init('glorotUniform', 3) }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/**
 * Trains mnistCnn on `mnist` (from sora.data.loadMnist) and evaluates it on the test split:
 * { model, testAccuracy, testLoss, secondsPerEpoch }. With a `seed`, the initial weights are seeded and
 * the examples are not shuffled: the run repeats exactly.
 */
export async function trainMnistCnn(sora, mnist, { epochs = 3, batchSize = 64, verbose = 0, seed = undefined } = {}) {
  const { rows, cols, train, test } = mnist;
  const xTrain = sora.tensor(train.images, [train.count, rows, cols, 1]);
  const yTrain = sora.utils.toCategorical(train.labels, 10);
  const xTest = sora.tensor(test.images, [test.count, rows, cols, 1]);
  const yTest = sora.utils.toCategorical(test.labels, 10);
  const model = mnistCnn(sora, rows, cols, seed);
  const started = performance.now();
  await model.fit(xTrain, yTrain, { epochs, batchSize, verbose, shuffle: seed === undefined });
  const secondsPerEpoch = (performance.now() - started) / 1000 / epochs;
  const [lossTensor, accuracyTensor] = await model.evaluate(xTest, yTest, { batchSize: 256 });
  const testLoss = (await lossTensor.data())[0];
  const testAccuracy = (await accuracyTensor.data())[0];
  sora.dispose([lossTensor, accuracyTensor, xTrain, yTrain, xTest, yTest]);
  return { model, testAccuracy, testLoss, secondsPerEpoch };
}

async function main() {
  const sora = await import('../dist/index.js');
  const epochs = envInteger('MNIST_EPOCHS', 3, { min: 1 });
  const batchSize = envInteger('MNIST_BATCH_SIZE', 64, { min: 1 });
  const trainLimit = envInteger('MNIST_TRAIN_LIMIT', undefined, { min: 1 });
  const testLimit = envInteger('MNIST_TEST_LIMIT', undefined, { min: 1 });
  const verbose = envInteger('MNIST_VERBOSE', 1);
  if (verbose > 2) throw new Error(`MNIST_VERBOSE must be 0, 1 or 2; received ${verbose}`);

  await sora.setBackend(process.env.SORA_BACKEND ?? 'auto');
  const env = sora.env();
  console.log(`sora backend: ${env.backend} — ${env.description}`);
  const mnist = await sora.data.loadMnist({ trainLimit, testLimit });
  console.log(`MNIST: ${mnist.train.count} training and ${mnist.test.count} test images of ${mnist.rows}x${mnist.cols}`);
  mnistCnn(sora, mnist.rows, mnist.cols).summary();

  console.log(`\nTraining: ${epochs} epoch${epochs === 1 ? '' : 's'}, batch size ${batchSize}, adam`);
  const { model, testAccuracy, testLoss, secondsPerEpoch } = await trainMnistCnn(sora, mnist, { epochs, batchSize, verbose });
  console.log(`Trained at ${secondsPerEpoch.toFixed(1)} s/epoch`);
  console.log(`Test accuracy: ${(testAccuracy * 100).toFixed(2)}% on ${mnist.test.count} test images (loss ${testLoss.toFixed(4)})`);
  model.dispose();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    await main();
  } catch (error) {
    console.error(`examples/mnist-cnn.mjs: ${process.env.DEBUG ? error.stack : error.message}`);
    process.exitCode = 1;
  }
}
