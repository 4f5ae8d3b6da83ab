/**
 * What the convolution and pooling layers share: their tuple configs (kernelSize, strides,
 * dilationRate, poolSize), the output length of a window along one axis (Keras's
 * conv_output_length / deconv_length) with an error when nothing is left, and the moves between
 * channelsFirst and the channelsLast layout the ops compute in.
 */
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { ACTIVATIONS, type ActivationName } from './activations.js';
import { softmaxWithLogits } from './logits.js';
import type { DataFormat } from './arg-checks.js';

/** The padding modes of the convolution and pooling layers. */
export type PaddingMode = 'valid' | 'same';

const received = (field: string, value: unknown) => `Received: ${field}=${JSON.stringify(value) ?? String(value)}`;

/** A number or an array of `rank` positive integers as an array of `rank`, else an error naming the layer and field. */
export function checkTuple(where: string, field: string, value: unknown, rank: number): number[] {
  const list = typeof value === 'number' ? Array<number>(rank).fill(value) : value;
  if (!Array.isArray(list) || list.length !== rank || !list.every((v) => Number.isInteger(v) && v > 0)) {
    throw new Error(`${where}: ${field} must be a positive integer or an array of ${rank} positive integers. ${received(field, value)}`);
  }
  return list.slice();
}

/** 'valid' (the default) or 'same'; 'causal' and anything else are refused by name. */
export function checkPadding(where: string, value: unknown): PaddingMode {
  const padding = value ?? 'valid';
  if (padding !== 'valid' && padding !== 'same') {
    throw new Error(`${where}: padding must be 'valid' or 'same'${padding === 'causal' ? ' (TF.js has no causal convolution)' : ''}. ` +
      received('padding', value));
  }
  return padding;
}

/** Strides and dilations above 1 together, which TF.js's convolution ops refuse: an error naming both. */
export function checkStridesWithDilation(where: string, strides: number[], dilationRate: number[]): void {
  if (strides.some((s) => s > 1) && dilationRate.some((d) => d > 1)) {
    throw new Error(`${where}: strides and dilationRate cannot both exceed 1 (as TF.js). ` +
      `Received: strides=${JSON.stringify(strides)}, dilationRate=${JSON.stringify(dilationRate)}`);
  }
}

/**
 * The output length of windows of `size` (dilated by `dilation`) at `stride` over `length`
 * (null: unknown); an error naming the layer when the window is larger than the input.
 */
export function windowOutput(where: string, what: string, length: number | null, size: number, padding: PaddingMode,
  stride: number, dilation = 1): number | null {
  if (length === null) return null;
  const span = size + (size - 1) * (dilation - 1);
  if (padding === 'valid' && span > length) {
    throw new Error(`${where}: the ${what} spans ${span} along an input axis of length ${length} with padding 'valid', ` +
      'which leaves no output; use a smaller window or padding \'same\'');
  }
  const out = padding === 'same' ? length : length - span + 1;
  return Math.floor((out + stride - 1) / stride);
}

/** The output length of a transposed convolution along one axis (Keras's deconv_length). */
export function deconvOutput(length: number | null, stride: number, size: number, padding: PaddingMode): number | null {
  if (length === null) return null;
  return length * stride + (padding === 'valid' ? Math.max(size - stride, 0) : 0);
}

/** x with its channels moved last ([batch, ...space, channels]) when the layer is channelsFirst. */
export function channelsLast(x: Tensor, format: DataFormat): Tensor {
  if (format === 'channelsLast') return x;
  return ops.transpose(x, [0, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 2), 1]);
}

/** y ([batch, ...space, channels]) back in the layer's format. */
export function fromChannelsLast(y: Tensor, format: DataFormat): Tensor {
  if (format === 'channelsLast') return y;
  return ops.transpose(y, [0, y.rank - 1, ...Array.from({ length: y.rank - 2 }, (_, i) => i + 1)]);
}

/** The activation by name (softmax keeps its logits for the loss, as the dense layer's). */
export function activate(name: ActivationName, x: Tensor): Tensor {
  return name === 'softmax' ? softmaxWithLogits(x) : ACTIVATIONS[name](x);
}
