// gemm: for each batch z, C_z[m, n] = act(op(A_z)[m, k] · op(B_z)[k, n] + bias[n]), or with
// ACCUMULATE act(C_z + op(A_z) · op(B_z) + bias), float32, row-major storage. op(A) is A
// (m x k) or, with TRANSPOSE_A, the transpose of A stored k x m; B likewise. Batch z reads
// A from a_offset + z * stride_a, B from b_offset + z * stride_b and writes C at
// c_offset + z * stride_c (elements; a stride of 0 broadcasts that operand). The batch is
// the grid's z dimension (the host splits batches past 65535 into several dispatches).
// act is the epilogue op ACTIVATION (an EPILOGUE_* code): linear, relu, relu6, sigmoid, tanh,
// elu (alpha 1), leakyRelu (slope `alpha` from the params). Each keeps NaN as NaN.
// Two entry points, one per kind of adapter; the host picks one (and can be told which):
//
// gemm_tiled (GPUs): a workgroup of WG_COLS x WG_ROWS invocations computes a
// (4*WG_ROWS) x (4*WG_COLS) tile of C. Each invocation keeps a 4x4 block of outputs in
// registers (four vec4 rows: rows 4*local.y + r, columns 4*local.x .. +3). The K axis is
// walked in steps of TILE_K: the workgroup stages a 4*WG_ROWS x TILE_K slab of op(A) and a
// TILE_K x 4*WG_COLS slab of op(B) in workgroup memory, packed as vec4 quads (4 rows of A,
// 4 columns of B per element), then each invocation does TILE_K rank-1 updates of its
// block (16 fma per vec4 pair read). Staging loads outside op(A)/op(B) read 0, so partial
// tiles in m, n and k need no special path; the epilogue stores only in-range outputs.
// Grid: (ceil(n / (4*WG_COLS)), ceil(m / (4*WG_ROWS)), batch). Workgroup memory:
// 32 * TILE_K * (WG_ROWS + WG_COLS) bytes, within maxComputeWorkgroupStorageSize.
//
// gemm_blocked (CPU adapters: SwiftShader, lavapipe): no workgroup memory and no barrier.
// On a CPU, workgroup memory is plain memory and each barrier switches every SIMD group of
// the workgroup (SwiftShader runs them as coroutines), which measured 2x slower than
// reading straight from the storage buffers. Each invocation computes an 8x8 block of C
// (16 vec4 accumulators) with one k step per iteration: 8 values of op(A), 8 of op(B),
// 64 fma. Edge blocks clamp their row and column indices into range, so the loop has no
// branch; the clamped duplicates are computed and never stored.
// Grid: (ceil(n / (8*WG_COLS)), ceil(m / (8*WG_ROWS)), batch).
//
// Bindings: 0 params {m, n, k, lda, ldb, ldc, a_offset, b_offset, c_offset, stride_a,
// stride_b, stride_c, alpha}; 1 a, 2 b, 3 bias (n values; a 16-byte dummy when HAS_BIAS is
// false), read-only; 4 c, written (and read first with ACCUMULATE). Rows of the stored A, B
// and C are lda / ldb / ldc elements apart and start at the offsets (the host passes the
// contiguous values by default). Each grid dimension must be <= 65535 (host checks).
// Epilogue: (C +) the product + bias, then act; shapes, strides and alpha are uniforms, so
// one pipeline per (variant, transposes, bias, accumulate, activation) serves every shape.

override WG_ROWS: u32 = 16u;
override WG_COLS: u32 = 16u;
override TILE_K: u32 = 16u;
override TRANSPOSE_A: bool = false;
override TRANSPOSE_B: bool = false;
override HAS_BIAS: bool = false;
override ACCUMULATE: bool = false;
override ACTIVATION: u32 = 0u;

struct Params {
  m: u32, n: u32, k: u32, lda: u32, ldb: u32, ldc: u32, a_offset: u32, b_offset: u32, c_offset: u32,
  stride_a: u32, stride_b: u32, stride_c: u32, alpha: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;

// tile_a[depth * WG_ROWS + q] = rows 4q..4q+3 of the A slab at `depth`; tile_b likewise.
var<workgroup> tile_a: array<vec4<f32>, TILE_K * WG_ROWS>;
var<workgroup> tile_b: array<vec4<f32>, TILE_K * WG_COLS>;

// The batch's first element of A, B and C (gemm_tiled keeps them in these privates).
var<private> a_base: u32;
var<private> b_base: u32;
var<private> c_base: u32;

fn set_batch(z: u32) {
  a_base = params.a_offset + z * params.stride_a;
  b_base = params.b_offset + z * params.stride_b;
  c_base = params.c_offset + z * params.stride_c;
}

fn load_a(row: u32, depth: u32) -> f32 {
  if (row >= params.m || depth >= params.k) { return 0.0; }
  if (TRANSPOSE_A) { return a[a_base + depth * params.lda + row]; }
  return a[a_base + row * params.lda + depth];
}

fn load_b(depth: u32, col: u32) -> f32 {
  if (depth >= params.k || col >= params.n) { return 0.0; }
  if (TRANSPOSE_B) { return b[b_base + col * params.ldb + depth]; }
  return b[b_base + depth * params.ldb + col];
}

fn load_bias(col: u32) -> f32 {
  if (col >= params.n) { return 0.0; }
  return bias[col];
}

fn tanh_stable(v: f32) -> f32 {
  let t = abs(v);
  if (t < 0.3) {
    // exp-based tanh loses digits near 0: its Taylor series there.
    let s = v * v;
    return v * (1.0 + s * (-1.0 / 3.0 + s * (2.0 / 15.0 + s * (-17.0 / 315.0 + s * (62.0 / 2835.0)))));
  }
  let e = exp(-2.0 * t);
  let r = (1.0 - e) / (1.0 + e);
  return select(-r, r, v >= 0.0);
}

fn is_nan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }

