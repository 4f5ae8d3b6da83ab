/**
 * Every tf.train optimizer against TF.js's (cpu backend): the same loss, the same starting
 * weights and the same number of minimize() steps give the same weights; getWeights names
 * and orders the state as TF.js does, and setWeights restores it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await sora.setBackend('reference');
});

type Lib = typeof sora | typeof tf;
const W0 = [[0.5, -1.2, 2.0], [0.1, 0.0, -0.7]];
const B0 = [0.3, -0.4, 0.05];
const X = [[1, 2], [-1, 0.5], [0.3, -2], [2, 2]];

/** A small regression: sum((xW + b)^3 / 3 - sin-free terms) differentiable everywhere. */
function loss(lib: Lib, w: sora.Variable | tf.Variable, b: sora.Variable | tf.Variable) {
  const l = lib as typeof sora;
  const y = l.add(l.matMul(l.tensor(X), w as sora.Tensor), b as sora.Tensor);
  return l.mean(l.add(l.square(y), l.mul(l.abs(y), 0.3)));
}

const CASES: [string, (lib: Lib) => sora.Optimizer | tf.Optimizer][] = [
  ['sgd', (lib) => lib.train.sgd(0.1)],
  ['momentum', (lib) => lib.train.momentum(0.05, 0.9)],
  ['momentum nesterov', (lib) => lib.train.momentum(0.05, 0.8, true)],
  ['adam', (lib) => lib.train.adam(0.05)],
  ['rmsprop', (lib) => lib.train.rmsprop(0.02)],
  ['rmsprop momentum', (lib) => lib.train.rmsprop(0.02, 0.8, 0.5)],
  ['rmsprop centered', (lib) => lib.train.rmsprop(0.02, 0.9, 0.3, null as never, true)],
  ['adagrad', (lib) => lib.train.adagrad(0.3)],
  ['adagrad initial 0.5', (lib) => lib.train.adagrad(0.3, 0.5)],
  ['adadelta', (lib) => lib.train.adadelta(0.2)],
  ['adadelta rho', (lib) => lib.train.adadelta(0.5, 0.7, 1e-5)],
  ['adamax', (lib) => lib.train.adamax(0.05)],
  ['adamax decay', (lib) => lib.train.adamax(0.05, 0.8, 0.99, 1e-6, 0.1)],
];

function steps(lib: Lib, make: (lib: Lib) => sora.Optimizer | tf.Optimizer, n: number) {
  const l = lib as typeof sora;
  const w = l.variable(l.tensor(W0), true, `w_${Math.random()}`), b = l.variable(l.tensor(B0), true, `b_${Math.random()}`);
  const optimizer = make(lib) as sora.Optimizer;
  const costs: number[] = [];
  for (let i = 0; i < n; i++) {
    const cost = optimizer.minimize(() => loss(lib, w, b), true, [w, b])!;
    costs.push(cost.dataSync()[0]);
    cost.dispose();
  }
  return { w, b, optimizer, costs };
}

