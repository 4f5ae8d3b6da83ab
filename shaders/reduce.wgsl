// reduce: x viewed as [outer, length, inner]; out[o * inner + i] = sum / max / min over l of
// x[(o * length + l) * inner + i]. OP is the override (a REDUCE_* code).
// NaN propagates for every op (max/min test it on the bits: WGSL's max/min may drop a NaN).
// Empty length gives 0 / -inf / +inf as the reference does.
//
// Two entry points, chosen by the host from the shape:
//  - reduce_workgroup: one workgroup per output; its WORKGROUP_SIZE invocations stride over
//    the length, then combine in a workgroup-memory tree. For long rows (inner == 1), where
//    the reads are contiguous.
//  - reduce_serial: one invocation per output looping over the length; consecutive
//    invocations read consecutive addresses when inner > 1 (column sums, bias gradients).
// Grid: outputs (workgroup) or ceil(outputs / WORKGROUP_SIZE) (serial), 2D-split by the
// host past 65535 workgroups.
// Bindings: 0 params {outer, length, inner}; 1 x, read; 2 out, written. float32.

override OP: u32 = 0u;
override WORKGROUP_SIZE: u32 = 64u;

struct Params { outer: u32, length: u32, inner: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> partial: array<f32, WORKGROUP_SIZE>;

fn is_nan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }
fn infinity() -> f32 { let bits = 0x7f800000u; return bitcast<f32>(bits); }

fn identity() -> f32 {
  switch OP {
    case REDUCE_SUM: { return 0.0; }
    case REDUCE_MAX: { return -infinity(); }
    case REDUCE_MIN, default: { return infinity(); }
  }
}

fn combine(acc: f32, v: f32) -> f32 {
  switch OP {
    case REDUCE_SUM: { return acc + v; }
    case REDUCE_MAX: {
      if (is_nan(acc)) { return acc; }
      if (is_nan(v)) { return v; }
      return max(acc, v);
    }
    case REDUCE_MIN, default: {
      if (is_nan(acc)) { return acc; }
      if (is_nan(v)) { return v; }
      return min(acc, v);
    }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn reduce_workgroup(@builtin(workgroup_id) group: vec3<u32>,
                    @builtin(num_workgroups) groups: vec3<u32>,
                    @builtin(local_invocation_index) lid: u32) {
  let index = group.y * groups.x + group.x;
  if (index >= params.outer * params.inner) { return; }
  let o = index / params.inner;
  let i = index % params.inner;
  let base = o * params.length * params.inner + i;
  var acc = identity();
  for (var l = lid; l < params.length; l += WORKGROUP_SIZE) {
    acc = combine(acc, x[base + l * params.inner]);
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) { partial[lid] = combine(partial[lid], partial[lid + stride]); }
    workgroupBarrier();
  }
  if (lid == 0u) { out[index] = partial[0]; }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn reduce_serial(@builtin(workgroup_id) group: vec3<u32>,
                 @builtin(num_workgroups) groups: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
  let index = (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
  if (index >= params.outer * params.inner) { return; }
  let o = index / params.inner;
  let i = index % params.inner;
  let base = o * params.length * params.inner + i;
  var acc = identity();
  for (var l = 0u; l < params.length; l++) {
    acc = combine(acc, x[base + l * params.inner]);
  }
  out[index] = acc;
}
