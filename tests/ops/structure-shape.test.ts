/**
 * Issue 9's shape and indexing ops against TF.js 4.22 (cpu backend), on random inputs of odd
 * shapes with int32 / bool and empty tensors, and their errors on bad input.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { b, f, i32, iv, rejects, same } from './tfjs-compare.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await sora.setBackend('wasm');
});

describe('split, stack, unstack, tile, pad, reverse against TF.js', () => {
  same('split equal and by sizes', [f([6, 5])], (l, [x]) => [l.split(x, 3), l.split(x, [1, -1, 2], 1), x.split(2, 0)]);
  same('stack and unstack, axis 0 and 2', [f([3, 4]), f([3, 4]), i32([2, 5])],
    (l, [x, y, z]) => [l.stack([x, y]), l.stack([x, y], 2), l.unstack(x), l.unstack(z, 1), x.unstack(-1)]);
  same('tile float32, int32, bool', [f([2, 3]), i32([3]), b([2, 1])],
    (l, [x, y, z]) => [l.tile(x, [3, 2]), l.tile(y, [4]), l.tile(z, [2, 5]), x.tile([1, 3])]);
  same('pad with a value, int32, empty', [f([3, 5]), i32([2, 1, 3]), f([0, 3])],
    (l, [x, y, e]) => [l.pad(x, [[1, 2], [0, 3]], 1.5), l.pad(y, [[0, 1], [2, 0], [1, 1]]), l.pad(e, [[1, 1], [0, 2]], 2)]);
  for (const mode of ['reflect', 'symmetric'] as const) {
    same(`mirrorPad ${mode}`, [f([3, 5]), i32([2, 4, 3])],
      (l, [x, y]) => [l.mirrorPad(x, [[2, 1], [3, 4]], mode), l.mirrorPad(y, [[1, 1], [0, 3], [2, 2]], mode)]);
  }
  same('reverse axes, all axes, int32, bool', [f([3, 4, 5]), i32([7]), b([2, 3])],
    (l, [x, y, z]) => [l.reverse(x, 1), l.reverse(x, [0, 2]), l.reverse(x), l.reverse(y), l.reverse(z, -1)]);
});

describe('stridedSlice against TF.js', () => {
  const cases: [string, number[], number[], number[] | undefined, number[]][] = [
    ['plain', [1, 0], [3, 4], undefined, [0, 0, 0, 0, 0]],
    ['strides 2 and -1', [0, 4], [5, 0], [2, -1], [0, 0, 0, 0, 0]],
    ['negative indices, clamped ends', [-2, -10], [10, -1], [1, 1], [0, 0, 0, 0, 0]],
    ['begin and end masks', [3, 2], [0, 0], [-1, 2], [1, 2, 0, 0, 0]],
    ['shrink axis 0', [2, 1], [3, 5], [1, 1], [0, 0, 0, 0, 1]],
    ['new axis then ellipsis', [0, 0, 1], [0, 0, 3], [1, 1, 1], [0, 0, 2, 1, 0]],
    ['ellipsis then shrink', [0, -1], [0, 0], [1, 1], [0, 0, 1, 0, 2]],
  ];
  for (const [label, begin, end, strides, [bm, em, el, na, sh]] of cases) {
    same(`stridedSlice ${label}`, [f([5, 6, 3])], (l, [x]) => l.stridedSlice(x, begin, end, strides, bm, em, el, na, sh));
  }
  same('stridedSlice int32 1-D step 3', [i32([10])], (l, [x]) => l.stridedSlice(x, [1], [10], [3]));
  it('stridedSlice with begin past end is empty (TF.js 4.22 throws here)', () => {
    const y = sora.stridedSlice(sora.zeros([5, 6, 3]), [3, 0], [1, 5]);
    expect(y.shape).toEqual([0, 5, 3]);
  });
});

describe('gather, gatherND, scatterND, tensorScatterUpdate against TF.js', () => {
  same('gather axis 0, 1, -1', [f([4, 5, 3]), iv([3, 0, 3, 1])], (l, [x, i]) => [l.gather(x, i), l.gather(x, i, 1), l.gather(x, l.tensor([2, 0], [2], 'int32'), -1)]);
  same('gather batchDims 1 and 2-D indices', [f([3, 5, 2]), iv([0, 4, 4, 1, 2, 2, 3, 0, 3, 1, 1, 1], [3, 4])],
    (l, [x, i]) => [l.gather(x, i, 1, 1), l.gather(x, l.reshape(l.slice(i, [0, 0], [2, 2]), [2, 2]), 1)]);
  same('gather int32 and bool rows', [i32([5, 3]), b([5, 2]), iv([4, 4, 0])], (l, [x, y, i]) => [l.gather(x, i), l.gather(y, i), x.gather(i, 0)]);
  same('gatherND pairs and full coordinates', [f([4, 3, 2]), iv([0, 1, 3, 2, 0, 1], [3, 2]), iv([3, 2, 1, 0, 0, 0], [2, 3])],
    (l, [x, i, j]) => [l.gatherND(x, i), l.gatherND(x, j)]);
  same('scatterND rows with a repeat, int32 points', [iv([1, 3, 1], [3, 1]), f([3, 5]), iv([0, 0, 2, 1, 0, 0], [3, 2]), i32([3])],
    (l, [i, u, j, v]) => [l.scatterND(i, u, [4, 5]), l.scatterND(j, v, [3, 3])]);
  same('tensorScatterUpdate rows and points', [f([4, 3]), iv([2, 0], [2, 1]), f([2, 3]), iv([1, 2, 3, 0], [2, 2]), f([2])],
    // TF.js's cpu kernel writes into its input's buffer (clones share it), so each call gets a fresh tensor.
    (l, [t, i, u, j, v]) => [l.tensorScatterUpdate(l.add(t, 0), i, u), l.tensorScatterUpdate(l.add(t, 0), j, v)]);
});

describe('rearrangements and constructors against TF.js', () => {
  same('concat1d..4d and slice1d..4d', [f([3]), f([2]), f([2, 3]), f([2, 2, 3]), f([2, 1, 2, 3])],
    (l, [a, c, m, t, q]) => [l.concat1d([a, c]), l.concat2d([m, m], 1), l.concat3d([t, t], 2), l.concat4d([q, q], 1),
      l.slice1d(a, 1, 2), l.slice2d(m, [1, 0], [1, 3]), l.slice3d(t, [0, 1, 1], [2, 1, -1]), l.slice4d(q, [1, 0, 0, 1], [1, 1, 2, 2])]);
  same('as1D..as5D, asScalar, asType', [f([2, 3, 2]), f([1, 1])],
    (l, [x, s]) => [x.as1D(), x.as2D(3, 4), x.as3D(2, 6, 1), x.as4D(1, 2, 3, 2), x.as5D(1, 2, 1, 3, 2), s.asScalar(), x.asType('int32')]);
  same('depthToSpace NHWC', [f([2, 3, 2, 8])], (l, [x]) => l.depthToSpace(x, 2));
  same('spaceToBatchND and back', [f([2, 4, 6, 3])],
    (l, [x]) => { const y = l.spaceToBatchND(x, [2, 3], [[0, 2], [3, 0]]); return [y, l.batchToSpaceND(y, [2, 3], [[0, 2], [3, 0]])]; });
  same('batchToSpaceND with crops', [f([8, 1, 3, 2])], (l, [x]) => l.batchToSpaceND(x, [2, 2], [[0, 1], [1, 2]]));
  same('meshgrid xy and ij', [f([3]), f([5])], (l, [x, y]) => [l.meshgrid(x, y), l.meshgrid(x, y, { indexing: 'ij' })]);
  same('eye, with columns, batch and dtype', [], (l) => [l.eye(3), l.eye(2, 4), l.eye(3, 2, [2, 1]), l.eye(2, 2, undefined, 'int32')]);
  same('diag of a vector and a matrix', [f([4]), i32([2, 3])], (l, [x, y]) => [l.diag(x), l.diag(y)]);
  same('linspace', [], (l) => [l.linspace(0, 1, 7), l.linspace(-3, 5, 1), l.linspace(2, -2, 5)]);
  same('range, empty and auto-negated', [], (l) => [l.range(0, 5), l.range(1, 10, 3), l.range(5, 0), l.range(3, 3), l.range(0, 5, -1),
    l.range(4, 0, -1.5), l.range(0, 7, 2, 'int32'), l.range(10, 2, 2)]);
  same('tensor5d and tensor6d', [], (l) => [l.tensor5d([1, 2, 3, 4], [1, 2, 1, 2, 1]), l.tensor6d([[[[[[5]]]]]], undefined, 'int32')]);
  same('outerProduct and dot', [f([3]), f([4]), f([3, 4]), f([4, 2])],
    (l, [u, v, m, n]) => [l.outerProduct(u, v), l.dot(u, u), l.dot(u, m), l.dot(m, v), l.dot(m, n), u.dot(m)]);
  for (const [eq, shapes] of [['ij->ji', [[3, 4]]], ['ij->i', [[3, 4]]], ['ij->', [[3, 4]]], ['ij,jk->ik', [[3, 4], [4, 5]]],
    ['bij,bjk->bik', [[2, 3, 4], [2, 4, 5]]], ['i,j->ij', [[3], [4]]], ['i,i->', [[5], [5]]], ['ij,ij->ij', [[2, 3], [2, 3]]],
    ['ij,kj->ik', [[2, 3], [4, 3]]], ['bij,jk->bik', [[2, 3, 4], [4, 2]]]] as [string, number[][]][]) {
    same(`einsum '${eq}'`, shapes.map((s) => f(s)), (l, xs) => l.einsum(eq, ...xs));
  }
  same('searchSorted, lowerBound, upperBound', [{ values: [1, 2, 2, 4, 5, -3, -1, 0, 0, 8], shape: [2, 5], dtype: 'float32' }, f([2, 6], -4, 9)],
    (l, [s, v]) => [l.searchSorted(s, v), l.searchSorted(s, v, 'right'), l.lowerBound(s, v), l.upperBound(s, v)]);
  same('booleanMaskAsync axis 0 and 1, whereAsync', [f([3, 4, 2]), b([3]), b([4, 2])],
    async (l, [x, m, n]) => [await l.booleanMaskAsync(x, m), await l.booleanMaskAsync(x, n, 1), await l.whereAsync(n)]);
});

describe('ranked helpers, sparse and set ops, chainable methods against TF.js', () => {
  same('pad1d..4d and reverse1d..4d', [f([3]), f([2, 3]), i32([2, 1, 3]), f([1, 2, 2, 2])],
    (l, [a, m, t, q]) => [l.pad1d(a, [1, 2]), l.pad2d(m, [[0, 1], [2, 0]], 3), l.pad3d(t, [[1, 0], [0, 0], [0, 2]]),
      l.pad4d(q, [[0, 0], [1, 0], [0, 1], [1, 1]]), l.reverse1d(a), l.reverse2d(m, 1), l.reverse3d(t), l.reverse4d(q, [1, 3])]);
  same('sparseToDense points, rows, scalar value', [iv([0, 1, 2, 3, 1, 0], [3, 2]), f([3]), iv([4, 0, 2]), i32([3])],
    (l, [p, v, r, w]) => [l.sparseToDense(p, v, [3, 4]), l.sparseToDense(r, w, [6], 9), l.sparseToDense(r, l.scalar(1.5), [5], 0.5)]);
  same('setdiff1dAsync float32 and int32', [f([5]), i32([33], 0, 9), iv([2, 3, 3, 7])],
    async (l, [x, y, z]) => [...await l.setdiff1dAsync(x, l.slice(x, [1], [2])), ...await l.setdiff1dAsync(y, z)]);
  same('inTopKAsync k=1 and 3, ties', [{ values: [1, 3, 3, 0, 5, 5, 5, 5, 2, 1, 0, 4], shape: [3, 4], dtype: 'float32' }, iv([2, 3, 0])],
    async (l, [p, t]) => [await l.inTopKAsync(p, t), await l.inTopKAsync(p, t, 3)]);
  same('broadcastArgs and ensureShape', [iv([2, 1, 3]), iv([5, 1]), f([2, 3])],
    (l, [s0, s1, x]) => [l.broadcastArgs(s0, s1), l.ensureShape(x, [2, null])]);
  same('chainable concat, stack, onesLike, zerosLike, oneHot, reshapeAs', [f([2, 3]), f([2, 3]), iv([0, 3, 1])],
    (l, [x, y, i]) => [x.concat(y), x.concat([y, x], 1), x.stack(y), x.stack([y], 1), x.onesLike(), i.zerosLike(),
      i.oneHot(4), i.oneHot(4, 5, -1), x.reshapeAs(l.zeros([3, 2]))]);
  same('chainable depthToSpace, spaceToBatchND, batchToSpaceND', [f([1, 2, 2, 4])],
    (l, [x]) => [x.depthToSpace(2), x.spaceToBatchND([2, 2], [[0, 0], [0, 0]]), x.spaceToBatchND([2, 2], [[0, 0], [0, 0]]).batchToSpaceND([2, 2], [[0, 0], [0, 0]])]);
});

describe('tf.image movement ops against TF.js', () => {
  for (const [alignCorners, halfPixelCenters] of [[false, false], [true, false], [false, true]]) {
    const flags = `alignCorners=${alignCorners} halfPixelCenters=${halfPixelCenters}`;
    same(`resizeBilinear up and down, ${flags}`, [f([2, 5, 7, 3]), f([4, 3, 1])],
      (l, [x, y]) => [l.image.resizeBilinear(x, [9, 4], alignCorners, halfPixelCenters),
        l.image.resizeBilinear(y, [7, 5], alignCorners, halfPixelCenters), x.resizeBilinear([1, 1], alignCorners, halfPixelCenters)]);
    same(`resizeNearestNeighbor up and down, ${flags}`, [f([2, 5, 7, 3]), i32([4, 3, 1])],
      (l, [x, y]) => [l.image.resizeNearestNeighbor(x, [9, 4], alignCorners, halfPixelCenters),
        l.image.resizeNearestNeighbor(y, [7, 5], alignCorners, halfPixelCenters)]);
  }
  // The wasm resize kernel's paths (1..3 channels one lane each, whole vectors, an overlapping last
  // vector at 33 channels, 1x1 sources, same-size), with NaN and Inf among the values.
  const hostile = (x: ReturnType<typeof f>) => {
    const values = x.values.slice();
    values[1] = NaN; values[values.length - 2] = Infinity; values[Math.floor(values.length / 2)] = -Infinity;
    return { ...x, values };
  };
  for (const [alignCorners, halfPixelCenters] of [[false, false], [true, false], [false, true]]) {
    same(`resize kernel shapes with NaN/Inf, alignCorners=${alignCorners} halfPixelCenters=${halfPixelCenters}`,
      [hostile(f([1, 3, 4, 33])), f([2, 1, 1, 3]), hostile(f([1, 8, 8, 8])), hostile(f([1, 6, 5, 2])), f([1, 7, 9, 5])],
      (l, [x, y, z, w, v]) => [l.image.resizeBilinear(x, [7, 9], alignCorners, halfPixelCenters), l.image.resizeBilinear(y, [7, 5], alignCorners, halfPixelCenters),
        l.image.resizeBilinear(z, [16, 16], alignCorners, halfPixelCenters), l.image.resizeBilinear(w, [3, 11], alignCorners, halfPixelCenters),
        l.image.resizeBilinear(v, [7, 9], alignCorners, halfPixelCenters), l.image.resizeBilinear(v, [4, 3], alignCorners, halfPixelCenters),
        l.image.resizeNearestNeighbor(x, [7, 9], alignCorners, halfPixelCenters), l.image.resizeNearestNeighbor(y, [7, 5], alignCorners, halfPixelCenters),
        l.image.resizeNearestNeighbor(z, [5, 13], alignCorners, halfPixelCenters)]);
  }
  // Square inputs: TF.js 4.22's cpu ResizeBilinearGrad swaps height and width otherwise, and
  // ignores halfPixelCenters (that gradient is checked by finite differences below).
  same('gradients of resizeBilinear and resizeNearestNeighbor (TF.js: ResizeBilinearGrad, ResizeNearestNeighborGrad)',
    [f([2, 6, 6, 3]), f([2, 9, 4, 3]), f([2, 3, 11, 3])],
    (l, [x, w, v]) => [l.grad((t: never) => l.sum(l.mul(l.image.resizeBilinear(t, [9, 4]), w)))(x),
      l.grad((t: never) => l.sum(l.mul(l.image.resizeBilinear(t, [3, 11], true), v)))(x),
      l.grad((t: never) => l.sum(l.mul(l.image.resizeNearestNeighbor(t, [9, 4]), w)))(x)], 1e-4);
  it('resizeBilinear with halfPixelCenters: gradient by finite differences', () => {
    const values = f([1, 4, 5, 2]).values;
    const weights = sora.tensor(f([1, 7, 3, 2]).values, [1, 7, 3, 2]);
    const loss = (v: number[]) => sora.tidy(() => sora.sum(sora.mul(sora.image.resizeBilinear(sora.tensor(v, [1, 4, 5, 2]), [7, 3], false, true), weights)).dataSync()[0]);
    const analytic = sora.grad((t) => sora.sum(sora.mul(sora.image.resizeBilinear(t, [7, 3], false, true), weights)))(sora.tensor(values, [1, 4, 5, 2])).dataSync();
    values.forEach((_, i) => {
      const up = values.slice(), down = values.slice();
      up[i] += 1e-2; down[i] -= 1e-2;
      expect(Math.abs(analytic[i] - (loss(up) - loss(down)) / 2e-2)).toBeLessThan(2e-3);
    });
  });
  same('threshold binary and otsu, inverted, RGB and gray', [f([7, 9, 3], 0, 255), i32([11, 5, 1], 0, 256), f([4, 4, 1], 0, 1)],
    (l, [rgb, gray, flat]) => [l.image.threshold(rgb), l.image.threshold(rgb, 'otsu'), l.image.threshold(gray, 'otsu', true),
      l.image.threshold(gray, 'binary', true, 0.3), l.image.threshold(flat, 'otsu')]);
  same('flipLeftRight, grayscaleToRGB, rgbToGrayscale', [f([2, 3, 4, 3]), f([3, 5, 1]), i32([2, 2, 3], 0, 255)],
    (l, [x, g, c]) => [l.image.flipLeftRight(x), l.image.grayscaleToRGB(g), l.image.rgbToGrayscale(x), l.image.rgbToGrayscale(c)]);
});

describe('tf.image cropAndResize and rotateWithOffset against TF.js', () => {
  // Boxes partly outside the image (extrapolated), flipped (y2 < y1), and one with an image index
  // out of range; no sample lands on a half pixel, where float32 and TF.js's float64 positions
  // may round 'nearest' differently.
  const boxes = { values: [0.13, 0.21, 0.71, 0.93, -0.31, 0.07, 0.57, 1.39, 0.83, 0.61, 0.19, 0.11, 0.34, 0.29, 0.68, 0.66], shape: [4, 4], dtype: 'float32' as const };
  for (const method of ['bilinear', 'nearest'] as const) {
    same(`cropAndResize ${method}`, [f([2, 7, 9, 3]), { ...boxes, values: [...boxes.values] }, iv([1, 0, 1, 5])],
      (l, [im, b, i]) => [l.image.cropAndResize(im, b, i, [5, 4], method, -1), l.image.cropAndResize(im, b, i, [1, 3], method),
        l.image.cropAndResize(im, b, i, [6, 1], method, 2)]);
  }
  rejects('rotateWithOffset of an int32 image', 'rotateWithOffset', () => sora.image.rotateWithOffset(sora.zeros([1, 2, 2, 1], 'int32'), 1), /float32/);
  same('rotateWithOffset: angles, fill values, centers', [f([2, 5, 7, 3]), f([1, 6, 4, 4], 0, 255)],
    (l, [x, y]) => [l.image.rotateWithOffset(x, 0.7), l.image.rotateWithOffset(x, -2.1, 0.5, [0.3, 0.6]),
      l.image.rotateWithOffset(y, Math.PI / 3, [10, 20, 30]), l.image.rotateWithOffset(x, 0)]);
});

describe('tf.image.transform against TF.js', () => {
  // Rotation and scale, a shift past the edges, and a mild projective row; no sample on a half
  // pixel. One image per call: TF.js 4.22's cpu kernel fills every image after the first.
  const rows = [[0.93, -0.31, 1.37, 0.29, 1.07, -2.21, 0.013, -0.021], [1.19, 0.07, -3.63, -0.11, 0.87, 4.41, 0, 0]];
  for (const interpolation of ['nearest', 'bilinear'] as const) {
    for (const fillMode of ['constant', 'reflect', 'wrap', 'nearest'] as const) {
      same(`transform ${interpolation} ${fillMode}`, [f([1, 6, 7, 2]), { values: rows[0], shape: [1, 8], dtype: 'float32' },
        { values: rows[1], shape: [1, 8], dtype: 'float32' }],
      (l, [im, t, u]) => [l.image.transform(im, t, interpolation, fillMode, -0.5), l.image.transform(im, u, interpolation, fillMode, 0, [9, 5])]);
    }
  }
  it('transform of a batch is each image transformed by its row', () => {
    const images = sora.tensor(f([2, 5, 4, 3]).values, [2, 5, 4, 3]);
    const t = sora.tensor(rows);
    const both = sora.image.transform(images, t, 'bilinear', 'reflect', 0.25);
    const one = (b: number) => sora.image.transform(sora.slice(images, [b, 0, 0, 0], [1, 5, 4, 3]), sora.slice(t, [b, 0], [1, 8]), 'bilinear', 'reflect', 0.25);
    expect(Array.from(both.dataSync())).toEqual([...one(0).dataSync(), ...one(1).dataSync()]);
  });
});

describe('tf.image non-max suppression against TF.js', () => {
  // 33 boxes on a small grid so that many overlap; distinct scores, some below 0.
  const boxes = () => f([33, 4], 0, 4);
  const scores = () => f([33], -0.5, 1);
  same('nonMaxSuppression and Async, thresholds', [boxes(), scores()], async (l, [b, s]) => [
    l.image.nonMaxSuppression(b, s, 10), l.image.nonMaxSuppression(b, s, 40, 0.3, 0.1),
    await l.image.nonMaxSuppressionAsync(b, s, 5, 0.7), await l.image.nonMaxSuppressionAsync(b, s, 0)]);
  same('nonMaxSuppressionWithScore (soft-NMS) and Async', [boxes(), scores()], async (l, [b, s]) => [
    l.image.nonMaxSuppressionWithScore(b, s, 12, 0.6, 0.05, 0.5), l.image.nonMaxSuppressionWithScore(b, s, 33, 1, -Infinity, 0.1),
    await l.image.nonMaxSuppressionWithScoreAsync(b, s, 8, 0.5, 0, 0.25)]);
  same('nonMaxSuppressionPadded and Async', [boxes(), scores()], async (l, [b, s]) => [
    l.image.nonMaxSuppressionPadded(b, s, 20, 0.2, 0.3, true), l.image.nonMaxSuppressionPadded(b, s, 20, 0.2, 0.3),
    await l.image.nonMaxSuppressionPaddedAsync(b, s, 50, 0.5, -Infinity, true)]);
  rejects('nonMaxSuppression with 3 columns', 'nonMaxSuppression', () => sora.image.nonMaxSuppression(sora.zeros([2, 3]), sora.zeros([2]), 1), /\[numBoxes, 4\]/);
  rejects('nonMaxSuppression with iouThreshold 2', 'nonMaxSuppression', () => sora.image.nonMaxSuppression(sora.zeros([2, 4]), sora.zeros([2]), 1, 2), /iouThreshold/);
});

describe('scalars and rank-1 edges against TF.js', () => {
  same('gather of a scalar index, stack of scalars, unstack of a vector', [f([5]), f([]), f([]), f([3, 2])],
    (l, [v, a, c, m]) => [l.gather(v, l.scalar(3, 'int32')), l.gather(m, l.scalar(1, 'int32'), 1), l.stack([a, c]), l.unstack(v)]);
  same('tile and reverse of a scalar; split on axis -1', [f([]), f([2, 6])],
    (l, [s, m]) => [l.tile(s, []), l.reverse(s), l.split(m, 3, -1)]);
  rejects('pad of a scalar', 'pad', () => sora.pad(sora.scalar(1), []), /rank/);
  same('topk of a vector, cumsum of one element, einsum to a scalar', [f([7]), f([1])],
    (l, [v, one]) => [l.topk(v, 3), l.cumsum(one), l.einsum('i->', v), l.prod(v), l.argMin(v)]);
});

describe('plain values for tensor arguments, as TF.js converts them', () => {
  same('scans, reductions and indexing on arrays', [], (l) => [l.cumsum([1, 2, 3]), l.prod([[1, 2], [3, 4]], 1), l.all([true, false]),
    l.any([[false], [true]], 0), l.argMin([3, 1, 2]), l.logSumExp([1, 2]), l.gather([[1, 2], [3, 4]], [1, 0]), l.gatherND([[1, 2], [3, 4]], [[1, 0]]),
    l.scatterND([[1], [3]], [5, 6], [4]), l.tensorScatterUpdate([1, 2, 3], [[0]], [9]), l.unsortedSegmentSum([1, 2, 3], [0, 1, 0], 2),
    l.bincount(l.tensor([0, 1, 1], [3], 'int32'), [], 3), l.topk([3, 1, 2], 2), l.searchSorted([[1, 2, 3]], [[2.5, 0]]), l.unique([1, 1, 2])]);
  same('shape ops on arrays', [], (l) => [l.tile([1, 2], [2]), l.pad([1, 2], [[1, 1]]), l.reverse([1, 2, 3]), l.stridedSlice([1, 2, 3, 4], [1], [3]),
    l.split([1, 2, 3, 4], 2), l.stack([[1, 2], [3, 4]]), l.unstack([[1, 2], [3, 4]]), l.dot([1, 2], [3, 4]), l.outerProduct([1, 2], [3]),
    l.diag([1, 2]), l.sparseToDense([1], [5], [3]), l.meshgrid([1, 2], [3]), l.mirrorPad([1, 2, 3], [[1, 1]], 'reflect')]);
  // Issue 15: searchSorted of vectors gives [1, n], as TF.js 4.22 does (tests/ops/tfjs-semantics.test.ts).
  same('searchSorted of vectors', [], (l) => l.searchSorted([1, 2, 3], [2.5, 0]));
  same('async ops on arrays', [], async (l) => [await l.booleanMaskAsync([1, 2, 3], [true, false, true]), await l.whereAsync([true, false, true]),
    ...await l.setdiff1dAsync([1, 2, 3], [2])]);
});

describe('bad input: a clear Error naming the op', () => {
  const x = () => sora.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  rejects('gather with float indices', 'gather', () => sora.gather(x(), sora.tensor([0, 1]), 1), /int32/);
  rejects('gather with an out-of-range index', 'gather', () => sora.gather(x(), sora.tensor([3], [1], 'int32'), 1), /out of range/);
  rejects('gather with an axis out of range', 'gather', () => sora.gather(x(), sora.tensor([0], [1], 'int32'), 2), /axis/);
  rejects('gatherND with too deep indices', 'gatherND', () => sora.gatherND(x(), sora.tensor([0, 0, 0], [1, 3], 'int32')));
  rejects('scatterND with mismatched updates', 'scatterND', () => sora.scatterND(sora.tensor([0], [1, 1], 'int32'), sora.tensor([1, 2]), [3, 3]), /updates/);
  rejects('unsortedSegmentSum with float ids', 'unsortedSegmentSum', () => sora.unsortedSegmentSum(x(), sora.tensor([0, 1]), 2), /int32/);
  rejects('tile with too few reps', 'tile', () => sora.tile(x(), [2]), /reps/);
  rejects('pad with a negative padding', 'pad', () => sora.pad(x(), [[0, -1], [0, 0]]), /paddings/);
  rejects('mirrorPad reflect past size - 1', 'mirrorPad', () => sora.mirrorPad(x(), [[2, 0], [0, 0]], 'reflect'), /reflect/);
  rejects('reverse with an axis out of range', 'reverse', () => sora.reverse(x(), 5), /axis/);
  rejects('stridedSlice with a zero stride', 'stridedSlice', () => sora.stridedSlice(x(), [0, 0], [1, 1], [1, 0]), /strides/);
  rejects('split into unequal parts', 'split', () => sora.split(x(), 2, 1), /split/);
  rejects('stack of different shapes', 'stack', () => sora.stack([x(), sora.tensor([1, 2])]), /differs/);
  rejects('topk with k over the axis', 'topk', () => sora.topk(x(), 4), /k must/);
  rejects('cumsum of a scalar', 'cumsum', () => sora.cumsum(sora.scalar(1)), /rank/);
  rejects('all of a float tensor', 'all', () => sora.all(x()), /bool/);
  rejects('logSoftmax along axis 0', 'logSoftmax', () => sora.logSoftmax(x(), 0), /last axis/);
  rejects('einsum with a repeated letter', 'einsum', () => sora.einsum('ii->i', sora.tensor([[1, 2], [3, 4]])), /repeats/);
  rejects('einsum with a size mismatch', 'einsum', () => sora.einsum('ij,jk->ik', x(), x()), /size/);
  rejects('depthToSpace with channels not divisible', 'depthToSpace', () => sora.depthToSpace(sora.zeros([1, 2, 2, 3]), 2), /blockSize/);
  rejects('a disposed tensor', 'cumsum', () => { const t = x(); t.dispose(); return sora.cumsum(t); }, /disposed/);
  rejects('ensureShape with a wrong size', 'ensureShape', () => sora.ensureShape(x(), [2, 4]), /compatible/);
  rejects('sparseToDense with float indices', 'sparseToDense', () => sora.sparseToDense(sora.tensor([1]), sora.tensor([1]), [3]), /int32/);
  rejects('booleanMaskAsync with a float mask', 'booleanMaskAsync', () => sora.booleanMaskAsync(x(), sora.tensor([1, 0])), /bool/);
});

describe('composed ops free their intermediates (no tidy around them)', () => {
  const i32 = (values: number[], shape = [values.length]) => sora.tensor(values, shape, 'int32');
  // Each case makes its inputs, then calls ops outside any tidy: what is left alive must be inputs or results.
  const cases: [string, () => { inputs: sora.Tensor[]; run: (xs: sora.Tensor[]) => unknown }][] = [
    ['split/stack/unstack', () => ({ inputs: [sora.ones([6, 4]), sora.ones([2]), sora.zeros([2])],
      run: ([a, b, c]) => [sora.split(a, [1, -1, 2]), sora.stack([b, c], 1), sora.unstack(a, 1)] })],
    ['image ops', () => ({ inputs: [sora.ones([1, 4, 5, 2]), sora.tensor([[0.1, 0.2, 0.8, 0.9]]), i32([0]), sora.ones([4, 4, 3])],
      run: ([im, boxes, ind, rgb]) => [sora.image.resizeBilinear(im, [7, 3]), sora.image.resizeNearestNeighbor(im, [2, 9]),
        sora.image.cropAndResize(im, boxes, ind, [3, 3]), sora.image.rotateWithOffset(im, 1), sora.image.threshold(rgb, 'otsu')] })],
    ['einsum, dot, norm, moments, logSumExp', () => ({ inputs: [sora.ones([2, 3, 4]), sora.ones([2, 4, 5]), sora.ones([3, 4]), sora.ones([4]), sora.ones([4, 3])],
      run: ([a, b, m, v, n]) => [sora.einsum('bij,bjk->bik', a, b), sora.dot(v, n),
        sora.norm(m, 1, [0, 1]), sora.moments(m, 0), sora.logSumExp(m, 1), sora.prod(m, [0, 1])] })],
    ['indexing', () => ({ inputs: [sora.ones([3, 5, 2]), i32([0, 4, 1]), i32([1, 1], [1, 2]), i32([0, 1, 1]), i32([0, 1, 1, 1], [2, 2]), sora.ones([2, 2]),
      sora.tensor([]), sora.ones([3]), sora.ones([1, 2])],
      run: ([x, idx, nd, ids, dense, w, none, three, row]) => [sora.gather(x, idx, 1), sora.gatherND(x, nd), sora.bincount(ids, none, 3),
        sora.denseBincount(dense, w, 3), sora.sparseToDense(idx, three, [5]), sora.math.confusionMatrix(ids, ids, 2), sora.topk(x, 2),
        sora.unsortedSegmentSum(x, idx, 5), sora.scatterND(nd, row, [3, 5, 2]), sora.tensorScatterUpdate(x, nd, row)] })],
    ['rearrangements', () => ({ inputs: [sora.ones([1, 4, 4, 1]), sora.ones([1, 1, 1, 4]), sora.ones([3]), sora.ones([2, 1, 2, 1, 2, 1])],
      run: ([a, b, v, t]) => [sora.spaceToBatchND(a, [2, 2], [[0, 0], [0, 0]]), sora.depthToSpace(b, 2), sora.meshgrid(v, v), sora.eye(2, 3, [2]),
        sora.diag(v), sora.tile(t, [2, 2, 2, 2, 2, 2]), sora.mirrorPad(a, [[0, 0], [1, 2], [2, 1], [0, 0]], 'reflect'), sora.stridedSlice(a, [0, 3], [1, 0], [1, -2])] })],
    ['unique, sparse, ragged, nms, ranked helpers', () => ({ inputs: [sora.tensor([3, 1, 3, 2]), i32([0, 2, 1]), i32([0, 0, 1]), i32([0, 2, 3]),
      sora.ones([3, 2]), sora.tensor([[0, 0, 1, 1], [0, 0, 0.9, 1], [2, 2, 3, 3]]), sora.tensor([0.9, 0.8, 0.7]), i32([1, 3])],
      run: ([x, idx, seg, splits, data, boxes, scores, shape]) => [sora.unique(x), sora.sparse.sparseSegmentMean(data, idx, seg),
        sora.raggedGather([splits], data, seg, 1), sora.image.nonMaxSuppressionPadded(boxes, scores, 3, 0.5, 0, true),
        sora.pad1d(x, [1, 2]), sora.reverse2d(data, 1), sora.broadcastArgs(shape, idx), sora.searchSorted(x, x)] })],
    ['gradients through gathers, pads and scans', () => ({ inputs: [sora.ones([3, 4]), sora.ones([2, 3]), i32([1, 0, 1])],
      run: ([a, b, idx]) => [sora.grad((x) => sora.sum(sora.mirrorPad(sora.cumsum(x, 1), [[1, 1], [2, 2]], 'reflect')))(a),
        sora.grad((x) => sora.sum(sora.prod(sora.gather(x, idx, 1), 1)))(b)] })],
  ];
  for (const [label, make] of cases) {
    it(label, () => {
      const before = sora.memory().numTensors;
      const { inputs, run } = make();
      const outputs: sora.Tensor[] = [];
      const collect = (v: unknown): void => {
        if (v instanceof sora.Tensor) outputs.push(v);
        else if (Array.isArray(v)) v.forEach(collect);
        else if (v && typeof v === 'object') Object.values(v).forEach(collect);
      };
      collect(run(inputs));
      const alive = sora.memory().numTensors - before;
      sora.dispose(outputs);
      sora.dispose(inputs);
      expect(alive, `${label}: tensors alive besides ${inputs.length} inputs and ${outputs.length} results`).toBe(inputs.length + outputs.length);
    });
  }
});

it('async selections leave only their inputs and results alive', async () => {
  const before = sora.memory().numTensors;
  const inputs = [sora.ones([3, 4, 2]), sora.tensor([1, 0, 1], [3], 'bool'), sora.tensor([3, 1, 4]), sora.tensor([1]), sora.ones([3, 5]),
    sora.tensor([0, 4, 2], [3], 'int32'), sora.tensor([[0, 0, 1, 1], [0, 0, 0.9, 1]]), sora.tensor([0.9, 0.8])];
  const [x, mask, a, b, p, t, boxes, scores] = inputs;
  const soft = await sora.image.nonMaxSuppressionWithScoreAsync(boxes, scores, 2, 0.5, 0, 0.5);
  const outputs = [await sora.booleanMaskAsync(x, mask), await sora.whereAsync(mask), ...await sora.setdiff1dAsync(a, b),
    await sora.inTopKAsync(p, t, 2), await sora.image.nonMaxSuppressionAsync(boxes, scores, 2), soft.selectedIndices, soft.selectedScores];
  expect(sora.memory().numTensors - before).toBe(inputs.length + outputs.length);
  sora.dispose([...inputs, ...outputs]);
});
