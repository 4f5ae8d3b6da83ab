/**
 * The convolutions written with other ops (pad, slice, reshape, concat, matMul, mul, sum):
 * the `compose` fallback of the conv ops on a backend without their kernels.
 *
 * The padded image: x with padTop / padLeft zeros before it and enough zeros after it that
 * every window tap lies inside, `extentHeight` x `extentWidth`. The tap (fy, fx) of every output
 * pixel is then one strided block of the padded image: rows fy * dilationHeight + oy *
 * strideHeight for oy < outHeight, a slice of outHeight * strideHeight rows reshaped to
 * [outHeight, strideHeight] whose first column it keeps (columns alike). The transposed
 * direction (`untap`) places a [batch, outHeight, outWidth, c] block back at those positions:
 * stride - 1 zeros after each row and column, then padding to the padded image.
 */
import type { Tensor } from '../../core/tensor.js';
import { pad } from '../structure/rearrange.js';
import { concat, reshape, slice } from '../structure/shape.js';
import { addN } from '../math/activations.js';
import type { ConvGeometry } from './geometry.js';

/** Rows and columns of the padded image: x at (padTop, padLeft), every tap's block inside. */
function extent(g: ConvGeometry): [number, number] {
  return [
    Math.max(g.padTop + g.inHeight, (g.filterHeight - 1) * g.dilationHeight + g.outHeight * g.strideHeight),
    Math.max(g.padLeft + g.inWidth, (g.filterWidth - 1) * g.dilationWidth + g.outWidth * g.strideWidth),
  ];
}

/** x [batch, inHeight, inWidth, c] padded to the extent with `value` (zeros; dilation2d's max pads with -Infinity). */
export function padded(x: Tensor, g: ConvGeometry, value = 0): Tensor {
  const [eh, ew] = extent(g);
  return pad(x, [[0, 0], [g.padTop, eh - g.padTop - g.inHeight], [g.padLeft, ew - g.padLeft - g.inWidth], [0, 0]], value);
}

/** The [batch, outHeight, outWidth, c] pixels that filter tap (fy, fx) reads from the padded image. */
function tap(xp: Tensor, g: ConvGeometry, fy: number, fx: number): Tensor {
  const c = xp.shape[3], sh = g.strideHeight, sw = g.strideWidth;
  const block = slice(xp, [0, fy * g.dilationHeight, fx * g.dilationWidth, 0], [g.batch, g.outHeight * sh, g.outWidth * sw, c]);
  if (sh === 1 && sw === 1) return block;
  const strided = slice(reshape(block, [g.batch, g.outHeight, sh, g.outWidth, sw, c]), [0, 0, 0, 0, 0, 0], [g.batch, g.outHeight, 1, g.outWidth, 1, c]);
  return reshape(strided, [g.batch, g.outHeight, g.outWidth, c]);
}

/** Every tap of the padded image, in (fy, fx) order: [batch, outHeight, outWidth, taps * c]. */
export function im2col(x: Tensor, g: ConvGeometry, value = 0): Tensor {
  const xp = padded(x, g, value);
  const taps: Tensor[] = [];
  for (let fy = 0; fy < g.filterHeight; fy++) for (let fx = 0; fx < g.filterWidth; fx++) taps.push(tap(xp, g, fy, fx));
  return taps.length === 1 ? taps[0] : concat(taps, 3);
}

/** The transpose of `tap`: a [batch, outHeight, outWidth, c] block placed in a zero padded image. */
function untap(block: Tensor, g: ConvGeometry, fy: number, fx: number): Tensor {
  const c = block.shape[3], sh = g.strideHeight, sw = g.strideWidth;
  const [eh, ew] = extent(g);
  let spread = block;
  if (sh !== 1 || sw !== 1) {
    const holes = pad(reshape(block, [g.batch, g.outHeight, 1, g.outWidth, 1, c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
    spread = reshape(holes, [g.batch, g.outHeight * sh, g.outWidth * sw, c]);
  }
  const top = fy * g.dilationHeight, left = fx * g.dilationWidth;
  return pad(spread, [[0, 0], [top, eh - top - g.outHeight * sh], [left, ew - left - g.outWidth * sw], [0, 0]]);
}

/**
 * The transpose of `im2col`: cols [batch, outHeight, outWidth, taps * c] summed back into an
 * image [batch, inHeight, inWidth, c] (what each input pixel contributed to, summed).
 */
export function col2im(cols: Tensor, g: ConvGeometry, c: number): Tensor {
  const images: Tensor[] = [];
  for (let fy = 0, t = 0; fy < g.filterHeight; fy++) {
    for (let fx = 0; fx < g.filterWidth; fx++, t++) {
      const block = slice(cols, [0, 0, 0, t * c], [g.batch, g.outHeight, g.outWidth, c]);
      images.push(untap(block, g, fy, fx));
    }
  }
  const sum = images.length === 1 ? images[0] : addN(images);
  return slice(sum, [0, g.padTop, g.padLeft, 0], [g.batch, g.inHeight, g.inWidth, c]);
}
