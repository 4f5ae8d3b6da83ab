// gemm: C[m, n] = act(op(A)[m, k] · op(B)[k, n] + bias[n]), float32, row-major storage.
// op(A) is A (m x k) or, with TRANSPOSE_A, the transpose of A stored k x m; B likewise.
//
// Tiling: a workgroup of WG_COLS x WG_ROWS invocations computes a (4*WG_ROWS) x (4*WG_COLS)
// tile of C. Each invocation keeps a 4x4 block of outputs in registers (four vec4 rows:
// rows 4*local.y + r, columns 4*local.x .. +3). The K axis is walked in steps of TILE_K: the
// workgroup stages a 4*WG_ROWS x TILE_K slab of op(A) and a TILE_K x 4*WG_COLS slab of op(B)
// in workgroup memory, packed as vec4 quads (4 rows of A, 4 columns of B per element), then
// each invocation does TILE_K rank-1 updates of its block (16 fma per vec4 pair read).
// Edge tiles: staging loads outside op(A)/op(B) read 0, so partial tiles in m, n and k need
// no special path; the epilogue stores only in-range outputs.
//
// Bindings: 0 params {m, n, k}; 1 a, 2 b, 3 bias (n values; a 4-byte dummy when HAS_BIAS is
// false), read-only; 4 c, written.
// Host: grid = (ceil(n / (4*WG_COLS)), ceil(m / (4*WG_ROWS))), each <= 65535 (checked);
// WG_ROWS * WG_COLS <= maxComputeInvocationsPerWorkgroup; TILE_K must divide into the
// staging loops evenly (any value works, multiples of WG are fastest).
// Epilogue: bias, then ReLU as `v < 0 ? 0 : v`, so NaN stays NaN (reference semantics).

override WG_ROWS: u32 = 16u;
override WG_COLS: u32 = 16u;
override TILE_K: u32 = 16u;
override TRANSPOSE_A: bool = false;
override TRANSPOSE_B: bool = false;
override HAS_BIAS: bool = false;
override RELU: bool = false;

struct Params { m: u32, n: u32, k: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;

// tile_a[depth * WG_ROWS + q] = rows 4q..4q+3 of the A slab at `depth`; tile_b likewise.
var<workgroup> tile_a: array<vec4<f32>, TILE_K * WG_ROWS>;
var<workgroup> tile_b: array<vec4<f32>, TILE_K * WG_COLS>;

fn load_a(row: u32, depth: u32) -> f32 {
  if (row >= params.m || depth >= params.k) { return 0.0; }
  if (TRANSPOSE_A) { return a[depth * params.m + row]; }
  return a[row * params.k + depth];
}

fn load_b(depth: u32, col: u32) -> f32 {
  if (depth >= params.k || col >= params.n) { return 0.0; }
  if (TRANSPOSE_B) { return b[col * params.k + depth]; }
  return b[depth * params.n + col];
}

fn load_bias(col: u32) -> f32 {
  if (col >= params.n) { return 0.0; }
  return bias[col];
}

fn store_row(row: u32, col: u32, value: vec4<f32>) {
  if (row >= params.m) { return; }
  var v = value;
  if (RELU) { v = select(v, vec4<f32>(0.0), v < vec4<f32>(0.0)); }
  let base = row * params.n + col;
  if (col + 3u < params.n) {
    c[base] = v.x; c[base + 1u] = v.y; c[base + 2u] = v.z; c[base + 3u] = v.w;
    return;
  }
  for (var j = 0u; j < 4u; j++) {
    if (col + j < params.n) { c[base + j] = v[j]; }
  }
}

@compute @workgroup_size(WG_COLS, WG_ROWS)
fn main(@builtin(workgroup_id) group: vec3<u32>,
        @builtin(local_invocation_id) local: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
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
