/**
 * tf.matMul of rank 2 to 5 with broadcast batch dims (src/ops/linalg.ts) against TF.js's cpu
 * backend, forward and gradients (sora.grads vs tf.grads), on the reference backend and on
 * both wasm builds; the errors; and that the op makes as few gemm calls as the broadcast allows.
 *
 * TF.js quirks (4.22, cpu backend), pinned below:
 *  - its BatchMatMul indexes a's and b's flattened batches with `i % batchA` and `i % batchB`,
 *    which is only right when one side has a single batch or both have all of them; for
 *    [2, 1, 3, 4] x [5, 4, 2] it returns the right shape with wrong values. The oracle here
 *    is TF.js on both operands broadcast to the full batch shape first (times ones).
 *  - its gradient does not sum over broadcast batch dims (the gradient of a [3, 4] a times a
 *    [2, 4, 5] b fails its own shape check), so gradients go through that broadcast too,
 *    whose gradient sums them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { ENGINE } from '../../src/core/engine.js';
import type { GemmParams, Storage } from '../../src/backends/backend.js';
import { randomArray } from '../backends/suite/harness.js';

beforeAll(async () => { await tf.setBackend('cpu'); });

interface Case { a: number[]; b: number[]; transposeA?: boolean; transposeB?: boolean }
const label = (c: Case) => `[${c.a}]${c.transposeA ? '^T' : ''} x [${c.b}]${c.transposeB ? '^T' : ''}`;
const count = (shape: number[]) => shape.reduce((x, y) => x * y, 1);

const CASES: Case[] = [
  { a: [3, 5], b: [5, 7] },
  { a: [1, 1], b: [1, 1] },
  { a: [3, 2, 4], b: [3, 4, 5] },
  { a: [5, 7, 3], b: [5, 1, 3], transposeB: true },
  { a: [2, 1, 3, 4], b: [5, 4, 2] },
  { a: [3, 4], b: [2, 4, 5] },
  { a: [2, 3, 4], b: [4, 5] },
  { a: [1, 3, 4], b: [6, 4, 5] },
  { a: [6, 3, 4], b: [1, 3, 5], transposeA: true },
  { a: [2, 3, 1, 33, 7], b: [3, 5, 7, 3] },
  { a: [2, 1, 4, 3, 7], b: [1, 3, 1, 5, 3], transposeA: true, transposeB: true },
  { a: [4, 1, 3, 2], b: [1, 5, 3, 2], transposeA: true },
  { a: [1, 2, 3, 4], b: [3, 1, 4, 5] },
  { a: [2, 2, 2, 3, 3], b: [2, 2, 2, 3, 3] },
  { a: [2, 0, 3, 4], b: [4, 5] },
  { a: [2, 3, 0], b: [2, 0, 4] },
];

/** The output batch dims by numpy's rule (the test's own, not sora's). */
function outBatch(c: Case): number[] {
  const a = c.a.slice(0, -2), b = c.b.slice(0, -2);
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => {
    const da = a[a.length - rank + i] ?? 1, db = b[b.length - rank + i] ?? 1;
    return da === 1 ? db : da;
  });
}

/** TF.js's product on operands broadcast to the whole batch shape, and its gradients of sum(y * dy). */
function expected(c: Case, a: Float32Array, b: Float32Array, dy: Float32Array) {
  tf.engine().startScope();
  try {
    const batch = outBatch(c);
    // Broadcast by multiplying with ones: exact, and its gradient sums over the broadcast dims
    // at any rank (tf.broadcastTo's, a tile gradient, stops at rank 4 in TF.js 4.22).
    const full = (t: tf.Tensor, shape: number[]) => tf.mul(t, tf.ones([...batch, ...shape.slice(-2)]));
    const run = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(full(x, c.a), full(y, c.b), c.transposeA, c.transposeB);
    const at = tf.tensor(a, c.a), bt = tf.tensor(b, c.b);
    const y = run(at, bt);
    const [da, db] = tf.grads((x: tf.Tensor, z: tf.Tensor) => tf.sum(tf.mul(run(x, z), tf.tensor(dy, y.shape))))([at, bt]);
    return { shape: y.shape, y: y.dataSync(), da: da.dataSync(), db: db.dataSync() };
  } finally { tf.engine().endScope(); }
}

