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
 * (gemm-epilogue.ts epilogue_rows, the GEMM's own).
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

/** The im2col row of output pixel (b, oy, ox) into `row`: K floats, zeros outside the image. */
function lower_pixel(x: usize, g: usize, b: i32, oy: i32, ox: i32, row: usize): void {
  const H = geo(g, G_IN_H), W = geo(g, G_IN_W), C = geo(g, G_IN_C), fh = geo(g, G_FH), fw = geo(g, G_FW);
  const y0 = oy * geo(g, G_SH) - geo(g, G_PAD_T), x0 = ox * geo(g, G_SW) - geo(g, G_PAD_L);
  for (let fy = 0; fy < fh; fy++) {
    const iy = y0 + fy * geo(g, G_DH);
    for (let fx = 0; fx < fw; fx++) {
      const ix = x0 + fx * geo(g, G_DW);
      const inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
      const src = x + <usize>(((b * H + iy) * W + ix) * C) * 4;
      for (let c = 0; c < C; c++, row += 4) store<f32>(row, inside ? load<f32>(src + (<usize>c << 2)) : 0);
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
  let k = 0;
  for (let fy = 0; fy < fh; fy++) {
    for (let fx = 0; fx < fw; fx++) {
      for (let c = 0; c < C; c++, k++) {
        store<i32>(taps + (<usize>k << 2), ((fy * dh * W + fx * dw) * C + c) * 4);
        store<i32>(rowTaps + (<usize>k << 2), k * 4);
      }
    }
  }
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
