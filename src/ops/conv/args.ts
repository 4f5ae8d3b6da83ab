/**
 * The argument checks the 2-D convolutions share (TF.js's conv_util checks, with messages
 * that name the op and the values): strides and dilations, dimRoundingMode against the
 * padding, the data format; and the NCHW <-> NHWC moves (the kernels and compositions take
 * NHWC; an NCHW call transposes in and out, so its gradient is the transposes').
 */
import type { Tensor } from '../../core/tensor.js';
import { transpose } from '../structure/shape.js';
import { describe } from '../util.js';
import type { ConvGeometry, ConvPadding, DimRoundingMode } from './geometry.js';

export type Pair = number | [number, number];
export type DataFormat = 'NHWC' | 'NCHW';

const pairOf = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : v);

/** TF.js: strides and dilations may not both be above 1; each a positive integer. */
export function checkStridesAndDilations(op: string, strides: Pair, dilations: Pair): void {
  for (const [name, value] of [['strides', strides], ['dilations', dilations]] as const) {
    const ok = (typeof value === 'number' || (Array.isArray(value) && value.length === 2)) &&
      pairOf(value).every((v) => Number.isInteger(v) && v >= 1);
    if (!ok) throw new Error(`${op}: ${name} must be a positive integer or a pair of them; received ${name}=${JSON.stringify(value)}`);
  }
  if (pairOf(strides).some((s) => s > 1) && pairOf(dilations).some((d) => d > 1)) {
    throw new Error(`${op}: strides and dilations cannot both be above 1 (as TF.js); received strides=` +
      `${JSON.stringify(strides)} and dilations=${JSON.stringify(dilations)}`);
  }
}

/** TF.js: a dimRoundingMode needs numeric padding (integers). */
export function checkRounding(op: string, pad: ConvPadding, dimRoundingMode: DimRoundingMode | undefined): void {
  if (dimRoundingMode === undefined) return;
  if (!['floor', 'round', 'ceil'].includes(dimRoundingMode)) {
    throw new Error(`${op}: dimRoundingMode must be 'floor', 'round' or 'ceil'; received ${JSON.stringify(dimRoundingMode)}`);
  }
  if (typeof pad === 'string') {
    throw new Error(`${op}: dimRoundingMode '${dimRoundingMode}' needs numeric padding; received pad='${pad}'`);
  }
}

export function checkDataFormat(op: string, dataFormat: unknown): DataFormat {
  if (dataFormat !== 'NHWC' && dataFormat !== 'NCHW') {
    throw new Error(`${op}: dataFormat must be 'NHWC' or 'NCHW'; received ${JSON.stringify(dataFormat)}`);
  }
  return dataFormat;
}

/** x of rank 4, or 3 (one image, given a batch of one by the caller); anything else is an Error. */
export function checkImage(op: string, x: Tensor, name = 'x'): void {
  if (x.rank !== 4 && x.rank !== 3) throw new Error(`${op}: ${name} must be rank 4 (or 3: one image); received ${name} ${describe(x)}`);
}

export function checkFloat32(op: string, name: string, t: Tensor): void {
  if (t.dtype !== 'float32') throw new Error(`${op}: '${name}' must be float32 (as TF.js); received ${name} ${describe(t)}`);
}

/** NCHW explicit padding [[0, 0], [0, 0], [t, b], [l, r]] as the NHWC padding the geometry takes. */
export function padToNHWC(pad: ConvPadding, dataFormat: DataFormat): ConvPadding {
  return dataFormat === 'NCHW' && Array.isArray(pad) ? [pad[0], pad[2], pad[3], pad[1]] : pad;
}

export const toNHWC = (x: Tensor, dataFormat: DataFormat): Tensor => (dataFormat === 'NCHW' ? transpose(x, [0, 2, 3, 1]) : x);
export const fromNHWC = (x: Tensor, dataFormat: DataFormat): Tensor => (dataFormat === 'NCHW' ? transpose(x, [0, 3, 1, 2]) : x);

/**
 * A window that does not fit the padded image is an Error (TF.js returns an empty tensor, or
 * one of negative shape); convGeometry throws on a negative size, this on an empty one.
 */
export function checkFits(op: string, g: ConvGeometry, pad: ConvPadding): ConvGeometry {
  const eh = (g.filterHeight - 1) * g.dilationHeight + 1, ew = (g.filterWidth - 1) * g.dilationWidth + 1;
  const ph = g.padTop + g.inHeight + g.padBottom, pw = g.padLeft + g.inWidth + g.padRight;
  if (eh > ph || ew > pw) {
    throw new Error(`${op}: the window (${eh} x ${ew} with dilations) does not fit the padded input ${ph} x ${pw} ` +
      `(input ${g.inHeight} x ${g.inWidth}, pad=${JSON.stringify(pad)}); use a smaller filter, more padding or 'same'`);
  }
  return g;
}
