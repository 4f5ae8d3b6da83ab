/**
 * The layers format against TF.js itself: sora reads what TF.js saves, and TF.js's own HTTP
 * loader reads the files sora's file:// handler writes.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { decodeWeights, getLoadHandler, getSaveHandler, type ModelArtifacts, type WeightSpec } from '../../src/io/index.js';

let dir: string;
let server: Server;
let origin: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sora-tfjs-'));
  // Serves files under `dir` read-only, as a static host would.
  server = createServer(async (request, response) => {
    try {
      const path = decodeURIComponent(new URL(request.url!, 'http://x').pathname);
      if (path.includes('..')) throw new Error('no');
      response.end(await readFile(join(dir, path)));
    } catch {
      response.statusCode = 404;
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

function tfModel(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: 5, activation: 'relu', inputShape: [3] }),
      tf.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

async function tfArtifacts(model: tf.LayersModel): Promise<ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    captured = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  const data = captured!.weightData!;
  return { ...captured, weightData: Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data } as ModelArtifacts;
}

describe('TF.js interop', () => {
  test('sora reads a model TF.js saved: names, shapes and values exactly', async () => {
    const model = tfModel();
    const artifacts = await tfArtifacts(model);
    // Write the files the way TF.js's file handler and converter lay them out, split into
    // two shards as the converter does for large groups.
    const bytes = new Uint8Array(artifacts.weightData);
    const cut = 52; // mid-way through the first kernel
    const modelJson = {
      modelTopology: artifacts.modelTopology,
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy,
      weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: artifacts.weightSpecs }],
      trainingConfig: artifacts.trainingConfig,
    };
    await writeFile(join(dir, 'model.json'), JSON.stringify(modelJson));
    await writeFile(join(dir, 'group1-shard1of2.bin'), bytes.subarray(0, cut));
    await writeFile(join(dir, 'group1-shard2of2.bin'), bytes.subarray(cut));

    const loaded = await getLoadHandler(`file://${dir}/model.json`).load();
    expect(loaded.format).toBe('layers-model');
    expect(loaded.generatedBy).toMatch(/^TensorFlow\.js tfjs-layers v/);
    expect(loaded.modelTopology).toEqual(artifacts.modelTopology);
    expect(loaded.trainingConfig).toEqual(artifacts.trainingConfig);

    const decoded = decodeWeights(loaded);
    const expected = model.weights.map((w) => ({ name: w.originalName, shape: w.shape }));
    expect([...decoded.keys()]).toEqual(expected.map((w) => w.name));
    const tensors = model.getWeights();
    expected.forEach((w, i) => {
      const got = decoded.get(w.name)!;
      expect(got.shape).toEqual(w.shape);
      expect(got.values).toBeInstanceOf(Float32Array);
      expect(Array.from(got.values as ArrayLike<number>)).toEqual(Array.from(tensors[i]!.dataSync()));
    });
  });

  test("TF.js's own loader reads what sora's file:// handler writes", async () => {
    const model = tfModel();
    const artifacts = await tfArtifacts(model);
    await getSaveHandler(`file://${join(dir, 'sora-wrote')}`).save(artifacts);

    const reloaded = await tf.loadLayersModel(`${origin}/sora-wrote/model.json`);
    const before = model.getWeights();
    const after = reloaded.getWeights();
    expect(after.length).toBe(before.length);
    after.forEach((w, i) => {
      expect(w.shape).toEqual(before[i]!.shape);
      expect(Array.from(w.dataSync())).toEqual(Array.from(before[i]!.dataSync()));
    });
    const x = tf.tensor2d([[0.1, -0.2, 0.3], [1, 2, 3]]);
    expect(Array.from((reloaded.predict(x) as tf.Tensor).dataSync()))
      .toEqual(Array.from((model.predict(x) as tf.Tensor).dataSync()));
  });

  test('sora loads over http what TF.js loads, and int32 weights survive both ways', async () => {
    const specs: WeightSpec[] = [{ name: 'counter', shape: [2], dtype: 'int32' }];
    const weightData = new Int32Array([-3, 2147483647]).buffer;
    const artifacts: ModelArtifacts = { ...(await tfArtifacts(tfModel())), weightSpecs: specs, weightData };
    await getSaveHandler(`file://${join(dir, 'ints')}`).save(artifacts);
    const viaHttp = await getLoadHandler(`${origin}/ints/model.json`).load();
    expect(Array.from(decodeWeights(viaHttp).get('counter')!.values as ArrayLike<number>)).toEqual([-3, 2147483647]);
    const tfWeights = await tf.io.loadWeights(
      [{ paths: ['weights.bin'], weights: specs }], `${origin}/ints`);
    expect(Array.from(tfWeights.counter!.dataSync())).toEqual([-3, 2147483647]);
  });
});