function close(name: string, got: ArrayLike<number>, want: ArrayLike<number>, k: number): void {
  expect(got.length, `${name} length`).toBe(want.length);
  const atol = 2e-5 * Math.sqrt(Math.max(k, 1));
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= Math.max(atol, 1e-4 * Math.abs(want[i])))) {
      throw new Error(`${name}: element ${i} is ${got[i]}, TF.js ${want[i]}`);
    }
  }
}

const BACKENDS: [string, () => Promise<unknown>][] = [
  ['reference', () => sora.setBackend('reference')],
  ['wasm (simd)', () => sora.setBackend('wasm', { variant: 'simd' })],
  ['wasm (relaxed)', () => sora.setBackend('wasm', { variant: 'relaxed' })],
];

for (const [backendName, select] of BACKENDS) {
  describe(`matMul on ${backendName} against TF.js`, () => {
    beforeAll(async () => { await select(); });
    CASES.forEach((c, index) => {
      it(label(c), () => {
        const a = randomArray(count(c.a), 10 + index), b = randomArray(count(c.b), 20 + index);
        const outShape = [...outBatch(c), c.a[c.a.length - (c.transposeA ? 1 : 2)], c.b[c.b.length - (c.transposeB ? 2 : 1)]];
        const dy = randomArray(count(outShape), 30 + index);
        const want = expected(c, a, b, dy);
        const k = c.a[c.a.length - (c.transposeA ? 2 : 1)];
        sora.tidy(() => {
          const at = sora.tensor(a, c.a), bt = sora.tensor(b, c.b);
          const y = sora.matMul(at, bt, c.transposeA, c.transposeB);
          expect(y.shape).toEqual(want.shape);
          close('forward', y.dataSync(), want.y, k);
          const [da, db] = sora.grads((x: sora.Tensor, z: sora.Tensor) =>
            sora.matMul(x, z, c.transposeA, c.transposeB).mul(sora.tensor(dy, y.shape)).sum())([at, bt]);
          expect(da.shape).toEqual(c.a);
          expect(db.shape).toEqual(c.b);
          close('gradient of a', da.dataSync(), want.da, count(outBatch(c)) * outShape[outShape.length - 1]);
          close('gradient of b', db.dataSync(), want.db, count(outBatch(c)) * outShape[outShape.length - 2]);
        });
      });
    });
    it('the chained method and the second derivative through a broadcast batched matMul', () => {
      sora.tidy(() => {
        const x = sora.tensor(randomArray(2 * 3 * 4, 5), [2, 3, 4]), w = sora.tensor(randomArray(4 * 2, 6), [4, 2]);
        // f(x) = sum(tanh(x . w)); d/dx of sum(d f/dx) checked against a finite difference of it.
        const g = (t: sora.Tensor) => sora.grad((u: sora.Tensor) => u.matMul(w).tanh().sum())(t).sum();
        const second = sora.grad(g)(x).dataSync();
        const eps = 1e-2, base = x.dataSync();
        for (const i of [0, 7, 23]) {
          const plus = Float32Array.from(base), minus = Float32Array.from(base);
          plus[i] += eps; minus[i] -= eps;
          const numeric = (g(sora.tensor(plus, x.shape)).dataSync()[0] - g(sora.tensor(minus, x.shape)).dataSync()[0]) / (2 * eps);
          expect(Math.abs(second[i] - numeric)).toBeLessThan(2e-3);
        }
      });
    });
  });
}

describe('TF.js quirks the oracle works around', () => {
  it("TF.js's cpu matMul gets [2, 1, 3, 4] x [5, 4, 2] wrong; sora matches the broadcast product", async () => {
    await sora.setBackend('reference');
    const c: Case = { a: [2, 1, 3, 4], b: [5, 4, 2] };
    const a = randomArray(24, 1), b = randomArray(40, 2);
    const want = expected(c, a, b, new Float32Array(60));
    const direct = tf.tidy(() => tf.matMul(tf.tensor(a, c.a), tf.tensor(b, c.b)).dataSync());
    const worst = Math.max(...Array.from(direct, (v, i) => Math.abs(v - want.y[i])));
    expect(worst, 'TF.js direct vs broadcast first').toBeGreaterThan(1e-2);
    sora.tidy(() => close('sora', sora.matMul(sora.tensor(a, c.a), sora.tensor(b, c.b)).dataSync(), want.y, 4));
  });
  it("TF.js's gradient of a broadcast matMul fails its own shape check", () => {
    expect(() => tf.tidy(() => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x, y)))([tf.ones([3, 4]), tf.ones([2, 4, 5])])))
      .toThrow(/gradient of input 'a' has shape '2,3,4'/);
  });
});

