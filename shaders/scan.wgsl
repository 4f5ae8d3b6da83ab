// scan: running sum or product along the middle axis of x viewed as [outer, length, inner]:
// out[o, l, i] = x[o, 0, i] op ... op x[o, l, i] (exclusive: without x[o, l, i] itself, the
// first being the identity), from l = length - 1 down when reverse. Raw 32-bit words read as
// f32 or, with INTEGER, as i32 (wrapping); `combine` is the one place that knows which.
//
// Two entry points, chosen by the host from the shape:
//  - main: one invocation per line (o, i), serial along length, in order (as the
//    reference); for many lines. Grid: ceil(lines / WORKGROUP_SIZE), 2D-split past 65535.
//  - scan_workgroup: one workgroup per line, for few long lines. Each invocation takes a
//    contiguous chunk of the line: it totals its chunk, the workgroup scans the totals in
//    workgroup memory (Hillis-Steele, log2(WORKGROUP_SIZE) steps), then each invocation
//    rescans its chunk from its prefix. Float results differ from the serial order by
//    rounding only. Grid: one workgroup per line.
// Bindings: 0 params {outer, length, inner, exclusive, reverse}; 1 x, read; 2 out, written.

override WORKGROUP_SIZE: u32 = 64u;
override PRODUCT: u32 = 0u;
override INTEGER: u32 = 0u;

struct Params { outer: u32, length: u32, inner: u32, exclusive: u32, reverse: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;

var<workgroup> totals: array<u32, WORKGROUP_SIZE>;

fn combine(a: u32, b: u32) -> u32 {
  if (INTEGER == 1u) {
    if (PRODUCT == 1u) { return bitcast<u32>(bitcast<i32>(a) * bitcast<i32>(b)); }
    return bitcast<u32>(bitcast<i32>(a) + bitcast<i32>(b));
  }
  if (PRODUCT == 1u) { return bitcast<u32>(bitcast<f32>(a) * bitcast<f32>(b)); }
  return bitcast<u32>(bitcast<f32>(a) + bitcast<f32>(b));
}

fn identity() -> u32 {
  if (PRODUCT == 0u) { return 0u; }
  return select(bitcast<u32>(1.0), 1u, INTEGER == 1u);
}

// The storage position of step n of line (o, i), walking backwards when reverse.
fn position(o: u32, i: u32, n: u32) -> u32 {
  let l = select(n, params.length - 1u - n, params.reverse == 1u);
  return (o * params.length + l) * params.inner + i;
}

// Scans steps [first, last) of a line from `start`, writing out; returns the running value.
fn scan_steps(o: u32, i: u32, first: u32, last: u32, start: u32) -> u32 {
  var acc = start;
  for (var n = first; n < last; n++) {
    let at = position(o, i, n);
    let before = acc;
    acc = combine(acc, x[at]);
    out[at] = select(acc, before, params.exclusive == 1u);
  }
  return acc;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) group: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let line = (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
  if (line >= params.outer * params.inner) { return; }
  _ = scan_steps(line / params.inner, line % params.inner, 0u, params.length, identity());
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn scan_workgroup(@builtin(workgroup_id) group: vec3<u32>,
                  @builtin(num_workgroups) groups: vec3<u32>,
                  @builtin(local_invocation_index) lid: u32) {
  // Uniform per workgroup, so the early return keeps the barriers below in uniform control flow.
  let line = group.y * groups.x + group.x;
  if (line >= params.outer * params.inner) { return; }
  let o = line / params.inner;
  let i = line % params.inner;
  let chunk = (params.length + WORKGROUP_SIZE - 1u) / WORKGROUP_SIZE;
  let first = min(params.length, lid * chunk);
  let last = min(params.length, first + chunk);
  var total = identity();
  for (var n = first; n < last; n++) { total = combine(total, x[position(o, i, n)]); }
  totals[lid] = total;
  workgroupBarrier();
  for (var offset = 1u; offset < WORKGROUP_SIZE; offset = offset * 2u) {
    var value = totals[lid];
    if (lid >= offset) { value = combine(totals[lid - offset], value); }
    workgroupBarrier();
    totals[lid] = value;
    workgroupBarrier();
  }
  var prefix = identity();
  if (lid > 0u) { prefix = totals[lid - 1u]; }
  _ = scan_steps(o, i, first, last, prefix);
}
