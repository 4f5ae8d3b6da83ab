/**
 * The demo page's pose panel (demo/pose.js) in headless Chromium: pressing "Find the pose" loads
 * MoveNet Lightning with sora.loadGraphModel over http and runs it on the sample photo, on wasm and
 * on webgpu (SwiftShader here). The keypoints the page reports match TF.js's (cpu backend, in this
 * process) on the very input values the page built, within 1e-3; a whole person is found upright;
 * the canvas shows the photo with the pose drawn; the static build carries the panel's files.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
// @ts-expect-error: a plain ES module without type declarations
import { serveDemo, writeDemo } from '../demo/serve.mjs';
// @ts-expect-error: a plain ES module without type declarations
import { KEYPOINT_NAMES, MOVENET_SIZE } from '../examples/lib/pose.mjs';
import { launchChromium, requireChromium, type ChromiumSession } from './runtimes/chromium.js';
import { REPO_ROOT } from './runtimes/server.js';

interface Keypoint { name: string; y: number; x: number; score: number; px: number; py: number }
interface PoseState { status: string; errors: string[]; backend: string | null; pose: { keypoints: Keypoint[]; input: number[]; ms: number; backend: string } | null }

const MODEL = join(REPO_ROOT, 'node_modules/@vladmandic/human/models/movenet-lightning');
let session: ChromiumSession;
let server: { origin: string; close(): Promise<void> };
let movenet: tf.GraphModel;

const state = (p: Page) => p.evaluate(() => {
  const d = (window as unknown as { soraDemo: PoseState & { pose?: PoseState['pose'] } }).soraDemo;
  return { status: d.status, errors: d.errors, backend: d.backend, pose: d.pose ?? null } as PoseState;
});

async function until(p: Page, done: (s: PoseState) => boolean, what: string, timeoutMs: number): Promise<PoseState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await state(p);
    if (s.errors.length) throw new Error(`the page shows an error while waiting for ${what}: ${s.errors.join('; ')}`);
    if (done(s)) return s;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** TF.js's keypoints (y, x, score) on the page's input values. */
async function tfjsKeypoints(input: number[]): Promise<Float32Array> {
  const x = tf.tensor(input, [1, MOVENET_SIZE, MOVENET_SIZE, 3], 'int32');
  const y = movenet.execute(x) as tf.Tensor;
  const values = (await y.data()) as Float32Array;
  tf.dispose([x, y]);
  return values;
}

/** Opens the page on `backend`, presses the button and checks the pose, within `tolerance` of TF.js's keypoint values. */
async function findPose(backend: string, timeoutMs: number, tolerance: number): Promise<void> {
  const p = await session.browser.newPage();
  const consoleErrors: string[] = [];
  p.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  p.on('pageerror', (e) => consoleErrors.push(`page error: ${(e as Error).message ?? e}`));
  try {
    await p.goto(`${server.origin}/?backend=${backend}`, { waitUntil: 'load' });
    await until(p, (s) => s.status === 'ready', 'the page', 60_000);
    expect(await p.$eval('#pose-status', (e) => e.textContent)).toMatch(/^Press the button/);
    await p.click('#pose-run');
    const s = await until(p, (x) => x.pose !== null, 'the pose', timeoutMs);
    const pose = s.pose!;
    expect(pose.backend).toBe(backend);
    expect(pose.input).toHaveLength(MOVENET_SIZE * MOVENET_SIZE * 3);
    expect(pose.keypoints.map((k) => k.name)).toEqual(KEYPOINT_NAMES);

    const expected = await tfjsKeypoints(pose.input);
    pose.keypoints.forEach((k, i) => {
      expect(Math.abs(k.y - expected[i * 3]), `${k.name} y`).toBeLessThan(tolerance);
      expect(Math.abs(k.x - expected[i * 3 + 1]), `${k.name} x`).toBeLessThan(tolerance);
      expect(Math.abs(k.score - expected[i * 3 + 2]), `${k.name} score`).toBeLessThan(tolerance);
    });
    const seen = pose.keypoints.filter((k) => k.score > 0.3).length;
    expect(seen).toBeGreaterThanOrEqual(15);
    const at = Object.fromEntries(pose.keypoints.map((k) => [k.name, k]));
    expect(at.nose.py).toBeLessThan(at.left_hip.py);
    expect(at.left_hip.py).toBeLessThan(at.left_ankle.py);
    expect(await p.$eval('#pose-status', (e) => e.textContent))
      .toMatch(new RegExp(`^${seen} of 17 keypoints found \\(score above 0\\.3\\) · [\\d.]+ ms a prediction on ${backend}$`));

    // The canvas: the last keypoint drawn (nothing covers its dot) has its side's colour at its centre.
    const last = pose.keypoints.map((k) => k.score > 0.3).lastIndexOf(true);
    const dot = pose.keypoints[last];
    const pixel = await p.$eval('#pose-canvas', (c, x, y) => [...(c as HTMLCanvasElement).getContext('2d')!.getImageData(x, y, 1, 1).data],
      Math.round(dot.px * 2), Math.round(dot.py * 2));
    expect(pixel).toEqual(last <= 4 ? [255, 220, 40, 255] : last % 2 ? [255, 140, 30, 255] : [40, 210, 255, 255]);
    const size = await p.$eval('#pose-canvas', (c) => [(c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height]);
    expect(size).toEqual([312, 312]);
    expect(consoleErrors).toEqual([]);
  } finally {
    await p.close();
  }
}

describe('the demo page\'s pose panel in headless Chromium', () => {
  beforeAll(async () => {
    requireChromium();
    await tf.setBackend('cpu');
    const json = JSON.parse(readFileSync(`${MODEL}.json`, 'utf8'));
    const bin = readFileSync(`${MODEL}.bin`);
    movenet = await tf.loadGraphModel(tf.io.fromMemory({
      modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights,
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
    }));
    server = await serveDemo({ port: 0 });
    session = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    movenet?.dispose();
    await session?.close();
    await server?.close();
  });

  test('finds the pose on wasm as TF.js does, and draws it', async () => { await findPose('wasm', 60_000, 1e-3); }, 120_000);

  test('finds the pose on webgpu as TF.js does', async () => { await findPose('webgpu', 240_000, 1e-3); }, 300_000);

  test('the static build carries the model and the photo', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'sora-demo-pose-'));
    try {
      await writeDemo(folder);
      expect(readdirSync(join(folder, 'pose')).sort()).toEqual(['movenet-lightning.bin', 'movenet-lightning.json', 'sample.jpg']);
      expect(readFileSync(join(folder, 'pose', 'movenet-lightning.bin')).equals(readFileSync(`${MODEL}.bin`))).toBe(true);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 60_000);
});
