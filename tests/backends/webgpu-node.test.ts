/**
 * The webgpu backend's pieces that need no GPU, run in Node: the embedded WGSL is current
 * with shaders/, the pool's size classes and the strided-copy axis merging are right, and
 * creating the backend where WebGPU is missing fails with a clear Error.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
// @ts-expect-error: a plain .mjs script without type declarations
import { generate, outputPath, shaderDir, stripShader } from '../../scripts/gen-shaders.mjs';
import { SHADERS } from '../../src/backends/webgpu/shaders.generated.js';
import { sizeClass } from '../../src/backends/webgpu/buffer-pool.js';
import { createWebGPUBackend, simplifyAxes } from '../../src/backends/webgpu/index.js';

describe('embedded shaders', () => {
  it('src/backends/webgpu/shaders.generated.ts is current with shaders/*.wgsl (run node scripts/gen-shaders.mjs)', () => {
    expect(readFileSync(outputPath, 'utf8')).toBe(generate());
  });

  it('embeds every .wgsl file, keeping its line count', () => {
    const files = readdirSync(shaderDir).filter((f: string) => f.endsWith('.wgsl'));
    expect(Object.keys(SHADERS).sort()).toEqual(files.map((f: string) => f.slice(0, -5)).sort());
    for (const file of files) {
      const text = readFileSync(`${shaderDir}/${file}`, 'utf8');
      const name = file.slice(0, -5) as keyof typeof SHADERS;
      // What is embedded (stripped, op codes on line 1) keeps the .wgsl line numbers.
      expect(SHADERS[name].split('\n').length, file).toBe(text.replace(/\n+$/, '\n').split('\n').length);
      expect(stripShader(text).split('\n').length, file).toBe(text.replace(/\n+$/, '\n').split('\n').length);
    }
  });

  it('drops only spaces that separate no tokens (the compaction keeps every shader\'s tokens)', () => {
    // A WGSL-ish lexer: words, numbers, the multi-character operators, then single characters.
    const tokens = (text: string) => text.match(
      /[A-Za-z_][A-Za-z0-9_]*|0[xX][0-9a-fA-F]+[iu]?|[0-9]+\.?[0-9]*(?:e[+-]?[0-9]+)?[iufh]?|->|&&|\|\||<<=|>>=|<<|>>|<=|>=|==|!=|\+\+|--|[-+*/%&|^]=|\S/g) ?? [];
    const plain = (text: string) => text.split('\n').map((line) => { const at = line.indexOf('//'); return at >= 0 ? line.slice(0, at) : line; }).join('\n');
    for (const file of readdirSync(shaderDir).filter((f: string) => f.endsWith('.wgsl'))) {
      const text = readFileSync(`${shaderDir}/${file}`, 'utf8');
      const stripped: string = stripShader(text);
      expect(tokens(stripped), file).toEqual(tokens(plain(text)));
      expect(stripped.length, `${file} is compacted`).toBeLessThan(plain(text).replace(/^ +| +$/gm, '').length);
    }
    // The cases the compaction must leave alone: a template's closing '>' before '=', compound assignments, '=='.
    expect(stripShader('var a: vec4<f32> = b;\nc += d; e = -f; g == h; i >= j;')).toBe('var a:vec4<f32> = b;\nc += d;e=-f;g == h;i >= j;');
  });

  it('each shader opens with a comment on its tiling/grid, bindings and host duties', () => {
    for (const file of readdirSync(shaderDir).filter((f: string) => f.endsWith('.wgsl'))) {
      const head = readFileSync(`${shaderDir}/${file}`, 'utf8').split('\n\n')[0];
      expect(head.startsWith('//'), file).toBe(true);
      expect(/Bindings:/.test(readFileSync(`${shaderDir}/${file}`, 'utf8')), `${file} documents its bindings`).toBe(true);
      expect(/Grid:|grid/.test(readFileSync(`${shaderDir}/${file}`, 'utf8')), `${file} documents its grid`).toBe(true);
    }
  });
});

describe('buffer pool size classes', () => {
  it('rounds up to 256 B, then 2^k or 1.5 * 2^k, wasting at most a third', () => {
    expect(sizeClass(4)).toBe(256);
    expect(sizeClass(256)).toBe(256);
    expect(sizeClass(257)).toBe(384);
    expect(sizeClass(385)).toBe(512);
    expect(sizeClass(4096)).toBe(4096);
    expect(sizeClass(4097)).toBe(6144);
    for (let bytes = 1; bytes < 1 << 24; bytes = Math.ceil(bytes * 1.37)) {
      const c = sizeClass(bytes);
      expect(c).toBeGreaterThanOrEqual(bytes);
      if (bytes > 256) expect(c / bytes).toBeLessThanOrEqual(1.5);
    }
  });
});

describe('copyStrided axis simplification', () => {
  it('drops size-1 axes and merges axes contiguous on both sides', () => {
    expect(simplifyAxes([2, 3, 4], [12, 4, 1], [12, 4, 1])).toEqual({ shape: [24], src: [1], dst: [1] });
    expect(simplifyAxes([3, 1, 4], [4, 99, 1], [8, 5, 1])).toEqual({ shape: [3, 4], src: [4, 1], dst: [8, 1] });
    expect(simplifyAxes([4, 3], [1, 4], [3, 1])).toEqual({ shape: [4, 3], src: [1, 4], dst: [3, 1] });
    expect(simplifyAxes([5, 7], [0, 1], [7, 1])).toEqual({ shape: [5, 7], src: [0, 1], dst: [7, 1] });
    expect(simplifyAxes([2, 0, 3], [3, 3, 1], [3, 3, 1])).toBeNull();
    expect(simplifyAxes([], [], [])).toEqual({ shape: [], src: [], dst: [] });
  });
});

describe('createWebGPUBackend without WebGPU', () => {
  it('throws naming navigator.gpu in Node (no WebGPU here)', async () => {
    await expect(createWebGPUBackend()).rejects.toThrow(/navigator\.gpu is missing/);
  });
});
