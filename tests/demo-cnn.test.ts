/**
 * The demo page's CNN option (demo/, served by demo/serve.mjs, headless Chromium): the network of
 * examples/mnist-cnn.mjs trains on the page, on wasm and on WebGPU (SwiftShader here), with the
 * progress, curves and prediction grid of the MLPs, evaluating in chunks of 128 images so the page
 * keeps painting; Stop stops it mid-epoch; the page builds the same seeded weights as the example
 * does in Node; what the page predicts from its trained weights is what Node predicts from them;
 * and the trained CNN moves across backends and survives a reload through IndexedDB.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'puppeteer-core';
import * as sora from '../src/index.js';
import { launchChromium, requireChromium, type ChromiumSession } from './runtimes/chromium.js';
// @ts-expect-error: plain ES module without type declarations
import { serveDemo } from '../demo/serve.mjs';
// @ts-expect-error: plain ES module without type declarations
import { mnistCnn } from '../examples/mnist-cnn.mjs';

interface ChartPoints { loss: { train: number; val: number }; acc: { train: number; val: number } }
interface Demo {
  status: string; backend: string | null; modelSource: string | null; errors: string[];
  lastLogs: Record<string, number> | null; history: { epoch: number[] } | null; points: ChartPoints;
  grid: { predicted: number[]; probabilities: number[] } | null;
}
interface Opened { page: Page; read(): Promise<Demo>; until(done: (s: Demo) => boolean, what: string, timeoutMs?: number): Promise<Demo> }

const GRID = 25;
let session: ChromiumSession;
let server: { origin: string; close(): Promise<void> };
/** The first 25 MNIST test images and labels, read in Node from the files the page fetches. */
let testImages: Float32Array;
let testLabels: Uint8Array | Int32Array | number[];

async function open(query: string): Promise<Opened> {
  const page = await session.browser.newPage();
  await page.setViewport({ width: 1200, height: 1100 });
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(`page error: ${(e as Error).message ?? e}`));
  await page.goto(`${server.origin}/${query}`, { waitUntil: 'load' });
  const read = async () => {
    const s = await page.evaluate(() => {
      const d = (window as unknown as { soraDemo: Demo & { chartPoints(): ChartPoints } }).soraDemo;
      return { status: d.status, backend: d.backend, modelSource: d.modelSource, errors: d.errors.slice(), lastLogs: d.lastLogs,
        history: d.history ? { epoch: d.history.epoch.slice() } : null, points: d.chartPoints(), grid: d.grid };
    });
    return { ...s, errors: [...s.errors, ...errors] };
  };
  // Waits on page states, never on time: a shared machine may be slow, but an error fails at once.
  const until = async (done: (s: Demo) => boolean, what: string, timeoutMs = 420_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await read();
      if (s.errors.length) throw new Error(`the page shows an error while waiting for ${what}: ${s.errors.join('; ')}`);
      if (done(s)) return s;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify({ ...s, grid: undefined })}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  return { page, read, until };
}

/** The page's model weights, as plain arrays (read with data(), which works on every backend). */
const pageWeights = (page: Page, which: 'model' | 'seeded') => page.evaluate(async (w) => {
  const d = (window as unknown as { soraDemo: { model: sora.LayersModel; buildModel(name: string, o: { seed: number }): sora.LayersModel } }).soraDemo;
  const model = w === 'model' ? d.model : d.buildModel('cnn', { seed: 16 });
  const weights = model.getWeights();
  const values = await Promise.all(weights.map(async (t) => ({ shape: t.shape, values: Array.from(await t.data()) })));
  if (w === 'seeded') model.dispose();
  return values;
}, which);

/** Node's predictions (wasm) for the first 25 test digits from `weights`, in the network of examples/mnist-cnn.mjs. */
async function nodePredictions(weights: { shape: number[]; values: number[] }[]): Promise<number[]> {
  const model = mnistCnn(sora);
  model.setWeights(weights.map((w) => sora.tensor(w.values, w.shape)));
  const out = sora.tidy(() => model.predict(sora.tensor(testImages, [GRID, 28, 28, 1])) as sora.Tensor);
  const values = Array.from(await out.data());
  out.dispose();
  model.dispose();
  return values;
}

/** The reduced run on both backends: 9 batches of 32 (270 images), seeded, unshuffled; SwiftShader takes minutes for more. */
const REDUCED = 'model=cnn&train=300&epochs=1&batch=32&seed=16';
/** The wasm run's final logs, which the webgpu run (same seed, same batches) should repeat. */
let wasmLogs: Record<string, number> | null = null;

