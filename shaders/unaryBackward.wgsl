// unaryBackward: dx[i] = dy[i] * f'(x[i]) for i < size, float32, f the override OP
// (a UNARY_* code). relu uses x (dx = x > 0 ? dy : 0, NaN x gives NaN); sigmoid, tanh and exp
// use y = f(x); log, sqrt use x / y as the reference backend defines:
//   sigmoid dy*y*(1-y)  tanh dy*(1-y*y)  exp dy*y  log dy/x  neg -dy  abs dy*sign(x)
//   sqrt dy/(2y)  square 2*x*dy.
//
// Grid: one invocation per element, 2D-split by the host past 65535 workgroups.
// Bindings: 0 params {size}; 1 dy, 2 x, 3 y, read; 4 dx, written. NaN x propagates for
// relu and abs explicitly (WGSL may assume finite floats); the other ops carry NaN through
// plain arithmetic.

override OP: u32 = 0u;
override WORKGROUP_SIZE: u32 = 256u;

struct Params { size: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> y: array<f32>;
@group(0) @binding(4) var<storage, read_write> dx: array<f32>;

fn is_nan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }

fn derivative(g: f32, xv: f32, yv: f32) -> f32 {
  switch OP {
    case UNARY_RELU: {
      if (is_nan(xv)) { return xv; }
      return select(0.0, g, xv > 0.0);
    }
    case UNARY_SIGMOID: { return g * yv * (1.0 - yv); }
    case UNARY_TANH: { return g * (1.0 - yv * yv); }
    case UNARY_EXP: { return g * yv; }
    case UNARY_LOG: { return g / xv; }
    case UNARY_NEG: { return -g; }
    case UNARY_ABS: {
      if (is_nan(xv)) { return xv; }
      return g * select(select(0.0, -1.0, xv < 0.0), 1.0, xv > 0.0);
    }
    case UNARY_SQRT: { return g / (2.0 * yv); }
    case UNARY_SQUARE, default: { return 2.0 * xv * g; }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) group: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let i = (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
  if (i >= params.size) { return; }
  dx[i] = derivative(dy[i], x[i], y[i]);
}
