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
 * the same way, its k the G * units gate columns). Then one fused SIMD pass per batch row does
 * the gate arithmetic and writes h (and c) straight into hSeq (cSeq) and a contiguous state.
 * A resetAfter-false gru needs r before its candidate's product (r * hr) U_h: two products per
 * step, forward and backward. Activations use math.ts's tanhv / sigmoidv (the unary kernels'
 * accuracy); a derivative is read from the activation's output, as the contract says.
 *
 * Scratch (`work`, rnn_workspace_bytes): the packed U, the padded rows of the product, four
 * [batch, up] state rows (up = units rounded up to 8) and 32 zero bytes. Rows of user buffers
 * are read and written lane-exact (their tails never touch a neighbour); scratch rows are
 * padded, so the product's 8-wide stores land in them whole.
 */
import { MR, gemm_kernel_r } from './gemm.generated';
import { sigmoidv, tanhv } from './math';

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
  return (up * gates * units + batch * up * (gates + 4) + 8) << 2;
}

/** The activation per lane: tanh, sigmoid, hardSigmoid clip(0.2 v + 0.5, 0, 1), relu (NaN -> 0, as the reference), linear. */
function activate(code: i32, v: v128): v128 {
  if (code == ACT_TANH) return tanhv(v);
  if (code == ACT_SIGMOID) return sigmoidv(v);
  if (code == ACT_HARD_SIGMOID) {
    const s = f32x4.add(f32x4.mul(v, f32x4.splat(0.2)), f32x4.splat(0.5));
    return f32x4.min(f32x4.max(s, f32x4.splat(0)), f32x4.splat(1));
  }
  if (code == ACT_RELU) return v128.and(v, f32x4.gt(v, f32x4.splat(0)));
  return v;
}

/** The activation's derivative from its output y. */
function derivative(code: i32, y: v128): v128 {
  const one = f32x4.splat(1);
  if (code == ACT_TANH) return f32x4.sub(one, f32x4.mul(y, y));
  if (code == ACT_SIGMOID) return f32x4.mul(y, f32x4.sub(one, y));
  if (code == ACT_HARD_SIGMOID) return v128.and(f32x4.splat(0.2), v128.and(f32x4.gt(y, f32x4.splat(0)), f32x4.lt(y, one)));
  if (code == ACT_RELU) return v128.and(one, f32x4.gt(y, f32x4.splat(0)));
  return one;
}

function load_part(p: usize, n: i32): v128 {
  let v = v128.load32_zero(p);
  if (n > 1) v = v128.load32_lane(p + 4, v, 1);
  if (n > 2) v = v128.load32_lane(p + 8, v, 2);
  return v;
}

function store_part(p: usize, v: v128, n: i32): void {
  v128.store32_lane(p, v, 0);
  if (n > 1) v128.store32_lane(p + 4, v, 1);
  if (n > 2) v128.store32_lane(p + 8, v, 2);
}

/** The n (1..4) floats at p of a user buffer, zeros in the other lanes. */
// @ts-ignore: decorator
@inline function ld(p: usize, n: i32): v128 {
  return n >= 4 ? v128.load(p) : load_part(p, n);
}

// @ts-ignore: decorator
@inline function st(p: usize, v: v128, n: i32): void {
  if (n >= 4) v128.store(p, v); else store_part(p, v, n);
}

// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  return f32x4.add(f32x4.mul(a, b), c);
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
 * out (rows x 8 * panels, rows ldOut bytes apart) = (accumulate ? out : 0) + A . B: A rows
 * aRow bytes apart (k floats each), B `panels` packed panels of k x 8, panelStride bytes apart.
 */
