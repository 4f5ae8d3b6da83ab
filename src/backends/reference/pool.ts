/**
 * The reference pooling (backend.ts `Pool2DParams`, `Pool2DBackwardParams`): per channel, a
 * window of filterHeight x filterWidth taps (dilated, strided, padded as in conv.ts) that reads
 * only the pixels inside the image. 'avg' is the float64 mean of those pixels (TF.js's avgPool:
 * padding excluded; a window with none inside divides 0 by 0, NaN, as TF.js's cpu backend);
 * 'max' is their max, -Infinity for a window with none inside, NaN when one is NaN (TF.js's cpu
 * backend skips NaNs there instead: sora's max propagates NaN like Math.max and the reduce kernel).
 */
import type { Conv2DGeometry, Pool2DBackwardParams, Pool2DParams, PoolMode, TypedArray } from '../backend.js';

type Arrays = { readonly values: TypedArray };

/**
 * Calls `pixel(iy, ix)` for each input pixel of output window (oy, ox) inside the image, in
 * row-major window order (fy, then fx).
 */
function forEachWindowPixel(g: Conv2DGeometry, oy: number, ox: number, pixel: (iy: number, ix: number) => void): void {
  for (let fy = 0; fy < g.filterHeight; fy++) {
    const iy = oy * g.strideHeight - g.padTop + fy * g.dilationHeight;
    if (iy < 0 || iy >= g.inHeight) continue;
    for (let fx = 0; fx < g.filterWidth; fx++) {
      const ix = ox * g.strideWidth - g.padLeft + fx * g.dilationWidth;
      if (ix < 0 || ix >= g.inWidth) continue;
      pixel(iy, ix);
    }
  }
}

/**
 * The flat index into x of the first pixel of the window (row-major window order) holding its
 * max, the first NaN if any; -1 for a window with no pixel inside.
 */
function argMaxOfWindow(x: TypedArray, g: Conv2DGeometry, b: number, oy: number, ox: number, c: number): number {
  let best = -1;
  let bestValue = -Infinity;
  forEachWindowPixel(g, oy, ox, (iy, ix) => {
    const at = ((b * g.inHeight + iy) * g.inWidth + ix) * g.inChannels + c;
    const v = x[at];
    if (Number.isNaN(bestValue)) return;
    if (best < 0 || v > bestValue || Number.isNaN(v)) { best = at; bestValue = v; }
  });
  return best;
}

/** Visits each output element: (b, oy, ox, c) and its flat index in the output. */
function forEachOutput(g: Conv2DGeometry, visit: (b: number, oy: number, ox: number, c: number, at: number) => void): void {
  let at = 0;
  for (let b = 0; b < g.batch; b++) {
    for (let oy = 0; oy < g.outHeight; oy++) {
      for (let ox = 0; ox < g.outWidth; ox++) {
        for (let c = 0; c < g.inChannels; c++) visit(b, oy, ox, c, at++);
      }
    }
  }
}

function windowValue(mode: PoolMode, x: TypedArray, g: Conv2DGeometry, b: number, oy: number, ox: number, c: number): number {
  if (mode === 'max') {
    const at = argMaxOfWindow(x, g, b, oy, ox, c);
    return at < 0 ? -Infinity : x[at];
  }
  let sum = 0;
  let count = 0;
  forEachWindowPixel(g, oy, ox, (iy, ix) => {
    sum += x[((b * g.inHeight + iy) * g.inWidth + ix) * g.inChannels + c];
    count++;
  });
  return sum / count;
}

export function pool2dArrays(p: Pool2DParams<Arrays>): void {
  const x = p.x.values, out = p.out.values;
  forEachOutput(p, (b, oy, ox, c, at) => { out[at] = windowValue(p.mode, x, p, b, oy, ox, c); });
}

/**
 * dx (written whole): 'avg' adds dy / count to each pixel of the window, 'max' adds dy to the
 * window's first max pixel. Summed in float64 over the windows that overlap a pixel.
 */
export function pool2dBackwardArrays(p: Pool2DBackwardParams<Arrays>): void {
  const x = p.x.values, dy = p.dy.values, dx = p.dx.values;
  const sums = new Float64Array(p.batch * p.inHeight * p.inWidth * p.inChannels);
  forEachOutput(p, (b, oy, ox, c, at) => {
    const g = dy[at];
    if (p.mode === 'max') {
      const best = argMaxOfWindow(x, p, b, oy, ox, c);
      if (best >= 0) sums[best] += g;
      return;
    }
    const pixels: number[] = [];
    forEachWindowPixel(p, oy, ox, (iy, ix) => { pixels.push(((b * p.inHeight + iy) * p.inWidth + ix) * p.inChannels + c); });
    for (const i of pixels) sums[i] += g / pixels.length;
  });
  dx.set(sums);
}
