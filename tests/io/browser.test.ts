/**
 * The browser handlers (indexeddb://, localstorage://, downloads://, relative URLs) in headless
 * Chromium, against TF.js's own handlers in the same page: each library loads what the other
 * saved. Fails (never skips) where Chromium is missing: `apt-get install -y chromium`.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'puppeteer-core';
import { openTfjsPage, type TfjsPage } from '../runtimes/tfjs-page.js';
import { encodeWeights, modelJsonFromArtifacts } from '../../src/io/index.js';

let opened: TfjsPage | undefined;
let page: Page;

describe('browser io handlers (headless Chromium)', () => {
  beforeAll(async () => {
    // A model served beside the page, for relative URLs.
    const { weightSpecs, weightData } = encodeWeights([{ name: 'w', values: new Float32Array([1.5, -2]), shape: [2] }]);
    const served = modelJsonFromArtifacts({ modelTopology: { class_name: 'Sequential', config: {} }, weightSpecs, weightData,
      format: 'layers-model', generatedBy: 'test', convertedBy: null });
    opened = await openTfjsPage('src/io/index.ts', 'soraIo', {
      '/models/m/model.json': ['application/json', JSON.stringify(served)],
      '/models/m/weights.bin': ['application/octet-stream', new Uint8Array(weightData)],
    });
    page = opened.page;
    await page.evaluate(async () => {
      const w = window as unknown as Record<string, unknown>;
      const tf = w.tf as typeof import('@tensorflow/tfjs');
      const model = tf.sequential({ layers: [
        tf.layers.dense({ units: 4, activation: 'relu', inputShape: [3] }),
        tf.layers.dense({ units: 2 }),
      ] });
      let artifacts: unknown;
      await model.save(tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }));
      w.model = model;
      w.artifacts = artifacts;
      w.expectedWeights = model.getWeights().map((t) => Array.from(t.dataSync()));
    });
  }, 120_000);

  afterAll(async () => { await opened?.close(); });

  test('sora saves to IndexedDB and localStorage; TF.js loads both', async () => {
    const result = await page.evaluate(async () => {
      const w = window as unknown as Record<string, any>;
      const out: Record<string, unknown> = {};
      for (const url of ['indexeddb://sora-saved', 'localstorage://sora-saved']) {
        await w.soraIo.getSaveHandler(url).save(w.artifacts);
        const loaded = await w.tf.loadLayersModel(url);
        out[url] = loaded.getWeights().map((t: any) => Array.from(t.dataSync()));
      }
      out.keys = Object.keys(localStorage).filter((k) => k.includes('sora-saved')).sort();
      return out;
    });
    const expected = await page.evaluate(() => (window as unknown as Record<string, unknown>).expectedWeights);
    expect(expected).toHaveLength(4);
    expect(result['indexeddb://sora-saved']).toEqual(expected);
    expect(result['localstorage://sora-saved']).toEqual(expected);
    expect(result.keys).toEqual(['info', 'model_metadata', 'model_topology', 'weight_data', 'weight_specs']
      .map((suffix) => `tensorflowjs_models/sora-saved/${suffix}`));
  });

  test('TF.js saves to IndexedDB and localStorage; sora loads both exactly', async () => {
    const result = await page.evaluate(async () => {
      const w = window as unknown as Record<string, any>;
      const out: Record<string, unknown> = {};
      for (const url of ['indexeddb://tfjs-saved', 'localstorage://tfjs-saved']) {
        await w.model.save(url);
        const loaded = await w.soraIo.getLoadHandler(url).load();
        const decoded = w.soraIo.decodeWeights(loaded);
        out[url] = {
          format: loaded.format,
          names: [...decoded.keys()],
          values: [...decoded.values()].map((d: any) => Array.from(d.values)),
          topology: JSON.stringify(loaded.modelTopology) === JSON.stringify(w.artifacts.modelTopology),
        };
      }
      return out;
    });
    const expected = await page.evaluate(() => (window as unknown as Record<string, unknown>).expectedWeights);
    expect(expected).toHaveLength(4);
    for (const url of ['indexeddb://tfjs-saved', 'localstorage://tfjs-saved']) {
      const got = result[url] as { format: string; names: string[]; values: number[][]; topology: boolean };
      expect(got.format).toBe('layers-model');
      expect(got.names).toHaveLength(4);
      expect(got.names[0]).toMatch(/\/kernel$/);
      expect(got.values).toEqual(expected);
      expect(got.topology).toBe(true);
    }
  });

  test('missing models and a corrupted store are clear errors', async () => {
    const messages = await page.evaluate(async () => {
      const w = window as unknown as Record<string, any>;
      const errors: string[] = [];
      const attempt = async (fn: () => Promise<unknown>) => {
        try { await fn(); errors.push('no error'); } catch (e) { errors.push((e as Error).message); }
      };
      await attempt(() => w.soraIo.getLoadHandler('indexeddb://absent').load());
      await attempt(() => w.soraIo.getLoadHandler('localstorage://absent').load());
      localStorage.setItem('tensorflowjs_models/sora-saved/weight_specs',
        JSON.stringify([{ name: 'x', shape: [-1], dtype: 'float32' }]));
      await attempt(() => w.soraIo.getLoadHandler('localstorage://sora-saved').load());
      return errors;
    });
    expect(messages[0]).toBe("indexeddb://absent: no model named 'absent' in IndexedDB");
    expect(messages[1]).toBe("localstorage://absent: no model named 'absent' in localStorage");
    expect(messages[2]).toContain("localstorage://sora-saved: weight 'x': shape [-1] has -1 at axis 0");
  });

  test('a relative URL loads against the page with fetch', async () => {
    const values = await page.evaluate(async () => {
      const w = window as unknown as Record<string, any>;
      const loaded = await w.soraIo.getLoadHandler('models/m/model.json').load();
      return Array.from(w.soraIo.decodeWeights(loaded).get('w').values);
    });
    expect(values).toEqual([1.5, -2]);
  });

  test('downloads:// hands the browser model.json and weights.bin as TF.js names them', async () => {
    const downloads = await page.evaluate(async () => {
      const w = window as unknown as Record<string, any>;
      const clicked: { name: string; href: string }[] = [];
      const original = HTMLAnchorElement.prototype.click;
      HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
        clicked.push({ name: this.download, href: this.href });
      };
      try {
        await w.soraIo.getSaveHandler('downloads://my-net').save(w.artifacts);
      } finally {
        HTMLAnchorElement.prototype.click = original;
      }
      const json = await (await fetch(clicked[0]!.href)).json();
      const weights = new Uint8Array(await (await fetch(clicked[1]!.href)).arrayBuffer());
      const expected = new Uint8Array(w.artifacts.weightData);
      return {
        names: clicked.map((c) => c.name),
        keys: Object.keys(json),
        paths: json.weightsManifest[0].paths,
        sameWeights: weights.length === expected.length && weights.every((b, i) => b === expected[i]),
      };
    });
    expect(downloads.names).toEqual(['my-net.json', 'my-net.weights.bin']);
    expect(downloads.keys).toEqual(['modelTopology', 'format', 'generatedBy', 'convertedBy', 'weightsManifest']);
    expect(downloads.paths).toEqual(['./my-net.weights.bin']);
    expect(downloads.sameWeights).toBe(true);
  });
});
