/**
 * The issue-16 layers one family at a time: functional models against TF.js (cpu), a
 * Keras-written model file, the noise layers' statistics in training and identity at
 * inference, the preprocessing layers, and bad configs refused with errors naming the layer.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tfjs from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { registeredClass } from '../../src/layers/serialization.js';
import { expectClose, expectRoundTrips, expectSamePredictions, values, type TF } from './layers-16-helpers.js';

beforeAll(async () => {
  await tfjs.setBackend('cpu');
  await sora.setBackend('reference');
});

/** One layer applied to the same tensor in both libraries (weights copied from TF.js after building). */
function sameOutput(make: (tf: TF) => TF, shape: number[], what: string, atol = 1e-5): TF {
  const x = values(shape);
  const theirs = make(tfjs), ours = make(sora);
  const b = theirs.apply(tfjs.tensor(x, shape));
  ours.apply(sora.tensor(x, shape));
  ours.setWeights(theirs.getWeights().map((w: TF) => sora.tensor(Array.from(w.dataSync() as Float32Array), w.shape)));
  const a = ours.apply(sora.tensor(x, shape));
  expect(a.shape, `${what}: shape`).toEqual(b.shape);
  expectClose(a.dataSync(), b.dataSync(), what, atol);
  return ours;
}

describe('single layers against TF.js', () => {
  it('activation layers', () => {
    sameOutput((tf) => tf.layers.reLU(), [3, 4], 'reLU');
    sameOutput((tf) => tf.layers.reLU({ maxValue: 0.3 }), [3, 4], 'reLU maxValue');
    sameOutput((tf) => tf.layers.elu(), [3, 4], 'elu');
    sameOutput((tf) => tf.layers.leakyReLU(), [3, 4], 'leakyReLU default alpha 0.3');
    sameOutput((tf) => tf.layers.prelu({ alphaInitializer: 'randomUniform' }), [2, 3, 4], 'prelu');
    sameOutput((tf) => tf.layers.prelu({ sharedAxes: [1, 2], alphaInitializer: 'randomUniform' }), [2, 3, 2, 4], 'prelu sharedAxes');
    sameOutput((tf) => tf.layers.thresholdedReLU(), [3, 4], 'thresholdedReLU default theta 1');
    sameOutput((tf) => tf.layers.thresholdedReLU({ theta: 0.2 }), [3, 4], 'thresholdedReLU theta');
  });

  it('elu with alpha other than 1: TF.js refuses it, sora computes alpha * (exp(x) - 1)', () => {
    expect(() => tfjs.layers.elu({ alpha: 0.5 })).toThrow(/alpha/);
    const x = values([2, 5]);
    const y = (sora.layers.elu({ alpha: 0.5 }).apply(sora.tensor(x, [2, 5])) as TF).dataSync();
    expectClose(y, x.map((v) => (v > 0 ? v : 0.5 * Math.expm1(v))), 'elu alpha 0.5');
  });

  it('shape and pooling layers', () => {
    sameOutput((tf) => tf.layers.permute({ dims: [3, 1, 2] }), [2, 3, 4, 5], 'permute');
    sameOutput((tf) => tf.layers.reshape({ targetShape: [4, 6] }), [2, 3, 8], 'reshape');
    sameOutput((tf) => tf.layers.zeroPadding2d(), [2, 3, 4, 2], 'zeroPadding2d default');
    sameOutput((tf) => tf.layers.zeroPadding2d({ padding: [2, 1] }), [2, 3, 4, 2], 'zeroPadding2d symmetric');
    sameOutput((tf) => tf.layers.cropping2D({ cropping: 1 }), [2, 4, 5, 2], 'cropping2D');
    sameOutput((tf) => tf.layers.upSampling2d({}), [2, 3, 4, 2], 'upSampling2d default (TF.js needs the {})');
    sameOutput((tf) => tf.layers.globalAveragePooling1d({}), [2, 5, 3], 'globalAveragePooling1d');
    sameOutput((tf) => tf.layers.globalMaxPooling1d({}), [2, 5, 3], 'globalMaxPooling1d');
    sameOutput((tf) => tf.layers.globalMaxPooling2d({}), [2, 3, 4, 5], 'globalMaxPooling2d');
    sameOutput((tf) => tf.layers.globalMaxPooling2d({ dataFormat: 'channelsFirst' }), [2, 3, 4, 5], 'globalMaxPooling2d channelsFirst');
    sameOutput((tf) => tf.layers.globalAveragePooling2d({ dataFormat: 'channelsFirst' }), [2, 3, 4, 5], 'globalAveragePooling2d channelsFirst');
  });

  it('normalization layers at inference, and layerNormalization over several axes', () => {
    sameOutput((tf) => tf.layers.batchNormalization({ movingMeanInitializer: 'randomNormal', gammaInitializer: 'randomNormal' }), [4, 3], 'batchNormalization 2d');
    sameOutput((tf) => tf.layers.batchNormalization({ center: false, scale: false, epsilon: 0.1 }), [4, 2, 3], 'batchNormalization no center or scale');
    sameOutput((tf) => tf.layers.layerNormalization({ axis: [1, 2], betaInitializer: 'randomNormal' }), [2, 3, 4], 'layerNormalization [1, 2]');
    sameOutput((tf) => tf.layers.layerNormalization({ center: false, epsilon: 0.01 }), [2, 6], 'layerNormalization no center');
  });

  it('preprocessing layers TF.js and Keras agree on', () => {
    sameOutput((tf) => tf.layers.rescaling({ scale: 1 / 255, offset: -0.5 }), [2, 3, 3, 1], 'rescaling');
    sameOutput((tf) => tf.layers.centerCrop({ height: 4, width: 3 }), [2, 6, 5, 2], 'centerCrop');
    sameOutput((tf) => tf.layers.centerCrop({ height: 6, width: 7 }), [2, 4, 5, 2], 'centerCrop of a smaller image resizes');
    const tokens = [[0, 2, 2], [3, 1, 0]];
    for (const outputMode of ['multiHot', 'count'] as const) {
      const a = (sora.layers.categoryEncoding({ numTokens: 5, outputMode }).apply(sora.tensor(tokens, undefined, 'int32')) as TF).arraySync();
      const b = (tfjs.layers.categoryEncoding({ numTokens: 5, outputMode }).apply(tfjs.tensor(tokens, undefined, 'int32')) as TF).arraySync();
      expect(a, outputMode).toEqual(b);
    }
    const one = (sora.layers.categoryEncoding({ numTokens: 4, outputMode: 'oneHot' }).apply(sora.tensor([[1], [3]], undefined, 'int32')) as TF).arraySync();
    const oneTf = (tfjs.layers.categoryEncoding({ numTokens: 4, outputMode: 'oneHot' }).apply(tfjs.tensor([[1], [3]], undefined, 'int32')) as TF).arraySync();
    expect(one).toEqual(oneTf);
  });

  it('resizing samples with half-pixel centers as Keras does; TF.js samples with alignCorners (pinned)', () => {
    const shape = [1, 3, 4, 2];
    const x = values(shape);
    for (const interpolation of ['bilinear', 'nearest'] as const) {
      const ours = (sora.layers.resizing({ height: 5, width: 7, interpolation }).apply(sora.tensor(x, shape)) as TF).dataSync();
      const img = tfjs.tensor4d(x, shape as [number, number, number, number]);
      const keras = (interpolation === 'bilinear' ? tfjs.image.resizeBilinear(img, [5, 7], false, true) : tfjs.image.resizeNearestNeighbor(img, [5, 7], false, true)).dataSync();
      expectClose(ours, keras, `resizing ${interpolation} against tf.image.resize with half-pixel centers`);
      const layer = (tfjs.layers.resizing({ height: 5, width: 7, interpolation }).apply(img) as TF).dataSync();
      const aligned = (interpolation === 'bilinear' ? tfjs.image.resizeBilinear(img, [5, 7], true) : tfjs.image.resizeNearestNeighbor(img, [5, 7], true)).dataSync();
      expectClose(layer, aligned, `TF.js's layer is alignCorners ${interpolation}`);
    }
    // cropToAspectRatio: a 4 x 8 image to 2 x 2 first keeps the central 4 x 4.
    const wide = sora.tensor(values([1, 4, 8, 1]), [1, 4, 8, 1]);
    const cropped = sora.layers.resizing({ height: 2, width: 2, cropToAspectRatio: true }).apply(wide) as TF;
    const manual = sora.image.resizeBilinear(sora.slice(wide, [0, 0, 2, 0], [1, 4, 4, 1]), [2, 2], false, true);
    expectClose(cropped.dataSync(), manual.dataSync(), 'cropToAspectRatio');
  });
});