// The epilogue op on one value. NaN stays NaN, tested on the bits: SwiftShader's exp(NaN) is
// +Infinity, so elu, sigmoid and tanh would not keep it.
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

// Stores columns col..col+3 of a row (those < n): C's old value first when accumulating,
// then the epilogue.
fn store_row(row: u32, col: u32, value: vec4<f32>) {
  if (row >= params.m) { return; }
  let base = c_base + row * params.ldc + col;
  for (var j = 0u; j < 4u; j++) {
    if (col + j < params.n) {
      var v = value[j];
      if (ACCUMULATE) { v = c[base + j] + v; }
      c[base + j] = activate(v);
    }
  }
}

@compute @workgroup_size(WG_COLS, WG_ROWS)
fn gemm_tiled(@builtin(workgroup_id) group: vec3<u32>,
        @builtin(local_invocation_id) local: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  set_batch(group.z);
  let row0 = group.y * WG_ROWS * 4u;
  let col0 = group.x * WG_COLS * 4u;
  let threads = WG_ROWS * WG_COLS;
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);

  for (var k0 = 0u; k0 < params.k; k0 += TILE_K) {
    // Stage the slabs; consecutive invocations read consecutive addresses of the stored
    // layout (depth-major for a row-major A, row-major for a stored-transposed one).
    for (var s = lid; s < TILE_K * WG_ROWS; s += threads) {
      var depth = s % TILE_K;
      var quad = s / TILE_K;
      if (TRANSPOSE_A) { depth = s / WG_ROWS; quad = s % WG_ROWS; }
      let row = row0 + quad * 4u;
      let d = k0 + depth;
      tile_a[depth * WG_ROWS + quad] =
        vec4<f32>(load_a(row, d), load_a(row + 1u, d), load_a(row + 2u, d), load_a(row + 3u, d));
    }
    for (var s = lid; s < TILE_K * WG_COLS; s += threads) {
      var depth = s / WG_COLS;
      var quad = s % WG_COLS;
      if (TRANSPOSE_B) { depth = s % TILE_K; quad = s / TILE_K; }
      let col = col0 + quad * 4u;
      let d = k0 + depth;
      tile_b[depth * WG_COLS + quad] =
        vec4<f32>(load_b(d, col), load_b(d, col + 1u), load_b(d, col + 2u), load_b(d, col + 3u));
    }
    workgroupBarrier();
    for (var depth = 0u; depth < TILE_K; depth++) {
      let av = tile_a[depth * WG_ROWS + local.y];
      let bv = tile_b[depth * WG_COLS + local.x];
      acc0 = fma(vec4<f32>(av.x), bv, acc0);
      acc1 = fma(vec4<f32>(av.y), bv, acc1);
      acc2 = fma(vec4<f32>(av.z), bv, acc2);
      acc3 = fma(vec4<f32>(av.w), bv, acc3);
    }
    workgroupBarrier();
  }

  let row = row0 + local.y * 4u;
  let col = col0 + local.x * 4u;
  var shift = vec4<f32>(0.0);
  if (HAS_BIAS) {
    shift = vec4<f32>(load_bias(col), load_bias(col + 1u), load_bias(col + 2u), load_bias(col + 3u));
  }
  store_row(row, col, acc0 + shift);
  store_row(row + 1u, col, acc1 + shift);
  store_row(row + 2u, col, acc2 + shift);
  store_row(row + 3u, col, acc3 + shift);
}

fn store_block_row(row: u32, col: u32, v0: vec4<f32>, v1: vec4<f32>, shift0: vec4<f32>, shift1: vec4<f32>) {
  store_row(row, col, v0 + shift0);
  store_row(row, col + 4u, v1 + shift1);
}

