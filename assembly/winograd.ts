/**
 * Winograd F(2x2, 3x3) for 3x3 convolutions with stride 1 and dilation 1 (NHWC, HWIO), the
 * three kernels of conv.ts: forward, input gradient (a full convolution of dy with the flipped,
 * transposed filter) and filter gradient (its transpose, F(3x3, 2x2)).
 *
 * Method (Lavin & Gray 2015). The output is cut into 2x2 tiles; tile t reads the 4x4 input patch
 * d at (2ty - padTop, 2tx - padLeft), zeros outside the image. With the 1-D matrices
 *   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1],
 *   A^T = [1 1 1 0; 0 1 -1 -1],
 * the forward is y = A^T [(G g G^T) . (B^T d B)] A, which for each of the 16 points xi of the
 * transformed tile is a GEMM over channels: M_xi[tiles x O] = V_xi[tiles x C] . U_xi[C x O].
 * That is 16 multiplies per 4 outputs and channel pair where direct convolution spends 36
 * (2.25x fewer; 11x11 outputs pad to 12x12, so 1.9x on the MNIST CNN's conv2). The filter
 * gradient is the same bilinear form read the other way: dW = G^T [sum over tiles of
 * (A e A^T) . (B^T d B)] G with e the 2x2 tile of dy, so 16 GEMMs V_xi^T . E_xi that reduce
 * over tiles (long k, the GEMM's best shape) into 16 C x O sums.
 *
 * Memory. `scratch` (WINOGRAD_BYTES) holds the 16 transformed C x O filters (or filter
 * gradient sums) and one chunk of transformed tiles (V and M / E), so memory is bounded
 * whatever the batch; a layer qualifies when 16 * C * O floats fit UBYTES and a chunk holds
 * at least MIN_TILES tiles (winograd_fits). Channel counts must be multiples of 4: the tile
 * transforms run 4 channels per f32x4.
 *
 * Error. The transforms add and subtract up to 4x4 values and scale by 1/2 or 1/4 exactly, so
 * on unit-scale data the error grows by a small constant over direct summation (measured in
 * tests/backends/wasm/winograd.test.ts: relative error about 1e-6, bound 1e-5).
 */
import { gemm } from './gemm';
import { epilogue_rows } from './gemm-epilogue';
import { EPILOGUE_LINEAR, EPILOGUE_RELU } from './opcodes.generated';

/** Bytes of the transformed filters (or filter-gradient sums): C * O <= 8192. */
const UBYTES: i32 = 512 * 1024;
/** Bytes of one chunk of transformed tiles (V, and M or E). */
const CHUNK_BYTES: i32 = 512 * 1024;
/** Tiles per chunk at most: V and M of 96 tiles (C 32, O 64) take 576 KiB, about one L2. */
const MAX_TILES: i32 = 96;
const MIN_TILES: i32 = 16;
/** Bytes of scratch the Winograd kernels need. */
export const WINOGRAD_BYTES: i32 = UBYTES + CHUNK_BYTES;

/** Tiles per chunk for C input and O output channels; 0 when the layer does not qualify. */
export function winograd_chunk(C: i32, O: i32, tiles: i32): i32 {
  if ((C & 3) != 0 || (O & 3) != 0 || C == 0 || O == 0) return 0;
  if (<i64>C * O * 64 > <i64>UBYTES) return 0;
  const t = min(MAX_TILES, min(tiles, CHUNK_BYTES / (64 * (C + O))));
  return t >= MIN_TILES || t == tiles ? t : 0;
}

/**
 * U[xi][i][j] = (G g G^T)[xi] for the 3x3 filter g(fy, fx) = filter[fy][fx][i][j] (HWIO, Ci x Co),
 * or with `flip` the full-convolution filter filter[2-fy][2-fx][j][i] (the original is 3x3xCoxCi).
 */
