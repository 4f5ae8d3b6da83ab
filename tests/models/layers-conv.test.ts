/**
 * The convolution and pooling layers against TF.js (cpu): the same model in both (TF.js's
 * weights copied into sora) predicts the same, trains to the same weights with SGD, and survives
 * save / load both ways; on the reference and wasm backends. Then config errors, output shapes
 * and model files whose weights disagree with the layer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tfjs from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { registeredClass } from '../../src/layers/serialization.js';
import {
  expectClose, expectRoundTrips, expectSamePredictions, expectSameWeights, fitBoth, tfjsArtifacts, twin, values, type TF,
} from './layers-16-helpers.js';

beforeAll(async () => {
  await tfjs.setBackend('cpu');
});
afterAll(async () => { await sora.setBackend('reference'); });

/**
 * `train: false` where TF.js cannot train the model: it has no gradient for dilation rates above 1 (conv2d,
 * conv1d, fused conv2d: "not yet supported in gradients") nor for conv3dTranspose (Conv3DBackpropInputV2).
 * sora's gradients there are checked against finite differences in the op tests; here the predictions and
 * files are.
 */
interface Case { name: string; build: (tf: TF) => TF; x: number[]; y: number[]; train: boolean }

const CASES: Case[] = [
  {
    name: 'conv2d (relu, same, strides 2) -> maxPooling2d (same) -> conv2d (sigmoid, valid) -> averagePooling2d (overlapping)',
    build: (tf) => tf.sequential({ layers: [
      tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', inputShape: [9, 8, 2] }),
      tf.layers.maxPooling2d({ poolSize: 2, strides: 1, padding: 'same' }),
      tf.layers.conv2d({ filters: 3, kernelSize: [2, 1], activation: 'sigmoid', biasInitializer: 'randomNormal' }),
      tf.layers.averagePooling2d({ poolSize: [2, 2], strides: 1 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 2 }),
    ] }),
    x: [3, 9, 8, 2], y: [3, 2], train: true,
  },
  {
    name: 'dilated conv2d (sigmoid), depthwiseConv2d and conv1d (relu), \'same\' average pooling (predictions and files only)',
    build: (tf) => tf.sequential({ layers: [
      tf.layers.conv2d({ filters: 3, kernelSize: [2, 3], dilationRate: [1, 2], activation: 'sigmoid', biasInitializer: 'randomNormal', inputShape: [7, 9, 2] }),
      // No dilation here: TF.js's DepthwiseConv2D layer ignores its dilationRate (pinned below).
      tf.layers.depthwiseConv2d({ kernelSize: 2, padding: 'same', biasInitializer: 'randomNormal' }),
      tf.layers.averagePooling2d({ poolSize: [3, 2], strides: 2, padding: 'same' }),
      tf.layers.reshape({ targetShape: [9, 3] }),
      tf.layers.conv1d({ filters: 2, kernelSize: 3, dilationRate: 3, activation: 'relu', biasInitializer: 'randomNormal' }),
      tf.layers.avgPool1d({ poolSize: 2, padding: 'same' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 2 }),
    ] }),
    x: [2, 7, 9, 2], y: [2, 2], train: false,
  },
  {
    name: 'channelsFirst conv2d (tanh) -> maxPool2d -> conv2dTranspose (strides 2, valid) -> avgPool2d',
    build: (tf) => tf.sequential({ layers: [
      tf.layers.conv2d({ filters: 3, kernelSize: 2, dataFormat: 'channelsFirst', activation: 'tanh', biasInitializer: 'randomUniform', inputShape: [2, 6, 7] }),
      tf.layers.maxPool2d({ poolSize: 2, dataFormat: 'channelsFirst' }),
      tf.layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, dataFormat: 'channelsFirst', biasInitializer: 'randomNormal' }),
      tf.layers.avgPool2d({ poolSize: 2, strides: 2, dataFormat: 'channelsFirst' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 2 }),
    ] }),
    x: [2, 2, 6, 7], y: [2, 2], train: true,
  },
  {
    name: 'depthwiseConv2d (multiplier 2, relu) -> separableConv2d (same, strides 2) -> conv2dTranspose (same)',
    build: (tf) => tf.sequential({ layers: [
      tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, activation: 'relu', biasInitializer: 'randomNormal', inputShape: [7, 6, 3] }),
      // depthMultiplier 1: TF.js's SeparableConv2D leaves depthMultiplier out of its saved config (pinned below).
      tf.layers.separableConv2d({ filters: 4, kernelSize: 2, strides: 2, padding: 'same', biasInitializer: 'randomNormal' }),
      tf.layers.conv2dTranspose({ filters: 2, kernelSize: 2, strides: [1, 2], padding: 'same', activation: 'sigmoid' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3 }),
    ] }),
    x: [2, 7, 6, 3], y: [2, 3], train: true,
  },
  {
    name: 'conv1d (relu) -> maxPooling1d (same) -> conv1d (strides 2, same) -> averagePooling1d',
    build: (tf) => tf.sequential({ layers: [
      tf.layers.conv1d({ filters: 4, kernelSize: 3, activation: 'relu', biasInitializer: 'randomNormal', inputShape: [12, 3] }),
      tf.layers.maxPooling1d({ poolSize: 3, strides: 2, padding: 'same' }),
      tf.layers.conv1d({ filters: 3, kernelSize: 2, strides: 2, padding: 'same' }),
      tf.layers.avgPool1d({ poolSize: 2, strides: 1 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 2 }),
    ] }),
    x: [3, 12, 3], y: [3, 2], train: true,
  },
  {
    name: 'conv3d (relu, strides) -> maxPooling3d (same) -> averagePooling3d',
    build: (tf) => tf.sequential({ layers: [
      tf.layers.conv3d({ filters: 3, kernelSize: [2, 2, 1], strides: [1, 2, 1], activation: 'relu', biasInitializer: 'randomNormal', inputShape: [5, 5, 4, 2] }),
      tf.layers.maxPooling3d({ poolSize: 2, strides: 1, padding: 'same' }),
      tf.layers.averagePooling3d({ poolSize: [2, 1, 2] }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 2 }),
    ] }),
    x: [2, 5, 5, 4, 2], y: [2, 2], train: true,
  },
  {
    name: 'conv3d -> conv3dTranspose (strides 2) -> avgPool3d (predictions and files only)',
    build: (tf) => tf.sequential({ layers: [
      tf.layers.conv3d({ filters: 3, kernelSize: 2, activation: 'relu', biasInitializer: 'randomNormal', inputShape: [5, 5, 4, 2] }),
      tf.layers.maxPooling3d({ poolSize: 2, strides: 1 }),
      tf.layers.conv3dTranspose({ filters: 2, kernelSize: 2, strides: 2, biasInitializer: 'randomNormal' }),
      tf.layers.avgPool3d({ poolSize: [2, 2, 1], padding: 'same' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 2 }),
    ] }),
    x: [2, 5, 5, 4, 2], y: [2, 2], train: false,
  },
];

