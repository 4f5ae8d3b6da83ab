/**
 * The webgpu recurrent kernels (src/backends/webgpu/recurrent.ts, shaders/rnn.wgsl) against
 * the reference backend, in headless Chromium (SwiftShader) and Deno (lavapipe): the cases of
 * tests/backends/suite/recurrent-gpu.cases.ts, each its own test, on the adapter's gemm variant
 * and again on 'tiled' (the GPUs' one) as `[gemm_tiled] <case>`, then (unfiltered) the LSTM
 * step cost at B8 H64 and B64 H64 printed beside the recurrent product's gemm alone, and the
 * dispatches each call encodes checked. A missing runtime fails every
 * test with its install line (never a skip). SORA_FILTER=<substring> runs only the matching cases.
 */
import { expect } from 'vitest';
import { hasKernel } from '../../src/backends/backend.js';
import { WebGPUBackend } from '../../src/backends/webgpu/index.js';
import { cases } from './suite/recurrent-gpu.cases.js';
import { describeInRuntimes } from '../runtimes/suite.js';

const filter = process.env.SORA_FILTER ?? '';

describeInRuntimes({
  title: 'webgpu recurrent kernels', entry: 'tests/runtimes/entries/recurrent-gpu-suite.ts',
  cases: ['', '[gemm_tiled] '].flatMap((prefix) => cases.map((c) => prefix + c.name)).filter((n) => n.includes(filter)), timeoutMs: 8 * 60_000, options: filter ? { filter } : {},
  runCheck: {
    name: 'the webgpu backend implements both recurrent kernels; two dispatches per LSTM step each way',
    check: (run) => {
      const proto = WebGPUBackend.prototype as unknown as Parameters<typeof hasKernel>[0];
      expect(hasKernel(proto, 'recurrentSequence')).toBe(true);
      expect(hasKernel(proto, 'recurrentSequenceBackward')).toBe(true);
      expect(run.info.length).toBeGreaterThan(0);
      if (filter) return;
      const bench = (run.info.find((i) => (i as { bench?: unknown }).bench) as { bench: Record<string, number>[] } | undefined)?.bench;
      expect(bench, 'the step-cost run reported').toBeDefined();
      console.log(JSON.stringify(bench));
      for (const row of bench!) {
        // Forward: 2 aux copies (h0, c0), the start, 20 x (gemm, gates); backward: 2 aux copies, 20 x (gates, gemm),
        // the end, 2 copies out (dh0, dc0).
        expect(row.forwardDispatches).toBe(43);
        expect(row.backwardDispatches).toBe(45);
      }
    },
  },
});
