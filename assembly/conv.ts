/**
 * conv2d and its two gradients (src/backends/kernel-params.ts Conv2DParams and backprops):
 * NHWC images, HWIO filters, geometry in 16 i32 words at `g` (conv-geometry.ts).
 *
 * Method. The P = batch * outHeight * outWidth output pixels are rows of a GEMM with
 * K = filterHeight * filterWidth * inChannels columns (im2col). Rows are lowered in tiles of
 * T = COL_BYTES / (4K) pixels into `col`, a reused scratch of COL_BYTES, so memory stays
 * bounded whatever the batch; each tile feeds gemm.ts's micro-kernels:
 *  - forward: out[tile] = act(col . filter + bias) (the epilogue of gemm);
 *  - filter gradient: dFilter += col^T . dy[tile] (gemm with transA, accumulating over tiles);
 *  - input gradient: col = dy[tile] . filter^T, then col2im adds col back into dx.
 * A 1x1 filter with stride 1 and no padding is the GEMM itself, no lowering. A filter so large
 * that one im2col row does not fit (K > COL_BYTES / 4) runs one GEMM per pixel and tap.
 * A 3x3 filter with stride 1 and dilation 1 whose channel counts are multiples of 4 with
 * C * O <= 4096 takes winograd.ts (F(4x4, 3x3): 36 GEMMs over channels, 4x fewer multiplies)
 * for all three kernels, unless an operand holds an Inf or NaN (winograd_tiles).
 * Scratch (`col`, conv_workspace_bytes): 1.38 MiB, the largest of the im2col tile (256 KiB)
 * and Winograd's buffers (36 transformed C x O filters, 576 KiB at most; a chunk of at most
 * 60 transformed tiles, 832 KiB; a 6x6 tile of vectors). The MNIST CNN at batch 64 uses 256
 * KiB of it in conv1 (im2col, below) and 288 + 810 KiB in conv2 (Winograd, chunks of 60 tiles).
 * MNIST CNN at batch 64: [64,28,28,1] * 3x3x1x32 has K = 9 (P = 43264 in 6 tiles of 7281 rows);
 * [64,13,13,32] * 3x3x32x64 (K = 288) went through 35 tiles of 227 rows before Winograd took it.
 * A filter row wholly inside the image is one copy of fw * C consecutive floats.
 *
 * Measured (bench/conv-kernels.mjs, AMD EPYC, one core, CPU time): the forward of those two
 * layers at about 14 and 42-46 GFLOP/s; tiles of 64 KiB or 1 MiB measured the same as 256 KiB
 * within noise; an implicit GEMM (one GEMM per image and tap over x's pixels in place, the
 * bench's A/B row) measured 5 and 34, as the short k of one tap (C) rereads the output per tap.
 */
import { gemm } from './gemm';
import { conv2d_backprop_filter_small, conv2d_small, conv_small_filter_fits, conv_small_fits } from './conv-small';
import { geo, G_BATCH, G_DH, G_DW, G_FH, G_FW, G_IN_C, G_IN_H, G_IN_W, G_OUT_C, G_OUT_H, G_OUT_W, G_PAD_L, G_PAD_T, G_SH, G_SW } from './conv-geometry';
import { EPILOGUE_LINEAR } from './opcodes.generated';
import { WINOGRAD_BYTES, all_finite, winograd_chunk, winograd_conv, winograd_filter_grad } from './winograd';

/** Bytes of the im2col scratch: 256 KiB, an L2-resident tile. */
const COL_BYTES: i32 = 256 * 1024;

/** Bytes of scratch the conv kernels need in `col`: the im2col tile or Winograd's buffers. */
export function conv_workspace_bytes(): i32 {
  return max(COL_BYTES, WINOGRAD_BYTES);
}

/**
 * Tiles per chunk when a convolution producing rows x cols pixels from Ci to Co channels takes
 * winograd.ts's F(4x4, 3x3) path (3x3 filter, stride 1, dilation 1, channels that fit, and its
 * two operands, aSize and bSize floats at a and b, free of Inf and NaN), else 0.
 */
function winograd_tiles(g: usize, rows: i32, cols: i32, Ci: i32, Co: i32, a: usize, aSize: i32, b: usize,
  bSize: i32): i32 {
  if (geo(g, G_FH) != 3 || geo(g, G_FW) != 3 || geo(g, G_SH) != 1 || geo(g, G_SW) != 1 ||
    geo(g, G_DH) != 1 || geo(g, G_DW) != 1) return 0;
  const chunk = winograd_chunk(Ci, Co, geo(g, G_BATCH), rows, cols);
  return chunk && all_finite(a, aSize) && all_finite(b, bSize) ? chunk : 0;
}

