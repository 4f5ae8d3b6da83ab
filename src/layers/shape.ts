/**
 * Layers that move values without arithmetic (TF.js names and configs): Reshape, Permute,
 * ZeroPadding2D, UpSampling2D, Cropping2D.
 */
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { Layer, type LayerArgs, type SymbolicShape } from './base.js';
import { checkChoice, checkDataFormat, checkPairs, checkPositiveInt, checkRank, oneInput, type DataFormat } from './arg-checks.js';

type Pairs = [[number, number], [number, number]];

/** The layer class behind layers.reshape: each example reshaped to `targetShape` (one entry may be -1). */
export class Reshape extends Layer {
  /** Marks call() as sora's own: it receives a single input as a tensor. */
  static override readonly soraCall = true;
  /** 'Reshape', the class name in saved configs. */
  static override className = 'Reshape';
  /** The shape of one example after the layer; one entry may be -1 (inferred). */
  readonly targetShape: number[];
  /** A reshape layer; targetShape is required. */
  constructor(args: LayerArgs & { targetShape: number[] }) {
    super(args);
    const t = args?.targetShape;
    if (!Array.isArray(t) || !t.every((d) => d === -1 || (Number.isInteger(d) && d > 0)) || t.filter((d) => d === -1).length > 1) {
      throw new Error(`reshape ${this.name}: targetShape must be an array of positive integers with at most one -1. ` +
        `Received: targetShape=${JSON.stringify(t)}`);
    }
    this.targetShape = t.slice();
  }
  private resolve(example: SymbolicShape): (number | null)[] {
    const known = example.every((d) => typeof d === 'number');
    const size = known ? (example as number[]).reduce((a, b) => a * b, 1) : null;
    const fixed = this.targetShape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const unknown = this.targetShape.indexOf(-1);
    if (size !== null && (unknown < 0 ? fixed !== size : size % fixed !== 0)) {
      throw new Error(`reshape ${this.name}: an example of shape ${JSON.stringify(example)} (${size} values) cannot be ` +
        `reshaped to targetShape ${JSON.stringify(this.targetShape)}`);
    }
    return this.targetShape.map((d) => (d !== -1 ? d : size === null ? null : size / fixed));
  }
  /** [batch, ...targetShape], the -1 resolved when the input's size is known. */
  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    return [shape[0], ...this.resolve(shape.slice(1))];
  }
  /** Reshapes each example. */
  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = oneInput(inputs);
    return ops.reshape(x, [x.shape[0], ...this.resolve(x.shape.slice(1)) as number[]]);
  }
  /** The layer's config as TF.js saves it, with targetShape. */
  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), targetShape: this.targetShape }; }
}

/** The layer class behind layers.permute: the axes of each example reordered by `dims` (1-based). */
export class Permute extends Layer {
  /** Marks call() as sora's own: it receives a single input as a tensor. */
  static override readonly soraCall = true;
  /** 'Permute', the class name in saved configs. */
  static override className = 'Permute';
  /** A permutation of 1..rank-1 (the batch axis 0 stays first). */
  readonly dims: number[];
  /** A permute layer; dims is required. */
  constructor(args: LayerArgs & { dims: number[] }) {
    super(args);
    const dims = args?.dims;
    const sorted = Array.isArray(dims) ? [...dims].sort((a, b) => a - b) : [];
    if (!Array.isArray(dims) || dims.length === 0 || !sorted.every((d, i) => d === i + 1)) {
      throw new Error(`permute ${this.name}: dims must be a permutation of 1..${Array.isArray(dims) && dims.length ? dims.length : 'n'} ` +
        `(axis 0 is the batch). Received: dims=${JSON.stringify(dims)}`);
    }
    this.dims = dims.slice();
  }
  /** Checks the input rank is dims.length + 1. */
  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    checkRank(`permute ${this.name}`, inputShape as SymbolicShape, this.dims.length + 1, `dims ${JSON.stringify(this.dims)} and the batch`);
    super.build(inputShape);
  }
  /** The input shape reordered by dims. */
  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    return [shape[0], ...this.dims.map((d) => shape[d])];
  }
  /** Transposes each example. */
  override call(inputs: Tensor | Tensor[]): Tensor { return ops.transpose(oneInput(inputs), [0, ...this.dims]); }
  /** The layer's config as TF.js saves it, with dims. */
  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), dims: this.dims }; }
}

