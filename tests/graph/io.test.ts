/**
 * The loading side of graph models: graph-model artifacts through memory and
 * file://, every weight dtype and quantization TF.js reads (checked against TF.js's own
 * tf.io.decodeWeights on the same bytes), shards, truncated files, hostile names, and
 * loadLayersModel refusing a graph model.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as sora from '../../src/index.js';
import {
  checkArtifacts,
  decodeWeights,
  getLoadHandler,
  getSaveHandler,
  type ModelArtifacts,
  parseModelJson,
  type WeightSpec,
} from '../../src/io/index.js';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'sora-graph-io-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const HUMAN = 'node_modules/@vladmandic/human/models';

/** Little-endian bytes of typed values. */
const f32 = (values: number[]) => new Uint8Array(new Float32Array(values).buffer);
const i32 = (values: number[]) => new Uint8Array(new Int32Array(values).buffer);
const u16 = (values: number[]) => new Uint8Array(new Uint16Array(values).buffer);
const u8 = (values: number[]) => new Uint8Array(values);
/** TF.js's string layout: per value a uint32 little-endian byte count, then the UTF-8 bytes. */
function strings(values: string[]): Uint8Array {
  const parts = values.map((v) => new TextEncoder().encode(v));
  const out = new Uint8Array(parts.reduce((n, p) => n + 4 + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    new DataView(out.buffer).setUint32(offset, p.length, true);
    out.set(p, offset + 4);
    offset += 4 + p.length;
  }
  return out;
}
function join8(parts: Uint8Array[]): ArrayBuffer {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out.buffer;
}

/** One weight of every dtype and every quantization TF.js reads, with its bytes. */
function everyDtype(): { specs: WeightSpec[]; parts: Uint8Array[] } {
  const cases: [WeightSpec, Uint8Array][] = [
    [{ name: 'f', shape: [2, 2], dtype: 'float32' }, f32([1.5, -2, 3.25, 1e-8])],
    [{ name: 'i', shape: [3], dtype: 'int32' }, i32([7, -8, 2 ** 31 - 1])],
    [{ name: 'b', shape: [4], dtype: 'bool' }, u8([1, 0, 0, 1])],
    [{ name: 's', shape: [3], dtype: 'string' }, strings(['héllo', '', 'graph ✓'])],
    [{ name: 'c', shape: [2], dtype: 'complex64' }, f32([1, 2, -3, 4.5])],
    [
      { name: 'q8', shape: [5], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.1, min: -1 } },
      u8([0, 1, 10, 128, 255]),
    ],
    [
      { name: 'q16', shape: [3], dtype: 'float32', quantization: { dtype: 'uint16', scale: 0.001, min: 2 } },
      u16([0, 513, 65535]),
    ],
    // float16: 1, -2, 65504 (max), 2^-24 (smallest subnormal), -0, Infinity, 0.333 (rounded).
    [
      { name: 'h', shape: [7], dtype: 'float32', quantization: { dtype: 'float16' } },
      u16([0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x7c00, 0x3555]),
    ],
    [
      { name: 'qi8', shape: [4], dtype: 'int32', quantization: { dtype: 'uint8', scale: 0.5, min: -3 } },
      u8([0, 1, 3, 255]),
    ],
    [
      { name: 'qi16', shape: [2], dtype: 'int32', quantization: { dtype: 'uint16', scale: 1.5, min: 1 } },
      u16([3, 40000]),
    ],
  ];
  return { specs: cases.map(([s]) => s), parts: cases.map(([, b]) => b) };
}

async function valuesOf(t: { dtype: string; data(): Promise<unknown> }): Promise<unknown[]> {
  return Array.from((await t.data()) as ArrayLike<unknown>);
}

