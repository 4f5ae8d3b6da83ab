/**
 * convLstm2d beyond the forward pass (issue 17): its config and weight names as TF.js's, the cell
 * on its own, masks (one per step, which TF.js cannot take, and one per position, which its
 * masking layer makes), the same predictions on the wasm backend, no tensors left behind, and
 * bad input refused naming the layer and the value before anything is allocated.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tfjs from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { expectClose, expectSamePredictions, tfjsArtifacts, twin, values, type TF } from './layers-16-helpers.js';
import { kerasFormArtifacts } from '../io/keras-format-helpers.js';

beforeAll(async () => {
  await tfjs.setBackend('cpu');
  await sora.setBackend('reference');
});
afterAll(async () => { await sora.setBackend('reference'); });

/**
 * getConfig as TF.js's: the same keys and values but dtype (sora writes it), nulls where TF.js leaves undefined,
 * and initializers by their parameters (TF.js writes GlorotNormal as VarianceScaling; sora names the class, and
 * both load either).
 */
function sameConfig(ours: Record<string, unknown>, theirs: Record<string, unknown>): void {
  const strip = (v: unknown): unknown => (v === null || typeof v !== 'object' || Array.isArray(v) ? v
    : Object.fromEntries(Object.entries(v).filter(([, x]) => x != null)
      .map(([k, x]) => [k, strip(k.endsWith('Initializer') ? (x as { config: unknown }).config : x)])));
  const { dtype, ...rest } = ours;
  expect(dtype).toBe('float32');
  expect(strip(rest)).toEqual(strip(theirs));
}

describe('config, weights and the cell as TF.js has them', () => {
  it('getConfig has TF.js\'s keys and values (layer and cell)', () => {
    const args = { name: 'clstm', filters: 4, kernelSize: [3, 2], strides: [1, 2], padding: 'same', dataFormat: 'channelsLast',
      recurrentActivation: 'sigmoid', returnSequences: true, goBackwards: true, dropout: 0.25, recurrentDropout: 0.5,
      unitForgetBias: true, useBias: true };
    const l2 = (tf: TF) => tf.regularizers.l2({ l2: 0.01 });
    sameConfig(sora.layers.convLstm2d({ ...args, kernelRegularizer: l2(sora) } as never).getConfig(),
      tfjs.layers.convLstm2d({ ...args, kernelRegularizer: l2(tfjs) } as never).getConfig());
    // Without unitForgetBias, TF.js leaves it undefined (its model.json then holds null); sora writes false, as Keras does.
    const cellArgs = { name: 'cell', filters: 2, kernelSize: 3, dilationRate: 2 };
    const theirs = tfjs.layers.convLstm2dCell(cellArgs).getConfig();
    expect(theirs.unitForgetBias).toBeUndefined();
    sameConfig(sora.layers.convLstm2dCell(cellArgs).getConfig(), { ...theirs, unitForgetBias: false });
  });

  it('weights as TF.js names and shapes them, under the layer; unitForgetBias starts the forget gate\'s bias at 1', () => {
    const build = (tf: TF) => tf.sequential({ layers: [tf.layers.convLstm2d({ name: 'clstm', inputShape: [2, 5, 5, 3], filters: 2,
      kernelSize: [3, 2], unitForgetBias: true })] });
    const ours = build(sora), theirs = build(tfjs);
    expect(ours.layers[0].weights.map((w: TF) => [w.name, w.shape])).toEqual(theirs.layers[0].weights.map((w: TF) => [w.name, w.shape]));
    expect(ours.layers[0].weights.map((w: TF) => w.shape)).toEqual([[3, 2, 3, 8], [3, 2, 2, 8], [8]]);
    expect(Array.from(ours.layers[0].weights[2].dataSync())).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    expect(ours.layers[0].countParams()).toBe(theirs.layers[0].countParams());
  });

  it('convLstm2dCell on its own: one step of [x, h, c] gives TF.js\'s [h, h, c]', () => {
    const shapes = { x: [2, 5, 4, 3], h: [2, 5, 4, 2] };
    const cells = [sora, tfjs].map((tf: TF) => {
      const cell = tf.layers.convLstm2dCell({ filters: 2, kernelSize: 3, padding: 'same', biasInitializer: 'randomNormal' });
      cell.build([null, 5, 4, 3]);
      return cell;
    });
    cells[0].setWeights(cells[1].getWeights().map((w: TF) => sora.tensor(Array.from(w.dataSync() as Float32Array), w.shape)));
    const run = (tf: TF, cell: TF) => cell.call([tf.tensor(values(shapes.x), shapes.x), tf.tensor(values(shapes.h, 1), shapes.h),
      tf.tensor(values(shapes.h, 2), shapes.h)], {});
    const [a, b] = [run(sora, cells[0]), run(tfjs, cells[1])];
    expect(a.length).toBe(3);
    a.forEach((t: TF, i: number) => expectClose(t.dataSync(), b[i].dataSync(), `cell output ${i}`));
    expect(() => cells[0].call([sora.zeros(shapes.x), sora.zeros(shapes.h)], {})).toThrow(/ConvLSTM2DCell .*expects 3 input tensors/);
  });
});