function transform_filter(filter: usize, Ci: i32, Co: i32, flip: bool, u: usize): void {
  const plane = <usize>Ci * Co << 2;
  for (let i = 0; i < Ci; i++) {
    for (let j = 0; j < Co; j++) {
      const g00 = tap_at(filter, flip, 0, i, j, Ci, Co), g01 = tap_at(filter, flip, 1, i, j, Ci, Co);
      const g02 = tap_at(filter, flip, 2, i, j, Ci, Co), g10 = tap_at(filter, flip, 3, i, j, Ci, Co);
      const g11 = tap_at(filter, flip, 4, i, j, Ci, Co), g12 = tap_at(filter, flip, 5, i, j, Ci, Co);
      const g20 = tap_at(filter, flip, 6, i, j, Ci, Co), g21 = tap_at(filter, flip, 7, i, j, Ci, Co);
      const g22 = tap_at(filter, flip, 8, i, j, Ci, Co);
      const dst = u + ((<usize>i * Co + j) << 2);
      // Rows of G g (4 x 3), then each row times G^T (4 x 4).
      store_g_row(dst, plane, g00, g01, g02);
      store_g_row(dst + 4 * plane, plane, (g00 + g10 + g20) * 0.5, (g01 + g11 + g21) * 0.5, (g02 + g12 + g22) * 0.5);
      store_g_row(dst + 8 * plane, plane, (g00 - g10 + g20) * 0.5, (g01 - g11 + g21) * 0.5, (g02 - g12 + g22) * 0.5);
      store_g_row(dst + 12 * plane, plane, g20, g21, g22);
    }
  }
}

/** Tap `tap` (fy * 3 + fx) of the filter for channels (i, j); with flip, tap 8 - tap of the transposed filter. */
// @ts-ignore: decorator
@inline function tap_at(filter: usize, flip: bool, tap: i32, i: i32, j: i32, Ci: i32, Co: i32): f32 {
  const at = flip ? (<usize>(8 - tap) * Co + j) * Ci + i : (<usize>tap * Ci + i) * Co + j;
  return load<f32>(filter + (at << 2));
}

/** Stores (t0, (t0 + t1 + t2) / 2, (t0 - t1 + t2) / 2, t2), a row t times G^T, at dst + k * plane. */
// @ts-ignore: decorator
@inline function store_g_row(dst: usize, plane: usize, t0: f32, t1: f32, t2: f32): void {
  store<f32>(dst, t0);
  store<f32>(dst + plane, (t0 + t1 + t2) * 0.5);
  store<f32>(dst + 2 * plane, (t0 - t1 + t2) * 0.5);
  store<f32>(dst + 3 * plane, t2);
}

/**
 * V[xi][t][c] = (B^T d B)[xi] for tiles t0..t0+count of the tiling of (tilesH x tilesW) per
 * image over x ([batch, H, W, C]), the patch of tile (ty, tx) at (2ty - padT, 2tx - padL).
 */
