import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtemp, readFile, realpath, rm, writeFile, mkdir, readdir, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  checkWeightPath, decodeWeights, encodeWeights, fromMemory, getLoadHandler, getSaveHandler, modelJsonFromArtifacts,
  parseModelJson, withSaveHandler, type ModelArtifacts, type WeightSpec,
} from '../../src/io/index.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'sora-io-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

const topology = {
  class_name: 'Sequential',
  config: { name: 'sequential_1', layers: [{ class_name: 'Dense', config: { units: 2, name: 'dense_1' } }] },
  keras_version: 'tfjs-layers 4.22.0',
  backend: 'tensor_flow.js',
};

function artifacts(): ModelArtifacts {
  const { weightSpecs, weightData } = encodeWeights([
    { name: 'dense_1/kernel', values: new Float32Array([0.5, -1.25, 3, 1e-7, -0, 42]), shape: [3, 2] },
    { name: 'dense_1/bias', values: new Float32Array([0.1, -0.2]), shape: [2] },
    { name: 'step', values: new Int32Array([-7]), shape: [] },
  ]);
  return {
    modelTopology: topology, weightSpecs, weightData, format: 'layers-model', generatedBy: 'sora v0.1.0',
    convertedBy: null,
    trainingConfig: { loss: 'categoricalCrossentropy', metrics: ['acc'], optimizer_config: { class_name: 'Adam', config: {} } },
  };
}

/** Writes a model.json (given as an object) and weight files into a fresh folder. */
async function writeModel(name: string, json: unknown, files: Record<string, Uint8Array | ArrayBuffer> = {}): Promise<string> {
  const folder = join(dir, name);
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'model.json'), typeof json === 'string' ? json : JSON.stringify(json));
  for (const [file, bytes] of Object.entries(files)) {
    await writeFile(join(folder, file), bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
  }
  return folder;
}

function manifestJson(specs: unknown[], paths = ['weights.bin'], extra: object = {}) {
  return { modelTopology: topology, format: 'layers-model', generatedBy: 'test', convertedBy: null,
    weightsManifest: [{ paths, weights: specs }], ...extra };
}