@compute @workgroup_size(WG_COLS, WG_ROWS)
fn gemm_blocked(@builtin(global_invocation_id) id: vec3<u32>) {
  let m = params.m;
  let n = params.n;
  let k = params.k;
  let row0 = id.y * 8u;
  let col0 = id.x * 8u;
  if (row0 >= m || col0 >= n) { return; }
  set_batch(id.z);
  // Element (row, depth) of op(A) is a[row * a_row + depth * a_depth]; (depth, col) of op(B)
  // is b[depth * b_depth + col * b_col].
  var a_row = params.lda;
  var a_depth = 1u;
  if (TRANSPOSE_A) { a_row = 1u; a_depth = params.lda; }
  var b_col = 1u;
  var b_depth = params.ldb;
  if (TRANSPOSE_B) { b_col = params.ldb; b_depth = 1u; }
  let last_row = m - 1u;
  let last_col = n - 1u;
  let ra0 = min(row0, last_row) * a_row;
  let ra1 = min(row0 + 1u, last_row) * a_row;
  let ra2 = min(row0 + 2u, last_row) * a_row;
  let ra3 = min(row0 + 3u, last_row) * a_row;
  let ra4 = min(row0 + 4u, last_row) * a_row;
  let ra5 = min(row0 + 5u, last_row) * a_row;
  let ra6 = min(row0 + 6u, last_row) * a_row;
  let ra7 = min(row0 + 7u, last_row) * a_row;
  let cb0 = min(col0, last_col) * b_col;
  let cb1 = min(col0 + 1u, last_col) * b_col;
  let cb2 = min(col0 + 2u, last_col) * b_col;
  let cb3 = min(col0 + 3u, last_col) * b_col;
  let cb4 = min(col0 + 4u, last_col) * b_col;
  let cb5 = min(col0 + 5u, last_col) * b_col;
  let cb6 = min(col0 + 6u, last_col) * b_col;
  let cb7 = min(col0 + 7u, last_col) * b_col;
  var c00 = vec4<f32>(0.0); var c01 = vec4<f32>(0.0);
  var c10 = vec4<f32>(0.0); var c11 = vec4<f32>(0.0);
  var c20 = vec4<f32>(0.0); var c21 = vec4<f32>(0.0);
  var c30 = vec4<f32>(0.0); var c31 = vec4<f32>(0.0);
  var c40 = vec4<f32>(0.0); var c41 = vec4<f32>(0.0);
  var c50 = vec4<f32>(0.0); var c51 = vec4<f32>(0.0);
  var c60 = vec4<f32>(0.0); var c61 = vec4<f32>(0.0);
  var c70 = vec4<f32>(0.0); var c71 = vec4<f32>(0.0);
  var pa = a_base;
  var pb = b_base;
  for (var depth = 0u; depth < k; depth++) {
    let b0 = vec4<f32>(b[pb + cb0], b[pb + cb1], b[pb + cb2], b[pb + cb3]);
    let b1 = vec4<f32>(b[pb + cb4], b[pb + cb5], b[pb + cb6], b[pb + cb7]);
    let a0 = vec4<f32>(a[pa + ra0]);
    c00 = fma(a0, b0, c00); c01 = fma(a0, b1, c01);
    let a1 = vec4<f32>(a[pa + ra1]);
    c10 = fma(a1, b0, c10); c11 = fma(a1, b1, c11);
    let a2 = vec4<f32>(a[pa + ra2]);
    c20 = fma(a2, b0, c20); c21 = fma(a2, b1, c21);
    let a3 = vec4<f32>(a[pa + ra3]);
    c30 = fma(a3, b0, c30); c31 = fma(a3, b1, c31);
    let a4 = vec4<f32>(a[pa + ra4]);
    c40 = fma(a4, b0, c40); c41 = fma(a4, b1, c41);
    let a5 = vec4<f32>(a[pa + ra5]);
    c50 = fma(a5, b0, c50); c51 = fma(a5, b1, c51);
    let a6 = vec4<f32>(a[pa + ra6]);
    c60 = fma(a6, b0, c60); c61 = fma(a6, b1, c61);
    let a7 = vec4<f32>(a[pa + ra7]);
    c70 = fma(a7, b0, c70); c71 = fma(a7, b1, c71);
    pa += a_depth;
    pb += b_depth;
  }
  var shift0 = vec4<f32>(0.0);
  var shift1 = vec4<f32>(0.0);
  if (HAS_BIAS) {
    shift0 = vec4<f32>(load_bias(col0), load_bias(col0 + 1u), load_bias(col0 + 2u), load_bias(col0 + 3u));
    shift1 = vec4<f32>(load_bias(col0 + 4u), load_bias(col0 + 5u), load_bias(col0 + 6u), load_bias(col0 + 7u));
  }
  store_block_row(row0, col0, c00, c01, shift0, shift1);
  store_block_row(row0 + 1u, col0, c10, c11, shift0, shift1);
  store_block_row(row0 + 2u, col0, c20, c21, shift0, shift1);
  store_block_row(row0 + 3u, col0, c30, c31, shift0, shift1);
  store_block_row(row0 + 4u, col0, c40, c41, shift0, shift1);
  store_block_row(row0 + 5u, col0, c50, c51, shift0, shift1);
  store_block_row(row0 + 6u, col0, c60, c61, shift0, shift1);
  store_block_row(row0 + 7u, col0, c70, c71, shift0, shift1);
}
