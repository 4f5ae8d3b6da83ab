// unary: out[i] = f(x[i]) for begin <= i < end, float32. f is the override OP, a UNARY_* code
// (scripts/opcodes.mjs), so each op is its own pipeline with no per-element branch on the op.
//
// Grid: one invocation per element. The host splits more than 65535 workgroups into a 2D
// grid (x * y >= ceil((end - begin) / WORKGROUP_SIZE)); the linear index is rebuilt from
// num_workgroups, offset by `begin`, and the tail is masked by `end`.
// Bindings: 0 params {begin, end}; 1 x, read; 2 out, written (the host never binds x and out to
// the same buffer: aliasing calls are routed through a scratch copy).
// NaN: every op maps NaN to NaN; NaN is tested on the bits because WGSL lets an
// implementation assume floats are finite. Out-of-domain log/sqrt give NaN, log(0) -inf,
// explicitly, for the same reason, and log reads subnormal inputs on the bits. sigmoid and tanh use exp(-|x|) so ±1e4 cannot overflow.

override OP: u32 = 0u;
override WORKGROUP_SIZE: u32 = 256u;

struct Params { begin: u32, end: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

fn is_nan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }

fn nan_value() -> f32 { let bits = 0x7fc00000u; return bitcast<f32>(bits); }
fn neg_infinity() -> f32 { let bits = 0xff800000u; return bitcast<f32>(bits); }

fn tanh_stable(v: f32) -> f32 {
  let t = abs(v);
  var r: f32;
  if (t < 0.3) {
    // Taylor series to x^9: (1 - e) / (1 + e) loses digits as x -> 0.
    let s = v * v;
    return v * (1.0 + s * (-1.0 / 3.0 + s * (2.0 / 15.0 + s * (-17.0 / 315.0 + s * (62.0 / 2835.0)))));
  }
  let e = exp(-2.0 * t);
  r = (1.0 - e) / (1.0 + e);
  return select(-r, r, v >= 0.0);
}

// log on the bits: GPUs flush subnormal inputs to zero (log(1e-40) would read -inf or
// -88), so a subnormal m * 2^-149 is taken as log(m) - 149 ln 2.
fn log_exact(v: f32) -> f32 {
  let bits = bitcast<u32>(v);
  if ((bits & 0x7fffffffu) == 0u) { return neg_infinity(); }
  if ((bits >> 31u) != 0u) { return nan_value(); }
  if ((bits >> 23u) == 0u) { return log(f32(bits)) - 149.0 * 0.6931471805599453; }
  return log(v);
}

fn apply(v: f32) -> f32 {
  switch OP {
    case UNARY_RELU: { return select(v, 0.0, v < 0.0); }
    case UNARY_SIGMOID: {
      let e = exp(-abs(v));
      return select(e / (1.0 + e), 1.0 / (1.0 + e), v >= 0.0);
    }
    case UNARY_TANH: { return tanh_stable(v); }
    case UNARY_EXP: { return exp(v); }
    case UNARY_LOG: { return log_exact(v); }
    case UNARY_NEG: { return -v; }
    case UNARY_ABS: { return abs(v); }
    case UNARY_SQRT: {
      if (v < 0.0) { return nan_value(); }
      return sqrt(v);
    }
    case UNARY_SQUARE, default: { return v * v; }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) group: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = params.begin + (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
  if (i >= params.end) { return; }
  let v = x[i];
  if (is_nan(v)) { out[i] = v; return; }
  out[i] = apply(v);
}
