/**
 * GEMM cases: op(A) . op(B) [+ bias] [relu] against the reference backend's float64 triple
 * loop. Partial tiles are where bugs live, so every dimension is swept over EDGE_SIZES
 * (below, at and above the wasm kernels' 5/6-row and 8-column tiles and their 256-step k
 * blocks) under all four transpose combinations, with the other two dimensions held at
 * values that are not tile multiples either. Sizes stay <= 257 except a few wide but cheap
 * shapes that cross a column block (n > 512); the whole file is about 8 * 10^7 multiply-adds,
 * so it also runs on a slow software WebGPU adapter. The shapes sit on both sides of the wasm
 * GEMM's path thresholds (m <= 64 reads A and B in place; m > 64 packs B, and A when n is
 * wide), so every path meets every transpose combination.
 *
 * Tolerance: float32 accumulation over k terms against float64, so the absolute tolerance
 * grows with sqrt(k) and with the magnitude of the inputs' products.
 */
import { compareOutputs, EDGE_SIZES, randomArray, type KernelCase, type Tolerance } from './harness.js';

interface GemmCaseSpec {
  m: number; n: number; k: number;
  transposeA: boolean; transposeB: boolean;
  bias: boolean; relu: boolean;
  /** Inputs in [-scale, scale). */
  scale?: number;
  /** Extra label and a hook that edits the inputs (A as stored, B as stored, bias). */
  label?: string;
  edit?: (a: Float32Array, b: Float32Array, bias: Float32Array) => void;
}

function tolerance(k: number, scale: number): Tolerance {
  return { atol: 2e-5 * Math.sqrt(Math.max(k, 1)) * scale * scale, rtol: 1e-4 };
}

function caseName(s: GemmCaseSpec): string {
  return `gemm m=${s.m} n=${s.n} k=${s.k}` + (s.transposeA ? ' tA' : '') + (s.transposeB ? ' tB' : '') +
    (s.bias ? ' bias' : '') + (s.relu ? ' relu' : '') + (s.label ? ` ${s.label}` : '');
}

function gemmCase(s: GemmCaseSpec): KernelCase {
  const name = caseName(s);
  return {
    name,
    run: async (backend, reference) => {
      const { m, n, k } = s;
      const scale = s.scale ?? 1;
      const seed = m * 1_000_003 + n * 1009 + k * 31 + (s.transposeA ? 1 : 0) + (s.transposeB ? 2 : 0);
      // k == 0 leaves A and B empty; give the backends one element so no storage is zero-sized.
      const a = randomArray(Math.max(m * k, 1), seed, -scale, scale);
      const b = randomArray(Math.max(k * n, 1), seed + 1, -scale, scale);
      const bias = randomArray(n, seed + 2, -scale, scale);
      s.edit?.(a, b, bias);
      await compareOutputs(name, backend, reference, [a, b, bias], [{ size: m * n }],
        (be, [sa, sb, sbias], [out]) => be.gemm({
          a: sa, b: sb, out, m, n, k, transposeA: s.transposeA, transposeB: s.transposeB,
          bias: s.bias ? sbias : null, activation: s.relu ? 'relu' : 'linear',
        }), tolerance(k, scale));
    },
  };
}

const COMBOS = [[false, false], [true, false], [false, true], [true, true]] as const;

export const cases: KernelCase[] = [];

// Each dimension over EDGE_SIZES, all four transpose combinations; bias and relu rotate so
// that every size meets each of them.
const sweeps: [string, (size: number) => [number, number, number]][] = [
  ['m', (size) => [size, 9, 17]],
  ['n', (size) => [7, size, 33]],
  ['k', (size) => [5, 13, size]],
];
for (const [, shape] of sweeps) {
  EDGE_SIZES.forEach((size, index) => {
    const [m, n, k] = shape(size);
    COMBOS.forEach(([transposeA, transposeB], combo) => {
      const rotation = index + combo;
      cases.push(gemmCase({ m, n, k, transposeA, transposeB, bias: rotation % 2 === 0, relu: rotation % 3 === 0 }));
    });
  });
}

// Two dimensions large at once: many row and column tiles, several k blocks.
for (const [m, n, k] of [[127, 33, 257], [257, 127, 33], [33, 257, 127], [257, 257, 257]]) {
  COMBOS.forEach(([transposeA, transposeB], combo) => {
    cases.push(gemmCase({ m, n, k, transposeA, transposeB, bias: combo % 2 === 1, relu: combo >= 2 }));
  });
}

// Wide but cheap: more than one 512-column block of C (packed paths), and a wide in-place one.
COMBOS.forEach(([transposeA, transposeB], combo) => {
  cases.push(gemmCase({ m: 67 + 64 * combo, n: 530, k: 3, transposeA, transposeB, bias: true, relu: combo % 2 === 0 }));
});
cases.push(gemmCase({ m: 3, n: 530, k: 5, transposeA: false, transposeB: false, bias: true, relu: false }));

