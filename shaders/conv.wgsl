// conv: the dense 2-D convolutions as implicit GEMMs over NHWC images and HWIO filters, with
// gemm.wgsl's tiled skeleton (a workgroup of WG_COLS x WG_ROWS invocations computes a
// (4*WG_ROWS) x (4*WG_COLS) tile of C = A · B, staging TILE_K-deep slabs of A and B as vec4
// quads in workgroup memory) and the im2col done by the slab loaders, so no patch matrix is
// ever stored. MODE picks what A, B and C are (geometry from the params; "pixel" is a flat
// (b, y, x) index, "tap" a flat (fy, fx) filter position):
//
// MODE 0, conv2d: C[out pixel, o] = act(sum over (tap, c) of x[window of the pixel at tap, c]
//   * filter[tap, c, o] + bias[o]); A = im2col(x) (m = batch*out_h*out_w, k = taps*in_c),
//   B = the filter as stored ([taps*in_c, out_c]); out is [m, out_c].
// MODE 1, conv2dBackpropInput: C[in pixel, c] = sum over (tap, o) of dy[the output pixel
//   whose window reads the pixel at tap, o] * filter[tap, c, o]; A gathers dy (0 where no
//   output pixel reads it: off the stride or outside the output), m = batch*in_h*in_w,
//   k = taps*out_c; B[(tap, o), c] = filter[tap, c, o]; out is dx, [m, in_c].
// MODE 2, conv2dBackpropFilter: C[(tap, c), o] = sum over output pixels p of
//   im2col(x)[p, (tap, c)] * dy[p, o], m = taps*in_c, n = out_c; the reduction over the
//   pixels is cut into chunks of `chunk` pixels, chunk z = the grid's z, and writes its
//   partial sums at out[z * m * n ..] (sum_partials adds them up); with one chunk the host
//   points out at dFilter itself and ACCUMULATE adds to what is there.
// Reads outside the image are zeros. lavapipe stops an invocation after about 65,535 loop
// iterations in all, so the rank-1 updates are written out four to an iteration: a K step
// costs 6 iterations (9 with the 4-row tile), which allows k up to about 110,000 (MODE 2
// reduces at most `chunk` = 4096 pixels per workgroup).
//
// sum_partials: out[e] = (ACCUMULATE ? out[e] : 0) + sum over z < chunks of a[z * size + e],
// for e < size (m * n): one invocation per element, chunks <= 65535.
//
// Bindings: 0 params; 1 a (x, or dy in MODE 1; partials for sum_partials), 2 b (filter, or
// dy in MODE 2), 3 bias (MODE 0 with HAS_BIAS, else a dummy), read-only; 4 out, written.
// Grid of the GEMM: (ceil(n / (4*WG_COLS)), row blocks folded into y and z, 1) for MODES 0
// and 1 (row block = group.z * num_workgroups.y + group.y), (.., ceil(m / (4*WG_ROWS)),
// chunks) for MODE 2.

override WG_ROWS: u32 = 16u;
override WG_COLS: u32 = 16u;
override TILE_K: u32 = 16u;
override MODE: u32 = 0u;

// The values of MODE (0 is conv2d).
const MODE_INPUT: u32 = 1u;
const MODE_FILTER: u32 = 2u;
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;
override ACTIVATION: u32 = 0u;
override WORKGROUP_SIZE: u32 = 64u;

