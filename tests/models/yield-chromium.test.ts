/**
 * A page that trains keeps painting: in headless Chromium, fit with the default yieldEvery
 * ('auto', every 125 ms, as TF.js) lets requestAnimationFrame callbacks and timers run while it
 * trains, and yieldEvery 'never' lets (nearly) none run. Each run trains for about 1.5 s
 * (onBatchEnd stops it), whatever the machine's speed. TF.js in the same page is measured the
 * same way, for reference. Fails (never skips) where Chromium is missing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'puppeteer-core';
import { openTfjsPage, type TfjsPage } from '../runtimes/tfjs-page.js';

let opened: TfjsPage | undefined;
let page: Page;

interface Run { ms: number; frames: number; ticks: number; batches: number }

async function trainOnPage(library: 'sora' | 'tf', yieldEvery: string | number | undefined): Promise<Run> {
  return page.evaluate(async (library, yieldEvery) => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const lib = (window as unknown as Record<string, any>)[library];
    const model = lib.sequential({ layers: [
      lib.layers.dense({ inputShape: [32], units: 64, activation: 'relu' }),
      lib.layers.dense({ units: 10, activation: 'softmax' }),
    ] });
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const n = 512;
    const x = lib.tensor2d(Float32Array.from({ length: n * 32 }, (_, i) => Math.sin(i * 0.1)), [n, 32]);
    const y = lib.oneHot(lib.tensor1d(Int32Array.from({ length: n }, (_, i) => i % 10), 'int32'), 10).toFloat();
    let frames = 0, ticks = 0, on = true, batches = 0;
    const frame = () => { if (!on) return; frames++; requestAnimationFrame(frame); };
    const tick = () => { if (!on) return; ticks++; setTimeout(tick, 0); };
    // Let the page settle, then start counting with training.
    await new Promise((r) => setTimeout(r, 50));
    requestAnimationFrame(frame); setTimeout(tick, 0);
    const start = performance.now();
    await model.fit(x, y, {
      epochs: 10_000, batchSize: 32, verbose: 0, ...(yieldEvery === undefined ? {} : { yieldEvery }),
      callbacks: { onBatchEnd: () => {
        batches++;
        const until = performance.now() + 4;
        while (performance.now() < until) { /* a heavier batch */ }
        if (performance.now() - start > 1500) model.stopTraining = true;
      } },
    });
    const ms = performance.now() - start;
    on = false;
    x.dispose(); y.dispose();
    return { ms, frames, ticks, batches };
  }, library, yieldEvery);
}

describe('fit keeps a page responsive (yieldEvery, headless Chromium)', () => {
  beforeAll(async () => {
    opened = await openTfjsPage('src/index.ts', 'sora');
    page = opened.page;
    await page.evaluate(async () => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const w = window as unknown as Record<string, any>;
      await w.sora.setBackend('reference');
      await w.tf.setBackend('cpu');
    });
  }, 120_000);

  afterAll(async () => { await opened?.close(); });

  test("the default ('auto') lets animation frames and timers run while training; 'never' does not", async () => {
    const auto = await trainOnPage('sora', undefined);
    const number = await trainOnPage('sora', 50);
    const never = await trainOnPage('sora', 'never');
    const tfjs = await trainOnPage('tf', undefined);
    console.log(JSON.stringify({ auto, number, never, tfjs }));
    for (const run of [auto, number, never]) expect(run.ms).toBeGreaterThan(1400);
    // About one frame per 125 ms yield; a generous floor: one per 250 ms of training.
    expect(auto.frames).toBeGreaterThanOrEqual(Math.floor(auto.ms / 250));
    expect(auto.ticks).toBeGreaterThanOrEqual(Math.floor(auto.ms / 375));
    expect(number.frames).toBeGreaterThanOrEqual(Math.floor(number.ms / 250));
    expect(never.frames).toBeLessThanOrEqual(1);
    expect(never.ticks).toBeLessThanOrEqual(1);
    // TF.js on the same page yields too (the behaviour matched).
    // (A looser floor than sora's: TF.js is the reference here, and under a loaded suite it got 4 in 1.5 s once.)
    expect(tfjs.frames).toBeGreaterThanOrEqual(Math.floor(tfjs.ms / 500));
  }, 90_000);

  test("fit's default verbose (1) writes nothing to a page's console, as TF.js in browsers; verbose 2 writes a line per epoch", async () => {
    const logged: string[] = [];
    const listen = (message: { text(): string }) => { logged.push(message.text()); };
    page.on('console', listen);
    const fitWith = (verbose: number | undefined) => page.evaluate(async (verbose) => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const lib = (window as unknown as Record<string, any>).sora;
      const model = lib.sequential({ layers: [lib.layers.dense({ inputShape: [4], units: 1 })] });
      model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const x = lib.ones([8, 4]), y = lib.zeros([8, 1]);
      await model.fit(x, y, { epochs: 2, ...(verbose === undefined ? {} : { verbose }) });
      x.dispose(); y.dispose(); model.dispose();
      // Let the console events reach puppeteer before the page answers.
      await new Promise((r) => setTimeout(r, 50));
    }, verbose);
    await fitWith(undefined);
    await fitWith(1);
    const quiet = logged.filter((line) => /Epoch|loss/.test(line));
    await fitWith(2);
    page.off('console', listen);
    expect(quiet).toEqual([]);
    expect(logged.filter((line) => /loss/.test(line)).length).toBe(2);
  }, 60_000);
});
