// rnn: one time step of a recurrent layer call (kernel-params.ts RecurrentSequenceParams and
// RecurrentSequenceBackwardParams: the cell equations, layouts and mask rule are there). The
// host encodes one dispatch per step (gru with RESET_AFTER false: two), steps in order (the
// backward last to first, then a tail dispatch), all in one batch with no read-back; every
// dispatch reads what the one before it wrote.
//
// Fused matrix-vector steps: invocation i = b * units + k (batch row b, unit k) computes the
// recurrent product's columns of unit k for its row itself (a dot product over units, one per
// gate), then that unit's gate arithmetic. No workgroup memory and no barrier: a step of a
// recurrent layer is small (batch x G*units outputs), so one dispatch per step beats a GEMM
// dispatch plus a gate dispatch (measured: tests/backends/webgpu-recurrent.test.ts).
// h_{t-1} is read back from hSeq at step t - 1 (h0 at t = 0): no state buffer in the forward.
//
// forward (step t): reads h_{t-1} (and c_{t-1}), writes hSeq, cSeq and saved at step t. A gru
// with RESET_AFTER false writes z and r only; forward_candidate then reads r from saved for
// (r * hr) U_h and finishes the step.
// backward (step t): first gathers the gradient reaching h_t from step t + 1: the carried part
// in state (z * dh for gru, a masked step's dh) plus dropout * (P_{t+1} U^T)[k], P the gate
// gradients of step t + 1 (dxProj for simple and lstm, dhProj for gru; a RESET_AFTER false gru
// gathers its z and r columns only, backward_candidate having carried the candidate's part);
// adds dhSeq (and dcSeq), then writes step t's dxProj (dhProj) and the new carry. The tail
// dispatch (TAIL word 1) only gathers step 0's part into state: dh0 and dc0.
//
// Bindings: 0 params {batch, steps, units, t, next (the step gathered from), tail}; 1 recurrentKernel
// [units, G * units]; 2 aux = h0 [batch, units], c0 [batch, units], the recurrent dropout mask
// [batch, units], the mask [batch, steps] (raw words: float or int, nonzero = the step runs),
// recurrentBias [3 * units] (the host packs what exists; the rest is never read); 3 forward
// xProj, backward dhSeq; 4 backward hSeq (simple, gru) or cSeq (lstm); 5 backward saved;
// 6 forward hSeq, backward dxProj; 7 forward saved, backward state [2, batch, units] (dh and dc
// carried); 8 forward cSeq, backward dcSeq (lstm, read) or dhProj (gru). The host binds distinct
// stand-ins where a cell has no buffer (writable bindings must not alias).
// Grid: batch * units invocations, WORKGROUP_SIZE a workgroup, 2D-split past 65535 workgroups.

override CELL: u32 = 0u; // 0 simple, 1 lstm, 2 gru
override ACT: u32 = 0u; // activation: 0 tanh, 1 sigmoid, 2 hardSigmoid, 3 relu, 4 linear
override REC: u32 = 1u; // recurrentActivation, same codes
override RESET_AFTER: bool = false;
override HAS_MASK: bool = false;
override HAS_DROPOUT: bool = false;
override HAS_DC: bool = false;
override WORKGROUP_SIZE: u32 = 64u;

