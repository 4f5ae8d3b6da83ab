/**
 * Cases for 'bool' and the kernels that make or consume it: every comparison on float32,
 * int32 and bool operands, the logical ops on bool operands, select on each value dtype,
 * cast to and from bool, and bool fill / write / read. All exact: compared word for word
 * with the reference, over odd sizes and every form of the repeat rule (an operand of size
 * n, 1, or a divisor of n, one or both repeating), with NaN, +-Infinity, -0 against 0,
 * subnormals and the int32 extremes among the values. A semantics case pins the reference
 * itself to IEEE results.
 */
import {
  assertExact, bools, compareOutputs, ODD_SIZES, randomArray, withKernels, upload,
  type Input, type KernelBackend, type KernelCase,
} from './harness.js';
import type { BinaryOp, DType, TypedArray } from '../../../src/backends/backend.js';

const COMPARISON_OPS: BinaryOp[] = ['equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual'];
const LOGIC_OPS: BinaryOp[] = ['logicalAnd', 'logicalOr', 'logicalXor'];

const FLOAT_POOL = [NaN, Infinity, -Infinity, -0, 0, 1, -1, 0.5, -2.5, 3.4e38, -3.4e38, 1e-40, -1e-40, 7];
const INT_POOL = [0, 1, -1, 2, -2, 2147483647, -2147483648, 7, 1000];

/**
 * `size` values of `dtype` drawn from a small pool (so equal pairs are common) with a
 * random value mixed in now and then; bool values are 0 / 1.
 */
function values(dtype: DType, size: number, seed: number): Input {
  const pick = randomArray(size, seed, 0, 1);
  if (dtype === 'bool') return bools(Array.from(pick, (u) => (u < 0.5 ? 1 : 0)));
  if (dtype === 'int32') {
    return Int32Array.from(pick, (u, i) => (i % 5 === 4 ? Math.floor(u * 2000 - 1000) : INT_POOL[Math.floor(u * INT_POOL.length)]));
  }
  return Float32Array.from(pick, (u, i) => (i % 5 === 4 ? u * 8 - 4 : FLOAT_POOL[Math.floor(u * FLOAT_POOL.length)]));
}

/**
 * [n, aSize, bSize] in every repeat form: both full over the odd sizes, one or both a
 * scalar, one a period dividing n (rows of 3, 4, 7, 11, 17, 51: shorter and longer than a
 * vector), and both repeating with different periods.
 */
const PAIR_SHAPES: [number, number, number][] = [
  ...ODD_SIZES.map((n): [number, number, number] => [n, n, n]),
  ...ODD_SIZES.map((n): [number, number, number] => [n, n, 1]),
  ...ODD_SIZES.map((n): [number, number, number] => [n, 1, n]),
  [1, 1, 1], [7, 1, 1], [33, 1, 1],
  [33, 33, 11], [33, 3, 33], [255, 255, 17], [255, 51, 255], [36, 36, 4], [40, 4, 40], [21, 21, 7], [21, 3, 21],
  [12, 4, 3], [12, 3, 4], [30, 6, 5],
];

function comparisonCase(op: BinaryOp, dtype: DType): KernelCase {
  return {
    name: `binary ${op} ${dtype} operands -> bool, odd sizes and every repeat form`,
    run: async (backend, reference) => {
      for (const [n, aSize, bSize] of PAIR_SHAPES) {
        const seed = n * 131 + aSize * 7 + bSize;
        await compareOutputs(`binary ${op} ${dtype} n=${n} aSize=${aSize} bSize=${bSize}`, backend, reference,
          [values(dtype, aSize, seed), values(dtype, bSize, seed + 1)], [{ size: n, dtype: 'bool' }],
          (b, [sa, sb], [out]) => b.binary(op, sa, aSize, sb, bSize, out, n), 'exact');
      }
    },
  };
}

export const cases: KernelCase[] = [];

for (const op of COMPARISON_OPS) for (const dtype of ['float32', 'int32', 'bool'] as const) cases.push(comparisonCase(op, dtype));
for (const op of LOGIC_OPS) cases.push(comparisonCase(op, 'bool'));