function transform_input(x: usize, H: i32, W: i32, C: i32, tilesH: i32, tilesW: i32, padT: i32, padL: i32,
  t0: i32, count: i32, v: usize): void {
  const plane = <usize>count * C << 2;
  const cBytes = <usize>C << 2;
  const zero = f32x4.splat(0);
  let tx = t0 % tilesW, ty = (t0 / tilesW) % tilesH, b = t0 / (tilesW * tilesH);
  for (let t = 0; t < count; t++) {
    const iy0 = 2 * ty - padT, ix0 = 2 * tx - padL;
    const inside = iy0 >= 0 && iy0 + 4 <= H && ix0 >= 0 && ix0 + 4 <= W;
    const base = x + (<usize>((b * H + iy0) * W + ix0) * cBytes);
    const rowBytes = <usize>W * cBytes;
    const dst0 = v + <usize>t * cBytes;
    for (let c: usize = 0; c < cBytes; c += 16) {
      // d[r][s] for the 16 taps, then rows of B^T d, then columns of (B^T d) B.
      let d00 = zero, d01 = zero, d02 = zero, d03 = zero, d10 = zero, d11 = zero, d12 = zero, d13 = zero;
      let d20 = zero, d21 = zero, d22 = zero, d23 = zero, d30 = zero, d31 = zero, d32 = zero, d33 = zero;
      if (inside) {
        let p = base + c;
        d00 = v128.load(p); d01 = v128.load(p + cBytes); d02 = v128.load(p + 2 * cBytes); d03 = v128.load(p + 3 * cBytes);
        p += rowBytes;
        d10 = v128.load(p); d11 = v128.load(p + cBytes); d12 = v128.load(p + 2 * cBytes); d13 = v128.load(p + 3 * cBytes);
        p += rowBytes;
        d20 = v128.load(p); d21 = v128.load(p + cBytes); d22 = v128.load(p + 2 * cBytes); d23 = v128.load(p + 3 * cBytes);
        p += rowBytes;
        d30 = v128.load(p); d31 = v128.load(p + cBytes); d32 = v128.load(p + 2 * cBytes); d33 = v128.load(p + 3 * cBytes);
      } else {
        d00 = tap(x, H, W, cBytes, b, iy0, ix0, c); d01 = tap(x, H, W, cBytes, b, iy0, ix0 + 1, c);
        d02 = tap(x, H, W, cBytes, b, iy0, ix0 + 2, c); d03 = tap(x, H, W, cBytes, b, iy0, ix0 + 3, c);
        d10 = tap(x, H, W, cBytes, b, iy0 + 1, ix0, c); d11 = tap(x, H, W, cBytes, b, iy0 + 1, ix0 + 1, c);
        d12 = tap(x, H, W, cBytes, b, iy0 + 1, ix0 + 2, c); d13 = tap(x, H, W, cBytes, b, iy0 + 1, ix0 + 3, c);
        d20 = tap(x, H, W, cBytes, b, iy0 + 2, ix0, c); d21 = tap(x, H, W, cBytes, b, iy0 + 2, ix0 + 1, c);
        d22 = tap(x, H, W, cBytes, b, iy0 + 2, ix0 + 2, c); d23 = tap(x, H, W, cBytes, b, iy0 + 2, ix0 + 3, c);
        d30 = tap(x, H, W, cBytes, b, iy0 + 3, ix0, c); d31 = tap(x, H, W, cBytes, b, iy0 + 3, ix0 + 1, c);
        d32 = tap(x, H, W, cBytes, b, iy0 + 3, ix0 + 2, c); d33 = tap(x, H, W, cBytes, b, iy0 + 3, ix0 + 3, c);
      }
      // Rows of B^T d: (d0 - d2, d1 + d2, d2 - d1, d1 - d3), column by column.
      const a00 = f32x4.sub(d00, d20), a01 = f32x4.sub(d01, d21), a02 = f32x4.sub(d02, d22), a03 = f32x4.sub(d03, d23);
      const a10 = f32x4.add(d10, d20), a11 = f32x4.add(d11, d21), a12 = f32x4.add(d12, d22), a13 = f32x4.add(d13, d23);
      const a20 = f32x4.sub(d20, d10), a21 = f32x4.sub(d21, d11), a22 = f32x4.sub(d22, d12), a23 = f32x4.sub(d23, d13);
      const a30 = f32x4.sub(d10, d30), a31 = f32x4.sub(d11, d31), a32 = f32x4.sub(d12, d32), a33 = f32x4.sub(d13, d33);
      let dst = dst0 + c;
      store_row(dst, plane, a00, a01, a02, a03);
      dst += 4 * plane;
      store_row(dst, plane, a10, a11, a12, a13);
      dst += 4 * plane;
      store_row(dst, plane, a20, a21, a22, a23);
      dst += 4 * plane;
      store_row(dst, plane, a30, a31, a32, a33);
    }
    if (++tx == tilesW) { tx = 0; if (++ty == tilesH) { ty = 0; b++; } }
  }
}

/** x[b, iy, ix, c..c+4], or zeros outside the image. */
// @ts-ignore: decorator
@inline function tap(x: usize, H: i32, W: i32, cBytes: usize, b: i32, iy: i32, ix: i32, c: usize): v128 {
  if (iy < 0 || iy >= H || ix < 0 || ix >= W) return f32x4.splat(0);
  return v128.load(x + <usize>((b * H + iy) * W + ix) * cBytes + c);
}

