/**
 * Pretrained Keras models as the TF.js converter (tensorflowjs_converter, keras_h5_conversion +
 * write_weights) writes them: no `format` field, the topology under `model_config` beside
 * `keras_version` and `backend`, Keras class names and config keys, and weights quantized to
 * uint8 / uint16 / float16. Models are built and saved with TF.js (cpu), rewritten into that
 * form, then loaded by sora and by TF.js: both must predict the same, and match the float model
 * within what the quantization loses.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import type { WeightSpec } from '../../src/io/index.js';
import { type KerasQuantization, kerasFormArtifacts, quantizeLikeConverter } from './keras-format-helpers.js';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  await sora.setBackend('reference');
  dir = await mkdtemp(join(tmpdir(), 'sora-keras-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A dense classifier with dropout, an Activation layer and a Flatten, as Keras 2.1 Sequential models look. */
function denseModel(): tf.LayersModel {
  return tf.sequential({
    name: 'sequential_1',
    layers: [
      tf.layers.flatten({ inputShape: [2, 3], name: 'flatten_1' }),
      tf.layers.dense({ units: 8, activation: 'relu', name: 'dense_1' }),
      tf.layers.dropout({ rate: 0.25, name: 'dropout_1' }),
      tf.layers.dense({ units: 5, name: 'dense_2' }),
      tf.layers.activation({ activation: 'tanh', name: 'activation_1' }),
      tf.layers.dense({ units: 3, activation: 'softmax', name: 'dense_3' }),
    ],
  });
}

/** A functional model with two branches merged by Add and Concatenate (a Keras 'Model' / 'Functional'). */
function mergeModel(): tf.LayersModel {
  const input = tf.input({ shape: [4], name: 'input_1' });
  const a = tf.layers.dense({ units: 6, activation: 'relu', name: 'dense_a' }).apply(input) as tf.SymbolicTensor;
  const b = tf.layers.dense({ units: 6, activation: 'sigmoid', name: 'dense_b' }).apply(input) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: 'add_1' }).apply([a, b]) as tf.SymbolicTensor;
  const both = tf.layers.concatenate({ axis: -1, name: 'concatenate_1' }).apply([sum, input]) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, name: 'dense_out' }).apply(both) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'model_1' });
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

function inputsFor(model: tf.LayersModel): number[][] {
  const size = (model.inputs[0]!.shape.slice(1) as number[]).reduce((a, b) => a * b, 1);
  return Array.from({ length: 7 }, (_, row) => Array.from({ length: size }, (_, i) => Math.sin(row * 1.7 + i * 0.9) * 2));
}

function predictTf(model: tf.LayersModel, rows: number[][]): Float32Array {
  const shape = [rows.length, ...(model.inputs[0]!.shape.slice(1) as number[])];
  return tf.tidy(() => (model.predict(tf.tensor(rows.flat(), shape)) as tf.Tensor).dataSync() as Float32Array);
}

