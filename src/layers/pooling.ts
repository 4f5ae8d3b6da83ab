/**
 * Pooling layers (TF.js names and configs): MaxPooling1D/2D/3D and AveragePooling1D/2D/3D, the
 * max or the mean of each window per channel, on tf.maxPool / avgPool / maxPool3d / avgPool3d.
 * poolSize defaults to 2 on each axis and strides to poolSize.
 */
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { Layer, type LayerArgs, type SymbolicShape } from './base.js';
import { checkDataFormat, checkRank, oneInput, type DataFormat } from './arg-checks.js';
import { channelsLast, checkPadding, checkTuple, fromChannelsLast, windowOutput, type PaddingMode } from './conv-args.js';

/** The config of the pooling layers (TF.js's Pooling1DLayerArgs / Pooling2DLayerArgs / Pooling3DLayerArgs). */
export interface PoolingArgs extends LayerArgs {
  /** The window's size: a number (every axis) or one per spatial axis; default 2. */
  poolSize?: number | number[];
  /** The step between windows: a number or one per spatial axis; default poolSize. */
  strides?: number | number[];
  /** 'valid' (windows inside the input, the default) or 'same' (padding is never the max nor counted in the mean). */
  padding?: PaddingMode;
  /** 'channelsLast' ([batch, ...space, channels], the default) or 'channelsFirst'. */
  dataFormat?: DataFormat;
}

/** What every pooling layer has. */
abstract class Pooling extends Layer {
  /** Marks call() as sora's own: it receives a single input as a tensor. */
  static override readonly soraCall = true;
  /** The window's size per spatial axis. */
  readonly poolSize: number[];
  /** The step between windows per spatial axis. */
  readonly strides: number[];
  /** 'valid' or 'same'. */
  readonly padding: PaddingMode;
  /** Whether channels come last or first. */
  readonly dataFormat: DataFormat;
  private readonly where: string;
  protected abstract readonly kind: 'max' | 'avg';

  constructor(readonly spatialRank: number, factory: string, args: PoolingArgs = {}) {
    super(args);
    const where = `${factory} ${this.name}`;
    this.where = where;
    this.poolSize = checkTuple(where, 'poolSize', args.poolSize ?? 2, spatialRank);
    this.strides = checkTuple(where, 'strides', args.strides ?? this.poolSize, spatialRank);
    this.padding = checkPadding(where, args.padding);
    this.dataFormat = checkDataFormat(where, args.dataFormat);
  }

  /** Checks the input's rank (spatialRank + 2). */
  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    checkRank(this.where, inputShape as SymbolicShape, this.spatialRank + 2,
      this.dataFormat === 'channelsLast' ? '[batch, ...space, channels]' : '[batch, channels, ...space]');
    super.build(inputShape);
  }

  /** The spatial axes shrunk by the windows; batch and channels kept. */
  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = (inputShape as SymbolicShape).slice();
    checkRank(this.where, shape, this.spatialRank + 2, `${this.spatialRank} spatial axes`);
    const first = this.dataFormat === 'channelsLast' ? 1 : 2;
    for (let i = 0; i < this.spatialRank; i++) {
      const d = shape[first + i];
      shape[first + i] = windowOutput(this.where, `pool (poolSize ${JSON.stringify(this.poolSize)})`, typeof d === 'number' ? d : null,
        this.poolSize[i], this.padding, this.strides[i]);
    }
    return shape;
  }

  /** Pools a channelsLast input. */
  private pool(x: Tensor): Tensor {
    const max = this.kind === 'max';
    if (this.spatialRank === 3) {
      const [size, strides] = [this.poolSize, this.strides] as [number, number, number][];
      return max ? ops.maxPool3d(x, size, strides, this.padding) : ops.avgPool3d(x, size, strides, this.padding);
    }
    const one = this.spatialRank === 1;
    const x4 = one ? ops.reshape(x, [x.shape[0], x.shape[1], 1, x.shape[2]]) : x;
    const size: [number, number] = one ? [this.poolSize[0], 1] : [this.poolSize[0], this.poolSize[1]];
    const strides: [number, number] = one ? [this.strides[0], 1] : [this.strides[0], this.strides[1]];
    const y = max ? ops.maxPool(x4, size, strides, this.padding) : ops.avgPool(x4, size, strides, this.padding);
    return one ? ops.reshape(y, [y.shape[0], y.shape[1], y.shape[3]]) : y;
  }

  /** The max or mean of each window, in the layer's format. */
  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = oneInput(inputs);
    const shape = this.computeOutputShape(x.shape);
    if (shape.some((d) => d === 0)) throw new Error(`${this.where}: the input ${JSON.stringify(x.shape)} leaves an empty output`);
    return fromChannelsLast(this.pool(channelsLast(x, this.dataFormat)), this.dataFormat);
  }

  /** The layer's config as TF.js saves it: poolSize, padding, strides (and dataFormat for 2-D and 3-D). */
  override getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { ...super.getConfig(), poolSize: this.poolSize, padding: this.padding, strides: this.strides };
    if (this.spatialRank > 1 || this.dataFormat !== 'channelsLast') config.dataFormat = this.dataFormat;
    return config;
  }
}

