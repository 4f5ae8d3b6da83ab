/**
 * TF.js's custom-layer examples, written as TF.js programs write them (a class extending
 * tf.layers.Layer, `this.invokeCallHook(inputs, kwargs)` first in call, supportsMasking,
 * `static get className()`, getConfig chained on super.getConfig(), the positional
 * addWeight(name, shape, dtype, initializer, regularizer, trainable, constraint),
 * registerClass), run unchanged under TF.js (cpu) and sora: the same weights give the same
 * outputs, a few fit steps give the same weights, and a save / load round trip keeps both.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tfjs from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';

beforeAll(async () => {
  await sora.setBackend('wasm');
  await tfjs.setBackend('cpu');
});

// The examples are JavaScript: written against an untyped `tf`, as a TF.js user writes them.
type Any = any;

/** The two example layers, defined with `tf` being either library. */
function examples(tf: Any) {
  /** tfjs-examples/custom-layer: Antirectifier (Keras's example), for rank-2 inputs. */
  class Antirectifier extends tf.layers.Layer {
    constructor() {
      super({});
      this.supportsMasking = true;
    }
    computeOutputShape(inputShape: Any) {
      return [inputShape[0], 2 * inputShape[1]];
    }
    call(inputs: Any, kwargs: Any) {
      let input = inputs;
      if (Array.isArray(input)) input = input[0];
      this.invokeCallHook(inputs, kwargs);
      return tf.tidy(() => {
        const centered = tf.sub(input, input.mean(1).expandDims(1));
        const pos = centered.relu();
        const neg = centered.neg().relu();
        return tf.concat([pos, neg], 1);
      });
    }
    static get className() {
      return 'Antirectifier';
    }
  }
  tf.serialization.registerClass(Antirectifier);

  /** The TimesXToThePowerOfAlpha layer of TF.js's custom-layer docs, with every addWeight argument. */
  class TimesXToThePowerOfAlphaLayer extends tf.layers.Layer {
    constructor(config: Any) {
      super(config);
      this.alpha = config.alpha;
    }
    build(inputShape: Any) {
      this.x = this.addWeight('x', [inputShape[inputShape.length - 1]], 'float32', tf.initializers.ones(),
        tf.regularizers.l2({ l2: 0.01 }), true, tf.constraints.nonNeg());
      this.built = true;
    }
    call(inputs: Any, kwargs: Any) {
      this.invokeCallHook(inputs, kwargs);
      return tf.tidy(() => {
        const input = Array.isArray(inputs) ? inputs[0] : inputs;
        const k = tf.pow(this.x.read(), this.alpha);
        return tf.mul(input, k);
      });
    }
    computeOutputShape(inputShape: Any) {
      return inputShape;
    }
    getConfig() {
      const config = super.getConfig();
      Object.assign(config, { alpha: this.alpha });
      return config;
    }
    static get className() {
      return 'TimesXToThePowerOfAlphaLayer';
    }
  }
  tf.serialization.registerClass(TimesXToThePowerOfAlphaLayer);
  return { Antirectifier, TimesXToThePowerOfAlphaLayer };
}

function build(tf: Any) {
  const { Antirectifier, TimesXToThePowerOfAlphaLayer } = examples(tf);
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: 3, inputShape: [4], name: 'first' }));
  model.add(new Antirectifier());
  model.add(new TimesXToThePowerOfAlphaLayer({ alpha: 2, name: 'power' }));
  model.add(tf.layers.dense({ units: 1, name: 'last' }));
  return model;
}

const X = [[0.5, -1, 2, 0], [1, 1, -0.5, 0.25], [-2, 0.5, 0, 1], [0.1, 0.2, 0.3, -0.4], [1.5, -0.5, 1, 2], [0, 0, 1, -1]];
const Y = [[1], [-1], [0.5], [0], [2], [-0.5]];

function values(list: Any[]): number[][] { return list.map((t) => Array.from(t.dataSync() as Float32Array)); }
function expectClose(a: number[][], b: number[][], tol = 1e-5) {
  expect(a.map((r) => r.length)).toEqual(b.map((r) => r.length));
  a.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - b[i][j]), `[${i}][${j}] ${v} vs ${b[i][j]}`).toBeLessThan(tol)));
}

