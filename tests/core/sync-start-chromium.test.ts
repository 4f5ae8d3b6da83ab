/**
 * No `await ready()` needed, in headless Chromium (issue 15): a page script written as TF.js
 * tutorials write them (no ready(), no setBackend: tensors, sequential, dense, compile, fit)
 * trains and keeps animation frames coming (counted as tests/models/yield-chromium.test.ts
 * counts them). Bundled from sora's main entry, the page's first op starts reference (a page
 * can only fetch the .wasm asynchronously) and env().syncStart says so; `await ready()` then
 * reaches wasm and the model and tensors made before keep working, as they do after
 * setBackend('webgpu') (SwiftShader) and back to wasm (where they read synchronously again).
 * Bundled from sora/wasm-inline, the first op starts wasm from the inlined build, fetching
 * nothing; in a web worker it starts wasm from the .wasm fetched synchronously. Fails (never
 * skips) where Chromium is missing.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bundle } from '../runtimes/bundle.js';
import { launchChromium, modulePage, runPage, type ChromiumSession } from '../runtimes/chromium.js';
import type { RunCollector } from '../runtimes/protocol.js';
import { startServer, type StaticServer } from '../runtimes/server.js';

/** A page that starts the no-ready worker and reports what it posts. */
const WORKER_PAGE = '<!doctype html><meta charset="utf-8"><title>worker</title><script type="module">' +
  "const worker = new Worker('worker.js', { type: 'module' });" +
  "worker.onmessage = (e) => { console.log('SORA_INFO ' + JSON.stringify(e.data)); console.log('SORA_DONE {}'); };" +
  "worker.onerror = (e) => console.log('SORA_FATAL ' + JSON.stringify(String(e.message)));" +
  '</script>';

let session: ChromiumSession;
let server: StaticServer;
const PAGE_TIMEOUT = 120_000;

interface FirstRun {
  firstOpMs: number; backend: string; description: string; syncStart: { backend: string; passedOver: string[] } | null;
  ms: number; frames: number; batches: number; lossBefore: number; lossAfter: number;
}
interface Moved {
  backend: string; syncStart: unknown; prediction: number[]; losses: number[]; gradient: number[]; old: number[];
}

beforeAll(async () => {
  // Three folders deep, as dist/backends/wasm/ is: the bundle's import.meta.url then resolves
  // '../../../build/sora-relaxed.wasm' to the repository's build/.
  const [plain, inline, worker] = await Promise.all([
    bundle('tests/runtimes/entries/no-ready.ts'), bundle('tests/runtimes/entries/no-ready-inline.ts'),
    bundle('tests/runtimes/entries/no-ready-worker.ts'),
  ]);
  server = await startServer({ files: {
    '/pages/a/b/plain.js': { body: plain }, '/pages/a/b/plain.html': { body: modulePage('plain.js') },
    '/pages/a/b/inline.js': { body: inline }, '/pages/a/b/inline.html': { body: modulePage('inline.js') },
    '/pages/a/b/worker.js': { body: worker }, '/pages/a/b/worker.html': { body: WORKER_PAGE },
  } });
  session = await launchChromium();
}, 180_000);

afterAll(async () => {
  await session?.close();
  await server?.close();
});

async function open(page: string): Promise<RunCollector> {
  const run = await runPage(session, `${server.origin}/pages/a/b/${page}`, PAGE_TIMEOUT);
  if (run.fatal) throw new Error(`${run.fatal}\n${run.tail()}`);
  return run;
}

function expectTrainedAndPainted(first: FirstRun): void {
  expect(first.ms).toBeGreaterThan(1400);
  expect(first.batches).toBeGreaterThan(10);
  expect(first.lossAfter).toBeLessThan(first.lossBefore);
  // fit yields about every 125 ms: a generous floor of one frame per 250 ms of training.
  expect(first.frames).toBeGreaterThanOrEqual(Math.floor(first.ms / 250));
}

function expectWorking(moved: Moved): void {
  expect(moved.gradient).toEqual([2, -4, 6]);
  expect(moved.old).toEqual([1, -2, 3]);
  expect(moved.losses.length).toBe(2);
  for (const loss of moved.losses) expect(Number.isFinite(loss)).toBe(true);
}