function product(a: usize, aRow: usize, rows: i32, k: i32, b: usize, panelStride: usize, panels: i32,
  out: usize, ldOut: usize, accumulate: bool, zeros: usize): void {
  for (let j = 0; j < panels; j++) {
    for (let i = 0; i < rows; i += MR) {
      const c = out + <usize>i * ldOut + (<usize>j << 5);
      gemm_kernel_r(min(MR, rows - i), k, a + <usize>i * aRow, aRow, 4, b, 32, c, ldOut,
        accumulate ? c : zeros, accumulate ? ldOut : 0, 0);
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
  const gates = cell == CELL_SIMPLE ? 1 : cell == CELL_LSTM ? 4 : 3;
  const up = (units + 7) & ~7, panels = up >> 3, twoPass = cell > CELL_LSTM && !resetAfter;
  const uB = <usize>units << 2, upB = <usize>up << 2, wB = uB * gates, wpB = upB * gates;
  const rec = work + <usize>(up * gates) * uB;
  const hState = rec + <usize>batch * wpB, cState = hState + <usize>batch * upB;
  const hr = cState + <usize>batch * upB, rhr = hr + <usize>batch * upB, zeros = rhr + <usize>batch * upB;
  v128.store(zeros, f32x4.splat(0));
  v128.store(zeros, f32x4.splat(0), 16);
  for (let g = 0; g < gates; g++) pack_panels(work + <usize>(g * panels) * (uB << 3), u + <usize>g * uB, wB, 4, units, units);
  for (let b = 0; b < batch; b++) {
    const s = <usize>b * upB, x = <usize>b * uB;
    for (let k = 0; k < up; k += 4) {
      const n = min(4, units - k), o = <usize>k << 2;
      v128.store(hState + s + o, n > 0 ? ld(h0 + x + o, n) : f32x4.splat(0));
      v128.store(cState + s + o, n > 0 && c0 != 0 ? ld(c0 + x + o, n) : f32x4.splat(0));
    }
  }
  const zero = f32x4.splat(0), one = f32x4.splat(1);
  for (let t = 0; t < steps; t++) {
    const a = dropout ? hr : hState;
    if (dropout) {
      for (let b = 0; b < batch; b++) {
        for (let k = 0; k < units; k += 4) {
          const o = <usize>b * upB + (<usize>k << 2);
          v128.store(hr + o, f32x4.mul(v128.load(hState + o), ld(dropout + <usize>b * uB + (<usize>k << 2), min(4, units - k))));
        }
      }
    }
    product(a, upB, batch, units, work, uB << 3, (twoPass ? 2 : gates) * panels, rec, wpB, false, zeros);
    if (twoPass) {
      // z and r first (kept in rec), then the candidate's product (r * hr) U_h into rec's third block.
      for (let b = 0; b < batch; b++) {
        const px = xProj + (<usize>(b * steps + t)) * wB, rr = rec + <usize>b * wpB;
        for (let k = 0; k < units; k += 4) {
          const n = min(4, units - k), o = <usize>k << 2;
          const z = activate(gateAct, f32x4.add(ld(px + o, n), v128.load(rr + o)));
          const r = activate(gateAct, f32x4.add(ld(px + uB + o, n), v128.load(rr + upB + o)));
          v128.store(rr + o, z);
          v128.store(rr + upB + o, r);
          v128.store(rhr + <usize>b * upB + o, f32x4.mul(r, v128.load(a + <usize>b * upB + o)));
        }
      }
      product(rhr, upB, batch, units, work + <usize>(2 * panels) * (uB << 3), uB << 3, panels, rec + (upB << 1), wpB, false, zeros);
    }
    for (let b = 0; b < batch; b++) {
      const row = b * steps + t;
      const px = xProj + <usize>row * wB, rr = rec + <usize>b * wpB, hs = hState + <usize>b * upB, cs = cState + <usize>b * upB;
      const out = <usize>row * uB, sv = saved ? saved + (out << 2) : 0, on = runs(mask, row);
      for (let k = 0; k < units; k += 4) {
        const n = min(4, units - k), o = <usize>k << 2;
        let h = v128.load(hs + o), c = v128.load(cs + o);
        let s0 = zero, s1 = zero, s2 = zero, s3 = zero;
        if (on) {
          const p0 = f32x4.add(ld(px + o, n), v128.load(rr + o));
          if (cell == CELL_SIMPLE) {
            h = activate(act, p0);
          } else if (cell == CELL_LSTM) {
            s0 = activate(gateAct, p0);
            s1 = activate(gateAct, f32x4.add(ld(px + uB + o, n), v128.load(rr + upB + o)));
            s2 = activate(act, f32x4.add(ld(px + 2 * uB + o, n), v128.load(rr + 2 * upB + o)));
            s3 = activate(gateAct, f32x4.add(ld(px + 3 * uB + o, n), v128.load(rr + 3 * upB + o)));
            c = madd(s1, c, f32x4.mul(s0, s2));
            h = f32x4.mul(s3, activate(act, c));
          } else {
            const xh = ld(px + 2 * uB + o, n), recH = v128.load(rr + 2 * upB + o);
            if (twoPass) {
              s0 = v128.load(rr + o);
              s1 = v128.load(rr + upB + o);
              s2 = activate(act, f32x4.add(xh, recH));
            } else {
              s0 = activate(gateAct, f32x4.add(p0, ld(bh + o, n)));
              s1 = activate(gateAct, f32x4.add(f32x4.add(ld(px + uB + o, n), v128.load(rr + upB + o)), ld(bh + uB + o, n)));
              s3 = f32x4.add(recH, ld(bh + 2 * uB + o, n));
              s2 = activate(act, madd(s1, s3, xh));
            }
            h = madd(s0, h, f32x4.mul(f32x4.sub(one, s0), s2));
          }
        }
        v128.store(hs + o, h);
        v128.store(cs + o, c);
        st(hSeq + out + o, h, n);
        if (cSeq) st(cSeq + out + o, c, n);
        if (sv) {
          st(sv + o, s0, n);
          st(sv + uB + o, s1, n);
          st(sv + 2 * uB + o, s2, n);
          st(sv + 3 * uB + o, s3, n);
        }
      }
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
  const uB = <usize>units << 2, upB = <usize>up << 2, wB = uB * gates, wpB = upB * gates;
  const dhS = work + <usize>(up * gates) * uB + <usize>batch * wpB, dcS = dhS + <usize>batch * upB;
  const dhr = dcS + <usize>batch * upB, dCand = dhr + <usize>batch * upB, zeros = dCand + <usize>batch * upB;
  const zero = f32x4.splat(0), one = f32x4.splat(1);
  v128.store(zeros, zero);
  v128.store(zeros, zero, 16);
  // U^T in panels: k runs over U's G * units columns, n over its rows.
  pack_panels(work, u, 4, wB, units * gates, units);
  for (let p = dhS; p < dhr; p += 16) v128.store(p, zero);
  const aOp = dhProj ? dhProj : dxProj, aRow = <usize>steps * wB, acc = dropout ? dhr : dhS;
  for (let t = steps - 1; t >= 0; t--) {
    for (let b = 0; b < batch; b++) {
      const row = b * steps + t, out = <usize>row * uB, on = runs(mask, row);
      const hPrev = t ? hSeq + out - uB : h0 + <usize>b * uB, cPrev = t ? cSeq + out - uB : c0 + <usize>b * uB;
      const sv = saved + (out << 2), dx = dxProj + <usize>row * wB, dhp = dhProj ? dhProj + <usize>row * wB : 0;
      const dhs = dhS + <usize>b * upB, dcs = dcS + <usize>b * upB;
      for (let k = 0; k < units; k += 4) {
        const n = min(4, units - k), o = <usize>k << 2;
        let dh = f32x4.add(v128.load(dhs + o), ld(dhSeq + out + o, n));
        let dc = v128.load(dcs + o);
        if (dcSeq) dc = f32x4.add(dc, ld(dcSeq + out + o, n));
        let d0 = zero, d1 = zero, d2 = zero, d3 = zero, e2 = zero;
        if (on) {
          if (cell == CELL_SIMPLE) {
            d0 = f32x4.mul(dh, derivative(act, ld(hSeq + out + o, n)));
            dh = zero;
          } else if (cell == CELL_LSTM) {
            const i = ld(sv + o, n), f = ld(sv + uB + o, n), g = ld(sv + 2 * uB + o, n), og = ld(sv + 3 * uB + o, n);
            const ac = activate(act, ld(cSeq + out + o, n));
            const dcTotal = madd(f32x4.mul(dh, og), derivative(act, ac), dc);
            d0 = f32x4.mul(f32x4.mul(dcTotal, g), derivative(gateAct, i));
            d1 = f32x4.mul(f32x4.mul(dcTotal, ld(cPrev + o, n)), derivative(gateAct, f));
            d2 = f32x4.mul(f32x4.mul(dcTotal, i), derivative(act, g));
            d3 = f32x4.mul(f32x4.mul(dh, ac), derivative(gateAct, og));
            dc = f32x4.mul(dcTotal, f);
            dh = zero;
          } else {
            const z = ld(sv + o, n), nn = ld(sv + 2 * uB + o, n);
            d2 = f32x4.mul(f32x4.mul(dh, f32x4.sub(one, z)), derivative(act, nn));
            d0 = f32x4.mul(f32x4.mul(dh, f32x4.sub(ld(hPrev + o, n), nn)), derivative(gateAct, z));
            e2 = d2;
            if (!twoPass) {
              const r = ld(sv + uB + o, n);
              d1 = f32x4.mul(f32x4.mul(d2, ld(sv + 3 * uB + o, n)), derivative(gateAct, r));
              e2 = f32x4.mul(d2, r);
            }
            dh = f32x4.mul(dh, z);
          }
        }
        v128.store(dhs + o, dh);
        v128.store(dcs + o, dc);
        st(dx + o, d0, n);
        if (gates > 1) {
          st(dx + uB + o, d1, n);
          st(dx + 2 * uB + o, d2, n);
        }
        if (gates > 3) st(dx + 3 * uB + o, d3, n);
        if (dhp) {
          st(dhp + o, d0, n);
          st(dhp + uB + o, d1, n);
          st(dhp + 2 * uB + o, e2, n);
        }
      }
    }
    const a = aOp + <usize>t * wB;
    if (twoPass) {
      // The candidate's product first: dCand = dn U_h^T, then dr and dCand * r.
      product(a + 2 * uB, aRow, batch, units, work + (uB << 4), wB << 3, panels, dCand, upB, false, zeros);
      for (let b = 0; b < batch; b++) {
        const row = b * steps + t, out = <usize>row * uB, on = runs(mask, row);
        const hPrev = t ? hSeq + out - uB : h0 + <usize>b * uB, sv = saved + (out << 2) + uB;
        const dr = dxProj + <usize>row * wB + uB, dhp = dhProj + <usize>row * wB + uB;
        for (let k = 0; k < units; k += 4) {
          const n = min(4, units - k), o = <usize>k << 2, s = <usize>b * upB + o;
          const r = ld(sv + o, n), dC = v128.load(dCand + s);
          let hrv = ld(hPrev + o, n);
          if (dropout) hrv = f32x4.mul(hrv, ld(dropout + <usize>b * uB + o, n));
          if (on) {
            const d = f32x4.mul(f32x4.mul(dC, hrv), derivative(gateAct, r));
            st(dr + o, d, n);
            st(dhp + o, d, n);
          }
          v128.store(acc + s, madd(dC, r, dropout ? zero : v128.load(acc + s)));
        }
      }
      product(a, aRow, batch, 2 * units, work, wB << 3, panels, acc, upB, true, zeros);
    } else {
      product(a, aRow, batch, units * gates, work, wB << 3, panels, acc, upB, !dropout, zeros);
    }
    if (dropout) {
      for (let b = 0; b < batch; b++) {
        for (let k = 0; k < units; k += 4) {
          const s = <usize>b * upB + (<usize>k << 2);
          v128.store(dhS + s, madd(v128.load(dhr + s), ld(dropout + <usize>b * uB + (<usize>k << 2), min(4, units - k)), v128.load(dhS + s)));
        }
      }
    }
  }
  for (let b = 0; b < batch; b++) {
    for (let k = 0; k < units; k += 4) {
      const n = min(4, units - k), o = <usize>k << 2;
      st(dh0 + <usize>b * uB + o, v128.load(dhS + <usize>b * upB + o), n);
      if (dc0) st(dc0 + <usize>b * uB + o, v128.load(dcS + <usize>b * upB + o), n);
    }
  }
}
