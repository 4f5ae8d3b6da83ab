/**
 * A web worker written TF.js-style (no ready()): its first op starts wasm at once, the build
 * fetched with a synchronous request (which a worker may make) and compiled synchronously;
 * then a small fit. Posts what it found to the page.
 */
import * as tf from '../../../src/index.js';

const product = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])).arraySync();
const report = { backend: tf.getBackend(), description: tf.env().description, syncStart: tf.env().syncStart, product };
const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1, kernelInitializer: 'zeros' })] });
model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
model.fit(tf.tensor2d([[0, 1], [1, 0], [1, 1], [2, 1]]), tf.tensor2d([[1], [2], [3], [5]]), { epochs: 4, verbose: 0 })
  .then((history) => postMessage({ ...report, losses: history.history.loss }))
  .catch((error: Error) => postMessage({ error: error.message }));
