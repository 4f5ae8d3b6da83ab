/**
 * Pretrained Keras image models as the TF.js converter writes them, loaded by sora and by TF.js
 * (cpu) from the same files: MobileNetV2 and InceptionV3 with keras.applications' whole layer
 * graph (bench/keras-applications.mjs; Keras's parameter counts are checked at full size),
 * shrunk for speed: MobileNetV2 at alpha 0.35 on 40x40 inputs (both of correct_pad's paddings
 * occur: 40, 20 and 10 are even, 5 and 3 odd), InceptionV3 at 1/8 of its filters on 75x75 (the
 * smallest input Keras allows), 10 classes each. Weights are seeded (BN moving statistics away
 * from 0 and 1), saved by TF.js, rewritten into the converter's form (no format field, a
 * model_config wrapper, tf.keras 2.x layer keys, uint8 / uint16 quantization, several shards)
 * and loaded from files and from memory, on the reference and wasm backends (the file takes about
 * a minute on a shared, loaded 2-core machine).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { type KerasQuantization, kerasFormArtifacts, kerasShards } from './keras-format-helpers.js';
// @ts-expect-error: a plain ES module without type declarations
import { inceptionV3, mobileNetV2, seedWeights, seededRandom } from '../../bench/keras-applications.mjs';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'sora-keras-cnn-'));
});
afterAll(async () => {
  await sora.setBackend('reference');
  await rm(dir, { recursive: true, force: true });
});

type Build = (lib: unknown, options: Record<string, number>) => tf.LayersModel;

/**
 * `logitScale` multiplies the classifier's seeded kernel so that the softmax spreads over a few
 * units of logits (InceptionV3's deep stack of BN layers with moving statistics leaves its
 * pooled features nearly alike, and a near-uniform softmax would hide differences).
 */
const MODELS: { name: string; build: () => tf.LayersModel; layout: 'one-group' | 'group-per-layer'; logitScale: number }[] = [
  { name: 'MobileNetV2 (alpha 0.35, 40x40)', build: () => (mobileNetV2 as Build)(tf, { alpha: 0.35, inputSize: 40, classes: 10 }), layout: 'one-group', logitScale: 1 },
  { name: 'InceptionV3 (1/8 width, 75x75)', build: () => (inceptionV3 as Build)(tf, { width: 0.125, inputSize: 75, classes: 10 }), layout: 'group-per-layer', logitScale: 20 },
];

function seeded(build: () => tf.LayersModel, logitScale: number): tf.LayersModel {
  const model = build();
  (seedWeights as (lib: unknown, model: unknown, seed: number) => void)(tf, model, 16);
  const classifier = model.getLayer('predictions');
  const [kernel, bias] = classifier.getWeights();
  classifier.setWeights([tf.mul(kernel!, logitScale), bias!]);
  return model;
}

async function tfjsArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    captured = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const data = captured!.weightData!;
  return { ...captured!, weightData: Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data };
}

/** Four images of the model's input size with values in [-1, 1] (as keras' preprocess_input leaves them). */
function images(model: tf.LayersModel): { values: Float32Array; shape: number[] } {
  const shape = [4, ...(model.inputs[0]!.shape.slice(1) as number[])];
  const random = (seededRandom as (seed: number) => () => number)(99);
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = random() * 2 - 1;
  return { values, shape };
}

function predictTf(model: tf.LayersModel, input: { values: Float32Array; shape: number[] }): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor(input.values, input.shape)) as tf.Tensor).dataSync() as Float32Array);
}