/** Columns of (row) B: stores (r0 - r2, r1 + r2, r2 - r1, r1 - r3) at dst + k * plane. */
// @ts-ignore: decorator
@inline function store_row(dst: usize, plane: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  v128.store(dst, f32x4.sub(r0, r2));
  v128.store(dst + plane, f32x4.add(r1, r2));
  v128.store(dst + 2 * plane, f32x4.sub(r2, r1));
  v128.store(dst + 3 * plane, f32x4.sub(r1, r3));
}

/**
 * out = act(conv3x3(x, filter) + bias) by F(2x2, 3x3): x [batch, H, W, Ci], out [batch, oh, ow, Co];
 * with `flip`, filter is the 3x3xCoxCi filter of the convolution this one is the input gradient
 * of (flipped and transposed as it is read). `chunk` from winograd_chunk; `scratch` WINOGRAD_BYTES.
 */
export function winograd_conv(x: usize, batch: i32, H: i32, W: i32, Ci: i32, out: usize, oh: i32, ow: i32, Co: i32,
  padT: i32, padL: i32, filter: usize, flip: bool, bias: usize, act: i32, alpha: f32, chunk: i32, work: usize,
  scratch: usize): void {
  const u = scratch, v = scratch + UBYTES;
  transform_filter(filter, Ci, Co, flip, u);
  const tilesH = (oh + 1) >> 1, tilesW = (ow + 1) >> 1, tiles = batch * tilesH * tilesW;
  for (let t0 = 0; t0 < tiles; t0 += chunk) {
    const count = min(chunk, tiles - t0);
    const m = v + (<usize>(16 * count * Ci) << 2);
    transform_input(x, H, W, Ci, tilesH, tilesW, padT, padL, t0, count, v);
    gemm(v, u, m, count, Co, Ci, 0, 0, 0, EPILOGUE_LINEAR, 0, work, 0, 0, 0, 16, count * Ci, Ci * Co, count * Co, 0);
    transform_output(m, count, Co, t0, tilesH, tilesW, out, oh, ow, bias, act == EPILOGUE_RELU);
  }
  if (act != EPILOGUE_LINEAR && act != EPILOGUE_RELU) epilogue_rows(out, <usize>Co << 2, batch * oh * ow, Co, act, alpha);
}

/** out tiles t0..t0+count = A^T M A (+ bias, relu), the rows and columns past oh / ow dropped. */
function transform_output(m: usize, count: i32, Co: i32, t0: i32, tilesH: i32, tilesW: i32, out: usize, oh: i32,
  ow: i32, bias: usize, relu: bool): void {
  const plane = <usize>count * Co << 2;
  const oBytes = <usize>Co << 2;
  const zero = f32x4.splat(0);
  let tx = t0 % tilesW, ty = (t0 / tilesW) % tilesH, b = t0 / (tilesW * tilesH);
  for (let t = 0; t < count; t++) {
    const oy = 2 * ty, ox = 2 * tx;
    const right = ox + 1 < ow, down = oy + 1 < oh;
    const dst = out + <usize>((b * oh + oy) * ow + ox) * oBytes;
    const src0 = m + <usize>t * oBytes;
    for (let o: usize = 0; o < oBytes; o += 16) {
      // s = A^T M (2 x 4), then y = s A (2 x 2).
      let p = src0 + o;
      const m00 = v128.load(p), m01 = v128.load(p + plane), m02 = v128.load(p + 2 * plane), m03 = v128.load(p + 3 * plane);
      p += 4 * plane;
      const m10 = v128.load(p), m11 = v128.load(p + plane), m12 = v128.load(p + 2 * plane), m13 = v128.load(p + 3 * plane);
      p += 4 * plane;
      const m20 = v128.load(p), m21 = v128.load(p + plane), m22 = v128.load(p + 2 * plane), m23 = v128.load(p + 3 * plane);
      p += 4 * plane;
      const m30 = v128.load(p), m31 = v128.load(p + plane), m32 = v128.load(p + 2 * plane), m33 = v128.load(p + 3 * plane);
      const s00 = f32x4.add(f32x4.add(m00, m10), m20), s01 = f32x4.add(f32x4.add(m01, m11), m21);
      const s02 = f32x4.add(f32x4.add(m02, m12), m22), s03 = f32x4.add(f32x4.add(m03, m13), m23);
      const s10 = f32x4.sub(f32x4.sub(m10, m20), m30), s11 = f32x4.sub(f32x4.sub(m11, m21), m31);
      const s12 = f32x4.sub(f32x4.sub(m12, m22), m32), s13 = f32x4.sub(f32x4.sub(m13, m23), m33);
      const bv = bias ? v128.load(bias + o) : zero;
      let y00 = f32x4.add(f32x4.add(f32x4.add(s00, s01), s02), bv);
      let y01 = f32x4.add(f32x4.sub(f32x4.sub(s01, s02), s03), bv);
      let y10 = f32x4.add(f32x4.add(f32x4.add(s10, s11), s12), bv);
      let y11 = f32x4.add(f32x4.sub(f32x4.sub(s11, s12), s13), bv);
      if (relu) {
        y00 = f32x4.max(y00, zero); y01 = f32x4.max(y01, zero);
        y10 = f32x4.max(y10, zero); y11 = f32x4.max(y11, zero);
      }
      const q = dst + o;
      v128.store(q, y00);
      if (right) v128.store(q + oBytes, y01);
      if (down) {
        const q1 = q + <usize>ow * oBytes;
        v128.store(q1, y10);
        if (right) v128.store(q1 + oBytes, y11);
      }
    }
    if (++tx == tilesW) { tx = 0; if (++ty == tilesH) { ty = 0; b++; } }
  }
}

