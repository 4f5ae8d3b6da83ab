/**
 * Elementwise kernels: unary ops and their derivatives, and affine (binary ops are in
 * binary.ts). f32x4 bodies; unary tails run the same vector code on a partial vector, so a
 * result never depends on where its element falls. The cold math codes (trigonometric, hyperbolic
 * and their inverses) run a scalar loop in float64, rounded once to f32, as the
 * reference computes them; unary_backward has derivatives for the activation codes only
 * (relu .. square), the math ops' gradients being written with ops.
 *
 * Contract (see assembly/index.ts): byte pointers to 16-byte-aligned buffers, counts in
 * elements, any n >= 0. Outputs may alias an input of the same size (in place).
 * Op codes come from assembly/opcodes.generated.ts (UNARY_CODES). Each exported kernel
 * switches on the op once and runs a loop specialised for it (the op is a constant inside
 * the inlined loop, so there is no per-element dispatch).
 */
import { erfv, expm1v, expv, log1pv, logv, sigmoidv, tanhv } from './math';
import {
  UNARY_ABS, UNARY_ACOS, UNARY_ACOSH, UNARY_ASIN, UNARY_ASINH, UNARY_ATAN, UNARY_ATANH, UNARY_CEIL, UNARY_COS,
  UNARY_COSH, UNARY_ERF, UNARY_EXP, UNARY_EXPM1, UNARY_FLOOR, UNARY_LOG, UNARY_LOG1P, UNARY_NEG, UNARY_RECIPROCAL,
  UNARY_RELU, UNARY_ROUND, UNARY_RSQRT, UNARY_SIGMOID, UNARY_SIGN, UNARY_SIN, UNARY_SINH, UNARY_SQRT, UNARY_SQUARE,
  UNARY_TAN, UNARY_TANH,
} from './opcodes.generated';

// ---------------------------------------------------------------- unary

// @ts-ignore: decorator
@inline function unaryOp(op: i32, x: v128): v128 {
  if (op == UNARY_RELU) return f32x4.pmax(x, f32x4.splat(0.0)); // x < 0 ? 0 : x, so NaN stays NaN
  if (op == UNARY_SIGMOID) return sigmoidv(x);
  if (op == UNARY_TANH) return tanhv(x);
  if (op == UNARY_EXP) return expv(x);
  if (op == UNARY_LOG) return logv(x);
  if (op == UNARY_NEG) return f32x4.neg(x);
  if (op == UNARY_ABS) return f32x4.abs(x);
  if (op == UNARY_SQRT) return f32x4.sqrt(x);
  if (op == UNARY_LOG1P) return log1pv(x);
  if (op == UNARY_ERF) return erfv(x);
  if (op == UNARY_EXPM1) return expm1v(x);
  if (op == UNARY_FLOOR) return f32x4.floor(x);
  if (op == UNARY_CEIL) return f32x4.ceil(x);
  if (op == UNARY_ROUND) return f32x4.nearest(x); // half to even, as TF.js's round
  if (op == UNARY_SIGN) { // NaN and +-0 give +0, as TF.js
    const one = f32x4.splat(1.0);
    return v128.or(v128.and(f32x4.gt(x, f32x4.splat(0.0)), one), v128.and(f32x4.lt(x, f32x4.splat(0.0)), f32x4.neg(one)));
  }
  if (op == UNARY_RECIPROCAL) return f32x4.div(f32x4.splat(1.0), x);
  if (op == UNARY_RSQRT) return f32x4.div(f32x4.splat(1.0), f32x4.sqrt(x));
  return f32x4.mul(x, x); // UNARY_SQUARE
}

/** The cold codes, one element in float64 (JavaScript's Math semantics for NaN, +-Inf, domains). */
// @ts-ignore: decorator
@inline function unaryScalar(op: i32, x: f64): f64 {
  switch (op) {
    case UNARY_SIN: return Math.sin(x);
    case UNARY_COS: return Math.cos(x);
    case UNARY_TAN: return Math.sin(x) / Math.cos(x); // a few float64 ulp: no __tan kernel in the module
    case UNARY_ASIN: return Math.atan(x / Math.sqrt((1 - x) * (1 + x))); // +-1: atan(+-Inf); |x| > 1: NaN
    case UNARY_ACOS: return 2 * Math.atan(Math.sqrt((1 - x) / (1 + x))); // -1: 2 atan(Inf) = pi
    case UNARY_ATAN: return Math.atan(x);
    // The hyperbolic functions through expm1 / log1p (no cancellation near 0, nor near 1 for
    // acosh), which the module has anyway: smaller than their own library routines.
    case UNARY_SINH: {
      const a = Math.abs(x);
      const e = Math.expm1(a);
      return copysign<f64>(a < 22 ? 0.5 * (e + e / (e + 1)) : 0.5 * Math.exp(a), x);
    }
    case UNARY_COSH: { const e = Math.exp(Math.abs(x)); return 0.5 * (e + 1 / e); }
    case UNARY_ASINH: {
      const a = Math.abs(x);
      if (a == Infinity) return x;
      return copysign<f64>(Math.log1p(a + a * a / (1 + Math.sqrt(1 + a * a))), x);
    }
    case UNARY_ACOSH: { const t = x - 1; return Math.log1p(t + Math.sqrt(2 * t + t * t)); } // x < 1: NaN
    default: { const a = Math.abs(x); return copysign<f64>(0.5 * Math.log1p(2 * a / (1 - a)), x); } // UNARY_ATANH
  }
}

