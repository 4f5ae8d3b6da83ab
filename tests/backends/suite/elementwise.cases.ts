/**
 * Elementwise cases: the activation unary codes (relu .. square) forward and backward, the
 * arithmetic binary ops (float32 and the int32 subset) in each broadcast form, and affine (the
 * math codes, sin .. rsqrt and pow .. atan2, are in math.cases.ts), over EDGE_SIZES (vector bodies, one-lane
 * tails) with hostile values spread through body and tail: NaN, +-Infinity, +-0, values
 * that overflow or underflow exp, subnormals, and out-of-domain inputs (log and sqrt of
 * negatives). In-place forms (out aliasing an input) are read back from the aliased buffer.
 */
import {
  assertClose, compareOutputs, EDGE_SIZES, knownGap, randomArray, withKernels, upload,
  type KernelBackend, type KernelCase, type Tolerance,
} from './harness.js';
import type { Backend, BinaryOp, Storage, TypedArray } from '../../../src/backends/backend.js';

/** The activation codes, which have unaryBackward derivatives (the math codes are in math.cases.ts). */
type ActivationOp = 'relu' | 'sigmoid' | 'tanh' | 'exp' | 'log' | 'neg' | 'abs' | 'sqrt' | 'square';

/**
 * Run `launch` on both backends over the same buffers and compare every buffer afterwards:
 * for kernels that write in place, where compareOutputs (which reads only fresh outputs)
 * cannot see the result.
 */
async function compareInPlace(label: string, backend: Backend, reference: Backend,
  buffers: TypedArray[], launch: (b: KernelBackend, storages: Storage[]) => void,
  tol?: Tolerance): Promise<void> {
  const results: TypedArray[][] = [];
  for (const b of [withKernels(backend), withKernels(reference)]) {
    const storages = buffers.map((values) => upload(b, values));
    launch(b, storages);
    const got: TypedArray[] = [];
    for (const s of storages) got.push(await b.read(s));
    for (const s of storages) b.free(s);
    results.push(got);
  }
  results[0].forEach((got, i) => assertClose(`${label} buffer ${i}`, got, results[1][i], tol));
}

/** Overwrite values at spread positions (first, body, last = tail) with the specials. */
function withSpecials(values: Float32Array, specials: number[]): Float32Array {
  const n = values.length;
  if (n === 0) return values;
  specials.forEach((v, k) => { values[Math.floor((k * n) / specials.length)] = v; });
  values[n - 1] = specials[specials.length - 1];
  return values;
}

const ALL_UNARY: ActivationOp[] = ['relu', 'sigmoid', 'tanh', 'exp', 'log', 'neg', 'abs', 'sqrt', 'square'];

/** Input range and hostile values for each unary op. */
const UNARY_INPUTS: Record<ActivationOp, { lo: number; hi: number; specials: number[] }> = {
  relu: { lo: -2, hi: 2, specials: [NaN, -0, 0, Infinity, -Infinity, -1e-30] },
  sigmoid: { lo: -20, hi: 20, specials: [-1e4, -100, -88.5, -87, 0, 30, 100, 1e4, NaN, -Infinity, Infinity] },
  tanh: { lo: -5, hi: 5, specials: [1e-7, -1e-4, 0.3, -0.6, 0.625, 0.63, 9, -1e4, 1e4, NaN, -Infinity, Infinity, -0] },
  exp: { lo: -10, hi: 10, specials: [-1e4, -200, -104, -87.5, -20.5, 0, -0, 1e-8, 50, 88, 88.7, 89, 1e4, NaN, -Infinity, Infinity] },
  log: { lo: 1e-6, hi: 100, specials: [0, -0, -1, -Infinity, Infinity, NaN, 1, 1 + 2 ** -23, 1 - 2 ** -24, 1e-40, 1.17549435e-38, 3e38, 0.7071067, 1.4142135] },
  neg: { lo: -10, hi: 10, specials: [NaN, 0, -0, Infinity, -Infinity, 3e38] },
  abs: { lo: -10, hi: 10, specials: [NaN, 0, -0, Infinity, -Infinity, -3e38] },
  sqrt: { lo: 0, hi: 100, specials: [0, -0, -1, 1e-40, Infinity, -Infinity, NaN, 3e38] },
  square: { lo: -10, hi: 10, specials: [NaN, 0, -0, Infinity, -Infinity, 1e20, -1e-30] },
};

