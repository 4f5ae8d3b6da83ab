/**
 * binary: out[i] = a[i % aSize] op b[i % bSize] for i < n, with aSize and bSize each n, 1,
 * or a divisor of n (the operand repeats: bias rows). Two kernels: `binary` reads float32
 * operands, `binary_i32` int32 or bool ones. Arithmetic writes the operands' dtype;
 * comparisons and logic write 'bool' words (int32 0 / 1), whatever the operands.
 *
 * Results: IEEE float32 arithmetic; max/min propagate NaN, max(-0, +0) = +0 (as Math.max);
 * comparisons are IEEE (NaN compares false, except notEqual; -0 equals 0); logic reads any
 * nonzero operand, NaN included, as true. int32 add/sub/mul/squaredDifference wrap modulo
 * 2^32; int32 div truncates toward zero with x / 0 = 0 and INT_MIN / -1 = INT_MIN (the
 * reference's Int32Array store of the float64 quotient).
 * pow, mod (the divisor's sign, TF.js's formula), floorDiv (floor(a / b), written as float32
 * for float operands) and atan2 run in float64 on float operands, rounded once, as the
 * reference does. On int32: floorDiv and mod are exact with x / 0 = x mod 0 = 0; pow by
 * squaring wraps modulo 2^32 (TF.js's ToInt32 of the float64 power, equal while that is exact,
 * below 2^53), with a negative exponent 0 except for bases 1 and -1.
 *
 * Contract (see assembly/index.ts): byte pointers to 16-byte-aligned buffers, any n >= 0;
 * out may alias an operand of size n. Op codes come from assembly/opcodes.generated.ts.
 * Each kernel switches on the op once into a loop specialised for it; greater and
 * greaterEqual run as less and lessEqual with the operands swapped. The scalar fallback
 * (small or irregular sizes, int32 div, float logic) picks the op per element and keeps
 * the module small.
 */
import {
  BINARY_ADD, BINARY_DIV, BINARY_EQUAL, BINARY_GREATER, BINARY_GREATER_EQUAL, BINARY_LESS, BINARY_LESS_EQUAL,
  BINARY_LOGICAL_AND, BINARY_LOGICAL_OR, BINARY_LOGICAL_XOR, BINARY_MAX, BINARY_MIN, BINARY_MUL,
  BINARY_NOT_EQUAL, BINARY_SQUARED_DIFFERENCE, BINARY_SUB, BINARY_POW, BINARY_MOD, BINARY_FLOOR_DIV, BINARY_ATAN2,
} from './opcodes.generated';

/** TF.js's mod in float64: the remainder, moved by one divisor (and reduced again) when its sign differs from b's. */
// @ts-ignore: decorator
@inline function floorModF64(a: f64, b: f64): f64 {
  const remainder = a % b;
  if ((a < 0 && b < 0) || (a >= 0 && b >= 0)) return remainder;
  return (remainder + b) % b;
}

/** a^b on int32 by squaring, wrapping modulo 2^32; a negative b gives 1/a^|b| truncated. */
function powI32(a: i32, b: i32): i32 {
  if (b < 0) return a == 1 ? 1 : a == -1 ? ((b & 1) != 0 ? -1 : 1) : 0;
  let result = 1;
  let base = a;
  let e = b;
  while (e != 0) {
    if ((e & 1) != 0) result *= base;
    base *= base;
    e >>>= 1;
  }
  return result;
}

/** A comparison's all-ones / all-zeros lanes as 'bool' words 1 / 0. */
// @ts-ignore: decorator
@inline function boolWords(mask: v128): v128 {
  return i32x4.shr_u(mask, 31);
}