/** The (rows, cols) axes of a rank-4 input in a data format. */
const spatialAxes = (format: DataFormat): [number, number] => (format === 'channelsLast' ? [1, 2] : [2, 3]);

/** The config of layers.zeroPadding2d. */
export interface ZeroPadding2DArgs extends LayerArgs {
  /** Zeros added: n on every side, [rows, cols] symmetric, or [[top, bottom], [left, right]]; default 1. */
  padding?: number | [number, number] | [[number, number], [number, number]];
  /** 'channelsLast' (default) or 'channelsFirst'. */
  dataFormat?: DataFormat;
}

/** The layer class behind layers.zeroPadding2d: rows and columns of zeros around each image. */
export class ZeroPadding2D extends Layer {
  /** Marks call() as sora's own: it receives a single input as a tensor. */
  static override readonly soraCall = true;
  /** 'ZeroPadding2D', the class name in saved configs. */
  static override className = 'ZeroPadding2D';
  /** [[top, bottom], [left, right]]. */
  readonly padding: Pairs;
  /** Whether channels come last or first. */
  readonly dataFormat: DataFormat;
  /** A zero-padding layer; padding defaults to 1 on every side. */
  constructor(args: ZeroPadding2DArgs = {}) {
    super(args);
    this.padding = checkPairs(`zeroPadding2d ${this.name}`, 'padding', args.padding ?? 1);
    this.dataFormat = checkDataFormat(`zeroPadding2d ${this.name}`, args.dataFormat);
  }
  /** Checks the input is rank 4. */
  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    checkRank(`zeroPadding2d ${this.name}`, inputShape as SymbolicShape, 4, 'a batch of images');
    super.build(inputShape);
  }
  /** Rows and columns grown by the padding. */
  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = (inputShape as SymbolicShape).slice();
    spatialAxes(this.dataFormat).forEach((axis, i) => {
      const d = shape[axis];
      shape[axis] = typeof d === 'number' ? d + this.padding[i][0] + this.padding[i][1] : null;
    });
    return shape;
  }
  /** Pads rows and columns with zeros. */
  override call(inputs: Tensor | Tensor[]): Tensor {
    const pads: [number, number][] = [[0, 0], [0, 0], [0, 0], [0, 0]];
    spatialAxes(this.dataFormat).forEach((axis, i) => { pads[axis] = this.padding[i]; });
    return ops.pad(oneInput(inputs), pads);
  }
  /** The layer's config as TF.js saves it: padding as [[top, bottom], [left, right]], dataFormat. */
  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), padding: this.padding, dataFormat: this.dataFormat }; }
}

/** The config of layers.upSampling2d. */
export interface UpSampling2DArgs extends LayerArgs {
  /** [rows, cols] repeat factors; default [2, 2]. */
  size?: [number, number];
  /** 'channelsLast' (default) or 'channelsFirst'. */
  dataFormat?: DataFormat;
  /** 'nearest' (default) or 'bilinear'. */
  interpolation?: 'nearest' | 'bilinear';
}