function unaryInput(op: ActivationOp, n: number, seed: number): Float32Array {
  const spec = UNARY_INPUTS[op];
  return withSpecials(randomArray(n, seed, spec.lo, spec.hi), spec.specials);
}

/** f(x) as the reference computes it, for the y input of unaryBackward. */
function forward(op: ActivationOp, x: Float32Array): Float32Array {
  const f: Record<ActivationOp, (v: number) => number> = {
    relu: (v) => (v < 0 ? 0 : v), sigmoid: (v) => 1 / (1 + Math.exp(-v)), tanh: Math.tanh,
    exp: Math.exp, log: Math.log, neg: (v) => -v, abs: Math.abs, sqrt: Math.sqrt, square: (v) => v * v,
  };
  return x.map(f[op]);
}

export const cases: KernelCase[] = [];

// ---- unary forward, every op over every edge size, and in place
for (const op of ALL_UNARY) {
  cases.push({
    name: `unary ${op} sizes ${EDGE_SIZES.join(',')} with NaN/Inf/edge values`,
    run: async (backend, reference) => {
      for (const n of EDGE_SIZES) {
        await compareOutputs(`unary ${op} n=${n}`, backend, reference, [unaryInput(op, n, 100 + n)],
          [{ size: n }], (b, [x], [out]) => b.unary(op, x, out, n));
      }
    },
  });
  cases.push({
    name: `unary ${op} in place (out = x) n=33,257`,
    run: async (backend, reference) => {
      for (const n of [33, 257]) {
        await compareInPlace(`unary ${op} in place n=${n}`, backend, reference, [unaryInput(op, n, 200 + n)],
          (b, [x]) => b.unary(op, x, x, n));
      }
    },
  });
}

// ---- the stand-alone activation and prelu kernels (the cpu backends; webgpu runs the ops' compositions)
const ACTIVATION_SPECIALS = [NaN, -0, 0, 6, 6.000001, -1e-30, Infinity, -Infinity, -100, 1e4];
for (const [op, alpha] of [['relu6', 0], ['leakyRelu', 0.3], ['elu', 0], ['linear', 0], ['relu', 0], ['sigmoid', 0], ['tanh', 0]] as const) {
  cases.push({
    name: `activation ${op} sizes ${EDGE_SIZES.join(',')} with NaN/Inf/edge values, and in place`,
    run: async (backend, reference) => {
      if (knownGap(backend, 'activation')) return;
      for (const n of EDGE_SIZES) {
        const x = withSpecials(randomArray(n, 300 + n, -8, 8), ACTIVATION_SPECIALS);
        await compareOutputs(`activation ${op} n=${n}`, backend, reference, [x], [{ size: n }],
          (b, [xs], [out]) => b.activation(op, xs, out, n, alpha));
      }
      await compareInPlace(`activation ${op} in place`, backend, reference, [randomArray(37, 9, -8, 8)],
        (b, [x]) => b.activation(op, x, x, 37, alpha));
    },
  });
}

cases.push({
  name: 'prelu with one slope, 1..17 channel slopes (vector body and lane tail per row), and in place',
  run: async (backend, reference) => {
    if (knownGap(backend, 'prelu')) return;
    for (const [rows, channels] of [[7, 1], [1, 1], [5, 3], [4, 4], [3, 16], [6, 17], [2, 5]]) {
      const n = rows * channels;
      const x = withSpecials(randomArray(n, 400 + n, -4, 4), [NaN, -0, -Infinity, Infinity, -1e-30]);
      const alpha = randomArray(channels, 500 + channels, -1, 1);
      await compareOutputs(`prelu ${rows}x${channels}`, backend, reference, [x, alpha], [{ size: n }],
        (b, [xs, as], [out]) => b.prelu(xs, as, out, n, channels), 'exact');
    }
    await compareInPlace('prelu in place', backend, reference, [randomArray(40, 11, -4, 4), randomArray(8, 12, 0, 1)],
      (b, [x, alpha]) => b.prelu(x, alpha, x, 40, 8));
  },
});