function unaryScalarLoop(op: i32, x: usize, out: usize, n: i32): void {
  const end = x + (<usize>n << 2);
  for (; x < end; x += 4, out += 4) store<f32>(out, <f32>unaryScalar(op, <f64>load<f32>(x)));
}

/** The last 1-3 elements (`bytes` = 4, 8 or 12) as a vector, the other lanes 0. */
function loadRest(x: usize, bytes: usize): v128 {
  let v = v128.load32_zero(x);
  if (bytes > 4) v = v128.load32_lane(x + 4, v, 1);
  if (bytes > 8) v = v128.load32_lane(x + 8, v, 2);
  return v;
}

function storeRest(out: usize, v: v128, bytes: usize): void {
  v128.store32_lane(out, v, 0);
  if (bytes > 4) v128.store32_lane(out + 4, v, 1);
  if (bytes > 8) v128.store32_lane(out + 8, v, 2);
}

/**
 * One call site of the op per loop (its body is inlined once, not again for the tail): the
 * last, partial vector is loaded lane by lane and stored lane by lane.
 */
// @ts-ignore: decorator
@inline function unaryLoop(op: i32, x: usize, out: usize, n: i32): void {
  const end = x + (<usize>n << 2);
  for (; x < end; x += 16, out += 16) {
    const whole = end - x >= 16;
    let v: v128;
    if (whole) v = v128.load(x); else v = loadRest(x, end - x);
    const r = unaryOp(op, v);
    if (whole) v128.store(out, r); else storeRest(out, r, end - x);
  }
}

/** out[i] = f(x[i]) for op in UNARY_CODES; out may be x. */
export function unary(op: i32, x: usize, out: usize, n: i32): void {
  switch (op) {
    case UNARY_RELU: unaryLoop(UNARY_RELU, x, out, n); break;
    case UNARY_SIGMOID: unaryLoop(UNARY_SIGMOID, x, out, n); break;
    case UNARY_TANH: unaryLoop(UNARY_TANH, x, out, n); break;
    case UNARY_EXP: unaryLoop(UNARY_EXP, x, out, n); break;
    case UNARY_LOG: unaryLoop(UNARY_LOG, x, out, n); break;
    case UNARY_NEG: unaryLoop(UNARY_NEG, x, out, n); break;
    case UNARY_ABS: unaryLoop(UNARY_ABS, x, out, n); break;
    case UNARY_SQRT: unaryLoop(UNARY_SQRT, x, out, n); break;
    case UNARY_SQUARE: unaryLoop(UNARY_SQUARE, x, out, n); break;
    case UNARY_LOG1P: unaryLoop(UNARY_LOG1P, x, out, n); break;
    case UNARY_ERF: unaryLoop(UNARY_ERF, x, out, n); break;
    case UNARY_EXPM1: unaryLoop(UNARY_EXPM1, x, out, n); break;
    case UNARY_FLOOR: unaryLoop(UNARY_FLOOR, x, out, n); break;
    case UNARY_CEIL: unaryLoop(UNARY_CEIL, x, out, n); break;
    case UNARY_ROUND: unaryLoop(UNARY_ROUND, x, out, n); break;
    case UNARY_SIGN: unaryLoop(UNARY_SIGN, x, out, n); break;
    case UNARY_RECIPROCAL: unaryLoop(UNARY_RECIPROCAL, x, out, n); break;
    case UNARY_RSQRT: unaryLoop(UNARY_RSQRT, x, out, n); break;
    default: unaryScalarLoop(op, x, out, n);
  }
}

/**
 * dx for one vector. Which of x, y each op reads (the host passes both; only these are read):
 * relu x (x > 0 ? dy : 0, and NaN where x is NaN), sigmoid y, tanh y, exp y, log x,
 * neg none, abs x (dy * sign(x), sign(+-0) = +-0, sign(NaN) = NaN), sqrt y (dy / 2y), square x.
 */
