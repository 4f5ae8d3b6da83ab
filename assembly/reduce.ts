/**
 * Reductions over the middle axis of x viewed as [outer, length, inner]:
 * out[o * inner + i] = reduce_l x[(o * length + l) * inner + i].
 *
 *  - inner == 1 (row reductions): each row is contiguous; four f32x4 accumulators (16
 *    interleaved partial results, combined pairwise at the end) then a scalar tail.
 *  - inner > 1 (column reductions, e.g. the bias gradient: outer 1, length rows, inner cols):
 *    vectorized across inner, 16 then 4 columns at a time held in registers while walking l,
 *    then scalar columns.
 * Sums accumulate in blocks (math.ts SUM_BLOCK): f32x4 partial sums over a block of terms,
 * added into f64 lanes per block, so the f32 rounding error is that of a block, not of the
 * whole length (1e7 terms of 0.1: relative error 6e-3 in plain f32 lanes, below 1e-6 here).
 * NaN propagates for every op; length 0 gives the identity
 * (0, -Infinity, +Infinity). Op codes come from assembly/opcodes.generated.ts (REDUCE_CODES).
 */
import { addToF64, hmax, hmin, hsum, hsum64, SUM_BLOCK } from './math';
import { REDUCE_MAX, REDUCE_MIN, REDUCE_SUM } from './opcodes.generated';

/**
 * The accumulating step. max/min use pmax/pmin (one instruction each) rather than
 * f32x4.max/min, whose NaN-propagating lowering in V8 is several times longer; NaN is
 * tracked apart (`nanLanes`) and applied at the end. A consequence: a zero max/min takes the
 * sign of the first zero seen (Math.max would give +0 for max(-0, +0)).
 */
// @ts-ignore: decorator
@inline function combine(op: i32, acc: v128, v: v128): v128 {
  if (op == REDUCE_SUM) return f32x4.add(acc, v);
  if (op == REDUCE_MAX) return f32x4.pmax(acc, v); // acc < v ? v : acc
  return f32x4.pmin(acc, v); // v < acc ? v : acc
}

/** Lanes of v that are NaN, or-ed into `lanes` (sum needs no tracking: NaN propagates). */
// @ts-ignore: decorator
@inline function nanLanes(op: i32, lanes: v128, v: v128): v128 {
  return op == REDUCE_SUM ? lanes : v128.or(lanes, f32x4.ne(v, v));
}

// @ts-ignore: decorator
@inline function withNaN(op: i32, acc: v128, lanes: v128): v128 {
  return op == REDUCE_SUM ? acc : v128.bitselect(f32x4.splat(NaN), acc, lanes);
}

// @ts-ignore: decorator
@inline function combineScalar(op: i32, a: f32, b: f32): f32 {
  if (op == REDUCE_SUM) return a + b;
  if (op == REDUCE_MAX) return max<f32>(a, b);
  return min<f32>(a, b);
}

// @ts-ignore: decorator
@inline function identity(op: i32): f32 {
  if (op == REDUCE_SUM) return 0.0;
  if (op == REDUCE_MAX) return -Infinity;
  return Infinity;
}

// @ts-ignore: decorator
@inline function horizontal(op: i32, v: v128): f32 {
  if (op == REDUCE_SUM) return hsum(v);
  if (op == REDUCE_MAX) return hmax(v);
  return hmin(v);
}

