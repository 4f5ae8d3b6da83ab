/**
 * Reduction cases: sum / max / min and argMax over the middle axis of [outer, length, inner],
 * for row reductions (inner 1: the wasm kernel's 16-wide, 4-wide and scalar parts of a row),
 * column reductions (inner > 1: its 16-column, 4-column and single-column blocks) and the
 * general 3-D form, plus hostile values: NaN anywhere propagates to its output, +-Infinity,
 * rows of equal values (argMax takes the first), -0/+0 ties, first NaN wins argMax. Each argMax
 * case runs in the kernel's min form too (argMin: the first minimum, the first NaN still wins).
 */
import { compareOutputs, EDGE_SIZES, randomArray, type KernelCase } from './harness.js';
import type { ReduceOp } from '../../../src/backends/backend.js';

const OPS: ReduceOp[] = ['sum', 'max', 'min'];

/** [outer, length, inner] shapes. */
const ROWS: [number, number, number][] = [1, 3, 7].flatMap((outer) => EDGE_SIZES.map((length) => [outer, length, 1] as [number, number, number]));
const COLUMN_INNERS = [2, 3, 4, 5, 7, 8, 16, 17, 33, 257];
const COLUMNS: [number, number, number][] = [1, 3, 17, 257].flatMap((length) => COLUMN_INNERS.map((inner) => [1, length, inner] as [number, number, number]));
const GENERAL: [number, number, number][] = [[2, 3, 5], [3, 7, 4], [5, 1, 3], [4, 33, 17], [2, 127, 2], [7, 5, 1], [3, 2, 33]];

function shapeLabel([outer, length, inner]: [number, number, number]): string {
  return `[${outer},${length},${inner}]`;
}

function sumTolerance(length: number) {
  // float32 accumulation of `length` values in [-1, 1) against float64
  return { atol: 2e-6 * Math.sqrt(length) + 1e-6, rtol: 1e-4 };
}

function reduceCase(op: ReduceOp, form: string, shapes: [number, number, number][]): KernelCase {
  return {
    name: `reduce ${op} ${form}`,
    run: async (backend, reference) => {
      for (const shape of shapes) {
        const [outer, length, inner] = shape;
        const size = outer * length * inner;
        await compareOutputs(`reduce ${op} ${shapeLabel(shape)}`, backend, reference,
          [randomArray(size, size * 3 + length, -1, 1)], [{ size: outer * inner }],
          (b, [x], [out]) => b.reduce(op, x, out, outer, length, inner),
          op === 'sum' ? sumTolerance(length) : { atol: 0, rtol: 0 });
      }
    },
  };
}

const ARG_FORMS = [['argMax', false], ['argMin', true]] as const;

function argMaxCase(form: string, shapes: [number, number, number][], min: boolean, lo = -1, hi = 1): KernelCase {
  const name = min ? 'argMin' : 'argMax';
  return {
    name: `${name} ${form}`,
    run: async (backend, reference) => {
      for (const shape of shapes) {
        const [outer, length, inner] = shape;
        const size = outer * length * inner;
        await compareOutputs(`${name} ${form} ${shapeLabel(shape)}`, backend, reference,
          [randomArray(size, size * 5 + inner, lo, hi)], [{ size: outer * inner, dtype: 'int32' }],
          (b, [x], [out]) => b.argMax(x, out, outer, length, inner, min), { atol: 0, rtol: 0 });
      }
    },
  };
}

export const cases: KernelCase[] = [];

/**
 * Long column reductions, where the webgpu backend's tiled reduce_columns cuts the axis into
 * chunks and reduces the partials in a second pass (itself tiled from 16 partials up): 100k
 * rows, row counts that are no multiple of a tile or a chunk, column counts off the 4 / 16 /
 * 64-column tiles, and outer > 1 around both passes.
 */
const LONG_COLUMNS: [number, number, number][] = [
  [1, 100_000, 3], [1, 100_003, 17], [2, 4099, 65], [3, 30_001, 20], [1, 16, 1000], [1, 17, 5], [2, 1025, 2],
];

for (const op of OPS) {
  cases.push(reduceCase(op, 'rows (inner 1)', ROWS));
  cases.push(reduceCase(op, 'long columns (chunked, two passes)', LONG_COLUMNS));
  cases.push(reduceCase(op, 'columns (outer 1, bias-gradient form)', COLUMNS));
  cases.push(reduceCase(op, 'general [outer, length, inner]', GENERAL));
}
for (const [name, min] of ARG_FORMS) {
  cases.push(argMaxCase('rows (inner 1)', ROWS, min));
  cases.push(argMaxCase('columns (outer 1)', COLUMNS, min));
  cases.push(argMaxCase('general [outer, length, inner]', GENERAL, min));
  // Few distinct values: many ties, so "first index of the max" is what is tested.
  cases.push({
    name: `${name} with many ties (values in {0, 1, 2})`,
    run: async (backend, reference) => {
      for (const shape of [[3, 257, 1], [2, 33, 1], [1, 17, 1], [2, 33, 5], [1, 127, 17]] as [number, number, number][]) {
        const [outer, length, inner] = shape;
        const x = randomArray(outer * length * inner, length + inner, 0, 3).map(Math.floor);
        await compareOutputs(`${name} ties ${shapeLabel(shape)}`, backend, reference, [x],
          [{ size: outer * inner, dtype: 'int32' }], (b, [sx], [out]) => b.argMax(sx, out, outer, length, inner, min),
          { atol: 0, rtol: 0 });
      }
    },
  });
}