/**
 * dFilter (=, or += with accumulate) = the 3x3 filter gradient of x [batch, H, W, C] and
 * dy [batch, oh, ow, O] by F(3x3, 2x2): per chunk of 2x2 tiles of dy, S_xi += V_xi^T . E_xi,
 * then dFilter = G^T S G.
 */
export function winograd_filter_grad(x: usize, batch: i32, H: i32, W: i32, C: i32, dy: usize, oh: i32, ow: i32,
  O: i32, padT: i32, padL: i32, dFilter: usize, accumulate: bool, chunk: i32, work: usize, scratch: usize): void {
  const sums = scratch, v = scratch + UBYTES;
  const tilesH = (oh + 1) >> 1, tilesW = (ow + 1) >> 1, tiles = batch * tilesH * tilesW;
  for (let t0 = 0; t0 < tiles; t0 += chunk) {
    const count = min(chunk, tiles - t0);
    const e = v + (<usize>(16 * count * C) << 2);
    transform_input(x, H, W, C, tilesH, tilesW, padT, padL, t0, count, v);
    transform_dy(dy, O, oh, ow, tilesH, tilesW, t0, count, e);
    gemm(v, e, sums, C, O, count, 1, 0, 0, EPILOGUE_LINEAR, 0, work, 0, 0, 0, 16, count * C, count * O, C * O,
      t0 > 0 ? 1 : 0);
  }
  if (tiles == 0) memory.fill(sums, 0, <usize>(16 * C * O) << 2);
  // dFilter[fy][fx] = (G^T S G)[fy][fx], 4 output channels at a time.
  const plane = <usize>C * O << 2;
  const half = f32x4.splat(0.5);
  for (let at: usize = 0; at < plane; at += 16) {
    const p = sums + at;
    for (let fx = 0; fx < 3; fx++) {
      const a0 = sg(p, plane, fx, half), a1 = sg(p + 4 * plane, plane, fx, half);
      const a2 = sg(p + 8 * plane, plane, fx, half), a3 = sg(p + 12 * plane, plane, fx, half);
      // The rows of G^T: (a0 + (a1 + a2) / 2, (a1 - a2) / 2, (a1 + a2) / 2 + a3).
      const mid = f32x4.mul(f32x4.add(a1, a2), half);
      store_tap(dFilter + <usize>fx * plane + at, f32x4.add(a0, mid), accumulate);
      store_tap(dFilter + <usize>(3 + fx) * plane + at, f32x4.mul(f32x4.sub(a1, a2), half), accumulate);
      store_tap(dFilter + <usize>(6 + fx) * plane + at, f32x4.add(mid, a3), accumulate);
    }
  }
}