// @ts-ignore: decorator
@inline function binaryOpF32(op: i32, a: v128, b: v128): v128 {
  if (op == BINARY_ADD) return f32x4.add(a, b);
  if (op == BINARY_SUB) return f32x4.sub(a, b);
  if (op == BINARY_MUL) return f32x4.mul(a, b);
  if (op == BINARY_DIV) return f32x4.div(a, b);
  if (op == BINARY_MAX) return f32x4.max(a, b); // NaN-propagating, max(-0, +0) = +0
  if (op == BINARY_MIN) return f32x4.min(a, b);
  if (op == BINARY_EQUAL) return boolWords(f32x4.eq(a, b));
  if (op == BINARY_NOT_EQUAL) return boolWords(f32x4.ne(a, b));
  if (op == BINARY_LESS) return boolWords(f32x4.lt(a, b));
  if (op == BINARY_LESS_EQUAL) return boolWords(f32x4.le(a, b));
  const d = f32x4.sub(a, b); // BINARY_SQUARED_DIFFERENCE
  return f32x4.mul(d, d);
}

// @ts-ignore: decorator
@inline function binaryOpI32(op: i32, a: v128, b: v128): v128 {
  if (op == BINARY_ADD) return i32x4.add(a, b);
  if (op == BINARY_SUB) return i32x4.sub(a, b);
  if (op == BINARY_MUL) return i32x4.mul(a, b); // wraps modulo 2^32
  if (op == BINARY_MAX) return i32x4.max_s(a, b);
  if (op == BINARY_MIN) return i32x4.min_s(a, b);
  if (op == BINARY_EQUAL) return boolWords(i32x4.eq(a, b));
  if (op == BINARY_NOT_EQUAL) return boolWords(i32x4.ne(a, b));
  if (op == BINARY_LESS) return boolWords(i32x4.lt_s(a, b));
  if (op == BINARY_LESS_EQUAL) return boolWords(i32x4.le_s(a, b));
  if (op == BINARY_LOGICAL_AND || op == BINARY_LOGICAL_OR || op == BINARY_LOGICAL_XOR) {
    const zero = i32x4.splat(0);
    const p = i32x4.ne(a, zero);
    const q = i32x4.ne(b, zero);
    if (op == BINARY_LOGICAL_AND) return boolWords(v128.and(p, q));
    if (op == BINARY_LOGICAL_OR) return boolWords(v128.or(p, q));
    return boolWords(v128.xor(p, q));
  }
  const d = i32x4.sub(a, b); // BINARY_SQUARED_DIFFERENCE
  return i32x4.mul(d, d);
}