/**
 * After a run of the CNN: the curves have points, the validation accuracy is well above chance
 * (0.1), the grid shows 25 predictions, most of them right, and Node predicts the same from the
 * page's weights.
 */
async function expectTrainedCnn(o: Opened, s: Demo, backend: string): Promise<void> {
  expect(s.backend).toBe(backend);
  expect(s.modelSource).toMatch(/^CNN \(conv 32, 64 \+ dense 128\), trained here on 270 images for 1 epoch$/);
  expect(await o.page.$eval('#model-status', (e) => e.textContent)).toMatch(/\(225,034 weights\)/);
  for (const chart of [s.points.loss, s.points.acc]) {
    expect(chart.train).toBeGreaterThanOrEqual(5);
    expect(chart.val).toBeGreaterThanOrEqual(5);
  }
  // Chance is 0.1; seeded and unshuffled, the run repeats: measured 0.667 on both backends (20 of the 30 validation images).
  expect(s.lastLogs?.val_acc).toBeGreaterThan(0.4);
  expect(await o.page.$eval('#progress-text', (e) => e.textContent)).toMatch(new RegExp(`^Epoch 1/1: .*validation loss [\\d.]+, accuracy ([\\d.]+) · .* examples/s on ${backend}$`));
  expect(await o.page.$eval('#progress', (e) => (e as HTMLProgressElement).value)).toBe(1);
  expect(await o.page.$$eval('#grid figure', (f) => f.length)).toBe(GRID);
  const caption = await o.page.$eval('#grid-caption', (e) => e.textContent ?? '');
  const right = Number(/(\d+) read right/.exec(caption)?.[1]);
  expect(right).toBeGreaterThan(8); // chance is 2.5 of 25; measured 14
  // The grid's captions are the model's predictions (a wrong one names the label as well).
  const captions = await o.page.$$eval('#grid figcaption', (f) => f.map((c) => c.textContent ?? ''));
  expect(captions.map((c) => Number(c.split(' ')[0]))).toEqual(s.grid!.predicted);
  s.grid!.predicted.forEach((p, i) => expect(captions[i]).toBe(p === testLabels[i] ? `${p}` : `${p} (is ${testLabels[i]})`));
  expect(right).toBe(s.grid!.predicted.filter((p, i) => p === testLabels[i]).length);

  const node = await nodePredictions(await pageWeights(o.page, 'model'));
  const page = s.grid!.probabilities;
  expect(page).toHaveLength(GRID * 10);
  let worst = 0;
  for (let i = 0; i < page.length; i++) worst = Math.max(worst, Math.abs(page[i] - node[i]));
  const speed = await o.page.evaluate(() => (window as unknown as { soraDemo: { examplesPerSecond: number } }).soraDemo.examplesPerSecond);
  console.log(`demo CNN on ${backend}: ${speed.toFixed(0)} examples/s, validation accuracy ${s.lastLogs!.val_acc.toFixed(3)}, grid ${right}/25 right, ` +
    `largest difference from Node's probabilities ${worst.toExponential(2)}`);
  expect(worst).toBeLessThan(backend === 'wasm' ? 1e-5 : 1e-3);
  const argMax = (row: number) => { const p = node.slice(row * 10, row * 10 + 10); return p.indexOf(Math.max(...p)); };
  expect(s.grid!.predicted).toEqual(s.grid!.predicted.map((_, i) => argMax(i)));
}

