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

fn apply_f32(x: f32, y: f32) -> f32 {
  switch OP {
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
