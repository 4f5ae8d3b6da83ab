/**
 * GEMM: C (m x n, row-major) = act([C +] op(A) . op(B) [+ bias row]), float32, single
 * thread, for each of `batch` products (see `gemm` below for the batch strides).
 *
 * Layout. A is m x k row-major, or k x m when transA; B is k x n, or n x k when transB.
 * Rows are lda / ldb / ldc elements apart (0: contiguous, the row length), so the operands
 * can be blocks of larger matrices; a, b and c may start at any 4-byte address (wasm SIMD
 * loads and stores need no alignment). Pointers are byte offsets into the imported memory,
 * counts are elements; `bias` and `work` are 0 / a scratch area of gemm_workspace_bytes()
 * bytes (16-byte aligned).
 *
 * Method (BLIS-style). The work is cut into blocks: NC columns of C, KC steps of k, MC rows.
 * In a block, B may be packed into 8-column panels (kc x 8, zero-padded past n) and A into
 * MR-row panels (kc x MR, interleaved); the packing routines absorb the transposes, so every
 * combination of transA/transB runs the same MR x 8 register-tile micro-kernels (generated:
 * see scripts/gen-gemm.mjs). MR is 5 in the plain-SIMD build (mul + add: 10 accumulators
 * fit V8's 15 xmm registers) and 6 in the relaxed build (fused multiply-add needs no
 * temporary, so 12 accumulators fit).
 *
 * Paths by shape (choose_packing). Packing costs a pass over the operand, which small shapes
 * never win back. B is packed when transposed (its 8 columns would be strided rows) or when
 * m > 64; otherwise the kernel reads 8-float slices of B's rows in place. A is packed when
 * m > 64 and n is wide enough to reuse its panels (n > 32 for A^T, whose in-place reads step
 * 4m bytes per k; n > 128 for row-major A); otherwise the kernel reads A's rows in place
 * (the `_r` kernels, one pointer per row) or A^T's rows (`_c`, stride 4m). So the MLP shapes
 * 32x784.784x64 run with no packing at all, 1024^3 with both operands packed. Measured
 * (process CPU time, dev machine): ~34 GFLOP/s plain SIMD, ~45 relaxed, on every path.
 *
 * Workspace: a packed A block (MC x KC), a packed B block (KC x NC), a scratch tile and two
 * 8-float rows: 632 KiB, independent of the shapes, one per thread.
 *
 * Tails. Rows past m: kernels exist for every mr = 1..MR, so nothing is padded. Columns past
 * n: the last panel of B is zero-padded, its tile goes through a small scratch tile, and
 * only the n % 8 valid columns are copied out; B and bias are never read past their ends.
 *
 * Epilogue. The first k block starts its accumulators from the bias row (or zeros), later
 * blocks from the partial C; the last block applies ReLU with f32x4.max (NaN propagates),
 * so bias and ReLU cost nothing extra. relu6 on a whole 8-column tile is two clamps a row in
 * place (relu6_tile). The other activations (EPILOGUE_* codes: relu6 on edge tiles, sigmoid,
 * tanh, elu, leakyRelu with slope alpha) run over each finished mr x nr tile right
 * after its last k block, while it is in L1, with math.ts's vector functions (the unary
 * kernels' accuracy). accumulate: C plus the bias (one pass over C first) is where the first
 * k block starts. k == 0 gives C = act([C +] bias or 0).
 */

import { MR, gemm_kernel_c, gemm_kernel_r } from './gemm.generated';
import { epilogue_rows, fill_bias_rows } from './gemm-epilogue';
import { EPILOGUE_LINEAR, EPILOGUE_RELU, EPILOGUE_RELU6 } from './opcodes.generated';

const NR: i32 = 8;
/** The largest MR of any build: the scratch tile is sized for it, so both builds agree on the workspace. */
const MAX_MR: i32 = 6;
/** Steps of k per block: a packed B panel (KC x 8 floats, 8 KiB) stays in L1. */
const KC: i32 = 256;
/** Rows of A per block (a multiple of both 5 and 6); packed, 120 KiB, in L2. */
const MC: i32 = 120;
/** Columns of B per packed block (a multiple of NR): 512 KiB. */
const NC: i32 = 512;

const PACK_A_OFFSET: usize = 0;
const PACK_B_OFFSET: usize = PACK_A_OFFSET + <usize>(MC * KC * 4);
const TILE_OFFSET: usize = PACK_B_OFFSET + <usize>(KC * NC * 4);
const ZEROS_OFFSET: usize = TILE_OFFSET + <usize>(MAX_MR * NR * 4);
const BIAS_EDGE_OFFSET: usize = ZEROS_OFFSET + 32;
const WORK_BYTES: usize = BIAS_EDGE_OFFSET + 32;

