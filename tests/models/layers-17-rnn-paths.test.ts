/**
 * Issue 17's recurrent layers, the rest: the one-op path (simpleRNN / lstm / gru) and the
 * per-step loop of cell calls agree on outputs, states and gradients; the stack on wasm against
 * TF.js; configs, dropout, regularizers, constraints, gru resetAfter, and bad input.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tfjs from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { expectClose, expectSameWeights, ids, twin, values, type TF } from './layers-16-helpers.js';

beforeAll(async () => {
  await tfjs.setBackend('cpu');
  await sora.setBackend('reference');
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

describe('dropout in training against TF.js, with a fixed mask (TF.js\'s dropoutFunc hook)', () => {
  /** A fixed dropout mask: every third entry dropped, the rest scaled by 1 / (1 - rate). */
  const fixedMask = (tf: TF) => (ones: TF, rate: number) =>
    tf.mul(ones, tf.tensor(Array.from({ length: ones.size }, (_, i) => (i % 3 === 1 ? 0 : 1 / (1 - rate))), ones.shape));
  const x = values([3, 5, 4], 0.4);
  const trainingOutput = (tf: TF, layer: TF) => Array.from(layer.apply(tf.tensor(x, [3, 5, 4]), { training: true }).dataSync() as Float32Array);

  for (const [kind, rates, same] of [
    ['lstm', { dropout: 0.3, recurrentDropout: 0.4 }, true],
    ['simpleRNN', { dropout: 0.3, recurrentDropout: 0.4 }, true],
    ['gru', { dropout: 0.3 }, true],
    // TF.js's gru blends z * (masked h_{t-1}); Keras (and the kernel contract) blend the unmasked h_{t-1}. Pinned.
    ['gru', { recurrentDropout: 0.4 }, false],
  ] as const) {
    it(`${kind} ${JSON.stringify(rates)}: the op path, the loop and TF.js${same ? ', and 3 SGD steps' : ' (which differs: pinned)'}`, async () => {
      const args = (tf: TF) => ({ units: 4, returnSequences: true, biasInitializer: 'randomNormal', dropoutFunc: fixedMask(tf), ...rates });
      const theirs = (tfjs.layers as TF)[kind](args(tfjs));
      const fast = (sora.layers as TF)[kind](args(sora));
      const loop = sora.layers.rnn({ cell: [(sora.layers as TF)[`${kind}Cell`](args(sora))], returnSequences: true });
      theirs.apply(tfjs.zeros([3, 5, 4]));
      fast.apply(sora.zeros([3, 5, 4]));
      loop.apply(sora.zeros([3, 5, 4]));
      const ws = theirs.getWeights().map((w: TF) => sora.tensor(Array.from(w.dataSync() as Float32Array), w.shape));
      fast.setWeights(ws);
      loop.setWeights(ws);
      const a = trainingOutput(sora, fast), b = trainingOutput(sora, loop), c = trainingOutput(tfjs, theirs);
      expectClose(a, b, 'op path vs loop');
      // The masks act in training only.
      expect(a).not.toEqual(Array.from((fast.apply(sora.tensor(x, [3, 5, 4])) as sora.Tensor).dataSync()));
      if (!same) {
        expect(Math.max(...a.map((v, i) => Math.abs(v - c[i])))).toBeGreaterThan(1e-3);
        return;
      }
      expectClose(a, c, 'sora vs TF.js');
      // And 3 SGD steps through the masks.
      const build = (tf: TF) => tf.sequential({ layers: [(tf.layers as TF)[kind]({ ...args(tf), inputShape: [5, 4] }), tf.layers.flatten()] });
      const { ours, theirs: model } = twin(build);
      const y = values([3, 20], 1.5);
      for (const [tf, m] of [[tfjs, model], [sora, ours]] as [TF, TF][]) {
        m.compile({ optimizer: tf.train.sgd(0.2), loss: 'meanSquaredError' });
        await m.fit(tf.tensor(x, [3, 5, 4]), tf.tensor(y, [3, 20]), { epochs: 3, batchSize: 3, shuffle: false, verbose: 0 });
      }
      expectSameWeights(ours, model, `${kind} with dropout, after 3 SGD steps`, 1e-4);
    });
  }
});