describe("TF.js's custom-layer example, unchanged", () => {
  it('runs under both libraries: the same weights give the same outputs, and a few fit steps the same weights', async () => {
    const ours = build(sora), theirs = build(tfjs);
    const power = ours.getLayer('power');
    expect(power.getClassName()).toBe('TimesXToThePowerOfAlphaLayer');
    expect(power.getConfig()).toMatchObject({ name: 'power', trainable: true, alpha: 2 });
    expect(ours.layers[1].getClassName()).toBe('Antirectifier');
    expect((ours.layers[1] as Any).supportsMasking).toBe(true);
    // Same starting weights: TF.js's, copied into sora.
    const start = values(theirs.getWeights());
    ours.setWeights(start.map((v, i) => sora.tensor(v, theirs.getWeights()[i].shape)));
    expect(ours.weights.map((w: Any) => w.shape)).toEqual(theirs.weights.map((w: Any) => w.shape));
    const x = sora.tensor(X), tx = tfjs.tensor(X);
    expectClose(values([ours.predict(x)]), values([theirs.predict(tx)]));

    // The call hook a custom call() invokes.
    const seen: string[] = [];
    power.setCallHook((inputs: Any, kwargs: Any) => { seen.push(`${Array.isArray(inputs) ? 'list' : 'tensor'} ${JSON.stringify(kwargs)}`); });
    sora.dispose(ours.predict(x) as sora.Tensor);
    power.clearCallHook();
    sora.dispose(ours.predict(x) as sora.Tensor);
    expect(seen).toHaveLength(1);

    ours.compile({ optimizer: sora.train.sgd(0.05), loss: 'meanSquaredError' });
    theirs.compile({ optimizer: tfjs.train.sgd(0.05), loss: 'meanSquaredError' });
    const y = sora.tensor(Y), ty = tfjs.tensor(Y);
    const h = await ours.fit(x, y, { epochs: 4, batchSize: 3, shuffle: false, verbose: 0 });
    const th = await theirs.fit(tx, ty, { epochs: 4, batchSize: 3, shuffle: false, verbose: 0 });
    // The loss includes the l2 penalty of the custom layer's weight.
    expectClose([h.history.loss as number[]], [th.history.loss as number[]]);
    expectClose(values(ours.getWeights()), values(theirs.getWeights()));
    expectClose(values([ours.predict(x)]), values([theirs.predict(tx)]));
    // The nonNeg constraint held on the custom weight.
    expect(Math.min(...(power.getWeights()[0].dataSync() as Float32Array))).toBeGreaterThanOrEqual(0);
  });

  it('saves and loads (sora to sora, sora to TF.js, TF.js to sora) with the registered classes', async () => {
    const ours = build(sora), theirs = build(tfjs);
    const x = sora.tensor(X), tx = tfjs.tensor(X);
    ours.setWeights(values(theirs.getWeights()).map((v, i) => sora.tensor(v, theirs.getWeights()[i].shape)));
    let saved: sora.io.ModelArtifacts | null = null;
    await ours.save(sora.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: {} as Any }; }));
    const layers = (saved!.modelTopology as Any).config.layers as { class_name: string; config: Record<string, unknown> }[];
    expect(layers.map((l) => l.class_name)).toEqual(['Dense', 'Antirectifier', 'TimesXToThePowerOfAlphaLayer', 'Dense']);
    expect(layers[2].config.alpha).toBe(2);

    const back = await sora.loadLayersModel(sora.io.fromMemory(saved!));
    expectClose(values([back.predict(x)]), values([ours.predict(x)]));
    expect((back.getLayer('power') as Any).alpha).toBe(2);
    const inTf = await tfjs.loadLayersModel(tfjs.io.fromMemory(saved! as unknown as tfjs.io.ModelArtifacts));
    expectClose(values([inTf.predict(tx)]), values([ours.predict(x)]));

    let theirsSaved: tfjs.io.ModelArtifacts | null = null;
    await theirs.save(tfjs.io.withSaveHandler(async (a) => { theirsSaved = a; return { modelArtifactsInfo: {} as Any }; }));
    const fromTf = await sora.loadLayersModel(sora.io.fromMemory(theirsSaved! as unknown as sora.io.ModelArtifacts));
    expectClose(values([fromTf.predict(x)]), values([theirs.predict(tx)]));
    // The loaded custom layers train.
    fromTf.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const before = values(fromTf.getWeights());
    await fromTf.fit(x, sora.tensor(Y), { epochs: 1, verbose: 0 });
    expect(values(fromTf.getWeights())).not.toEqual(before);
  });

  it('inside a model a custom call() gets [x] (TF.js runs each layer on its list of inputs); applied directly, x', async () => {
    const seen: Record<string, string[]> = {};
    for (const [key, tf] of [['tfjs', tfjs], ['sora', sora]] as [string, Any][]) {
      const log: string[] = seen[key] = [];
      const Layer: Any = tf.layers.Layer;
      /** Written for TF.js: reads inputs[0] with no guard, which works there inside a model. */
      class Double extends Layer {
        constructor(config: Any) { super(config); }
        call(inputs: Any, kwargs: Any) {
          log.push(`${Array.isArray(inputs) ? `list of ${inputs.length}` : 'tensor'} ${kwargs.training ? 'training' : ''}`.trim());
          return tf.mul(Array.isArray(inputs) ? inputs[0] : inputs, 2);
        }
        static get className() { return 'Double'; }
      }
      class FirstOnly extends Layer {
        constructor(config: Any) { super(config); }
        call(inputs: Any) { return tf.mul(inputs[0], 3); }
        static get className() { return 'FirstOnly'; }
      }
      const model = tf.sequential({ layers: [new Double({ inputShape: [2] }), new FirstOnly({}), tf.layers.dense({ units: 1, kernelInitializer: 'ones' })] });
      model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const x = tf.tensor([[1, 2], [3, 4]]);
      log.push('predict'); expect(Array.from(model.predict(x).dataSync())).toEqual([18, 42]);
      log.push('fit'); await model.fit(x, tf.zeros([2, 1]), { epochs: 1, verbose: 0 });
      log.push('evaluate'); model.evaluate(x, tf.zeros([2, 1]));
      log.push('apply'); new Double({}).apply(x);
    }
    expect(seen.sora).toEqual(seen.tfjs);
    expect(seen.sora).toEqual(['predict', 'list of 1', 'fit', 'list of 1 training', 'evaluate', 'list of 1', 'apply', 'tensor']);
  });

  it('computeMask: a layer that does not support masking refuses a mask, one that does passes it through (as in TF.js)', () => {
    for (const tf of [sora, tfjs] as Any[]) {
      const Plain: Any = class extends tf.layers.Layer { static get className() { return 'Plain'; } };
      const plain = new Plain({});
      const m = tf.ones([2]);
      expect(plain.computeMask(m)).toBeNull();
      expect(() => plain.computeMask(m, m)).toThrow(/does not support masking/);
      plain.supportsMasking = true;
      expect(plain.computeMask(m, m)).toBe(m);
      // TF.js hands back the mask argument as given: undefined when there is none.
      expect(plain.computeMask(m)).toBeUndefined();
    }
  });
});
