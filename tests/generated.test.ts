/**
 * Generated sources must match their generators, so an edit to one cannot silently drift:
 * the GEMM micro-kernels, the op-code constants (TypeScript and AssemblyScript, from
 * scripts/opcodes.mjs), the embedded shaders (with their WGSL op-code constants) and the API
 * pages in docs/api (from the public TSDoc). And
 * the op codes have one home: no shader or assembly file spells one as a number.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

function check(script: string): void {
  const run = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
  expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
}

describe('generated code is up to date', () => {
  it('assembly/gemm.generated.ts (the GEMM micro-kernels) matches scripts/gen-gemm.mjs', () => check('scripts/gen-gemm.mjs'));
  it('src/backends/opcodes.generated.ts and assembly/opcodes.generated.ts match scripts/opcodes.mjs', () =>
    check('scripts/gen-opcodes.mjs'));
  it('src/backends/webgpu/shaders.generated.ts matches shaders/*.wgsl and the op codes', () =>
    check('scripts/gen-shaders.mjs'));
  // The API pages come from the TSDoc of dist/*.d.ts (npm test builds dist first).
  it('docs/api matches the TSDoc of the public API (npm run docs)', () => check('docs/generate-api.mjs'));
});

describe('op codes are named, never spelt as numbers', () => {
  it('shaders switch on OP / MODE with named cases only', () => {
    for (const file of readdirSync('shaders').filter((f) => f.endsWith('.wgsl'))) {
      const text = readFileSync(`shaders/${file}`, 'utf8');
      expect(/override (OP|MODE)\b/.test(text) && /case \d/.test(text), `${file} has a numeric case`).toBe(false);
    }
  });
  it('assembly/ declares no op-code constants of its own', () => {
    for (const file of readdirSync('assembly').filter((f) => f.endsWith('.ts') && f !== 'opcodes.generated.ts')) {
      const text = readFileSync(`assembly/${file}`, 'utf8');
      const own = text.match(/const (RELU|SIGMOID|ADD|SUB|EQUAL|SUM|MAX|MIN)\s*=/);
      expect(own, `${file} declares ${own?.[0]}`).toBeNull();
    }
  });
});
