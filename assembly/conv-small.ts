/**
 * conv2d for few input channels (conv.ts dispatches here when conv_small_fits): a direct NHWC
 * kernel, vectorized across output channels, with no im2col tile and no GEMM packing. With
 * K = fh * fw * C as small as 9 (a 3x3 filter over one channel), conv.ts's im2col + GEMM spends
 * most of its time lowering, packing and starting micro-tiles of k = 9.
 *
 * Method. The filter is repacked into `col` as blocks of 8 output channels (K x 8 floats each,
 * zero past O) with the bias beside it (8 floats a block), and tap k's byte offset from a
 * pixel's window origin goes into a table. Output pixels go 4 at a time (flat over batch, rows,
 * columns): for each block of 8 channels, 4 x 2 f32x4 accumulators start from the bias and take
 * K broadcast-multiply-adds (fused in the relaxed build), then ReLU (f32x4.max: NaN stays) and
 * the store (only the O % 8 valid channels of the last block). A group holding a pixel whose
 * window leaves the image is lowered first (its 4 im2col rows, zeros outside, into `col`) and
 * runs the same loop over those rows. Other activations run over the output afterwards
 * (gemm-epilogue.ts epilogue_rows, the GEMM's own). The filter gradient (below) is the same
 * idea turned around: 4 filter rows by 8 output channels in registers, summed over pixels.
 *
 * Measured against conv.ts's im2col + GEMM (A/B in one process, median process CPU time, plain
 * SIMD build, a shared 2-core AMD EPYC, so +-15%): the MNIST conv1 [64,28,28,1] * 3x3x1x32
 * 'valid' with bias + ReLU 1.72 -> 1.00 ms forward, filter gradient 1.70 -> 1.08 ms (and about 8x
 * closer to float64: per-image sums); [64,28,28,3] * 3x3x3x16 'same' 2.30 -> 1.91 / 2.33 -> 1.45;
 * [32,28,28,4] * 3x3x4x64 2.99 -> 2.33 / 3.22 -> 2.69; [16,32,32,3] * 5x5x3x32 'same' 2.39 -> 2.30
 * / 2.49 -> 2.41; no shape tried was slower forward (out 4..64), so conv_small_fits takes every
 * one that fits; the filter gradient is left to the GEMM for 1x1 filters (1x1x2x32: 0.13 -> 0.19
 * ms) and for O % 8 != 0 (its tail channels went one pixel at a time: 3x3x4x4 0.65 -> 1.82 ms).
 */
import { geo, G_BATCH, G_DH, G_DW, G_FH, G_FW, G_IN_C, G_IN_H, G_IN_W, G_OUT_C, G_OUT_H, G_OUT_W, G_PAD_L, G_PAD_T, G_SH, G_SW } from './conv-geometry';
import { epilogue_rows } from './gemm-epilogue';
import { EPILOGUE_LINEAR, EPILOGUE_RELU } from './opcodes.generated';

/** Output pixels per group. */
const PX = 4;

// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Bytes of `col` the kernel uses: two tap tables, PX im2col rows, the packed filter and bias. */
function scratch_bytes(K: i32, O: i32): i32 {
  const blocks = (O + 7) >> 3;
  return (2 + PX) * K * 4 + PX * 4 + PX * 32 + blocks * (K + 1) * 32;
}

/** Whether conv2d_small takes this convolution (few input channels, its scratch fits `colBytes`). */
export function conv_small_fits(g: usize, colBytes: i32): bool {
  const C = geo(g, G_IN_C), O = geo(g, G_OUT_C), K = geo(g, G_FH) * geo(g, G_FW) * C;
  return C <= 4 && K > 1 && O >= 4 && scratch_bytes(K, O) <= colBytes;
}

/** Copies `cols` floats of each of `rows` rows of the 8-float-wide tile into dst (rows dstStride bytes apart). */
function copy_tile(dst: usize, dstStride: usize, tile: usize, rows: i32, cols: i32): void {
  for (let i = 0; i < rows; i++, dst += dstStride, tile += 32) memory.copy(dst, tile, <usize>cols << 2);
}