describe('in functional models', () => {
  it('initial states as symbolic inputs: a three-input model predicts what the layer gives them eagerly (TF.js throws)', () => {
    const make = (tf: TF) => {
      const x = tf.input({ shape: [2, 4, 4, 1] }), h = tf.input({ shape: [4, 4, 3] }), c = tf.input({ shape: [4, 4, 3] });
      const layer = tf.layers.convLstm2d({ filters: 3, kernelSize: 2, padding: 'same', returnSequences: true, biasInitializer: 'ones' });
      return { layer, model: tf.model({ inputs: [x, h, c], outputs: layer.apply(x, { initialState: [h, c] }) }) };
    };
    // TF.js's ConvRNN2D.computeOutputShape reads the list of input shapes as one shape.
    expect(() => make(tfjs)).toThrow();
    const { layer, model } = make(sora);
    expect(model.outputs[0].shape).toEqual([null, 2, 4, 4, 3]);
    const [x, h, c] = [[2, 2, 4, 4, 1], [2, 4, 4, 3], [2, 4, 4, 3]].map((s, i) => sora.tensor(values(s, i), s));
    const eager = layer.apply(x, { initialState: [h, c] }) as sora.Tensor;
    expectClose((model.predict([x, h, c]) as sora.Tensor).dataSync(), eager.dataSync(), 'symbolic initial states');
    const lines: string[] = [];
    model.summary(undefined, undefined, (line: string) => lines.push(line));
    expect(lines.some((l) => /\[null,2,4,4,3\]\s+204\s/.test(l)), lines.join('\n')).toBe(true);
    expect(model.countParams()).toBe(2 * 2 * 1 * 12 + 2 * 2 * 3 * 12 + 12);
  });
});

describe('a Keras model as the TF.js converter leaves it', () => {
  it('Keras\'s ConvLSTM2D config (unit_forget_bias, GlorotUniform, sigmoid, a Functional model) loads in sora and in TF.js alike', async () => {
    const x = tfjs.input({ shape: [3, 5, 4, 2] });
    const y = tfjs.layers.convLstm2d({ filters: 3, kernelSize: 3, padding: 'same', returnSequences: true, biasInitializer: 'randomNormal' }).apply(x);
    const saved = await tfjsArtifacts(tfjs.model({ inputs: x, outputs: tfjs.layers.flatten().apply(y) as TF }));
    // The keys tf.keras 2.x writes beyond TF.js's: its initializer names, its defaults for the gates.
    for (const layer of (saved.modelTopology as TF).config.layers) {
      if (layer.class_name !== 'ConvLSTM2D') continue;
      Object.assign(layer.config, { recurrent_activation: 'sigmoid', unit_forget_bias: true,
        kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } } });
    }
    const keras = kerasFormArtifacts(saved, { quantization: 'none' });
    const artifacts = { modelTopology: keras.modelJson.modelTopology, weightSpecs: keras.weightSpecs, weightData: keras.weightData.buffer };
    const ours = await sora.loadLayersModel(sora.io.fromMemory(artifacts as never));
    const theirs = await tfjs.loadLayersModel(tfjs.io.fromMemory(artifacts as never));
    expect(ours.layers[1].getConfig().recurrentActivation).toBe('sigmoid');
    expectSamePredictions(ours, theirs, [2, 3, 5, 4, 2], 'Keras form');
  });
});

