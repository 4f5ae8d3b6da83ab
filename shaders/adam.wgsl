// adam, in place, float32, for i < size (the TF.js form, bias corrections precomputed):
//   m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2
//   param -= lr * (m * correction1) / (sqrt(v * correction2) + epsilon)
// correction1 = 1 / (1 - beta1^t), correction2 = 1 / (1 - beta2^t) come from the host.
//
// Grid: one invocation per element, 2D-split by the host past 65535 workgroups.
// Bindings: 0 params {size, lr, beta1, beta2, epsilon, correction1, correction2,
// one_minus_beta1, one_minus_beta2}; 1 grad, read; 2 param, 3 m, 4 v, read and written.

override WORKGROUP_SIZE: u32 = 256u;

struct Params {
  size: u32, lr: f32, beta1: f32, beta2: f32, epsilon: f32,
  correction1: f32, correction2: f32, one_minus_beta1: f32, one_minus_beta2: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> grad: array<f32>;
@group(0) @binding(2) var<storage, read_write> param: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;

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
  let m_new = flush_subnormal(params.beta1 * m[i] + params.one_minus_beta1 * g);
  let v_new = flush_subnormal(params.beta2 * v[i] + params.one_minus_beta2 * g * g);
  m[i] = m_new;
  v[i] = v_new;
  param[i] = param[i] - params.lr * (m_new * params.correction1) /
    (sqrt(v_new * params.correction2) + params.epsilon);
}
