/**
 * The geometry of a 2-D convolution or pooling window as TF.js computes it (tfjs-core's
 * computeConv2DInfo): strides, dilations and a padding mode become the output size and the
 * top / left padding the kernels take (backend.ts `Conv2DGeometry`). The conv and pooling ops
 * call this once and hand the result to the kernel; kernels never see a padding mode.
 *
 *  - 'same':  out = ceil(in / stride); padTotal = max((out - 1) * stride + effectiveFilter - in, 0),
 *             padTop = floor(padTotal / 2) (the odd pixel goes to the bottom / right);
 *  - 'valid': out = ceil((in - effectiveFilter + 1) / stride), no padding;
 *  - a number p: p on every side, out = round((in - effectiveFilter + 2p) / stride + 1);
 *  - explicit [[0, 0], [top, bottom], [left, right], [0, 0]] (NHWC):
 *             out = round((in - effectiveFilter + top + bottom) / stride + 1);
 * where effectiveFilter = (filter - 1) * dilation + 1 and round is `dimRoundingMode`
 * ('floor', 'round', 'ceil'; TF.js truncates when it is left out).
 */
import type { Conv2DGeometry } from '../../backends/backend.js';

export type ConvPadding = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
export type DimRoundingMode = 'floor' | 'round' | 'ceil';

export interface ConvGeometryOptions {
  /** The op's name, for error messages. */
  op: string;
  /** x's shape, NHWC: [batch, inHeight, inWidth, inChannels]. */
  xShape: readonly number[];
  filterHeight: number;
  filterWidth: number;
  /** Output channels (conv2d: the filter's last dim; depthwise: inChannels * multiplier; pooling: inChannels). */
  outChannels: number;
  strides: number | readonly [number, number];
  dilations?: number | readonly [number, number];
  pad: ConvPadding;
  dimRoundingMode?: DimRoundingMode;
}

/** The geometry, plus the bottom and right padding (what a transposed convolution needs to know). */
export interface ConvGeometry extends Conv2DGeometry {
  padBottom: number;
  padRight: number;
}

function pair(op: string, name: string, value: number | readonly [number, number]): [number, number] {
  const [h, w] = typeof value === 'number' ? [value, value] : value;
  for (const v of [h, w]) {
    if (!Number.isInteger(v) || v < 1) {
      throw new Error(`${op}: ${name} must be positive integers; received ${name}=${JSON.stringify(value)}`);
    }
  }
  return [h, w];
}

function rounded(value: number, mode: DimRoundingMode | undefined): number {
  switch (mode) {
    case undefined: return Math.trunc(value);
    case 'floor': return Math.floor(value);
    case 'round': return Math.round(value);
    case 'ceil': return Math.ceil(value);
  }
}

/** The output size and padding of one spatial axis. */
function axis(pad: ConvPadding, axisIndex: 1 | 2, size: number, stride: number, effectiveFilter: number,
  mode: DimRoundingMode | undefined): { out: number; before: number; after: number } {
  if (pad === 'same') {
    const out = Math.ceil(size / stride);
    const total = Math.max((out - 1) * stride + effectiveFilter - size, 0);
    const before = Math.floor(total / 2);
    return { out, before, after: total - before };
  }
  if (pad === 'valid') return { out: Math.ceil((size - effectiveFilter + 1) / stride), before: 0, after: 0 };
  const [before, after] = typeof pad === 'number' ? [pad, pad] : pad[axisIndex];
  return { out: rounded((size - effectiveFilter + before + after) / stride + 1, mode), before, after };
}

/** TF.js's computeConv2DInfo for NHWC: the kernel geometry of a convolution or pooling window. */
export function convGeometry(o: ConvGeometryOptions): ConvGeometry {
  if (o.xShape.length !== 4) {
    throw new Error(`${o.op}: x must be rank 4 (NHWC); received shape [${o.xShape.join(', ')}]`);
  }
  const [batch, inHeight, inWidth, inChannels] = o.xShape;
  const [strideHeight, strideWidth] = pair(o.op, 'strides', o.strides);
  const [dilationHeight, dilationWidth] = pair(o.op, 'dilations', o.dilations ?? 1);
  const pad = o.pad;
  const explicit = typeof pad === 'number' ? [pad] : Array.isArray(pad) ? pad.flat() : null;
  if (explicit && explicit.some((p) => !Number.isInteger(p) || p < 0)) {
    throw new Error(`${o.op}: explicit padding must be non-negative integers; received pad=${JSON.stringify(pad)}`);
  }
  if (!explicit && pad !== 'same' && pad !== 'valid') {
    throw new Error(`${o.op}: pad must be 'same', 'valid', a number or [[0, 0], [top, bottom], [left, right], [0, 0]]; received pad=${JSON.stringify(pad)}`);
  }
  const effectiveHeight = (o.filterHeight - 1) * dilationHeight + 1;
  const effectiveWidth = (o.filterWidth - 1) * dilationWidth + 1;
  const rows = axis(pad, 1, inHeight, strideHeight, effectiveHeight, o.dimRoundingMode);
  const cols = axis(pad, 2, inWidth, strideWidth, effectiveWidth, o.dimRoundingMode);
  if (rows.out < 0 || cols.out < 0) {
    throw new Error(`${o.op}: the window (${effectiveHeight} x ${effectiveWidth} with dilations) does not fit the padded ` +
      `input ${inHeight} x ${inWidth} (pad=${JSON.stringify(pad)}); use a smaller filter, more padding or 'same'`);
  }
  return {
    batch, inHeight, inWidth, inChannels,
    outHeight: rows.out, outWidth: cols.out, outChannels: o.outChannels,
    filterHeight: o.filterHeight, filterWidth: o.filterWidth,
    strideHeight, strideWidth, dilationHeight, dilationWidth,
    padTop: rows.before, padLeft: cols.before, padBottom: rows.after, padRight: cols.after,
  };
}
