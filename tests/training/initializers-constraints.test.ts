/**
 * tf.initializers, tf.constraints and tf.regularizers against TF.js (cpu backend): the
 * deterministic initializers and every constraint and regularizer give TF.js's values; the
 * random initializers draw from TF.js's distributions (bounds, moments, fans), are
 * reproducible with a seed, and report TF.js's class names and configs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { computeFans, type Initializer } from '../../src/training/initializers.js';
import { getConstraint, type Constraint } from '../../src/training/constraints.js';
import type { Regularizer } from '../../src/training/regularizers.js';

/** The parts of TF.js's initializer, constraint and regularizer objects these tests call. */
type TfInitializer = { apply(shape: number[], dtype?: string): tf.Tensor; getConfig(): object; getClassName(): string };
type TfConstraint = { apply(w: tf.Tensor): tf.Tensor; getConfig(): object; getClassName(): string };
type TfRegularizer = { apply(w: tf.Tensor): tf.Tensor; getConfig(): object; getClassName(): string };

beforeAll(async () => {
  await tf.setBackend('cpu');
  await sora.setBackend('reference');
});

function close(a: ArrayLike<number>, e: ArrayLike<number>, tol = 1e-6, label = ''): void {
  expect(a.length, label).toBe(e.length);
  for (let i = 0; i < e.length; i++) expect(Math.abs(a[i] - e[i]), `${label}[${i}] ${a[i]} vs ${e[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e[i])));
}
const stats = (v: ArrayLike<number>) => {
  const n = v.length;
  const mean = Array.from(v).reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(Array.from(v).reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  return { mean, std, max: Math.max(...Array.from(v, Math.abs)) };
};

describe('tf.initializers', () => {
  it('has every TF.js initializer', () => {
    expect(Object.keys(tf.initializers).filter((n) => !(n in sora.initializers))).toEqual([]);
  });
  it('zeros, ones, constant and identity give TF.js values, dtypes and configs', () => {
    for (const [name, args] of [['zeros', undefined], ['ones', undefined], ['constant', { value: -2.5 }], ['identity', { gain: 3 }]] as const) {
      for (const dtype of ['float32', 'int32'] as const) {
        const shape = name === 'identity' ? [4, 4] : [3, 2, 2];
        const ours = (sora.initializers[name] as (a: unknown) => Initializer)(args).apply(shape, dtype);
        const theirs = (tf.initializers[name] as (a: unknown) => TfInitializer)(args).apply(shape, dtype);
        expect(ours.dtype, name).toBe(theirs.dtype);
        expect(ours.shape).toEqual(theirs.shape);
        close(ours.dataSync(), theirs.dataSync(), 0, name);
      }
      const ours = (sora.initializers[name] as (a: unknown) => Initializer)(args);
      const theirs = (tf.initializers[name] as (a: unknown) => TfInitializer)(args);
      expect(ours.getConfig()).toEqual(theirs.getConfig());
      expect(ours.getClassName!()).toBe(theirs.getClassName());
    }
  });
  it('computeFans as TF.js: matrices, conv kernels, vectors and scalars', () => {
    for (const shape of [[3, 5], [3, 3, 4, 8], [2, 3, 4], [5, 2, 2, 3, 4], [7], [], [2, 2, 2, 2, 2, 2]]) {
      const size = shape.reduce((a, b) => a * b, 1);
      const limit = (fan: number) => Math.sqrt(3 / Math.max(1, fan));
      const [fanIn] = computeFans(shape);
      // TF.js's leCunUniform draws from [-sqrt(3 / fanIn), sqrt(3 / fanIn)].
      const theirs = tf.initializers.leCunUniform({ seed: 3 }).apply(shape).dataSync();
      expect(stats(theirs).max).toBeLessThanOrEqual(limit(fanIn) + 1e-6);
      if (size >= 8) expect(stats(theirs).max).toBeGreaterThan(limit(fanIn) * 0.5);
    }
  });
  const RANDOM: [string, unknown, (shape: number[]) => { bound?: number; std: number; mean: number }][] = [
    ['randomUniform', { minval: 0, maxval: 2 }, () => ({ bound: 2, mean: 1, std: 2 / Math.sqrt(12) })],
    ['randomUniform', {}, () => ({ bound: 0.05, mean: 0, std: 0.1 / Math.sqrt(12) })],
    ['randomNormal', { mean: 1, stddev: 0.5 }, () => ({ mean: 1, std: 0.5 })],
    ['truncatedNormal', { stddev: 2 }, () => ({ bound: 4, mean: 0, std: 2 * 0.88 })],
    ['glorotUniform', {}, ([a, b]) => ({ bound: Math.sqrt(6 / (a + b)), mean: 0, std: Math.sqrt(2 / (a + b)) })],
    ['glorotNormal', {}, ([a, b]) => ({ bound: 2 * Math.sqrt(2 / (a + b)), mean: 0, std: 0.88 * Math.sqrt(2 / (a + b)) })],
    ['heUniform', {}, ([a]) => ({ bound: Math.sqrt(6 / a), mean: 0, std: Math.sqrt(2 / a) })],
    ['heNormal', {}, ([a]) => ({ bound: 2 * Math.sqrt(2 / a), mean: 0, std: 0.88 * Math.sqrt(2 / a) })],
    ['leCunUniform', {}, ([a]) => ({ bound: Math.sqrt(3 / a), mean: 0, std: Math.sqrt(1 / a) })],
    ['leCunNormal', {}, ([a]) => ({ bound: 2 * Math.sqrt(1 / a), mean: 0, std: 0.88 * Math.sqrt(1 / a) })],
    ['varianceScaling', { scale: 3, mode: 'fanOut', distribution: 'uniform' }, ([, b]) => ({ bound: Math.sqrt(9 / b), mean: 0, std: Math.sqrt(3 / b) })],
    ['varianceScaling', { scale: 0.5, mode: 'fanAvg', distribution: 'normal' }, ([a, b]) => ({ bound: 2 * Math.sqrt(1 / (a + b)), mean: 0, std: 0.88 * Math.sqrt(1 / (a + b)) })],
  ];
  for (const [name, args, expected] of RANDOM) {
    // TF.js reads randomUniform's minval with `||`, so it draws minval 0 from -0.05; sora keeps 0.
    const quirk = name === 'randomUniform' && (args as { minval?: number }).minval === 0;
    it(`${name}(${JSON.stringify(args)}) draws from TF.js's distribution, reproducibly with a seed`, () => {
      const shape = [60, 90];
      const make = (seed?: number) => (sora.initializers[name as 'zeros'] as (a: unknown) => Initializer)({ ...(args as object), seed });
      const ours = stats(make(7).apply(shape).dataSync());
      const theirs = stats((tf.initializers[name as 'zeros'] as (a: unknown) => TfInitializer)({ ...(args as object), seed: 7 }).apply(shape).dataSync());
      const want = expected(shape);
      for (const s of quirk ? [ours] : [ours, theirs]) {
        expect(Math.abs(s.mean - want.mean)).toBeLessThan(0.05 * want.std + 1e-3);
        expect(Math.abs(s.std - want.std) / want.std).toBeLessThan(0.05);
        if (want.bound) expect(s.max).toBeLessThanOrEqual(want.bound * (1 + 1e-6));
      }
      expect(Array.from(make(11).apply(shape).dataSync())).toEqual(Array.from(make(11).apply(shape).dataSync()));
      expect(Array.from(make(11).apply([4]).dataSync())).not.toEqual(Array.from(make(12).apply([4]).dataSync()));
      const cfg = make(5).getConfig(), theirCfg = (tf.initializers[name as 'zeros'] as (a: unknown) => TfInitializer)({ ...(args as object), seed: 5 }).getConfig();
      expect(cfg).toEqual(quirk ? { ...theirCfg, minval: 0 } : theirCfg);
      expect(make(5).getClassName!()).toBe((tf.initializers[name as 'zeros'] as (a: unknown) => TfInitializer)({ ...(args as object), seed: 5 }).getClassName());
    });
  }
  it('orthogonal: orthonormal rows or columns times gain, any rank, as TF.js', () => {
    for (const shape of [[6, 6], [8, 3], [3, 8], [2, 3, 5], [4, 2, 3]]) {
      const w = sora.initializers.orthogonal({ gain: 2, seed: 1 }).apply(shape);
      const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1), cols = shape[shape.length - 1];
      const m = sora.reshape(w, [rows, cols]);
      const gram = rows >= cols ? sora.matMul(m, m, true, false) : sora.matMul(m, m, false, true);
      const n = Math.min(rows, cols);
      const eye = Array.from({ length: n * n }, (_, i) => (Math.floor(i / n) === i % n ? 4 : 0));
      close(gram.dataSync(), eye, 1e-5, `orthogonal [${shape}]`);
      const theirs = tf.initializers.orthogonal({ gain: 2, seed: 1 }).apply(shape);
      const tm = tf.reshape(theirs, [rows, cols]);
      close((rows >= cols ? tf.matMul(tm, tm, true, false) : tf.matMul(tm, tm, false, true)).dataSync(), eye, 1e-4);
    }
    expect(() => sora.initializers.orthogonal().apply([3])).toThrow(/orthogonal: the shape must have rank >= 2; received \[3\]/);
  });
  it('bad arguments name the initializer and value', () => {
    expect(() => sora.initializers.identity().apply([2, 3])).toThrow(/identity: .*2D square shape; received \[2,3\]/);
    expect(() => sora.initializers.varianceScaling({ mode: 'fan_sideways' as never })).toThrow(/varianceScaling: mode must be one of/);
    expect(() => sora.initializers.varianceScaling({ scale: -1 })).toThrow(/varianceScaling: scale must be a positive number; received -1/);
    expect(() => sora.initializers.constant({} as never)).toThrow(/constant: value must be a finite number/);
    expect(() => sora.initializers.zeros().apply([2], 'bool')).not.toThrow();
    expect(() => sora.initializers.heNormal().apply([2, 2], 'bool')).toThrow(/HeNormal: dtype must be 'float32' or 'int32'; received 'bool'/);
  });
});

