// fill: out[i] = value for i < size. The host passes the value's 32 bits (float32 bits, or
// the int32 that JavaScript's Int32Array would store), so one pipeline serves both dtypes.
//
// Grid: one invocation per element, 2D-split by the host past 65535 workgroups.
// Bindings: 0 params {size, bits}; 1 out, written.

override WORKGROUP_SIZE: u32 = 256u;

struct Params { size: u32, bits: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) group: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
  if (i >= params.size) { return; }
  out[i] = params.bits;
}
