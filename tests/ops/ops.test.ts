/** Ops on the reference backend: values, broadcasting, errors, tidy/memory, gradients. */
import { describe, it, expect, beforeAll } from 'vitest';
import * as sora from '../../src/index.js';
import { dense } from '../../src/ops/linalg/matmul.js';
import { softmaxCrossEntropy } from '../../src/ops/nn.js';

beforeAll(async () => { await sora.setBackend('reference'); });

describe('tensor creation and reading', () => {
  it('infers shapes from nested arrays and reads back', async () => {
    const t = sora.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(Array.from(await t.data())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.arraySync()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(sora.scalar(3).shape).toEqual([]);
    expect(sora.tensor1d([1, 2], 'int32').dtype).toBe('int32');
    expect(Array.from(sora.tensor([1.7, -1.7], [2], 'int32').dataSync())).toEqual([1, -1]);
  });

  it('rejects values that do not fill the shape, bad shapes, bad dtypes, ragged arrays', () => {
    expect(() => sora.tensor([1, 2, 3], [2, 2])).toThrow(/3 values do not fill shape \[2,2\], which needs 4/);
    expect(() => sora.tensor([1, 2], [-1, -2])).toThrow(/non-negative integers.*-1 at index 0/);
    expect(() => sora.tensor([1, 2], [1.5, 2])).toThrow(/non-negative integers.*1.5/);
    expect(() => sora.tensor([1], [1], 'int8' as never)).toThrow(/dtype must be one of 'float32', 'int32', 'bool'; received "int8"/);
    expect(() => sora.tensor([[1, 2], [3]])).toThrow(/ragged/);
    expect(() => sora.tensor2d([1, 2, 3])).toThrow(/tensor2d: expected rank 2/);
  });

  it('a disposed tensor is a clear error, not garbage', () => {
    const t = sora.tensor([1, 2]);
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(() => t.dataSync()).toThrow(/dataSync: tensor \d+ \(shape \[2\], float32\) is disposed/);
    expect(() => sora.add(t, 1)).toThrow(/add: tensor \d+ .* is disposed/);
  });
});

describe('arithmetic and broadcasting', () => {
  it('broadcasts scalars, rows and columns', () => {
    const a = sora.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(a.add(1).arraySync()).toEqual([[2, 3, 4], [5, 6, 7]]);
    expect(a.mul(sora.tensor([1, 10, 100])).arraySync()).toEqual([[1, 20, 300], [4, 50, 600]]);
    expect(a.sub(sora.tensor([[1], [2]])).arraySync()).toEqual([[0, 1, 2], [2, 3, 4]]);
    expect(sora.sub(10, a).arraySync()).toEqual([[9, 8, 7], [6, 5, 4]]);
    expect(() => a.add(sora.tensor([1, 2]))).toThrow(/add: shapes \[2,3\] and \[2\] cannot be broadcast/);
    // Mixed dtypes cast up as in TF.js (int32 + float32 is float32); logic still wants bool.
    expect(a.add(sora.tensor([1], [1], 'int32')).dtype).toBe('float32');
    expect(() => sora.logicalAnd(a, a)).toThrow(/logicalAnd: not defined for float32 operands/);
  });

  it('reduces over axes, argMax picks the first max', () => {
    const a = sora.tensor([[1, 5, 3], [4, 2, 6]]);
    expect(a.sum().arraySync()).toBe(21);
    expect(a.sum(0).arraySync()).toEqual([5, 7, 9]);
    expect(a.sum(1, true).arraySync()).toEqual([[9], [12]]);
    expect(a.mean(-1).arraySync()).toEqual([3, 4]);
    expect(a.max(1).arraySync()).toEqual([5, 6]);
    expect(a.argMax(-1).arraySync()).toEqual([1, 2]);
    expect(sora.tensor([2, 7, 7]).argMax().arraySync()).toBe(1);
  });

  it('matMul checks inner dimensions and ranks before running', () => {
    const a = sora.ones([2, 3]);
    const b = sora.ones([4, 5]);
    expect(() => sora.matMul(a, b)).toThrow(/matMul: inner dimensions differ: a shape \[2,3\] \(float32\) gives k=3, b shape \[4,5\] \(float32\) gives k=4/);
    expect(() => sora.matMul(sora.ones([3]), b)).toThrow(/matMul: expected rank-2 operands/);
    expect(() => sora.matMul(sora.ones([2, 2], 'bool'), sora.ones([2, 2], 'bool'))).toThrow(/must be float32/);
    const ints = sora.matMul(sora.ones([2, 2], 'int32'), sora.ones([2, 2], 'int32'));
    expect([ints.dtype, ints.arraySync()]).toEqual(['int32', [[2, 2], [2, 2]]]);
    expect(sora.matMul(a, sora.ones([2, 4]), true).shape).toEqual([3, 4]);
  });

  it('slice, concat, transpose, gather, oneHot', () => {
    const a = sora.tensor([[1, 2, 3], [4, 5, 6]]);
    expect(a.slice([0, 1], [2, 2]).arraySync()).toEqual([[2, 3], [5, 6]]);
    expect(sora.concat([a, a], 1).arraySync()).toEqual([[1, 2, 3, 1, 2, 3], [4, 5, 6, 4, 5, 6]]);
    expect(a.transpose().arraySync()).toEqual([[1, 4], [2, 5], [3, 6]]);
    expect(sora.gather(a, [1, 1, 0]).arraySync()).toEqual([[4, 5, 6], [4, 5, 6], [1, 2, 3]]);
    expect(() => sora.gather(a, [2])).toThrow(/gather: index 2 at position 0 is out of range \[0, 2\)/);
    expect(sora.oneHot(sora.tensor1d([2, 0], 'int32'), 3).arraySync()).toEqual([[0, 0, 1], [1, 0, 0]]);
    expect(a.reshape([3, -1]).shape).toEqual([3, 2]);
    expect(() => a.reshape([4, 2])).toThrow(/reshape: cannot reshape shape \[2,3\] \(float32\) \(6 values\) into \[4,2\]/);
  });
});

describe('tidy and memory', () => {
  it('tidy disposes intermediates and keeps the result', () => {
    const before = sora.memory().numTensors;
    const result = sora.tidy(() => {
      const a = sora.ones([3, 3]);
      const b = a.mul(2).add(1);
      return b.sum();
    });
    expect(result.arraySync()).toBe(27);
    expect(sora.memory().numTensors).toBe(before + 1);
    result.dispose();
    expect(sora.memory().numTensors).toBe(before);
  });

  it('reshape views share data until both are disposed', () => {
    const before = sora.memory();
    const a = sora.tensor([1, 2, 3, 4]);
    const b = a.reshape([2, 2]);
    a.dispose();
    expect(b.arraySync()).toEqual([[1, 2], [3, 4]]);
    b.dispose();
    expect(sora.memory().numDataBuffers).toBe(before.numDataBuffers);
    expect(sora.memory().numBytes).toBe(before.numBytes);
  });
});

/** Central finite differences of a scalar function of one tensor's values (float64 ref math). */
function numericGrad(f: (x: sora.Tensor) => sora.Tensor, values: Float32Array, shape: number[]): Float64Array {
  const grad = new Float64Array(values.length);
  const eps = 1e-2;
  for (let i = 0; i < values.length; i++) {
    const at = (delta: number): number => sora.tidy(() => {
      const v = values.slice();
      v[i] += delta;
      return f(sora.tensor(v, shape)).dataSync()[0];
    });
    grad[i] = (at(eps) - at(-eps)) / (2 * eps);
  }
  return grad;
}

function checkGrad(name: string, f: (x: sora.Tensor) => sora.Tensor, shape: number[], seed = 1, lo = -1, hi = 1): void {
  const x = sora.randomUniform(shape, lo, hi, 'float32', seed);
  const values = x.dataSync() as Float32Array;
  const { grads } = sora.valueAndGrads((t: sora.Tensor) => f(t))([x]);
  const analytic = grads[0]!.dataSync();
  const numeric = numericGrad(f, values, shape);
  for (let i = 0; i < numeric.length; i++) {
    expect(Math.abs(analytic[i] - numeric[i]), `${name} grad [${i}]: ${analytic[i]} vs ${numeric[i]}`)
      .toBeLessThan(2e-3 + 2e-3 * Math.abs(numeric[i]));
  }
  grads[0]!.dispose();
  x.dispose();
}

describe('gradients match finite differences (reference backend)', () => {
  const w = () => sora.tensor([[0.3, -0.2], [0.1, 0.5], [-0.4, 0.2]]);
  const cases: [string, (x: sora.Tensor) => sora.Tensor, number[]][] = [
    ['relu', (x) => x.relu().sum(), [7]],
    ['sigmoid', (x) => x.sigmoid().square().sum(), [5]],
    ['tanh', (x) => x.tanh().mul(x).sum(), [5]],
    ['exp/log', (x) => x.exp().add(1).log().sum(), [4]],
    ['square/sqrt/abs/neg', (x) => x.square().add(1).sqrt().add(x.abs()).neg().sum(), [5]],
    ['add/sub/mul/div broadcast', (x) => x.mul(sora.tensor([1, 2, 3])).div(x.square().add(2)).sub(x).sum(), [2, 3]],
    ['squaredDifference', (x) => sora.squaredDifference(x, sora.tensor([0.5, -0.5])).mean(), [3, 2]],
    ['matMul', (x) => sora.matMul(x, w()).square().sum(), [4, 3]],
    ['matMul transposes', (x) => sora.matMul(x, w(), true, true).square().sum(), [2, 4]],
    ['dense relu', (x) => dense(x, w(), sora.tensor([0.1, -0.1]), 'relu').square().sum(), [4, 3]],
    ['dense kernel', (x) => dense(sora.tensor([[1, 2], [3, -1]]), x, null, 'relu').sum(), [2, 3]],
    ['softmax', (x) => x.softmax().mul(sora.tensor([1, 2, 3])).sum(), [2, 3]],
    ['softmaxCrossEntropy one-hot', (x) => softmaxCrossEntropy(x, sora.tensor([[0, 1, 0], [1, 0, 0]]), false), [2, 3]],
    ['softmaxCrossEntropy sparse', (x) => softmaxCrossEntropy(x, sora.tensor1d([2, 0], 'int32'), true), [2, 3]],
    ['mean/max/sum axes', (x) => x.mean(0).add(x.max(1).sum()).sum(), [3, 4]],
    ['slice/concat/transpose', (x) => sora.concat([x.slice([0, 1], [2, 2]), x.transpose().slice([0, 0], [2, 2])], 0).square().sum(), [2, 3]],
    ['clipByValue', (x) => x.clipByValue(-0.5, 0.5).mul(x).sum(), [6]],
  ];
  for (const [name, f, shape] of cases) it(name, () => checkGrad(name, f, shape));
});
