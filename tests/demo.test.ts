/**
 * The MNIST demo page (demo/) in headless Chromium, as a user meets it: built by
 * demo/serve.mjs from the built dist/, served on 127.0.0.1 with the IDX files. The page loads
 * with no console error, one short epoch on a subset trains with points on every curve, a
 * digit drawn with mouse events gets a prediction and ten probabilities, the model survives a
 * reload through IndexedDB, and a screenshot lands in test-output/demo.png.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { launchChromium, requireChromium, type ChromiumSession } from './runtimes/chromium.js';
import { REPO_ROOT, startServer } from './runtimes/server.js';
// @ts-expect-error: plain ES module without type declarations
import { serveDemo, writeDemo } from '../demo/serve.mjs';

interface DemoState {
  status: string; backend: string | null; modelSource: string | null; prediction: number | null;
  probabilities: number[] | null; errors: string[]; lastLogs: Record<string, number> | null;
  examplesPerSecond: number;
}
interface ChartPoints { loss: { train: number; val: number }; acc: { train: number; val: number } }

const SCREENSHOT = join(REPO_ROOT, 'test-output', 'demo.png');
const consoleErrors: string[] = [];
let session: ChromiumSession;
let server: { origin: string; close(): Promise<void> };
let page: Page;

const state = () => page.evaluate(() => {
  const { status, backend, modelSource, prediction, probabilities, errors, lastLogs, examplesPerSecond } =
    (window as unknown as { soraDemo: DemoState }).soraDemo;
  return { status, backend, modelSource, prediction, probabilities, errors, lastLogs, examplesPerSecond } as DemoState;
});
const points = () => page.evaluate(() => (window as unknown as { soraDemo: { chartPoints(): ChartPoints } }).soraDemo.chartPoints());

/** Waits until the page's state satisfies `done`, failing at once on an error shown on the page. */
async function waitFor(done: (s: DemoState) => boolean, what: string, timeoutMs = 120_000): Promise<DemoState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await state();
    if (s.errors.length) throw new Error(`the page shows an error while waiting for ${what}: ${s.errors.join('; ')}`);
    if (done(s)) return s;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; state ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Draws a "1"-like stroke and a "7"-like stroke top, with mouse events. */
async function drawDigit(): Promise<void> {
  const box = await (await page.$('#draw'))!.boundingBox();
  if (!box) throw new Error('the drawing canvas has no box');
  const at = (x: number, y: number) => [box.x + x * box.width, box.y + y * box.height] as const;
  await page.mouse.move(...at(0.3, 0.2));
  await page.mouse.down();
  await page.mouse.move(...at(0.7, 0.2), { steps: 8 });
  await page.mouse.move(...at(0.45, 0.85), { steps: 12 });
  await page.mouse.up();
}

function watch(p: Page): void {
  p.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
  p.on('pageerror', (error) => consoleErrors.push(`page error: ${(error as Error).message ?? error}`));
}

