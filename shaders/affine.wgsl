// affine: out[i] = alpha * x[i] + beta for i < size, float32 (scale and shift in one pass:
// affine(x, -1, 1) is 1 - x, affine(x, 1/n, 0) a mean).
//
// Grid: one invocation per element, 2D-split by the host past 65535 workgroups.
// Bindings: 0 params {size, alpha, beta}; 1 x, read; 2 out, written.

override WORKGROUP_SIZE: u32 = 256u;

struct Params { size: u32, alpha: f32, beta: f32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) group: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
  if (i >= params.size) { return; }
  out[i] = params.alpha * x[i] + params.beta;
}
