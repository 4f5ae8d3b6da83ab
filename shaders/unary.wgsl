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
// The math codes (sin .. rsqrt) take NaN to NaN except sign (0, as TF.js), and ±Inf to the
// reference's limits explicitly (`at_infinity`). WGSL's own sin/cos/atan/sinh/... are only
// loosely specified (atan: 4096 ulp; sin: 2^-11 absolute, on [-pi, pi] only), so these are
// written here: sin/cos/tan by Cody-Waite reduction to [-pi/4, pi/4] and Taylor polynomials
// (to ~1e-7 absolute while |x| < 6000); atan by reduction to |t| <= tan(pi/8) and a fitted
// polynomial (1.6e-9); asin/acos through atan; sinh/asinh/atanh/acosh through expm1/log1p,
// free of cancellation near 0 (and 1 for acosh); erf as x P(x^2) below 1 and
// 1 - e^(-x^2) Q(x) on [1, 4) (fits of 6e-8 and 1e-8), +-1 beyond.

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

fn pos_infinity() -> f32 { let bits = 0x7f800000u; return bitcast<f32>(bits); }
fn is_infinite(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) == 0x7f800000u; }
fn negative_bit(v: f32) -> bool { return (bitcast<u32>(v) >> 31u) != 0u; }
fn with_sign(magnitude: f32, v: f32) -> f32 { return select(magnitude, -magnitude, negative_bit(v)); }

const HALF_PI: f32 = 1.5707963267948966;
const LN2: f32 = 0.6931471805599453;

// e^x - 1: the polynomial of exp's reduction (k = 0) below |x| = ln2 / 2, exp(x) - 1 above.
fn expm1_poly(v: f32) -> f32 {
  if (abs(v) < 0.34657359) {
    let q = (((0.0013814621 * v + 0.008368712) * v + 0.04166839) * v + 0.16666521) * v + 0.49999994;
    return v * v * q + v;
  }
  return exp(v) - 1.0;
}

// log(1 + x): on 1 + x in [sqrt(1/2), sqrt(2)) the atanh series of log with f = x exactly
// (WGSL's log has only 2^-21 absolute accuracy near 1); elsewhere log(1 + x).
fn log1p_series(v: f32) -> f32 {
  if (v > -0.29289322 && v < 0.41421356) {
    let s = v / (2.0 + v);
    let z = s * s;
    let r = ((0.29870975 * z + 0.3997757) * z + 0.66666776) * z;
    let hfsq = 0.5 * v * v;
    return v - hfsq + s * (hfsq + r);
  }
  return log_exact(1.0 + v);
}

// atan for finite t >= 0, and +Inf: reduced to |u| <= tan(pi/8), u P(u^2).
fn atan_positive(t: f32) -> f32 {
  var base = 0.0;
  var u = t;
  if (t > 2.4142135) { base = HALF_PI; u = -1.0 / t; }
  else if (t > 0.41421356) { base = HALF_PI * 0.5; u = (t - 1.0) / (t + 1.0); }
  let w = u * u;
  let p = (((((0.04719005 * w - 0.08462216) * w + 0.11041658) * w - 0.14281693) * w + 0.19999889) * w - 0.33333331) * w + 1.0;
  return base + u * p;
}
fn atan_signed(v: f32) -> f32 { return with_sign(atan_positive(abs(v)), v); }

// sin (cosine false) or cos (cosine true) after x = k pi/2 + r, |r| <= pi/4, with pi/2 in parts of
// 8 and 12 bits and a rest, so k times each of the first two is exact while |k| < 2^12.
fn sin_cos(v: f32, cosine: bool) -> f32 {
  let k = round(v * 0.63661977);
  let r = ((v - k * 1.5703125) - k * 4.838705062866211e-4) - k * -4.3711388e-08;
  let r2 = r * r;
  let s = r + r * r2 * (-0.16666667 + r2 * (0.008333333 + r2 * (-1.984127e-4 + r2 * 2.7557319e-6)));
  let c = 1.0 + r2 * (-0.5 + r2 * (0.041666668 + r2 * (-0.0013888889 + r2 * (2.4801587e-5 - r2 * 2.7557319e-7))));
  let quadrant = (i32(k) + select(0, 1, cosine)) & 3;
  let value = select(s, c, (quadrant & 1) == 1);
  return select(value, -value, quadrant >= 2);
}
fn tangent(v: f32) -> f32 {
  let s = sin_cos(v, false);
  let c = sin_cos(v, true);
  return s / c;
}

fn erf_finite(v: f32) -> f32 {
  let a = abs(v);
  if (a < 1.0) {
    let w = v * v;
    return v * ((((((7.8896534e-05 * w - 8.0210145e-04) * w + 0.0051895566) * w - 0.026854457) * w + 0.112836) * w
      - 0.37612626) * w + 1.1283791);
  }
  if (a >= 4.0) { return with_sign(1.0, v); }
  let t = (a - 2.5) / 1.5;
  var q = -3.8230679e-05;
  q = q * t + 9.640246e-05; q = q * t - 1.4036801e-04; q = q * t + 3.6787378e-04; q = q * t - 1.0206986e-03;
  q = q * t + 2.4258806e-03; q = q * t - 5.5657662e-03; q = q * t + 0.012484037; q = q * t - 0.027006006;
  q = q * t + 0.05611096; q = q * t - 0.11152099; q = q * t + 0.21080635;
  return with_sign(1.0 - exp(-a * a) * q, v);
}

