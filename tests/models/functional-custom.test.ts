/**
 * Custom layers as TF.js programs write them (subclass tf.layers.Layer with a static
 * className, build / call / computeOutputShape / getConfig, addWeight, registerClass), and
 * custom losses and metrics as functions: the same class body runs under both libraries,
 * trains to the same weights, saves and loads.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';

beforeAll(async () => {
  await sora.setBackend('wasm');
  await tf.setBackend('cpu');
});

type Lib = typeof sora;

/** y = alpha * x * w + b per feature, w and b trainable; written once for either library. */
function scaleLayerClass(lib: Lib, className: string) {
  class Scale extends lib.layers.Layer {
    static override className = className;
    alpha: number;
    w!: sora.LayerVariable;
    b!: sora.LayerVariable;
    constructor(config: { alpha?: number; name?: string } = {}) {
      super(config);
      this.alpha = config.alpha ?? 1;
    }
    override build(inputShape: (number | null)[] | (number | null)[][]) {
      const shape = inputShape as number[];
      const features = shape[shape.length - 1];
      this.w = this.addWeight('w', [features], 'float32', lib.initializers.ones());
      this.b = this.addWeight('b', [features], 'float32', lib.initializers.zeros());
    }
    override computeOutputShape(inputShape: (number | null)[] | (number | null)[][]) { return inputShape; }
    override call(inputs: sora.Tensor | sora.Tensor[]) {
      return lib.tidy(() => {
        const x = Array.isArray(inputs) ? inputs[0] : inputs;
        return lib.add(lib.mul(lib.mul(x, this.w.read()), this.alpha), this.b.read());
      });
    }
    override getConfig() { return { ...super.getConfig(), alpha: this.alpha }; }
  }
  return Scale;
}

function build(lib: Lib, Scale: ReturnType<typeof scaleLayerClass>, s: string) {
  const x = lib.input({ shape: [3], name: `x${s}` });
  const h = new Scale({ alpha: 0.5, name: `scale${s}` }).apply(x) as sora.SymbolicTensor;
  const y = lib.layers.dense({ units: 2, name: `head${s}`, kernelInitializer: 'ones' }).apply(h) as sora.SymbolicTensor;
  return lib.model({ inputs: x, outputs: y, name: `custom${s}` });
}

describe('custom layers', () => {
  it('a subclass of tf.layers.Layer trains to the same weights as in TF.js, with a custom loss and metric', async () => {
    const OursScale = scaleLayerClass(sora, 'ScaleA');
    const TheirScale = scaleLayerClass(tf as unknown as Lib, 'ScaleA');
    const ours = build(sora, OursScale, '_s');
    const theirs = build(tf as unknown as Lib, TheirScale, '_t') as unknown as tf.LayersModel;
    expect(ours.getLayer('scale_s').getClassName()).toBe('ScaleA');
    expect(ours.getLayer('scale_s').weights.map((w) => w.name)).toEqual(['scale_s/w', 'scale_s/b']);
    // Custom loss and metric as functions; TF.js keys the metric by the function's name.
    function halfSquares(yTrue: sora.Tensor, yPred: sora.Tensor) { return sora.mean(sora.mul(sora.square(sora.sub(yTrue, yPred)), 0.5)); }
    function meanGap(yTrue: sora.Tensor, yPred: sora.Tensor) { return sora.mean(sora.abs(sora.sub(yTrue, yPred))); }
    function tfHalfSquares(yTrue: tf.Tensor, yPred: tf.Tensor) { return tf.mean(tf.mul(tf.square(tf.sub(yTrue, yPred)), 0.5)); }
    function tfMeanGap(yTrue: tf.Tensor, yPred: tf.Tensor) { return tf.mean(tf.abs(tf.sub(yTrue, yPred))); }
    Object.defineProperty(tfMeanGap, 'name', { value: 'meanGap' });
    ours.compile({ optimizer: sora.train.sgd(0.05), loss: halfSquares, metrics: [meanGap] });
    theirs.compile({ optimizer: tf.train.sgd(0.05), loss: tfHalfSquares, metrics: [tfMeanGap] });
    const xs = sora.randomUniform([12, 3], -1, 1, 'float32', 4);
    const ys = sora.randomUniform([12, 2], -1, 1, 'float32', 5);
    const h = await ours.fit(xs, ys, { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 });
    const th = await theirs.fit(tf.tensor(xs.dataSync() as Float32Array, [12, 3]), tf.tensor(ys.dataSync() as Float32Array, [12, 2]),
      { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 });
    expect(Object.keys(h.history).sort()).toEqual(Object.keys(th.history).sort());
    h.history.loss.forEach((v, i) => expect(Math.abs(v - (th.history.loss[i] as number))).toBeLessThan(1e-5));
    h.history.meanGap.forEach((v, i) => expect(Math.abs(v - (th.history.meanGap[i] as number))).toBeLessThan(1e-5));
    const mine = ours.getWeights(), other = theirs.getWeights();
    mine.forEach((w, i) => Array.from(w.dataSync()).forEach((v, j) => expect(Math.abs(v - other[i].dataSync()[j])).toBeLessThan(1e-5)));
  });

  it('registered, it saves and loads (sora to sora and to TF.js); unregistered, loading names the class', async () => {
    const Scale = scaleLayerClass(sora, 'ScaleB');
    const model = build(sora, Scale, '_r');
    model.getLayer('scale_r').setWeights([sora.tensor([1, 2, 3]), sora.tensor([0.5, 0, -0.5])]);
    let saved: sora.io.ModelArtifacts | null = null;
    await model.save(sora.io.withSaveHandler((a) => { saved = a; }));
    const layerJson = (saved!.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }).config.layers[1];
    expect(layerJson.class_name).toBe('ScaleB');
    expect(layerJson.config.alpha).toBe(0.5);
    await expect(sora.loadLayersModel(sora.io.fromMemory(saved!))).rejects.toThrow(/unknown layer class 'ScaleB' \(layer 'scale_r'\).*registerClass\(ScaleB\)/);
    sora.serialization.registerClass(Scale);
    const loaded = await sora.loadLayersModel(sora.io.fromMemory(saved!));
    const x = sora.tensor([[1, -1, 2], [0, 0.5, 1]]);
    expect(Array.from((loaded.predict(x) as sora.Tensor).dataSync())).toEqual(Array.from((model.predict(x) as sora.Tensor).dataSync()));
    expect((loaded.getLayer('scale_r') as unknown as { alpha: number }).alpha).toBe(0.5);
    // The loaded custom layer trains.
    loaded.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const before = Array.from(loaded.getLayer('scale_r').getWeights()[0].dataSync());
    await loaded.fit(x, sora.zeros([2, 2]), { epochs: 1, verbose: 0 });
    expect(Array.from(loaded.getLayer('scale_r').getWeights()[0].dataSync())).not.toEqual(before);
    // TF.js with the same class registered reads sora's file.
    tf.serialization.registerClass(scaleLayerClass(tf as unknown as Lib, 'ScaleB') as never);
    const inTf = await tf.loadLayersModel(tf.io.fromMemory(saved! as unknown as tf.io.ModelArtifacts));
    const theirs = (inTf.predict(tf.tensor([[1, -1, 2], [0, 0.5, 1]])) as tf.Tensor).dataSync();
    Array.from((model.predict(x) as sora.Tensor).dataSync()).forEach((v, i) => expect(v).toBeCloseTo(theirs[i], 5));
  });

  it('registerClass needs a static className', () => {
    class Nameless extends sora.layers.Layer {}
    expect(() => sora.serialization.registerClass(Nameless as never)).toThrow(/class Nameless needs a static className/);
  });
});
