/**
 * Pooling kernel cases (pool2d and pool2dBackward, 'max' and 'avg') against the reference
 * backend on the conv geometries (conv-gpu.cases.ts), with inputs rounded to halves so that
 * windows hold ties (the max's gradient goes to the first pixel in row-major window order),
 * and hostile windows: NaN (wins the max, and takes its gradient), -Infinity, all-equal.
 */
import { compareOutputs, randomArray, type KernelCase } from './harness.js';
import { GEOMETRIES, geometryOf } from './conv-gpu.cases.js';

/** Values in [-2, 2] rounded to halves: windows of 4 or more pixels mostly hold ties. */
function tied(size: number, seed: number): Float32Array {
  return randomArray(size, seed, -2, 2).map((v) => Math.round(v * 2) / 2);
}

export const cases: KernelCase[] = [];

GEOMETRIES.forEach((c, i) => {
  for (const mode of ['max', 'avg'] as const) {
    cases.push({
      name: `pool2d ${mode} and its backward, ${c.label}, channels 1, 4, 17`,
      run: async (backend, reference) => {
        for (const channels of [1, 4, 17]) {
          const g = geometryOf(c, channels, channels);
          const xSize = g.batch * g.inHeight * g.inWidth * channels, outSize = g.batch * g.outHeight * g.outWidth * channels;
          const x = tied(xSize, 300 * i + channels);
          // Integer gradients: every sum of them is exact, so max routing is checked word for word.
          const dy = randomArray(outSize, 301 * i + channels, -8, 8).map(Math.round);
          const label = `${c.label} ${mode} c=${channels}`;
          await compareOutputs(`${label} pool2d`, backend, reference, [x], [{ size: outSize }],
            (b, [xs], [out]) => b.pool2d({ ...g, mode, x: xs, out }), mode === 'max' ? 'exact' : undefined);
          await compareOutputs(`${label} pool2dBackward`, backend, reference, [x, dy], [{ size: xSize }],
            (b, [xs, dys], [dx]) => b.pool2dBackward({ ...g, mode, x: xs, dy: dys, dx }), mode === 'max' ? 'exact' : undefined);
        }
      },
    });
  }
});

cases.push({
  name: 'pool2d max and avg with NaN, -Infinity and all-equal windows, and their backward',
  run: async (backend, reference) => {
    const g = geometryOf({ label: '', x: [1, 6, 6, 2], filter: [3, 3], strides: 2, pad: 'same' }, 2, 2);
    const x = tied(72, 5);
    x[0] = Number.NaN; x[14] = Number.NaN;                 // two NaNs in one window (channel 0): the first wins
    for (const at of [25, 27, 37, 39]) x[at] = -Infinity;  // -Infinity pixels (channel 1)
    for (let at = 49; at < 72; at += 2) x[at] = 1;         // equal values (channel 1, bottom rows)
    const dy = randomArray(18, 6, -8, 8).map(Math.round);
    for (const mode of ['max', 'avg'] as const) {
      await compareOutputs(`hostile ${mode} pool2d`, backend, reference, [x], [{ size: 18 }],
        (b, [xs], [out]) => b.pool2d({ ...g, mode, x: xs, out }), mode === 'max' ? 'exact' : undefined);
      await compareOutputs(`hostile ${mode} pool2dBackward`, backend, reference, [x, dy], [{ size: 72 }],
        (b, [xs, dys], [dx]) => b.pool2dBackward({ ...g, mode, x: xs, dy: dys, dx }), mode === 'max' ? 'exact' : undefined);
    }
  },
});

cases.push({
  name: 'pool2d with a window that has no pixel inside (explicit padding 3 > 3x3 window): max -Infinity, avg NaN',
  run: async (backend, reference) => {
    // padTop 3 with a 2x2 window at stride 2: the first output row reads rows -3 and -2 only.
    const g = { ...geometryOf({ label: '', x: [1, 4, 4, 1], filter: [2, 2], strides: 2, pad: [[0, 0], [3, 0], [0, 0], [0, 0]] }, 1, 1) };
    const x = tied(16, 8);
    const outSize = g.outHeight * g.outWidth;
    for (const mode of ['max', 'avg'] as const) {
      const [got] = await compareOutputs(`empty window ${mode}`, backend, reference, [x], [{ size: outSize }],
        (b, [xs], [out]) => b.pool2d({ ...g, mode, x: xs, out }));
      if (!(mode === 'max' ? got[0] === -Infinity : Number.isNaN(got[0]))) throw new Error(`empty window ${mode}: got ${got[0]}`);
    }
  },
});

cases.push({
  name: 'global pooling: a 260x260 window over a 2x260x260x2 image (67,600 taps, past lavapipe\'s 65,535-iteration loop cap if serial)',
  run: async (backend, reference) => {
    const g = geometryOf({ label: '', x: [2, 260, 260, 2], filter: [260, 260], strides: 1, pad: 'valid' }, 2, 2);
    const x = tied(2 * 260 * 260 * 2, 11);
    const dy = Float32Array.from([3, -2, 5, 7]);
    for (const mode of ['max', 'avg'] as const) {
      await compareOutputs(`global ${mode} pool2d`, backend, reference, [x], [{ size: 4 }],
        (b, [xs], [out]) => b.pool2d({ ...g, mode, x: xs, out }), mode === 'max' ? 'exact' : { atol: 1e-5, rtol: 1e-4 });
      await compareOutputs(`global ${mode} pool2dBackward`, backend, reference, [x, dy], [{ size: x.length }],
        (b, [xs, dys], [dx]) => b.pool2dBackward({ ...g, mode, x: xs, dy: dys, dx }), mode === 'max' ? 'exact' : undefined);
    }
  },
});

cases.push({
  name: 'pool2d with 33x33 windows (a workgroup per window) at stride 3 same, with ties and NaNs, and its backward',
  run: async (backend, reference) => {
    const g = geometryOf({ label: '', x: [1, 40, 38, 3], filter: [33, 33], strides: 3, pad: 'same' }, 3, 3);
    const x = tied(40 * 38 * 3, 13);
    for (const at of [3 * 500, 3 * 777 + 1, 3 * 1200 + 1, 3 * 901 + 2]) x[at] = Number.NaN;
    const outSize = g.outHeight * g.outWidth * 3;
    const dy = randomArray(outSize, 14, -8, 8).map(Math.round);
    for (const mode of ['max', 'avg'] as const) {
      await compareOutputs(`33x33 ${mode} pool2d`, backend, reference, [x], [{ size: outSize }],
        (b, [xs], [out]) => b.pool2d({ ...g, mode, x: xs, out }), mode === 'max' ? 'exact' : undefined);
      await compareOutputs(`33x33 ${mode} pool2dBackward`, backend, reference, [x, dy], [{ size: x.length }],
        (b, [xs, dys], [dx]) => b.pool2dBackward({ ...g, mode, x: xs, dy: dys, dx }), mode === 'max' ? 'exact' : undefined);
    }
  },
});
