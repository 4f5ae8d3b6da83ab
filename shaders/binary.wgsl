// binary: out[i] = a[i % a_size] op b[i % b_size] for begin <= i < end <= size. op is the override OP, a
// BINARY_* code (scripts/opcodes.mjs). a_size and b_size each equal size, 1, or divide size
// (a repeated bias row); the modulo is skipped when an operand is full size.
//
// Dtypes: buffers are raw 32-bit words (array<u32>), so one shader serves every dtype:
// INT_IN reads the operands as int32 (int32 and bool storages: wrapping add/sub/mul,
// division truncating toward zero with x/0 = 0 as the reference's ToInt32(x/0) gives), else
// float32. Arithmetic writes int32 when INT_OUT (float results converted with JavaScript
// ToInt32 semantics), else float32. Comparisons and logic always write bool words 0 / 1.
// NaN: max/min return NaN when either operand is NaN; comparisons with a NaN are false
// except notEqual; logic reads NaN as true. Float comparisons and logic work on the bits
// (an order-preserving integer key, -0 keyed as +0), because WGSL lets an implementation
// assume finite floats and flush subnormals (SwiftShader does), and both results are exact.
//
// pow, mod, floorDiv and atan2 follow JavaScript's Math on the reference backend: every NaN,
// infinity, signed zero and domain case is decided on the bits before any float math (pow of a
// negative base takes integer exponents only, 1^Inf is NaN, mod takes the divisor's sign with
// TF.js's formula, atan2 has IEEE's quadrants). Float pow is exp2(y log2 |x|) (WGSL's log2 is
// 2^-21 absolute near 1, so large |y| loses digits); floorDiv (float32 out, the op casts it)
// corrects floor(a / b) by the remainder's sign. int32: pow by squaring (wrapping), floorDiv and
// mod exact with x / 0 = x mod 0 = 0, atan2 truncated.
//
// Grid: one invocation per element of [begin, end), 2D-split by the host past 65535 workgroups.
// Bindings: 0 params {size, a_size, b_size, begin, end}; 1 a, 2 b, read; 3 out, written.

override OP: u32 = 0u;
override INT_IN: bool = false;
override INT_OUT: bool = false;
override WORKGROUP_SIZE: u32 = 256u;

struct Params { size: u32, a_size: u32, b_size: u32, begin: u32, end: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<u32>;
@group(0) @binding(2) var<storage, read> b: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<u32>;

fn is_nan_bits(bits: u32) -> bool { return (bits & 0x7fffffffu) > 0x7f800000u; }
fn is_nan(v: f32) -> bool { return is_nan_bits(bitcast<u32>(v)); }

// JavaScript ToInt32: truncate, NaN/±inf -> 0, magnitudes >= 2^31 wrap modulo 2^32.
fn to_int32(v: f32) -> i32 {
  let bits = bitcast<u32>(v);
  let exponent = (bits >> 23u) & 0xffu;
  if (exponent == 0xffu) { return 0; }
  if (exponent < 158u) { return i32(v); }
  let shift = exponent - 150u;
  var low = 0u;
  if (shift < 32u) { low = ((bits & 0x7fffffu) | 0x800000u) << shift; }
  if ((bits >> 31u) != 0u) { low = ~low + 1u; }
  return bitcast<i32>(low);
}

// A float's bits as an int32 in the same order: the magnitude, negated when the sign is set,
// so both zeros key as 0 and subnormals keep their place.
fn order_key(bits: u32) -> i32 {
  let magnitude = bitcast<i32>(bits & 0x7fffffffu);
  return select(magnitude, -magnitude, (bits >> 31u) != 0u);
}

fn writes_bool() -> bool {
  switch OP {
    case BINARY_EQUAL, BINARY_NOT_EQUAL, BINARY_LESS, BINARY_LESS_EQUAL, BINARY_GREATER, BINARY_GREATER_EQUAL,
         BINARY_LOGICAL_AND, BINARY_LOGICAL_OR, BINARY_LOGICAL_XOR: { return true; }
    default: { return false; }
  }
}

// Comparisons and logic of two int32 values (or two float keys).
fn compare(x: i32, y: i32) -> bool {
  switch OP {
    case BINARY_EQUAL: { return x == y; }
    case BINARY_NOT_EQUAL: { return x != y; }
    case BINARY_LESS: { return x < y; }
    case BINARY_LESS_EQUAL: { return x <= y; }
    case BINARY_GREATER: { return x > y; }
    case BINARY_GREATER_EQUAL: { return x >= y; }
    case BINARY_LOGICAL_AND: { return x != 0 && y != 0; }
    case BINARY_LOGICAL_OR: { return x != 0 || y != 0; }
    default: { return (x != 0) != (y != 0); }
  }
}

fn compare_f32_bits(x: u32, y: u32) -> bool {
  let logic = OP == BINARY_LOGICAL_AND || OP == BINARY_LOGICAL_OR || OP == BINARY_LOGICAL_XOR;
  if (!logic && (is_nan_bits(x) || is_nan_bits(y))) { return OP == BINARY_NOT_EQUAL; }
  return compare(order_key(x), order_key(y));
}

fn is_zero_bits(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) == 0u; }
fn is_inf(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) == 0x7f800000u; }
fn negative_bit(v: f32) -> bool { return (bitcast<u32>(v) >> 31u) != 0u; }
fn with_sign(magnitude: f32, negative: bool) -> f32 { return select(magnitude, -magnitude, negative); }
fn nan_value() -> f32 { let bits = 0x7fc00000u; return bitcast<f32>(bits); }
fn infinity() -> f32 { let bits = 0x7f800000u; return bitcast<f32>(bits); }