describe('which path runs', () => {
  it('layers.rnn over one built-in cell takes the op; an activation the kernel lacks or a stack takes the loop', async () => {
    const x = sora.tensor(values([2, 3, 4]), [2, 3, 4]);
    const sequenceKernels = async (layer: TF) =>
      (await sora.profile(() => layer.apply(x))).kernelNames.filter((n: string) => /Sequence$/.test(n));
    expect(await sequenceKernels(sora.layers.rnn({ cell: sora.layers.gruCell({ units: 2 }) }))).toEqual(['GruSequence']);
    expect(await sequenceKernels(sora.layers.lstm({ units: 2, recurrentActivation: 'sigmoid', activation: 'relu' }))).toEqual(['LstmSequence']);
    expect(await sequenceKernels(sora.layers.lstm({ units: 2, activation: 'elu' }))).toEqual([]);
    expect(await sequenceKernels(sora.layers.simpleRNN({ units: 2, activation: 'softsign' }))).toEqual([]);
    expect(await sequenceKernels(sora.layers.rnn({ cell: [sora.layers.gruCell({ units: 2 })] }))).toEqual([]);
  });
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

  it('gru resetAfter (Keras\'s form, which TF.js refuses): bias [2, 3 * units], against a plain loop of its formula; saved and loaded', async () => {
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
    // Saved (reset_after: true, bias [2, 6], as Keras's GRU files hold it) and loaded again.
    const model = sora.sequential({ layers: [sora.layers.gru({ units, resetAfter: true, inputShape: [len, inDim], biasInitializer: 'randomNormal' })] });
    let saved: TF;
    await model.save(sora.io.withSaveHandler(async (a: TF) => { saved = a; }));
    expect(JSON.stringify(saved.modelTopology)).toContain('"reset_after":true');
    const loaded = await sora.loadLayersModel(sora.io.fromMemory(saved));
    const input = sora.tensor(x, [n, len, inDim]);
    expectClose((loaded.predict(input) as sora.Tensor).dataSync(), (model.predict(input) as sora.Tensor).dataSync(), 'gru resetAfter reloaded');
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

  it('a call outside any tidy leaves only what it returns; gradients through the last output alone agree with the loop', () => {
    for (const kind of ['lstm', 'gru', 'simpleRNN'] as const) {
      for (const flags of [{}, { returnSequences: true }, { returnState: true }, { stateful: true }]) {
        const layer = (sora.layers as TF)[kind]({ units: 3, ...flags });
        const x = sora.tensor(values([2, 4, 3]), [2, 4, 3]);
        sora.dispose(layer.apply(x));
        const before = sora.memory().numTensors;
        const out = layer.apply(x);
        const count = Array.isArray(out) ? new Set(out).size : 1; // lstm: the output is h, as TF.js returns it
        expect(sora.memory().numTensors, `${kind} ${JSON.stringify(flags)}`).toBe(before + count);
        sora.dispose(out);
      }
    }
    // The op path's unreturned c and sequence are freed, yet its gradient is the loop's (a stack of one cell).
    const fast = sora.layers.lstm({ units: 3 });
    const x = sora.tensor(values([2, 4, 3]), [2, 4, 3]);
    fast.apply(x);
    const twinLoop = sora.layers.rnn({ cell: [sora.layers.lstmCell({ units: 3 })] });
    twinLoop.apply(x);
    twinLoop.setWeights(fast.getWeights());
    const gradsOf = (layer: TF) => {
      const { grads } = sora.variableGrads(() => sora.sum(sora.square(layer.apply(x) as sora.Tensor)), layer.trainableWeights);
      return layer.trainableWeights.map((w: TF) => Array.from(grads[w.name].dataSync()));
    };
    const a = gradsOf(fast), b = gradsOf(twinLoop);
    a.forEach((g: number[], i: number) => expectClose(g, b[i], `gradient ${i}`, 1e-4));
  });

  it('bad input: a 2-D input, a wrong initial state, a wrong mask: errors naming the layer and the value', () => {
    const lstm = sora.layers.lstm({ units: 3, name: 'bad_lstm' });
    expect(() => lstm.apply(sora.zeros([2, 4]))).toThrow(/bad_lstm.*rank 3.*\[2,4\]/);
    expect(lstm.built).toBe(false);
    const x = sora.zeros([2, 5, 4]);
    // Checked before the layer is built: no weights are made.
    expect(() => lstm.apply(x, { initialState: [sora.zeros([2, 3]), sora.zeros([2, 2])] })).toThrow(/bad_lstm.*initialState\[1\]/);
    expect(lstm.built).toBe(false);
    lstm.apply(x);
    expect(() => lstm.apply(x, { initialState: [sora.zeros([2, 4]), sora.zeros([2, 3])] })).toThrow(/bad_lstm.*initialState\[0\].*\[2, 3\].*\[2,4\]/);
    expect(() => lstm.apply(x, { initialState: [sora.zeros([2, 3])] })).toThrow(/bad_lstm.*2 state.*1 initial/);
    expect(() => lstm.apply(x, { mask: sora.ones([2, 4]) })).toThrow(/bad_lstm.*mask.*\[2, 5\].*\[2,4\]/);
    expect(() => lstm.apply(sora.zeros([2, 5, 3]))).toThrow(/bad_lstm.*4 features/);
    expect(() => sora.layers.gru({ units: 0 })).toThrow(/units.*Received: units=0/);
    // Symbolic initial states are checked when the graph is built.
    const input = sora.input({ shape: [5, 4] });
    expect(() => sora.layers.lstm({ units: 3, name: 'sym_lstm' }).apply(input, { initialState: [sora.input({ shape: [3] }), sora.input({ shape: [2] })] }))
      .toThrow(/sym_lstm.*initialState\[1\].*\[batch, 3\].*\[null,2\]/);
    expect(() => sora.layers.gru({ units: 3, name: 'sym_gru' }).apply(input, { initialState: [sora.input({ shape: [3] }), sora.input({ shape: [3] })] }))
      .toThrow(/sym_gru.*1 state.*2 initial/);
    expect(() => sora.layers.lstm({ units: 2 }).resetStates()).toThrow(/stateful/);
  });
});
