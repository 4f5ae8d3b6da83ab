/**
 * The engine: scopes, the tape, autograd as TF.js users know it, the variable registry,
 * dtypes, composition fallbacks and backend options. Each defect the engine rebuild fixed
 * has a test here that failed before it.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as sora from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { ENGINE } from '../../src/core/engine.js';
import { softmaxCrossEntropy } from '../../src/ops/nn.js';
import { createReferenceBackend } from '../../src/backends/reference/index.js';

beforeAll(async () => { await sora.setBackend('reference'); });
afterEach(() => sora.disposeVariables());

const values = (t: Tensor): number[] => Array.from(t.dataSync());
const live = (): number => sora.memory().numTensors;

describe('gradients of ops that used to record none', () => {
  it('gather: rows scattered back and summed (an embedding trains)', () => {
    const table = sora.variable(sora.tensor([[1, 2], [3, 4], [5, 6]]));
    const { grads } = sora.variableGrads(() => sora.gather(table, [2, 0, 2]).mul(sora.tensor([[1, 10], [100, 1000], [2, 20]])).sum());
    expect(values(grads[table.name])).toEqual([100, 1000, 0, 0, 3, 30]);
    sora.dispose(grads);
  });
  it('broadcastTo: summed back to the input shape', () => {
    const g = sora.grad((x) => sora.broadcastTo(x, [3, 2]).mul(sora.tensor([[1, 2], [3, 4], [5, 6]])).sum())(sora.tensor([1, 1]));
    expect(values(g)).toEqual([9, 12]);
  });
  it('cast float32 -> float32 passes the gradient; a cast to int32 gives zeros (issue 15, tests/ops/grad-unconnected.test.ts)', () => {
    const x = sora.tensor([1.5, -2]);
    expect(values(sora.grad((t) => sora.cast(t, 'float32').mul(3).sum())(x))).toEqual([3, 3]);
    expect(values(sora.grad((t) => sora.cast(t, 'int32').toFloat().sum())(x))).toEqual([0, 0]);
  });
});

describe('scopes', () => {
  it('softmaxCrossEntropy inside a tidy inside variableGrads (its saved tensors are pinned)', () => {
    const w = sora.variable(sora.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]));
    const labels = sora.tensor([[0, 0, 1], [1, 0, 0]]);
    const { value, grads } = sora.variableGrads(() => sora.tidy(() => softmaxCrossEntropy(w.mul(2), labels, false)));
    expect(value.dataSync()[0]).toBeGreaterThan(0);
    expect(grads[w.name].shape).toEqual([2, 3]);
    sora.dispose([value, grads[w.name], labels]);
  });
  it('tidy keeps tensors returned in nested arrays and objects (an RNN step returns [out, [h, c]])', () => {
    const before = live();
    const x = sora.tensor([1, 2]);
    const result = sora.tidy(() => {
      const h = x.mul(2), c = x.add(1);
      x.mul(3); // an intermediate: freed
      return { out: [h.add(c), [h, c]], meta: { deep: [[c.neg()]] } };
    });
    const [out, [h, c]] = result.out as [Tensor, Tensor[]];
    expect(values(h)).toEqual([2, 4]);
    expect(values(c)).toEqual([2, 3]);
    expect(values(out)).toEqual([4, 7]);
    expect(values((result.meta.deep[0] as Tensor[])[0])).toEqual([-2, -3]);
    expect(live() - before).toBe(5); // x, out, h, c, -c
    sora.dispose([x, out, h, c, (result.meta.deep[0] as Tensor[])[0]]);
  });
  it('tidy leaks nothing when its function throws', () => {
    const x = sora.tensor([1, 2]);
    const before = live();
    expect(() => sora.tidy(() => { x.mul(2); x.add(1); throw new Error('boom'); })).toThrow('boom');
    expect(live()).toBe(before);
    x.dispose();
  });
  it('variableGrads and grads leak nothing when f throws, forward or backward', () => {
    const w = sora.variable(sora.tensor([1, 2, 3]));
    const before = live();
    expect(() => sora.variableGrads(() => { w.mul(2).sum(); throw new Error('forward failed'); })).toThrow('forward failed');
    expect(live()).toBe(before);
    const bad = sora.customGrad((x) => ({ value: (x as Tensor).mul(2), gradFunc: () => { throw new Error('backward failed'); } }));
    expect(() => sora.variableGrads(() => bad(w).sum())).toThrow('backward failed');
    expect(live()).toBe(before);
    // The engine is usable afterwards: the tape was released.
    const { value, grads } = sora.variableGrads(() => w.square().sum());
    expect(values(grads[w.name])).toEqual([2, 4, 6]);
    sora.dispose([value, grads[w.name]]);
  });
  it('keep() survives every enclosing tidy', () => {
    let kept: Tensor | null = null;
    sora.tidy(() => sora.tidy(() => { kept = sora.keep(sora.tensor([1])); }));
    expect(kept!.isDisposed).toBe(false);
    kept!.dispose();
  });
  it('tidy refuses an async function (it cannot track what runs after an await)', () => {
    expect(() => sora.tidy((async () => sora.tensor([1])) as never)).toThrow(/tidy: the function returned a Promise/);
  });
});

describe('the tape', () => {
  it('checks each gradient against its input: a wrong shape names the op and both shapes', () => {
    const wrong = sora.customGrad((x) => ({ value: (x as Tensor).sum(), gradFunc: (dy) => (dy as Tensor).mul(sora.ones([2])) }));
    expect(() => sora.grad((x) => wrong(x))(sora.tensor([1, 2, 3])))
      .toThrow(/gradient of 'customGrad': input 0 \('inputs\[0\]'\) has shape \[3\] \(float32\) but its gradient has shape \[2\]/);
  });
  it('frees each upstream gradient once used: backward peak memory does not grow with depth', () => {
    const measure = (depth: number): number => {
      let peak = 0;
      const probe = sora.customGrad((x) => ({ value: (x as Tensor).clone(), gradFunc: (dy) => { peak = live(); return (dy as Tensor).clone(); } }));
      const x = sora.tensor([1, 2, 3]);
      const base = live();
      const g = sora.grad((t) => { let y = probe(t); for (let i = 0; i < depth; i++) y = y.add(1); return y.sum(); })(x);
      sora.dispose([g, x]);
      return peak - base;
    };
    // add saves nothing, so what is live at the bottom of the backward pass is one forward
    // value per step (still in the gradient's scope) and a constant number of gradients;
    // holding every upstream gradient would add one more per step.
    const shallow = measure(10), deep = measure(60);
    expect(deep - shallow).toBeLessThanOrEqual(50 + 2);
    expect(deep - shallow).toBeGreaterThanOrEqual(50 - 2);
  });
  it('an entry holds several outputs: the fused cross-entropy records its loss and its gradient', () => {
    const logits = sora.tensor([[0.3, -1, 2], [0.5, 0.5, -0.5]]);
    const labels = sora.tensor([[0, 1, 0], [0, 0, 1]]);
    const hessianVector = sora.grad((x) => sora.grad((y) => softmaxCrossEntropy(y, labels, false))(x).mul(sora.tensor([[1, 0, 0], [0, 1, 0]])).sum())(logits);
    // Against the same second derivative through the composed softmax, which has no fused kernel.
    const composed = sora.grad((x) => sora.grad((y) => sora.mean(sora.sum(sora.mul(labels, sora.log(sora.softmax(y))), -1).neg()))(x)
      .mul(sora.tensor([[1, 0, 0], [0, 1, 0]])).sum())(logits);
    values(hessianVector).forEach((v, i) => expect(v).toBeCloseTo(values(composed)[i], 5));
    sora.dispose([logits, labels, hessianVector, composed]);
  });
  it('needs a gradient through an op that has none: a clear error naming it', async () => {
    const { register, run1, spec } = await import('../../src/ops/registry.js');
    const opaque = register<Record<string, never>>({
      name: 'testOpaqueIdentity', inputs: ['x'], infer: ([x]) => spec(x.shape, 'float32'),
      compose: ([x]) => [x.add(0)], grad: 'none',
    });
    try {
      expect(() => sora.grad((x) => run1(opaque, [x], {}).sum())(sora.tensor([1])))
        .toThrow(/cannot differentiate through 'testOpaqueIdentity': it has no gradient/);
    } finally {
      // This file's module graph is its own (vitest isolates files): the test op goes with it.
    }
  });
});

describe('higher-order gradients', () => {
  it('d2/dx2 of x^3 is 6x; d3/dx3 is 6', () => {
    const x = sora.tensor([-1, 0.5, 2]);
    const cube = (t: Tensor) => t.mul(t).mul(t);
    expect(values(sora.grad(sora.grad(cube))(x))).toEqual([-6, 3, 12]);
    expect(values(sora.grad(sora.grad(sora.grad(cube)))(x))).toEqual([6, 6, 6]);
  });
  it('second derivatives through tanh, sigmoid, exp, log, softmax and matMul match finite differences of the first', () => {
    const fns: [string, (t: Tensor) => Tensor][] = [
      ['tanh', (t) => t.tanh().sum()],
      ['sigmoid', (t) => t.sigmoid().mul(t).sum()],
      ['exp/log', (t) => t.exp().add(1).log().sum()],
      ['softmax', (t) => t.reshape([1, 3]).softmax().mul(sora.tensor([[1, -2, 3]])).sum()],
      ['matMul', (t) => sora.matMul(t.reshape([1, 3]), t.reshape([3, 1])).tanh().sum()],
      ['dense relu', (t) => t.reshape([1, 3]).relu().square().sum()],
    ];
    for (const [label, f] of fns) {
      const x = [0.3, -0.7, 1.1];
      const second = values(sora.grad((t) => sora.grad(f)(t).mul(sora.tensor([1, 2, 3])).sum())(sora.tensor(x)));
      const first = (v: number[]) => values(sora.grad(f)(sora.tensor(v)));
      const eps = 1e-3;
      x.forEach((_, i) => {
        const up = x.slice(), down = x.slice();
        up[i] += eps; down[i] -= eps;
        const numeric = [1, 2, 3].reduce((acc, w, j) => acc + w * (first(up)[j] - first(down)[j]) / (2 * eps), 0);
        expect(second[i], `${label} [${i}]`).toBeCloseTo(numeric, 2);
      });
    }
  });
});

describe('autograd API (TF.js names)', () => {
  it('grads, valueAndGrad, valueAndGrads', () => {
    const f = (a: Tensor, b: Tensor) => a.mul(b).sum();
    const [da, db] = sora.grads(f)([sora.tensor([1, 2]), sora.tensor([3, 4])]);
    expect([values(da), values(db)]).toEqual([[3, 4], [1, 2]]);
    const { value, grad } = sora.valueAndGrad((x) => x.square().sum())(sora.tensor([3]));
    expect([values(value), values(grad)]).toEqual([[9], [6]]);
    const both = sora.valueAndGrads(f)([sora.tensor([2]), sora.tensor([5])]);
    expect([values(both.value), ...both.grads.map(values)]).toEqual([[10], [5], [2]]);
  });
  it('grad with an upstream dy, and a clear error when y does not depend on x', () => {
    expect(values(sora.grad((x) => x.mul(2))(sora.tensor([1, 2]), sora.tensor([3, 4])))).toEqual([6, 8]);
    expect(() => sora.grad(() => sora.scalar(3))(sora.tensor([1]))).toThrow(/grad: cannot compute the gradient of y = f\(x\)/);
    expect(() => sora.grad((x) => x.mul(2))(sora.tensor([1, 2]), sora.tensor([1]))).toThrow(/dy has shape \[1\] but f\(\) has shape \[2\]/);
  });
  it('customGrad: TF.js\'s example, and its gradient differentiates again', () => {
    const customOp = sora.customGrad((x, save) => {
      (save as (t: Tensor[]) => void)([x as Tensor]);
      return { value: (x as Tensor).square(), gradFunc: (dy, [saved]) => (dy as Tensor).mul(saved.abs()) };
    });
    const x = sora.tensor([-1, -2, 3]);
    expect(values(customOp(x))).toEqual([1, 4, 9]);
    expect(values(sora.grad((t) => customOp(t))(x))).toEqual([1, 2, 3]);
    // L(u) = sum(c(u) u) with c(u) = u^2 whose declared derivative is |u|: dL/du = u |u| + c(u),
    // and d/du of that, through the saved u and c's declared derivative again, is 2|u| + |u|.
    expect(values(sora.grad((t) => sora.grad((u) => customOp(u).mul(u).sum())(t).sum())(x))).toEqual([3, 6, 9]);
  });
});

describe('the variable registry', () => {
  it('variableGrads with no list takes every trainable variable; frozen ones are left out', () => {
    const a = sora.variable(sora.tensor([1, 2]), true, 'a');
    const frozen = sora.variable(sora.tensor([3, 4]), false, 'frozen');
    const { value, grads } = sora.variableGrads(() => a.mul(frozen).sum());
    expect(Object.keys(grads)).toEqual(['a']);
    expect(values(grads.a)).toEqual([3, 4]);
    sora.dispose([value, grads.a]);
  });
  it('optimizer.minimize(f) with no variable list, returning the cost', () => {
    const w = sora.variable(sora.tensor([1, -2]), true, 'w');
    const optimizer = sora.train.sgd(0.1);
    const cost = optimizer.minimize(() => w.square().sum(), true)!;
    expect(values(cost)).toEqual([5]);
    values(w).forEach((v, i) => expect(v).toBeCloseTo([0.8, -1.6][i], 6));
    cost.dispose();
    optimizer.dispose();
  });
  it('names are unique; disposeVariables frees them all', () => {
    const one = sora.tensor([1]);
    const first = sora.variable(one, true, 'unique');
    expect(() => sora.variable(one, true, 'unique')).toThrow(/a variable named 'unique' is already registered/);
    const second = sora.variable(one);
    expect(ENGINE.variables.size).toBe(2);
    const before = live();
    sora.disposeVariables();
    expect([first.isDisposed, second.isDisposed, ENGINE.variables.size, before - live()]).toEqual([true, true, 0, 2]);
    one.dispose();
  });
});

describe('dtypes', () => {
  it('comparisons and logic return bool, as in TF.js; where selects', () => {
    const a = sora.tensor([1, 2, 3]);
    const eq = sora.equal(a, 2);
    expect(eq.dtype).toBe('bool');
    expect(values(eq)).toEqual([0, 1, 0]);
    expect(eq.dataSync()).toBeInstanceOf(Uint8Array); // as TF.js reads bool back
    expect(values(sora.where(sora.greater(a, 1), a, sora.scalar(-1)))).toEqual([-1, 2, 3]);
    expect(values(sora.logicalNot(sora.tensor([true, false])))).toEqual([0, 1]);
    expect(sora.tensor([true, false]).dtype).toBe('bool');
    expect(() => sora.add(eq, eq)).toThrow(/add: not defined for bool operands/);
    expect(() => sora.where(a, a, a)).toThrow(/where: condition must be 'bool'/);
  });
});

describe('backends and kernel tables', () => {
  it('an op whose kernel the backend lacks runs its composition', async () => {
    const full = createReferenceBackend();
    const lacking = Object.assign(createReferenceBackend(), {
      softmax: undefined, affine: undefined,
      unaryOps: new Set(['exp', 'log', 'neg', 'abs', 'sqrt']),
    });
    const x = [[0.5, -1, 2], [3, 0, -3]];
    const run = () => {
      const t = sora.tensor(x);
      return [t.softmax(), t.sigmoid(), t.tanh(), t.relu(), t.square(), sora.mean(t, -1)].map((r) => Array.from(r.dataSync()));
    };
    ENGINE.registerBackend({ name: 'reference', priority: 1, async create() { return lacking; } });
    ENGINE.dropBackend('reference');
    await sora.setBackend('reference');
    const composed = run();
    ENGINE.registerBackend({ name: 'reference', priority: 1, async create() { return full; } });
    ENGINE.dropBackend('reference');
    await sora.setBackend('reference');
    const kernels = run();
    composed.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(kernels[i][j], 5)));
    expect(ENGINE.backend).toBe(full);
  });
  it("setBackend('wasm', { variant }) after setBackend('wasm') makes the instance asked for", async () => {
    await sora.setBackend('wasm');
    await sora.setBackend('wasm', { variant: 'simd' });
    expect(sora.env().description).toBe('wasm (SIMD)');
    await sora.setBackend('wasm', { variant: 'relaxed' });
    expect(sora.env().description).toBe('wasm (SIMD + relaxed SIMD)');
    await sora.setBackend('reference');
  });
});

describe('compositions outside any tidy', () => {
  it('free their intermediates: only the inputs and the result stay alive', () => {
    const x = sora.tensor([[1, 2, 3], [4, 5, 6]], undefined, 'int32');
    const f = sora.tensor([[0.5, -1, 2], [3, 0, -3]]);
    const before = live();
    const results = [sora.sum(x, 0), sora.mean(f, 1), sora.argMax(x, 1), sora.clipByValue(f, -1, 1)];
    expect(live() - before).toBe(results.length);
    sora.dispose([x, f, ...results]);
  });
});

describe('mixed dtypes', () => {
  it('binary ops cast the lower dtype up, as TF.js (bool < int32 < float32)', () => {
    const i = sora.tensor([1, 2], undefined, 'int32');
    const f = sora.tensor([0.5, 0.5]);
    const sum = sora.add(i, f);
    expect([sum.dtype, ...values(sum)]).toEqual(['float32', 1.5, 2.5]);
    const eq = sora.equal(i, sora.tensor([true, false]));
    expect([eq.dtype, ...values(eq)]).toEqual(['bool', 1, 0]);
    sora.dispose([i, f, sum, eq]);
  });
});