/** Bytes of scratch `gemm` needs in `work`: the packing buffers and a tile. */
export function gemm_workspace_bytes(): i32 {
  return <i32>WORK_BYTES;
}

/**
 * The kernel-contract GEMM (src/backends/backend.ts GemmParams): for t < batch,
 * C_t = act([C_t +] op(A_t) . op(B_t) + bias), A_t at a + t * strideA elements (B, C alike;
 * a stride of 0 repeats the operand), act an EPILOGUE_* code with leakyRelu's slope alpha.
 * lda / ldb / ldc 0 mean contiguous. accumulate != 0 reads C first.
 */
export function gemm(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32, transA: i32,
  transB: i32, bias: usize, act: i32, alpha: f32, work: usize, lda: i32, ldb: i32, ldc: i32,
  batch: i32, strideA: i32, strideB: i32, strideC: i32, accumulate: i32): void {
  const ldA = lda ? lda : transA ? m : k, ldB = ldb ? ldb : transB ? k : n, ldC = ldc ? ldc : n;
  const stepA = <usize>strideA << 2, stepB = <usize>strideB << 2, stepC = <usize>strideC << 2;
  for (let t = 0; t < batch; t++) {
    gemm_with_packing(a, b, c, m, n, k, transA, transB, bias, act, alpha, accumulate, work, -1, ldA, ldB, ldC);
    a += stepA;
    b += stepB;
    c += stepC;
  }
}

/**
 * Which operands to pack, as a bit set: 1 = A, 2 = B. Packing costs one pass over the
 * operand and pays back only when the panels are reused enough: B panels by more than ~64
 * rows of A; A panels by enough columns of B, and sooner for A^T, whose in-place reads step
 * 4m bytes per k. A transposed B is always packed (its 8 columns are strided rows).
 * Thresholds from bench/gemm.mjs-style A/B runs on the dev machine (Xeon, V8 11.3), where
 * the unpacked paths win by 2-10% below them and lose up to 35% above.
 */
function choose_packing(m: i32, n: i32, k: i32, transA: i32, transB: i32): i32 {
  let packing = 0;
  if (transB || m > 64) packing |= 2;
  if (m > 64 && n > (transA ? 32 : 128)) packing |= 1;
  return packing;
}

/**
 * gemm with the packing decision forced: packing 0 = none, 1 = A, 2 = B, 3 = both, -1 = by
 * shape (a transposed B is packed whatever is asked). Exported from this file for A/B runs
 * and path-by-path tests of the raw module; assembly/index.ts does not re-export it.
 */