describe('weights of every dtype TF.js reads', () => {
  test('decode as TF.js decodes the same bytes (values, dtype, shape), quantization included', async () => {
    const { specs, parts } = everyDtype();
    const data = join8(parts);
    const theirs = tf.io.decodeWeights(data, specs as tf.io.WeightsManifestEntry[]);
    const before = sora.memory().numTensors;
    const ours = sora.io.decodeWeights(data, specs);
    expect(Object.keys(ours)).toEqual(specs.map((s) => s.name));
    for (const spec of specs) {
      const a = ours[spec.name]!;
      const b = theirs[spec.name]!;
      expect(a.dtype, spec.name).toBe(b.dtype);
      expect(a.shape, spec.name).toEqual(b.shape);
      expect(await valuesOf(a), spec.name).toEqual(await valuesOf(b));
    }
    // Complex values: the real and imaginary parts, as TF.js pairs them.
    const [re, im] = [sora.real(ours.c!), sora.imag(ours.c!)];
    expect(Array.from(await re.data())).toEqual([1, -3]);
    expect(Array.from(await im.data())).toEqual([2, 4.5]);
    sora.dispose([re, im]);
    sora.dispose(Object.values(ours));
    tf.dispose(Object.values(theirs));
    expect(sora.memory().numTensors).toBe(before);
  });

  test("encodeWeights gives TF.js's bytes and specs for every dtype, and decodes back to the same tensors", async () => {
    const make = (lib: typeof sora | typeof tf) => ({
      f: lib.tensor([1.5, -2, 3], [3]),
      i: lib.tensor([[7, -8]], [1, 2], 'int32'),
      b: lib.tensor([true, false, true], [3], 'bool'),
      s: lib.tensor(['héllo', '', 'graph ✓', 'x'], [2, 2], 'string'),
      c: lib.complex([1, -3], [2, 4.5]),
    });
    const mine = make(sora) as Record<string, sora.Tensor>;
    const theirs = make(tf) as Record<string, tf.Tensor>;
    const ours = await sora.io.encodeWeights(mine, 'model');
    const ref = await tf.io.encodeWeights(theirs, 'model');
    expect(ours.specs).toEqual(ref.specs);
    expect(new Uint8Array(ours.data)).toEqual(new Uint8Array(ref.data as ArrayBuffer));
    const back = sora.io.decodeWeights(ours.data, ours.specs);
    for (const name of Object.keys(mine)) {
      expect(back[name]!.dtype, name).toBe(mine[name]!.dtype);
      expect(await valuesOf(back[name]!), name).toEqual(await valuesOf(mine[name]!));
    }
    sora.dispose([...Object.values(mine), ...Object.values(back)]);
    tf.dispose(Object.values(theirs));
  });

  test('odd offsets: a uint16 weight after an odd number of bytes decodes the same', async () => {
    const specs: WeightSpec[] = [
      { name: 'b', shape: [3], dtype: 'bool' },
      { name: 'h', shape: [2], dtype: 'float32', quantization: { dtype: 'float16' } },
      { name: 'q', shape: [2], dtype: 'float32', quantization: { dtype: 'uint16', scale: 2, min: 1 } },
    ];
    const data = join8([u8([1, 1, 0]), u16([0x3c00, 0x4000]), u16([1, 2])]);
    const decoded = decodeWeights({ weightSpecs: specs, weightData: data });
    expect(Array.from(decoded.get('h')!.values as Float32Array)).toEqual([1, 2]);
    expect(Array.from(decoded.get('q')!.values as Float32Array)).toEqual([3, 5]);
  });

  test('string weights are measured by walking them: a cut string, or bytes left over, is an Error naming the weight', () => {
    const specs: WeightSpec[] = [
      { name: 'words', shape: [2], dtype: 'string' },
      { name: 'n', shape: [1], dtype: 'int32' },
    ];
    const good = join8([strings(['ab', 'cde']), i32([5])]);
    expect(decodeWeights({ weightSpecs: specs, weightData: good }).get('n')!.values).toEqual(new Int32Array([5]));
    expect(() => decodeWeights({ weightSpecs: specs, weightData: good.slice(0, 11) }, 'w.bin')).toThrow(
      "w.bin: string weight 'words' (shape [2]) runs past the end of the data: value 1 of 2 is 3 bytes from byte 10",
    );
    expect(() =>
      decodeWeights({ weightSpecs: specs, weightData: good.slice(0, good.byteLength - 2) }, 'w.bin'),
    ).toThrow(
      /w\.bin: expected 17 bytes for 2 weights, got 15; the data is truncated: weight 'n' \(shape \[1\]\) is the first cut short/,
    );
    expect(() =>
      decodeWeights({ weightSpecs: specs, weightData: join8([new Uint8Array(good), u8([0])]) }, 'w.bin'),
    ).toThrow('w.bin: expected 17 bytes for 2 weights, got 18; the data has trailing bytes');
    // A length prefix that claims gigabytes is caught by the walk, before any allocation.
    const huge = join8([u8([0xff, 0xff, 0xff, 0x7f]), u8([1, 2])]);
    expect(() =>
      decodeWeights({ weightSpecs: [{ name: 'x', shape: [1], dtype: 'string' }], weightData: huge }, 'h.bin'),
    ).toThrow("h.bin: string weight 'x' (shape [1]) runs past the end of the data");
  });

  test('quantization that TF.js refuses is refused by name', () => {
    const bad = (spec: object) => () =>
      checkArtifacts(
        {
          modelTopology: { node: [] },
          format: 'graph-model',
          generatedBy: 'x',
          convertedBy: null,
          weightSpecs: [spec as WeightSpec],
          weightData: new ArrayBuffer(8),
        },
        'm.json',
      );
    expect(bad({ name: 'w', shape: [2], dtype: 'int32', quantization: { dtype: 'float16' } })).toThrow(
      "m.json: weight 'w': float16 quantization applies to float32 weights, not int32",
    );
    expect(bad({ name: 'w', shape: [2], dtype: 'string', quantization: { dtype: 'uint8', scale: 1, min: 0 } })).toThrow(
      "m.json: weight 'w': uint8 quantization applies to float32 and int32 weights, not string",
    );
    expect(bad({ name: 'w', shape: [8], dtype: 'float32', quantization: { dtype: 'uint8', scale: 1 } })).toThrow(
      'uint8 quantization needs finite scale and min, got scale=1, min=undefined',
    );
  });

  test('10 MB of quantized weights decode in well under a second (typed-array views, a float16 lookup table)', () => {
    const n = 2_500_000;
    const specs: WeightSpec[] = [
      { name: 'h', shape: [n], dtype: 'float32', quantization: { dtype: 'float16' } },
      { name: 'q', shape: [n], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.01, min: -1 } },
      { name: 'f', shape: [n / 2], dtype: 'float32' },
    ];
    const data = new ArrayBuffer(2 * n + n + 2 * n);
    new Uint8Array(data).fill(0x3c);
    decodeWeights({ weightSpecs: specs, weightData: data }); // builds the lookup table once
    const start = performance.now();
    const decoded = decodeWeights({ weightSpecs: specs, weightData: data });
    const ms = performance.now() - start;
    expect((decoded.get('h')!.values as Float32Array)[n - 1]).toBe(1.05859375); // 0x3c3c
    expect((decoded.get('q')!.values as Float32Array)[0]).toBeCloseTo(-1 + 0.6, 6);
    expect(ms).toBeLessThan(1000);
  });
});

