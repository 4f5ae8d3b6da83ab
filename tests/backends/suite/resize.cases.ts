/**
 * Cases for the image resize kernel (ResizeParams; every backend): bilinear and nearest on odd
 * shapes (1x1 up to 7x5; 1, 3, 4, 5, 33 channels: wasm's one-channel path, whole vectors and the
 * overlapping last vector), up, down and the same size, every alignCorners / halfPixelCenters
 * combination, NaN, Inf and -0 among the values; bit for bit against the reference, whose
 * values a small hand-worked case pins.
 */
import { assertExact, compareOutputs, knownGap, randomArray, upload, withKernels, type KernelCase } from './harness.js';
import type { ResizeParams, Storage } from '../../../src/backends/backend.js';

export const cases: KernelCase[] = [];

type Geometry = Omit<ResizeParams<Storage>, 'x' | 'out' | 'method'>;

const SHAPES: [number, number, number, number, number, number][] = [
  // batch, inH, inW, channels, outH, outW
  [1, 1, 1, 3, 7, 5], [1, 1, 1, 1, 1, 1], [2, 3, 4, 1, 7, 9], [1, 5, 7, 3, 3, 2], [1, 4, 4, 4, 9, 8],
  [2, 6, 5, 5, 3, 11], [1, 3, 2, 33, 5, 7], [1, 9, 7, 33, 4, 3], [1, 2, 3, 8, 2, 3], [1, 8, 8, 2, 16, 16],
  // The same size (one pass: -0 and Inf must still come out as the blends make them), 3 and 5 channels.
  [1, 5, 7, 3, 5, 7], [2, 4, 3, 5, 4, 3], [1, 5, 1, 1, 7, 1],
];
const FLAGS: [boolean, boolean][] = [[false, false], [true, false], [false, true]];

for (const method of ['bilinear', 'nearest'] as const) {
  cases.push({
    name: `resize ${method}: ${SHAPES.length} shapes (1x1 -> 7x5, 1..33 channels, up, down and same size) x every alignCorners/halfPixelCenters, with NaN/Inf`,
    run: async (backend, reference) => {
      if (knownGap(backend, 'resize')) return;
      for (const [batch, inHeight, inWidth, channels, outHeight, outWidth] of SHAPES) {
        for (const [alignCorners, halfPixelCenters] of FLAGS) {
          const g: Geometry = { batch, inHeight, inWidth, channels, outHeight, outWidth, alignCorners, halfPixelCenters };
          const n = batch * inHeight * inWidth * channels;
          const x = randomArray(n, 600 + n + outHeight * 7 + outWidth, -4, 4);
          if (n > 6) { x[1] = NaN; x[n - 2] = Infinity; x[Math.floor(n / 2)] = -Infinity; x[3] = -0; }
          await compareOutputs(`resize ${method} ${JSON.stringify(g)}`, backend, reference, [x],
            [{ size: batch * outHeight * outWidth * channels }],
            (b, [xs], [out]) => b.resize({ method, x: xs, out, ...g }), 'exact');
        }
      }
    },
  });
}

cases.push({
  name: 'resize bilinear and nearest of a 2x2 image by hand (the reference itself)',
  run: async (backend) => {
    if (knownGap(backend, 'resize')) return;
    const b = withKernels(backend);
    const run = async (method: 'bilinear' | 'nearest', alignCorners: boolean, halfPixelCenters: boolean, outHeight: number, outWidth: number) => {
      const x = upload(b, new Float32Array([0, 1, 2, 3]), 'float32');
      const out = b.alloc(outHeight * outWidth, 'float32');
      b.resize({ method, x, out, batch: 1, inHeight: 2, inWidth: 2, channels: 1, outHeight, outWidth, alignCorners, halfPixelCenters });
      const values = await b.read(out);
      b.free(x); b.free(out);
      return values;
    };
    // alignCorners: the corners stay, the middle is the average; halfPixelCenters 2 rows to 1: both rows, half each.
    assertExact('bilinear alignCorners 3x3', await run('bilinear', true, false, 3, 3), new Float32Array([0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3]));
    assertExact('bilinear 1x4', await run('bilinear', false, false, 1, 4), new Float32Array([0, 0.5, 1, 1]));
    assertExact('bilinear halfPixelCenters 1x4', await run('bilinear', false, true, 1, 4), new Float32Array([1, 1.25, 1.75, 2]));
    assertExact('nearest 3x3', await run('nearest', false, false, 3, 3), new Float32Array([0, 0, 1, 0, 0, 1, 2, 2, 3]));
    assertExact('nearest alignCorners 3x3', await run('nearest', true, false, 3, 3), new Float32Array([0, 1, 1, 2, 3, 3, 2, 3, 3]));
  },
});
