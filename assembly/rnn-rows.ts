/**
 * The recurrent kernels' row helpers (assembly/rnn.ts holds the kernels): the activations a row
 * at a time, the derivatives, the common LSTM backward row, row copies, the mask test, U's
 * packing and the per-step product over it.
 */
import { MR, gemm_kernel_r } from './gemm.generated';
import { TANH_SMALL, expv, tanhSmallv } from './math';

// Cell and activation codes (src/backends/wasm/recurrent.ts holds the same numbers).
export const CELL_SIMPLE: i32 = 0;
export const CELL_LSTM: i32 = 1;
export const ACT_TANH: i32 = 0;
export const ACT_SIGMOID: i32 = 1;
export const ACT_HARD_SIGMOID: i32 = 2;
export const ACT_RELU: i32 = 3;

/**
 * dst = f(src + add) over n floats (whole vectors: n rounds up to a multiple of 4), f the
 * activation (tanh, sigmoid, hardSigmoid clip(0.2 v + 0.5, 0, 1), relu with NaN -> 0 as the
 * reference, linear); `add` advances addStep bytes a vector (0: one vector for all; NEG_ZERO
 * adds nothing, as x + -0 = x for every x). The choice is made once per row, not per vector,
 * and the hot tanh and sigmoid loops hold their math in line.
 */
export function act_rows(code: i32, dst: usize, src: usize, add: usize, addStep: usize, n: i32): void {
  const end = <usize>(n + 3 & ~3) << 2, zero = v128.load(ZERO_ONE), one = v128.load(ZERO_ONE, 16);
  if (code <= ACT_SIGMOID) {
    // One exponential each: e = e^-|v| (sigmoid, as math.ts's sigmoidv) or e^-2|v| (tanh
    // above TANH_SMALL, (1 - e) / (1 + e) with v's sign; math.ts's polynomial below it).
    if (code == ACT_TANH) {
      for (let o: usize = 0; o < end; o += 16) {
        const v = f32x4.add(v128.load(src + o), v128.load(add)), av = f32x4.abs(v);
        const e = expv(f32x4.neg(f32x4.add(av, av))), d = f32x4.add(one, e);
        const big = v128.or(f32x4.div(f32x4.sub(one, e), d), v128.and(v, f32x4.splat(-0.0)));
        v128.store(dst + o, v128.bitselect(big, tanhSmallv(v), f32x4.ge(av, f32x4.splat(TANH_SMALL))));
        add += addStep;
      }
    } else {
      for (let o: usize = 0; o < end; o += 16) {
        const v = f32x4.add(v128.load(src + o), v128.load(add)), e = expv(f32x4.neg(f32x4.abs(v)));
        v128.store(dst + o, f32x4.div(v128.bitselect(one, e, f32x4.ge(v, zero)), f32x4.add(one, e)));
        add += addStep;
      }
    }
    return;
  }
  for (let o: usize = 0; o < end; o += 16) {
    let v = f32x4.add(v128.load(src + o), v128.load(add));
    if (code == ACT_HARD_SIGMOID) v = f32x4.min(f32x4.max(f32x4.add(f32x4.mul(v, f32x4.splat(0.2)), f32x4.splat(0.5)), zero), one);
    else if (code == ACT_RELU) v = v128.and(v, f32x4.gt(v, zero));
    v128.store(dst + o, v);
    add += addStep;
  }
}

/** The derivative from the output y: tanh 1 - y^2, sigmoid y - y^2, hardSigmoid 0.2 inside (0, 1), relu 1 above 0, linear 1. */
// @ts-ignore: decorator
@inline export function derivative(code: i32, y: v128): v128 {
  const one = v128.load(ZERO_ONE, 16);
  if (code <= ACT_SIGMOID) return f32x4.sub(code == ACT_TANH ? one : y, f32x4.mul(y, y));
  const positive = f32x4.gt(y, v128.load(ZERO_ONE));
  if (code == ACT_HARD_SIGMOID) return v128.and(f32x4.splat(0.2), v128.and(positive, f32x4.lt(y, one)));
  return code == ACT_RELU ? v128.and(one, positive) : one;
}

/**
 * Zeros then ones, read from memory rather than written as v128 constants: the optimizer would
 * put an 18-byte constant at every use (the wasm budget; the loads hit L1 once per call).
 */
export const ZERO_ONE: usize = memory.data<f32>([0, 0, 0, 0, 1, 1, 1, 1, -0.0, -0.0, -0.0, -0.0], 16);
/** Four -0 lanes: act_rows's addend that adds nothing. */
export const NEG_ZERO: usize = ZERO_ONE + 32;

/**
 * Copies `blocks` blocks of n floats, block g from src + g * srcStep to dst + g * dstStep
 * (bytes): how rows move between user buffers and the padded scratch rows, so that the
 * fused passes read and write whole vectors only and never touch a neighbour's floats.
 * Two vectors per iteration, then one, then the 1-3 float tail; the body stays above the
 * optimizer's inlining size (binaryen inlines functions under 70 units at every call site,
 * which cost 1.1 KB of the wasm budget here).
 */
