// sgd, in place, float32, for i < size:
//   without HAS_VELOCITY: param -= lr g
//   with it:              velocity = momentum velocity + g
//                         param -= lr (NESTEROV ? g + momentum velocity : velocity)
//
// Grid: one invocation per element, 2D-split by the host past 65535 workgroups.
// Bindings: 0 params {size, lr, momentum}; 1 grad, read; 2 param, 3 velocity (a 4-byte
// dummy without HAS_VELOCITY), read and written.

override HAS_VELOCITY: bool = false;
override NESTEROV: bool = false;
override WORKGROUP_SIZE: u32 = 256u;

struct Params { size: u32, lr: f32, momentum: f32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> param: array<f32>;
@group(0) @binding(3) var<storage, read_write> velocity: array<f32>;

// Decaying state is stored as 0 once below the smallest normal float (as assembly/optim.ts
// and the reference do): some drivers keep subnormals, which are slow and never decay away.
fn flush_subnormal(x: f32) -> f32 { return select(x, 0.0, abs(x) < 1.17549435e-38); }

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) group: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
  if (i >= params.size) { return; }
  let g = grad[i];
  if (!HAS_VELOCITY) {
    param[i] = param[i] - params.lr * g;
    return;
  }
  let vel = flush_subnormal(params.momentum * velocity[i] + g);
  velocity[i] = vel;
  var step = vel;
  if (NESTEROV) { step = g + params.momentum * vel; }
  param[i] = param[i] - params.lr * step;
}
