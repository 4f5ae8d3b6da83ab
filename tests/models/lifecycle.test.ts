/**
 * A model's life as TF.js has it: a disposed model refuses predict / evaluate / fit (and a
 * second dispose), a model disposed from a callback stops its fit at the next batch with
 * that error, and a second fit on a model that is fitting is refused (TF.js's isTraining),
 * while predict and evaluate during a fit are allowed. Each program runs under TF.js (cpu)
 * and sora: what throws, and when, is the same.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tfjs from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';

beforeAll(async () => {
  await sora.setBackend('wasm');
  await tfjs.setBackend('cpu');
});

type Lib = typeof sora;
const libs: [string, Lib][] = [['tfjs', tfjs as unknown as Lib], ['sora', sora]];

function make(lib: Lib) {
  const model = lib.sequential({ layers: [lib.layers.dense({ units: 2, inputShape: [3] })] });
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return model;
}

/** 'ok' or the error's message, for a call that may throw or reject. */
async function outcome(f: () => unknown): Promise<string> {
  try {
    await f();
    return 'ok';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('a disposed model', () => {
  it.each(libs)('%s: predict, evaluate, fit, fitDataset, trainOnBatch, getWeights and a second dispose all throw', async (_, lib) => {
    const model = make(lib);
    const x = lib.ones([4, 3]), y = lib.ones([4, 2]);
    const ds = lib.data.array([{ xs: lib.ones([2, 3]), ys: lib.ones([2, 2]) }]);
    const before = lib.memory().numTensors;
    model.dispose();
    expect(lib.memory().numTensors).toBeLessThan(before);
    const results = {
      predict: await outcome(() => model.predict(x)),
      evaluate: await outcome(() => model.evaluate(x, y)),
      fit: await outcome(() => model.fit(x, y, { epochs: 1, verbose: 0 })),
      fitAgain: await outcome(() => model.fit(x, y, { epochs: 1, verbose: 0 })),
      fitDataset: await outcome(() => model.fitDataset(ds, { epochs: 1, verbose: 0 })),
      trainOnBatch: await outcome(() => model.trainOnBatch(x, y)),
      getWeights: await outcome(() => model.getWeights()),
      dispose: await outcome(() => model.dispose()),
    };
    for (const [call, message] of Object.entries(results)) {
      // TF.js names the disposed layer, variable or container; sora names the model (or layer) and the fix.
      expect(message, call).toMatch(/already disposed|is disposed/);
    }
    if (lib === sora) {
      expect(results.predict).toBe(`${model.name}.predict: model '${model.name}' is disposed (dispose() freed its weights); ` +
        'make or load it again to use it');
      expect(results.dispose).toMatch(/\.dispose: model '.*' is disposed/);
    }
    // The refused fit did not leave the model marked as training (TF.js's second fit names the disposal, not isTraining).
    expect(results.fitAgain).not.toMatch(/another fit|already training/);
    expect((model as unknown as { isTraining: boolean }).isTraining).toBe(false);
    lib.dispose([x, y]);
  });

  it.each(libs)('%s: a layer of a disposed model refuses apply; a disposed layer refuses a second dispose', (_, lib) => {
    const dense = lib.layers.dense({ units: 2, inputShape: [3] });
    const model = lib.sequential({ layers: [dense] });
    const x = lib.ones([1, 3]);
    lib.dispose(model.predict(x) as sora.Tensor);
    model.dispose();
    expect(() => dense.apply(x)).toThrow(/already disposed|is disposed/);
    expect(() => dense.dispose()).toThrow(/already disposed|is disposed/);
    x.dispose();
  });

  it.each(libs)('%s: disposed from onBatchEnd mid-fit, the fit rejects at the next batch and the model is not left training', async (_, lib) => {
    const model = make(lib);
    const x = lib.ones([8, 3]), y = lib.ones([8, 2]);
    const batches: number[] = [];
    let disposeResult: unknown = null;
    const message = await outcome(() => model.fit(x, y, {
      epochs: 3, batchSize: 2, verbose: 0, callbacks: {
        onBatchEnd: async (batch: number) => {
          batches.push(batch);
          if (batch === 1) disposeResult = model.dispose();
        },
      },
    }));
    // TF.js: the batch after the dispose throws 'LayersVariable dense_Dense2/kernel is already disposed.'
    expect(message).toMatch(/already disposed|is disposed/);
    expect(batches).toEqual([0, 1]);
    expect((disposeResult as { refCountAfterDispose: number }).refCountAfterDispose).toBe(0);
    expect((model as unknown as { isTraining: boolean }).isTraining).toBe(false);
    expect(await outcome(() => model.predict(x))).toMatch(/already disposed|is disposed/);
    lib.dispose([x, y]);
  });
});

describe('one fit at a time', () => {
  it.each(libs)('%s: a second fit or fitDataset while fitting is refused; predict and evaluate are not; fit works again after', async (_, lib) => {
    const model = make(lib);
    const x = lib.ones([8, 3]), y = lib.ones([8, 2]);
    const ds = lib.data.array([{ xs: lib.ones([2, 3]), ys: lib.ones([2, 2]) }]);
    const weights = () => (model.getWeights()[0].dataSync() as Float32Array).slice();
    const start = weights();
    let epochs = 0;
    const first = model.fit(x, y, { epochs: 2, verbose: 0, callbacks: { onEpochEnd: async () => { epochs++; } } });
    // sora's flag is the model's own; TF.js's Sequential delegates fit to an inner model, whose isTraining it is.
    if (lib === sora) expect((model as unknown as { isTraining: boolean }).isTraining).toBe(true);
    const second = await outcome(() => model.fit(x, y, { epochs: 1, verbose: 0 }));
    const third = await outcome(() => model.fitDataset(ds, { epochs: 1, verbose: 0 }));
    const during = model.predict(x) as sora.Tensor;
    const evaluated = model.evaluate(x, y) as sora.Tensor;
    const history = await first;
    expect(history.history.loss).toHaveLength(2);
    expect(epochs).toBe(2);
    if (lib === sora) {
      expect(second).toBe(`${model.name}.fit: the model is already training (another fit() or fitDataset() call is ongoing); ` +
        'await the first call before starting another, or train a second model');
      expect(third).toMatch(/\.fitDataset: the model is already training/);
    } else {
      expect(second).toBe('Cannot start training because another fit() call is ongoing.');
      expect(third).toBe('Cannot start training because another fit() call is ongoing.');
    }
    expect(during.shape).toEqual([8, 2]);
    expect(evaluated.shape).toEqual([]);
    expect((model as unknown as { isTraining: boolean }).isTraining).toBe(false);
    expect(await outcome(() => model.fit(x, y, { epochs: 1, verbose: 0 }))).toBe('ok');
    expect(weights()).not.toEqual(start);
    lib.dispose([x, y, during, evaluated]);
    model.dispose();
  });

  it.each(libs)('%s: a fit that throws (bad shapes, a throwing callback) leaves the model free to fit again', async (_, lib) => {
    const model = make(lib);
    const x = lib.ones([8, 3]), y = lib.ones([8, 2]), bad = lib.ones([8, 4]);
    expect(await outcome(() => model.fit(bad, y, { epochs: 1, verbose: 0 }))).not.toBe('ok');
    expect((model as unknown as { isTraining: boolean }).isTraining).toBe(false);
    const boom = await outcome(() => model.fit(x, y, { epochs: 1, verbose: 0, callbacks: { onBatchEnd: () => { throw new Error('boom'); } } }));
    expect(boom).toBe('boom');
    expect((model as unknown as { isTraining: boolean }).isTraining).toBe(false);
    expect(await outcome(() => model.fit(x, y, { epochs: 1, verbose: 0 }))).toBe('ok');
    lib.dispose([x, y, bad]);
    model.dispose();
  });
});