struct Params { batch: u32, steps: u32, units: u32, t: u32, next: u32, tail: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> weights: array<f32>;
@group(0) @binding(2) var<storage, read> aux: array<f32>;
@group(0) @binding(3) var<storage, read> in3: array<f32>;
@group(0) @binding(4) var<storage, read> in4: array<f32>;
@group(0) @binding(5) var<storage, read> in5: array<f32>;
@group(0) @binding(6) var<storage, read_write> out6: array<f32>;
@group(0) @binding(7) var<storage, read_write> out7: array<f32>;
@group(0) @binding(8) var<storage, read_write> out8: array<f32>;

// The invocation's row and unit, and the indices every entry uses.
var<private> b: u32;
var<private> k: u32;
var<private> n: u32; // units
var<private> w: u32; // G * units
var<private> o: u32; // (b * steps + t) * units + k: hSeq, cSeq, dhSeq
var<private> x: u32; // (b * steps + t) * w + k: xProj, dxProj, dhProj, gate 0
var<private> sv: u32; // (b * steps + t) * 4 * units + k: saved, gate 0

fn setup(group: vec3<u32>, groups: vec3<u32>, lid: u32) -> bool {
  let i = (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
  n = params.units;
  if (i >= params.batch * n) { return false; }
  b = i / n;
  k = i % n;
  w = select(select(3u, 4u, CELL == 1u), 1u, CELL == 0u) * n;
  let row = b * params.steps + params.t;
  o = row * n + k;
  x = row * w + k;
  sv = row * 4u * n + k;
  return true;
}

fn tanh_stable(v: f32) -> f32 {
  let s = v * v;
  if (s < 0.09) { return v * (1.0 + s * (-1.0 / 3.0 + s * (2.0 / 15.0 + s * (-17.0 / 315.0)))); }
  let e = exp(-2.0 * abs(v));
  return sign(v) * (1.0 - e) / (1.0 + e);
}

fn act(code: u32, v: f32) -> f32 {
  switch code {
    case 0u: { return tanh_stable(v); }
    case 1u: { let e = exp(-abs(v)); return select(e, 1.0, v >= 0.0) / (1.0 + e); }
    case 2u: { return clamp(0.2 * v + 0.5, 0.0, 1.0); }
    case 3u: { return select(0.0, v, v > 0.0); }
    default: { return v; }
  }
}

// The derivative read from the output y.
fn grad(code: u32, y: f32) -> f32 {
  switch code {
    case 0u: { return 1.0 - y * y; }
    case 1u: { return y * (1.0 - y); }
    case 2u: { return select(0.0, 0.2, y > 0.0 && y < 1.0); }
    case 3u: { return select(0.0, 1.0, y > 0.0); }
    default: { return 1.0; }
  }
}

fn runs() -> bool {
  return !HAS_MASK || (bitcast<u32>(aux[3u * params.batch * n + b * params.steps + params.t]) & 0x7fffffffu) != 0u;
}

fn dropout(j: u32) -> f32 { return select(1.0, aux[(2u * params.batch + b) * n + j], HAS_DROPOUT); }

// h_{t-1} (c_{t-1} when c) of unit j: the sequence `seq` holds it at step t - 1, aux at t = 0.
fn initial(j: u32, c: bool) -> f32 { return aux[(select(0u, params.batch, c) + b) * n + j]; }

fn previous_forward(j: u32, c: bool) -> f32 {
  if (params.t == 0u) { return initial(j, c); }
  let at = o - k - n + j;
  if (c) { return out8[at]; }
  return out6[at];
}

fn previous_backward(j: u32) -> f32 {
  if (params.t == 0u) { return initial(j, CELL == 1u); }
  return in4[o - k - n + j];
}

// Keras's recurrentBias of gate g at unit k (gru RESET_AFTER), else 0.
fn bias(g: u32) -> f32 { return select(0.0, aux[3u * params.batch * n + params.batch * params.steps + g * n + k], RESET_AFTER); }

@compute @workgroup_size(WORKGROUP_SIZE)
fn forward(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) lid: u32) {
  if (!setup(group, groups, lid)) { return; }
  let hp = previous_forward(k, false);
  let cp = select(0.0, previous_forward(k, true), CELL == 1u);
  if (!runs()) {
    out6[o] = hp;
    if (CELL == 1u) { out8[o] = cp; }
    if (CELL != 0u) { for (var g = 0u; g < 4u; g++) { out7[sv + g * n] = 0.0; } }
    return;
  }
  // Columns k, n + k, 2n + k, 3n + k of hr U (those the cell has; a gru before the reset: 2).
  var acc = vec4<f32>(0.0);
  for (var j = 0u; j < n; j++) {
    let h = previous_forward(j, false) * dropout(j);
    let at = j * w + k;
    acc.x += h * weights[at];
    if (CELL != 0u) { acc.y += h * weights[at + n]; }
    if (CELL == 1u || RESET_AFTER) { acc.z += h * weights[at + 2u * n]; }
    if (CELL == 1u) { acc.w += h * weights[at + 3u * n]; }
  }
  if (CELL == 0u) { out6[o] = act(ACT, in3[x] + acc.x); return; }
  var pre = acc + vec4<f32>(in3[x], in3[x + n], in3[x + 2u * n], 0.0);
  if (CELL == 1u) { pre.w += in3[x + 3u * n]; }
  if (CELL == 1u) {
    let gates = vec4<f32>(act(REC, pre.x), act(REC, pre.y), act(ACT, pre.z), act(REC, pre.w));
    let c = gates.y * cp + gates.x * gates.z;
    out8[o] = c;
    out6[o] = gates.w * act(ACT, c);
    for (var g = 0u; g < 4u; g++) { out7[sv + g * n] = gates[g]; }
    return;
  }
  let z = act(REC, pre.x + bias(0u));
  let r = act(REC, pre.y + bias(1u));
  out7[sv] = z;
  out7[sv + n] = r;
  if (RESET_AFTER) {
    let q = acc.z + bias(2u);
    let c = act(ACT, in3[x + 2u * n] + r * q);
    out6[o] = z * hp + (1.0 - z) * c;
    out7[sv + 2u * n] = c;
    out7[sv + 3u * n] = q;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn forward_candidate(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) lid: u32) {
  if (!setup(group, groups, lid) || !runs()) { return; }
  var acc = 0.0;
  for (var j = 0u; j < n; j++) { acc += out7[sv - k + n + j] * previous_forward(j, false) * dropout(j) * weights[j * w + 2u * n + k]; }
  let z = out7[sv];
  let c = act(ACT, in3[x + 2u * n] + acc);
  out6[o] = z * previous_forward(k, false) + (1.0 - z) * c;
  out7[sv + 2u * n] = c;
  out7[sv + 3u * n] = 0.0;
}

// Gate gradients of step `next` at column j: dxProj (simple, lstm) or dhProj (gru).
fn later(j: u32) -> f32 {
  let at = (b * params.steps + params.next) * w + j;
  if (CELL == 2u) { return out8[at]; }
  return out6[at];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn backward(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) lid: u32) {
  if (!setup(group, groups, lid)) { return; }
  let s = b * n + k; // state: dh at s, dc at batch * units + s
  let dcAt = params.batch * n + s;
  var dh = 0.0;
  var dc = 0.0;
  if (params.next < params.steps) {
    var acc = 0.0;
    let count = select(w, 2u * n, CELL == 2u && !RESET_AFTER);
    for (var j = 0u; j < count; j++) { acc += later(j) * weights[k * w + j]; }
    dh = out7[s] + acc * dropout(k);
    dc = out7[dcAt];
  }
  if (params.tail != 0u) { out7[s] = dh; out7[dcAt] = dc; return; }
  dh += in3[o];
  if (CELL == 1u && HAS_DC) { dc += out8[o]; }
  if (!runs()) {
    out7[s] = dh;
    out7[dcAt] = dc;
    for (var g = 0u; g < w / n; g++) {
      out6[x + g * n] = 0.0;
      if (CELL == 2u) { out8[x + g * n] = 0.0; }
    }
    return;
  }
  if (CELL == 0u) {
    out6[x] = dh * grad(ACT, in4[o]);
    out7[s] = 0.0;
    return;
  }
  if (CELL == 1u) {
    let i = in5[sv];
    let f = in5[sv + n];
    let g = in5[sv + 2u * n];
    let og = in5[sv + 3u * n];
    let ac = act(ACT, in4[o]);
    let dct = dc + dh * og * grad(ACT, ac);
    out6[x] = dct * g * grad(REC, i);
    out6[x + n] = dct * previous_backward(k) * grad(REC, f);
    out6[x + 2u * n] = dct * i * grad(ACT, g);
    out6[x + 3u * n] = dh * ac * grad(REC, og);
    out7[s] = 0.0;
    out7[dcAt] = dct * f;
    return;
  }
  let z = in5[sv];
  let c = in5[sv + 2u * n];
  let dn = dh * (1.0 - z) * grad(ACT, c);
  let dz = dh * (previous_backward(k) - c) * grad(REC, z);
  out6[x] = dz;
  out8[x] = dz;
  out6[x + 2u * n] = dn;
  out7[s] = dh * z;
  if (RESET_AFTER) {
    let r = in5[sv + n];
    let dr = dn * in5[sv + 3u * n] * grad(REC, r);
    out6[x + n] = dr;
    out8[x + n] = dr;
    out8[x + 2u * n] = dn * r;
  } else {
    out8[x + 2u * n] = dn;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn backward_candidate(@builtin(workgroup_id) group: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
    @builtin(local_invocation_index) lid: u32) {
  if (!setup(group, groups, lid) || !runs()) { return; }
  // d(r * hr) = dn U_h^T: r's gradient, and the candidate's part of the carry.
  var acc = 0.0;
  for (var j = 0u; j < n; j++) { acc += out8[x - k + 2u * n + j] * weights[k * w + 2u * n + j]; }
  let r = in5[sv + n];
  let drop = dropout(k);
  let dr = acc * previous_backward(k) * drop * grad(REC, r);
  out6[x + n] = dr;
  out8[x + n] = dr;
  out7[b * n + k] += acc * r * drop;
}
