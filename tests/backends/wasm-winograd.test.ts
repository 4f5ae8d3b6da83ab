/**
 * The float error of the wasm backend's Winograd F(4x4, 3x3) convolutions (assembly/winograd.ts)
 * on the MNIST CNN's conv2 (13x13x32 -> 11x11x64, 3x3 valid), both builds. The transforms scale
 * by up to 8 and 1/24 before the channel sums, so the error is larger than direct summation's.
 * Measured max |wasm - reference| / max |reference| (reference: float64 accumulation), printed by
 * the tests: forward about 3e-6, input gradient 5e-6, filter gradient 2.5e-6, where the im2col
 * GEMM gives about 6e-7; the bound is 1e-5 (the suite's own tolerance, 3e-5 * sqrt(terms) against
 * outputs of size ~10, would let an error 10x larger through).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { createWasmBackend, type WasmBackend } from '../../src/backends/wasm/index.js';
import { createReferenceBackend } from '../../src/backends/reference/index.js';
import { compareOutputs, randomArray } from './suite/harness.js';
import { geometryOf } from './suite/conv.cases.js';

const SHAPE = { x: [4, 13, 13, 32] as [number, number, number, number], f: [3, 3] as [number, number], out: 64, strides: 1, pad: 'valid' as const };
const BOUND = 1e-5;

function relativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let err = 0, scale = 0;
  for (let i = 0; i < want.length; i++) {
    err = Math.max(err, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return err / scale;
}

for (const variant of ['simd', 'relaxed'] as const) {
  describe(`wasm ${variant}: Winograd F(4x4, 3x3) error on the MNIST CNN's conv2`, () => {
    let backend: WasmBackend;
    const reference = createReferenceBackend();
    beforeAll(async () => { backend = await createWasmBackend({ variant }); });
    const g = geometryOf('conv2d', SHAPE, SHAPE.out);
    const xSize = 4 * 13 * 13 * 32, outSize = 4 * 11 * 11 * 64, fSize = 9 * 32 * 64;
    const x = randomArray(xSize, 11), filter = randomArray(fSize, 12), dy = randomArray(outSize, 13);
    const loose = { atol: 1, rtol: 1 };
    const both = async (inputs: Float32Array[], size: number, launch: Parameters<typeof compareOutputs>[5]) => {
      const [got] = await compareOutputs('winograd', backend, reference, inputs, [{ size }], launch, loose);
      const [want] = await compareOutputs('reference', reference, reference, inputs, [{ size }], launch, loose);
      return relativeError(got, want);
    };

    it('forward', async () => {
      const e = await both([x, filter], outSize, (b, [sx, sf], [out]) => b.conv2d({ ...g, x: sx, filter: sf, out, bias: null, activation: 'linear' }));
      console.log(`${variant} conv2d relative error ${e.toExponential(2)}`);
      expect(e).toBeGreaterThan(0);
      expect(e).toBeLessThan(BOUND);
    });
    it('input gradient', async () => {
      const e = await both([dy, filter], xSize, (b, [sdy, sf], [dx]) => b.conv2dBackpropInput({ ...g, dy: sdy, filter: sf, dx }));
      console.log(`${variant} conv2dBackpropInput relative error ${e.toExponential(2)}`);
      expect(e).toBeLessThan(BOUND);
    });
    it('filter gradient', async () => {
      const e = await both([x, dy], fSize, (b, [sx, sdy], [dFilter]) => b.conv2dBackpropFilter({ ...g, x: sx, dy: sdy, dFilter }));
      console.log(`${variant} conv2dBackpropFilter relative error ${e.toExponential(2)}`);
      expect(e).toBeLessThan(BOUND);
    });
  });
}
