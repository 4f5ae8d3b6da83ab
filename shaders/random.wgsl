// random: counter-based random numbers, defined in src/backends/reference/random.ts (read it
// for the scheme): Threefry-2x32-20 of counter (index, try) under key (k0, k1), u = (bits >>
// 8) * 2^-24, normals by Box-Muller with the angle in [-pi, pi). Entry points, one per
// distribution: draw_uniform, draw_uniform_int, draw_bernoulli, draw_normal (TRUNCATED:
// redraw while |z| > 2), draw_gamma, and draw_multinomial. Integer results (uniform_int, multinomial) match the other
// backends exactly; float results to float32 rounding (f32 here, f64 there).
//
// Grid: one invocation per output element, 2D-split by the host past 65535 workgroups.
// Bindings: 0 params {size, k0, k1, count | classes, samples, a, b}; 1 out, written;
// draw_multinomial: 1 out (int32 class indices), written, 2 probs, read.

override WORKGROUP_SIZE: u32 = 256u;
override TRUNCATED: bool = false;

struct Params { size: u32, k0: u32, k1: u32, count: u32, samples: u32, a: f32, b: f32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;

const MAX_TRIES: u32 = 64u;
const PI: f32 = 3.14159265358979;

fn threefry(k0: u32, k1: u32, c0: u32, c1: u32) -> vec2<u32> {
  let k2 = k0 ^ k1 ^ 0x1bd11bdau;
  var keys = array<u32, 3>(k0, k1, k2);
  var rotations = array<u32, 8>(13u, 15u, 26u, 6u, 17u, 29u, 16u, 24u);
  var x0 = c0 + k0;
  var x1 = c1 + k1;
  for (var r = 0u; r < 20u; r++) {
    x0 += x1;
    let s = rotations[r & 7u];
    x1 = ((x1 << s) | (x1 >> (32u - s))) ^ x0;
    if ((r & 3u) == 3u) {
      let j = (r + 1u) >> 2u;
      x0 += keys[j % 3u];
      x1 += keys[(j + 1u) % 3u] + j;
    }
  }
  return vec2<u32>(x0, x1);
}

fn unit(bits: u32) -> f32 { return f32(bits >> 8u) * (1.0 / 16777216.0); }
fn unit_open(bits: u32) -> f32 { return f32((bits >> 8u) + 1u) * (1.0 / 16777216.0); }
// WGSL's log and cos may be as coarse as 2^-21 and 2^-11 absolute (SwiftShader's cos is), so
// the two are written out: series accurate to float32 on the arguments they get here.

// ln(u) for a positive normal u: u = m 2^e with m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh(s),
// s = (m - 1) / (m + 1), |s| < 0.172, odd series to s^11 (next term below 1e-11).
fn ln(u: f32) -> f32 {
  let bits = bitcast<u32>(u);
  var e = f32(i32((bits >> 23u) & 0xffu) - 127);
  var m = bitcast<f32>((bits & 0x7fffffu) | 0x3f800000u);
  if (m > 1.41421356) { m *= 0.5; e += 1.0; }
  let s = (m - 1.0) / (m + 1.0);
  let s2 = s * s;
  let series = 2.0 + s2 * (2.0 / 3.0 + s2 * (0.4 + s2 * (2.0 / 7.0 + s2 * (2.0 / 9.0 + s2 * (2.0 / 11.0)))));
  return e * 0.693147180559945 + s * series;
}

// cos(pi t) for t in [-1, 1]: folded onto [0, 1/4] of cos or sin, Taylor to x^10 / x^9
// (remainders below 2e-9 on [0, pi/4]).
fn cos_pi(t: f32) -> f32 {
  var a = abs(t);
  var sign = 1.0;
  if (a > 0.5) { a = 1.0 - a; sign = -1.0; }
  if (a <= 0.25) {
    let x2 = (PI * a) * (PI * a);
    return sign * (1.0 - x2 / 2.0 * (1.0 - x2 / 12.0 * (1.0 - x2 / 30.0 * (1.0 - x2 / 56.0 * (1.0 - x2 / 90.0)))));
  }
  let x = PI * (0.5 - a);
  let x2 = x * x;
  return sign * x * (1.0 - x2 / 6.0 * (1.0 - x2 / 20.0 * (1.0 - x2 / 42.0 * (1.0 - x2 / 72.0))));
}

fn box_muller(w: vec2<u32>) -> f32 {
  return sqrt(-2.0 * ln(unit_open(w.x))) * cos_pi(2.0 * unit(w.y) - 1.0);
}

// The high word of a 32 x 32 -> 64-bit product, from 16-bit halves (WGSL has no u64).
fn mul_high(a: u32, b: u32) -> u32 {
  let a_lo = a & 0xffffu; let a_hi = a >> 16u;
  let b_lo = b & 0xffffu; let b_hi = b >> 16u;
  let lo_lo = a_lo * b_lo; let hi_lo = a_hi * b_lo; let lo_hi = a_lo * b_hi; let hi_hi = a_hi * b_hi;
  let cross = (lo_lo >> 16u) + (hi_lo & 0xffffu) + (lo_hi & 0xffffu);
  return hi_hi + (hi_lo >> 16u) + (lo_hi >> 16u) + (cross >> 16u);
}

fn index_of(group: vec3<u32>, groups: vec3<u32>, lid: u32) -> u32 {
  return (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn draw_uniform(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
           @builtin(local_invocation_index) lid: u32) {
  let i = index_of(group, groups, lid);
  if (i >= params.size) { return; }
  out[i] = bitcast<u32>(params.a + params.b * unit(threefry(params.k0, params.k1, i, 0u).x));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn draw_uniform_int(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
  let i = index_of(group, groups, lid);
  if (i >= params.size) { return; }
  // a is the int32 minimum's bits, passed in the `samples` word.
  out[i] = params.samples + mul_high(threefry(params.k0, params.k1, i, 0u).x, params.count);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn draw_bernoulli(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
  let i = index_of(group, groups, lid);
  if (i >= params.size) { return; }
  let u = unit(threefry(params.k0, params.k1, i, 0u).x);
  out[i] = bitcast<u32>(select(0.0, params.b, u >= params.a));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn draw_normal(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
          @builtin(local_invocation_index) lid: u32) {
  let i = index_of(group, groups, lid);
  if (i >= params.size) { return; }
  var z = box_muller(threefry(params.k0, params.k1, i, 0u));
  if (TRUNCATED) {
    for (var t = 1u; t < MAX_TRIES && abs(z) > 2.0; t++) {
      z = box_muller(threefry(params.k0, params.k1, i, t));
    }
    if (abs(z) > 2.0) { z = 0.0; }
  }
  out[i] = bitcast<u32>(params.a + params.b * z);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn draw_gamma(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
         @builtin(local_invocation_index) lid: u32) {
  let i = index_of(group, groups, lid);
  if (i >= params.size) { return; }
  let alpha = params.a;
  let d = select(alpha - 1.0 / 3.0, alpha + 2.0 / 3.0, alpha < 1.0);
  let c = 1.0 / sqrt(9.0 * d);
  var v = 1.0;
  var boost = 1.0;
  for (var t = 0u; t < MAX_TRIES; t++) {
    let x = box_muller(threefry(params.k0, params.k1, i, 2u * t));
    let w = threefry(params.k0, params.k1, i, 2u * t + 1u);
    let root = 1.0 + c * x;
    if (root <= 0.0) { continue; }
    v = root * root * root;
    let u = unit_open(w.x);
    boost = unit_open(w.y);
    let x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2 || ln(u) < 0.5 * x2 + d * (1.0 - v + ln(v))) { break; }
  }
  var value = d * v;
  if (alpha < 1.0) { value *= exp(ln(boost) / alpha); }
  out[i] = bitcast<u32>(params.b * value);
}

@group(0) @binding(2) var<storage, read> probs: array<f32>;

// One invocation per (row, sample); the running sum is f32 in class order, as everywhere.
@compute @workgroup_size(WORKGROUP_SIZE)
fn draw_multinomial(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
  let i = index_of(group, groups, lid);
  if (i >= params.size) { return; }
  let classes = params.count;
  let base = (i / params.samples) * classes;
  let u = unit(threefry(params.k0, params.k1, i, 0u).x);
  var total = 0.0;
  var last_nonzero = 0u;
  var chosen = classes;
  for (var c = 0u; c < classes; c++) {
    let p = probs[base + c];
    total += p;
    if (p > 0.0) { last_nonzero = c; }
    if (u < total) { chosen = c; break; }
  }
  out[i] = select(chosen, last_nonzero, chosen == classes);
}