for (const backend of ['reference', 'wasm'] as const) {
  describe(`convolution and pooling layers against TF.js (cpu), sora on ${backend}`, () => {
    beforeAll(async () => {
      await sora.setBackend(backend);
      expect(sora.getBackend()).toBe(backend);
    });
    for (const c of CASES) {
      it(c.name, async () => {
        const { ours, theirs } = twin(c.build);
        expect(ours.outputShape).toEqual(theirs.outputShape);
        ours.layers.forEach((layer: TF, i: number) => {
          expect(layer.outputShape, `layer ${i} output shape`).toEqual(theirs.layers[i].outputShape);
          expect(layer.weights.map((w: TF) => w.name), `layer ${i} weight names`).toEqual(theirs.layers[i].weights.map((w: TF) => w.name));
        });
        expect(ours.countParams()).toBe(theirs.countParams());
        expectSamePredictions(ours, theirs, c.x, 'before fit', 1e-4);
        if (c.train) {
          await fitBoth(ours, theirs, c.x, c.y);
          expectSameWeights(ours, theirs, 'after 3 SGD steps', 1e-4);
          expectSamePredictions(ours, theirs, c.x, 'after fit', 1e-4);
        }
        await expectRoundTrips(ours, theirs, c.x, c.name);
      });
    }
  });
}

