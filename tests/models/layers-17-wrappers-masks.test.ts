/**
 * Layers that own layers, and masks through merges and nested models, against TF.js (cpu): a
 * Sequential inside a functional model (weights tracked, trained, saved and loaded with TF.js's
 * names), a user layer with a sublayer written as TF.js programs write one, merge layers
 * combining their inputs' masks, and a model used as a layer passing masks in and out.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tfjs from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import {
  expectClose, expectRoundTrips, expectSamePredictions, expectSameWeights, fitBoth, soraArtifacts, tfjsArtifacts, ids, twin, type TF,
} from './layers-16-helpers.js';

beforeAll(async () => {
  await tfjs.setBackend('cpu');
  await sora.setBackend('reference');
});

describe('a model used as a layer', () => {
  it('a Sequential inside a functional model: weights tracked and named as TF.js, 3 SGD steps, files both ways', async () => {
    const build = (tf: TF) => {
      const inner = tf.sequential({ name: 'inner', layers: [
        tf.layers.dense({ units: 4, activation: 'tanh', inputShape: [3], name: 'inner_d1', biasInitializer: 'randomNormal' }),
        tf.layers.dense({ units: 3, name: 'inner_d2' }),
      ] });
      const input = tf.input({ shape: [3] });
      const hidden = inner.apply(input);
      const output = tf.layers.dense({ units: 2, name: 'head' }).apply(tf.layers.add().apply([hidden, input]));
      return tf.model({ inputs: input, outputs: output });
    };
    const { ours, theirs } = twin(build);
    const names = ['inner_d1/kernel', 'inner_d1/bias', 'inner_d2/kernel', 'inner_d2/bias', 'head/kernel', 'head/bias'];
    expect(ours.weights.map((w: TF) => w.name)).toEqual(names);
    expect(theirs.weights.map((w: TF) => w.name)).toEqual(names);
    expect(ours.trainableWeights.length).toBe(6);
    expectSamePredictions(ours, theirs, [5, 3], 'nested Sequential');
    await fitBoth(ours, theirs, [5, 3], [5, 2]);
    expectSameWeights(ours, theirs, 'nested Sequential after 3 SGD steps');
    await expectRoundTrips(ours, theirs, [5, 3], 'nested Sequential');
  });

  it('a frozen functional model inside a functional model: fit leaves it alone, as TF.js', async () => {
    const build = (tf: TF) => {
      const innerInput = tf.input({ shape: [4] });
      const inner = tf.model({ inputs: innerInput, outputs: tf.layers.dense({ units: 3, name: 'frozen_d' }).apply(innerInput), name: 'frozen' });
      inner.trainable = false;
      const input = tf.input({ shape: [4] });
      return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2, name: 'top' }).apply(inner.apply(input)) });
    };
    const { ours, theirs } = twin(build);
    expect(ours.trainableWeights.map((w: TF) => w.name)).toEqual(theirs.trainableWeights.map((w: TF) => w.name));
    expect(ours.nonTrainableWeights.map((w: TF) => w.name)).toEqual(['frozen_d/kernel', 'frozen_d/bias']);
    const before = Array.from(ours.layers[1].getWeights()[0].dataSync());
    await fitBoth(ours, theirs, [5, 4], [5, 2]);
    expectSameWeights(ours, theirs, 'frozen inner model after 3 SGD steps');
    expect(Array.from(ours.layers[1].getWeights()[0].dataSync())).toEqual(before);
  });

  it('a mask reaches the layers of a model used as a layer (embedding(maskZero) -> Sequential[lstm]), as TF.js', () => {
    const vocab = 8, length = 5;
    const build = (tf: TF) => {
      const inner = tf.sequential({ layers: [tf.layers.lstm({ units: 3, inputShape: [length, 2], name: 'inner_lstm' })] });
      const input = tf.input({ shape: [length] });
      const embedded = tf.layers.embedding({ inputDim: vocab, outputDim: 2, maskZero: true }).apply(input);
      return tf.model({ inputs: input, outputs: inner.apply(embedded) });
    };
    const { ours, theirs } = twin(build);
    const x = ids(4, length, vocab);
    const a = ours.predict(sora.tensor(x, [4, length])).dataSync();
    expectClose(a, theirs.predict(tfjs.tensor(x, [4, length])).dataSync(), 'mask into a nested model');
    expect(Array.from(ours.predict(sora.tensor(x.map((v) => v || 1), [4, length])).dataSync())).not.toEqual(Array.from(a));
  });

  it("a model used as a layer passes its output mask on (as Keras's); TF.js's executor drops it (pinned)", () => {
    const vocab = 8, length = 5;
    const embed = (tf: TF) => tf.layers.embedding({ inputDim: vocab, outputDim: 2, maskZero: true, inputLength: length, name: 'emb' });
    const lstm = (tf: TF) => tf.layers.lstm({ units: 3, name: 'outer_lstm' });
    const nested = (tf: TF) => {
      const inner = tf.sequential({ name: 'embedder', layers: [embed(tf)] });
      const input = tf.input({ shape: [length] });
      return tf.model({ inputs: input, outputs: lstm(tf).apply(inner.apply(input)) });
    };
    const flat = (tf: TF) => tf.sequential({ layers: [embed(tf), lstm(tf)] });
    const x = ids(4, length, vocab);
    const run = (tf: TF, model: TF, weights: TF[]) => {
      model.setWeights(weights.map((w) => tf.tensor(Array.from(w.dataSync() as Float32Array), w.shape)));
      return model.predict(tf.tensor(x, [4, length])).dataSync();
    };
    const reference = flat(tfjs);
    const weights = reference.getWeights();
    const tfjsFlat = run(tfjs, reference, weights);
    const tfjsNested = run(tfjs, nested(tfjs), weights);
    const soraNested = run(sora, nested(sora), weights);
    const soraFlat = run(sora, flat(sora), weights);
    expectClose(soraFlat, tfjsFlat, 'flat embedding -> lstm');
    // sora: nesting the embedding in a model changes nothing, the outer lstm still skips the padding.
    expectClose(soraNested, tfjsFlat, 'nested embedding -> lstm');
    // TF.js: its executor asks computeMask only of layers with supportsMasking, which a model does
    // not set, so the outer lstm runs over the padding.
    expect(Array.from(tfjsNested)).not.toEqual(Array.from(tfjsFlat));
  });
});

describe('merge layers combine their inputs masks', () => {
  it('concatenate of two masked sequences -> lstm: as TF.js', () => {
    const vocab = 8, length = 5;
    const build = (tf: TF) => {
      const a = tf.input({ shape: [length] }), b = tf.input({ shape: [length] });
      const ea = tf.layers.embedding({ inputDim: vocab, outputDim: 2, maskZero: true }).apply(a);
      const eb = tf.layers.embedding({ inputDim: vocab, outputDim: 3, maskZero: true }).apply(b);
      const out = tf.layers.lstm({ units: 2 }).apply(tf.layers.concatenate().apply([ea, eb]));
      return tf.model({ inputs: [a, b], outputs: out });
    };
    const { ours, theirs } = twin(build);
    const xa = ids(4, length, vocab), xb = xa.map((v, i) => (i % 7 === 3 ? 0 : v));
    const ya = ours.predict([sora.tensor(xa, [4, length]), sora.tensor(xb, [4, length])]).dataSync();
    expectClose(ya, theirs.predict([tfjs.tensor(xa, [4, length]), tfjs.tensor(xb, [4, length])]).dataSync(), 'concatenate masks');
  });

  it("add / multiply / average / maximum / minimum: a step is kept where every masked input keeps it (Keras's rule)", () => {
    const m1 = sora.tensor([[1, 1, 0], [1, 0, 1]], [2, 3], 'bool'), m2 = sora.tensor([[1, 0, 0], [1, 1, 1]], [2, 3], 'bool');
    const x = sora.zeros([2, 3, 4]);
    for (const make of [sora.layers.add, sora.layers.multiply, sora.layers.average, sora.layers.maximum, sora.layers.minimum]) {
      const layer = make();
      expect(layer.supportsMasking).toBe(true);
      const mask = layer.computeMask([x, x, x], [m1, null, m2] as sora.Tensor[]) as sora.Tensor;
      expect(mask.shape).toEqual([2, 3]);
      expect(Array.from(mask.dataSync())).toEqual([1, 0, 0, 1, 0, 1]);
      expect(layer.computeMask([x, x], [null, null] as unknown as sora.Tensor[])).toBeNull();
      expect(layer.computeMask([x, x], undefined)).toBeNull();
      expect(() => layer.computeMask([x, x], [m1])).toThrow(/expected one mask per input \(2\); received 1/);
    }
    expect(sora.layers.dot({ axes: 1 }).computeMask()).toBeNull();
  });

  it("TF.js's Merge.computeMask is wrong (pinned): it adds a leading axis and drops the last input's mask", () => {
    const m1 = tfjs.tensor([[1, 1, 0], [1, 0, 1]], [2, 3], 'bool'), m2 = tfjs.tensor([[1, 0, 0], [1, 1, 1]], [2, 3], 'bool');
    const x = tfjs.zeros([2, 3, 4]);
    const theirs = tfjs.layers.add().computeMask([x, x], [m1, m2]) as TF;
    expect(theirs.shape).toEqual([1, 2, 3]);
    expect(Array.from(theirs.dataSync())).toEqual([1, 1, 0, 1, 0, 1]); // m1 alone
    const ours = sora.layers.add().computeMask([sora.zeros([2, 3, 4]), sora.zeros([2, 3, 4])],
      [sora.tensor([[1, 1, 0], [1, 0, 1]], [2, 3], 'bool'), sora.tensor([[1, 0, 0], [1, 1, 1]], [2, 3], 'bool')]) as sora.Tensor;
    expect(Array.from(ours.dataSync())).toEqual([1, 0, 0, 1, 0, 1]);
  });
});

/**
 * A user layer holding a layer, as TF.js programs write one. TF.js does not track a user layer's
 * sublayers by itself (Keras 3 does); a TF.js program that wants them trained and saved says so
 * by overriding trainableWeights / nonTrainableWeights, and one that does not gets them neither
 * trained nor saved. sora keeps TF.js's rule: tracking them by itself would change which weights
 * a TF.js program trains, and its files would no longer load in TF.js (whose loadWeights refuses
 * a weight it does not know). The override works as in TF.js, with TF.js's weight names.
 */
