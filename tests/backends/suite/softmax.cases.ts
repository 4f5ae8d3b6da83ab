/**
 * Row softmax cases over a rows x cols grid of EDGE_SIZES, and hostile rows: +-1e4 logits
 * (exact only with the max subtracted), rows of equal values, zeros, one dominant logit with
 * the rest far below (exps that underflow to 0), a NaN (whole row NaN), a row of all
 * -Infinity (NaN, as the reference's -Inf - -Inf), -Infinity entries in a finite row (0),
 * +Infinity (NaN row). In place (out = x) too.
 */
import { assertClose, compareOutputs, EDGE_SIZES, randomArray, withKernels, upload, type KernelCase } from './harness.js';

const COLS = EDGE_SIZES;
const ROWS = [1, 3, 17];

export const cases: KernelCase[] = [];

for (const rows of ROWS) {
  cases.push({
    name: `softmax rows=${rows} cols=${COLS.join(',')} logits in [-5, 5)`,
    run: async (backend, reference) => {
      for (const cols of COLS) {
        await compareOutputs(`softmax ${rows}x${cols}`, backend, reference,
          [randomArray(rows * cols, rows * 1000 + cols, -5, 5)], [{ size: rows * cols }],
          (b, [x], [out]) => b.softmax(x, out, rows, cols));
      }
    },
  });
}

cases.push({
  name: 'softmax 257x257 and 2x257 with +-1e4 logits',
  run: async (backend, reference) => {
    for (const [rows, cols] of [[257, 257], [2, 257], [7, 33], [5, 3], [3, 1000], [2, 1001], [2, 68]]) {
      await compareOutputs(`softmax ${rows}x${cols} +-1e4`, backend, reference,
        [randomArray(rows * cols, rows + cols, -1e4, 1e4)], [{ size: rows * cols }],
        (b, [x], [out]) => b.softmax(x, out, rows, cols));
    }
  },
});

/** One situation per row, cols wide. */
function hostileRows(cols: number): number[][] {
  const ramp = Array.from({ length: cols }, (_, j) => Math.cos(j * 0.7) * 3);
  const withAt = (values: number[], at: number[], v: number) => { const r = values.slice(); for (const i of at) r[i % cols] = v; return r; };
  return [
    ramp,
    new Array<number>(cols).fill(1e4),                            // equal values: uniform
    new Array<number>(cols).fill(0),
    new Array<number>(cols).fill(-1e4),
    ramp.map((v) => v + 1e4),                                     // large offset: max subtraction
    ramp.map((v, j) => (j === cols - 1 ? 1e4 : -1e4)),            // one dominant logit in the tail
    ramp.map((v, j) => (j === 0 ? 0 : -100 - j)),                 // far below: exps underflow
    ramp.map((v, j) => (j % 3 === 0 ? -Infinity : v)),            // -Inf entries give 0
    withAt(ramp, [cols - 1], NaN),                                 // NaN (in the tail): NaN row
    withAt(ramp, [1], NaN),
    new Array<number>(cols).fill(-Infinity),                      // all -Inf: NaN row
    withAt(ramp, [2], Infinity),                                   // +Inf: NaN row
    ramp.map((v) => v * 30),                                      // spread of ~180
  ];
}

cases.push({
  name: 'softmax hostile rows: equal, zeros, +-1e4, underflow, -Inf entries, NaN, all -Inf, +Inf',
  run: async (backend, reference) => {
    // 68 and 1000: wide rows of a multiple of 4 (webgpu: the vec4 entry), 127 and 257 not.
    for (const cols of [1, 3, 4, 5, 7, 8, 17, 33, 68, 127, 257, 1000, 1001]) {
      const rowsData = hostileRows(cols);
      const rows = rowsData.length;
      await compareOutputs(`softmax hostile cols=${cols}`, backend, reference, [Float32Array.from(rowsData.flat())],
        [{ size: rows * cols }], (b, [x], [out]) => b.softmax(x, out, rows, cols));
    }
  },
});

cases.push({
  name: 'softmax rows sum to 1 and a NaN stays in its own row',
  run: async (backend) => {
    const rows = 4, cols = 33;
    const x = randomArray(rows * cols, 77, -30, 30);
    x[cols + 5] = NaN; // row 1 only
    const sx = upload(backend, x);
    const out = backend.alloc(rows * cols, 'float32');
    withKernels(backend).softmax(sx, out, rows, cols);
    const got = (await backend.read(out)) as Float32Array;
    backend.free(sx); backend.free(out);
    for (let r = 0; r < rows; r++) {
      const row = got.subarray(r * cols, (r + 1) * cols);
      if (r === 1) {
        if (!row.every((v) => Number.isNaN(v))) throw new Error('softmax: the row with a NaN is not all NaN');
        continue;
      }
      assertClose(`softmax row ${r} sum`, [row.reduce((a, v) => a + v, 0)], [1], { atol: 1e-5, rtol: 0 });
    }
  },
});