/** The layer class behind layers.upSampling2d: each image enlarged by `size` (nearest or bilinear). */
export class UpSampling2D extends Layer {
  /** Marks call() as sora's own: it receives a single input as a tensor. */
  static override readonly soraCall = true;
  /** 'UpSampling2D', the class name in saved configs. */
  static override className = 'UpSampling2D';
  /** [rows, cols] factors. */
  readonly size: [number, number];
  /** Whether channels come last or first. */
  readonly dataFormat: DataFormat;
  /** 'nearest' or 'bilinear'. */
  readonly interpolation: 'nearest' | 'bilinear';
  /** An upsampling layer; size defaults to [2, 2], interpolation to 'nearest'. */
  constructor(args: UpSampling2DArgs = {}) {
    super(args);
    const where = `upSampling2d ${this.name}`;
    const size = args.size ?? [2, 2];
    if (!Array.isArray(size) || size.length !== 2) throw new Error(`${where}: size must be [rows, cols]. Received: size=${JSON.stringify(size)}`);
    this.size = [checkPositiveInt(where, 'size[0]', size[0]), checkPositiveInt(where, 'size[1]', size[1])];
    this.dataFormat = checkDataFormat(where, args.dataFormat);
    this.interpolation = checkChoice(where, 'interpolation', args.interpolation, ['nearest', 'bilinear'] as const);
  }
  /** Checks the input is rank 4. */
  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    checkRank(`upSampling2d ${this.name}`, inputShape as SymbolicShape, 4, 'a batch of images');
    super.build(inputShape);
  }
  /** Rows and columns multiplied by size. */
  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = (inputShape as SymbolicShape).slice();
    spatialAxes(this.dataFormat).forEach((axis, i) => {
      const d = shape[axis];
      shape[axis] = typeof d === 'number' ? d * this.size[i] : null;
    });
    return shape;
  }
  /** Resizes each image (channels-first images are moved to channels-last and back). */
  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = oneInput(inputs);
    const nhwc = this.dataFormat === 'channelsLast' ? x : ops.transpose(x, [0, 2, 3, 1]);
    const size: [number, number] = [nhwc.shape[1] * this.size[0], nhwc.shape[2] * this.size[1]];
    const y = this.interpolation === 'nearest' ? ops.image.resizeNearestNeighbor(nhwc, size) : ops.image.resizeBilinear(nhwc, size);
    return this.dataFormat === 'channelsLast' ? y : ops.transpose(y, [0, 3, 1, 2]);
  }
  /** The layer's config as TF.js saves it: size, dataFormat, interpolation. */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), size: this.size, dataFormat: this.dataFormat, interpolation: this.interpolation };
  }
}

/** The config of layers.cropping2D. */
export interface Cropping2DArgs extends LayerArgs {
  /** Rows and columns removed: n on every side, [rows, cols] symmetric, or [[top, bottom], [left, right]]. */
  cropping: number | [number, number] | [[number, number], [number, number]];
  /** 'channelsLast' (default) or 'channelsFirst'. */
  dataFormat?: DataFormat;
}

/** The layer class behind layers.cropping2D: rows and columns removed from the edges of each image. */
export class Cropping2D extends Layer {
  /** Marks call() as sora's own: it receives a single input as a tensor. */
  static override readonly soraCall = true;
  /** 'Cropping2D', the class name in saved configs. */
  static override className = 'Cropping2D';
  /** [[top, bottom], [left, right]]. */
  readonly cropping: Pairs;
  /** Whether channels come last or first. */
  readonly dataFormat: DataFormat;
  /** A cropping layer; cropping is required. */
  constructor(args: Cropping2DArgs) {
    super(args);
    this.cropping = checkPairs(`cropping2D ${this.name}`, 'cropping', args?.cropping);
    this.dataFormat = checkDataFormat(`cropping2D ${this.name}`, args.dataFormat);
  }
  private kept(shape: SymbolicShape): (number | null)[] {
    return spatialAxes(this.dataFormat).map((axis, i) => {
      const d = shape[axis];
      if (typeof d !== 'number') return null;
      const left = d - this.cropping[i][0] - this.cropping[i][1];
      if (left <= 0) {
        throw new Error(`cropping2D ${this.name}: cropping ${JSON.stringify(this.cropping[i])} leaves no ${i === 0 ? 'rows' : 'columns'} ` +
          `of an input with ${d}; input shape ${JSON.stringify(shape)}`);
      }
      return left;
    });
  }
  /** Checks the input is rank 4 and that the cropping leaves something. */
  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    checkRank(`cropping2D ${this.name}`, inputShape as SymbolicShape, 4, 'a batch of images');
    this.kept(inputShape as SymbolicShape);
    super.build(inputShape);
  }
  /** Rows and columns less the cropping. */
  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = (inputShape as SymbolicShape).slice();
    const kept = this.kept(shape);
    spatialAxes(this.dataFormat).forEach((axis, i) => { shape[axis] = kept[i]; });
    return shape;
  }
  /** Slices away the cropped rows and columns. */
  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = oneInput(inputs);
    const kept = this.kept(x.shape) as number[];
    const begin = [0, 0, 0, 0], size = x.shape.slice();
    spatialAxes(this.dataFormat).forEach((axis, i) => { begin[axis] = this.cropping[i][0]; size[axis] = kept[i]; });
    return ops.slice(x, begin, size);
  }
  /** The layer's config as TF.js saves it: cropping as [[top, bottom], [left, right]], dataFormat. */
  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), cropping: this.cropping, dataFormat: this.dataFormat }; }
}