// 1 / x and 1 / sqrt(x) with subnormal x read on the bits (GPUs flush them to zero).
fn reciprocal_exact(v: f32) -> f32 {
  let bits = bitcast<u32>(v);
  if ((bits & 0x7f800000u) != 0u) { return 1.0 / v; }
  let m = f32(bits & 0x7fffffu);
  if (m == 0.0) { return with_sign(pos_infinity(), v); }
  return with_sign((1.2676506e30 / m) * 5.6294995e14, v); // 2^149 / m as 2^100 / m * 2^49
}
fn rsqrt_exact(v: f32) -> f32 {
  let bits = bitcast<u32>(v);
  if ((bits & 0x7fffffffu) == 0u) { return with_sign(pos_infinity(), v); }
  if ((bits >> 31u) != 0u) { return nan_value(); }
  if ((bits & 0x7f800000u) != 0u) { return inverseSqrt(v); }
  return inverseSqrt(f32(bits)) * 2.6713739e22; // 2^74.5
}

// f(+-Inf) for the math codes, as the reference (JavaScript's Math) gives it.
fn at_infinity(v: f32) -> f32 {
  let negative = negative_bit(v);
  switch OP {
    case UNARY_ATAN: { return with_sign(HALF_PI, v); }
    case UNARY_SINH, UNARY_ASINH, UNARY_FLOOR, UNARY_CEIL, UNARY_ROUND: { return v; }
    case UNARY_COSH: { return pos_infinity(); }
    case UNARY_ACOSH, UNARY_LOG1P: { return select(v, nan_value(), negative); }
    case UNARY_ERF, UNARY_SIGN: { return with_sign(1.0, v); }
    case UNARY_EXPM1: { return select(v, -1.0, negative); }
    case UNARY_RECIPROCAL: { return with_sign(0.0, v); }
    case UNARY_RSQRT: { return select(0.0, nan_value(), negative); }
    default: { return nan_value(); } // sin, cos, tan, asin, acos, atanh
  }
}

fn apply(v: f32) -> f32 {
  switch OP {
    case UNARY_SIN: { return sin_cos(v, false); }
    case UNARY_COS: { return sin_cos(v, true); }
    case UNARY_TAN: { return tangent(v); }
    case UNARY_ASIN: {
      if (abs(v) > 1.0) { return nan_value(); }
      if (abs(v) == 1.0) { return with_sign(HALF_PI, v); }
      return atan_signed(v / sqrt((1.0 - v) * (1.0 + v)));
    }
    case UNARY_ACOS: {
      if (abs(v) > 1.0) { return nan_value(); }
      if (v == -1.0) { return 2.0 * HALF_PI; }
      return 2.0 * atan_positive(sqrt((1.0 - v) / (1.0 + v)));
    }
    case UNARY_ATAN: { return atan_signed(v); }
    case UNARY_SINH: {
      let a = abs(v);
      if (a < 1.0) { let e = expm1_poly(a); return with_sign(0.5 * (e + e / (e + 1.0)), v); }
      return with_sign(exp(a - LN2) - exp(-a - LN2), v); // e^a / 2 without overflowing early
    }
    case UNARY_COSH: { let a = abs(v); return exp(a - LN2) + exp(-a - LN2); }
    case UNARY_ASINH: {
      let a = abs(v);
      if (a > 1e10) { return with_sign(log_exact(a) + LN2, v); }
      return with_sign(log1p_series(a + a * a / (1.0 + sqrt(1.0 + a * a))), v);
    }
    case UNARY_ACOSH: {
      if (v < 1.0) { return nan_value(); }
      if (v > 1e10) { return log_exact(v) + LN2; }
      let t = v - 1.0;
      return log1p_series(t + sqrt(2.0 * t + t * t));
    }
    case UNARY_ATANH: {
      let a = abs(v);
      if (a > 1.0) { return nan_value(); }
      if (a == 1.0) { return with_sign(pos_infinity(), v); }
      return with_sign(0.5 * log1p_series(2.0 * a / (1.0 - a)), v);
    }
    case UNARY_ERF: { return erf_finite(v); }
    case UNARY_LOG1P: {
      if (v < -1.0) { return nan_value(); }
      if (v == -1.0) { return neg_infinity(); }
      return log1p_series(v);
    }
    case UNARY_EXPM1: { return expm1_poly(v); }
    case UNARY_FLOOR: { return floor(v); }
    case UNARY_CEIL: { return ceil(v); }
    case UNARY_ROUND: { return round(v); }
    // On the bits: a subnormal is nonzero even where the GPU flushes it.
    case UNARY_SIGN: { return select(with_sign(1.0, v), 0.0, (bitcast<u32>(v) & 0x7fffffffu) == 0u); }
    case UNARY_RECIPROCAL: { return reciprocal_exact(v); }
    case UNARY_RSQRT: { return rsqrt_exact(v); }
    default: { return apply_activation(v); }
  }
}

fn apply_activation(v: f32) -> f32 {
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

fn is_math_code() -> bool {
  switch OP {
    case UNARY_RELU, UNARY_SIGMOID, UNARY_TANH, UNARY_EXP, UNARY_LOG, UNARY_NEG, UNARY_ABS, UNARY_SQRT, UNARY_SQUARE: {
      return false;
    }
    default: { return true; }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) group: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = params.begin + (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
  if (i >= params.end) { return; }
  let v = x[i];
  if (is_nan(v)) { out[i] = select(v, 0.0, OP == UNARY_SIGN); return; }
  if (is_infinite(v) && is_math_code()) { out[i] = at_infinity(v); return; }
  out[i] = apply(v);
}
