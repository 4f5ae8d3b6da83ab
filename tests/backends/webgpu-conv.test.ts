/**
 * The webgpu convolution and pooling kernels (src/backends/webgpu/conv.ts, shaders/conv*.wgsl,
 * pool.wgsl) against the reference backend, in headless Chromium (SwiftShader) and Deno
 * (lavapipe): the cases of tests/backends/suite/conv-gpu.cases.ts and pool-gpu.cases.ts, and
 * the kernel suite's conv.cases.ts and pool.cases.ts (moved here from webgpu-kernels.test.ts
 * to share the time), each its own test. A missing runtime fails every test with its install
 * line (never a skip). SORA_FILTER=<substring> runs only the matching cases.
 */
import { expect } from 'vitest';
import { hasKernel } from '../../src/backends/backend.js';
import { WebGPUBackend } from '../../src/backends/webgpu/index.js';
import { cases as conv } from './suite/conv-gpu.cases.js';
import { cases as pool } from './suite/pool-gpu.cases.js';
import { convCases } from './suite/index.js';
import { describeInRuntimes } from '../runtimes/suite.js';

const filter = process.env.SORA_FILTER ?? '';
const names = [...conv, ...pool, ...convCases].map((c) => c.name).filter((n) => n.includes(filter));
// conv2d's cases also run on backends forced to each GEMM variant (conv_gemm and conv_blocked).
const conv2dNames = conv.map((c) => c.name).filter((n) => n.startsWith('conv2d') && n.includes(filter));
const variantNames = ['tiled', 'blocked'].flatMap((v) => conv2dNames.map((n) => `[gemm_${v}] ${n}`));

describeInRuntimes({
  title: 'webgpu conv and pool kernels', entry: 'tests/runtimes/entries/conv-gpu-suite.ts',
  cases: [...names, ...variantNames], timeoutMs: 8 * 60_000, options: filter ? { filter } : {},
  runCheck: {
    name: 'the webgpu backend implements every conv and pool family, and the run reaches its end',
    check: (run) => {
      const proto = WebGPUBackend.prototype as unknown as Parameters<typeof hasKernel>[0];
      for (const name of ['conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter', 'depthwiseConv2d', 'depthwiseConv2dBackpropInput',
        'depthwiseConv2dBackpropFilter', 'pool2d', 'pool2dBackward'] as const) {
        expect(hasKernel(proto, name), name).toBe(true);
      }
      expect(run.info.length).toBeGreaterThan(0);
    },
  },
});
