/**
 * The MoveNet example (examples/movenet.mjs, examples/lib/pose.mjs): the letterbox and resize to
 * MoveNet's input, the keypoints mapped back to the photo, the drawing, the program's refusal of
 * bad arguments, and the program run on the sample photo against the built dist/: its 17 keypoints
 * match TF.js's (cpu backend, the same model and input) within 1e-3, most score above 0.3, and the
 * PNG it writes checks out chunk by chunk (signature, IHDR, every CRC, IDAT inflating to
 * height rows of 1 + width * 4 bytes).
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePng, runNode } from './png-check.js';
import {
  drawPose, KEYPOINT_NAMES, movenetInput, movenetKeypoints, scaleRegion, SKELETON,
  // @ts-expect-error: a plain ES module without type declarations
} from '../../examples/lib/pose.mjs';
// @ts-expect-error: a plain ES module without type declarations
import { MODEL, movenetOutput, parseArgs, readJpeg, SAMPLE, SAMPLE_CROP } from '../../examples/movenet.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Image { width: number; height: number; data: Uint8Array }
interface Keypoint { name: string; y: number; x: number; score: number; px: number; py: number }

/** An RGBA image whose pixel (x, y) is (x, y, x + y, 255) mod 256. */
function gradient(width: number, height: number): Image {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set([x & 255, y & 255, (x + y) & 255, 255], (y * width + x) * 4);
  }
  return { width, height, data };
}

/** Checks an RGBA PNG's structure (signature, chunk order, every CRC) and returns its size and pixels. */
function checkRgbaPng(file: Uint8Array): Image {
  const png = decodePng(file);
  expect([png.bitDepth, png.colorType], '8 bits, RGBA').toEqual([8, 6]);
  return { width: png.width, height: png.height, data: png.pixels };
}