export function copy_blocks(dst: usize, dstStep: usize, src: usize, srcStep: usize, blocks: i32, n: i32): void {
  const pairs = <usize>(n & ~7) << 2, whole = <usize>(n & ~3) << 2, bytes = <usize>n << 2;
  for (let g = 0; g < blocks; g++) {
    let o: usize = 0;
    for (; o < pairs; o += 32) {
      const v0 = v128.load(src + o), v1 = v128.load(src + o, 16);
      v128.store(dst + o, v0);
      v128.store(dst + o, v1, 16);
    }
    if (o < whole) {
      v128.store(dst + o, v128.load(src + o));
      o += 16;
    }
    if (o < bytes) memory.copy(dst + o, src + o, bytes - o);
    dst += dstStep;
    src += srcStep;
  }
}

/** Whether step `row` (b * steps + t) runs. */
// @ts-ignore: decorator
@inline export function runs(mask: usize, row: i32): bool {
  return mask == 0 || (load<u32>(mask + (<usize>row << 2)) << 1) != 0;
}

/**
 * Packs ceil(n / 8) panels of k x 8 floats at dst: panel j, row p holds the float at
 * src + p * kStride + (8j + c) * nStride (bytes) for 8j + c < n, else 0.
 */
export function pack_panels(dst: usize, src: usize, kStride: usize, nStride: usize, k: i32, n: i32): void {
  for (let j0 = 0; j0 < n; j0 += 8) {
    for (let p = 0; p < k; p++) {
      for (let c = 0; c < 8; c++) {
        store<f32>(dst, j0 + c < n ? load<f32>(src + <usize>p * kStride + <usize>(j0 + c) * nStride) : 0);
        dst += 4;
      }
    }
  }
}

/**
 * out (rows x 8 * panels, rows ldOut bytes apart) = C0 + A . B: A rows aRow bytes apart (k
 * floats each), B `panels` packed panels of k x 8, panelStride bytes apart; C0 the rows at
 * init, initRow bytes apart (initRow 0: init is 32 zero bytes; init = out, initRow = ldOut
 * accumulates).
 */
export function product(a: usize, aRow: usize, rows: i32, k: i32, b: usize, panelStride: usize, panels: i32,
  out: usize, ldOut: usize, init: usize, initRow: usize): void {
  for (let j = 0; j < panels; j++) {
    for (let i = 0; i < rows; i += MR) {
      gemm_kernel_r(min(MR, rows - i), k, a + <usize>i * aRow, aRow, 4, b, 32, out + <usize>i * ldOut + (<usize>j << 5), ldOut,
        initRow ? init + <usize>i * initRow + (<usize>j << 5) : init, initRow, 0);
    }
    b += panelStride;
  }
}

/**
 * One LSTM row of the backward with act tanh (the general loop's equations): dh, dc the carried
 * gradients plus the row's, saved's i, f, g, o blocks sStep bytes apart, prev c_{t-1}, ac
 * tanh(c_t); the gate gradients go to dx's four blocks (bytes uB apart), dc * f and 0 carry on.
 * In line, so a constant gateAct selects its derivative at compile time.
 */
// @ts-ignore: decorator
@inline export function lstm_backward_row(gateAct: i32, uB: usize, dhs: usize, dcs: usize, dhIn: usize, dcIn: usize,
  sIn: usize, sStep: usize, pIn: usize, acRow: usize, dx: usize): void {
  const one = v128.load(ZERO_ONE, 16);
  for (let o: usize = 0; o < uB; o += 16) {
    const dh = f32x4.add(v128.load(dhs + o), v128.load(dhIn + o)), dc = f32x4.add(v128.load(dcs + o), v128.load(dcIn + o));
    const s0 = v128.load(sIn + o), s1 = v128.load(sIn + sStep + o), s2 = v128.load(sIn + 2 * sStep + o);
    const s3 = v128.load(sIn + 3 * sStep + o), ac = v128.load(acRow + o);
    const dcTotal = f32x4.add(dc, f32x4.mul(f32x4.mul(dh, s3), f32x4.sub(one, f32x4.mul(ac, ac))));
    v128.store(dx + o, f32x4.mul(f32x4.mul(dcTotal, s2), derivative(gateAct, s0)));
    v128.store(dx + uB + o, f32x4.mul(f32x4.mul(dcTotal, v128.load(pIn + o)), derivative(gateAct, s1)));
    v128.store(dx + 2 * uB + o, f32x4.mul(f32x4.mul(dcTotal, s0), f32x4.sub(one, f32x4.mul(s2, s2))));
    v128.store(dx + 3 * uB + o, f32x4.mul(f32x4.mul(dh, ac), derivative(gateAct, s3)));
    v128.store(dcs + o, f32x4.mul(dcTotal, s1));
    v128.store(dhs + o, v128.load(ZERO_ONE));
  }
}
