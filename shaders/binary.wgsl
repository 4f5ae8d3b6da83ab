// binary: out[i] = a[i % a_size] op b[i % b_size] for i < size. op is the override OP
// (BINARY_CODES: add 0, sub 1, mul 2, div 3, max 4, min 5, equal 6, squaredDifference 7).
// a_size and b_size each equal size, 1, or divide size (a repeated bias row); the modulo is
// skipped when an operand is full size.
//
// Dtypes: buffers are raw 32-bit words (array<u32>), so one shader serves both dtypes:
// INT_IN reads the operands as int32 (wrapping add/sub/mul, division truncating toward
// zero with x/0 = 0 as the reference's ToInt32(x/0) gives), else float32; INT_OUT writes
// int32 (float results converted with JavaScript ToInt32 semantics) else float32.
// NaN: max/min return NaN when either operand is NaN (tested on the bits); equal of NaN is 0.
//
// Grid: one invocation per element, 2D-split by the host past 65535 workgroups.
// Bindings: 0 params {size, a_size, b_size}; 1 a, 2 b, read; 3 out, written.

override OP: u32 = 0u;
override INT_IN: bool = false;
override INT_OUT: bool = false;
override WORKGROUP_SIZE: u32 = 256u;

struct Params { size: u32, a_size: u32, b_size: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<u32>;
@group(0) @binding(2) var<storage, read> b: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<u32>;

fn is_nan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }

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

fn apply_f32(x: f32, y: f32) -> f32 {
  switch OP {
    case 0u: { return x + y; }
    case 1u: { return x - y; }
    case 2u: { return x * y; }
    case 3u: { return x / y; }
    case 4u: {
      if (is_nan(x)) { return x; }
      if (is_nan(y)) { return y; }
      return max(x, y);
    }
    case 5u: {
      if (is_nan(x)) { return x; }
      if (is_nan(y)) { return y; }
      return min(x, y);
    }
    case 6u: { return select(0.0, 1.0, x == y && !is_nan(x)); }
    default: { let d = x - y; return d * d; }
  }
}

fn apply_i32(x: i32, y: i32) -> i32 {
  switch OP {
    case 0u: { return x + y; }
    case 1u: { return x - y; }
    case 2u: { return x * y; }
    case 3u: { return select(x / y, 0, y == 0); }
    case 4u: { return max(x, y); }
    case 5u: { return min(x, y); }
    case 6u: { return select(0, 1, x == y); }
    default: { let d = x - y; return d * d; }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) group: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
  if (i >= params.size) { return; }
  var ia = i;
  if (params.a_size != params.size) { ia = i % params.a_size; }
  var ib = i;
  if (params.b_size != params.size) { ib = i % params.b_size; }
  if (INT_IN) {
    let r = apply_i32(bitcast<i32>(a[ia]), bitcast<i32>(b[ib]));
    if (INT_OUT) { out[i] = bitcast<u32>(r); } else { out[i] = bitcast<u32>(f32(r)); }
  } else {
    let r = apply_f32(bitcast<f32>(a[ia]), bitcast<f32>(b[ib]));
    if (INT_OUT) { out[i] = bitcast<u32>(to_int32(r)); } else { out[i] = bitcast<u32>(r); }
  }
}
