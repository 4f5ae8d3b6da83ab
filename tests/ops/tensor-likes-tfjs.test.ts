/**
 * Issue 15: ops called with tensor-likes (numbers, nested arrays, typed arrays, booleans)
 * against TF.js 4.22 (cpu backend): the same values, shapes and dtypes, on sora's reference
 * and wasm backends. The dtype a value takes is TF.js's convertToTensor rule: numbers
 * float32, booleans bool, an Int32Array int32, int32 where the argument is indices.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { same } from './tfjs-compare.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

for (const backend of ['reference', 'wasm'] as const) {
  describe(`on ${backend}`, () => {
    beforeAll(async () => { await sora.setBackend(backend); });

    same('oneHot of a plain label array (the TF.js example)', [], (l) => [l.oneHot([0, 2, 1, 2], 3), l.oneHot([1, 0], 2).toFloat()]);
    same('abs and exp of arrays, a number, a boolean array', [], (l) => [l.abs([1, -2]), l.exp(0.5), l.logicalNot([true, false])]);
    same('matMul of nested arrays', [], (l) => l.matMul([[1, 2], [3, 4]], [[5], [6]]));
    same('matMul of a Tensor and an array, transposed', [], (l) => l.matMul(l.tensor2d([[1, 2], [3, 4]]), [[1, 0], [2, 1]], false, true));
    same('concat and stack of arrays', [], (l) => [l.concat([[1, 2], [3]]), l.concat([[[1, 2]], [[3, 4]]], 1), l.stack([[1, 2], [3, 4]], 1)]);
    same('mean of typed arrays', [], (l) => [l.mean(new Float32Array([1, 2, 4])), l.mean(new Int32Array([1, 2, 4]))]);
    same('an Int32Array stays int32, a Float32Array float32', [], (l) => [l.neg(new Int32Array([3, -4])), l.reshape(new Float32Array([1, 2]), [2, 1])]);
    same('an Int32Array into an op that takes no int32 becomes float32', [], (l) => ['sin', 'floor', 'log', 'sqrt', 'tanh',
      'sigmoid', 'elu', 'softmax', 'logSoftmax', 'exp', 'abs', 'relu'].map((op) => l[op](new Int32Array([1, 2, 4]))));
    same('sum and argMax of nested arrays', [], (l) => [l.sum([[1, 2], [3, 4]], 0), l.argMax([[1, 5], [3, 4]], 1)]);
    same('gather with array indices, of array values', [], (l) => [l.gather(l.tensor2d([[1, 2], [3, 4]]), [1, 1, 0]), l.gather([5, 6, 7], [2, 0])]);
    same('sparseToDense with arrays', [], (l) => l.sparseToDense([[0, 1], [2, 0]], [5, 6], [3, 2], 0));
    same('raggedRange with arrays', [], (l) => l.raggedRange([0, 5], [3, 8], [1, 2]));
    same('raggedGather and raggedTensorToTensor with arrays', [], (l) => [
      l.raggedGather([[0, 2, 3, 5]], [1, 2, 3, 4, 5], [2, 0], 1),
      l.raggedTensorToTensor([3, 3], [1, 2, 3, 4, 5], 0, [[0, 2, 3, 5]], ['ROW_SPLITS']),
    ]);
    same('sparse ops with arrays', [], (l) => [
      l.sparse.sparseSegmentSum([[1, 2], [3, 4], [5, 6]], [0, 2], [0, 0]),
      l.sparse.sparseReshape([[0, 0], [1, 2]], [2, 3], [3, 2]),
    ]);
    same('where, add, a chained add with arrays', [], (l) => [l.where([true, false], [1, 2], [3, 4]), l.add([1, 2], 3),
      l.tensor1d([1, 2]).add([10, 20]), l.tensor2d([[1, 2]]).matMul([[1], [1]])]);
    same('losses and image ops with arrays', [], (l) => [l.losses.meanSquaredError([1, 2], [1.5, 1]),
      l.image.flipLeftRight([[[[1], [2]], [[3], [4]]]]), l.image.resizeNearestNeighbor([[[1], [2]], [[3], [4]]], [3, 3])]);

    it('an op given values leaves no tensor behind, as TF.js', () => {
      for (const lib of [sora, tf] as const) {
        const before = lib.memory().numTensors;
        const y = (lib as typeof tf).oneHot([0, 2, 1], 3);
        expect(lib.memory().numTensors - before).toBe(1);
        y.dispose();
      }
    });
  });
}
