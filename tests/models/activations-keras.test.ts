/**
 * Every activation name TF.js layers accept, differential-tested against TF.js (cpu): a dense
 * layer (and an activation layer) built the same way in both (sora on its reference and wasm
 * backends) gives the same predictions and,
 * after 3 SGD steps, the same weights; a model TF.js saves with each activation loads in sora
 * and predicts the same; sora saves the names TF.js saves; both spellings (camelCase, as in
 * code, and Keras's snake_case, as in model.json) are accepted; an unknown name is a clear error.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await sora.setBackend('reference');
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/** TF.js's ActivationIdentifier, plus 'logSoftmax' (a registered TF.js activation that getActivation finds). */
const NAMES = ['elu', 'hardSigmoid', 'linear', 'relu', 'relu6', 'selu', 'sigmoid', 'softmax', 'softplus', 'softsign',
  'tanh', 'swish', 'mish', 'gelu', 'gelu_new', 'logSoftmax'] as const;

// Pre-activations from about -9 to 9: past hardSigmoid's corners (±2.5) and relu6's cap (6), both sides of 0.
const KERNEL = [[0.5, -1.25, 0.75, 2], [-0.5, 1.5, -2, 0.25], [1, -0.75, 0.125, -1.5]];
const BIAS = [0.1, -0.2, 0.3, -0.4];
const X = [[1, -2, 0.5], [-0.3, 0.8, 2.5], [0, 0, 0], [3, -2.5, 1.5], [-3, 2, -1], [0.2, 0.4, -0.6]];
const Y = [[0.5, -1, 2, 0.1], [1, 0, -0.5, 0.3], [0, 0.2, 0.4, 0.6], [3, -2, 1, 0.5], [-1, 2, 0, 0.25], [0.1, 0.1, 0.1, 0.1]];

/** A one-dense-layer model with `activation`, fixed weights, 3 full-batch SGD steps: predictions before, weights after. */
async function denseProgram(lib: Any, activation: string): Promise<{ before: number[]; after: number[] }> {
  const model = lib.sequential();
  model.add(lib.layers.dense({ inputShape: [3], units: 4, activation }));
  model.setWeights([lib.tensor2d(KERNEL), lib.tensor1d(BIAS)]);
  model.compile({ optimizer: lib.train.sgd(0.1), loss: 'meanSquaredError' });
  const x = lib.tensor2d(X);
  const y = lib.tensor2d(Y);
  const before = Array.from(model.predict(x).dataSync() as Float32Array);
  for (let step = 0; step < 3; step++) await model.trainOnBatch(x, y);
  const after = model.getWeights().flatMap((w: Any) => Array.from(w.dataSync() as Float32Array));
  model.dispose();
  return { before, after };
}

function expectClose(ours: number[], theirs: number[], tolerance = 1e-5): void {
  expect(ours.length).toBe(theirs.length);
  for (let i = 0; i < ours.length; i++) {
    expect(Number.isFinite(theirs[i]!), `TF.js value ${i}`).toBe(true);
    expect(Math.abs(ours[i]! - theirs[i]!), `value ${i}: ${ours[i]} vs ${theirs[i]}`).toBeLessThan(tolerance);
  }
}

