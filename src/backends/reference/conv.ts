/**
 * The reference convolutions (backend.ts `Conv2DParams` and the depthwise and backprop
 * interfaces): NHWC images, HWIO filters (depthwise: [fh, fw, inChannels, multiplier]),
 * output pixel (oy, ox) reading input row oy * strideHeight - padTop + fy * dilationHeight
 * (columns alike), zeros outside the image. Every output element is one float64 sum, rounded
 * once on store; the backprops gather (each dx or dFilter element sums what reads or is read
 * by it) rather than scatter, so they need no scratch.
 */
import type {
  Conv2DBackpropFilterParams, Conv2DBackpropInputParams, Conv2DGeometry, Conv2DParams,
  DepthwiseConv2DBackpropFilterParams, DepthwiseConv2DBackpropInputParams, DepthwiseConv2DParams, TypedArray,
} from '../backend.js';
import { applyEpilogue } from './epilogue.js';

type Arrays = { readonly values: TypedArray };

/** The input row (or column) that output position `o` reads at filter tap `f`; may lie outside the image. */
const inputAt = (o: number, f: number, stride: number, dilation: number, pad: number): number => o * stride - pad + f * dilation;

/**
 * The output position whose window reads input position `i` at filter tap `f`, or -1 when none
 * does (i + pad - f * dilation is not a multiple of the stride, or lands outside the output).
 */
function outputAt(i: number, f: number, stride: number, dilation: number, pad: number, outSize: number): number {
  const shifted = i + pad - f * dilation;
  if (shifted < 0 || shifted % stride !== 0) return -1;
  const o = shifted / stride;
  return o < outSize ? o : -1;
}

/**
 * Calls `tap(b, oy, ox, iy, ix, fy, fx)` for every output pixel and filter tap whose input
 * pixel lies inside the image, in b, oy, ox, fy, fx order.
 */
function forEachTap(g: Conv2DGeometry, tap: (b: number, oy: number, ox: number, iy: number, ix: number, fy: number, fx: number) => void): void {
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < g.outHeight; oy++) {
      for (let ox = 0; ox < g.outWidth; ox++) {
        for (let fy = 0; fy < g.filterHeight; fy++) {
          const iy = inputAt(oy, fy, g.strideHeight, g.dilationHeight, g.padTop);
          if (iy < 0 || iy >= g.inHeight) continue;
          for (let fx = 0; fx < g.filterWidth; fx++) {
            const ix = inputAt(ox, fx, g.strideWidth, g.dilationWidth, g.padLeft);
            if (ix < 0 || ix >= g.inWidth) continue;
            tap(b, oy, ox, iy, ix, fy, fx);
          }
        }
      }
    }
  }
}

/** out[b, oy, ox, o] = act(sum over fy, fx, c of x[b, iy, ix, c] * filter[fy, fx, c, o] + bias[o]). */
export function conv2dArrays(p: Conv2DParams<Arrays>): void {
  const x = p.x.values, filter = p.filter.values, out = p.out.values, bias = p.bias?.values;
  const { inHeight, inWidth, inChannels: C, outHeight, outWidth, outChannels: O, filterWidth } = p;
  const sums = new Float64Array(O);
  for (let b = 0; b < p.batch; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        sums.fill(0);
        for (let fy = 0; fy < p.filterHeight; fy++) {
          const iy = inputAt(oy, fy, p.strideHeight, p.dilationHeight, p.padTop);
          if (iy < 0 || iy >= inHeight) continue;
          for (let fx = 0; fx < filterWidth; fx++) {
            const ix = inputAt(ox, fx, p.strideWidth, p.dilationWidth, p.padLeft);
            if (ix < 0 || ix >= inWidth) continue;
            const xBase = ((b * inHeight + iy) * inWidth + ix) * C;
            const fBase = (fy * filterWidth + fx) * C * O;
            for (let c = 0; c < C; c++) {
              const v = x[xBase + c];
              for (let o = 0; o < O; o++) sums[o] += v * filter[fBase + c * O + o];
            }
          }
        }
        const outBase = ((b * outHeight + oy) * outWidth + ox) * O;
        for (let o = 0; o < O; o++) out[outBase + o] = applyEpilogue(p.activation, sums[o] + (bias ? bias[o] : 0), p.alpha);
      }
    }
  }
}

/** dx[b, iy, ix, c] = sum of dy[b, oy, ox, o] * filter[fy, fx, c, o] over the windows reading (iy, ix). */
export function conv2dBackpropInputArrays(p: Conv2DBackpropInputParams<Arrays>): void {
  const dy = p.dy.values, filter = p.filter.values, dx = p.dx.values;
  const { inHeight, inWidth, inChannels: C, outHeight, outWidth, outChannels: O, filterWidth } = p;
  const sums = new Float64Array(C);
  for (let b = 0; b < p.batch; b++) {
    for (let iy = 0; iy < inHeight; iy++) {
      for (let ix = 0; ix < inWidth; ix++) {
        sums.fill(0);
        for (let fy = 0; fy < p.filterHeight; fy++) {
          const oy = outputAt(iy, fy, p.strideHeight, p.dilationHeight, p.padTop, outHeight);
          if (oy < 0) continue;
          for (let fx = 0; fx < filterWidth; fx++) {
            const ox = outputAt(ix, fx, p.strideWidth, p.dilationWidth, p.padLeft, outWidth);
            if (ox < 0) continue;
            const dyBase = ((b * outHeight + oy) * outWidth + ox) * O;
            const fBase = (fy * filterWidth + fx) * C * O;
            for (let c = 0; c < C; c++) {
              let s = 0;
              for (let o = 0; o < O; o++) s += dy[dyBase + o] * filter[fBase + c * O + o];
              sums[c] += s;
            }
          }
        }
        dx.set(sums, ((b * inHeight + iy) * inWidth + ix) * C);
      }
    }
  }
}

