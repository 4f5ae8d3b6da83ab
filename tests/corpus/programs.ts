/**
 * Small programs in the style of the TF.js guides, written against TF.js's API and run
 * unchanged under TF.js and under sora (tests/corpus/corpus.test.ts passes either library as
 * `tf`). Each returns the numbers a user would look at; the harness compares them.
 */
import type * as TFJS from '@tensorflow/tfjs';

export type TF = typeof TFJS;
export type Result = Record<string, number | number[]>;

/** Deterministic starting weights, the same in both libraries (the guides use random ones). */
function initWeights(tf: TF, model: TFJS.LayersModel, seed: number): void {
  model.setWeights(model.getWeights().map((w, k) =>
    tf.tensor(Array.from({ length: w.size }, (_, i) => Math.sin(seed + k * 97 + i * 1.7) * 0.4), w.shape)));
}

const flat = (t: TFJS.Tensor | TFJS.Tensor[]) => Array.from((Array.isArray(t) ? t[0] : t).dataSync());

/** Guide: "Making predictions from 2D data" with a CSV file read by tf.data.csv. */
export async function csvRegression(tf: TF, dir: string): Promise<Result> {
  const dataset = tf.data.csv(`file://${dir}/houses.csv`, { columnConfigs: { price: { isLabel: true } } });
  const numFeatures = (await dataset.columnNames()).length - 1;
  const flattened = dataset
    .map((row) => {
      const { xs, ys } = row as { xs: Record<string, number>; ys: Record<string, number> };
      return { xs: Object.values(xs), ys: Object.values(ys) };
    })
    .batch(8);
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [numFeatures], units: 1 }));
  initWeights(tf, model, 1);
  model.compile({ optimizer: tf.train.sgd(0.02), loss: 'meanSquaredError' });
  const history = await model.fitDataset(flattened, { epochs: 6, verbose: 0 });
  const prediction = model.predict(tf.tensor2d([[3, 1.2, 0.5], [1, 0.4, 2]])) as TFJS.Tensor;
  return { loss: history.history.loss as number[], prediction: flat(prediction), kernel: flat(model.getWeights()[0]) };
}

/** Guide: a classifier trained from a generator dataset, evaluated with the evaluate(...)[i].dataSync() idiom. */
export async function generatorClassifier(tf: TF): Promise<Result> {
  const sample = (i: number) => {
    const x = [Math.sin(i * 0.7), Math.cos(i * 1.3), Math.sin(i * 0.29 + 1), Math.cos(i * 0.11)];
    const label = x[0] + x[1] > 0.3 ? 0 : x[2] > 0 ? 1 : 2;
    return { x, label };
  };
  function* data() {
    for (let i = 0; i < 96; i++) {
      const { x, label } = sample(i);
      yield { xs: tf.tensor1d(x), ys: tf.tensor1d([0, 1, 2].map((k) => (k === label ? 1 : 0))) };
    }
  }
  const ds = tf.data.generator(data).batch(16);
  const model = tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [4], units: 8, activation: 'relu' }),
    tf.layers.dense({ units: 3, activation: 'softmax' }),
  ] });
  initWeights(tf, model, 2);
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const history = await model.fitDataset(ds, { epochs: 5, verbose: 0 });
  const test = Array.from({ length: 20 }, (_, i) => sample(500 + i));
  const xs = tf.tensor2d(test.map((s) => s.x));
  const ys = tf.oneHot(tf.tensor1d(test.map((s) => s.label), 'int32'), 3);
  const result = model.evaluate(xs, ys) as TFJS.Scalar[];
  const classes = (model.predict(xs) as TFJS.Tensor).argMax(-1);
  return {
    loss: history.history.loss as number[], acc: history.history.acc as number[],
    testLoss: result[0].dataSync()[0], testAcc: result[1].dataSync()[0], classes: Array.from(classes.dataSync()),
  };
}

