/**
 * Row softmax of a rows x cols row-major matrix, in passes per row:
 *   1. m = max_j x_j over the non-NaN entries, taken for row r + 1 inside row r's exp loop
 *      (memory loads overlap the exp arithmetic; see expScaleSumAndMax);
 *   2. out_j = 2^64 e^(x_j - m) (expNonPos: a degree-5 polynomial, ~2 ulp, always a normal
 *      float), s = sum_j out_j in f32x4 partial sums of SOFTMAX_SUM_BLOCK terms, added in f64;
 *   3. out_j *= f32(1 / s): one rounding of each term (subnormal results included), inside
 *      row r + 1's exp loop.
 * Subtracting the max makes rows of +-1e4 logits exact: every exponent is <= 0 and the
 * largest term is exactly 2^64 (times p(0) = 1), so s is in [2^64, cols 2^64].
 * Edge rows, as the reference computes them: a NaN anywhere makes s NaN, so the whole row is
 * NaN (the max skips NaNs: pmax keeps its first operand); a row of all -Infinity is all NaN
 * (-Inf - -Inf); a row containing +Infinity is all NaN (m = +Inf, Inf - Inf). Terms far below
 * the max underflow to 0 (gradually, never NaN). out may alias x.
 * Error against the float64 reference with x - m exact (inputs on a 2^-10 grid; 512 x 1000 and
 * 200 x 1001 rows spanning [-5, 5], [-60, 0] and [-100, 0], 64 x 4097): at most 2.5 * 2^-23
 * relative per normal term, the sum included, in both builds
 * (tests/backends/suite/softmax.cases.ts pins 4 * 2^-23).
 * The relaxed build fuses the exp's multiply-adds (relaxed_madd, relaxed_nmadd), so its
 * results may differ from the simd build's in the last bit.
 * Wide rows (512 x 1000, the raw kernel, medians, Intel Xeon, 2 shared cores): 0.74 ms per call
 * for the expv / divide version; 0.46 ms simd / 0.35 ms relaxed for the degree-6 exp with a NaN
 * mask and a separate scale loop; now, node --experimental-wasm-relaxed-simd bench/softmax.mjs:
 * 0.41 / 0.29 ms (TF.js wasm 0.51), and in Chromium 156 (the same binary) 0.38 / 0.28 ms
 * against 0.42 / 0.34 before the constants moved to memory (EXP_CONSTANTS).
 */
import { addToF64, expv, hmax, hsum64, SUM_BLOCK } from './math';

/**
 * max over `count` contiguous floats; NaN-propagating; -Infinity for count 0. pmax plus a
 * NaN-lane mask is much cheaper in V8 than f32x4.max (see reduce.ts).
 */
// @ts-ignore: decorator
@inline export function rowMax(x: usize, count: i32): f32 {
  let acc0 = f32x4.splat(-Infinity);
  let acc1 = acc0;
  let nan = i32x4.splat(0);
  const end = x + (<usize>count << 2);
  const end8 = x + (<usize>(count & ~7) << 2);
  const end4 = x + (<usize>(count & ~3) << 2);
  for (; x < end8; x += 32) {
    const v0 = v128.load(x);
    const v1 = v128.load(x, 16);
    acc0 = f32x4.pmax(acc0, v0);
    acc1 = f32x4.pmax(acc1, v1);
    nan = v128.or(nan, v128.or(f32x4.ne(v0, v0), f32x4.ne(v1, v1)));
  }
  if (x < end4) {
    const v = v128.load(x);
    acc0 = f32x4.pmax(acc0, v);
    nan = v128.or(nan, f32x4.ne(v, v));
    x += 16;
  }
  let result: f32 = v128.any_true(nan) ? NaN : hmax(f32x4.pmax(acc0, acc1));
  for (; x < end; x += 4) result = max<f32>(result, load<f32>(x));
  return result;
}