struct Params {
  m: u32, n: u32, k: u32, chunk: u32,
  batch: u32, in_h: u32, in_w: u32, in_c: u32, out_h: u32, out_w: u32, out_c: u32,
  f_w: u32, stride_h: u32, stride_w: u32, dil_h: u32, dil_w: u32, pad_top: i32, pad_left: i32,
  chunks: u32, alpha: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

var<workgroup> tile_a: array<vec4<f32>, TILE_K * WG_ROWS>;
var<workgroup> tile_b: array<vec4<f32>, TILE_K * WG_COLS>;

// x[window of output pixel p at (tap, c)], 0 outside the image (the im2col of MODES 0, 2).
fn im2col(p: u32, tc: u32) -> f32 {
  let c = tc % params.in_c;
  let tap = tc / params.in_c;
  let ox = p % params.out_w;
  let rest = p / params.out_w;
  let oy = rest % params.out_h;
  let bi = rest / params.out_h;
  let iy = i32(oy * params.stride_h + (tap / params.f_w) * params.dil_h) - params.pad_top;
  let ix = i32(ox * params.stride_w + (tap % params.f_w) * params.dil_w) - params.pad_left;
  if (iy < 0 || ix < 0 || u32(iy) >= params.in_h || u32(ix) >= params.in_w) { return 0.0; }
  return a[((bi * params.in_h + u32(iy)) * params.in_w + u32(ix)) * params.in_c + c];
}

// dy[the output pixel whose window reads input pixel p at tap, o], 0 when none does (MODE 1).
fn gather_dy(p: u32, to: u32) -> f32 {
  let o = to % params.out_c;
  let tap = to / params.out_c;
  let ix = p % params.in_w;
  let rest = p / params.in_w;
  let iy = rest % params.in_h;
  let bi = rest / params.in_h;
  let sy = i32(iy) + params.pad_top - i32((tap / params.f_w) * params.dil_h);
  let sx = i32(ix) + params.pad_left - i32((tap % params.f_w) * params.dil_w);
  if (sy < 0 || sx < 0) { return 0.0; }
  var oy = u32(sy);
  var ox = u32(sx);
  // Integer division is per lane on CPU adapters: skipped at stride 1.
  if (params.stride_h != 1u) {
    if (oy % params.stride_h != 0u) { return 0.0; }
    oy = oy / params.stride_h;
  }
  if (params.stride_w != 1u) {
    if (ox % params.stride_w != 0u) { return 0.0; }
    ox = ox / params.stride_w;
  }
  if (oy >= params.out_h || ox >= params.out_w) { return 0.0; }
  return a[((bi * params.out_h + oy) * params.out_w + ox) * params.out_c + o];
}

// depth_end: the end of this workgroup's reduction range (its chunk in MODE 2, else k).
fn load_a(row: u32, depth: u32, depth_end: u32) -> f32 {
  if (row >= params.m || depth >= depth_end) { return 0.0; }
  switch MODE {
    case MODE_INPUT: { return gather_dy(row, depth); }
    case MODE_FILTER: { return im2col(depth, row); }
    default: { return im2col(row, depth); }
  }
}

fn load_b(depth: u32, col: u32, depth_end: u32) -> f32 {
  if (depth >= depth_end || col >= params.n) { return 0.0; }
  switch MODE {
    case MODE_INPUT: {
      // B[(tap, o), c] = filter[tap, c, o].
      let o = depth % params.out_c;
      let tap = depth / params.out_c;
      return b[(tap * params.in_c + col) * params.out_c + o];
    }
    default: { return b[depth * params.n + col]; }
  }
}

fn tanh_stable(v: f32) -> f32 {
  let t = abs(v);
  if (t < 0.3) {
    let s = v * v;
    return v * (1.0 + s * (-1.0 / 3.0 + s * (2.0 / 15.0 + s * (-17.0 / 315.0 + s * (62.0 / 2835.0)))));
  }
  let e = exp(-2.0 * t);
  let r = (1.0 - e) / (1.0 + e);
  return select(-r, r, v >= 0.0);
}

fn is_nan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }

// gemm.wgsl's epilogue op (NaN kept, tested on the bits).
fn activate(v: f32) -> f32 {
  if (is_nan(v)) { return v; }
  switch ACTIVATION {
    case EPILOGUE_RELU: { return select(v, 0.0, v < 0.0); }
    case EPILOGUE_RELU6: { return select(select(v, 0.0, v < 0.0), 6.0, v > 6.0); }
    case EPILOGUE_SIGMOID: {
      let e = exp(-abs(v));
      return select(e / (1.0 + e), 1.0 / (1.0 + e), v >= 0.0);
    }
    case EPILOGUE_TANH: { return tanh_stable(v); }
    case EPILOGUE_ELU: { return select(exp(v) - 1.0, v, v > 0.0); }
    case EPILOGUE_LEAKY_RELU: { return select(v, params.alpha * v, v < 0.0); }
    case EPILOGUE_LINEAR, default: { return v; }
  }
}

fn store_row(base: u32, row: u32, col: u32, value: vec4<f32>) {
  if (row >= params.m) { return; }
  let at = base + row * params.n + col;
  for (var j = 0u; j < 4u; j++) {
    if (col + j < params.n) {
      var v = value[j];
      if (HAS_BIAS) { v += bias[col + j]; }
      if (ACCUMULATE) { v += out[at + j]; }
      out[at + j] = activate(v);
    }
  }
}

