/**
 * pool2d (max / avg) and its gradient (kernel-params.ts Pool2DParams, Pool2DBackwardParams):
 * direct NHWC loops over each output pixel's window, f32x4 across 4 channels a step (the window
 * reduced in registers) with a scalar tail; geometry at `g` (conv-geometry.ts). A window reads
 * only its in-image taps (their range is computed once per row and column, no test per tap):
 * 'avg' divides by their count (0 / 0 = NaN for a window with none), 'max' is -Infinity for an
 * empty window and NaN when one is NaN. The max gradient goes to the first tap in row-major
 * window order holding the max (the first NaN), as the reference and TF.js's maxPoolGrad route it.
 *
 * The forward max is f32x4.pmax (one maxps) with the NaN lanes tracked apart: f32x4.max's NaN
 * and -0 handling costs V8 several instructions a step (1.6 ms against 0.6 ms for 'avg' on
 * [64,26,26,32] before). The gradient writes dx once where the windows tile the input (stride =
 * window, no dilation or leading padding: each pixel in at most one window), zeroing only the
 * pixels no window covers; otherwise it zero-fills dx and adds each window's share.
 * A whole 2x2 window, the common pool, is unrolled in both directions.
 * Measured against the previous per-lane version (the MNIST CNN's max pools at batch 64, A/B in
 * one process, median process CPU time, shared 2-core machine): [64,26,26,32] forward 0.70 ->
 * 0.41 ms, gradient 2.64 -> 0.73 ms; [64,11,11,64] forward 0.13 -> 0.07 ms, gradient 0.48 -> 0.15 ms.
 */
import { geo, G_BATCH, G_DH, G_DW, G_FH, G_FW, G_IN_C, G_IN_H, G_IN_W, G_OUT_H, G_OUT_W, G_PAD_L, G_PAD_T, G_SH, G_SW } from './conv-geometry';

/** The first tap f (0 <= f) whose pixel start + f * d is >= 0. */
// @ts-ignore: decorator
@inline function first_tap(start: i32, d: i32): i32 {
  return start >= 0 ? 0 : (d - 1 - start) / d;
}

/** One past the last tap f < taps whose pixel start + f * d is < n. */
// @ts-ignore: decorator
@inline function end_tap(start: i32, d: i32, n: i32, taps: i32): i32 {
  return start >= n ? 0 : min(taps, (n - 1 - start) / d + 1);
}

