/**
 * Winograd F(4x4, 3x3) for 3x3 convolutions with stride 1 and dilation 1 (NHWC, HWIO), the
 * three kernels of conv.ts: forward, input gradient (a full convolution of dy with the flipped,
 * transposed filter) and filter gradient (the same bilinear form read the other way).
 *
 * Method (Lavin & Gray 2015). The output is cut into 4x4 tiles; tile (ty, tx) reads the 6x6
 * input patch d at (4ty - padTop, 4tx - padLeft), zeros outside the image (winograd-tiling.ts
 * lays the batch out, per image or as a mosaic whose tiles straddle images). With the 1-D
 * matrices of interpolation points 0, 1, -1, 2, -2, infinity
 *   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1],
 *   G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1],
 *   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1],
 * the forward is y = A^T [(G g G^T) . (B^T d B)] A: for each of the 36 points xi of the
 * transformed tile one GEMM over channels, M_xi[tiles x O] = V_xi[tiles x C] . U_xi[C x O],
 * 36 multiplies per 16 outputs and channel pair where direct convolution spends 144 (4x fewer;
 * the MNIST CNN's 11x11 conv2 output pads to 12x12: 3.4x). The filter gradient is
 * dW = G^T [sum over tiles of (A e A^T) . (B^T d B)] G with e the 4x4 tile of dy: 36 GEMMs
 * V_xi^T . E_xi reducing over tiles (a long k, the GEMM's best shape) into 36 C x O sums.
 * Measured (MNIST conv2 at batch 64, plain SIMD, one core, CPU ms, forward / input gradient /
 * filter gradient): im2col 6.37 / 6.89 / 6.55, F(2x2, 3x3) with per-image tiles (this file's
 * first version, 16 GEMMs) 4.60 / 5.81 / 4.17, this 3.39 / 3.74 / 2.97 (84 / 76 / 96 GFLOP/s
 * counted as direct convolution's 0.285 GFLOP), interleaved in one process on a shared machine
 * (node bench/conv-kernels.mjs --wasm OTHER_BUILD gives the same A/B).
 *
 * Memory. `scratch` (WINOGRAD_BYTES) holds the 36 transformed C x O filters (or filter-gradient
 * sums), one chunk of transformed tiles (V, and M or E), a 6x6 vector tile and one tile's
 * offsets; memory stays bounded whatever the batch. A layer qualifies (winograd_chunk) when
 * C * O <= 4096 and both are multiples of 4 (the transforms run 4 channels per f32x4). Chunks
 * of at most 60 tiles keep the GEMM on its unpacked path (m <= 64: U_xi is read in place, 8 KiB
 * in L1) and fill its 5- and 6-row register tiles; measured on conv2's three kernels (CPU time,
 * loaded machine), chunks of 20, 30 and 60 tiles ran within 3% of each other, 56 (a 1-row
 * tail) 20% slower.
 *
 * Error. The transforms scale by up to 8 and 1/24, so the error grows over direct summation's:
 * max |error| / max |output| on the MNIST conv2 against float64 about 3e-6 forward, 6e-6 input
 * gradient, 2.5e-6 filter gradient, where im2col gives 6e-7 (tests/backends/wasm-winograd.test.ts,
 * bound 1e-5). Inf and NaN would spread across a tile: conv.ts checks the operands first.
 */
import { gemm } from './gemm';
import { epilogue_rows } from './gemm-epilogue';
import { EPILOGUE_LINEAR, EPILOGUE_RELU } from './opcodes.generated';
import { NONE, plan, tile_offsets } from './winograd-tiling';

/** Bytes of the transformed filters (or filter-gradient sums): 36 * C * O floats, C * O <= 4096. */
const UBYTES: i32 = 36 * 4096 * 4;
/** Bytes of one chunk of transformed tiles (V, and M or E). */
const CHUNK_BYTES: i32 = 832 * 1024;
/** Bytes of the 6x6 tile of vectors the transforms pass through, then a tile's 36 input and 16 output offsets. */
const TILE_BYTES: i32 = 36 * 16 + 52 * 4;
const INPUT_OFFSETS: usize = 36 * 16;
const OUTPUT_OFFSETS: usize = INPUT_OFFSETS + 36 * 4;

