/**
 * tf.browser: pixels to tensors and back. fromPixels reads {data, width, height} pixel
 * data, ImageData, canvases (and OffscreenCanvas), images, videos and ImageBitmaps (these
 * through a 2D canvas) into an int32 [height, width, channels] tensor; toPixels and draw
 * turn a [height, width] or [height, width, 1 | 3 | 4] tensor (float32 in [0, 1] or int32
 * in [0, 255]) into RGBA bytes, drawn onto a canvas when given. TF.js's rules and messages.
 */
import { Tensor } from '../../core/tensor.js';
import { tensor } from '../creation.js';
import { cast } from '../structure/shape.js';

export interface PixelData { width: number; height: number; data: Uint8Array }
type CanvasLike = { width: number; height: number; getContext(type: string, attributes?: object): unknown };
type Drawable = { width?: number; height?: number; videoWidth?: number; videoHeight?: number };
type Context2D = {
  canvas: { width: number; height: number };
  drawImage(image: unknown, x: number, y: number, w: number, h: number): void;
  getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  putImageData(data: unknown, x: number, y: number): void;
};

const g = globalThis as Record<string, unknown>;
const isInstance = (value: unknown, name: string) => typeof g[name] === 'function' && value instanceof (g[name] as new () => unknown);

let scratch: Context2D | null = null;
function scratchContext(): Context2D {
  if (scratch) return scratch;
  const doc = g.document as { createElement(tag: string): CanvasLike } | undefined;
  if (doc) scratch = doc.createElement('canvas').getContext('2d', { willReadFrequently: true }) as Context2D;
  else if (typeof g.OffscreenCanvas === 'function') scratch = new (g.OffscreenCanvas as new (w: number, h: number) => CanvasLike)(1, 1).getContext('2d') as Context2D;
  if (!scratch) {
    throw new Error('fromPixels: cannot read this image here: it needs a 2D canvas (a document or OffscreenCanvas)');
  }
  return scratch;
}

/** RGBA bytes and size of any pixel source fromPixels takes. */
function rgbaOf(pixels: unknown): { rgba: ArrayLike<number>; width: number; height: number } {
  const p = pixels as Drawable & { data?: unknown; getContext?: CanvasLike['getContext'] };
  if (p.data instanceof Uint8Array || isInstance(pixels, 'ImageData')) {
    return { rgba: p.data as ArrayLike<number>, width: p.width!, height: p.height! };
  }
  const video = isInstance(pixels, 'HTMLVideoElement');
  const [width, height] = video ? [p.videoWidth!, p.videoHeight!] : [p.width!, p.height!];
  if (typeof p.getContext === 'function') {
    return { rgba: (p.getContext('2d') as Context2D).getImageData(0, 0, width, height).data, width, height };
  }
  if (video || isInstance(pixels, 'HTMLImageElement') || isInstance(pixels, 'ImageBitmap')) {
    const ctx = scratchContext();
    ctx.canvas.width = width;
    ctx.canvas.height = height;
    ctx.drawImage(pixels, 0, 0, width, height);
    return { rgba: ctx.getImageData(0, 0, width, height).data, width, height };
  }
  throw new Error('fromPixels: pixels must be {data: Uint8Array, width, height}, ImageData, a canvas or OffscreenCanvas, ' +
    `an image, a video or an ImageBitmap; received ${(pixels as object).constructor?.name ?? typeof pixels}`);
}

/** An int32 [height, width, numChannels] tensor of the first numChannels of each pixel's RGBA. */
export function fromPixels(pixels: PixelData | ImageData | object, numChannels = 3): Tensor {
  if (!Number.isInteger(numChannels) || numChannels < 1 || numChannels > 4) {
    throw new Error(`fromPixels: numChannels must be 1, 2, 3 or 4; received ${numChannels}`);
  }
  if (pixels == null) throw new Error('fromPixels: pixels can not be null');
  const { rgba, width, height } = rgbaOf(pixels);
  const count = width * height;
  if (rgba.length < count * 4) {
    throw new Error(`fromPixels: ${width}x${height} pixels need ${count * 4} RGBA bytes; received ${rgba.length}`);
  }
  const values = new Int32Array(count * numChannels);
  for (let i = 0; i < count; i++) for (let c = 0; c < numChannels; c++) values[i * numChannels + c] = rgba[i * 4 + c];
  return tensor(values, [height, width, numChannels], 'int32', 'fromPixels');
}

/** fromPixels resolved as a promise (tf.browser.fromPixelsAsync); numChannels defaults to 3. */
export async function fromPixelsAsync(pixels: PixelData | ImageData | object, numChannels = 3): Promise<Tensor> {
  return fromPixels(pixels, numChannels);
}