// A deterministic sample of triples from EDGE_SIZES.
{
  const pick = randomArray(4 * 24, 2024, 0, 1);
  for (let t = 0; t < 24; t++) {
    const at = (j: number) => EDGE_SIZES[Math.floor(pick[4 * t + j] * EDGE_SIZES.length)];
    const flags = Math.floor(pick[4 * t + 3] * 16);
    cases.push(gemmCase({
      m: at(0), n: at(1), k: at(2),
      transposeA: (flags & 1) !== 0, transposeB: (flags & 2) !== 0, bias: (flags & 4) !== 0, relu: (flags & 8) !== 0,
    }));
  }
}

// k == 0: C is the bias row (relu'd) or zeros.
for (const [m, n] of [[1, 1], [7, 9], [33, 17]]) {
  COMBOS.forEach(([transposeA, transposeB], combo) => {
    cases.push(gemmCase({ m, n, k: 0, transposeA, transposeB, bias: combo !== 0, relu: combo >= 2 }));
  });
}

// Hostile values.
COMBOS.forEach(([transposeA, transposeB], combo) => {
  const [m, n, k] = [13, 19, 37];
  // A NaN in A poisons its row of C, with and without relu (max(NaN, 0) must stay NaN).
  cases.push(gemmCase({
    m, n, k, transposeA, transposeB, bias: true, relu: combo % 2 === 0, label: 'NaN in A row 6',
    edit: (a) => { a[transposeA ? 20 * m + 6 : 6 * k + 20] = Number.NaN; },
  }));
  // A NaN in B poisons its column of C.
  cases.push(gemmCase({
    m, n, k, transposeA, transposeB, bias: false, relu: true, label: 'NaN in B column 17',
    edit: (_, b) => { b[transposeB ? 17 * k + 3 : 3 * n + 17] = Number.NaN; },
  }));
  // Large magnitudes: products near 1e8, sums that cancel.
  cases.push(gemmCase({ m: 7, n: 33, k: 65, transposeA, transposeB, bias: true, relu: combo >= 2, scale: 1e4, label: '±1e4' }));
  // All-zero A: C is exactly the bias row, relu'd.
  cases.push(gemmCase({
    m: 6, n: 11, k: 9, transposeA, transposeB, bias: true, relu: combo % 2 === 1, label: 'zero A',
    edit: (a) => a.fill(0),
  }));
});
// A NaN in the bias poisons its column; zeros in B give exact zeros before the bias.
cases.push(gemmCase({
  m: 9, n: 10, k: 4, transposeA: false, transposeB: false, bias: true, relu: true, label: 'NaN in bias, zero B',
  edit: (_, b, bias) => { b.fill(0); bias[9] = Number.NaN; },
}));

// Blocks of larger matrices: rows lda / ldb / ldc apart (padded past the row length) and
// operands starting at offsets. The padding of A and B holds values a wrong stride would
// read; C's padding stays the NaN poison, so a write outside the block shows. Shapes cover
// the unpacked paths, packed A and B (m > 64, n > 128), and the one-element edge.
const STRIDED: [number, number, number][] = [[1, 1, 1], [3, 7, 5], [7, 9, 17], [13, 33, 3], [5, 257, 9], [70, 130, 40]];
STRIDED.forEach(([m, n, k], index) => {
  COMBOS.forEach(([transposeA, transposeB], combo) => {
    const pad = 1 + ((index + combo) % 3) * 2; // 1, 3 or 5 extra elements per row
    const [aRows, aCols] = transposeA ? [k, m] : [m, k];
    const [bRows, bCols] = transposeB ? [n, k] : [k, n];
    const lda = aCols + pad, ldb = bCols + pad + 1, ldc = n + pad;
    const aOffset = 3 + combo, bOffset = 5, outOffset = 2 * combo + 1;
    const bias = (index + combo) % 2 === 0, relu = (index + combo) % 3 === 0;
    const name = `gemm strided m=${m} n=${n} k=${k}${transposeA ? ' tA' : ''}${transposeB ? ' tB' : ''}` +
      ` lda=${lda} ldb=${ldb} ldc=${ldc} offsets ${aOffset},${bOffset},${outOffset}${bias ? ' bias' : ''}${relu ? ' relu' : ''}`;
    cases.push({
      name,
      run: async (backend, reference) => {
        const seed = m * 7919 + n * 31 + k + combo;
        const a = randomArray(aOffset + (aRows - 1) * lda + aCols + pad, seed);
        const b = randomArray(bOffset + (bRows - 1) * ldb + bCols + pad, seed + 1);
        const biasValues = randomArray(n, seed + 2);
        await compareOutputs(name, backend, reference, [a, b, biasValues], [{ size: outOffset + (m - 1) * ldc + n + pad }],
          (be, [sa, sb, sbias], [out]) => be.gemm({
            a: sa, b: sb, out, m, n, k, transposeA, transposeB, bias: bias ? sbias : null,
            activation: relu ? 'relu' : 'linear', lda, ldb, ldc, aOffset, bOffset, outOffset,
          }), tolerance(k, 1));
      },
    });
  });
});