describe('preprocessing: where TF.js differs from Keras, sora keeps Keras (pinned)', () => {
  it('centerCrop one column narrower starts at column 0 ((W - w) // 2, Keras); TF.js starts at column 1', () => {
    const shape = [1, 3, 4, 1];
    const x = values(shape);
    const ours = (sora.layers.centerCrop({ height: 3, width: 3 }).apply(sora.tensor(x, shape)) as TF).dataSync();
    expectClose(ours, (sora.slice(sora.tensor(x, shape), [0, 0, 0, 0], [1, 3, 3, 1]) as TF).dataSync(), 'sora: columns 0..2');
    const theirs = (tfjs.layers.centerCrop({ height: 3, width: 3 }).apply(tfjs.tensor(x, shape)) as TF).dataSync();
    expectClose(theirs, tfjs.slice(tfjs.tensor(x, shape), [0, 0, 1, 0], [1, 3, 3, 1]).dataSync(), 'TF.js: columns 1..3');
  });
  it('categoryEncoding of [batch] tokens encodes each example (Keras); TF.js counts the whole batch into one vector', () => {
    const ours = sora.layers.categoryEncoding({ numTokens: 4 }).apply(sora.tensor([1, 3, 1], undefined, 'int32')) as TF;
    expect(ours.arraySync()).toEqual([[0, 1, 0, 0], [0, 0, 0, 1], [0, 1, 0, 0]]);
    const theirs = tfjs.layers.categoryEncoding({ numTokens: 4 }).apply(tfjs.tensor([1, 3, 1], undefined, 'int32')) as TF;
    // ... and, multiHot though it is, counts token 1 twice (its binary bincount of a 1-D input counts).
    expect(theirs.arraySync()).toEqual([0, 2, 0, 1]);
  });
});

