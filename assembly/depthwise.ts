/**
 * depthwiseConv2d and its two gradients (kernel-params.ts DepthwiseConv2D*): direct NHWC loops,
 * geometry at `g` (conv-geometry.ts, G_MULT the channel multiplier M). Output channel
 * c * M + q reads input channel c with filter[fy, fx, c, q].
 *
 * Forward writes each output once: per output pixel, the taps inside the image are the ranges
 * [fyLo, fyHi) x [fxLo, fxHi) worked out once per row and per pixel, so no tap is tested. With
 * M = 1 (MobileNet's case) and C >= 4, channels go 4 at a time in f32x4, the last group moved back
 * to C - 4 when C % 4 != 0 (it rewrites a few channels with the same values: no scalar tail). 3x3
 * and 5x5 filters at strides 1 and 2 take two neighbouring pixels at once (four for 3x3 at stride 1;
 * the columns they share loaded once), on every row whose columns are inside the image; an interior pixel left over of a
 * 3x3 filter is nine unrolled products summed as a tree. Bias and the activation in registers
 * (linear, relu, relu6; the others are one pass of epilogue_rows after). Other M, and C < 4, run
 * the same ranges in scalar. The gradients add into their target tap by tap (depthwise_pass).
 */
import { geo, G_BATCH, G_DH, G_DW, G_FH, G_FW, G_IN_C, G_IN_H, G_IN_W, G_MULT, G_OUT_H, G_OUT_W, G_PAD_L, G_PAD_T, G_SH, G_SW } from './conv-geometry';
import { epilogue_rows } from './gemm-epilogue';
import { EPILOGUE_LINEAR, EPILOGUE_RELU, EPILOGUE_RELU6 } from './opcodes.generated';

