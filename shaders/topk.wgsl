// topk: for each row of a rows x cols f32 matrix, its k largest values in descending order
// and their i32 columns. The order is total: a NaN (tested on the bits) before every
// number, then larger values, then lower columns (as argMax and the reference).
//
// Selection: pick j takes the best column that comes after pick j - 1 in that order, so no
// list of taken columns is needed: O(k * cols) per row. Two entry points, chosen by the host:
//  - main: one invocation per row (many short rows); ceil(rows / WORKGROUP_SIZE) workgroups;
//  - topk_workgroup: one workgroup per row (few long rows): each pick is a strided scan by
//    every invocation and a tree combine in workgroup memory; rows workgroups.
// Grid: as above per entry point, 2D-split by the host past 65535.
// Bindings: 0 params {rows, cols, k}; 1 x, read; 2 values, 3 indices (i32), written.

override WORKGROUP_SIZE: u32 = 64u;

struct Params { rows: u32, cols: u32, k: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> values: array<f32>;
@group(0) @binding(3) var<storage, read_write> indices: array<i32>;

var<workgroup> best_values: array<f32, WORKGROUP_SIZE>;
var<workgroup> best_columns: array<u32, WORKGROUP_SIZE>;

const NONE: u32 = 0xffffffffu;

fn is_nan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }

// Whether (va, ia) comes before (vb, ib).
fn before(va: f32, ia: u32, vb: f32, ib: u32) -> bool {
  let na = is_nan(va);
  let nb = is_nan(vb);
  if (na != nb) { return na; }
  if (!na && va != vb) { return va > vb; }
  return ia < ib;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) group: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
  if (row >= params.rows) { return; }
  let base = row * params.cols;
  var prev_v = 0.0;
  var prev_i = NONE;
  for (var j = 0u; j < params.k; j++) {
    var best_v = 0.0;
    var best_i = NONE;
    for (var c = 0u; c < params.cols; c++) {
      let v = x[base + c];
      if (prev_i != NONE && !before(prev_v, prev_i, v, c)) { continue; }
      if (best_i == NONE || before(v, c, best_v, best_i)) { best_v = v; best_i = c; }
    }
    values[row * params.k + j] = best_v;
    indices[row * params.k + j] = i32(best_i);
    prev_v = best_v;
    prev_i = best_i;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn topk_workgroup(@builtin(workgroup_id) group: vec3<u32>,
                  @builtin(num_workgroups) groups: vec3<u32>,
                  @builtin(local_invocation_index) lid: u32) {
  // Uniform per workgroup, so the barriers below stay in uniform control flow.
  let row = group.y * groups.x + group.x;
  if (row >= params.rows) { return; }
  let base = row * params.cols;
  var prev_v = 0.0;
  var prev_i = NONE;
  for (var j = 0u; j < params.k; j++) {
    var best_v = 0.0;
    var best_i = NONE;
    for (var c = lid; c < params.cols; c += WORKGROUP_SIZE) {
      let v = x[base + c];
      if (prev_i != NONE && !before(prev_v, prev_i, v, c)) { continue; }
      if (best_i == NONE || before(v, c, best_v, best_i)) { best_v = v; best_i = c; }
    }
    best_values[lid] = best_v;
    best_columns[lid] = best_i;
    workgroupBarrier();
    for (var half = WORKGROUP_SIZE / 2u; half > 0u; half = half / 2u) {
      if (lid < half) {
        let other_i = best_columns[lid + half];
        let other_v = best_values[lid + half];
        if (other_i != NONE && (best_columns[lid] == NONE || before(other_v, other_i, best_values[lid], best_columns[lid]))) {
          best_values[lid] = other_v;
          best_columns[lid] = other_i;
        }
      }
      workgroupBarrier();
    }
    prev_v = best_values[0];
    prev_i = best_columns[0];
    if (lid == 0u) {
      values[row * params.k + j] = prev_v;
      indices[row * params.k + j] = i32(prev_i);
    }
    workgroupBarrier();
  }
}
