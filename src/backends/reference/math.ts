/**
 * The reference backend's definitions of the per-element functions JavaScript's Math lacks
 * or defines differently from TF.js, in float64 (the oracle the wasm and WGSL kernels are
 * checked against).
 */

const TWO_POW_52 = 4503599627370496;

/** Round half to even (TF.js's round, IEEE roundTiesToEven); keeps the sign of zero (-0.3 -> -0). */
export function roundHalfEven(x: number): number {
  const magnitude = Math.abs(x);
  // Past 2^52 every float64 is an integer; adding 2^52 rounds the fraction away, ties to even.
  if (!(magnitude < TWO_POW_52)) return x;
  const rounded = (magnitude + TWO_POW_52) - TWO_POW_52;
  return x < 0 || Object.is(x, -0) ? -rounded : rounded;
}

/**
 * TF.js's mod: the remainder takes the divisor's sign. JavaScript's `%` keeps the dividend's,
 * so a remainder of the other sign is moved by one divisor (and reduced again, as TF.js does,
 * which is what makes 5 mod -Infinity NaN there).
 */
export function floorMod(a: number, b: number): number {
  const remainder = a % b;
  if ((a < 0 && b < 0) || (a >= 0 && b >= 0)) return remainder;
  return (remainder + b) % b;
}

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/**
 * The error function to float64 accuracy. |x| < 3: erf(x) = 2/sqrt(pi) e^(-x^2) sum_n
 * (2x^2)^n x / (1 3 5 ... (2n+1)), a series of positive terms (no cancellation). |x| >= 3:
 * 1 - erfc(x), with erfc from its continued fraction (Lentz's method), which converges fast
 * there. Past |x| = 6, erf is +-1 in float64 to within 3e-17.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  const magnitude = Math.abs(x);
  if (magnitude === 0) return x;
  if (magnitude >= 6) return Math.sign(x);
  if (magnitude < 3) {
    const twoX2 = 2 * x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= twoX2 / (2 * n + 1);
      sum += term;
      if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * Math.exp(-x * x) * sum;
  }
  return Math.sign(x) * (1 - erfcLarge(magnitude));
}

/** erfc(x) for x >= 3: e^(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))). */
function erfcLarge(x: number): number {
  const tiny = 1e-300;
  // Lentz's evaluation of b0 + a1/(b1 + a2/(b2 + ...)), b_k = x, a_k = k/2.
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 300; k++) {
    const a = k / 2;
    d = x + a * d;
    d = d === 0 ? 1 / tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

import type { UnaryOp } from '../backend.js';

/**
 * The unary codes the `unaryBackward` kernels have derivatives for (the activations' fused
 * gradients); the math codes added later differentiate with ops, so their kernels have none.
 */
export const BACKWARD_OPS: ReadonlySet<UnaryOp> = new Set<UnaryOp>(['relu', 'sigmoid', 'tanh', 'exp', 'log', 'neg', 'abs', 'sqrt', 'square']);

/** Throws, naming the backend and the op, for a code outside BACKWARD_OPS. */
export function checkBackwardOp(backend: string, op: UnaryOp): void {
  if (!BACKWARD_OPS.has(op)) {
    throw new Error(`${backend} unaryBackward: no derivative kernel for '${op}' (its gradient is written with ops)`);
  }
}
