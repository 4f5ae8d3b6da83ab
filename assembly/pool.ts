/**
 * pool2d (max / avg) and its gradient (kernel-params.ts Pool2DParams, Pool2DBackwardParams):
 * direct NHWC loops over each output pixel's window, f32x4 across 4 channels a step with a
 * scalar tail; geometry at `g` (conv-geometry.ts). Windows read only in-image pixels: 'avg'
 * divides by their count (0 / 0 = NaN for a window with none), 'max' is -Infinity for an empty
 * window and NaN when one is NaN (f32x4.max propagates it). The max gradient goes to the first
 * pixel in row-major window order holding the max (the first NaN), as the reference routes it.
 */
import { geo, G_BATCH, G_DH, G_DW, G_FH, G_FW, G_IN_C, G_IN_H, G_IN_W, G_OUT_H, G_OUT_W, G_PAD_L, G_PAD_T, G_SH, G_SW } from './conv-geometry';

/** mode 0: max, 1: avg. out[b, oy, ox, c] over each window. */
export function pool2d(x: usize, out: usize, mode: i32, g: usize): void {
  const H = geo(g, G_IN_H), W = geo(g, G_IN_W), C = geo(g, G_IN_C), oh = geo(g, G_OUT_H), ow = geo(g, G_OUT_W);
  const fh = geo(g, G_FH), fw = geo(g, G_FW);
  const cBytes = <usize>C << 2, vBytes = <usize>(C & ~3) << 2;
  const init: f32 = mode == 0 ? <f32>-Infinity : 0;
  let row = out;
  for (let b = 0; b < geo(g, G_BATCH); b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, row += cBytes) {
        let c: usize = 0;
        for (; c < vBytes; c += 16) v128.store(row + c, f32x4.splat(init));
        for (; c < cBytes; c += 4) store<f32>(row + c, init);
        let count = 0;
        for (let fy = 0; fy < fh; fy++) {
          const iy = oy * geo(g, G_SH) - geo(g, G_PAD_T) + fy * geo(g, G_DH);
          if (iy < 0 || iy >= H) continue;
          for (let fx = 0; fx < fw; fx++) {
            const ix = ox * geo(g, G_SW) - geo(g, G_PAD_L) + fx * geo(g, G_DW);
            if (ix < 0 || ix >= W) continue;
            count++;
            const px = x + <usize>((b * H + iy) * W + ix) * cBytes;
            c = 0;
            if (mode == 0) {
              for (; c < vBytes; c += 16) v128.store(row + c, f32x4.max(v128.load(row + c), v128.load(px + c)));
              for (; c < cBytes; c += 4) store<f32>(row + c, max<f32>(load<f32>(row + c), load<f32>(px + c)));
            } else {
              for (; c < vBytes; c += 16) v128.store(row + c, f32x4.add(v128.load(row + c), v128.load(px + c)));
              for (; c < cBytes; c += 4) store<f32>(row + c, load<f32>(row + c) + load<f32>(px + c));
            }
          }
        }
        if (mode != 0) {
          const n = <f32>count, nv = f32x4.splat(n);
          c = 0;
          for (; c < vBytes; c += 16) v128.store(row + c, f32x4.div(v128.load(row + c), nv));
          for (; c < cBytes; c += 4) store<f32>(row + c, load<f32>(row + c) / n);
        }
      }
    }
  }
}

