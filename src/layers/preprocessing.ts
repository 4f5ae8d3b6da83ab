/**
 * Preprocessing layers (TF.js names and configs): Rescaling, Resizing, CenterCrop,
 * CategoryEncoding, RandomWidth. Images are [batch, rows, cols, channels] or one
 * [rows, cols, channels] image.
 */
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { Layer, type Kwargs, type LayerArgs, type SymbolicShape } from './base.js';
import { checkChoice, checkNumber, checkPositiveInt, oneInput } from './arg-checks.js';

/** The layer class behind layers.rescaling: x * scale + offset, as float32. */
export class Rescaling extends Layer {
  /** Marks call() as sora's own: it receives a single input as a tensor. */
  static override readonly soraCall = true;
  /** 'Rescaling', the class name in saved configs. */
  static override className = 'Rescaling';
  /** The factor. */
  readonly scale: number;
  /** The offset added after scaling. */
  readonly offset: number;
  /** A rescaling layer; scale is required, offset defaults to 0. */
  constructor(args: LayerArgs & { scale: number; offset?: number }) {
    super(args);
    this.scale = checkNumber(`rescaling ${this.name}`, 'scale', args?.scale);
    this.offset = checkNumber(`rescaling ${this.name}`, 'offset', args.offset ?? 0);
  }
  /** x * scale + offset. */
  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = oneInput(inputs);
    return ops.add(ops.mul(x.dtype === 'float32' ? x : ops.cast(x, 'float32'), this.scale), this.offset);
  }
  /** The layer's config as TF.js saves it, with scale and offset. */
  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), scale: this.scale, offset: this.offset }; }
}

type Interpolation = 'bilinear' | 'nearest';
const INTERPOLATIONS = ['bilinear', 'nearest'] as const;

/** Images (rank 3 or 4) resized to [height, width] with half-pixel centers, as Keras's tf.image.resize. */
function resize(where: string, x: Tensor, height: number, width: number, interpolation: Interpolation): Tensor {
  if (x.rank !== 3 && x.rank !== 4) {
    throw new Error(`${where}: expected images of rank 3 or 4 ([batch,] rows, cols, channels); received shape [${x.shape}]`);
  }
  const images = x.dtype === 'float32' ? x : ops.cast(x, 'float32');
  return interpolation === 'bilinear' ? ops.image.resizeBilinear(images, [height, width], false, true)
    : ops.image.resizeNearestNeighbor(images, [height, width], false, true);
}

/** The rows and columns [start, size] of the centered window of `h` × `w` inside `rows` × `cols`. */
function centered(rows: number, cols: number, h: number, w: number): [number, number, number, number] {
  return [Math.floor((rows - h) / 2), Math.floor((cols - w) / 2), h, w];
}

/** Slices the window [top, left, h, w] out of the image axes of x. */
function window(x: Tensor, [top, left, h, w]: [number, number, number, number]): Tensor {
  const r = x.rank - 3;
  const begin = x.shape.map(() => 0), size = x.shape.slice();
  begin[r] = top; begin[r + 1] = left; size[r] = h; size[r + 1] = w;
  return ops.slice(x, begin, size);
}

/** The output shape of an image layer that makes [height, width] images. */
function imageShape(shape: SymbolicShape, height: number | null, width: number | null): SymbolicShape {
  const out = shape.slice();
  out[out.length - 3] = height;
  out[out.length - 2] = width;
  return out;
}

/** The config of layers.resizing. */
export interface ResizingArgs extends LayerArgs {
  /** Output rows. */
  height: number;
  /** Output columns. */
  width: number;
  /** 'bilinear' (default) or 'nearest'. */
  interpolation?: Interpolation;
  /** Whether to crop the center to the output's aspect ratio before resizing, so nothing is stretched; default false. */
  cropToAspectRatio?: boolean;
}

/**
 * The layer class behind layers.resizing: images resized to [height, width] with Keras's
 * sampling (half-pixel centers). TF.js's layer samples with alignCorners instead, which
 * gives other values (pinned in tests/models/layers-16-preprocessing.test.ts).
 */