describe('masks', () => {
  it('masking -> convLstm2d: a mask per output position, applied per position as TF.js applies it', () => {
    const build = (tf: TF) => tf.sequential({ layers: [tf.layers.masking({ inputShape: [3, 4, 4, 2] }),
      tf.layers.convLstm2d({ filters: 2, kernelSize: 3, padding: 'same', returnSequences: true, biasInitializer: 'ones' })] });
    const { ours, theirs } = twin(build);
    const shape = [2, 3, 4, 4, 2];
    const xs = values(shape).map((v, i) => (Math.floor(i / 2) % 3 === 1 ? 0 : v));
    const a = ours.predict(sora.tensor(xs, shape)) as sora.Tensor, b = theirs.predict(tfjs.tensor(xs, shape)) as TF;
    expectClose(a.dataSync(), b.dataSync(), 'masked per position');
  });

  it('a mask per step ([batch, steps]): masked steps are skipped (TF.js cannot take one: it transposes the mask with 5 axes)', () => {
    const layer = sora.layers.convLstm2d({ filters: 2, kernelSize: 2, padding: 'same', biasInitializer: 'ones', returnSequences: true });
    const shape = [2, 4, 3, 3, 1];
    const x = sora.tensor(values(shape), shape);
    // Row 0 keeps steps 0 and 2, row 1 keeps every step: row 0's outputs then equal a run on its steps 0 and 2 alone.
    const y = layer.apply(x, { mask: sora.tensor2d([[1, 0, 1, 0], [1, 1, 1, 1]]) }) as sora.Tensor;
    const kept = layer.apply(sora.gather(sora.slice(x, [0], [1]), [0, 2], 1)) as sora.Tensor;
    const rows = sora.unstack(y, 0).map((r) => sora.unstack(r, 0));
    expectClose(rows[0][1].dataSync(), rows[0][0].dataSync(), 'a masked step repeats the last output');
    expectClose(rows[0][2].dataSync(), sora.slice(kept, [0, 1], [1, 1]).dataSync(), 'step 2 follows step 0');
    expectClose(rows[1][3].dataSync(), sora.slice(layer.apply(x) as sora.Tensor, [1, 3], [1, 1]).dataSync(), 'an unmasked row');
    expect(() => tfjs.layers.convLstm2d({ filters: 2, kernelSize: 2 }).apply(tfjs.zeros(shape), { mask: tfjs.ones([2, 4]) }))
      .toThrow(/transpose/);
  });
});

describe('on the wasm backend', () => {
  it('predicts as TF.js, trains, and leaves no tensors behind', async () => {
    await sora.setBackend('wasm');
    const build = (tf: TF) => tf.sequential({ layers: [
      tf.layers.convLstm2d({ inputShape: [3, 6, 5, 2], filters: 3, kernelSize: 3, padding: 'same', returnSequences: true,
        biasInitializer: 'randomNormal' }),
      tf.layers.flatten(), tf.layers.dense({ units: 1 }),
    ] });
    const { ours, theirs } = twin(build);
    expectSamePredictions(ours, theirs, [2, 3, 6, 5, 2], 'wasm', 2e-5);
    const x = sora.tensor(values([2, 3, 6, 5, 2]), [2, 3, 6, 5, 2]), y = sora.tensor([[0.5], [-0.5]]);
    ours.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    await ours.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0 });
    const before = sora.memory().numTensors;
    sora.dispose(ours.predict(x) as sora.Tensor);
    await ours.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0 });
    expect(sora.memory().numTensors).toBe(before);
    await sora.setBackend('reference');
  });
});

describe('memory', () => {
  it('a call outside a tidy leaves only its outputs (every mode), and a gradient through it frees the rest', () => {
    // With returnState and no returnSequences the output is h itself (as in TF.js): the outputs are counted once each.
    const distinct = (ts: sora.Tensor[]) => new Set(ts.map((t) => t.id)).size;
    const x = sora.tensor(values([2, 3, 4, 4, 1]), [2, 3, 4, 4, 1]);
    for (const options of [{}, { returnSequences: true }, { returnState: true }, { returnSequences: true, returnState: true, dropout: 0.5 }]) {
      const layer = sora.layers.convLstm2d({ filters: 2, kernelSize: 2, padding: 'same', ...options });
      sora.dispose(layer.apply(x) as sora.Tensor);
      const before = sora.memory().numTensors;
      const out = sora.tidy(() => [layer.apply(x, { training: true })].flat() as sora.Tensor[]);
      expect(sora.memory().numTensors - before, JSON.stringify(options)).toBe(distinct(out));
      sora.dispose(out);
      const eager = [layer.apply(x)].flat() as sora.Tensor[];
      expect(sora.memory().numTensors - before, `${JSON.stringify(options)} outside a tidy`).toBe(distinct(eager));
      sora.dispose(eager);
      const { value, grads } = sora.variableGrads(() => sora.sum([layer.apply(x, { training: true })].flat()[0] as sora.Tensor));
      expect(Object.keys(grads).length).toBe(3);
      sora.dispose([value, ...Object.values(grads)]);
      expect(sora.memory().numTensors, `${JSON.stringify(options)} after a gradient`).toBe(before);
      layer.dispose();
    }
  });
});

