/**
 * Issue 17's embedding, repeatVector and masking layers against TF.js (cpu): the same weights
 * predict the same, the same SGD steps give the same weights, and model files move both ways.
 * Ids are integer-valued float tensors, as a TF.js program feeds them (plus fractional ids, which
 * both libraries truncate).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tfjs from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { expectClose, expectSameWeights, soraArtifacts, tfjsArtifacts, twin, type TF } from './layers-16-helpers.js';

beforeAll(async () => {
  await tfjs.setBackend('cpu');
  await sora.setBackend('reference');
});

/** [batch, length] ids in [0, vocab), zeros (padding) at the ends of some rows, fractional where `fractions`. */
function ids(batch: number, length: number, vocab: number, fractions = false): number[] {
  return Array.from({ length: batch * length }, (_, i) => {
    const row = Math.floor(i / length), col = i % length;
    if (col >= length - (row % 3)) return 0;
    const id = (i * 7 + 3) % vocab;
    return fractions && i % 4 === 1 ? id + 0.75 * (id + 1 < vocab ? 1 : 0) : id;
  });
}

function samePredictions(ours: TF, theirs: TF, x: number[], shape: number[], what: string): void {
  const a = ours.predict(sora.tensor(x, shape)), b = theirs.predict(tfjs.tensor(x, shape));
  expect(a.shape, `${what}: output shape`).toEqual(b.shape);
  expectClose(a.dataSync(), b.dataSync(), `${what}: prediction`);
}

async function fitBoth(ours: TF, theirs: TF, x: number[], xShape: number[], yShape: number[]): Promise<void> {
  const y = Array.from({ length: yShape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 1.3));
  for (const [tf, model] of [[tfjs, theirs], [sora, ours]] as const) {
    model.compile({ optimizer: tf.train.sgd(0.5), loss: 'meanSquaredError' });
    await model.fit(tf.tensor(x, xShape), tf.tensor(y, yShape), { epochs: 3, batchSize: xShape[0], shuffle: false, verbose: 0 });
  }
}

/**
 * getConfig against TF.js's: every key and value the same, except dtype (sora's base Layer writes it for every
 * layer) and null where TF.js leaves a field undefined (JSON omits it; Keras writes null).
 */
function sameConfig(ours: Record<string, unknown>, theirs: Record<string, unknown>): void {
  const strip = (v: unknown): unknown => (v === null || typeof v !== 'object' || Array.isArray(v) ? v
    : Object.fromEntries(Object.entries(v).filter(([, x]) => x != null).map(([k, x]) => [k, strip(x)])));
  const { dtype, ...rest } = ours;
  expect(dtype).toBe('float32');
  expect(strip(rest)).toEqual(strip(theirs));
}

async function roundTrips(ours: TF, theirs: TF, x: number[], shape: number[], what: string): Promise<void> {
  const intoSora = await sora.loadLayersModel(sora.io.fromMemory(await tfjsArtifacts(theirs)));
  samePredictions(intoSora, theirs, x, shape, `${what} (TF.js file loaded in sora)`);
  const intoTfjs = await tfjs.loadLayersModel(tfjs.io.fromMemory(await soraArtifacts(ours)));
  samePredictions(ours, intoTfjs, x, shape, `${what} (sora file loaded in TF.js)`);
}

