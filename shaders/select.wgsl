// select (where): out[i] = cond[i % cond_size] != 0 ? a[i % a_size] : b[i % b_size] for
// i < size. Values are raw 32-bit words of any dtype (float32, int32, bool), moved without
// being read as numbers, so -0, NaN and subnormals come through unchanged; cond is bool (any
// nonzero word is true). cond_size, a_size and b_size each equal size, 1, or divide size;
// the modulo is skipped for a full-size operand.
//
// Grid: one invocation per element, 2D-split by the host past 65535 workgroups.
// Bindings: 0 params {size, cond_size, a_size, b_size}; 1 cond, 2 a, 3 b, read; 4 out,
// written (the host routes an out that is also an input through a scratch copy).

override WORKGROUP_SIZE: u32 = 256u;

struct Params { size: u32, cond_size: u32, a_size: u32, b_size: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> cond: array<u32>;
@group(0) @binding(2) var<storage, read> a: array<u32>;
@group(0) @binding(3) var<storage, read> b: array<u32>;
@group(0) @binding(4) var<storage, read_write> out: array<u32>;

fn wrap_index(i: u32, n: u32) -> u32 { return select(i % n, i, n == params.size); }

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) group: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
  if (i >= params.size) { return; }
  if (cond[wrap_index(i, params.cond_size)] != 0u) {
    out[i] = a[wrap_index(i, params.a_size)];
  } else {
    out[i] = b[wrap_index(i, params.b_size)];
  }
}
