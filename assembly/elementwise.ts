/**
 * Elementwise kernels: unary ops and their derivatives, binary ops with the broadcast forms
 * the ops layer produces, and affine. f32x4 bodies; unary tails run the same vector code on
 * one lane, so a result never depends on where its element falls.
 *
 * Contract (see assembly/index.ts): byte pointers to 16-byte-aligned buffers, counts in
 * elements, any n >= 0. Outputs may alias an input of the same size (in place).
 * Op codes match UNARY_CODES / BINARY_CODES in src/backends/backend.ts. Each exported
 * kernel switches on the op once and runs a loop specialised for it (the op is a constant
 * inside the inlined loop, so there is no per-element dispatch), except binary's small
 * scalar fallback, which keeps the module small.
 */
import { expv, logv, sigmoidv, tanhv } from './math';

const RELU = 0;
const SIGMOID = 1;
const TANH = 2;
const EXP = 3;
const LOG = 4;
const NEG = 5;
const ABS = 6;
const SQRT = 7;
const SQUARE = 8;

const ADD = 0;
const SUB = 1;
const MUL = 2;
const DIV = 3;
const MAX = 4;
const MIN = 5;
const EQUAL = 6;
const SQUARED_DIFFERENCE = 7;

// ---------------------------------------------------------------- unary

// @ts-ignore: decorator
@inline function unaryOp(op: i32, x: v128): v128 {
  if (op == RELU) return f32x4.pmax(x, f32x4.splat(0.0)); // x < 0 ? 0 : x, so NaN stays NaN
  if (op == SIGMOID) return sigmoidv(x);
  if (op == TANH) return tanhv(x);
  if (op == EXP) return expv(x);
  if (op == LOG) return logv(x);
  if (op == NEG) return f32x4.neg(x);
  if (op == ABS) return f32x4.abs(x);
  if (op == SQRT) return f32x4.sqrt(x);
  return f32x4.mul(x, x); // SQUARE
}

// @ts-ignore: decorator
@inline function unaryLoop(op: i32, x: usize, out: usize, n: i32): void {
  const vectorEnd = x + (<usize>(n & ~3) << 2);
  const end = x + (<usize>n << 2);
  for (; x < vectorEnd; x += 16, out += 16) v128.store(out, unaryOp(op, v128.load(x)));
  for (; x < end; x += 4, out += 4) {
    v128.store32_lane(out, unaryOp(op, v128.load32_zero(x)), 0);
  }
}