// @ts-ignore: decorator
@inline function applyOp(isInt: bool, op: i32, a: v128, b: v128): v128 {
  return isInt ? binaryOpI32(op, a, b) : binaryOpF32(op, a, b);
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

/** One element of a float32 op as the 32-bit word stored (same results as the vectors). */
// @ts-ignore: decorator
@inline function scalarWordF32(op: i32, a: f32, b: f32): i32 {
  switch (op) {
    case BINARY_ADD: return reinterpret<i32>(a + b);
    case BINARY_SUB: return reinterpret<i32>(a - b);
    case BINARY_MUL: return reinterpret<i32>(a * b);
    case BINARY_DIV: return reinterpret<i32>(a / b);
    case BINARY_MAX: return reinterpret<i32>(max<f32>(a, b));
    case BINARY_MIN: return reinterpret<i32>(min<f32>(a, b));
    case BINARY_EQUAL: return i32(a == b);
    case BINARY_NOT_EQUAL: return i32(a != b);
    case BINARY_LESS: return i32(a < b);
    case BINARY_LESS_EQUAL: return i32(a <= b);
    case BINARY_GREATER: return i32(a > b);
    case BINARY_GREATER_EQUAL: return i32(a >= b);
    case BINARY_LOGICAL_AND: return i32(a != 0) & i32(b != 0);
    case BINARY_LOGICAL_OR: return i32(a != 0) | i32(b != 0);
    case BINARY_LOGICAL_XOR: return i32(a != 0) ^ i32(b != 0);
    case BINARY_POW: return reinterpret<i32>(<f32>Math.pow(<f64>a, <f64>b));
    case BINARY_MOD: return reinterpret<i32>(<f32>floorModF64(<f64>a, <f64>b));
    case BINARY_FLOOR_DIV: return reinterpret<i32>(<f32>Math.floor(<f64>a / <f64>b));
    case BINARY_ATAN2: return reinterpret<i32>(<f32>Math.atan2(<f64>a, <f64>b));
    default: { const d = a - b; return reinterpret<i32>(d * d); } // BINARY_SQUARED_DIFFERENCE
  }
}

// @ts-ignore: decorator
@inline function scalarWordI32(op: i32, a: i32, b: i32): i32 {
  switch (op) {
    case BINARY_ADD: return a + b;
    case BINARY_SUB: return a - b;
    case BINARY_MUL: return a * b;
    // wasm's i32.div_s traps on x / 0 and INT_MIN / -1: both are answered first.
    case BINARY_DIV: return b == 0 ? 0 : b == -1 ? -a : a / b;
    case BINARY_MAX: return a > b ? a : b;
    case BINARY_MIN: return a < b ? a : b;
    case BINARY_EQUAL: return i32(a == b);
    case BINARY_NOT_EQUAL: return i32(a != b);
    case BINARY_LESS: return i32(a < b);
    case BINARY_LESS_EQUAL: return i32(a <= b);
    case BINARY_GREATER: return i32(a > b);
    case BINARY_GREATER_EQUAL: return i32(a >= b);
    case BINARY_LOGICAL_AND: return i32(a != 0) & i32(b != 0);
    case BINARY_LOGICAL_OR: return i32(a != 0) | i32(b != 0);
    case BINARY_LOGICAL_XOR: return i32(a != 0) ^ i32(b != 0);
    case BINARY_POW: return powI32(a, b);
    case BINARY_MOD: {
      if (b == 0) return 0;
      const r = b == -1 ? 0 : a % b; // i32.rem_s of INT_MIN by -1 is 0 anyway; kept explicit
      return r != 0 && (r ^ b) < 0 ? r + b : r;
    }
    case BINARY_FLOOR_DIV: {
      if (b == 0) return 0;
      if (b == -1) return -a; // INT_MIN / -1 wraps to INT_MIN, as ToInt32(2^31)
      const q = a / b;
      return q * b != a && (a ^ b) < 0 ? q - 1 : q;
    }
    // atan2 of ints is within +-pi: the truncation cannot overflow.
    case BINARY_ATAN2: return <i32>Math.atan2(<f64>a, <f64>b);
    default: { const d = a - b; return d * d; } // BINARY_SQUARED_DIFFERENCE
  }
}

/**
 * The scalar fallback: out[i] = a[i % aSize] op b[i % bSize] with wrapping counters and the
 * op chosen per element. Serves what the vector forms do not: n < 4, rows shorter than 4
 * (e.g. a 3-channel bias), both operands repeating with different periods, a size that does
 * not divide n (which the host never asks for: this keeps every write inside out), int32
 * div, float logic, and repeating operands entered mid-period (a nonzero phase).
 */
function binaryScalar(isInt: bool, op: i32, a: usize, aSize: i32, aPhase: i32, b: usize, bSize: i32, bPhase: i32,
  out: usize, n: i32): void {
  let ia: usize = <usize>aPhase << 2;
  let ib: usize = <usize>bPhase << 2;
  const aEnd = <usize>aSize << 2;
  const bEnd = <usize>bSize << 2;
  const outEnd = out + (<usize>n << 2);
  for (; out < outEnd; out += 4) {
    store<i32>(out, isInt
      ? scalarWordI32(op, load<i32>(a + ia), load<i32>(b + ib))
      : scalarWordF32(op, load<f32>(a + ia), load<f32>(b + ib)));
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
 * The float32 kernel: op in BINARY_CODES over float32 operands. aPhase / bPhase (< aSize /
 * bSize) are where the operands start: out[i] = a[(aPhase + i) % aSize] op b[(bPhase + i) % bSize],
 * so a host can run a sub-range of a larger call; 0 for a whole call.
 */
export function binary(op: i32, a: usize, aSize: i32, b: usize, bSize: i32, out: usize, n: i32,
  aPhase: i32, bPhase: i32): void {
  if (n <= 0) return;
  if ((aPhase | bPhase) == 0 && vectorizable(aSize, bSize, n)) {
    switch (op) {
      case BINARY_ADD: binaryVector(false, BINARY_ADD, a, aSize, b, bSize, out, n); return;
      case BINARY_SUB: binaryVector(false, BINARY_SUB, a, aSize, b, bSize, out, n); return;
      case BINARY_MUL: binaryVector(false, BINARY_MUL, a, aSize, b, bSize, out, n); return;
      case BINARY_DIV: binaryVector(false, BINARY_DIV, a, aSize, b, bSize, out, n); return;
      case BINARY_MAX: binaryVector(false, BINARY_MAX, a, aSize, b, bSize, out, n); return;
      case BINARY_MIN: binaryVector(false, BINARY_MIN, a, aSize, b, bSize, out, n); return;
      case BINARY_SQUARED_DIFFERENCE: binaryVector(false, BINARY_SQUARED_DIFFERENCE, a, aSize, b, bSize, out, n); return;
      case BINARY_EQUAL: binaryVector(false, BINARY_EQUAL, a, aSize, b, bSize, out, n); return;
      case BINARY_NOT_EQUAL: binaryVector(false, BINARY_NOT_EQUAL, a, aSize, b, bSize, out, n); return;
      case BINARY_LESS: binaryVector(false, BINARY_LESS, a, aSize, b, bSize, out, n); return;
      case BINARY_LESS_EQUAL: binaryVector(false, BINARY_LESS_EQUAL, a, aSize, b, bSize, out, n); return;
      case BINARY_GREATER: binaryVector(false, BINARY_LESS, b, bSize, a, aSize, out, n); return;
      case BINARY_GREATER_EQUAL: binaryVector(false, BINARY_LESS_EQUAL, b, bSize, a, aSize, out, n); return;
    }
  }
  binaryScalar(false, op, a, aSize, aPhase, b, bSize, bPhase, out, n);
}

/** The int32 kernel, for int32 and bool operands: op in BINARY_CODES; phases as in binary. */
export function binary_i32(op: i32, a: usize, aSize: i32, b: usize, bSize: i32, out: usize, n: i32,
  aPhase: i32, bPhase: i32): void {
  if (n <= 0) return;
  if ((aPhase | bPhase) == 0 && vectorizable(aSize, bSize, n)) {
    switch (op) {
      case BINARY_ADD: binaryVector(true, BINARY_ADD, a, aSize, b, bSize, out, n); return;
      case BINARY_SUB: binaryVector(true, BINARY_SUB, a, aSize, b, bSize, out, n); return;
      case BINARY_MUL: binaryVector(true, BINARY_MUL, a, aSize, b, bSize, out, n); return;
      case BINARY_MAX: binaryVector(true, BINARY_MAX, a, aSize, b, bSize, out, n); return;
      case BINARY_MIN: binaryVector(true, BINARY_MIN, a, aSize, b, bSize, out, n); return;
      case BINARY_SQUARED_DIFFERENCE: binaryVector(true, BINARY_SQUARED_DIFFERENCE, a, aSize, b, bSize, out, n); return;
      case BINARY_EQUAL: binaryVector(true, BINARY_EQUAL, a, aSize, b, bSize, out, n); return;
      case BINARY_NOT_EQUAL: binaryVector(true, BINARY_NOT_EQUAL, a, aSize, b, bSize, out, n); return;
      case BINARY_LESS: binaryVector(true, BINARY_LESS, a, aSize, b, bSize, out, n); return;
      case BINARY_LESS_EQUAL: binaryVector(true, BINARY_LESS_EQUAL, a, aSize, b, bSize, out, n); return;
      case BINARY_GREATER: binaryVector(true, BINARY_LESS, b, bSize, a, aSize, out, n); return;
      case BINARY_GREATER_EQUAL: binaryVector(true, BINARY_LESS_EQUAL, b, bSize, a, aSize, out, n); return;
      case BINARY_LOGICAL_AND: binaryVector(true, BINARY_LOGICAL_AND, a, aSize, b, bSize, out, n); return;
      case BINARY_LOGICAL_OR: binaryVector(true, BINARY_LOGICAL_OR, a, aSize, b, bSize, out, n); return;
      case BINARY_LOGICAL_XOR: binaryVector(true, BINARY_LOGICAL_XOR, a, aSize, b, bSize, out, n); return;
    }
  }
  binaryScalar(true, op, a, aSize, aPhase, b, bSize, bPhase, out, n);
}
