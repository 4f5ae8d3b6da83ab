/**
 * tf.data.webcam: frames of a camera as int32 [height, width, 3] tensors, pulled one at a time
 * (`capture()` or `next()`), as TF.js's WebcamIterator. The stream opens on creation and on
 * `start()`; `stop()` stops every track of it and ends the iteration until the next `start()`.
 *
 * With resizeWidth and resizeHeight that differ from the video element's size, each frame is
 * cropped (centerCrop: the middle resizeWidth x resizeHeight of the element's size, else the
 * whole frame) and resized bilinearly by tf.image.cropAndResize, so, as in TF.js, such frames
 * are float32. DOM objects are only touched inside the calls, so the module imports cleanly
 * in Node and Deno; there the calls fail, naming themselves and what is missing.
 */
import type { Tensor } from '../core/tensor.js';
import { tensor } from '../ops/creation.js';
import { fromPixels } from '../ops/image/browser.js';
import { cropAndResize } from '../ops/image/warp.js';
import { ENGINE } from '../core/engine.js';
import { cast, expandDims, reshape } from '../ops/structure/shape.js';

/** The options of tf.data.webcam: which camera, and the size and crop of its frames (all optional). */
export interface WebcamConfig {
  /** 'user' (the front camera, the default) or 'environment' (the back one). */
  facingMode?: 'user' | 'environment';
  /** The camera to open (from navigator.mediaDevices.enumerateDevices()). */
  deviceId?: string;
  /** The width of the frames; with resizeHeight, frames are resized to it. */
  resizeWidth?: number;
  /** The height of the frames; with resizeWidth, frames are resized to it. */
  resizeHeight?: number;
  /** Crop the middle of the frame to the resize size instead of scaling the whole frame. */
  centerCrop?: boolean;
}

type Video = HTMLVideoElement;
const g = globalThis as Record<string, unknown>;

/** Throws, naming `call`, unless this is a browser page with a camera API. */
export function requireMediaDevices(call: string, what: string): MediaDevices {
  const nav = g.navigator as { mediaDevices?: MediaDevices } | undefined;
  if (typeof g.document !== 'object' || g.document === null) {
    throw new Error(`${call}: needs a browser page (document and navigator.mediaDevices.getUserMedia open the ${what}); ` +
      `this runtime has no document (${typeof g.Deno === 'object' ? 'Deno' : typeof g.process === 'object' ? 'Node' : 'not a page'})`);
  }
  if (typeof nav?.mediaDevices?.getUserMedia !== 'function') {
    throw new Error(`${call}: navigator.mediaDevices.getUserMedia is missing, so the ${what} cannot be opened ` +
      '(browsers expose it only in secure contexts: https or localhost)');
  }
  return nav.mediaDevices;
}

/**
 * getUserMedia's refusal, named for the call. The DOMException's name (NotAllowedError,
 * NotFoundError, ...) is kept on the error, as TF.js's webcam keeps its error, so code that
 * tells a refusal from a missing camera still can; the DOMException is its cause.
 */
export function deviceError(call: string, what: string, error: unknown): Error {
  const { name, message } = error instanceof Error || (error !== null && typeof error === 'object')
    ? error as Error : { name: '', message: String(error) };
  const out = new Error(`${call}: could not open the ${what}${name && name !== 'Error' ? ` (${name})` : ''}: ${message}`, { cause: error });
  if (name) out.name = name;
  return out;
}

function checkSize(name: string, value: unknown): void {
  if (value !== undefined && !(Number.isInteger(value) && (value as number) > 0)) {
    throw new Error(`tf.data.webcam: webcamConfig.${name} must be a positive integer; received ${String(value)}`);
  }
}

/**
 * The camera as a stream of frames (what tf.data.webcam resolves to): capture() takes one
 * int32 [height, width, 3] frame (float32 when resized, as TF.js), stop() releases the camera
 * and start() opens it again; `for await` reads frames until stop().
 */
export class WebcamIterator {
  private stream: MediaStream | null = null;
  private closed = true;
  /** Frames are cropped and resized when the resize size differs from the element's (TF.js's rule). */
  private readonly resize: boolean;

  private constructor(readonly webcamVideoElement: Video, readonly webcamConfig: WebcamConfig) {
    const { resizeWidth: width, resizeHeight: height } = webcamConfig;
    this.resize = Boolean(width && height && (webcamVideoElement.width !== width || webcamVideoElement.height !== height));
  }

  /**
   * [y1, x1, y2, x2] of the crop, as fractions of the frame. The centre crop is the resize size
   * measured on the element's size (TF.js's box), or on the frame's where the element has none.
   */
  private cropBox(frameHeight: number, frameWidth: number): number[] {
    if (!this.webcamConfig.centerCrop) return [0, 0, 1, 1];
    const video = this.webcamVideoElement;
    const w = this.webcamConfig.resizeWidth! / (video.width || frameWidth);
    const h = this.webcamConfig.resizeHeight! / (video.height || frameHeight);
    return [(1 - h) / 2, (1 - w) / 2, (1 + h) / 2, (1 + w) / 2];
  }

