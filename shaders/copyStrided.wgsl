// copyStrided: for every index tuple t of `shape` (rank <= 8),
//   dst[dst_offset + sum t_d dst_strides_d] = src[src_offset + sum t_d src_strides_d].
// Serves slice, concat, transpose and broadcastTo (stride 0). Raw 32-bit words, so both
// dtypes share the pipeline.
//
// The host first drops size-1 axes and merges axes that are contiguous on both sides, so
// most copies arrive as rank 1 or 2; unused trailing slots are never read (loop to rank).
// Grid: one invocation per element of the shape (row-major order), 2D-split by the host
// past 65535 workgroups; each invocation peels its coordinates off the linear index from
// the last axis (integer division per axis: a cold path).
// Bindings: 0 params {size, rank, src_offset, dst_offset, shape[8], src_strides[8],
// dst_strides[8]} (the arrays packed as two vec4 each; strides are signed); 1 src, read;
// 2 dst, written.

override WORKGROUP_SIZE: u32 = 256u;

struct Params {
  size: u32, rank: u32, src_offset: u32, dst_offset: u32,
  shape: array<vec4<u32>, 2>,
  src_strides: array<vec4<i32>, 2>,
  dst_strides: array<vec4<i32>, 2>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) group: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
  if (i >= params.size) { return; }
  var rest = i;
  var s = i32(params.src_offset);
  var d = i32(params.dst_offset);
  for (var axis = i32(params.rank) - 1; axis >= 0; axis--) {
    let slot = u32(axis);
    let extent = params.shape[slot / 4u][slot % 4u];
    let coordinate = i32(rest % extent);
    rest = rest / extent;
    s += coordinate * params.src_strides[slot / 4u][slot % 4u];
    d += coordinate * params.dst_strides[slot / 4u][slot % 4u];
  }
  dst[u32(d)] = src[u32(s)];
}
