/**
 * The recurrent kernels (src/backends/kernel-params.ts RecurrentSequenceParams and its
 * backward; the cell equations are there): a whole sequence of a simple RNN, LSTM or GRU cell
 * in one call, the time loop inside. Layouts are batch-major: xProj / dxProj / dhProj
 * [batch, steps, G * units], hSeq / cSeq / dhSeq / dcSeq [batch, steps, units], saved
 * [batch, steps, 4 * units], U [units, G * units]; mask [batch, steps] (f32 or i32: a zero
 * word, +0 or -0, masks the step), recurrent dropout [batch, units]; pointer 0 = none.
 *
 * Method. Per step, the recurrent product runs gemm.generated.ts's MR x 8 micro-kernels over
 * a copy of U packed once per call into 8-column panels (zero past `units`, per gate, so each
 * gate's columns start a panel): forward rec = hr . U, backward dhr = dGates . U^T (U^T packed
 * the same way, its k the G * units gate columns). Then SIMD passes per batch row do the gate
 * arithmetic into the contiguous state rows (the next product's operand), and each row's h (and
 * c, and the saved gates) then goes to hSeq (cSeq, saved).
 * A resetAfter-false gru needs r before its candidate's product (r * hr) U_h: two products per
 * step, forward and backward. Activations run a row at a time (act_rows: the choice made once,
 * tanh's and sigmoid's math.ts expv in line, the unary kernels' formulas), so the passes
 * between them carry no per-vector call or branch; a derivative is read from the activation's
 * output, as the contract says. The common LSTM rows (units a multiple of 8 forward, 4 backward,
 * tanh with hardSigmoid or sigmoid gates backward) have their own passes that write saved,
 * hSeq, cSeq and dxProj in place; every other case takes the general passes, same results.
 *
 * Rows. The fused passes read and write whole vectors only. Scratch rows are padded to up =
 * units rounded up to 8 (so the product's 8-wide stores land in them whole); user rows move
 * through them (copy_blocks, whose 1-3 float tails never touch a neighbour's floats), except
 * where whole vectors are exact: the backward reads its input rows in place when units is a
 * multiple of 4, and with units a multiple of 8 the forward's product starts from xProj's rows
 * (its padded rows are then xProj's), so those blocks are neither copied nor added.
 *
 * Scratch (`work`, rnn_workspace_bytes): the packed U, the product's rows, five [batch, up]
 * state rows, 20 padded staging rows and 32 zero bytes.
 *
 * Measured (bench/recurrent-wasm-kernels.mjs, Node 20, AMD EPYC shared by other jobs, process
 * CPU time): LSTM batch 64, 100 steps, 64 units, tanh + hardSigmoid: forward 6.9 ms + backward
 * 6.4 ms (9.3 + 8.5 before the row-wise activations, the same run); at batch 8 about 11 us a
 * step forward and 20 us forward + backward (the composed ops: ~1 ms).
 */
import { MR, gemm_kernel_r } from './gemm.generated';
import { TANH_SMALL, expv, tanhSmallv } from './math';

// Cell and activation codes (src/backends/wasm/recurrent.ts holds the same numbers).
const CELL_SIMPLE: i32 = 0;
const CELL_LSTM: i32 = 1;
const ACT_TANH: i32 = 0;
const ACT_SIGMOID: i32 = 1;
const ACT_HARD_SIGMOID: i32 = 2;
const ACT_RELU: i32 = 3;

/** Bytes of `work` for a call (forward or backward) of this size; gates is G (1, 4 or 3). */
export function rnn_workspace_bytes(batch: i32, units: i32, gates: i32): i32 {
  const up = (units + 7) & ~7;
  return (up * gates * units + batch * up * (gates + 5) + 20 * up + 48) << 2;
}

/**
 * dst = f(src + add) over n floats (whole vectors: n rounds up to a multiple of 4), f the
 * activation (tanh, sigmoid, hardSigmoid clip(0.2 v + 0.5, 0, 1), relu with NaN -> 0 as the
 * reference, linear); `add` advances addStep bytes a vector (0: one vector for all; NEG_ZERO
 * adds nothing, as x + -0 = x for every x). The choice is made once per row, not per vector,
 * and the hot tanh and sigmoid loops hold their math in line.
 */
