// convDepthwise: depthwise 2-D convolution over NHWC images, filter [f_h, f_w, in_c, mult]
// (out channel ch = c * mult + q reads input channel c = ch / mult and filter column ch, so
// the filter is [taps, out_c] as stored). Reads outside the image are zeros.
//
// dw_forward: one invocation per output element (b, oy, ox, ch):
//   out = act(sum over taps of x[b, iy, ix, c] * filter[tap, ch] + bias[ch]).
// dw_input: one invocation per dx element (b, iy, ix, c): the sum over taps and q of
//   dy[the output pixel whose window reads (iy, ix) at tap, c * mult + q] * filter[tap, c * mult + q].
// dw_filter: one workgroup per (filter element e = (tap, ch), chunk z = group.y): its
//   WORKGROUP_SIZE invocations stride over the chunk's `chunk` output pixels, summing
//   x[window pixel at tap, c] * dy[pixel, ch], then add their sums as a tree in workgroup
//   memory; the chunk's sum goes to out[z * m + e] (the host adds chunks up with
//   sum_partials; with one chunk it points out at dFilter and ACCUMULATE adds to it). Each
//   invocation loops at most chunk / WORKGROUP_SIZE times, under lavapipe's loop cap.
// sum_partials: out[e] = (ACCUMULATE ? out[e] : 0) + sum over z < chunks of a[z * m + e].
//
// Bindings: 0 params; 1 a (x, or dy for dw_input, partials for sum_partials), 2 b (the
// filter, or dy for dw_filter), 3 bias (or a dummy), read-only; 4 out, written.
// Grid: elements / WORKGROUP_SIZE folded into (x, y) for the per-element entries;
// (filter elements folded into x and z, chunks in y) for dw_filter.

override WORKGROUP_SIZE: u32 = 64u;
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;
override ACTIVATION: u32 = 0u;

struct Params {
  m: u32, mult: u32, chunk: u32, chunks: u32,
  batch: u32, in_h: u32, in_w: u32, in_c: u32, out_h: u32, out_w: u32, out_c: u32,
  f_h: u32, f_w: u32, stride_h: u32, stride_w: u32, dil_h: u32, dil_w: u32, pad_top: i32, pad_left: i32,
  alpha: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

var<workgroup> sums: array<f32, WORKGROUP_SIZE>;

fn tanh_stable(v: f32) -> f32 {
  let t = abs(v);
  if (t < 0.3) {
    let s = v * v;
    return v * (1.0 + s * (-1.0 / 3.0 + s * (2.0 / 15.0 + s * (-17.0 / 315.0 + s * (62.0 / 2835.0)))));
  }
  let e = exp(-2.0 * t);
  let r = (1.0 - e) / (1.0 + e);
  return select(-r, r, v >= 0.0);
}

fn is_nan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }

// gemm.wgsl's epilogue op (NaN kept, tested on the bits).
fn activate(v: f32) -> f32 {
  if (is_nan(v)) { return v; }
  switch ACTIVATION {
    case EPILOGUE_RELU: { return select(v, 0.0, v < 0.0); }
    case EPILOGUE_RELU6: { return select(select(v, 0.0, v < 0.0), 6.0, v > 6.0); }
    case EPILOGUE_SIGMOID: {
      let e = exp(-abs(v));
      return select(e / (1.0 + e), 1.0 / (1.0 + e), v >= 0.0);
    }
    case EPILOGUE_TANH: { return tanh_stable(v); }
    case EPILOGUE_ELU: { return select(exp(v) - 1.0, v, v > 0.0); }
    case EPILOGUE_LEAKY_RELU: { return select(v, params.alpha * v, v < 0.0); }
    case EPILOGUE_LINEAR, default: { return v; }
  }
}