/** mode 0: max, 1: avg. out[b, oy, ox, c] over each window. */
export function pool2d(x: usize, out: usize, mode: i32, g: usize): void {
  const batch = geo(g, G_BATCH), H = geo(g, G_IN_H), W = geo(g, G_IN_W), C = geo(g, G_IN_C);
  const oh = geo(g, G_OUT_H), ow = geo(g, G_OUT_W), fh = geo(g, G_FH), fw = geo(g, G_FW);
  const sh = geo(g, G_SH), sw = geo(g, G_SW), dh = geo(g, G_DH), dw = geo(g, G_DW), pt = geo(g, G_PAD_T), pl = geo(g, G_PAD_L);
  const cBytes = <usize>C << 2, vBytes = <usize>(C & ~3) << 2;
  const rowStep = <usize>dh * W * cBytes, colStep = <usize>dw * cBytes;
  const init = f32x4.splat(mode == 0 ? <f32>-Infinity : 0), nan = f32x4.splat(NaN);
  let dst = out;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - pt, fy0 = first_tap(y0, dh), fy1 = end_tap(y0, dh, H, fh);
      for (let ox = 0; ox < ow; ox++, dst += cBytes) {
        const x0 = ox * sw - pl, fx0 = first_tap(x0, dw), fx1 = end_tap(x0, dw, W, fw);
        const count = fy1 > fy0 && fx1 > fx0 ? (fy1 - fy0) * (fx1 - fx0) : 0;
        // The window's first in-image tap (any address when count is 0: nothing reads it).
        const first = x + <usize>(((b * H + y0 + fy0 * dh) * W + x0 + fx0 * dw) * C) * 4;
        const n = <f32>count, nv = f32x4.splat(n);
        let c: usize = 0;
        if (mode == 0 && fy1 - fy0 == 2 && fx1 - fx0 == 2) {
          // A whole 2x2 window (the common pool), unrolled.
          for (; c < vBytes; c += 16) {
            const p = first + c;
            const v0 = v128.load(p), v1 = v128.load(p + colStep), v2 = v128.load(p + rowStep), v3 = v128.load(p + rowStep + colStep);
            const m = f32x4.pmax(f32x4.pmax(v0, v1), f32x4.pmax(v2, v3));
            const nans = v128.or(v128.or(f32x4.ne(v0, v0), f32x4.ne(v1, v1)), v128.or(f32x4.ne(v2, v2), f32x4.ne(v3, v3)));
            v128.store(dst + c, v128.bitselect(nan, m, nans));
          }
        }
        if (c < cBytes) {
          // Any window (and the 2x2 one's channel tail): taps outer, channels inner, reduced into
          // the output row (L1-resident); f32x4.max is NaN-propagating.
          for (let k = c; k < vBytes; k += 16) v128.store(dst + k, init);
          for (let k = vBytes; k < cBytes; k += 4) store<f32>(dst + k, mode == 0 ? <f32>-Infinity : 0);
          let rowAt = first;
          for (let fy = fy0; fy < fy1; fy++, rowAt += rowStep) {
            let at = rowAt;
            for (let fx = fx0; fx < fx1; fx++, at += colStep) {
              let k = c;
              if (mode == 0) {
                for (; k < vBytes; k += 16) v128.store(dst + k, f32x4.max(v128.load(dst + k), v128.load(at + k)));
                for (; k < cBytes; k += 4) {
                  const v = load<f32>(at + k), acc = load<f32>(dst + k);
                  if (acc == acc && !(v <= acc)) store<f32>(dst + k, v);
                }
              } else {
                for (; k < vBytes; k += 16) v128.store(dst + k, f32x4.add(v128.load(dst + k), v128.load(at + k)));
                for (; k < cBytes; k += 4) store<f32>(dst + k, load<f32>(dst + k) + load<f32>(at + k));
              }
            }
          }
          if (mode != 0) {
            for (let k = c; k < vBytes; k += 16) v128.store(dst + k, f32x4.div(v128.load(dst + k), nv));
            for (let k = vBytes; k < cBytes; k += 4) store<f32>(dst + k, load<f32>(dst + k) / n);
          }
        }
      }
    }
  }
}