/** Run one binary op on one pair of values on `backend`; returns the output word. */
async function binaryOnce(backend: KernelBackend, op: BinaryOp, dtype: DType, x: number, y: number): Promise<number> {
  const array = dtype === 'float32' ? Float32Array : Int32Array;
  const a = upload(backend, array.of(x), dtype), b = upload(backend, array.of(y), dtype);
  const out = backend.alloc(1, 'bool');
  backend.binary(op, a, 1, b, 1, out, 1);
  const [value] = await backend.read(out);
  for (const s of [a, b, out]) backend.free(s);
  return value;
}

cases.push({
  name: 'comparison and logic results are IEEE / truth-table results (pins the reference too)',
  run: async (backend, reference) => {
    const expectations: [BinaryOp, DType, number, number, number][] = [
      ['equal', 'float32', -0, 0, 1], ['equal', 'float32', NaN, NaN, 0], ['notEqual', 'float32', NaN, NaN, 1],
      ['notEqual', 'float32', 0, -0, 0], ['less', 'float32', -Infinity, Infinity, 1], ['less', 'float32', NaN, 1, 0],
      ['lessEqual', 'float32', 1, NaN, 0], ['lessEqual', 'float32', -0, 0, 1], ['greater', 'float32', Infinity, 3.4e38, 1],
      ['greater', 'float32', NaN, -Infinity, 0], ['greaterEqual', 'float32', NaN, NaN, 0], ['greaterEqual', 'float32', 0, -0, 1],
      ['less', 'float32', -1e-40, 0, 1], ['less', 'int32', -2147483648, 2147483647, 1], ['greater', 'int32', -1, 0, 0],
      ['equal', 'bool', 1, 1, 1], ['less', 'bool', 0, 1, 1],
      ['logicalAnd', 'bool', 1, 0, 0], ['logicalAnd', 'bool', 1, 1, 1], ['logicalOr', 'bool', 0, 0, 0],
      ['logicalOr', 'bool', 0, 1, 1], ['logicalXor', 'bool', 1, 1, 0], ['logicalXor', 'bool', 1, 0, 1],
    ];
    for (const b of [withKernels(backend), withKernels(reference)]) {
      for (const [op, dtype, x, y, want] of expectations) {
        const got = await binaryOnce(b, op, dtype, x, y);
        if (got !== want) throw new Error(`${b.name}: ${op}(${x}, ${y}) on ${dtype} gave ${got}, expected ${want}`);
      }
    }
  },
});

// ---- select

/** [n, condSize, aSize, bSize]: each operand full, a scalar, or a divisor; shared and mixed periods. */
const SELECT_SHAPES: [number, number, number, number][] = [
  ...ODD_SIZES.map((n): [number, number, number, number] => [n, n, n, n]),
  ...ODD_SIZES.map((n): [number, number, number, number] => [n, 1, n, n]),
  ...ODD_SIZES.map((n): [number, number, number, number] => [n, n, 1, n]),
  ...ODD_SIZES.map((n): [number, number, number, number] => [n, n, n, 1]),
  ...ODD_SIZES.map((n): [number, number, number, number] => [n, n, 1, 1]),
  [1, 1, 1, 1], [33, 1, 1, 1], [33, 11, 33, 33], [33, 33, 11, 1], [255, 17, 255, 17], [255, 1, 51, 255],
  [36, 4, 36, 4], [36, 36, 36, 4], [21, 7, 1, 21], [21, 3, 21, 3], [12, 4, 3, 12], [30, 6, 5, 30], [60, 4, 3, 5],
];

for (const dtype of ['float32', 'int32', 'bool'] as const) {
  cases.push({
    name: `select ${dtype} values, odd sizes and every repeat form of cond, a and b`,
    run: async (backend, reference) => {
      for (const [n, cSize, aSize, bSize] of SELECT_SHAPES) {
        const seed = n * 17 + cSize * 5 + aSize * 3 + bSize;
        await compareOutputs(`select ${dtype} n=${n} cond=${cSize} a=${aSize} b=${bSize}`, backend, reference,
          [values('bool', cSize, seed), values(dtype, aSize, seed + 1), values(dtype, bSize, seed + 2)],
          [{ size: n, dtype }], (be, [c, a, b], [out]) => be.select(c, cSize, a, aSize, b, bSize, out, n), 'exact');
      }
    },
  });
}