describe('bad input: an Error naming the layer and the value, nothing allocated', () => {
  const refuse = (run: () => unknown, pattern: RegExp) => {
    const before = sora.memory().numTensors;
    expect(run).toThrow(pattern);
    expect(sora.memory().numTensors, `${pattern}: nothing allocated`).toBe(before);
  };
  it('bad configs', () => {
    refuse(() => sora.layers.convLstm2d({ filters: 0, kernelSize: 3 }), /filters must be a positive integer. Received: filters=0/);
    refuse(() => sora.layers.convLstm2d({ filters: 2 } as never), /kernelSize is required/);
    refuse(() => sora.layers.convLstm2d({ filters: 2, kernelSize: [3, 3, 3] }), /kernelSize must be .* Received: kernelSize=\[3,3,3\]/);
    refuse(() => sora.layers.convLstm2d({ filters: 2, kernelSize: 3, strides: 2, dilationRate: 2 }), /strides and dilationRate/);
    refuse(() => sora.layers.convLstm2d({ filters: 2, kernelSize: 3, padding: 'causal' as never }), /padding must be 'valid' or 'same'/);
    refuse(() => sora.layers.convLstm2d({ filters: 2, kernelSize: 3, dataFormat: 'NHWC' as never }), /dataFormat must be/);
    refuse(() => sora.layers.convLstm2d({ filters: 2, kernelSize: 3, unroll: true }), /unroll is not possible/);
    refuse(() => sora.layers.convLstm2d({ filters: 2, kernelSize: 3, activation: 'nope' as never }), /nope/);
    refuse(() => sora.layers.convLstm2dCell({ filters: 2.5, kernelSize: 3 }), /filters=2.5/);
  });
  it('bad inputs, states and masks', () => {
    const layer = sora.layers.convLstm2d({ name: 'clstm', filters: 2, kernelSize: 3 });
    const z = (...shape: number[]) => sora.zeros(shape);
    const x = z(2, 3, 5, 5, 1);
    const [rank4, narrow, channels2, noSteps] = [z(2, 3, 5, 5), z(2, 3, 2, 5, 1), z(2, 3, 5, 5, 2), z(2, 0, 5, 5, 1)];
    refuse(() => layer.apply(rank4), /clstm: expected input of rank 5 \(\[batch, steps, rows, cols, channels\]\); received shape \[2,3,5,5\]/);
    refuse(() => layer.apply(narrow), /clstm: the kernel spans 3 along an input axis of length 2 with padding 'valid'/);
    sora.dispose(layer.apply(x) as sora.Tensor);
    refuse(() => layer.apply(channels2), /clstm: expected steps of shape \[5,5,1\]/);
    refuse(() => layer.apply(noSteps), /clstm: the input has no time steps/);
    const [h, c3] = [z(2, 3, 3, 2), z(2, 3, 3, 3)];
    refuse(() => layer.apply(x, { initialState: [h] }), /clstm: the cell has 2 states \(h, c\); received 1/);
    refuse(() => layer.apply(x, { initialState: [h, c3] }), /clstm: initialState\[1\] must have shape \[2,3,3,2\]; received \[2,3,3,3\]/);
    const [longMask, inputMask] = [sora.ones([2, 4]), sora.ones([2, 3, 5, 5])];
    refuse(() => layer.apply(x, { mask: longMask }), /clstm: the mask must have shape \[2, 3\] \(one per step\) or \[2, 3, 3, 3\] \(one per output position\); received \[2,4\]/);
    refuse(() => layer.apply(x, { mask: inputMask }), /clstm: the mask must have shape .*received \[2,3,5,5\]/);
    refuse(() => layer.resetStates(), /clstm: resetStates\(\) needs a stateful layer/);
    const stateful = sora.layers.convLstm2d({ name: 'sclstm', filters: 2, kernelSize: 1, stateful: true });
    refuse(() => stateful.resetStates(), /sclstm: a stateful RNN needs to know its batch size/);
    sora.dispose(stateful.apply(x) as sora.Tensor);
    const [batch3, oneState] = [z(3, 3, 5, 5, 1), z(2, 5, 5, 2)];
    refuse(() => stateful.apply(batch3), /sclstm: the layer is stateful with batch size 2; received a batch of 3/);
    refuse(() => stateful.resetStates([oneState]), /sclstm: expects 2 state\(s\); received 1/);
    // Symbolic initial states are checked when the graph is built.
    const input = sora.input({ shape: [3, 5, 5, 1] }), hIn = sora.input({ shape: [3, 3, 2] }), cIn = sora.input({ shape: [3, 3, 4] });
    expect(() => sora.layers.convLstm2d({ name: 'gclstm', filters: 2, kernelSize: 3 }).apply(input, { initialState: [hIn, cIn] }))
      .toThrow(/gclstm: initialState\[1\] must have shape \[null,3,3,2\]; received \[null,3,3,4\]/);
  });
});
