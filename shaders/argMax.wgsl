// argMax: x viewed as [outer, length, inner]; out[o * inner + i] (int32) = the first l that
// maximizes x[(o * length + l) * inner + i]; with params.flip = 1 the first that minimizes it
// (argMin: each value is read with its sign bit flipped). A NaN counts as the extreme (the
// first NaN wins), tested on the bits. Ties keep the lower index, so the tree combine below
// is exact.
//
// Two entry points, chosen by the host from the shape, as in reduce.wgsl:
//  - arg_max_workgroup: one workgroup per output, strided scan then a workgroup-memory tree
//    over (value, index) pairs (inner == 1, long rows);
//  - arg_max_serial: one invocation per output scanning the length (inner > 1, or short rows).
// Grid: outputs (workgroup) or ceil(outputs / WORKGROUP_SIZE) (serial), 2D-split past 65535.
// Bindings: 0 params {outer, length, inner, flip}; 1 x (float32), read; 2 out (int32), written.

override WORKGROUP_SIZE: u32 = 64u;

struct Params { outer: u32, length: u32, inner: u32, flip: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<i32>;

var<workgroup> best_values: array<f32, WORKGROUP_SIZE>;
var<workgroup> best_indices: array<u32, WORKGROUP_SIZE>;

fn is_nan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }

// x[k], negated for argMin by flipping the sign bit (a NaN stays a NaN).
fn value_at(k: u32) -> f32 { return bitcast<f32>(bitcast<u32>(x[k]) ^ (params.flip << 31u)); }

// Whether (va, ia) beats (vb, ib): NaN beats numbers, then larger values, then lower indices.
fn beats(va: f32, ia: u32, vb: f32, ib: u32) -> bool {
  let na = is_nan(va);
  let nb = is_nan(vb);
  if (na != nb) { return na; }
  if (!na && va != vb) { return va > vb; }
  return ia < ib;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn arg_max_workgroup(@builtin(workgroup_id) group: vec3<u32>,
                     @builtin(num_workgroups) groups: vec3<u32>,
                     @builtin(local_invocation_index) lid: u32) {
  let index = group.y * groups.x + group.x;
  if (index >= params.outer * params.inner) { return; }
  let o = index / params.inner;
  let i = index % params.inner;
  let base = o * params.length * params.inner + i;
  var best_v = 0.0;
  var best_i = 0xffffffffu;
  for (var l = lid; l < params.length; l += WORKGROUP_SIZE) {
    let v = value_at(base + l * params.inner);
    if (best_i == 0xffffffffu || beats(v, l, best_v, best_i)) { best_v = v; best_i = l; }
  }
  best_values[lid] = best_v;
  best_indices[lid] = best_i;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) {
      let vo = best_values[lid + stride];
      let io = best_indices[lid + stride];
      if (io != 0xffffffffu &&
          (best_indices[lid] == 0xffffffffu || beats(vo, io, best_values[lid], best_indices[lid]))) {
        best_values[lid] = vo;
        best_indices[lid] = io;
      }
    }
    workgroupBarrier();
  }
  if (lid == 0u) { out[index] = select(i32(best_indices[0]), 0, best_indices[0] == 0xffffffffu); }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn arg_max_serial(@builtin(workgroup_id) group: vec3<u32>,
                  @builtin(num_workgroups) groups: vec3<u32>,
                  @builtin(local_invocation_index) lid: u32) {
  let index = (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
  if (index >= params.outer * params.inner) { return; }
  let o = index / params.inner;
  let i = index % params.inner;
  let base = o * params.length * params.inner + i;
  var best_v = value_at(base);
  var best_i = 0u;
  for (var l = 1u; l < params.length; l++) {
    if (is_nan(best_v)) { break; }
    let v = value_at(base + l * params.inner);
    if (v > best_v || is_nan(v)) { best_v = v; best_i = l; }
  }
  out[index] = i32(best_i);
}