/** Layers with their configs, for the getConfig comparison (input shapes to build them with). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const CONFIG_CASES: [string, any, number[]][] = [
  ['reshape', { targetShape: [6] }, [2, 3, 2]], ['permute', { dims: [2, 1] }, [2, 3, 4]], ['zeroPadding2d', { padding: 2 }, [1, 3, 3, 1]],
  ['upSampling2d', { size: [2, 2], interpolation: 'bilinear' }, [1, 3, 3, 1]], ['cropping2D', { cropping: [1, 0] }, [1, 3, 3, 1]],
  ['reLU', { maxValue: 6 }, [2, 3]], ['reLU', {}, [2, 3]], ['elu', {}, [2, 3]], ['leakyReLU', {}, [2, 3]], ['prelu', { sharedAxes: [1] }, [2, 3, 4]],
  ['softmax', { axis: -1 }, [2, 3]], ['thresholdedReLU', {}, [2, 3]], ['gaussianNoise', { stddev: 0.1 }, [2, 3]], ['gaussianDropout', { rate: 0.1 }, [2, 3]],
  ['alphaDropout', { rate: 0.1 }, [2, 3]], ['spatialDropout1d', { rate: 0.1 }, [2, 3, 4]], ['rescaling', { scale: 2 }, [2, 3]],
  ['resizing', { height: 2, width: 2 }, [1, 3, 3, 1]], ['centerCrop', { height: 2, width: 2 }, [1, 3, 3, 1]], ['categoryEncoding', { numTokens: 3 }, [2, 3]],
  ['randomWidth', { factor: 0.2 }, [1, 3, 3, 1]], ['batchNormalization', {}, [2, 3]], ['layerNormalization', {}, [2, 3]],
  ['globalAveragePooling1d', {}, [2, 3, 4]], ['globalAveragePooling2d', {}, [1, 3, 3, 1]], ['globalMaxPooling1d', {}, [2, 3, 4]], ['globalMaxPooling2d', {}, [1, 3, 3, 1]],
];

/**
 * Where sora's getConfig may differ from TF.js's, and why: dtype (sora's base Layer writes it for
 * every layer, Dense included); null where TF.js leaves a field undefined (JSON omits it; Keras
 * writes null); layerNormalization's axis (TF.js rewrites it to positive axes when built);
 * dataFormat of the 1d global poolings (Keras has it; TF.js does not).
 */
