/**
 * tf.browser against TF.js (cpu backend) in Node: fromPixels on pixel data and on a canvas
 * (a 2D-context stand-in), toPixels for every depth and dtype, draw with alpha, and TF.js's
 * errors for bad shapes, dtypes and values.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await sora.setBackend('reference');
});

const W = 5, H = 3;
const rgba = Uint8Array.from({ length: W * H * 4 }, (_, i) => (i * 37 + 11) % 256);

/** A canvas whose 2d context keeps what is put and returns it from getImageData. */
function fakeCanvas(initial?: Uint8ClampedArray) {
  const canvas = {
    width: W, height: H, put: null as null | { data: Uint8ClampedArray; width: number; height: number },
    getContext: () => ({
      getImageData: (_x: number, _y: number, w: number, h: number) => ({ data: initial ?? new Uint8ClampedArray(w * h * 4) }),
      putImageData: (data: { data: Uint8ClampedArray; width: number; height: number }) => { canvas.put = data; },
    }),
  };
  return canvas;
}

describe('tf.browser', () => {
  it('fromPixels: pixel data and canvases, 1-4 channels, as TF.js', () => {
    for (const channels of [1, 2, 3, 4]) {
      const ours = sora.browser.fromPixels({ data: rgba, width: W, height: H }, channels);
      const theirs = tf.browser.fromPixels({ data: rgba, width: W, height: H }, channels);
      expect(ours.shape).toEqual(theirs.shape);
      expect(ours.dtype).toBe(theirs.dtype);
      expect(Array.from(ours.dataSync())).toEqual(Array.from(theirs.dataSync()));
      const fromCanvas = sora.browser.fromPixels(fakeCanvas(new Uint8ClampedArray(rgba)) as never, channels);
      expect(Array.from(fromCanvas.dataSync())).toEqual(Array.from(theirs.dataSync()));
    }
    expect(Array.from(sora.browser.fromPixels({ data: rgba, width: W, height: H }).dataSync()))
      .toEqual(Array.from(tf.browser.fromPixels({ data: rgba, width: W, height: H }).dataSync()));
  });
  it('fromPixelsAsync resolves to the same tensor', async () => {
    const t = await sora.browser.fromPixelsAsync({ data: rgba, width: W, height: H }, 4);
    expect(Array.from(t.dataSync())).toEqual(Array.from(rgba));
  });
  it('toPixels: every depth and dtype gives TF.js bytes, and paints the canvas', async () => {
    for (const depth of [0, 1, 3, 4]) {
      for (const dtype of ['float32', 'int32'] as const) {
        const shape = depth === 0 ? [H, W] : [H, W, depth];
        const n = shape.reduce((a, b) => a * b, 1);
        const values = Array.from({ length: n }, (_, i) => (dtype === 'float32' ? ((i * 7) % 11) / 10 : (i * 53) % 256));
        const ours = await sora.browser.toPixels(sora.tensor(values, shape, dtype));
        const theirs = await tf.browser.toPixels(tf.tensor(values, shape, dtype) as never);
        expect(Array.from(ours), `${dtype} [${shape}]`).toEqual(Array.from(theirs));
      }
    }
    const canvas = fakeCanvas();
    const bytes = await sora.browser.toPixels(sora.tensor([[0, 1], [0.5, 0.25]]), canvas as never);
    expect([canvas.width, canvas.height]).toEqual([2, 2]);
    expect(Array.from(canvas.put!.data)).toEqual(Array.from(bytes));
    expect(Array.from(await sora.browser.toPixels([[[1, 2, 3]]]))).toEqual(Array.from(await tf.browser.toPixels([[[1, 2, 3]]] as never)));
  });
  it('draw paints with alpha; bad input is an error naming the function', async () => {
    const canvas = fakeCanvas();
    sora.browser.draw(sora.tensor([[[0.2, 0.4, 0.6]]]), canvas as never, { imageOptions: { alpha: 0.5 } });
    expect(Array.from(canvas.put!.data)).toEqual([51, 102, 153, 128]);
    await expect(sora.browser.toPixels(sora.tensor([[1.5]]))).rejects.toThrow(/toPixels: values of a float32 tensor must be in \[0, 1\]; encountered 1.5/);
    await expect(sora.browser.toPixels(sora.tensor([[300]], undefined, 'int32'))).rejects.toThrow(/int32 tensor must be in \[0, 255\]/);
    await expect(sora.browser.toPixels(sora.zeros([2, 2, 2]))).rejects.toThrow(/toPixels: the depth must be 1, 3 or 4; received 2/);
    await expect(sora.browser.toPixels(sora.zeros([2]))).rejects.toThrow(/toPixels: only rank 2 or 3 tensors/);
    await expect(sora.browser.toPixels(sora.zeros([2, 2], 'bool'))).rejects.toThrow(/only float32 and int32/);
    expect(() => sora.browser.draw(sora.zeros([1, 1]), canvas as never, { imageOptions: { alpha: 2 } })).toThrow(/draw: imageOptions.alpha must be in \[0, 1\]/);
    expect(() => sora.browser.fromPixels({ data: rgba, width: W, height: H }, 5)).toThrow(/fromPixels: numChannels must be 1, 2, 3 or 4; received 5/);
    expect(() => sora.browser.fromPixels(null as never)).toThrow(/fromPixels: pixels can not be null/);
    expect(() => sora.browser.fromPixels({ width: 1 } as never)).toThrow(/fromPixels: pixels must be/);
    expect(() => sora.browser.fromPixels({ data: new Uint8Array(3), width: 2, height: 2 })).toThrow(/need 16 RGBA bytes; received 3/);
  });
});
