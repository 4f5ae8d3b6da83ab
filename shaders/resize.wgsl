// resize: an NHWC float32 image resize (kernel-params.ts ResizeParams), bilinear or nearest.
// The sample positions come from the host (src/backends/resize-taps.ts: TF.js's float64
// formulas), so they are the reference's exactly: taps holds per output row, then per output
// column, (low index, high index, fraction's bits); nearest reads the low index only. The
// blends run in the composition's order: columns, then rows.
//
// Grid: one invocation per output element, 2D-split by the host past 65535 workgroups.
// Bindings: 0 params {total, channels, inWidth, inHeight, outWidth, outHeight, nearest};
// 1 x, read; 2 taps, read; 3 out, written.

override WORKGROUP_SIZE: u32 = 256u;

struct Params { total: u32, channels: u32, inWidth: u32, inHeight: u32, outWidth: u32, outHeight: u32, nearest: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> taps: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) group: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
  if (i >= params.total) { return; }
  let c = params.channels;
  let k = i % c;
  let pixel = i / c;
  let col = pixel % params.outWidth;
  let rest = pixel / params.outWidth;
  let row = rest % params.outHeight;
  let image = rest / params.outHeight;
  let r = 3u * row;
  let q = 3u * (params.outHeight + col);
  let base = image * params.inHeight;
  let top = (base + taps[r]) * params.inWidth;
  if (params.nearest != 0u) {
    out[i] = x[(top + taps[q]) * c + k];
    return;
  }
  let bottom = (base + taps[r + 1u]) * params.inWidth;
  let fx = bitcast<f32>(taps[q + 2u]);
  let fy = bitcast<f32>(taps[r + 2u]);
  let a = x[(top + taps[q]) * c + k];
  let b = x[(top + taps[q + 1u]) * c + k];
  let d = x[(bottom + taps[q]) * c + k];
  let e = x[(bottom + taps[q + 1u]) * c + k];
  let upper = a + (b - a) * fx;
  let lower = d + (e - d) * fx;
  out[i] = upper + (lower - upper) * fy;
}