/** dx (written whole) from dy; mode 0 (max) reads the forward input x. */
export function pool2d_backward(dy: usize, x: usize, dx: usize, mode: i32, g: usize): void {
  const H = geo(g, G_IN_H), W = geo(g, G_IN_W), C = geo(g, G_IN_C), oh = geo(g, G_OUT_H), ow = geo(g, G_OUT_W);
  const fh = geo(g, G_FH), fw = geo(g, G_FW), sh = geo(g, G_SH), sw = geo(g, G_SW);
  const dh = geo(g, G_DH), dw = geo(g, G_DW), pt = geo(g, G_PAD_T), pl = geo(g, G_PAD_L);
  const cBytes = <usize>C << 2, vBytes = <usize>(C & ~3) << 2;
  memory.fill(dx, 0, <usize>geo(g, G_BATCH) * H * W * cBytes);
  let dyRow = dy;
  for (let b = 0; b < geo(g, G_BATCH); b++) {
    const image = <usize>b * H * W * cBytes;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, dyRow += cBytes) {
        if (mode != 0) {
          // Each in-image pixel of the window gets dy / count.
          let count = 0;
          for (let fy = 0; fy < fh; fy++) {
            const iy = oy * sh - pt + fy * dh;
            if (iy >= 0 && iy < H) for (let fx = 0; fx < fw; fx++) { const ix = ox * sw - pl + fx * dw; if (ix >= 0 && ix < W) count++; }
          }
          const n = <f32>count, nv = f32x4.splat(n);
          for (let fy = 0; fy < fh; fy++) {
            const iy = oy * sh - pt + fy * dh;
            if (iy < 0 || iy >= H) continue;
            for (let fx = 0; fx < fw; fx++) {
              const ix = ox * sw - pl + fx * dw;
              if (ix < 0 || ix >= W) continue;
              const px = dx + image + <usize>(iy * W + ix) * cBytes;
              let c: usize = 0;
              for (; c < vBytes; c += 16) v128.store(px + c, f32x4.add(v128.load(px + c), f32x4.div(v128.load(dyRow + c), nv)));
              for (; c < cBytes; c += 4) store<f32>(px + c, load<f32>(px + c) + load<f32>(dyRow + c) / n);
            }
          }
          continue;
        }
        max_route(dyRow, x + image, dx + image, oy, ox, g);
      }
    }
  }
}

/**
 * Adds dy[c] to dx at the first pixel of window (oy, ox) holding the max of channel c (the
 * first NaN if any), 4 channels a step: the best value and its pixel's byte offset per lane.
 */
function max_route(dyRow: usize, x: usize, dx: usize, oy: i32, ox: i32, g: usize): void {
  const H = geo(g, G_IN_H), W = geo(g, G_IN_W), C = geo(g, G_IN_C);
  const fh = geo(g, G_FH), fw = geo(g, G_FW);
  const y0 = oy * geo(g, G_SH) - geo(g, G_PAD_T), x0 = ox * geo(g, G_SW) - geo(g, G_PAD_L);
  const dh = geo(g, G_DH), dw = geo(g, G_DW);
  const cBytes = <usize>C << 2;
  for (let c0 = 0; c0 < C; c0 += 4) {
    const lanes = min(4, C - c0);
    const cOff = <usize>c0 << 2;
    let best = f32x4.splat(0);
    let at = i32x4.splat(-1);
    let seen = false;
    for (let fy = 0; fy < fh; fy++) {
      const iy = y0 + fy * dh;
      if (iy < 0 || iy >= H) continue;
      for (let fx = 0; fx < fw; fx++) {
        const ix = x0 + fx * dw;
        if (ix < 0 || ix >= W) continue;
        const off = <i32>(<usize>(iy * W + ix) * cBytes + cOff);
        const p = x + <usize>off;
        const v = lanes == 4 ? v128.load(p) : load_partial(p, lanes);
        if (!seen) { best = v; at = i32x4.splat(off); seen = true; continue; }
        // Take v where it is larger, or where it is the first NaN.
        const take = v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
        best = v128.bitselect(v, best, take);
        at = v128.bitselect(i32x4.splat(off), at, take);
      }
    }
    if (!seen) continue;
    route_lane(dx, i32x4.extract_lane(at, 0), dyRow + cOff);
    if (lanes > 1) route_lane(dx, i32x4.extract_lane(at, 1) + 4, dyRow + cOff + 4);
    if (lanes > 2) route_lane(dx, i32x4.extract_lane(at, 2) + 8, dyRow + cOff + 8);
    if (lanes > 3) route_lane(dx, i32x4.extract_lane(at, 3) + 12, dyRow + cOff + 12);
  }
}

// @ts-ignore: decorator
@inline function route_lane(dx: usize, off: i32, g: usize): void {
  const p = dx + <usize>off;
  store<f32>(p, load<f32>(p) + load<f32>(g));
}

/** The first `lanes` (1..3) floats at p in a vector, zeros after (never reads past them). */
function load_partial(p: usize, lanes: i32): v128 {
  let v = v128.load32_zero(p);
  if (lanes > 1) v = v128.load32_lane(p + 4, v, 1);
  if (lanes > 2) v = v128.load32_lane(p + 8, v, 2);
  return v;
}
