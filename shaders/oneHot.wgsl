// oneHot: out[i, j] = (indices[i] == j) ? 1 : 0 for i < size, j < depth; out is float32,
// indices int32. An index outside [0, depth) gives a zero row.
//
// Grid: one invocation per output element (size * depth), 2D-split by the host past 65535
// workgroups, so the zeros are written in the same pass (no separate fill).
// Bindings: 0 params {total = size * depth, depth}; 1 indices, read; 2 out, written.

override WORKGROUP_SIZE: u32 = 256u;

struct Params { total: u32, depth: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> indices: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) group: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
  if (i >= params.total) { return; }
  let row = i / params.depth;
  let j = i % params.depth;
  out[i] = select(0.0, 1.0, indices[row] == i32(j));
}