// expv's reduction constants (math.ts, where they are explained), repeated: math.ts keeps them private.
const LOG2E: f32 = 1.442695;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.1219444e-4;
const EXP_CLAMP_LO: f32 = -105.0;
/**
 * 1.5 * 2^23 + 191: t = x log2(e) + EXP_MAGIC_191 rounds x log2(e) to the integer k (ties to
 * even) and leaves k + 191 in t's low mantissa bits (bits(1.5 * 2^23) ends in 23 zero bits,
 * and k + 191 is in [39, 191] for x in [-105, 0]), so bits(t) << 23 is the float 2^(k + 64):
 * exponent field k + 64 + 127. One shift builds the scale; no integer add, no bias constant.
 */
const EXP_MAGIC_191: f32 = 12583103.0;
// e^r = 1 + r (1 + r (P0 + r (P1 + r (P2 + r P3)))) on |r| <= ln2/2: our own near-minimax fit
// (iteratively reweighted least squares on the relative error, as math.ts's), fit error
// 1.05e-7 relative; evaluated in f32, at most 2.1 ulp over the range (math.ts's expv uses
// degree 6 for 1 ulp; softmax trades that ulp for one multiply-add less per term).
const EXP5_P0: f32 = 0.499992311000824;
const EXP5_P1: f32 = 0.16667115688323975;
const EXP5_P2: f32 = 0.04189034551382065;
const EXP5_P3: f32 = 0.008312510326504707;

/** a * b + c: fused in the relaxed build. */
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** c - a * b: fused in the relaxed build. */
// @ts-ignore: decorator
@inline function nmadd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_nmadd(a, b, c);
  return f32x4.sub(c, f32x4.mul(a, b));
}

/**
 * 2^64 e^x for x <= 0 or NaN, in 12 vector operations (relaxed build): clamp, Cody-Waite
 * reduction x = k ln2 + r, Horner in multiply-adds, one shift for 2^(k + 64) and one multiply.
 * Scaled by 2^64 so that every result is a normal float: 2^(k + 64) is one normal factor for
 * every k in [-152, 0] (expv needs two to reach subnormal results), and p 2^(k + 64) is exact,
 * so the one rounding of e^x is wherever the caller multiplies by 2^-64 (softmax: by 1 / the
 * scaled sum). No upper clamp (x <= 0). x = -Infinity gives 2^64 e^-105, which any normal
 * scale <= 2^-64 takes to +0. NaN: pmax keeps it, and NaN times any scale is NaN (the scale
 * is a float multiply, not an add into the exponent bits, which could turn a NaN finite).
 */
// @ts-ignore: decorator
@inline function expNonPos(x: v128, clampLo: v128, log2e: v128, magic: v128, ln2Hi: v128, ln2Lo: v128,
  p3: v128, p2: v128, p1: v128, p0: v128, one: v128): v128 {
  x = f32x4.pmax(x, clampLo);
  const t = madd(x, log2e, magic);
  const k = f32x4.sub(t, magic);
  let r = nmadd(k, ln2Hi, x);
  r = nmadd(k, ln2Lo, r);
  let p = madd(p3, r, p2);
  p = madd(p, r, p1);
  p = madd(p, r, p0);
  p = madd(p, r, one);
  p = madd(p, r, one);
  return f32x4.mul(p, i32x4.shl(t, 23));
}

/**
 * expNonPos's constants, four lanes each, in linear memory. expScaleSumAndMax loads them into
 * locals before its loop instead of writing f32x4.splat(constant) in the loop:
 * Chromium 156's V8 (15.x) rematerializes each v128 constant inside the loop at every use,
 * where Node 20's V8 11.3 keeps them; with the constants loaded from memory, V8 cannot
 * rematerialize them and keeps them in registers (or spills, one load each). Chromium,
 * 512 x 1000 raw kernel, relaxed: 0.34 -> 0.26 ms; Node unchanged (0.26). expNonPos takes
 * them as arguments (AssemblyScript has no struct of values without an allocation).
 */