/** Guide: transfer learning: a trained base, truncated and frozen, under a new head. */
export async function transferLearning(tf: TF): Promise<Result> {
  const x = tf.tensor2d(Array.from({ length: 24 }, (_, i) => [Math.sin(i), Math.cos(i * 0.5), Math.sin(i * 0.3), (i % 5) / 5]));
  const yA = tf.oneHot(tf.tensor1d(Array.from({ length: 24 }, (_, i) => (Math.sin(i) > 0 ? 1 : 0)), 'int32'), 2);
  const yB = tf.oneHot(tf.tensor1d(Array.from({ length: 24 }, (_, i) => i % 3), 'int32'), 3);
  const input = tf.input({ shape: [4] });
  const hidden = tf.layers.dense({ units: 6, activation: 'relu', name: 'base_hidden' }).apply(input) as TFJS.SymbolicTensor;
  const output = tf.layers.dense({ units: 2, activation: 'softmax', name: 'base_out' }).apply(hidden) as TFJS.SymbolicTensor;
  const base = tf.model({ inputs: input, outputs: output });
  initWeights(tf, base, 3);
  base.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  await base.fit(x, yA, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
  const hiddenBefore = flat(base.getLayer('base_hidden').getWeights());

  const truncated = tf.model({ inputs: base.inputs, outputs: base.getLayer('base_hidden').output as TFJS.SymbolicTensor });
  // Freeze layer by layer: in TF.js 4.22 `truncated.trainable = false` does not reach the
  // layers once the model is added to a Sequential (its layers join the graph directly).
  for (const layer of truncated.layers) layer.trainable = false;
  const model = tf.sequential();
  model.add(truncated);
  model.add(tf.layers.dense({ units: 3, activation: 'softmax', name: 'new_head' }));
  const head = model.getLayer('new_head');
  head.setWeights(head.getWeights().map((w, k) => tf.tensor(Array.from({ length: w.size }, (_, i) => Math.cos(k + i) * 0.3), w.shape)));
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const history = await model.fit(x, yB, { epochs: 4, batchSize: 6, shuffle: false, verbose: 0 });
  const hiddenAfter = flat(base.getLayer('base_hidden').getWeights());
  return {
    baseHidden: hiddenBefore, frozenUnchanged: hiddenBefore.every((v, i) => v === hiddenAfter[i]) ? 1 : 0,
    trainableWeights: model.trainableWeights.length, loss: history.history.loss as number[], head: flat(head.getWeights()),
  };
}

/** Guide: a custom layer (subclass of tf.layers.Layer), registered, trained, saved and loaded back. */
export async function customLayer(tf: TF): Promise<Result> {
  class ScaledTanh extends tf.layers.Layer {
    static className = 'ScaledTanh';
    gain: number;
    scale!: TFJS.LayerVariable;
    constructor(config: { gain?: number; name?: string; trainable?: boolean } = {}) {
      super(config);
      this.gain = config.gain ?? 2;
    }
    override build(inputShape: TFJS.Shape | TFJS.Shape[]) {
      const shape = inputShape as TFJS.Shape;
      this.scale = this.addWeight('scale', [shape[shape.length - 1] as number], 'float32', tf.initializers.ones());
    }
    override computeOutputShape(inputShape: TFJS.Shape | TFJS.Shape[]) { return inputShape; }
    override call(inputs: TFJS.Tensor | TFJS.Tensor[]) {
      return tf.tidy(() => {
        const x = Array.isArray(inputs) ? inputs[0] : inputs;
        return tf.mul(tf.tanh(tf.mul(x, this.scale.read())), this.gain);
      });
    }
    override getConfig() { return { ...super.getConfig(), gain: this.gain }; }
  }
  tf.serialization.registerClass(ScaledTanh);
  const model = tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [3], units: 4 }),
    new ScaledTanh({ gain: 1.5 }),
    tf.layers.dense({ units: 1 }),
  ] });
  initWeights(tf, model, 4);
  model.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
  const x = tf.tensor2d(Array.from({ length: 16 }, (_, i) => [Math.sin(i), Math.cos(i), i / 16]));
  const y = tf.tensor2d(Array.from({ length: 16 }, (_, i) => [Math.sin(i) * Math.cos(i) + i / 32]));
  const history = await model.fit(x, y, { epochs: 5, batchSize: 4, shuffle: false, verbose: 0 });
  let saved: TFJS.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
  const probe = tf.tensor2d([[0.5, -0.5, 0.25]]);
  return {
    loss: history.history.loss as number[],
    prediction: flat(model.predict(probe) as TFJS.Tensor),
    loadedPrediction: flat(loaded.predict(probe) as TFJS.Tensor),
    loadedClass: loaded.layers[1].getClassName() === 'ScaledTanh' ? 1 : 0,
  };
}

