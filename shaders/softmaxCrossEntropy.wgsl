// softmaxCrossEntropy: per row r of logits x (rows x cols, float32), fused:
//   loss[r] = logsumexp(x_r) - sum_j y_rj x_rj
//   grad[r, j] = (softmax(x_r)_j - y_rj) * grad_scale          (when HAS_GRAD)
// Labels y are probability rows (float32, rows x cols) or, with SPARSE, one int32 class
// index per row (an index outside [0, cols) gives a NaN loss and no target in the gradient).
//
// Numerics: with m the row max and s = sum_j exp(x_j - m), the loss is evaluated as
//   log(s) - sum_j y_j (x_j - m) + m (1 - sum_j y_j),
// which equals the definition but never subtracts two large numbers for one-hot rows, so
// ±1e4 logits keep their small losses. NaN anywhere in a row propagates to its loss.
//
// Two entry points, chosen by the host from the row width:
//  - main (wide rows): one workgroup per row, WORKGROUP_SIZE invocations striding over the
//    columns; the max, then the sums of exp(x - m), y (x - m) and y, are combined in
//    workgroup-memory trees. The host sets WORKGROUP_SIZE to 4 on CPU adapters (each barrier
//    there costs a switch per invocation; 512x1000 with its gradient ~2.6x faster than 64),
//    64 or 256 on GPUs. Grid: rows workgroups, 2D-split by the host past 65535.
//  - xent_rows (narrow rows, cols <= 64): one invocation per row, plain loops, no barrier
//    (cheaper on CPU adapters). Grid: ceil(rows / WORKGROUP_SIZE), 2D-split past 65535.
// Bindings: 0 params {rows, cols, grad_scale}; 1 logits, read; 2 labels (raw words: float32
// rows, or int32 indices with SPARSE), read; 3 loss (rows), written; 4 grad (rows x cols, a
// 4-byte dummy without HAS_GRAD), written.

override SPARSE: bool = false;
override HAS_GRAD: bool = true;
override WORKGROUP_SIZE: u32 = 64u;

struct Params { rows: u32, cols: u32, grad_scale: f32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;

var<workgroup> partial: array<vec3<f32>, WORKGROUP_SIZE>;

fn is_nan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }
fn infinity() -> f32 { let bits = 0x7f800000u; return bitcast<f32>(bits); }
fn nan_value() -> f32 { let bits = 0x7fc00000u; return bitcast<f32>(bits); }

fn max_nan(p: f32, q: f32) -> f32 {
  if (is_nan(p)) { return p; }
  if (is_nan(q)) { return q; }
  return max(p, q);
}

fn exp_nan(v: f32) -> f32 { return select(exp(v), v, is_nan(v)); }

fn label_target(row: u32, j: u32, label: i32) -> f32 {
  if (SPARSE) { return select(0.0, 1.0, i32(j) == label); }
  return bitcast<f32>(labels[row * params.cols + j]);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) group: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = group.y * groups.x + group.x;
  if (row >= params.rows) { return; }
  let base = row * params.cols;
  var label = -1;
  if (SPARSE) { label = bitcast<i32>(labels[row]); }

  var m = -infinity();
  for (var j = lid; j < params.cols; j += WORKGROUP_SIZE) { m = max_nan(m, logits[base + j]); }
  partial[lid].x = m;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) { partial[lid].x = max_nan(partial[lid].x, partial[lid + stride].x); }
    workgroupBarrier();
  }
  let row_max = partial[0].x;
  workgroupBarrier();

  // (sum exp(x - m), sum y (x - m), sum y)
  var sums = vec3<f32>(0.0);
  for (var j = lid; j < params.cols; j += WORKGROUP_SIZE) {
    let shifted = logits[base + j] - row_max;
    let y = label_target(row, j, label);
    sums += vec3<f32>(exp_nan(shifted), y * shifted, y);
  }
  partial[lid] = sums;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) { partial[lid] = partial[lid] + partial[lid + stride]; }
    workgroupBarrier();
  }
  let total = partial[0];

  if (lid == 0u) {
    var value = log(total.x) - total.y + row_max * (1.0 - total.z);
    if (SPARSE && (label < 0 || label >= i32(params.cols))) { value = nan_value(); }
    if (is_nan(row_max) || is_nan(total.x) || is_nan(total.y)) { value = nan_value(); }
    loss[row] = value;
  }
  if (HAS_GRAD) {
    let inv_sum = 1.0 / total.x;
    let row_nan = is_nan(total.x) || is_nan(row_max);
    for (var j = lid; j < params.cols; j += WORKGROUP_SIZE) {
      let shifted = logits[base + j] - row_max;
      let g = (exp_nan(shifted) * inv_sum - label_target(row, j, label)) * params.grad_scale;
      grad[base + j] = select(g, nan_value(), row_nan || is_nan(shifted));
    }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn xent_rows(@builtin(workgroup_id) group: vec3<u32>,
             @builtin(num_workgroups) groups: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
  let row = (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
  if (row >= params.rows) { return; }
  let base = row * params.cols;
  var label = -1;
  if (SPARSE) { label = bitcast<i32>(labels[row]); }
  var m = -infinity();
  for (var j = 0u; j < params.cols; j++) { m = max_nan(m, logits[base + j]); }
  var total = vec3<f32>(0.0);
  for (var j = 0u; j < params.cols; j++) {
    let shifted = logits[base + j] - m;
    let y = label_target(row, j, label);
    total += vec3<f32>(exp_nan(shifted), y * shifted, y);
  }
  var value = log(total.x) - total.y + m * (1.0 - total.z);
  if (SPARSE && (label < 0 || label >= i32(params.cols))) { value = nan_value(); }
  if (is_nan(m) || is_nan(total.x) || is_nan(total.y)) { value = nan_value(); }
  loss[row] = value;
  if (HAS_GRAD) {
    let inv_sum = 1.0 / total.x;
    let row_nan = is_nan(total.x) || is_nan(m);
    for (var j = 0u; j < params.cols; j++) {
      let shifted = logits[base + j] - m;
      let g = (exp_nan(shifted) * inv_sum - label_target(row, j, label)) * params.grad_scale;
      grad[base + j] = select(g, nan_value(), row_nan || is_nan(shifted));
    }
  }
}