const EXP_CONSTANTS: usize = memory.data<f32>([
  EXP_CLAMP_LO, EXP_CLAMP_LO, EXP_CLAMP_LO, EXP_CLAMP_LO,
  LOG2E, LOG2E, LOG2E, LOG2E,
  EXP_MAGIC_191, EXP_MAGIC_191, EXP_MAGIC_191, EXP_MAGIC_191,
  LN2_HI, LN2_HI, LN2_HI, LN2_HI,
  LN2_LO, LN2_LO, LN2_LO, LN2_LO,
  EXP5_P3, EXP5_P3, EXP5_P3, EXP5_P3,
  EXP5_P2, EXP5_P2, EXP5_P2, EXP5_P2,
  EXP5_P1, EXP5_P1, EXP5_P1, EXP5_P1,
  EXP5_P0, EXP5_P0, EXP5_P0, EXP5_P0,
  1, 1, 1, 1,
], 16);


/**
 * out_j = e^(x_j - shift) over `count` floats; returns the sum of the out_j (f32x4 partial
 * sums per block of SUM_BLOCK terms, added in f64: see math.ts). One vector per iteration: expv's chains are long but independent across
 * iterations, so the core overlaps them without unrolling (and the module stays small).
 */
// @ts-ignore: decorator
@inline export function expShiftSum(x: usize, out: usize, count: i32, shift: f32): f32 {
  const s = f32x4.splat(shift);
  let total = f64x2.splat(0);
  const vectorEnd = <usize>(count & ~3) << 2;
  const end = <usize>count << 2;
  let i: usize = 0;
  while (i < vectorEnd) {
    const blockEnd = min(vectorEnd, i + (<usize>SUM_BLOCK << 2));
    let sum = f32x4.splat(0.0);
    for (; i < blockEnd; i += 16) {
      const e = expv(f32x4.sub(v128.load(x + i), s));
      if (out != 0) v128.store(out + i, e);
      sum = f32x4.add(sum, e);
    }
    total = addToF64(total, sum);
  }
  let result = hsum64(total);
  for (; i < end; i += 4) {
    const e = expv(f32x4.sub(v128.load32_zero(x + i), s));
    if (out != 0) v128.store32_lane(out + i, e, 0);
    result += <f64>f32x4.extract_lane(e, 0);
  }
  return <f32>result;
}

/**
 * x[j] *= scale over `count` floats, in place. softmax scales by the f32 nearest 1 / sum
 * (taken in f64): within 1 ulp of the division, at a fraction of its cost.
 */
// @ts-ignore: decorator
@inline function scaleInPlace(x: usize, count: i32, scale: f32): void {
  const d = f32x4.splat(scale);
  const vectorEnd = x + (<usize>(count & ~3) << 2);
  const end = x + (<usize>count << 2);
  for (; x < vectorEnd; x += 16) v128.store(x, f32x4.mul(v128.load(x), d));
  for (; x < end; x += 4) store<f32>(x, load<f32>(x) * scale);
}

/**
 * Terms per f32x4 partial sum of softmax's exp pass before it is added in f64 (16 per lane):
 * the sum's rounding stays below ~1 ulp of the row (SUM_BLOCK's 256 per lane reached ~6 ulp
 * on 1000 columns), for about 3% of the pass.
 */
const SOFTMAX_SUM_BLOCK: i32 = 64;

/** expScaleSumAndMax's second result: the max of the next row. */
let nextRowMax: f32 = 0;

/**
 * One loop over three rows: out = expNonPos(x - shift) over row x (`count` floats), returning
 * their sum; the max of the next row's non-NaN entries (`next`), left in nextRowMax; and the
 * previous row's output (`prev`) multiplied by prevScale, its 1 / sum. A wide softmax is bound
 * by memory as much as by the exps: a row's own passes hit L1 once its max is taken, but the
 * max pass waits on memory and the exp pass leaves the memory idle, so the next row's max
 * rides beside this row's exps; the scale rides along too, saving its own loop (~8%).
 * The max needs no NaN mask: a NaN in a row makes its sum NaN, and so every term.
 * prev may be out itself (scale 1, the first row): prev's store comes first, then out's.
 */