function act_rows(code: i32, dst: usize, src: usize, add: usize, addStep: usize, n: i32): void {
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
@inline function derivative(code: i32, y: v128): v128 {
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
const ZERO_ONE: usize = memory.data<f32>([0, 0, 0, 0, 1, 1, 1, 1, -0.0, -0.0, -0.0, -0.0], 16);
/** Four -0 lanes: act_rows's addend that adds nothing. */
const NEG_ZERO: usize = ZERO_ONE + 32;

/**
 * Copies `blocks` blocks of n floats, block g from src + g * srcStep to dst + g * dstStep
 * (bytes): how rows move between user buffers and the padded scratch rows, so that the
 * fused passes read and write whole vectors only and never touch a neighbour's floats.
 * Two vectors per iteration, then one, then the 1-3 float tail; the body stays above the
 * optimizer's inlining size (binaryen inlines functions under 70 units at every call site,
 * which cost 1.1 KB of the wasm budget here).
 */
function copy_blocks(dst: usize, dstStep: usize, src: usize, srcStep: usize, blocks: i32, n: i32): void {
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
@inline function runs(mask: usize, row: i32): bool {
  return mask == 0 || (load<u32>(mask + (<usize>row << 2)) << 1) != 0;
}

/**
 * Packs ceil(n / 8) panels of k x 8 floats at dst: panel j, row p holds the float at
 * src + p * kStride + (8j + c) * nStride (bytes) for 8j + c < n, else 0.
 */
function pack_panels(dst: usize, src: usize, kStride: usize, nStride: usize, k: i32, n: i32): void {
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
function product(a: usize, aRow: usize, rows: i32, k: i32, b: usize, panelStride: usize, panels: i32,
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
 * The forward (kernel-params.ts RecurrentSequenceParams). cell 0 simple, 1 lstm, 2 gru;
 * act / gateAct 0 tanh, 1 sigmoid, 2 hardSigmoid, 3 relu, 4 linear.
 */
export function recurrent_sequence(cell: i32, act: i32, gateAct: i32, resetAfter: i32, batch: i32, steps: i32,
  units: i32, xProj: usize, u: usize, bh: usize, h0: usize, c0: usize, mask: usize, dropout: usize,
  hSeq: usize, cSeq: usize, saved: usize, work: usize): void {
  const gates = cell == CELL_SIMPLE ? 1 : cell == CELL_LSTM ? 4 : 3, gru = cell > CELL_LSTM;
  const up = (units + 7) & ~7, panels = up >> 3, twoPass = gru && !resetAfter;
  const uB = <usize>units << 2, upB = <usize>up << 2, wB = uB * gates, wpB = upB * gates, stateB = <usize>batch * upB;
  const rec = work + <usize>(up * gates) * uB;
  const hState = rec + <usize>batch * wpB, cState = hState + stateB, hr = cState + stateB, rhr = hr + stateB;
  // xs: the row's xProj blocks, padded; ss: its saved blocks; bias: bh's blocks (zeros when null).
  const drop = rhr + stateB, bias = drop + stateB, xs = bias + (upB << 2), ss = xs + (upB << 2), ac = ss + (upB << 2), zeros = ac + upB;
  const zero = v128.load(ZERO_ONE), one = v128.load(ZERO_ONE, 16);
  memory.fill(hState, 0, zeros + 32 - hState);
  for (let g = 0; g < gates; g++) pack_panels(work + <usize>(g * panels) * (uB << 3), u + <usize>g * uB, wB, 4, units, units);
  copy_blocks(hState, upB, h0, uB, batch, units);
  if (c0) copy_blocks(cState, upB, c0, uB, batch, units);
  if (dropout) copy_blocks(drop, upB, dropout, uB, batch, units);
  if (bh) copy_blocks(bias, upB, bh, uB, 3, units);
  const a = dropout ? hr : hState;
  // With units a multiple of 8, rec's padded rows are xProj's rows: the product starts from
  // xProj (for a resetAfter-false gru only z and r, the blocks of its first product; a resetAfter
  // gru's q excludes xProj), so those blocks need no copy.
  const xInit = units & 7 ? 0 : gru ? (twoPass ? 2 : 0) : gates;
  for (let t = 0; t < steps; t++) {
    if (dropout) for (let p: usize = 0; p < stateB; p += 16) v128.store(hr + p, f32x4.mul(v128.load(hState + p), v128.load(drop + p)));
    const px0 = xProj + <usize>t * wB;
    product(a, upB, batch, units, work, uB << 3, (twoPass ? 2 : gates) * panels, rec, wpB,
      xInit ? px0 : zeros, xInit ? <usize>steps * wB : 0);
    if (twoPass) {
      // r first, then the candidate's product (r * hr) U_h into rec's third block.
      for (let b = 0; b < batch; b++) {
        const rr = rec + <usize>b * wpB + upB, s = <usize>b * upB;
        if (!xInit) copy_blocks(xs + upB, 0, xProj + (<usize>(b * steps + t)) * wB + uB, 0, 1, units);
        act_rows(gateAct, ac, xs + upB, rr, 16, units);
        for (let o: usize = 0; o < uB; o += 16) v128.store(rhr + s + o, f32x4.mul(v128.load(ac + o), v128.load(a + s + o)));
      }
      product(rhr, upB, batch, units, work + <usize>(2 * panels) * (uB << 3), uB << 3, panels, rec + (upB << 1), wpB, zeros, 0);
    }
    for (let b = 0; b < batch; b++) {
      const row = b * steps + t, out = <usize>row * uB;
      const rr = rec + <usize>b * wpB, hs = hState + <usize>b * upB, cs = cState + <usize>b * upB;
      const on = runs(mask, row);
      if (on && cell == CELL_LSTM && xInit && cSeq) {
        // The common LSTM row (units a multiple of 8, so rec's row is xProj's plus the product):
        // the gates go straight into saved's row, each block's activation chosen once.
        const sv = saved + (<usize>out << 2), cq = cSeq + out, hq = hSeq + out;
        act_rows(gateAct, sv, rr, bias, 16, 2 * units);
        act_rows(act, sv + 2 * uB, rr + 2 * uB, bias + 2 * upB, 16, units);
        act_rows(gateAct, sv + 3 * uB, rr + 3 * uB, bias + 3 * upB, 16, units);
        for (let o: usize = 0; o < uB; o += 16) {
          const c = f32x4.add(f32x4.mul(v128.load(sv + uB + o), v128.load(cs + o)), f32x4.mul(v128.load(sv + o), v128.load(sv + 2 * uB + o)));
          v128.store(cs + o, c);
          v128.store(cq + o, c);
        }
        act_rows(act, ac, cs, NEG_ZERO, 0, units);
        for (let o: usize = 0; o < uB; o += 16) {
          const h = f32x4.mul(v128.load(sv + 3 * uB + o), v128.load(ac + o));
          v128.store(hs + o, h);
          v128.store(hq + o, h);
        }
        continue;
      }
      if (on) {
        copy_blocks(xs + <usize>xInit * upB, upB, xProj + <usize>row * wB + <usize>xInit * uB, uB, gates - xInit, units);
        // Pre-activations into ss (rec is read past a simple row's one gate: scratch, unused). A
        // gru's third block is q = (r * hr) U_h (resetAfter false: the candidate reads it whole) or
        // hr U_h + bh_h; ac holds it until the gates are known.
        for (let o: usize = 0; o < uB; o += 16) {
          const x2 = v128.load(xs + 2 * upB + o), q = f32x4.add(v128.load(rr + 2 * upB + o), v128.load(bias + 2 * upB + o));
          v128.store(ss + o, f32x4.add(f32x4.add(v128.load(xs + o), v128.load(rr + o)), v128.load(bias + o)));
          v128.store(ss + upB + o, f32x4.add(f32x4.add(v128.load(xs + upB + o), v128.load(rr + upB + o)), v128.load(bias + upB + o)));
          v128.store(ss + 2 * upB + o, f32x4.add(x2, q));
          v128.store(ss + 3 * upB + o, f32x4.add(v128.load(xs + 3 * upB + o), v128.load(rr + 3 * upB + o)));
          v128.store(ac + o, q);
        }
        if (cell == CELL_SIMPLE) {
          act_rows(act, hs, ss, NEG_ZERO, 0, units);
          memory.fill(ss, 0, upB << 2);
        } else {
          act_rows(gateAct, ss, ss, NEG_ZERO, 0, up << 1);
          if (gru) {
            // The candidate n = act(x_h + r * q) (resetAfter) or act(x_h + q); saved's fourth block is q (resetAfter) or 0.
            for (let o: usize = 0; o < uB; o += 16) {
              const q = v128.load(ac + o);
              v128.store(ss + 2 * upB + o, f32x4.add(v128.load(xs + 2 * upB + o), twoPass ? q : f32x4.mul(v128.load(ss + upB + o), q)));
              v128.store(ss + 3 * upB + o, twoPass ? zero : q);
            }
          } else {
            act_rows(gateAct, ss + 3 * upB, ss + 3 * upB, NEG_ZERO, 0, units);
          }
          act_rows(act, ss + 2 * upB, ss + 2 * upB, NEG_ZERO, 0, units);
          for (let o: usize = 0; o < uB; o += 16) {
            const s0 = v128.load(ss + o), s2 = v128.load(ss + 2 * upB + o);
            if (gru) {
              v128.store(hs + o, f32x4.add(f32x4.mul(s0, v128.load(hs + o)), f32x4.mul(f32x4.sub(one, s0), s2)));
            } else {
              v128.store(cs + o, f32x4.add(f32x4.mul(v128.load(ss + upB + o), v128.load(cs + o)), f32x4.mul(s0, s2)));
            }
          }
          if (!gru) {
            act_rows(act, ac, cs, NEG_ZERO, 0, units);
            for (let o: usize = 0; o < uB; o += 16) v128.store(hs + o, f32x4.mul(v128.load(ss + 3 * upB + o), v128.load(ac + o)));
          }
        }
      } else {
        memory.fill(ss, 0, upB << 2);
      }
      copy_blocks(hSeq + out, 0, hs, 0, 1, units);
      if (cSeq) copy_blocks(cSeq + out, 0, cs, 0, 1, units);
      if (saved) copy_blocks(saved + (out << 2), uB, ss, upB, 4, units);
    }
  }
}

/**
 * One LSTM row of the backward with act tanh (the general loop's equations): dh, dc the carried
 * gradients plus the row's, saved's i, f, g, o blocks sStep bytes apart, prev c_{t-1}, ac
 * tanh(c_t); the gate gradients go to dx's four blocks (bytes uB apart), dc * f and 0 carry on.
 * In line, so a constant gateAct selects its derivative at compile time.
 */
// @ts-ignore: decorator
@inline function lstm_backward_row(gateAct: i32, uB: usize, dhs: usize, dcs: usize, dhIn: usize, dcIn: usize,
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

/**
 * The backward (kernel-params.ts RecurrentSequenceBackwardParams), steps last to first; the
 * codes as recurrent_sequence's. dhProj: gru only (0 otherwise); the product's A operand is
 * dhProj for gru and dxProj for the others, read in place.
 */
export function recurrent_sequence_backward(cell: i32, act: i32, gateAct: i32, resetAfter: i32, batch: i32,
  steps: i32, units: i32, u: usize, h0: usize, c0: usize, mask: usize, dropout: usize, hSeq: usize, cSeq: usize,
  saved: usize, dhSeq: usize, dcSeq: usize, dxProj: usize, dhProj: usize, dh0: usize, dc0: usize, work: usize): void {
  const gates = cell == CELL_SIMPLE ? 1 : cell == CELL_LSTM ? 4 : 3;
  const up = (units + 7) & ~7, panels = up >> 3, twoPass = cell > CELL_LSTM && !resetAfter;
  const uB = <usize>units << 2, upB = <usize>up << 2, wB = uB * gates, wpB = upB * gates, stateB = <usize>batch * upB;
  const dhS = work + <usize>(up * gates) * uB + <usize>batch * wpB, dcS = dhS + stateB, dhr = dcS + stateB;
  // Padded rows: stage 0-3 the saved blocks, 4 dhSeq, 5 dcSeq, 6 h_t (c_t for lstm), 7 the previous
  // state (c_{t-1} for lstm, h_{t-1} for gru); then the row's dxProj blocks and dhProj's third block.
  const dCand = dhr + stateB, drop = dCand + stateB, stage = drop + stateB, outs = stage + (upB << 3), acRow = outs + 5 * upB;
  const zeros = acRow + upB;
  const zero = v128.load(ZERO_ONE), one = v128.load(ZERO_ONE, 16);
  memory.fill(dhS, 0, zeros + 32 - dhS);
  // U^T in panels: k runs over U's G * units columns, n over its rows.
  pack_panels(work, u, 4, wB, units * gates, units);
  if (dropout) copy_blocks(drop, upB, dropout, uB, batch, units);
  const aOp = dhProj ? dhProj : dxProj, aRow = <usize>steps * wB, acc = dropout ? dhr : dhS;
  const lstm = cell == CELL_LSTM, state = lstm ? cSeq : hSeq, direct = (units & 3) == 0;
  for (let t = steps - 1; t >= 0; t--) {
    for (let b = 0; b < batch; b++) {
      const row = b * steps + t, out = <usize>row * uB, on = runs(mask, row);
      const dhs = dhS + <usize>b * upB, dcs = dcS + <usize>b * upB;
      const prevRow = t ? state + out - uB : (lstm ? c0 : h0) + <usize>b * uB;
      // The rows the pass reads: in place when units is a multiple of 4 (whole vectors), else staged.
      let sIn = stage, sStep = upB, dhIn = stage + 4 * upB, dcIn = stage + 5 * upB, yIn = stage + 6 * upB, pIn = stage + 7 * upB;
      if (direct) {
        if (saved) { sIn = saved + (out << 2); sStep = uB; }
        dhIn = dhSeq + out;
        if (dcSeq) dcIn = dcSeq + out;
        yIn = state + out;
        pIn = prevRow;
      } else {
        copy_blocks(dhIn, upB, dhSeq + out, dcSeq - dhSeq, dcSeq ? 2 : 1, units);
        if (on) {
          if (saved) copy_blocks(stage, upB, saved + (out << 2), uB, 4, units);
          copy_blocks(yIn, 0, state + out, 0, 1, units);
          copy_blocks(pIn, 0, prevRow, 0, 1, units);
        }
      }
      // act(c_t), a row at a time.
      if (lstm && on) act_rows(act, acRow, yIn, NEG_ZERO, 0, units);
      if (lstm && on && direct && act == ACT_TANH && (gateAct == ACT_HARD_SIGMOID || gateAct == ACT_SIGMOID)) {
        // The common LSTM row (tanh; hardSigmoid or sigmoid gates chosen once), the gate
        // gradients straight into dxProj's row.
        const dx = dxProj + <usize>row * wB;
        if (gateAct == ACT_HARD_SIGMOID) lstm_backward_row(ACT_HARD_SIGMOID, uB, dhs, dcs, dhIn, dcIn, sIn, sStep, pIn, acRow, dx);
        else lstm_backward_row(ACT_SIGMOID, uB, dhs, dcs, dhIn, dcIn, sIn, sStep, pIn, acRow, dx);
        continue;
      }
      for (let o: usize = 0; o < uB; o += 16) {
        let dh = f32x4.add(v128.load(dhs + o), v128.load(dhIn + o));
        let dc = f32x4.add(v128.load(dcs + o), v128.load(dcIn + o));
        let d0 = zero, d1 = zero, d2 = zero, d3 = zero, e2 = zero;
        if (on) {
          const s0 = v128.load(sIn + o), s1 = v128.load(sIn + sStep + o), s2 = v128.load(sIn + 2 * sStep + o);
          const s3 = v128.load(sIn + 3 * sStep + o), y = v128.load(yIn + o), prev = v128.load(pIn + o);
          if (cell == CELL_SIMPLE) {
            d0 = f32x4.mul(dh, derivative(act, y));
            dh = zero;
          } else if (lstm) {
            // s0..s3 = i, f, g, o; y = c_t.
            const ac = v128.load(acRow + o);
            const dcTotal = f32x4.add(dc, f32x4.mul(f32x4.mul(dh, s3), derivative(act, ac)));
            d0 = f32x4.mul(f32x4.mul(dcTotal, s2), derivative(gateAct, s0));
            d1 = f32x4.mul(f32x4.mul(dcTotal, prev), derivative(gateAct, s1));
            d2 = f32x4.mul(f32x4.mul(dcTotal, s0), derivative(act, s2));
            d3 = f32x4.mul(f32x4.mul(dh, ac), derivative(gateAct, s3));
            dc = f32x4.mul(dcTotal, s1);
            dh = zero;
          } else {
            // s0..s3 = z, r, n, q; dhProj's third block is dn (resetAfter false) or dn * r.
            d2 = f32x4.mul(f32x4.mul(dh, f32x4.sub(one, s0)), derivative(act, s2));
            d0 = f32x4.mul(f32x4.mul(dh, f32x4.sub(prev, s2)), derivative(gateAct, s0));
            e2 = d2;
            if (!twoPass) {
              d1 = f32x4.mul(f32x4.mul(d2, s3), derivative(gateAct, s1));
              e2 = f32x4.mul(d2, s1);
            }
            dh = f32x4.mul(dh, s0);
          }
        }
        v128.store(dhs + o, dh);
        v128.store(dcs + o, dc);
        v128.store(outs + o, d0);
        v128.store(outs + upB + o, d1);
        v128.store(outs + 2 * upB + o, d2);
        v128.store(outs + 3 * upB + o, d3);
        v128.store(outs + 4 * upB + o, e2);
      }
      const dx = dxProj + <usize>row * wB;
      copy_blocks(dx, uB, outs, upB, gates, units);
      if (dhProj) {
        copy_blocks(dhProj + <usize>row * wB, uB, outs, upB, 2, units);
        copy_blocks(dhProj + <usize>row * wB + 2 * uB, 0, outs + 4 * upB, 0, 1, units);
      }
    }
    const a = aOp + <usize>t * wB;
    if (twoPass) {
      // The candidate's product first: dCand = dn U_h^T, then dr (rows that run) and dCand * r.
      product(a + 2 * uB, aRow, batch, units, work + (uB << 4), wB << 3, panels, dCand, upB, zeros, 0);
      for (let b = 0; b < batch; b++) {
        const row = b * steps + t, out = <usize>row * uB, s = <usize>b * upB;
        if (!runs(mask, row)) {
          if (dropout) memory.fill(acc + s, 0, upB);
          continue;
        }
        copy_blocks(stage + upB, 0, saved + (out << 2) + uB, 0, 1, units);
        copy_blocks(stage + 7 * upB, 0, t ? hSeq + out - uB : h0 + <usize>b * uB, 0, 1, units);
        for (let o: usize = 0; o < uB; o += 16) {
          const r = v128.load(stage + upB + o), dC = v128.load(dCand + s + o);
          const hrv = f32x4.mul(v128.load(stage + 7 * upB + o), dropout ? v128.load(drop + s + o) : one);
          v128.store(outs + upB + o, f32x4.mul(f32x4.mul(dC, hrv), derivative(gateAct, r)));
          v128.store(acc + s + o, f32x4.add(f32x4.mul(dC, r), dropout ? zero : v128.load(acc + s + o)));
        }
        copy_blocks(dxProj + <usize>row * wB + uB, 0, outs + upB, 0, 1, units);
        copy_blocks(dhProj + <usize>row * wB + uB, 0, outs + upB, 0, 1, units);
      }
      product(a, aRow, batch, 2 * units, work, wB << 3, panels, acc, upB, acc, upB);
    } else {
      product(a, aRow, batch, units * gates, work, wB << 3, panels, acc, upB, dropout ? zeros : acc, dropout ? 0 : upB);
    }
    if (dropout) {
      for (let p: usize = 0; p < stateB; p += 16) {
        v128.store(dhS + p, f32x4.add(v128.load(dhS + p), f32x4.mul(v128.load(dhr + p), v128.load(drop + p))));
      }
    }
  }
  copy_blocks(dh0, uB, dhS, upB, batch, units);
  if (dc0) copy_blocks(dc0, uB, dcS, upB, batch, units);
}
