// softmax: out[r, j] = exp(x[r, j] - max_r) / sum_j exp(x[r, j] - max_r), rows x cols,
// float32, max-subtracted so ±1e4 logits cannot overflow. A NaN in a row makes the whole
// row NaN (the max propagates NaN, tested on the bits), as in the reference; so does a
// NaN sum (+inf, or a row of -inf).
//
// Two entry points, chosen by the host from the row width:
//  - main (wide rows): one workgroup per row. Its WORKGROUP_SIZE invocations stride over
//    the columns three times: a max, combined in a workgroup-memory tree; a sum of
//    exp(x - max), combined the same way; then the normalized writes.
//    Grid: rows workgroups, 2D-split by the host past 65535 (row = y * groups.x + x).
//  - softmax_rows (narrow rows, cols <= 64): one invocation per row, three plain loops and
//    no barrier (on CPU adapters the barriers of a 10-wide row cost more than its math).
//    Grid: ceil(rows / WORKGROUP_SIZE), 2D-split past 65535.
// Bindings: 0 params {rows, cols}; 1 x, read; 2 out, written.

override WORKGROUP_SIZE: u32 = 64u;

struct Params { rows: u32, cols: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> partial: array<f32, WORKGROUP_SIZE>;

fn is_nan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }
fn infinity() -> f32 { let bits = 0x7f800000u; return bitcast<f32>(bits); }
fn nan_value() -> f32 { let bits = 0x7fc00000u; return bitcast<f32>(bits); }

fn max_nan(p: f32, q: f32) -> f32 {
  if (is_nan(p)) { return p; }
  if (is_nan(q)) { return q; }
  return max(p, q);
}

// WGSL does not pin exp(NaN) down (SwiftShader returns a number); keep the NaN.
fn exp_nan(v: f32) -> f32 { return select(exp(v), v, is_nan(v)); }

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) group: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = group.y * groups.x + group.x;
  if (row >= params.rows) { return; }
  let base = row * params.cols;

  var m = -infinity();
  for (var j = lid; j < params.cols; j += WORKGROUP_SIZE) { m = max_nan(m, x[base + j]); }
  partial[lid] = m;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) { partial[lid] = max_nan(partial[lid], partial[lid + stride]); }
    workgroupBarrier();
  }
  let row_max = partial[0];
  workgroupBarrier();

  var s = 0.0;
  for (var j = lid; j < params.cols; j += WORKGROUP_SIZE) { s += exp_nan(x[base + j] - row_max); }
  partial[lid] = s;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) { partial[lid] = partial[lid] + partial[lid + stride]; }
    workgroupBarrier();
  }
  let total = partial[0];
  let inv_sum = 1.0 / total;
  // A NaN max or sum (a NaN, +inf, or an all -inf row) makes the whole row NaN.
  let row_nan = is_nan(total) || is_nan(row_max);

  for (var j = lid; j < params.cols; j += WORKGROUP_SIZE) {
    let shifted = x[base + j] - row_max;
    out[base + j] = select(exp(shifted) * inv_sum, nan_value(), row_nan || is_nan(shifted));
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn softmax_rows(@builtin(workgroup_id) group: vec3<u32>,
                @builtin(num_workgroups) groups: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
  let row = (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
  if (row >= params.rows) { return; }
  let base = row * params.cols;
  var m = -infinity();
  for (var j = 0u; j < params.cols; j++) { m = max_nan(m, x[base + j]); }
  var total = 0.0;
  for (var j = 0u; j < params.cols; j++) { total += exp_nan(x[base + j] - m); }
  let inv_sum = 1.0 / total;
  let row_nan = is_nan(total) || is_nan(m);
  for (var j = 0u; j < params.cols; j++) {
    let shifted = x[base + j] - m;
    out[base + j] = select(exp(shifted) * inv_sum, nan_value(), row_nan || is_nan(shifted));
  }
}