/**
 * The tap tables, K i32 each: taps[k] the byte offset of filter row k (fy, fx, c) from a pixel's
 * window origin in x; rowTaps[k] = 4k, its offset in a lowered (im2col) row.
 */
function tap_tables(g: usize, taps: usize, rowTaps: usize): void {
  const W = geo(g, G_IN_W), C = geo(g, G_IN_C), fh = geo(g, G_FH), fw = geo(g, G_FW), dh = geo(g, G_DH), dw = geo(g, G_DW);
  let k = 0;
  for (let fy = 0; fy < fh; fy++) {
    for (let fx = 0; fx < fw; fx++) {
      for (let c = 0; c < C; c++, k++) {
        store<i32>(taps + (<usize>k << 2), ((fy * dh * W + fx * dw) * C + c) * 4);
        store<i32>(rowTaps + (<usize>k << 2), k * 4);
      }
    }
  }
}

/** The im2col row of output pixel (b, oy, ox) into `row`: K floats, zeros outside the image. */
function lower_pixel(x: usize, g: usize, b: i32, oy: i32, ox: i32, row: usize): void {
  const H = geo(g, G_IN_H), W = geo(g, G_IN_W), C = geo(g, G_IN_C), fh = geo(g, G_FH), fw = geo(g, G_FW);
  const y0 = oy * geo(g, G_SH) - geo(g, G_PAD_T), x0 = ox * geo(g, G_SW) - geo(g, G_PAD_L);
  for (let fy = 0; fy < fh; fy++) {
    const iy = y0 + fy * geo(g, G_DH);
    for (let fx = 0; fx < fw; fx++) {
      const ix = x0 + fx * geo(g, G_DW);
      // (A branch, not a select: the address of a pixel outside may lie outside memory.)
      if (iy >= 0 && iy < H && ix >= 0 && ix < W) {
        const src = x + <usize>(((b * H + iy) * W + ix) * C) * 4;
        for (let c = 0; c < C; c++, row += 4) store<f32>(row, load<f32>(src + (<usize>c << 2)));
      } else {
        for (let c = 0; c < C; c++, row += 4) store<f32>(row, 0);
      }
    }
  }
}

/**
 * out = act(conv(x, filter) + bias) (bias 0: none); `col` holds scratch_bytes (conv_small_fits
 * said so). Same contract as conv.ts conv2d.
 */