describe('tf.train optimizers: the same weights as TF.js after minimize steps', () => {
  for (const [name, make] of CASES) {
    it(name, () => {
      const ours = steps(sora, make, 12), theirs = steps(tf, make, 12);
      expect(ours.optimizer.iterations).toBe((theirs.optimizer as unknown as tf.Optimizer).iterations);
      for (let i = 0; i < 12; i++) expect(Math.abs(ours.costs[i] - theirs.costs[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(theirs.costs[i])));
      const ow = ours.w.dataSync(), tw = theirs.w.dataSync();
      for (let i = 0; i < tw.length; i++) expect(Math.abs(ow[i] - tw[i])).toBeLessThan(1e-5 + 1e-5 * Math.abs(tw[i]));
      const ob = ours.b.dataSync(), tb = theirs.b.dataSync();
      for (let i = 0; i < tb.length; i++) expect(Math.abs(ob[i] - tb[i])).toBeLessThan(1e-5 + 1e-5 * Math.abs(tb[i]));
      expect(ours.costs[11]).toBeLessThan(ours.costs[0]);
      expect(ours.optimizer.getClassName()).toBe((theirs.optimizer as unknown as tf.Optimizer).getClassName());
      expect(ours.optimizer.getConfig()).toMatchObject(Object.fromEntries(
        Object.entries((theirs.optimizer as unknown as tf.Optimizer).getConfig()).filter(([, v]) => v !== null)));
      ours.optimizer.dispose(); ours.w.dispose(); ours.b.dispose();
      (theirs.optimizer as unknown as tf.Optimizer).dispose(); theirs.w.dispose(); theirs.b.dispose();
    });
  }
});

describe('optimizer state', () => {
  it('getWeights names and orders the state as TF.js; setWeights restores it into a fresh optimizer', async () => {
    for (const [name, make] of CASES.filter(([n]) => !n.startsWith('adamax') && !n.startsWith('sgd') && n !== 'rmsprop')) {
      const ours = steps(sora, make, 3), theirs = steps(tf, make, 3);
      const mine = await ours.optimizer.getWeights();
      const tfs = await (theirs.optimizer as unknown as tf.Optimizer).getWeights();
      const strip = (n: string) => n.replace(/^[wb]_[0-9.e-]+/, (m) => m[0]);
      expect(mine.map((v) => strip(v.name)), name).toEqual(tfs.map((v) => strip(v.name)));
      for (let i = 0; i < tfs.length; i++) {
        const a = mine[i].tensor.dataSync(), e = tfs[i].tensor.dataSync();
        for (let j = 0; j < e.length; j++) expect(Math.abs(a[j] - e[j]), `${name} ${tfs[i].name}`).toBeLessThan(1e-5);
      }
      // A fresh optimizer with that state continues exactly as the original.
      const fresh = make(sora) as sora.Optimizer;
      await fresh.setWeights(mine.map((v) => ({ name: v.name, tensor: v.tensor.clone() })));
      expect(fresh.iterations).toBe(3);
      const w2 = sora.variable(ours.w.clone()), b2 = sora.variable(ours.b.clone());
      // Names tie state to variables; the copies carry the same state by renaming.
      await fresh.setWeights([{ name: 'iter', tensor: sora.scalar(3, 'int32') },
        ...mine.slice(1).map((v) => ({ name: v.name.replace(ours.w.name, w2.name).replace(ours.b.name, b2.name), tensor: v.tensor }))]);
      ours.optimizer.minimize(() => loss(sora, ours.w, ours.b), false, [ours.w, ours.b]);
      fresh.minimize(() => loss(sora, w2, b2), false, [w2, b2]);
      expect(w2.dataSync()).toEqual(ours.w.dataSync());
      for (const t of [ours.w, ours.b, w2, b2, theirs.w, theirs.b]) t.dispose();
      ours.optimizer.dispose(); fresh.dispose(); (theirs.optimizer as unknown as tf.Optimizer).dispose();
    }
  });
  it('a momentum-0 RMSProp takes TF.js\'s state, whose moments it does not need', async () => {
    const ours = steps(sora, (lib) => lib.train.rmsprop(0.02), 3), theirs = steps(tf, (lib) => lib.train.rmsprop(0.02), 3);
    const tfState = await (theirs.optimizer as unknown as tf.Optimizer).getWeights();
    const rename = (n: string) => n.replace(theirs.w.name, ours.w.name).replace(theirs.b.name, ours.b.name);
    const fresh = sora.train.rmsprop(0.02);
    await fresh.setWeights(tfState.map((v) => ({ name: rename(v.name), tensor: sora.tensor(v.tensor.dataSync() as Float32Array, v.tensor.shape, v.tensor.dtype as 'float32') })));
    ours.optimizer.dispose();
    fresh.minimize(() => loss(sora, ours.w, ours.b), false, [ours.w, ours.b]);
    (theirs.optimizer as sora.Optimizer).minimize(() => loss(tf, theirs.w, theirs.b) as never, false, [theirs.w, theirs.b] as never);
    const a = ours.w.dataSync(), e = theirs.w.dataSync();
    for (let i = 0; i < e.length; i++) expect(Math.abs(a[i] - e[i])).toBeLessThan(1e-5);
  });
  it('bad arguments name the optimizer and value', async () => {
    expect(() => sora.train.adagrad(0.1, -1)).toThrow(/adagrad: initialAccumulatorValue must be a number >= 0; received -1/);
    expect(() => sora.train.adadelta(0.1, NaN)).toThrow(/adadelta: rho must be/);
    expect(() => sora.train.adamax(0)).toThrow(/learningRate must be a positive number; received 0/);
    const opt = sora.train.adagrad(0.1);
    await expect(opt.setWeights([{ name: 'iter', tensor: sora.scalar(1) }, { name: 'x/m', tensor: sora.scalar(1) }]))
      .rejects.toThrow(/setWeights: 'x\/m' is not state of a Adagrad optimizer/);
    expect(sora.AdamaxOptimizer).toBe(sora.Adamax);
    expect(sora.OptimizerConstructors.adagrad).toBe(sora.train.adagrad);
  });
});

describe('optimizers by name in compile', () => {
  for (const name of ['sgd', 'adam', 'rmsprop', 'adagrad', 'adadelta', 'adamax']) {
    it(`compile({ optimizer: '${name}' }) trains to TF.js's weights`, async () => {
      const x = [[1, 2, -1, 0.5], [0.5, -2, 3, 1], [2, 1, 1, -1], [-1, -1, 0.5, 2], [0, 1, 2, 3]];
      const y = [[1, 0, 2], [0, 1, -1], [3, 1, 0], [-2, 0, 1], [1, 1, 1]];
      const kernel = Array.from({ length: 4 }, (_, i) => [0.3 * i - 0.4, 0.5 - 0.2 * i, 0.1 * i]);
      const ours = sora.sequential({ layers: [sora.layers.dense({ units: 3, inputShape: [4] })] });
      const theirs = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4] })] });
      ours.setWeights([sora.tensor(kernel), sora.tensor([0.1, -0.2, 0.3])]);
      theirs.setWeights([tf.tensor(kernel), tf.tensor([0.1, -0.2, 0.3])]);
      ours.compile({ optimizer: name, loss: 'meanSquaredError' });
      theirs.compile({ optimizer: name, loss: 'meanSquaredError' });
      const args = { epochs: 4, batchSize: 2, shuffle: false, verbose: 0 };
      await ours.fit(sora.tensor(x), sora.tensor(y), args as never);
      await theirs.fit(tf.tensor(x), tf.tensor(y), args as never);
      const [ok, ob] = ours.getWeights(), [tk, tb] = theirs.getWeights();
      for (const [a, e] of [[ok, tk], [ob, tb]] as const) {
        const av = a.dataSync(), ev = e.dataSync();
        for (let i = 0; i < ev.length; i++) expect(Math.abs(av[i] - ev[i]), `${name} ${i}`).toBeLessThan(1e-5 + 1e-5 * Math.abs(ev[i]));
      }
    });
  }
});

describe('on the wasm backend too', () => {
  beforeAll(async () => { await sora.setBackend('wasm'); });
  afterAll(async () => { await sora.setBackend('reference'); });
  for (const [name, make] of CASES) {
    it(`${name}: the same weights as TF.js`, () => {
      const ours = steps(sora, make, 8), theirs = steps(tf, make, 8);
      const ow = ours.w.dataSync(), tw = theirs.w.dataSync();
      for (let i = 0; i < tw.length; i++) expect(Math.abs(ow[i] - tw[i]), `${name} w[${i}]`).toBeLessThan(1e-5 + 1e-5 * Math.abs(tw[i]));
      ours.optimizer.dispose(); ours.w.dispose(); ours.b.dispose();
      (theirs.optimizer as unknown as tf.Optimizer).dispose(); theirs.w.dispose(); theirs.b.dispose();
    });
  }
});
