/**
 * The factories of the convolution and pooling layers under TF.js's names (spread into
 * sora.layers by index.ts), and their classes by the class names TF.js and Keras write.
 */
import { Conv1D, Conv2D, Conv2DTranspose, Conv3D, Conv3DTranspose, type ConvLayerArgs } from './conv.js';
import { DepthwiseConv2D, SeparableConv2D, type DepthwiseConv2DArgs, type SeparableConv2DArgs } from './conv-depthwise.js';
import {
  AveragePooling1D, AveragePooling2D, AveragePooling3D, MaxPooling1D, MaxPooling2D, MaxPooling3D, type PoolingArgs,
} from './pooling.js';


/** The convolution and pooling factories under TF.js's names. */
export const convLayers = {
  /**
   * A 1-D convolution over [batch, steps, channels] (tf.layers.conv1d); filters and kernelSize are required;
   * strides 1, padding 'valid', dilationRate 1, activation 'linear', useBias true, kernelInitializer
   * 'glorotNormal' and biasInitializer 'zeros' by default (TF.js's defaults).
   */
  conv1d: (args: ConvLayerArgs) => new Conv1D(args),
  /**
   * A 2-D convolution over images [batch, rows, cols, channels] (tf.layers.conv2d), bias and relu / sigmoid fused
   * into the kernel; filters and kernelSize are required, the defaults as conv1d's, dataFormat 'channelsLast'.
   * @example
   * ```js
   * const layer = sora.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] });
   * ```
   */
  conv2d: (args: ConvLayerArgs) => new Conv2D(args),
  /** A 3-D convolution over volumes [batch, depth, rows, cols, channels] (tf.layers.conv3d); defaults as conv2d's. */
  conv3d: (args: ConvLayerArgs) => new Conv3D(args),
  /**
   * The transposed 2-D convolution (tf.layers.conv2dTranspose): each axis grows by its stride; kernel
   * [kh, kw, filters, inChannels]; no dilationRate.
   */
  conv2dTranspose: (args: ConvLayerArgs) => new Conv2DTranspose(args),
  /** The transposed 3-D convolution (tf.layers.conv3dTranspose); kernel [kd, kh, kw, filters, inChannels]. */
  conv3dTranspose: (args: ConvLayerArgs) => new Conv3DTranspose(args),
  /**
   * A depthwise 2-D convolution, each channel with its own depthMultiplier (default 1) filters
   * (tf.layers.depthwiseConv2d); kernelSize is required, depthwiseInitializer default 'glorotNormal'.
   */
  depthwiseConv2d: (args: DepthwiseConv2DArgs) => new DepthwiseConv2D(args),
  /**
   * A depthwise 2-D convolution followed by a 1x1 convolution to `filters` channels (tf.layers.separableConv2d);
   * filters and kernelSize are required, depthwise and pointwise initializers default 'glorotUniform'.
   */
  separableConv2d: (args: SeparableConv2DArgs) => new SeparableConv2D(args),
  /** The max of each window of [batch, steps, channels] (tf.layers.maxPooling1d); poolSize 2, strides poolSize, padding 'valid'. */
  maxPooling1d: (args?: PoolingArgs) => new MaxPooling1D(args),
  /** The max of each window of images (tf.layers.maxPooling2d); poolSize [2, 2], strides poolSize, padding 'valid'. */
  maxPooling2d: (args?: PoolingArgs) => new MaxPooling2D(args),
  /** The max of each window of volumes (tf.layers.maxPooling3d); poolSize [2, 2, 2], strides poolSize. */
  maxPooling3d: (args?: PoolingArgs) => new MaxPooling3D(args),
  /** The mean of each window of [batch, steps, channels] (tf.layers.averagePooling1d); defaults as maxPooling1d's. */
  averagePooling1d: (args?: PoolingArgs) => new AveragePooling1D(args),
  /** The mean of each window of images (tf.layers.averagePooling2d); with 'same', padding is not counted. */
  averagePooling2d: (args?: PoolingArgs) => new AveragePooling2D(args),
  /** The mean of each window of volumes (tf.layers.averagePooling3d). */
  averagePooling3d: (args?: PoolingArgs) => new AveragePooling3D(args),
  /** layers.maxPooling1d under TF.js's alias (tf.layers.maxPool1d). */
  maxPool1d: (args?: PoolingArgs) => new MaxPooling1D(args),
  /** layers.maxPooling2d under TF.js's alias (tf.layers.maxPool2d). */
  maxPool2d: (args?: PoolingArgs) => new MaxPooling2D(args),
  /** layers.maxPooling3d under TF.js's alias (tf.layers.maxPool3d). */
  maxPool3d: (args?: PoolingArgs) => new MaxPooling3D(args),
  /** layers.averagePooling1d under TF.js's alias (tf.layers.avgPool1d). */
  avgPool1d: (args?: PoolingArgs) => new AveragePooling1D(args),
  /** layers.averagePooling2d under TF.js's alias (tf.layers.avgPool2d). */
  avgPool2d: (args?: PoolingArgs) => new AveragePooling2D(args),
  /** layers.averagePooling3d under TF.js's alias (tf.layers.avgPool3d). */
  avgPool3d: (args?: PoolingArgs) => new AveragePooling3D(args),
  /** layers.averagePooling1d under TF.js's alias (tf.layers.avgPooling1d). */
  avgPooling1d: (args?: PoolingArgs) => new AveragePooling1D(args),
  /** layers.averagePooling2d under TF.js's alias (tf.layers.avgPooling2d). */
  avgPooling2d: (args?: PoolingArgs) => new AveragePooling2D(args),
  /** layers.averagePooling3d under TF.js's alias (tf.layers.avgPooling3d). */
  avgPooling3d: (args?: PoolingArgs) => new AveragePooling3D(args),
};

/** The classes above by the class names TF.js and Keras write (Keras's aliases included), or undefined. */
export function convLayersClass(className: string): unknown {
  const classes: Record<string, unknown> = {
    Conv1D, Conv2D, Conv3D, Conv2DTranspose, Conv3DTranspose, DepthwiseConv2D, SeparableConv2D,
    Convolution1D: Conv1D, Convolution2D: Conv2D, Convolution3D: Conv3D, Convolution2DTranspose: Conv2DTranspose,
    Convolution3DTranspose: Conv3DTranspose, SeparableConvolution2D: SeparableConv2D,
    MaxPooling1D, MaxPooling2D, MaxPooling3D, AveragePooling1D, AveragePooling2D, AveragePooling3D,
    MaxPool1D: MaxPooling1D, MaxPool2D: MaxPooling2D, MaxPool3D: MaxPooling3D,
    AvgPool1D: AveragePooling1D, AvgPool2D: AveragePooling2D, AvgPool3D: AveragePooling3D,
  };
  return Object.hasOwn(classes, className) ? classes[className] : undefined;
}
