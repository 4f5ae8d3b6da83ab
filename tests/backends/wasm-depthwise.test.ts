/**
 * The wasm depthwiseConv2d forward (assembly/depthwise.ts) against the reference backend's
 * float64 loops, on both builds, on the shapes of its paths: the unrolled 3x3 interior (single
 * pixels and pairs; 3x3 and 5x5 pairs at strides 1 and 2, with the last channel group of C % 4 != 0
 * moved back to C - 4) and the 1x1 filter (multiplier 1, channels 1..17: every f32x4 block and
 * scalar tail), the tap ranges at borders ('same', explicit and asymmetric padding, strides 1
 * and 2, dilation 2, a 1x1 input whose only pixel sees one tap), the scalar loops of
 * multipliers 2 and 3, batches 1 and 3, no bias / bias, the activations applied in registers
 * (linear, relu, relu6) and after (elu, sigmoid, tanh, leakyRelu), NaN and infinities in x, and
 * the [1, 1, pixels, C] view batchNormalization's inference runs (src/layers/normalization.ts). Outputs start as NaN
 * (harness.empty), so an element the kernel skips fails the case.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { EpilogueOp } from '../../src/backends/backend.js';
import { createReferenceBackend } from '../../src/backends/reference/index.js';
import { createWasmBackend, type WasmBackend } from '../../src/backends/wasm/index.js';
import type { ConvPadding } from '../../src/ops/conv/geometry.js';
import { compareOutputs, randomArray } from './suite/harness.js';
import { geometryOf, type ConvShape } from './suite/conv.cases.js';

interface Case { s: ConvShape; activation?: EpilogueOp; alpha?: number; bias?: boolean; hostile?: boolean }

const shape = (x: ConvShape['x'], f: [number, number], multiplier: number, strides: number | [number, number], pad: ConvPadding,
  dilations?: number): ConvShape => ({ x, f, out: multiplier, strides, pad, dilations });

const CASES: Case[] = [
  // Every channel count through the 3x3 interior and borders, strides 1 and 2, 'same' and 'valid'.
  ...Array.from({ length: 17 }, (_, i) => i + 1).flatMap((c): Case[] => [
    { s: shape([1, 6, 7, c], [3, 3], 1, 1, 'same'), bias: c % 2 === 1, activation: c % 3 === 0 ? 'relu6' : 'linear' },
    { s: shape([1, 7, 6, c], [3, 3], 1, 2, 'valid'), bias: true, activation: 'relu' },
    { s: shape([1, 5, 4, c], [1, 1], 1, 1, 'valid'), bias: c % 2 === 0 },
  ]),
  // Multipliers 1..3 on the border-heavy and strided shapes.
  ...[1, 2, 3].flatMap((m): Case[] => [
    { s: shape([3, 5, 6, 5], [3, 3], m, 1, 'same'), bias: true, activation: 'relu6' },
    { s: shape([1, 9, 8, 6], [3, 3], m, 2, 'same'), bias: true },
    { s: shape([3, 9, 9, 7], [3, 3], m, 1, 'same', 2) },
    { s: shape([1, 8, 9, 4], [3, 3], m, [2, 1], 'valid', 2), bias: true, activation: 'relu' },
    { s: shape([1, 1, 1, 9], [3, 3], m, 1, 'same'), bias: true },
    { s: shape([3, 1, 1, 6], [1, 1], m, 1, 'valid'), bias: true, activation: 'relu6' },
  ]),
  // Pixel pairs of the 3x3 interior (stride 1, no column dilation, C % 4 == 0): even and odd widths, bias, row dilation.
  { s: shape([2, 5, 8, 8], [3, 3], 1, 1, 'same'), bias: true, activation: 'relu6' },
  { s: shape([1, 6, 9, 12], [3, 3], 1, 1, 'valid'), bias: true, activation: 'relu' },
  { s: { x: [1, 9, 7, 16], f: [3, 3], out: 1, strides: 1, dilations: [2, 1], pad: 'same' }, bias: true },
  { s: shape([1, 5, 6, 20], [3, 3], 1, [2, 1], 'same'), bias: true },
  // Filters other than 3x3 and 1x1 run the ranged loops everywhere; asymmetric padding; a strided 1x1 filter.
  { s: shape([1, 7, 6, 12], [5, 5], 1, 1, 'same'), bias: true },
  { s: shape([3, 6, 7, 8], [2, 4], 1, [1, 2], 'same') },
  { s: shape([1, 6, 7, 5], [3, 3], 1, 1, [[0, 0], [2, 0], [0, 3], [0, 0]]), bias: true },
  { s: shape([1, 9, 9, 8], [1, 1], 1, 2, 'valid'), bias: true },
  { s: shape([1, 4, 4, 16], [4, 4], 1, 1, 'valid') },
  // Pixel pairs of 3x3 and 5x5 filters at strides 1 and 2 (border rows too), and the last channel group
  // moved back to C - 4 when C % 4 != 0 (the graph models' 18 and 22 channels): channels 1, 3 (scalar),
  // 18, 33, 'same' and 'valid', even and odd widths, row dilation, a width that fits only one pixel.
  ...[1, 3, 18, 33].flatMap((c): Case[] => [
    { s: shape([1, 7, 9, c], [5, 5], 1, 1, 'same'), bias: true, activation: 'relu6' },
    { s: shape([1, 8, 10, c], [5, 5], 1, 1, 'valid'), bias: c % 2 === 1 },
    { s: shape([2, 9, 11, c], [5, 5], 1, 2, 'same'), bias: true, activation: 'relu' },
    { s: shape([1, 11, 12, c], [5, 5], 1, 2, 'valid') },
    { s: shape([1, 7, 10, c], [3, 3], 1, 2, 'same'), bias: true, activation: 'relu6' },
    { s: shape([1, 8, 9, c], [3, 3], 1, 2, 'valid'), bias: true },
    { s: shape([1, 6, 9, c], [3, 3], 1, 1, 'same'), activation: 'relu' },
  ]),
  { s: { x: [1, 9, 12, 8], f: [5, 5], out: 1, strides: [1, 2], dilations: [2, 1], pad: 'same' }, bias: true },
  { s: shape([1, 5, 5, 8], [5, 5], 1, 1, 'valid'), bias: true },
  { s: shape([1, 9, 6, 18], [5, 5], 1, [2, 1], 'same'), bias: true, activation: 'elu' },
  { s: shape([1, 7, 8, 18], [5, 5], 1, 1, 'same'), bias: true, activation: 'relu6', hostile: true },
  { s: shape([1, 9, 9, 22], [3, 3], 1, 2, 'same'), bias: true, activation: 'relu6', hostile: true },
  // The activations after the loops (epilogue_rows) and in registers, on a vector + tail channel count.
  ...(['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'tanh'] as const).map((activation): Case =>
    ({ s: shape([1, 6, 5, 11], [3, 3], 1, 1, 'same'), bias: true, activation })),
  { s: shape([1, 6, 5, 11], [3, 3], 1, 1, 'same'), bias: true, activation: 'leakyRelu', alpha: 0.2 },
  { s: shape([1, 6, 5, 6], [3, 3], 2, 1, 'same'), bias: true, activation: 'elu' },
  // NaN and infinities in x: they reach exactly the outputs whose taps read them; relu6 keeps NaN.
  { s: shape([1, 6, 6, 9], [3, 3], 1, 1, 'same'), bias: true, activation: 'relu6', hostile: true },
  { s: shape([1, 6, 6, 4], [3, 3], 3, 2, 'same'), hostile: true },
  // batchNormalization's view of an activation: one row of many pixels through the 1x1 path.
  { s: shape([1, 1, 300, 24], [1, 1], 1, 1, 'valid'), bias: true },
  { s: shape([1, 1, 49, 13], [1, 1], 1, 1, 'valid'), bias: true, activation: 'relu6' },
];

const label = ({ s, activation = 'linear', bias, hostile }: Case) => `x=[${s.x}] f=${s.f.join('x')} m=${s.out} s=${s.strides}` +
  (s.dilations ? ` d=${s.dilations}` : '') + ` pad=${JSON.stringify(s.pad)}${bias ? ' bias' : ''} ${activation}${hostile ? ' NaN/inf' : ''}`;

for (const variant of ['simd', 'relaxed'] as const) {
  describe(`wasm ${variant} depthwiseConv2d against the reference`, () => {
    let backend: WasmBackend;
    const reference = createReferenceBackend();
    beforeAll(async () => { backend = await createWasmBackend({ variant }); });
    for (const c of CASES) {
      it(label(c), async () => {
        const { s, activation = 'linear', alpha = 0.2 } = c;
        const O = s.x[3] * s.out;
        const g = geometryOf('depthwiseConv2d', s, O);
        const xSize = s.x.reduce((a, b) => a * b, 1);
        const outSize = g.batch * g.outHeight * g.outWidth * O;
        const seed = xSize * 13 + outSize + O;
        // Values large enough that relu6 clips some outputs above 6 and relu zeroes some.
        const x = randomArray(xSize, seed, -4, 4);
        if (c.hostile) { x[0] = Number.NaN; x[xSize >> 1] = Number.POSITIVE_INFINITY; x[xSize - 1] = Number.NEGATIVE_INFINITY; }
        const filter = randomArray(g.filterHeight * g.filterWidth * O, seed + 1);
        const bias = randomArray(O, seed + 2);
        const taps = g.filterHeight * g.filterWidth;
        const before = backend.bytesInUse();
        const [out] = await compareOutputs(label(c), backend, reference, [x, filter, bias], [{ size: outSize }],
          (b, [sx, sf, sb], [o]) => b.depthwiseConv2d({
            ...g, channelMultiplier: s.out, x: sx, filter: sf, out: o, bias: c.bias ? sb : null, activation, alpha,
          }),
          { atol: 1.2e-4 * Math.sqrt(taps), rtol: 1e-4 });
        expect(backend.bytesInUse(), 'the case frees what it allocates').toBe(before);
        expect(out.length).toBe(outSize);
        if (c.hostile) expect(Array.from(out).some(Number.isNaN), 'the NaN in x reaches some output').toBe(true);
      });
    }
  });
}