describe('tf.constraints and tf.regularizers', () => {
  const W = [[0.5, -3, 1.2], [2, 0.1, -0.4], [-1, 1.5, 0.3], [0.2, -0.2, 2.5]];
  const CASES: [string, unknown][] = [
    ['maxNorm', {}], ['maxNorm', { maxValue: 1, axis: 1 }], ['minMaxNorm', {}], ['minMaxNorm', { minValue: 1.5, maxValue: 2, rate: 0.5, axis: 1 }],
    ['nonNeg', {}], ['unitNorm', {}], ['unitNorm', { axis: [0, 1] }],
  ];
  for (const [name, args] of CASES) {
    it(`${name}(${JSON.stringify(args)}) gives TF.js's weights and config`, () => {
      const ours = (sora.constraints[name as 'maxNorm'] as (a: unknown) => Constraint)(args);
      const theirs = (tf.constraints[name as 'maxNorm'] as (a: unknown) => TfConstraint)(args);
      close(ours.apply(sora.tensor(W)).dataSync(), theirs.apply(tf.tensor(W)).dataSync(), 1e-6, name);
      expect(ours.getConfig()).toEqual(theirs.getConfig());
      expect(ours.getClassName()).toBe(theirs.getClassName());
    });
  }
  it('constraints by name, as saved configs, and bad input', () => {
    const w = sora.tensor(W);
    for (const id of ['maxNorm', 'MaxNorm', 'max_norm', { className: 'MaxNorm', config: { max_value: 2, axis: 0 } }]) {
      close(getConstraint('dense', id)!.apply(w).dataSync(), tf.constraints.maxNorm({}).apply(tf.tensor(W)).dataSync(), 1e-6, JSON.stringify(id));
    }
    expect(getConstraint('dense', null)).toBeNull();
    expect(() => getConstraint('dense_1', 'maxnorm')).toThrow(/dense_1: unknown constraint "maxnorm"/);
    expect(() => sora.constraints.maxNorm({ maxValue: -1 })).toThrow(/maxNorm: maxValue must be a finite number >= 0; received -1/);
    expect(() => sora.constraints.nonNeg().apply(null as never)).toThrow(/nonNeg: expected 'w' to be a Tensor/);
    const before = sora.memory().numTensors;
    sora.constraints.minMaxNorm().apply(w).dispose();
    expect(sora.memory().numTensors).toBe(before);
  });
  it('regularizers give TF.js values and configs', () => {
    for (const [name, args] of [['l1', undefined], ['l2', { l2: 0.3 }], ['l1l2', undefined], ['l1l2', { l1: 0.2, l2: 0 }]] as const) {
      const ours = (sora.regularizers[name] as (a: unknown) => Regularizer)(args);
      const theirs = (tf.regularizers[name] as (a: unknown) => TfRegularizer)(args);
      close(ours.apply(sora.tensor(W)).dataSync(), theirs.apply(tf.tensor(W)).dataSync(), 1e-6, name);
      expect(ours.getConfig()).toEqual(theirs.getConfig());
      expect(ours.getClassName()).toBe(theirs.getClassName());
    }
  });
});

