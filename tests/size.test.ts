/**
 * What a user downloads is part of the product (STYLE.md): the minified browser bundle and
 * each wasm build stay within a budget, so growth is a decision, not an accident.
 */
import { describe, it, expect } from 'vitest';
import { statSync } from 'node:fs';
import { build } from 'esbuild';

const KIB = 1024;
const BUDGET = {
  /** Everything in src/index.ts (ops, layers, model, io, data, wasm glue), minified. */
  core: 120 * KIB,
  /** The webgpu backend and its shaders, loaded only when webgpu is chosen. */
  webgpu: 80 * KIB,
  wasm: 48 * KIB,
};

async function minifiedBytes(entry: string, external: string[] = []): Promise<number> {
  const result = await build({
    entryPoints: [entry], bundle: true, minify: true, format: 'esm', platform: 'browser',
    target: 'es2022', write: false, logLevel: 'silent', external,
  });
  return result.outputFiles[0].contents.byteLength;
}

describe('download size', () => {
  it(`the library without webgpu is under ${BUDGET.core / KIB} KiB minified`, async () => {
    // select.ts imports webgpu lazily; mark it external to measure the core alone.
    const bytes = await minifiedBytes('src/index.ts', ['./webgpu/index.js']);
    expect(bytes).toBeLessThan(BUDGET.core);
  });
  it(`the webgpu backend is under ${BUDGET.webgpu / KIB} KiB minified`, async () => {
    const bytes = await minifiedBytes('src/backends/webgpu/index.ts', ['../reference/index.js', '../backend.js']);
    expect(bytes).toBeLessThan(BUDGET.webgpu);
  });
  for (const variant of ['simd', 'relaxed']) {
    it(`build/sora-${variant}.wasm is under ${BUDGET.wasm / KIB} KiB`, () => {
      expect(statSync(`build/sora-${variant}.wasm`).size).toBeLessThan(BUDGET.wasm);
    });
  }
});
