// rnn: the gate arithmetic of one time step of a recurrent layer call, after the host's gemm
// dispatch of the step's recurrent product (the forward: hr U into `rec` [batch, G * units];
// the backward: P_{t+1} U^T into `prod` [batch, units], P the later step's gate gradients).
// Invocation i = b * units + k (batch row b, unit k), 64 a workgroup, a 1D grid. The cell
// equations and layouts: src/backends/kernel-params.ts; the host's loop and the aux layout:
// src/backends/webgpu/recurrent.ts. Expressions are written without spaces around operators:
// the shader ships inside the webgpu bundle as written.
// Bindings: (forward | backward) 0 params {batch, steps, units, t, phase (0 the step, 1 the
// forward's start or the backward's end, 2 a resetAfter false gru's candidate)}; 1 rec | prod
// (dh through U, then the gru candidate's d(r * hr)); 2 aux (h0, c0, dropout mask, mask,
// recurrentBias); 3 xProj | dhSeq; 4 unused | hSeq (cSeq for lstm); 5 hr (h_t * dropout, the
// next gemm's A) | saved; 6 hSeq | dxProj; 7 saved | state (dh, dc carried); 8 cSeq | dcSeq
// (lstm) or dhProj (gru).

override CELL: u32 = 0u; // 0 simple, 1 lstm, 2 gru
override ACT: u32 = 0u; // 0 tanh, 1 sigmoid, 2 hardSigmoid, 3 relu, 4 linear
override REC: u32 = 1u; // recurrentActivation, the same codes
override RESET_AFTER: bool = false;
override HAS_MASK: bool = false;
override HAS_DROPOUT: bool = false;
override HAS_DC: bool = false;

struct Params { batch: u32, steps: u32, units: u32, t: u32, phase: u32 }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> in1: array<f32>;
@group(0) @binding(2) var<storage, read> aux: array<f32>;
@group(0) @binding(3) var<storage, read> in3: array<f32>;
@group(0) @binding(4) var<storage, read> in4: array<f32>;
@group(0) @binding(5) var<storage, read_write> io5: array<f32>;
@group(0) @binding(6) var<storage, read_write> out6: array<f32>;
@group(0) @binding(7) var<storage, read_write> out7: array<f32>;
@group(0) @binding(8) var<storage, read_write> out8: array<f32>;

var<private> b: u32; // batch row
var<private> k: u32; // unit
var<private> n: u32; // units
var<private> w: u32; // G * units
var<private> o: u32; // (b * steps + t) * units + k: hSeq, cSeq, dhSeq, dcSeq
var<private> x: u32; // (b * steps + t) * w + k: xProj, dxProj, dhProj at gate 0
var<private> s: u32; // (b * steps + t) * 4 * units + k: saved at gate 0

fn setup(i: u32) -> bool {
  n = p.units;
  b = i/n;
  k = i%n;
  w = select(select(3u, 4u, CELL==1u), 1u, CELL==0u)*n;
  o = (b*p.steps+p.t)*n+k;
  x = (o-k)/n*w+k;
  s = 4u*o-3u*k;
  return b<p.batch;
}

// exp overflowing to Infinity or underflowing to 0 leaves tanh and sigmoid at their limits.
fn act(c: u32, v: f32) -> f32 {
  switch c {
    case 0u: { return 2.0/(1.0+exp(-2.0*v))-1.0; }
    case 1u: { return 1.0/(1.0+exp(-v)); }
    case 2u: { return clamp(0.2*v+0.5, 0.0, 1.0); }
    case 3u: { return select(0.0, v, v>0.0); }
    default: { return v; }
  }
}

// The derivative, read from the output y.
fn grad(c: u32, y: f32) -> f32 {
  switch c {
    case 0u: { return 1.0-y*y; }
    case 1u: { return y*(1.0-y); }
    case 2u: { return select(0.0, 0.2, y>0.0&&y<1.0); }
    case 3u: { return select(0.0, 1.0, y>0.0); }
    default: { return 1.0; }
  }
}

// The mask's word of (b, t): float or int, nonzero runs the step (-0 does not).
fn runs() -> bool { return !HAS_MASK||(bitcast<u32>(aux[3u*p.batch*n+b*p.steps+p.t])&0x7fffffffu)!=0u; }

fn drop(j: u32) -> f32 { return select(1.0, aux[(2u*p.batch+b)*n+j], HAS_DROPOUT); }

// h_{t-1} (c_{t-1} when c) of unit j: aux at t = 0, else the sequence at step t - 1 (out6 or
// out8 in the forward, in4 in the backward).
fn prev(j: u32, c: bool, back: bool) -> f32 {
  if (p.t==0u) { return aux[(select(0u, p.batch, c)+b)*n+j]; }
  let a = o-k-n+j;
  if (back) { return in4[a]; }
  if (c) { return out8[a]; }
  return out6[a];
}

// h_t into hSeq, and h_t * dropout into hr for the next step's gemm.
fn emit(h: f32) {
  out6[o] = h;
  io5[b*n+k] = h*drop(k);
}

// A gru step's end: h from z, the candidate c and h_{t-1}; saved n and q.
fn gru(z: f32, c: f32, q: f32) {
  emit(z*prev(k, false, false)+(1.0-z)*c);
  out7[s+2u*n] = c;
  out7[s+3u*n] = q;
}