/** out[i] = f(x[i]) for op in UNARY_CODES; out may be x. */
export function unary(op: i32, x: usize, out: usize, n: i32): void {
  switch (op) {
    case RELU: unaryLoop(RELU, x, out, n); break;
    case SIGMOID: unaryLoop(SIGMOID, x, out, n); break;
    case TANH: unaryLoop(TANH, x, out, n); break;
    case EXP: unaryLoop(EXP, x, out, n); break;
    case LOG: unaryLoop(LOG, x, out, n); break;
    case NEG: unaryLoop(NEG, x, out, n); break;
    case ABS: unaryLoop(ABS, x, out, n); break;
    case SQRT: unaryLoop(SQRT, x, out, n); break;
    case SQUARE: unaryLoop(SQUARE, x, out, n); break;
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
  if (op == RELU) {
    const passed = v128.and(dy, f32x4.gt(x, f32x4.splat(0.0)));
    return v128.or(passed, v128.and(x, f32x4.ne(x, x))); // NaN x gives NaN
  }
  if (op == SIGMOID) return f32x4.mul(f32x4.mul(dy, y), f32x4.sub(one, y));
  if (op == TANH) return f32x4.mul(dy, f32x4.sub(one, f32x4.mul(y, y)));
  if (op == EXP) return f32x4.mul(dy, y);
  if (op == LOG) return f32x4.div(dy, x);
  if (op == NEG) return f32x4.neg(dy);
  if (op == ABS) {
    // Math.sign: +-1 for nonzero x, x itself for +-0 and NaN (|x| > 0 fails for both).
    const unit = v128.or(one, v128.and(x, f32x4.splat(-0.0)));
    return f32x4.mul(dy, v128.bitselect(unit, x, f32x4.gt(f32x4.abs(x), f32x4.splat(0.0))));
  }
  if (op == SQRT) return f32x4.div(dy, f32x4.add(y, y));
  return f32x4.mul(f32x4.add(x, x), dy); // SQUARE
}

// @ts-ignore: decorator
@inline function unaryBackwardLoop(op: i32, dy: usize, x: usize, y: usize, dx: usize, n: i32): void {
  // Walk one byte offset; x or y may be 0 ("none") for ops that do not read them.
  const vectorEnd = <usize>(n & ~3) << 2;
  const end = <usize>n << 2;
  let i: usize = 0;
  for (; i < vectorEnd; i += 16) {
    const xv = op == NEG || op == SIGMOID || op == TANH || op == EXP || op == SQRT
      ? f32x4.splat(0.0) : v128.load(x + i);
    const yv = op == SIGMOID || op == TANH || op == EXP || op == SQRT
      ? v128.load(y + i) : f32x4.splat(0.0);
    v128.store(dx + i, unaryDerivative(op, v128.load(dy + i), xv, yv));
  }
  for (; i < end; i += 4) {
    const xv = op == NEG || op == SIGMOID || op == TANH || op == EXP || op == SQRT
      ? f32x4.splat(0.0) : v128.load32_zero(x + i);
    const yv = op == SIGMOID || op == TANH || op == EXP || op == SQRT
      ? v128.load32_zero(y + i) : f32x4.splat(0.0);
    v128.store32_lane(dx + i, unaryDerivative(op, v128.load32_zero(dy + i), xv, yv), 0);
  }
}

/** dx[i] = dy[i] * f'(x[i]), with y = f(x) where that is cheaper; dx may alias dy. */
export function unary_backward(op: i32, dy: usize, x: usize, y: usize, dx: usize, n: i32): void {
  switch (op) {
    case RELU: unaryBackwardLoop(RELU, dy, x, y, dx, n); break;
    case SIGMOID: unaryBackwardLoop(SIGMOID, dy, x, y, dx, n); break;
    case TANH: unaryBackwardLoop(TANH, dy, x, y, dx, n); break;
    case EXP: unaryBackwardLoop(EXP, dy, x, y, dx, n); break;
    case LOG: unaryBackwardLoop(LOG, dy, x, y, dx, n); break;
    case NEG: unaryBackwardLoop(NEG, dy, x, y, dx, n); break;
    case ABS: unaryBackwardLoop(ABS, dy, x, y, dx, n); break;
    case SQRT: unaryBackwardLoop(SQRT, dy, x, y, dx, n); break;
    case SQUARE: unaryBackwardLoop(SQUARE, dy, x, y, dx, n); break;
  }
}

// ---------------------------------------------------------------- binary

// @ts-ignore: decorator
@inline function binaryOp(op: i32, a: v128, b: v128): v128 {
  if (op == ADD) return f32x4.add(a, b);
  if (op == SUB) return f32x4.sub(a, b);
  if (op == MUL) return f32x4.mul(a, b);
  if (op == DIV) return f32x4.div(a, b);
  if (op == MAX) return f32x4.max(a, b); // NaN-propagating, max(-0, +0) = +0, as Math.max
  if (op == MIN) return f32x4.min(a, b);
  if (op == EQUAL) return v128.and(f32x4.eq(a, b), f32x4.splat(1.0));
  const d = f32x4.sub(a, b); // SQUARED_DIFFERENCE
  return f32x4.mul(d, d);
}

// @ts-ignore: decorator
@inline function binaryOpI32(op: i32, a: v128, b: v128): v128 {
  if (op == ADD) return i32x4.add(a, b);
  if (op == SUB) return i32x4.sub(a, b);
  if (op == MUL) return i32x4.mul(a, b); // wraps modulo 2^32
  if (op == MAX) return i32x4.max_s(a, b);
  if (op == MIN) return i32x4.min_s(a, b);
  if (op == EQUAL) return v128.and(i32x4.eq(a, b), i32x4.splat(1));
  const d = i32x4.sub(a, b); // SQUARED_DIFFERENCE
  return i32x4.mul(d, d);
}

// @ts-ignore: decorator
@inline function applyOp(isInt: bool, op: i32, a: v128, b: v128): v128 {
  return isInt ? binaryOpI32(op, a, b) : binaryOp(op, a, b);
}

/**
 * out[0..count) = a op b for count >= 4, where each operand either steps with the output (its
 * step flag) or is the splat `aSplat` / `bSplat`. int and float lanes are both 32 bits, so
 * loads and stores are shared; only the op differs. The span ends with one overlapping vector
 * instead of a scalar tail (short bias rows are many spans): it is computed before the loop
 * stores anything, so an output aliasing an input still sees only original values.
 */
// @ts-ignore: decorator
@inline function binarySpan(isInt: bool, op: i32, a: usize, aStep: bool, aSplat: v128,
  b: usize, bStep: bool, bSplat: v128, out: usize, count: i32): void {
  const last = (<usize>count << 2) - 16;
  const lastValue = applyOp(isInt, op, aStep ? v128.load(a + last) : aSplat,
    bStep ? v128.load(b + last) : bSplat);
  for (let i: usize = 0; i < last; i += 16) {
    const av = aStep ? v128.load(a + i) : aSplat;
    const bv = bStep ? v128.load(b + i) : bSplat;
    v128.store(out + i, applyOp(isInt, op, av, bv));
  }
  v128.store(out + last, lastValue);
}

/**
 * Vector forms, none with a modulo in its loop: one operand a scalar (splat), or both
 * stepping over rows of `rowLength` with one of them restarting each row (aRowBytes or
 * bRowBytes 0): same size is one row of n, a bias add is n / d rows of d.
 */
// @ts-ignore: decorator
@inline function binaryVector(isInt: bool, op: i32, a: usize, aSize: i32, b: usize, bSize: i32,
  out: usize, n: i32): void {
  if (bSize == 1) {
    binarySpan(isInt, op, a, true, i32x4.splat(0), b, false, v128.load32_splat(b), out, n);
  } else if (aSize == 1) {
    binarySpan(isInt, op, a, false, v128.load32_splat(a), b, true, i32x4.splat(0), out, n);
  } else {
    const rowLength = aSize < bSize ? aSize : bSize;
    const rowBytes = <usize>rowLength << 2;
    const aRowBytes = aSize == n ? rowBytes : 0;
    const bRowBytes = bSize == n ? rowBytes : 0;
    const outEnd = out + (<usize>n << 2);
    for (; out < outEnd; out += rowBytes, a += aRowBytes, b += bRowBytes) {
      binarySpan(isInt, op, a, true, i32x4.splat(0), b, true, i32x4.splat(0), out, rowLength);
    }
  }
}

/** One element of any op, for the scalar fallback (same IEEE / wrapping results as the vectors). */
// @ts-ignore: decorator
@inline function scalarOpF32(op: i32, a: f32, b: f32): f32 {
  switch (op) {
    case ADD: return a + b;
    case SUB: return a - b;
    case MUL: return a * b;
    case DIV: return a / b;
    case MAX: return max<f32>(a, b);
    case MIN: return min<f32>(a, b);
    case EQUAL: return a == b ? 1.0 : 0.0;
    default: { const d = a - b; return d * d; } // SQUARED_DIFFERENCE
  }
}

// @ts-ignore: decorator
@inline function scalarOpI32(op: i32, a: i32, b: i32): i32 {
  switch (op) {
    case ADD: return a + b;
    case SUB: return a - b;
    case MUL: return a * b;
    case MAX: return a > b ? a : b;
    case MIN: return a < b ? a : b;
    case EQUAL: return a == b ? 1 : 0;
    default: { const d = a - b; return d * d; } // SQUARED_DIFFERENCE (div never comes here)
  }
}

/**
 * The scalar fallback: out[i] = a[i % aSize] op b[i % bSize] with wrapping counters and the
 * op chosen per element. Serves what the vector forms do not: n < 4, rows shorter than 4
 * (e.g. a 3-channel bias), both operands repeating with different periods, or a size that
 * does not divide n (which the host never asks for: this keeps every write inside out).
 */
function binaryScalar(isInt: bool, op: i32, a: usize, aSize: i32, b: usize, bSize: i32, out: usize, n: i32): void {
  let ia: usize = 0;
  let ib: usize = 0;
  const aEnd = <usize>aSize << 2;
  const bEnd = <usize>bSize << 2;
  const outEnd = out + (<usize>n << 2);
  for (; out < outEnd; out += 4) {
    if (isInt) store<i32>(out, scalarOpI32(op, load<i32>(a + ia), load<i32>(b + ib)));
    else store<f32>(out, scalarOpF32(op, load<f32>(a + ia), load<f32>(b + ib)));
    ia += 4;
    ib += 4;
    if (ia == aEnd) ia = 0;
    if (ib == bEnd) ib = 0;
  }
}

/** Whether the vector forms serve these sizes (see binaryVector). */
// @ts-ignore: decorator
@inline function vectorizable(aSize: i32, bSize: i32, n: i32): bool {
  if (n < 4) return false;
  if (aSize == n && bSize == n) return true;
  if ((aSize == n && bSize == 1) || (aSize == 1 && bSize == n)) return true;
  const small = aSize == n ? bSize : bSize == n ? aSize : 0;
  return small >= 4 && n % small == 0;
}

/**
 * out[i] = a[i % aSize] op b[i % bSize] (float32), op in BINARY_CODES; aSize and bSize are
 * n, 1, or divide n. out may alias an operand of size n.
 */
export function binary(op: i32, a: usize, aSize: i32, b: usize, bSize: i32, out: usize, n: i32): void {
  if (n <= 0) return;
  if (!vectorizable(aSize, bSize, n)) {
    binaryScalar(false, op, a, aSize, b, bSize, out, n);
    return;
  }
  switch (op) {
    case ADD: binaryVector(false, ADD, a, aSize, b, bSize, out, n); break;
    case SUB: binaryVector(false, SUB, a, aSize, b, bSize, out, n); break;
    case MUL: binaryVector(false, MUL, a, aSize, b, bSize, out, n); break;
    case DIV: binaryVector(false, DIV, a, aSize, b, bSize, out, n); break;
    case MAX: binaryVector(false, MAX, a, aSize, b, bSize, out, n); break;
    case MIN: binaryVector(false, MIN, a, aSize, b, bSize, out, n); break;
    case EQUAL: binaryVector(false, EQUAL, a, aSize, b, bSize, out, n); break;
    case SQUARED_DIFFERENCE: binaryVector(false, SQUARED_DIFFERENCE, a, aSize, b, bSize, out, n); break;
  }
}

/**
 * The int32 form of `binary`: add, sub, mul (wrapping), max, min, equal (int32 1 / 0) and
 * squaredDifference. div is not an int32 op (the ops layer casts); its code leaves out untouched.
 */
export function binary_i32(op: i32, a: usize, aSize: i32, b: usize, bSize: i32, out: usize, n: i32): void {
  if (n <= 0 || op == DIV) return;
  if (!vectorizable(aSize, bSize, n)) {
    binaryScalar(true, op, a, aSize, b, bSize, out, n);
    return;
  }
  switch (op) {
    case ADD: binaryVector(true, ADD, a, aSize, b, bSize, out, n); break;
    case SUB: binaryVector(true, SUB, a, aSize, b, bSize, out, n); break;
    case MUL: binaryVector(true, MUL, a, aSize, b, bSize, out, n); break;
    case MAX: binaryVector(true, MAX, a, aSize, b, bSize, out, n); break;
    case MIN: binaryVector(true, MIN, a, aSize, b, bSize, out, n); break;
    case EQUAL: binaryVector(true, EQUAL, a, aSize, b, bSize, out, n); break;
    case SQUARED_DIFFERENCE: binaryVector(true, SQUARED_DIFFERENCE, a, aSize, b, bSize, out, n); break;
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
