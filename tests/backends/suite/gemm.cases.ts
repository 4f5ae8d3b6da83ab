/**
 * GEMM cases: op(A) . op(B) [+ bias] [relu] against the reference backend's float64 triple
 * loop; then (below) the batched contract, each case also checked against its own float64 loop. Partial tiles are where bugs live, so every dimension is swept over EDGE_SIZES
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
import { EPILOGUE_CODES, type EpilogueOp } from '../../../src/backends/backend.js';
import { assertClose, compareOutputs, EDGE_SIZES, randomArray, type KernelCase, type Tolerance } from './harness.js';

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

// ---- The batched contract: batch with strides (0 broadcasts A or B), accumulate
// (C = act(C + A.B + bias)), every epilogue op (leakyRelu's alpha, given or the 0.2 default),
// transposes, and offsets + leading dimensions under a batch. Each case compares the backend
// with the reference and also with its own float64 loop below (`batchedOracle`), so the
// cases test the reference itself when it is the backend under test.

const EPILOGUES = Object.keys(EPILOGUE_CODES) as EpilogueOp[];

/** The epilogue as the contract words it (backend.ts `Epilogue`), written apart from the reference's. */
function oracleActivation(activation: EpilogueOp, v: number, alpha: number): number {
  if (Number.isNaN(v)) return v;
  switch (activation) {
    case 'linear': return v;
    case 'relu': return Math.max(v, 0);
    case 'relu6': return Math.min(Math.max(v, 0), 6);
    case 'sigmoid': return 1 / (1 + Math.exp(-v));
    case 'tanh': return Math.tanh(v);
    case 'elu': return v > 0 ? v : Math.exp(v) - 1;
    case 'leakyRelu': return v > 0 ? v : alpha * v;
  }
}

interface BatchedSpec {
  m: number; n: number; k: number;
  transposeA: boolean; transposeB: boolean;
  batch: number;
  /** Which operand has one matrix for the whole batch (stride 0). */
  broadcast: 'none' | 'A' | 'B';
  accumulate: boolean;
  bias: boolean;
  activation: EpilogueOp;
  /** leakyRelu's alpha; left out of the params when undefined (the 0.2 default). */
  alpha?: number;
  /** Inputs (and C's starting values) in [-scale, scale). */
  scale?: number;
  /**
   * Padded layout: rows `pad` elements longer than the matrix (lda / ldb / ldc), batches
   * `gap` elements apart beyond one padded matrix, operands at offsets. Without it, strides
   * are left to their defaults (the contiguous matrix size) unless broadcasting.
   */
  layout?: { pad: number; gap: number; aOffset: number; bOffset: number; outOffset: number };
  label?: string;
  edit?: (a: Float32Array, b: Float32Array, c: Float32Array, bias: Float32Array) => void;
}

function batchedName(s: BatchedSpec): string {
  return `gemm batched m=${s.m} n=${s.n} k=${s.k} batch=${s.batch}` + (s.transposeA ? ' tA' : '') + (s.transposeB ? ' tB' : '') +
    (s.broadcast !== 'none' ? ` broadcast ${s.broadcast}` : '') + (s.accumulate ? ' accumulate' : '') + (s.bias ? ' bias' : '') +
    ` ${s.activation}` + (s.alpha !== undefined ? ` alpha=${s.alpha}` : '') +
    (s.layout ? ` pad=${s.layout.pad} gap=${s.layout.gap} offsets ${s.layout.aOffset},${s.layout.bOffset},${s.layout.outOffset}` : '') +
    (s.label ? ` ${s.label}` : '');
}

/** C after the product, in float64 then rounded to float32, from the contract's definition. */
function batchedOracle(s: BatchedSpec, g: BatchedGeometry, a: Float32Array, b: Float32Array, c0: Float32Array, bias: Float32Array): Float32Array {
  const c = Float32Array.from(c0);
  const alpha = s.alpha ?? 0.2;
  for (let t = 0; t < s.batch; t++) {
    const opA = (i: number, kk: number) =>
      a[g.aOffset + t * g.strideA + (s.transposeA ? kk * g.lda + i : i * g.lda + kk)];
    const opB = (kk: number, j: number) =>
      b[g.bOffset + t * g.strideB + (s.transposeB ? j * g.ldb + kk : kk * g.ldb + j)];
    for (let i = 0; i < s.m; i++) {
      for (let j = 0; j < s.n; j++) {
        const at = g.outOffset + t * g.strideC + i * g.ldc + j;
        let dot = 0;
        for (let kk = 0; kk < s.k; kk++) dot += opA(i, kk) * opB(kk, j);
        const v = (s.accumulate ? c0[at] : 0) + dot + (s.bias ? bias[j] : 0);
        c[at] = oracleActivation(s.activation, v, alpha);
      }
    }
  }
  return c;
}