function imageTensor(op: string, img: unknown): { t: Tensor; made: boolean } {
  const made = !(img instanceof Tensor);
  let t: Tensor;
  if (made) {
    const values = tensor(img as never, undefined, undefined, op);
    t = cast(values, 'int32');
    values.dispose();
  } else {
    t = img as Tensor;
    t.assertAlive(op);
  }
  const fail = (message: string): never => { if (made) t.dispose(); throw new Error(`${op}: ${message}`); };
  if (t.rank !== 2 && t.rank !== 3) fail(`only rank 2 or 3 tensors can be drawn; received rank ${t.rank}`);
  const depth = t.rank === 2 ? 1 : t.shape[2];
  if (depth !== 1 && depth !== 3 && depth !== 4) fail(`the depth must be 1, 3 or 4; received ${depth}`);
  if (t.dtype !== 'float32' && t.dtype !== 'int32') fail(`only float32 and int32 tensors can be drawn; received ${t.dtype}`);
  return { t, made };
}

/** RGBA bytes of an image tensor's values (float32 in [0, 1] scaled by 255, int32 in [0, 255]). */
function rgbaBytes(op: string, t: Tensor, data: ArrayLike<number>, alpha: number): Uint8ClampedArray {
  const [height, width] = t.shape;
  const depth = t.rank === 2 ? 1 : t.shape[2];
  const float = t.dtype === 'float32';
  const scale = float ? 255 : 1;
  const bytes = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const rgba = [0, 0, 0, 255 * alpha];
    for (let d = 0; d < depth; d++) {
      const value = data[i * depth + d];
      if (!(value >= 0 && value <= (float ? 1 : 255))) {
        throw new Error(`${op}: values of a ${t.dtype} tensor must be in [0, ${float ? 1 : 255}]; encountered ${value}`);
      }
      if (depth === 1) rgba[0] = rgba[1] = rgba[2] = value * scale;
      else rgba[d] = value * scale;
    }
    for (let k = 0; k < 4; k++) bytes[i * 4 + k] = Math.round(rgba[k]);
  }
  return bytes;
}

function paint(op: string, canvas: CanvasLike, bytes: Uint8ClampedArray, width: number, height: number,
  contextOptions?: { contextType?: string; contextAttributes?: object }): void {
  const type = contextOptions?.contextType ?? '2d';
  if (type !== '2d') throw new Error(`${op}: only the '2d' context type is supported; received '${type}'`);
  const ctx = canvas.getContext('2d', contextOptions?.contextAttributes ?? {}) as Context2D | null;
  if (ctx == null) throw new Error(`${op}: could not get a 2d context from the canvas`);
  canvas.width = width;
  canvas.height = height;
  const ImageDataCtor = g.ImageData as (new (data: Uint8ClampedArray, w: number, h: number) => unknown) | undefined;
  ctx.putImageData(ImageDataCtor ? new ImageDataCtor(bytes, width, height) : { data: bytes, width, height }, 0, 0);
}

/** The tensor as RGBA bytes (alpha 255), drawn onto `canvas` too when given. */
export async function toPixels(img: Tensor | number[] | number[][] | number[][][], canvas?: CanvasLike): Promise<Uint8ClampedArray> {
  const { t, made } = imageTensor('toPixels', img);
  try {
    const bytes = rgbaBytes('toPixels', t, await t.data(), 1);
    if (canvas != null) paint('toPixels', canvas, bytes, t.shape[1], t.shape[0]);
    return bytes;
  } finally {
    if (made) t.dispose();
  }
}

export interface DrawOptions {
  imageOptions?: { alpha?: number };
  contextOptions?: { contextType?: string; contextAttributes?: object };
}

/** Draws the tensor onto a canvas now (its values read synchronously), with imageOptions.alpha in [0, 1]. */
export function draw(image: Tensor | number[][] | number[][][], canvas: CanvasLike, options?: DrawOptions): void {
  const alpha = options?.imageOptions?.alpha || 1;
  if (alpha < 0 || alpha > 1) throw new Error(`draw: imageOptions.alpha must be in [0, 1]; received ${alpha}`);
  if (canvas == null || typeof canvas.getContext !== 'function') throw new Error('draw: expected a canvas to draw on');
  const { t, made } = imageTensor('draw', image);
  try {
    paint('draw', canvas, rgbaBytes('draw', t, t.dataSync(), alpha), t.shape[1], t.shape[0], options?.contextOptions);
  } finally {
    if (made) t.dispose();
  }
}

/** Pixels to tensors and back (tf.browser): fromPixels, fromPixelsAsync, toPixels and draw. */
export const browser = { fromPixels, fromPixelsAsync, toPixels, draw };