const MAX_TILES: i32 = 60;
/** Bytes of scratch the Winograd kernels need. */
export const WINOGRAD_BYTES: i32 = UBYTES + CHUNK_BYTES + TILE_BYTES;

/** Tiles per chunk for C input and O output channels over rows x cols outputs; 0 when the layer does not qualify. */
export function winograd_chunk(C: i32, O: i32, batch: i32, rows: i32, cols: i32): i32 {
  if ((C & 3) != 0 || (O & 3) != 0 || C == 0 || O == 0 || C > 4096 || O > 4096 || C * O > 4096) return 0;
  const tiles = batch * ((rows + 3) >> 2) * ((cols + 3) >> 2);
  // A multiple of 30 when the bytes bind, so the GEMM's 5- and 6-row tiles have no ragged tail.
  const fit = CHUNK_BYTES / (144 * (C + O));
  return min(MAX_TILES, min(tiles, fit >= 30 ? fit - fit % 30 : fit));
}

/**
 * U[xi][i][j] = (G g G^T)[xi] for the 3x3 filter g(fy, fx) = filter[fy][fx][i][j] (HWIO, Ci x Co),
 * or with `flip` the full-convolution filter filter[2-fy][2-fx][j][i] (the original is 3x3xCoxCi).
 * Four channels at a time: 4 j (contiguous in both filter and U) or, with flip, 4 i (contiguous
 * in the filter, Co apart in U). `tmp` is TILE_BYTES.
 */
function transform_filter(filter: usize, Ci: i32, Co: i32, flip: bool, u: usize, tmp: usize): void {
  const plane = <usize>Ci * Co << 2;
  const outer = flip ? Co : Ci, inner = flip ? Ci : Co;
  // Tap k of channels (i, j) is at first + k * tapStep: HWIO, or flipped (tap 8 - k) and transposed
  // (a step of -plane, as address arithmetic wraps).
  const tapStep: usize = flip ? <usize>0 - plane : plane;
  for (let a = 0; a < outer; a++) {
    for (let b = 0; b < inner; b += 4) {
      const i = flip ? b : a, j = flip ? a : b;
      const first = filter + ((flip ? (<usize>8 * Co + j) * Ci + i : <usize>i * Co + j) << 2);
      // Columns of G g into tmp (6 x 3 vectors), then each row times G^T.
      for (let fx = 0; fx < 3; fx++) {
        const at = first + <usize>fx * tapStep;
        g6(tmp + (<usize>fx << 4), 48, v128.load(at), v128.load(at + 3 * tapStep), v128.load(at + 6 * tapStep));
      }
      const row6 = tmp + 6 * 48;
      for (let r = 0; r < 6; r++) {
        const row = tmp + <usize>r * 48;
        g6(row6, 16, v128.load(row), v128.load(row, 16), v128.load(row, 32));
        const dst = u + <usize>(6 * r) * plane + ((<usize>i * Co + j) << 2);
        for (let k = 0; k < 6; k++) {
          const value = v128.load(row6 + (<usize>k << 4)), at = dst + <usize>k * plane;
          if (!flip) { v128.store(at, value); continue; }
          const step = <usize>Co << 2;
          v128.store32_lane(at, value, 0);
          v128.store32_lane(at + step, value, 1);
          v128.store32_lane(at + 2 * step, value, 2);
          v128.store32_lane(at + 3 * step, value, 3);
        }
      }
    }
  }
}