describe('encodeWeights / decodeWeights', () => {
  test('concatenates little-endian float32 and int32, decodes each into its own array', () => {
    const { weightSpecs, weightData } = artifacts();
    expect(weightSpecs).toEqual([
      { name: 'dense_1/kernel', shape: [3, 2], dtype: 'float32' },
      { name: 'dense_1/bias', shape: [2], dtype: 'float32' },
      { name: 'step', shape: [], dtype: 'int32' },
    ]);
    expect(weightData.byteLength).toBe(36);
    const view = new DataView(weightData);
    expect(view.getFloat32(4, true)).toBe(-1.25);
    expect(view.getInt32(32, true)).toBe(-7);
    const decoded = decodeWeights({ weightSpecs, weightData });
    expect([...decoded.keys()]).toEqual(['dense_1/kernel', 'dense_1/bias', 'step']);
    expect(Array.from(decoded.get('dense_1/kernel')!.values as ArrayLike<number>)).toEqual(Array.from(new Float32Array([0.5, -1.25, 3, 1e-7, -0, 42])));
    expect(decoded.get('dense_1/kernel')!.shape).toEqual([3, 2]);
    expect(decoded.get('step')!.values).toBeInstanceOf(Int32Array);
    expect(Array.from(decoded.get('step')!.values as ArrayLike<number>)).toEqual([-7]);
    // Decoded arrays own their memory: changing one leaves the artifacts alone.
    decoded.get('dense_1/bias')!.values[0] = 99;
    expect(view.getFloat32(24, true)).toBeCloseTo(0.1, 6);
  });

  test('encodeWeights checks sizes and names', () => {
    expect(() => encodeWeights([{ name: 'w', values: new Float32Array(5), shape: [2, 3] }]))
      .toThrow("encodeWeights: weight 'w': shape [2, 3] holds 6 values, but 5 were given");
    expect(() => encodeWeights([
      { name: 'w', values: new Float32Array(1), shape: [1] }, { name: 'w', values: new Float32Array(1), shape: [1] },
    ])).toThrow("weight 'w' appears twice");
    expect(() => encodeWeights([{ name: 'w', values: [1] as unknown as Float32Array, shape: [1] }]))
      .toThrow("weight 'w': expected a Float32Array or Int32Array, got Array");
  });

  test('weightData must hold exactly the bytes the specs describe', () => {
    const { weightSpecs, weightData } = artifacts();
    expect(() => decodeWeights({ weightSpecs, weightData: weightData.slice(0, 35) }, 'weights.bin'))
      .toThrow('weights.bin: expected 36 bytes for 3 weights, got 35; the data is truncated');
    expect(() => decodeWeights({ weightSpecs, weightData: new ArrayBuffer(40) }))
      .toThrow('weightData: expected 36 bytes for 3 weights, got 40; the data has trailing bytes');
  });

  test('dequantizes uint8, uint16 and float16 weights as TF.js does', () => {
    const data = new Uint8Array(2 + 4 + 6 + 2);
    data.set([0, 255], 0); // uint8, scale 0.5, min -1  -> -1, 126.5
    new DataView(data.buffer).setUint16(2, 1000, true); // uint16 -> 1000 * 0.25 + 3
    new DataView(data.buffer).setUint16(4, 2, true);
    const halves = [0x3c00, 0xc000, 0x7bff]; // 1, -2, 65504
    halves.forEach((h, i) => new DataView(data.buffer).setUint16(6 + 2 * i, h, true));
    data.set([10, 20], 12); // uint8 into int32, rounded
    const weightSpecs: WeightSpec[] = [
      { name: 'a', shape: [2], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
      { name: 'b', shape: [2], dtype: 'float32', quantization: { dtype: 'uint16', scale: 0.25, min: 3 } },
      { name: 'c', shape: [3], dtype: 'float32', quantization: { dtype: 'float16' } },
      { name: 'd', shape: [2], dtype: 'int32', quantization: { dtype: 'uint8', scale: 0.3, min: 0 } },
    ];
    const decoded = decodeWeights({ weightSpecs, weightData: data.buffer });
    expect(Array.from(decoded.get('a')!.values as ArrayLike<number>)).toEqual([-1, 126.5]);
    expect(Array.from(decoded.get('b')!.values as ArrayLike<number>)).toEqual([253, 3.5]);
    expect(Array.from(decoded.get('c')!.values as ArrayLike<number>)).toEqual([1, -2, 65504]);
    expect(decoded.get('d')!.values).toBeInstanceOf(Int32Array);
    expect(Array.from(decoded.get('d')!.values as ArrayLike<number>)).toEqual([3, 6]);
    expect(() => decodeWeights({ weightSpecs: [{ name: 'q', shape: [1], dtype: 'float32', quantization: { dtype: 'uint8' } }],
      weightData: new ArrayBuffer(1) })).toThrow("weight 'q': uint8 quantization needs finite scale and min");
  });
});

describe('hostile manifests', () => {
  const spec = (over: object) => ({ name: 'w', shape: [2], dtype: 'float32', ...over });
  const cases: [string, unknown, string | RegExp][] = [
    ['unknown dtype', spec({ dtype: 'float64' }),
      `weight 'w': unsupported dtype "float64"; expected one of 'float32', 'int32', 'bool', 'string', 'complex64'`],
    ['uint8-quantized bool', spec({ dtype: 'bool', quantization: { dtype: 'uint8', scale: 1, min: 0 } }),
      'uint8 quantization applies to float32 and int32 weights, not bool'],
    ['negative dim', spec({ shape: [2, -1] }), `weight 'w': shape [2, -1] has -1 at axis 1; expected a non-negative integer`],
    ['fractional dim', spec({ shape: [1.5] }), 'has 1.5 at axis 0'],
    ['string dim', spec({ shape: ['2'] }), 'has "2" at axis 0'],
    ['overflowing shape', spec({ shape: [2 ** 30, 2 ** 30, 2 ** 30] }), /shape \[1073741824, 1073741824, 1073741824\] overflows/],
    ['__proto__ name', spec({ name: '__proto__' }), `the name '__proto__' is not allowed`],
    ['constructor name', spec({ name: 'constructor' }), `the name 'constructor' is not allowed`],
    ['empty name', spec({ name: '' }), 'expected a non-empty string name'],
    ['no shape', { name: 'w', dtype: 'float32' }, 'expected shape to be an array'],
    ['not an object', 'w', 'expected an object {name, shape, dtype}'],
    ['bad quantization', spec({ quantization: { dtype: 'int4' } }), `unknown quantization dtype "int4"`],
  ];
  for (const [what, bad, message] of cases) {
    test(`rejects ${what}`, () => {
      expect(() => parseModelJson(JSON.stringify(manifestJson([bad])), 'm/model.json')).toThrow(message);
      expect(() => decodeWeights({ weightSpecs: [bad as WeightSpec], weightData: new ArrayBuffer(8) })).toThrow(message);
    });
  }

  test('rejects weight paths that leave the model folder', () => {
    const bad = ['../secret.bin', 'a/../../secret.bin', '/etc/passwd', 'C:/Windows/win.ini', 'c:weights.bin',
      'http://evil.example/w.bin', '//evil.example/w.bin', '..\\secret.bin', '%2e%2e/secret.bin', '.%2E/secret.bin',
      'a%2f..%2f..%2fsecret', 'w.bin\u0000.txt', '', 7];
    for (const path of bad) {
      expect(() => checkWeightPath(path, 'model.json'), String(path)).toThrow(/paths must stay inside the model's folder/);
      expect(() => parseModelJson(JSON.stringify(manifestJson([spec({})], [path as string])), 'model.json'))
        .toThrow(/weightsManifest\[0\]: weight path .* paths must stay inside/);
    }
    for (const path of ['weights.bin', './weights.bin', 'shards/group1-shard1of2.bin', 'a..b.bin', '...']) {
      expect(() => checkWeightPath(path, 'model.json'), path).not.toThrow();
    }
  });

  test('rejects a __proto__ key anywhere in model.json', () => {
    const text = JSON.stringify(manifestJson([spec({})])).replace('"class_name"', '"__proto__":{"polluted":1},"class_name"');
    expect(() => parseModelJson(text, 'evil/model.json')).toThrow("evil/model.json: not a valid model.json: a '__proto__' key is not allowed");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('rejects other formats, missing topology, bad JSON, duplicate names across groups', () => {
    expect(() => parseModelJson(JSON.stringify({ ...manifestJson([]), format: 'saved-model' }), 'g/model.json'))
      .toThrow(`g/model.json: format is "saved-model"; expected 'layers-model' (loadLayersModel) or 'graph-model' (loadGraphModel)`);
    expect(() => parseModelJson(JSON.stringify({ weightsManifest: [] }), 'x.json')).toThrow('x.json: the modelTopology field is missing');
    expect(() => parseModelJson('{"modelTopology": ', 'cut.json')).toThrow('cut.json: not a valid model.json');
    expect(() => parseModelJson('[]', 'arr.json')).toThrow('arr.json: expected a JSON object');
    const twice = { ...manifestJson([spec({})]), weightsManifest: [
      { paths: ['a.bin'], weights: [spec({})] }, { paths: ['b.bin'], weights: [spec({})] }] };
    expect(() => parseModelJson(JSON.stringify(twice), 'dup.json')).toThrow("dup.json: weight 'w' appears twice");
    expect(() => parseModelJson(JSON.stringify({ ...manifestJson([]), weightsManifest: [{ paths: 'w.bin', weights: [] }] }), 'p.json'))
      .toThrow('p.json: weightsManifest[0]: expected {paths: string[], weights: [...]}');
  });

  test('a weight file that is a symbolic link out of the folder is refused', async () => {
    const a = artifacts();
    await writeFile(join(dir, 'outside.bin'), new Uint8Array(a.weightData));
    const folder = await writeModel('symlinked', modelJsonFromArtifacts(a));
    await symlink(join(dir, 'outside.bin'), join(folder, 'weights.bin'));
    await expect(getLoadHandler(`file://${folder}`).load())
      .rejects.toThrow(`cannot read weight file ${folder}/weights.bin: it resolves to ${await realpath(join(dir, 'outside.bin'))}, outside the model's folder`);
    // A link that stays inside the folder is fine.
    const inside = await writeModel('linked-inside', modelJsonFromArtifacts(a), { 'real.bin': a.weightData });
    await symlink('real.bin', join(inside, 'weights.bin'));
    expect((await getLoadHandler(`file://${inside}`).load()).weightData.byteLength).toBe(36);
  });

  test('a traversal path fails before any file outside the folder is read', async () => {
    await writeFile(join(dir, 'secret.bin'), new Uint8Array(8));
    const folder = await writeModel('traversal', manifestJson([spec({})], ['../secret.bin']));
    await expect(getLoadHandler(`file://${folder}/model.json`).load())
      .rejects.toThrow(`weight path "../secret.bin" has a '..' segment`);
  });
});

describe('file:// handler', () => {
  test('save writes model.json and weights.bin as TF.js does; load reads them back', async () => {
    const original = artifacts();
    const target = join(dir, 'round', 'trip');
    const result = await getSaveHandler(`file://${target}`).save(original);
    expect(result.modelArtifactsInfo.modelTopologyType).toBe('JSON');
    expect(result.modelArtifactsInfo.weightDataBytes).toBe(36);
    expect((await readdir(target)).sort()).toEqual(['model.json', 'weights.bin']);

    const json = JSON.parse(await readFile(join(target, 'model.json'), 'utf8'));
    expect(Object.keys(json)).toEqual(['modelTopology', 'format', 'generatedBy', 'convertedBy', 'weightsManifest', 'trainingConfig']);
    expect(json).toEqual({
      modelTopology: topology, format: 'layers-model', generatedBy: 'sora v0.1.0', convertedBy: null,
      weightsManifest: [{ paths: ['weights.bin'], weights: original.weightSpecs }],
      trainingConfig: original.trainingConfig,
    });
    expect(new Uint8Array(await readFile(join(target, 'weights.bin')))).toEqual(new Uint8Array(original.weightData));

    for (const url of [`file://${target}`, `file://${target}/model.json`, `file://${target}/`]) {
      const loaded = await getLoadHandler(url).load();
      expect(loaded.modelTopology).toEqual(topology);
      expect(loaded.weightSpecs).toEqual(original.weightSpecs);
      expect(loaded.trainingConfig).toEqual(original.trainingConfig);
      expect([loaded.format, loaded.generatedBy, loaded.convertedBy]).toEqual(['layers-model', 'sora v0.1.0', null]);
      expect(new Uint8Array(loaded.weightData)).toEqual(new Uint8Array(original.weightData));
    }
  });

  test('a relative file:// path is relative to the working directory; a .json path names the file', async () => {
    const relativePath = relative(process.cwd(), join(dir, 'rel'));
    expect(relativePath.startsWith('/')).toBe(false);
    await getSaveHandler(`file://${relativePath}`).save(artifacts());
    expect((await readdir(join(dir, 'rel'))).sort()).toEqual(['model.json', 'weights.bin']);
    expect((await getLoadHandler(`file://${relativePath}`).load()).weightSpecs.length).toBe(3);
    await getSaveHandler(`file://${join(dir, 'named', 'my-model.json')}`).save(artifacts());
    expect((await readdir(join(dir, 'named'))).sort()).toEqual(['my-model.json', 'weights.bin']);
    const loaded = await getLoadHandler(`file://${join(dir, 'named', 'my-model.json')}`).load();
    expect(loaded.weightData.byteLength).toBe(36);
  });

  test('save refuses invalid artifacts and writes nothing', async () => {
    const bad = { ...artifacts(), weightData: new ArrayBuffer(4) };
    await expect(getSaveHandler(`file://${join(dir, 'never')}`).save(bad))
      .rejects.toThrow('expected 36 bytes for 3 weights, got 4');
    await expect(readdir(join(dir, 'never'))).rejects.toThrow();
    await writeFile(join(dir, 'plainfile'), 'x');
    await expect(getSaveHandler(`file://${join(dir, 'plainfile')}`).save(artifacts()))
      .rejects.toThrow('exists and is not a folder');
  });

  test('a truncated weights.bin names the file and the byte counts', async () => {
    const a = artifacts();
    const folder = await writeModel('truncated', modelJsonFromArtifacts(a), { 'weights.bin': a.weightData.slice(0, 30) });
    await expect(getLoadHandler(`file://${folder}`).load()).rejects.toThrow(
      `${folder}/weights.bin: expected 36 bytes for 3 weights (dense_1/kernel, dense_1/bias, step), got 30; the data is truncated`);
  });

  test('missing files are errors naming the path', async () => {
    await expect(getLoadHandler(`file://${join(dir, 'nothing-here')}`).load()).rejects.toThrow("no file or folder at");
    const a = artifacts();
    const folder = await writeModel('nobin', modelJsonFromArtifacts(a));
    await expect(getLoadHandler(`file://${folder}`).load()).rejects.toThrow(`cannot read weight file ${folder}/weights.bin`);
  });

  test('groups and shards are concatenated in manifest order', async () => {
    const a = artifacts();
    const bytes = new Uint8Array(a.weightData);
    // Group 1: the kernel split across two shards mid-value; group 2: bias and step.
    const json = { ...modelJsonFromArtifacts(a), weightsManifest: [
      { paths: ['group1-shard1of2.bin', './sub/group1-shard2of2.bin'], weights: a.weightSpecs.slice(0, 1) },
      { paths: ['group2-shard1of1.bin'], weights: a.weightSpecs.slice(1) },
    ] };
    const folder = await writeModel('sharded', json, {
      'group1-shard1of2.bin': bytes.slice(0, 10), 'group2-shard1of1.bin': bytes.slice(24),
    });
    await mkdir(join(folder, 'sub'));
    await writeFile(join(folder, 'sub', 'group1-shard2of2.bin'), bytes.slice(10, 24));
    const loaded = await getLoadHandler(`file://${folder}/model.json`).load();
    expect(loaded.weightSpecs.map((s) => s.name)).toEqual(['dense_1/kernel', 'dense_1/bias', 'step']);
    expect(new Uint8Array(loaded.weightData)).toEqual(bytes);
    expect(Array.from(decodeWeights(loaded).get('step')!.values as ArrayLike<number>)).toEqual([-7]);
    // A short shard in group 1 is reported against that group's files.
    await writeFile(join(folder, 'group1-shard1of2.bin'), bytes.slice(0, 9));
    await expect(getLoadHandler(`file://${folder}`).load())
      .rejects.toThrow(`${folder}/group1-shard1of2.bin + ${folder}/sub/group1-shard2of2.bin: expected 24 bytes for 1 weight (dense_1/kernel), got 23`);
  });
});

describe('routing and memory handlers', () => {
  test('schemes pick handlers; unknown ones and save-only misuse are clear errors', () => {
    expect(() => getSaveHandler('ftp://x')).toThrow("cannot save to 'ftp://x': expected a URL starting with one of file://");
    expect(() => getSaveHandler('https://x/model.json')).toThrow('saving over HTTP is not supported');
    expect(() => getSaveHandler('models/x')).toThrow("cannot save to 'models/x'");
    expect(() => getLoadHandler('downloads://m')).toThrow('downloads:// is save-only');
    expect(() => getLoadHandler('gopher://m')).toThrow("cannot load from 'gopher://m'");
    for (const url of ['file://a', 'indexeddb://a', 'localstorage://a', 'downloads://a']) {
      expect(typeof getSaveHandler(url).save).toBe('function');
    }
    const handler = { save: async () => ({ modelArtifactsInfo: {} as never }) };
    expect(getSaveHandler(handler)).toBe(handler);
  });

  test('browser stores say so outside a browser', async () => {
    await expect(getSaveHandler('indexeddb://m').save(artifacts())).rejects.toThrow('indexeddb://m: this environment has no IndexedDB');
    await expect(getLoadHandler('localstorage://m').load()).rejects.toThrow('localstorage://m: this environment has no localStorage');
    await expect(getSaveHandler('downloads://m').save(artifacts())).rejects.toThrow('downloads need a browser page');
  });

  test('relative URLs need a page outside the browser', async () => {
    await expect(getLoadHandler('models/model.json').load()).rejects.toThrow('a relative URL needs a page to resolve against');
  });

  test('http(s) loads model.json and weights via fetch, relative to model.json', async () => {
    const a = artifacts();
    const files: Record<string, BodyInit> = {
      'https://models.test/m/model.json': JSON.stringify(modelJsonFromArtifacts(a, 'w/weights.bin')),
      'https://models.test/m/w/weights.bin': a.weightData,
    };
    const fetched: string[] = [];
    const fetchFunc = (async (url: string, init?: RequestInit) => {
      fetched.push(url);
      expect(init).toEqual({ credentials: 'include' });
      return url in files ? new Response(files[url]) : new Response('nope', { status: 404, statusText: 'Not Found' });
    }) as typeof fetch;
    const loaded = await getLoadHandler('https://models.test/m/model.json', { fetchFunc, requestInit: { credentials: 'include' } }).load();
    expect(fetched).toEqual(['https://models.test/m/model.json', 'https://models.test/m/w/weights.bin']);
    expect(new Uint8Array(loaded.weightData)).toEqual(new Uint8Array(a.weightData));
    await expect(getLoadHandler('https://models.test/other/model.json', { fetchFunc, requestInit: { credentials: 'include' } }).load())
      .rejects.toThrow('fetching https://models.test/other/model.json failed: HTTP 404 Not Found');
  });

  test('fromMemory and withSaveHandler check the artifacts', async () => {
    const a = artifacts();
    let saved: ModelArtifacts | undefined;
    const result = await withSaveHandler((x) => { saved = x; }).save(a);
    expect(saved).toBe(a);
    expect(result.modelArtifactsInfo.weightDataBytes).toBe(36);
    const split = { ...a, weightData: [a.weightData.slice(0, 5), a.weightData.slice(5)] };
    const loaded = await fromMemory(split).load();
    expect(new Uint8Array(loaded.weightData)).toEqual(new Uint8Array(a.weightData));
    await expect(fromMemory({ ...a, weightData: new ArrayBuffer(0) }).load()).rejects.toThrow('fromMemory: expected 36 bytes');
    await expect(withSaveHandler(() => undefined).save({ ...a, format: 'onnx' as 'layers-model' }))
      .rejects.toThrow(`withSaveHandler: format is "onnx"`);
  });
});
