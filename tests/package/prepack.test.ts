/**
 * `npm pack` (and `npm publish`) from a fresh clone, where nothing is built yet, must ship the
 * built package, not only README and package.json: the `prepack` script runs the whole build,
 * which makes every path the manifest's `files` lists. (The other package tests pack with
 * --ignore-scripts over the build `npm test` has made, so they do not build again.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './apps.mjs';

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>; files: string[];
};

describe('npm pack builds first', () => {
  it('prepack runs the build', () => {
    expect(manifest.scripts.prepack).toBe('npm run build');
  });

  it('the build makes every path the tarball ships', () => {
    const { build } = manifest.scripts;
    expect(build).toContain('npm run build:wasm');
    expect(build).toContain('npm run build:js');
    expect(manifest.scripts['build:js']).toMatch(/tsc -p tsconfig\.json$/);
    const outDir = (JSON.parse(readFileSync(join(REPO_ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: { outDir: string } }).compilerOptions.outDir;
    const asconfig = JSON.parse(readFileSync(join(REPO_ROOT, 'asconfig.json'), 'utf8')) as { targets: Record<string, { outFile: string }> };
    const wasm = (manifest.scripts['build:wasm'].match(/--target (\w+)/g) ?? []).map((t) => asconfig.targets[t.slice('--target '.length)].outFile);
    for (const path of manifest.files) {
      expect(path.startsWith(`${outDir.replace(/^\.\//, '')}/`) || wasm.includes(path), `${path} is made by the build`).toBe(true);
    }
  });
});
