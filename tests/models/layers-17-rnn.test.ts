/**
 * Issue 17's recurrent layers against TF.js (cpu): simpleRNN, lstm, gru and layers.rnn over
 * cells (stacked, a user's cell) with TF.js's weights predict what TF.js predicts, in every
 * mode (returnSequences, returnState, goBackwards, masks from embedding maskZero, stateful,
 * initialState); the same SGD steps give the same weights; files move both ways.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tfjs from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import {
  expectClose, expectRoundTrips, expectSamePredictions, expectSameWeights, fitBoth, soraArtifacts as soraArtifactsOf,
  ids, tfjsArtifacts as tfjsArtifactsOf, twin, values, type TF,
} from './layers-16-helpers.js';


beforeAll(async () => {
  await tfjs.setBackend('cpu');
  await sora.setBackend('reference');
});

const batch = 3, steps = 5, features = 4;

type LayerKind = 'simpleRNN' | 'lstm' | 'gru';
const KINDS: LayerKind[] = ['simpleRNN', 'lstm', 'gru'];

describe('simpleRNN, lstm, gru against TF.js: predictions with the same weights', () => {
  for (const kind of KINDS) {
    for (const options of [
      { returnSequences: false },
      { returnSequences: true },
      { returnSequences: true, goBackwards: true },
      { goBackwards: true, activation: 'relu', recurrentActivation: 'sigmoid' },
      { useBias: false, returnSequences: true, recurrentActivation: 'tanh', activation: 'sigmoid' },
      // Activations the kernel lacks: the per-step loop of cell calls.
      { returnSequences: true, activation: 'elu', recurrentActivation: 'softsign' },
    ]) {
      it(`${kind} ${JSON.stringify(options)}`, () => {
        const opts = kind === 'simpleRNN' ? { ...options, recurrentActivation: undefined } : options;
        const build = (tf: TF) => tf.sequential({ layers: [
          tf.layers[kind]({ units: 3, inputShape: [steps, features], biasInitializer: 'randomNormal', ...opts }),
        ] });
        const { ours, theirs } = twin(build);
        expectSamePredictions(ours, theirs, [batch, steps, features], `${kind}`);
      });
    }
  }
});

describe('one-step sequences and inputDim / inputLength', () => {
  it('a one-step sequence: predictions and 3 SGD steps as TF.js; inputDim / inputLength stand for inputShape', async () => {
    const build = (tf: TF) => tf.sequential({ layers: [tf.layers.lstm({ units: 3, inputShape: [1, features], biasInitializer: 'randomNormal' })] });
    const { ours, theirs } = twin(build);
    expectSamePredictions(ours, theirs, [batch, 1, features], 'one step');
    await fitBoth(ours, theirs, [batch, 1, features], [batch, 3]);
    expectSameWeights(ours, theirs, 'one step, after 3 SGD steps', 1e-4);
    // TF.js documents inputDim / inputLength on its recurrent layers but ignores them (pinned); sora takes them.
    expect(sora.sequential({ layers: [sora.layers.lstm({ units: 3, inputDim: features, inputLength: 1 })] }).inputs[0].shape).toEqual([null, 1, features]);
    expect(() => tfjs.sequential({ layers: [tfjs.layers.lstm({ units: 3, inputDim: features, inputLength: 1 } as TF)] })).toThrow(/inputShape/);
  });
});

describe('recurrent layers against TF.js: masks, training, files', () => {
  const vocab = 9, length = 6;

  for (const kind of KINDS) {
    it(`embedding(maskZero) -> ${kind} -> dense: padded steps skipped, the same after 3 SGD steps, files both ways`, async () => {
      const build = (tf: TF) => tf.sequential({ layers: [
        tf.layers.embedding({ inputDim: vocab, outputDim: 3, inputLength: length, maskZero: true }),
        tf.layers[kind]({ units: 4, biasInitializer: 'randomNormal',
          ...(kind === 'lstm' && { unitForgetBias: true }) }),
        tf.layers.dense({ units: 2 }),
      ] });
      const { ours, theirs } = twin(build);
      const x = ids(4, length, vocab);
      const predict = (what: string) => {
        const a = ours.predict(sora.tensor(x, [4, length])), b = theirs.predict(tfjs.tensor(x, [4, length]));
        expectClose(a.dataSync(), b.dataSync(), what);
      };
      predict(`${kind} masked`);
      // The masks matter: the same ids with padding changed to another id give other outputs.
      const unmasked = ours.predict(sora.tensor(x.map((v) => v || 1), [4, length])).dataSync();
      expect(Array.from(unmasked)).not.toEqual(Array.from(ours.predict(sora.tensor(x, [4, length])).dataSync()));
      const y = values([4, 2], 0.7);
      for (const [tf, model] of [[tfjs, theirs], [sora, ours]] as const) {
        model.compile({ optimizer: tf.train.sgd(0.3), loss: 'meanSquaredError' });
        await model.fit(tf.tensor(x, [4, length]), tf.tensor(y, [4, 2]), { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 });
      }
      expectSameWeights(ours, theirs, `${kind} after 3 SGD steps`, 1e-4);
      predict(`${kind} masked, after training`);
      const intoSora: TF = await sora.loadLayersModel(sora.io.fromMemory(await tfjsArtifactsOf(theirs)));
      expectClose(intoSora.predict(sora.tensor(x, [4, length])).dataSync(), theirs.predict(tfjs.tensor(x, [4, length])).dataSync(),
        `${kind}: TF.js file in sora`);
      const intoTfjs: TF = await tfjs.loadLayersModel(tfjs.io.fromMemory(await soraArtifactsOf(ours)));
      expectClose(ours.predict(sora.tensor(x, [4, length])).dataSync(), intoTfjs.predict(tfjs.tensor(x, [4, length])).dataSync(),
        `${kind}: sora file in TF.js`);
    });
  }

  it('lstm(returnSequences) keeps the mask for the next lstm; weights are named as TF.js saves them', () => {
    const build = (tf: TF) => tf.sequential({ layers: [
      tf.layers.embedding({ inputDim: vocab, outputDim: 3, maskZero: true, inputLength: length }),
      tf.layers.lstm({ units: 4, returnSequences: true, name: 'first_lstm' }),
      tf.layers.gru({ units: 2, goBackwards: true, name: 'then_gru' }),
    ] });
    const { ours, theirs } = twin(build);
    expect(ours.weights.map((w: TF) => w.name)).toEqual(theirs.weights.map((w: TF) => w.name));
    const x = ids(5, length, vocab);
    expectClose(ours.predict(sora.tensor(x, [5, length])).dataSync(), theirs.predict(tfjs.tensor(x, [5, length])).dataSync(), 'lstm -> gru masked');
  });

  it('layers.rnn over stacked cells: predictions, 3 SGD steps, weight names (RNNCell_i), files both ways', async () => {
    const build = (tf: TF) => tf.sequential({ layers: [
      tf.layers.rnn({ cell: [tf.layers.lstmCell({ units: 3 }), tf.layers.simpleRNNCell({ units: 2 }), tf.layers.gruCell({ units: 3 })],
        returnSequences: true, inputShape: [steps, features] }),
      tf.layers.flatten(),
    ] });
    const { ours, theirs } = twin(build);
    expect(ours.weights.map((w: TF) => w.name.replace(/^[^/]*/, ''))).toEqual(theirs.weights.map((w: TF) => w.name.replace(/^[^/]*/, '')));
    expectSamePredictions(ours, theirs, [batch, steps, features], 'stacked cells');
    await fitBoth(ours, theirs, [batch, steps, features], [batch, steps * 3]);
    expectSameWeights(ours, theirs, 'stacked cells after 3 SGD steps', 1e-4);
    await expectRoundTrips(ours, theirs, [batch, steps, features], 'stacked cells');
  });

  it('a Keras-converted file (weights named \'lstm/lstm_cell/kernel\') loads as TF.js loads it', async () => {
    const build = (tf: TF) => tf.sequential({ layers: [tf.layers.lstm({ units: 3, inputShape: [steps, features], biasInitializer: 'randomNormal' })] });
    const theirs = build(tfjs);
    const artifacts = await tfjsArtifactsOf(theirs);
    const name = theirs.layers[0].name;
    const keras = { ...artifacts, weightSpecs: artifacts.weightSpecs.map((s: TF) => ({ ...s, name: s.name.replace(`${name}/`, `${name}/lstm_cell/`) })) };
    expect(keras.weightSpecs[0].name).toBe(`${name}/lstm_cell/kernel`);
    const x = values([batch, steps, features]);
    const inTfjs: TF = await tfjs.loadLayersModel(tfjs.io.fromMemory(keras));
    const inSora: TF = await sora.loadLayersModel(sora.io.fromMemory(keras));
    const expected = theirs.predict(tfjs.tensor(x, [batch, steps, features])).dataSync();
    expectClose(inTfjs.predict(tfjs.tensor(x, [batch, steps, features])).dataSync(), expected, 'TF.js');
    expectClose(inSora.predict(sora.tensor(x, [batch, steps, features])).dataSync(), expected, 'sora');
  });

  it('a Keras 2 converter file (Keras keys such as time_major, cell-scoped weight names) loads as in TF.js', async () => {
    const rnnKeys = { return_sequences: true, return_state: false, go_backwards: false, stateful: false, unroll: false, time_major: false,
      use_bias: true, dropout: 0, recurrent_dropout: 0, implementation: 2, trainable: true, dtype: 'float32', activation: 'tanh',
      recurrent_activation: 'sigmoid', kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
      recurrent_initializer: { class_name: 'Orthogonal', config: { gain: 1, seed: null } }, bias_initializer: { class_name: 'Zeros', config: {} },
      kernel_regularizer: null, recurrent_regularizer: null, bias_regularizer: null, activity_regularizer: null,
      kernel_constraint: null, recurrent_constraint: null, bias_constraint: null };
    const layers = [
      { class_name: 'InputLayer', config: { batch_input_shape: [null, steps, features], dtype: 'float32', sparse: false, ragged: false, name: 'input_1' } },
      { class_name: 'LSTM', config: { ...rnnKeys, name: 'lstm', units: 3, unit_forget_bias: true } },
      { class_name: 'GRU', config: { ...rnnKeys, name: 'gru', units: 2, return_sequences: false, reset_after: false } },
    ];
    const specs = [['lstm/lstm_cell/kernel', [features, 12]], ['lstm/lstm_cell/recurrent_kernel', [3, 12]], ['lstm/lstm_cell/bias', [12]],
      ['gru/gru_cell/kernel', [3, 6]], ['gru/gru_cell/recurrent_kernel', [2, 6]], ['gru/gru_cell/bias', [6]]] as const;
    const data = specs.flatMap(([, shape], i) => values([...shape], i));
    const artifacts = {
      modelTopology: { keras_version: '2.4.0', backend: 'tensorflow', model_config: { class_name: 'Sequential', config: { name: 'sequential', layers } } },
      weightSpecs: specs.map(([name, shape]) => ({ name, shape: [...shape], dtype: 'float32' })), weightData: new Float32Array(data).buffer,
    };
    const inTfjs: TF = await tfjs.loadLayersModel(tfjs.io.fromMemory(artifacts as TF));
    const inSora: TF = await sora.loadLayersModel(sora.io.fromMemory(artifacts as TF));
    const x = values([batch, steps, features], 0.6);
    expectClose(inSora.predict(sora.tensor(x, [batch, steps, features])).dataSync(), inTfjs.predict(tfjs.tensor(x, [batch, steps, features])).dataSync(),
      'Keras file');
    expect(inSora.layers[0].getConfig().recurrentActivation).toBe('sigmoid');
  });

  it('returnState in a functional model: [output, h, c] as three outputs, the same as TF.js', async () => {
    const build = (tf: TF) => {
      const input = tf.input({ shape: [steps, features] });
      const [out, h, c] = tf.layers.lstm({ units: 3, returnState: true, returnSequences: true }).apply(input);
      const [gOut, gh] = tf.layers.gru({ units: 2, returnState: true }).apply(out);
      return tf.model({ inputs: input, outputs: [out, h, c, gOut, gh] });
    };
    const theirs = build(tfjs), ours = build(sora);
    ours.setWeights(theirs.getWeights().map((w: TF) => sora.tensor(Array.from(w.dataSync() as Float32Array), w.shape)));
    const x = values([batch, steps, features]);
    const a = ours.predict(sora.tensor(x, [batch, steps, features])), b = theirs.predict(tfjs.tensor(x, [batch, steps, features]));
    expect(a.map((t: TF) => t.shape)).toEqual(b.map((t: TF) => t.shape));
    a.forEach((t: TF, i: number) => expectClose(t.dataSync(), b[i].dataSync(), `output ${i}`));
    // h is the last step of the sequence output.
    expectClose(a[1].dataSync(), sora.slice(a[0], [0, steps - 1, 0], [-1, 1, -1]).dataSync(), 'h = last output');
    const intoTfjs: TF = await tfjs.loadLayersModel(tfjs.io.fromMemory(await soraArtifactsOf(ours)));
    const back = intoTfjs.predict(tfjs.tensor(x, [batch, steps, features]));
    back.forEach((t: TF, i: number) => expectClose(a[i].dataSync(), t.dataSync(), `sora file in TF.js, output ${i}`));
  });

  it('initialState: a symbolic one makes more inputs of the node (TF.js\'s form, saved and loaded both ways); a tensor one in apply', async () => {
    const build = (tf: TF) => {
      const input = tf.input({ shape: [steps, features] });
      const h0 = tf.input({ shape: [3] }), c0 = tf.input({ shape: [3] });
      const out = tf.layers.lstm({ units: 3, returnSequences: true }).apply(input, { initialState: [h0, c0] });
      return tf.model({ inputs: [input, h0, c0], outputs: out });
    };
    const theirs = build(tfjs), ours = build(sora);
    ours.setWeights(theirs.getWeights().map((w: TF) => sora.tensor(Array.from(w.dataSync() as Float32Array), w.shape)));
    const x = values([batch, steps, features]), h = values([batch, 3], 0.4), c = values([batch, 3], 2.2);
    const feed = (tf: TF) => [tf.tensor(x, [batch, steps, features]), tf.tensor(h, [batch, 3]), tf.tensor(c, [batch, 3])];
    const a = ours.predict(feed(sora)), b = theirs.predict(feed(tfjs));
    expectClose(a.dataSync(), b.dataSync(), 'symbolic initialState');
    const zero = ours.predict([feed(sora)[0], sora.zeros([batch, 3]), sora.zeros([batch, 3])]).dataSync();
    expect(Array.from(zero)).not.toEqual(Array.from(a.dataSync()));
    const intoSora: TF = await sora.loadLayersModel(sora.io.fromMemory(await tfjsArtifactsOf(theirs)));
    expectClose(intoSora.predict(feed(sora)).dataSync(), b.dataSync(), 'TF.js file in sora');
    const intoTfjs: TF = await tfjs.loadLayersModel(tfjs.io.fromMemory(await soraArtifactsOf(ours)));
    expectClose(a.dataSync(), intoTfjs.predict(feed(tfjs)).dataSync(), 'sora file in TF.js');
    // A tensor initialState given to apply.
    const layerOf = (model: TF) => model.layers.find((l: TF) => l.getClassName() === 'LSTM');
    const direct = (tf: TF, model: TF) => layerOf(model).apply(tf.tensor(x, [batch, steps, features]),
      { initialState: [tf.tensor(h, [batch, 3]), tf.tensor(c, [batch, 3])] });
    expectClose(direct(sora, ours).dataSync(), direct(tfjs, theirs).dataSync(), 'tensor initialState');
  });

  it('stateful: the states carry over two calls, resetStates zeroes them, resetStates(values) sets them, as TF.js', () => {
    const build = (tf: TF) => tf.sequential({ layers: [
      tf.layers.gru({ units: 3, stateful: true, batchInputShape: [2, steps, features], returnSequences: true }),
    ] });
    const { ours, theirs } = twin(build);
    const x1 = values([2, steps, features], 0.1), x2 = values([2, steps, features], 1.9);
    const both = (x: number[], what: string) => {
      const a = ours.predict(sora.tensor(x, [2, steps, features])), b = theirs.predict(tfjs.tensor(x, [2, steps, features]));
      expectClose(a.dataSync(), b.dataSync(), what);
      return Array.from(a.dataSync() as Float32Array);
    };
    const first = both(x1, 'first call');
    const second = both(x1, 'second call (states carried)');
    expect(second).not.toEqual(first);
    both(x2, 'third call');
    ours.layers[0].resetStates();
    theirs.layers[0].resetStates();
    expect(both(x1, 'after resetStates')).toEqual(first);
    const h = values([2, 3], 0.5);
    ours.layers[0].resetStates([sora.tensor(h, [2, 3])]);
    theirs.layers[0].resetStates([tfjs.tensor(h, [2, 3])]);
    both(x1, 'after resetStates(values)');
    expectClose(ours.layers[0].states[0].dataSync(), theirs.layers[0].states[0].dataSync(), 'states');
    expect(ours.layers[0].getInitialState(sora.zeros([2, steps, features])).map((t: TF) => t.shape)).toEqual([[2, 3]]);
    expect(() => ours.predict(sora.tensor(values([3, steps, features]), [3, steps, features]))).toThrow(/batch/);
  });

  it('a user cell subclassing RNNCell (its own build, call and stateSize) runs in layers.rnn as in TF.js, saved and loaded', async () => {
    const makeCell = (tf: TF) => {
      class MinimalCell extends tf.layers.RNNCell {
        static className = 'MinimalCell';
        units: number; stateSize: number; kernel: TF; recurrent: TF;
        constructor(config: { units: number; name?: string }) { super(config); this.units = config.units; this.stateSize = config.units; }
        getConfig() { return { ...super.getConfig(), units: this.units }; }
        build(shape: TF) {
          const s = Array.isArray(shape[0]) ? shape[0] : shape;
          this.kernel = this.addWeight('kernel', [s[s.length - 1], this.units], 'float32', tf.initializers.glorotUniform({ seed: 1 }));
          this.recurrent = this.addWeight('recurrent', [this.units, this.units], 'float32', tf.initializers.glorotUniform({ seed: 2 }));
          this.built = true;
        }
        call(inputs: TF) {
          return tf.tidy(() => {
            const [x, h] = inputs;
            const out = tf.tanh(tf.add(tf.matMul(x, this.kernel.read()), tf.mul(0.5, tf.matMul(h, this.recurrent.read()))));
            return [out, out];
          });
        }
      }
      tf.serialization.registerClass(MinimalCell);
      return new MinimalCell({ units: 3 });
    };
    const build = (tf: TF) => tf.sequential({ layers: [
      tf.layers.rnn({ cell: makeCell(tf), returnSequences: true, goBackwards: true, inputShape: [steps, features] }),
    ] });
    const { ours, theirs } = twin(build);
    expect(ours.weights.map((w: TF) => w.name.replace(/^[^/]*/, ''))).toEqual(['/kernel', '/recurrent']);
    expectSamePredictions(ours, theirs, [batch, steps, features], 'user cell');
    // Registered, the cell's config rides in the RNN's (TF.js's form) and files load both ways.
    await expectRoundTrips(ours, theirs, [batch, steps, features], 'user cell');
  });
});
