/**
 * Issue 15: the TF.js names outside tf.layers, each against @tensorflow/tfjs (cpu backend in
 * Node) where it computes something.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await sora.setBackend('reference');
});

describe('tf.backend() and tf.engine().backend', () => {
  it('floatPrecision() and epsilon() are 32 and 1e-7, as TF.js on the cpu', () => {
    expect(sora.backend().floatPrecision()).toBe(tf.backend().floatPrecision());
    expect(sora.backend().floatPrecision()).toBe(32);
    expect(sora.backend().epsilon()).toBe(tf.backend().epsilon());
  });

  it('numDataIds() counts live data: a new tensor adds one, a reshape shares it, dispose frees it', () => {
    const count = (lib: typeof tf | typeof sora) => (lib.engine().backend as unknown as { numDataIds(): number }).numDataIds();
    const delta = (lib: typeof tf | typeof sora) => {
      const before = count(lib);
      const a = (lib as typeof tf).tensor1d([1, 2, 3, 4]);
      const b = (lib as typeof tf).tensor1d([5, 6]);
      const r = a.reshape([2, 2]);
      const afterMake = count(lib) - before;
      a.dispose(); r.dispose();
      const afterFree = count(lib) - before;
      b.dispose();
      return [afterMake, afterFree, count(lib) - before];
    };
    expect(delta(sora)).toEqual(delta(tf));
    expect(delta(sora)).toEqual([2, 1, 0]);
  });
});

describe('toCategorical', () => {
  it('TF.js has none in tf.util or tf.data, and neither does sora; sora.utils.toCategorical is tf.oneHot(...).toFloat()', () => {
    const named = (ns: unknown) => Object.keys(ns as object).filter((k) => /categorical/i.test(k));
    expect(named(tf.util)).toEqual([]);
    expect(named(tf.data)).toEqual([]);
    expect(named(sora.util)).toEqual([]);
    expect(named(sora.data)).toEqual([]);
    const labels = [2, 0, 1, 2];
    const theirs = tf.oneHot(tf.tensor1d(labels, 'int32'), 4).toFloat();
    const ours = sora.utils.toCategorical(labels, 4);
    expect(ours.dtype).toBe(theirs.dtype);
    expect(ours.shape).toEqual(theirs.shape);
    expect(Array.from(ours.dataSync())).toEqual(Array.from(theirs.dataSync()));
    ours.dispose(); theirs.dispose();
  });
});

describe('CustomCallback, CallbackList, registerCallbackConstructor', () => {
  it('live where TF.js has them: top level, not in tf.callbacks', () => {
    for (const name of ['CustomCallback', 'CallbackList', 'registerCallbackConstructor']) {
      expect(typeof (sora as Record<string, unknown>)[name], name).toBe(typeof (tf as Record<string, unknown>)[name]);
    }
    expect(Object.keys(sora.callbacks)).toEqual(Object.keys(tf.callbacks));
  });

  /** Drives a CustomCallback of `lib` by hand on a fake clock; returns what its hooks and frames saw. */
  async function drive(lib: typeof tf | typeof sora, yieldEvery?: 'auto' | 'batch' | 'epoch' | 'never' | number) {
    const seen: string[] = [];
    let clock = 0;
    const cb = new lib.CustomCallback({
      onTrainBegin: (logs) => { seen.push(`trainBegin ${JSON.stringify(logs)}`); },
      onEpochBegin: (e) => { seen.push(`epochBegin ${e}`); },
      onBatchEnd: (b, logs) => { seen.push(`batchEnd ${b} ${JSON.stringify(logs)}`); },
      onEpochEnd: async (e, logs) => { seen.push(`epochEnd ${e} ${JSON.stringify(logs)}`); },
      ...(yieldEvery === 'never' ? {} : { onYield: (e: number, b: number, logs: unknown) => { seen.push(`yield ${e} ${b} ${JSON.stringify(logs)}`); } }),
      nowFunc: () => clock,
      nextFrameFunc: async () => { seen.push('frame'); },
    }, yieldEvery as never);
    const list = new lib.CallbackList([cb as never]);
    await list.onTrainBegin();
    for (let epoch = 0; epoch < 2; epoch++) {
      await list.onEpochBegin(epoch);
      for (let batch = 0; batch < 4; batch++) {
        clock += 50;
        await list.onBatchBegin(batch);
        await list.onBatchEnd(batch, { loss: batch / 4 });
      }
      await list.onEpochEnd(epoch, { loss: 0.5 });
    }
    await list.onTrainEnd();
    return seen;
  }

  it('CustomCallback calls its hooks and yields as TF.js does, for every yieldEvery', async () => {
    for (const every of [undefined, 'auto', 'batch', 'epoch', 'never', 120] as const) {
      expect(await drive(sora, every), String(every)).toEqual(await drive(tf, every));
    }
    expect(() => new sora.CustomCallback({ onYield: () => {} }, 'never')).toThrow(/yieldEvery is `never`/);
    expect(() => new tf.CustomCallback({ onYield: () => {} }, 'never')).toThrow(/yieldEvery is `never`/);
  });

  it('CallbackList: TF.js constructor, append, setParams, hooks in order with logs defaulting to {}', async () => {
    const run = async (lib: typeof tf | typeof sora) => {
      const seen: string[] = [];
      const make = (tag: string) => new lib.CustomCallback({ onEpochEnd: (e, logs) => { seen.push(`${tag} ${e} ${JSON.stringify(logs)}`); } }, 'never');
      const list = new lib.CallbackList(undefined, 3);
      list.append(make('a') as never);
      list.append(make('b') as never);
      list.setParams({ epochs: 3 });
      await list.onEpochEnd(1);
      return { seen, queueLength: list.queueLength, n: list.callbacks.length, params: (list.callbacks[0] as unknown as { params: unknown }).params };
    };
    expect(await run(sora)).toEqual(await run(tf));
  });

  it('registerCallbackConstructor: fit makes one at each verbosity at or above its level, as TF.js', async () => {
    const fitWith = async (lib: typeof tf | typeof sora) => {
      const seen: string[] = [];
      const tag = lib === tf ? 'tf' : 'sora';
      class Low extends lib.CustomCallback { constructor() { super({ onEpochEnd: (e: number) => { seen.push(`low ${e}`); }, onTrainBegin: () => { seen.push('low begin'); } }); } }
      class High extends lib.CustomCallback { constructor() { super({ onEpochEnd: (e: number) => { seen.push(`high ${e}`); } }); } }
      lib.registerCallbackConstructor(0, Low as never);
      lib.registerCallbackConstructor(3, High as never);
      expect(() => lib.registerCallbackConstructor(1, Low as never), tag).toThrow('Duplicate callback constructor.');
      expect(() => lib.registerCallbackConstructor(-1, High as never), tag).toThrow('Verbosity level is expected to be an integer >= 0, but got -1');
      const model = lib.sequential({ layers: [lib.layers.dense({ units: 1, inputShape: [2] }) as never] });
      model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const x = lib.ones([4, 2]), y = lib.zeros([4, 1]);
      await model.fit(x as never, y as never, { epochs: 2, batchSize: 2, verbose: 0 } as never);
      x.dispose(); y.dispose();
      return seen;
    };
    const ours = await fitWith(sora);
    expect(ours).toEqual(await fitWith(tf));
    expect(ours).toEqual(['low begin', 'low 0', 'low 1']);
  });
});