/** conv2d by winograd.ts when winograd_tiles takes it; false (nothing written) otherwise. */
function winograd_forward(x: usize, filter: usize, out: usize, bias: usize, act: i32, alpha: f32, g: usize, work: usize,
  col: usize): bool {
  const H = geo(g, G_IN_H), W = geo(g, G_IN_W), C = geo(g, G_IN_C), oh = geo(g, G_OUT_H), ow = geo(g, G_OUT_W);
  const O = geo(g, G_OUT_C);
  const chunk = winograd_tiles(g, oh, ow, C, O, x, geo(g, G_BATCH) * H * W * C, filter, 9 * C * O);
  if (chunk) winograd_conv(x, geo(g, G_BATCH), H, W, C, out, oh, ow, O, geo(g, G_PAD_T), geo(g, G_PAD_L), filter,
    false, bias, act, alpha, chunk, work, col);
  return chunk != 0;
}

/** The input gradient by winograd.ts: a full convolution of dy with the flipped filter, padding 2 - pad. */
function winograd_input_grad(dy: usize, filter: usize, dx: usize, g: usize, work: usize, col: usize): bool {
  const H = geo(g, G_IN_H), W = geo(g, G_IN_W), C = geo(g, G_IN_C), oh = geo(g, G_OUT_H), ow = geo(g, G_OUT_W);
  const O = geo(g, G_OUT_C);
  const chunk = winograd_tiles(g, H, W, O, C, dy, geo(g, G_BATCH) * oh * ow * O, filter, 9 * C * O);
  if (chunk) winograd_conv(dy, geo(g, G_BATCH), oh, ow, O, dx, H, W, C, 2 - geo(g, G_PAD_T), 2 - geo(g, G_PAD_L),
    filter, true, 0, EPILOGUE_LINEAR, 0, chunk, work, col);
  return chunk != 0;
}

/** The filter gradient by winograd.ts (=, or += with accumulate). */
function winograd_filter_gradient(x: usize, dy: usize, dFilter: usize, accumulate: i32, g: usize, work: usize,
  col: usize): bool {
  const H = geo(g, G_IN_H), W = geo(g, G_IN_W), C = geo(g, G_IN_C), oh = geo(g, G_OUT_H), ow = geo(g, G_OUT_W);
  const O = geo(g, G_OUT_C);
  const chunk = winograd_tiles(g, oh, ow, C, O, x, geo(g, G_BATCH) * H * W * C, dy, geo(g, G_BATCH) * oh * ow * O);
  if (chunk) winograd_filter_grad(x, geo(g, G_BATCH), H, W, C, dy, oh, ow, O, geo(g, G_PAD_T), geo(g, G_PAD_L),
    dFilter, accumulate != 0, chunk, work, col);
  return chunk != 0;
}

/** True when the convolution is a plain GEMM over pixels: 1x1 filter, stride 1, no padding. */
function is_pointwise(g: usize): bool {
  return geo(g, G_FH) == 1 && geo(g, G_FW) == 1 && geo(g, G_SH) == 1 && geo(g, G_SW) == 1 &&
    geo(g, G_PAD_T) == 0 && geo(g, G_PAD_L) == 0 && geo(g, G_OUT_H) == geo(g, G_IN_H) && geo(g, G_OUT_W) == geo(g, G_IN_W);
}

/**
 * Lowers output pixels r0..r0+rows (flat over batch, rows, columns) into `col`, one row of
 * K = fh * fw * C floats per pixel; taps outside the image are zeros. With `back`, does the
 * reverse (col2im): adds each row's in-image taps into x.
 */
