/**
 * The models the page offers: the seed MLP of examples/mnist.mjs, a wider MLP, and the MNIST CNN of
 * examples/mnist-cnn.mjs (the same layers, the same seeded initializers), written out here because
 * that script imports Node modules. The MLPs read [n, 28, 28] images and the CNN [n, 28, 28, 1]; the
 * page shapes its images by the model's input (see `inputShapeOf`), so a model loaded from files or
 * IndexedDB is fed as it was built.
 */
import * as sora from 'sora';

export const MODEL_NAMES = ['mlp', 'wide', 'cnn'];

/**
 * With a `seed`, layer k's kernel starts from TF.js's default initializer for its kind seeded with
 * seed + k (as examples/mnist-cnn.mjs seeds its CNN), so the page and a Node script build the same
 * weights; without one, from unseeded defaults.
 */
const seeded = (seed, name, k) => (seed === undefined ? undefined : sora.initializers[name]({ seed: seed + k }));

const mlp = (hidden, seed) => sora.sequential({
  layers: [
    sora.layers.flatten({ inputShape: [28, 28] }),
    ...hidden.map((units, k) => sora.layers.dense({ units, activation: 'relu', kernelInitializer: seeded(seed, 'glorotUniform', k) })),
    sora.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: seeded(seed, 'glorotUniform', hidden.length) }),
  ],
});

/** conv2d(32, 3, relu) -> maxPooling2d(2) -> conv2d(64, 3, relu) -> maxPooling2d(2) -> flatten -> dense(128, relu) -> dense(10, softmax). */
const cnn = (seed) => sora.sequential({
  layers: [
    sora.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1], kernelInitializer: seeded(seed, 'glorotNormal', 0) }),
    sora.layers.maxPooling2d({ poolSize: 2 }),
    sora.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: seeded(seed, 'glorotNormal', 1) }),
    sora.layers.maxPooling2d({ poolSize: 2 }),
    sora.layers.flatten(),
    sora.layers.dense({ units: 128, activation: 'relu', kernelInitializer: seeded(seed, 'glorotUniform', 2) }),
    sora.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: seeded(seed, 'glorotUniform', 3) }),
  ],
});

/**
 * 'mlp' (784-64-64-10), 'wide' (784-512-256-10) or 'cnn'; `seed` (an integer) seeds the initial
 * weights. Anything else is an Error naming it.
 */
export function buildModel(name, { seed } = {}) {
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new Error(`buildModel: seed must be an integer; received seed=${JSON.stringify(seed)}`);
  if (name === 'mlp') return mlp([64, 64], seed);
  if (name === 'wide') return mlp([512, 256], seed);
  if (name === 'cnn') return cnn(seed);
  throw new Error(`buildModel: unknown model ${JSON.stringify(name)}; expected one of ${MODEL_NAMES.map((n) => `'${n}'`).join(', ')}`);
}

/**
 * The shape of one image as `model` reads it ([28, 28] or [28, 28, 1]), from its input layer; an Error
 * naming the shape when it does not hold a 28x28 image.
 */
export function inputShapeOf(model) {
  const shape = model.inputs[0].shape.slice(1);
  const size = shape.reduce((a, b) => a * (b ?? Number.NaN), 1);
  if (size !== 784) throw new Error(`this model reads inputs of shape [${shape.join(', ')}], not a 28x28 image (784 values)`);
  return shape;
}