cases.push({
  name: 'softmax into an output full of NaN and 1e30 (nothing of it may survive) 1x7, 3x1001, 4x1000',
  run: async (backend, reference) => {
    for (const [rows, cols] of [[1, 7], [3, 1001], [4, 1000]]) {
      const x = randomArray(rows * cols, rows + 5 * cols, -6, 6);
      const stale = Float32Array.from({ length: rows * cols }, (_, i) => (i % 2 ? NaN : 1e30));
      const results: Float32Array[] = [];
      for (const b of [withKernels(backend), withKernels(reference)]) {
        const sx = upload(b, x);
        const out = upload(b, stale);
        b.softmax(sx, out, rows, cols);
        results.push((await b.read(out)) as Float32Array);
        b.free(sx); b.free(out);
      }
      assertClose(`softmax over stale output ${rows}x${cols}`, results[0], results[1]);
    }
  },
});

cases.push({
  name: 'softmax in place (out = x) 7x33 and 3x257',
  run: async (backend, reference) => {
    for (const [rows, cols] of [[7, 33], [3, 257]]) {
      const x = randomArray(rows * cols, rows * cols, -8, 8);
      const results: Float32Array[] = [];
      for (const b of [withKernels(backend), withKernels(reference)]) {
        const s = upload(b, x);
        b.softmax(s, s, rows, cols);
        results.push((await b.read(s)) as Float32Array);
        b.free(s);
      }
      assertClose(`softmax in place ${rows}x${cols}`, results[0], results[1]);
    }
  },
});

/**
 * Wide rows (the benchmark's 1000 columns, 4097, 1023: every tail) and rows whose terms run
 * down through the subnormals to 0, within 4 ulp of the float64 reference and 2 subnormal
 * steps absolute: a kernel that flushes subnormal terms to 0, loses a bit in its exp or its
 * scale, or mixes up two rows' maxima fails here, where the default tolerance would pass it.
 * The wasm kernel only (its exp is pinned to ~1 ulp, subnormals included); other backends to
 * the default tolerance (a GPU may flush subnormals).
 */
cases.push({
  name: 'softmax wide rows 3x1000, 2x4097, 4x1023 and subnormal terms, to 4 ulp',
  run: async (backend, reference) => {
    for (const [rows, cols] of [[3, 1000], [2, 4097], [4, 1023], [5, 7]]) {
      // Multiples of 2^-10: x - max is exact in float32, so the error is the kernel's own.
      const x = randomArray(rows * cols, rows * 31 + cols, -5, 5).map((v) => Math.round(v * 1024) / 1024);
      // Row 0 40 above the rest: each row must subtract its own max.
      for (let j = 0; j < cols; j++) x[j] += 40;
      // Row 1 ramps from 0 down: terms e^-87 .. e^-104 are subnormal, below that 0.
      for (let j = 0; j < cols; j++) x[cols + j] = -j * (cols > 900 ? 0.11 : 16);
      await compareOutputs(`softmax ${rows}x${cols} tight`, backend, reference, [x], [{ size: rows * cols }],
        (b, [xs], [out]) => b.softmax(xs, out, rows, cols),
        backend.name === 'wasm' ? { atol: 3e-45, rtol: 4 * 2 ** -23 } : undefined);
    }
  },
});

/**
 * The webgpu backend picks the wide-row workgroup by adapter (4 invocations on a CPU adapter,
 * 64 or 256 on a GPU): run the other layout too, through a view of the backend whose
 * cpuAdapter is flipped, so both are checked on whatever adapter the machine has. Scalar and
 * vec4 entries, each width class, hostile rows. Other backends: the same comparison once.
 */
cases.push({
  name: 'softmax wide-row layouts (webgpu: CPU-adapter and GPU workgroups) 3x68, 2x1000, 2x1027, 2x2048, hostile',
  run: async (backend, reference) => {
    const cpu = (backend as { cpuAdapter?: boolean }).cpuAdapter;
    const views = cpu === undefined ? [backend]
      : [backend, Object.create(backend, { cpuAdapter: { value: !cpu } }) as typeof backend];
    for (const view of views) {
      for (const [rows, cols] of [[3, 68], [2, 1000], [2, 1027], [2, 2048]]) {
        await compareOutputs(`softmax ${rows}x${cols} cpuAdapter=${(view as { cpuAdapter?: boolean }).cpuAdapter}`, backend, reference,
          [randomArray(rows * cols, rows * 7 + cols, -9, 9)], [{ size: rows * cols }],
          (b, [x], [out]) => (b === backend ? view : b).softmax!(x, out, rows, cols));
      }
      for (const cols of [68, 1027, 2048]) {
        const rowsData = hostileRows(cols);
        await compareOutputs(`softmax hostile cols=${cols} cpuAdapter=${(view as { cpuAdapter?: boolean }).cpuAdapter}`, backend, reference,
          [Float32Array.from(rowsData.flat())], [{ size: rowsData.length * cols }],
          (b, [x], [out]) => (b === backend ? view : b).softmax!(x, out, rowsData.length, cols));
      }
    }
  },
});
