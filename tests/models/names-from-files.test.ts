/**
 * Issue 14, defect 7: a name read from a model file or a config is looked up as an own
 * name only. Every Object.prototype name ('toString', 'constructor', '__proto__',
 * 'hasOwnProperty', ...) is an unknown activation, layer class, loss, optimizer, metric,
 * initializer, constraint, regularizer and dtype, through the public paths (layer factories,
 * compile, loadLayersModel from memory), with an error naming the kind and the value. And a
 * '__proto__' key in a saved layer config does not become the config's prototype.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as sora from '../../src/index.js';

beforeAll(async () => { await sora.setBackend('reference'); });

const PROTO_NAMES = Object.getOwnPropertyNames(Object.prototype);

/** A saved Sequential [Dense(2, inputShape [3])], its Dense entry editable. */
async function saved(): Promise<sora.io.ModelArtifacts> {
  const model = sora.sequential({ layers: [sora.layers.dense({ units: 2, inputShape: [3], name: 'd' })] });
  let artifacts: sora.io.ModelArtifacts | null = null;
  await model.save(sora.io.withSaveHandler((a) => { artifacts = a; }));
  return { ...artifacts!, modelTopology: JSON.parse(JSON.stringify(artifacts!.modelTopology)) };
}

type LayerJson = { class_name: string; config: Record<string, unknown> };
const denseOf = (artifacts: sora.io.ModelArtifacts): LayerJson =>
  (artifacts.modelTopology as { config: { layers: LayerJson[] } }).config.layers.find((l) => l.class_name === 'Dense')!;

async function load(edit: (dense: LayerJson) => void): Promise<sora.LayersModel> {
  const artifacts = await saved();
  edit(denseOf(artifacts));
  // The topology goes through JSON text, as a file would: '__proto__' stays a key of its object.
  const topology = JSON.parse(JSON.stringify(artifacts.modelTopology).replace('"__PROTO__"', '"__proto__"'));
  return sora.loadLayersModel(sora.io.fromMemory({ ...artifacts, modelTopology: topology } as never));
}

describe.each(PROTO_NAMES)('the Object.prototype name %j is unknown everywhere', (name) => {
  it('activation: layers.dense, layers.activation, and a loaded model', async () => {
    expect(() => sora.layers.dense({ units: 1, activation: name as never })).toThrow(`unknown activation ${JSON.stringify(name)}; expected one of 'linear'`);
    expect(() => sora.layers.activation({ activation: name as never })).toThrow(`unknown activation ${JSON.stringify(name)}`);
    await expect(load((d) => { d.config.activation = name; })).rejects.toThrow(`unknown activation ${JSON.stringify(name)}`);
  });

  it('layer class: a loaded model', async () => {
    await expect(load((d) => { d.class_name = name; })).rejects.toThrow(`unknown layer class '${name}' (layer 'd')`);
  });

  it('initializer, constraint, regularizer', () => {
    expect(() => sora.layers.dense({ units: 1, kernelInitializer: name as never })).toThrow(`unknown initializer ${JSON.stringify(name)}`);
    expect(() => sora.layers.dense({ units: 1, biasConstraint: name as never })).toThrow(`unknown constraint ${JSON.stringify(name)}`);
    expect(() => sora.layers.dense({ units: 1, kernelRegularizer: name as never })).toThrow(`unknown regularizer ${JSON.stringify(name)}`);
  });

  it('compile: loss, optimizer, metric; a loss dict keyed by output name', () => {
    const model = sora.sequential({ layers: [sora.layers.dense({ units: 1, inputShape: [2] })] });
    expect(() => model.compile({ optimizer: 'sgd', loss: name as never })).toThrow(`unknown loss ${JSON.stringify(name)}`);
    expect(() => model.compile({ optimizer: name as never, loss: 'mse' as never })).toThrow(`unknown optimizer ${JSON.stringify(name)}`);
    expect(() => model.compile({ optimizer: 'sgd', loss: 'mse' as never, metrics: [name as never] })).toThrow(`unknown metric ${JSON.stringify(name)}`);
  });

  it('dtype', () => {
    expect(() => sora.zeros([1], name as never)).toThrow(/fill: dtype must be one of/);
    expect(() => sora.tensor([1], [1], name as never)).toThrow(/tensor: dtype must be one of/);
  });
});

describe('a model output named after an Object.prototype member', () => {
  it('compile\'s dict by output name does not read Object.prototype', () => {
    const input = sora.input({ shape: [2] });
    const out = sora.layers.dense({ units: 1, name: 'constructor' }).apply(input) as sora.SymbolicTensor;
    const model = sora.model({ inputs: input, outputs: out });
    expect(() => model.compile({ optimizer: 'sgd', loss: {} as never })).toThrow("output 'constructor' is missing from the loss dict");
  });
});

describe('a __proto__ key in a saved layer config', () => {
  it('does not become the config\'s prototype (nor Object.prototype\'s members)', async () => {
    // Before: the converted config's prototype became { activation: 'relu' }, so the Dense
    // layer, with no activation of its own in the file, loaded as relu.
    const model = await load((d) => {
      delete d.config.activation;
      d.config.__PROTO__ = { activation: 'relu', polluted: true };
    });
    const dense = model.layers.find((l) => l.name === 'd') as unknown as { activation: string };
    expect(dense.activation).toBe('linear');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('activation');
  });
});