describe('bitwiseAnd and movingAverage against TF.js', () => {
  it('bitwiseAnd: int32 across the range, and TF.js\'s errors', () => {
    const a = [0, 1, -1, 5, -6, 2147483647, -2147483648, 123456789, -987654321, 1073741824, -7, 255];
    const b = [7, -1, -1, 3, 13, -2147483648, -1, -987654321, 65535, -1073741825, -8, 256];
    const theirs = tf.bitwiseAnd(tf.tensor1d(a, 'int32'), tf.tensor1d(b, 'int32'));
    const ours = sora.bitwiseAnd(sora.tensor1d(a, 'int32'), sora.tensor1d(b, 'int32'));
    expect(ours.dtype).toBe('int32');
    expect(Array.from(ours.dataSync())).toEqual(Array.from(theirs.dataSync()));
    expect(Array.from(ours.dataSync())).toEqual(a.map((v, i) => v & b[i]));
    expect(() => sora.bitwiseAnd(sora.tensor1d([1, 2], 'int32'), sora.tensor1d([1], 'int32')))
      .toThrow('BitwiseAnd: Tensors must have the same shape. x: 2, y: 1');
    expect(() => sora.bitwiseAnd(sora.tensor1d([1, 2]), sora.tensor1d([1, 2], 'int32')))
      .toThrow("BitwiseAnd: Only supports 'int32' values in tensor, found type of x: float32 and type of y: int32");
    expect(() => tf.bitwiseAnd(tf.tensor1d([1, 2]), tf.tensor1d([1, 2], 'int32'))).toThrow(/Only supports 'int32'/);
    ours.dispose(); theirs.dispose();
  });

  it('movingAverage: values and gradients, debiased or not, number or tensor decay', () => {
    const v = [0.5, -1, 2, 0.25], x = [1, 1, -3, 0.75];
    for (const [decay, step, zeroDebias] of [[0.6, 2, true], [0.9, undefined, false], [0.99, 10, true]] as const) {
      const f = (lib: typeof tf | typeof sora) => {
        const l = lib as typeof tf;
        const d = l.scalar(decay);
        const [value, grads] = [
          l.movingAverage(l.tensor1d(v), l.tensor1d(x), d, step, zeroDebias),
          l.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => l.movingAverage(a, b, c as tf.Scalar, step, zeroDebias).square().sum())(
            [l.tensor1d(v), l.tensor1d(x), d]),
        ];
        return [Array.from(value.dataSync()), ...grads.map((g) => Array.from(g.dataSync()))];
      };
      const ours = f(sora), theirs = f(tf);
      ours.forEach((arr, k) => arr.forEach((val, i) => expect(val, `${decay} ${k} ${i}`).toBeCloseTo(theirs[k][i], 4)));
    }
    expect(() => sora.movingAverage(sora.tensor1d([1]), sora.tensor1d([2]), 0.5)).toThrow('When using zeroDebias: true, step is required.');
    expect(() => tf.movingAverage(tf.tensor1d([1]), tf.tensor1d([2]), 0.5)).toThrow('When using zeroDebias: true, step is required.');
    expect(() => sora.movingAverage(sora.tensor1d([1, 2]), sora.tensor1d([2]), 0.5, 1)).toThrow('Shape mismatch in v and x');
  });
});

