/**
 * The MNIST demo page as a visitor meets it (demo/, served by demo/serve.mjs, headless
 * Chromium): the header says which backend runs and why in plain words, with no setup advice;
 * an empty chart shows no scale of five "0.00"; the chart legends sit above the plotted points;
 * pressing Train on WebGPU (SwiftShader here) paints a change within 100 ms; after Stop the
 * model is described as stopped at the epoch fit's History ends on; an error box clears when
 * the next action succeeds; and a whole session (train, draw, predict) leaves no fit progress
 * line and no Canvas2D read-back warning on the console.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'puppeteer-core';
import { launchChromium, requireChromium, type ChromiumSession } from './runtimes/chromium.js';
// @ts-expect-error: plain ES module without type declarations
import { serveDemo } from '../demo/serve.mjs';

interface Box { x: number; y: number; width: number; height: number; name?: string }
interface ChartLayout {
  width: number; height: number; lineWidth: number; ticks: string[];
  plot: { left: number; top: number; right: number; bottom: number };
  legend: Box[]; points: { name: string; x: number; y: number }[];
}
interface Demo {
  status: string; backend: string | null; modelSource: string | null; errors: string[]; prediction: number | null;
  history: { epoch: number[] } | null;
}

const FIT_PROGRESS = /^Epoch \d+\/\d+|^\d+\/\d+ .*ms\/step/;
const CANVAS_WARNING = /willReadFrequently|Canvas2D/;

let session: ChromiumSession;
let server: { origin: string; close(): Promise<void> };

interface Opened {
  page: Page;
  console: { type: string; text: string }[];
  read(): Promise<Demo>;
  until(done: (s: Demo) => boolean, what: string, timeoutMs?: number): Promise<Demo>;
  layouts(): Promise<{ loss: ChartLayout; acc: ChartLayout }>;
}

async function open(query: string, prepare?: (p: Page) => Promise<unknown>): Promise<Opened> {
  const page = await session.browser.newPage();
  await page.setViewport({ width: 1200, height: 1100 });
  await prepare?.(page);
  const messages: { type: string; text: string }[] = [];
  page.on('console', (m) => messages.push({ type: m.type(), text: m.text() }));
  page.on('pageerror', (e) => messages.push({ type: 'pageerror', text: String((e as Error).message ?? e) }));
  await page.goto(`${server.origin}/${query}`, { waitUntil: 'load' });
  const read = () => page.evaluate(() => {
    const d = (window as unknown as { soraDemo: Demo }).soraDemo;
    return { status: d.status, backend: d.backend, modelSource: d.modelSource, errors: d.errors.slice(), prediction: d.prediction,
      history: d.history ? { epoch: d.history.epoch.slice() } : null };
  });
  const until = async (done: (s: Demo) => boolean, what: string, timeoutMs = 240_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await read();
      if (done(s)) return s;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(s)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const layouts = () => page.evaluate(() =>
    (window as unknown as { soraDemo: { chartLayouts(): { loss: ChartLayout; acc: ChartLayout } } }).soraDemo.chartLayouts());
  return { page, console: messages, read, until, layouts };
}

// biome-ignore lint/performance/useDomNodeTextContent: what a visitor sees: innerText leaves out the hidden note and error box
const headerText = (p: Page) => p.$eval('header', (e) => (e as HTMLElement).innerText);

function expectVisitorHeader(text: string, backend: string, why: RegExp): void {
  expect(text).toContain(`Running on ${backend}: `);
  expect(text).toMatch(why);
  // Setup advice is for developers, not for someone opening the page.
  expect(text).not.toMatch(/\bnpm\b|\bapt(-get)?\b|\binstall|mesa-|navigator\.gpu|requestAdapter/i);
}

const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Every legend box is clear of every plotted point (with the line's half width around it). */
function expectLegendClear(layout: ChartLayout): void {
  expect(layout.points.length).toBeGreaterThan(0);
  expect(layout.legend.map((b) => b.name).sort()).toEqual(['train', 'val']);
  const half = layout.lineWidth / 2 + 1;
  for (const box of layout.legend) {
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(layout.width);
    for (const point of layout.points) {
      expect(overlaps(box, { x: point.x - half, y: point.y - half, width: 2 * half, height: 2 * half }),
        `legend '${box.name}' ${JSON.stringify(box)} covers the ${point.name} point at (${point.x}, ${point.y})`).toBe(false);
    }
    // Points lie in the plot box, and lines join points, so a legend clear of the box is clear of every curve.
    const plot = layout.plot;
    expect(overlaps(box, { x: plot.left, y: plot.top - half, width: plot.right - plot.left, height: plot.bottom - plot.top + 2 * half })).toBe(false);
  }
  for (const point of layout.points) {
    expect(point.y).toBeGreaterThanOrEqual(layout.plot.top);
    expect(point.y).toBeLessThanOrEqual(layout.plot.bottom);
  }
  const [a, b] = layout.legend;
  expect(overlaps(a, b)).toBe(false);
}