cases.push({
  name: 'unary exp/sigmoid/tanh of very negative inputs give 0 / -1, never NaN',
  run: async (backend, reference) => {
    const n = 37;
    const x = randomArray(n, 7, -1e4, -90);
    for (const op of ['exp', 'sigmoid', 'tanh'] as const) {
      const [got] = await compareOutputs(`unary ${op} very negative`, backend, reference, [x],
        [{ size: n }], (b, [xs], [out]) => b.unary(op, xs, out, n));
      const expected = op === 'tanh' ? -1 : 0;
      got.forEach((v, i) => {
        if (v !== expected) throw new Error(`unary ${op}(${x[i]}) = ${v}, expected exactly ${expected}`);
      });
    }
  },
});

/**
 * The transcendental ops' accuracy on a dense sweep. On wasm it pins the error measured for
 * assembly/math.ts (max relative error against the exact value: exp 8.4e-8, log 8.2e-8,
 * tanh 1.4e-7, sigmoid 1.8e-7), plus 6e-8 for the reference's own rounding to float32 and a
 * small margin. Other backends get the suite's default tolerance on a short sweep (WGSL
 * allows its exp several ulp).
 */
cases.push({
  name: 'unary exp/log/tanh/sigmoid accuracy sweep (wasm: 1.6e-7 to 3e-7 relative, 4096 points each)',
  run: async (backend, reference) => {
    const tight = backend.name === 'wasm';
    const points = tight ? 4096 : 257;
    const sweep = (f: (t: number) => number) => Float32Array.from({ length: points }, (_, i) => f(i / (points - 1)));
    const ranges: [ActivationOp, Float32Array, number][] = [
      ['exp', sweep((t) => -87 + 175 * t), 1.6e-7],            // every result a normal float
      ['log', sweep((t) => 2 ** (-149 + 276 * t)), 1.6e-7],     // subnormal to near FLT_MAX
      ['tanh', sweep((t) => -10 + 20 * t), 2.4e-7],
      ['sigmoid', sweep((t) => -80 + 160 * t), 3e-7],
    ];
    for (const [op, x, rtol] of ranges) {
      await compareOutputs(`unary ${op} accuracy sweep`, backend, reference, [x], [{ size: points }],
        (b, [sx], [out]) => b.unary(op, sx, out, points), tight ? { atol: 1e-37, rtol } : undefined);
    }
  },
});

// ---- unary backward: dy * f'(.), x and y consistent (y = f(x))
for (const op of ALL_UNARY) {
  cases.push({
    name: `unaryBackward ${op} sizes ${EDGE_SIZES.join(',')}`,
    run: async (backend, reference) => {
      for (const n of EDGE_SIZES) {
        const x = unaryInput(op, n, 300 + n);
        const dy = withSpecials(randomArray(n, 400 + n, -3, 3), n > 8 ? [1, NaN, -2, Infinity, 0.5] : [1]);
        await compareOutputs(`unaryBackward ${op} n=${n}`, backend, reference, [dy, x, forward(op, x)],
          [{ size: n }], (b, [sdy, sx, sy], [dx]) => b.unaryBackward(op, sdy, sx, sy, dx, n));
      }
    },
  });
}

cases.push({
  name: 'unaryBackward relu/tanh/square in place (dx = dy) n=127',
  run: async (backend, reference) => {
    const n = 127;
    for (const op of ['relu', 'tanh', 'square'] as const) {
      const x = unaryInput(op, n, 500);
      await compareInPlace(`unaryBackward ${op} in place`, backend, reference,
        [randomArray(n, 501, -1, 1), x, forward(op, x)],
        (b, [dy, sx, sy]) => b.unaryBackward(op, dy, sx, sy, dy, n));
    }
  },
});

// ---- binary
/** The arithmetic ops; comparisons and logic (bool out) are in logic.cases.ts. */
const ALL_BINARY: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'max', 'min', 'squaredDifference'];
const INT_BINARY: BinaryOp[] = ['add', 'sub', 'mul', 'max', 'min'];

/** Operands with hostile values, and some exactly equal pairs (x - x, max(x, x)). */
function binaryOperands(n: number, aSize: number, bSize: number, seed: number): [Float32Array, Float32Array] {
  const a = randomArray(aSize, seed, -4, 4);
  const b = randomArray(bSize, seed + 1, -4, 4);
  if (aSize === bSize) for (let i = 0; i < aSize; i += 3) b[i] = a[i];
  if (n >= 17) {
    withSpecials(a, [NaN, 0, Infinity, -0, 2, -Infinity, 1]);
    if (bSize > 1) withSpecials(b, [1, 0, Infinity, 0, NaN, -Infinity, 1]);
  }
  return [a, b];
}

