/**
 * tf.browser in headless Chromium against TF.js's own in the same page: fromPixels reads
 * real canvases, ImageData, images and ImageBitmaps as TF.js does, and toPixels / draw paint
 * canvases with the same pixels. Fails (never skips) where Chromium is missing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'puppeteer-core';
import { openTfjsPage, type TfjsPage } from '../runtimes/tfjs-page.js';

let opened: TfjsPage | undefined;
let page: Page;

describe('tf.browser in headless Chromium', () => {
  beforeAll(async () => {
    opened = await openTfjsPage('src/index.ts', 'sora');
    page = opened.page;
  }, 120_000);

  afterAll(async () => { await opened?.close(); });

  test('fromPixels, toPixels and draw agree with TF.js on real canvases and images', async () => {
    const result = await page.evaluate(async () => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const w = window as unknown as Record<string, any>;
      const tf = w.tf, sora = w.sora;
      await tf.setBackend('cpu');
      await sora.setBackend('reference');
      const canvas = document.createElement('canvas');
      canvas.width = 7; canvas.height = 5;
      const ctx = canvas.getContext('2d')!;
      const gradient = ctx.createLinearGradient(0, 0, 7, 5);
      gradient.addColorStop(0, 'rgb(250, 10, 30)'); gradient.addColorStop(1, 'rgb(5, 200, 120)');
      ctx.fillStyle = gradient; ctx.fillRect(0, 0, 7, 5);
      ctx.fillStyle = 'rgba(0, 0, 255, 0.5)'; ctx.fillRect(2, 1, 3, 2);
      const image = new Image();
      image.src = canvas.toDataURL();
      await image.decode();
      const bitmap = await createImageBitmap(canvas);
      const imageData = ctx.getImageData(0, 0, 7, 5);
      const same = (a: { dataSync(): ArrayLike<number>; shape: number[] }, b: { dataSync(): ArrayLike<number>; shape: number[] }) =>
        JSON.stringify([a.shape, Array.from(a.dataSync())]) === JSON.stringify([b.shape, Array.from(b.dataSync())]);
      const out: Record<string, boolean> = {};
      for (const [name, source] of [['canvas', canvas], ['imageData', imageData], ['image', image], ['bitmap', bitmap]] as const) {
        for (const channels of [1, 3, 4]) {
          out[`${name} ${channels}`] = same(sora.browser.fromPixels(source, channels), tf.browser.fromPixels(source, channels));
        }
      }
      out.async = same(await sora.browser.fromPixelsAsync(image, 4), await tf.browser.fromPixelsAsync(image, 4));
      const values = Array.from({ length: 5 * 7 * 3 }, (_, i) => (i * 13 % 17) / 16);
      const ours = document.createElement('canvas'), theirs = document.createElement('canvas');
      const ourBytes = await sora.browser.toPixels(sora.tensor(values, [5, 7, 3]), ours);
      const theirBytes = await tf.browser.toPixels(tf.tensor(values, [5, 7, 3]), theirs);
      const read = (c: HTMLCanvasElement) => Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data);
      out.toPixels = JSON.stringify(Array.from(ourBytes)) === JSON.stringify(Array.from(theirBytes));
      out.toPixelsCanvas = JSON.stringify(read(ours)) === JSON.stringify(read(theirs));
      const drawn = document.createElement('canvas'), tfDrawn = document.createElement('canvas');
      sora.browser.draw(sora.tensor(values, [5, 7, 3]), drawn, { imageOptions: { alpha: 0.5 } });
      tf.browser.draw(tf.tensor(values, [5, 7, 3]), tfDrawn, { imageOptions: { alpha: 0.5 } });
      out.draw = JSON.stringify(read(drawn)) === JSON.stringify(read(tfDrawn));
      return out;
    });
    for (const [name, ok] of Object.entries(result)) expect(ok, name).toBe(true);
    expect(Object.keys(result)).toHaveLength(16);
  }, 60_000);
});