export function gemm_with_packing(a: usize, b: usize, c: usize, m: i32, n: i32, k: i32,
  transA: i32, transB: i32, bias: usize, act: i32, alpha: f32, accumulate: i32, work: usize, packing: i32,
  lda: i32, ldb: i32, ldc: i32): void {
  if (m <= 0 || n <= 0) return;
  const aStride = <usize>lda << 2; // bytes between rows of the stored A, B and C
  const bStride = <usize>ldb << 2;
  const cStride = <usize>ldc << 2;
  if (k <= 0) {
    fill_bias_rows(c, cStride, m, n, bias, accumulate);
    if (act != EPILOGUE_LINEAR) epilogue_rows(c, cStride, m, n, act, alpha);
    return;
  }
  // The micro-kernels apply relu in registers; the other activations run over each finished
  // tile while it is in L1 (epilogue_rows). With accumulate, C (plus the bias, added first
  // in one pass) is where the first k block starts.
  const relu = act == EPILOGUE_RELU ? 1 : 0;
  const post = act != EPILOGUE_LINEAR && act != EPILOGUE_RELU;
  // relu6 on a whole 8-column tile: two clamps a row here, not a call of epilogue_rows' generic loop.
  const relu6 = act == EPILOGUE_RELU6;
  if (accumulate && bias) {
    fill_bias_rows(c, cStride, m, n, bias, 1);
    bias = 0;
  }
  if (packing < 0) packing = choose_packing(m, n, k, transA, transB);
  const packA = (packing & 1) != 0;
  const packB = (packing & 2) != 0 || transB != 0;

  const bufA = work + PACK_A_OFFSET;
  const bufB = work + PACK_B_OFFSET;
  const tile = work + TILE_OFFSET;
  const zeros = work + ZEROS_OFFSET;
  v128.store(zeros, f32x4.splat(0));
  v128.store(zeros, f32x4.splat(0), 16);
  const nFull = n & ~(NR - 1);
  const nEdge = n - nFull;
  const biasEdge = work + BIAS_EDGE_OFFSET;
  if (nEdge && bias) {
    for (let j = 0; j < NR; j++) {
      store<f32>(biasEdge + (<usize>j << 2), j < nEdge ? load<f32>(bias + (<usize>(nFull + j) << 2)) : 0);
    }
  }

  const ncBlock = packB ? NC : n;
  for (let jc = 0; jc < n; jc += ncBlock) {
    const nc = min(ncBlock, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const first = pc == 0 && !accumulate;
      const last = pc + kc == k;
      const reluNow = last ? relu : 0;
      if (packB) pack_b(b, transB, bStride, jc, nc, pc, kc, bufB);
      else if (nEdge && jc + nc == n) pack_b(b, 0, bStride, nFull, nEdge, pc, kc, bufB);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        if (packA) pack_a(a, transA, aStride, ic, mc, pc, kc, bufA);
        for (let jr = 0; jr < nc; jr += NR) {
          const j = jc + jr;
          const nr = min(NR, nc - jr);
          let panel: usize, bStep: usize;
          if (packB) { panel = bufB + (<usize>jr * kc << 2); bStep = NR << 2; }
          else if (nr == NR) { panel = b + <usize>pc * bStride + (<usize>j << 2); bStep = bStride; }
          else { panel = bufB; bStep = NR << 2; }
          for (let ir = 0; ir < mc; ir += MR) {
            const i = ic + ir;
            const mr = min(MR, mc - ir);
            const cTile = c + <usize>i * cStride + (<usize>j << 2);
            let dst = cTile, dstStride = cStride, init: usize, initStep: usize;
            if (nr == NR) {
              if (first) { init = bias ? bias + (<usize>j << 2) : zeros; initStep = 0; }
              else { init = cTile; initStep = cStride; }
            } else {
              dst = tile; dstStride = NR << 2;
              if (first) { init = bias ? biasEdge : zeros; initStep = 0; }
              else { copy_tile(tile, NR << 2, cTile, cStride, mr, nr); init = tile; initStep = NR << 2; }
            }
            if (packA) {
              gemm_kernel_c(mr, kc, bufA + (<usize>ir * kc << 2), MR << 2, panel, bStep,
                dst, dstStride, init, initStep, reluNow);
            } else if (transA) {
              gemm_kernel_c(mr, kc, a + <usize>pc * aStride + (<usize>i << 2), aStride, panel, bStep,
                dst, dstStride, init, initStep, reluNow);
            } else {
              gemm_kernel_r(mr, kc, a + <usize>i * aStride + (<usize>pc << 2), aStride, 4, panel, bStep,
                dst, dstStride, init, initStep, reluNow);
            }
            if (nr != NR) copy_tile(cTile, cStride, tile, NR << 2, mr, nr);
            if (post && last) {
              if (relu6 && nr == NR) relu6_tile(cTile, cStride, mr);
              else epilogue_rows(cTile, cStride, mr, nr, act, alpha);
            }
          }
        }
      }
    }
  }
}

/** min(max(C, 0), 6) over rows x 8 floats (rows cStride bytes apart), as epilogue_rows computes relu6 (NaN stays). */
// @ts-ignore: decorator
@inline function relu6_tile(c: usize, cStride: usize, rows: i32): void {
  const zero = f32x4.splat(0), six = f32x4.splat(6);
  for (let i = 0; i < rows; i++, c += cStride) {
    v128.store(c, f32x4.min(f32x4.max(v128.load(c), zero), six));
    v128.store(c, f32x4.min(f32x4.max(v128.load(c, 16), zero), six), 16);
  }
}

/** rows x cols floats from src to dst, strides in bytes. */
// @ts-ignore: decorator
@inline function copy_tile(dst: usize, dstStride: usize, src: usize, srcStride: usize, rows: i32, cols: i32): void {
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>j << 2)));
    dst += dstStride;
    src += srcStride;
  }
}

/**
 * Packs rows ic..ic+mc, steps pc..pc+kc of op(A) into MR-row panels: panel r (rows
 * ic+r*MR..) holds kc groups of MR floats (A(i, p) for its rows), at dst + r*MR*kc*4.
 * Rows past mc in the last panel are left unwritten; the mr-row kernel never reads them.
 * Rows of the stored A are aStride bytes apart.
 */