fn element(group: vec3<u32>, groups: vec3<u32>, lid: u32) -> u32 {
  return (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
}

// x[b, window row/column of output (oy, ox) at (fy, fx), c], 0 outside the image.
fn x_at(bi: u32, oy: u32, ox: u32, fy: u32, fx: u32, c: u32) -> f32 {
  let iy = i32(oy * params.stride_h + fy * params.dil_h) - params.pad_top;
  let ix = i32(ox * params.stride_w + fx * params.dil_w) - params.pad_left;
  if (iy < 0 || ix < 0 || u32(iy) >= params.in_h || u32(ix) >= params.in_w) { return 0.0; }
  return a[((bi * params.in_h + u32(iy)) * params.in_w + u32(ix)) * params.in_c + c];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn dw_forward(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = element(group, groups, lid);
  if (i >= params.m) { return; }
  let ch = i % params.out_c;
  let p = i / params.out_c;
  let ox = p % params.out_w;
  let oy = (p / params.out_w) % params.out_h;
  let bi = p / (params.out_w * params.out_h);
  let c = ch / params.mult;
  var total = 0.0;
  for (var fy = 0u; fy < params.f_h; fy++) {
    for (var fx = 0u; fx < params.f_w; fx++) {
      total = fma(x_at(bi, oy, ox, fy, fx, c), b[(fy * params.f_w + fx) * params.out_c + ch], total);
    }
  }
  if (HAS_BIAS) { total += bias[ch]; }
  out[i] = activate(total);
}

// The output row (or column) whose window reads input position `i` at filter offset `f`
// (f * dilation), or -1 when none does.
fn source_of(i: u32, f: u32, pad: i32, stride: u32, size: u32) -> i32 {
  let shifted = i32(i) + pad - i32(f);
  if (shifted < 0 || u32(shifted) % stride != 0u) { return -1; }
  let o = u32(shifted) / stride;
  return select(-1, i32(o), o < size);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn dw_input(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = element(group, groups, lid);
  if (i >= params.m) { return; }
  let c = i % params.in_c;
  let p = i / params.in_c;
  let ix = p % params.in_w;
  let iy = (p / params.in_w) % params.in_h;
  let bi = p / (params.in_w * params.in_h);
  var total = 0.0;
  for (var fy = 0u; fy < params.f_h; fy++) {
    let oy = source_of(iy, fy * params.dil_h, params.pad_top, params.stride_h, params.out_h);
    if (oy < 0) { continue; }
    for (var fx = 0u; fx < params.f_w; fx++) {
      let ox = source_of(ix, fx * params.dil_w, params.pad_left, params.stride_w, params.out_w);
      if (ox < 0) { continue; }
      let dy_base = ((bi * params.out_h + u32(oy)) * params.out_w + u32(ox)) * params.out_c + c * params.mult;
      let f_base = (fy * params.f_w + fx) * params.out_c + c * params.mult;
      for (var q = 0u; q < params.mult; q++) { total = fma(a[dy_base + q], b[f_base + q], total); }
    }
  }
  out[i] = total;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn dw_filter(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  // e = (tap, ch) of the filter, folded into x and z; uniform across the workgroup, as is the chunk.
  let e = group.z * groups.x + group.x;
  if (e >= params.m) { return; }
  let ch = e % params.out_c;
  let tap = e / params.out_c;
  let fy = tap / params.f_w;
  let fx = tap % params.f_w;
  let c = ch / params.mult;
  let pixels = params.batch * params.out_h * params.out_w;
  let begin = group.y * params.chunk;
  let end = min(pixels, begin + params.chunk);
  var total = 0.0;
  for (var p = begin + lid; p < end; p += WORKGROUP_SIZE) {
    let ox = p % params.out_w;
    let oy = (p / params.out_w) % params.out_h;
    let bi = p / (params.out_w * params.out_h);
    total = fma(x_at(bi, oy, ox, fy, fx, c), b[p * params.out_c + ch], total);
  }
  sums[lid] = total;
  workgroupBarrier();
  for (var half = WORKGROUP_SIZE / 2u; half > 0u; half = half / 2u) {
    if (lid < half) { sums[lid] += sums[lid + half]; }
    workgroupBarrier();
  }
  if (lid == 0u) {
    var v = sums[0];
    let at = group.y * params.m + e;
    if (ACCUMULATE) { v += out[at]; }
    out[at] = v;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn sum_partials(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let e = element(group, groups, lid);
  if (e >= params.m) { return; }
  var total = 0.0;
  for (var z = 0u; z < params.chunks; z++) { total += a[z * params.m + e]; }
  if (ACCUMULATE) { total += out[e]; }
  out[e] = total;
}
