/**
 * Issue 9's reductions, scans, shape and indexing ops against TF.js 4.22 itself (cpu
 * backend): the same random inputs of odd shapes (int32 and bool included, empty tensors
 * where the op takes them) through both libraries, compared by shape, dtype and values;
 * and bad input (float indices, out-of-range indices and axes, mismatched shapes) giving
 * an Error that names the op.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { b, f, i32, iv, rejects, same } from './tfjs-compare.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await sora.setBackend('wasm');
});

describe('reductions against TF.js', () => {
  same('prod all axes [3,5]', [f([3, 5], 0.5, 1.5)], (l, [x]) => l.prod(x));
  same('prod axis 1 keepDims [2,7,3]', [f([2, 7, 3])], (l, [x]) => l.prod(x, 1, true));
  same('prod axes [0,2] int32 [3,4,2]', [i32([3, 4, 2], -3, 4)], (l, [x]) => l.prod(x, [0, 2]));
  same('prod of bool', [b([3, 5])], (l, [x]) => l.prod(x, 1));
  same('all / any axis 1 [5,7]', [b([5, 7])], (l, [x]) => [l.all(x, 1), l.any(x, 1), l.all(x), l.any(x, [0, 1], true)]);
  same('argMin axis 0 and -1 [7,33]', [f([7, 33])], (l, [x]) => [l.argMin(x), l.argMin(x, -1)]);
  same('argMin int32 with ties', [i32([5, 9], 0, 3)], (l, [x]) => [l.argMin(x, 1), x.argMin(0)]);
  same('logSumExp all, axis, keepDims', [f([3, 5, 2], -30, 30)], (l, [x]) => [l.logSumExp(x), l.logSumExp(x, 1), l.logSumExp(x, [0, 2], true)]);
  same('logSoftmax [5,33] large logits', [f([5, 33], -80, 80)], (l, [x]) => [l.logSoftmax(x), x.logSoftmax()]);
  for (const ord of [1, 2, Infinity, -Infinity, 'euclidean'] as const) {
    same(`norm ord ${String(ord)} vector and axis`, [f([3, 7])], (l, [x]) => [l.norm(x, ord), l.norm(x, ord, 1), l.norm(x, ord, 0, true)]);
  }
  for (const ord of [1, Infinity, -Infinity, 'fro'] as const) {
    same(`norm ord ${String(ord)} matrix [2,3,5] axes [1,2]`, [f([2, 3, 5])], (l, [x]) => l.norm(x, ord, [1, 2]));
  }
  same('euclideanNorm', [f([4, 3])], (l, [x]) => [l.euclideanNorm(x), l.euclideanNorm(x, 1, true)]);
  same('moments axes and keepDims', [f([3, 4, 5])], (l, [x]) => [l.moments(x), l.moments(x, [0, 2], true)]);
  same('moments int32', [i32([7, 3])], (l, [x]) => l.moments(x, 0));
});

describe('scans against TF.js', () => {
  for (const [exclusive, reverse] of [[false, false], [true, false], [false, true], [true, true]]) {
    same(`cumsum axis 1 exclusive=${exclusive} reverse=${reverse}`, [f([3, 7, 2])], (l, [x]) => l.cumsum(x, 1, exclusive, reverse));
    same(`cumprod axis 0 exclusive=${exclusive} reverse=${reverse}`, [f([5, 3], 0.5, 1.5)], (l, [x]) => l.cumprod(x, 0, exclusive, reverse));
  }
  // TF.js 4.22 mis-shapes cumsum with a negative axis, so axis -1 is checked against axis 1.
  same('cumsum int32', [i32([4, 9])], (l, [x]) => [l.cumsum(x), l.cumsum(x, l === sora ? -1 : 1), x.cumsum(1, true)]);
  same('cumprod int32', [i32([3, 5], -2, 3)], (l, [x]) => l.cumprod(x, 1));
});

describe('topk, unique, bincount, segments against TF.js', () => {
  same('topk k=1, 4, all of [3,33]', [f([3, 33])], (l, [x]) => [l.topk(x), l.topk(x, 4), l.topk(x, 33)]);
  same('topk int32 with ties', [i32([2, 3, 9], 0, 4)], (l, [x]) => l.topk(x, 5));
  same('topk k=80 of 130 with ties (a sort, past the insertion list)', [i32([3, 130], -20, 20), f([2, 130])],
    (l, [x, y]) => [l.topk(x, 80), l.topk(y, 130)]);
  same('topk k=70 of 2000 with ties (a heap of the best, past the insertion list)', [i32([3, 2000], -50, 50), f([2, 1200])],
    (l, [x, y]) => [l.topk(x, 70), l.topk(y, 75)]);
  same('unique 1-D float32 and int32', [f([1]), i32([33], 0, 7)], (l, [_, x]) => l.unique(x));
  same('unique 2-D along axis 1', [iv([1, 0, 1, 2, 0, 2, 1, 0, 1, 2, 0, 2], [2, 6])], (l, [x]) => l.unique(x, 1));
  same('bincount with and without weights', [iv([1, 1, 0, 4, 9, 2, 4, 0]), f([8])],
    (l, [x, w]) => [l.bincount(x, w, 5), l.bincount(x, l.tensor([], [0], 'float32'), 6)]);
  same('denseBincount 1-D and 2-D binaryOutput', [iv([1, 1, 0, 4, 2, 3, 3, 3], [2, 4]), f([2, 4])],
    (l, [x, w]) => [l.denseBincount(x, w, 5), l.denseBincount(x, w, 5, true), l.denseBincount(l.reshape(x, [8]), l.reshape(w, [8]), 6)]);
  same('unsortedSegmentSum float32 and int32', [f([6, 3]), iv([2, 0, 2, 3, 0, 1]), i32([6])],
    // TF.js's cpu kernel returns float32 for int32 x (a float mask times x); sora keeps int32.
    (l, [x, ids, y]) => [l.unsortedSegmentSum(x, ids, 4), l.cast(l.unsortedSegmentSum(y, ids, 5), 'float32')]);
  rejects('bincount of a negative value', 'bincount', () => sora.bincount(sora.tensor([1, -1], [2], 'int32'), sora.tensor([]), 3), /non-negative/);
});

describe('tf.sparse and tf.math.confusionMatrix against TF.js', () => {
  same('sparseSegmentSum and Mean, gaps and repeats', [f([5, 3]), iv([0, 4, 4, 2, 1]), iv([0, 0, 2, 2, 5]), i32([4])],
    (l, [x, i, s, y]) => [l.sparse.sparseSegmentSum(x, i, s), l.sparse.sparseSegmentMean(x, i, s),
      l.sparse.sparseSegmentSum(y, l.tensor([3, 3, 0], [3], 'int32'), l.tensor([1, 1, 1], [3], 'int32'))]);
  same('sparseReshape with an inferred axis', [iv([0, 0, 1, 2, 2, 1, 3, 0], [4, 2]), iv([4, 3]), iv([2, -1, 3])],
    (l, [i, s, n]) => l.sparse.sparseReshape(i, s, n));
  same('sparseFillEmptyRows, unordered rows', [iv([3, 1, 0, 0, 3, 0, 1, 2], [4, 2]), f([4]), iv([5, 4])],
    (l, [i, v, s]) => l.sparse.sparseFillEmptyRows(i, v, s, l.scalar(-1)));
  same('sparseFillEmptyRows, ordered and full', [iv([0, 1, 1, 0, 2, 2], [3, 2]), i32([3]), iv([3, 3])],
    (l, [i, v, s]) => l.sparse.sparseFillEmptyRows(i, v, s, l.scalar(7, 'int32')));
  same('confusionMatrix', [iv([0, 1, 2, 2, 1, 0, 3]), iv([0, 2, 2, 1, 1, 0, 3])], (l, [a, p]) => l.math.confusionMatrix(a, p, 4));
  rejects('sparseSegmentSum with decreasing ids', 'sparseSegmentSum',
    () => sora.sparse.sparseSegmentSum(sora.zeros([3, 2]), sora.tensor([0, 1], [2], 'int32'), sora.tensor([1, 0], [2], 'int32')), /decrease/);
  rejects('sparseSegmentSum with an index out of range', 'sparseSegmentSum',
    () => sora.sparse.sparseSegmentSum(sora.zeros([3, 2]), sora.tensor([0, 3], [2], 'int32'), sora.tensor([0, 0], [2], 'int32')), /out of range/);
});

describe('empty tensors against TF.js', () => {
  same('cumsum, cumprod, prod, logSumExp of [0,3]', [f([0, 3])],
    (l, [x]) => [l.cumsum(x), l.cumprod(x, 1), l.prod(x, 0), l.prod(x, 1), l.logSumExp(x, 1)]);
  same('topk k=0, gather of no indices, reverse and tile of empty', [f([3, 4]), f([0, 2])],
    (l, [x, e]) => [l.topk(x, 0), l.gather(x, l.tensor([], [0], 'int32'), 1), l.reverse(e), l.tile(e, [2, 3]), l.tile(x, [0, 2])]);
  same('unsortedSegmentSum of no rows, bincount of size 0', [f([0, 3]), iv([]), iv([1, 2])],
    (l, [x, ids, y]) => [l.unsortedSegmentSum(x, ids, 2), l.bincount(y, l.tensor([], [0], 'float32'), 0)]);
});

describe('raggedRange, raggedGather, raggedTensorToTensor against TF.js', () => {
  same('vectors, broadcast scalars, empty and negative ranges', [f([4], -3, 3), f([4], -3, 9), iv([0, 5, 3]), iv([7, 1, 3])],
    (l, [s, e, a, b]) => [l.raggedRange(s, e, l.scalar(0.7)), l.raggedRange(a, b, l.tensor([2, -2, 1], [3], 'int32')),
      l.raggedRange(l.scalar(1, 'int32'), b, l.scalar(3, 'int32'))]);
  same('raggedGather: 1-D and 2-D indices, ragged rank 1 and 2', [iv([0, 2, 2, 5, 6]), f([6, 2]), iv([3, 0, 1, 3]), iv([2, 0, 1, 1, 3, 0], [3, 2]),
    iv([0, 1, 3, 3, 4]), iv([0, 2, 3, 5, 6]), f([6])],
  (l, [s, v, i, j, s0, s1, w]) => {
    const a = l.raggedGather([s], v, i, 1), c = l.raggedGather([s], v, j, 2), d = l.raggedGather([s0, s1], w, i, 2);
    return [a.outputNestedSplits, a.outputDenseValues, c.outputNestedSplits, c.outputDenseValues, d.outputNestedSplits, d.outputDenseValues];
  });
  same('raggedTensorToTensor: row splits, -1 and truncation, value row ids, inner dims', [iv([0, 3, 3, 5, 6]), f([6]), iv([0, 1, 3]), f([3, 2]),
    iv([0, 0, 2, 2, 3]), iv([0, 2, 3]), iv([0, 1, 1, 2, 2]), f([5])],
  (l, [s, v, s2, v2, ids, outer, inner, v3]) => [
    l.raggedTensorToTensor(l.tensor([-1, -1], [2], 'int32'), v, l.scalar(-1), [s], ['ROW_SPLITS']),
    l.raggedTensorToTensor(l.tensor([3, 2], [2], 'int32'), v, l.scalar(0.5), [s], ['ROW_SPLITS']),
    l.raggedTensorToTensor(l.tensor([-1, -1, 2], [3], 'int32'), v2, l.scalar(7), [s2], ['ROW_SPLITS']),
    l.raggedTensorToTensor(l.tensor([5, -1], [2], 'int32'), v3, l.scalar(0), [l.scalar(4, 'int32'), ids], ['FIRST_DIM_SIZE', 'VALUE_ROWIDS']),
    l.raggedTensorToTensor(l.tensor([-1, -1, -1], [3], 'int32'), v3, l.scalar(9), [outer, l.tensor([0, 2, 3, 5], [4], 'int32')], ['ROW_SPLITS', 'ROW_SPLITS']),
    l.raggedTensorToTensor(l.tensor([-1, -1, 2], [3], 'int32'), v3, l.scalar(0), [l.scalar(3, 'int32'), l.tensor([0, 1, 1], [3], 'int32'), inner],
      ['FIRST_DIM_SIZE', 'VALUE_ROWIDS', 'VALUE_ROWIDS'])]);
  it('raggedTensorToTensor pads with a default value per element (TF.js 4.22 leaves zeros there)', () => {
    const dense = sora.raggedTensorToTensor(sora.scalar(-1, 'int32'), sora.tensor([[1, 2], [3, 4], [5, 6]]), sora.tensor([7, 8]),
      [sora.tensor([0, 1, 3], [3], 'int32')], ['ROW_SPLITS']);
    expect(dense.arraySync()).toEqual([[[1, 2], [7, 8]], [[3, 4], [5, 6]]]);
  });
  rejects('raggedGather with an index out of range', 'raggedGather',
    () => sora.raggedGather([sora.tensor([0, 2, 3], [3], 'int32')], sora.zeros([3]), sora.tensor([2], [1], 'int32'), 1), /out of range/);
  rejects('a zero delta', 'raggedRange', () => sora.raggedRange(sora.scalar(0), sora.scalar(3), sora.scalar(0)), /deltas/);
});
