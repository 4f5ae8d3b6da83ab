/**
 * The op path without per-call allocations (issue 19): ops whose shapes repeat reuse the
 * specs of their last call (`inferByShapes`) and still check every new shape; the tape
 * records the OpDef instead of a closure; live data is an indexed list; a scope frees newest
 * first. Each behaviour is checked on the reference and wasm backends.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as sora from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { ENGINE, LiveRefs } from '../../src/core/engine.js';
import { DataRef } from '../../src/core/tensor.js';
import { register, registeredOps, run1, runOp } from '../../src/ops/registry.js';

const values = (t: Tensor): number[] => Array.from(t.dataSync());

describe.each(['reference', 'wasm'] as const)('the op hot path on %s', (backend) => {
  beforeAll(async () => { await sora.setBackend(backend); });
  afterEach(() => sora.disposeVariables());

  it('an op that infers by shapes gives each new shape its own output and checks it', () => {
    expect(registeredOps().get('add')!.inferByShapes).toBe(true);
    sora.tidy(() => {
      const shapes = [[1], [3], [7, 1], [7, 33], [3], [1, 127], [7, 33]];
      for (const shape of shapes) {
        const n = shape.reduce((a, b) => a * b, 1);
        const a = sora.tensor(Array.from({ length: n }, (_, i) => i), shape);
        const y = sora.add(a, sora.scalar(0.5));
        expect(y.shape).toEqual(shape);
        expect(values(y)).toEqual(Array.from({ length: n }, (_, i) => i + 0.5));
        expect(sora.relu(sora.neg(a)).shape).toEqual(shape);
      }
      // A bad pair after good ones of the same dtypes is still refused, naming the op.
      sora.add(sora.ones([3, 2]), sora.ones([2]));
      expect(() => sora.add(sora.ones([3, 2]), sora.ones([3]))).toThrow(/add: shapes \[3,2\] and \[3\] cannot be broadcast/);
      expect(() => sora.add(sora.ones([3, 2]), sora.ones([3]))).toThrow(/cannot be broadcast/);
      // Same shapes, another dtype: infer runs again (int32 add is int32, bool add is refused).
      expect(sora.add(sora.tensor([1, 2], [2], 'int32'), sora.tensor([3, 4], [2], 'int32')).dtype).toBe('int32');
      expect(() => sora.add(sora.tensor([1, 0], [2], 'bool'), sora.tensor([1, 1], [2], 'bool'))).toThrow(/add: not defined for bool/);
    });
  });

  it("mutating an output's shape array does not change what the next call makes", () => {
    sora.tidy(() => {
      const a = sora.ones([2, 3]);
      const first = sora.mul(a, a);
      (first.shape as number[])[0] = 99; // a user's mistake: tensors copy their shape
      const second = sora.mul(a, a);
      expect(second.shape).toEqual([2, 3]);
      expect(second.size).toBe(6);
    });
  });

  it('the tape entry holds the op: gradients, errors naming the op, and grad of grad still work', () => {
    const x = sora.tensor([1, -2, 3]);
    const g = sora.grad((t) => sora.sum(sora.mul(sora.relu(t), t)))(x);
    expect(values(g)).toEqual([2, 0, 6]);
    const gg = sora.grad((t) => sora.sum(sora.grad((u) => sora.sum(sora.mul(sora.mul(u, u), u)))(t)))(x);
    expect(values(gg)).toEqual([6, -12, 18]);
    expect(() => sora.grad((t) => sora.sum(sora.cast(sora.greater(t, 0), 'float32')))(x))
      .toThrow(/greater/);
    sora.dispose([x, g, gg]);
  });

  it('a scope frees its tensors newest first and keeps what it returns, with exact accounting', () => {
    const before = sora.memory();
    const kept = sora.tidy(() => {
      let y = sora.ones([5]);
      const middle: Tensor[] = [];
      for (let i = 0; i < 50; i++) { y = sora.add(y, sora.scalar(1)); if (i === 20) middle.push(y); }
      return [y, middle[0]];
    });
    const after = sora.memory();
    expect(after.numTensors - before.numTensors).toBe(2);
    expect(after.numDataBuffers - before.numDataBuffers).toBe(2);
    expect(values(kept[0])).toEqual([51, 51, 51, 51, 51]);
    expect(values(kept[1])).toEqual([22, 22, 22, 22, 22]);
    sora.dispose(kept);
    expect(sora.memory().numTensors).toBe(before.numTensors);
    expect(sora.memory().numBytes).toBe(before.numBytes);
  });
});

describe('LiveRefs', () => {
  it('adds, deletes in any order, counts and iterates as a Set of the live refs', () => {
    const backend = ENGINE.backend;
    const refs = new LiveRefs();
    const made = Array.from({ length: 7 }, () => new DataRef(backend.alloc(1, 'float32'), backend));
    for (const ref of made) refs.add(ref);
    refs.add(made[3]); // twice: still one entry
    expect(refs.size).toBe(7);
    for (const i of [3, 0, 6, 3]) refs.delete(made[i]);
    expect(refs.size).toBe(4);
    expect([...refs].sort((a, b) => made.indexOf(a) - made.indexOf(b))).toEqual([made[1], made[2], made[4], made[5]]);
    expect(made.map((r) => refs.has(r))).toEqual([false, true, true, false, true, true, false]);
    // Deleting while iterating visits each live ref once.
    let seen = 0;
    for (const ref of refs) { refs.delete(ref); seen++; }
    expect(seen).toBe(4);
    expect(refs.size).toBe(0);
    for (const ref of made) backend.free(ref.storage);
  });
});

describe('register', () => {
  it('returns the copy it keeps, with every field present; runOp runs it and the literal alike', () => {
    const literal = {
      name: `hotPathTest${Math.random()}`, inputs: ['x'], inferByShapes: true,
      infer: ([x]: Tensor[]) => [{ shape: x.shape, dtype: x.dtype }],
      compose: ([x]: Tensor[]) => [sora.mul(x, 2)],
      grad: ([dy]: Tensor[]) => [sora.mul(dy, 2)],
    };
    const op = register(literal);
    expect(op).not.toBe(literal);
    expect(registeredOps().get(literal.name)).toBe(op);
    expect(Object.keys(op)).toEqual(Object.keys(registeredOps().get('add')!));
    sora.tidy(() => {
      expect(values(run1(op, [sora.tensor([1, 2])], {}))).toEqual([2, 4]);
      expect(values(runOp(literal, [sora.tensor([3])], {})[0])).toEqual([6]);
    });
  });
});
