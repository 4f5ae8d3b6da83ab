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
import {
  ACT_HARD_SIGMOID, ACT_SIGMOID, ACT_TANH, CELL_LSTM, CELL_SIMPLE, NEG_ZERO, ZERO_ONE, act_rows, copy_blocks, derivative,
  lstm_backward_row, pack_panels, product, runs,
} from './rnn-rows';

/** Bytes of `work` for a call (forward or backward) of this size; gates is G (1, 4 or 3). */
export function rnn_workspace_bytes(batch: i32, units: i32, gates: i32): i32 {
  const up = (units + 7) & ~7;
  return (up * gates * units + batch * up * (gates + 5) + 20 * up + 48) << 2;
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