function binaryCase(op: BinaryOp, form: string, shapes: [number, number, number][]): KernelCase {
  return {
    name: `binary ${op} ${form}`,
    run: async (backend, reference) => {
      for (const [n, aSize, bSize] of shapes) {
        const [a, b] = binaryOperands(n, aSize, bSize, n * 31 + aSize * 7 + bSize);
        await compareOutputs(`binary ${op} ${form} n=${n} aSize=${aSize} bSize=${bSize}`, backend,
          reference, [a, b], [{ size: n }], (be, [sa, sb], [out]) => be.binary(op, sa, aSize, sb, bSize, out, n));
      }
    },
  };
}

const SAME: [number, number, number][] = EDGE_SIZES.map((n) => [n, n, n]);
const B_SCALAR: [number, number, number][] = EDGE_SIZES.map((n) => [n, n, 1]);
const A_SCALAR: [number, number, number][] = EDGE_SIZES.map((n) => [n, 1, n]);
/** rows x cols with the small operand a row of cols values (bias add), cols short and long. */
const ROW_GRID: [number, number][] = [[2, 1], [3, 2], [5, 3], [2, 4], [3, 5], [4, 7], [7, 8], [3, 17], [2, 33], [5, 127], [2, 257], [257, 3]];
const B_ROW: [number, number, number][] = ROW_GRID.map(([r, c]) => [r * c, r * c, c]);
const A_ROW: [number, number, number][] = ROW_GRID.map(([r, c]) => [r * c, c, r * c]);
/** Both operands repeating with different periods (the general modulo form). */
const MIXED: [number, number, number][] = [[12, 4, 3], [12, 3, 4], [30, 6, 5], [2, 1, 1], [7, 1, 1]];

for (const op of ALL_BINARY) {
  cases.push(binaryCase(op, 'same size', SAME));
  cases.push(binaryCase(op, 'b scalar', B_SCALAR));
  cases.push(binaryCase(op, 'a scalar', A_SCALAR));
  cases.push(binaryCase(op, 'b row broadcast', B_ROW));
  cases.push(binaryCase(op, 'a row broadcast', A_ROW));
  cases.push(binaryCase(op, 'both repeating / both scalar', MIXED));
}

cases.push({
  name: 'binary add/mul/max in place (out = a) same size and bias rows',
  run: async (backend, reference) => {
    for (const op of ['add', 'mul', 'max'] as const) {
      for (const [n, bSize] of [[257, 257], [33 * 7, 33], [127, 1], [6, 2]]) {
        const [a, b] = binaryOperands(n, n, bSize, n + bSize);
        await compareInPlace(`binary ${op} in place n=${n} bSize=${bSize}`, backend, reference, [a, b],
          (be, [sa, sb]) => be.binary(op, sa, n, sb, bSize, sa, n));
      }
    }
  },
});

function randomInts(n: number, seed: number, lo: number, hi: number): Int32Array {
  return Int32Array.from(randomArray(n, seed, lo, hi), (v) => Math.floor(v));
}

for (const op of INT_BINARY) {
  cases.push({
    name: `binary int32 ${op} same / scalar / row broadcast`,
    run: async (backend, reference) => {
      const shapes: [number, number, number][] = [...SAME, [7, 7, 1], [33, 1, 33], [21, 21, 7], [24, 3, 24], [12, 4, 3]];
      for (const [n, aSize, bSize] of shapes) {
        const a = randomInts(aSize, n + aSize, -1000, 1000);
        const b = randomInts(bSize, n + bSize + 1, -1000, 1000);
        if (aSize === bSize) for (let i = 0; i < aSize; i += 3) b[i] = a[i];
        if (bSize > 2) { b[1] = 2147483647; b[2] = -2147483648; } // extremes for max/min
        // add/sub/mul of the extremes would overflow float64-exactness in the reference: keep them small.
        if (op === 'add' || op === 'sub' || op === 'mul') { if (bSize > 2) { b[1] = 46000; b[2] = -46000; } }
        await compareOutputs(`binary int32 ${op} n=${n} aSize=${aSize} bSize=${bSize}`, backend, reference,
          [a, b], [{ size: n, dtype: 'int32' }], (be, [sa, sb], [out]) => be.binary(op, sa, aSize, sb, bSize, out, n),
          { atol: 0, rtol: 0 });
      }
    },
  });
}

