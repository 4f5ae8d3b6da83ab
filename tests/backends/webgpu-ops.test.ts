/**
 * Every registered op's test entry on the webgpu backend against the reference backend, in
 * headless Chromium (SwiftShader) and Deno (lavapipe): forwards and analytic gradients
 * (tests/runtimes/entries/op-suite.ts). A missing runtime fails, never skips.
 * SORA_FILTER=<substring> runs only the matching cases.
 */
import { expect } from 'vitest';
import { OP_SPECS, specCases } from '../ops/specs.js';
import { describeInRuntimes } from '../runtimes/suite.js';

const filter = process.env.SORA_FILTER ?? '';
const names = Object.keys(OP_SPECS).flatMap((name) => specCases(name).flatMap((c) => {
  const label = `${name} ${c.label}`;
  return c.wrt.length ? [label, `${label} gradient`] : [label];
})).filter((n) => n.includes(filter));

describeInRuntimes({
  title: 'op registry on webgpu', entry: 'tests/runtimes/entries/op-suite.ts',
  cases: names, timeoutMs: 5 * 60_000, options: filter ? { filter } : {},
  runCheck: { name: 'gets a WebGPU backend and runs every op case', check: (run) => expect(run.info.length).toBeGreaterThan(0) },
});