  /** Checks the arguments, makes the video element when none is given, and opens the camera. */
  static async create(webcamVideoElement?: Video, webcamConfig: WebcamConfig = {}): Promise<WebcamIterator> {
    requireMediaDevices('tf.data.webcam', 'camera');
    if (webcamConfig === null || typeof webcamConfig !== 'object') {
      throw new Error(`tf.data.webcam: webcamConfig must be an object; received ${String(webcamConfig)}`);
    }
    checkSize('resizeWidth', webcamConfig.resizeWidth);
    checkSize('resizeHeight', webcamConfig.resizeHeight);
    const { facingMode } = webcamConfig;
    if (facingMode !== undefined && facingMode !== 'user' && facingMode !== 'environment') {
      throw new Error(`tf.data.webcam: invalid webcam facing mode: ${String(facingMode)}; expected 'user' or 'environment'`);
    }
    let video = webcamVideoElement;
    if (video == null) {
      if (!webcamConfig.resizeWidth || !webcamConfig.resizeHeight) {
        throw new Error('tf.data.webcam: give a video element, or resizeWidth and resizeHeight to make a hidden one');
      }
      video = (g.document as Document).createElement('video');
      video.width = webcamConfig.resizeWidth;
      video.height = webcamConfig.resizeHeight;
    } else if (typeof (video as { play?: unknown }).play !== 'function' || !('srcObject' in video)) {
      throw new Error(`tf.data.webcam: webcamVideoElement must be an HTMLVideoElement; received ${
        (video as object).constructor?.name ?? typeof video}`);
    }
    const iterator = new WebcamIterator(video, webcamConfig);
    await iterator.start();
    return iterator;
  }

  summary(): string { return 'webcam'; }

  /** Opens the camera (again after stop()) and resolves once the video has its size. */
  async start(): Promise<void> {
    const devices = requireMediaDevices('tf.data.webcam', 'camera');
    if (!this.closed) return;
    const video = this.webcamVideoElement;
    const { deviceId, facingMode } = this.webcamConfig;
    let stream: MediaStream;
    try {
      stream = await devices.getUserMedia({
        video: {
          ...(deviceId === undefined ? {} : { deviceId }), facingMode: facingMode ?? 'user',
          ...(video.width ? { width: video.width } : {}), ...(video.height ? { height: video.height } : {}),
        },
      });
    } catch (error) {
      throw deviceError('tf.data.webcam', 'camera', error);
    }
    this.stream = stream;
    const ready = new Promise<void>((resolve, reject) => {
      video.onloadedmetadata = () => resolve();
      video.onerror = () => reject(new Error('the video element could not play the stream'));
    });
    video.srcObject = stream;
    video.muted = true;
    video.playsInline = true;
    try {
      await Promise.all([ready, video.play()]);
    } catch (error) {
      this.stop(); // the camera is not left on when its video cannot play
      throw new Error(`tf.data.webcam: the camera opened but its video did not play: ${(error as Error).message ?? error}`);
    }
    this.closed = false;
  }

  /** The next frame, or done after stop(). */
  async next(): Promise<IteratorResult<Tensor>> {
    if (this.closed) return { done: true, value: undefined };
    const frame = fromPixels(this.webcamVideoElement);
    if (!this.resize) return { done: false, value: frame };
    const { resizeWidth, resizeHeight } = this.webcamConfig;
    try {
      const box = this.cropBox(frame.shape[0], frame.shape[1]);
      return {
        done: false,
        value: ENGINE.tidy(() => reshape(cropAndResize(expandDims(cast(frame, 'float32'), 0),
          tensor([box], [1, 4]), tensor([0], [1], 'int32'), [resizeHeight!, resizeWidth!], 'bilinear'),
        [resizeHeight!, resizeWidth!, 3])),
      };
    } finally {
      frame.dispose();
    }
  }

  /** One frame; after stop() there is none, and this throws rather than hand back undefined. */
  async capture(): Promise<Tensor> {
    const result = await this.next();
    if (result.done) throw new Error('tf.data.webcam: capture() after stop(); call start() first');
    return result.value;
  }

  /** Stops every track of the camera stream and detaches it from the video element. */
  stop(): void {
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
    this.webcamVideoElement.srcObject = null;
    this.closed = true;
  }

  /** The stream never ends, so it cannot be collected. */
  async toArray(): Promise<Tensor[]> {
    throw new Error('tf.data.webcam: toArray() cannot collect an endless video stream; take frames with capture()');
  }

  [Symbol.asyncIterator](): AsyncIterator<Tensor> { return this; }
}

/** tf.data.webcam(webcamVideoElement?, webcamConfig?): a started WebcamIterator. */
export function webcam(webcamVideoElement?: HTMLVideoElement, webcamConfig?: WebcamConfig): Promise<WebcamIterator> {
  return WebcamIterator.create(webcamVideoElement, webcamConfig);
}
