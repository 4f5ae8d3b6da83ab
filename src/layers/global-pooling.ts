/**
 * Global pooling layers (TF.js names and configs): the mean or max over the steps (1d) or the
 * rows and columns (2d) of each example and channel, composed from mean / max.
 */
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { Layer, type LayerArgs, type SymbolicShape } from './base.js';
import { checkDataFormat, checkRank, oneInput, type DataFormat } from './arg-checks.js';

/** The config of the global pooling layers: `dataFormat` default 'channelsLast'. */
export interface GlobalPoolingArgs extends LayerArgs {
  /** Whether channels come last ([batch, ..., channels], the default) or first ([batch, channels, ...]). */
  dataFormat?: DataFormat;
}

/** The shared body: `spatial` axes reduced by `reduce`. */
abstract class GlobalPooling extends Layer {
  /** Marks call() as sora's own: it receives a single input as a tensor. */
  static override readonly soraCall = true;
  /** Whether channels come last or first. */
  readonly dataFormat: DataFormat;
  protected abstract readonly spatialRank: number;
  protected abstract readonly factory: string;
  protected abstract reduce(x: Tensor, axes: number[]): Tensor;
  /** A global pooling layer; dataFormat defaults to 'channelsLast'. */
  constructor(args: GlobalPoolingArgs = {}) {
    super(args);
    this.dataFormat = checkDataFormat(`${new.target.className} ${this.name}`, args.dataFormat);
  }
  private axes(): number[] {
    const first = this.dataFormat === 'channelsLast' ? 1 : 2;
    return Array.from({ length: this.spatialRank }, (_, i) => first + i);
  }
  /** Checks the input's rank: 3 for 1d, 4 for 2d. */
  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const what = this.spatialRank === 1 ? '[batch, steps, channels]' : '[batch, rows, cols, channels]';
    checkRank(`${this.factory} ${this.name}`, inputShape as SymbolicShape, this.spatialRank + 2, what);
    super.build(inputShape);
  }
  /** [batch, channels]. */
  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    return [shape[0], shape[this.dataFormat === 'channelsLast' ? shape.length - 1 : 1]];
  }
  /** Reduces the spatial axes. */
  override call(inputs: Tensor | Tensor[]): Tensor { return this.reduce(oneInput(inputs), this.axes()); }
  /** The layer's config as TF.js saves it, with dataFormat. */
  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), dataFormat: this.dataFormat }; }
}

/** The layer class behind layers.globalAveragePooling1d: the mean over the steps. */
export class GlobalAveragePooling1D extends GlobalPooling {
  /** 'GlobalAveragePooling1D', the class name in saved configs. */
  static override className = 'GlobalAveragePooling1D';
  protected readonly spatialRank = 1;
  protected readonly factory = 'globalAveragePooling1d';
  protected reduce(x: Tensor, axes: number[]): Tensor { return ops.mean(x, axes); }
}

/** The layer class behind layers.globalAveragePooling2d: the mean over rows and columns. */
export class GlobalAveragePooling2D extends GlobalPooling {
  /** 'GlobalAveragePooling2D', the class name in saved configs. */
  static override className = 'GlobalAveragePooling2D';
  protected readonly spatialRank = 2;
  protected readonly factory = 'globalAveragePooling2d';
  protected reduce(x: Tensor, axes: number[]): Tensor { return ops.mean(x, axes); }
}

/** The layer class behind layers.globalMaxPooling1d: the max over the steps. */
export class GlobalMaxPooling1D extends GlobalPooling {
  /** 'GlobalMaxPooling1D', the class name in saved configs. */
  static override className = 'GlobalMaxPooling1D';
  protected readonly spatialRank = 1;
  protected readonly factory = 'globalMaxPooling1d';
  protected reduce(x: Tensor, axes: number[]): Tensor { return ops.max(x, axes); }
}

/** The layer class behind layers.globalMaxPooling2d: the max over rows and columns. */
export class GlobalMaxPooling2D extends GlobalPooling {
  /** 'GlobalMaxPooling2D', the class name in saved configs. */
  static override className = 'GlobalMaxPooling2D';
  protected readonly spatialRank = 2;
  protected readonly factory = 'globalMaxPooling2d';
  protected reduce(x: Tensor, axes: number[]): Tensor { return ops.max(x, axes); }
}
