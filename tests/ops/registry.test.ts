/**
 * Tests generated from the op registry: every registered op has a test entry
 * (tests/ops/specs.ts), and every entry's cases run forward on both wasm builds against the
 * reference backend, with their gradients checked by finite differences on the reference
 * backend and against the reference's gradients on wasm, leak nothing, and give the same
 * gradient when the op runs inside a tidy inside the gradient. The webgpu backend runs
 * the same entries in tests/webgpu-ops.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as sora from '../../src/index.js';
import { registeredOps } from '../../src/ops/registry.js';
import { OP_SPECS, specCases } from './specs.js';
import { analytic, assertClose, closeArrays, forward, numeric, type Result } from './runner.js';

const names = [...registeredOps().keys()];

describe('the op registry', () => {
  it('every registered op has a test entry, and every entry names a registered op', () => {
    expect(names.filter((n) => !(n in OP_SPECS))).toEqual([]);
    expect(Object.keys(OP_SPECS).filter((n) => !registeredOps().has(n))).toEqual([]);
    for (const name of names) expect(OP_SPECS[name].length, name).toBeGreaterThan(0);
  });
  it('every differentiable op has a case checked by finite differences', () => {
    const unchecked = names.filter((n) => typeof registeredOps().get(n)!.grad === 'function' &&
      !specCases(n).some((k) => k.wrt.length > 0));
    // Comparisons and casts have gradient functions only for float-to-float paths.
    expect(unchecked.filter((n) => n !== 'cast')).toEqual([]);
  });
});

const expected = new Map<string, { forward: Result; grads: Result[] }>();

describe('on the reference backend', () => {
  beforeAll(async () => { await sora.setBackend('reference'); });
  for (const name of Object.keys(OP_SPECS)) {
    it(`${name}: forward, gradients by finite differences, no leaks, tidy inside the gradient`, async () => {
      for (const opCase of specCases(name)) {
        const label = `${name} ${opCase.label}`;
        const out = await forward(opCase);
        let grads: Result[] = [];
        if (opCase.wrt.length > 0) {
          grads = await analytic(opCase);
          const numbers = numeric(opCase);
          grads.forEach((g, i) => closeArrays(`${label} d/d input ${opCase.wrt[i]}`, g.values, numbers[i], { atol: 3e-3, rtol: 3e-3 }));
          const tidied = await analytic(opCase, true);
          tidied.forEach((g, i) => assertClose(`${label} (in a tidy) d/d input ${opCase.wrt[i]}`, g, grads[i], { atol: 0, rtol: 0 }));
        }
        expected.set(label, { forward: out, grads });
      }
    });
  }
});

for (const variant of ['simd', 'relaxed'] as const) {
  describe(`on wasm (${variant}) against the reference`, () => {
    beforeAll(async () => { await sora.setBackend('wasm', { variant }); });
    for (const name of Object.keys(OP_SPECS)) {
      it(name, async () => {
        for (const opCase of specCases(name)) {
          const label = `${name} ${opCase.label}`;
          const want = expected.get(label);
          if (!want) throw new Error(`${label}: the reference run did not complete`);
          assertClose(`${label} forward`, await forward(opCase), want.forward, opCase.tolerance ?? { atol: 1e-5, rtol: 1e-4 });
          if (opCase.wrt.length > 0) {
            const grads = await analytic(opCase, true);
            grads.forEach((g, i) => assertClose(`${label} d/d input ${opCase.wrt[i]}`, g, want.grads[i], { atol: 1e-4, rtol: 1e-3 }));
          }
        }
      });
    }
  });
}
