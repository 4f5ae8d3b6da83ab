// softmax: out[r, j] = exp(x[r, j] - max_r) / sum_j exp(x[r, j] - max_r), rows x cols,
// float32, max-subtracted so +-1e4 logits cannot overflow. Rows with a NaN or +inf, and rows
// of all -inf, are all NaN, as in the reference (found on the bits: a NaN makes WGSL's max()
// implementation-defined); -inf entries of a finite row give 0.
//
// Two entry points, chosen by the host from the row width (rows of a multiple of 4 columns
// above 64 take softmaxVec4.wgsl instead, the same scheme on vec4s):
//  - main (wide rows): one workgroup per row. Its WORKGROUP_SIZE invocations stride over
//    the columns three times: max (and the largest |x| bit pattern), sum of exp(x - max),
//    then out = exp(x - max) / sum (the exp again, rather than writing and rereading).
//    Each reduction is one barrier: every invocation writes its partial, then reads them
//    all. The host picks WORKGROUP_SIZE = 4 on CPU adapters (barriers cost a switch per
//    invocation there), 64 or 256 on GPUs.
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

var<workgroup> partial_max: array<f32, WORKGROUP_SIZE>;
var<workgroup> partial_bits: array<u32, WORKGROUP_SIZE>;
var<workgroup> partial_sum: array<f32, WORKGROUP_SIZE>;

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
  // Uniform per workgroup, so the barriers below stay in uniform control flow.
  if (row >= params.rows) { return; }
  let cols = params.cols;
  let base = row * cols;

  var m = -infinity();
  var bits = 0u;
  for (var j = lid; j < cols; j += WORKGROUP_SIZE) {
    let v = x[base + j];
    m = max(m, v);
    bits = max(bits, bitcast<u32>(v) & 0x7fffffffu);
  }
  partial_max[lid] = m;
  partial_bits[lid] = bits;
  workgroupBarrier();
  var row_max = partial_max[0];
  var row_bits = partial_bits[0];
  for (var i = 1u; i < WORKGROUP_SIZE; i++) {
    row_max = max(row_max, partial_max[i]);
    row_bits = max(row_bits, partial_bits[i]);
  }
  // A NaN or +inf anywhere, or every entry -inf: a NaN row.
  let row_nan = row_bits > 0x7f800000u || (bitcast<u32>(row_max) & 0x7fffffffu) == 0x7f800000u;

  var s = 0.0;
  for (var j = lid; j < cols; j += WORKGROUP_SIZE) { s += exp(x[base + j] - row_max); }
  partial_sum[lid] = s;
  workgroupBarrier();
  var total = 0.0;
  for (var i = 0u; i < WORKGROUP_SIZE; i++) { total += partial_sum[i]; }

  if (row_nan) {
    for (var j = lid; j < cols; j += WORKGROUP_SIZE) { out[base + j] = nan_value(); }
    return;
  }
  let scale = 1.0 / total;
  for (var j = lid; j < cols; j += WORKGROUP_SIZE) { out[base + j] = exp(x[base + j] - row_max) * scale; }
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