cases.push({
  name: 'select in place (out = a, out = b) n=257 and rows of 17',
  run: async (backend, reference) => {
    for (const [n, cSize, into] of [[257, 257, 'a'], [257, 1, 'b'], [255, 17, 'a'], [255, 17, 'b']] as const) {
      const inputs = [values('bool', cSize, n + cSize), values('float32', n, n + 1), values('float32', n, n + 2)];
      const results: TypedArray[] = [];
      for (const be of [withKernels(backend), withKernels(reference)]) {
        const [c, a, b] = inputs.map((v) => (ArrayBuffer.isView(v) ? upload(be, v) : upload(be, v.values, v.dtype)));
        const out = into === 'a' ? a : b;
        be.select(c, cSize, a, n, b, n, out, n);
        results.push(await be.read(out));
        for (const s of [c, a, b]) be.free(s);
      }
      assertExact(`select in place into ${into} n=${n} cond=${cSize}`, results[0], results[1]);
    }
  },
});

// ---- cast, fill, write and read of bool

const CAST_SOURCES: Record<Exclude<DType, 'complex64' | 'string'>, number[]> = { // storage dtypes (complex64 is float32 pairs)
  float32: [0, -0, NaN, Infinity, -Infinity, 0.3, -1e-40, 1, -2.5, 3.4e38],
  int32: [0, 1, -1, -2147483648, 2147483647, 5, 0],
  bool: [0, 1, 1, 0, 1],
};

for (const from of ['float32', 'int32', 'bool'] as const) {
  for (const to of ['float32', 'int32', 'bool'] as const) {
    if (from !== 'bool' && to !== 'bool') continue; // float32 <-> int32: movement.cases.ts
    cases.push({
      name: `cast ${from} -> ${to}, odd sizes`,
      run: async (backend, reference) => {
        for (const n of ODD_SIZES) {
          const pool = CAST_SOURCES[from];
          const source = values(from, n, n + 3);
          if (ArrayBuffer.isView(source)) for (let i = 0; i < Math.min(n, pool.length); i++) source[i] = pool[i];
          const [got] = await compareOutputs(`cast ${from} -> ${to} n=${n}`, backend, reference, [source],
            [{ size: n, dtype: to }], (b, [x], [out]) => b.cast(x, out, n), 'exact');
          if (to === 'bool' && from === 'float32' && n >= 7) {
            const want = [0, 0, 1, 1, 1, 1, 1]; // 0, -0, NaN, +-Inf, 0.3, -1e-40
            if (Array.from(got.subarray(0, 7)).join() !== want.join()) {
              throw new Error(`cast float32 -> bool of ${pool.slice(0, 7).join(', ')} gave ${Array.from(got.subarray(0, 7))}`);
            }
          }
        }
      },
    });
  }
}

cases.push({
  name: 'bool fill stores value != 0 as 0 / 1, odd sizes',
  run: async (backend, reference) => {
    for (const n of ODD_SIZES) {
      for (const value of [1, 0, 2.5, -0, NaN, -3]) {
        const [got] = await compareOutputs(`fill bool n=${n} value=${value}`, backend, reference, [],
          [{ size: n, dtype: 'bool' }], (b, _, [out]) => b.fill(out, n, value), 'exact');
        const want = value !== 0 ? 1 : 0;
        if (got.some((v) => v !== want)) throw new Error(`fill bool ${value} gave ${got[0]}, expected ${want}`);
      }
    }
  },
});

cases.push({
  name: 'bool write / read round-trips 0 / 1 as an Int32Array, odd sizes',
  run: async (backend) => {
    for (const n of ODD_SIZES) {
      const input = values('bool', n, n + 9) as { values: Int32Array };
      const storage = upload(backend, input.values, 'bool');
      const got = await backend.read(storage);
      backend.free(storage);
      if (!(got instanceof Int32Array)) throw new Error(`bool read back as ${got.constructor.name}`);
      assertExact(`bool round trip n=${n}`, got, input.values);
    }
  },
});