/** The layer class behind layers.maxPooling1d: the max of each window of [batch, steps, channels]. */
export class MaxPooling1D extends Pooling {
  /** 'MaxPooling1D', the class name in saved configs. */
  static override className = 'MaxPooling1D';
  protected readonly kind = 'max';
  /** A 1-D max pooling layer (see layers.maxPooling1d). */
  constructor(args?: PoolingArgs) { super(1, 'maxPooling1d', args); }
}

/** The layer class behind layers.averagePooling1d: the mean of each window of [batch, steps, channels]. */
export class AveragePooling1D extends Pooling {
  /** 'AveragePooling1D', the class name in saved configs. */
  static override className = 'AveragePooling1D';
  protected readonly kind = 'avg';
  /** A 1-D average pooling layer (see layers.averagePooling1d). */
  constructor(args?: PoolingArgs) { super(1, 'averagePooling1d', args); }
}

/** The layer class behind layers.maxPooling2d: the max of each window of images. */
export class MaxPooling2D extends Pooling {
  /** 'MaxPooling2D', the class name in saved configs. */
  static override className = 'MaxPooling2D';
  protected readonly kind = 'max';
  /** A 2-D max pooling layer (see layers.maxPooling2d). */
  constructor(args?: PoolingArgs) { super(2, 'maxPooling2d', args); }
}

/** The layer class behind layers.averagePooling2d: the mean of each window of images. */
export class AveragePooling2D extends Pooling {
  /** 'AveragePooling2D', the class name in saved configs. */
  static override className = 'AveragePooling2D';
  protected readonly kind = 'avg';
  /** A 2-D average pooling layer (see layers.averagePooling2d). */
  constructor(args?: PoolingArgs) { super(2, 'averagePooling2d', args); }
}

/** The layer class behind layers.maxPooling3d: the max of each window of volumes. */
export class MaxPooling3D extends Pooling {
  /** 'MaxPooling3D', the class name in saved configs. */
  static override className = 'MaxPooling3D';
  protected readonly kind = 'max';
  /** A 3-D max pooling layer (see layers.maxPooling3d). */
  constructor(args?: PoolingArgs) { super(3, 'maxPooling3d', args); }
}

/** The layer class behind layers.averagePooling3d: the mean of each window of volumes. */
export class AveragePooling3D extends Pooling {
  /** 'AveragePooling3D', the class name in saved configs. */
  static override className = 'AveragePooling3D';
  protected readonly kind = 'avg';
  /** A 3-D average pooling layer (see layers.averagePooling3d). */
  constructor(args?: PoolingArgs) { super(3, 'averagePooling3d', args); }
}
