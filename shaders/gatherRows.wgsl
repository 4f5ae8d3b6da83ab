// gatherRows: dst[r, c] = src[indices[r], c] for r < row_count, c < cols. Raw 32-bit words
// (both dtypes); indices are int32. An index outside [0, src_rows) writes zero words
// (ops validate indices; this only keeps a bad one from reading another tensor).
//
// Grid: one invocation per element of dst (row_count * cols), 2D-split by the host past
// 65535 workgroups; consecutive invocations copy consecutive columns of a row.
// Bindings: 0 params {size = row_count * cols, cols, src_rows}; 1 src, 2 indices, read;
// 3 dst, written.

override WORKGROUP_SIZE: u32 = 256u;

struct Params { size: u32, cols: u32, src_rows: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read> indices: array<i32>;
@group(0) @binding(3) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) group: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
  if (i >= params.size) { return; }
  let r = i / params.cols;
  let c = i % params.cols;
  let index = indices[r];
  if (index < 0 || u32(index) >= params.src_rows) { dst[i] = 0u; return; }
  dst[i] = src[u32(index) * params.cols + c];
}
