// softmaxVec4: the wide-row softmax of softmax.wgsl (`main`, same results and edge rules)
// for rows of a multiple of 4 columns, read and written as vec4<f32> (16-byte aligned
// because every row starts at a multiple of 4 floats). A separate module because x and out
// are typed arrays of vec4 here.
//
// Grid: one workgroup per row (rows past 65535 are 2D-split by the host: row = y * groups.x + x);
// its WORKGROUP_SIZE invocations stride over the row's quads three times:
//   1. max of x and the largest |x| bit pattern (a NaN or +-inf anywhere shows there);
//   2. sum of exp(x - max);
//   3. out = exp(x - max) / sum (the exp again: reading x once more is cheaper than writing
//      the exps and reading them back, on GPUs and on CPU adapters alike).
// Each reduction takes one barrier: every invocation writes its partial and then reads all
// WORKGROUP_SIZE of them (no tree). The host picks WORKGROUP_SIZE = 4 on CPU adapters
// (SwiftShader runs 4 lanes at once, and each more invocation per row costs a switch at
// every barrier: 512x1000 took 60 ms with a 64-wide tree, 7 ms like this), 64 or 256 on GPUs.
// Rows with a NaN or +inf, and rows of all -inf, are all NaN, as in the reference;
// -inf entries of a finite row give 0.
// Bindings: 0 params {rows, cols}; 1 x, read; 2 out, written.

override WORKGROUP_SIZE: u32 = 4u;

struct Params { rows: u32, cols: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> out: array<vec4<f32>>;

var<workgroup> partial_max: array<f32, WORKGROUP_SIZE>;
var<workgroup> partial_bits: array<u32, WORKGROUP_SIZE>;
var<workgroup> partial_sum: array<f32, WORKGROUP_SIZE>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) group: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let row = group.y * groups.x + group.x;
  // Uniform per workgroup, so the barriers below stay in uniform control flow.
  if (row >= params.rows) { return; }
  let quads = params.cols / 4u;
  let base = row * quads;

  // Through a `let`: a constant expression that evaluates to inf or NaN is a shader error.
  let neg_inf_bits = 0xff800000u;
  let neg_inf = bitcast<f32>(neg_inf_bits);
  var m = vec4<f32>(neg_inf);
  var bits = vec4<u32>(0u);
  for (var j = lid; j < quads; j += WORKGROUP_SIZE) {
    let v = x[base + j];
    m = max(m, v);
    bits = max(bits, bitcast<vec4<u32>>(v) & vec4<u32>(0x7fffffffu));
  }
  partial_max[lid] = max(max(m.x, m.y), max(m.z, m.w));
  partial_bits[lid] = max(max(bits.x, bits.y), max(bits.z, bits.w));
  workgroupBarrier();
  var row_max = partial_max[0];
  var row_bits = partial_bits[0];
  for (var i = 1u; i < WORKGROUP_SIZE; i++) {
    row_max = max(row_max, partial_max[i]);
    row_bits = max(row_bits, partial_bits[i]);
  }
  // A NaN (bits above those of inf) or +inf anywhere, or every entry -inf: a NaN row. A NaN
  // makes max() implementation-defined, so the NaN test is on the bits, not on row_max.
  let row_nan = row_bits > 0x7f800000u || (bitcast<u32>(row_max) & 0x7fffffffu) == 0x7f800000u;

  let shift = vec4<f32>(row_max);
  var s = vec4<f32>(0.0);
  for (var j = lid; j < quads; j += WORKGROUP_SIZE) { s += exp(x[base + j] - shift); }
  partial_sum[lid] = (s.x + s.y) + (s.z + s.w);
  workgroupBarrier();
  var total = 0.0;
  for (var i = 0u; i < WORKGROUP_SIZE; i++) { total += partial_sum[i]; }

  if (row_nan) {
    let nan_bits = 0x7fc00000u;
    let nan = vec4<f32>(bitcast<f32>(nan_bits));
    for (var j = lid; j < quads; j += WORKGROUP_SIZE) { out[base + j] = nan; }
    return;
  }
  let scale = vec4<f32>(1.0 / total);
  for (var j = lid; j < quads; j += WORKGROUP_SIZE) { out[base + j] = exp(x[base + j] - shift) * scale; }
}
