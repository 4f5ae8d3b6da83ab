/** Cases for the cold-path data movement kernels: copyStrided, gatherRows, oneHot, cast, fill. */
import { compareOutputs, randomArray, type KernelCase } from './harness.js';

function contiguousStrides(shape: number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) { strides[i] = s; s *= shape[i]; }
  return strides;
}

export const cases: KernelCase[] = [];

// Transposes of rank 2..4 (permuted strides) and slices with offsets.
for (const shape of [[1], [7], [3, 5], [17, 4], [2, 3, 5], [3, 1, 4, 2]]) {
  const size = shape.reduce((a, b) => a * b, 1);
  const strides = contiguousStrides(shape);
  const permuted = [...shape.keys()].reverse();
  cases.push({
    name: `copyStrided transpose [${shape}]`,
    run: (backend, reference) => compareOutputs(`copyStrided [${shape}]`, backend, reference,
      [randomArray(size, size + 11)], [{ size }],
      (b, [src], [dst]) => b.copyStrided(src, dst, permuted.map((a) => shape[a]),
        permuted.map((a) => strides[a]), 0, contiguousStrides(permuted.map((a) => shape[a])), 0))
      .then(() => undefined),
  });
}
cases.push({
  name: 'copyStrided slice with offsets (rows 2..5, cols 3..9 of 7x11 into 8x12 at 1,1)',
  run: (backend, reference) => compareOutputs('copyStrided slice', backend, reference,
    [randomArray(77, 5)], [{ size: 96 }],
    (b, [src], [dst]) => {
      b.fill(dst, 96, 0);
      b.copyStrided(src, dst, [3, 6], [11, 1], 2 * 11 + 3, [12, 1], 13);
    }).then(() => undefined),
});
cases.push({
  name: 'copyStrided broadcast (stride 0) of a row over 5 rows',
  run: (backend, reference) => compareOutputs('copyStrided broadcast', backend, reference,
    [randomArray(7, 9)], [{ size: 35 }],
    (b, [src], [dst]) => b.copyStrided(src, dst, [5, 7], [0, 1], 0, [7, 1], 0)).then(() => undefined),
});
cases.push({
  name: 'copyStrided int32 and empty shapes',
  run: (backend, reference) => compareOutputs('copyStrided int32', backend, reference,
    [Int32Array.from({ length: 12 }, (_, i) => i * 3 - 7)], [{ size: 12, dtype: 'int32' }],
    (b, [src], [dst]) => {
      b.fill(dst, 12, 0);
      b.copyStrided(src, dst, [0, 4], [4, 1], 0, [4, 1], 0);
      b.copyStrided(src, dst, [4, 3], [1, 4], 0, [3, 1], 0);
    }).then(() => undefined),
});

for (const [rows, cols] of [[1, 1], [3, 7], [33, 5], [5, 257]]) {
  const indices = Int32Array.from({ length: rows + 2 }, (_, i) => (i * 7 + 3) % rows);
  cases.push({
    name: `gatherRows ${indices.length} of ${rows}x${cols}`,
    run: (backend, reference) => compareOutputs('gatherRows', backend, reference,
      [randomArray(rows * cols, rows + cols), indices], [{ size: indices.length * cols }],
      (b, [src, index], [dst]) => b.gatherRows(src, index, dst, indices.length, cols)).then(() => undefined),
  });
}

for (const depth of [1, 3, 10, 33]) {
  const indices = Int32Array.from([0, depth - 1, 2, -1, depth, 5, 1]);
  cases.push({
    name: `oneHot depth ${depth} (out-of-range rows are zero)`,
    run: (backend, reference) => compareOutputs('oneHot', backend, reference,
      [indices], [{ size: indices.length * depth }],
      (b, [index], [out]) => b.oneHot(index, out, indices.length, depth)).then(() => undefined),
  });
}

cases.push({
  name: 'cast float32 -> int32 truncates toward zero, int32 -> float32',
  run: async (backend, reference) => {
    const values = Float32Array.from([0, 1.9, -1.9, 2.5, -2.5, 1e6, -7, 0.49]);
    const ints = await compareOutputs('cast f->i', backend, reference, [values],
      [{ size: values.length, dtype: 'int32' }], (b, [x], [out]) => b.cast(x, out, values.length));
    if (ints[0][1] !== 1 || ints[0][2] !== -1) throw new Error(`cast: 1.9 -> ${ints[0][1]}, -1.9 -> ${ints[0][2]}`);
    await compareOutputs('cast i->f', backend, reference, [Int32Array.from([3, -4, 0, 1 << 20])],
      [{ size: 4 }], (b, [x], [out]) => b.cast(x, out, 4));
  },
});

for (const size of [1, 5, 33]) {
  cases.push({
    name: `fill ${size} float32 and int32`,
    run: async (backend, reference) => {
      await compareOutputs('fill f32', backend, reference, [], [{ size }], (b, _, [out]) => b.fill(out, size, -2.5));
      await compareOutputs('fill i32', backend, reference, [], [{ size, dtype: 'int32' }],
        (b, _, [out]) => b.fill(out, size, 7));
    },
  });
}