/** G (a, b, c), stored at dst + k * step, k < 6. */
function g6(dst: usize, step: usize, a: v128, b: v128, c: v128): void {
  const p = f32x4.add(a, c), minusSixth = f32x4.splat(-1.0 / 6);
  const q = f32x4.add(f32x4.mul(a, f32x4.splat(1.0 / 24)), f32x4.mul(c, f32x4.splat(1.0 / 6)));
  const w = f32x4.mul(b, f32x4.splat(1.0 / 12));
  v128.store(dst, f32x4.mul(a, f32x4.splat(0.25)));
  v128.store(dst + step, f32x4.mul(f32x4.add(p, b), minusSixth));
  v128.store(dst + 2 * step, f32x4.mul(f32x4.sub(p, b), minusSixth));
  v128.store(dst + 3 * step, f32x4.add(q, w));
  v128.store(dst + 4 * step, f32x4.sub(q, w));
  v128.store(dst + 5 * step, c);
}

/** B^T (d0..d5), stored at dst + k * step. */
// @ts-ignore: decorator
@inline function bt6(dst: usize, step: usize, d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128): void {
  const four = f32x4.splat(4), five = f32x4.splat(5), two = f32x4.splat(2);
  const p = f32x4.sub(d4, f32x4.mul(four, d2)), q = f32x4.sub(d3, f32x4.mul(four, d1));
  const r = f32x4.sub(d4, d2), s = f32x4.mul(two, f32x4.sub(d3, d1));
  v128.store(dst, f32x4.add(f32x4.sub(f32x4.mul(four, d0), f32x4.mul(five, d2)), d4));
  v128.store(dst + step, f32x4.add(p, q));
  v128.store(dst + 2 * step, f32x4.sub(p, q));
  v128.store(dst + 3 * step, f32x4.add(r, s));
  v128.store(dst + 4 * step, f32x4.sub(r, s));
  v128.store(dst + 5 * step, f32x4.add(f32x4.sub(f32x4.mul(four, d1), f32x4.mul(five, d3)), d5));
}

/** The vector at base + (offset k of the table at tbl) + c, zeros for NONE. */
// @ts-ignore: decorator
@inline function tap_load(base: usize, tbl: usize, k: i32, c: usize): v128 {
  const off = load<u32>(tbl + (<usize>k << 2));
  return off != NONE ? v128.load(base + off + c) : f32x4.splat(0);
}

/**
 * V[xi][t][c] = (B^T d B)[xi] for tiles t0..t0+count of the plan over x ([batch, H, W, C]);
 * `tmp` is TILE_BYTES.
 */
function transform_input(x: usize, H: i32, W: i32, C: i32, padT: i32, padL: i32, t0: i32, count: i32, v: usize,
  tmp: usize): void {
  const plane = <usize>count * C << 2;
  const cBytes = <usize>C << 2;
  const tbl = tmp + INPUT_OFFSETS;
  for (let t = 0; t < count; t++) {
    tile_offsets(t0 + t, H, W, C, padT, padL, false, tbl);
    const dst0 = v + <usize>t * cBytes;
    for (let c: usize = 0; c < cBytes; c += 16) {
      // Columns of B^T d into tmp (6 x 6 vectors), then rows of (B^T d) B into V.
      for (let s = 0; s < 6; s++) {
        bt6(tmp + (<usize>s << 4), 96, tap_load(x, tbl, s, c), tap_load(x, tbl, 6 + s, c), tap_load(x, tbl, 12 + s, c),
          tap_load(x, tbl, 18 + s, c), tap_load(x, tbl, 24 + s, c), tap_load(x, tbl, 30 + s, c));
      }
      for (let r = 0; r < 6; r++) {
        const row = tmp + <usize>r * 96;
        bt6(dst0 + c + <usize>(6 * r) * plane, plane, v128.load(row), v128.load(row, 16), v128.load(row, 32),
          v128.load(row, 48), v128.load(row, 64), v128.load(row, 80));
      }
    }
  }
}

