// scan: running sum or product along the middle axis of x viewed as [outer, length, inner]:
// out[o, l, i] = x[o, 0, i] op ... op x[o, l, i] (exclusive: without x[o, l, i] itself, the
// first being the identity), from l = length - 1 down when reverse. Raw 32-bit words read as
// f32 or, with INTEGER, as i32 (wrapping), accumulated in order as the reference does.
//
// Grid: one invocation per line (o, i), outer * inner of them, serial along length;
// ceil(lines / WORKGROUP_SIZE) workgroups, 2D-split by the host past 65535.
// Bindings: 0 params {outer, length, inner, exclusive, reverse}; 1 x, read; 2 out, written.

override WORKGROUP_SIZE: u32 = 64u;
override PRODUCT: u32 = 0u;
override INTEGER: u32 = 0u;

struct Params { outer: u32, length: u32, inner: u32, exclusive: u32, reverse: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;

fn step_f32(acc: f32, v: f32) -> f32 {
  if (PRODUCT == 1u) { return acc * v; }
  return acc + v;
}

fn step_i32(acc: i32, v: i32) -> i32 {
  if (PRODUCT == 1u) { return acc * v; }
  return acc + v;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) group: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let line = (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
  if (line >= params.outer * params.inner) { return; }
  let o = line / params.inner;
  let i = line % params.inner;
  let base = o * params.length * params.inner + i;
  var acc_f = select(0.0, 1.0, PRODUCT == 1u);
  var acc_i = select(0, 1, PRODUCT == 1u);
  for (var n = 0u; n < params.length; n++) {
    let l = select(n, params.length - 1u - n, params.reverse == 1u);
    let at = base + l * params.inner;
    if (INTEGER == 1u) {
      let before = acc_i;
      acc_i = step_i32(acc_i, bitcast<i32>(x[at]));
      out[at] = bitcast<u32>(select(acc_i, before, params.exclusive == 1u));
    } else {
      let before = acc_f;
      acc_f = step_f32(acc_f, bitcast<f32>(x[at]));
      out[at] = bitcast<u32>(select(acc_f, before, params.exclusive == 1u));
    }
  }
}