function allowed(name: string, key: string, ours: unknown, theirs: unknown): boolean {
  if (key === 'dtype') return true;
  if (ours === null && theirs === undefined) return true;
  if (name === 'layerNormalization' && key === 'axis') return true;
  return name.startsWith('global') && name.endsWith('1d') && key === 'dataFormat';
}

describe('getConfig against TF.js', () => {
  it('every layer writes the config fields and values TF.js writes, and loads back from its own', () => {
    for (const [name, args, shape] of CONFIG_CASES) {
      const ours = (sora.layers as TF)[name]({ ...args, name: 'x' }), theirs = (tfjs.layers as TF)[name]({ ...args, name: 'x' });
      const dtype = name === 'categoryEncoding' ? 'int32' : 'float32';
      theirs.apply(tfjs.ones(shape, dtype));
      ours.apply(sora.ones(shape, dtype));
      expect(ours.getClassName(), name).toBe(theirs.getClassName());
      const a = JSON.parse(JSON.stringify(ours.getConfig())), b = JSON.parse(JSON.stringify(theirs.getConfig()));
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if (!allowed(name, key, a[key], b[key])) expect(a[key], `${name}.${key}`).toEqual(b[key]);
      }
      const inShape = [null, ...shape.slice(1)];
      const outOurs = ours.computeOutputShape(inShape.slice()), outTheirs = theirs.computeOutputShape(inShape.slice());
      // TF.js's resizing drops the batch axis ([2, 2, 1]) and its randomWidth answers [rows, -1, channels]
      // from its last call; sora keeps the batch axis and says the width is unknown.
      const expected = name === 'resizing' ? [null, 2, 2, 1] : name === 'randomWidth' ? [null, 3, null, 1] : outTheirs;
      expect(outOurs, `${name}.computeOutputShape`).toEqual(expected);
      const cls = registeredClass(ours.getClassName()) as TF;
      expect(cls, `${name} is registered`).toBeDefined();
      const again = cls.fromConfig(cls, ours.getConfig());
      expect(JSON.parse(JSON.stringify(again.getConfig())), `${name} from its config`).toEqual(a);
    }
  });
});