/** Column fx of one row of S G: the row is the 4 values at p + k * plane. */
// @ts-ignore: decorator
@inline function sg(p: usize, plane: usize, fx: i32, half: v128): v128 {
  const s1 = v128.load(p + plane), s2 = v128.load(p + 2 * plane);
  if (fx == 1) return f32x4.mul(f32x4.sub(s1, s2), half);
  const mid = f32x4.mul(f32x4.add(s1, s2), half);
  return fx == 0 ? f32x4.add(v128.load(p), mid) : f32x4.add(mid, v128.load(p + 3 * plane));
}

// @ts-ignore: decorator
@inline function store_tap(at: usize, value: v128, accumulate: bool): void {
  v128.store(at, accumulate ? f32x4.add(v128.load(at), value) : value);
}

/** E[xi][t][o] = (A e A^T)[xi] for the 2x2 tiles t0..t0+count of dy ([batch, oh, ow, O]), zeros past oh / ow. */
function transform_dy(dy: usize, O: i32, oh: i32, ow: i32, tilesH: i32, tilesW: i32, t0: i32, count: i32,
  e: usize): void {
  const plane = <usize>count * O << 2;
  const oBytes = <usize>O << 2;
  const zero = f32x4.splat(0);
  let tx = t0 % tilesW, ty = (t0 / tilesW) % tilesH, b = t0 / (tilesW * tilesH);
  for (let t = 0; t < count; t++) {
    const oy = 2 * ty, ox = 2 * tx;
    const right = ox + 1 < ow, down = oy + 1 < oh;
    const src = dy + <usize>((b * oh + oy) * ow + ox) * oBytes;
    const below = src + <usize>ow * oBytes;
    const dst0 = e + <usize>t * oBytes;
    for (let o: usize = 0; o < oBytes; o += 16) {
      const e00 = v128.load(src + o);
      const e01 = right ? v128.load(src + oBytes + o) : zero;
      const e10 = down ? v128.load(below + o) : zero;
      const e11 = right && down ? v128.load(below + oBytes + o) : zero;
      // Rows of A e: (e0, e0 + e1, e0 - e1, -e1); then the same on each row's two columns.
      let dst = dst0 + o;
      store_a_row(dst, plane, e00, e01);
      dst += 4 * plane;
      store_a_row(dst, plane, f32x4.add(e00, e10), f32x4.add(e01, e11));
      dst += 4 * plane;
      store_a_row(dst, plane, f32x4.sub(e00, e10), f32x4.sub(e01, e11));
      dst += 4 * plane;
      store_a_row(dst, plane, f32x4.neg(e10), f32x4.neg(e11));
    }
    if (++tx == tilesW) { tx = 0; if (++ty == tilesH) { ty = 0; b++; } }
  }
}

/** Stores (p, p + q, p - q, -q) at dst + k * plane. */
// @ts-ignore: decorator
@inline function store_a_row(dst: usize, plane: usize, p: v128, q: v128): void {
  v128.store(dst, p);
  v128.store(dst + plane, f32x4.add(p, q));
  v128.store(dst + 2 * plane, f32x4.sub(p, q));
  v128.store(dst + 3 * plane, f32x4.neg(q));
}

/**
 * True when the n floats at p are all finite (v - v is 0, not NaN). The transforms mix the
 * 16 values of a patch, so an Inf or NaN would reach all 4 outputs of its tile where direct
 * convolution leaves those outside its window finite; conv.ts takes im2col for such inputs.
 */
export function all_finite(p: usize, n: i32): bool {
  let a0 = f32x4.splat(0), a1 = a0;
  const end = p + (<usize>n << 2);
  const pairEnd = p + (<usize>(n & ~7) << 2);
  for (; p < pairEnd; p += 32) {
    const u = v128.load(p), w = v128.load(p, 16);
    a0 = f32x4.add(a0, f32x4.sub(u, u));
    a1 = f32x4.add(a1, f32x4.sub(w, w));
  }
  let s: f32 = 0;
  for (; p < end; p += 4) { const v = load<f32>(p); s += v - v; }
  const acc = f32x4.add(f32x4.add(a0, a1), f32x4.splat(s));
  return v128.all_true<i32>(f32x4.eq(acc, acc));
}