describe('the demo page as a visitor sees it (headless Chromium)', () => {
  beforeAll(async () => {
    requireChromium();
    server = await serveDemo({ port: 0 });
    session = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await session?.close();
    await server?.close();
  });

  test('the header names the backend and why, in plain words, with no setup advice; empty charts have no scale of "0.00"', async () => {
    const auto = await open('?backend=auto&train=300');
    const s = await auto.until((x) => x.status === 'ready' || x.errors.length > 0, 'the page (auto)');
    expect(s.errors).toEqual([]);
    // Headless Chromium's WebGPU is SwiftShader, on the CPU, which auto passes over for wasm.
    expectVisitorHeader(await headerText(auto.page), s.backend!, /Picked automatically(: it is the fastest|, because .+)/);
    if (s.backend === 'wasm') expect(await headerText(auto.page)).toMatch(/because this browser's WebGPU runs in software on the processor/);
    const empty = await auto.layouts();
    for (const chart of [empty.loss, empty.acc]) {
      expect(chart.points).toEqual([]);
      expect(chart.ticks.filter((t) => t === '0.00').length).toBeLessThan(2);
      expect(new Set(chart.ticks).size).toBe(chart.ticks.length);
    }
    // And on the canvas: nothing is drawn in the tick column left of the axis.
    const inked = await auto.page.$eval('#loss-chart', (canvas) => {
      const c = canvas as HTMLCanvasElement;
      const pixels = c.getContext('2d')!.getImageData(0, 0, 40, c.height - 30).data;
      let count = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) count++;
      return count;
    });
    expect(inked).toBe(0);
    await auto.page.close();

    const byHand = await open('?backend=webgpu&train=300');
    const w = await byHand.until((x) => x.status === 'ready' || x.errors.length > 0, 'the page (webgpu)');
    expect(w.errors).toEqual([]);
    expectVisitorHeader(await headerText(byHand.page), 'webgpu', /You chose webgpu in the Backend menu/);
    expect(await headerText(byHand.page)).toMatch(/a software GPU on your processor, through WebGPU/);
    await byHand.page.close();

    const noGpu = await open('?train=300', (q) => q.evaluateOnNewDocument(() => {
      delete (Navigator.prototype as unknown as { gpu?: unknown }).gpu;
    }));
    const n = await noGpu.until((x) => x.status === 'ready' || x.errors.length > 0, 'the page without WebGPU');
    expect(n.errors).toEqual([]);
    const said = await headerText(noGpu.page);
    expectVisitorHeader(said, 'wasm', /Picked automatically, because this browser has no WebGPU/);
    expect(said.match(/no WebGPU/g)).toHaveLength(1); // said once, not again in a note below
    await noGpu.page.close();
  }, 240_000);

  test('pressing Train on WebGPU paints a change within 100 ms', async () => {
    const o = await open('?backend=webgpu&train=6000&epochs=1&batch=64');
    await o.until((x) => x.status === 'ready' || x.errors.length > 0, 'the page on webgpu');
    expect((await o.read()).backend).toBe('webgpu');
    await o.page.evaluate(() => {
      const w = window as unknown as { clickAt: number | null; changedAt: number | null; paintedAt: number | null; changed: string };
      w.clickAt = null; w.changedAt = null; w.paintedAt = null;
      // The click's own time stamp (when the input arrived), before any handler of the page runs.
      window.addEventListener('click', (event) => {
        if ((event.target as Element).id !== 'train') return;
        w.clickAt = event.timeStamp;
        (w as unknown as { dispatchedAt: number }).dispatchedAt = performance.now();
      }, { capture: true });
      new MutationObserver((records) => {
        if (w.clickAt === null || w.changedAt !== null) return;
        w.changedAt = performance.now();
        w.changed = records.map((r) => `${r.type} ${(r.target as Element).id || r.target.parentElement?.id || r.target.nodeName}`).join(', ');
        // The frame that shows the change: its callbacks run just before it is painted.
        requestAnimationFrame(() => { w.paintedAt = performance.now(); });
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    // A visitor clicks on a page at rest: wait until the main thread is idle (loading MNIST leaves
    // garbage to collect), so the time measured is the page's answer to the click.
    await o.page.evaluate(() => new Promise((done) => requestIdleCallback(done, { timeout: 5_000 })));
    await o.page.click('#train');
    await o.page.waitForFunction(() => (window as unknown as { paintedAt: number | null }).paintedAt !== null, { timeout: 60_000 });
    const t = await o.page.evaluate(() => {
      const w = window as unknown as { clickAt: number; dispatchedAt: number; changedAt: number; paintedAt: number; changed: string };
      return { toDispatch: w.dispatchedAt - w.clickAt, toChange: w.changedAt - w.clickAt, toPaint: w.paintedAt - w.clickAt,
        changed: w.changed, text: document.querySelector('#progress-text')!.textContent };
    });
    console.log(`Train click on webgpu to first painted change: ${t.toPaint.toFixed(1)} ms (click dispatched at ` +
      `${t.toDispatch.toFixed(1)} ms, DOM change at ${t.toChange.toFixed(1)} ms: ${t.changed})`);
    expect(t.toPaint).toBeLessThan(100);
    expect(t.text).toMatch(/^Preparing 5,400 training images on webgpu|^Epoch/);
    await o.page.click('#stop');
    const s = await o.until((x) => x.status === 'ready' || x.errors.length > 0, 'training to stop');
    expect(s.errors).toEqual([]);
    await o.page.close();
  }, 240_000);

  test('after Stop the model is described as stopped at the epoch fit ended on', async () => {
    const o = await open('?backend=wasm&train=6000&epochs=5&batch=32');
    await o.until((x) => x.status === 'ready', 'the page');
    await o.page.click('#train');
    await o.page.waitForFunction(() => /^Epoch 2\/5, batch (\d+)/.test(document.querySelector('#progress-text')?.textContent ?? ''), { timeout: 240_000 });
    await o.page.click('#stop');
    const s = await o.until((x) => x.status === 'ready' && x.history !== null, 'training to stop');
    const k = s.history!.epoch.length; // fit ends the epoch it stops in, so its History counts it
    expect(k).toBeGreaterThanOrEqual(2);
    // The click can land as epoch 2 ends, so k may be 3 or later: 5 epochs leave room for that
    // (a run of 3 once ended its third epoch before the stop took effect); k must be what fit said.
    expect(k).toBeLessThan(5);
    const model = await o.page.$eval('#model-status', (e) => e.textContent ?? '');
    expect(model).toMatch(new RegExp(`stopped at epoch ${k} of 5 \\(batch \\d+ of 169\\)`));
    expect(await o.page.$eval('#progress-text', (e) => e.textContent)).toMatch(new RegExp(`^Stopped at epoch ${k} of 5, after batch \\d+ of 169`));
    expect(s.modelSource).toMatch(new RegExp(`stopped at epoch ${k} of 5`));
    // A run that is not stopped says how many epochs it had.
    await o.page.$eval('#epochs', (e) => { (e as HTMLInputElement).value = '1'; });
    await o.page.$eval('#train-count', (e) => { (e as HTMLInputElement).value = '600'; });
    await o.page.click('#train');
    const again = await o.until((x) => x.status === 'ready' && x.history !== null, 'the second run');
    expect(again.modelSource).toMatch(/trained here on 540 images for 1 epoch$/);
    await o.page.close();
  }, 300_000);

  test('the error box clears when the next action succeeds', async () => {
    const o = await open('?backend=wasm&train=200&epochs=1&batch=512');
    await o.until((x) => x.status === 'ready', 'the page');
    await o.page.click('#train');
    const failed = await o.until((x) => x.errors.length > 0, 'the error');
    expect(failed.errors[0]).toMatch(/too few for batches of 512/);
    expect(await o.page.$eval('#error', (e) => (e as HTMLElement).hidden)).toBe(false);
    await o.page.$eval('#batch-size', (e) => { (e as HTMLInputElement).value = '16'; });
    await o.page.click('#train');
    const s = await o.until((x) => x.status === 'ready' && x.modelSource !== null, 'training with a batch that fits');
    expect(s.errors).toEqual([]);
    expect(await o.page.$eval('#error', (e) => (e as HTMLElement).hidden)).toBe(true);
    expect(await o.page.$eval('#error', (e) => e.textContent)).toBe('');
    await o.page.close();
  }, 240_000);

  test('a session (train, draw, predict) logs no fit progress line and no Canvas2D warning; legends stay clear of the curves', async () => {
    const o = await open('?backend=wasm&train=1200&epochs=2&batch=32');
    await o.until((x) => x.status === 'ready', 'the page');
    await o.page.click('#train');
    await o.until((x) => x.status === 'ready' && x.modelSource !== null, 'training');
    const box = (await (await o.page.$('#draw'))!.boundingBox())!;
    for (const [from, to] of [[[0.3, 0.2], [0.7, 0.2]], [[0.7, 0.2], [0.45, 0.85]], [[0.35, 0.5], [0.6, 0.5]]]) {
      await o.page.mouse.move(box.x + from[0] * box.width, box.y + from[1] * box.height);
      await o.page.mouse.down();
      await o.page.mouse.move(box.x + to[0] * box.width, box.y + to[1] * box.height, { steps: 10 });
      await o.page.mouse.up();
      await new Promise((r) => setTimeout(r, 100));
    }
    await o.until((x) => x.prediction !== null, 'a prediction', 10_000);
    const lines = o.console.map((m) => `${m.type}: ${m.text}`);
    expect(lines.filter((l) => FIT_PROGRESS.test(l.replace(/^\w+: /, '')))).toEqual([]);
    expect(lines.filter((l) => CANVAS_WARNING.test(l))).toEqual([]);
    expect(o.console.filter((m) => m.type === 'error' || m.type === 'pageerror')).toEqual([]);
    const layouts = await o.layouts();
    expectLegendClear(layouts.loss);
    expectLegendClear(layouts.acc);
    for (const chart of [layouts.loss, layouts.acc]) {
      expect(chart.ticks).toHaveLength(5);
      expect(new Set(chart.ticks).size).toBe(5);
    }
    await o.page.close();
  }, 300_000);
});
