// rmsprop, in place, float32, for i < size:
//   mean_square = decay mean_square + (1 - decay) g^2
//   step = lr g / sqrt(mean_square + epsilon)
//   with HAS_MOMENT: moment = momentum moment + step; param -= moment
//   without:         param -= step
//
// Grid: one invocation per element, 2D-split by the host past 65535 workgroups.
// Bindings: 0 params {size, lr, decay, momentum, epsilon, one_minus_decay}; 1 grad, read;
// 2 param, 3 mean_square, 4 moment (a 4-byte dummy without HAS_MOMENT), read and written.

override HAS_MOMENT: bool = false;
override WORKGROUP_SIZE: u32 = 256u;

struct Params { size: u32, lr: f32, decay: f32, momentum: f32, epsilon: f32, one_minus_decay: f32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> param: array<f32>;
@group(0) @binding(3) var<storage, read_write> mean_square: array<f32>;
@group(0) @binding(4) var<storage, read_write> moment: array<f32>;

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
  let ms = flush_subnormal(params.decay * mean_square[i] + params.one_minus_decay * g * g);
  mean_square[i] = ms;
  let step = params.lr * g / sqrt(ms + params.epsilon);
  if (HAS_MOMENT) {
    let mom = flush_subnormal(params.momentum * moment[i] + step);
    moment[i] = mom;
    param[i] = param[i] - mom;
  } else {
    param[i] = param[i] - step;
  }
}
