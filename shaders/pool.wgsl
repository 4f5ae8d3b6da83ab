// pool: max or average pooling over NHWC images, per channel (out_c = in_c), windows of
// f_h x f_w taps (dilated, strided, padded) that read only the pixels inside the image, in
// row-major window order (fy, then fx). MAX: the first pixel holding the window's max
// wins, a NaN beats every number (the first NaN wins), -Infinity for a window with no pixel
// inside; else the average of the pixels inside (NaN for none: 0 / 0, as the reference).
//
// pool_forward: one invocation per output element (b, oy, ox, c).
// pool_backward: one invocation per dx element (b, iy, ix, c), gathering from the windows
//   that read it: for each tap (fy, fx) whose output pixel (oy, ox) exists, MAX adds
//   dy[b, oy, ox, c] when that window's winner (found again, the forward's rule) is this
//   pixel; average adds dy[b, oy, ox, c] / (pixels inside that window). No atomics, no
//   scratch; each invocation loops f_h * f_w times (and as often again per window for MAX).
//
// Bindings: 0 params; 1 x, 2 dy (pool_backward; a dummy for pool_forward), read-only;
// 3 out (or dx), written. Grid: elements / WORKGROUP_SIZE folded into (x, y).

override WORKGROUP_SIZE: u32 = 64u;
override MAX: bool = true;

struct Params {
  size: u32, batch: u32, in_h: u32, in_w: u32, channels: u32, out_h: u32, out_w: u32,
  f_h: u32, f_w: u32, stride_h: u32, stride_w: u32, dil_h: u32, dil_w: u32, pad_top: i32, pad_left: i32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

fn is_nan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }
fn nan_value() -> f32 { let bits = 0x7fc00000u; return bitcast<f32>(bits); }
fn neg_infinity() -> f32 { let bits = 0xff800000u; return bitcast<f32>(bits); }

fn element(group: vec3<u32>, groups: vec3<u32>, lid: u32) -> u32 {
  return (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
}

// The window of output pixel (bi, oy, ox), channel c: its value (max or average), the index
// into x of the max's winner (0xffffffff: none) and the count of pixels inside.
struct Window { value: f32, winner: u32, count: u32 }

fn window_of(bi: u32, oy: u32, ox: u32, c: u32) -> Window {
  var best = neg_infinity();
  var winner = 0xffffffffu;
  var total = 0.0;
  var count = 0u;
  for (var fy = 0u; fy < params.f_h; fy++) {
    let iy = i32(oy * params.stride_h + fy * params.dil_h) - params.pad_top;
    if (iy < 0 || u32(iy) >= params.in_h) { continue; }
    for (var fx = 0u; fx < params.f_w; fx++) {
      let ix = i32(ox * params.stride_w + fx * params.dil_w) - params.pad_left;
      if (ix < 0 || u32(ix) >= params.in_w) { continue; }
      let at = ((bi * params.in_h + u32(iy)) * params.in_w + u32(ix)) * params.channels + c;
      let v = x[at];
      count++;
      if (MAX) {
        if (winner != 0xffffffffu && is_nan(best)) { continue; }
        if (winner == 0xffffffffu || is_nan(v) || v > best) { best = v; winner = at; }
      } else {
        total += v;
      }
    }
  }
  if (MAX) { return Window(best, winner, count); }
  return Window(select(total / f32(count), nan_value(), count == 0u), winner, count);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn pool_forward(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = element(group, groups, lid);
  if (i >= params.size) { return; }
  let c = i % params.channels;
  let p = i / params.channels;
  let ox = p % params.out_w;
  let oy = (p / params.out_w) % params.out_h;
  let bi = p / (params.out_w * params.out_h);
  out[i] = window_of(bi, oy, ox, c).value;
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
fn pool_backward(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = element(group, groups, lid);
  if (i >= params.size) { return; }
  let c = i % params.channels;
  let p = i / params.channels;
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
      let g = dy[((bi * params.out_h + u32(oy)) * params.out_w + u32(ox)) * params.channels + c];
      let w = window_of(bi, u32(oy), u32(ox), c);
      if (MAX) {
        if (w.winner == i) { total += g; }
      } else {
        total += g / f32(w.count);
      }
    }
  }
  out[i] = total;
}