describe('layers take initializers and constraints by name', () => {
  it('dense with kernelConstraint / biasConstraint trains to the same weights as TF.js', async () => {
    const x = [[1, 2, -1], [0.5, -2, 3], [2, 1, 1], [-1, -1, 0.5]], y = [[6, -3], [0, -2], [9, -2], [-7, -3]];
    // Starting weights that meet the constraints (TF.js's setWeights applies them; Keras's does not).
    const kernel = [[0.9, -0.8], [1.5, 0.2], [-0.3, 1.1]], bias = [0.4, 0.05];
    const config = { units: 2, inputShape: [3], kernelConstraint: 'maxNorm', biasConstraint: 'nonNeg', kernelInitializer: 'leCunNormal' };
    const ours = sora.sequential({ layers: [sora.layers.dense(config as never)] });
    const theirs = tf.sequential({ layers: [tf.layers.dense(config as never)] });
    ours.setWeights([sora.tensor(kernel), sora.tensor(bias)]);
    theirs.setWeights([tf.tensor(kernel), tf.tensor(bias)]);
    ours.compile({ optimizer: sora.train.sgd(0.1), loss: 'meanSquaredError' });
    theirs.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    // Keras applies constraints after every step; TF.js's fit skips them (its optimizer writes the
    // variables directly) and applies them on setWeights, so its side is stepped one batch at a time.
    for (let step = 0; step < 3; step++) {
      await ours.fit(sora.tensor(x), sora.tensor(y), { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 } as never);
      await theirs.fit(tf.tensor(x), tf.tensor(y), { epochs: 1, batchSize: 4, shuffle: false, verbose: 0 });
      theirs.setWeights(theirs.getWeights().map((w) => w.clone()));
    }
    const [ok, ob] = ours.getWeights(), [tk, tb] = theirs.getWeights();
    close(ok.dataSync(), tk.dataSync(), 1e-5, 'kernel');
    close(ob.dataSync(), tb.dataSync(), 1e-5, 'bias');
    expect(Math.min(...ob.dataSync())).toBe(0); // the constraint bound
    const norms = [0, 1].map((j) => Math.hypot(...[0, 1, 2].map((i) => ok.dataSync()[i * 2 + j])));
    expect(Math.max(...norms)).toBeCloseTo(2, 5); // maxNorm bound too
    const saved = (ours.layers[0].getConfig() as { kernelConstraint: unknown }).kernelConstraint;
    expect(saved).toEqual({ className: 'MaxNorm', config: { maxValue: 2, axis: 0 } });
    expect(() => sora.layers.dense({ units: 2, kernelConstraint: 'maxnorm' } as never)).toThrow(/unknown constraint "maxnorm"/);
  });
});