function predictSora(model: sora.LayersModel, rows: number[][]): Float32Array {
  const shape = [rows.length, ...(model.inputs[0]!.shape.slice(1) as number[])];
  return sora.tidy(() => (model.predict(sora.tensor(rows.flat(), shape)) as sora.Tensor).dataSync() as Float32Array);
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

const cases: { name: string; build: () => tf.LayersModel; legacySequential?: boolean }[] = [
  { name: 'dense Sequential (Keras 2.1: a list of layers as the config)', build: denseModel, legacySequential: true },
  { name: 'dense Sequential (Keras 2.3: {name, layers})', build: denseModel },
  { name: 'merge model (Add, Concatenate)', build: mergeModel },
];
const quantizations: { q: KerasQuantization; tolerance: number }[] = [
  { q: 'none', tolerance: 1e-6 },
  { q: 'float16', tolerance: 5e-3 },
  { q: 'uint16', tolerance: 5e-4 },
  { q: 'uint8', tolerance: 0.08 },
];

describe('Keras models as the TF.js converter writes them', () => {
  for (const { name, build, legacySequential } of cases) {
    for (const { q, tolerance } of quantizations) {
      test(`${name}, weights ${q}: sora predicts as TF.js does`, async () => {
        const original = build();
        const rows = inputsFor(original);
        const saved = await tfjsArtifacts(original);
        const keras = kerasFormArtifacts(saved, { quantization: q, legacySequential });
        expect('format' in keras.modelJson).toBe(false);

        await writeFile(join(dir, keras.shardName), keras.weightData);
        // The manifest names the shard relative to the model.json, as the converter writes it.
        await writeFile(join(dir, 'model.json'), JSON.stringify(keras.modelJson));
        const fromFile = await sora.loadLayersModel(`file://${join(dir, 'model.json')}`);
        const fromMemory = await sora.loadLayersModel(sora.io.fromMemory({
          modelTopology: keras.modelJson.modelTopology, weightSpecs: keras.weightSpecs, weightData: keras.weightData.buffer,
        } as never));
        const theirs = await tf.loadLayersModel(tf.io.fromMemory({
          modelTopology: keras.modelJson.modelTopology, weightSpecs: keras.weightSpecs as unknown as tf.io.WeightsManifestEntry[],
          weightData: keras.weightData.buffer as ArrayBuffer,
        }));

        const reference = predictTf(original, rows);
        const tfjsLoaded = predictTf(theirs, rows);
        const soraFile = predictSora(fromFile, rows);
        const soraMemory = predictSora(fromMemory, rows);
        // Same dequantized weights, same arithmetic up to float32 rounding.
        expect(maxDiff(soraFile, tfjsLoaded)).toBeLessThan(2e-6);
        expect(maxDiff(soraMemory, tfjsLoaded)).toBeLessThan(2e-6);
        // And close to the float model, within what the quantization loses (and not exact when it loses).
        const lost = maxDiff(soraFile, reference);
        expect(lost).toBeLessThan(tolerance);
        if (q === 'uint8') expect(lost).toBeGreaterThan(0);

        // Weights match TF.js's decoding bit for bit.
        const soraWeights = fromFile.getWeights().map((w) => Array.from(w.dataSync()));
        const tfWeights = theirs.getWeights().map((w) => Array.from(w.dataSync()));
        expect(soraWeights).toEqual(tfWeights);
        for (const m of [fromFile, fromMemory]) m.dispose();
        original.dispose();
        theirs.dispose();
      });
    }
  }

  test("the converter's quantization: 0 is a code, the range nudged and clipped as tensorflowjs does", () => {
    const values = new Float32Array([-0.5, 0, 0.25, 1.5, -0.125]);
    const { bytes, quantization } = quantizeLikeConverter(values, 'uint8');
    const q = quantization as { scale: number; min: number };
    // scale = (1.5 - -0.5) / 255; zero point round(0.5 / scale) = round(63.75) = 64, so min = -64 * scale.
    expect(q.scale).toBe(2 / 255);
    expect(q.min).toBe(-64 * (2 / 255));
    const codes = Array.from(bytes);
    expect(codes).toEqual([0, 64, 96, 255, 48]);
    expect(codes[1]! * q.scale + q.min).toBe(0);
    // The nudged range ends below 1.5: the largest value comes back as 255 * scale + min.
    expect(255 * q.scale + q.min).toBeCloseTo(1.498, 3);
    // A constant weight (a zero bias) is all code 0 with scale 1 and min the value.
    const flat = quantizeLikeConverter(new Float32Array([0.75, 0.75]), 'uint16');
    expect([Array.from(new Uint16Array(flat.bytes.buffer)), flat.quantization.scale, flat.quantization.min]).toEqual([[0, 0], 1, 0.75]);
  });
});

describe('hostile quantized manifests fail before anything is allocated', () => {
  const topology = { class_name: 'Sequential', config: { name: 's', layers: [
    { class_name: 'Dense', config: { units: 2, batch_input_shape: [null, 2], name: 'd' } }] } };
  const spec = (quantization: unknown, dtype = 'float32'): WeightSpec[] => [
    { name: 'd/kernel', shape: [2, 2], dtype, quantization } as WeightSpec,
    { name: 'd/bias', shape: [2], dtype: 'float32' },
  ];
  const loadFromMemory = (weightSpecs: WeightSpec[], bytes: number) => sora.loadLayersModel(sora.io.fromMemory({
    modelTopology: { keras_version: '2.1.6', backend: 'tensorflow', model_config: topology }, weightSpecs,
    weightData: new ArrayBuffer(bytes),
  } as never));
  /** Loads, expecting a refusal: no tensor (no layer weight) may have been made by then. */
  const load = async (weightSpecs: WeightSpec[], bytes: number) => {
    const before = sora.memory().numTensors;
    try {
      return await loadFromMemory(weightSpecs, bytes);
    } finally {
      expect(sora.memory().numTensors).toBe(before);
    }
  };

  test('an unknown quantization dtype names the weight and the dtype', async () => {
    await expect(load(spec({ dtype: 'int4', scale: 1, min: 0 }), 12))
      .rejects.toThrow(`weight 'd/kernel': unknown quantization dtype "int4"; expected 'uint8', 'uint16' or 'float16'`);
  });
  test('uint8 without scale, or with a non-finite min', async () => {
    await expect(load(spec({ dtype: 'uint8', min: 0 }), 12))
      .rejects.toThrow(`weight 'd/kernel': uint8 quantization needs finite scale and min, got scale=undefined, min=0`);
    await expect(load(spec({ dtype: 'uint16', scale: 0.1, min: null }), 16))
      .rejects.toThrow(`weight 'd/kernel': uint16 quantization needs finite scale and min, got scale=0.1, min=null`);
  });
  test('float16 on an int32 weight', async () => {
    await expect(load(spec({ dtype: 'float16' }, 'int32'), 16))
      .rejects.toThrow(`weight 'd/kernel': float16 quantization applies to float32 weights, not int32`);
  });
  test('byte counts that disagree with the quantized sizes', async () => {
    // A uint8 kernel takes 4 bytes and the float32 bias 8: 12, not the 24 of an unquantized kernel.
    await expect(load(spec({ dtype: 'uint8', scale: 0.1, min: 0 }), 24))
      .rejects.toThrow('expected 12 bytes for 2 weights, got 24; the data has trailing bytes');
    await expect(load(spec({ dtype: 'float16' }), 15))
      .rejects.toThrow('expected 16 bytes for 2 weights, got 15; the data is truncated');
  });
  test('a shard on disk whose size disagrees with the quantized manifest', async () => {
    const modelJson = { modelTopology: { keras_version: '2.1.6', backend: 'tensorflow', model_config: topology },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: spec({ dtype: 'uint16', scale: 0.5, min: -1 }) }] };
    const folder = join(dir, 'hostile');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'model.json'), JSON.stringify(modelJson));
    await writeFile(join(folder, 'group1-shard1of1.bin'), new Uint8Array(12)); // 8 + 8 are needed
    const before = sora.memory().numTensors;
    await expect(sora.loadLayersModel(`file://${join(folder, 'model.json')}`))
      .rejects.toThrow(/group1-shard1of1\.bin: expected 16 bytes for 2 weights \(d\/kernel, d\/bias\), got 12; the data is truncated/);
    expect(sora.memory().numTensors).toBe(before);
  });
});

