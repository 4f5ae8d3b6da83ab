/**
 * Package hygiene, checked on the tarball `npm pack` makes: publint and arethetypeswrong
 * pass; `files` ships what the entries load (the import graph from each entry, the .d.ts
 * beside each module, the .wasm files the loader names) and nothing else; `sideEffects` lists
 * exactly the modules that run code when imported (a top-level expression statement, or a
 * bare `import './x.js'` that must survive); and a page that uses only tensors leaves the
 * layers and the webgpu backend out of its entry chunk. Needs `npm run build` first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { parseAst } from 'rollup/parseAst';
import { installApp, packTarball, removeDir, REPO_ROOT } from './apps.mjs';

const BIN = join(REPO_ROOT, 'node_modules', '.bin');
const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { types: string; default: string }>;
  sideEffects: string[];
};

let packDir = '';
let tarball = '';
let packed: string[] = [];

beforeAll(() => {
  for (const file of ['dist/index.js', 'dist/wasm-inline.js', 'build/sora-simd.wasm', 'build/sora-relaxed.wasm']) {
    if (!existsSync(join(REPO_ROOT, file))) throw new Error(`${file} is missing: run \`npm run build\` first`);
  }
  packDir = mkdtempSync(join(tmpdir(), 'sora-pack-'));
  ({ tarball, files: packed } = packTarball(packDir));
}, 120_000);
afterAll(() => { if (packDir) removeDir(packDir); });

function tool(name: string, args: string[]): string {
  try {
    return execFileSync(join(BIN, name), args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${name} ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
  }
}

/** Relative specifiers a built module loads: static and dynamic imports, and new URL(..., import.meta.url). */
function loads(code: string): { modules: string[]; assets: string[] } {
  const modules = [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]);
  const assets = [...code.matchAll(/new URL\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g)].map((m) => m[1]);
  return { modules, assets };
}

interface Node { type: string; [key: string]: unknown }

/**
 * Whether a module runs code that reaches beyond itself when imported: a bare import (kept
 * for its effect), or a top-level statement other than filling a module-local object
 * (`TABLE.key = value`, or tsc's enum output `(function (E) {...})(E || (E = {}))`), such as
 * a call of an imported function (`chain({...})`, `ENGINE.registerBackend(...)`).
 */
function runsCode(code: string): boolean {
  const body = parseAst(code).body as unknown as Node[];
  const local = new Set<string>();
  for (const node of body) {
    const declaration = (node.type === 'ExportNamedDeclaration' ? node.declaration : node) as Node | null;
    if (!declaration) continue;
    if (declaration.type === 'VariableDeclaration') {
      for (const d of declaration.declarations as { id: Node }[]) if (d.id.type === 'Identifier') local.add(d.id.name as string);
    } else if ((declaration.type === 'FunctionDeclaration' || declaration.type === 'ClassDeclaration') && declaration.id) {
      local.add((declaration.id as Node).name as string);
    }
  }
  const rootName = (target: Node): string | null => {
    let node = target;
    while (node.type === 'MemberExpression') node = node.object as Node;
    return node.type === 'Identifier' ? node.name as string : null;
  };
  return body.some((node) => {
    if (node.type === 'ImportDeclaration') return (node.specifiers as unknown[]).length === 0;
    if (node.type !== 'ExpressionStatement' || node.directive) return false;
    const expression = node.expression as Node;
    if (expression.type === 'AssignmentExpression') return !local.has(rootName(expression.left as Node) ?? '');
    const args = expression.arguments as Node[] | undefined;
    const isEnum = expression.type === 'CallExpression' && (expression.callee as Node).type === 'FunctionExpression' &&
      args?.length === 1 && args[0].type === 'LogicalExpression' && local.has(rootName(args[0].left as Node) ?? '');
    return !isEnum;
  });
}

/** tsc's output for a types-only module: `export {};` and comments, no code. */
function isEmptyModule(file: string): boolean {
  return parseAst(readFileSync(join(REPO_ROOT, file), 'utf8')).body.every((node) =>
    node.type === 'ExportNamedDeclaration' && !node.declaration && node.specifiers.length === 0 && !node.source);
}

