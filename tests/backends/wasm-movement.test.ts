/**
 * The wasm data-movement kernels (assembly/movement.ts: copyStrided, cast, fill, gatherRows)
 * on both builds, word for word against the reference backend: ranks 0 to 7, sizes 0 and 1,
 * zero strides (broadcast), negative strides (reverse), offsets, transposes, slices and
 * concats; float32, int32 and bool; casts of hostile values (NaN, infinities, magnitudes past
 * 2^31, -0); fills of values that need ToInt32 or != 0.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { createWasmBackend, type WasmBackend } from '../../src/backends/wasm/index.js';
import { createReferenceBackend } from '../../src/backends/reference/index.js';
import type { Backend, DType, Storage, TypedArray } from '../../src/backends/backend.js';
import { mulberry32 } from './suite/harness.js';


function valuesOf(dtype: DType, size: number, random: () => number): TypedArray {
  if (dtype === 'float32') return Float32Array.from({ length: size }, () => random() * 200 - 100);
  if (dtype === 'bool') return Int32Array.from({ length: size }, () => (random() < 0.5 ? 1 : 0));
  return Int32Array.from({ length: size }, () => Math.floor(random() * 2 ** 32) - 2 ** 31);
}

function upload(backend: Backend, dtype: DType, values: TypedArray): Storage {
  const s = backend.alloc(values.length, dtype);
  backend.write(s, values);
  return s;
}

/** Bits of a read-back, so NaN payloads and -0 compare exactly. */
function bits(values: TypedArray): number[] {
  return Array.from(new Int32Array(values.buffer, values.byteOffset, values.length));
}

interface CopySpec {
  shape: number[]; srcStrides: number[]; srcOffset: number; dstStrides: number[]; dstOffset: number;
  srcSize: number; dstSize: number;
}

/** A random strided copy whose every read and write is in range: strides of any sign (0 included) over src, distinct positions in dst. */
function randomCopy(random: () => number, rank: number): CopySpec {
  const shape = Array.from({ length: rank }, () => {
    const r = random();
    return r < 0.08 ? 1 : r < 0.1 ? 0 : 1 + Math.floor(random() * (rank > 4 ? 4 : 7));
  });
  // Source: strides of any sign, some 0 (broadcast); the offset keeps the lowest read at >= 0.
  const srcStrides = shape.map(() => {
    const r = random();
    return r < 0.2 ? 0 : (r < 0.5 ? -1 : 1) * (1 + Math.floor(random() * 9));
  });
  let low = 0, high = 0;
  shape.forEach((d, i) => { const reach = (Math.max(d, 1) - 1) * srcStrides[i]; if (reach < 0) low += reach; else high += reach; });
  const srcOffset = -low + Math.floor(random() * 3);
  const srcSize = srcOffset + high + 1 + Math.floor(random() * 3);
  // Destination: a padded row-major layout, axes permuted (a transpose), maybe reversed.
  const order = shape.map((_, i) => i).sort(() => random() - 0.5);
  const dstStrides = new Array<number>(rank).fill(0);
  let step = 1;
  for (let j = rank - 1; j >= 0; j--) {
    const axis = order[j];
    dstStrides[axis] = step;
    step *= Math.max(shape[axis], 1) + (random() < 0.3 ? 1 : 0);
  }
  let dstOffset = Math.floor(random() * 3);
  shape.forEach((d, i) => {
    if (random() < 0.25) { dstOffset += (Math.max(d, 1) - 1) * dstStrides[i]; dstStrides[i] = -dstStrides[i]; }
  });
  let dstHigh = dstOffset;
  shape.forEach((d, i) => { if (dstStrides[i] > 0) dstHigh += (Math.max(d, 1) - 1) * dstStrides[i]; });
  return { shape, srcStrides, srcOffset, dstStrides, dstOffset, srcSize, dstSize: dstHigh + 1 + Math.floor(random() * 3) };
}