describe('LayerVariable and InputSpec', () => {
  it('layer.weights are instances of sora.LayerVariable, as of tf.LayerVariable in TF.js', () => {
    const ours = sora.layers.dense({ units: 2, inputShape: [3] });
    const theirs = tf.layers.dense({ units: 2, inputShape: [3] });
    ours.apply(sora.ones([1, 3])); theirs.apply(tf.ones([1, 3]));
    expect(ours.weights.map((w) => w instanceof sora.LayerVariable)).toEqual(theirs.weights.map((w) => w instanceof tf.LayerVariable));
    expect(ours.weights.every((w) => w instanceof sora.LayerVariable)).toBe(true);
    expect(sora.ones([2]) instanceof sora.LayerVariable).toBe(false);
    expect(sora.variable(sora.ones([2])) instanceof sora.LayerVariable).toBe(false);
    ours.dispose(); theirs.dispose();
  });

  it('new LayerVariable(val, dtype, name, trainable, constraint): read, write with the constraint, as TF.js', () => {
    const run = (lib: typeof tf | typeof sora) => {
      const l = lib as typeof tf;
      const v = new l.LayerVariable(l.tensor1d([1, -2, 3]), 'float32', 'w', false, l.constraints.nonNeg());
      const before = Array.from(v.read().dataSync());
      v.write(l.tensor1d([-1, 5, -0.5]));
      const out = { before, after: Array.from(v.read().dataSync()), originalName: v.originalName, trainable: v.trainable,
        dtype: v.dtype, shape: v.shape, instance: v instanceof l.LayerVariable };
      v.dispose();
      return out;
    };
    expect(run(sora)).toEqual(run(tf));
  });

  it('InputSpec keeps TF.js\'s fields', () => {
    for (const args of [{ shape: [null, 3] }, { ndim: 4, dtype: 'float32' as const }, { minNDim: 2, axes: { [-1]: 8 } }, { maxNDim: 3 }]) {
      expect({ ...new sora.InputSpec(args) }).toEqual({ ...new tf.InputSpec(args) });
    }
  });
});

describe('util.fingerPrint64 and util.hexToLong', () => {
  const fields = (l: { low: number; high: number; unsigned: boolean; toString(radix?: number): string }) =>
    ({ low: l.low, high: l.high, unsigned: l.unsigned, dec: l.toString(), hex: l.toString(16) });

  it('fingerPrint64 of every length class (0..16, 17..32, 33..64, longer) equals TF.js\'s', () => {
    let seed = 7;
    const bytes = (n: number) => Uint8Array.from({ length: n }, () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed & 0xff; });
    let signed = 0;
    // Three draws of each length 0..299: a few hashes come back signed in TF.js (a zero product on the way).
    for (const n of [...Array.from({ length: 300 }, (_, i) => [i, i, i]).flat(), 1000, 4096]) {
      const s = bytes(n);
      const ours = sora.util.fingerPrint64(s);
      expect(fields(ours), `length ${n}`).toEqual(fields(tf.util.fingerPrint64(s)));
      if (!ours.unsigned) signed++;
    }
    expect(signed).toBeGreaterThan(0);
    const text = new TextEncoder().encode('hello world');
    expect(fields(sora.util.fingerPrint64(text, 5))).toEqual(fields(tf.util.fingerPrint64(text, 5)));
    // stringToHashBucketFast's use: the hash modulo a bucket count, as unsigned low bits.
    const h = sora.util.fingerPrint64(text), th = tf.util.fingerPrint64(text);
    expect(h.modulo(1000).getLowBitsUnsigned()).toBe(th.modulo(1000).getLowBitsUnsigned());
    expect(h.toNumber()).toBe(th.toNumber());
  });

  it('hexToLong equals TF.js\'s, wrapping past 64 bits', () => {
    for (const hex of ['0', 'ff', 'c3a5c85c97cb3127', 'FFFFFFFFFFFFFFFF', '8000000000000000', '123456789abcdef01', '7fffffff']) {
      expect(fields(sora.util.hexToLong(hex)), hex).toEqual(fields(tf.util.hexToLong(hex)));
    }
  });
});