describe('matMul errors name the op, the shapes and the fix', () => {
  beforeAll(async () => { await sora.setBackend('reference'); });
  const throws = (a: number[], b: number[], pattern: RegExp, tA = false, tB = false) =>
    expect(() => sora.tidy(() => sora.matMul(sora.ones(a), sora.ones(b), tA, tB))).toThrow(pattern);
  it('inner dimensions', () => {
    throws([2, 3, 4], [2, 5, 6], /matMul: inner dimensions differ: a shape \[2,3,4\] \(float32\) gives k=4, b shape \[2,5,6\] \(float32\) gives k=5; a's last dim must equal b's second-to-last/);
    throws([2, 4, 3], [4, 5], /matMul: inner dimensions differ: a shape \[2,4,3\] \(float32\) transposed gives k=4, b shape \[4,5\] \(float32\) transposed gives k=5/, true, true);
  });
  it('batch dims that do not broadcast', () => {
    throws([2, 3, 4], [3, 4, 2], /matMul: the batch dims of a shape \[2,3,4\] \(float32\) and b shape \[3,4,2\] \(float32\) do not broadcast \(\[2\] vs \[3\]: 2 vs 3\); each pair of batch dims, aligned from the right, must be equal or 1/);
    throws([4, 2, 3, 4], [3, 4, 5], /matMul: the batch dims .* \(\[4,2\] vs \[3\]: 2 vs 3\)/);
  });
  it('ranks below 2 and dtypes', () => {
    throws([3], [3, 4], /matMul: expected rank-2 operands, or batches of them .*received a shape \[3\] \(float32\).*reshape a vector to \[1, n\] or \[n, 1\]/);
    // int32 is taken (as TF.js: tests/ops/tfjs-upcast.test.ts); bool is refused.
    expect(() => sora.tidy(() => sora.matMul(sora.ones([2, 2, 2], 'bool'), sora.ones([2, 2, 2])))).toThrow(/matMul: 'a' must be float32/);
    expect(sora.tidy(() => sora.matMul(sora.ones([2, 2, 2], 'int32'), sora.ones([2, 2, 2])).dtype)).toBe('float32');
  });
});

describe('matMul makes as few gemm calls as the broadcast allows', () => {
  let calls: GemmParams<Storage>[] = [];
  let original: ((p: GemmParams<Storage>) => void) | undefined;
  beforeAll(async () => {
    await sora.setBackend('reference');
    const backend = ENGINE.backend;
    original = backend.gemm?.bind(backend);
    backend.gemm = (p: GemmParams<Storage>) => { calls.push(p); original!(p); };
  });
  afterAll(() => { delete (ENGINE.backend as { gemm?: unknown }).gemm; });
  const plan = (a: number[], b: number[]) => {
    calls = [];
    sora.tidy(() => sora.matMul(sora.ones(a), sora.ones(b)));
    return calls.map((p) => [p.batch, p.strideA, p.strideB, p.aOffset, p.bOffset, p.outOffset]);
  };
  it('equal batch dims: one call', () => expect(plan([2, 3, 4, 5], [2, 3, 5, 6])).toEqual([[6, 20, 30, 0, 0, 0]]));
  it('one operand a single matrix: one call, stride 0', () => {
    expect(plan([3, 4], [2, 3, 4, 5])).toEqual([[6, 0, 20, 0, 0, 0]]);
    expect(plan([1, 2, 3, 4], [4, 5])).toEqual([[2, 12, 0, 0, 0, 0]]);
  });
  it('mixed broadcast: one call per leading index, with offsets', () => {
    // [2, 1, 3, 4] x [5, 4, 2]: out [2, 5, 3, 2]; per index of the first batch dim, 5 products with A fixed.
    expect(plan([2, 1, 3, 4], [5, 4, 2])).toEqual([[5, 0, 8, 0, 0, 0], [5, 0, 8, 12, 0, 30]]);
  });
});
