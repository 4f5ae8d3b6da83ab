/**
 * Functional models against TF.js (cpu): two inputs, a shared layer, merge layers and two
 * heads built in both libraries with the same weights predict the same, agree on losses,
 * History and weights after SGD steps, and load each other's saves.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';

beforeAll(async () => {
  await sora.setBackend('wasm');
  await tf.setBackend('cpu');
});

type Lib = typeof sora | typeof tf;

/** The same graph in either library: inputs a, b; shared dense; concat -> cls (softmax), add -> reg. */
function twoHeads(lib: Lib, suffix: string) {
  const L = lib.layers as typeof sora.layers;
  const a = (lib as typeof sora).input({ shape: [4], name: `a${suffix}` });
  const b = (lib as typeof sora).input({ shape: [4], name: `b${suffix}` });
  const shared = L.dense({ units: 6, activation: 'relu', name: `shared${suffix}` });
  const ha = shared.apply(a) as sora.SymbolicTensor;
  const hb = shared.apply(b) as sora.SymbolicTensor;
  const merged = L.concatenate({ name: `concat${suffix}` }).apply([ha, hb]) as sora.SymbolicTensor;
  const cls = L.dense({ units: 3, activation: 'softmax', name: `cls${suffix}` }).apply(merged) as sora.SymbolicTensor;
  const summed = L.add({ name: `sum${suffix}` }).apply([ha, hb]) as sora.SymbolicTensor;
  const reg = L.dense({ units: 1, name: `reg${suffix}` }).apply(summed) as sora.SymbolicTensor;
  return (lib as typeof sora).model({ inputs: [a, b], outputs: [cls, reg], name: `two_heads${suffix}` });
}

/** Copy sora's weights into the TF.js model layer by layer (names differ only by suffix). */
function copyWeights(from: sora.LayersModel, to: tf.LayersModel, suffix: string, toSuffix: string) {
  for (const layer of from.layers) {
    const values = layer.getWeights();
    if (!values.length) continue;
    const target = to.getLayer(layer.name.replace(new RegExp(`${suffix}$`), toSuffix));
    target.setWeights(values.map((w) => tf.tensor(w.dataSync() as Float32Array, w.shape)));
    sora.dispose(values);
  }
}

function data(count: number, seed: number) {
  const xa = sora.randomUniform([count, 4], -1, 1, 'float32', seed);
  const xb = sora.randomUniform([count, 4], -1, 1, 'float32', seed + 1);
  const labels = sora.tidy(() => sora.add(xa, xb).argMax(-1).toInt().mul(sora.scalar(1, 'int32')));
  const yc = sora.oneHot(sora.tidy(() => sora.minimum(labels, sora.scalar(2, 'int32'))), 3);
  const yr = sora.tidy(() => sora.sum(sora.mul(xa, xb), -1, true));
  const toTf = (t: sora.Tensor) => tf.tensor(t.dataSync() as Float32Array, t.shape);
  return { xa, xb, yc, yr, tfx: [toTf(xa), toTf(xb)], tfy: [toTf(yc), toTf(yr)] };
}

const close = (ours: ArrayLike<number>, theirs: ArrayLike<number>, tol: number, what: string) => {
  expect(ours.length, what).toBe(theirs.length);
  for (let i = 0; i < ours.length; i++) expect(Math.abs(ours[i] - theirs[i]), `${what}[${i}]: ${ours[i]} vs ${theirs[i]}`).toBeLessThan(tol);
};

