// cast: out[i] = convert(x[i]) for i < size; MODE is a CAST_* code (scripts/opcodes.mjs).
// CAST_FLOAT32_TO_INT32: JavaScript ToInt32 semantics (truncate toward zero; NaN and ±inf
// give 0; magnitudes >= 2^31 wrap modulo 2^32, as an Int32Array store does).
// CAST_INT32_TO_FLOAT32: int32 or bool -> float32 (round to nearest). CAST_COPY: the words
// unchanged (same dtype, bool -> int32). CAST_FLOAT32_TO_BOOL: 1 unless ±0 (NaN and
// subnormals are true; tested on the bits, as GPUs may flush subnormals).
// CAST_INT32_TO_BOOL: x != 0.
//
// Grid: one invocation per element, 2D-split by the host past 65535 workgroups.
// Bindings: 0 params {size}; 1 x, read; 2 out, written (both raw 32-bit words).

override MODE: u32 = 0u;
override WORKGROUP_SIZE: u32 = 256u;

struct Params { size: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;

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

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) group: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
  if (i >= params.size) { return; }
  let v = x[i];
  switch MODE {
    case CAST_FLOAT32_TO_INT32: { out[i] = bitcast<u32>(to_int32(bitcast<f32>(v))); }
    case CAST_INT32_TO_FLOAT32: { out[i] = bitcast<u32>(f32(bitcast<i32>(v))); }
    case CAST_FLOAT32_TO_BOOL: { out[i] = select(0u, 1u, (v & 0x7fffffffu) != 0u); }
    case CAST_INT32_TO_BOOL: { out[i] = select(0u, 1u, v != 0u); }
    case CAST_COPY, default: { out[i] = v; }
  }
}
