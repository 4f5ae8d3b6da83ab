/**
 * The fused ReLU dense backward (src/ops/linalg/matmul.ts, reluBiasGrad): dz = dy * (y > 0)
 * and db = sum(dz, 0) in one op give bit for bit what activationGrad and sum give, on odd
 * shapes, on the reference and wasm backends; a ReLU Dense layer's gradients through it equal
 * the unfused ones; bad shapes are refused naming the op. (Finite differences and the
 * reference comparison: tests/ops/specs.ts.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as sora from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { dense, reluBiasGrad } from '../../src/ops/linalg/matmul.js';
import { activationGrad } from '../../src/ops/math/unary.js';
import { addOpObserver } from '../../src/ops/registry.js';

const seeded = (shape: number[], k: number): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return sora.tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + k * 78.233) * 3), shape);
};
const bits = (t: Tensor): number[] => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer));

describe.each(['reference', 'wasm'] as const)('reluBiasGrad on %s', (backend) => {
  beforeAll(async () => { await sora.setBackend(backend); });

  it.each([[1, 1], [3, 7], [33, 127], [127, 3]])('[%i, %i]: bitwise activationGrad and sum(dz, 0)', (m, n) => {
    sora.tidy(() => {
      const dy = seeded([m, n], 1), y = sora.relu(seeded([m, n], 2));
      const [dz, db] = reluBiasGrad(dy, y);
      const want = activationGrad('relu', dy, y);
      expect(dz.shape).toEqual([m, n]);
      expect(db.shape).toEqual([n]);
      expect(bits(dz)).toEqual(bits(want));
      expect(bits(db)).toEqual(bits(sora.sum(want, 0)));
    });
  });

  it("a ReLU dense layer's gradients go through it and equal the unfused ones", () => {
    sora.tidy(() => {
      const x = seeded([5, 7], 3), kernel = seeded([7, 33], 4), bias = seeded([33], 5);
      const seen: string[] = [];
      const remove = addOpObserver((name) => seen.push(name));
      let grads: Tensor[];
      try {
        grads = sora.grads((a, k, b) => sora.sum(dense(a, k, b, 'relu')))([x, kernel, bias]);
      } finally {
        remove();
      }
      expect(seen).toContain('reluBiasGrad');
      expect(seen).not.toContain('activationGrad');
      const y = dense(x, kernel, bias, 'relu');
      const dz = activationGrad('relu', sora.onesLike(y), y);
      expect(bits(grads[0])).toEqual(bits(sora.matMul(dz, kernel, false, true)));
      expect(bits(grads[1])).toEqual(bits(sora.matMul(x, dz, true, false)));
      expect(bits(grads[2])).toEqual(bits(sora.sum(dz, 0)));
    });
  });

  it('refuses operands of different or non-matrix shapes, naming the op', () => {
    sora.tidy(() => {
      expect(() => reluBiasGrad(sora.ones([3, 4]), sora.ones([4, 3]))).toThrow(/reluBiasGrad: dy and y must be one \[m, n\] shape/);
      expect(() => reluBiasGrad(sora.ones([12]), sora.ones([12]))).toThrow(/reluBiasGrad/);
      expect(() => reluBiasGrad(sora.ones([3, 4], 'int32'), sora.ones([3, 4]))).toThrow(/reluBiasGrad: 'dy' must be float32/);
    });
  });
});