describe('the MNIST demo page in headless Chromium', () => {
  beforeAll(async () => {
    requireChromium();
    server = await serveDemo({ port: 0 });
    session = await launchChromium();
    page = await session.browser.newPage();
    await page.setViewport({ width: 1200, height: 1100 });
    watch(page);
  });
  afterAll(async () => {
    await session?.close();
    await server?.close();
  });

  test('loads with no console error and says which backend runs and why', async () => {
    await page.goto(`${server.origin}/?backend=auto&train=1200&epochs=1&batch=32`, { waitUntil: 'load' });
    const s = await waitFor((x) => x.status === 'ready', 'the page to load MNIST');
    expect(s.backend).toMatch(/^(wasm|webgpu)$/);
    const status = await page.$eval('#backend-status', (e) => e.textContent ?? '');
    expect(status).toContain(`Running on ${s.backend}`);
    expect(status).toMatch(/Picked automatically(: it is the fastest|, because )/);
    expect(await page.$eval('#train', (e) => (e as HTMLButtonElement).disabled)).toBe(false);
    expect(consoleErrors).toEqual([]);
  });

  test('one short epoch on a subset trains, with points on the curves and examples per second', async () => {
    await page.click('#train');
    await waitFor((x) => x.status === 'training' || x.modelSource !== null, 'training to start', 10_000);
    const s = await waitFor((x) => x.status === 'ready' && x.modelSource !== null, 'training to finish', 240_000);
    const p = await points();
    // One probe before training, ~10 during the epoch, each on training and validation probes.
    for (const chart of [p.loss, p.acc]) {
      expect(chart.train).toBeGreaterThanOrEqual(5);
      expect(chart.val).toBeGreaterThanOrEqual(5);
    }
    expect(s.lastLogs?.val_acc).toBeGreaterThan(0.3); // chance is 0.1; one epoch on 1080 images gives ~0.7
    expect(s.examplesPerSecond).toBeGreaterThan(0);
    expect(await page.$eval('#progress', (e) => (e as HTMLProgressElement).value)).toBe(1);
    expect(await page.$$eval('#grid figure', (f) => f.length)).toBe(25);
    expect(await page.$eval('#progress-text', (e) => e.textContent)).toMatch(/examples\/s/);
  });

  test('a digit drawn with the mouse gets a prediction and ten probabilities', async () => {
    await drawDigit();
    const s = await waitFor((x) => x.prediction !== null, 'a prediction of the drawing', 10_000);
    expect(s.probabilities).toHaveLength(10);
    const total = s.probabilities!.reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(1, 3);
    expect(await page.$eval('#prediction', (e) => e.textContent)).toMatch(new RegExp(`reads ${s.prediction}`));
    // The preview shows the centred 28x28 input: some ink, and the ink's mass near the middle.
    const centre = await page.$eval('#input-preview', (canvas) => {
      const c = canvas as HTMLCanvasElement;
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let mass = 0, x = 0, y = 0;
      for (let i = 0; i < data.length / 4; i++) { const v = data[i * 4]; mass += v; x += v * (i % c.width); y += v * Math.floor(i / c.width); }
      return { mass, x: x / mass / c.width, y: y / mass / c.height };
    });
    expect(centre.mass).toBeGreaterThan(0);
    expect(Math.abs(centre.x - 0.5)).toBeLessThan(0.1);
    expect(Math.abs(centre.y - 0.5)).toBeLessThan(0.1);
    mkdirSync(join(REPO_ROOT, 'test-output'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
  });

  test('the model survives a reload through IndexedDB and predicts the same', async () => {
    const before = await state();
    await page.click('#save-idb');
    await page.waitForFunction(() => /Saved in this browser/.test(document.querySelector('#model-status')?.textContent ?? ''), { timeout: 10_000 });
    await page.reload({ waitUntil: 'load' });
    const s = await waitFor((x) => x.status === 'ready' && x.modelSource !== null, 'the saved model after a reload');
    expect(s.modelSource).toMatch(/IndexedDB/);
    await drawDigit();
    const after = await waitFor((x) => x.prediction !== null, 'a prediction after the reload', 10_000);
    expect(after.prediction).toBe(before.prediction);
    after.probabilities!.forEach((p, i) => expect(p).toBeCloseTo(before.probabilities![i], 4));
    expect(consoleErrors).toEqual([]);
  });

  test('the model downloads as model.json + model.weights.bin and loads back from those files', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sora-demo-download-'));
    try {
      const cdp = await page.createCDPSession();
      await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: folder });
      await page.click('#download');
      const deadline = Date.now() + 20_000;
      while (!['model.json', 'model.weights.bin'].every((f) => readdirSync(folder).includes(f)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(readdirSync(folder).sort()).toEqual(['model.json', 'model.weights.bin']);
      const before = await state();
      const input = await page.$('#files');
      await (input as unknown as { uploadFile(...paths: string[]): Promise<void> }).uploadFile(join(folder, 'model.json'), join(folder, 'model.weights.bin'));
      const s = await waitFor((x) => /loaded from model\.json/.test(x.modelSource ?? ''), 'the model loaded from files', 20_000);
      expect(s.prediction).toBe(before.prediction);
      expect(consoleErrors).toEqual([]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('the demo page on other paths', () => {
  let other: ChromiumSession;
  let otherServer: { origin: string; close(): Promise<void> };
  beforeAll(async () => {
    requireChromium();
    otherServer = await serveDemo({ port: 0 });
    other = await launchChromium();
  });
  afterAll(async () => {
    await other?.close();
    await otherServer?.close();
  });

  const open = async (query: string, prepare?: (p: Page) => Promise<unknown>) => {
    const p = await other.browser.newPage();
    await prepare?.(p);
    const errors: string[] = [];
    p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await p.goto(`${otherServer.origin}/${query}`, { waitUntil: 'load' });
    const read = () => p.evaluate(() => {
      const d = (window as unknown as { soraDemo: DemoState & { chartPoints(): ChartPoints } }).soraDemo;
      return { status: d.status, backend: d.backend, modelSource: d.modelSource, errors: d.errors, points: d.chartPoints() };
    });
    const until = async (done: (s: Awaited<ReturnType<typeof read>>) => boolean, what: string) => {
      const deadline = Date.now() + 240_000;
      for (;;) {
        const s = await read();
        if (done(s)) return s;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(s)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    return { page: p, errors, until };
  };

  test('webgpu chosen by hand trains on the device (SwiftShader here), with points on the curves', async () => {
    const { page: p, until } = await open('?backend=webgpu&train=600&epochs=1&batch=64');
    await until((s) => s.status === 'ready' || s.errors.length > 0, 'the page on webgpu');
    expect(await p.$eval('#backend-status', (e) => e.textContent)).toMatch(/^Running on webgpu/);
    await p.click('#train');
    const s = await until((x) => x.modelSource !== null || x.errors.length > 0, 'training on webgpu');
    expect(s.errors).toEqual([]);
    expect(s.points.loss.train).toBeGreaterThanOrEqual(5);
    expect(s.points.acc.val).toBeGreaterThanOrEqual(5);
    // Switching the backend keeps the trained model: its weights move to the new backend.
    await p.select('#backend', 'wasm');
    await p.waitForFunction(() => /^Running on wasm/.test(document.querySelector('#backend-status')?.textContent ?? ''), { timeout: 30_000 });
    const after = await until((x) => x.errors.length > 0 || x.backend === 'wasm', 'the switch to wasm');
    expect(after.errors).toEqual([]);
    expect(after.modelSource).toBe(s.modelSource);
    expect(await p.$$eval('#grid figure', (f) => f.length)).toBe(25);
    await p.close();
  });

  test('training never freezes the page: animation frames keep coming while it trains', async () => {
    const { page: p, until } = await open('?backend=wasm&train=6000&epochs=1&batch=32');
    await until((s) => s.status === 'ready', 'the page');
    await p.evaluate(() => {
      const w = window as unknown as { maxFrameGap: number; frames: number };
      w.maxFrameGap = 0; w.frames = 0;
      let last = performance.now();
      const tick = (now: number) => { w.maxFrameGap = Math.max(w.maxFrameGap, now - last); w.frames++; last = now; requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
    });
    await p.click('#train');
    const s = await until((x) => x.modelSource !== null || x.errors.length > 0, 'training on 6000 images');
    expect(s.errors).toEqual([]);
    const { maxFrameGap, frames } = await p.evaluate(() => {
      const w = window as unknown as { maxFrameGap: number; frames: number };
      return { maxFrameGap: w.maxFrameGap, frames: w.frames };
    });
    // An epoch of 5,400 images takes over a second on wasm; without yielding it is one long
    // task (a handful of frames, one gap as long as the epoch). The bound leaves room for a
    // loaded machine: single steps (a probe, the upload) may take a few hundred ms there.
    expect(frames).toBeGreaterThan(20);
    expect(maxFrameGap).toBeLessThan(1000);
    await p.close();
  });

  test('with no WebGPU the page says so and runs on wasm', async () => {
    const { page: p, errors, until } = await open('?train=200', (q) => q.evaluateOnNewDocument(() => {
      delete (Navigator.prototype as unknown as { gpu?: unknown }).gpu;
    }));
    const s = await until((x) => x.status === 'ready' || x.errors.length > 0, 'the page without WebGPU');
    expect(s.errors).toEqual([]);
    expect(s.backend).toBe('wasm');
    // Said once, in the header: the note (for a backend picked by hand) stays hidden under auto.
    expect(await p.$eval('#backend-status', (e) => e.textContent)).toMatch(/^Running on wasm: .*because this browser has no WebGPU/);
    expect(await p.$eval('#webgpu-note', (e) => (e as HTMLElement).hidden)).toBe(true);
    await p.select('#backend', 'wasm');
    await p.waitForFunction(() => !(document.querySelector('#webgpu-note') as HTMLElement).hidden, { timeout: 30_000 });
    expect(await p.$eval('#webgpu-note', (e) => e.textContent)).toBe('This browser has no WebGPU, so sora runs on wasm.');
    expect(errors).toEqual([]);
    await p.close();
  });

  test('a digit drawn by touch is read too (pointer events from a touchscreen)', async () => {
    const { page: p, until } = await open('?backend=wasm&train=600&epochs=1&batch=32',
      (q) => q.setViewport({ width: 1000, height: 1200, hasTouch: true }));
    await until((s) => s.status === 'ready', 'the page');
    await p.click('#train');
    await until((s) => s.modelSource !== null || s.errors.length > 0, 'training');
    await p.$eval('#draw', (e) => e.scrollIntoView());
    const box = (await (await p.$('#draw'))!.boundingBox())!;
    await p.touchscreen.touchStart(box.x + box.width / 2, box.y + box.height * 0.15);
    for (let i = 1; i <= 10; i++) await p.touchscreen.touchMove(box.x + box.width / 2, box.y + box.height * (0.15 + 0.07 * i));
    await p.touchscreen.touchEnd();
    await p.waitForFunction(() => (window as unknown as { soraDemo: DemoState }).soraDemo.prediction !== null, { timeout: 10_000 });
    expect(await p.$eval('#prediction', (e) => e.textContent)).toMatch(/^It reads \d/);
    await p.close();
  });

  test('npm run demo -- --build writes a static folder that a plain file server hosts', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sora-demo-'));
    const files = await startServer({ root: await writeDemo(folder) });
    try {
      expect(readdirSync(folder)).toEqual(expect.arrayContaining(['index.html', 'demo.js', 'demo.css', 'sora-simd.wasm', 'sora-relaxed.wasm', 'data']));
      const p = await other.browser.newPage();
      const errors: string[] = [];
      p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      await p.goto(`${files.origin}/index.html?train=300`, { waitUntil: 'load' });
      await p.waitForFunction(() => (window as unknown as { soraDemo: DemoState }).soraDemo.status !== 'loading', { timeout: 60_000 });
      const s = await p.evaluate(() => { const d = (window as unknown as { soraDemo: DemoState }).soraDemo; return { status: d.status, errors: d.errors }; });
      expect(s).toEqual({ status: 'ready', errors: [] });
      expect(errors).toEqual([]);
      await p.close();
    } finally {
      await files.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('an error is shown on the page, naming what is wrong', async () => {
    const { page: p, until } = await open('?backend=wasm&train=100&batch=512');
    await until((s) => s.status === 'ready', 'the page');
    await p.click('#train');
    const s = await until((x) => x.errors.length > 0, 'the error');
    expect(s.errors[0]).toMatch(/too few for batches of 512/);
    expect(await p.$eval('#error', (e) => (e as HTMLElement).hidden)).toBe(false);
    expect(await p.$eval('#error', (e) => e.textContent)).toMatch(/too few for batches of 512/);
    await p.close();
  });
});