// @ts-ignore: decorator
@inline function madd4(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/**
 * v clamped to [lo, hi], NaN staying NaN and -0 staying -0: pmax / pmin (v < lo ? lo : v) are one
 * instruction each on x64 and ARM, where wasm's NaN-propagating min / max are sequences.
 */
// @ts-ignore: decorator
@inline function clamp4(v: v128, lo: v128, hi: v128): v128 {
  return f32x4.pmin(f32x4.pmax(v, lo), hi);
}

// @ts-ignore: decorator
@inline function clamp1(v: f32, lo: f32, hi: f32): f32 {
  const a = v < lo ? lo : v;
  return hi < a ? hi : a;
}

/** The first tap t >= 0 with start + t * step >= 0. */
// @ts-ignore: decorator
@inline function firstTap(start: i32, step: i32): i32 {
  return start >= 0 ? 0 : (step - 1 - start) / step;
}

/** One past the last tap t < taps with start + t * step < size (at least lo: an empty range). */
// @ts-ignore: decorator
@inline function endTap(start: i32, step: i32, taps: i32, size: i32, lo: i32): i32 {
  const end = start >= size ? 0 : min(taps, (size - 1 - start) / step + 1);
  return max(end, lo);
}

/**
 * out = clamp(conv + bias, lo, hi) over every output pixel: linear, relu and relu6 are clamps.
 * `at` is the input byte address of tap (0, 0) of a pixel (outside the image at borders: only
 * in-range taps are read), rowStep / colStep the bytes between taps; `c` walks the output
 * channels' bytes (input channel c / M).
 */
function forward(x: usize, f: usize, out: usize, bias: usize, lo: f32, hi: f32, g: usize): void {
  const H = geo(g, G_IN_H), W = geo(g, G_IN_W), C = geo(g, G_IN_C), M = geo(g, G_MULT);
  const oh = geo(g, G_OUT_H), ow = geo(g, G_OUT_W), fh = geo(g, G_FH), fw = geo(g, G_FW);
  const sh = geo(g, G_SH), sw = geo(g, G_SW), dh = geo(g, G_DH), dw = geo(g, G_DW);
  const padT = geo(g, G_PAD_T), padL = geo(g, G_PAD_L);
  const pixelBytes = <usize>C << 2, tapBytes = <usize>(C * M) << 2;
  const rowStep = <usize>(dh * W) * pixelBytes, colStep = <usize>dw * pixelBytes;
  // Vectors when output channel = input channel (M = 1) and C >= 4: groups of 4 channels at byte
  // offsets 0, 16, ..., the last group moved back to C - 4 when C % 4 != 0 (it overlaps the one
  // before and writes the shared channels again with the same values). Other cases go in scalar.
  const vector = M == 1 && C >= 4;
  const vEnd: usize = vector ? <usize>((C + 3) & ~3) << 2 : 0, vLast: usize = vector ? <usize>(C - 4) << 2 : 0;
  const end: usize = vector ? 0 : tapBytes;
  const zero = f32x4.splat(0), lo4 = f32x4.splat(lo), hi4 = f32x4.splat(hi);
  const is3x3 = fh == 3 && fw == 3, is1x1 = fh == 1 && fw == 1, is5x5 = fh == 5 && fw == 5;
  // Pixel pairs: 3x3 or 5x5 filters, stride 1 or 2 along rows, no column dilation, vectors.
  const pairKind = !vector || dw != 1 || (sw != 1 && sw != 2) ? 0 : is3x3 ? sw : is5x5 ? sw + 2 : 0;
  const pairStep = <usize>sw * pixelBytes, rowTaps = tapBytes * <usize>fw;
  for (let b = 0; b < geo(g, G_BATCH); b++) {
    const image = x + <usize>(b * H) * W * pixelBytes;
    for (let oy = 0; oy < oh; oy++) {
      const iy0 = oy * sh - padT;
      const fyLo = firstTap(iy0, dh), fyHi = endTap(iy0, dh, fh, H, fyLo);
      const rowsFull = fyLo == 0 && fyHi == fh;
      for (let ox = 0; ox < ow; ox++, out += tapBytes) {
        const ix0 = ox * sw - padL;
        const fxLo = firstTap(ix0, dw), fxHi = endTap(ix0, dw, fw, W, fxLo);
        const at = image + <usize>(iy0 * W + ix0) * pixelBytes;
        if (pairKind == 1 && ox + 3 < ow && ix0 >= 0 && ix0 + 6 <= W) {
          // Four pixels of a 3x3 filter at stride 1: each filter row loads 6 input and 3 filter vectors for 12 products.
          const at0 = at + <usize>fyLo * rowStep, f0 = f + <usize>fyLo * rowTaps, rows = fyHi - fyLo;
          for (let c: usize = 0; c < vEnd; c += 16) {
            const cc = min(c, vLast);
            let p = at0 + cc, t = f0 + cc, s0 = zero, s1 = zero, s2 = zero, s3 = zero;
            for (let r = 0; r < rows; r++, p += rowStep, t += rowTaps) {
              const w0 = v128.load(t), w1 = v128.load(t + tapBytes), w2 = v128.load(t + tapBytes * 2);
              const x0 = v128.load(p), x1 = v128.load(p + pixelBytes), x2 = v128.load(p + pixelBytes * 2);
              s0 = f32x4.add(s0, madd4(x2, w2, madd4(x1, w1, f32x4.mul(x0, w0))));
              const x3 = v128.load(p + pixelBytes * 3);
              s1 = f32x4.add(s1, madd4(x3, w2, madd4(x2, w1, f32x4.mul(x1, w0))));
              const x4 = v128.load(p + pixelBytes * 4);
              s2 = f32x4.add(s2, madd4(x4, w2, madd4(x3, w1, f32x4.mul(x2, w0))));
              s3 = f32x4.add(s3, madd4(v128.load(p + pixelBytes * 5), w2, madd4(x4, w1, f32x4.mul(x3, w0))));
            }
            const bv = bias ? v128.load(bias + cc) : zero;
            v128.store(out + cc, clamp4(f32x4.add(s0, bv), lo4, hi4));
            v128.store(out + tapBytes + cc, clamp4(f32x4.add(s1, bv), lo4, hi4));
            v128.store(out + tapBytes * 2 + cc, clamp4(f32x4.add(s2, bv), lo4, hi4));
            v128.store(out + tapBytes * 3 + cc, clamp4(f32x4.add(s3, bv), lo4, hi4));
          }
          ox += 3;
          out += tapBytes * 3;
          continue;
        }
        if (pairKind && ox + 1 < ow && ix0 >= 0 && ix0 + sw + fw <= W) {
          // This pixel and the next (sw columns on) share fw - sw of their columns: each filter
          // row loads fw + sw input vectors and fw filter vectors for 2 * fw products. Rows
          // outside the image (fyLo, fyHi) are skipped, so border rows take this path too.
          const at0 = at + <usize>fyLo * rowStep, f0 = f + <usize>fyLo * rowTaps, rows = fyHi - fyLo;
          const out1 = out + tapBytes;
          for (let c: usize = 0; c < vEnd; c += 16) {
            const cc = min(c, vLast);
            let p = at0 + cc, t = f0 + cc, s0 = zero, s1 = zero;
            if (pairKind == 1) {
              for (let r = 0; r < rows; r++, p += rowStep, t += rowTaps) {
                const w0 = v128.load(t), w1 = v128.load(t + tapBytes), w2 = v128.load(t + tapBytes * 2);
                const x1 = v128.load(p + pixelBytes), x2 = v128.load(p + pixelBytes * 2);
                s0 = f32x4.add(s0, madd4(x2, w2, madd4(x1, w1, f32x4.mul(v128.load(p), w0))));
                s1 = f32x4.add(s1, madd4(v128.load(p + pixelBytes * 3), w2, madd4(x2, w1, f32x4.mul(x1, w0))));
              }
            } else if (pairKind == 2) {
              for (let r = 0; r < rows; r++, p += rowStep, t += rowTaps) {
                const w0 = v128.load(t), w1 = v128.load(t + tapBytes), w2 = v128.load(t + tapBytes * 2);
                const x2 = v128.load(p + pixelBytes * 2);
                s0 = f32x4.add(s0, madd4(x2, w2, madd4(v128.load(p + pixelBytes), w1, f32x4.mul(v128.load(p), w0))));
                s1 = f32x4.add(s1, madd4(v128.load(p + pixelBytes * 4), w2, madd4(v128.load(p + pixelBytes * 3), w1, f32x4.mul(x2, w0))));
              }
            } else if (pairKind == 3) {
              // One chain of products per pixel, tap by tap as the ranged loop sums them (the same floats).
              for (let r = 0; r < rows; r++, p += rowStep, t += rowTaps) {
                const w0 = v128.load(t), x1 = v128.load(p + pixelBytes);
                s0 = madd4(v128.load(p), w0, s0); s1 = madd4(x1, w0, s1);
                const w1 = v128.load(t + tapBytes), x2 = v128.load(p + pixelBytes * 2);
                s0 = madd4(x1, w1, s0); s1 = madd4(x2, w1, s1);
                const w2 = v128.load(t + tapBytes * 2), x3 = v128.load(p + pixelBytes * 3);
                s0 = madd4(x2, w2, s0); s1 = madd4(x3, w2, s1);
                const w3 = v128.load(t + tapBytes * 3), x4 = v128.load(p + pixelBytes * 4);
                s0 = madd4(x3, w3, s0); s1 = madd4(x4, w3, s1);
                const w4 = v128.load(t + tapBytes * 4);
                s0 = madd4(x4, w4, s0); s1 = madd4(v128.load(p + pixelBytes * 5), w4, s1);
              }
            } else {
              for (let r = 0; r < rows; r++, p += rowStep, t += rowTaps) {
                const w0 = v128.load(t), w1 = v128.load(t + tapBytes), x2 = v128.load(p + pixelBytes * 2);
                s0 = madd4(v128.load(p + pixelBytes), w1, madd4(v128.load(p), w0, s0));
                s1 = madd4(v128.load(p + pixelBytes * 3), w1, madd4(x2, w0, s1));
                const w2 = v128.load(t + tapBytes * 2), w3 = v128.load(t + tapBytes * 3), x4 = v128.load(p + pixelBytes * 4);
                s0 = madd4(v128.load(p + pixelBytes * 3), w3, madd4(x2, w2, s0));
                s1 = madd4(v128.load(p + pixelBytes * 5), w3, madd4(x4, w2, s1));
                const w4 = v128.load(t + tapBytes * 4);
                s0 = madd4(x4, w4, s0); s1 = madd4(v128.load(p + pixelBytes * 6), w4, s1);
              }
            }
            const bv = bias ? v128.load(bias + cc) : zero;
            v128.store(out + cc, clamp4(f32x4.add(s0, bv), lo4, hi4));
            v128.store(out1 + cc, clamp4(f32x4.add(s1, bv), lo4, hi4));
          }
          ox++;
          out += tapBytes;
          continue;
        }
        let c: usize = 0;
        if (rowsFull && fxLo == 0 && fxHi == fw) {
          if (is3x3) {
            for (; c < vEnd; c += 16) {
              const cc = min(c, vLast);
              const p = at + cc, t = f + cc;
              const r0 = madd4(v128.load(p + colStep + colStep), v128.load(t + tapBytes * 2),
                madd4(v128.load(p + colStep), v128.load(t + tapBytes), f32x4.mul(v128.load(p), v128.load(t))));
              const p1 = p + rowStep, t1 = t + tapBytes * 3;
              const r1 = madd4(v128.load(p1 + colStep + colStep), v128.load(t1 + tapBytes * 2),
                madd4(v128.load(p1 + colStep), v128.load(t1 + tapBytes), f32x4.mul(v128.load(p1), v128.load(t1))));
              const p2 = p1 + rowStep, t2 = t1 + tapBytes * 3;
              const r2 = madd4(v128.load(p2 + colStep + colStep), v128.load(t2 + tapBytes * 2),
                madd4(v128.load(p2 + colStep), v128.load(t2 + tapBytes), f32x4.mul(v128.load(p2), v128.load(t2))));
              const s = f32x4.add(f32x4.add(r0, r1), r2);
              v128.store(out + cc, clamp4(bias ? f32x4.add(s, v128.load(bias + cc)) : s, lo4, hi4));
            }
          } else if (is1x1) {
            for (; c < vEnd; c += 16) {
              const cc = min(c, vLast);
              const s = f32x4.mul(v128.load(at + cc), v128.load(f + cc));
              v128.store(out + cc, clamp4(bias ? f32x4.add(s, v128.load(bias + cc)) : s, lo4, hi4));
            }
          }
        }
        // Border pixels and other filters: the ranged loops (vectors, then scalar when not vector).
        for (; c < vEnd; c += 16) {
          const cc = min(c, vLast);
          let s = zero;
          for (let fy = fyLo; fy < fyHi; fy++) {
            const p = at + cc + <usize>fy * rowStep, t = f + cc + <usize>(fy * fw) * tapBytes;
            for (let fx = fxLo; fx < fxHi; fx++) s = madd4(v128.load(p + <usize>fx * colStep), v128.load(t + <usize>fx * tapBytes), s);
          }
          v128.store(out + cc, clamp4(bias ? f32x4.add(s, v128.load(bias + cc)) : s, lo4, hi4));
        }
        for (c = 0; c < end; c += 4) {
          let s: f32 = 0;
          const xc = <usize>(<i32>(c >> 2) / M) << 2;
          for (let fy = fyLo; fy < fyHi; fy++) {
            const p = at + xc + <usize>fy * rowStep, t = f + c + <usize>(fy * fw) * tapBytes;
            for (let fx = fxLo; fx < fxHi; fx++) s += load<f32>(p + <usize>fx * colStep) * load<f32>(t + <usize>fx * tapBytes);
          }
          store<f32>(out + c, clamp1(bias ? s + load<f32>(bias + c) : s, lo, hi));
        }
      }
    }
  }
}

const INPUT_GRAD = 1, FILTER_GRAD = 2;

/**
 * For each output pixel and filter tap inside the image: INPUT_GRAD x[pixel] += sum over q of
 * y[r] * f[tap]; FILTER_GRAD f[tap] += x[pixel] * y[r] (channel-wise, with the multiplier's
 * layout). `y` is dy, per output pixel; `x` is dx for INPUT_GRAD.
 */
function depthwise_pass(kind: i32, x: usize, f: usize, y: usize, g: usize): void {
  const H = geo(g, G_IN_H), W = geo(g, G_IN_W), C = geo(g, G_IN_C), M = geo(g, G_MULT);
  const oh = geo(g, G_OUT_H), ow = geo(g, G_OUT_W), fh = geo(g, G_FH), fw = geo(g, G_FW);
  const O = C * M;
  const vC = C & ~3;
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
            const tap = f + (<usize>(fy * fw + fx) * O << 2);
            if (M == 1) {
              // acc[c] += a[c] * b[c] over C channels: acc is x / f by kind.
              const acc = kind == INPUT_GRAD ? px : tap;
              const a = yRow;
              const bv = kind == FILTER_GRAD ? px : tap;
              let c = 0;
              for (; c < vC; c += 4) {
                const o = <usize>c << 2;
                v128.store(acc + o, f32x4.add(v128.load(acc + o), f32x4.mul(v128.load(a + o), v128.load(bv + o))));
              }
              for (; c < C; c++) {
                const o = <usize>c << 2;
                store<f32>(acc + o, load<f32>(acc + o) + load<f32>(a + o) * load<f32>(bv + o));
              }
            } else {
              for (let c = 0; c < C; c++) {
                const xc = px + (<usize>c << 2);
                const base = <usize>(c * M) << 2;
                if (kind == INPUT_GRAD) {
                  let s: f32 = 0;
                  for (let q = 0; q < M; q++) s += load<f32>(yRow + base + (<usize>q << 2)) * load<f32>(tap + base + (<usize>q << 2));
                  store<f32>(xc, load<f32>(xc) + s);
                } else {
                  const xv = load<f32>(xc);
                  const acc = tap;
                  const other = yRow;
                  for (let q = 0; q < M; q++) {
                    const o = base + (<usize>q << 2);
                    store<f32>(acc + o, load<f32>(acc + o) + xv * load<f32>(other + o));
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}

/** out = act(depthwise(x, filter) + bias); bias 0 for none. */
export function depthwise_conv2d(x: usize, filter: usize, out: usize, bias: usize, act: i32, alpha: f32, g: usize): void {
  const inRegisters = act == EPILOGUE_LINEAR || act == EPILOGUE_RELU || act == EPILOGUE_RELU6;
  const lo: f32 = act == EPILOGUE_RELU || act == EPILOGUE_RELU6 ? 0 : -Infinity;
  forward(x, filter, out, bias, lo, act == EPILOGUE_RELU6 ? 6 : Infinity, g);
  if (!inRegisters) {
    const O = geo(g, G_IN_C) * geo(g, G_MULT);
    epilogue_rows(out, <usize>O << 2, geo(g, G_BATCH) * geo(g, G_OUT_H) * geo(g, G_OUT_W), O, act, alpha);
  }
}

/** dx = the input gradient (written whole). */
export function depthwise_conv2d_backprop_input(dy: usize, filter: usize, dx: usize, g: usize): void {
  memory.fill(dx, 0, <usize>geo(g, G_BATCH) * geo(g, G_IN_H) * geo(g, G_IN_W) * geo(g, G_IN_C) << 2);
  depthwise_pass(INPUT_GRAD, dx, filter, dy, g);
}

/** dFilter (=, or += with accumulate) the filter gradient. */
export function depthwise_conv2d_backprop_filter(x: usize, dy: usize, dFilter: usize, accumulate: i32, g: usize): void {
  if (!accumulate) memory.fill(dFilter, 0, <usize>geo(g, G_FH) * geo(g, G_FW) * geo(g, G_IN_C) * geo(g, G_MULT) << 2);
  depthwise_pass(FILTER_GRAD, x, dFilter, dy, g);
}