export function conv2d_small(x: usize, filter: usize, out: usize, bias: usize, act: i32, alpha: f32, g: usize, col: usize): void {
  const batch = geo(g, G_BATCH), H = geo(g, G_IN_H), W = geo(g, G_IN_W), C = geo(g, G_IN_C);
  const oh = geo(g, G_OUT_H), ow = geo(g, G_OUT_W), O = geo(g, G_OUT_C), fh = geo(g, G_FH), fw = geo(g, G_FW);
  const sh = geo(g, G_SH), sw = geo(g, G_SW), dh = geo(g, G_DH), dw = geo(g, G_DW), pt = geo(g, G_PAD_T), pl = geo(g, G_PAD_L);
  const K = fh * fw * C, blocks = (O + 7) >> 3, P = batch * oh * ow;
  const spanH = (fh - 1) * dh + 1, spanW = (fw - 1) * dw + 1;
  // Scratch: taps (window origin offsets), rowTaps (k * 4), PX lowered rows, origins, an output tile, filter and bias blocks.
  const taps = col, rowTaps = taps + (<usize>K << 2), rows = rowTaps + (<usize>K << 2);
  const origins = rows + <usize>(PX * K) * 4, tile = origins + PX * 4, packed = tile + PX * 32, packedBias = packed + <usize>(blocks * K) * 32;
  tap_tables(g, taps, rowTaps);
  let k = 0;
  for (let blk = 0; blk < blocks; blk++) {
    for (let j = 0; j < 8; j++) {
      const co = blk * 8 + j;
      const at = packed + <usize>(blk * K * 8 + j) * 4;
      for (k = 0; k < K; k++) store<f32>(at + (<usize>k << 5), co < O ? load<f32>(filter + (<usize>(k * O + co) << 2)) : 0);
      store<f32>(packedBias + (<usize>(blk * 8 + j) << 2), co < O && bias ? load<f32>(bias + (<usize>co << 2)) : 0);
    }
  }
  const relu = act == EPILOGUE_RELU, zero = f32x4.splat(0);
  const pixelBytes = <usize>O << 2;
  let b = 0, oy = 0, ox = 0;
  for (let p = 0; p < P; p += PX) {
    const n = min(PX, P - p);
    const b0 = b, oy0 = oy, ox0 = ox;
    let inside = true;
    for (let j = 0; j < n; j++) {
      const y0 = oy * sh - pt, x0 = ox * sw - pl;
      inside = inside && y0 >= 0 && y0 + spanH <= H && x0 >= 0 && x0 + spanW <= W;
      store<usize>(origins + (<usize>j << 2), x + <usize>(((b * H + y0) * W + x0) * C) * 4);
      if (++ox == ow) { ox = 0; if (++oy == oh) { oy = 0; b++; } }
    }
    let table = taps;
    if (!inside) {
      // Lower the group's pixels; the loop below reads those rows instead.
      table = rowTaps;
      let lb = b0, ly = oy0, lx = ox0;
      for (let j = 0; j < n; j++) {
        const row = rows + <usize>(j * K) * 4;
        lower_pixel(x, g, lb, ly, lx, row);
        store<usize>(origins + (<usize>j << 2), row);
        if (++lx == ow) { lx = 0; if (++ly == oh) { ly = 0; lb++; } }
      }
    }
    // Pixels past n repeat the last one (computed, never stored).
    for (let j = n; j < PX; j++) store<usize>(origins + (<usize>j << 2), load<usize>(origins + (<usize>(n - 1) << 2)));
    const a0 = load<usize>(origins), a1 = load<usize>(origins + 4), a2 = load<usize>(origins + 8), a3 = load<usize>(origins + 12);
    const o0 = out + <usize>p * pixelBytes;
    for (let blk = 0; blk < blocks; blk++) {
      let w = packed + <usize>(blk * K) * 32;
      const bv0 = v128.load(packedBias + (<usize>blk << 5)), bv1 = v128.load(packedBias + (<usize>blk << 5) + 16);
      let c00 = bv0, c01 = bv1, c10 = bv0, c11 = bv1, c20 = bv0, c21 = bv1, c30 = bv0, c31 = bv1;
      for (let t = table, end = table + (<usize>K << 2); t < end; t += 4, w += 32) {
        const off = <usize>load<i32>(t);
        const w0 = v128.load(w), w1 = v128.load(w, 16);
        let s = v128.load32_splat(a0 + off);
        c00 = madd(s, w0, c00); c01 = madd(s, w1, c01);
        s = v128.load32_splat(a1 + off);
        c10 = madd(s, w0, c10); c11 = madd(s, w1, c11);
        s = v128.load32_splat(a2 + off);
        c20 = madd(s, w0, c20); c21 = madd(s, w1, c21);
        s = v128.load32_splat(a3 + off);
        c30 = madd(s, w0, c30); c31 = madd(s, w1, c31);
      }
      if (relu) {
        c00 = f32x4.max(c00, zero); c01 = f32x4.max(c01, zero); c10 = f32x4.max(c10, zero); c11 = f32x4.max(c11, zero);
        c20 = f32x4.max(c20, zero); c21 = f32x4.max(c21, zero); c30 = f32x4.max(c30, zero); c31 = f32x4.max(c31, zero);
      }
      const at = o0 + (<usize>blk << 5);
      let dst = at, stride = pixelBytes;
      const whole = n == PX && blk * 8 + 8 <= O;
      // A partial group (pixels past P, channels past O) goes through `tile`, then its valid part is copied.
      if (!whole) { dst = tile; stride = 32; }
      v128.store(dst, c00); v128.store(dst, c01, 16); dst += stride;
      v128.store(dst, c10); v128.store(dst, c11, 16); dst += stride;
      v128.store(dst, c20); v128.store(dst, c21, 16); dst += stride;
      v128.store(dst, c30); v128.store(dst, c31, 16);
      if (!whole) copy_tile(at, pixelBytes, tile, n, min(8, O - blk * 8));
    }
  }
  if (act != EPILOGUE_LINEAR && !relu) epilogue_rows(out, pixelBytes, P, O, act, alpha);
}