describe('in functional models and model files', () => {
  it('a functional model of these layers predicts as TF.js and survives save / load both ways', async () => {
    const build = (tf: TF) => {
      const input = tf.input({ shape: [6, 4] });
      const scaled = tf.layers.rescaling({ scale: 2, offset: 0.1 }).apply(input);
      const normed = tf.layers.layerNormalization().apply(scaled);
      const act = tf.layers.leakyReLU({ alpha: 0.2 }).apply(normed);
      const noisy = tf.layers.gaussianNoise({ stddev: 0.5 }).apply(act);
      const dropped = tf.layers.spatialDropout1d({ rate: 0.3 }).apply(noisy);
      const avg = tf.layers.globalAveragePooling1d().apply(dropped);
      const max = tf.layers.globalMaxPooling1d().apply(tf.layers.alphaDropout({ rate: 0.2 }).apply(tf.layers.gaussianDropout({ rate: 0.2 }).apply(act)));
      const both = tf.layers.concatenate().apply([avg, max]);
      const out = tf.layers.reLU({ maxValue: 6 }).apply(tf.layers.dense({ units: 3, kernelInitializer: 'glorotUniform' }).apply(both));
      return tf.model({ inputs: input, outputs: out });
    };
    const theirs = build(tfjs), ours = build(sora);
    ours.setWeights(theirs.getWeights().map((w: TF) => sora.tensor(Array.from(w.dataSync() as Float32Array), w.shape)));
    expect(ours.outputShape).toEqual(theirs.outputShape);
    expectSamePredictions(ours, theirs, [3, 6, 4], 'functional (noise inactive at inference)');
    await expectRoundTrips(ours, theirs, [3, 6, 4], 'functional');
  });

  it('a Keras-written model file (snake_case, Keras class names, ReLU max_value) loads as TF.js loads it', async () => {
    const layer = (className: string, config: Record<string, unknown>) => ({ class_name: className, config: { trainable: true, dtype: 'float32', ...config } });
    const topology = {
      class_name: 'Sequential',
      config: {
        name: 'keras_cnn',
        layers: [
          layer('ZeroPadding2D', { name: 'pad', padding: [[1, 1], [0, 2]], data_format: 'channels_last', batch_input_shape: [null, 4, 4, 2] }),
          layer('BatchNormalization', { name: 'bn', axis: -1, momentum: 0.9, epsilon: 0.001, center: true, scale: true,
            beta_initializer: { class_name: 'Zeros', config: {} }, gamma_initializer: { class_name: 'Ones', config: {} },
            moving_mean_initializer: { class_name: 'Zeros', config: {} }, moving_variance_initializer: { class_name: 'Ones', config: {} },
            beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null }),
          layer('ReLU', { name: 'relu6', max_value: 6, negative_slope: 0, threshold: 0 }),
          layer('UpSampling2D', { name: 'up', size: [2, 2], data_format: 'channels_last', interpolation: 'bilinear' }),
          layer('GlobalAveragePooling2D', { name: 'gap', data_format: 'channels_last' }),
          layer('Dense', { name: 'out', units: 2, activation: 'linear', use_bias: true,
            kernel_initializer: { class_name: 'Ones', config: {} }, bias_initializer: { class_name: 'Zeros', config: {} } }),
        ],
      },
      keras_version: '2.13.1',
      backend: 'tensorflow',
    };
    const ours = await sora.models.modelFromJSON({ modelTopology: topology } as never);
    const theirs = await tfjs.models.modelFromJSON({ modelTopology: topology } as never);
    expect(ours.layers.map((l: TF) => l.getClassName())).toEqual(['ZeroPadding2D', 'BatchNormalization', 'ReLU', 'UpSampling2D', 'GlobalAveragePooling2D', 'Dense']);
    expect((ours.layers[2] as TF).maxValue).toBe(6);
    expect((ours.layers[1] as TF).momentum).toBe(0.9);
    ours.setWeights(theirs.getWeights().map((w: TF, i: number) => sora.tensor(Array.from(w.dataSync() as Float32Array).map((v) => v * (1 + 0.1 * i)), w.shape)));
    theirs.setWeights(ours.getWeights().map((w: TF) => tfjs.tensor(Array.from(w.dataSync() as Float32Array), w.shape)));
    expectSamePredictions(ours, theirs, [2, 4, 4, 2], 'Keras file');
  });
});

