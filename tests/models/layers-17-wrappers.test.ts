/**
 * Issue 17's wrappers against TF.js (cpu): timeDistributed (dense, conv2d) and bidirectional
 * (lstm, gru; every mergeMode, masks from an embedding with maskZero, returnState, initialState)
 * with TF.js's weights predict what TF.js predicts; the same SGD steps give the same weights;
 * TF.js's files load in sora and sora's in TF.js, with the weight names TF.js writes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tfjs from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import {
  expectClose, expectRoundTrips, expectSamePredictions, expectSameWeights, fitBoth, soraArtifacts, tfjsArtifacts, twin, values,
  type TF,
} from './layers-16-helpers.js';

beforeAll(async () => {
  await tfjs.setBackend('cpu');
  await sora.setBackend('reference');
});

/** [rows, length] ids in [1, vocab), zeros (padding) at the ends of some rows and at the start of one. */
function ids(rows: number, length: number, vocab: number, padded = true): number[] {
  return Array.from({ length: rows * length }, (_, i) => {
    const row = Math.floor(i / length), col = i % length;
    if (padded && (col >= length - (row % 3) || (row === 1 && col === 0))) return 0;
    return 1 + ((i * 7 + 3) % (vocab - 1));
  });
}

describe('timeDistributed against TF.js', () => {
  it('timeDistributed(dense): predictions, 3 SGD steps, files both ways, weights named <wrapper>/kernel', async () => {
    const build = (tf: TF) => tf.sequential({ layers: [
      tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 3, activation: 'tanh', biasInitializer: 'randomNormal' }),
        inputShape: [4, 5], name: 'td' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 2 }),
    ] });
    const { ours, theirs } = twin(build);
    expect(ours.weights.map((w: TF) => w.name).slice(0, 2)).toEqual(['td/kernel', 'td/bias']);
    expect(theirs.weights.map((w: TF) => w.name).slice(0, 2)).toEqual(['td/kernel', 'td/bias']);
    expect(ours.layers[0].outputShape).toEqual([null, 4, 3]);
    expectSamePredictions(ours, theirs, [3, 4, 5], 'timeDistributed(dense)');
    await fitBoth(ours, theirs, [3, 4, 5], [3, 2]);
    expectSameWeights(ours, theirs, 'timeDistributed(dense) after 3 SGD steps');
    await expectRoundTrips(ours, theirs, [3, 4, 5], 'timeDistributed(dense)');
  });

  it("the inner layer's regularizer counts in fit's loss through the wrapper, as TF.js", async () => {
    const build = (tf: TF) => tf.sequential({ layers: [
      tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 3, kernelRegularizer: tf.regularizers.l2({ l2: 0.5 }) }),
        inputShape: [4, 5] }),
      tf.layers.bidirectional({ layer: tf.layers.gru({ units: 2 }) }),
    ] });
    const { ours, theirs } = twin(build);
    await fitBoth(ours, theirs, [3, 4, 5], [3, 4]);
    expectSameWeights(ours, theirs, 'regularized inner layer after 3 SGD steps', 1e-4);
  });

  it("the inner layers' constraints hold after each fit step (TF.js's fit applies none, wrapped or not)", async () => {
    const model = sora.sequential({ layers: [
      sora.layers.timeDistributed({ layer: sora.layers.dense({ units: 3, biasConstraint: sora.constraints.nonNeg(),
        biasInitializer: sora.initializers.constant({ value: -1 }) }), inputShape: [4, 5] }),
      sora.layers.bidirectional({ layer: sora.layers.gru({ units: 2, kernelConstraint: sora.constraints.maxNorm({ maxValue: 0.1, axis: 0 }) }) }),
    ] });
    model.compile({ optimizer: sora.train.sgd(0.1), loss: 'meanSquaredError' });
    await model.fit(sora.tensor(values([3, 4, 5]), [3, 4, 5]), sora.tensor(values([3, 4], 1), [3, 4]), { epochs: 1, verbose: 0 });
    expect(Array.from(model.layers[0].getWeights()[1].dataSync())).toEqual([0, 0, 0]);
    for (const kernel of [0, 3].map((i) => model.layers[1].getWeights()[i])) {
      const [rows, cols] = kernel.shape;
      const v = kernel.dataSync();
      for (let c = 0; c < cols; c++) {
        let norm = 0;
        for (let r = 0; r < rows; r++) norm += v[r * cols + c] ** 2;
        expect(Math.sqrt(norm)).toBeLessThanOrEqual(0.1 + 1e-6);
      }
    }
  });

  it('timeDistributed(conv2d) over [batch, steps, h, w, c]: predictions, 3 SGD steps, files both ways', async () => {
    const build = (tf: TF) => tf.sequential({ layers: [
      tf.layers.timeDistributed({ layer: tf.layers.conv2d({ filters: 2, kernelSize: 2, activation: 'relu', biasInitializer: 'randomNormal' }),
        inputShape: [3, 5, 4, 2] }),
      tf.layers.timeDistributed({ layer: tf.layers.flatten() }),
      tf.layers.dense({ units: 2 }),
    ] });
    const { ours, theirs } = twin(build);
    expect(ours.layers[0].outputShape).toEqual([null, 3, 4, 3, 2]);
    expect(ours.layers[1].outputShape).toEqual([null, 3, 24]);
    expectSamePredictions(ours, theirs, [2, 3, 5, 4, 2], 'timeDistributed(conv2d)');
    await fitBoth(ours, theirs, [2, 3, 5, 4, 2], [2, 3, 2]);
    expectSameWeights(ours, theirs, 'timeDistributed(conv2d) after 3 SGD steps');
    await expectRoundTrips(ours, theirs, [2, 3, 5, 4, 2], 'timeDistributed(conv2d)');
  });

  it('timeDistributed(a Sequential of conv2d, maxPooling2d, flatten): a model wrapped per frame, as TF.js', async () => {
    const build = (tf: TF) => {
      const frame = tf.sequential({ layers: [
        tf.layers.conv2d({ filters: 2, kernelSize: 2, inputShape: [4, 4, 1], biasInitializer: 'randomNormal', name: 'frame_conv' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
      ] });
      return tf.sequential({ layers: [
        tf.layers.timeDistributed({ layer: frame, inputShape: [3, 4, 4, 1] }),
        tf.layers.simpleRNN({ units: 2 }),
      ] });
    };
    const { ours, theirs } = twin(build);
    expect(ours.weights.map((w: TF) => w.name).slice(0, 2)).toEqual(['frame_conv/kernel', 'frame_conv/bias']);
    expect(theirs.weights.map((w: TF) => w.name).slice(0, 2)).toEqual(['frame_conv/kernel', 'frame_conv/bias']);
    expectSamePredictions(ours, theirs, [2, 3, 4, 4, 1], 'timeDistributed(Sequential)');
    await fitBoth(ours, theirs, [2, 3, 4, 4, 1], [2, 2]);
    expectSameWeights(ours, theirs, 'timeDistributed(Sequential) after 3 SGD steps');
    await expectRoundTrips(ours, theirs, [2, 3, 4, 4, 1], 'timeDistributed(Sequential)');
  });

  it('timeDistributed(batchNormalization) in training: statistics over every step at once, as Keras; TF.js updates per step (pinned)', async () => {
    // sora folds the steps into the batch and calls the layer once, as Keras does; TF.js calls it
    // once per step, so its moving mean takes `steps` updates per batch, each from one step's mean.
    const build = (tf: TF) => tf.sequential({ layers: [
      tf.layers.timeDistributed({ layer: tf.layers.batchNormalization({ momentum: 0.5 }), inputShape: [3, 2] }),
    ] });
    const { ours, theirs } = twin(build);
    const x = values([4, 3, 2]).map((v, i) => v + (i % 6 < 2 ? 2 : 0)), y = values([4, 3, 2], 0.5);
    for (const [tf, model] of [[tfjs, theirs], [sora, ours]] as const) {
      model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
      await model.fit(tf.tensor(x, [4, 3, 2]), tf.tensor(y, [4, 3, 2]), { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
    }
    // The moving mean after one batch: momentum * 0 + (1 - momentum) * mean over batch and steps.
    const mean = [0, 1].map((f) => x.filter((_, i) => i % 2 === f).reduce((a, b) => a + b, 0) / 12);
    const ourMoving = Array.from(ours.layers[0].getWeights()[2].dataSync() as Float32Array);
    expectClose(ourMoving, mean.map((m) => 0.5 * m), 'sora moving mean (one update from all steps)');
    const theirMoving = Array.from(theirs.layers[0].getWeights()[2].dataSync() as Float32Array);
    // TF.js: one update per step t from that step's mean over the batch, m <- 0.5 m + 0.5 mean_t.
    const perStep = [0, 1].map((f) => [0, 1, 2].reduce((m, t) =>
      0.5 * m + 0.5 * [0, 1, 2, 3].reduce((a, b) => a + x[b * 6 + t * 2 + f], 0) / 4, 0));
    expectClose(theirMoving, perStep, 'TF.js moving mean (one update per step)');
    expect(Math.abs(theirMoving[0] - ourMoving[0])).toBeGreaterThan(0.05);
  });

  it('passes the mask of an embedding(maskZero) through to the lstm after it, as TF.js', () => {
    const vocab = 7, length = 5;
    const build = (tf: TF) => tf.sequential({ layers: [
      tf.layers.embedding({ inputDim: vocab, outputDim: 3, inputLength: length, maskZero: true }),
      tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 4 }) }),
      tf.layers.lstm({ units: 2 }),
    ] });
    const { ours, theirs } = twin(build);
    const x = ids(4, length, vocab);
    const a = ours.predict(sora.tensor(x, [4, length])), b = theirs.predict(tfjs.tensor(x, [4, length]));
    expectClose(a.dataSync(), b.dataSync(), 'embedding -> timeDistributed -> lstm (masked)');
    // The mask is what makes them agree: the same ids without padding give other outputs.
    const unpadded = ours.predict(sora.tensor(x.map((v) => v || 1), [4, length])).dataSync();
    expect(Array.from(unpadded)).not.toEqual(Array.from(a.dataSync()));
  });

  it('refuses an input of rank < 3 and a config without a layer, naming the layer', () => {
    const td = sora.layers.timeDistributed({ layer: sora.layers.dense({ units: 2 }), name: 'td_rank' });
    expect(() => td.apply(sora.zeros([2, 3]))).toThrow(/TimeDistributed td_rank: expects an input of rank 3 or more.*\[null,3\]/);
    expect(() => sora.layers.timeDistributed({ layer: undefined as unknown as sora.Layer, name: 'td_none' }))
      .toThrow(/TimeDistributed td_none: the config needs a layer to wrap.*layer=undefined/);
  });
});