const PI: f32 = 3.141592653589793;

fn is_odd_integer(y: f32) -> bool {
  let a = abs(y);
  return a < 16777216.0 && floor(a) == a && (u32(a) & 1u) == 1u;
}

fn pow_js(x: f32, y: f32) -> f32 {
  if (is_zero_bits(y)) { return 1.0; }
  if (is_nan(x) || is_nan(y)) { return nan_value(); }
  let ax = abs(x);
  if (is_inf(y)) {
    if (ax == 1.0) { return nan_value(); }
    return select(0.0, infinity(), (ax > 1.0) == !negative_bit(y));
  }
  let odd = is_odd_integer(y);
  if (is_zero_bits(x) || is_inf(x)) {
    let grows = is_inf(x) == !negative_bit(y);
    return with_sign(select(0.0, infinity(), grows), odd && negative_bit(x));
  }
  if (negative_bit(x) && floor(y) != y) { return nan_value(); }
  return with_sign(exp2(y * log2(ax)), negative_bit(x) && odd);
}

// JavaScript's a % b: the sign of a, |result| < |b|.
fn fmod_js(a: f32, b: f32) -> f32 {
  if (is_nan(a) || is_nan(b) || is_inf(a) || is_zero_bits(b)) { return nan_value(); }
  if (is_inf(b) || is_zero_bits(a)) { return a; }
  let q = trunc(a / b);
  var r = a - q * b;
  let ab = abs(b);
  if (!is_zero_bits(r) && negative_bit(r) != negative_bit(a)) { r = r + with_sign(ab, negative_bit(a)); }
  if (abs(r) >= ab) { r = r - with_sign(ab, negative_bit(a)); }
  return r;
}

fn mod_tfjs(a: f32, b: f32) -> f32 {
  let r = fmod_js(a, b);
  if (is_nan(r)) { return r; }
  // TF.js: the remainder as it is when (a < 0 and b < 0) or (a >= 0 and b >= 0); -0 counts as >= 0.
  if ((negative_bit(a) && !is_zero_bits(a)) == negative_bit(b)) { return r; }
  return fmod_js(r + b, b);
}

fn floor_div(a: f32, b: f32) -> f32 {
  if (is_nan(a) || is_nan(b) || (is_inf(a) && is_inf(b)) || (is_zero_bits(a) && is_zero_bits(b))) { return nan_value(); }
  let negative = negative_bit(a) != negative_bit(b);
  if (is_inf(a) || is_zero_bits(b)) { return with_sign(infinity(), negative); }
  if (is_inf(b) || is_zero_bits(a)) { return with_sign(0.0, negative); } // floor(+-0)
  var q = floor(a / b);
  let r = a - q * b;
  if ((b > 0.0 && r < 0.0) || (b < 0.0 && r > 0.0)) { q = q - 1.0; }
  if ((b > 0.0 && r >= b) || (b < 0.0 && r <= b)) { q = q + 1.0; }
  return q;
}

// atan for t >= 0 (and +Inf): reduced to |u| <= tan(pi/8), u P(u^2) (as in unary.wgsl).
fn atan_positive(t: f32) -> f32 {
  var base = 0.0;
  var u = t;
  if (t > 2.4142135) { base = PI * 0.5; u = -1.0 / t; }
  else if (t > 0.41421356) { base = PI * 0.25; u = (t - 1.0) / (t + 1.0); }
  let w = u * u;
  let p = (((((0.04719005 * w - 0.08462216) * w + 0.11041658) * w - 0.14281693) * w + 0.19999889) * w - 0.33333331) * w + 1.0;
  return base + u * p;
}