describe("the demo page's CNN (headless Chromium)", () => {
  beforeAll(async () => {
    requireChromium();
    await sora.setBackend('wasm');
    const mnist = await sora.data.loadMnist({ trainLimit: 1, testLimit: GRID });
    testImages = mnist.test.images;
    testLabels = mnist.test.labels;
    server = await serveDemo({ port: 0 });
    session = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await session?.close();
    await server?.close();
    await sora.setBackend('reference');
  });

  test('the CNN option is offered, and the page builds the seeded weights examples/mnist-cnn.mjs builds in Node', async () => {
    const o = await open('?backend=wasm&model=cnn&train=300');
    await o.until((x) => x.status === 'ready', 'the page');
    const option = await o.page.$eval('#model option[value="cnn"]', (e) => ({ disabled: (e as HTMLOptionElement).disabled, text: e.textContent }));
    expect(option).toEqual({ disabled: false, text: 'CNN (conv 32, 64 + dense 128)' });
    expect(await o.page.$eval('#model', (e) => (e as HTMLSelectElement).value)).toBe('cnn');
    const onPage = await pageWeights(o.page, 'seeded');
    const example = mnistCnn(sora, 28, 28, 16) as sora.LayersModel;
    const inNode = example.getWeights();
    expect(onPage.map((w) => w.shape)).toEqual(inNode.map((w) => w.shape));
    expect(onPage.map((w) => w.shape)).toEqual([[3, 3, 1, 32], [32], [3, 3, 32, 64], [64], [1600, 128], [128], [128, 10], [10]]);
    for (let k = 0; k < inNode.length; k++) expect(Float32Array.from(onPage[k].values)).toEqual(inNode[k].dataSync());
    example.dispose();
    const refusals = await o.page.evaluate(() => {
      const { buildModel } = (window as unknown as { soraDemo: { buildModel(name: string, o?: { seed?: unknown }): unknown } }).soraDemo;
      const refusal = (f: () => unknown) => { try { f(); return null; } catch (e) { return (e as Error).message; } };
      return [refusal(() => buildModel('lenet')), refusal(() => buildModel('cnn', { seed: 1.5 }))];
    });
    expect(refusals).toEqual([`buildModel: unknown model "lenet"; expected one of 'mlp', 'wide', 'cnn'`,
      'buildModel: seed must be an integer; received seed=1.5']);
    await o.page.close();
  }, 240_000);

  test('on wasm: a reduced run (9 batches) rises well above chance, fills the grid, and agrees with Node', async () => {
    const o = await open(`?backend=wasm&${REDUCED}`);
    await o.until((x) => x.status === 'ready', 'the page on wasm');
    // evaluate runs to its end in one task on wasm: the page's probes (270 + 30 images here) and validation go in chunks.
    await o.page.evaluate(() => {
      const w = window as unknown as { soraDemo: { sora: typeof sora }; evaluated: number[] };
      w.evaluated = [];
      const proto = w.soraDemo.sora.LayersModel.prototype as unknown as { evaluate(x: sora.Tensor, ...rest: unknown[]): unknown };
      const evaluate = proto.evaluate;
      proto.evaluate = function (this: unknown, x: sora.Tensor, ...rest: unknown[]) { w.evaluated.push(x.shape[0]); return evaluate.call(this, x, ...rest); };
    });
    await o.page.click('#train');
    const s = await o.until((x) => x.status === 'ready' && x.modelSource !== null, 'the CNN to train on wasm');
    const evaluated = await o.page.evaluate(() => (window as unknown as { evaluated: number[] }).evaluated);
    expect(Math.max(...evaluated)).toBe(128);
    expect(evaluated.slice(0, 4)).toEqual([128, 128, 14, 30]); // the first probe: training images, then validation
    await expectTrainedCnn(o, s, 'wasm');
    wasmLogs = s.lastLogs;
    await o.page.close();
  }, 480_000);

  test('on webgpu: the same reduced run trains on the device, ends where wasm ended, fills the grid, and agrees with Node', async () => {
    const o = await open(`?backend=webgpu&${REDUCED}`);
    await o.until((x) => x.status === 'ready', 'the page on webgpu');
    expect(await o.page.$eval('#backend-status', (e) => e.textContent)).toMatch(/^Running on webgpu/);
    await o.page.click('#train');
    const s = await o.until((x) => x.status === 'ready' && x.modelSource !== null, 'the CNN to train on webgpu');
    await expectTrainedCnn(o, s, 'webgpu');
    if (wasmLogs) {
      // Same seed, same batches, other kernels: the sums round differently, so allow one validation image and a little loss.
      expect(Math.abs(s.lastLogs!.val_acc - wasmLogs.val_acc)).toBeLessThanOrEqual(1 / 30 + 1e-6);
      expect(s.lastLogs!.loss).toBeCloseTo(wasmLogs.loss, 2);
      expect(s.lastLogs!.val_loss).toBeCloseTo(wasmLogs.val_loss, 2);
    }
    // Switching to wasm keeps the trained CNN (its weights move across) and the grid reads the same.
    await o.page.evaluate(() => { (window as unknown as { soraDemo: Demo }).soraDemo.grid = null; }); // set again by the grid the switch redraws
    await o.page.select('#backend', 'wasm');
    const moved = await o.until((x) => x.backend === 'wasm' && x.grid !== null, 'the switch to wasm', 120_000);
    expect(moved.modelSource).toBe(s.modelSource);
    expect(moved.grid!.predicted).toEqual(s.grid!.predicted);
    moved.grid!.probabilities.forEach((p, i) => expect(Math.abs(p - s.grid!.probabilities[i])).toBeLessThan(1e-5));
    await o.page.close();
  }, 480_000);

  test('Stop ends a CNN run mid-epoch, and the page says where it stopped', async () => {
    const o = await open('?backend=wasm&model=cnn&train=6000&epochs=2&batch=32');
    await o.until((x) => x.status === 'ready', 'the page');
    await o.page.click('#train');
    await o.page.waitForFunction(() => /^Epoch 1\/2, batch ([3-9]|\d\d+)\//.test(document.querySelector('#progress-text')?.textContent ?? ''), { timeout: 240_000 });
    await o.page.click('#stop');
    const s = await o.until((x) => x.status === 'ready' && x.history !== null, 'the run to stop');
    const text = await o.page.$eval('#progress-text', (e) => e.textContent ?? '');
    const match = /^Stopped at epoch (\d) of 2, after batch (\d+) of 169/.exec(text);
    expect(match, text).not.toBeNull();
    // The page says "Stopped" only for a run that ended before its last batch; fit's History counts the epoch it stopped in.
    expect(s.history!.epoch.length).toBe(Number(match![1]));
    expect(s.modelSource).toMatch(/^CNN .*, stopped at epoch \d of 2 \(batch \d+ of 169\)$/);
    expect(await o.page.$$eval('#grid figure', (f) => f.length)).toBe(GRID);
    await o.page.close();
  }, 480_000);

  test('a seed in the address that is not an integer is refused on the page, naming it, before training starts', async () => {
    const o = await open('?backend=wasm&model=cnn&train=300&seed=abc');
    await o.until((x) => x.status === 'ready', 'the page');
    await o.page.click('#train');
    await o.page.waitForFunction(() => !(document.querySelector('#error') as HTMLElement).hidden, { timeout: 30_000 });
    const s = await o.read();
    expect(s.errors).toEqual(['Error: the seed in the address must be an integer; received seed="abc"']);
    expect(s.status).toBe('ready');
    expect(s.modelSource).toBeNull();
    expect(await o.page.$eval('#progress-text', (e) => e.textContent)).toMatch(/^MNIST: /); // training never began
    await o.page.close();
  }, 120_000);

  // Last: the model it saves in IndexedDB would be loaded by every later page of this browser.
  test('a trained CNN reads a drawn digit, and survives a reload through IndexedDB predicting the same', async () => {
    const o = await open(`?backend=wasm&${REDUCED}`);
    await o.until((x) => x.status === 'ready', 'the page');
    await o.page.click('#train');
    const trained = await o.until((x) => x.status === 'ready' && x.modelSource !== null, 'the CNN to train');
    const box = (await (await o.page.$('#draw'))!.boundingBox())!;
    await o.page.mouse.move(box.x + 0.5 * box.width, box.y + 0.15 * box.height);
    await o.page.mouse.down();
    await o.page.mouse.move(box.x + 0.5 * box.width, box.y + 0.85 * box.height, { steps: 12 });
    await o.page.mouse.up();
    await o.page.waitForFunction(() => /^It reads \d \(/.test(document.querySelector('#prediction')?.textContent ?? ''), { timeout: 30_000 });
    const probabilities = await o.page.evaluate(() => (window as unknown as { soraDemo: { probabilities: number[] } }).soraDemo.probabilities);
    expect(probabilities).toHaveLength(10);
    expect(probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    await o.page.click('#save-idb');
    await o.page.waitForFunction(() => /Saved in this browser/.test(document.querySelector('#model-status')?.textContent ?? ''), { timeout: 30_000 });
    await o.page.reload({ waitUntil: 'load' });
    const loaded = await o.until((x) => x.status === 'ready' && x.grid !== null, 'the saved CNN after a reload');
    expect(loaded.modelSource).toMatch(/IndexedDB/);
    expect(await o.page.$eval('#model-status', (e) => e.textContent)).toMatch(/\(225,034 weights\)/);
    expect(loaded.grid!.predicted).toEqual(trained.grid!.predicted);
    loaded.grid!.probabilities.forEach((p, i) => expect(p).toBeCloseTo(trained.grid!.probabilities[i], 6));
    await o.page.evaluate(() => (window as unknown as { soraDemo: { sora: typeof sora } }).soraDemo.sora.io.removeModel('indexeddb://sora-mnist-demo'));
    await o.page.close();
  }, 480_000);
});
