/**
 * The models the page offers. The CNN waits for sora's conv and pooling layers; its option
 * stays disabled in index.html until they exist.
 */
import * as sora from 'sora';

const mlp = (hidden) => sora.sequential({
  layers: [
    sora.layers.flatten({ inputShape: [28, 28] }),
    ...hidden.map((units) => sora.layers.dense({ units, activation: 'relu' })),
    sora.layers.dense({ units: 10, activation: 'softmax' }),
  ],
});

/** 'mlp' (the seed MLP of examples/mnist.mjs), 'wide'; anything else is an Error naming it. */
export function buildModel(name) {
  if (name === 'mlp') return mlp([64, 64]);
  if (name === 'wide') return mlp([512, 256]);
  if (name === 'cnn') throw new Error('The CNN needs conv2d and maxPooling2d layers, which sora does not have yet.');
  throw new Error(`unknown model ${JSON.stringify(name)}; expected 'mlp' or 'wide'`);
}