/** dFilter[fy, fx, c, o] (=, or += with accumulate) sum over b, oy, ox of x[b, iy, ix, c] * dy[b, oy, ox, o]. */
export function conv2dBackpropFilterArrays(p: Conv2DBackpropFilterParams<Arrays>): void {
  const x = p.x.values, dy = p.dy.values, dFilter = p.dFilter.values;
  const { inHeight, inWidth, inChannels: C, outHeight, outWidth, outChannels: O, filterWidth } = p;
  const sums = new Float64Array(p.filterHeight * filterWidth * C * O);
  if (p.accumulate) for (let i = 0; i < sums.length; i++) sums[i] = dFilter[i];
  forEachTap(p, (b, oy, ox, iy, ix, fy, fx) => {
    const xBase = ((b * inHeight + iy) * inWidth + ix) * C;
    const dyBase = ((b * outHeight + oy) * outWidth + ox) * O;
    const fBase = (fy * filterWidth + fx) * C * O;
    for (let c = 0; c < C; c++) {
      const v = x[xBase + c];
      for (let o = 0; o < O; o++) sums[fBase + c * O + o] += v * dy[dyBase + o];
    }
  });
  dFilter.set(sums);
}

/** out[b, oy, ox, c * M + q] = act(sum over fy, fx of x[b, iy, ix, c] * filter[fy, fx, c, q] + bias[c * M + q]). */
export function depthwiseConv2dArrays(p: DepthwiseConv2DParams<Arrays>): void {
  const x = p.x.values, filter = p.filter.values, out = p.out.values, bias = p.bias?.values;
  const { inHeight, inWidth, inChannels: C, outHeight, outWidth, channelMultiplier: M, filterWidth } = p;
  const O = C * M;
  const sums = new Float64Array(O);
  for (let b = 0; b < p.batch; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        sums.fill(0);
        for (let fy = 0; fy < p.filterHeight; fy++) {
          const iy = inputAt(oy, fy, p.strideHeight, p.dilationHeight, p.padTop);
          if (iy < 0 || iy >= inHeight) continue;
          for (let fx = 0; fx < filterWidth; fx++) {
            const ix = inputAt(ox, fx, p.strideWidth, p.dilationWidth, p.padLeft);
            if (ix < 0 || ix >= inWidth) continue;
            const xBase = ((b * inHeight + iy) * inWidth + ix) * C;
            const fBase = (fy * filterWidth + fx) * O;
            for (let o = 0; o < O; o++) sums[o] += x[xBase + Math.floor(o / M)] * filter[fBase + o];
          }
        }
        const outBase = ((b * outHeight + oy) * outWidth + ox) * O;
        for (let o = 0; o < O; o++) out[outBase + o] = applyEpilogue(p.activation, sums[o] + (bias ? bias[o] : 0), p.alpha);
      }
    }
  }
}

/** dx[b, iy, ix, c] = sum over q and the windows reading (iy, ix) of dy[b, oy, ox, c * M + q] * filter[fy, fx, c, q]. */
export function depthwiseConv2dBackpropInputArrays(p: DepthwiseConv2DBackpropInputParams<Arrays>): void {
  const dy = p.dy.values, filter = p.filter.values, dx = p.dx.values;
  const { inHeight, inWidth, inChannels: C, outHeight, outWidth, channelMultiplier: M, filterWidth } = p;
  const O = C * M;
  const sums = new Float64Array(C);
  for (let b = 0; b < p.batch; b++) {
    for (let iy = 0; iy < inHeight; iy++) {
      for (let ix = 0; ix < inWidth; ix++) {
        sums.fill(0);
        for (let fy = 0; fy < p.filterHeight; fy++) {
          const oy = outputAt(iy, fy, p.strideHeight, p.dilationHeight, p.padTop, outHeight);
          if (oy < 0) continue;
          for (let fx = 0; fx < filterWidth; fx++) {
            const ox = outputAt(ix, fx, p.strideWidth, p.dilationWidth, p.padLeft, outWidth);
            if (ox < 0) continue;
            const dyBase = ((b * outHeight + oy) * outWidth + ox) * O;
            const fBase = (fy * filterWidth + fx) * O;
            for (let o = 0; o < O; o++) sums[Math.floor(o / M)] += dy[dyBase + o] * filter[fBase + o];
          }
        }
        dx.set(sums, ((b * inHeight + iy) * inWidth + ix) * C);
      }
    }
  }
}

/** dFilter[fy, fx, c, q] (=, or += with accumulate) sum over b, oy, ox of x[b, iy, ix, c] * dy[b, oy, ox, c * M + q]. */
export function depthwiseConv2dBackpropFilterArrays(p: DepthwiseConv2DBackpropFilterParams<Arrays>): void {
  const x = p.x.values, dy = p.dy.values, dFilter = p.dFilter.values;
  const { inHeight, inWidth, inChannels: C, outHeight, outWidth, channelMultiplier: M, filterWidth } = p;
  const O = C * M;
  const sums = new Float64Array(p.filterHeight * filterWidth * O);
  if (p.accumulate) for (let i = 0; i < sums.length; i++) sums[i] = dFilter[i];
  forEachTap(p, (b, oy, ox, iy, ix, fy, fx) => {
    const xBase = ((b * inHeight + iy) * inWidth + ix) * C;
    const dyBase = ((b * outHeight + oy) * outWidth + ox) * O;
    const fBase = (fy * filterWidth + fx) * O;
    for (let o = 0; o < O; o++) sums[fBase + o] += x[xBase + Math.floor(o / M)] * dy[dyBase + o];
  });
  dFilter.set(sums);
}
