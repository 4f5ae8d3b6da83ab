// pool: max or average pooling over NHWC images, per channel (out_c = in_c), windows of
// f_h x f_w taps (dilated, strided, padded) that read only the pixels inside the image, in
// row-major window order (fy, then fx). MAX: the first pixel holding the window's max
// wins, a NaN beats every number (the first NaN wins), -Infinity for a window with no pixel
// inside; else the average of the pixels inside (NaN for none: 0 / 0, as the reference).
//
// pool_forward: one invocation per output element (b, oy, ox, c): the window's value, or with
//   WINNERS (MAX only) the winner's tap fy * f_w + fx as an f32 (exact below 2^24; -1: none).
// pool_window: the same for windows of many taps, one workgroup per output element: its
//   WORKGROUP_SIZE invocations stride over the taps, then combine (value, tap) pairs as a tree
//   in workgroup memory by the same rule (a NaN first, then the larger value, then the lower
//   tap; sums and counts for the average), so no invocation loops more than
//   taps / WORKGROUP_SIZE times (lavapipe stops an invocation near 65,535 iterations in all).
// pool_backward: one invocation per dx element (b, iy, ix, c), gathering from the windows
//   that read it: for each tap (fy, fx) whose output pixel (oy, ox) exists, MAX adds
//   dy[b, oy, ox, c] when that window's winner (binding 1 holds the winners) is this tap;
//   average adds dy[b, oy, ox, c] / (pixels inside that window). No atomics.
// pool_forward loops over a window's taps; the host picks pool_window past 1024 taps.
// pool_backward loops over the windows that read a pixel (at most f_h * f_w of them).
//
// Bindings: 0 params; 1 x (pool_backward: the winners, MAX, or a dummy), 2 dy (pool_backward;
// a dummy for pool_forward), read-only; 3 out (or dx), written. Grid: elements /
// WORKGROUP_SIZE folded into (x, y).

override WORKGROUP_SIZE: u32 = 64u;
override MAX: bool = true;
override WINNERS: bool = false;

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

// The window of output pixel (bi, oy, ox), channel c: its value (max or average) and the
// max's winning tap (-1: none).
struct Window { value: f32, winner: i32 }

fn window_of(bi: u32, oy: u32, ox: u32, c: u32) -> Window {
  var best = neg_infinity();
  var winner = -1;
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
        if (winner >= 0 && is_nan(best)) { continue; }
        if (winner < 0 || is_nan(v) || v > best) { best = v; winner = i32(fy * params.f_w + fx); }
      } else {
        total += v;
      }
    }
  }
  if (MAX) { return Window(best, winner); }
  return Window(select(total / f32(count), nan_value(), count == 0u), winner);
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
  let w = window_of(bi, oy, ox, c);
  out[i] = select(w.value, f32(w.winner), WINNERS);
}

// The taps f < size whose position base + f * dilation lies in [0, extent), counted without a loop.
fn taps_inside(base: i32, size: u32, dilation: u32, extent: u32) -> i32 {
  let d = i32(dilation);
  let last = i32(extent) - 1 - base;
  if (last < 0) { return 0; }
  let lo = select(0, (-base + d - 1) / d, base < 0);
  let hi = min(i32(size) - 1, last / d);
  return max(0, hi - lo + 1);
}

var<workgroup> wg_value: array<f32, WORKGROUP_SIZE>;
var<workgroup> wg_tap: array<i32, WORKGROUP_SIZE>;
var<workgroup> wg_count: array<u32, WORKGROUP_SIZE>;

// Whether (v, tap) wins over (best, best_tap) for the max: tap -1 is none, a NaN wins, then
// the larger value, then the lower tap.
fn beats(v: f32, tap: i32, best: f32, best_tap: i32) -> bool {
  if (tap < 0) { return false; }
  if (best_tap < 0) { return true; }
  let nan_v = is_nan(v);
  let nan_best = is_nan(best);
  if (nan_v != nan_best) { return nan_v; }
  if (!nan_v && v != best) { return v > best; }
  return tap < best_tap;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn pool_window(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = group.y * groups.x + group.x;
  if (i >= params.size) { return; }
  let c = i % params.channels;
  let p = i / params.channels;
  let ox = p % params.out_w;
  let oy = (p / params.out_w) % params.out_h;
  let bi = p / (params.out_w * params.out_h);
  var best = neg_infinity();
  var winner = -1;
  var total = 0.0;
  var count = 0u;
  let taps = params.f_h * params.f_w;
  for (var t = lid; t < taps; t += WORKGROUP_SIZE) {
    let iy = i32(oy * params.stride_h + (t / params.f_w) * params.dil_h) - params.pad_top;
    let ix = i32(ox * params.stride_w + (t % params.f_w) * params.dil_w) - params.pad_left;
    if (iy < 0 || ix < 0 || u32(iy) >= params.in_h || u32(ix) >= params.in_w) { continue; }
    let v = x[((bi * params.in_h + u32(iy)) * params.in_w + u32(ix)) * params.channels + c];
    count++;
    total += v;
    if (beats(v, i32(t), best, winner)) { best = v; winner = i32(t); }
  }
  wg_value[lid] = select(total, best, MAX);
  wg_tap[lid] = winner;
  wg_count[lid] = count;
  workgroupBarrier();
  for (var half = WORKGROUP_SIZE / 2u; half > 0u; half = half / 2u) {
    if (lid < half) {
      let v = wg_value[lid + half];
      if (MAX) {
        if (beats(v, wg_tap[lid + half], wg_value[lid], wg_tap[lid])) { wg_value[lid] = v; wg_tap[lid] = wg_tap[lid + half]; }
      } else {
        wg_value[lid] += v;
        wg_count[lid] += wg_count[lid + half];
      }
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    var value = wg_value[0];
    if (!MAX) { value = select(value / f32(wg_count[0]), nan_value(), wg_count[0] == 0u); }
    out[i] = select(value, f32(wg_tap[0]), WINNERS);
  }
}

// The count of pixels inside window (oy, ox), as f32.
fn window_count(oy: u32, ox: u32) -> f32 {
  let rows = taps_inside(i32(oy * params.stride_h) - params.pad_top, params.f_h, params.dil_h, params.in_h);
  let cols = taps_inside(i32(ox * params.stride_w) - params.pad_left, params.f_w, params.dil_w, params.in_w);
  return f32(rows * cols);
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
      if (MAX) {
        let winner = x[((bi * params.out_h + u32(oy)) * params.out_w + u32(ox)) * params.channels + c];
        if (winner == f32(fy * params.f_w + fx)) { total += g; }
      } else {
        total += g / window_count(u32(oy), u32(ox));
      }
    }
  }
  out[i] = total;
}