const MERGE_MODES = ['concat', 'sum', 'mul', 'ave', null] as const;

describe('bidirectional against TF.js', () => {
  const vocab = 9, length = 6, rows = 4;

  for (const mergeMode of MERGE_MODES) {
    for (const padded of [true, false]) {
      it(`embedding(maskZero) -> bidirectional(lstm, mergeMode ${mergeMode}) ${padded ? 'masked' : 'not masked'}: ` +
        'predictions, 3 SGD steps, files both ways', async () => {
        const build = (tf: TF) => {
          const input = tf.input({ shape: [length] });
          const embedded = tf.layers.embedding({ inputDim: vocab, outputDim: 3, maskZero: true }).apply(input);
          const bi = tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, returnSequences: true, biasInitializer: 'randomNormal' }),
            mergeMode, name: 'bi' }).apply(embedded);
          const merged = mergeMode === null ? tf.layers.concatenate().apply(bi) : bi;
          const output = tf.layers.lstm({ units: 2 }).apply(merged);
          return tf.model({ inputs: input, outputs: output });
        };
        const { ours, theirs } = twin(build);
        expect(ours.weights.map((w: TF) => w.name).filter((n: string) => n.startsWith('bi/')))
          .toEqual(theirs.weights.map((w: TF) => w.name).filter((n: string) => n.startsWith('bi/')));
        const x = ids(rows, length, vocab, padded);
        const predict = (what: string, a: TF = ours, b: TF = theirs) =>
          expectClose(a.predict(sora.tensor(x, [rows, length])).dataSync(), b.predict(tfjs.tensor(x, [rows, length])).dataSync(), what);
        predict(`mergeMode ${mergeMode}`);
        const y = values([rows, 2], 0.4);
        for (const [tf, model] of [[tfjs, theirs], [sora, ours]] as const) {
          model.compile({ optimizer: tf.train.sgd(0.3), loss: 'meanSquaredError' });
          await model.fit(tf.tensor(x, [rows, length]), tf.tensor(y, [rows, 2]), { epochs: 3, batchSize: rows, shuffle: false, verbose: 0 });
        }
        expectSameWeights(ours, theirs, `mergeMode ${mergeMode} after 3 SGD steps`, 1e-4);
        predict(`mergeMode ${mergeMode} after training`);
        const intoSora: TF = await sora.loadLayersModel(sora.io.fromMemory(await tfjsArtifacts(theirs)));
        predict(`mergeMode ${mergeMode}: TF.js file in sora`, intoSora, theirs);
        const intoTfjs: TF = await tfjs.loadLayersModel(tfjs.io.fromMemory(await soraArtifacts(ours)));
        predict(`mergeMode ${mergeMode}: sora file in TF.js`, ours, intoTfjs);
      });
    }
  }

  it('the seed text classifier (embedding -> bidirectional(lstm) -> dense -> dense) in a Sequential: weights named as TF.js', async () => {
    const build = (tf: TF) => tf.sequential({ layers: [
      tf.layers.embedding({ inputDim: vocab, outputDim: 4, inputLength: length, maskZero: true, name: 'emb' }),
      tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, name: 'lstm' }), name: 'bidi' }),
      tf.layers.dense({ units: 4, activation: 'relu', name: 'd1' }),
      tf.layers.dense({ units: 1, activation: 'sigmoid', name: 'd2' }),
    ] });
    const { ours, theirs } = twin(build);
    expect(ours.weights.map((w: TF) => w.name)).toEqual(theirs.weights.map((w: TF) => w.name));
    expect(ours.weights.map((w: TF) => w.name).slice(1, 4))
      .toEqual(['bidi/forward_lstm/kernel', 'bidi/forward_lstm/recurrent_kernel', 'bidi/forward_lstm/bias']);
    const x = ids(rows, length, vocab);
    expectClose(ours.predict(sora.tensor(x, [rows, length])).dataSync(), theirs.predict(tfjs.tensor(x, [rows, length])).dataSync(),
      'seed classifier');
    const y = [1, 0, 1, 0];
    for (const [tf, model] of [[tfjs, theirs], [sora, ours]] as const) {
      model.compile({ optimizer: tf.train.sgd(0.5), loss: 'binaryCrossentropy' });
      await model.fit(tf.tensor(x, [rows, length]), tf.tensor(y, [rows, 1]), { epochs: 3, batchSize: rows, shuffle: false, verbose: 0 });
    }
    expectSameWeights(ours, theirs, 'seed classifier after 3 SGD steps', 1e-4);
  });

  it('gru with returnState and mergeMode sum: outputs, forward then backward states, as TF.js', () => {
    const build = (tf: TF) => {
      const input = tf.input({ shape: [5, 3] });
      const outs = tf.layers.bidirectional({ layer: tf.layers.gru({ units: 2, returnState: true, biasInitializer: 'randomNormal' }),
        mergeMode: 'sum' }).apply(input);
      return tf.model({ inputs: input, outputs: outs });
    };
    const { ours, theirs } = twin(build);
    const x = values([3, 5, 3]);
    const a = ours.predict(sora.tensor(x, [3, 5, 3])), b = theirs.predict(tfjs.tensor(x, [3, 5, 3]));
    expect(a.length).toBe(3);
    expect(b.length).toBe(3);
    a.forEach((t: TF, i: number) => {
      expect(t.shape).toEqual(b[i].shape);
      expectClose(t.dataSync(), b[i].dataSync(), `output ${i}`);
    });
  });

  it('initialState split between the directions, symbolic and as a tensor kwarg, as TF.js', () => {
    const units = 2;
    const build = (tf: TF) => {
      const input = tf.input({ shape: [4, 3] });
      const states = [0, 1, 2, 3].map(() => tf.input({ shape: [units] }));
      const out = tf.layers.bidirectional({ layer: tf.layers.lstm({ units, returnSequences: true }), mergeMode: 'concat' })
        .apply(input, { initialState: states });
      return tf.model({ inputs: [input, ...states], outputs: out });
    };
    const { ours, theirs } = twin(build);
    const x = values([2, 4, 3]);
    const hs = [0.1, 0.2, 0.3, 0.4].map((p) => values([2, units], p));
    const a = ours.predict([sora.tensor(x, [2, 4, 3]), ...hs.map((h) => sora.tensor(h, [2, units]))]);
    const b = theirs.predict([tfjs.tensor(x, [2, 4, 3]), ...hs.map((h) => tfjs.tensor(h, [2, units]))]);
    expectClose(a.dataSync(), b.dataSync(), 'bidirectional with initial states');
    // The same layer on tensors with initialState in kwargs.
    const layer = ours.layers.find((l: TF) => l.getClassName() === 'Bidirectional');
    const direct = layer.apply(sora.tensor(x, [2, 4, 3]), { initialState: hs.map((h) => sora.tensor(h, [2, units])) });
    expectClose(direct.dataSync(), b.dataSync(), 'initialState as a kwarg');
    expect(() => layer.apply(sora.tensor(x, [2, 4, 3]), { initialState: [sora.zeros([2, units])] }))
      .toThrow(/Bidirectional .*: initialState must list the forward layer's states then the backward layer's \(4 tensors\); received 1/);
  });

  it('stateful: states carry over between calls in both directions and resetStates clears them, as TF.js', () => {
    const build = (tf: TF) => tf.sequential({ layers: [
      tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 2, stateful: true }), batchInputShape: [2, 3, 4] }),
    ] });
    const { ours, theirs } = twin(build);
    const x = values([2, 3, 4]);
    const step = (what: string) =>
      expectClose(ours.predict(sora.tensor(x, [2, 3, 4])).dataSync(), theirs.predict(tfjs.tensor(x, [2, 3, 4])).dataSync(), what);
    step('first call');
    const first = Array.from(ours.predict(sora.tensor(x, [2, 3, 4])).dataSync());
    const second = Array.from(ours.predict(sora.tensor(x, [2, 3, 4])).dataSync());
    expect(second, 'the states carried over').not.toEqual(first);
    theirs.predict(tfjs.tensor(x, [2, 3, 4]));
    theirs.predict(tfjs.tensor(x, [2, 3, 4]));
    step('fourth call, from the carried states');
    ours.layers[0].resetStates();
    theirs.layers[0].resetStates();
    step('after resetStates');
  });

  it('refuses a layer that is not recurrent and an unknown mergeMode, naming the value', () => {
    expect(() => sora.layers.bidirectional({ layer: sora.layers.dense({ units: 2, name: 'not_rnn' }) as never, name: 'bd' }))
      .toThrow(/Bidirectional bd: the layer must be a recurrent layer .*Dense \('not_rnn'\)/);
    expect(() => sora.layers.bidirectional({ layer: sora.layers.lstm({ units: 2 }), mergeMode: 'max' as never, name: 'bm' }))
      .toThrow(/Bidirectional bm: mergeMode must be one of 'sum', 'mul', 'concat', 'ave'.*max/);
  });

  it('config nests the layer as TF.js saves it; backward layer goBackwards flipped; trainable reaches both directions', () => {
    const bi = sora.layers.bidirectional({ layer: sora.layers.gru({ units: 2, goBackwards: true, name: 'g' }), mergeMode: 'ave', name: 'bg' });
    expect(bi.forwardLayer.goBackwards).toBe(true);
    expect(bi.backwardLayer.goBackwards).toBe(false);
    expect([bi.forwardLayer.name, bi.backwardLayer.name]).toEqual(['forward_g', 'backward_g']);
    const config = bi.getConfig() as TF;
    expect(config.mergeMode).toBe('ave');
    expect(config.layer.className).toBe('GRU');
    expect(config.layer.config.name).toBe('g');
    expect(config.layer.config.goBackwards).toBe(true);
    bi.apply(sora.zeros([1, 3, 2]));
    expect(bi.trainableWeights.length).toBe(6);
    bi.trainable = false;
    expect(bi.trainableWeights.length).toBe(0);
    expect(bi.nonTrainableWeights.map((w) => w.name)).toEqual(
      ['bg/forward_g/kernel', 'bg/forward_g/recurrent_kernel', 'bg/forward_g/bias', 'bg/backward_g/kernel', 'bg/backward_g/recurrent_kernel', 'bg/backward_g/bias']);
  });
});