function predictSora(model: sora.LayersModel, input: { values: Float32Array; shape: number[] }): Float32Array {
  return sora.tidy(() => (model.predict(sora.tensor(input.values, input.shape)) as sora.Tensor).dataSync() as Float32Array);
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('keras.applications models at full size have Keras\'s parameter counts', () => {
  test('MobileNetV2 (alpha 1.0, 224): 3,538,984; InceptionV3 (299): 23,851,784', () => {
    const mobile = (mobileNetV2 as Build)(tf, {});
    const inception = (inceptionV3 as Build)(tf, {});
    expect([mobile.countParams(), inception.countParams()]).toEqual([3538984, 23851784]);
    expect([mobile.layers.length, inception.layers.length]).toEqual([157, 313]);
    mobile.dispose();
    inception.dispose();
  });
});

describe('MobileNetV2 and InceptionV3 as the TF.js converter writes them predict as TF.js does', () => {
  const quantizations: KerasQuantization[] = ['none', 'uint8', 'uint16'];
  for (const { name, build, layout, logitScale } of MODELS) {
    for (const quantization of quantizations) {
      test(`${name}, weights ${quantization}, ${layout} shards: sora reference and wasm`, async () => {
        const original = seeded(build, logitScale);
        const input = images(original);
        const keras = kerasFormArtifacts(await tfjsArtifacts(original), { quantization });
        const { modelJson, shards } = kerasShards(keras, layout, 64 * 1024);
        expect('format' in modelJson).toBe(false);
        expect(shards.length).toBeGreaterThan(2);
        const folder = join(dir, `${original.name}-${quantization}`);
        await mkdir(folder, { recursive: true });
        for (const shard of shards) await writeFile(join(folder, shard.path), shard.bytes);
        await writeFile(join(folder, 'model.json'), JSON.stringify(modelJson));

        const theirs = await tf.loadLayersModel(tf.io.fromMemory({
          modelTopology: keras.modelJson.modelTopology, weightSpecs: keras.weightSpecs as unknown as tf.io.WeightsManifestEntry[],
          weightData: keras.weightData.buffer as ArrayBuffer,
        }));
        const reference = predictTf(original, input);
        const tfjsLoaded = predictTf(theirs, input);
        const tfWeights = theirs.getWeights().map((w) => Array.from(w.dataSync()));

        for (const backend of ['reference', 'wasm'] as const) {
          await sora.setBackend(backend);
          const before = sora.memory().numTensors;
          const fromFile = await sora.loadLayersModel(`file://${join(folder, 'model.json')}`);
          const fromMemory = await sora.loadLayersModel(sora.io.fromMemory({
            modelTopology: keras.modelJson.modelTopology, weightSpecs: keras.weightSpecs, weightData: keras.weightData.buffer,
          } as never));
          expect(fromFile.layers.map((l) => l.getClassName())).toEqual(theirs.layers.map((l) => l.getClassName()));

          // The same dequantized weights as TF.js decodes, in the same order.
          const soraWeights = fromFile.getWeights();
          expect(soraWeights.map((w) => Array.from(w.dataSync()))).toEqual(tfWeights);
          sora.dispose(soraWeights); // sora's getWeights gives copies (TF.js's gives its variables)

          const soraFile = predictSora(fromFile, input);
          const soraMemory = predictSora(fromMemory, input);
          expect(maxDiff(soraFile, tfjsLoaded), backend).toBeLessThan(1e-4);
          expect(maxDiff(soraMemory, tfjsLoaded), backend).toBeLessThan(1e-4);
          // Float weights: TF.js's own model, before saving. Quantized: what the quantization loses is not nothing.
          if (quantization === 'none') expect(maxDiff(soraFile, reference)).toBeLessThan(1e-4);
          if (quantization === 'uint8') expect(maxDiff(soraFile, reference)).toBeGreaterThan(1e-6);
          // The outputs say something: a spread of classes, not one saturated answer, different per image.
          expect(Math.max(...soraFile)).toBeLessThan(0.99);
          expect(maxDiff(soraFile.subarray(0, 10), soraFile.subarray(10, 20))).toBeGreaterThan(1e-4);
          for (const m of [fromFile, fromMemory]) m.dispose();
          expect(sora.memory().numTensors).toBe(before);
        }
        original.dispose();
        theirs.dispose();
      }, 180_000);
    }
  }
});

describe("tf.keras's list-valued BatchNormalization axis", () => {
  /** A converter-form functional model: input [4, 4, 2] -> BatchNormalization with `axis`. */
  function batchNormArtifacts(axis: unknown): Record<string, unknown> {
    const layers = [
      { class_name: 'InputLayer', name: 'input_1', inbound_nodes: [],
        config: { batch_input_shape: [null, 4, 4, 2], dtype: 'float32', sparse: false, ragged: false, name: 'input_1' } },
      { class_name: 'BatchNormalization', name: 'bn', inbound_nodes: [[['input_1', 0, 0, {}]]],
        config: { name: 'bn', trainable: true, dtype: 'float32', axis, momentum: 0.99, epsilon: 1e-3, center: true, scale: true } },
    ];
    const weightSpecs = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((w) => ({ name: `bn/${w}`, shape: [2], dtype: 'float32' }));
    return {
      modelTopology: { keras_version: '2.4.0', backend: 'tensorflow', model_config: { class_name: 'Functional', config: {
        name: 'model', layers, input_layers: [['input_1', 0, 0]], output_layers: [['bn', 0, 0]] } } },
      weightSpecs, weightData: new Float32Array([1.5, 0.5, 0.25, -0.5, 0.1, -0.2, 0.8, 2]).buffer,
    };
  }

  test('[3] normalizes the last axis as TF.js does (TF.js reads the list through a coercion)', async () => {
    await sora.setBackend('reference');
    const artifacts = batchNormArtifacts([3]);
    const ours = await sora.loadLayersModel(sora.io.fromMemory(artifacts as never));
    const theirs = await tf.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
    const input = Array.from({ length: 32 }, (_, i) => Math.sin(i) * 3);
    const a = sora.tidy(() => (ours.predict(sora.tensor(input, [1, 4, 4, 2])) as sora.Tensor).dataSync());
    const b = tf.tidy(() => (theirs.predict(tf.tensor(input, [1, 4, 4, 2])) as tf.Tensor).dataSync());
    expect(maxDiff(a, b)).toBeLessThan(1e-6);
    // channel 1: (x - (-0.2)) / sqrt(2 + 1e-3) * 0.5 - 0.5
    expect(a[1]).toBeCloseTo((input[1]! + 0.2) / Math.sqrt(2.001) * 0.5 - 0.5, 5);
    ours.dispose();
    theirs.dispose();
  });

  test('a list of several axes, or of a non-integer, is refused naming the layer, before anything is allocated', async () => {
    const before = sora.memory().numTensors;
    await expect(sora.loadLayersModel(sora.io.fromMemory(batchNormArtifacts([1, 2]) as never))).rejects.toThrow(
      "layer 'bn' is a BatchNormalization over axis=[1,2]; TF.js and sora normalize over one axis");
    await expect(sora.loadLayersModel(sora.io.fromMemory(batchNormArtifacts(['3']) as never))).rejects.toThrow(
      'over axis=["3"]');
    expect(sora.memory().numTensors).toBe(before);
  });
});

describe('Keras-only settings that TF.js passes over are refused, naming the layer, key and value', () => {
  /** A converter-form functional model: input [4, 4, 2] -> one layer, with its weights. */
  function oneLayer(className: string, config: Record<string, unknown>, weights: { name: string; shape: number[] }[] = []) {
    const layers = [
      { class_name: 'InputLayer', name: 'input_1', inbound_nodes: [],
        config: { batch_input_shape: [null, 4, 4, 2], dtype: 'float32', sparse: false, ragged: false, name: 'input_1' } },
      { class_name: className, name: 'layer', inbound_nodes: [[['input_1', 0, 0, {}]]], config: { name: 'layer', trainable: true, dtype: 'float32', ...config } },
    ];
    const size = weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
    return {
      modelTopology: { keras_version: '2.4.0', backend: 'tensorflow', model_config: { class_name: 'Functional', config: {
        name: 'model', layers, input_layers: [['input_1', 0, 0]], output_layers: [['layer', 0, 0]] } } },
      weightSpecs: weights.map((w) => ({ ...w, dtype: 'float32' })),
      weightData: Float32Array.from({ length: size }, (_, i) => Math.cos(i)).buffer,
    };
  }
  const input = Array.from({ length: 32 }, (_, i) => Math.sin(i) * 8);

  const refused = async (artifacts: unknown, message: string) => {
    const before = sora.memory().numTensors;
    await expect(sora.loadLayersModel(sora.io.fromMemory(artifacts as never))).rejects.toThrow(message);
    expect(sora.memory().numTensors).toBe(before);
  };

  test("ReLU negative_slope / threshold: TF.js computes a plain ReLU (6) instead (pinned); sora refuses", async () => {
    const artifacts = oneLayer('ReLU', { max_value: 6, negative_slope: 0.1, threshold: 0 });
    await refused(artifacts, "layer 'layer' is a ReLU with negativeSlope=0.1 (a leaky slope below the threshold), " +
      'a Keras setting that TF.js and sora do not have');
    await refused(oneLayer('ReLU', { max_value: null, negative_slope: 0, threshold: 1.5 }), 'ReLU with threshold=1.5');
    // TF.js's wrong answer: Keras gives 0.1 * x below 0; TF.js gives 0.
    const theirs = await tf.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
    const out = tf.tidy(() => (theirs.predict(tf.tensor(input, [1, 4, 4, 2])) as tf.Tensor).dataSync());
    expect(Array.from(out)).toEqual(input.map((v) => Math.fround(Math.min(Math.max(v, 0), 6))));
    theirs.dispose();
    // The values that mean "off" load (the MobileNetV2 cases above carry them).
    const plain = await sora.loadLayersModel(sora.io.fromMemory(oneLayer('ReLU', { max_value: 6, negative_slope: 0, threshold: 0 }) as never));
    plain.dispose();
  });

  test('GlobalAveragePooling2D keepdims: TF.js drops the pooled dims anyway (pinned); sora refuses', async () => {
    const artifacts = oneLayer('GlobalAveragePooling2D', { data_format: 'channels_last', keepdims: true });
    await refused(artifacts, "layer 'layer' is a GlobalAveragePooling2D with keepdims=true (keeping the pooled dimensions)");
    const theirs = await tf.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
    expect(theirs.outputs[0]!.shape).toEqual([null, 2]); // Keras: [null, 1, 1, 2]
    theirs.dispose();
  });

  test('Conv2D groups: refused before the kernel (shape [3, 3, 1, 4] for 2 groups) is matched', async () => {
    const artifacts = oneLayer('Conv2D', { filters: 4, kernel_size: [3, 3], strides: [1, 1], padding: 'same', groups: 2, use_bias: false },
      [{ name: 'layer/kernel', shape: [3, 3, 1, 4] }]);
    await refused(artifacts, "layer 'layer' is a Conv2D with groups=2 (a grouped convolution)");
    // TF.js does not know groups either; it fails only when the kernel's shape disagrees.
    await expect(tf.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts))).rejects.toThrow(/shape/i);
  });
});