/** Reduce `length` contiguous floats at x. */
// @ts-ignore: decorator
@inline function reduceRow(op: i32, x: usize, length: i32): f32 {
  const start = f32x4.splat(identity(op));
  let acc0 = start;
  let acc1 = start;
  let acc2 = start;
  let acc3 = start;
  let nan0 = i32x4.splat(0);
  let nan1 = nan0;
  const end = x + (<usize>length << 2);
  const end16 = x + (<usize>(length & ~15) << 2);
  const end4 = x + (<usize>(length & ~3) << 2);
  for (; x < end16; x += 64) {
    const v0 = v128.load(x);
    const v1 = v128.load(x, 16);
    const v2 = v128.load(x, 32);
    const v3 = v128.load(x, 48);
    acc0 = combine(op, acc0, v0);
    acc1 = combine(op, acc1, v1);
    acc2 = combine(op, acc2, v2);
    acc3 = combine(op, acc3, v3);
    nan0 = nanLanes(op, nanLanes(op, nan0, v0), v1);
    nan1 = nanLanes(op, nanLanes(op, nan1, v2), v3);
  }
  for (; x < end4; x += 16) {
    const v = v128.load(x);
    acc0 = combine(op, acc0, v);
    nan0 = nanLanes(op, nan0, v);
  }
  let result = horizontal(op, withNaN(op, combine(op, combine(op, acc0, acc1), combine(op, acc2, acc3)),
    v128.or(nan0, nan1)));
  for (; x < end; x += 4) result = combineScalar(op, result, load<f32>(x));
  return result;
}

/**
 * Sum of `length` contiguous floats: per block of SUM_BLOCK, four f32x4 partial sums (16
 * interleaved lanes of at most SUM_BLOCK / 16 terms each), added into f64x2 totals.
 */
// @ts-ignore: decorator
@inline function sumRow(x: usize, length: i32): f32 {
  let total = f64x2.splat(0);
  const end = x + (<usize>length << 2);
  const end16 = x + (<usize>(length & ~15) << 2);
  const end4 = x + (<usize>(length & ~3) << 2);
  while (x < end16) {
    const blockEnd = min(end16, x + (<usize>SUM_BLOCK << 2));
    let acc0 = f32x4.splat(0);
    let acc1 = acc0;
    let acc2 = acc0;
    let acc3 = acc0;
    for (; x < blockEnd; x += 64) {
      acc0 = f32x4.add(acc0, v128.load(x));
      acc1 = f32x4.add(acc1, v128.load(x, 16));
      acc2 = f32x4.add(acc2, v128.load(x, 32));
      acc3 = f32x4.add(acc3, v128.load(x, 48));
    }
    total = addToF64(addToF64(total, f32x4.add(acc0, acc1)), f32x4.add(acc2, acc3));
  }
  let tail = f32x4.splat(0);
  for (; x < end4; x += 16) tail = f32x4.add(tail, v128.load(x));
  let result = hsum64(addToF64(total, tail));
  for (; x < end; x += 4) result += <f64>load<f32>(x);
  return <f32>result;
}

/**
 * out[0..inner) = sum over l of the rows x + l * inner: 16, then 4 columns at a time, rows in
 * blocks of SUM_BLOCK / 16 summed in f32x4 and added into f64x2 totals per column pair.
 */