describe("dequantization is TF.js's io.decodeWeights, value for value", () => {
  test('uint8 / uint16 to float32 and to int32 (rounded), float16 with subnormals, infinities, NaN and -0', () => {
    const half = new Uint16Array([0x0000, 0x8000, 0x0001, 0x03ff, 0x0400, 0x3c00, 0xc000, 0x7bff, 0x7c00, 0xfc00, 0x7e00, 0x3555]);
    const u8 = new Uint8Array([0, 1, 127, 128, 254, 255]);
    const u16 = new Uint16Array([0, 1, 32767, 32768, 65534, 65535]);
    const specs = [
      { name: 'h', shape: [12], dtype: 'float32', quantization: { dtype: 'float16' } },
      { name: 'a', shape: [2, 3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.0123, min: -1.07 } },
      { name: 'b', shape: [6], dtype: 'int32', quantization: { dtype: 'uint8', scale: 0.5, min: -3.25 } },
      { name: 'c', shape: [6], dtype: 'float32', quantization: { dtype: 'uint16', scale: 3.1e-5, min: -0.9, original_dtype: 'float32' } },
      { name: 'd', shape: [3, 2], dtype: 'int32', quantization: { dtype: 'uint16', scale: 0.25, min: 7.5 } },
    ];
    const parts = [half, u8, u8, u16, u16].map((p) => new Uint8Array(p.buffer));
    const data = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let at = 0;
    for (const p of parts) { data.set(p, at); at += p.byteLength; }
    const ours = sora.io.decodeWeights(data.buffer, specs as WeightSpec[]) as Record<string, sora.Tensor>;
    const theirs = tf.io.decodeWeights(data.buffer, specs as tf.io.WeightsManifestEntry[]);
    for (const { name } of specs) {
      expect(ours[name]!.dtype, name).toBe(theirs[name]!.dtype);
      expect(ours[name]!.shape, name).toEqual(theirs[name]!.shape);
      // toEqual tells -0 from 0 and matches NaN with NaN.
      expect(Array.from(ours[name]!.dataSync()), name).toEqual(Array.from(theirs[name]!.dataSync()));
    }
    expect(Array.from(ours.h!.dataSync()).slice(0, 3)).toEqual([0, -0, 2 ** -24]);
    sora.dispose(Object.values(ours));
    tf.dispose(Object.values(theirs));
  });
});