describe('initializers and constraints in saved models, both ways with TF.js', () => {
  it('TF.js saves dense layers with initializers and constraints; sora loads them, and back', async () => {
    const theirs = tf.sequential({ layers: [
      tf.layers.dense({ units: 3, inputShape: [2], kernelInitializer: tf.initializers.varianceScaling({ scale: 0.5, mode: 'fanOut', distribution: 'uniform' }),
        kernelConstraint: tf.constraints.maxNorm({ maxValue: 1.5, axis: 0 }), biasConstraint: 'nonNeg' as never }),
      tf.layers.dense({ units: 1, kernelInitializer: 'orthogonal' as never, biasInitializer: tf.initializers.constant({ value: 0.3 }),
        kernelConstraint: tf.constraints.minMaxNorm({ minValue: 0.5, maxValue: 2, rate: 0.7 }) }),
    ] });
    let saved: unknown = null;
    await theirs.save(tf.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    const ours = await sora.loadLayersModel(sora.io.fromMemory(saved as sora.io.ModelArtifacts));
    const [first, second] = ours.layers.map((l) => l.getConfig() as Record<string, { className: string; config: object } | null>);
    expect(first.kernelConstraint).toEqual({ className: 'MaxNorm', config: { maxValue: 1.5, axis: 0 } });
    expect(first.biasConstraint).toEqual({ className: 'NonNeg', config: {} });
    expect(second.kernelConstraint).toEqual({ className: 'MinMaxNorm', config: { minValue: 0.5, maxValue: 2, rate: 0.7, axis: 0 } });
    expect(second.biasInitializer).toEqual({ className: 'Constant', config: { value: 0.3 } });
    expect(first.kernelInitializer?.config).toMatchObject({ scale: 0.5, mode: 'fanOut', distribution: 'uniform' });
    // And back: TF.js reads what sora saves.
    let back: unknown = null;
    await ours.save(sora.io.withSaveHandler((a) => { back = a; }));
    const again = await tf.loadLayersModel(tf.io.fromMemory(back as never));
    const cfg = again.layers.map((l) => l.getConfig() as Record<string, unknown>);
    expect(cfg[0].kernelConstraint).toEqual(theirs.layers[0].getConfig().kernelConstraint);
    expect(cfg[1].kernelConstraint).toEqual(theirs.layers[1].getConfig().kernelConstraint);
    expect(cfg[1].biasInitializer).toEqual(theirs.layers[1].getConfig().biasInitializer);
  });
});