/** A tiny graph model: x (Placeholder) -> Mul by Const w -> y; with the fields a SavedModel conversion adds. */
function graphArtifacts(extra: Partial<ModelArtifacts> = {}): ModelArtifacts {
  const modelTopology = {
    node: [
      {
        name: 'x',
        op: 'Placeholder',
        attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '2' }] } } },
      },
      {
        name: 'w',
        op: 'Const',
        attr: {
          dtype: { type: 'DT_FLOAT' },
          value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '2' }] } } },
        },
      },
      { name: 'y', op: 'Mul', input: ['x', 'w'], attr: { T: { type: 'DT_FLOAT' } } },
    ],
    versions: { producer: 1395, minConsumer: 12 },
  };
  const { specs, parts } = everyDtype();
  return {
    modelTopology,
    format: 'graph-model',
    generatedBy: '2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    weightSpecs: [{ name: 'w', shape: [2], dtype: 'float32' }, ...specs],
    weightData: join8([f32([2, 3]), ...parts]),
    signature: {
      inputs: { 'x:0': { name: 'x:0', dtype: 'DT_FLOAT' } },
      outputs: { out: { name: 'y:0', dtype: 'DT_FLOAT' } },
    },
    userDefinedMetadata: { note: 'kept' },
    modelInitializer: { node: [] },
    initializerSignature: { outputs: {} },
    ...extra,
  };
}

