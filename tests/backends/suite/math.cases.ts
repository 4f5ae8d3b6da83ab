/**
 * The math codes of the unary and binary kernels (sin .. rsqrt; pow, mod, floorDiv, atan2)
 * against the reference, over EDGE_SIZES (vector bodies and one-lane tails) with hostile
 * values spread through body and tail: NaN, +-Infinity, +-0, subnormals, domain edges (+-1
 * for asin/acos/atanh, 1 for acosh, -1 for log1p), ties for round, huge and tiny magnitudes.
 * Binary math runs in every broadcast form, on int32 too (zero divisors, INT_MIN), and on a
 * sub-range [begin, end). wasm is held to a few float32 ulp (it computes these in float64 or
 * with the polynomials of assembly/math.ts); WebGPU's float math is looser (exp2/log2 for pow,
 * WGSL exp), so it gets a relative 2e-5 (pow 2e-4) and an absolute 2e-6.
 */
import { compareOutputs, EDGE_SIZES, randomArray, type KernelCase, type Tolerance } from './harness.js';
import type { Backend, BinaryOp, UnaryOp } from '../../../src/backends/backend.js';

/** Overwrite values at spread positions (first, body, last = tail) with the specials. */
function withSpecials(values: Float32Array, specials: number[]): Float32Array {
  const n = values.length;
  if (n === 0) return values;
  specials.forEach((v, k) => { values[Math.floor((k * n) / specials.length)] = v; });
  values[n - 1] = specials[specials.length - 1];
  return values;
}

const SPECIALS = [NaN, Infinity, -Infinity, 0, -0];
const MATH_UNARY: Record<string, { lo: number; hi: number; specials: number[] }> = {
  sin: { lo: -40, hi: 40, specials: [...SPECIALS, 1e-30, Math.PI, -Math.PI / 2, 1000, 3.14159] },
  cos: { lo: -40, hi: 40, specials: [...SPECIALS, 1e-30, Math.PI, Math.PI / 2, -1000, 1.5707964] },
  tan: { lo: -1.5, hi: 1.5, specials: [...SPECIALS, 1e-30, 0.785, -1.57, 100] },
  asin: { lo: -1, hi: 1, specials: [...SPECIALS, 1, -1, 1.0000001, -2, 0.99999, 1e-20] },
  acos: { lo: -1, hi: 1, specials: [...SPECIALS, 1, -1, 1.0000001, -2, 0.99999, -0.99999] },
  atan: { lo: -10, hi: 10, specials: [...SPECIALS, 1e-30, 1, -1, 0.41421357, 2.4142137, 1e30, -3e38] },
  sinh: { lo: -10, hi: 10, specials: [...SPECIALS, 1e-30, 1e-4, -0.5, 88, 89.5, -89.5, 95] },
  cosh: { lo: -10, hi: 10, specials: [...SPECIALS, 1e-30, 88, 89.5, -89.5, 95] },
  asinh: { lo: -10, hi: 10, specials: [...SPECIALS, 1e-30, 1e-4, -0.5, 1e15, -3e38] },
  acosh: { lo: 1, hi: 20, specials: [...SPECIALS, 1, 1.0000001, 0.5, -1, 1e15, 3e38] },
  atanh: { lo: -1, hi: 1, specials: [...SPECIALS, 1, -1, 1e-20, 0.99999, -1.5, 0.5] },
  erf: { lo: -5, hi: 5, specials: [...SPECIALS, 1e-30, 0.999, 1, 1.001, 3.99, 4, 6, -10] },
  log1p: { lo: -0.9, hi: 10, specials: [...SPECIALS, 1e-30, -1, -1.5, 1e-4, -0.2928, 0.4142, 3e38] },
  expm1: { lo: -10, hi: 10, specials: [...SPECIALS, 1e-30, 1e-4, -0.3465, 0.3466, 88.7, 89, -100] },
  floor: { lo: -10, hi: 10, specials: [...SPECIALS, 0.5, -0.5, 2.5, -2.5, 1e20, -1e-30, 8388607.5] },
  ceil: { lo: -10, hi: 10, specials: [...SPECIALS, 0.5, -0.5, 2.5, -2.5, 1e20, -1e-30, 8388607.5] },
  round: { lo: -10, hi: 10, specials: [...SPECIALS, 0.5, -0.5, 1.5, 2.5, -2.5, -0.3, 8388607.5, 1e20] },
  sign: { lo: -10, hi: 10, specials: [...SPECIALS, 1e-40, -1e-40, 3e38] },
  reciprocal: { lo: -10, hi: 10, specials: [...SPECIALS, 1e-40, -3e-39, 3e38, 1e-38] },
  rsqrt: { lo: 0, hi: 100, specials: [...SPECIALS, 1e-40, -1, 3e38, 1e-38] },
};

function tolerance(backend: Backend, op: string): Tolerance {
  if (backend.name !== 'webgpu') return { atol: 1e-30, rtol: 4e-7 };
  return { atol: 2e-6, rtol: op === 'pow' ? 2e-4 : 2e-5 };
}

export const cases: KernelCase[] = [];