describe('wrappers: lifetime and backends', () => {
  it('predict leaves no tensor behind; dispose frees the inner layers\' weights', () => {
    const model = sora.sequential({ layers: [
      sora.layers.embedding({ inputDim: 6, outputDim: 3, inputLength: 4, maskZero: true }),
      sora.layers.bidirectional({ layer: sora.layers.lstm({ units: 2, returnSequences: true }) }),
      sora.layers.timeDistributed({ layer: sora.layers.dense({ units: 1 }) }),
    ] });
    const x = sora.tensor([[1, 2, 0, 0], [3, 1, 4, 5]]);
    model.predict(x).dispose();
    const before = sora.memory().numTensors;
    model.predict(x).dispose();
    expect(sora.memory().numTensors).toBe(before);
    const weights = model.weights.length;
    expect(weights).toBe(9);
    const result = model.dispose();
    expect(result.numDisposedVariables).toBe(weights);
    expect(sora.memory().numTensors).toBe(before - weights);
    x.dispose();
  });

  it('bidirectional(gru) and timeDistributed(dense) on the wasm backend give the reference backend\'s results', async () => {
    const build = () => sora.sequential({ layers: [
      sora.layers.timeDistributed({ layer: sora.layers.dense({ units: 3, activation: 'relu' }), inputShape: [5, 4] }),
      sora.layers.bidirectional({ layer: sora.layers.gru({ units: 3, returnSequences: true }), mergeMode: 'ave' }),
    ] });
    const model = build();
    const x = values([2, 5, 4]);
    const reference = Array.from(model.predict(sora.tensor(x, [2, 5, 4])).dataSync());
    const weights = model.getWeights().map((w) => ({ values: Array.from(w.dataSync()), shape: w.shape }));
    await sora.setBackend('wasm');
    try {
      const onWasm = build();
      onWasm.setWeights(weights.map((w) => sora.tensor(w.values, w.shape)));
      expectClose(onWasm.predict(sora.tensor(x, [2, 5, 4])).dataSync(), reference, 'wasm vs reference');
    } finally {
      await sora.setBackend('reference');
    }
  });
});