/**
 * Hostile rows (row reductions) and the same values as columns (the transposed layout):
 * each row is one situation, checked for every op and argMax.
 */
function hostileRows(length: number): number[][] {
  const ramp = Array.from({ length }, (_, j) => Math.sin(j * 1.3) * 10);
  const withAt = (values: number[], at: number[], v: number) => { const r = values.slice(); for (const i of at) r[i] = v; return r; };
  return [
    ramp,
    new Array<number>(length).fill(0.5),                           // all equal
    new Array<number>(length).fill(0),                             // zeros
    ramp.map((v, j) => (j % 2 ? -0 : 0)),                           // signed zeros
    withAt(ramp, [length - 1], NaN),                                // NaN in the tail
    withAt(ramp, [Math.floor(length / 2), 1], NaN),                 // two NaNs: argMax takes the first
    withAt(ramp, [0], NaN),
    withAt(ramp, [Math.floor(length / 2)], NaN),                    // NaN in the vector body only
    withAt(ramp, [Math.min(5, length - 1), length - 2], NaN),       // NaN past the first vector, then another
    withAt(ramp, [2], Infinity),
    withAt(ramp, [length - 1], -Infinity),
    new Array<number>(length).fill(-Infinity),                     // max -Inf, argMax 0
    withAt(ramp, [3, length - 2], Infinity),                        // Inf twice: first
    withAt(withAt(ramp, [1], Infinity), [length - 1], -Infinity),   // sum +Inf + -Inf = NaN
    withAt(ramp, [0], 3e38).map((v, j) => (j === length - 1 ? 3e38 : v)), // sum overflows to +Inf
  ];
}

cases.push({
  name: 'reduce and argMax hostile rows: NaN, +-Infinity, equal values, signed zeros',
  run: async (backend, reference) => {
    for (const length of [4, 7, 17, 33, 257]) {
      const rows = hostileRows(length);
      const outer = rows.length;
      const x = Float32Array.from(rows.flat());
      for (const op of OPS) {
        await compareOutputs(`reduce ${op} hostile rows length=${length}`, backend, reference, [x],
          [{ size: outer }], (b, [sx], [out]) => b.reduce(op, sx, out, outer, length, 1),
          op === 'sum' ? { atol: 1e-4, rtol: 1e-4 } : { atol: 0, rtol: 0 });
      }
      for (const [name, min] of ARG_FORMS) {
        await compareOutputs(`${name} hostile rows length=${length}`, backend, reference, [x],
          [{ size: outer, dtype: 'int32' }], (b, [sx], [out]) => b.argMax(sx, out, outer, length, 1, min),
          { atol: 0, rtol: 0 });
      }
    }
  },
});

cases.push({
  name: 'reduce and argMax hostile columns (the same situations down columns)',
  run: async (backend, reference) => {
    for (const length of [4, 7, 33]) {
      const rows = hostileRows(length);
      const inner = rows.length; // 15 columns: three 4-wide blocks and three single columns
      const x = new Float32Array(length * inner);
      rows.forEach((row, c) => row.forEach((v, l) => { x[l * inner + c] = v; }));
      for (const [outer, len, inn, data] of [[1, length, inner, x], [1, length, 4, x.subarray(0, length * 4)]] as const) {
        for (const op of OPS) {
          await compareOutputs(`reduce ${op} hostile columns length=${len} inner=${inn}`, backend, reference,
            [Float32Array.from(data)], [{ size: inn }], (b, [sx], [out]) => b.reduce(op, sx, out, outer, len, inn),
            op === 'sum' ? { atol: 1e-4, rtol: 1e-4 } : { atol: 0, rtol: 0 });
        }
      }
      // 16+ columns: repeat the situations side by side so the 16-wide block sees them.
      const wide = 2 * inner;
      const x2 = new Float32Array(length * wide);
      for (let l = 0; l < length; l++) for (let c = 0; c < wide; c++) x2[l * wide + c] = x[l * inner + (c % inner)];
      for (const op of OPS) {
        await compareOutputs(`reduce ${op} hostile columns length=${length} inner=${wide}`, backend, reference,
          [x2], [{ size: wide }], (b, [sx], [out]) => b.reduce(op, sx, out, 1, length, wide),
          op === 'sum' ? { atol: 1e-4, rtol: 1e-4 } : { atol: 0, rtol: 0 });
      }
      for (const [name, min] of ARG_FORMS) {
        await compareOutputs(`${name} hostile columns length=${length}`, backend, reference, [x2],
          [{ size: wide, dtype: 'int32' }], (b, [sx], [out]) => b.argMax(sx, out, 1, length, wide, min),
          { atol: 0, rtol: 0 });
      }
    }
  },
});

/**
 * The reduce cases that run down columns (inner > 1), whose webgpu kernel follows the GEMM
 * variant (reduce_columns or reduce_serial): the webgpu suite runs these on both variants.
 */
export const columnCases: KernelCase[] = cases.filter((c) => c.name.startsWith('reduce') && /columns|general/.test(c.name));
