/**
 * The examples as a user runs them: examples/mnist.mjs trains on a small slice of MNIST in a
 * child process (against the built dist/), and its PNG is checked chunk by chunk with a CRC
 * and an inflate written here, independently of the encoder in examples/lib/png.mjs.
 */
import { describe, expect, test, beforeAll, afterAll } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: plain ES modules without type declarations
import { encodePng } from '../examples/lib/png.mjs';
import { decodePng, runNode } from './examples/png-check.js';
// @ts-expect-error: plain ES modules without type declarations
import { blockArt } from '../examples/lib/digits.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
describe('examples/lib/png.mjs', () => {
  test('grayscale and RGB round-trip through an independent decoder', () => {
    const gray = Uint8Array.from({ length: 7 * 3 }, (_, i) => (i * 37) & 255);
    const decodedGray = decodePng(encodePng({ width: 7, height: 3, channels: 1, pixels: gray }));
    expect([decodedGray.width, decodedGray.height, decodedGray.bitDepth, decodedGray.colorType]).toEqual([7, 3, 8, 0]);
    expect([...decodedGray.pixels]).toEqual([...gray]);

    const rgb = Uint8Array.from({ length: 1 * 5 * 3 }, (_, i) => 255 - i);
    const decodedRgb = decodePng(encodePng({ width: 1, height: 5, channels: 3, pixels: rgb }));
    expect([decodedRgb.width, decodedRgb.height, decodedRgb.colorType]).toEqual([1, 5, 2]);
    expect([...decodedRgb.pixels]).toEqual([...rgb]);

    const rgba = Uint8Array.from({ length: 3 * 2 * 4 }, (_, i) => (i * 53 + 7) & 255);
    const decodedRgba = decodePng(encodePng({ width: 3, height: 2, channels: 4, pixels: rgba }));
    expect([decodedRgba.width, decodedRgba.height, decodedRgba.bitDepth, decodedRgba.colorType]).toEqual([3, 2, 8, 6]);
    expect([...decodedRgba.pixels]).toEqual([...rgba]);
  });

  test('rejects a size that does not match the pixels', () => {
    expect(() => encodePng({ width: 2, height: 2, channels: 3, pixels: new Uint8Array(11) }))
      .toThrow('expected 12 bytes for 2x2x3; received 11');
    expect(() => encodePng({ width: 0, height: 2, channels: 1, pixels: new Uint8Array(0) })).toThrow('positive integers');
    expect(() => encodePng({ width: 1, height: 1, channels: 2, pixels: new Uint8Array(2) })).toThrow('channels must be 1, 3 or 4');
  });
});

describe('examples/lib/digits.mjs', () => {
  test('blockArt stacks two 2x2 squares per character', () => {
    // 4x4 image: top-left 2x2 square on, bottom-right 2x2 square on.
    const image = new Float32Array(16);
    for (const [y, x] of [[0, 0], [0, 1], [1, 0], [1, 1], [2, 2], [2, 3], [3, 2], [3, 3]]) image[y * 4 + x] = 1;
    expect(blockArt(image, 4, 4)).toEqual(['▀▄']);
    expect(blockArt(new Float32Array(28 * 28), 28, 28)).toEqual(Array(7).fill(' '.repeat(14)));
  });
});

describe('examples/mnist.mjs', () => {
  let dir = '';
  beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'sora-examples-')); });
  afterAll(async () => { if (dir) await rm(dir, { recursive: true, force: true }); });

  test('trains on 3000 images for one epoch, reports the test accuracy and writes the PNG', async () => {
    if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('dist/index.js is missing: run `npm run build` first');
    const png = join(dir, 'predictions.png');
    const { code, stdout, stderr } = await runNode(['examples/mnist.mjs'], {
      MNIST_EPOCHS: '1', MNIST_TRAIN_LIMIT: '3000', MNIST_PNG: png, MNIST_VERBOSE: '2', NO_COLOR: '1',
    });
    expect(code, `exit code; stderr:\n${stderr}\nstdout:\n${stdout}`).toBe(0);

    expect(stdout).toMatch(/^sora backend: (wasm|webgpu|reference) — /m);
    expect(stdout).toMatch(/MNIST: 3000 training and 10000 test images of 28x28/);
    expect(stdout).toMatch(/^Epoch 1\/1$/m);
    const accuracy = /Test accuracy: ([\d.]+)% on 10000 test images/.exec(stdout);
    expect(accuracy, stdout).not.toBeNull();
    // One epoch on 3000 images lands near 85-88%; chance is 10%.
    expect(Number(accuracy![1])).toBeGreaterThan(70);
    expect(Number(accuracy![1])).toBeLessThanOrEqual(100);

    // The terminal grid: 25 captions, no line wider than 80 columns.
    const captions = stdout.match(/pred \d (✓|✗ true \d)/g) ?? [];
    expect(captions).toHaveLength(25);
    const right = /\((\d+)\/25 right\)/.exec(stdout);
    expect(Number(right![1])).toBe(captions.filter((c) => c.endsWith('✓')).length);
    const grid = stdout.slice(stdout.indexOf('Test digits'), stdout.indexOf('Wrote ')).split('\n');
    expect(grid.length).toBeGreaterThan(5 * 8);
    for (const line of grid) expect([...line].length, line).toBeLessThanOrEqual(80);

    const written = /Wrote (.+) \((\d+)x(\d+) PNG\)/.exec(stdout);
    expect(written, stdout).not.toBeNull();
    const decoded = decodePng(new Uint8Array(await readFile(png)));
    expect([decoded.width, decoded.height]).toEqual([Number(written![2]), Number(written![3])]);
    expect(decoded.width).toBeGreaterThanOrEqual(5 * 28 * 2);
    expect([decoded.bitDepth, decoded.colorType]).toEqual([8, 2]);
    // Frames: the green of a right prediction and the red of a wrong one, as many frames as captions say.
    let green = 0, red = 0;
    for (let i = 0; i < decoded.pixels.length; i += 3) {
      const [r, g, b] = [decoded.pixels[i], decoded.pixels[i + 1], decoded.pixels[i + 2]];
      if (r === 60 && g === 200 && b === 100) green++;
      if (r === 235 && g === 70 && b === 60) red++;
    }
    const wrong = 25 - Number(right![1]);
    expect(green > 0).toBe(wrong < 25);
    expect(red > 0).toBe(wrong > 0);
  }, 60_000);

  test('SORA_BACKEND chooses the backend', async () => {
    const { code, stdout, stderr } = await runNode(['examples/mnist.mjs'], {
      SORA_BACKEND: 'reference', MNIST_EPOCHS: '1', MNIST_TRAIN_LIMIT: '300', MNIST_TEST_LIMIT: '100',
      MNIST_PNG: join(dir, 'reference.png'), MNIST_VERBOSE: '0',
    });
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^sora backend: reference — /m);
    expect(stdout).toMatch(/Test accuracy: [\d.]+% on 100 test images/);
  }, 60_000);

  test('names a bad environment setting', async () => {
    const { code, stderr } = await runNode(['examples/mnist.mjs'], { MNIST_EPOCHS: 'two' });
    expect(code).not.toBe(0);
    expect(stderr).toContain('MNIST_EPOCHS must be an integer >= 1; received MNIST_EPOCHS="two"');
  });
});
