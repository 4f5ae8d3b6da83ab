// scatterRows: for r = 0 .. row_count - 1 in order, where 0 <= indices[r] < out_rows:
// out[indices[r], c] = updates[r, c] (SET: the last row wins) or += updates[r, c] (f32, or
// i32 wrapping with INTEGER). Rows out of range are skipped; out is not cleared.
//
// Grid: invocation g owns column c = g % cols of the target rows in its chunk
// [chunk * chunk_rows, (chunk + 1) * chunk_rows), chunk = g / cols; it walks every r in
// order and applies the rows that land in its chunk, so each output word has one writer
// and sees updates in row order (deterministic, as the reference). The host picks
// chunk_rows to give about a thousand invocations.
// Bindings: 0 params {size = cols * chunks, row_count, cols, out_rows, chunk_rows};
// 1 updates, 2 indices (i32), read; 3 out, read and written.

override WORKGROUP_SIZE: u32 = 64u;
override SET: u32 = 0u;
override INTEGER: u32 = 0u;

struct Params { size: u32, row_count: u32, cols: u32, out_rows: u32, chunk_rows: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> updates: array<u32>;
@group(0) @binding(2) var<storage, read> indices: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) group: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let g = (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
  if (g >= params.size) { return; }
  let c = g % params.cols;
  let first = (g / params.cols) * params.chunk_rows;
  let last = min(params.out_rows, first + params.chunk_rows);
  for (var r = 0u; r < params.row_count; r++) {
    let row = indices[r];
    if (row < i32(first) || row >= i32(last)) { continue; }
    let to = u32(row) * params.cols + c;
    let v = updates[r * params.cols + c];
    if (SET == 1u) {
      out[to] = v;
    } else if (INTEGER == 1u) {
      out[to] = bitcast<u32>(bitcast<i32>(out[to]) + bitcast<i32>(v));
    } else {
      out[to] = bitcast<u32>(bitcast<f32>(out[to]) + bitcast<f32>(v));
    }
  }
}
