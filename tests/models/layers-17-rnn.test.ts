/**
 * Issue 17's recurrent layers against TF.js (cpu): simpleRNN, lstm, gru and layers.rnn over
 * cells (stacked, a user's cell) with TF.js's weights predict what TF.js predicts, in every
 * mode (returnSequences, returnState, goBackwards, masks from embedding maskZero, stateful,
 * initialState); the same SGD steps give the same weights; files move both ways.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tfjs from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { expectClose, expectRoundTrips, expectSamePredictions, expectSameWeights, fitBoth, twin, values, type TF } from './layers-16-helpers.js';

beforeAll(async () => {
  await tfjs.setBackend('cpu');
  await sora.setBackend('reference');
});

const batch = 3, steps = 5, features = 4;

/** [batch, length] ids, zeros (padding) at the ends of some rows and at the start of one. */
function ids(rows: number, length: number, vocab: number): number[] {
  return Array.from({ length: rows * length }, (_, i) => {
    const row = Math.floor(i / length), col = i % length;
    if (col >= length - (row % 3) || (row === 1 && col === 0)) return 0;
    return 1 + ((i * 7 + 3) % (vocab - 1));
  });
}

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
    expect(() => ours.predict(sora.tensor(values([3, steps, features]), [3, steps, features]))).toThrow(/batch/);
  });

  it('a user cell subclassing RNNCell (its own build, call and stateSize) runs in layers.rnn as in TF.js', () => {
    const makeCell = (tf: TF) => {
      class MinimalCell extends tf.layers.RNNCell {
        static className = 'MinimalCell';
        units: number; stateSize: number; kernel: TF; recurrent: TF;
        constructor(units: number) { super({}); this.units = units; this.stateSize = units; }
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
      return new MinimalCell(3);
    };
    const build = (tf: TF) => tf.sequential({ layers: [
      tf.layers.rnn({ cell: makeCell(tf), returnSequences: true, goBackwards: true, inputShape: [steps, features] }),
    ] });
    const { ours, theirs } = twin(build);
    expect(ours.weights.map((w: TF) => w.name.replace(/^[^/]*/, ''))).toEqual(['/kernel', '/recurrent']);
    expectSamePredictions(ours, theirs, [batch, steps, features], 'user cell');
  });
});

describe('the one-op path and the per-step loop agree', () => {
  // lstm / gru / simpleRNN run the recurrentSequence op; layers.rnn over a stack of one cell runs the per-step
  // loop of cell calls (TF.js's rnn()). Same weights: the same outputs, states and gradients.
  const cases = [
    { kind: 'lstm', cell: 'lstmCell', args: { recurrentActivation: 'sigmoid' } },
    { kind: 'gru', cell: 'gruCell', args: {} },
    { kind: 'gru', cell: 'gruCell', args: { resetAfter: true, activation: 'relu' } },
    { kind: 'simpleRNN', cell: 'simpleRNNCell', args: { activation: 'tanh' } },
  ] as const;
  for (const { kind, cell, args } of cases) {
    it(`${kind} ${JSON.stringify(args)}: masked, backwards, with initial states; outputs and gradients`, () => {
      const options = { units: 5, biasInitializer: 'randomNormal', ...args };
      const flags = { returnSequences: true, returnState: true, goBackwards: true };
      const fast = (sora.layers as TF)[kind]({ ...options, ...flags });
      const loop = sora.layers.rnn({ cell: [(sora.layers as TF)[cell](options)], ...flags });
      const x = sora.tensor(values([3, 6, 4], 0.3), [3, 6, 4]);
      const mask = sora.tensor([1, 1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0], [3, 6]);
      const states = kind === 'lstm' ? [sora.tensor(values([3, 5], 1), [3, 5]), sora.tensor(values([3, 5], 2), [3, 5])]
        : [sora.tensor(values([3, 5], 1), [3, 5])];
      fast.apply(x, { initialState: states });
      loop.apply(x, { initialState: states });
      loop.setWeights(fast.getWeights());
      const run = (layer: TF) => {
        const weights = layer.trainableWeights;
        const f = (input: sora.Tensor) => {
          const outs = layer.apply(input, { mask, initialState: states }) as sora.Tensor[];
          return outs.reduce((acc: sora.Tensor, t: sora.Tensor, i: number) => sora.add(acc, sora.sum(sora.mul(t, sora.sin(sora.add(t, i))))), sora.scalar(0));
        };
        const outs = (layer.apply(x, { mask, initialState: states }) as sora.Tensor[]).map((t) => Array.from(t.dataSync()));
        const { grads } = sora.variableGrads(() => f(x), weights);
        const dx = sora.grad(f)(x);
        return { outs, grads: weights.map((w: TF) => Array.from(grads[w.name].dataSync())), dx: Array.from(dx.dataSync()) };
      };
      const a = run(fast), b = run(loop);
      a.outs.forEach((o: number[], i: number) => expectClose(o, b.outs[i], `output ${i}`));
      a.grads.forEach((g: number[], i: number) => expectClose(g, b.grads[i], `gradient of weight ${i}`, 1e-4));
      expectClose(a.dx, b.dx, 'gradient of x', 1e-4);
      const kernels = async (layer: TF) => (await sora.profile(() => layer.apply(x, { mask, initialState: states }))).kernelNames;
      return Promise.all([kernels(fast), kernels(loop)]).then(([ofFast, ofLoop]) => {
        expect(ofFast.filter((n: string) => /Sequence$/.test(n)), `kernels: ${ofFast.join(', ')}`).toHaveLength(1);
        expect(ofLoop.filter((n: string) => /Sequence$/.test(n)), `kernels: ${ofLoop.join(', ')}`).toHaveLength(0);
      });
    });
  }
});