describe('examples/lib/pose.mjs', () => {
  it('letterboxes a tall crop into the square, black margins left and right, resized to 192x192', () => {
    const image = gradient(300, 220);
    const { values, box } = movenetInput(image, { x: 100, y: 20, width: 96, height: 192 });
    expect(box).toEqual({ x: 100 - 48, y: 20, side: 192 });
    expect(values).toBeInstanceOf(Int32Array);
    expect(values.length).toBe(192 * 192 * 3);
    // Same size: the square maps pixel for pixel; outside the crop it is black.
    const px = (x: number, y: number) => [...values.subarray((y * 192 + x) * 3, (y * 192 + x) * 3 + 3)];
    expect(px(10, 50)).toEqual([0, 0, 0]);
    expect(px(191, 50)).toEqual([0, 0, 0]);
    expect(px(48, 0)).toEqual([100, 20, 120]);
    expect(px(48 + 95, 191)).toEqual([195, 211 & 255, (195 + 211) & 255]);
  });

  it('averages neighbours when it shrinks, and keeps a flat colour flat', () => {
    const flat: Image = { width: 384, height: 384, data: new Uint8Array(384 * 384 * 4).fill(77) };
    expect(new Set(movenetInput(flat).values)).toEqual(new Set([77]));
    const { values } = movenetInput(gradient(384, 384));
    // Output pixel 10 covers input pixels 20 and 21: their mean, 20.5, rounds to 21 (x in red).
    expect(values[(0 * 192 + 10) * 3]).toBe(21);
  });

  it('names a crop outside the image', () => {
    expect(() => movenetInput(gradient(50, 40), { x: 10, y: 0, width: 45, height: 40 }))
      .toThrow('movenetInput: the crop {"x":10,"y":0,"width":45,"height":40} is not inside the 50x40 image');
    expect(() => movenetInput(gradient(50, 40), { x: 0, y: 0, width: 0, height: 40 })).toThrow('is not inside');
  });

  it('maps keypoints from the square back to photo pixels', () => {
    const output = new Float32Array(51);
    output.set([0.5, 0.25, 0.9], 0); // nose at y 0.5, x 0.25
    output.set([1, 1, 0.1], 16 * 3);
    const keypoints: Keypoint[] = movenetKeypoints(output, { x: -10, y: 20, side: 200 });
    expect(keypoints.map((k) => k.name)).toEqual(KEYPOINT_NAMES);
    expect(keypoints[0]).toEqual({ name: 'nose', y: 0.5, x: 0.25, score: expect.closeTo(0.9, 6), px: 40, py: 120 });
    expect(keypoints[16]).toMatchObject({ name: 'right_ankle', px: 190, py: 220 });
    expect(() => movenetKeypoints(new Float32Array(50), { x: 0, y: 0, side: 1 })).toThrow('expected 51 values (1x1x17x3); received 50');
  });

  it('draws dots and lines only where the scores pass the threshold', () => {
    const blank = (): Image => ({ width: 100, height: 100, data: new Uint8Array(100 * 100 * 4) });
    const at = (px: number, py: number, score: number) => ({ name: '', y: 0, x: 0, score, px, py });
    const keypoints = KEYPOINT_NAMES.map(() => at(0, 0, 0));
    keypoints[5] = at(20, 50, 0.9); // left shoulder
    keypoints[6] = at(80, 50, 0.9); // right shoulder: SKELETON joins 5 and 6
    keypoints[7] = at(20, 90, 0.2); // left elbow, below the threshold
    expect(SKELETON).toContainEqual([5, 6]);
    const image = blank();
    drawPose(image, keypoints, { threshold: 0.3 });
    const painted = (x: number, y: number) => image.data[(y * 100 + x) * 4 + 3] === 255;
    expect(painted(20, 50)).toBe(true);
    expect(painted(80, 50)).toBe(true);
    expect(painted(50, 50)).toBe(true); // the line between the shoulders
    expect(painted(20, 90)).toBe(false);
    expect(painted(20, 70)).toBe(false); // no line to the low-scoring elbow
    // Enlarged: a keypoint at (30, 30) of a region starting at (20, 20), drawn at scale 2, lands at (20, 20).
    const region = scaleRegion(gradient(64, 64), { x: 20, y: 20, width: 30, height: 30 }, 2);
    expect([region.width, region.height]).toEqual([60, 60]);
    expect([...region.data.subarray(0, 4)]).toEqual([20, 20, 40, 255]);
    const one = KEYPOINT_NAMES.map(() => at(0, 0, 0));
    one[0] = at(30, 30, 1);
    drawPose(region, one, { scale: 2, offset: { x: 20, y: 20 } });
    expect([...region.data.subarray((20 * 60 + 20) * 4, (20 * 60 + 20) * 4 + 3)]).toEqual([255, 220, 40]);
  });
});

describe('examples/movenet.mjs arguments', () => {
  it('reads a path and a crop, and names what it does not take', () => {
    expect(parseArgs([])).toEqual({ path: null, crop: null });
    expect(parseArgs(['a.jpg', '--crop', '1,2,30,40'])).toEqual({ path: 'a.jpg', crop: { x: 1, y: 2, width: 30, height: 40 } });
    expect(() => parseArgs(['--crop', '1,2,0,4'])).toThrow('--crop wants x,y,width,height (integers, width and height >= 1); received "1,2,0,4"');
    expect(() => parseArgs(['--crop'])).toThrow('received ""');
    expect(() => parseArgs(['--size', '3'])).toThrow('unknown argument "--size"');
    expect(() => parseArgs(['a.jpg', 'b.jpg'])).toThrow('one photo at a time');
  });
});

