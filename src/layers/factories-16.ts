/**
 * The layer factories of shape.ts, activation-layers.ts, noise.ts, preprocessing.ts,
 * normalization.ts and global-pooling.ts under TF.js's names (spread into sora.layers).
 */
import type { LayerArgs } from './base.js';
import { Cropping2D, Permute, Reshape, UpSampling2D, ZeroPadding2D, type Cropping2DArgs, type UpSampling2DArgs, type ZeroPadding2DArgs } from './shape.js';
import { ELU, LeakyReLU, PReLU, ReLU, Softmax, ThresholdedReLU, type PReLULayerArgs, type ReLULayerArgs } from './activation-layers.js';
import { AlphaDropout, GaussianDropout, GaussianNoise, SpatialDropout1D } from './noise.js';
import { CategoryEncoding, CenterCrop, RandomWidth, Rescaling, Resizing, type RandomWidthArgs, type ResizingArgs } from './preprocessing.js';
import { BatchNormalization, LayerNormalization, type BatchNormalizationArgs, type LayerNormalizationArgs } from './normalization.js';
import {
  GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D, GlobalMaxPooling2D, type GlobalPoolingArgs,
} from './global-pooling.js';

export const layers16 = {
  /** A layer that reshapes each example to `targetShape` (one entry may be -1), keeping the batch axis (tf.layers.reshape). */
  reshape: (args: LayerArgs & { targetShape: number[] }) => new Reshape(args),
  /** A layer that reorders the axes of each example by `dims`, 1-based (tf.layers.permute). */
  permute: (args: LayerArgs & { dims: number[] }) => new Permute(args),
  /**
   * A layer that adds rows and columns of zeros around each image (tf.layers.zeroPadding2d); padding default 1,
   * dataFormat default 'channelsLast'.
   */
  zeroPadding2d: (args?: ZeroPadding2DArgs) => new ZeroPadding2D(args),
  /**
   * A layer that enlarges each image by `size` (default [2, 2]), interpolation 'nearest' (default) or 'bilinear'
   * (tf.layers.upSampling2d).
   */
  upSampling2d: (args?: UpSampling2DArgs) => new UpSampling2D(args),
  /** A layer that removes rows and columns at the edges of each image (tf.layers.cropping2D); cropping is required. */
  cropping2D: (args: Cropping2DArgs) => new Cropping2D(args),
  /** A layer applying max(x, 0), capped at maxValue when given (6 for relu6) (tf.layers.reLU). */
  reLU: (args?: ReLULayerArgs) => new ReLU(args),
  /** A layer applying the exponential linear unit, alpha default 1 (tf.layers.elu). */
  elu: (args?: LayerArgs & { alpha?: number }) => new ELU(args),
  /** A layer applying the leaky ReLU, x or alpha * x, alpha default 0.3 (tf.layers.leakyReLU). */
  leakyReLU: (args?: LayerArgs & { alpha?: number }) => new LeakyReLU(args),
  /**
   * A leaky ReLU layer whose slopes alpha are learned (tf.layers.prelu); alphaInitializer default 'zeros',
   * sharedAxes (1-based) share one slope along those axes.
   */
  prelu: (args?: PReLULayerArgs) => new PReLU(args),
  /** A layer applying softmax along `axis` (default -1) (tf.layers.softmax). */
  softmax: (args?: LayerArgs & { axis?: number }) => new Softmax(args),
  /** A layer passing x where x > theta and 0 elsewhere, theta default 1 (tf.layers.thresholdedReLU). */
  thresholdedReLU: (args?: LayerArgs & { theta?: number }) => new ThresholdedReLU(args),
  /** A layer adding N(0, stddev²) noise in training only (tf.layers.gaussianNoise); stddev is required. */
  gaussianNoise: (args: LayerArgs & { stddev: number }) => new GaussianNoise(args),
  /** A layer multiplying by N(1, rate / (1 - rate)) noise in training only (tf.layers.gaussianDropout). */
  gaussianDropout: (args: LayerArgs & { rate: number }) => new GaussianDropout(args),
  /**
   * Dropout for SELU networks that keeps the mean and variance, in training only (tf.layers.alphaDropout);
   * rate is required, noiseShape default the input's shape.
   */
  alphaDropout: (args: LayerArgs & { rate: number; noiseShape?: (number | null)[] | null }) => new AlphaDropout(args),
  /**
   * A layer dropping whole channels of [batch, steps, channels] in training only (tf.layers.spatialDropout1d);
   * rate is required, seed default none (a random mask).
   */
  spatialDropout1d: (args: LayerArgs & { rate: number; seed?: number | null }) => new SpatialDropout1D(args),
  /** A layer computing x * scale + offset as float32, offset default 0 (tf.layers.rescaling). */
  rescaling: (args: LayerArgs & { scale: number; offset?: number }) => new Rescaling(args),
  /** A layer resizing images to [height, width], interpolation default 'bilinear' (tf.layers.resizing). */
  resizing: (args: ResizingArgs) => new Resizing(args),
  /** A layer keeping the central [height, width] window of each image (tf.layers.centerCrop). */
  centerCrop: (args: LayerArgs & { height: number; width: number }) => new CenterCrop(args),
  /**
   * A layer encoding integer tokens in [0, numTokens) as vectors (tf.layers.categoryEncoding); outputMode default
   * 'multiHot' (or 'oneHot', 'count').
   */
  categoryEncoding: (args: LayerArgs & { numTokens: number; outputMode?: 'multiHot' | 'oneHot' | 'count' }) => new CategoryEncoding(args),
  /** A layer scaling the width of the images by a random factor in training only (tf.layers.randomWidth). */
  randomWidth: (args: RandomWidthArgs) => new RandomWidth(args),
  /**
   * A layer normalizing each feature with the batch's statistics in training and moving statistics at inference
   * (tf.layers.batchNormalization); axis -1, momentum 0.99, epsilon 1e-3, center and scale true by default.
   */
  batchNormalization: (args?: BatchNormalizationArgs) => new BatchNormalization(args),
  /**
   * A layer normalizing each example over `axis` (default -1), then scaling and offsetting it
   * (tf.layers.layerNormalization); epsilon default 1e-3.
   */
  layerNormalization: (args?: LayerNormalizationArgs) => new LayerNormalization(args),
  /** A layer averaging [batch, steps, channels] over the steps (tf.layers.globalAveragePooling1d). */
  globalAveragePooling1d: (args?: GlobalPoolingArgs) => new GlobalAveragePooling1D(args),
  /** A layer averaging images over rows and columns (tf.layers.globalAveragePooling2d); dataFormat default 'channelsLast'. */
  globalAveragePooling2d: (args?: GlobalPoolingArgs) => new GlobalAveragePooling2D(args),
  /** A layer taking the max of [batch, steps, channels] over the steps (tf.layers.globalMaxPooling1d). */
  globalMaxPooling1d: (args?: GlobalPoolingArgs) => new GlobalMaxPooling1D(args),
  /** A layer taking the max of images over rows and columns (tf.layers.globalMaxPooling2d); dataFormat default 'channelsLast'. */
  globalMaxPooling2d: (args?: GlobalPoolingArgs) => new GlobalMaxPooling2D(args),
};

/**
 * The layer classes above by the class names TF.js and Keras write, or undefined (for
 * serialization.ts; a function, as builtinLayerClass is, so that bundles keep only what they use).
 */
export function layers16Class(className: string): unknown {
  const classes: Record<string, unknown> = {
    Reshape, Permute, ZeroPadding2D, UpSampling2D, Cropping2D, ReLU, ELU, LeakyReLU, PReLU, Softmax, ThresholdedReLU,
    GaussianNoise, GaussianDropout, AlphaDropout, SpatialDropout1D, Rescaling, Resizing, CenterCrop, CategoryEncoding,
    RandomWidth, BatchNormalization, LayerNormalization, GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D,
    GlobalMaxPooling2D,
  };
  return Object.hasOwn(classes, className) ? classes[className] : undefined;
}