interface BatchedGeometry {
  lda: number; ldb: number; ldc: number;
  strideA: number; strideB: number; strideC: number;
  aOffset: number; bOffset: number; outOffset: number;
  aSize: number; bSize: number; cSize: number;
}

function batchedGeometry(s: BatchedSpec): BatchedGeometry {
  const { m, n, k, batch } = s;
  const [aRows, aCols] = s.transposeA ? [k, m] : [m, k];
  const [bRows, bCols] = s.transposeB ? [n, k] : [k, n];
  const pad = s.layout?.pad ?? 0, gap = s.layout?.gap ?? 0;
  const lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
  const strideA = s.broadcast === 'A' ? 0 : aRows * lda + gap;
  const strideB = s.broadcast === 'B' ? 0 : bRows * ldb + gap;
  const strideC = m * ldc + gap;
  const aOffset = s.layout?.aOffset ?? 0, bOffset = s.layout?.bOffset ?? 0, outOffset = s.layout?.outOffset ?? 0;
  // Room for every batch, plus the padding after the last (a stray read or write lands there).
  const size = (offset: number, stride: number, rows: number, ld: number) =>
    Math.max(offset + (batch - 1) * stride + rows * ld + gap, 1);
  return {
    lda, ldb, ldc, strideA, strideB, strideC, aOffset, bOffset, outOffset,
    aSize: size(aOffset, strideA, aRows, lda), bSize: size(bOffset, strideB, bRows, ldb), cSize: size(outOffset, strideC, m, ldc),
  };
}

function batchedCase(s: BatchedSpec): KernelCase {
  const name = batchedName(s);
  return {
    name,
    run: async (backend, reference) => {
      const { m, n, k, batch } = s;
      const scale = s.scale ?? 1;
      const g = batchedGeometry(s);
      const seed = m * 7_919 + n * 613 + k * 37 + batch * 5 + EPILOGUES.indexOf(s.activation);
      const a = randomArray(g.aSize, seed, -scale, scale);
      const b = randomArray(g.bSize, seed + 1, -scale, scale);
      const bias = randomArray(Math.max(n, 1), seed + 2, -scale, scale);
      // C's elements inside the batches start at values accumulate must add to; the rest is
      // NaN poison, so a write outside the blocks shows.
      const c0 = new Float32Array(g.cSize).fill(Number.NaN);
      const starts = randomArray(g.cSize, seed + 3, -scale, scale);
      for (let t = 0; t < batch; t++) {
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            const at = g.outOffset + t * g.strideC + i * g.ldc + j;
            c0[at] = s.accumulate ? starts[at] : Number.NaN;
          }
        }
      }
      s.edit?.(a, b, c0, bias);
      const tol = tolerance(k + 2, scale);
      const [got] = await compareOutputs(name, backend, reference, [a, b, bias, c0], [{ size: g.cSize }],
        (be, [sa, sb, sbias, sc0], [out]) => {
          be.copyStrided(sc0, out, [g.cSize], [1], 0, [1], 0);
          const layout = s.layout
            ? { lda: g.lda, ldb: g.ldb, ldc: g.ldc, aOffset: g.aOffset, bOffset: g.bOffset, outOffset: g.outOffset }
            : {};
          // Without a layout the strides keep their defaults, except the broadcast operand's 0.
          const strides = s.layout
            ? { strideA: g.strideA, strideB: g.strideB, strideC: g.strideC }
            : s.broadcast === 'A' ? { strideA: 0 } : s.broadcast === 'B' ? { strideB: 0 } : {};
          be.gemm({
            a: sa, b: sb, out, m, n, k, transposeA: s.transposeA, transposeB: s.transposeB,
            bias: s.bias ? sbias : null, activation: s.activation, ...(s.alpha !== undefined ? { alpha: s.alpha } : {}),
            batch, accumulate: s.accumulate, ...strides, ...layout,
          });
        }, tol);
      assertClose(`${name} against the float64 oracle`, got, batchedOracle(s, g, a, b, c0, bias), tol);
    },
  };
}