describe('noise layers: identity at inference, noise in training', () => {
  const x = sora.ones([200, 10, 8]);
  it('gaussianNoise adds N(0, stddev²)', () => {
    const layer = sora.layers.gaussianNoise({ stddev: 0.5 });
    expect(Array.from((layer.apply(x) as TF).dataSync())).toEqual(Array.from(x.dataSync()));
    const y = layer.apply(x, { training: true }) as TF;
    const { mean, variance } = sora.moments(sora.sub(y, 1));
    expect(Math.abs(mean.dataSync()[0])).toBeLessThan(0.02);
    expect(Math.abs(Math.sqrt(variance.dataSync()[0]) - 0.5)).toBeLessThan(0.02);
  });
  it('gaussianDropout multiplies by N(1, rate / (1 - rate))', () => {
    const y = sora.layers.gaussianDropout({ rate: 0.2 }).apply(x, { training: true }) as TF;
    const { mean, variance } = sora.moments(y);
    expect(Math.abs(mean.dataSync()[0] - 1)).toBeLessThan(0.02);
    expect(Math.abs(variance.dataSync()[0] - 0.25)).toBeLessThan(0.02);
  });
  it('alphaDropout keeps a standard normal input standard', () => {
    const z = sora.randomNormal([200, 100], 0, 1, 'float32', 7);
    const y = sora.layers.alphaDropout({ rate: 0.3 }).apply(z, { training: true }) as TF;
    const { mean, variance } = sora.moments(y);
    expect(Math.abs(mean.dataSync()[0])).toBeLessThan(0.03);
    expect(Math.abs(variance.dataSync()[0] - 1)).toBeLessThan(0.05);
    const dropped = -1.6732632423543772 * 1.0507009873554805;
    const a = ((1 - 0.3) * (1 + 0.3 * dropped ** 2)) ** -0.5;
    const value = a * dropped - a * dropped * 0.3;
    const share = Array.from(y.dataSync() as Float32Array).filter((v) => Math.abs(v - value) < 1e-5).length / y.size;
    expect(Math.abs(share - 0.3)).toBeLessThan(0.02);
    // TF.js's layer sets dropped entries to +alpha * scale instead of -alpha * scale: its mean moves to about 0.9.
    const theirs = tfjs.layers.alphaDropout({ rate: 0.3 }).apply(tfjs.tensor(Array.from(z.dataSync() as Float32Array), [200, 100]), { training: true }) as TF;
    expect(tfjs.moments(theirs).mean.dataSync()[0]).toBeGreaterThan(0.8);
  });
  it('spatialDropout1d drops whole channels of each example and scales the rest', () => {
    const y = (sora.layers.spatialDropout1d({ rate: 0.5, seed: 3 }).apply(x, { training: true }) as TF).arraySync() as number[][][];
    let zeroChannels = 0;
    for (const example of y) {
      for (let c = 0; c < 8; c++) {
        const column = example.map((step) => step[c]);
        expect(new Set(column).size, 'one value along the steps').toBe(1);
        expect([0, 2]).toContain(column[0]);
        if (column[0] === 0) zeroChannels++;
      }
    }
    expect(Math.abs(zeroChannels / (200 * 8) - 0.5)).toBeLessThan(0.05);
  });
  it('randomWidth resizes the width in training only, within the factor', () => {
    const images = sora.tensor(values([2, 4, 10, 3]), [2, 4, 10, 3]);
    const layer = sora.layers.randomWidth({ factor: [-0.5, 0.3], seed: 5 });
    expect(layer.apply(images)).toBe(images);
    const widths = (l: TF) => Array.from({ length: 30 }, () => {
      const y = l.apply(images, { training: true }) as TF;
      expect(y.shape[1]).toBe(4);
      const expected = sora.image.resizeBilinear(images, [4, y.shape[2]], false, true);
      expectClose(y.dataSync(), expected.dataSync(), 'randomWidth: a half-pixel bilinear resize');
      return y.shape[2] as number;
    });
    const drawn = widths(layer);
    expect(Math.min(...drawn)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...drawn)).toBeLessThanOrEqual(13);
    expect(new Set(drawn).size, 'the width varies').toBeGreaterThan(3);
    expect(widths(sora.layers.randomWidth({ factor: [-0.5, 0.3], seed: 5 })), 'the same seed, the same widths').toEqual(drawn);
    expect(layer.computeOutputShape([null, 4, 10, 3])).toEqual([null, 4, null, 3]);
  });
});