// @ts-ignore: decorator
@inline function sumColumns(x: usize, out: usize, length: i32, inner: i32): void {
  const stride = <usize>inner << 2;
  const rowsEnd = <usize>length * stride;
  const blockBytes = <usize>(SUM_BLOCK >> 4) * stride;
  const zero = f32x4.splat(0);
  let column = 0;
  for (; column + 16 <= inner; column += 16) {
    const base = x + (<usize>column << 2);
    let t0 = f64x2.splat(0);
    let t1 = t0, t2 = t0, t3 = t0, t4 = t0, t5 = t0, t6 = t0, t7 = t0;
    for (let block: usize = 0; block < rowsEnd; block += blockBytes) {
      const blockEnd = min(rowsEnd, block + blockBytes);
      let acc0 = zero;
      let acc1 = zero;
      let acc2 = zero;
      let acc3 = zero;
      for (let offset = block; offset < blockEnd; offset += stride) {
        const p = base + offset;
        acc0 = f32x4.add(acc0, v128.load(p));
        acc1 = f32x4.add(acc1, v128.load(p, 16));
        acc2 = f32x4.add(acc2, v128.load(p, 32));
        acc3 = f32x4.add(acc3, v128.load(p, 48));
      }
      t0 = f64x2.add(t0, f64x2.promote_low_f32x4(acc0));
      t1 = f64x2.add(t1, f64x2.promote_low_f32x4(v128.shuffle<f32>(acc0, acc0, 2, 3, 0, 1)));
      t2 = f64x2.add(t2, f64x2.promote_low_f32x4(acc1));
      t3 = f64x2.add(t3, f64x2.promote_low_f32x4(v128.shuffle<f32>(acc1, acc1, 2, 3, 0, 1)));
      t4 = f64x2.add(t4, f64x2.promote_low_f32x4(acc2));
      t5 = f64x2.add(t5, f64x2.promote_low_f32x4(v128.shuffle<f32>(acc2, acc2, 2, 3, 0, 1)));
      t6 = f64x2.add(t6, f64x2.promote_low_f32x4(acc3));
      t7 = f64x2.add(t7, f64x2.promote_low_f32x4(v128.shuffle<f32>(acc3, acc3, 2, 3, 0, 1)));
    }
    const o = out + (<usize>column << 2);
    v128.store(o, joinF64(t0, t1));
    v128.store(o, joinF64(t2, t3), 16);
    v128.store(o, joinF64(t4, t5), 32);
    v128.store(o, joinF64(t6, t7), 48);
  }
  for (; column + 4 <= inner; column += 4) {
    const base = x + (<usize>column << 2);
    let t0 = f64x2.splat(0);
    let t1 = t0;
    for (let block: usize = 0; block < rowsEnd; block += blockBytes) {
      const blockEnd = min(rowsEnd, block + blockBytes);
      let acc = zero;
      for (let offset = block; offset < blockEnd; offset += stride) acc = f32x4.add(acc, v128.load(base + offset));
      t0 = f64x2.add(t0, f64x2.promote_low_f32x4(acc));
      t1 = f64x2.add(t1, f64x2.promote_low_f32x4(v128.shuffle<f32>(acc, acc, 2, 3, 0, 1)));
    }
    v128.store(out + (<usize>column << 2), joinF64(t0, t1));
  }
  for (; column < inner; column++) {
    const base = x + (<usize>column << 2);
    let acc: f64 = 0;
    for (let offset: usize = 0; offset < rowsEnd; offset += stride) acc += <f64>load<f32>(base + offset);
    store<f32>(out + (<usize>column << 2), <f32>acc);
  }
}