function im2col(x: usize, g: usize, r0: i32, rows: i32, col: usize, back: bool): void {
  const H = geo(g, G_IN_H), W = geo(g, G_IN_W), C = geo(g, G_IN_C), oh = geo(g, G_OUT_H), ow = geo(g, G_OUT_W);
  const fh = geo(g, G_FH), fw = geo(g, G_FW), sh = geo(g, G_SH), sw = geo(g, G_SW);
  const dh = geo(g, G_DH), dw = geo(g, G_DW), pt = geo(g, G_PAD_T), pl = geo(g, G_PAD_L);
  const cBytes = <usize>C << 2;
  let ox = r0 % ow, oy = (r0 / ow) % oh, b = r0 / (ow * oh);
  let dst = col;
  for (let i = 0; i < rows; i++) {
    for (let fy = 0; fy < fh; fy++) {
      const iy = oy * sh - pt + fy * dh;
      if (iy < 0 || iy >= H) {
        if (!back) memory.fill(dst, 0, cBytes * fw);
        dst += cBytes * fw;
        continue;
      }
      const rowBase = x + <usize>(b * H + iy) * W * cBytes;
      const ix0 = ox * sw - pl;
      if (dw == 1 && ix0 >= 0 && ix0 + fw <= W) {
        // The whole filter row lies inside: fw * C consecutive floats of x.
        const src = rowBase + <usize>ix0 * cBytes;
        const n = C * fw;
        if (back) add_into(src, dst, n);
        else if (n < 8) for (let c: usize = 0; c < (<usize>n << 2); c += 4) store<f32>(dst + c, load<f32>(src + c));
        else memory.copy(dst, src, <usize>n << 2);
        dst += cBytes * fw;
        continue;
      }
      for (let fx = 0; fx < fw; fx++) {
        const ix = ox * sw - pl + fx * dw;
        if (ix < 0 || ix >= W) {
          if (!back) memory.fill(dst, 0, cBytes);
        } else {
          const src = rowBase + <usize>ix * cBytes;
          if (back) add_into(src, dst, C);
          else if (C < 8) for (let c: usize = 0; c < cBytes; c += 4) store<f32>(dst + c, load<f32>(src + c));
          else memory.copy(dst, src, cBytes);
        }
        dst += cBytes;
      }
    }
    if (++ox == ow) { ox = 0; if (++oy == oh) { oy = 0; b++; } }
  }
}

/** dst[0..n) += src[0..n). */
export function add_into(dst: usize, src: usize, n: i32): void {
  const end = dst + (<usize>n << 2);
  const vEnd = dst + (<usize>(n & ~3) << 2);
  for (; dst < vEnd; dst += 16, src += 16) v128.store(dst, f32x4.add(v128.load(dst), v128.load(src)));
  for (; dst < end; dst += 4, src += 4) store<f32>(dst, load<f32>(dst) + load<f32>(src));
}

/** Pixels per im2col tile for K columns; 0 when one row does not fit. */
function tile_rows(K: i32, P: i32): i32 {
  return min(P, COL_BYTES / (K << 2));
}

/**
 * For each output pixel r and filter tap inside the image, calls one GEMM: `kind` 0 (forward)
 * out[r] += x[pixel] . filter[tap]; 1 (input gradient) dx[pixel] += dy[r] . filter[tap]^T;
 * 2 (filter gradient) dFilter[tap] += x[pixel]^T . dy[r]. The path for filters too large to lower.
 */
function per_tap(kind: i32, x: usize, f: usize, y: usize, g: usize, work: usize): void {
  const H = geo(g, G_IN_H), W = geo(g, G_IN_W), C = geo(g, G_IN_C), oh = geo(g, G_OUT_H), ow = geo(g, G_OUT_W);
  const O = geo(g, G_OUT_C), fh = geo(g, G_FH), fw = geo(g, G_FW);
  let r = 0;
  for (let b = 0; b < geo(g, G_BATCH); b++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, r++) {
        const yRow = y + (<usize>r * O << 2);
        for (let fy = 0; fy < fh; fy++) {
          const iy = oy * geo(g, G_SH) - geo(g, G_PAD_T) + fy * geo(g, G_DH);
          if (iy < 0 || iy >= H) continue;
          for (let fx = 0; fx < fw; fx++) {
            const ix = ox * geo(g, G_SW) - geo(g, G_PAD_L) + fx * geo(g, G_DW);
            if (ix < 0 || ix >= W) continue;
            const px = x + (<usize>((b * H + iy) * W + ix) * C << 2);
            const tap = f + (<usize>(fy * fw + fx) * C * O << 2);
            if (kind == 0) gemm(px, tap, yRow, 1, O, C, 0, 0, 0, EPILOGUE_LINEAR, 0, work, 0, 0, 0, 1, 0, 0, 0, 1);
            else if (kind == 1) gemm(yRow, tap, px, 1, C, O, 0, 1, 0, EPILOGUE_LINEAR, 0, work, 0, 0, 0, 1, 0, 0, 0, 1);
            else gemm(px, yRow, tap, C, O, 1, 1, 0, 0, EPILOGUE_LINEAR, 0, work, 0, 0, 0, 1, 0, 0, 0, 1);
          }
        }
      }
    }
  }
}