describe('bad configs and inputs: clear errors naming the layer and the value', () => {
  const refused: [string, () => unknown, RegExp][] = [
    ['reshape', () => sora.layers.reshape({ targetShape: [-1, -1] }), /reshape .*targetShape.*\[-1,-1\]/],
    ['reshape size', () => sora.layers.reshape({ targetShape: [7] }).apply(sora.ones([2, 3, 2])), /reshape .*6 values.*\[7\]/],
    ['permute', () => sora.layers.permute({ dims: [1, 3] }), /permute .*dims=\[1,3\]/],
    ['permute rank', () => sora.layers.permute({ dims: [2, 1] }).apply(sora.ones([2, 3])), /permute .*rank 3.*\[null,3\]/],
    ['zeroPadding2d', () => sora.layers.zeroPadding2d({ padding: -1 as never }), /zeroPadding2d .*padding=-1/],
    ['zeroPadding2d format', () => sora.layers.zeroPadding2d({ dataFormat: 'nhwc' as never }), /zeroPadding2d .*dataFormat="nhwc"/],
    ['upSampling2d', () => sora.layers.upSampling2d({ size: [2, 0] }), /upSampling2d .*size\[1\]=0/],
    ['upSampling2d interpolation', () => sora.layers.upSampling2d({ interpolation: 'cubic' as never }), /upSampling2d .*interpolation="cubic"/],
    ['cropping2D too much', () => sora.layers.cropping2D({ cropping: [[2, 2], [0, 0]] }).apply(sora.ones([1, 4, 4, 1])), /cropping2D .*\[2,2\] leaves no rows of an input with 4/],
    ['cropping2D missing', () => sora.layers.cropping2D({} as never), /cropping2D .*cropping/],
    ['reLU', () => sora.layers.reLU({ maxValue: -1 }), /reLU .*maxValue=-1/],
    ['reLU negativeSlope', () => sora.layers.reLU({ negativeSlope: 0.1 }), /reLU .*negativeSlope=0.1/],
    ['leakyReLU', () => sora.layers.leakyReLU({ alpha: Number.NaN }), /leakyReLU .*alpha=null/],
    ['prelu', () => sora.layers.prelu({ sharedAxes: [0] }), /prelu .*sharedAxes=\[0\]/],
    ['softmax', () => sora.layers.softmax({ axis: 3 }).apply(sora.ones([2, 3])), /softmax .*axis 3 is out of range/],
    ['gaussianNoise', () => sora.layers.gaussianNoise({} as never), /gaussianNoise .*stddev/],
    ['gaussianDropout', () => sora.layers.gaussianDropout({ rate: 1 }), /gaussianDropout .*rate=1/],
    ['alphaDropout', () => sora.layers.alphaDropout({ rate: -0.1 }), /alphaDropout .*rate=-0.1/],
    ['spatialDropout1d rank', () => sora.layers.spatialDropout1d({ rate: 0.1 }).apply(sora.ones([2, 3])), /spatialDropout1d .*rank 3/],
    ['rescaling', () => sora.layers.rescaling({ scale: 'x' as never }), /rescaling .*scale="x"/],
    ['resizing', () => sora.layers.resizing({ height: 0, width: 2 }), /resizing .*height=0/],
    ['resizing rank', () => sora.layers.resizing({ height: 2, width: 2 }).apply(sora.ones([2, 3])), /resizing .*rank 3 or 4/],
    ['centerCrop', () => sora.layers.centerCrop({ height: 2, width: 1.5 }), /centerCrop .*width=1.5/],
    ['categoryEncoding', () => sora.layers.categoryEncoding({ numTokens: 3, outputMode: 'tfIdf' as never }), /categoryEncoding .*outputMode="tfIdf"/],
    ['categoryEncoding token', () => sora.layers.categoryEncoding({ numTokens: 3 }).apply(sora.tensor([[0, 3]], undefined, 'int32')), /categoryEncoding .*\[0, 3\).*received 3/],
    ['randomWidth', () => sora.layers.randomWidth({ factor: [0.5, 0.1] }), /randomWidth .*factor=\[0.5,0.1\]/],
    ['batchNormalization momentum', () => sora.layers.batchNormalization({ momentum: 2 }), /batchNormalization .*momentum=2/],
    ['batchNormalization axis', () => sora.layers.batchNormalization({ axis: 0 }).apply(sora.ones([2, 3])), /batchNormalization .*axis 0 is out of range/],
    ['batchNormalization channels', () => {
      const bn = sora.layers.batchNormalization();
      bn.apply(sora.ones([2, 3]));
      return bn.apply(sora.ones([2, 4]));
    }, /expected input of shape \[null,3\], received \[2,4\]/],
    ['layerNormalization', () => sora.layers.layerNormalization({ axis: [1, 1] }).apply(sora.ones([2, 3])), /layerNormalization .*repeats/],
    ['globalAveragePooling2d rank', () => sora.layers.globalAveragePooling2d().apply(sora.ones([2, 3, 4])), /globalAveragePooling2d .*rank 4.*\[null,3,4\]/],
    ['globalMaxPooling1d format', () => sora.layers.globalMaxPooling1d({ dataFormat: 'x' as never }), /GlobalMaxPooling1D .*dataFormat="x"/],
  ];
  for (const [name, run, message] of refused) it(name, () => expect(run).toThrow(message));
});