describe('examples/movenet.mjs on the sample photo', () => {
  let dir = '';
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'sora-movenet-')); });
  afterAll(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });

  it('finds the person in the first thumbnail as TF.js does and writes the PNG', async () => {
    if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('dist/index.js is missing: run `npm run build` first');
    const png = join(dir, 'movenet.png');
    const { code, stdout, stderr } = await runNode(['examples/movenet.mjs'], { MOVENET_PNG: png, MOVENET_REPS: '2', NO_COLOR: '1' });
    expect(code, `exit code; stderr:\n${stderr}\nstdout:\n${stdout}`).toBe(0);
    expect(stdout).toMatch(/^sora backend: wasm — /m);

    // TF.js on the same input: its cpu backend is the oracle.
    await tf.setBackend('cpu');
    const json = JSON.parse(readFileSync(join(root, MODEL), 'utf8'));
    const bin = readFileSync(join(root, MODEL.replace(/\.json$/, '.bin')));
    const model = await tf.loadGraphModel(tf.io.fromMemory({
      modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights,
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
    }));
    const image = await readJpeg(join(root, SAMPLE));
    const { values, box } = movenetInput(image, SAMPLE_CROP);
    const expected: Keypoint[] = movenetKeypoints(await movenetOutput(tf, model, values), box);
    model.dispose();

    const printed = new Map<string, number[]>();
    for (const match of stdout.matchAll(/^([a-z_]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+([\d.]+)\s+\(/gm)) {
      printed.set(match[1], [Number(match[2]), Number(match[3]), Number(match[4])]);
    }
    expect([...printed.keys()]).toEqual(KEYPOINT_NAMES);
    for (const k of expected) {
      const [y, x, score] = printed.get(k.name)!;
      expect(Math.abs(y - k.y), `${k.name} y`).toBeLessThan(1e-3);
      expect(Math.abs(x - k.x), `${k.name} x`).toBeLessThan(1e-3);
      expect(Math.abs(score - k.score), `${k.name} score`).toBeLessThan(1e-3);
    }
    // A whole person in frame, facing the camera: nearly every keypoint is seen, and the body is upright.
    const seen = expected.filter((k) => k.score > 0.3).length;
    expect(seen).toBeGreaterThanOrEqual(15);
    expect(stdout).toContain(`${seen} of 17 keypoints above 0.3`);
    const byName = Object.fromEntries(expected.map((k) => [k.name, k]));
    expect(byName.nose.py).toBeLessThan(byName.left_shoulder.py);
    expect(byName.left_shoulder.py).toBeLessThan(byName.left_hip.py);
    expect(byName.left_hip.py).toBeLessThan(byName.left_knee.py);
    expect(byName.left_knee.py).toBeLessThan(byName.left_ankle.py);
    expect(stdout).toMatch(/[\d.]+ ms per prediction \(median of 2, wasm\)/);

    const written = /Wrote (.+) \((\d+)x(\d+) PNG\)/.exec(stdout);
    expect(written, stdout).not.toBeNull();
    const decoded = checkRgbaPng(new Uint8Array(await readFile(png)));
    expect([decoded.width, decoded.height]).toEqual([Number(written![2]), Number(written![3])]);
    expect([decoded.width, decoded.height]).toEqual([156 * 3, 156 * 3]);
    // The last keypoint drawn (nothing covers its dot) has its side's colour at its centre.
    const scale = 3;
    const last = expected.map((k) => k.score > 0.3).lastIndexOf(true);
    const dx = Math.round(expected[last].px * scale), dy = Math.round(expected[last].py * scale);
    expect([...decoded.data.subarray((dy * decoded.width + dx) * 4, (dy * decoded.width + dx) * 4 + 4)])
      .toEqual(last <= 4 ? [255, 220, 40, 255] : last % 2 ? [255, 140, 30, 255] : [40, 210, 255, 255]);
  }, 120_000);

  it('names a bad setting', async () => {
    const { code, stderr } = await runNode(['examples/movenet.mjs', '--crop', 'a'], {});
    expect(code).not.toBe(0);
    expect(stderr).toContain('examples/movenet.mjs: --crop wants x,y,width,height');
  });
});