// Odd shapes under batch 1, 3 and 5; transposes, broadcasts, accumulate, bias and the epilogue
// rotate so that each shape meets several of each.
{
  const shapes: [number, number, number][] = [[1, 1, 1], [3, 7, 1], [7, 3, 33], [33, 7, 3], [1, 33, 7], [33, 33, 33], [7, 1, 3], [3, 3, 7]];
  const broadcasts = ['none', 'A', 'B'] as const;
  shapes.forEach(([m, n, k], i) => {
    [1, 3, 5].forEach((batch, j) => {
      const r = i * 3 + j;
      const [transposeA, transposeB] = COMBOS[r % 4];
      cases.push(batchedCase({
        m, n, k, batch, transposeA, transposeB, broadcast: broadcasts[r % 3],
        accumulate: r % 2 === 1, bias: Math.floor(r / 2) % 2 === 0, activation: EPILOGUES[r % EPILOGUES.length],
      }));
    });
  });
}

// Each epilogue op, with and without bias, with and without accumulate; inputs in [-3, 3) so
// that sums cross 0, reach past 6 (relu6) and saturate sigmoid and tanh.
EPILOGUES.forEach((activation, index) => {
  for (const accumulate of [false, true]) {
    for (const bias of [false, true]) {
      const [transposeA, transposeB] = COMBOS[(index + (bias ? 1 : 0)) % 4];
      cases.push(batchedCase({
        m: 7, n: 33, k: 3, batch: 3, transposeA, transposeB, broadcast: accumulate ? 'B' : 'none',
        accumulate, bias, activation, scale: 3,
      }));
    }
  }
});
// leakyRelu with its alpha given (the default 0.2 is above).
for (const alpha of [0.01, 0.5, 0]) {
  cases.push(batchedCase({
    m: 5, n: 7, k: 9, batch: 3, transposeA: false, transposeB: true, broadcast: 'A', accumulate: alpha === 0.5,
    bias: true, activation: 'leakyRelu', alpha, scale: 2,
  }));
}

// Accumulate with k == 0: C becomes act(C + bias).
for (const bias of [false, true]) {
  cases.push(batchedCase({ m: 3, n: 7, k: 0, batch: 3, transposeA: false, transposeB: false, broadcast: 'none', accumulate: true, bias, activation: 'relu' }));
}

// NaN: one in C poisons that output under accumulate only; one in a broadcast B poisons its
// column in every batch.
cases.push(batchedCase({
  m: 3, n: 7, k: 5, batch: 3, transposeA: false, transposeB: false, broadcast: 'none', accumulate: true, bias: true,
  activation: 'relu6', label: 'NaN in C batch 1',
  edit: (_a, _b, c) => { c[21 + 2 * 7 + 4] = Number.NaN; },
}));
// relu6 on whole 8-column tiles (the wasm GEMM clamps them in place, not by epilogue_rows): a NaN in A
// poisons its row (NaN stays), an infinity in A sends its row to +-Inf, clamped to 6 or 0.
cases.push(batchedCase({
  m: 7, n: 16, k: 5, batch: 2, transposeA: false, transposeB: false, broadcast: 'none', accumulate: false, bias: true,
  activation: 'relu6', label: 'relu6 tiles, NaN and Inf in A', scale: 3,
  edit: (a) => { a[1 * 5 + 2] = Number.NaN; a[7 * 5 + 3 * 5] = Number.POSITIVE_INFINITY; },
}));
cases.push(batchedCase({
  m: 3, n: 7, k: 5, batch: 3, transposeA: true, transposeB: false, broadcast: 'B', accumulate: false, bias: false,
  activation: 'elu', label: 'NaN in broadcast B column 2',
  edit: (_a, b) => { b[4 * 7 + 2] = Number.NaN; },
}));

// Offsets, leading dimensions and batch strides at once (gaps between batches), with and
// without broadcast, across the transposes, and past the wasm kernels' packed-path sizes.
{
  const shapes: [number, number, number, number][] = [[1, 1, 1, 3], [3, 7, 5, 5], [7, 33, 3, 3], [33, 3, 7, 1], [70, 130, 9, 3]];
  const broadcasts = ['none', 'A', 'B'] as const;
  shapes.forEach(([m, n, k, batch], i) => {
    COMBOS.forEach(([transposeA, transposeB], combo) => {
      const r = i * 4 + combo;
      cases.push(batchedCase({
        m, n, k, batch, transposeA, transposeB, broadcast: broadcasts[r % 3], accumulate: r % 2 === 0, bias: r % 3 !== 1,
        activation: EPILOGUES[r % EPILOGUES.length],
        layout: { pad: 1 + (r % 3) * 2, gap: 2 + (r % 4), aOffset: 3 + combo, bOffset: 5, outOffset: 1 + 2 * combo },
      }));
    });
  });
}
