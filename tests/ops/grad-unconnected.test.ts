/**
 * Issue 15: gradients with respect to inputs that do not reach the value, or that reach it
 * only through ops with a zero or no gradient, against TF.js 4.22 (cpu backend): zeros
 * where TF.js gives zeros, null (left out) where TF.js leaves them out, and an error where
 * TF.js throws. Covers tf.grad, grads, valueAndGrad(s), variableGrads, optimizer.minimize
 * and computeGradients, and customGrad.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';

type Lib = any;
type Plain = { shape: number[]; dtype: string; values: number[] };

/** Every tensor in a result, as plain values (objects by sorted key). */
function plain(result: unknown): Plain[] {
  if (Array.isArray(result)) return result.flatMap(plain);
  if (result && typeof result === 'object' && 'shape' in result && 'dtype' in result) {
    const t = result as { shape: number[]; dtype: string; dataSync(): ArrayLike<number> };
    return [{ shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync()) }];
  }
  if (result && typeof result === 'object') return Object.keys(result).sort().flatMap((k) => plain((result as Record<string, unknown>)[k]));
  throw new Error(`unexpected result ${String(result)}`);
}

/** Both libraries give the same tensors (shapes, dtypes, values), and `expected` values. */
function same(label: string, run: (l: Lib) => unknown, expected: number[][]): void {
  it(label, () => {
    const a = plain(run(sora)), b = plain(run(tf));
    expect(a).toEqual(b);
    expect(a.map((t) => t.values)).toEqual(expected);
  });
}

/** Both libraries throw; sora's message matches `pattern`. */
function bothThrow(label: string, run: (l: Lib) => unknown, pattern: RegExp): void {
  it(`${label}: both throw`, () => {
    expect(() => run(tf)).toThrow();
    expect(() => run(sora)).toThrow(pattern);
  });
}

let names = 0;
const v = (l: Lib, values: number[]) => l.variable(l.tensor1d(values), true, `grad-unconnected-${names++}`);
const x2 = (l: Lib) => l.tensor1d([1.5, 2]);

beforeAll(async () => { await tf.setBackend('cpu'); await sora.setBackend('reference'); });

describe('x not used by f', () => {
  bothThrow('grad', (l) => l.grad(() => l.scalar(3))(x2(l)), /grad: cannot compute the gradient.*with respect to x:/);
  bothThrow('grad, y made from another tensor', (l) => { const c = l.tensor1d([1, 2]); return l.grad(() => l.sum(l.mul(c, 2)))(x2(l)); },
    /does not depend on it/);
  bothThrow('grads, one of two unused', (l) => l.grads((a: Lib) => l.sum(a))([x2(l), l.tensor1d([3])]), /with respect to x\[1\]/);
  bothThrow('valueAndGrad', (l) => l.valueAndGrad(() => l.scalar(3))(x2(l)), /valueAndGrad: cannot compute/);
  bothThrow('valueAndGrads, one unused', (l) => l.valueAndGrads((a: Lib) => l.sum(a))([x2(l), l.tensor1d([3])]), /x\[1\]/);
  same('variableGrads leaves an unused variable out', (l) => {
    const a = v(l, [1, 2]), b = v(l, [3]);
    const { value, grads } = l.variableGrads(() => l.sum(l.mul(a, a)), [a, b]);
    expect(Object.keys(grads)).toEqual([a.name]);
    return [value, grads[a.name]];
  }, [[5], [2, 4]]);
  bothThrow('variableGrads, no variable used', (l) => l.variableGrads(() => l.scalar(1), [v(l, [1, 2])]), /does not depend on any/);
  same('minimize leaves an unused variable as it was', (l) => {
    const a = v(l, [1, 2]), b = v(l, [3]);
    l.train.sgd(0.1).minimize(() => l.sum(l.mul(a, a)), false, [a, b]);
    return [a, b];
  }, [[0.800000011920929, 1.600000023841858], [3]]);
  same('computeGradients leaves an unused variable out', (l) => {
    const a = v(l, [1, 2]), b = v(l, [3]);
    const { grads } = l.train.sgd(0.1).computeGradients(() => l.sum(l.mul(a, a)), [a, b]);
    expect(Object.keys(grads)).toEqual([a.name]);
    return grads;
  }, [[2, 4]]);
  bothThrow('minimize, no variable used', (l) => l.train.sgd(0.1).minimize(() => l.scalar(1), false, [v(l, [1, 2])]), /does not depend on any/);
});

