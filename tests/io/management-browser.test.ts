/**
 * tf.io's model management (listModels, copyModel, moveModel, removeModel) over IndexedDB
 * and localStorage in headless Chromium, against TF.js's own in the same page: each sees
 * and loads what the other stored, moved or removed. Fails (never skips) where Chromium is
 * missing: `apt-get install -y chromium`.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'puppeteer-core';
import { openTfjsPage, type TfjsPage } from '../runtimes/tfjs-page.js';

let opened: TfjsPage | undefined;
let page: Page;

describe('model management in the browser stores (headless Chromium)', () => {
  beforeAll(async () => {
    opened = await openTfjsPage('src/io/index.ts', 'soraIo');
    page = opened.page;
  }, 120_000);

  afterAll(async () => { await opened?.close(); });

  test('list, copy, move and remove agree with TF.js on both stores', async () => {
    const result = await page.evaluate(async () => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const w = window as unknown as Record<string, any>;
      const tf = w.tf, io = w.soraIo;
      const model = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
      const weights = () => model.getWeights().map((t: { dataSync(): Float32Array }) => Array.from(t.dataSync()));
      const loadedWeights = async (url: string) => (await tf.loadLayersModel(url)).getWeights()
        .map((t: { dataSync(): Float32Array }) => Array.from(t.dataSync()));
      const keys = (listing: Record<string, unknown>) => Object.keys(listing).sort();
      const out: Record<string, unknown> = { expected: weights() };
      await model.save('localstorage://a');
      await model.save('indexeddb://b');
      out.listed = [keys(await io.listModels()), keys(await tf.io.listModels())];
      const ours = await io.listModels(), theirs = await tf.io.listModels();
      out.bytes = ['localstorage://a', 'indexeddb://b'].map((u) => [ours[u].weightDataBytes, theirs[u].weightDataBytes]);
      await io.copyModel('localstorage://a', 'indexeddb://c');
      out.copied = await loadedWeights('indexeddb://c');
      await io.moveModel('indexeddb://b', 'localstorage://d');
      out.moved = await loadedWeights('localstorage://d');
      out.afterMove = keys(await tf.io.listModels());
      out.removed = (await io.removeModel('indexeddb://c')).weightDataBytes;
      await tf.io.removeModel('localstorage://a');
      out.afterRemove = [keys(await io.listModels()), keys(await tf.io.listModels())];
      // TF.js moves what sora stored, too.
      await tf.io.moveModel('localstorage://d', 'indexeddb://e');
      out.tfMoved = [keys(await io.listModels()), (await io.getLoadHandler('indexeddb://e').load()).weightSpecs.length];
      const errors: string[] = [];
      for (const attempt of [() => io.removeModel('indexeddb://absent'), () => io.removeModel('localstorage://absent'),
        () => io.copyModel('indexeddb://absent', 'indexeddb://x')]) {
        try { await attempt(); errors.push('no error'); } catch (e) { errors.push((e as Error).message); }
      }
      out.errors = errors;
      await io.removeModel('indexeddb://e');
      out.empty = keys(await tf.io.listModels());
      return out;
    });
    expect(result.listed).toEqual([['indexeddb://b', 'localstorage://a'], ['indexeddb://b', 'localstorage://a']]);
    expect(result.bytes).toEqual([[32, 32], [32, 32]]);
    expect(result.copied).toEqual(result.expected);
    expect(result.moved).toEqual(result.expected);
    expect(result.afterMove).toEqual(['indexeddb://c', 'localstorage://a', 'localstorage://d']);
    expect(result.removed).toBe(32);
    expect(result.afterRemove).toEqual([['localstorage://d'], ['localstorage://d']]);
    expect(result.tfMoved).toEqual([['indexeddb://e'], 2]);
    const errors = result.errors as string[];
    expect(errors[0]).toMatch(/removeModel: cannot find a model at 'indexeddb:\/\/absent'/);
    expect(errors[1]).toMatch(/removeModel: cannot find a model at 'localstorage:\/\/absent'/);
    expect(errors[2]).toMatch(/no model named 'absent' in IndexedDB/);
    expect(result.empty).toEqual([]);
  }, 60_000);
});
