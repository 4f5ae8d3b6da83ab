/**
 * depthwiseConv2d and its two gradients (kernel-params.ts DepthwiseConv2D*): direct NHWC loops,
 * geometry at `g` (conv-geometry.ts, G_MULT the channel multiplier M). Output channel
 * c * M + q reads input channel c with filter[fy, fx, c, q]. With M = 1 (the common case) each
 * tap is one pass over the channels in f32x4 (4 channels a step, scalar tail); other
 * multipliers loop over (c, q) in scalar.
 */
import { geo, G_BATCH, G_DH, G_DW, G_FH, G_FW, G_IN_C, G_IN_H, G_IN_W, G_MULT, G_OUT_H, G_OUT_W, G_PAD_L, G_PAD_T, G_SH, G_SW } from './conv-geometry';
import { epilogue_rows, fill_bias_rows } from './gemm-epilogue';
import { EPILOGUE_LINEAR } from './opcodes.generated';

const FORWARD = 0, INPUT_GRAD = 1, FILTER_GRAD = 2;

/**
 * For each output pixel and filter tap inside the image: FORWARD out[r] += x[pixel] * f[tap];
 * INPUT_GRAD x[pixel] += sum over q of y[r] * f[tap]; FILTER_GRAD f[tap] += x[pixel] * y[r]
 * (channel-wise, with the multiplier's layout). `y` is out or dy, per output pixel.
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
              // acc[c] += a[c] * b[c] over C channels: acc is out / x / f by kind.
              const acc = kind == FORWARD ? yRow : kind == INPUT_GRAD ? px : tap;
              const a = kind == FORWARD ? px : yRow;
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
                  const acc = kind == FORWARD ? yRow : tap;
                  const other = kind == FORWARD ? tap : yRow;
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

/** out = act(depthwise(x, filter) + bias). */
export function depthwise_conv2d(x: usize, filter: usize, out: usize, bias: usize, act: i32, alpha: f32, g: usize): void {
  const P = geo(g, G_BATCH) * geo(g, G_OUT_H) * geo(g, G_OUT_W), O = geo(g, G_IN_C) * geo(g, G_MULT);
  const rowBytes = <usize>O << 2;
  fill_bias_rows(out, rowBytes, P, O, bias, 0);
  depthwise_pass(FORWARD, x, filter, out, g);
  if (act != EPILOGUE_LINEAR) epilogue_rows(out, rowBytes, P, O, act, alpha);
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
