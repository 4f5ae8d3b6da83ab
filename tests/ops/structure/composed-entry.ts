/**
 * Runs tests/structure/composed-cases.ts on the reference backend, then on webgpu, and
 * compares (one protocol line per case); also checks that the ops that must read values
 * synchronously refuse webgpu with an Error naming the op. Options: `filter=<substring>`.
 */
import * as sora from '../../../src/index.js';
import { emit, exitRuntime, runtimeOptions } from '../../runtimes/protocol.js';
import { COMPOSED_CASES } from './composed-cases.js';

type Result = { shape: number[]; dtype: string; values: number[] };

async function runCase(run: () => Promise<sora.Tensor[]> | sora.Tensor[]): Promise<Result[]> {
  sora.engine().startScope();
  try {
    const out = await run();
    return await Promise.all(out.map(async (x) => ({ shape: x.shape.slice(), dtype: x.dtype, values: Array.from(await x.data()) })));
  } finally {
    sora.engine().endScope();
  }
}

function compare(name: string, got: Result[], want: Result[]): void {
  if (got.length !== want.length) throw new Error(`${name}: ${got.length} outputs, expected ${want.length}`);
  got.forEach((g, k) => {
    const w = want[k];
    if (g.shape.join() !== w.shape.join() || g.dtype !== w.dtype) throw new Error(`${name} output ${k}: [${g.shape}] ${g.dtype}, expected [${w.shape}] ${w.dtype}`);
    w.values.forEach((v, i) => {
      if (!(Number.isNaN(v) ? Number.isNaN(g.values[i]) : Math.abs(g.values[i] - v) <= Math.max(1e-4, 1e-4 * Math.abs(v)))) {
        throw new Error(`${name} output ${k} element ${i}: ${g.values[i]}, expected ${v}`);
      }
    });
  });
}

async function main(): Promise<void> {
  const filter = runtimeOptions().filter ?? '';
  const cases = COMPOSED_CASES.filter((c) => c.name.includes(filter));
  await sora.setBackend('reference');
  const expected = new Map<string, Result[]>();
  for (const c of cases) expected.set(c.name, await runCase(c.run));
  await sora.setBackend('webgpu');
  emit('SORA_INFO', { backend: sora.env().description });
  const checks: [string, () => Promise<void>][] = cases.map((c) => [c.name, async () => compare(c.name, await runCase(c.run), expected.get(c.name)!)]);
  checks.push(['synchronous readers refuse webgpu, naming the op', async () => {
    const x = sora.tensor([1, 2, 1]);
    for (const [op, f] of [['unique', () => sora.unique(x)], ['nonMaxSuppression', () => sora.image.nonMaxSuppression(sora.zeros([1, 4]), sora.zeros([1]), 1)],
      ['sparseSegmentSum', () => sora.sparse.sparseSegmentSum(x, sora.tensor([0], [1], 'int32'), sora.tensor([0], [1], 'int32'))]] as const) {
      let message = '';
      try { f(); } catch (error) { message = (error as Error).message; }
      if (!message.startsWith(op) || !message.includes('webgpu')) throw new Error(`${op} on webgpu: expected an Error naming it; got '${message}'`);
    }
    x.dispose();
  }]);
  let failed = 0;
  for (const [name, check] of checks) {
    try {
      await check();
      emit('SORA_RESULT', { name, ok: true });
    } catch (error) {
      failed++;
      emit('SORA_RESULT', { name, ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  }
  emit('SORA_DONE', { cases: checks.length, failed });
}

main().then(() => exitRuntime(0), (error) => {
  emit('SORA_FATAL', error instanceof Error ? error.message : String(error));
  exitRuntime(1);
});
