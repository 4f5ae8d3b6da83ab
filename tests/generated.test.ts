/** Generated sources must match their generators, so an edit to one cannot silently drift. */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';

describe('generated code is up to date', () => {
  it('assembly/gemm.ts micro-kernels match scripts/gen-gemm.mjs', () => {
    const run = spawnSync(process.execPath, ['scripts/gen-gemm.mjs', '--check'], { encoding: 'utf8' });
    expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
  });
});
