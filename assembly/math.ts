/**
 * Vectorized transcendental functions on f32x4, shared by elementwise, softmax and loss.
 *
 * All are `@inline` and use only plain SIMD (no relaxed fused multiply-add), so the `simd`
 * and `relaxed` builds give bit-identical results. Scalar tails in the kernels call the same
 * functions on a one-lane vector, so a value's result never depends on its position.
 *
 * The polynomial coefficients are our own near-minimax fits (Lawson's iteratively reweighted
 * least squares against 50-digit mpmath targets), rounded to f32.
 *
 * Measured error, against the exact value (f64 Math.exp / log / tanh of the f32 input), by
 * a throwaway AssemblyScript entry that ran these functions over f32 bit patterns, four
 * lanes at a time, and kept the largest relative and ulp error:
 *  - expv, every f32 in [-87.34, 88.72] (normal results): max relative error 8.4e-8, max
 *    0.99 ulp. Subnormal results (x in [-103.98, -87.34]) are within one subnormal step;
 *    x < -103.98 gives +0, x > 88.7228 gives +Infinity, NaN stays NaN.
 *  - logv, every positive f32 (subnormals included): max 8.2e-8 relative, 0.84 ulp;
 *    log(+-0) = -Infinity, log(x < 0) = NaN, log(+Infinity) = +Infinity, NaN stays NaN.
 *  - tanhv, every 4th f32: max 1.4e-7 relative, 1.32 ulp (near the 0.625 switch).
 *  - sigmoidv, every 4th f32 with a normal result: max 1.8e-7 relative, 2.4 ulp.
 *  - expm1v on [-18, 18], log1pv on [-0.99, 3.5], erfv on [-4.5, 4.5], 2^20 points each
 *    against float64: max 2.2e-7, 1.7e-7 and 1.7e-7 relative.
 * tests/suite/elementwise.cases.ts pins these on a dense sweep for the wasm backend.
 */

const LOG2E: f32 = 1.442695;
/** ln 2 split for Cody-Waite reduction: LN2_HI = 355/512 has 9 significant bits, so
 *  k * LN2_HI is exact for |k| < 2^15; LN2_LO = ln 2 - LN2_HI. */
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.1219444e-4;

// e^r = 1 + r + r^2 Q(r) on |r| <= ln2/2; fit error of the polynomial 3.1e-9 relative.
const EXP_Q0: f32 = 0.49999994;
const EXP_Q1: f32 = 0.16666521;
const EXP_Q2: f32 = 0.04166839;
const EXP_Q3: f32 = 0.008368712;
const EXP_Q4: f32 = 0.0013814621;

/** Beyond these the result is already +Inf / +0; clamping keeps the exponent math in range. */
const EXP_CLAMP_HI: f32 = 89.0;
const EXP_CLAMP_LO: f32 = -105.0;

/** 1.5 * 2^23: adding it rounds a float of magnitude < 2^22 to an integer (ties to even)
 *  and leaves that integer in the low mantissa bits, i.e. bits(t) = MAGIC_BITS + k. */
const ROUNDING_MAGIC: f32 = 12582912.0;
const ROUNDING_MAGIC_BITS: i32 = 0x4b400000;

/**
 * e^x per lane. Range reduction x = k ln2 + r (k = x log2 e rounded to nearest), polynomial
 * for e^r, then scaling by 2^k as two factors 2^(k>>1) * 2^(k - (k>>1)) so that both are
 * normal floats for every k in [-152, 129]: overflow and subnormal results come out of one
 * final, correctly rounded multiply instead of a garbage exponent field.
 * k is rounded with the 1.5 * 2^23 trick rather than f32x4.nearest + i32x4.trunc_sat,
 * which V8 lowers to a long NaN/overflow-safe sequence.
 * NaN: pmin/pmax keep the NaN (their first operand); the polynomial carries it to the result
 * whatever the garbage k (NaN times any scale is NaN).
 */
