/**
 * Test entries (see specs.ts) of issue 9's reductions, scans, shape and indexing ops: odd
 * shapes, int32 and bool, empty tensors, repeated and dropped indices.
 */
import * as sora from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { registeredOps, runOp } from '../../src/ops/registry.js';
import { bools, ints, positive, spaced, type Input, type OpCase } from './specs.js';

type Case = Omit<OpCase, 'wrt'> & { wrt?: number[] };
const EXACT = { atol: 0, rtol: 0 };
const c = (label: string, inputs: Input[], run: (t: Tensor[]) => Tensor, extra: Partial<Case> = {}): Case =>
  ({ label, inputs, run, ...extra });
const int32 = (values: number[], shape: number[]): Input => ({ values, shape, dtype: 'int32' });
const floats = (values: number[], shape: number[]): Input => ({ values, shape, dtype: 'float32' });

/** A function, not a constant: specs.ts imports this module, whose helpers it calls. */
export const structureSpecs = (): Record<string, Case[]> => ({
  cumsum: [
    c('axis 1 [3,5]', [spaced([3, 5], 201)], ([x]) => sora.cumsum(x, 1), { wrt: [0] }),
    c('exclusive reverse axis 0 [7,3]', [spaced([7, 3], 202)], ([x]) => sora.cumsum(x, 0, true, true), { wrt: [0] }),
    c('int32 [33]', [ints([33], 203)], ([x]) => sora.cumsum(x), { tolerance: EXACT }),
    c('bool as int32 [2,5]', [bools([2, 5], 204)], ([x]) => sora.cumsum(x, -1), { tolerance: EXACT }),
  ],
  cumprod: [
    c('axis 0 [5,3]', [positive([5, 3], 205)], ([x]) => sora.cumprod(x, 0)),
    c('exclusive reverse axis 1 [2,7]', [positive([2, 7], 206)], ([x]) => sora.cumprod(x, 1, true, true)),
    c('int32 [3,4]', [ints([3, 4], 207, -3, 4)], ([x]) => sora.cumprod(x, 1), { tolerance: EXACT }),
  ],
  prod: [
    c('all axes [3,5]', [positive([3, 5], 211)], ([x]) => sora.prod(x), { wrt: [0] }),
    c('axis 1 [3,5,2]', [positive([3, 5, 2], 212)], ([x]) => sora.prod(x, 1), { wrt: [0] }),
    c('axes [0,2] keepDims [3,4,2]', [positive([3, 4, 2], 213)], ([x]) => sora.prod(x, [0, 2], true), { wrt: [0] }),
    c('a zero in a row [2,3]', [floats([0.5, 0, 1.5, -1.25, 0.75, 2], [2, 3])], ([x]) => sora.prod(x, 1), { wrt: [0] }),
    c('int32 axis 0 [4,3]', [ints([4, 3], 214)], ([x]) => sora.prod(x, 0), { tolerance: EXACT }),
    c('empty axis gives 1 [0,3]', [spaced([0, 3], 215)], ([x]) => sora.prod(x, 0)),
  ],
  all: [
    c('axis 1 [3,5]', [bools([3, 5], 221)], ([x]) => sora.all(x, 1), { tolerance: EXACT }),
    c('all axes keepDims [2,3,4]', [bools([2, 3, 4], 222)], ([x]) => sora.all(x, null, true), { tolerance: EXACT }),
    c('empty axis is true [0,3]', [bools([0, 3], 223)], ([x]) => sora.all(x, 0), { tolerance: EXACT }),
  ],
  any: [
    c('axis 0 [5,3]', [bools([5, 3], 224)], ([x]) => sora.any(x, 0), { tolerance: EXACT }),
    c('all axes [7]', [bools([7], 225)], ([x]) => sora.any(x), { tolerance: EXACT }),
    c('empty axis is false [3,0]', [bools([3, 0], 226)], ([x]) => sora.any(x, 1), { tolerance: EXACT }),
  ],
  argMin: [
    c('axis -1 [7,33]', [spaced([7, 33], 231)], ([x]) => sora.argMin(x, -1), { tolerance: EXACT }),
    c('axis 0 int32 with ties [5,3]', [ints([5, 3], 232, 0, 3)], ([x]) => sora.argMin(x, 0), { tolerance: EXACT }),
  ],
  logSumExp: [
    c('all axes [3,5]', [spaced([3, 5], 241)], ([x]) => sora.logSumExp(x), { wrt: [0] }),
    c('axis 1 keepDims [3,5,2]', [spaced([3, 5, 2], 242)], ([x]) => sora.logSumExp(x, 1, true), { wrt: [0] }),
    c('large logits [2,7]', [spaced([2, 7], 243)], ([x]) => sora.logSumExp(x.mul(400), -1)),
  ],
  logSoftmax: [
    c('[3,5]', [spaced([3, 5], 251)], ([x]) => sora.logSoftmax(x), { wrt: [0] }),
    c('[2,70] large logits', [spaced([2, 70], 252)], ([x]) => sora.logSoftmax(x.mul(50))),
  ],
  gatherV2: [
    c('axis 1 of [3,5,4], repeats', [spaced([3, 5, 4], 261), int32([4, 0, 4, 2], [4])],
      ([x, i]) => sora.gather(x, i, 1), { wrt: [0], tolerance: EXACT }),
    c('axis 1 batchDims 1 [3,5,2]', [spaced([3, 5, 2], 262), int32([0, 4, 4, 1, 2, 2, 3, 0, 3, 1, 1, 1], [3, 4])],
      ([x, i]) => sora.gather(x, i, 1, 1), { wrt: [0], tolerance: EXACT }),
    c('int32 axis -1 [2,7]', [ints([2, 7], 263), int32([6, 0, 3], [3])], ([x, i]) => sora.gather(x, i, -1), { tolerance: EXACT }),
    c('axis 0 of [5,3], 2-D indices with repeats', [spaced([5, 3], 264), int32([4, 0, 4, 2, 2, 2], [2, 3])],
      ([x, i]) => sora.gather(x, i), { wrt: [0], tolerance: EXACT }),
  ],
  gatherND: [
    c('pairs into [4,3,2]', [spaced([4, 3, 2], 271), int32([0, 1, 3, 2, 0, 1], [3, 2])],
      ([x, i]) => sora.gatherND(x, i), { wrt: [0], tolerance: EXACT }),
    c('full coordinates, int32 [3,5]', [ints([3, 5], 272), int32([2, 4, 0, 0, 1, 3, 2, 4], [2, 2, 2])],
      ([x, i]) => sora.gatherND(x, i), { tolerance: EXACT }),
  ],
  scatterND: [
    c('rows into [4,5], a repeat', [int32([1, 3, 1], [3, 1]), spaced([3, 5], 281)],
      ([i, u]) => sora.scatterND(i, u, [4, 5]), { wrt: [1] }),
    c('int32 points into [3,3]', [int32([0, 0, 2, 1, 0, 0], [3, 2]), ints([3], 282)],
      ([i, u]) => sora.scatterND(i, u, [3, 3]), { tolerance: EXACT }),
  ],
  tensorScatterUpdate: [
    c('rows of [4,3]', [spaced([4, 3], 291), int32([2, 0], [2, 1]), spaced([2, 3], 292, 0.0375)],
      ([t, i, u]) => sora.tensorScatterUpdate(t, i, u), { wrt: [0, 2], tolerance: EXACT }),
    c('int32 points of [3,5]', [ints([3, 5], 293), int32([1, 4, 0, 2], [2, 2]), ints([2], 294)],
      ([t, i, u]) => sora.tensorScatterUpdate(t, i, u), { tolerance: EXACT }),
  ],
  // The float32 rank-4 ops under tf.image.resize*: the backend's resize kernel (cpu backends) or the composition (webgpu).
  resizeBilinear: [
    c('[2,3,5,3] up to [5,4]', [spaced([2, 3, 5, 3], 331)], ([x]) => sora.image.resizeBilinear(x, [5, 4]), { wrt: [0] }),
    c('[1,4,3,5] alignCorners to [2,7]', [spaced([1, 4, 3, 5], 332)], ([x]) => sora.image.resizeBilinear(x, [2, 7], true), { wrt: [0] }),
    c('[1,5,4,2] halfPixelCenters to [3,9]', [spaced([1, 5, 4, 2], 333)], ([x]) => sora.image.resizeBilinear(x, [3, 9], false, true), { wrt: [0] }),
  ],
  resizeNearestNeighbor: [
    c('[2,3,5,3] to [5,4]', [spaced([2, 3, 5, 3], 334)], ([x]) => sora.image.resizeNearestNeighbor(x, [5, 4]), { wrt: [0], tolerance: EXACT }),
    c('[1,4,3,5] alignCorners to [7,2]', [spaced([1, 4, 3, 5], 335)], ([x]) => sora.image.resizeNearestNeighbor(x, [7, 2], true), { wrt: [0], tolerance: EXACT }),
    c('[1,5,4,1] halfPixelCenters to [2,9]', [spaced([1, 5, 4, 1], 336)], ([x]) => sora.image.resizeNearestNeighbor(x, [2, 9], false, true), { wrt: [0], tolerance: EXACT }),
  ],
  unsortedSegmentSum: [
    c('[5,3] ids with repeats and dropped ids', [spaced([5, 3], 301), int32([0, 2, 0, -1, 4], [5])],
      ([x, ids]) => sora.unsortedSegmentSum(x, ids, 4), { wrt: [0] }),
    c('int32 [7]', [ints([7], 302), int32([1, 1, 0, 2, 1, 0, 2], [7])],
      ([x, ids]) => sora.unsortedSegmentSum(x, ids, 3), { tolerance: EXACT }),
  ],
  tile: [
    c('[3,2] reps [2,3]', [spaced([3, 2], 311)], ([x]) => sora.tile(x, [2, 3]), { wrt: [0], tolerance: EXACT }),
    c('bool [5] reps [3]', [bools([5], 312)], ([x]) => sora.tile(x, [3]), { tolerance: EXACT }),
    c('int32 [2,1,3] reps [1,4,1]', [ints([2, 1, 3], 313)], ([x]) => sora.tile(x, [1, 4, 1]), { tolerance: EXACT }),
    c('six repeated axes [2,1,2,1,2,3] (two copies)', [spaced([2, 1, 2, 1, 2, 3], 314)], ([x]) => sora.tile(x, [2, 3, 2, 2, 3, 2]), { wrt: [0], tolerance: EXACT }),
  ],
  pad: [
    c('[3,5] paddings [[1,2],[0,3]] value 1.5', [spaced([3, 5], 321)], ([x]) => sora.pad(x, [[1, 2], [0, 3]], 1.5), { wrt: [0], tolerance: EXACT }),
    c('int32 [2,3,1]', [ints([2, 3, 1], 322)], ([x]) => sora.pad(x, [[0, 1], [2, 0], [1, 1]], 7), { tolerance: EXACT }),
  ],
  mirrorPad: [
    c('reflect [3,5]', [spaced([3, 5], 331)], ([x]) => sora.mirrorPad(x, [[2, 1], [4, 3]], 'reflect'), { wrt: [0], tolerance: EXACT }),
    c('symmetric [2,3,4]', [spaced([2, 3, 4], 332)], ([x]) => sora.mirrorPad(x, [[2, 2], [0, 3], [1, 0]], 'symmetric'), { wrt: [0], tolerance: EXACT }),
    c('int32 symmetric [7]', [ints([7], 333)], ([x]) => sora.mirrorPad(x, [[7, 5]], 'symmetric'), { tolerance: EXACT }),
  ],
  reverse: [
    c('axis 1 of [3,5]', [spaced([3, 5], 341)], ([x]) => sora.reverse(x, 1), { wrt: [0], tolerance: EXACT }),
    c('axes [0,2] of [2,3,4]', [spaced([2, 3, 4], 342)], ([x]) => sora.reverse(x, [0, -1]), { wrt: [0], tolerance: EXACT }),
    c('all axes, bool [3,7]', [bools([3, 7], 343)], ([x]) => sora.reverse(x), { tolerance: EXACT }),
  ],
  stridedSlice: [
    c('negative strides and masks [5,7]', [spaced([5, 7], 351)], ([x]) => sora.stridedSlice(x, [4, 1], [0, 6], [-2, 2], 0, 2), { wrt: [0], tolerance: EXACT }),
    c('ellipsis, new axis, shrink [3,4,5]', [spaced([3, 4, 5], 352)],
      ([x]) => sora.stridedSlice(x, [0, 1, 0, -2], [0, 3, 0, 0], [1, 1, 1, 1], 0, 8, 1, 4, 8), { wrt: [0], tolerance: EXACT }),
    c('empty [4,3]', [spaced([4, 3], 354)], ([x]) => sora.stridedSlice(x, [3, 0], [1, 3]), { wrt: [0], tolerance: EXACT }),
    c('int32 out of range clamps [7]', [ints([7], 353)], ([x]) => sora.stridedSlice(x, [-20], [20], [3]), { tolerance: EXACT }),
  ],
  stridedPlace: [c('stridedSlice gradient [2,3] into [5,7]', [spaced([2, 3], 355)], ([dy]) =>
    runOp(registeredOps().get('stridedPlace') as never, [dy], { start: [4, 1], step: [-2, 2], counts: [2, 3], outShape: [2, 3], inShape: [5, 7] } as never)[0],
  { wrt: [0], tolerance: EXACT })],
  topk: [
    c('k=3 of [5,33] values', [spaced([5, 33], 361)], ([x]) => sora.topk(x, 3).values, { tolerance: EXACT }),
    c('k=4 of [2,3,7] indices, ties', [ints([2, 3, 7], 362, 0, 3)], ([x]) => sora.topk(x, 4).indices, { tolerance: EXACT }),
    c('int32 values k=7 of [7]', [ints([7], 363)], ([x]) => sora.topk(x, 7).values, { tolerance: EXACT }),
  ],
  searchSorted: [
    c('left [2,7] in [2,5]', [floats([1, 2, 2, 4, 5, -3, -1, 0, 0, 8], [2, 5]), spaced([2, 7], 371)],
      ([s, v]) => sora.searchSorted(s, v.mul(40)), { tolerance: EXACT }),
    c('right with ties, int32 1-D', [int32([0, 1, 1, 3, 3, 3, 9], [7]), int32([-1, 0, 1, 2, 3, 9, 10], [7])],
      ([s, v]) => sora.upperBound(s, v), { tolerance: EXACT }),
    c('left with ties, int32 1-D', [int32([0, 1, 1, 3, 3, 3, 9], [7]), int32([-1, 0, 1, 2, 3, 9, 10], [7])],
      ([s, v]) => sora.lowerBound(s, v), { tolerance: EXACT }),
  ],
});