/**
 * out = act(conv3x3(x, filter) + bias) by F(4x4, 3x3): x [batch, H, W, Ci], out [batch, oh, ow, Co];
 * with `flip`, filter is the 3x3xCoxCi filter of the convolution this one is the input gradient
 * of (flipped and transposed as it is read). `chunk` from winograd_chunk; `scratch` WINOGRAD_BYTES.
 */
export function winograd_conv(x: usize, batch: i32, H: i32, W: i32, Ci: i32, out: usize, oh: i32, ow: i32, Co: i32,
  padT: i32, padL: i32, filter: usize, flip: bool, bias: usize, act: i32, alpha: f32, chunk: i32, work: usize,
  scratch: usize): void {
  const u = scratch, v = scratch + UBYTES, tmp = v + CHUNK_BYTES;
  transform_filter(filter, Ci, Co, flip, u, tmp);
  const tiles = plan(batch, H, W, oh, ow, padT, padL);
  for (let t0 = 0; t0 < tiles; t0 += chunk) {
    const count = min(chunk, tiles - t0);
    const m = v + (<usize>(36 * count * Ci) << 2);
    transform_input(x, H, W, Ci, padT, padL, t0, count, v, tmp);
    gemm(v, u, m, count, Co, Ci, 0, 0, 0, EPILOGUE_LINEAR, 0, work, 0, 0, 0, 36, count * Ci, Ci * Co, count * Co, 0);
    transform_output(m, count, Co, t0, out, oh, ow, bias, act == EPILOGUE_RELU, tmp);
  }
  if (act != EPILOGUE_LINEAR && act != EPILOGUE_RELU) epilogue_rows(out, <usize>Co << 2, batch * oh * ow, Co, act, alpha);
}

/** A^T (m0..m5), stored at dst + k * step, k < 4. */
// @ts-ignore: decorator
@inline function at4(dst: usize, step: usize, m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128): void {
  const a = f32x4.add(m1, m2), b = f32x4.sub(m1, m2), c = f32x4.add(m3, m4), d = f32x4.sub(m3, m4);
  v128.store(dst, f32x4.add(f32x4.add(m0, a), c));
  v128.store(dst + step, f32x4.add(b, f32x4.mul(f32x4.splat(2), d)));
  v128.store(dst + 2 * step, f32x4.add(a, f32x4.mul(f32x4.splat(4), c)));
  v128.store(dst + 3 * step, f32x4.add(f32x4.add(b, f32x4.mul(f32x4.splat(8), d)), m5));
}

/** out tiles t0..t0+count = A^T M A (+ bias, relu), the rows and columns past oh / ow dropped. */
function transform_output(m: usize, count: i32, Co: i32, t0: i32, out: usize, oh: i32, ow: i32, bias: usize,
  relu: bool, tmp: usize): void {
  const plane = <usize>count * Co << 2;
  const oBytes = <usize>Co << 2;
  const zero = f32x4.splat(0);
  const tbl = tmp + OUTPUT_OFFSETS;
  for (let t = 0; t < count; t++) {
    tile_offsets(t0 + t, oh, ow, Co, 0, 0, true, tbl);
    const src0 = m + <usize>t * oBytes;
    for (let o: usize = 0; o < oBytes; o += 16) {
      // Columns of A^T M into tmp (4 x 6 vectors), then rows of (A^T M) A to the output.
      const p = src0 + o;
      for (let k = 0; k < 6; k++) {
        const q = p + <usize>k * plane;
        at4(tmp + (<usize>k << 4), 96, v128.load(q), v128.load(q + 6 * plane), v128.load(q + 12 * plane),
          v128.load(q + 18 * plane), v128.load(q + 24 * plane), v128.load(q + 30 * plane));
      }
      const bv = bias ? v128.load(bias + o) : zero;
      const two = f32x4.splat(2), four = f32x4.splat(4), eight = f32x4.splat(8);
      for (let i = 0; i < 4; i++) {
        // Row i of (A^T M) A: the 4 outputs of at4, added to the bias, relu'd, stored while in range.
        const row = tmp + <usize>i * 96;
        const m0 = v128.load(row), m1 = v128.load(row, 16), m2 = v128.load(row, 32), m3 = v128.load(row, 48);
        const m4 = v128.load(row, 64), m5 = v128.load(row, 80);
        const a = f32x4.add(m1, m2), d1 = f32x4.sub(m1, m2), c = f32x4.add(m3, m4), d = f32x4.sub(m3, m4);
        let y0 = f32x4.add(f32x4.add(f32x4.add(m0, a), c), bv);
        let y1 = f32x4.add(f32x4.add(d1, f32x4.mul(two, d)), bv);
        let y2 = f32x4.add(f32x4.add(a, f32x4.mul(four, c)), bv);
        let y3 = f32x4.add(f32x4.add(f32x4.add(d1, f32x4.mul(eight, d)), m5), bv);
        if (relu) {
          y0 = f32x4.max(y0, zero); y1 = f32x4.max(y1, zero); y2 = f32x4.max(y2, zero); y3 = f32x4.max(y3, zero);
        }
        const row4 = tbl + (<usize>i << 4);
        store_at(out + o, row4, 0, y0);
        store_at(out + o, row4, 1, y1);
        store_at(out + o, row4, 2, y2);
        store_at(out + o, row4, 3, y3);
      }
    }
  }
}

