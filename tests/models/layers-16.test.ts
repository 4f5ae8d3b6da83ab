/**
 * The layers of issue 16 that need no convolution, against TF.js (cpu): the same model in
 * both (TF.js's weights copied into sora) predicts the same, trains to the same weights with
 * SGD (batch normalization's moving statistics included), and survives save / load both ways.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tfjs from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import {
  expectClose, expectRoundTrips, expectSamePredictions, expectSameWeights, fitBoth, tfjsArtifacts, twin, values, type TF,
} from './layers-16-helpers.js';

beforeAll(async () => {
  await tfjs.setBackend('cpu');
  await sora.setBackend('reference');
});

/** Images through padding, cropping, upsampling, batch norm, relu6 and global pooling. */
const imageModel = (format: 'channelsLast' | 'channelsFirst', interpolation: 'nearest' | 'bilinear') => (tf: TF) => tf.sequential({
  layers: [
    tf.layers.zeroPadding2d({ padding: [[1, 0], [2, 1]], dataFormat: format, inputShape: format === 'channelsLast' ? [4, 5, 3] : [3, 4, 5] }),
    tf.layers.cropping2D({ cropping: [[0, 1], [1, 0]], dataFormat: format }),
    tf.layers.upSampling2d({ size: [2, 3], dataFormat: format, interpolation }),
    // Axis -1 in both formats: TF.js's cpu batchNorm indexes the parameters as if they were on the
    // last axis, so its axis 1 is wrong (pinned below); the last axis (columns here) it gets right.
    tf.layers.batchNormalization({ axis: -1, momentum: 0.8, betaInitializer: 'randomNormal', gammaInitializer: 'randomUniform' }),
    tf.layers.reLU({ maxValue: 0.5 }),
    tf.layers.globalAveragePooling2d({ dataFormat: format }),
    tf.layers.dense({ units: 2 }),
  ],
});

/** Sequences through layer norm, the advanced activations, permute, reshape and softmax. */
const sequenceModel = (tf: TF) => tf.sequential({
  layers: [
    tf.layers.layerNormalization({ inputShape: [5, 4], gammaInitializer: 'randomUniform', betaInitializer: 'randomNormal' }),
    tf.layers.prelu({ sharedAxes: [1], alphaInitializer: tf.initializers.constant({ value: 0.2 }) }),
    tf.layers.leakyReLU({ alpha: 0.1 }),
    tf.layers.elu(),
    tf.layers.permute({ dims: [2, 1] }),
    tf.layers.reshape({ targetShape: [20] }),
    tf.layers.dense({ units: 3 }),
    tf.layers.softmax({ axis: -1 }),
  ],
});

/** Global pooling over steps, with batch norm on the features of a sequence. */
const poolingModel = (tf: TF) => tf.sequential({
  layers: [
    tf.layers.batchNormalization({ inputShape: [6, 3], movingMeanInitializer: 'randomNormal', movingVarianceInitializer: 'ones' }),
    tf.layers.globalMaxPooling1d(),
    tf.layers.dense({ units: 2 }),
  ],
});

describe('layers of issue 16 against TF.js (cpu)', () => {
  for (const format of ['channelsLast', 'channelsFirst'] as const) {
    for (const interpolation of ['nearest', 'bilinear'] as const) {
      it(`image model (${format}, ${interpolation}): predictions, SGD steps and both save directions`, async () => {
        const build = imageModel(format, interpolation);
        const { ours, theirs } = twin(build);
        const shape = format === 'channelsLast' ? [4, 4, 5, 3] : [4, 3, 4, 5];
        expect(ours.outputShape).toEqual(theirs.outputShape);
        expect(ours.countParams()).toBe(theirs.countParams());
        expectSamePredictions(ours, theirs, shape, 'before fit');
        await fitBoth(ours, theirs, shape, [4, 2]);
        expectSameWeights(ours, theirs, 'after 3 SGD steps', 1e-4);
        expectSamePredictions(ours, theirs, shape, 'after fit', 1e-4);
        await expectRoundTrips(ours, theirs, shape, 'image model');
      });
    }
  }

  it('sequence model: predictions, SGD steps and both save directions', async () => {
    const { ours, theirs } = twin(sequenceModel);
    expect(ours.outputShape).toEqual(theirs.outputShape);
    expectSamePredictions(ours, theirs, [3, 5, 4], 'before fit');
    await fitBoth(ours, theirs, [3, 5, 4], [3, 3]);
    expectSameWeights(ours, theirs, 'after 3 SGD steps', 1e-4);
    await expectRoundTrips(ours, theirs, [3, 5, 4], 'sequence model');
  });

  it('pooling model: moving statistics move in fit as TF.js moves them', async () => {
    const { ours, theirs } = twin(poolingModel);
    expectSamePredictions(ours, theirs, [4, 6, 3], 'before fit');
    const initialMean = ours.layers[0].getWeights()[2].dataSync().slice();
    await fitBoth(ours, theirs, [4, 6, 3], [4, 2], 4);
    expect(Array.from(ours.layers[0].getWeights()[2].dataSync())).not.toEqual(Array.from(initialMean));
    expectSameWeights(ours, theirs, 'after 4 SGD steps', 1e-4);
    await expectRoundTrips(ours, theirs, [4, 6, 3], 'pooling model');
    // Moving the statistics inside fit leaves no tensor behind.
    const x = sora.tensor(values([4, 6, 3]), [4, 6, 3]), y = sora.zeros([4, 2]);
    await ours.fit(x, y, { epochs: 1, verbose: 0 });
    const before = sora.memory().numTensors;
    await ours.fit(x, y, { epochs: 2, verbose: 0 });
    expect(sora.memory().numTensors).toBe(before);
  });
});

