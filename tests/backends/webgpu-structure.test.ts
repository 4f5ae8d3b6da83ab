/**
 * Issue 9's composed ops (image sampling, async selections, einsum, rearrangements,
 * gradients through gathers; tests/structure/composed-cases.ts) on the webgpu backend
 * against the reference, in headless Chromium (SwiftShader) and Deno (lavapipe); and the
 * ops that read values synchronously refusing webgpu by name. A missing runtime fails,
 * never skips. SORA_FILTER=<substring> runs only the matching cases.
 */
import { expect } from 'vitest';
import { COMPOSED_CASES } from '../ops/structure/composed-cases.js';
import { describeInRuntimes } from '../runtimes/suite.js';

const filter = process.env.SORA_FILTER ?? '';
const names = [...COMPOSED_CASES.map((c) => c.name), 'synchronous readers refuse webgpu, naming the op'].filter((n) => n.includes(filter));

describeInRuntimes({
  title: 'composed structure ops on webgpu', entry: 'tests/ops/structure/composed-entry.ts',
  cases: names, timeoutMs: 5 * 60_000, options: filter ? { filter } : {},
  runCheck: { name: 'gets a WebGPU backend and runs every composed case', check: (run) => expect(run.info.length).toBeGreaterThan(0) },
});
