/** Cases for the scan, scatterRows and topk kernel families, on odd shapes. */
import { compareOutputs, randomArray, type KernelCase } from './harness.js';

export const cases: KernelCase[] = [];

const ints = (size: number, seed: number, lo: number, hi: number): Int32Array =>
  Int32Array.from(randomArray(size, seed, lo, hi), (v) => Math.floor(v));

// Scans over [outer, length, inner] views: rows (inner 1), columns, and both, every flag.
// [1,4099,1], [3,1031,2] and [2,513,1] take webgpu's workgroup-per-line path (chunks of 17, 5 and 3,
// the last invocations' chunks short or empty).
for (const [outer, length, inner] of [[1, 1, 1], [3, 7, 1], [1, 33, 5], [2, 127, 3], [5, 3, 17], [1, 257, 1],
  [1, 4099, 1], [3, 1031, 2], [2, 513, 1]]) {
  for (const op of ['sum', 'prod'] as const) {
    for (const [exclusive, reverse] of [[false, false], [true, false], [false, true], [true, true]]) {
      const size = outer * length * inner;
      const flags = `${exclusive ? ' exclusive' : ''}${reverse ? ' reverse' : ''}`;
      // Products stay near 1 so long scans neither overflow nor vanish.
      const values = op === 'prod' ? randomArray(size, size + 3, 0.999, 1.001) : randomArray(size, size + 3);
      cases.push({
        name: `scan ${op} [${outer},${length},${inner}]${flags}`,
        run: (backend, reference) => compareOutputs(`scan ${op}`, backend, reference, [values], [{ size }],
          (b, [x], [out]) => b.scan(op, x, out, outer, length, inner, exclusive, reverse),
          // A long line summed in parallel chunks rounds differently from the serial order.
          { atol: length > 512 ? 2e-4 : 1e-5, rtol: 1e-5 }).then(() => undefined),
      });
    }
  }
}
cases.push({
  name: 'scan int32 sum and prod, wrapping (exact), short and long lines',
  run: async (backend, reference) => {
    for (const [outer, length, inner] of [[3, 33, 2], [1, 2001, 1]]) {
      const values = ints(outer * length * inner, 7, -5, 6);
      for (const op of ['sum', 'prod'] as const) {
        await compareOutputs(`scan int32 ${op}`, backend, reference, [values], [{ size: values.length, dtype: 'int32' }],
          (b, [x], [out]) => b.scan(op, x, out, outer, length, inner, op === 'sum', op === 'prod'), 'exact');
      }
    }
  },
});

// Scatters: repeated and out-of-range targets, both modes, float32 and int32.
for (const [rowCount, cols, outRows] of [[1, 1, 1], [7, 3, 5], [33, 1, 7], [127, 5, 33], [5, 257, 3], [64, 2, 2000]]) {
  const targets = Int32Array.from({ length: rowCount }, (_, r) => ((r * 7 + 3) % (outRows + 2)) - 1);
  for (const mode of ['add', 'set'] as const) {
    cases.push({
      name: `scatterRows ${mode} ${rowCount} rows of ${cols} into ${outRows} (repeats, out of range)`,
      run: (backend, reference) => compareOutputs(`scatterRows ${mode}`, backend, reference,
        [randomArray(rowCount * cols, rowCount + cols), targets, randomArray(outRows * cols, outRows)],
        [{ size: outRows * cols }],
        (b, [updates, index, start], [out]) => {
          b.copyStrided(start, out, [outRows * cols], [1], 0, [1], 0);
          b.scatterRows(mode, updates, index, out, rowCount, cols, outRows);
        }, mode === 'set' ? 'exact' : { atol: 1e-6, rtol: 1e-6 }).then(() => undefined),
    });
  }
}
cases.push({
  name: 'scatterRows int32 add into zeros (exact)',
  run: (backend, reference) => compareOutputs('scatterRows int32', backend, reference,
    [ints(33 * 3, 5, -9, 10), Int32Array.from({ length: 33 }, (_, r) => (r * 5) % 4)], [{ size: 12, dtype: 'int32' }],
    (b, [updates, index], [out]) => {
      b.fill(out, 12, 0);
      b.scatterRows('add', updates, index, out, 33, 3, 4);
    }, 'exact').then(() => undefined),
});

// topk: ties (values from a small set), NaN, k from 1 to cols.
// [1,1031,7], [3,257,257] and [2,4099,3] take webgpu's workgroup-per-row path.
for (const [rows, cols, k] of [[1, 1, 1], [3, 7, 3], [5, 33, 33], [2, 127, 5], [65, 3, 2], [1, 1031, 7], [3, 257, 257],
  [2, 4099, 3]]) {
  const values = Float32Array.from(randomArray(rows * cols, rows * cols, 0, 6), (v) => Math.floor(v) - 2);
  if (values.length > 4) values[3] = Number.NaN;
  cases.push({
    name: `topk k=${k} of ${rows}x${cols} (ties, NaN)`,
    run: (backend, reference) => compareOutputs('topk', backend, reference, [values],
      [{ size: rows * k }, { size: rows * k, dtype: 'int32' }],
      (b, [x], [v, i]) => b.topk(x, v, i, rows, cols, k), 'exact').then(() => undefined),
  });
}
// Hostile values (±0 tie, ±Infinity, NaN first) through both of the reference's paths
// (insertion up to k = 64, a keyed sort above).
for (const k of [64, 200]) {
  const pool = [0, -0, 1, -1, 0.5, Infinity, -Infinity, Number.NaN, 3, -2.5];
  const values = Float32Array.from({ length: 7 * 300 }, (_, i) => pool[(i * 7919) % pool.length]);
  cases.push({
    name: `topk k=${k} of 7x300 hostile values`,
    run: (backend, reference) => compareOutputs('topk hostile', backend, reference, [values],
      [{ size: 7 * k }, { size: 7 * k, dtype: 'int32' }], (b, [x], [v, i]) => b.topk(x, v, i, 7, 300, k), 'exact').then(() => undefined),
  });
}