/** f32x4 (lo0, lo1, hi0, hi1) rounded from two f64x2. */
// @ts-ignore: decorator
@inline function joinF64(lo: v128, hi: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/** out[0..inner) = reduce over l of the rows x + l * inner. */
// @ts-ignore: decorator
@inline function reduceColumns(op: i32, x: usize, out: usize, length: i32, inner: i32): void {
  const stride = <usize>inner << 2;
  const rowsEnd = <usize>length * stride;
  const start = f32x4.splat(identity(op));
  const none = i32x4.splat(0);
  let column = 0;
  for (; column + 16 <= inner; column += 16) {
    const base = x + (<usize>column << 2);
    let acc0 = start;
    let acc1 = start;
    let acc2 = start;
    let acc3 = start;
    let nan0 = none;
    let nan1 = none;
    let nan2 = none;
    let nan3 = none;
    for (let offset: usize = 0; offset < rowsEnd; offset += stride) {
      const p = base + offset;
      const v0 = v128.load(p);
      const v1 = v128.load(p, 16);
      const v2 = v128.load(p, 32);
      const v3 = v128.load(p, 48);
      acc0 = combine(op, acc0, v0);
      acc1 = combine(op, acc1, v1);
      acc2 = combine(op, acc2, v2);
      acc3 = combine(op, acc3, v3);
      nan0 = nanLanes(op, nan0, v0);
      nan1 = nanLanes(op, nan1, v1);
      nan2 = nanLanes(op, nan2, v2);
      nan3 = nanLanes(op, nan3, v3);
    }
    const o = out + (<usize>column << 2);
    v128.store(o, withNaN(op, acc0, nan0));
    v128.store(o, withNaN(op, acc1, nan1), 16);
    v128.store(o, withNaN(op, acc2, nan2), 32);
    v128.store(o, withNaN(op, acc3, nan3), 48);
  }
  for (; column + 4 <= inner; column += 4) {
    const base = x + (<usize>column << 2);
    let acc = start;
    let nan = none;
    for (let offset: usize = 0; offset < rowsEnd; offset += stride) {
      const v = v128.load(base + offset);
      acc = combine(op, acc, v);
      nan = nanLanes(op, nan, v);
    }
    v128.store(out + (<usize>column << 2), withNaN(op, acc, nan));
  }
  for (; column < inner; column++) {
    const base = x + (<usize>column << 2);
    let acc = identity(op);
    for (let offset: usize = 0; offset < rowsEnd; offset += stride) acc = combineScalar(op, acc, load<f32>(base + offset));
    store<f32>(out + (<usize>column << 2), acc);
  }
}

// @ts-ignore: decorator
@inline function reduceAll(op: i32, x: usize, out: usize, outer: i32, length: i32, inner: i32): void {
  const xStep = <usize>length * <usize>inner << 2;
  if (inner == 1) {
    if (op == REDUCE_SUM) for (let o = 0; o < outer; o++, x += xStep, out += 4) store<f32>(out, sumRow(x, length));
    else for (let o = 0; o < outer; o++, x += xStep, out += 4) store<f32>(out, reduceRow(op, x, length));
  } else {
    const outStep = <usize>inner << 2;
    if (op == REDUCE_SUM) for (let o = 0; o < outer; o++, x += xStep, out += outStep) sumColumns(x, out, length, inner);
    else for (let o = 0; o < outer; o++, x += xStep, out += outStep) reduceColumns(op, x, out, length, inner);
  }
}

/** out[o, i] = sum / max / min over l of x[o, l, i]; op in REDUCE_CODES. */
export function reduce(op: i32, x: usize, out: usize, outer: i32, length: i32, inner: i32): void {
  switch (op) {
    case REDUCE_SUM: reduceAll(REDUCE_SUM, x, out, outer, length, inner); break;
    case REDUCE_MAX: reduceAll(REDUCE_MAX, x, out, outer, length, inner); break;
    case REDUCE_MIN: reduceAll(REDUCE_MIN, x, out, outer, length, inner); break;
  }
}

// ---------------------------------------------------------------- argmax

/**
 * Lanes where `value` should replace `best`: strictly greater, or value NaN while best is not
 * (so the first NaN wins and later equal values never replace an earlier index).
 */
// @ts-ignore: decorator
@inline function beats(value: v128, best: v128): v128 {
  return v128.or(f32x4.gt(value, best), v128.and(f32x4.ne(value, value), f32x4.eq(best, best)));
}

// @ts-ignore: decorator
@inline function beatsScalar(value: f32, best: f32): bool {
  return value > best || (value != value && best == best);
}

/** A value read for argmax: its sign bit XOR `sign` (0, or 0x80000000 for argMin); NaN stays NaN. */
// @ts-ignore: decorator
@inline function loadSigned(at: usize, sign: u32): f32 {
  return reinterpret<f32>(load<u32>(at) ^ sign);
}

/** First index of the max of `length` contiguous floats (each sign-flipped by `sign`); a NaN counts as the max. */
// @ts-ignore: decorator
@inline function argmaxRow(x: usize, length: i32, sign: u32): i32 {
  const signs = i32x4.splat(<i32>sign);
  let bestIndex = 0;
  let bestValue = loadSigned(x, sign);
  let l = 1;
  if (length >= 8) {
    // Per-lane running best over x[4j + lane]; each lane keeps its first maximum.
    let best = v128.xor(v128.load(x), signs);
    let index = i32x4(0, 1, 2, 3);
    let current = index;
    const four = i32x4.splat(4);
    const vectorLength = length & ~3;
    for (l = 4; l < vectorLength; l += 4) {
      current = i32x4.add(current, four);
      const value = v128.xor(v128.load(x + (<usize>l << 2)), signs);
      const take = beats(value, best);
      best = v128.bitselect(value, best, take);
      index = v128.bitselect(current, index, take);
    }
    // Across lanes: a lane wins if it beats, or ties with a smaller index (NaN ties NaN).
    bestValue = f32x4.extract_lane(best, 0);
    bestIndex = i32x4.extract_lane(index, 0);
    for (let lane = 1; lane < 4; lane++) {
      const v = lane == 1 ? f32x4.extract_lane(best, 1) : lane == 2 ? f32x4.extract_lane(best, 2) : f32x4.extract_lane(best, 3);
      const i = lane == 1 ? i32x4.extract_lane(index, 1) : lane == 2 ? i32x4.extract_lane(index, 2) : i32x4.extract_lane(index, 3);
      const tie = v == bestValue || (v != v && bestValue != bestValue);
      if (beatsScalar(v, bestValue) || (tie && i < bestIndex)) { bestValue = v; bestIndex = i; }
    }
  }
  for (; l < length; l++) {
    const v = loadSigned(x + (<usize>l << 2), sign);
    if (beatsScalar(v, bestValue)) { bestValue = v; bestIndex = l; }
  }
  return bestIndex;
}

/**
 * out_i32[o, i] = first l maximizing x[o, l, i], or with flip 1 minimizing it (argMin: each
 * value is read with its sign bit flipped, one xor per vector); a NaN counts as the extreme
 * (first NaN wins), as in the reference. Vectorized along the row when inner == 1, across
 * inner otherwise. length 0 writes 0.
 */
export function argmax(x: usize, out: usize, outer: i32, length: i32, inner: i32, flip: i32): void {
  const sign: u32 = flip != 0 ? 0x80000000 : 0;
  const signs = i32x4.splat(<i32>sign);
  const xStep = <usize>length * <usize>inner << 2;
  if (length <= 0) {
    for (let i = 0, total = outer * inner; i < total; i++) store<i32>(out + (<usize>i << 2), 0);
    return;
  }
  if (inner == 1) {
    for (let o = 0; o < outer; o++, x += xStep, out += 4) store<i32>(out, argmaxRow(x, length, sign));
    return;
  }
  const stride = <usize>inner << 2;
  const rowsEnd = <usize>length * stride;
  for (let o = 0; o < outer; o++, x += xStep, out += stride) {
    let column = 0;
    for (; column + 4 <= inner; column += 4) {
      const base = x + (<usize>column << 2);
      let best = v128.xor(v128.load(base), signs);
      let index = i32x4.splat(0);
      let current = index;
      const one = i32x4.splat(1);
      for (let offset = stride; offset < rowsEnd; offset += stride) {
        current = i32x4.add(current, one);
        const value = v128.xor(v128.load(base + offset), signs);
        const take = beats(value, best);
        best = v128.bitselect(value, best, take);
        index = v128.bitselect(current, index, take);
      }
      v128.store(out + (<usize>column << 2), index);
    }
    for (; column < inner; column++) {
      const base = x + (<usize>column << 2);
      let bestValue = loadSigned(base, sign);
      let bestIndex = 0;
      let l = 1;
      for (let offset = stride; offset < rowsEnd; offset += stride, l++) {
        const v = loadSigned(base + offset, sign);
        if (beatsScalar(v, bestValue)) { bestValue = v; bestIndex = l; }
      }
      store<i32>(out + (<usize>column << 2), bestIndex);
    }
  }
}