cases.push({
  name: 'binary int32 div truncates toward zero, x / 0 = 0, INT_MIN / -1 wraps, every repeat form',
  run: async (backend, reference) => {
    const shapes: [number, number, number][] = [...SAME, [7, 7, 1], [33, 1, 33], [21, 21, 7], [24, 24, 4], [12, 4, 3]];
    for (const [n, aSize, bSize] of shapes) {
      const a = randomInts(aSize, n + aSize, -5000, 5000);
      const b = randomInts(bSize, n + bSize + 1, -9, 9);
      a[0] = -2147483648;
      if (bSize > 1) b[1] = -1;
      if (aSize > 2) { a[2] = 2147483647; a[aSize - 1] = -7; }
      await compareOutputs(`binary int32 div n=${n} aSize=${aSize} bSize=${bSize}`, backend, reference,
        [a, b], [{ size: n, dtype: 'int32' }], (be, [sa, sb], [out]) => be.binary('div', sa, aSize, sb, bSize, out, n),
        'exact');
    }
  },
});

// ---- affine
cases.push({
  name: `affine sizes ${EDGE_SIZES.join(',')}, several alpha/beta, NaN and Inf inputs`,
  run: async (backend, reference) => {
    for (const n of EDGE_SIZES) {
      for (const [alpha, beta] of [[2, -1], [0.5, 0], [-1, 3.25], [0, 7], [1e-3, 1e4]]) {
        const x = withSpecials(randomArray(n, n + 9, -10, 10), n > 4 ? [NaN, Infinity, -Infinity, 0] : [1]);
        await compareOutputs(`affine n=${n} alpha=${alpha} beta=${beta}`, backend, reference, [x],
          [{ size: n }], (b, [sx], [out]) => b.affine(sx, out, n, alpha, beta));
      }
    }
  },
});

cases.push({
  name: 'affine in place (out = x) n=257',
  run: (backend, reference) => compareInPlace('affine in place', backend, reference,
    [randomArray(257, 3, -5, 5)], (b, [x]) => b.affine(x, x, 257, -3, 0.5)),
});

// ---- sub-ranges: unary and binary writing out[begin..end) only


/** Ranges of n: whole, inner, one element, empty, the tail; outputs outside keep the NaN poison. */
function ranges(n: number, period: number): [number, number][] {
  const list: [number, number][] = [[0, n], [1, n - 1], [period, n - period], [period + 1, n], [2, 3], [n - 1, n], [3, 3]];
  return list.filter(([begin, end]) => begin >= 0 && begin <= end && end <= n);
}

cases.push({
  name: 'unary relu/exp/square over [begin, end) ranges of 257 and 33, outside untouched',
  run: async (backend, reference) => {
    for (const op of ['relu', 'exp', 'square'] as const) {
      for (const n of [33, 257]) {
        for (const [begin, end] of ranges(n, 4)) {
          await compareOutputs(`unary ${op} n=${n} [${begin}, ${end})`, backend, reference, [unaryInput(op, n, n + begin)],
            [{ size: n }], (b, [x], [out]) => b.unary(op, x, out, n, begin, end));
        }
      }
    }
  },
});

cases.push({
  name: 'binary add/max/less over [begin, end) ranges in every repeat form, ranges cutting periods',
  run: async (backend, reference) => {
    const shapes: [number, number, number][] = [[257, 257, 257], [257, 257, 1], [33, 1, 33], [35, 35, 7], [36, 4, 36],
      [51, 51, 17], [30, 6, 5], [12, 3, 12]];
    for (const op of ['add', 'max', 'less'] as const) {
      for (const [n, aSize, bSize] of shapes) {
        const [a, b] = binaryOperands(n, aSize, bSize, n + aSize + bSize);
        const period = Math.max(aSize === n ? 1 : aSize, bSize === n ? 1 : bSize);
        for (const [begin, end] of ranges(n, period)) {
          await compareOutputs(`binary ${op} n=${n} aSize=${aSize} bSize=${bSize} [${begin}, ${end})`, backend, reference,
            [a, b], [{ size: n, dtype: op === 'less' ? 'bool' : 'float32' }],
            (be, [sa, sb], [out]) => be.binary(op, sa, aSize, sb, bSize, out, n, begin, end),
            op === 'less' ? 'exact' : undefined); // NaN bits of add/max may differ, as in the unranged cases
        }
      }
    }
  },
});
