/**
 * tf.io's model management (listModels, copyModel, moveModel, removeModel) over IndexedDB
 * and localStorage in headless Chromium, against TF.js's own in the same page: each sees
 * and loads what the other stored, moved or removed. Fails (never skips) where Chromium is
 * missing: `apt-get install -y chromium`.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { build } from 'esbuild';
import type { Browser, Page } from 'puppeteer-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let server: Server;
let browser: Browser;
let page: Page;

describe('model management in the browser stores (headless Chromium)', () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium`);
    const bundle = await build({
      entryPoints: ['src/io/index.ts'], bundle: true, format: 'iife', globalName: 'soraIo', write: false,
      platform: 'browser', target: 'es2022', logLevel: 'silent', external: ['node:*'],
    });
    const files: Record<string, [string, string]> = {
      '/': ['text/html', '<!doctype html><title>io</title>'],
      '/sora-io.js': ['text/javascript', bundle.outputFiles[0]!.text],
      '/tf.min.js': ['text/javascript', await readFile('node_modules/@tensorflow/tfjs/dist/tf.min.js', 'utf8')],
    };
    server = createServer((request, response) => {
      const file = files[new URL(request.url!, 'http://x').pathname];
      if (file === undefined) { response.statusCode = 404; response.end(); return; }
      response.setHeader('content-type', file[0]);
      response.end(file[1]);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const puppeteer = await import('puppeteer-core');
    browser = await puppeteer.launch({
      executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    page = await browser.newPage();
    await page.goto(`${origin}/`);
    await page.addScriptTag({ url: '/tf.min.js' });
    await page.addScriptTag({ url: '/sora-io.js' });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (server !== undefined) await new Promise((resolve) => server.close(resolve));
  });

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
