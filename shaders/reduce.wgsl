// reduce: x viewed as [outer, length, inner], its length axis cut into `chunks` chunks of
// chunk_length (the last may be shorter); out[(o * chunks + c) * inner + i] = sum / max / min
// over the l of chunk c of x[(o * length + l) * inner + i]. OP is the override (a REDUCE_*
// code). With chunks == 1 that is the whole reduction; with more, the host reduces the
// [outer, chunks, inner] partials again (reduce.ts), so a long axis keeps the whole GPU busy.
// NaN propagates for every op (max/min test it on the bits: WGSL's max/min may drop a NaN).
// Empty length gives 0 / -inf / +inf as the reference does.
//
// Accuracy: sums are pairwise, not sequential. Each invocation adds its values in blocks of
// BLOCK in order, and the block sums into a binary cascade (block b merges with the pending
// sums of the 2^t blocks before it, t = trailing zeros of b + 1: pairwise summation of the
// blocks), so the rounding error of n values grows with BLOCK + log2(n / BLOCK) instead of n
// (1e7 values of 0.1: relative error ~1e-7, against 6e-3 for a plain float32 loop). The
// workgroup's partials then combine in a tree, the host's passes pairwise over chunks too.
//
// Three entry points, chosen by the host from the shape:
//  - reduce_workgroup: one workgroup per output chunk; its WORKGROUP_SIZE invocations stride
//    over the chunk, then combine in a workgroup-memory tree. For long rows (inner == 1),
//    where the reads are contiguous.
//  - reduce_columns: a tile of COLUMNS neighbouring outputs (inner > 1: column sums, bias
//    gradients, batch-norm statistics) per workgroup and chunk. Invocation lid takes column
//    lid % COLUMNS and lane lid / COLUMNS of LANES = WORKGROUP_SIZE / COLUMNS; a lane adds the
//    chunk's rows lane, lane + LANES, ... (so COLUMNS neighbours read neighbouring addresses),
//    then the lanes of each column combine in a workgroup-memory tree. Partials of a cut axis
//    are reduced by a second pass of the same entry (the host's loop).
//    The host takes it on GPUs; on CPU adapters workgroup barriers cost more than the lanes
//    save (measured on SwiftShader), so columns go to reduce_serial there.
//  - reduce_serial: one invocation per output chunk looping over it; consecutive invocations
//    read consecutive addresses when inner > 1. Columns on CPU adapters, and short axes
//    (under 16), where the lanes of reduce_columns would idle.
// Grid: outer * chunks * inner outputs (workgroup), outer * chunks * ceil(inner / COLUMNS)
// (columns) or ceil(outer * chunks * inner / WORKGROUP_SIZE) (serial), 2D-split by the host
// past 65535 workgroups.
// Bindings: 0 params {outer, length, inner, chunks, chunk_length}; 1 x, read; 2 out, written.
// float32.

override OP: u32 = 0u;
override WORKGROUP_SIZE: u32 = 64u;
/** reduce_columns: outputs per workgroup, a power of two dividing WORKGROUP_SIZE. */
override COLUMNS: u32 = 16u;

struct Params { outer: u32, length: u32, inner: u32, chunks: u32, chunk_length: u32 }

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> partial: array<f32, WORKGROUP_SIZE>;

/** Values added in order before a block sum enters the cascade. */
const BLOCK: u32 = 16u;
/** Pending cascade levels: one per set bit of the block count, so 32 cover any u32 count. */
const LEVELS: u32 = 32u;

fn is_nan(v: f32) -> bool { return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u; }
fn infinity() -> f32 { let bits = 0x7f800000u; return bitcast<f32>(bits); }

fn identity() -> f32 {
  switch OP {
    case REDUCE_SUM: { return 0.0; }
    case REDUCE_MAX: { return -infinity(); }
    case REDUCE_MIN, default: { return infinity(); }
  }
}

fn combine(acc: f32, v: f32) -> f32 {
  switch OP {
    case REDUCE_SUM: { return acc + v; }
    case REDUCE_MAX: {
      if (is_nan(acc)) { return acc; }
      if (is_nan(v)) { return v; }
      return max(acc, v);
    }
    case REDUCE_MIN, default: {
      if (is_nan(acc)) { return acc; }
      if (is_nan(v)) { return v; }
      return min(acc, v);
    }
  }
}