// @ts-ignore: decorator
@inline function expScaleSumAndMax(x: usize, out: usize, count: i32, shift: f32, next: usize,
  prev: usize, prevScale: f32): f64 {
  const c = EXP_CONSTANTS;
  const clampLo = v128.load(c), log2e = v128.load(c, 16), magic = v128.load(c, 32), ln2Hi = v128.load(c, 48);
  const ln2Lo = v128.load(c, 64), p3 = v128.load(c, 80), p2 = v128.load(c, 96), p1 = v128.load(c, 112);
  const p0 = v128.load(c, 128), one = v128.load(c, 144);
  const s = f32x4.splat(shift);
  const scale = f32x4.splat(prevScale);
  let total = f64x2.splat(0);
  let acc = f32x4.splat(-Infinity);
  const vectorEnd = <usize>(count & ~3) << 2;
  const end = <usize>count << 2;
  let i: usize = 0;
  while (i < vectorEnd) {
    const blockEnd = min(vectorEnd, i + (<usize>SOFTMAX_SUM_BLOCK << 2));
    let sum = f32x4.splat(0.0);
    for (; i < blockEnd; i += 16) {
      acc = f32x4.pmax(acc, v128.load(next + i));
      v128.store(prev + i, f32x4.mul(v128.load(prev + i), scale));
      const e = expNonPos(f32x4.sub(v128.load(x + i), s), clampLo, log2e, magic, ln2Hi, ln2Lo, p3, p2, p1, p0, one);
      v128.store(out + i, e);
      sum = f32x4.add(sum, e);
    }
    total = addToF64(total, sum);
  }
  let m: f32 = hmax(acc);
  let result = hsum64(total);
  for (; i < end; i += 4) {
    const v = load<f32>(next + i);
    m = v > m ? v : m; // NaN compares false: skipped
    store<f32>(prev + i, load<f32>(prev + i) * prevScale);
    const e = expNonPos(f32x4.sub(v128.load32_zero(x + i), s), clampLo, log2e, magic, ln2Hi, ln2Lo, p3, p2, p1, p0, one);
    v128.store32_lane(out + i, e, 0);
    result += <f64>f32x4.extract_lane(e, 0);
  }
  nextRowMax = m;
  return result;
}

/** max over `count` contiguous floats, NaNs skipped (pmax keeps its first operand); -Infinity if none. */
// @ts-ignore: decorator
@inline function rowMaxSkippingNaN(x: usize, count: i32): f32 {
  let acc0 = f32x4.splat(-Infinity);
  let acc1 = acc0;
  const end = x + (<usize>count << 2);
  const end8 = x + (<usize>(count & ~7) << 2);
  const end4 = x + (<usize>(count & ~3) << 2);
  for (; x < end8; x += 32) {
    acc0 = f32x4.pmax(acc0, v128.load(x));
    acc1 = f32x4.pmax(acc1, v128.load(x, 16));
  }
  if (x < end4) { acc0 = f32x4.pmax(acc0, v128.load(x)); x += 16; }
  let result: f32 = hmax(f32x4.pmax(acc0, acc1));
  for (; x < end; x += 4) { const v = load<f32>(x); result = v > result ? v : result; }
  return result;
}

/**
 * out[r, :] = softmax(x[r, :]) for each of `rows` rows of `cols` floats. Row r's exps are
 * taken beside row r + 1's max and row r - 1's scaling (expScaleSumAndMax); the last row is
 * scaled on its own.
 */
export function softmax(x: usize, out: usize, rows: i32, cols: i32): void {
  if (rows <= 0) return;
  const rowBytes = <usize>cols << 2;
  const last = x + <usize>(rows - 1) * rowBytes;
  let m = rowMaxSkippingNaN(x, cols);
  // The first row has no row before it: it scales its own output by 1 before writing it.
  let prev = out;
  let scale: f32 = 1;
  for (; ; x += rowBytes, out += rowBytes) {
    // The last row takes its own max again (in L1, unused): one copy of the loop, not two.
    const sum = expScaleSumAndMax(x, out, cols, m, x < last ? x + rowBytes : x, prev, scale);
    prev = out;
    scale = <f32>(1.0 / sum);
    if (x >= last) break;
    m = nextRowMax;
  }
  scaleInPlace(prev, cols, scale);
}