describe('wrappers: bad input is refused before anything is built', () => {
  it('bidirectional: a state of the wrong shape, a mask of the wrong shape, an input of rank 2', () => {
    const bi = sora.layers.bidirectional({ layer: sora.layers.lstm({ units: 3 }), name: 'bad_bi' });
    const x = sora.zeros([2, 4, 5]);
    const ok = sora.zeros([2, 3]);
    const before = sora.memory().numTensors;
    expect(() => bi.apply(x, { initialState: [ok, ok, ok, sora.zeros([2, 4])] }))
      .toThrow(/Bidirectional bad_bi: initialState\[3\] \(backward\) must have shape \[2, 3\] \(batch, units\); received \[2,4\]/);
    expect(() => bi.apply(x, { mask: sora.ones([2, 5]) }))
      .toThrow(/Bidirectional bad_bi: the mask must have shape \[2, 4\] \(batch, steps\); received \[2,5\]/);
    expect(() => bi.apply(sora.zeros([2, 5])))
      .toThrow(/Bidirectional bad_bi: expected input of rank 3 \(\[batch, steps, features\]\); received shape \[2,5\]/);
    expect(bi.built).toBe(false);
    expect(sora.memory().numTensors).toBe(before + 3); // the tensors made in the calls above, no weight
  });
});