describe('on the wasm backend too', () => {
  it('embedding(maskZero) -> lstm -> gru -> rnn(stacked cells) -> dense: predictions and 3 SGD steps agree with TF.js', async () => {
    await sora.setBackend('wasm');
    expect(sora.getBackend()).toBe('wasm');
    try {
      const build = (tf: TF) => tf.sequential({ layers: [
        tf.layers.embedding({ inputDim: 9, outputDim: 3, inputLength: 6, maskZero: true }),
        tf.layers.lstm({ units: 5, returnSequences: true, biasInitializer: 'randomNormal' }),
        tf.layers.gru({ units: 3, goBackwards: true, returnSequences: true }),
        tf.layers.rnn({ cell: [tf.layers.simpleRNNCell({ units: 2 }), tf.layers.lstmCell({ units: 2 })] }),
        tf.layers.dense({ units: 2 }),
      ] });
      const { ours, theirs } = twin(build);
      const x = ids(4, 6, 9), y = values([4, 2], 0.5);
      const predict = (what: string) => expectClose(ours.predict(sora.tensor(x, [4, 6])).dataSync(),
        theirs.predict(tfjs.tensor(x, [4, 6])).dataSync(), what, 1e-4);
      predict('wasm, before fit');
      for (const [tf, model] of [[tfjs, theirs], [sora, ours]] as const) {
        model.compile({ optimizer: tf.train.sgd(0.3), loss: 'meanSquaredError' });
        await model.fit(tf.tensor(x, [4, 6]), tf.tensor(y, [4, 2]), { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 });
      }
      expectSameWeights(ours, theirs, 'wasm, after 3 SGD steps', 1e-4);
      predict('wasm, after fit');
    } finally {
      await sora.setBackend('reference');
    }
  });
});

