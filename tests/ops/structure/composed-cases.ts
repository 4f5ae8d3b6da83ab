/**
 * Issue 9's ops that are compositions rather than registered ops (image sampling, async
 * selections, einsum, rearrangements...): cases that run on any backend and return their
 * results, for tests/webgpu-structure.test.ts to compare webgpu against the reference. No
 * test-runner import: bundled into Chromium and Deno.
 */
import * as sora from '../../../src/index.js';
import type { Tensor } from '../../../src/index.js';

function values(n: number, seed: number, lo = -2, hi = 2): number[] {
  let s = seed;
  return Array.from({ length: n }, () => { s = (s * 16807) % 2147483647; return lo + (hi - lo) * (s / 2147483647); });
}
const t = (shape: number[], seed: number, lo?: number, hi?: number) => sora.tensor(values(shape.reduce((a, b) => a * b, 1), seed, lo, hi), shape);
const ints = (list: number[], shape = [list.length]) => sora.tensor(list, shape, 'int32');

export interface ComposedCase { name: string; run(): Promise<Tensor[]> | Tensor[] }

export const COMPOSED_CASES: ComposedCase[] = [
  { name: 'resizeBilinear and resizeNearestNeighbor', run: () => [sora.image.resizeBilinear(t([2, 5, 7, 3], 1), [9, 4], false, true),
    sora.image.resizeNearestNeighbor(t([1, 6, 5, 2], 2), [3, 8], true)] },
  { name: 'cropAndResize bilinear and nearest', run: () => {
    const boxes = sora.tensor([0.13, 0.21, 0.71, 0.93, -0.31, 0.07, 0.57, 1.39, 0.83, 0.61, 0.19, 0.11], [3, 4]);
    return [sora.image.cropAndResize(t([2, 7, 9, 3], 3), boxes, ints([1, 0, 1]), [5, 4], 'bilinear', -1),
      sora.image.cropAndResize(t([2, 7, 9, 3], 3), boxes, ints([0, 1, 7]), [3, 3], 'nearest')];
  } },
  { name: 'rotateWithOffset, flips, colour conversions, threshold', run: () => [sora.image.rotateWithOffset(t([2, 5, 7, 3], 4), 0.7, [1, 2, 3]),
    sora.image.flipLeftRight(t([1, 3, 4, 2], 5)), sora.image.rgbToGrayscale(t([2, 3, 3], 6)), sora.image.grayscaleToRGB(t([3, 2, 1], 7)),
    sora.image.threshold(t([7, 9, 3], 42, 0, 255), 'otsu'), sora.image.threshold(t([5, 4, 1], 43, 0, 255), 'binary', true, 0.4)] },
  { name: 'transform, every interpolation and fill mode', run: () => {
    const rows = sora.tensor([[0.93, -0.31, 1.37, 0.29, 1.07, -2.21, 0.013, -0.021], [1.19, 0.07, -3.63, -0.11, 0.87, 4.41, 0, 0]]);
    return (['constant', 'reflect', 'wrap', 'nearest'] as const).flatMap((mode) => (['nearest', 'bilinear'] as const)
      .map((interpolation) => sora.image.transform(t([2, 6, 7, 2], 44), rows, interpolation, mode, -0.5)));
  } },
  { name: 'nonMaxSuppressionAsync variants', run: async () => {
    const boxes = t([33, 4], 8, 0, 4), scores = t([33], 9, -0.5, 1);
    const soft = await sora.image.nonMaxSuppressionWithScoreAsync(boxes, scores, 12, 0.6, 0.05, 0.5);
    const padded = await sora.image.nonMaxSuppressionPaddedAsync(boxes, scores, 20, 0.2, 0.3, true);
    return [await sora.image.nonMaxSuppressionAsync(boxes, scores, 10), soft.selectedIndices, soft.selectedScores,
      padded.selectedIndices, padded.validOutputs];
  } },
  { name: 'booleanMaskAsync, whereAsync, setdiff1dAsync, inTopKAsync', run: async () => {
    const mask = sora.tensor([1, 0, 1, 1, 0, 0, 1, 0], [4, 2], 'bool');
    const [kept, positions] = await sora.setdiff1dAsync(ints([3, 1, 4, 1, 5, 9, 2, 6]), ints([1, 9]));
    return [await sora.booleanMaskAsync(t([3, 4, 2, 2], 10), mask, 1), await sora.whereAsync(mask), kept, positions,
      await sora.inTopKAsync(t([5, 7], 11), ints([0, 3, 6, 2, 2]), 2)];
  } },
  { name: 'einsum patterns', run: () => [sora.einsum('bij,bjk->bik', t([2, 3, 4], 12), t([2, 4, 5], 13)),
    sora.einsum('ij,kj->ik', t([3, 5], 14), t([2, 5], 15)), sora.einsum('i,i->', t([7], 16), t([7], 17)), sora.einsum('ij->j', t([3, 4], 18))] },
  { name: 'split, stack, unstack, depthToSpace, spaceToBatchND, batchToSpaceND', run: () => {
    const x = t([2, 4, 6, 3], 19);
    const y = sora.spaceToBatchND(x, [2, 3], [[0, 2], [3, 0]]);
    return [...sora.split(t([6, 5], 20), [1, -1, 2], 1), sora.stack([t([3, 4], 21), t([3, 4], 22)], 2), ...sora.unstack(t([3, 2], 23), 1),
      sora.depthToSpace(t([1, 2, 3, 8], 24), 2), y, sora.batchToSpaceND(y, [2, 3], [[0, 2], [3, 0]])];
  } },
  { name: 'meshgrid, eye, diag, dot, outerProduct, linspace, range', run: () => [...sora.meshgrid(t([3], 25), t([4], 26), { indexing: 'ij' }),
    sora.eye(3, 4, [2]), sora.diag(t([2, 2], 27)), sora.dot(t([4], 28), t([4, 3], 29)), sora.outerProduct(t([3], 30), t([5], 31)),
    sora.linspace(-1, 2, 7), sora.range(10, 2, -3, 'int32')] },
  { name: 'norm, moments, bincount, denseBincount, sparseToDense, confusionMatrix', run: () => {
    const { mean, variance } = sora.moments(t([3, 5, 2], 32), [0, 2], true);
    return [sora.norm(t([3, 5], 33), 1, [0, 1]), sora.euclideanNorm(t([4, 3], 34), 1), mean, variance,
      sora.bincount(ints([1, 1, 0, 4, 9, 2]), t([6], 35), 5), sora.denseBincount(ints([1, 2, 2, 0, 3, 3], [2, 3]), t([2, 3], 36), 4, true),
      sora.sparseToDense(ints([0, 1, 2, 3, 1, 0], [3, 2]), t([3], 37), [3, 4], 0.5),
      sora.math.confusionMatrix(ints([0, 1, 2, 2, 1]), ints([0, 2, 2, 1, 1]), 3)];
  } },
  { name: 'gradients of gather with batchDims and of mirrorPad', run: () => {
    const indices = ints([0, 4, 4, 1, 2, 2, 3, 0, 3, 1, 1, 1], [3, 4]);
    const w = t([3, 4, 2], 38);
    return [sora.grad((x) => sora.sum(sora.mul(sora.gather(x, indices, 1, 1), w)))(t([3, 5, 2], 39)),
      sora.grad((x) => sora.sum(sora.mul(sora.mirrorPad(x, [[2, 1], [1, 3]], 'reflect'), t([6, 8], 40))))(t([3, 4], 41))];
  } },
];