describe('x used only through argMax / argMin: zeros, as TF.js', () => {
  const viaArg = (l: Lib, x: Lib) => l.add(l.cast(l.argMax(x), 'float32'), l.cast(l.argMin(x), 'float32'));
  same('grad', (l) => l.grad((x: Lib) => viaArg(l, x))(x2(l)), [[0, 0]]);
  same('grads: one differentiable, one through argMax', (l) =>
    l.grads((a: Lib, b: Lib) => l.add(l.sum(a), viaArg(l, b)))([x2(l), l.tensor1d([3, 4, 1])]), [[1, 1], [0, 0, 0]]);
  same('valueAndGrad', (l) => { const { value, grad } = l.valueAndGrad((x: Lib) => viaArg(l, x))(x2(l)); return [value, grad]; }, [[1], [0, 0]]);
  same('valueAndGrads', (l) => { const r = l.valueAndGrads((a: Lib) => viaArg(l, a))([x2(l)]); return [r.value, r.grads]; }, [[1], [0, 0]]);
  same('variableGrads keeps the variable, with zeros', (l) => {
    const a = v(l, [1, 2]);
    return l.variableGrads(() => l.cast(l.argMax(a), 'float32'), [a]).grads[a.name];
  }, [[0, 0]]);
  same('minimize leaves it as it was', (l) => {
    const a = v(l, [1, 2]);
    l.train.sgd(0.1).minimize(() => l.cast(l.argMax(a), 'float32'), false, [a]);
    return a;
  }, [[1, 2]]);
});

describe('x used through ops whose gradient is zero: zeros in both', () => {
  for (const op of ['floor', 'round', 'sign', 'ceil', 'zerosLike', 'onesLike'] as const) {
    same(op, (l) => l.grad((x: Lib) => l.sum(l[op](x)))(x2(l)), [[0, 0]]);
  }
  same('mul by 0', (l) => l.grad((x: Lib) => l.sum(l.mul(x, 0)))(x2(l)), [[0, 0]]);
  same('variableGrads through floor', (l) => { const a = v(l, [1.5, 2]); return l.variableGrads(() => l.sum(l.floor(a)), [a]).grads; }, [[0, 0]]);
  same('customGrad whose value ignores x', (l) => {
    const f = l.customGrad((x: Lib) => ({ value: l.scalar(2), gradFunc: () => [l.zerosLike(x)] }));
    return l.grad((x: Lib) => f(x))(x2(l));
  }, [[0, 0]]);
  same('customGrad with an input its gradFunc gives zeros', (l) => {
    const f = l.customGrad((x: Lib, y: Lib) => ({ value: l.mul(x, 2), gradFunc: (dy: Lib) => [l.mul(dy, 2), l.zerosLike(y)] }));
    return l.grads((x: Lib, y: Lib) => l.sum(f(x, y)))([x2(l), l.tensor1d([5])]);
  }, [[2, 2], [0]]);
});

describe('x used only through an op with no gradient: an error naming it', () => {
  bothThrow('equal', (l) => l.grad((x: Lib) => l.sum(l.cast(l.equal(x, 2), 'float32')))(x2(l)), /grad: y depends on x only through 'equal', which has no gradient/);
  bothThrow('greater, then where', (l) => l.grad((x: Lib) => l.sum(l.where(l.greater(x, 1.6), l.ones([2]), l.zeros([2]))))(x2(l)),
    /'greater'/);
  bothThrow('variableGrads through less', (l) => { const a = v(l, [1, 2]); return l.variableGrads(() => l.sum(l.cast(l.less(a, 2), 'float32')), [a]); },
    /variableGrads: y depends on x only through 'less'/);
  bothThrow('customGrad whose gradFunc returns null', (l) => {
    const f = l.customGrad((x: Lib) => ({ value: l.mul(x, 2), gradFunc: () => [null] }));
    return l.grad((x: Lib) => l.sum(f(x)))(x2(l));
  }, /customGrad: gradFunc must return only tensors.*gradient 0 is null/);
});

describe('known differences, where sora stays right', () => {
  // TF.js's Cast gradient passes dy through whatever the result dtype, so the gradient of
  // cast(cast(x, 'int32'), 'float32') is ones there. An integer cast is piecewise constant
  // (like floor, whose gradient TF.js gives as zeros): sora gives zeros.
  it('x through cast to int32 or bool: TF.js ones, sora zeros', () => {
    for (const dtype of ['int32', 'bool'] as const) {
      const f = (l: Lib) => (x: Lib) => l.sum(l.cast(l.cast(x, dtype), 'float32'));
      expect(Array.from(tf.grad(f(tf))(tf.tensor1d([1.5, 2])).dataSync())).toEqual([1, 1]);
      expect(Array.from(sora.grad(f(sora))(sora.tensor1d([1.5, 2])).dataSync())).toEqual([0, 0]);
    }
  });
  // TF.js throws when a comparison lies anywhere between x and y, even beside a
  // differentiable path; sora differentiates the path that has a gradient (the comparison's
  // contributes zero almost everywhere).
  it('x through sum and through equal: TF.js throws, sora gives the sum\'s gradient', () => {
    const f = (l: Lib) => (x: Lib) => l.add(l.sum(x), l.sum(l.cast(l.equal(x, 2), 'float32')));
    expect(() => tf.grad(f(tf))(tf.tensor1d([1.5, 2]))).toThrow(/Equal/);
    expect(Array.from(sora.grad(f(sora))(sora.tensor1d([1.5, 2])).dataSync())).toEqual([1, 1]);
  });
});