describe('a TF.js-style page with no ready() (headless Chromium)', () => {
  test("sora's main entry: reference starts at once and trains while frames come; ready() reaches wasm; then webgpu", async () => {
    const requestsBefore = server.requests.length;
    const run = await open('plain.html?webgpu');
    const first = run.info[0] as FirstRun;
    console.log(JSON.stringify({ plain: first }));
    expect(first.backend).toBe('reference');
    expect(first.syncStart).toEqual({ backend: 'reference', passedOver: [
      'webgpu: starts only asynchronously (await sora.ready())',
      `wasm: ${server.origin}/build/sora-relaxed.wasm can only be fetched asynchronously`,
    ] });
    expectTrainedAndPainted(first);

    const { before, readyPrediction, after } = run.info[1] as { before: Moved; readyPrediction: number[]; after: Moved };
    expect(before.backend).toBe('reference');
    expectWorking(before);
    // 'auto' passes over SwiftShader's CPU adapter: wasm, fetched and compiled asynchronously.
    expect(after.backend).toBe('wasm');
    expect(after.syncStart).toBeNull();
    expect(server.requests.slice(requestsBefore)).toContain('/build/sora-relaxed.wasm');
    for (let i = 0; i < 4; i++) expect(after.prediction[i]).toBeCloseTo(readyPrediction[i], 5);
    expectWorking(after);

    const { webgpu, prior, back } = run.info[2] as {
      webgpu: Moved; prior: number[]; back: { backend: string; old: number[]; prediction: number[]; lastOnGpu: number[] };
    };
    expect(webgpu.backend).toBe('webgpu');
    for (let i = 0; i < 4; i++) expect(webgpu.prediction[i]).toBeCloseTo(prior[i], 4);
    expectWorking(webgpu);
    // setBackend('wasm') moved what lived on the GPU: read with dataSync, the model predicts as it did there.
    expect(back.backend).toBe('wasm');
    expect(back.old).toEqual([1, -2, 3]);
    for (let i = 0; i < 4; i++) expect(back.prediction[i]).toBeCloseTo(back.lastOnGpu[i], 4);
  }, PAGE_TIMEOUT + 30_000);

  test('sora/wasm-inline: the first op starts wasm from the inlined build, fetching no .wasm, and trains while frames come', async () => {
    const requestsBefore = server.requests.length;
    const run = await open('inline.html');
    const first = run.info[0] as FirstRun;
    console.log(JSON.stringify({ inline: first }));
    expect(first.backend).toBe('wasm');
    expect(first.description).toBe('wasm (SIMD + relaxed SIMD)');
    expect(first.syncStart).toEqual({ backend: 'wasm', passedOver: ['webgpu: starts only asynchronously (await sora.ready())'] });
    expectTrainedAndPainted(first);
    const { after } = run.info[1] as { after: Moved };
    expect(after.backend).toBe('wasm');
    expectWorking(after);
    expect(server.requests.slice(requestsBefore).filter((path) => path.endsWith('.wasm'))).toEqual([]);
  }, PAGE_TIMEOUT + 30_000);

  test('a web worker: the first op starts wasm, fetched with a synchronous request and compiled at once', async () => {
    const requestsBefore = server.requests.length;
    const run = await open('worker.html');
    const report = run.info[0] as { backend: string; description: string; syncStart: unknown; product: number[][]; losses: number[]; error?: string };
    expect(report.error).toBeUndefined();
    expect(report.backend).toBe('wasm');
    expect(report.description).toBe('wasm (SIMD + relaxed SIMD)');
    expect(report.syncStart).toEqual({ backend: 'wasm', passedOver: ['webgpu: starts only asynchronously (await sora.ready())'] });
    expect(report.product).toEqual([[17], [39]]);
    expect(report.losses[3]).toBeLessThan(report.losses[0]);
    expect(server.requests.slice(requestsBefore)).toContain('/build/sora-relaxed.wasm');
  }, PAGE_TIMEOUT + 30_000);
});