describe('bidirectional in a file from the Keras converter', () => {
  it("weights named with Keras's cell scope ('<bidi>/forward_<lstm>/lstm_cell/kernel') load, as TF.js loads them", async () => {
    const build = (tf: TF) => tf.sequential({ layers: [
      tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 2, name: 'lstm', recurrentActivation: 'sigmoid' }),
        name: 'bidirectional', inputShape: [4, 3] }),
    ] });
    const theirs = build(tfjs);
    const artifacts = await tfjsArtifacts(theirs);
    // Keras writes the cell's name into the weight's: bidirectional/forward_lstm/lstm_cell/kernel.
    const keras = {
      ...artifacts,
      weightSpecs: artifacts.weightSpecs.map((s: TF) => ({ ...s, name: s.name.replace(/\/([a-z_]+)$/, '/lstm_cell/$1') })),
    };
    expect(keras.weightSpecs[0].name).toBe('bidirectional/forward_lstm/lstm_cell/kernel');
    const intoTfjs = await tfjs.loadLayersModel(tfjs.io.fromMemory(keras));
    const intoSora: TF = await sora.loadLayersModel(sora.io.fromMemory(keras));
    expectSamePredictions(intoSora, intoTfjs, [2, 4, 3], 'Keras-named bidirectional');
    expectSamePredictions(intoSora, theirs, [2, 4, 3], 'Keras-named bidirectional against the original');
  });
});