/** Stores value at base + offset j of the table at tbl, unless NONE. */
// @ts-ignore: decorator
@inline function store_at(base: usize, tbl: usize, j: i32, value: v128): void {
  const off = load<u32>(tbl + (<usize>j << 2));
  if (off != NONE) v128.store(base + off, value);
}

/**
 * dFilter (=, or += with accumulate) = the 3x3 filter gradient of x [batch, H, W, C] and
 * dy [batch, oh, ow, O] by F(4x4, 3x3) read backwards: per chunk of 4x4 tiles of dy,
 * S_xi += V_xi^T . E_xi, then dFilter = G^T S G.
 */
export function winograd_filter_grad(x: usize, batch: i32, H: i32, W: i32, C: i32, dy: usize, oh: i32, ow: i32,
  O: i32, padT: i32, padL: i32, dFilter: usize, accumulate: bool, chunk: i32, work: usize, scratch: usize): void {
  const sums = scratch, v = scratch + UBYTES, tmp = v + CHUNK_BYTES;
  const tiles = plan(batch, H, W, oh, ow, padT, padL);
  const plane = <usize>C * O << 2;
  if (tiles == 0) memory.fill(sums, 0, 36 * plane);
  for (let t0 = 0; t0 < tiles; t0 += chunk) {
    const count = min(chunk, tiles - t0);
    const e = v + (<usize>(36 * count * C) << 2);
    transform_input(x, H, W, C, padT, padL, t0, count, v, tmp);
    transform_dy(dy, O, oh, ow, t0, count, e, tmp);
    gemm(v, e, sums, C, O, count, 1, 0, 0, EPILOGUE_LINEAR, 0, work, 0, 0, 0, 36, count * C, count * O, C * O,
      t0 > 0 ? 1 : 0);
  }
  // dFilter = G^T S G, 4 output channels at a time: columns of G^T S into tmp (3 x 6), then rows.
  for (let at: usize = 0; at < plane; at += 16) {
    for (let k = 0; k < 6; k++) {
      const q = sums + at + <usize>k * plane;
      gt3(tmp + (<usize>k << 4), 96, v128.load(q), v128.load(q + 6 * plane), v128.load(q + 12 * plane),
        v128.load(q + 18 * plane), v128.load(q + 24 * plane), v128.load(q + 30 * plane));
    }
    const y = tmp + 3 * 96;
    for (let fy = 0; fy < 3; fy++) {
      const row = tmp + <usize>fy * 96;
      gt3(y, 16, v128.load(row), v128.load(row, 16), v128.load(row, 32), v128.load(row, 48), v128.load(row, 64),
        v128.load(row, 80));
      for (let fx = 0; fx < 3; fx++) {
        const dst = dFilter + <usize>(fy * 3 + fx) * plane + at;
        const value = v128.load(y + (<usize>fx << 4));
        v128.store(dst, accumulate ? f32x4.add(v128.load(dst), value) : value);
      }
    }
  }
}