function userLayers(tf: TF) {
  class Residual extends tf.layers.Layer {
    constructor(config: TF) {
      super(config);
      this.units = config.units;
      this.gated = config.gated ?? false;
      this.inner = tf.layers.dense({ units: config.units, activation: 'tanh', biasInitializer: 'randomNormal' });
      if (this.gated) this.gate = tf.layers.dense({ units: config.units, name: `${this.name}_gate` });
    }
    build(inputShape: TF) {
      this.inner.build(inputShape); // built inside this layer's apply: TF.js names its weights '<this>/kernel'
      this.built = true;
    }
    get trainableWeights() { return [...this.inner.trainableWeights, ...(this.gate?.trainableWeights ?? [])]; }
    get nonTrainableWeights() { return [...this.inner.nonTrainableWeights, ...(this.gate?.nonTrainableWeights ?? [])]; }
    computeOutputShape(inputShape: TF) { return [inputShape[0], this.units]; }
    call(inputs: TF) {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      // applied in call: its weights are made here, named '<this>/<gate>/kernel'
      return tf.tidy(() => (this.gate ? tf.mul(this.inner.apply(x), tf.sigmoid(this.gate.apply(x))) : this.inner.apply(x)));
    }
    getConfig() { return { ...super.getConfig(), units: this.units, gated: this.gated }; }
    static get className() { return 'Residual'; }
  }
  tf.serialization.registerClass(Residual);
  return { Residual };
}