fn atan2_js(y: f32, x: f32) -> f32 {
  if (is_nan(x) || is_nan(y)) { return nan_value(); }
  let left = negative_bit(x);
  var angle: f32;
  if (is_inf(x) && is_inf(y)) { angle = select(PI * 0.25, PI * 0.75, left); }
  else if (is_zero_bits(y)) { angle = select(0.0, PI, left); }
  else if (is_zero_bits(x) || is_inf(y)) { angle = PI * 0.5; }
  else if (is_inf(x)) { angle = select(0.0, PI, left); }
  else {
    angle = atan_positive(abs(y) / abs(x));
    if (left) { angle = PI - angle; }
  }
  return with_sign(angle, negative_bit(y));
}

fn pow_i32(a: i32, b: i32) -> i32 {
  if (b < 0) {
    if (a == 1) { return 1; }
    if (a == -1) { return select(1, -1, (b & 1) != 0); }
    return 0;
  }
  var result = 1;
  var base = a;
  var e = u32(b);
  loop {
    if (e == 0u) { break; }
    if ((e & 1u) != 0u) { result = result * base; }
    base = base * base;
    e = e >> 1u;
  }
  return result;
}

fn apply_f32(x: f32, y: f32) -> f32 {
  switch OP {
    case BINARY_POW: { return pow_js(x, y); }
    case BINARY_MOD: { return mod_tfjs(x, y); }
    case BINARY_FLOOR_DIV: { return floor_div(x, y); }
    case BINARY_ATAN2: { return atan2_js(x, y); }
    case BINARY_ADD: { return x + y; }
    case BINARY_SUB: { return x - y; }
    case BINARY_MUL: { return x * y; }
    case BINARY_DIV: { return x / y; }
    case BINARY_MAX: {
      if (is_nan(x)) { return x; }
      if (is_nan(y)) { return y; }
      return max(x, y);
    }
    case BINARY_MIN: {
      if (is_nan(x)) { return x; }
      if (is_nan(y)) { return y; }
      return min(x, y);
    }
    case BINARY_SQUARED_DIFFERENCE, default: { let d = x - y; return d * d; }
  }
}

fn apply_i32(x: i32, y: i32) -> i32 {
  switch OP {
    case BINARY_ADD: { return x + y; }
    case BINARY_SUB: { return x - y; }
    case BINARY_MUL: { return x * y; }
    case BINARY_DIV: { return select(x / y, 0, y == 0); }
    case BINARY_POW: { return pow_i32(x, y); }
    case BINARY_MOD: {
      if (y == 0) { return 0; }
      let r = x % y;
      return select(r, r + y, r != 0 && (r ^ y) < 0);
    }
    case BINARY_FLOOR_DIV: {
      if (y == 0) { return 0; }
      if (y == -1) { return -x; }
      let q = x / y;
      return select(q, q - 1, q * y != x && (x ^ y) < 0);
    }
    case BINARY_ATAN2: { return i32(atan2_js(f32(x), f32(y))); }
    case BINARY_MAX: { return max(x, y); }
    case BINARY_MIN: { return min(x, y); }
    case BINARY_SQUARED_DIFFERENCE, default: { let d = x - y; return d * d; }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) group: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = params.begin + (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
  if (i >= params.end) { return; }
  var ia = i;
  if (params.a_size != params.size) { ia = i % params.a_size; }
  var ib = i;
  if (params.b_size != params.size) { ib = i % params.b_size; }
  if (writes_bool()) {
    var r: bool;
    if (INT_IN) { r = compare(bitcast<i32>(a[ia]), bitcast<i32>(b[ib])); } else { r = compare_f32_bits(a[ia], b[ib]); }
    out[i] = select(0u, 1u, r);
  } else if (INT_IN) {
    let r = apply_i32(bitcast<i32>(a[ia]), bitcast<i32>(b[ib]));
    if (INT_OUT) { out[i] = bitcast<u32>(r); } else { out[i] = bitcast<u32>(f32(r)); }
  } else {
    let r = apply_f32(bitcast<f32>(a[ia]), bitcast<f32>(b[ib]));
    if (INT_OUT) { out[i] = bitcast<u32>(to_int32(r)); } else { out[i] = bitcast<u32>(r); }
  }
}