/** The first output row (column) whose window starts inside the input. */
// @ts-ignore: decorator
@inline function inside_first(pad: i32, stride: i32): i32 {
  return pad > 0 ? (pad + stride - 1) / stride : 0;
}
/** One past the last output row (column) whose window ends inside the input (n pixels, the window `span` wide). */
// @ts-ignore: decorator
@inline function inside_end(n: i32, span: i32, pad: i32, stride: i32, outN: i32): i32 {
  const room = n - span + pad;
  return room < 0 ? 0 : min(outN, room / stride + 1);
}

/** Pixels whose windows leave the image, lowered at a time by the filter gradient. */
const LOWERED = 32;

/** Whether conv2d_backprop_filter_small takes this gradient: few input channels, a filter wider than 1x1, whole blocks of 8 output channels. */
export function conv_small_filter_fits(g: usize, colBytes: i32): bool {
  const C = geo(g, G_IN_C), O = geo(g, G_OUT_C), taps = geo(g, G_FH) * geo(g, G_FW), K = taps * C;
  return C <= 4 && taps > 1 && O > 0 && (O & 7) == 0 && (2 * K + LOWERED * (K + O)) * 4 <= colBytes;
}

/**
 * dFilter[k, co] += sum over rows x count pixels of a[k] * e[co], for 4 filter rows by 8 output
 * channels at a time: pixel i of row r has its im2col row at a + r * aRow + i * aStep (tap k at
 * byte offset taps[k] from there) and its dy row at e + r * eRow + i * eStep.
 */
function sweep(dFilter: usize, K: i32, O: i32, taps: usize, a: usize, aRow: usize, aStep: usize, e: usize, eRow: usize,
  eStep: usize, rows: i32, count: i32): void {
  const rowBytes = <usize>O << 2, last = K - 1, zero = f32x4.splat(0);
  for (let k0 = 0; k0 < K; k0 += 4) {
    // Filter rows past K repeat row K - 1's taps (computed, never stored).
    const t0 = <usize>load<i32>(taps + (<usize>k0 << 2));
    const t1 = <usize>load<i32>(taps + (<usize>min(k0 + 1, last) << 2));
    const t2 = <usize>load<i32>(taps + (<usize>min(k0 + 2, last) << 2));
    const t3 = <usize>load<i32>(taps + (<usize>min(k0 + 3, last) << 2));
    const n = min(4, K - k0);
    for (let co = 0; co < O; co += 8) {
      // Fresh accumulators, added to dFilter at the end: one sum per call, not one chain over every image.
      let c00 = zero, c01 = zero, c10 = zero, c11 = zero, c20 = zero, c21 = zero, c30 = zero, c31 = zero;
      for (let r = 0; r < rows; r++) {
        let origin = a + <usize>r * aRow, dyAt = e + <usize>r * eRow + (<usize>co << 2);
        for (let i = 0; i < count; i++, origin += aStep, dyAt += eStep) {
          const e0 = v128.load(dyAt), e1 = v128.load(dyAt, 16);
          let sv = v128.load32_splat(origin + t0);
          c00 = madd(sv, e0, c00); c01 = madd(sv, e1, c01);
          sv = v128.load32_splat(origin + t1);
          c10 = madd(sv, e0, c10); c11 = madd(sv, e1, c11);
          sv = v128.load32_splat(origin + t2);
          c20 = madd(sv, e0, c20); c21 = madd(sv, e1, c21);
          sv = v128.load32_splat(origin + t3);
          c30 = madd(sv, e0, c30); c31 = madd(sv, e1, c31);
        }
      }
      const d = dFilter + (<usize>(k0 * O + co) << 2);
      add_pair(d, c00, c01);
      if (n > 1) add_pair(d + rowBytes, c10, c11);
      if (n > 2) add_pair(d + 2 * rowBytes, c20, c21);
      if (n > 3) add_pair(d + 3 * rowBytes, c30, c31);
    }
  }
}