describe('a user layer with sublayers, as TF.js programs write it', () => {
  it('a sublayer built in build(): weights named, trained, saved and loaded as TF.js', async () => {
    const build = (tf: TF) => {
      const { Residual } = userLayers(tf);
      return tf.sequential({ layers: [new Residual({ units: 3, inputShape: [4], name: 'res_b' }), tf.layers.dense({ units: 2, name: 'out_b' })] });
    };
    const { ours, theirs } = twin(build);
    const names = ['res_b/kernel', 'res_b/bias', 'out_b/kernel', 'out_b/bias'];
    expect(theirs.weights.map((w: TF) => w.name)).toEqual(names);
    expect(ours.weights.map((w: TF) => w.name)).toEqual(names);
    expectSamePredictions(ours, theirs, [5, 4], 'user layer with a sublayer');
    await fitBoth(ours, theirs, [5, 4], [5, 2]);
    expectSameWeights(ours, theirs, 'user layer with a sublayer after 3 SGD steps');
    await expectRoundTrips(ours, theirs, [5, 4], 'user layer with a sublayer');
  });

  it('a sublayer applied in call(): weights named and trained as TF.js (made by the first call)', async () => {
    const build = (tf: TF) => {
      const { Residual } = userLayers(tf);
      return tf.sequential({ layers: [new Residual({ units: 3, inputShape: [4], name: 'res', gated: true }), tf.layers.dense({ units: 2, name: 'out' })] });
    };
    // The gate's weights are made by the first call on tensors (a symbolic apply does not call): run one first.
    const theirs = build(tfjs), ours = build(sora);
    theirs.predict(tfjs.zeros([1, 4]));
    ours.predict(sora.zeros([1, 4]));
    ours.setWeights(theirs.getWeights().map((w: TF) => sora.tensor(Array.from(w.dataSync() as Float32Array), w.shape)));
    const names = ['res/kernel', 'res/bias', 'res/res_gate/kernel', 'res/res_gate/bias', 'out/kernel', 'out/bias'];
    expect(theirs.weights.map((w: TF) => w.name)).toEqual(names);
    expect(ours.weights.map((w: TF) => w.name)).toEqual(names);
    expectSamePredictions(ours, theirs, [5, 4], 'user layer with sublayers');
    await fitBoth(ours, theirs, [5, 4], [5, 2]);
    expectSameWeights(ours, theirs, 'user layer with sublayers after 3 SGD steps');
    const artifacts = await soraArtifacts(ours);
    expect(artifacts.weightSpecs.map((s: TF) => s.name)).toEqual((await tfjsArtifacts(theirs)).weightSpecs.map((s: TF) => s.name));
  });
});