// The invocation's 4x4 block of C, rows 4*local.y + r (acc_r), columns 4*local.x .. +3.
var<private> acc0: vec4<f32>;
var<private> acc1: vec4<f32>;
var<private> acc2: vec4<f32>;
var<private> acc3: vec4<f32>;

// One rank-1 update of the block from the staged slabs at `depth`.
fn rank1(depth: u32, lx: u32, ly: u32) {
  let av = tile_a[depth * WG_ROWS + ly];
  let bv = tile_b[depth * WG_COLS + lx];
  acc0 = fma(vec4<f32>(av.x), bv, acc0);
  acc1 = fma(vec4<f32>(av.y), bv, acc1);
  acc2 = fma(vec4<f32>(av.z), bv, acc2);
  acc3 = fma(vec4<f32>(av.w), bv, acc3);
}

@compute @workgroup_size(WG_COLS, WG_ROWS)
fn conv_gemm(@builtin(workgroup_id) group: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_id) local: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  var row_block = group.z * groups.y + group.y;
  var depth_begin = 0u;
  var depth_end = params.k;
  var base = 0u;
  if (MODE == MODE_FILTER) {
    row_block = group.y;
    depth_begin = group.z * params.chunk;
    depth_end = min(params.k, depth_begin + params.chunk);
    base = group.z * params.m * params.n;
  }
  let row0 = row_block * WG_ROWS * 4u;
  if (row0 >= params.m) { return; }
  let col0 = group.x * WG_COLS * 4u;
  let threads = WG_ROWS * WG_COLS;
  for (var k0 = depth_begin; k0 < depth_end; k0 += TILE_K) {
    // MODES 0 and 1 stage depth-fastest (neighbouring channels of one pixel); MODE 2 row-fastest.
    for (var s = lid; s < TILE_K * WG_ROWS; s += threads) {
      var depth = s % TILE_K;
      var quad = s / TILE_K;
      if (MODE == MODE_FILTER) { depth = s / WG_ROWS; quad = s % WG_ROWS; }
      let row = row0 + quad * 4u;
      let d = k0 + depth;
      tile_a[depth * WG_ROWS + quad] =
        vec4<f32>(load_a(row, d, depth_end), load_a(row + 1u, d, depth_end), load_a(row + 2u, d, depth_end), load_a(row + 3u, d, depth_end));
    }
    for (var s = lid; s < TILE_K * WG_COLS; s += threads) {
      let depth = s / WG_COLS;
      let quad = s % WG_COLS;
      let col = col0 + quad * 4u;
      let d = k0 + depth;
      tile_b[depth * WG_COLS + quad] =
        vec4<f32>(load_b(d, col, depth_end), load_b(d, col + 1u, depth_end), load_b(d, col + 2u, depth_end), load_b(d, col + 3u, depth_end));
    }
    workgroupBarrier();
    // Four depths per iteration, written out: a loop there would count against lavapipe's cap.
    for (var depth = 0u; depth < TILE_K; depth += 4u) {
      rank1(depth, local.x, local.y);
      rank1(depth + 1u, local.x, local.y);
      rank1(depth + 2u, local.x, local.y);
      rank1(depth + 3u, local.x, local.y);
    }
    workgroupBarrier();
  }
  let row = row0 + local.y * 4u;
  let col = col0 + local.x * 4u;
  store_row(base, row, col, acc0);
  store_row(base, row + 1u, col, acc1);
  store_row(base, row + 2u, col, acc2);
  store_row(base, row + 3u, col, acc3);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn sum_partials(@builtin(workgroup_id) group: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let e = (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
  let size = params.m * params.n;
  if (e >= size) { return; }
  var total = 0.0;
  for (var z = 0u; z < params.chunks; z++) { total += a[z * size + e]; }
  if (ACCUMULATE) { total += out[e]; }
  out[e] = total;
}

// conv_blocked (MODE 0 on CPU adapters, where workgroup memory and barriers cost more than
// they save, as for gemm_blocked): no workgroup memory. Each invocation computes 4 output
// pixels (rows p0 .. p0+3 of C) x 8 output channels, walking the taps and, within a tap,
// the input channels: per channel 4 reads of x (0 outside the image), 8 of the filter, 32 fma,
// and no integer division inside the loops. Edge rows and columns clamp into range and are
// never stored. Loop iterations: taps * (1 + in_c) = k + taps; the host takes conv_gemm
// past 60,000 (lavapipe's cap).
// Grid: (ceil(n / (8*WG_COLS)), row blocks of 4*WG_ROWS folded into y and z, 1).
@compute @workgroup_size(WG_COLS, WG_ROWS)
fn conv_blocked(@builtin(global_invocation_id) id: vec3<u32>, @builtin(workgroup_id) group: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>, @builtin(local_invocation_id) local: vec3<u32>) {
  let p0 = ((group.z * groups.y + group.y) * WG_ROWS + local.y) * 4u;
  let col0 = id.x * 8u;
  if (p0 >= params.m || col0 >= params.n) { return; }
  let n = params.n;
  let c_count = params.in_c;
  // Each pixel's window origin (top-left tap) and its image's first element.
  var origin_y = vec4<i32>(0);
  var origin_x = vec4<i32>(0);
  var image = vec4<u32>(0u);
  for (var r = 0u; r < 4u; r++) {
    let p = min(p0 + r, params.m - 1u);
    let ox = p % params.out_w;
    let rest = p / params.out_w;
    origin_x[r] = i32(ox * params.stride_w) - params.pad_left;
    origin_y[r] = i32((rest % params.out_h) * params.stride_h) - params.pad_top;
    image[r] = (rest / params.out_h) * params.in_h;
  }
  var cols0 = vec4<u32>(0u);
  var cols1 = vec4<u32>(0u);
  for (var j = 0u; j < 4u; j++) {
    cols0[j] = min(col0 + j, n - 1u);
    cols1[j] = min(col0 + 4u + j, n - 1u);
  }
  var a0 = vec4<f32>(0.0); var b0 = vec4<f32>(0.0);
  var a1 = vec4<f32>(0.0); var b1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0); var b2 = vec4<f32>(0.0);
  var a3 = vec4<f32>(0.0); var b3 = vec4<f32>(0.0);
  let taps = (params.k / max(c_count, 1u));
  for (var tap = 0u; tap < taps; tap++) {
    let iy = origin_y + vec4<i32>(i32((tap / params.f_w) * params.dil_h));
    let ix = origin_x + vec4<i32>(i32((tap % params.f_w) * params.dil_w));
    let inside = (iy >= vec4<i32>(0)) & (ix >= vec4<i32>(0)) & (iy < vec4<i32>(i32(params.in_h))) & (ix < vec4<i32>(i32(params.in_w)));
    let at = ((image + vec4<u32>(select(vec4<i32>(0), iy, inside))) * params.in_w + vec4<u32>(select(vec4<i32>(0), ix, inside))) * c_count;
    var f = tap * c_count * n;
    for (var c = 0u; c < c_count; c++) {
      let w0 = vec4<f32>(b[f + cols0.x], b[f + cols0.y], b[f + cols0.z], b[f + cols0.w]);
      let w1 = vec4<f32>(b[f + cols1.x], b[f + cols1.y], b[f + cols1.z], b[f + cols1.w]);
      let x0 = vec4<f32>(select(0.0, a[at.x + c], inside.x));
      a0 = fma(x0, w0, a0); b0 = fma(x0, w1, b0);
      let x1 = vec4<f32>(select(0.0, a[at.y + c], inside.y));
      a1 = fma(x1, w0, a1); b1 = fma(x1, w1, b1);
      let x2 = vec4<f32>(select(0.0, a[at.z + c], inside.z));
      a2 = fma(x2, w0, a2); b2 = fma(x2, w1, b2);
      let x3 = vec4<f32>(select(0.0, a[at.w + c], inside.w));
      a3 = fma(x3, w0, a3); b3 = fma(x3, w1, b3);
      f += n;
    }
  }
  store_row(0u, p0, col0, a0); store_row(0u, p0, col0 + 4u, b0);
  store_row(0u, p0 + 1u, col0, a1); store_row(0u, p0 + 1u, col0 + 4u, b1);
  store_row(0u, p0 + 2u, col0, a2); store_row(0u, p0 + 2u, col0 + 4u, b2);
  store_row(0u, p0 + 3u, col0, a3); store_row(0u, p0 + 3u, col0 + 4u, b3);
}