describe('the packed tarball', () => {
  it('passes publint (strict)', () => {
    expect(tool('publint', ['run', tarball, '--strict'])).toMatch(/All good/);
  });

  it('passes arethetypeswrong for an ESM-only package (the .wasm exports are assets, not modules)', () => {
    const out = tool('attw', [tarball, '--profile', 'esm-only', '--format', 'ascii',
      '--exclude-entrypoints', './sora-simd.wasm', './sora-relaxed.wasm']);
    expect(out).toMatch(/"sora\/wasm-inline"/);
  });

  it('holds what the entries load and nothing else', () => {
    const entries = Object.values(manifest.exports).flatMap((target) =>
      typeof target === 'string' ? [target] : [target.default, target.types]).map((p) => posix.normalize(p))
      .filter((p) => p !== 'package.json');
    const reached = new Set<string>();
    const queue = [...entries];
    for (const p of entries) reached.add(p);
    // The .wasm entries are assets: nothing to walk.
    queue.splice(0, queue.length, ...entries.filter((p) => p.endsWith('.js') || p.endsWith('.d.ts')));
    // Walk the JS import graph, and the .d.ts graph beside it: a types-only module is reached
    // through the declarations that import it, and ships its .js only as tsc's empty `export {};`.
    while (queue.length > 0) {
      const file = queue.pop()!;
      const declarations = file.endsWith('.d.ts');
      const code = readFileSync(join(REPO_ROOT, file), 'utf8');
      const { modules, assets } = loads(code);
      const twin = declarations ? file.replace(/\.d\.ts$/, '.js') : file.replace(/\.js$/, '.d.ts');
      if (!reached.has(twin) && existsSync(join(REPO_ROOT, twin)) &&
        (!declarations || isEmptyModule(twin))) {
        reached.add(twin);
        queue.push(twin);
      }
      for (const spec of modules) {
        const target = posix.join(posix.dirname(file), declarations ? spec.replace(/\.js$/, '.d.ts') : spec);
        if (!reached.has(target)) { reached.add(target); queue.push(target); }
      }
      for (const spec of assets) reached.add(posix.join(posix.dirname(file), spec));
    }
    const expected = [...reached].sort();
    const shipped = packed.filter((p) => !['package.json', 'README.md', 'LICENSE'].includes(p)).sort();
    expect(shipped.filter((p) => !reached.has(p)), 'shipped but loaded by no entry').toEqual([]);
    expect(expected.filter((p) => !packed.includes(p)), 'loaded by an entry but not shipped').toEqual([]);
  });

  it('lists in sideEffects exactly the modules that run code when imported (dist/, and src/ for in-repo bundles)', () => {
    const shipped = manifest.sideEffects.filter((p) => p.startsWith('./dist/'));
    const patterns = shipped.map((p) => new RegExp(`^${p.replace(/^\.\//, '').replace(/\./g, '\\.').replace(/\*/g, '[^/]*')}$`));
    const listed = (p: string) => patterns.some((r) => r.test(p));
    const effectful = packed.filter((p) => p.endsWith('.js')).filter((p) => runsCode(readFileSync(join(REPO_ROOT, p), 'utf8')));
    expect(effectful.filter((p) => !listed(p)), 'modules with side effects missing from sideEffects').toEqual([]);
    for (const [i, pattern] of patterns.entries()) {
      expect(effectful.some((p) => pattern.test(p)), `sideEffects entry ${shipped[i]} matches no module with side effects`).toBe(true);
    }
    // The repository's own bundles (tests, benchmarks) bundle src/: the same list there, or
    // esbuild drops a module imported for its effect (an op family's registrations and chainable methods).
    const mirrored = shipped.map((p) => p.replace(/^\.\/dist\//, './src/').replace(/\.js$/, '.ts'));
    expect(manifest.sideEffects.filter((p) => !p.startsWith('./dist/')).sort()).toEqual(mirrored.sort());
  });
});

describe('tree shaking the installed package', () => {
  let appDir = '';
  beforeAll(() => { appDir = installApp(tarball, 'shake'); }, 120_000);
  afterAll(() => { if (appDir) removeDir(appDir); });

  async function entryChunk(source: string): Promise<string> {
    writeFileSync(join(appDir, 'shake.js'), source);
    const result = await build({
      entryPoints: [join(appDir, 'shake.js')], bundle: true, splitting: true, minify: true, format: 'esm',
      platform: 'browser', outdir: join(appDir, 'out'), write: false, logLevel: 'silent', absWorkingDir: appDir,
    });
    const entry = result.outputFiles.find((f) => dirname(f.path) === join(appDir, 'out') && f.path.endsWith('shake.js'));
    return entry!.text;
  }

  it('a page with tensors only leaves the layers, the model and the webgpu backend out of its entry chunk', async () => {
    const all = await entryChunk("import * as sora from 'sora'; await sora.ready(); console.log(sora.sequential, sora.layers);");
    const tensors = await entryChunk("import { ready, tensor, matMul } from 'sora'; await ready(); console.log(matMul(tensor([[1]]), tensor([[2]])).dataSync());");
    expect(all).toMatch(/['"]Sequential['"]/);
    expect(tensors).not.toMatch(/['"]Sequential['"]/);
    for (const chunk of [all, tensors]) expect(chunk).not.toMatch(/requestAdapter/);
    expect(tensors.length).toBeLessThan(all.length * 0.8);
  });
});
