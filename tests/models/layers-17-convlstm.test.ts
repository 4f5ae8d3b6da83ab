/**
 * Issue 17's convLstm2d and convLstm2dCell against TF.js (cpu): with TF.js's weights sora
 * predicts what TF.js predicts in every mode (padding, strides, dilation, channelsFirst,
 * returnSequences, returnState, goBackwards, initialState, stateful), the same SGD steps give the
 * same weights (dropout too, through TF.js's dropoutFunc hook), files move both ways, the config
 * is TF.js's, and bad input is refused naming the layer and the value before anything runs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tfjs from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import {
  expectClose, expectRoundTrips, expectSamePredictions, expectSameWeights, fitBoth, twin, values, type TF,
} from './layers-16-helpers.js';

beforeAll(async () => {
  await tfjs.setBackend('cpu');
  await sora.setBackend('reference');
});

const batch = 2, steps = 3;

describe('convLstm2d against TF.js: predictions with the same weights', () => {
  const cases: { what: string; input: number[]; options: Record<string, unknown> }[] = [
    { what: 'same padding, every step', input: [steps, 6, 5, 2], options: { filters: 3, kernelSize: 3, padding: 'same', returnSequences: true } },
    { what: 'valid padding, last step', input: [steps, 6, 5, 2], options: { filters: 2, kernelSize: [2, 3] } },
    { what: 'strides 2, relu and sigmoid', input: [steps, 7, 6, 3], options: { filters: 4, kernelSize: 3, strides: 2, activation: 'relu', recurrentActivation: 'sigmoid', returnSequences: true } },
    { what: 'dilation 2, goBackwards, no bias', input: [4, 7, 7, 1], options: { filters: 2, kernelSize: 2, dilationRate: 2, goBackwards: true, useBias: false, returnSequences: true } },
    { what: 'same padding with strides 2, goBackwards, last step', input: [steps, 5, 6, 2], options: { filters: 3, kernelSize: [3, 2], strides: [2, 1], padding: 'same', goBackwards: true } },
    { what: 'one step, one filter, 1x1 kernel', input: [1, 3, 4, 2], options: { filters: 1, kernelSize: 1, returnSequences: true } },
  ];
  for (const { what, input, options } of cases) {
    it(what, () => {
      const build = (tf: TF) => tf.sequential({ layers: [
        tf.layers.convLstm2d({ inputShape: input, biasInitializer: 'randomNormal', ...options }),
      ] });
      const { ours, theirs } = twin(build);
      expect(ours.outputs[0].shape).toEqual(theirs.outputs[0].shape);
      expectSamePredictions(ours, theirs, [batch, ...input], what);
    });
  }

  it('channelsFirst: [batch, steps, channels, rows, cols] in and out', () => {
    const build = (tf: TF) => tf.sequential({ layers: [tf.layers.convLstm2d({
      inputShape: [steps, 2, 5, 4], filters: 3, kernelSize: 2, dataFormat: 'channelsFirst', returnSequences: true,
      biasInitializer: 'randomNormal',
    })] });
    const { ours, theirs } = twin(build);
    expect(ours.outputs[0].shape).toEqual([null, steps, 3, 4, 3]);
    expectSamePredictions(ours, theirs, [batch, steps, 2, 5, 4], 'channelsFirst');
  });

  it('returnState in a functional model: [output, h, c], and initialState given to apply', () => {
    const make = (tf: TF) => {
      const x = tf.input({ shape: [steps, 4, 4, 2] });
      const outs = tf.layers.convLstm2d({ filters: 2, kernelSize: 3, padding: 'same', returnState: true, biasInitializer: 'ones' }).apply(x);
      return tf.model({ inputs: x, outputs: outs });
    };
    const { ours, theirs } = twin(make);
    expect(ours.outputs.map((o: TF) => o.shape)).toEqual(theirs.outputs.map((o: TF) => o.shape));
    const shape = [batch, steps, 4, 4, 2];
    const xs = values(shape);
    const a = ours.predict(sora.tensor(xs, shape)) as sora.Tensor[], b = theirs.predict(tfjs.tensor(xs, shape)) as TF[];
    expect(a.length).toBe(3);
    a.forEach((t, i) => expectClose(t.dataSync(), b[i].dataSync(), `returnState output ${i}`));
    // The states of one call start the next, given as initialState.
    const h0 = values([batch, 4, 4, 2], 0.4), c0 = values([batch, 4, 4, 2], 0.9);
    const run = (tf: TF, model: TF) => model.layers[1].apply(tf.tensor(xs, shape), {
      initialState: [tf.tensor(h0, [batch, 4, 4, 2]), tf.tensor(c0, [batch, 4, 4, 2])] });
    const mine = run(sora, ours), theirsOut = run(tfjs, theirs);
    mine.forEach((t: TF, i: number) => expectClose(t.dataSync(), theirsOut[i].dataSync(), `initialState output ${i}`));
  });

  it('stateful: the states carry from one batch to the next and resetStates clears them, as in TF.js', () => {
    const build = (tf: TF) => tf.sequential({ layers: [tf.layers.convLstm2d({
      batchInputShape: [batch, 2, 4, 3, 1], filters: 2, kernelSize: 2, padding: 'same', stateful: true, biasInitializer: 'randomNormal',
    })] });
    const { ours, theirs } = twin(build);
    const shape = [batch, 2, 4, 3, 1];
    expectSamePredictions(ours, theirs, shape, 'stateful, first batch');
    expectSamePredictions(ours, theirs, shape, 'stateful, second batch (carried states)');
    const [h] = ours.layers[0].states as sora.Tensor[];
    expect(h.shape).toEqual([batch, 4, 3, 2]);
    expectClose(h.dataSync(), theirs.layers[0].states[0].dataSync(), 'stateful h');
    ours.layers[0].resetStates();
    theirs.layers[0].resetStates();
    // getInitialState and setStates as TF.js's: zeros of the state's shape, and states set by hand.
    const zeros = ours.layers[0].getInitialState(sora.zeros(shape));
    expect(zeros.map((t: sora.Tensor) => t.shape)).toEqual(theirs.layers[0].getInitialState(tfjs.zeros(shape)).map((t: TF) => t.shape));
    const h0 = values([batch, 4, 3, 2], 0.5), c0 = values([batch, 4, 3, 2], 1.5);
    ours.layers[0].setStates([sora.tensor(h0, [batch, 4, 3, 2]), sora.tensor(c0, [batch, 4, 3, 2])]);
    theirs.layers[0].resetStates([tfjs.tensor(h0, [batch, 4, 3, 2]), tfjs.tensor(c0, [batch, 4, 3, 2])]);
    expectSamePredictions(ours, theirs, shape, 'stateful from states set by hand');
    ours.layers[0].resetStates();
    theirs.layers[0].resetStates();
    expect(Array.from((ours.layers[0].states[0] as sora.Tensor).dataSync()).every((v) => v === 0)).toBe(true);
    expectSamePredictions(ours, theirs, shape, 'stateful after resetStates');
  });
});

describe('convLstm2d trains as TF.js does', () => {
  it('convLstm2d -> flatten -> dense: 2 SGD steps give the same weights; files move both ways', async () => {
    const build = (tf: TF) => tf.sequential({ layers: [
      tf.layers.convLstm2d({ inputShape: [steps, 5, 4, 2], filters: 3, kernelSize: 3, padding: 'same', biasInitializer: 'randomNormal' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 2 }),
    ] });
    const { ours, theirs } = twin(build);
    await fitBoth(ours, theirs, [batch, steps, 5, 4, 2], [batch, 2], 2);
    expectSameWeights(ours, theirs, 'after 2 SGD steps', 2e-5);
    expectSamePredictions(ours, theirs, [batch, steps, 5, 4, 2], 'after 2 SGD steps');
    await expectRoundTrips(ours, theirs, [batch, steps, 5, 4, 2], 'convLstm2d');
  });

  it('returnSequences, goBackwards, strides and valid padding: 2 SGD steps', async () => {
    const build = (tf: TF) => tf.sequential({ layers: [
      tf.layers.convLstm2d({ inputShape: [steps, 6, 5, 1], filters: 2, kernelSize: 2, strides: 2, goBackwards: true,
        returnSequences: true, unitForgetBias: true }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 1 }),
    ] });
    const { ours, theirs } = twin(build);
    await fitBoth(ours, theirs, [batch, steps, 6, 5, 1], [batch, 1], 2);
    expectSameWeights(ours, theirs, 'after 2 SGD steps', 2e-5);
  });

  for (const dataFormat of ['channelsLast', 'channelsFirst']) {
    it(`dropout and recurrentDropout in training (${dataFormat}): the same masks (TF.js's dropoutFunc hook) give the same steps`, async () => {
      // The hook replaces tf.dropout when a mask is made: a pattern of 0 and 1 / (1 - rate), the same in both libraries,
      // another for each mask made (four for the input's gates, then four for h's, at each call in training).
      const hook = (tf: TF) => {
        let made = 0;
        return (ones: TF, rate: number) => {
          const k = made++;
          return tf.mul(ones, tf.tensor(Array.from({ length: ones.size }, (_, i) => ((i * 7 + k * 3) % 5 === 0 ? 0 : 1 / (1 - rate))), ones.shape));
        };
      };
      const build = (tf: TF) => tf.sequential({ layers: [
        tf.layers.convLstm2d({ inputShape: [steps, 4, 3, 2], filters: 2, kernelSize: 3, padding: 'same', dropout: 0.3,
          recurrentDropout: 0.4, dropoutFunc: hook(tf), biasInitializer: 'randomNormal', dataFormat }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 1 }),
      ] });
      const { ours, theirs } = twin(build);
      const shape = [batch, steps, 4, 3, 2];
      const xs = values(shape);
      // With training on, the masks are used: the output differs from inference, and agrees with TF.js's.
      const trained = (tf: TF, model: TF) => model.layers[0].apply(tf.tensor(xs, shape), { training: true });
      const a = trained(sora, ours), b = trained(tfjs, theirs);
      expectClose(a.dataSync(), b.dataSync(), 'training output');
      const inference = ours.layers[0].apply(sora.tensor(xs, shape)) as sora.Tensor;
      expect(Math.max(...Array.from(inference.dataSync()).map((v, i) => Math.abs(v - a.dataSync()[i])))).toBeGreaterThan(1e-3);
      await fitBoth(ours, theirs, shape, [batch, 1], 2);
      expectSameWeights(ours, theirs, 'dropout: after 2 SGD steps', 2e-5);
    });
  }

  it('without a hook, training drops input elements: outputs differ from inference and vary from call to call', () => {
    const layer = sora.layers.convLstm2d({ filters: 2, kernelSize: 1, dropout: 0.5, biasInitializer: 'ones' });
    const x = sora.tensor(values([batch, steps, 3, 3, 2]), [batch, steps, 3, 3, 2]);
    const plain = Array.from((layer.apply(x) as sora.Tensor).dataSync());
    const one = Array.from((layer.apply(x, { training: true }) as sora.Tensor).dataSync());
    const two = Array.from((layer.apply(x, { training: true }) as sora.Tensor).dataSync());
    expect(one).not.toEqual(plain);
    expect(one).not.toEqual(two);
  });
});