/** Guide: a functional model with two inputs and two outputs (losses per output, History keys). */
export async function twoTowers(tf: TF): Promise<Result> {
  const user = tf.input({ shape: [3], name: 'user' });
  const item = tf.input({ shape: [3], name: 'item' });
  const embed = tf.layers.dense({ units: 4, activation: 'tanh', name: 'embed' });
  const u = embed.apply(user) as TFJS.SymbolicTensor;
  const v = embed.apply(item) as TFJS.SymbolicTensor;
  const score = tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'score' })
    .apply(tf.layers.multiply().apply([u, v]) as TFJS.SymbolicTensor) as TFJS.SymbolicTensor;
  const kind = tf.layers.dense({ units: 2, activation: 'softmax', name: 'kind' })
    .apply(tf.layers.concatenate().apply([u, v]) as TFJS.SymbolicTensor) as TFJS.SymbolicTensor;
  const model = tf.model({ inputs: [user, item], outputs: [score, kind] });
  initWeights(tf, model, 5);
  model.compile({ optimizer: tf.train.sgd(0.2), loss: ['binaryCrossentropy', 'categoricalCrossentropy'], metrics: ['accuracy'] });
  const n = 12;
  const a = tf.tensor2d(Array.from({ length: n }, (_, i) => [Math.sin(i), Math.cos(i), 0.1 * i]));
  const b = tf.tensor2d(Array.from({ length: n }, (_, i) => [Math.cos(i * 2), Math.sin(i * 3), 0.05 * i]));
  const yScore = tf.tensor2d(Array.from({ length: n }, (_, i) => [i % 2]));
  const yKind = tf.oneHot(tf.tensor1d(Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0)), 'int32'), 2);
  const history = await model.fit([a, b], [yScore, yKind], { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 });
  const out: Result = {};
  for (const key of Object.keys(history.history).sort()) out[`history.${key}`] = history.history[key] as number[];
  out.keys = Object.keys(history.history).sort().map((k) => k.length);
  return out;
}

export const PROGRAMS: { name: string; checks: string; run: (tf: TF, dir: string) => Promise<Result> }[] = [
  { name: 'csv regression', checks: 'tf.data.csv (file://, isLabel), map to arrays, batch, fitDataset, predict: losses, prediction, kernel', run: csvRegression },
  { name: 'generator classifier', checks: 'tf.data.generator, batch, fitDataset with accuracy, evaluate(...)[i].dataSync(), predict + argMax', run: generatorClassifier },
  { name: 'transfer learning', checks: 'tf.model from a trained base, getLayer().output, model.trainable = false, Sequential.add(model), new head: frozen weights unchanged, trainable count, losses, head weights', run: transferLearning },
  { name: 'custom layer', checks: 'subclass tf.layers.Layer (addWeight, read, getConfig), registerClass, fit, save and loadLayersModel: losses and predictions before and after loading', run: customLayer },
  { name: 'two towers', checks: 'tf.input x2, a shared layer, multiply and concatenate, two outputs with a loss each and accuracy: every History key and value', run: twoTowers },
];