describe('where TF.js is wrong', () => {
  it('depthwiseConv2d with dilationRate dilates (TF.js\'s layer passes no dilation to its op, in call and output shape)', () => {
    const x = values([2, 6, 5, 3]), kernel = values([2, 2, 3, 2], 0.5);
    const layer = sora.layers.depthwiseConv2d({ kernelSize: 2, dilationRate: 2, depthMultiplier: 2, useBias: false });
    const ours = layer.apply(sora.tensor(x, [2, 6, 5, 3])) as sora.Tensor;
    layer.setWeights([sora.tensor(kernel, [2, 2, 3, 2])]);
    const dilated = layer.apply(sora.tensor(x, [2, 6, 5, 3])) as sora.Tensor;
    expect(ours.shape).toEqual([2, 4, 3, 6]);
    // TF.js's op (not its layer) with the dilation is the reference.
    const op = tfjs.depthwiseConv2d(tfjs.tensor4d(x, [2, 6, 5, 3]), tfjs.tensor4d(kernel, [2, 2, 3, 2]), 1, 'valid', 'NHWC', 2);
    expectClose(dilated.dataSync(), op.dataSync() as Float32Array, 'dilated depthwise layer vs tf.depthwiseConv2d');
    const theirs = tfjs.layers.depthwiseConv2d({ kernelSize: 2, dilationRate: 2, depthMultiplier: 2, useBias: false });
    expect((theirs.apply(tfjs.tensor(x, [2, 6, 5, 3])) as TF).shape).toEqual([2, 5, 4, 6]);
  });

  it('average pooling with padding \'same\': the gradient counts only the pixels each window covers (TF.js divides by the whole window)', () => {
    // 3x3 input, 2x2 windows at stride 1: the windows on the right and bottom edges cover 2 or 1 pixels.
    const expected = [0.25, 0.5, 0.75, 0.5, 1, 1.5, 0.75, 1.5, 2.25];
    const x = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const layer = sora.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' });
    const ours = sora.grad((t: sora.Tensor) => sora.sum(layer.apply(t) as sora.Tensor))(sora.tensor(x, [1, 3, 3, 1]));
    expect(Array.from(ours.dataSync())).toEqual(expected);
    const theirLayer = tfjs.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' });
    const theirs = tfjs.grad((t: TF) => tfjs.sum(theirLayer.apply(t) as TF))(tfjs.tensor(x, [1, 3, 3, 1]));
    expect(Array.from(theirs.dataSync())).toEqual([0.25, 0.5, 0.5, 0.5, 1, 1, 0.5, 1, 1]);
  });
});