describe('layers.embedding against TF.js', () => {
  const vocab = 11, length = 6, batch = 5;

  it('embedding -> flatten -> dense: predictions (fractional ids truncated), SGD steps with a regularizer, save / load', async () => {
    const build = (tf: TF) => tf.sequential({ layers: [
      tf.layers.embedding({ inputDim: vocab, outputDim: 4, inputLength: length, embeddingsRegularizer: tf.regularizers.l2({ l2: 0.01 }) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3 }),
    ] });
    const { ours, theirs } = twin(build);
    expect(ours.layers[0].weights[0].name).toMatch(/\/embeddings$/);
    const x = ids(batch, length, vocab, true);
    expect(x.some((v) => !Number.isInteger(v))).toBe(true);
    samePredictions(ours, theirs, x, [batch, length], 'embedding/flatten');
    await fitBoth(ours, theirs, x, [batch, length], [batch, 3]);
    expectSameWeights(ours, theirs, 'embedding/flatten after 3 SGD steps');
    await roundTrips(ours, theirs, x, [batch, length], 'embedding/flatten');
  });

  it('embedding(maskZero) -> globalAveragePooling1d -> dense, no inputLength: the same, masks included', async () => {
    const build = (tf: TF) => tf.sequential({ layers: [
      tf.layers.embedding({ inputDim: vocab, outputDim: 3, maskZero: true,
        embeddingsInitializer: tf.initializers.randomNormal({ mean: 0.1, stddev: 0.3 }) }),
      tf.layers.globalAveragePooling1d(),
      tf.layers.dense({ units: 2, activation: 'tanh' }),
    ] });
    const { ours, theirs } = twin(build);
    const x = ids(batch, length, vocab);
    samePredictions(ours, theirs, x, [batch, length], 'embedding/gap');
    // No inputLength: any sequence length is taken.
    samePredictions(ours, theirs, ids(2, 9, vocab), [2, 9], 'embedding/gap, longer sequences');
    await fitBoth(ours, theirs, x, [batch, length], [batch, 2]);
    expectSameWeights(ours, theirs, 'embedding/gap after 3 SGD steps');
    await roundTrips(ours, theirs, x, [batch, length], 'embedding/gap');
  });

  it('embeddingsConstraint holds after each step (TF.js applies a constraint only when a weight is written, not in fit)', async () => {
    // TF.js's optimizer updates the variables without the layer's constraint (tfjs-layers' LayerVariable applies it in
    // write() only), so its table goes negative under nonNeg; sora applies it after each step, as Keras does.
    const tables = [];
    for (const embeddingsConstraint of [null, 'nonNeg']) {
      const model = sora.sequential({ layers: [
        sora.layers.embedding({ inputDim: vocab, outputDim: 3, inputLength: length, embeddingsConstraint,
          embeddingsInitializer: sora.initializers.constant({ value: 0.01 }) }),
        sora.layers.flatten(), sora.layers.dense({ units: 1, kernelInitializer: sora.initializers.constant({ value: 0.5 }) }),
      ] });
      model.compile({ optimizer: sora.train.sgd(0.5), loss: 'meanSquaredError' });
      const x = sora.tensor(ids(batch, length, vocab), [batch, length]);
      await model.fit(x, sora.tensor([[3], [-3], [3], [-3], [3]]), { epochs: 3, batchSize: batch, verbose: 0 });
      tables.push(Array.from(model.layers[0].getWeights()[0].dataSync()));
      if (embeddingsConstraint) expect(model.layers[0].getConfig().embeddingsConstraint).toEqual({ className: 'NonNeg', config: {} });
    }
    expect(Math.min(...tables[0]), 'unconstrained: the steps push entries below 0').toBeLessThan(0);
    expect(Math.min(...tables[1]), 'nonNeg: none below 0').toBe(0);
  });

  it('the gradient of the table is the scatter-add of the output gradient (rows not looked up stay zero)', () => {
    const layer = sora.layers.embedding({ inputDim: 5, outputDim: 2 });
    const x = sora.tensor2d([[1, 3, 1], [0, 1, 3]]);
    layer.apply(x);
    const table = layer.weights[0];
    const dy = sora.tensor3d([[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]);
    const { grads } = sora.variableGrads(() => sora.sum(sora.mul(layer.apply(x) as sora.Tensor, dy)), [table]);
    // Row 0: position (1,0); row 1: (0,0), (0,2), (1,1); row 3: (0,1), (1,2); rows 2 and 4 untouched.
    expect(Array.from(grads[table.name].dataSync())).toEqual([7, 8, 1 + 5 + 9, 2 + 6 + 10, 0, 0, 3 + 11, 4 + 12, 0, 0]);
  });

  it('getConfig has TF.js\'s keys and values, and inputLength fixes the input shape as TF.js does', () => {
    const args = { inputDim: 9, outputDim: 2, maskZero: true, inputLength: 4, name: 'emb' };
    sameConfig(sora.layers.embedding(args).getConfig(), tfjs.layers.embedding(args).getConfig());
    const free = { inputDim: 9, outputDim: 2, name: 'free' };
    // TF.js leaves maskZero undefined when not given (its model.json then omits it); sora writes false, as Keras does.
    sameConfig(sora.layers.embedding(free).getConfig(), { ...tfjs.layers.embedding(free).getConfig(), maskZero: false });
    expect(sora.layers.embedding(free).getConfig().batchInputShape).toEqual([null, null]);
    // A list inputLength: rank-3 ids, as TF.js allows.
    const build = (tf: TF) => tf.sequential({ layers: [tf.layers.embedding({ inputDim: 6, outputDim: 2, inputLength: [2, 3] }), tf.layers.flatten()] });
    const { ours: a, theirs: b } = twin(build);
    expect(a.outputs[0].shape).toEqual(b.outputs[0].shape);
    samePredictions(a, b, ids(4, 6, 6), [4, 2, 3], 'rank-3 ids');
  });

  it('refuses bad ids, an over-long sequence and bad configs, naming the layer and the value, before allocating', () => {
    const model = sora.sequential({ layers: [sora.layers.embedding({ inputDim: 4, outputDim: 2, inputLength: 3, name: 'tok' })] });
    const layer = model.layers[0];
    const refuse = (x: sora.Tensor, pattern: RegExp, run: () => unknown = () => layer.apply(x)) => {
      const before = sora.memory().numTensors;
      expect(run).toThrow(pattern);
      expect(sora.memory().numTensors, `${pattern}: nothing allocated`).toBe(before);
      x.dispose();
    };
    // TF.js's cpu backend refuses these in its gather kernel ("GatherV2: the index value 4 is not in [0, 3]"), its
    // wasm and webgl backends do not check; sora refuses them in the layer, on every backend that reads synchronously.
    refuse(sora.tensor2d([[1, 4, 0]]), /tok: ids must be in \[0, inputDim=4\); received 4 at 1/);
    refuse(sora.tensor2d([[1, -1, 0]]), /tok.*received -1 at 1/);
    refuse(sora.tensor2d([[1, 2, Number.NaN]]), /tok.*received NaN at 2/);
    // The model built the layer for [null, 3]; a fresh layer names its inputLength.
    refuse(sora.tensor2d([[1, 2, 3, 1]]), /tok: expected input of shape \[null,3\], received \[1,4\]/);
    const fresh = sora.layers.embedding({ inputDim: 4, outputDim: 2, inputLength: 3, name: 'fresh' });
    const long2 = sora.tensor2d([[1, 2, 3, 1]]);
    refuse(long2, /fresh: inputLength is 3, received ids of shape \[null,4\]/, () => fresh.apply(long2));
    const long = sora.tensor2d([[1, 2, 3, 1]]);
    refuse(long, /\[1,4\]/, () => model.predict(long));
    // TF.js truncates fractional ids toward zero when it casts them: -0.5 is id 0 there and here.
    const y = layer.apply(sora.tensor2d([[-0.5, 3.9, 1]])) as sora.Tensor;
    expectClose(y.dataSync(), layer.getWeights()[0].gather([0, 3, 1]).dataSync(), 'truncated ids');
    expect(() => sora.layers.embedding({ inputDim: 0, outputDim: 2 })).toThrow(/inputDim=0/);
    expect(() => sora.layers.embedding({ inputDim: 3, outputDim: 1.5 })).toThrow(/outputDim=1.5/);
    expect(() => sora.layers.embedding({ inputDim: 3, outputDim: 2, inputLength: -2 })).toThrow(/inputLength=-2/);
    // TF.js accepts an activityRegularizer and then refuses every call of the layer ("not supported yet"); sora refuses it when made.
    expect(() => sora.layers.embedding({ inputDim: 3, outputDim: 2, activityRegularizer: 'l2' })).toThrow(/activityRegularizer/);
  });
});

describe('layers.repeatVector and layers.masking against TF.js', () => {
  it('dense -> repeatVector -> flatten -> dense: predictions, SGD steps, save / load', async () => {
    const build = (tf: TF) => tf.sequential({ layers: [
      tf.layers.dense({ units: 3, inputShape: [4] }), tf.layers.repeatVector({ n: 5 }), tf.layers.flatten(), tf.layers.dense({ units: 2 }),
    ] });
    const { ours, theirs } = twin(build);
    expect(ours.layers[1].outputShape).toEqual([null, 5, 3]);
    const x = Array.from({ length: 12 }, (_, i) => Math.cos(i));
    samePredictions(ours, theirs, x, [3, 4], 'repeatVector');
    await fitBoth(ours, theirs, x, [3, 4], [3, 2]);
    expectSameWeights(ours, theirs, 'repeatVector after 3 SGD steps');
    await roundTrips(ours, theirs, x, [3, 4], 'repeatVector');
    sameConfig(sora.layers.repeatVector({ n: 2, name: 'r' }).getConfig(), tfjs.layers.repeatVector({ n: 2, name: 'r' }).getConfig());
    expect(() => sora.layers.repeatVector({ n: 0 })).toThrow(/n=0/);
    expect(() => sora.layers.repeatVector({ n: 2, name: 'rv' }).apply(sora.zeros([2, 3, 4]))).toThrow(/rv: expected input of rank 2.*\[null,3,4\]/);
  });

  it('masking -> dense: zeroed steps, predictions, SGD steps, save / load', async () => {
    const build = (tf: TF) => tf.sequential({ layers: [
      tf.layers.masking({ maskValue: 0.5, inputShape: [4, 3] }), tf.layers.dense({ units: 2 }), tf.layers.flatten(),
    ] });
    const { ours, theirs } = twin(build);
    const x = Array.from({ length: 3 * 4 * 3 }, (_, i) => (i % 7 === 0 || Math.floor(i / 3) % 3 === 1 ? 0.5 : Math.sin(i)));
    samePredictions(ours, theirs, x, [3, 4, 3], 'masking');
    const direct = ours.layers[0].apply(sora.tensor(x, [3, 4, 3])) as sora.Tensor;
    expectClose(direct.dataSync(), (theirs.layers[0].apply(tfjs.tensor(x, [3, 4, 3])) as TF).dataSync(), 'masking output');
    await fitBoth(ours, theirs, x, [3, 4, 3], [3, 8]);
    expectSameWeights(ours, theirs, 'masking after 3 SGD steps');
    await roundTrips(ours, theirs, x, [3, 4, 3], 'masking');
    sameConfig(sora.layers.masking({ name: 'm', maskValue: -1 }).getConfig(), tfjs.layers.masking({ name: 'm', maskValue: -1 }).getConfig());
    sameConfig(sora.layers.masking({ name: 'm0' }).getConfig(), tfjs.layers.masking({ name: 'm0' }).getConfig());
    expect(() => sora.layers.masking({ maskValue: 'x' as unknown as number })).toThrow(/maskValue/);
  });
});