describe('recurrent layers: configs, dropout, regularizers, bad input', () => {
  it('a cell\'s regularizer adds to the loss (Keras does; TF.js drops an RNN cell\'s penalties: pinned here)', async () => {
    const x = values([2, 3, 2]), y = values([2, 2], 1);
    const losses: number[] = [];
    for (const [tf, reg] of [[tfjs, null], [tfjs, 0.5], [sora, null], [sora, 0.5]] as [TF, number | null][]) {
      const model = tf.sequential({ layers: [tf.layers.lstm({ units: 2, inputShape: [3, 2], kernelInitializer: 'ones',
        recurrentInitializer: 'ones', ...(reg && { kernelRegularizer: tf.regularizers.l2({ l2: reg }) }) })] });
      model.compile({ optimizer: tf.train.sgd(1e-9), loss: 'meanSquaredError' });
      const history = await model.fit(tf.tensor(x, [2, 3, 2]), tf.tensor(y, [2, 2]), { epochs: 1, batchSize: 2, verbose: 0 });
      losses.push(history.history.loss[0] as number);
    }
    const [tfjsPlain, tfjsRegularized, soraPlain, soraRegularized] = losses;
    expect(soraPlain).toBeCloseTo(tfjsPlain, 5);
    // TF.js: the same loss with and without the penalty.
    expect(tfjsRegularized).toBeCloseTo(tfjsPlain, 6);
    // sora: + 0.5 * sum(kernel^2), the kernel [2, 8] of ones.
    expect(soraRegularized).toBeCloseTo(soraPlain + 0.5 * 16, 4);
  });

  it('getConfig has TF.js\'s keys and values for every layer and cell', () => {
    const strip = (v: unknown): unknown => (v === null || typeof v !== 'object' || Array.isArray(v) ? v
      : Object.fromEntries(Object.entries(v).filter(([k, x]) => x != null && k !== 'dtype').map(([k, x]) => [k, strip(x)])));
    // sora names TF.js's glorotNormal 'GlorotNormal' (its own getConfig), TF.js 'VarianceScaling' with the same config.
    const normalize = (c: TF) => JSON.parse(JSON.stringify(strip(c)).replace(/"className":"GlorotNormal"/g, '"className":"VarianceScaling"'));
    for (const [kind, args] of [['simpleRNN', {}], ['lstm', { unitForgetBias: true }], ['gru', { recurrentActivation: 'sigmoid' }],
      ['simpleRNNCell', {}], ['lstmCell', {}], ['gruCell', {}]] as const) {
      const full = { units: 3, name: `cfg_${kind}`, dropout: 0.25, ...args, ...(kind.endsWith('Cell') ? {} : { returnSequences: true, goBackwards: true }) };
      const ours = normalize((sora.layers as TF)[kind](full).getConfig()), theirs = normalize((tfjs.layers as TF)[kind](full).getConfig());
      // TF.js leaves unitForgetBias undefined when not given (model.json: null); sora writes false (Keras writes a boolean).
      if (kind.startsWith('lstm') && !('unitForgetBias' in args)) theirs.unitForgetBias = false;
      expect(ours, kind).toEqual(theirs);
    }
  });

  it('dropout in training: one mask per call, the same at every step; none at inference', () => {
    const layer = sora.layers.simpleRNN({ units: 6, dropout: 0.5, activation: 'linear', useBias: false, returnSequences: true,
      kernelInitializer: 'identity', recurrentInitializer: 'zeros' });
    const x = sora.ones([4, 7, 6]);
    const train = layer.apply(x, { training: true }) as sora.Tensor;
    const seq = train.arraySync() as number[][][];
    for (const row of seq) for (const stepOut of row) expect(stepOut).toEqual(row[0]);
    const flat = seq.flat(2);
    expect(flat.every((v) => v === 0 || Math.abs(v - 2) < 1e-6)).toBe(true);
    expect(flat.some((v) => v === 0) && flat.some((v) => v > 1)).toBe(true);
    // Another call draws another mask.
    const again = (layer.apply(x, { training: true }) as sora.Tensor).arraySync();
    expect(again).not.toEqual(seq);
    expect((layer.apply(x) as sora.Tensor).arraySync()).toEqual(sora.ones([4, 7, 6]).arraySync());
  });

  it('gru resetAfter (Keras\'s form, which TF.js refuses): bias [2, 3 * units], against a plain loop of its formula', () => {
    const units = 2, inDim = 3, n = 2, len = 3;
    const layer = sora.layers.gru({ units, resetAfter: true, returnSequences: true, biasInitializer: 'randomNormal' });
    const x = values([n, len, inDim], 0.2);
    const out = (layer.apply(sora.tensor(x, [n, len, inDim])) as sora.Tensor).dataSync();
    expect(layer.weights.map((w) => w.shape)).toEqual([[inDim, 3 * units], [units, 3 * units], [2, 3 * units]]);
    const [W, U, B] = layer.getWeights().map((w) => Array.from(w.dataSync()));
    const hs = (v: number) => Math.min(1, Math.max(0, 0.2 * v + 0.5));
    const expected: number[] = [];
    for (let b = 0; b < n; b++) {
      let h = [0, 0];
      for (let t = 0; t < len; t++) {
        const xt = x.slice((b * len + t) * inDim, (b * len + t + 1) * inDim);
        const proj = (j: number) => xt.reduce((a, v, k) => a + v * W[k * 3 * units + j], 0) + B[j];
        const inner = (j: number) => h.reduce((a, v, k) => a + v * U[k * 3 * units + j], 0) + B[3 * units + j];
        h = h.map((prev, u) => {
          const z = hs(proj(u) + inner(u)), r = hs(proj(units + u) + inner(units + u));
          const cand = Math.tanh(proj(2 * units + u) + r * inner(2 * units + u));
          return z * prev + (1 - z) * cand;
        });
        expected.push(...h);
      }
    }
    expectClose(out, expected, 'gru resetAfter');
    expect(() => tfjs.layers.gru({ units, resetAfter: true } as TF)).toThrow(/reset_after/);
  });

  it('unitForgetBias starts the forget block at 1 as TF.js; a cell\'s constraint holds after each step', async () => {
    const build = (tf: TF) => tf.layers.lstm({ units: 3, unitForgetBias: true, biasInitializer: 'zeros' });
    const bias = (tf: TF) => { const l = build(tf); l.apply(tf.zeros([1, 2, 2])); return Array.from(l.getWeights()[2].dataSync()); };
    expect(bias(sora)).toEqual(bias(tfjs));
    expect(bias(sora)).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    const kernels: number[][] = [];
    for (const recurrentConstraint of [null, 'nonNeg']) {
      const model = sora.sequential({ layers: [sora.layers.simpleRNN({ units: 3, inputShape: [4, 2], recurrentConstraint,
        kernelInitializer: sora.initializers.constant({ value: 0.5 }), recurrentInitializer: sora.initializers.constant({ value: 0.01 }) })] });
      model.compile({ optimizer: sora.train.sgd(0.5), loss: 'meanSquaredError' });
      await model.fit(sora.tensor(values([6, 4, 2]).map(Math.abs), [6, 4, 2]), sora.fill([6, 3], -3),
        { epochs: 1, batchSize: 6, verbose: 0 });
      kernels.push(Array.from(model.layers[0].getWeights()[1].dataSync()));
    }
    expect(Math.min(...kernels[0]), 'unconstrained: the step pushes entries below 0').toBeLessThan(0);
    expect(Math.min(...kernels[1]), 'nonNeg: the same step, clipped at 0').toBe(0);
  });

  it('fit with dropout and recurrentDropout trains and leaks no tensors; predict and stateful calls leak none either', async () => {
    for (const [kind, stateful] of [['lstm', false], ['gru', true], ['simpleRNN', false]] as const) {
      const model = sora.sequential({ layers: [
        (sora.layers as TF)[kind]({ units: 4, dropout: 0.3, recurrentDropout: 0.2, stateful, returnSequences: true,
          ...(stateful ? { batchInputShape: [4, 5, 3] } : { inputShape: [5, 3] }) }),
        sora.layers.flatten(), sora.layers.dense({ units: 1 }),
      ] });
      model.compile({ optimizer: sora.train.sgd(0.1), loss: 'meanSquaredError' });
      const x = sora.tensor(values([8, 5, 3]), [8, 5, 3]), y = sora.tensor(values([8, 1], 2), [8, 1]);
      await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
      const before = sora.memory().numTensors;
      const history = await model.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0 });
      expect(history.history.loss.every((l) => Number.isFinite(l as number)), kind).toBe(true);
      expect(sora.memory().numTensors, `${kind}: tensors after fit`).toBe(before);
      sora.dispose(model.predict(x, { batchSize: 4 }) as sora.Tensor);
      expect(sora.memory().numTensors, `${kind}: tensors after predict`).toBe(before);
    }
  });

  it('bad input: a 2-D input, a wrong initial state, a wrong mask: errors naming the layer and the value', () => {
    const lstm = sora.layers.lstm({ units: 3, name: 'bad_lstm' });
    expect(() => lstm.apply(sora.zeros([2, 4]))).toThrow(/bad_lstm.*rank 3.*\[2,4\]/);
    expect(lstm.built).toBe(false);
    const x = sora.zeros([2, 5, 4]);
    lstm.apply(x);
    expect(() => lstm.apply(x, { initialState: [sora.zeros([2, 4]), sora.zeros([2, 3])] })).toThrow(/bad_lstm.*initialState\[0\].*\[2, 3\].*\[2,4\]/);
    expect(() => lstm.apply(x, { initialState: [sora.zeros([2, 3])] })).toThrow(/bad_lstm.*2 state.*1 initial/);
    expect(() => lstm.apply(x, { mask: sora.ones([2, 4]) })).toThrow(/bad_lstm.*mask.*\[2, 5\].*\[2,4\]/);
    expect(() => lstm.apply(sora.zeros([2, 5, 3]))).toThrow(/bad_lstm.*4 features/);
    expect(() => sora.layers.gru({ units: 0 })).toThrow(/units.*Received: units=0/);
    expect(() => sora.layers.lstm({ units: 2 }).resetStates()).toThrow(/stateful/);
  });
});

async function tfjsArtifactsOf(model: TF): Promise<TF> {
  const { tfjsArtifacts } = await import('./layers-16-helpers.js');
  return tfjsArtifacts(model);
}
async function soraArtifactsOf(model: TF): Promise<TF> {
  const { soraArtifacts } = await import('./layers-16-helpers.js');
  return soraArtifacts(model);
}