// @ts-ignore: decorator
@inline function add_pair(d: usize, lo: v128, hi: v128): void {
  v128.store(d, f32x4.add(v128.load(d), lo));
  v128.store(d, f32x4.add(v128.load(d, 16), hi), 16);
}

/**
 * dFilter (=, or += with accumulate) = sum over output pixels of the pixel's im2col row (K)
 * times its dy row (O), for conv_small_filter_fits geometry, image by image (its dy stays in
 * L2): the pixels whose windows lie inside the image are swept in place through the tap table;
 * the others are lowered LOWERED at a time into `col` (with copies of their dy rows) and swept there.
 */
export function conv2d_backprop_filter_small(x: usize, dy: usize, dFilter: usize, accumulate: i32, g: usize, col: usize): void {
  const batch = geo(g, G_BATCH), H = geo(g, G_IN_H), W = geo(g, G_IN_W), C = geo(g, G_IN_C);
  const oh = geo(g, G_OUT_H), ow = geo(g, G_OUT_W), O = geo(g, G_OUT_C), fh = geo(g, G_FH), fw = geo(g, G_FW);
  const sh = geo(g, G_SH), sw = geo(g, G_SW), dh = geo(g, G_DH), dw = geo(g, G_DW), pt = geo(g, G_PAD_T), pl = geo(g, G_PAD_L);
  const K = fh * fw * C;
  if (!accumulate) memory.fill(dFilter, 0, <usize>(K * O) << 2);
  // Scratch: taps (window origin offsets), rowTaps (k * 4), LOWERED lowered rows and their dy rows.
  const taps = col, rowTaps = taps + (<usize>K << 2), lowered = rowTaps + (<usize>K << 2);
  const dyCopy = lowered + <usize>(LOWERED * K) * 4;
  tap_tables(g, taps, rowTaps);
  const oy0 = inside_first(pt, sh), oy1 = inside_end(H, (fh - 1) * dh + 1, pt, sh, oh);
  const ox0 = inside_first(pl, sw), ox1 = inside_end(W, (fw - 1) * dw + 1, pl, sw, ow);
  const pixelBytes = <usize>O << 2;
  for (let b = 0; b < batch; b++) {
    if (ox1 > ox0 && oy1 > oy0) {
      sweep(dFilter, K, O, taps,
        x + <usize>(((b * H + oy0 * sh - pt) * W + ox0 * sw - pl) * C) * 4, <usize>(sh * W * C) << 2, <usize>(sw * C) << 2,
        dy + <usize>((b * oh + oy0) * ow + ox0) * pixelBytes, <usize>ow * pixelBytes, pixelBytes, oy1 - oy0, ox1 - ox0);
    }
    // The pixels whose windows leave the image, LOWERED at a time.
    let pending = 0;
    let dyRow = dy + <usize>(b * oh * ow) * pixelBytes;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, dyRow += pixelBytes) {
        if (oy >= oy0 && oy < oy1 && ox >= ox0 && ox < ox1) continue;
        lower_pixel(x, g, b, oy, ox, lowered + <usize>(pending * K) * 4);
        memory.copy(dyCopy + <usize>pending * pixelBytes, dyRow, pixelBytes);
        if (++pending == LOWERED) { sweep(dFilter, K, O, rowTaps, lowered, 0, <usize>K << 2, dyCopy, 0, pixelBytes, 1, LOWERED); pending = 0; }
      }
    }
    if (pending > 0) sweep(dFilter, K, O, rowTaps, lowered, 0, <usize>K << 2, dyCopy, 0, pixelBytes, 1, pending);
  }
}
