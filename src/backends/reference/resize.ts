/**
 * The resize kernel's reference (kernel-params.ts ResizeParams): TF.js's sample positions in
 * float64, the blends in float32 (Math.fround after each operation, the order the wasm kernel
 * and the op's composition use), one output value at a time.
 */
import type { ResizeParams } from '../kernel-params.js';
import type { ReferenceStorage } from './storage.js';

/** Input over output size along an axis, as TF.js computes it. */
function scaleOf(input: number, output: number, alignCorners: boolean): number {
  return alignCorners && output > 1 ? (input - 1) / (output - 1) : input / output;
}

/** Per output position: the low and high source index and the float32 fraction (bilinear). */
function linearTaps(input: number, output: number, alignCorners: boolean, halfPixelCenters: boolean) {
  const scale = scaleOf(input, output, alignCorners);
  const lo = new Int32Array(output), hi = new Int32Array(output), f = new Float32Array(output);
  for (let i = 0; i < output; i++) {
    const source = halfPixelCenters ? scale * (i + 0.5) - 0.5 : scale * i;
    lo[i] = Math.max(0, Math.floor(source));
    hi[i] = Math.min(input - 1, Math.ceil(source));
    f[i] = source - lo[i];
  }
  return { lo, hi, f };
}

/** Per output position: the source index (nearest). */
function nearestTaps(input: number, output: number, alignCorners: boolean, halfPixelCenters: boolean): Int32Array {
  const scale = scaleOf(input, output, alignCorners);
  const at = new Int32Array(output);
  for (let i = 0; i < output; i++) {
    const source = halfPixelCenters ? scale * (i + 0.5) : scale * i;
    const index = Math.min(input - 1, alignCorners ? Math.round(source) : Math.floor(source));
    at[i] = halfPixelCenters ? Math.max(0, index) : index;
  }
  return at;
}

export function resizeArrays(p: ResizeParams<ReferenceStorage>): void {
  const x = p.x.values as Float32Array, out = p.out.values as Float32Array;
  const { batch, inHeight, inWidth, channels: c, outHeight, outWidth, alignCorners, halfPixelCenters } = p;
  const at = (b: number, y: number, xx: number) => ((b * inHeight + y) * inWidth + xx) * c;
  let o = 0;
  if (p.method === 'nearest') {
    const rows = nearestTaps(inHeight, outHeight, alignCorners, halfPixelCenters);
    const cols = nearestTaps(inWidth, outWidth, alignCorners, halfPixelCenters);
    for (let b = 0; b < batch; b++) {
      for (let y = 0; y < outHeight; y++) {
        for (let xx = 0; xx < outWidth; xx++) {
          const from = at(b, rows[y], cols[xx]);
          for (let k = 0; k < c; k++) out[o++] = x[from + k];
        }
      }
    }
    return;
  }
  const rows = linearTaps(inHeight, outHeight, alignCorners, halfPixelCenters);
  const cols = linearTaps(inWidth, outWidth, alignCorners, halfPixelCenters);
  const f = Math.fround;
  const lerp = (a: number, b: number, t: number) => f(a + f(f(b - a) * t));
  for (let b = 0; b < batch; b++) {
    for (let y = 0; y < outHeight; y++) {
      const ry = rows.f[y];
      for (let xx = 0; xx < outWidth; xx++) {
        const cx = cols.f[xx];
        const tl = at(b, rows.lo[y], cols.lo[xx]), tr = at(b, rows.lo[y], cols.hi[xx]);
        const bl = at(b, rows.hi[y], cols.lo[xx]), br = at(b, rows.hi[y], cols.hi[xx]);
        for (let k = 0; k < c; k++) {
          const top = lerp(x[tl + k], x[tr + k], cx), bottom = lerp(x[bl + k], x[br + k], cx);
          out[o++] = lerp(top, bottom, ry);
        }
      }
    }
  }
}