// Combines x[start + j * step] for j < count: blocks of BLOCK in order, block results
// through the pairwise cascade (see the header).
fn accumulate(start: u32, step: u32, count: u32) -> f32 {
  var pending: array<f32, LEVELS>;
  var depth = 0u;
  var blocks = 0u;
  var j = 0u;
  while (j < count) {
    let end = min(j + BLOCK, count);
    var carry = identity();
    for (; j < end; j++) { carry = combine(carry, x[start + j * step]); }
    blocks++;
    // Block number `blocks` completes one pending sum per trailing zero bit of its count.
    for (var b = blocks; (b & 1u) == 0u; b = b >> 1u) {
      depth--;
      carry = combine(pending[depth], carry);
    }
    pending[depth] = carry;
    depth++;
  }
  // The pending sums shrink towards the top: add them smallest first.
  var total = identity();
  while (depth > 0u) {
    depth--;
    total = combine(pending[depth], total);
  }
  return total;
}

// The first element and the count of output chunk `index` ([outer, chunks, inner] order).
fn chunk_of(index: u32) -> vec2<u32> {
  let i = index % params.inner;
  let oc = index / params.inner;
  let c = oc % params.chunks;
  let o = oc / params.chunks;
  let begin = c * params.chunk_length;
  let count = min(params.chunk_length, params.length - begin);
  return vec2<u32>((o * params.length + begin) * params.inner + i, count);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn reduce_workgroup(@builtin(workgroup_id) group: vec3<u32>,
                    @builtin(num_workgroups) groups: vec3<u32>,
                    @builtin(local_invocation_index) lid: u32) {
  let index = group.y * groups.x + group.x;
  if (index >= params.outer * params.chunks * params.inner) { return; }
  let chunk = chunk_of(index);
  // Invocation lid takes elements lid, lid + WORKGROUP_SIZE, ... of the chunk.
  var count = 0u;
  if (lid < chunk.y) { count = (chunk.y - lid + WORKGROUP_SIZE - 1u) / WORKGROUP_SIZE; }
  partial[lid] = accumulate(chunk.x + lid * params.inner, WORKGROUP_SIZE * params.inner, count);
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) { partial[lid] = combine(partial[lid], partial[lid + stride]); }
    workgroupBarrier();
  }
  if (lid == 0u) { out[index] = partial[0]; }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn reduce_serial(@builtin(workgroup_id) group: vec3<u32>,
                 @builtin(num_workgroups) groups: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
  let index = (group.y * groups.x + group.x) * WORKGROUP_SIZE + lid;
  if (index >= params.outer * params.chunks * params.inner) { return; }
  let chunk = chunk_of(index);
  out[index] = accumulate(chunk.x, params.inner, chunk.y);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn reduce_columns(@builtin(workgroup_id) group: vec3<u32>,
                  @builtin(num_workgroups) groups: vec3<u32>,
                  @builtin(local_invocation_index) lid: u32) {
  let tiles = (params.inner + COLUMNS - 1u) / COLUMNS;
  // (o, c, tile) of this workgroup, uniform across it, so the return keeps the barriers uniform.
  let index = group.y * groups.x + group.x;
  if (index >= params.outer * params.chunks * tiles) { return; }
  let oc = index / tiles;
  let i = (index % tiles) * COLUMNS + lid % COLUMNS;
  let lane = lid / COLUMNS;
  let lanes = WORKGROUP_SIZE / COLUMNS;
  let c = oc % params.chunks;
  let begin = c * params.chunk_length;
  let count = min(params.chunk_length, params.length - begin);
  var lane_count = 0u;
  if (i < params.inner && lane < count) { lane_count = (count - lane + lanes - 1u) / lanes; }
  let first = ((oc / params.chunks) * params.length + begin + lane) * params.inner + i;
  partial[lid] = accumulate(first, lanes * params.inner, lane_count);
  workgroupBarrier();
  for (var stride = lanes / 2u; stride > 0u; stride = stride / 2u) {
    if (lane < stride) { partial[lid] = combine(partial[lid], partial[lid + stride * COLUMNS]); }
    workgroupBarrier();
  }
  if (lane == 0u && i < params.inner) { out[oc * params.inner + i] = partial[lid]; }
}