describe('channelsFirst on every layer', () => {
  beforeAll(async () => { await sora.setBackend('reference'); });
  // channelsLast is checked against TF.js above; channelsFirst must be the same layer on transposed axes. TF.js's
  // own channelsFirst Conv1D returns channelsLast output and its SeparableConv2D adds the bias on the wrong axis,
  // so the reference here is sora's channelsLast layer with the same weights.
  const cases: [string, (format: 'channelsFirst' | 'channelsLast') => sora.Layer, number[]][] = [
    ['conv1d', (f) => sora.layers.conv1d({ filters: 3, kernelSize: 2, dataFormat: f, biasInitializer: 'randomNormal' }), [2, 7, 2]],
    ['conv3d', (f) => sora.layers.conv3d({ filters: 2, kernelSize: 2, padding: 'same', dataFormat: f, activation: 'relu', biasInitializer: 'randomNormal' }), [2, 3, 4, 5, 2]],
    ['conv3dTranspose', (f) => sora.layers.conv3dTranspose({ filters: 2, kernelSize: 2, strides: 2, dataFormat: f, biasInitializer: 'randomNormal' }), [1, 2, 3, 2, 3]],
    ['depthwiseConv2d', (f) => sora.layers.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2, dataFormat: f, activation: 'sigmoid', biasInitializer: 'randomNormal' }), [2, 5, 4, 3]],
    ['separableConv2d', (f) => sora.layers.separableConv2d({ filters: 2, kernelSize: 2, padding: 'same', dataFormat: f, biasInitializer: 'randomNormal' }), [2, 5, 4, 3]],
    ['maxPooling1d', (f) => sora.layers.maxPooling1d({ poolSize: 3, strides: 2, padding: 'same', dataFormat: f }), [2, 7, 3]],
    ['averagePooling3d', (f) => sora.layers.averagePooling3d({ poolSize: 2, padding: 'same', dataFormat: f }), [2, 3, 4, 5, 2]],
  ];
  for (const [name, make, lastShape] of cases) {
    it(`${name}: channelsFirst equals channelsLast on transposed axes`, () => {
      const rank = lastShape.length;
      const toFirst = [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
      const toLast = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1];
      const xLast = sora.tensor(values(lastShape), lastShape);
      const last = make('channelsLast'), first = make('channelsFirst');
      const yLast = last.apply(xLast) as sora.Tensor;
      const yFirst = first.apply(sora.transpose(xLast, toFirst)) as sora.Tensor;
      first.setWeights(last.getWeights());
      const again = first.apply(sora.transpose(xLast, toFirst)) as sora.Tensor;
      expect(yFirst.shape).toEqual(sora.transpose(yLast, toFirst).shape);
      expect(first.computeOutputShape([null, ...toFirst.slice(1).map((a) => lastShape[a])])).toEqual([null, ...yFirst.shape.slice(1)]);
      expectClose(sora.transpose(again, toLast).dataSync(), yLast.dataSync(), `${name} channelsFirst`);
    });
  }
});