// Gate gradient j's column of unit k: dxProj, and for gru dhProj too.
fn dgate(j: u32, v: f32) {
  out6[x+j] = v;
  if (CELL==2u) { out8[x+j] = v; }
}

// Step t (phase 1: before step 0, only hr = h0 * dropout). A gru with resetAfter false stops
// after z and r, leaving r * hr in hr for the candidate's gemm; phase 2 is its candidate,
// rec's h block then holding (r * hr) U_h.
@compute @workgroup_size(64)
fn forward(@builtin(global_invocation_id) g: vec3<u32>) {
  if (!setup(g.x)) { return; }
  let a = b*w+k; // rec[b, k]
  if (p.phase==2u) {
    if (runs()) { gru(out7[s], act(ACT, in3[x+2u*n]+in1[a+2u*n]), 0.0); }
    return;
  }
  let hp = prev(k, false, false);
  emit(hp);
  if (p.phase!=0u) { return; }
  let cp = prev(k, true, false);
  if (!runs()) {
    if (CELL==1u) { out8[o] = cp; }
    for (var q = 0u; q<4u&&CELL!=0u; q++) { out7[s+q*n] = 0.0; }
    return;
  }
  if (CELL==0u) { emit(act(ACT, in3[x]+in1[a])); return; }
  var v = vec4<f32>(in3[x]+in1[a], in3[x+n]+in1[a+n], in3[x+2u*n], 0.0);
  if (CELL==1u) {
    v.z += in1[a+2u*n];
    v.w = in3[x+3u*n]+in1[a+3u*n];
    let q = vec4<f32>(act(REC, v.x), act(REC, v.y), act(ACT, v.z), act(REC, v.w));
    let c = q.y*cp+q.x*q.z;
    out8[o] = c;
    emit(q.w*act(ACT, c));
    for (var j = 0u; j<4u; j++) { out7[s+j*n] = q[j]; }
    return;
  }
  // gru: Keras's recurrentBias (resetAfter), then z and r.
  let c = 3u*p.batch*n+p.batch*p.steps+k;
  let bias = select(vec3<f32>(), vec3<f32>(aux[c], aux[c+n], aux[c+2u*n]), RESET_AFTER);
  let z = act(REC, v.x+bias.x);
  let r = act(REC, v.y+bias.y);
  out7[s] = z;
  out7[s+n] = r;
  if (RESET_AFTER) {
    let q = in1[a+2u*n]+bias.z;
    gru(z, act(ACT, v.z+r*q), q);
  } else {
    io5[b*n+k] *= r;
  }
}

// Step t from the last: dh = the carry in state + dropout * prod (step t + 1's gate gradients
// through U^T; none at the last step) + dhSeq; then step t's gate gradients and the new
// carry. Phase 1 (the end) only gathers step 0's part: dh0 and dc0. Phase 2 (a resetAfter
// false gru, after the gemm of dn U_h^T into prod's second half): d(r * hr) gives r's gradient
// and the candidate's part of the carry.
@compute @workgroup_size(64)
fn backward(@builtin(global_invocation_id) g: vec3<u32>) {
  if (!setup(g.x)) { return; }
  let d = b*n+k;
  let e = d+p.batch*n;
  if (p.phase==2u) {
    if (runs()) {
      let a = in1[e];
      let r = io5[s+n];
      dgate(n, a*prev(k, false, true)*drop(k)*grad(REC, r));
      out7[d] += a*r*drop(k);
    }
    return;
  }
  var dh = 0.0;
  var dc = 0.0;
  if (p.t+1u<p.steps||(p.phase==1u&&p.steps>0u)) {
    dh = out7[d]+in1[d]*drop(k);
    dc = out7[e];
  }
  if (p.phase==1u) { out7[d] = dh; out7[e] = dc; return; }
  dh += in3[o];
  if (HAS_DC) { dc += out8[o]; }
  out7[d] = 0.0;
  out7[e] = 0.0;
  if (!runs()) {
    out7[d] = dh;
    out7[e] = dc;
    for (var j = 0u; j<w; j += n) { dgate(j, 0.0); }
    return;
  }
  if (CELL==0u) { out6[x] = dh*grad(ACT, in4[o]); return; }
  if (CELL==1u) {
    let q = vec4<f32>(io5[s], io5[s+n], io5[s+2u*n], io5[s+3u*n]);
    let ac = act(ACT, in4[o]);
    let dt = dc+dh*q.w*grad(ACT, ac);
    out6[x] = dt*q.z*grad(REC, q.x);
    out6[x+n] = dt*prev(k, true, true)*grad(REC, q.y);
    out6[x+2u*n] = dt*q.x*grad(ACT, q.z);
    out6[x+3u*n] = dh*ac*grad(REC, q.w);
    out7[e] = dt*q.y;
    return;
  }
  let z = io5[s];
  let c = io5[s+2u*n];
  let dn = dh*(1.0-z)*grad(ACT, c);
  dgate(0u, dh*(prev(k, false, true)-c)*grad(REC, z));
  dgate(2u*n, dn);
  out7[d] = dh*z;
  if (RESET_AFTER) {
    let r = io5[s+n];
    dgate(n, dn*io5[s+3u*n]*grad(REC, r));
    out8[x+2u*n] = dn*r;
  }
}