for (const variant of ['simd', 'relaxed'] as const) {
  describe(`wasm ${variant}: data movement against the reference`, () => {
    let wasm: WasmBackend;
    const reference = createReferenceBackend();
    beforeAll(async () => { wasm = await createWasmBackend({ variant }); });

    function runCopy(spec: CopySpec, dtype: DType, seed: number): void {
      const random = mulberry32(seed);
      const src = valuesOf(dtype, spec.srcSize, random);
      const dst = valuesOf(dtype, spec.dstSize, random); // untouched words must survive
      const results = ([wasm, reference] as Backend[]).map((backend) => {
        const s = upload(backend, dtype, src), d = upload(backend, dtype, dst);
        backend.copyStrided(s, d, [...spec.shape], [...spec.srcStrides], spec.srcOffset, [...spec.dstStrides], spec.dstOffset);
        const out = backend.readSync(d);
        backend.free(s); backend.free(d);
        return bits(out);
      });
      expect(results[0], JSON.stringify(spec)).toEqual(results[1]);
    }

    it('copyStrided: random shapes and strides, ranks 0-7, every dtype', () => {
      const before = wasm.bytesInUse();
      let seed = 1;
      for (let rank = 0; rank <= 7; rank++) {
        for (let trial = 0; trial < 40; trial++) {
          const spec = randomCopy(mulberry32(seed * 7919), rank);
          for (const dtype of ['float32', 'int32', 'bool'] as DType[]) runCopy(spec, dtype, seed++);
        }
      }
      expect(wasm.bytesInUse()).toBe(before);
    });

    it('copyStrided: the movement ops\' patterns (slice, concat, transpose, broadcast, reverse, pad)', () => {
      const cases: CopySpec[] = [
        // slice rows 2..5 of a 9 x 13 matrix, columns 3..11
        { shape: [3, 8], srcStrides: [13, 1], srcOffset: 29, dstStrides: [8, 1], dstOffset: 0, srcSize: 117, dstSize: 24 },
        // concat: a 5 x 7 block into columns 4..11 of a 5 x 11 output
        { shape: [5, 7], srcStrides: [7, 1], srcOffset: 0, dstStrides: [11, 1], dstOffset: 4, srcSize: 35, dstSize: 55 },
        // transposes written in dst order (the tiled path): 53 x 37 from a 37 x 53 matrix, a batch
        // of three 21 x 19 from 19 x 21, and a reversed one
        { shape: [53, 37], srcStrides: [1, 53], srcOffset: 0, dstStrides: [37, 1], dstOffset: 0, srcSize: 1961, dstSize: 1961 },
        { shape: [3, 21, 19], srcStrides: [399, 1, 21], srcOffset: 2, dstStrides: [400, 19, 1], dstOffset: 1, srcSize: 1200, dstSize: 1200 },
        { shape: [40, 18], srcStrides: [1, -40], srcOffset: 680, dstStrides: [-18, 1], dstOffset: 702, srcSize: 720, dstSize: 720 },
        // transpose 2 x 3 x 4 -> 4 x 3 x 2
        { shape: [2, 3, 4], srcStrides: [12, 4, 1], srcOffset: 0, dstStrides: [1, 2, 6], dstOffset: 0, srcSize: 24, dstSize: 24 },
        // broadcast a row of 33 over 17 rows, and a column over 33 columns
        { shape: [17, 33], srcStrides: [0, 1], srcOffset: 0, dstStrides: [33, 1], dstOffset: 0, srcSize: 33, dstSize: 561 },
        { shape: [17, 33], srcStrides: [1, 0], srcOffset: 0, dstStrides: [33, 1], dstOffset: 0, srcSize: 17, dstSize: 561 },
        // reverse both axes of 6 x 131
        { shape: [6, 131], srcStrides: [-131, -1], srcOffset: 785, dstStrides: [131, 1], dstOffset: 0, srcSize: 786, dstSize: 786 },
        // pad: 4 x 5 x 6 into the middle of 6 x 7 x 8
        { shape: [4, 5, 6], srcStrides: [30, 6, 1], srcOffset: 0, dstStrides: [56, 8, 1], dstOffset: 56 + 8 + 1, srcSize: 120, dstSize: 336 },
        // a whole contiguous 6-D tensor with size-1 axes (merges to one memory.copy)
        { shape: [2, 1, 3, 1, 4, 5], srcStrides: [60, 60, 20, 20, 5, 1], srcOffset: 0, dstStrides: [60, 60, 20, 20, 5, 1], dstOffset: 0, srcSize: 120, dstSize: 120 },
        // a size-0 axis copies nothing; rank 0 copies one word
        { shape: [3, 0, 2], srcStrides: [2, 2, 1], srcOffset: 0, dstStrides: [2, 2, 1], dstOffset: 0, srcSize: 6, dstSize: 6 },
        { shape: [], srcStrides: [], srcOffset: 4, dstStrides: [], dstOffset: 2, srcSize: 5, dstSize: 3 },
        // a long run (memory.copy past 64 KiB)
        { shape: [3, 20000], srcStrides: [20000, 1], srcOffset: 0, dstStrides: [20001, 1], dstOffset: 1, srcSize: 60000, dstSize: 60004 },
      ];
      cases.forEach((spec, i) => { for (const dtype of ['float32', 'int32', 'bool'] as DType[]) runCopy(spec, dtype, 100 + i); });
    });

    it('cast: every dtype pair, hostile values, sizes around the vector width', () => {
      const hostile = [0, -0, 1, -1, 0.5, -0.5, 2.7, -2.7, 1e-45, NaN, Infinity, -Infinity, 2147483520, 2147483648,
        -2147483648, -2147483904, 3e9, -3e9, 4294967296, 5e9, 1e10, -1e10, 3.4e38, 123456789, 16777217];
      const ints = [0, 1, -1, 2, 7, -7, 2147483647, -2147483648, 16777217, 16777219, 123456789, -987654321];
      for (const size of [0, 1, 3, 4, 5, 17, hostile.length]) {
        for (const from of ['float32', 'int32', 'bool'] as DType[]) {
          for (const to of ['float32', 'int32', 'bool'] as DType[]) {
            const values: TypedArray = from === 'float32'
              ? Float32Array.from({ length: size }, (_, i) => hostile[i % hostile.length])
              : Int32Array.from({ length: size }, (_, i) => (from === 'bool' ? i % 2 : ints[i % ints.length]));
            const results = ([wasm, reference] as Backend[]).map((backend) => {
              const x = upload(backend, from, values), out = backend.alloc(Math.max(size, 1), to);
              backend.cast(x, out, size);
              const read = backend.readSync(out).slice(0, size);
              backend.free(x); backend.free(out);
              return bits(read);
            });
            expect(results[0], `${from} -> ${to}, size ${size}`).toEqual(results[1]);
          }
        }
      }
    });

    it('cast in place (x and out the same storage)', () => {
      for (const backend of [wasm, reference] as Backend[]) {
        const s = upload(backend, 'float32', Float32Array.from([1.5, -2.5, NaN, 0, 3e9]));
        backend.cast(s, s, 5);
        expect(Array.from(backend.readSync(s))).toEqual([1.5, -2.5, NaN, 0, 3e9].map((v) => Math.fround(v)));
        backend.free(s);
      }
    });

    it('fill: values that need rounding, ToInt32 or != 0, sizes around the vector width', () => {
      for (const size of [0, 1, 3, 15, 16, 17, 67]) {
        for (const dtype of ['float32', 'int32', 'bool'] as DType[]) {
          for (const value of [0, -0, 0.1, -2.7, 2.7, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32 + 5, -(2 ** 31) - 1, 1e20]) {
            const results = ([wasm, reference] as Backend[]).map((backend) => {
              const out = upload(backend, dtype, new Int32Array(size + 2).fill(-7));
              backend.fill(out, size, value);
              const read = backend.readSync(out);
              backend.free(out);
              return bits(read);
            });
            expect(results[0], `${dtype} ${value} x ${size}`).toEqual(results[1]);
          }
        }
      }
    });

    it('gatherRows: repeated and out-of-order rows, odd widths, every dtype', () => {
      const random = mulberry32(77);
      for (const cols of [1, 3, 4, 17, 130]) {
        for (const dtype of ['float32', 'int32', 'bool'] as DType[]) {
          const rows = 11;
          const src = valuesOf(dtype, rows * cols, random);
          const indices = Int32Array.from({ length: 23 }, () => Math.floor(random() * rows));
          const results = ([wasm, reference] as Backend[]).map((backend) => {
            const s = upload(backend, dtype, src), i = upload(backend, 'int32', indices);
            const d = upload(backend, dtype, new Int32Array(23 * cols + 1).fill(5));
            backend.gatherRows!(s, i, d, 23, cols);
            const read = backend.readSync(d);
            for (const x of [s, i, d]) backend.free(x);
            return bits(read);
          });
          expect(results[0], `${dtype} cols ${cols}`).toEqual(results[1]);
        }
      }
    });
  });
}
