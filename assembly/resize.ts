/**
 * Image resizes, NHWC float32 (src/backends/kernel-params.ts ResizeParams: TF.js's sample
 * positions in f64, the blends in f32 in the op composition's order, no fused multiply-add, so
 * the results equal the reference's bit for bit). Bilinear: each output row is the vertical blend
 * of two source rows' horizontal blends, each of those computed once while consecutive output rows
 * share it; nearest copies each output pixel's source pixel. Channels run 4 lanes at a time, the last c % 4 as one more
 * vector overlapping the previous one (c >= 4), or one channel at a time (c < 4; partial-vector
 * loads and stores measured 3.5x slower there). Same-size resizes are one pass over the buffer.
 */

/** Input over output size along an axis, as TF.js computes it. */
function scaleOf(input: i32, output: i32, alignCorners: bool): f64 {
  return alignCorners && output > 1 ? <f64>(input - 1) / <f64>(output - 1) : <f64>input / <f64>output;
}

/** JS's Math.round for source >= 0: ties go up. */
function roundHalfUp(s: f64): f64 {
  const low = Math.floor(s);
  return s - low >= 0.5 ? low + 1 : low;
}

function nearestIndex(i: i32, scale: f64, input: i32, alignCorners: bool, halfPixelCenters: bool): i32 {
  const source = halfPixelCenters ? scale * (<f64>i + 0.5) : scale * <f64>i;
  const at = min(input - 1, <i32>(alignCorners ? roundHalfUp(source) : Math.floor(source)));
  return halfPixelCenters ? max(0, at) : at;
}

/** out = a + (b - a) * t, four lanes. */
// @ts-ignore: decorator
@inline function lerp4(a: v128, b: v128, t: v128): v128 {
  return f32x4.add(a, f32x4.mul(f32x4.sub(b, a), t));
}

/**
 * method 0: bilinear, 1: nearest. x [batch, inH, inW, c] to out [batch, outH, outW, c]; out
 * must not alias x. taps: outW * (12 + 8c) bytes of scratch: each output column's source byte
 * offsets and fraction (computed once), then two rows of horizontal blends (bilinear).
 */
export function resize(method: i32, x: usize, out: usize, batch: i32, inH: i32, inW: i32, c: i32,
  outH: i32, outW: i32, alignCorners: bool, halfPixelCenters: bool, taps: usize): void {
  const scaleY = scaleOf(inH, outH, alignCorners), scaleX = scaleOf(inW, outW, alignCorners);
  const pixel = <usize>c << 2, rowBytes = <usize>inW * pixel, imageBytes = <usize>inH * rowBytes;
  if (method == 1) {
    for (let i = 0; i < outW; i++) {
      store<u32>(taps + (<usize>i << 2), <u32>(<usize>nearestIndex(i, scaleX, inW, alignCorners, halfPixelCenters) * pixel));
    }
    for (let b = 0; b < batch; b++, x += imageBytes) {
      for (let y = 0; y < outH; y++) {
        const row = x + <usize>nearestIndex(y, scaleY, inH, alignCorners, halfPixelCenters) * rowBytes;
        for (let i = 0; i < outW; i++, out += pixel) memory.copy(out, row + <usize>load<u32>(taps + (<usize>i << 2)), pixel);
      }
    }
    return;
  }
  if (inH == outH && inW == outW) {
    // The same size: every flag maps i to i with fraction 0, so each value is the blend of four
    // copies of itself (a NaN for an Inf, +0 for -0, as the blends give), over the flat buffer.
    const zero = f32x4.splat(0), n = <usize>batch * imageBytes;
    let j: usize = 0;
    for (; j + 16 <= n; j += 16) {
      const v = v128.load(x + j), t = lerp4(v, v, zero);
      v128.store(out + j, lerp4(t, t, zero));
    }
    for (; j < n; j += 4) {
      const v = load<f32>(x + j), t = v + (v - v) * <f32>0;
      store<f32>(out + j, t + (t - t) * <f32>0);
    }
    return;
  }
  const shift: f64 = halfPixelCenters ? 0.5 : 0;
  for (let i = 0; i < outW; i++) {
    const sx = scaleX * (<f64>i + shift) - shift;
    const x0 = max(0, <i32>Math.floor(sx)), x1 = min(inW - 1, <i32>Math.ceil(sx));
    const tap = taps + <usize>i * 12;
    store<u32>(tap, <u32>(<usize>x0 * pixel));
    store<u32>(tap, <u32>(<usize>x1 * pixel), 4);
    store<f32>(tap, <f32>(sx - <f64>x0), 8);
  }
  // Each output row is the vertical blend of two source rows blended horizontally; those rows
  // are kept in two scratch rows, so an upsampling computes each source row's blend once.
  const outRow = <usize>outW * pixel, rowA = taps + <usize>outW * 12, rowB = rowA + outRow;
  for (let b = 0; b < batch; b++, x += imageBytes) {
    let heldA = -1, heldB = -1;
    for (let y = 0; y < outH; y++, out += outRow) {
      const sy = scaleY * (<f64>y + shift) - shift;
      const y0 = max(0, <i32>Math.floor(sy)), y1 = min(inH - 1, <i32>Math.ceil(sy));
      const fy = <f32>(sy - <f64>y0), ty = f32x4.splat(fy);
      // The top row in the scratch row not holding y1, then the bottom one in the other.
      let top = heldA == y0 ? rowA : heldB == y0 ? rowB : 0;
      if (top == 0) {
        top = heldA == y1 ? rowB : rowA;
        if (top == rowA) heldA = y0; else heldB = y0;
        blendRow(x + <usize>y0 * rowBytes, top, taps, outW, c);
      }
      let bottom = heldA == y1 ? rowA : heldB == y1 ? rowB : 0;
      if (bottom == 0) {
        bottom = top == rowA ? rowB : rowA;
        if (bottom == rowA) heldA = y1; else heldB = y1;
        blendRow(x + <usize>y1 * rowBytes, bottom, taps, outW, c);
      }
      let j: usize = 0;
      for (; j + 16 <= outRow; j += 16) v128.store(out + j, lerp4(v128.load(top + j), v128.load(bottom + j), ty));
      for (; j < outRow; j += 4) {
        const t = load<f32>(top + j);
        store<f32>(out + j, t + (load<f32>(bottom + j) - t) * fy);
      }
    }
  }
}

/** dst (outW pixels) = the horizontal blends of the source row src at the column taps. */
function blendRow(src: usize, dst: usize, taps: usize, outW: i32, c: i32): void {
  const pixel = <usize>c << 2, last = pixel - 16;
  for (let tap = taps, end = taps + <usize>outW * 12; tap < end; tap += 12, dst += pixel) {
    const a = src + <usize>load<u32>(tap), b = src + <usize>load<u32>(tap, 4);
    if (c < 4) {
      const fx = load<f32>(tap, 8);
      for (let j: usize = 0; j < pixel; j += 4) {
        const t = load<f32>(a + j);
        store<f32>(dst + j, t + (load<f32>(b + j) - t) * fx);
      }
      continue;
    }
    const tx = v128.load32_splat(tap + 8);
    // The last vector starts at pixel - 16 (overlapping the one before when c % 4 != 0).
    for (let j: usize = 0; ; j += 16) {
      if (j > last) j = last;
      v128.store(dst + j, lerp4(v128.load(a + j), v128.load(b + j), tx));
      if (j == last) break;
    }
  }
}