describe('a functional graph against TF.js', () => {
  it('two inputs, a shared layer and two heads: the same predictions, losses, History and weights after SGD', async () => {
    const ours = twoHeads(sora, '_s');
    const theirs = twoHeads(tf, '_t') as unknown as tf.LayersModel;
    copyWeights(ours, theirs, '_s', '_t');
    expect(ours.inputNames).toEqual(['a_s', 'b_s']);
    expect(ours.outputNames).toEqual(['cls_s', 'reg_s']);
    // The shared layer has one set of weights, used twice.
    expect(ours.getLayer('shared_s').inboundNodes).toHaveLength(2);
    expect(ours.weights).toHaveLength(6);
    expect(ours.countParams()).toBe(theirs.countParams());

    const { xa, xb, yc, yr, tfx, tfy } = data(24, 3);
    const p = ours.predict([xa, xb]) as sora.Tensor[];
    const q = theirs.predict(tfx) as tf.Tensor[];
    close(p[0].dataSync(), q[0].dataSync(), 1e-5, 'cls');
    close(p[1].dataSync(), q[1].dataSync(), 1e-5, 'reg');

    ours.compile({ optimizer: sora.train.sgd(0.1), loss: ['categoricalCrossentropy', 'meanSquaredError'], metrics: { cls_s: 'accuracy' } });
    theirs.compile({ optimizer: tf.train.sgd(0.1), loss: ['categoricalCrossentropy', 'meanSquaredError'], metrics: { cls_t: 'accuracy' } });
    const ev = ours.evaluate([xa, xb], [yc, yr]) as sora.Tensor[];
    const tev = theirs.evaluate(tfx, tfy) as tf.Scalar[];
    expect(ev.map((t) => t.shape)).toEqual([[], [], [], []]);
    // TF.js 4.22 puts the first output's loss before the total (5 values for 4 names); sora
    // returns the 4 its metricsNames list.
    expect(theirs.metricsNames).toEqual(['loss', 'cls_t_loss', 'reg_t_loss', 'cls_t_acc']);
    expect(ours.metricsNames).toEqual(['loss', 'cls_s_loss', 'reg_s_loss', 'cls_s_acc']);
    close(ev.map((t) => t.dataSync()[0]), tev.slice(1).map((t) => t.dataSync()[0]), 1e-5, 'evaluate');

    const step = await ours.trainOnBatch([xa, xb], [yc, yr]) as number[];
    const tstep = await theirs.trainOnBatch(tfx, tfy) as number[];
    close(step, tstep, 1e-5, 'trainOnBatch');

    const h = await ours.fit([xa, xb], [yc, yr], { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
    const th = await theirs.fit(tfx, tfy, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
    expect(Object.keys(h.history).sort()).toEqual(['cls_s_acc', 'cls_s_loss', 'loss', 'reg_s_loss']);
    expect(Object.keys(th.history).sort()).toEqual(['cls_t_acc', 'cls_t_loss', 'loss', 'reg_t_loss']);
    for (const key of ['loss', 'cls_s_loss', 'reg_s_loss', 'cls_s_acc']) {
      close(h.history[key], th.history[key.replace('_s_', '_t_')] as number[], 1e-4, key);
    }
    for (const layer of ours.layers) {
      const mine = layer.getWeights();
      const other = theirs.getLayer(layer.name.replace(/_s$/, '_t')).getWeights();
      mine.forEach((w, i) => close(w.dataSync(), other[i].dataSync(), 1e-4, `${layer.name} weight ${i}`));
    }
  });

  it('fit takes dicts by input and output name; validation keys are val_ + the TF.js names', async () => {
    const model = twoHeads(sora, '_d');
    model.compile({ optimizer: 'sgd', loss: { cls_d: 'categoricalCrossentropy', reg_d: 'meanSquaredError' }, lossWeights: { cls_d: 1, reg_d: 0.5 } });
    const { xa, xb, yc, yr } = data(20, 9);
    const h = await model.fit({ a_d: xa, b_d: xb }, { cls_d: yc, reg_d: yr }, { epochs: 1, validationSplit: 0.25, verbose: 0 });
    expect(Object.keys(h.history).sort()).toEqual(['cls_d_loss', 'loss', 'reg_d_loss', 'val_cls_d_loss', 'val_loss', 'val_reg_d_loss']);
    // lossWeights: the total is cls + 0.5 reg.
    const [total, cls, reg] = model.evaluate({ a_d: xa, b_d: xb }, { cls_d: yc, reg_d: yr }) as sora.Tensor[];
    expect(total.dataSync()[0]).toBeCloseTo(cls.dataSync()[0] + 0.5 * reg.dataSync()[0], 5);
  });

  it('every merge layer matches TF.js', () => {
    const x = [[0.5, -1, 2], [3, 0.25, -0.5]];
    const y = [[1, 2, -3], [-1, 0.5, 4]];
    const cases: [string, Record<string, unknown>][] = [['add', {}], ['multiply', {}], ['average', {}], ['maximum', {}],
      ['minimum', {}], ['concatenate', { axis: -1 }], ['dot', { axes: 1 }], ['dot', { axes: 1, normalize: true }]];
    for (const [name, config] of cases) {
      const ours = (sora.layers as unknown as Record<string, (c: object) => sora.Layer>)[name](config).apply([sora.tensor(x), sora.tensor(y)]) as sora.Tensor;
      const theirs = (tf.layers as unknown as Record<string, (c: object) => tf.layers.Layer>)[name](config).apply([tf.tensor(x), tf.tensor(y)]) as tf.Tensor;
      expect(ours.shape, name).toEqual(theirs.shape);
      close(ours.dataSync(), theirs.dataSync(), 1e-5, `${name} ${JSON.stringify(config)}`);
    }
    // The factories take the inputs directly too, as TF.js's do.
    const direct = sora.layers.add([sora.tensor(x), sora.tensor(y)]) as sora.Tensor;
    expect(Array.from(direct.dataSync())).toEqual([1.5, 1, -1, 2, 0.75, 3.5]);
  });

  it('a model used as a layer inside another trains as one, and saves and loads both ways with TF.js', async () => {
    const build = (lib: Lib, s: string) => {
      const L = lib.layers as typeof sora.layers;
      // (TF.js cannot run a Sequential applied to a new input inside a graph: 'Graph disconnected'.)
      const innerIn = (lib as typeof sora).input({ shape: [3], name: `in${s}` });
      const inner = (lib as typeof sora).model({ name: `inner${s}`, inputs: innerIn,
        outputs: L.dense({ units: 4, activation: 'tanh', name: `d1${s}` }).apply(innerIn) as sora.SymbolicTensor });
      const x = (lib as typeof sora).input({ shape: [3], name: `x${s}` });
      const h = inner.apply(x) as sora.SymbolicTensor;
      const out = L.dense({ units: 2, activation: 'softmax', name: `out${s}` }).apply(L.concatenate().apply([h, x]) as sora.SymbolicTensor);
      return (lib as typeof sora).model({ inputs: x, outputs: out as sora.SymbolicTensor, name: `outer${s}` });
    };
    const ours = build(sora, '_s');
    const theirs = build(tf, '_t') as unknown as tf.LayersModel;
    const innerWeights = (ours.getLayer('inner_s') as sora.LayersModel).getLayer('d1_s').getWeights();
    (theirs.getLayer('inner_t') as tf.LayersModel).getLayer('d1_t').setWeights(innerWeights.map((w) => tf.tensor(w.dataSync() as Float32Array, w.shape)));
    theirs.getLayer('out_t').setWeights(ours.getLayer('out_s').getWeights().map((w) => tf.tensor(w.dataSync() as Float32Array, w.shape)));
    const x = sora.randomUniform([5, 3], -1, 1, 'float32', 21);
    const expected = (theirs.predict(tf.tensor(x.dataSync() as Float32Array, [5, 3])) as tf.Tensor).dataSync();
    close((ours.predict(x) as sora.Tensor).dataSync(), expected, 1e-5, 'nested predict');

    // sora's save, read by TF.js.
    let saved: sora.io.ModelArtifacts | null = null;
    await ours.save(sora.io.withSaveHandler((a) => { saved = a; }));
    expect((saved!.modelTopology as { class_name: string }).class_name).toBe('Model');
    const inTf = await tf.loadLayersModel(tf.io.fromMemory(saved! as unknown as tf.io.ModelArtifacts));
    close((inTf.predict(tf.tensor(x.dataSync() as Float32Array, [5, 3])) as tf.Tensor).dataSync(), expected, 1e-5, 'TF.js loads sora');

    // TF.js's save, read by sora, trained, saved back and read by TF.js.
    let tfSaved: tf.io.ModelArtifacts | null = null;
    await theirs.save(tf.io.withSaveHandler(async (a) => { tfSaved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    const loaded = await sora.loadLayersModel(sora.io.fromMemory(tfSaved! as unknown as sora.io.ModelArtifacts));
    expect(loaded.getClassName()).toBe('Model');
    close((loaded.predict(x) as sora.Tensor).dataSync(), expected, 1e-5, 'sora loads TF.js');
    loaded.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    await loaded.fit(x, sora.oneHot(sora.tensor1d([0, 1, 1, 0, 1], 'int32'), 2), { epochs: 2, verbose: 0 });
    let back: sora.io.ModelArtifacts | null = null;
    await loaded.save(sora.io.withSaveHandler((a) => { back = a; }));
    const again = await tf.loadLayersModel(tf.io.fromMemory(back! as unknown as tf.io.ModelArtifacts));
    close((again.predict(tf.tensor(x.dataSync() as Float32Array, [5, 3])) as tf.Tensor).dataSync(),
      (loaded.predict(x) as sora.Tensor).dataSync(), 1e-5, 'TF.js loads sora after training');
  });

  it('frozen layers are skipped by the optimizer, as in TF.js (transfer learning)', async () => {
    const model = twoHeads(sora, '_f');
    model.getLayer('shared_f').trainable = false;
    expect(model.trainableWeights.map((w) => w.name)).toEqual(['cls_f/kernel', 'cls_f/bias', 'reg_f/kernel', 'reg_f/bias']);
    const before = model.getLayer('shared_f').getWeights().map((w) => Array.from(w.dataSync()));
    const headBefore = Array.from(model.getLayer('cls_f').getWeights()[0].dataSync());
    model.compile({ optimizer: sora.train.adam(0.05), loss: ['categoricalCrossentropy', 'meanSquaredError'] });
    const { xa, xb, yc, yr } = data(16, 5);
    await model.fit([xa, xb], [yc, yr], { epochs: 2, verbose: 0 });
    model.getLayer('shared_f').getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(before[i]));
    expect(Array.from(model.getLayer('cls_f').getWeights()[0].dataSync())).not.toEqual(headBefore);
    model.trainable = false;
    expect(model.trainableWeights).toHaveLength(0);
  });
});

describe('the model and layer API', () => {
  it('inputs, outputs, layers, getLayer, layer input/output/outputShape, getClassName, countParams, summary', () => {
    const model = twoHeads(sora, '_api');
    expect(model.inputs.map((t) => t.shape)).toEqual([[null, 4], [null, 4]]);
    expect(model.outputs.map((t) => t.shape)).toEqual([[null, 3], [null, 1]]);
    expect(model.layers.map((l) => l.getClassName())).toEqual(['InputLayer', 'InputLayer', 'Dense', 'Concatenate', 'Add', 'Dense', 'Dense']);
    expect(model.getLayer(undefined, 2).name).toBe('shared_api');
    const cls = model.getLayer('cls_api');
    expect(cls.outputShape).toEqual([null, 3]);
    expect((cls.input as sora.SymbolicTensor).shape).toEqual([null, 12]);
    expect(cls.output).toBe(model.outputs[0]);
    expect(cls.countParams()).toBe(12 * 3 + 3);
    expect(() => model.getLayer('shared_api').output).toThrow(/shared_api: the layer is called 2 times/);
    expect(() => model.getLayer('nope')).toThrow(/no layer named 'nope'/);
    const lines: string[] = [];
    model.summary(undefined, undefined, (l) => lines.push(l));
    const text = lines.join('\n');
    expect(text).toMatch(/Connected to/);
    expect(text).toMatch(/concat_api \(Concatenate\)\s+\[null,12\]\s+0\s+shared_api\[0\]\[0\]\n\s+shared_api\[1\]\[0\]/);
    expect(text).toMatch(/Total params: 76/);
  });

  it('getConfig / fromConfig and tf.models.modelFromJSON rebuild the same graph', async () => {
    const model = twoHeads(sora, '_cfg');
    const json = model.toJSON();
    const rebuilt = await sora.models.modelFromJSON(json);
    expect(rebuilt.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
    expect(rebuilt.getLayer('shared_cfg').inboundNodes).toHaveLength(2);
    rebuilt.setWeights(model.getWeights());
    const x = [sora.ones([2, 4]), sora.fill([2, 4], -0.5)];
    const a = model.predict(x) as sora.Tensor[], b = rebuilt.predict(x) as sora.Tensor[];
    a.forEach((t, i) => expect(Array.from(b[i].dataSync())).toEqual(Array.from(t.dataSync())));
    // TF.js reads the same JSON.
    const inTf = await tf.models.modelFromJSON(json as never);
    expect(inTf.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
  });

  it('setWeights and getWeights on a layer check counts and shapes, naming the layer', () => {
    const layer = sora.layers.dense({ units: 2, inputShape: [3] });
    layer.apply(sora.ones([1, 3]));
    expect(layer.getWeights().map((w) => w.shape)).toEqual([[3, 2], [2]]);
    expect(() => layer.setWeights([sora.ones([3, 2])])).toThrow(/setWeights: expected 2 weights/);
    expect(() => layer.setWeights([sora.ones([2, 2]), sora.ones([2])])).toThrow(/weight 0 \(dense_Dense\d+\/kernel\) has shape \[3,2\], received \[2,2\]/);
    layer.setWeights([sora.ones([3, 2]), sora.zeros([2])]);
    expect(Array.from((layer.apply(sora.ones([1, 3])) as sora.Tensor).dataSync())).toEqual([3, 3]);
  });
});

describe('bad input names the layer, tensor or row at fault', () => {
  it('a disconnected output, wrong input counts and shapes, a loss list of the wrong length', () => {
    const a = sora.input({ shape: [2], name: 'in_a' });
    const b = sora.input({ shape: [2], name: 'in_b' });
    const out = sora.layers.add({ name: 'join' }).apply([a, b]) as sora.SymbolicTensor;
    expect(() => sora.model({ inputs: a, outputs: out })).toThrow(/graph disconnected: tensor 'in_b' \(input of layer 'join'\).*not among the model's inputs \('in_a'\)/);
    const model = sora.model({ inputs: [a, b], outputs: out });
    expect(() => model.predict(sora.ones([1, 2]))).toThrow(/predict: the model has 2 input\(s\) \(in_a, in_b\) but 1 inputs tensors were given/);
    expect(() => model.predict([sora.ones([1, 2]), sora.ones([1, 3])])).toThrow(/predict: join expects input of shape \[null,2\], received \[1,3\] \(model input 'in_b'\)/);
    expect(() => model.compile({ optimizer: 'sgd', loss: ['mse', 'mse'] })).toThrow(/loss is a list of 2, but the model has 1 output\(s\) \(join\)/);
    expect(() => sora.layers.dense({ units: 2 }).apply([a, b])).toThrow(/dense_Dense\d+: dense expects inputs of shape \[batch, \.\.\., features\]/);
    expect(() => sora.layers.concatenate({ name: 'cat' }).apply([a, sora.input({ shape: [3, 1] })])).toThrow(/cat: concatenate along axis -1 needs inputs that match/);
  });

  it('a cycle or an unknown layer in a saved graph, and an unregistered class', async () => {
    const model = twoHeads(sora, '_bad');
    const json = JSON.parse(JSON.stringify(model.toJSON()));
    const layers = json.config.layers as { name: string; inbound_nodes: unknown[][][] }[];
    // shared_bad now takes its first input from cls_bad, which depends on shared_bad: a cycle.
    layers.find((l) => l.name === 'shared_bad')!.inbound_nodes[0][0][0] = 'cls_bad';
    await expect(sora.models.modelFromJSON(json)).rejects.toThrow(/the graph has a cycle or a call that never happens: layer 'shared_bad' waits for call 0 of layer 'cls_bad'/);
    const unknown = JSON.parse(JSON.stringify(model.toJSON()));
    unknown.config.layers[2].class_name = 'Mystery';
    await expect(sora.models.modelFromJSON(unknown)).rejects.toThrow(/unknown layer class 'Mystery' \(layer 'shared_bad'\).*registerClass\(Mystery\)/);
  });
});

describe('loading saved graphs', () => {
  async function savedTwoHeads(suffix: string) {
    const model = twoHeads(sora, suffix);
    let saved: sora.io.ModelArtifacts | null = null;
    await model.save(sora.io.withSaveHandler((a) => { saved = a; }));
    return { model, saved: saved! };
  }

  it("Keras's 'Functional' class and a topology nested under model_config load", async () => {
    const { model, saved } = await savedTwoHeads('_k');
    const topology = JSON.parse(JSON.stringify(saved.modelTopology));
    topology.class_name = 'Functional';
    const loaded = await sora.loadLayersModel(sora.io.fromMemory({ ...saved, modelTopology: { model_config: topology } }));
    expect(loaded.getClassName()).toBe('Functional');
    const x = [sora.fill([3, 4], 0.25), sora.fill([3, 4], -1)];
    const a = model.predict(x) as sora.Tensor[], b = loaded.predict(x) as sora.Tensor[];
    a.forEach((t, i) => expect(Array.from(b[i].dataSync())).toEqual(Array.from(t.dataSync())));
  });

  it('a weight name that matches two saved weights is an error, not a first match', async () => {
    const { saved } = await savedTwoHeads('_w');
    const specs = saved.weightSpecs.map((s) => ({ ...s, name: `outer/${s.name}` }));
    const copy = specs[0];
    const doubled = { ...saved, weightSpecs: [...specs, { ...copy, name: `other/${copy.name.slice('outer/'.length)}` }],
      weightData: concat(saved.weightData, saved.weightData.slice(0, 4 * copy.shape.reduce((a, b) => a * b, 1))) };
    await expect(sora.loadLayersModel(sora.io.fromMemory(doubled))).rejects.toThrow(/weight 'shared_w\/kernel' is ambiguous: the file has outer\/shared_w\/kernel, other\/shared_w\/kernel/);
    // Scoped names alone resolve.
    const scoped = await sora.loadLayersModel(sora.io.fromMemory({ ...saved, weightSpecs: specs }));
    expect(scoped.weights).toHaveLength(6);
  });

  it('utils.toCategorical works on the tensors of every backend', async () => {
    const onWasm = sora.utils.toCategorical(sora.tensor1d([2, 0, 1], 'int32'));
    expect(onWasm.arraySync()).toEqual([[0, 0, 1], [1, 0, 0], [0, 1, 0]]);
    await sora.setBackend('reference');
    const onReference = sora.utils.toCategorical(sora.tensor1d([1, 1], 'int32'), 3);
    expect(onReference.arraySync()).toEqual([[0, 1, 0], [0, 1, 0]]);
    await sora.setBackend('wasm');
  });
});

function concat(a: ArrayBuffer, b: ArrayBuffer): ArrayBuffer {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(new Uint8Array(a), 0);
  out.set(new Uint8Array(b), a.byteLength);
  return out.buffer;
}

describe('Sequential as a functional model', () => {
  it('an InputLayer first, and a model as the first layer, save and load in sora and TF.js', async () => {
    const withInput = sora.sequential({ layers: [sora.layers.inputLayer({ inputShape: [3] }), sora.layers.dense({ units: 2 })] });
    expect(withInput.layers.map((l) => l.getClassName())).toEqual(['Dense']);
    expect(withInput.inputs[0].shape).toEqual([null, 3]);
    const a = sora.input({ shape: [3] });
    const base = sora.model({ inputs: a, outputs: sora.layers.dense({ units: 4, activation: 'relu' }).apply(a) as sora.SymbolicTensor });
    const stacked = sora.sequential({ layers: [base, sora.layers.dense({ units: 2, activation: 'softmax' })] });
    const x = sora.tensor([[0.5, -1, 2], [1, 1, 1]]);
    for (const model of [withInput, stacked]) {
      let saved: sora.io.ModelArtifacts | null = null;
      await model.save(sora.io.withSaveHandler((art) => { saved = art; }));
      const ours = await sora.loadLayersModel(sora.io.fromMemory(saved!));
      const theirs = await tf.loadLayersModel(tf.io.fromMemory(saved! as unknown as tf.io.ModelArtifacts));
      const expected = Array.from(model.predict(x).dataSync());
      close((ours.predict(x) as sora.Tensor).dataSync(), expected, 1e-6, `${model.name} in sora`);
      close((theirs.predict(tf.tensor(x.arraySync() as number[][])) as tf.Tensor).dataSync(), expected, 1e-5, `${model.name} in TF.js`);
    }
  });

  it('pop takes the last layer off; a layer added twice is refused', () => {
    const dense = sora.layers.dense({ units: 2 });
    const model = sora.sequential({ layers: [sora.layers.dense({ inputShape: [3], units: 4 }), dense] });
    expect(model.outputs[0].shape).toEqual([null, 2]);
    model.pop();
    expect(model.outputs[0].shape).toEqual([null, 4]);
    expect(model.layers).toHaveLength(1);
    expect(() => model.add(model.layers[0])).toThrow(/is already in the model/);
  });
});

describe('weight order', () => {
  it('trainable weights come first, as TF.js orders getWeights', async () => {
    const build = (lib: Lib) => {
      const L = lib.layers as typeof sora.layers;
      const m = (lib as typeof sora).sequential({ layers: [L.dense({ inputShape: [2], units: 3, name: 'first' }),
        L.dense({ units: 1, name: 'second' })] });
      m.getLayer('first').trainable = false;
      return m;
    };
    const names = (ws: { name: string }[]) => ws.map((w) => w.name);
    const ours = build(sora), theirs = build(tf) as unknown as tf.Sequential;
    expect(names(ours.weights)).toEqual(names(theirs.weights));
    expect(names(ours.weights)).toEqual(['second/kernel', 'second/bias', 'first/kernel', 'first/bias']);
    ours.trainable = false;
    theirs.trainable = false;
    expect(names(ours.weights)).toEqual(names(theirs.weights));
  });
});

describe('compile by name', () => {
  it("losses TF.js takes by name beyond the crossentropies and mse ('meanAbsoluteError', 'mape') train as in TF.js", async () => {
    for (const loss of ['meanAbsoluteError', 'meanAbsolutePercentageError']) {
      const ours = sora.sequential({ layers: [sora.layers.dense({ inputShape: [3], units: 2, kernelInitializer: 'ones' })] });
      const theirs = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2, kernelInitializer: 'ones' })] });
      ours.compile({ optimizer: sora.train.sgd(0.1), loss });
      theirs.compile({ optimizer: tf.train.sgd(0.1), loss });
      const x = [[1, 2, -1], [0.5, 0, 2], [-1, 1, 1], [2, 2, 0]], y = [[1, 0.5], [2, 1], [0.5, 0.5], [3, -1]];
      const h = await ours.fit(sora.tensor(x), sora.tensor(y), { epochs: 3, batchSize: 2, shuffle: false, verbose: 0 });
      const th = await theirs.fit(tf.tensor(x), tf.tensor(y), { epochs: 3, batchSize: 2, shuffle: false, verbose: 0 });
      close(h.history.loss, th.history.loss as number[], 1e-4, loss);
    }
    expect(() => sora.sequential({ layers: [sora.layers.dense({ inputShape: [1], units: 1 })] }).compile({ optimizer: 'sgd', loss: 'nope' }))
      .toThrow(/unknown loss "nope"/);
  });
});