// @ts-ignore: decorator
@inline export function expv(x: v128): v128 {
  x = f32x4.pmax(f32x4.pmin(x, f32x4.splat(EXP_CLAMP_HI)), f32x4.splat(EXP_CLAMP_LO));
  const t = f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(ROUNDING_MAGIC));
  const k = f32x4.sub(t, f32x4.splat(ROUNDING_MAGIC));
  let r = f32x4.sub(x, f32x4.mul(k, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(k, f32x4.splat(LN2_LO)));
  let q = f32x4.add(f32x4.mul(f32x4.splat(EXP_Q4), r), f32x4.splat(EXP_Q3));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(EXP_Q2));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(EXP_Q1));
  q = f32x4.add(f32x4.mul(q, r), f32x4.splat(EXP_Q0));
  const p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(r, r), q), r), f32x4.splat(1.0));
  const ki = i32x4.sub(t, i32x4.splat(ROUNDING_MAGIC_BITS));
  const k1 = i32x4.shr_s(ki, 1);
  const k2 = i32x4.sub(ki, k1);
  const bias = i32x4.splat(127);
  const s1 = i32x4.shl(i32x4.add(k1, bias), 23);
  const s2 = i32x4.shl(i32x4.add(k2, bias), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

// log(1+f) = f - f^2/2 + s (f^2/2 + R(z)), s = f / (2 + f), z = s^2, R(z) = z (c0 + c1 z + c2 z^2):
// an identity of 2 atanh(s); the fit error of R is 8e-10 relative to log(1+f).
const LOG_R0: f32 = 0.66666776;
const LOG_R1: f32 = 0.3997757;
const LOG_R2: f32 = 0.29870975;
/** Bits of sqrt(1/2) as f32: mantissas are reduced to [sqrt(1/2), sqrt(2)). */
const SQRT_HALF_BITS: i32 = 0x3f3504f3;
const FLT_MIN: f32 = 1.17549435e-38;
const TWO_POW_23: f32 = 8388608.0;

/**
 * Natural log per lane. x = 2^e * m with m in [sqrt(1/2), sqrt(2)), f = m - 1 exact, then the
 * atanh series above; e ln2 is added in two parts. Subnormals are scaled by 2^23 first.
 * Special values: +-0 -> -Inf, x < 0 -> NaN, +Inf -> +Inf, NaN -> NaN.
 */
// @ts-ignore: decorator
@inline export function logv(x: v128): v128 {
  const tiny = f32x4.lt(x, f32x4.splat(FLT_MIN));
  const scaled = v128.bitselect(f32x4.mul(x, f32x4.splat(TWO_POW_23)), x, tiny);
  const eAdjust = v128.and(tiny, i32x4.splat(-23));
  const offset = i32x4.sub(scaled, i32x4.splat(SQRT_HALF_BITS));
  const e = i32x4.shr_s(offset, 23);
  const m = i32x4.sub(scaled, i32x4.shl(e, 23));
  const ef = f32x4.convert_i32x4_s(i32x4.add(e, eAdjust));
  const f = f32x4.sub(m, f32x4.splat(1.0));
  const s = f32x4.div(f, f32x4.add(f, f32x4.splat(2.0)));
  const z = f32x4.mul(s, s);
  let r = f32x4.add(f32x4.mul(f32x4.splat(LOG_R2), z), f32x4.splat(LOG_R1));
  r = f32x4.add(f32x4.mul(r, z), f32x4.splat(LOG_R0));
  r = f32x4.mul(r, z);
  const hfsq = f32x4.mul(f32x4.mul(f, f), f32x4.splat(0.5));
  let y = f32x4.add(f32x4.mul(s, f32x4.add(hfsq, r)), f32x4.mul(ef, f32x4.splat(LN2_LO)));
  y = f32x4.add(f32x4.sub(y, hfsq), f);
  y = f32x4.add(y, f32x4.mul(ef, f32x4.splat(LN2_HI)));
  // Lanes outside (0, +Inf): 0 -> -Inf, +Inf -> +Inf, negative or NaN -> NaN.
  const inRange = v128.and(f32x4.gt(x, f32x4.splat(0.0)), f32x4.lt(x, f32x4.splat(Infinity)));
  let special = v128.bitselect(f32x4.splat(-Infinity), f32x4.splat(NaN), f32x4.eq(x, f32x4.splat(0.0)));
  special = v128.bitselect(x, special, f32x4.eq(x, f32x4.splat(Infinity)));
  return v128.bitselect(y, special, inRange);
}

// tanh(x) = x + x^3 T(x^2) for |x| < 0.625; fit error 4.4e-9 relative.
const TANH_T0: f32 = -0.3333328;
const TANH_T1: f32 = 0.13331442;
const TANH_T2: f32 = -0.053739704;
const TANH_T3: f32 = 0.020639053;
const TANH_T4: f32 = -0.005704946;
export const TANH_SMALL: f32 = 0.625;

/** tanh's odd polynomial, accurate for |x| < TANH_SMALL (assembly/rnn.ts shares it). */
// @ts-ignore: decorator
@inline export function tanhSmallv(x: v128): v128 {
  const w = f32x4.mul(x, x);
  let t = f32x4.add(f32x4.mul(f32x4.splat(TANH_T4), w), f32x4.splat(TANH_T3));
  t = f32x4.add(f32x4.mul(t, w), f32x4.splat(TANH_T2));
  t = f32x4.add(f32x4.mul(t, w), f32x4.splat(TANH_T1));
  t = f32x4.add(f32x4.mul(t, w), f32x4.splat(TANH_T0));
  return f32x4.add(f32x4.mul(f32x4.mul(w, x), t), x);
}

/**
 * tanh per lane: an odd polynomial below |x| = 0.625 (where 1 - 2/(e^2|x| + 1) would cancel),
 * sign(x) (1 - 2 / (e^(2|x|) + 1)) above; large |x| gives exactly +-1, NaN stays NaN.
 */
// @ts-ignore: decorator
@inline export function tanhv(x: v128): v128 {
  const ax = f32x4.abs(x);
  const small = tanhSmallv(x);
  const e = expv(f32x4.add(ax, ax));
  const big = f32x4.sub(f32x4.splat(1.0), f32x4.div(f32x4.splat(2.0), f32x4.add(e, f32x4.splat(1.0))));
  // copy the sign of x onto big (big >= 0)
  const signed = v128.or(big, v128.and(x, f32x4.splat(-0.0)));
  // NaN fails the compare and takes `small`, which is NaN.
  return v128.bitselect(signed, small, f32x4.ge(ax, f32x4.splat(TANH_SMALL)));
}

/**
 * The logistic function per lane, as 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) for x < 0:
 * e^-|x| never overflows, so very negative x underflows gradually to +0 with full relative
 * accuracy instead of collapsing at x = -88.7; large x gives exactly 1; NaN stays NaN.
 */
// @ts-ignore: decorator
@inline export function sigmoidv(x: v128): v128 {
  const e = expv(f32x4.neg(f32x4.abs(x)));
  const one = f32x4.splat(1.0);
  const numerator = v128.bitselect(one, e, f32x4.ge(x, f32x4.splat(0.0)));
  return f32x4.div(numerator, f32x4.add(one, e));
}

/** Horizontal sum of the four lanes, as (l0 + l2) + (l1 + l3). */
// @ts-ignore: decorator
@inline export function hsum(v: v128): f32 {
  const folded = f32x4.add(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(folded, 0) + f32x4.extract_lane(folded, 1);
}

/**
 * Long float32 sums in blocks: SUM_BLOCK consecutive terms go into f32x4 partial sums (each
 * lane adds at most SUM_BLOCK / 4 terms), and each block's partials are added into f64 lanes.
 * The f32 error then grows with the block, not with the length: a sum of 1e7 copies of 0.1
 * comes out within 1e-6 relative (plain f32 lanes: 6e-3), at about the same speed.
 */
export const SUM_BLOCK: i32 = 1024;

/** total (f64x2) + the four f32 lanes of v, each promoted to f64. */
// @ts-ignore: decorator
@inline export function addToF64(total: v128, v: v128): v128 {
  const low = f64x2.promote_low_f32x4(v);
  const high = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f64x2.add(f64x2.add(total, low), high);
}

/** Horizontal sum of an f64x2. */
// @ts-ignore: decorator
@inline export function hsum64(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** Horizontal max of the four lanes; NaN in any lane gives NaN (f32x4.max propagates it). */
// @ts-ignore: decorator
@inline export function hmax(v: v128): f32 {
  const folded = f32x4.max(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return max<f32>(f32x4.extract_lane(folded, 0), f32x4.extract_lane(folded, 1));
}

/** Horizontal min of the four lanes; NaN in any lane gives NaN. */
// @ts-ignore: decorator
@inline export function hmin(v: v128): f32 {
  const folded = f32x4.min(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return min<f32>(f32x4.extract_lane(folded, 0), f32x4.extract_lane(folded, 1));
}

/** |x| below this: e^x - 1 from the polynomial directly (no cancellation); above: expv(x) - 1. */
const EXPM1_SMALL: f32 = 0.34657359;

/**
 * e^x - 1 per lane: for |x| < ln2/2 the reduction of expv has k = 0, so e^x - 1 = r + r^2 Q(r)
 * with r = x, free of the cancellation of expv(x) - 1; elsewhere expv(x) - 1 loses at most
 * a few ulp (e^x - 1 >= 0.41 or <= -0.29 there). -Inf gives -1, NaN stays NaN.
 */
// @ts-ignore: decorator
@inline export function expm1v(x: v128): v128 {
  let q = f32x4.add(f32x4.mul(f32x4.splat(EXP_Q4), x), f32x4.splat(EXP_Q3));
  q = f32x4.add(f32x4.mul(q, x), f32x4.splat(EXP_Q2));
  q = f32x4.add(f32x4.mul(q, x), f32x4.splat(EXP_Q1));
  q = f32x4.add(f32x4.mul(q, x), f32x4.splat(EXP_Q0));
  const small = f32x4.add(f32x4.mul(f32x4.mul(x, x), q), x);
  const big = f32x4.sub(expv(x), f32x4.splat(1.0));
  // NaN fails the compare and takes `big`, which is NaN.
  return v128.bitselect(small, big, f32x4.lt(f32x4.abs(x), f32x4.splat(EXPM1_SMALL)));
}

/**
 * log(1 + x) per lane, by Goldberg's correction: with u = 1 + x rounded, log(u) x / (u - 1)
 * cancels the rounding of u (a few ulp); where u rounds to 1 the result is x itself.
 * x = -1 gives -Inf, x < -1 NaN, +Inf +Inf, NaN NaN.
 */
// @ts-ignore: decorator
@inline export function log1pv(x: v128): v128 {
  const u = f32x4.add(x, f32x4.splat(1.0));
  const d = f32x4.sub(u, f32x4.splat(1.0));
  const lu = logv(u);
  const corrected = f32x4.mul(lu, f32x4.div(x, d));
  // u = +Inf (x/d would be Inf/Inf) and u <= 0 (log is -Inf or NaN already) take log(u).
  const plain = v128.or(f32x4.eq(u, f32x4.splat(Infinity)), f32x4.le(u, f32x4.splat(0.0)));
  return v128.bitselect(x, v128.bitselect(lu, corrected, plain), f32x4.eq(d, f32x4.splat(0.0)));
}

// erf(x) = x P(x^2) on |x| < 1 (fit error 6e-8 relative); erfc(x) e^(x^2) = Q((x - 2.5) / 1.5) on
// [1, 4) (fit error 1e-8 absolute); our own weighted least-squares fits against mpmath, rounded
// to f32. shaders/unary.wgsl uses the same coefficients.
const ERF_P0: f32 = 1.1283791;
const ERF_P1: f32 = -0.37612626;
const ERF_P2: f32 = 0.112836;
const ERF_P3: f32 = -0.026854457;
const ERF_P4: f32 = 0.0051895566;
const ERF_P5: f32 = -8.0210145e-4;
const ERF_P6: f32 = 7.8896534e-5;

// @ts-ignore: decorator
@inline function horner(acc: v128, t: v128, c: f32): v128 {
  return f32x4.add(f32x4.mul(acc, t), f32x4.splat(c));
}

/**
 * erf per lane, from the two fits above and +-1 from |x| = 4 (erfc(4) = 1.5e-8 is below half an
 * ulp of 1); measured against float64 erf on a sweep: under 2e-7 relative. NaN stays NaN
 * (it fails every compare and takes the small branch, x P(x^2)).
 */
// @ts-ignore: decorator
@inline export function erfv(x: v128): v128 {
  const w = f32x4.mul(x, x);
  let p = horner(f32x4.splat(ERF_P6), w, ERF_P5);
  p = horner(p, w, ERF_P4); p = horner(p, w, ERF_P3); p = horner(p, w, ERF_P2); p = horner(p, w, ERF_P1);
  p = horner(p, w, ERF_P0);
  const small = f32x4.mul(x, p);
  const a = f32x4.abs(x);
  const t = f32x4.mul(f32x4.sub(a, f32x4.splat(2.5)), f32x4.splat(0.6666667));
  let q = horner(f32x4.splat(-3.8230679e-5), t, 9.640246e-5);
  q = horner(q, t, -1.4036801e-4); q = horner(q, t, 3.6787378e-4); q = horner(q, t, -1.0206986e-3);
  q = horner(q, t, 2.4258806e-3); q = horner(q, t, -5.5657662e-3); q = horner(q, t, 0.012484037);
  q = horner(q, t, -0.027006006); q = horner(q, t, 0.05611096); q = horner(q, t, -0.11152099);
  q = horner(q, t, 0.21080635);
  const one = f32x4.splat(1.0);
  const tail = f32x4.sub(one, f32x4.mul(expv(f32x4.neg(f32x4.min(w, f32x4.splat(16.0)))), q));
  const large = v128.bitselect(tail, one, f32x4.lt(a, f32x4.splat(4.0)));
  const signed = v128.or(large, v128.and(x, f32x4.splat(-0.0)));
  return v128.bitselect(small, signed, v128.or(f32x4.lt(a, f32x4.splat(1.0)), f32x4.ne(x, x)));
}