describe('convolution and pooling layer configs', () => {
  beforeAll(async () => { await sora.setBackend('reference'); });

  it('defaults and saved configs match TF.js\'s', () => {
    for (const [make, input] of [
      [(tf: TF) => tf.layers.conv2d({ filters: 2, kernelSize: 3, name: 'c2' }), [5, 5, 1]],
      [(tf: TF) => tf.layers.depthwiseConv2d({ kernelSize: [2, 3], name: 'dw' }), [5, 5, 2]],
      [(tf: TF) => tf.layers.separableConv2d({ filters: 2, kernelSize: 2, name: 'sep' }), [5, 5, 2]],
      [(tf: TF) => tf.layers.conv2dTranspose({ filters: 2, kernelSize: 2, name: 'ct' }), [4, 4, 2]],
      [(tf: TF) => tf.layers.maxPooling2d({ name: 'mp' }), [4, 4, 2]],
      [(tf: TF) => tf.layers.averagePooling1d({ name: 'ap' }), [4, 2]],
      [(tf: TF) => tf.layers.conv1d({ filters: 2, kernelSize: 2, strides: 2, name: 'c1' }), [6, 2]],
      [(tf: TF) => tf.layers.conv3d({ filters: 2, kernelSize: [1, 2, 3], padding: 'same', name: 'c3' }), [3, 4, 5, 1]],
      [(tf: TF) => tf.layers.conv3dTranspose({ filters: 2, kernelSize: 2, strides: 2, name: 'c3t' }), [3, 4, 5, 1]],
      [(tf: TF) => tf.layers.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 3, activation: 'relu', name: 'dw3' }), [5, 5, 2]],
      [(tf: TF) => tf.layers.maxPooling3d({ poolSize: [1, 2, 2], strides: 1, padding: 'same', name: 'mp3' }), [3, 4, 5, 1]],
      [(tf: TF) => tf.layers.avgPool2d({ poolSize: 3, strides: [1, 2], dataFormat: 'channelsFirst', name: 'ap2' }), [2, 5, 5]],
    ] as const) {
      const theirs = make(tfjs), ours = make(sora);
      theirs.apply(tfjs.input({ shape: [...input] }));
      ours.apply(sora.input({ shape: [...input] }));
      // sora's base config always carries dtype; TF.js writes GlorotNormal and friends as their VarianceScaling
      // parameters (sora names the class; both load either way): the parameters are compared.
      const strip = (c: Record<string, unknown>) => {
        const { dtype: _, ...rest } = JSON.parse(JSON.stringify(c));
        for (const [k, v] of Object.entries(rest)) if (k.endsWith('Initializer')) rest[k] = (v as { config: unknown }).config;
        return rest;
      };
      const mine = strip(ours.getConfig());
      // TF.js's SeparableConv2D does not save depthMultiplier (its own files then reload with 1); sora saves it.
      if (ours.getClassName() === 'SeparableConv2D') {
        expect(theirs.getConfig().depthMultiplier).toBeUndefined();
        expect(mine.depthMultiplier).toBe(1);
        delete mine.depthMultiplier;
      }
      expect(mine).toEqual(strip(theirs.getConfig()));
      expect(ours.getClassName()).toBe(theirs.getClassName());
    }
  });

  it('bad configs: an error naming the layer, the field and the value, at construction', () => {
    const L = sora.layers;
    expect(() => L.conv2d({ filters: 0, kernelSize: 3, name: 'cA' })).toThrow(/conv2d cA: filters must be a positive integer\. Received: filters=0/);
    expect(() => L.conv2d({ filters: 2, kernelSize: [3, 3, 3], name: 'cB' }))
      .toThrow(/conv2d cB: kernelSize must be a positive integer or an array of 2 positive integers\. Received: kernelSize=\[3,3,3\]/);
    expect(() => L.conv2d({ filters: 2, kernelSize: 3, strides: -1, name: 'cC' })).toThrow(/conv2d cC: strides .* Received: strides=-1/);
    expect(() => L.conv2d({ filters: 2, kernelSize: 3, strides: 1.5, name: 'cD' })).toThrow(/conv2d cD: strides .* Received: strides=1\.5/);
    expect(() => L.conv2d({ filters: 2, kernelSize: 3, strides: 2, dilationRate: 2, name: 'cE' }))
      .toThrow(/conv2d cE: strides and dilationRate cannot both exceed 1 \(as TF.js\)\. Received: strides=\[2,2\], dilationRate=\[2,2\]/);
    expect(() => L.conv1d({ filters: 2, kernelSize: 3, padding: 'causal' as never, name: 'cF' }))
      .toThrow(/conv1d cF: padding must be 'valid' or 'same' \(TF.js has no causal convolution\)/);
    expect(() => L.conv2d({ filters: 2, kernelSize: 3, dataFormat: 'NHWC' as never, name: 'cG' })).toThrow(/conv2d cG: dataFormat must be/);
    expect(() => L.conv2d({ filters: 2, kernelSize: 3, activation: 'swishy' as never, name: 'cH' })).toThrow(/cH/);
    expect(() => L.conv2dTranspose({ filters: 2, kernelSize: 3, dilationRate: 2, name: 'cI' })).toThrow(/conv2dTranspose cI: dilationRate must be 1/);
    expect(() => L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 0, name: 'cJ' })).toThrow(/depthwiseConv2d cJ: depthMultiplier must be a positive integer/);
    expect(() => L.conv2d({ filters: 2 } as never)).toThrow(/conv2d .*kernelSize is required/);
    expect(() => L.maxPooling2d({ poolSize: [2, 0], name: 'pA' })).toThrow(/maxPooling2d pA: poolSize .* Received: poolSize=\[2,0\]/);
    expect(() => L.avgPool1d({ strides: [1, 1], name: 'pB' })).toThrow(/averagePooling1d pB: strides must be .* array of 1 positive integers/);
  });

  it('a kernel or pool larger than the input is an error naming the layer before any kernel runs', () => {
    const model = sora.sequential();
    model.add(sora.layers.conv2d({ filters: 2, kernelSize: 3, inputShape: [4, 4, 1], name: 'c1' }));
    expect(() => model.add(sora.layers.conv2d({ filters: 2, kernelSize: 3, name: 'tooBig' })))
      .toThrow(/conv2d tooBig: the kernel \(kernelSize \[3,3\], dilationRate \[1,1\]\) spans 3 along an input axis of length 2 with padding 'valid'/);
    expect(() => model.add(sora.layers.maxPooling2d({ poolSize: 3, name: 'bigPool' })))
      .toThrow(/maxPooling2d bigPool: the pool \(poolSize \[3,3\]\) spans 3 along an input axis of length 2/);
    const dilated = sora.layers.conv1d({ filters: 1, kernelSize: 3, dilationRate: 3, name: 'dil' });
    expect(() => dilated.apply(sora.input({ shape: [6, 1] }))).toThrow(/conv1d dil: .* spans 7 along an input axis of length 6/);
    expect(() => sora.layers.conv2d({ filters: 1, kernelSize: 2, name: 'rank' }).apply(sora.input({ shape: [5, 5] })))
      .toThrow(/conv2d rank: expected input of rank 4/);
  });

  it('a channel count that disagrees with the saved kernel is an error naming the weight and both shapes', async () => {
    const model = tfjs.sequential({ layers: [tfjs.layers.conv2d({ filters: 2, kernelSize: 2, inputShape: [4, 4, 3], name: 'convW' })] });
    const artifacts = await tfjsArtifacts(model);
    const topology = JSON.parse(JSON.stringify(artifacts.modelTopology));
    topology.config.layers[0].config.batch_input_shape = [null, 4, 4, 5];
    await expect(sora.loadLayersModel(sora.io.fromMemory({ ...artifacts, modelTopology: topology })))
      .rejects.toThrow(/weight 'convW\/kernel' has shape \[2,2,3,2\], the model expects \[2,2,5,2\]/);
  });

  it('Keras\'s class-name aliases load (MaxPool2D, Convolution2D, AvgPool1D)', () => {
    expect(registeredClass('MaxPool2D')).toBe(registeredClass('MaxPooling2D'));
    expect(registeredClass('Convolution2D')).toBe(registeredClass('Conv2D'));
    expect(registeredClass('AvgPool1D')).toBe(registeredClass('AveragePooling1D'));
    expect(registeredClass('SeparableConv2D')).toBeDefined();
  });

  it('call leaves no tensor behind and fit trains a conv model without leaking', async () => {
    const model = sora.sequential({ layers: [
      sora.layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu', inputShape: [6, 6, 1] }),
      sora.layers.maxPooling2d({}), sora.layers.flatten(), sora.layers.dense({ units: 2, activation: 'softmax' }),
    ] });
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const x = sora.randomNormal([4, 6, 6, 1]), y = sora.oneHot(sora.tensor([0, 1, 0, 1], [4], 'int32'), 2);
    await model.fit(x, y, { epochs: 1, verbose: 0 });
    const before = sora.memory().numTensors;
    await model.fit(x, y, { epochs: 2, verbose: 0 });
    sora.tidy(() => { model.predict(x); });
    expect(sora.memory().numTensors).toBe(before);
  });
});