describe('model files that disagree with their weights', () => {
  it('a channel count that disagrees with the saved batch-norm weights is an error naming the weight and both shapes', async () => {
    const model = tfjs.sequential({ layers: [tfjs.layers.batchNormalization({ inputShape: [5, 3], name: 'bn16' }), tfjs.layers.prelu({ name: 'pr16' })] });
    const artifacts = await tfjsArtifacts(model);
    const topology = JSON.parse(JSON.stringify(artifacts.modelTopology));
    topology.config.layers[0].config.batch_input_shape = [null, 5, 4];
    await expect(sora.loadLayersModel(sora.io.fromMemory({ ...artifacts, modelTopology: topology })))
      .rejects.toThrow(/weight 'bn16\/gamma' has shape \[3\], the model expects \[4\]/);
  });
});

describe('on the wasm backend too (the layers compose ops every backend has)', () => {
  it('image and sequence models: predictions and SGD steps agree with TF.js', async () => {
    await sora.setBackend('wasm');
    expect(sora.getBackend()).toBe('wasm');
    try {
      for (const [build, shape, yShape] of [[imageModel('channelsLast', 'bilinear'), [4, 4, 5, 3], [4, 2]], [sequenceModel, [3, 5, 4], [3, 3]]] as const) {
        const { ours, theirs } = twin(build);
        expectSamePredictions(ours, theirs, [...shape], 'wasm, before fit', 1e-4);
        await fitBoth(ours, theirs, [...shape], [...yShape]);
        expectSameWeights(ours, theirs, 'wasm, after 3 SGD steps', 1e-4);
      }
    } finally {
      await sora.setBackend('reference');
    }
  });
});

