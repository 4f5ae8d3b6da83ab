/**
 * The GEMM cases with the reference backend as the one under test: every batched case also
 * checks its output against the case's own float64 loop (tests/suite/gemm.cases.ts), so this
 * is the reference GEMM's test against the contract.
 */
import { describe, expect, it } from 'vitest';
import { suites } from './suite/index.js';
import { createReferenceBackend } from '../src/backends/reference/index.js';

describe('reference gemm against the contract', () => {
  const backend = createReferenceBackend();
  const oracle = createReferenceBackend();
  const batched = suites.gemm.filter((c) => c.name.startsWith('gemm batched'));
  it('has batched cases', () => expect(batched.length).toBeGreaterThan(50));
  for (const kernelCase of batched) {
    it(kernelCase.name, async () => {
      const before = backend.bytesInUse();
      await kernelCase.run(backend, oracle);
      expect(backend.bytesInUse(), 'the case frees what it allocates').toBe(before);
    });
  }
});
