/**
 * The folders of src/ are floors, and imports run downward only (docs/architecture.md):
 * backends -> core -> ops and compat -> training -> layers -> models, io, data -> graph -> the entries.
 * No import circle runs through the ops (a circle among op files is what keeps a bundler from
 * shaking unused ops out; their layer order is stated in src/ops/index.ts), the layers, the
 * models or the backends. This reads the static import graph of src/ (`import ... from`,
 * `import type`, `export ... from`, bare `import './x.js'`) from the sources, and names what
 * it finds.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');

type Graph = Map<string, string[]>;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

/** Module specifiers of a file's static imports and re-exports, type-only ones included. */
function importSpecifiers(source: string): string[] {
  const found: string[] = [];
  // A statement starting a line; its clause may span lines (`import {\n a,\n} from './x.js'`),
  // never a quote or a semicolon before `from`.
  for (const m of source.matchAll(/^[ \t]*(?:import|export)\b[^;'"`]*?\bfrom\s*(['"])([^'"]+)\1/gm)) found.push(m[2]);
  for (const m of source.matchAll(/^[ \t]*import\s*(['"])([^'"]+)\1/gm)) found.push(m[2]);
  return found;
}

/** The .ts file a relative specifier names (`./x.js` -> x.ts), or null where none exists. */
function resolveSpecifier(from: string, specifier: string): string | null {
  const base = resolve(dirname(from), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((c) => c.endsWith('.ts') && existsSync(c)) ?? null;
}

function importGraph(): { graph: Graph; unresolved: string[] } {
  const graph: Graph = new Map();
  const unresolved: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const deps = new Set<string>();
    for (const specifier of importSpecifiers(readFileSync(file, 'utf8'))) {
      if (!specifier.startsWith('.')) continue;
      const target = resolveSpecifier(file, specifier);
      if (target) deps.add(relative(ROOT, target));
      else unresolved.push(`${relative(ROOT, file)}: '${specifier}'`);
    }
    graph.set(relative(ROOT, file), [...deps]);
  }
  return { graph, unresolved };
}

/** Strongly connected components (Tarjan) of more than one file, or of a file importing itself. */
function circles(graph: Graph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** One circle through a component's first file, as `a -> b -> a` (breadth-first: a shortest one). */
function describeCircle(graph: Graph, component: string[]): string {
  const members = new Set(component);
  const start = component[0];
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(cameFrom.get(path[0])!);
        return [...path, start].join(' -> ');
      }
      if (!cameFrom.has(w)) {
        cameFrom.set(w, v);
        queue.push(w);
      }
    }
  }
  return component.join(', ');
}

/** A file's floor: its top folder under src/ (files directly in src/ are the entries, on top). */
const FLOORS: Record<string, number> = { backends: 0, core: 1, ops: 2, compat: 2, training: 3, layers: 4, models: 5, io: 5, data: 5, graph: 6 };
function floorOf(file: string): number {
  const top = file.split('/')[1];
  return top.endsWith('.ts') ? 9 : FLOORS[top] ?? -1;
}

/**
 * The one circle left, and why: the engine makes tensors and a tensor asks the engine for
 * its data (tape.ts only names the Tensor type); the three are one unit at the bottom of core.
 */
const ACCEPTED_CIRCLES = [['src/core/engine.ts', 'src/core/tape.ts', 'src/core/tensor.ts']];

describe('the import graph of src/', () => {
  it('finds circles and names them (the checker itself)', () => {
    const graph: Graph = new Map([['a', ['b']], ['b', ['c']], ['c', ['a', 'd']], ['d', []], ['e', ['e']]]);
    const found = circles(graph);
    expect(found).toEqual([['a', 'b', 'c'], ['e']]);
    expect(describeCircle(graph, found[0])).toBe('a -> b -> c -> a');
    expect(describeCircle(graph, found[1])).toBe('e -> e');
    expect(importSpecifiers([
      "import type { A } from './a.js';",
      'import {',
      '  b,',
      "} from '../b.js';",
      "export { c } from './c.js';",
      "export type { D } from './d.js';",
      "import './e.js';",
      " * import { f } from './f.js' (a doc comment)",
      "export const g = h('not a module');",
    ].join('\n'))).toEqual(['./a.js', '../b.js', './c.js', './d.js', './e.js']);
  });

  it('reads every relative import of src/', () => {
    const { graph, unresolved } = importGraph();
    expect(unresolved).toEqual([]);
    // Spot checks: a multi-line import, and a type-only one.
    expect(graph.get('src/ops/structure/shape.ts')).toContain('src/ops/util.ts');
    expect(graph.get('src/ops/inputs.ts')).toContain('src/backends/backend.ts');
    expect(graph.get('src/ops/index.ts')!.length).toBeGreaterThan(20);
  });

  it('has a floor for every folder of src/', () => {
    const { graph } = importGraph();
    expect([...graph.keys()].filter((f) => floorOf(f) < 0), 'files in a folder with no floor').toEqual([]);
  });

  it('imports run downward: no module imports one from a higher floor', () => {
    const { graph } = importGraph();
    const upward = [...graph].flatMap(([file, deps]) => deps.filter((d) => floorOf(d) > floorOf(file)).map((d) => `${file} -> ${d}`));
    expect(upward, 'imports from a higher floor').toEqual([]);
  });

  it('has no circle but the engine and its tensors (value and type imports)', () => {
    const { graph } = importGraph();
    expect(circles(graph).map((c) => describeCircle(graph, c)), 'import circles in src/')
      .toEqual(ACCEPTED_CIRCLES.map((c) => describeCircle(graph, c)));
  });

  it('has no circle through a file of src/ops (value and type imports)', () => {
    const { graph } = importGraph();
    const throughOps = circles(graph).filter((c) => c.some((f) => f.startsWith('src/ops/')));
    expect(throughOps.map((c) => describeCircle(graph, c)), 'import circles through src/ops').toEqual([]);
  });
});