/** G^T (s0..s5), stored at dst + k * step, k < 3. */
function gt3(dst: usize, step: usize, s0: v128, s1: v128, s2: v128, s3: v128, s4: v128, s5: v128): void {
  const a = f32x4.add(s1, s2), b = f32x4.sub(s1, s2), c = f32x4.add(s3, s4), d = f32x4.sub(s3, s4);
  const sixth = f32x4.splat(1.0 / 6);
  const aSixth = f32x4.mul(a, sixth);
  v128.store(dst, f32x4.add(f32x4.sub(f32x4.mul(s0, f32x4.splat(0.25)), aSixth), f32x4.mul(c, f32x4.splat(1.0 / 24))));
  v128.store(dst + step, f32x4.sub(f32x4.mul(d, f32x4.splat(1.0 / 12)), f32x4.mul(b, sixth)));
  v128.store(dst + 2 * step, f32x4.add(f32x4.sub(f32x4.mul(c, sixth), aSixth), s5));
}

/** A (w0..w3), stored at dst + k * step, k < 6. */
// @ts-ignore: decorator
@inline function a6(dst: usize, step: usize, w0: v128, w1: v128, w2: v128, w3: v128): void {
  const a = f32x4.add(w0, w2), b = f32x4.add(w1, w3);
  const c = f32x4.add(w0, f32x4.mul(f32x4.splat(4), w2));
  const d = f32x4.add(f32x4.mul(f32x4.splat(2), w1), f32x4.mul(f32x4.splat(8), w3));
  v128.store(dst, w0);
  v128.store(dst + step, f32x4.add(a, b));
  v128.store(dst + 2 * step, f32x4.sub(a, b));
  v128.store(dst + 3 * step, f32x4.add(c, d));
  v128.store(dst + 4 * step, f32x4.sub(c, d));
  v128.store(dst + 5 * step, w3);
}

/** E[xi][t][o] = (A e A^T)[xi] for the 4x4 tiles t0..t0+count of dy ([batch, oh, ow, O]), zeros past its edges. */
function transform_dy(dy: usize, O: i32, oh: i32, ow: i32, t0: i32, count: i32, e: usize, tmp: usize): void {
  const plane = <usize>count * O << 2;
  const oBytes = <usize>O << 2;
  const tbl = tmp + OUTPUT_OFFSETS;
  for (let t = 0; t < count; t++) {
    tile_offsets(t0 + t, oh, ow, O, 0, 0, true, tbl);
    const dst0 = e + <usize>t * oBytes;
    for (let o: usize = 0; o < oBytes; o += 16) {
      // Columns of A e into tmp (6 x 4 vectors), then rows of (A e) A^T into E.
      for (let s = 0; s < 4; s++) {
        a6(tmp + (<usize>s << 4), 96, tap_load(dy, tbl, s, o), tap_load(dy, tbl, 4 + s, o), tap_load(dy, tbl, 8 + s, o),
          tap_load(dy, tbl, 12 + s, o));
      }
      for (let r = 0; r < 6; r++) {
        const row = tmp + <usize>r * 96;
        a6(dst0 + o + <usize>(6 * r) * plane, plane, v128.load(row), v128.load(row, 16), v128.load(row, 32),
          v128.load(row, 48));
      }
    }
  }
}

/**
 * True when the n floats at p are all finite (v - v is 0, not NaN). The transforms mix the
 * 36 values of a patch, so an Inf or NaN would reach all 16 outputs of its tile where direct
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