/** dx (written whole) from dy; mode 0 (max) reads the forward input x. */
export function pool2d_backward(dy: usize, x: usize, dx: usize, mode: i32, g: usize): void {
  const batch = geo(g, G_BATCH), H = geo(g, G_IN_H), W = geo(g, G_IN_W), C = geo(g, G_IN_C);
  const oh = geo(g, G_OUT_H), ow = geo(g, G_OUT_W), fh = geo(g, G_FH), fw = geo(g, G_FW);
  const sh = geo(g, G_SH), sw = geo(g, G_SW), dh = geo(g, G_DH), dw = geo(g, G_DW), pt = geo(g, G_PAD_T), pl = geo(g, G_PAD_L);
  const cBytes = <usize>C << 2, vBytes = <usize>(C & ~3) << 2;
  const rowStep = <usize>dh * W * cBytes, colStep = <usize>dw * cBytes;
  // Tiling windows: each pixel in at most one, pixels past the last window's end in none.
  const tiles = dh == 1 && dw == 1 && sh == fh && sw == fw && pt == 0 && pl == 0;
  if (!tiles) memory.fill(dx, 0, <usize>batch * H * W * cBytes);
  const minusInf = f32x4.splat(-Infinity);
  let dyRow = dy;
  for (let b = 0; b < batch; b++) {
    const image = <usize>b * H * W * cBytes;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - pt, fy0 = first_tap(y0, dh), fy1 = end_tap(y0, dh, H, fh);
      for (let ox = 0; ox < ow; ox++, dyRow += cBytes) {
        const x0 = ox * sw - pl, fx0 = first_tap(x0, dw), fx1 = end_tap(x0, dw, W, fw);
        if (fy1 <= fy0 || fx1 <= fx0) continue;
        const offset = image + <usize>(((y0 + fy0 * dh) * W + x0 + fx0 * dw) * C) * 4;
        const n = <f32>((fy1 - fy0) * (fx1 - fx0)), nv = f32x4.splat(n);
        let c: usize = 0;
        for (; c < vBytes; c += 16) {
          const gv = v128.load(dyRow + c);
          if (mode == 0 && tiles && fy1 - fy0 == 2 && fx1 - fx0 == 2) {
            // A whole 2x2 tiling window (the common pool), unrolled: the first max of v0..v3 takes gv.
            const p = offset + c;
            const v0 = v128.load(x + p), v1 = v128.load(x + p + colStep), v2 = v128.load(x + p + rowStep), v3 = v128.load(x + p + rowStep + colStep);
            const t1 = v128.andnot(f32x4.eq(v0, v0), f32x4.le(v1, v0)), b01 = v128.bitselect(v1, v0, t1);
            const t3 = v128.andnot(f32x4.eq(v2, v2), f32x4.le(v3, v2)), b23 = v128.bitselect(v3, v2, t3);
            const right = v128.andnot(f32x4.eq(b01, b01), f32x4.le(b23, b01)); // the max is in v2, v3
            v128.store(dx + p, v128.andnot(gv, v128.or(t1, right)));
            v128.store(dx + p + colStep, v128.and(gv, v128.andnot(t1, right)));
            v128.store(dx + p + rowStep, v128.and(gv, v128.andnot(right, t3)));
            v128.store(dx + p + rowStep + colStep, v128.and(gv, v128.and(right, t3)));
            continue;
          }
          // max: the tap index (0, 1, ... over in-image taps, row-major) of the first max, per lane.
          let which = i32x4.splat(0);
          if (mode == 0) {
            let best = minusInf, t = i32x4.splat(0);
            let rowAt = x + offset + c;
            for (let fy = fy0; fy < fy1; fy++, rowAt += rowStep) {
              let at = rowAt;
              for (let fx = fx0; fx < fx1; fx++, at += colStep, t = i32x4.add(t, i32x4.splat(1))) {
                const v = v128.load(at);
                // Take v where best is a number and v is larger or NaN.
                const take = v128.andnot(f32x4.eq(best, best), f32x4.le(v, best));
                best = v128.bitselect(v, best, take);
                which = v128.bitselect(t, which, take);
              }
            }
          }
          const share = mode == 0 ? gv : f32x4.div(gv, nv);
          let t = i32x4.splat(0);
          let rowAt = dx + offset + c;
          for (let fy = fy0; fy < fy1; fy++, rowAt += rowStep) {
            let at = rowAt;
            for (let fx = fx0; fx < fx1; fx++, at += colStep, t = i32x4.add(t, i32x4.splat(1))) {
              const v = mode == 0 ? v128.and(share, i32x4.eq(which, t)) : share;
              v128.store(at, tiles ? v : f32x4.add(v128.load(at), v));
            }
          }
        }
        for (; c < cBytes; c += 4) {
          const gs = load<f32>(dyRow + c);
          let which = 0;
          if (mode == 0) {
            let best: f32 = -Infinity, t = 0;
            let rowAt = x + offset + c;
            for (let fy = fy0; fy < fy1; fy++, rowAt += rowStep) {
              let at = rowAt;
              for (let fx = fx0; fx < fx1; fx++, at += colStep, t++) {
                const v = load<f32>(at);
                if (best == best && !(v <= best)) { best = v; which = t; }
              }
            }
          }
          const share = mode == 0 ? gs : gs / n;
          let t = 0;
          let rowAt = dx + offset + c;
          for (let fy = fy0; fy < fy1; fy++, rowAt += rowStep) {
            let at = rowAt;
            for (let fx = fx0; fx < fx1; fx++, at += colStep, t++) {
              const v: f32 = mode == 0 && t != which ? 0 : share;
              store<f32>(at, tiles ? v : load<f32>(at) + v);
            }
          }
        }
      }
      // Tiling: the columns right of the last window, in this row of windows.
      if (tiles && ow * fw < W) {
        for (let iy = oy * fh; iy < min(H, oy * fh + fh); iy++) {
          memory.fill(dx + image + <usize>(iy * W + ow * fw) * cBytes, 0, <usize>(W - ow * fw) * cBytes);
        }
      }
    }
    // Tiling: the rows below the last window.
    if (tiles && oh * fh < H) memory.fill(dx + image + <usize>(oh * fh * W) * cBytes, 0, <usize>((H - oh * fh) * W) * cBytes);
  }
}