describe('graph-model artifacts', () => {
  test('a file:// round trip keeps the format, signature, initializer, metadata, specs and bytes', async () => {
    const a = graphArtifacts();
    const folder = join(dir, 'round-trip');
    await getSaveHandler(`file://${folder}`).save(a);
    const json = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8'));
    expect(Object.keys(json)).toEqual([
      'modelTopology',
      'format',
      'generatedBy',
      'convertedBy',
      'weightsManifest',
      'signature',
      'userDefinedMetadata',
      'modelInitializer',
      'initializerSignature',
    ]);
    const loaded = await getLoadHandler(`file://${folder}/model.json`).load();
    expect(loaded.format).toBe('graph-model');
    for (const key of [
      'modelTopology',
      'weightSpecs',
      'signature',
      'userDefinedMetadata',
      'modelInitializer',
      'initializerSignature',
    ] as const) {
      expect(loaded[key], key).toEqual(a[key]);
    }
    expect(new Uint8Array(loaded.weightData)).toEqual(new Uint8Array(a.weightData));
  });

  test('localstorage:// keeps a graph model whole (signature, initializer, string weights), as TF.js stores it', async () => {
    const items = new Map<string, string>();
    const store = {
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => void items.set(k, String(v)),
      removeItem: (k: string) => void items.delete(k),
    };
    (globalThis as { localStorage?: unknown }).localStorage = store;
    try {
      const a = graphArtifacts();
      await getSaveHandler('localstorage://graph').save(a);
      const metadata = JSON.parse(items.get('tensorflowjs_models/graph/model_metadata')!);
      expect(metadata.format).toBe('graph-model');
      expect(metadata.signature).toEqual(a.signature);
      const loaded = await getLoadHandler('localstorage://graph').load();
      for (const key of ['format', 'signature', 'modelInitializer', 'initializerSignature', 'userDefinedMetadata', 'weightSpecs'] as const) {
        expect(loaded[key], key).toEqual(a[key]);
      }
      expect(new Uint8Array(loaded.weightData)).toEqual(new Uint8Array(a.weightData));
    } finally {
      delete (globalThis as { localStorage?: unknown }).localStorage;
    }
  });

  test('a group split over several shards, with string weights among them, reads back whole', async () => {
    const a = graphArtifacts();
    const bytes = new Uint8Array(a.weightData);
    const folder = join(dir, 'shards');
    await sora.io.getSaveHandler(`file://${folder}`).save(a); // makes the folder
    const cut1 = 7,
      cut2 = 40; // shard boundaries that split weights (and the string weight's prefix) mid-value
    await writeFile(join(folder, 'g1-s1.bin'), bytes.slice(0, cut1));
    await writeFile(join(folder, 'g1-s2.bin'), bytes.slice(cut1, cut2));
    await writeFile(join(folder, 'g1-s3.bin'), bytes.slice(cut2));
    const json = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8'));
    json.weightsManifest = [{ paths: ['g1-s1.bin', 'g1-s2.bin', 'g1-s3.bin'], weights: a.weightSpecs }];
    await writeFile(join(folder, 'model.json'), JSON.stringify(json));
    const loaded = await getLoadHandler(`file://${folder}/model.json`).load();
    expect(new Uint8Array(loaded.weightData)).toEqual(bytes);
  });

  test('a weights file shorter than its manifest is an Error naming the file and the weight cut short', async () => {
    const a = graphArtifacts();
    const folder = join(dir, 'truncated');
    await getSaveHandler(`file://${folder}`).save(a);
    const full = new Uint8Array(await readFile(join(folder, 'weights.bin')));
    await writeFile(join(folder, 'weights.bin'), full.slice(0, full.length - 3));
    await expect(getLoadHandler(`file://${folder}`).load()).rejects.toThrow(
      `${folder}/weights.bin: expected ${full.length} bytes for 11 weights (w, f, i, b, s, c, q8, q16, h, qi8, qi16), ` +
        `got ${full.length - 3}; the data is truncated: weight 'qi16' (shape [2]) is the first cut short`,
    );
    // Cut inside the string weight: the walk names it.
    await writeFile(join(folder, 'weights.bin'), full.slice(0, 40));
    await expect(getLoadHandler(`file://${folder}`).load()).rejects.toThrow(
      `${folder}/weights.bin: string weight 's' (shape [3]) runs past the end of the data`,
    );
  });

  test("'__proto__' in a model.json (topology, signature, weights) is refused before anything is read", () => {
    const a = graphArtifacts();
    const text = JSON.stringify({
      ...a,
      weightData: undefined,
      weightSpecs: undefined,
      weightsManifest: [{ paths: ['w.bin'], weights: a.weightSpecs }],
    });
    expect(() => parseModelJson(text, 'ok.json')).not.toThrow();
    const withKey = (where: string) => text.replace(where, `${where}"__proto__": {"name": "x:0"}, `);
    expect(() => parseModelJson(withKey('"inputs":{'), 'sig.json')).toThrow(
      "sig.json: not a valid model.json: a '__proto__' key is not allowed",
    );
    expect(() => parseModelJson(withKey('"versions":{'), 'top.json')).toThrow("a '__proto__' key is not allowed");
    expect(() =>
      parseModelJson(text.replace('"weights":[{"name":"w"', '"weights":[{"name":"__proto__"'), 'w.json'),
    ).toThrow("w.json: weightsManifest[0]: weight '__proto__': the name '__proto__' is not allowed");
    expect(() =>
      parseModelJson(
        text.replace('"signature":{', '"signature":[{').replace(',"userDefinedMetadata"', '],"userDefinedMetadata"'),
        's.json',
      ),
    ).toThrow('s.json: expected signature to be a JSON object');
  });

  test('loadLayersModel refuses a graph model and says to use loadGraphModel', async () => {
    const before = sora.memory().numTensors;
    await expect(sora.loadLayersModel(`file://${HUMAN}/emotion.json`)).rejects.toThrow(
      `loadLayersModel(file://${HUMAN}/emotion.json): this is a TF.js graph model (format 'graph-model': a TensorFlow ` +
        'graph converted by tensorflowjs_converter), not a layers model; load it with sora.loadGraphModel',
    );
    // A GraphDef without the format field is recognised too.
    const a = graphArtifacts({ format: undefined as unknown as 'graph-model' });
    await expect(sora.loadLayersModel(sora.io.fromMemory(a))).rejects.toThrow('load it with sora.loadGraphModel');
    expect(sora.memory().numTensors).toBe(before);
  });

  test('the real human models parse as graph models and their weights decode as TF.js decodes them', async () => {
    for (const name of ['emotion', 'blazeface']) {
      const artifacts = await getLoadHandler(`file://${HUMAN}/${name}.json`).load();
      expect(artifacts.format).toBe('graph-model');
      const ours = decodeWeights(artifacts, name);
      const theirs = tf.io.decodeWeights(artifacts.weightData, artifacts.weightSpecs as tf.io.WeightsManifestEntry[]);
      for (const [key, weight] of ours) {
        const expected = await theirs[key]!.data();
        expect(weight.dtype, key).toBe(theirs[key]!.dtype);
        expect(Array.from(weight.values as Float32Array), `${name}/${key}`).toEqual(
          Array.from(expected as Float32Array),
        );
      }
      tf.dispose(Object.values(theirs));
    }
  });
});