function pack_a(a: usize, transA: i32, aStride: usize, ic: i32, mc: i32, pc: i32, kc: i32, dst: usize): void {
  const step = <usize>MR << 2;
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = min(MR, mc - ir);
    const panel = dst + (<usize>ir * kc << 2);
    if (transA) {
      // A(i, p) = a[p*lda + i]: each step of k is MR consecutive floats.
      let src = a + <usize>pc * aStride + (<usize>(ic + ir) << 2);
      const srcStride = aStride;
      let d = panel;
      if (mr == MR) {
        for (let p = 0; p < kc; p++) {
          v128.store(d, v128.load(src));
          if (MR == 6) store<u64>(d, load<u64>(src, 16), 16);
          else store<f32>(d, load<f32>(src, 16), 16);
          src += srcStride;
          d += step;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let i = 0; i < mr; i++) store<f32>(d + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
          src += srcStride;
          d += step;
        }
      }
    } else {
      // A(i, p) = a[i*lda + p]: MR rows read 4 steps at a time, transposed in registers.
      const rowStride = aStride;
      const src = a + <usize>(ic + ir) * aStride + (<usize>pc << 2);
      let p = 0;
      if (mr == MR) {
        for (; p + 4 <= kc; p += 4) {
          const s = src + (<usize>p << 2);
          const d = panel + <usize>p * step;
          const r0 = v128.load(s), r1 = v128.load(s + rowStride);
          const r2 = v128.load(s + 2 * rowStride), r3 = v128.load(s + 3 * rowStride);
          const r4 = v128.load(s + 4 * rowStride);
          const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
          const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
          const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
          const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
          v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
          v128.store(d + step, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
          v128.store(d + 2 * step, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
          v128.store(d + 3 * step, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
          if (MR == 6) {
            const r5 = v128.load(s + 5 * rowStride);
            const u = v128.shuffle<f32>(r4, r5, 0, 4, 1, 5);
            const v = v128.shuffle<f32>(r4, r5, 2, 6, 3, 7);
            v128.store64_lane(d, u, 0, 16);
            v128.store64_lane(d + step, u, 1, 16);
            v128.store64_lane(d + 2 * step, v, 0, 16);
            v128.store64_lane(d + 3 * step, v, 1, 16);
          } else {
            v128.store32_lane(d, r4, 0, 16);
            v128.store32_lane(d + step, r4, 1, 16);
            v128.store32_lane(d + 2 * step, r4, 2, 16);
            v128.store32_lane(d + 3 * step, r4, 3, 16);
          }
        }
      }
      for (let i = 0; i < mr; i++) {
        let s = src + <usize>i * rowStride + (<usize>p << 2);
        let d = panel + <usize>p * step + (<usize>i << 2);
        for (let q = p; q < kc; q++) {
          store<f32>(d, load<f32>(s));
          s += 4;
          d += step;
        }
      }
    }
  }
}

/**
 * Packs columns j0..j0+nc, steps pc..pc+kc of op(B) into 8-column panels: panel r holds kc
 * rows of 8 floats (B(p, j0+8r..j0+8r+8), zero past nc) at dst + r*8*kc*4. Rows of the
 * stored B are bStride bytes apart.
 */
function pack_b(b: usize, transB: i32, bStride: usize, j0: i32, nc: i32, pc: i32, kc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    let d = dst + (<usize>jr * kc << 2);
    if (!transB) {
      let src = b + <usize>pc * bStride + (<usize>(j0 + jr) << 2);
      const srcStride = bStride;
      if (nr == NR) {
        for (let p = 0; p < kc; p++) {
          v128.store(d, v128.load(src));
          v128.store(d, v128.load(src, 16), 16);
          src += srcStride;
          d += 32;
        }
      } else {
        for (let p = 0; p < kc; p++) {
          for (let j = 0; j < NR; j++) store<f32>(d + (<usize>j << 2), j < nr ? load<f32>(src + (<usize>j << 2)) : 0);
          src += srcStride;
          d += 32;
        }
      }
    } else {
      // B(p, j) = b[j*ldb + p]: each output row gathers one float from 8 source rows.
      const rowStride = bStride;
      const src = b + <usize>(j0 + jr) * bStride + (<usize>pc << 2);
      let p = 0;
      if (nr == NR) {
        // 4 steps of k at a time: two 4x4 transposes of v128 loads.
        for (; p + 4 <= kc; p += 4) {
          const s = src + (<usize>p << 2);
          transpose_store(d, v128.load(s), v128.load(s + rowStride), v128.load(s + 2 * rowStride),
            v128.load(s + 3 * rowStride));
          const s4 = s + 4 * rowStride;
          transpose_store(d + 16, v128.load(s4), v128.load(s4 + rowStride), v128.load(s4 + 2 * rowStride),
            v128.load(s4 + 3 * rowStride));
          d += 4 * 32;
        }
      }
      for (; p < kc; p++) {
        const s = src + (<usize>p << 2);
        for (let j = 0; j < NR; j++) store<f32>(d + (<usize>j << 2), j < nr ? load<f32>(s + <usize>j * rowStride) : 0);
        d += 32;
      }
    }
  }
}

/** Stores the transpose of rows r0..r3 (4 floats each) as 4 floats at d, d+32, d+64, d+96. */
// @ts-ignore: decorator
@inline function transpose_store(d: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(d, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(d, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7), 32);
  v128.store(d, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), 64);
  v128.store(d, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7), 96);
}
