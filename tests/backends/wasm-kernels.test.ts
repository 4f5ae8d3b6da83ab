/** The kernel suite on both wasm builds, each checked against the reference backend. */
import { describe, it, expect, beforeAll } from 'vitest';
import { suites } from './suite/index.js';
import { createWasmBackend, type WasmBackend } from '../../src/backends/wasm/index.js';
import { createReferenceBackend } from '../../src/backends/reference/index.js';
import { relaxedSimdSupported } from '../../src/backends/wasm/loader.js';
import { hasKernel, type KernelName } from '../../src/backends/backend.js';

const CONV_FAMILIES: KernelName[] = ['conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter', 'depthwiseConv2d',
  'depthwiseConv2dBackpropInput', 'depthwiseConv2dBackpropFilter', 'pool2d', 'pool2dBackward'];

describe('relaxed SIMD is available to this suite', () => {
  it('validates (vitest runs Node with --experimental-wasm-relaxed-simd)', () => {
    // Without it the relaxed build would silently go untested.
    expect(relaxedSimdSupported()).toBe(true);
  });
});

for (const variant of ['simd', 'relaxed'] as const) {
  describe(`wasm ${variant}`, () => {
    let backend: WasmBackend;
    const reference = createReferenceBackend();
    beforeAll(async () => { backend = await createWasmBackend({ variant }); });
    it('implements the convolution and pooling families (the ops run them, not their compositions)', () => {
      expect(CONV_FAMILIES.filter((name) => !hasKernel(backend, name))).toEqual([]);
    });
    for (const [family, cases] of Object.entries(suites)) {
      describe(family, () => {
        expect(cases.length).toBeGreaterThan(0);
        for (const kernelCase of cases) {
          it(kernelCase.name, async () => {
            const before = backend.bytesInUse();
            await kernelCase.run(backend, reference);
            expect(backend.bytesInUse(), 'the case frees what it allocates').toBe(before);
          });
        }
      });
    }
  });
}