describe('where TF.js is wrong, sora stays right (pinned)', () => {
  it('batchNormalization on axis 1 of images (channelsFirst): a hand computation, which TF.js cpu misses', () => {
    const shape = [2, 2, 3, 4];
    const x = values(shape);
    const init = { axis: 1, betaInitializer: 'randomNormal', gammaInitializer: 'randomUniform', movingMeanInitializer: 'randomNormal' };
    const theirs = tfjs.layers.batchNormalization(init as TF);
    const b = theirs.apply(tfjs.tensor(x, shape)) as TF;
    const ours = sora.layers.batchNormalization({ axis: 1 });
    ours.apply(sora.tensor(x, shape));
    ours.setWeights(theirs.getWeights().map((w: TF) => sora.tensor(Array.from(w.dataSync() as Float32Array), w.shape)));
    const a = ours.apply(sora.tensor(x, shape)) as TF;
    const [gamma, beta, mean, variance] = theirs.getWeights().map((w: TF) => w.dataSync() as Float32Array);
    const expected = x.map((v, i) => {
      const c = Math.floor(i / 12) % 2;
      return ((v - mean[c]) / Math.sqrt(variance[c] + 1e-3)) * gamma[c] + beta[c];
    });
    expectClose(a.dataSync(), expected, 'sora against the hand computation');
    // TF.js's cpu kernel reads the [1, 2, 1, 1] parameters cyclically along the flat index, as if on the last axis.
    expect(Math.max(...expected.map((v, i) => Math.abs(v - b.dataSync()[i])))).toBeGreaterThan(1e-3);
  });

  it('a frozen batchNormalization keeps its moving statistics in fit and normalizes with them (Keras since TF 2); TF.js moves them', async () => {
    const build = (tf: TF) => tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4] }), tf.layers.batchNormalization(), tf.layers.dense({ units: 1 })] });
    const { ours, theirs } = twin(build);
    ours.layers[1].trainable = false;
    theirs.layers[1].trainable = false;
    const moving = (m: TF) => m.layers[1].getWeights().map((w: TF) => Array.from(w.dataSync() as Float32Array));
    const [oursBefore, theirsBefore] = [moving(ours), moving(theirs)];
    await fitBoth(ours, theirs, [6, 4], [6, 1], 2);
    expect(moving(ours), 'sora: gamma, beta and the moving statistics unchanged').toEqual(oursBefore);
    const theirsAfter = moving(theirs);
    expect(theirsAfter.slice(0, 2), 'TF.js: gamma and beta frozen').toEqual(theirsBefore.slice(0, 2));
    expect(theirsAfter[2], 'TF.js: the moving mean moved').not.toEqual(theirsBefore[2]);
  });

  it('reshape with -1 resolves the size when the input is known (TF.js leaves it null, so a dense after it cannot build)', () => {
    const build = (tf: TF) => tf.sequential({ layers: [tf.layers.permute({ dims: [2, 1], inputShape: [5, 4] }), tf.layers.reshape({ targetShape: [-1] })] });
    expect(build(sora).outputShape).toEqual([null, 20]);
    expect(build(tfjs).outputShape).toEqual([null, null]);
    const model = sora.sequential({ layers: [sora.layers.reshape({ targetShape: [2, -1], inputShape: [3, 4] }), sora.layers.dense({ units: 1 })] });
    expect(model.outputShape).toEqual([null, 2, 1]);
    const x = sora.tensor(values([2, 3, 4]), [2, 3, 4]);
    expect((sora.layers.reshape({ targetShape: [-1, 3] }).apply(x) as TF).shape).toEqual([2, 4, 3]);
  });

  it('softmax defaults to the last axis (Keras) and computes any axis; TF.js defaults to axis 1, which it refuses on rank 3', () => {
    const shape = [2, 3, 4];
    const x = values(shape);
    const ours = sora.layers.softmax().apply(sora.tensor(x, shape)) as TF;
    const theirsLast = tfjs.layers.softmax({ axis: -1 }).apply(tfjs.tensor(x, shape)) as TF;
    expectClose(ours.dataSync(), theirsLast.dataSync(), 'softmax axis -1');
    expect(() => tfjs.layers.softmax().apply(tfjs.tensor(x, shape))).toThrow(/non-last dimension/);
    const ours1 = sora.layers.softmax({ axis: 1 }).apply(sora.tensor(x, shape)) as TF;
    const theirs1 = tfjs.softmax(tfjs.tensor(x, shape).transpose([0, 2, 1])).transpose([0, 2, 1]);
    expectClose(ours1.dataSync(), theirs1.dataSync(), 'softmax axis 1 (TF.js: softmax of the transpose)');
  });

  it('thresholdedReLU: TF.js predicts the same but cannot train through it (no gradient for Greater); sora can', async () => {
    // A seeded kernel: with an unseeded one, now and then every pre-activation of the batch fell under theta, no
    // gradient reached the first kernel, and the last check failed (seen once in a full run).
    const build = (tf: TF) => tf.sequential({ layers: [
      tf.layers.dense({ units: 3, inputShape: [4], kernelInitializer: tf.initializers.glorotUniform({ seed: 7 }) }),
      tf.layers.thresholdedReLU({ theta: 0.1 }), tf.layers.dense({ units: 1 })] });
    const { ours, theirs } = twin(build);
    expectSamePredictions(ours, theirs, [5, 4], 'thresholdedReLU');
    // Some pre-activations pass theta, so the first kernel gets a gradient.
    const pre = ours.layers[0].apply(sora.tensor(values([5, 4]), [5, 4])).dataSync();
    expect(Array.from(pre as Float32Array).filter((v) => v > 0.1).length).toBeGreaterThan(0);
    await expect(fitBoth(ours, theirs, [5, 4], [5, 1], 1)).rejects.toThrow(/gradient function not found for Greater/);
    const before = ours.layers[0].getWeights()[0].dataSync().slice();
    ours.compile({ optimizer: sora.train.sgd(0.1), loss: 'meanSquaredError' });
    await ours.fit(sora.tensor(values([5, 4]), [5, 4]), sora.tensor(values([5, 1], 1), [5, 1]), { epochs: 1, verbose: 0 });
    expect(Array.from(ours.layers[0].getWeights()[0].dataSync())).not.toEqual(Array.from(before));
  });
});