/** out = act(conv(x, filter) + bias); `work` is gemm's workspace, `col` COL_BYTES of scratch. */
export function conv2d(x: usize, filter: usize, out: usize, bias: usize, act: i32, alpha: f32, g: usize,
  work: usize, col: usize): void {
  if (conv_small_fits(g, COL_BYTES)) { conv2d_small(x, filter, out, bias, act, alpha, g, col); return; }
  const P = geo(g, G_BATCH) * geo(g, G_OUT_H) * geo(g, G_OUT_W), O = geo(g, G_OUT_C);
  const K = geo(g, G_FH) * geo(g, G_FW) * geo(g, G_IN_C);
  if (P == 0 || O == 0) return;
  if (K == 0 || is_pointwise(g)) {
    gemm(x, filter, out, P, O, K, 0, 0, bias, act, alpha, work, 0, 0, 0, 1, 0, 0, 0, 0);
    return;
  }
  if (winograd_forward(x, filter, out, bias, act, alpha, g, work, col)) return;
  const T = tile_rows(K, P);
  if (T == 0) {
    memory.fill(out, 0, <usize>P * O << 2);
    per_tap(0, x, filter, out, g, work);
    gemm(x, filter, out, P, O, 0, 0, 0, bias, act, alpha, work, 0, 0, 0, 1, 0, 0, 0, 1);
    return;
  }
  for (let r0 = 0; r0 < P; r0 += T) {
    const rows = min(T, P - r0);
    im2col(x, g, r0, rows, col, false);
    gemm(col, filter, out + (<usize>r0 * O << 2), rows, O, K, 0, 0, bias, act, alpha, work, 0, 0, 0, 1, 0, 0, 0, 0);
  }
}

/** dx = the input gradient (written whole). */
export function conv2d_backprop_input(dy: usize, filter: usize, dx: usize, g: usize, work: usize, col: usize): void {
  const P = geo(g, G_BATCH) * geo(g, G_OUT_H) * geo(g, G_OUT_W), O = geo(g, G_OUT_C), C = geo(g, G_IN_C);
  const K = geo(g, G_FH) * geo(g, G_FW) * C;
  // Winograd writes every pixel of dx; the other paths add into zeros.
  if (P > 0 && winograd_input_grad(dy, filter, dx, g, work, col)) return;
  memory.fill(dx, 0, <usize>geo(g, G_BATCH) * geo(g, G_IN_H) * geo(g, G_IN_W) * C << 2);
  if (P == 0 || K == 0) return;
  if (is_pointwise(g)) {
    gemm(dy, filter, dx, P, C, O, 0, 1, 0, EPILOGUE_LINEAR, 0, work, 0, 0, 0, 1, 0, 0, 0, 0);
    return;
  }
  const T = tile_rows(K, P);
  if (T == 0) { per_tap(1, dx, filter, dy, g, work); return; }
  for (let r0 = 0; r0 < P; r0 += T) {
    const rows = min(T, P - r0);
    gemm(dy + (<usize>r0 * O << 2), filter, col, rows, K, O, 0, 1, 0, EPILOGUE_LINEAR, 0, work, 0, 0, 0, 1, 0, 0, 0, 0);
    im2col(dx, g, r0, rows, col, true);
  }
}

/** dFilter (=, or += with accumulate) the filter gradient. */
export function conv2d_backprop_filter(x: usize, dy: usize, dFilter: usize, accumulate: i32, g: usize, work: usize,
  col: usize): void {
  if (conv_small_filter_fits(g, COL_BYTES)) { conv2d_backprop_filter_small(x, dy, dFilter, accumulate, g, col); return; }
  const P = geo(g, G_BATCH) * geo(g, G_OUT_H) * geo(g, G_OUT_W), O = geo(g, G_OUT_C), C = geo(g, G_IN_C);
  const K = geo(g, G_FH) * geo(g, G_FW) * C;
  if (!accumulate) memory.fill(dFilter, 0, <usize>K * O << 2);
  if (P == 0 || K == 0 || O == 0) return;
  if (is_pointwise(g)) {
    gemm(x, dy, dFilter, C, O, P, 1, 0, 0, EPILOGUE_LINEAR, 0, work, 0, 0, 0, 1, 0, 0, 0, 1);
    return;
  }
  if (winograd_filter_gradient(x, dy, dFilter, accumulate, g, work, col)) return;
  const T = tile_rows(K, P);
  if (T == 0) { per_tap(2, x, dFilter, dy, g, work); return; }
  for (let r0 = 0; r0 < P; r0 += T) {
    const rows = min(T, P - r0);
    im2col(x, g, r0, rows, col, false);
    gemm(col, dy + (<usize>r0 * O << 2), dFilter, K, O, rows, 1, 0, 0, EPILOGUE_LINEAR, 0, work, 0, 0, 0, 1, 0, 0, 0, 1);
  }
}