// @ts-ignore: decorator
@inline function unaryDerivative(op: i32, dy: v128, x: v128, y: v128): v128 {
  const one = f32x4.splat(1.0);
  if (op == UNARY_RELU) {
    const passed = v128.and(dy, f32x4.gt(x, f32x4.splat(0.0)));
    return v128.or(passed, v128.and(x, f32x4.ne(x, x))); // NaN x gives NaN
  }
  if (op == UNARY_SIGMOID) return f32x4.mul(f32x4.mul(dy, y), f32x4.sub(one, y));
  if (op == UNARY_TANH) return f32x4.mul(dy, f32x4.sub(one, f32x4.mul(y, y)));
  if (op == UNARY_EXP) return f32x4.mul(dy, y);
  if (op == UNARY_LOG) return f32x4.div(dy, x);
  if (op == UNARY_NEG) return f32x4.neg(dy);
  if (op == UNARY_ABS) {
    // Math.sign: +-1 for nonzero x, x itself for +-0 and NaN (|x| > 0 fails for both).
    const unit = v128.or(one, v128.and(x, f32x4.splat(-0.0)));
    return f32x4.mul(dy, v128.bitselect(unit, x, f32x4.gt(f32x4.abs(x), f32x4.splat(0.0))));
  }
  if (op == UNARY_SQRT) return f32x4.div(dy, f32x4.add(y, y));
  return f32x4.mul(f32x4.add(x, x), dy); // UNARY_SQUARE
}

// @ts-ignore: decorator
@inline function unaryBackwardLoop(op: i32, dy: usize, x: usize, y: usize, dx: usize, n: i32): void {
  // Walk one byte offset; x or y may be 0 ("none") for ops that do not read them.
  const vectorEnd = <usize>(n & ~3) << 2;
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i < vectorEnd; i += 16) {
    const xv = op == UNARY_NEG || op == UNARY_SIGMOID || op == UNARY_TANH || op == UNARY_EXP || op == UNARY_SQRT
      ? f32x4.splat(0.0) : v128.load(x + i);
    const yv = op == UNARY_SIGMOID || op == UNARY_TANH || op == UNARY_EXP || op == UNARY_SQRT
      ? v128.load(y + i) : f32x4.splat(0.0);
    v128.store(dx + i, unaryDerivative(op, v128.load(dy + i), xv, yv));
  }
  for (; i < end; i += 4) {
    const xv = op == UNARY_NEG || op == UNARY_SIGMOID || op == UNARY_TANH || op == UNARY_EXP || op == UNARY_SQRT
      ? f32x4.splat(0.0) : v128.load32_zero(x + i);
    const yv = op == UNARY_SIGMOID || op == UNARY_TANH || op == UNARY_EXP || op == UNARY_SQRT
      ? v128.load32_zero(y + i) : f32x4.splat(0.0);
    v128.store32_lane(dx + i, unaryDerivative(op, v128.load32_zero(dy + i), xv, yv), 0);
  }
}

/** dx[i] = dy[i] * f'(x[i]), with y = f(x) where that is cheaper; dx may alias dy. */
export function unary_backward(op: i32, dy: usize, x: usize, y: usize, dx: usize, n: i32): void {
  switch (op) {
    case UNARY_RELU: unaryBackwardLoop(UNARY_RELU, dy, x, y, dx, n); break;
    case UNARY_SIGMOID: unaryBackwardLoop(UNARY_SIGMOID, dy, x, y, dx, n); break;
    case UNARY_TANH: unaryBackwardLoop(UNARY_TANH, dy, x, y, dx, n); break;
    case UNARY_EXP: unaryBackwardLoop(UNARY_EXP, dy, x, y, dx, n); break;
    case UNARY_LOG: unaryBackwardLoop(UNARY_LOG, dy, x, y, dx, n); break;
    case UNARY_NEG: unaryBackwardLoop(UNARY_NEG, dy, x, y, dx, n); break;
    case UNARY_ABS: unaryBackwardLoop(UNARY_ABS, dy, x, y, dx, n); break;
    case UNARY_SQRT: unaryBackwardLoop(UNARY_SQRT, dy, x, y, dx, n); break;
    case UNARY_SQUARE: unaryBackwardLoop(UNARY_SQUARE, dy, x, y, dx, n); break;
  }
}

// ---------------------------------------------------------------- affine

/** out = alpha * x + beta (a multiply then an add, in every build); out may be x. */
export function affine(x: usize, out: usize, n: i32, alpha: f32, beta: f32): void {
  const scale = f32x4.splat(alpha);
  const shift = f32x4.splat(beta);
  const vectorEnd = x + (<usize>(n & ~3) << 2);
  const end = x + (<usize>n << 2);
  for (; x < vectorEnd; x += 16, out += 16) {
    v128.store(out, f32x4.add(f32x4.mul(v128.load(x), scale), shift));
  }
  for (; x < end; x += 4, out += 4) {
    v128.store32_lane(out, f32x4.add(f32x4.mul(v128.load32_zero(x), scale), shift), 0);
  }
}