export class Resizing extends Layer {
  /** Marks call() as sora's own: it receives a single input as a tensor. */
  static override readonly soraCall = true;
  /** 'Resizing', the class name in saved configs. */
  static override className = 'Resizing';
  /** Output rows. */
  readonly height: number;
  /** Output columns. */
  readonly width: number;
  /** 'bilinear' or 'nearest'. */
  readonly interpolation: Interpolation;
  /** Whether the center is cropped to the output's aspect ratio first. */
  readonly cropToAspectRatio: boolean;
  /** A resizing layer; height and width are required. */
  constructor(args: ResizingArgs) {
    super(args);
    const where = `resizing ${this.name}`;
    this.height = checkPositiveInt(where, 'height', args?.height);
    this.width = checkPositiveInt(where, 'width', args.width);
    this.interpolation = checkChoice(where, 'interpolation', args.interpolation, INTERPOLATIONS);
    this.cropToAspectRatio = Boolean(args.cropToAspectRatio);
  }
  /** The input shape with rows and columns replaced. */
  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return imageShape(inputShape as SymbolicShape, this.height, this.width);
  }
  /** Resizes (after cropping the center to the output's aspect ratio, with cropToAspectRatio). */
  override call(inputs: Tensor | Tensor[]): Tensor {
    let x = oneInput(inputs);
    if (this.cropToAspectRatio && x.rank >= 3) {
      const rows = x.shape[x.rank - 3], cols = x.shape[x.rank - 2];
      const h = Math.min(rows, Math.trunc((cols * this.height) / this.width));
      const w = Math.min(cols, Math.trunc((rows * this.width) / this.height));
      x = window(x, centered(rows, cols, h, w));
    }
    return resize(`resizing ${this.name}`, x, this.height, this.width, this.interpolation);
  }
  /** The layer's config as TF.js saves it. */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), height: this.height, width: this.width, interpolation: this.interpolation, cropToAspectRatio: this.cropToAspectRatio };
  }
}

/**
 * The layer class behind layers.centerCrop: the central [height, width] window of each image;
 * an image smaller than that along either axis is resized to it (bilinear) instead.
 */
export class CenterCrop extends Layer {
  /** Marks call() as sora's own: it receives a single input as a tensor. */
  static override readonly soraCall = true;
  /** 'CenterCrop', the class name in saved configs. */
  static override className = 'CenterCrop';
  /** Output rows. */
  readonly height: number;
  /** Output columns. */
  readonly width: number;
  /** A center-crop layer; height and width are required. */
  constructor(args: LayerArgs & { height: number; width: number }) {
    super(args);
    this.height = checkPositiveInt(`centerCrop ${this.name}`, 'height', args?.height);
    this.width = checkPositiveInt(`centerCrop ${this.name}`, 'width', args.width);
  }
  /** The input shape with rows and columns replaced. */
  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return imageShape(inputShape as SymbolicShape, this.height, this.width);
  }
  /** Crops the center, or resizes an image smaller than the window. */
  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = oneInput(inputs);
    const where = `centerCrop ${this.name}`;
    if (x.rank !== 3 && x.rank !== 4) resize(where, x, this.height, this.width, 'bilinear');
    const rows = x.shape[x.rank - 3], cols = x.shape[x.rank - 2];
    if (rows < this.height || cols < this.width) {
      return ops.cast(ops.image.resizeBilinear(x.dtype === 'float32' ? x : ops.cast(x, 'float32'), [this.height, this.width]), x.dtype);
    }
    return window(x, centered(rows, cols, this.height, this.width));
  }
  /** The layer's config as TF.js saves it, with height and width. */
  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), height: this.height, width: this.width }; }
}

type OutputMode = 'multiHot' | 'oneHot' | 'count';

/**
 * The layer class behind layers.categoryEncoding: integer tokens in [0, numTokens) to multi-hot, one-hot or
 * count vectors; a token out of range is an error (on webgpu, which cannot read the tokens synchronously, it
 * encodes as no token).
 */