/** The artifacts `model.save` hands its handler. */
async function saved(lib: Any, model: Any): Promise<Any> {
  let artifacts: Any;
  await model.save(lib.io.withSaveHandler(async (a: Any) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return artifacts;
}

/** The activation of the dense layer in saved artifacts (model.json's snake_case form). */
const savedActivation = (artifacts: Any): string => artifacts.modelTopology.config.layers[0].config.activation;

describe.each(['reference', 'wasm'] as const)('activation names on %s: the same numbers as TF.js', (backend) => {
  beforeAll(async () => { await sora.setBackend(backend); });
  afterAll(async () => { await sora.setBackend('reference'); });
  for (const name of NAMES) {
    test(`dense '${name}': same predictions, same weights after 3 SGD steps`, async () => {
      expect(sora.getBackend()).toBe(backend);
      const theirs = await denseProgram(tf, name);
      const ours = await denseProgram(sora, name);
      expectClose(ours.before, theirs.before);
      expectClose(ours.after, theirs.after);
      // The steps moved the weights (a gradient flowed through the activation).
      const initial = [...KERNEL.flat(), ...BIAS];
      expect(ours.after.some((w, i) => Math.abs(w - initial[i]!) > 1e-4)).toBe(true);
    });
  }

  test('layers.activation with each name applies what TF.js applies, and its config names it as TF.js does', () => {
    const x = [[-7, -2.6, -1, -0.1, 0, 0.3, 1.7, 2.5, 6.5]];
    for (const name of NAMES) {
      const theirsLayer = tf.layers.activation({ activation: name as Any });
      const oursLayer = sora.layers.activation({ activation: name });
      const theirs = Array.from(tf.tidy(() => (theirsLayer.apply(tf.tensor2d(x)) as tf.Tensor).dataSync()));
      const ours = Array.from(sora.tidy(() => (oursLayer.apply(sora.tensor2d(x)) as sora.Tensor).dataSync()));
      expectClose(ours, theirs);
      expect(oursLayer.getConfig().activation, name).toBe(theirsLayer.getConfig().activation);
      // Outside tidy, the composed activations leave only their output behind.
      const input = sora.tensor2d(x);
      const count = sora.memory().numTensors;
      const output = oursLayer.apply(input) as sora.Tensor;
      expect(sora.memory().numTensors - count, name).toBe(output === input ? 0 : 1);
      sora.dispose([input, output]);
    }
  });
});

describe('activation names in saved models', () => {
  for (const name of NAMES) {
    test(`a model TF.js saves with '${name}' loads in sora; sora saves the same name`, async () => {
      const theirsModel = tf.sequential();
      theirsModel.add(tf.layers.dense({ inputShape: [3], units: 4, activation: name as Any }));
      theirsModel.setWeights([tf.tensor2d(KERNEL), tf.tensor1d(BIAS)]);
      const artifacts = await saved(tf, theirsModel);
      const theirs = Array.from((theirsModel.predict(tf.tensor2d(X)) as tf.Tensor).dataSync());
      const oursModel = await sora.loadLayersModel(sora.io.fromMemory(artifacts));
      const ours = Array.from((oursModel.predict(sora.tensor2d(X)) as sora.Tensor).dataSync());
      expectClose(ours, theirs);
      // Saved again by sora, the name is the one TF.js wrote (snake_case of TF.js's name).
      expect(savedActivation(await saved(sora, oursModel))).toBe(savedActivation(artifacts));
      theirsModel.dispose();
      oursModel.dispose();
    });
  }

  test("TF.js writes 'hard_sigmoid' and 'gelu_new' in model.json; sora writes the same", async () => {
    for (const [name, written] of [['hardSigmoid', 'hard_sigmoid'], ['gelu_new', 'gelu_new'], ['logSoftmax', 'log_softmax']]) {
      const model = sora.sequential();
      model.add(sora.layers.dense({ inputShape: [3], units: 4, activation: name as Any }));
      expect(savedActivation(await saved(sora, model))).toBe(written);
      model.dispose();
    }
  });

  test("TF.js refuses its own saved 'gelu_new' (loading camel-cases it to 'geluNew'); sora loads it", async () => {
    // A TF.js bug, pinned: convertPythonicToTs turns 'gelu_new' into 'geluNew', which TF.js has no
    // activation for. sora stays right and reads both spellings.
    const theirsModel = tf.sequential();
    theirsModel.add(tf.layers.dense({ inputShape: [3], units: 4, activation: 'gelu_new' }));
    theirsModel.setWeights([tf.tensor2d(KERNEL), tf.tensor1d(BIAS)]);
    const artifacts = await saved(tf, theirsModel);
    await expect(tf.loadLayersModel(tf.io.fromMemory(artifacts))).rejects.toThrow(/geluNew/);
    const oursModel = await sora.loadLayersModel(sora.io.fromMemory(artifacts));
    expect((oursModel.layers[0]! as Any).activation).toBe('gelu_new');
    theirsModel.dispose();
    oursModel.dispose();
  });
});

describe('activation spellings and errors', () => {
  test('code may use either spelling; the layer keeps TF.js name', () => {
    const spellings: [string, string][] = [
      ['hard_sigmoid', 'hardSigmoid'], ['hardSigmoid', 'hardSigmoid'], ['geluNew', 'gelu_new'], ['gelu_new', 'gelu_new'],
      ['log_softmax', 'logSoftmax'], ['relu6', 'relu6'],
    ];
    for (const [given, kept] of spellings) {
      const dense = sora.layers.dense({ units: 2, activation: given as Any });
      expect((dense as Any).activation, given).toBe(kept);
      expect(dense.getConfig().activation, given).toBe(kept);
      expect((sora.layers.activation({ activation: given as Any }) as Any).activation, given).toBe(kept);
    }
  });

  test('an unknown name is an error naming the layer, the value and every accepted name', () => {
    for (const bad of ['nope', 'Relu', 'toString', 'hard-sigmoid', 42]) {
      let message = '';
      try {
        sora.layers.dense({ units: 2, activation: bad as Any, name: 'd1' });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toContain(`dense d1: unknown activation ${JSON.stringify(bad)}`);
      for (const name of NAMES) expect(message).toContain(`'${name}'`);
    }
    expect(() => sora.layers.activation({ activation: 'swish2' as Any, name: 'a1' }))
      .toThrow(/activation a1: unknown activation "swish2"; expected one of .*'gelu_new'/);
  });

  test('an unknown name in a model file is refused, naming the layer', async () => {
    const model = tf.sequential();
    model.add(tf.layers.dense({ inputShape: [3], units: 4, activation: 'relu', name: 'dense_x' }));
    const artifacts = await saved(tf, model);
    artifacts.modelTopology.config.layers[0].config.activation = 'leaky_relu';
    await expect(sora.loadLayersModel(sora.io.fromMemory(artifacts))).rejects.toThrow(/dense_x.*unknown activation "leakyRelu"/);
    model.dispose();
  });
});
