/**
 * Every registered op's test entry (tests/ops/specs.ts) on the webgpu backend against the
 * reference backend, inside Chromium or Deno: the forward, and where the entry checks
 * gradients, the analytic gradients (the backward ops on webgpu) against the reference's.
 * One protocol line per case. Options: `filter=<substring>`.
 */
import * as sora from '../../../src/index.js';
import { OP_SPECS, specCases } from '../../ops/specs.js';
import { analytic, assertClose, forward, type Result } from '../../ops/runner.js';
import { emit, exitRuntime, runtimeOptions } from '../protocol.js';

async function main(): Promise<void> {
  const filter = runtimeOptions().filter ?? '';
  const cases = Object.keys(OP_SPECS).flatMap((name) => specCases(name).map((opCase) => ({ name: `${name} ${opCase.label}`, opCase })))
    .filter((c) => c.name.includes(filter));
  await sora.setBackend('reference');
  const expected = new Map<string, { out: Result; grads: Result[] }>();
  for (const { name, opCase } of cases) {
    expected.set(name, { out: await forward(opCase), grads: opCase.wrt.length ? await analytic(opCase) : [] });
  }
  await sora.setBackend('webgpu');
  emit('SORA_INFO', { backend: sora.env().description });
  let failed = 0;
  for (const { name, opCase } of cases) {
    const want = expected.get(name)!;
    for (const [label, check] of [
      [name, async () => assertClose(name, await forward(opCase), want.out, opCase.tolerance ?? { atol: 1e-5, rtol: 1e-4 })],
      ...(opCase.wrt.length ? [[`${name} gradient`, async () => {
        const grads = await analytic(opCase, true);
        grads.forEach((g, i) => assertClose(`${name} d/d input ${opCase.wrt[i]}`, g, want.grads[i], { atol: 1e-4, rtol: 1e-3 }));
      }] as const] : []),
    ] as const) {
      try {
        await check();
        emit('SORA_RESULT', { name: label, ok: true });
      } catch (error) {
        failed++;
        emit('SORA_RESULT', { name: label, ok: false, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  emit('SORA_DONE', { cases: cases.length, failed });
}

main().then(() => exitRuntime(0), (error) => {
  emit('SORA_FATAL', error instanceof Error ? error.message : String(error));
  exitRuntime(1);
});