export class CategoryEncoding extends Layer {
  /** Marks call() as sora's own: it receives a single input as a tensor. */
  static override readonly soraCall = true;
  /** 'CategoryEncoding', the class name in saved configs. */
  static override className = 'CategoryEncoding';
  /** The number of distinct tokens (the output's last size). */
  readonly numTokens: number;
  /** 'multiHot' (default), 'oneHot' or 'count'. */
  readonly outputMode: OutputMode;
  /** A category-encoding layer; numTokens is required. */
  constructor(args: LayerArgs & { numTokens: number; outputMode?: OutputMode }) {
    super(args);
    const where = `categoryEncoding ${this.name}`;
    this.numTokens = checkPositiveInt(where, 'numTokens', args?.numTokens);
    this.outputMode = checkChoice(where, 'outputMode', args.outputMode, ['multiHot', 'oneHot', 'count'] as const);
  }
  /** [batch, numTokens] for [batch] or [batch, k] tokens ([batch, 1] for oneHot). */
  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    return [shape[0], this.numTokens];
  }
  /** Encodes each example's tokens; a token outside [0, numTokens) is an error naming it. */
  override call(inputs: Tensor | Tensor[]): Tensor {
    const where = `categoryEncoding ${this.name}`;
    let x = oneInput(inputs);
    if (x.rank === 1) x = ops.expandDims(x, 1);
    if (x.rank !== 2) throw new Error(`${where}: expected tokens of shape [batch] or [batch, k]; received shape [${x.shape}]`);
    if (this.outputMode === 'oneHot' && x.shape[1] !== 1) {
      throw new Error(`${where}: outputMode 'oneHot' takes one token per example ([batch] or [batch, 1]); received shape [${x.shape}]`);
    }
    // The range check reads the tokens; a backend read only asynchronously (webgpu) skips it, and a token
    // out of range there encodes as no token (a row of zeros from oneHot).
    const values: ArrayLike<number> = x.ref.backend.syncReadable ? x.dataSync() as ArrayLike<number> : [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!(Number.isInteger(v) && v >= 0 && v < this.numTokens)) {
        throw new Error(`${where}: tokens must be integers in [0, ${this.numTokens}) (numTokens=${this.numTokens}); received ${v}`);
      }
    }
    const hot = ops.oneHot(x.dtype === 'int32' ? x : ops.cast(x, 'int32'), this.numTokens, 1, 0, 'float32');
    return this.outputMode === 'count' ? ops.sum(hot, 1) : ops.max(hot, 1);
  }
  /** The layer's config as TF.js saves it, with numTokens and outputMode. */
  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), numTokens: this.numTokens, outputMode: this.outputMode }; }
}

/** A number in [0, 1) from an integer seed (a few rounds of integer mixing), the same on every run. */
function unitFromSeed(seed: number): number {
  let h = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < 3; i++) {
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  }
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/** The config of layers.randomWidth. */
export interface RandomWidthArgs extends LayerArgs {
  /** The width changes by a factor drawn from [1 - f, 1 + f] (f > 0), or [1 + lower, 1 + upper]. */
  factor: number | [number, number];
  /** 'bilinear' (default) or 'nearest'. */
  interpolation?: Interpolation;
  /** The seed of the drawn factors; default none (random). */
  seed?: number | null;
}

/** The layer class behind layers.randomWidth: in training, each batch's width scaled by a random factor. */
export class RandomWidth extends Layer {
  /** Marks call() as sora's own: it receives a single input as a tensor. */
  static override readonly soraCall = true;
  /** 'RandomWidth', the class name in saved configs. */
  static override className = 'RandomWidth';
  /** The factor as configured. */
  readonly factor: number | [number, number];
  /** 'bilinear' or 'nearest'. */
  readonly interpolation: Interpolation;
  /** The seed, or null. */
  readonly seed: number | null;
  private readonly bounds: [number, number];
  private calls = 0;
  /** A random-width layer; factor is required. */
  constructor(args: RandomWidthArgs) {
    super(args);
    const where = `randomWidth ${this.name}`;
    const f = args?.factor;
    const bounds: [number, number] | null = Array.isArray(f) && f.length === 2 && f.every((v) => typeof v === 'number' && Number.isFinite(v))
      ? [f[0], f[1]] : typeof f === 'number' && f > 0 && Number.isFinite(f) ? [-f, f] : null;
    if (!bounds || bounds[0] <= -1 || bounds[1] < bounds[0]) {
      throw new Error(`${where}: factor must be a positive number or [lower, upper] with -1 < lower <= upper. Received: factor=${JSON.stringify(f)}`);
    }
    this.factor = Array.isArray(f) ? [f[0], f[1]] : f;
    this.bounds = bounds;
    this.interpolation = checkChoice(where, 'interpolation', args.interpolation, INTERPOLATIONS);
    this.seed = args.seed ?? null;
  }
  /** The input shape with the width unknown. */
  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    return imageShape(shape, shape[shape.length - 3], null);
  }
  /**
   * In training, resizes to a width of round(width * U(1 + lower, 1 + upper)) (at least 1); at inference the input
   * passes through (Keras's rule; TF.js's layer resizes at inference too).
   */
  override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
    const x = oneInput(inputs);
    if (!kwargs.training) return x;
    // Drawn in JS, not as a tensor: the output's shape depends on it, and webgpu cannot read a tensor synchronously.
    const u = this.seed === null ? Math.random() : unitFromSeed(this.seed + this.calls++);
    const factor = 1 + this.bounds[0] + u * (this.bounds[1] - this.bounds[0]);
    const width = Math.max(1, Math.round(factor * x.shape[x.rank - 2]));
    return resize(`randomWidth ${this.name}`, x, x.shape[x.rank - 3], width, this.interpolation);
  }
  /** The layer's config as TF.js saves it. */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), factor: this.factor, interpolation: this.interpolation, seed: this.seed };
  }
}