for (const [op, spec] of Object.entries(MATH_UNARY) as [UnaryOp, (typeof MATH_UNARY)[string]][]) {
  cases.push({
    name: `math unary ${op} sizes ${EDGE_SIZES.join(',')} with NaN/Inf/domain edges`,
    run: async (backend, reference) => {
      for (const n of EDGE_SIZES) {
        const x = withSpecials(randomArray(n, 300 + n, spec.lo, spec.hi), spec.specials.slice(0, Math.max(n, 1)));
        await compareOutputs(`unary ${op} n=${n}`, backend, reference, [x], [{ size: n }],
          (b, [sx], [out]) => b.unary(op, sx, out, n), tolerance(backend, op));
      }
    },
  });
}

cases.push({
  name: 'math unary round/floor/sign/erf sub-range [3, 30) of 33 leaves the rest of out unwritten',
  run: async (backend, reference) => {
    for (const op of ['round', 'floor', 'sign', 'erf'] as const) {
      const x = withSpecials(randomArray(33, 77, -5, 5), [0.5, -2.5, NaN, -0]);
      await compareOutputs(`unary ${op} [3, 30)`, backend, reference, [x], [{ size: 33 }],
        (b, [sx], [out]) => b.unary(op, sx, out, 33, 3, 30), tolerance(backend, op));
    }
  },
});

// ---- binary
const MATH_BINARY: BinaryOp[] = ['pow', 'mod', 'floorDiv', 'atan2'];
const BINARY_SPECIALS_A = [NaN, 0, Infinity, -0, 2, -Infinity, 1, -1, 5, -5, 0.5, -8];
const BINARY_SPECIALS_B = [1, 0, Infinity, -0, NaN, -Infinity, 3, Infinity, -Infinity, 2, -0.5, 1 / 3];

function operands(op: BinaryOp, aSize: number, bSize: number, seed: number): [Float32Array, Float32Array] {
  const a = randomArray(aSize, seed, op === 'pow' ? 0 : -20, op === 'pow' ? 4 : 20);
  const b = randomArray(bSize, seed + 1, op === 'pow' ? -3 : -7, op === 'pow' ? 3 : 7);
  if (op === 'pow') for (let i = 1; i < aSize; i += 4) a[i] = -a[i]; // negative bases, with integer exponents below
  if (op === 'pow') for (let i = 2; i < bSize; i += 3) b[i] = Math.round(b[i]);
  if (aSize >= 12) withSpecials(a, BINARY_SPECIALS_A);
  if (bSize >= 12) withSpecials(b, BINARY_SPECIALS_B);
  return [a, b];
}

/** [n, aSize, bSize]: same size, scalar either side, a repeating row, both repeating. */
const FORMS: [number, number, number][] = [
  ...EDGE_SIZES.map((n): [number, number, number] => [n, n, n]),
  [33, 33, 1], [33, 1, 33], [7 * 17, 7 * 17, 17], [3 * 12, 12, 3 * 12], [12, 4, 3], [257, 257, 257],
];

for (const op of MATH_BINARY) {
  cases.push({
    name: `math binary ${op} float32, every broadcast form, with NaN/Inf/signed zeros`,
    run: async (backend, reference) => {
      for (const [n, aSize, bSize] of FORMS) {
        const [a, b] = operands(op, aSize, bSize, n * 13 + aSize + bSize);
        await compareOutputs(`binary ${op} n=${n} aSize=${aSize} bSize=${bSize}`, backend, reference, [a, b], [{ size: n }],
          (be, [sa, sb], [out]) => be.binary(op, sa, aSize, sb, bSize, out, n), tolerance(backend, op));
      }
    },
  });
}

function ints(n: number, seed: number, lo: number, hi: number): Int32Array {
  return Int32Array.from(randomArray(n, seed, lo, hi), (v) => Math.floor(v));
}

for (const op of MATH_BINARY) {
  cases.push({
    name: `math binary int32 ${op}: zero divisors, INT_MIN, negative exponents, exact`,
    run: async (backend, reference) => {
      for (const [n, aSize, bSize] of FORMS) {
        const a = ints(aSize, n + 3, -100, 100);
        const b = op === 'pow' ? ints(bSize, n + 4, -3, 6) : ints(bSize, n + 4, -9, 10);
        // Paired specials (same-size forms): INT_MIN / -1, x mod 0, and powers that wrap but stay
        // below 2^53, where the reference's float64 power is exact.
        if (aSize === bSize && n >= 5) {
          a.set(op === 'pow' ? [-2147483648, 46341, 1, -1, 0] : [-2147483648, 2147483647, 1, -1, 0], 0);
          b.set(op === 'pow' ? [2, 2, -2, -3, 0] : [-1, -1, 0, 7, -7], 0);
        }
        await compareOutputs(`binary int32 ${op} n=${n} aSize=${aSize} bSize=${bSize}`, backend, reference,
          [a, b], [{ size: n, dtype: 'int32' }], (be, [sa, sb], [out]) => be.binary(op, sa, aSize, sb, bSize, out, n), 'exact');
      }
    },
  });
}

cases.push({
  name: 'math binary pow/mod/floorDiv/atan2 sub-range [5, 40) of 45 with a repeating row',
  run: async (backend, reference) => {
    for (const op of MATH_BINARY) {
      const [a, b] = operands(op, 45, 9, 91);
      await compareOutputs(`binary ${op} [5, 40)`, backend, reference, [a, b], [{ size: 45 }],
        (be, [sa, sb], [out]) => be.binary(op, sa, 45, sb, 9, out, 45, 5, 40), tolerance(backend, op));
    }
  },
});
