/**
 * docs/api as a TF.js user expects it (issue 15): every public name is grouped once by the
 * areas of TF.js's reference, has at least a sentence, states its defaults where it has some,
 * the main entry points show an example, and nothing internal is listed. The entries come from
 * dist/*.d.ts (npm test builds dist first); tests/generated.test.ts checks the pages are current.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
// @ts-expect-error: plain .mjs modules without declarations
import { publicEntries, sentence, commentText, declarations, members } from '../docs/api-model.mjs';
// @ts-expect-error: plain .mjs modules without declarations
import { listed } from '../docs/api-groups.mjs';

interface Member { name: string; comment: string | null; code: string; modifiers: string[] }
interface Entry { name: string; kind: string; comment: string | null; code: string; file: string; members: Member[]; hidden: Member[]; aliasOf?: string }

const entries = publicEntries() as Entry[];
const byName = new Map(entries.map((e) => [e.name, e]));
const docOf = (comment: string | null): string => commentText(comment) as string;
const words = (comment: string | null): number => (sentence(comment) as string).split(/\s+/).filter((w) => /[a-z]/i.test(w)).length;

function member(owner: string, name: string): Member {
  const found = byName.get(owner)?.members.find((m) => m.name === name);
  if (!found) throw new Error(`${owner}.${name} is not a public member`);
  return found;
}

describe('docs/api groups every public name by TF.js\'s areas', () => {
  const names = (listed() as { name: string }[]).map((l) => l.name);
  it('lists every public name exactly once, and nothing else', () => {
    const counted = new Map<string, number>();
    for (const n of names) counted.set(n, (counted.get(n) ?? 0) + 1);
    expect(entries.filter((e) => !counted.has(e.name)).map((e) => e.name), 'public names missing from docs/api-groups.mjs').toEqual([]);
    expect([...counted].filter(([, n]) => n > 1).map(([name]) => name), 'listed twice').toEqual([]);
    expect(names.filter((n) => !byName.has(n)), 'listed but not public').toEqual([]);
  });
  it('finds the namespaces\' members under qualified names', () => {
    for (const name of ['layers.dense', 'train.adam', 'io.browserFiles', 'data.csv', 'losses.meanSquaredError', 'metrics.meanSquaredError']) {
      expect(byName.has(name), name).toBe(true);
    }
  });
});

describe('every public name has a sentence', () => {
  it('each entry (aliases say whose name they are) has at least three words of its own', () => {
    const bare = entries.filter((e) => !e.aliasOf && words(e.comment) < 3).map((e) => `${e.name} (${e.file})`);
    expect(bare).toEqual([]);
  });
  it('the main classes\' public methods each have one', () => {
    const main = ['LayersModel', 'Sequential', 'Optimizer', 'data.Dataset', 'History', 'TensorBuffer'];
    const bare = main.flatMap((owner) => byName.get(owner)!.members
      .filter((m) => m.code.includes('(') && !m.modifiers.includes('get') && !m.modifiers.includes('set') && words(m.comment) < 3)
      .map((m) => `${owner}.${m.name}`));
    expect(bare).toEqual([]);
  });
});

describe('defaults are stated', () => {
  // ModelArgs, ContainerArgs and InputConfig are declared on one line; their own comments give the defaults.
  const configs = ['FitArgs', 'FitDatasetArgs', 'CompileArgs', 'LayerArgs', 'DenseArgs'];
  // layers.dense's config type is not exported by name: read it from its declaration file.
  const denseArgs = (declarations(readFileSync('dist/layers/core.d.ts', 'utf8')) as Entry[]).find((d) => d.name === 'DenseArgs')!;
  it('every optional field of the model and layer configs says its default', () => {
    const silent = configs.flatMap((name) => {
      const entry = name === 'DenseArgs' ? { members: members(denseArgs.code) as Member[] } : byName.get(name);
      if (!entry) return [`${name} is not public`];
      return entry.members.filter((m) => /^\w+\?:/.test(m.code) && !/default|omitted|unset|none given/i.test(docOf(m.comment)))
        .map((m) => `${name}.${m.name}`);
    });
    expect(silent).toEqual([]);
  });
  it('fit states TF.js\'s defaults: batchSize 32, epochs 1, verbose 1, shuffle true, validationSplit 0', () => {
    const field = (name: string): string => docOf(member('FitArgs', name).comment);
    expect(field('batchSize')).toMatch(/\b32\b/);
    expect(field('epochs')).toMatch(/\b1\b/);
    expect(field('verbose')).toMatch(/\b1\b/);
    expect(field('shuffle')).toMatch(/\btrue\b/);
    expect(field('validationSplit')).toMatch(/\b0\b/);
  });
  it('evaluate, predict and evaluateDataset state their config defaults', () => {
    for (const method of ['evaluate', 'predict', 'evaluateDataset']) {
      const m = member('LayersModel', method);
      const fields = [...m.code.matchAll(/(\w+)\?: /g)].map((f) => f[1]).filter((f) => f !== 'args');
      expect(fields.length, method).toBeGreaterThan(0);
      for (const f of fields) expect(docOf(m.comment), `${method}'s ${f}`).toMatch(new RegExp(`${f}[^.]*default|default[^.]*${f}`, 'i'));
    }
  });
  it('the layers\' factories state the defaults of their inline config fields', () => {
    const silent = entries.filter((e) => e.name.startsWith('layers.') && e.kind === 'function').flatMap((e) =>
      [...e.code.matchAll(/(\w+)\?: (?!LayerArgs)/g)].map((f) => f[1])
        .filter((f) => f !== 'args' && !new RegExp(`\`?${f}\`?[^.;]*default|default[^.;]*\`?${f}\\b`, 'i').test(docOf(e.comment)))
        .map((f) => `${e.name} ${f}`));
    expect(silent).toEqual([]);
  });
  it('each optimizer states the default of every defaulted constructor argument, as the code has it', () => {
    const source = readFileSync('src/training/optimizers/fused.ts', 'utf8') + readFileSync('src/training/optimizers/composed.ts', 'utf8');
    const classes = [...source.matchAll(/export class (\w+) extends \w+ \{[\s\S]*?constructor\(([^)]*)\)/g)];
    expect(classes.map((c) => c[1]).sort()).toEqual(['Adadelta', 'Adagrad', 'Adam', 'Adamax', 'Momentum', 'RMSProp', 'SGD']);
    for (const [, cls, params] of classes) {
      for (const [, param, value] of params.matchAll(/(\w+) = (-?[\d.e-]+)\b/g)) {
        expect(docOf(byName.get(cls)!.comment), `${cls}: ${param} = ${value}`).toContain(value);
      }
    }
    const trainBlock = source.slice(source.indexOf('export const train = {'), source.indexOf('\n};', source.indexOf('export const train = {')));
    const factories = [...trainBlock.matchAll(/^ {2}(\w+): \(([^)]*)\) =>/gm)];
    expect(factories.map((f) => f[1]).sort()).toEqual(['adadelta', 'adagrad', 'adam', 'adamax', 'momentum', 'rmsprop', 'sgd']);
    for (const [, name, params] of factories) {
      for (const [, param, value] of params.matchAll(/(\w+)(?:: [^=,]+)? = (-?[\d.e-]+)\b/g)) {
        expect(docOf(byName.get(`train.${name}`)!.comment), `train.${name}: ${param} = ${value}`).toContain(value);
      }
    }
  });
});

describe('the main entry points show an example', () => {
  const main: [string, string?][] = [
    ['tensor'], ['sequential'], ['model'], ['layers.dense'], ['LayersModel', 'compile'], ['LayersModel', 'fit'],
    ['LayersModel', 'predict'], ['LayersModel', 'save'], ['loadLayersModel'], ['ready'], ['setBackend'], ['data.csv'],
    ['data.array'], ['train.adam'], ['tidy'], ['input'],
  ];
  it.each(main)('%s %s', (owner, name) => {
    const comment = name ? member(owner, name).comment : byName.get(owner)!.comment;
    expect(docOf(comment)).toMatch(/\*\*Example\*\*\s+```(js|ts)\n[\s\S]+```/);
  });
});

describe('the pages\' links resolve', () => {
  // GitHub's anchors: lower case, punctuation but - and _ dropped, spaces as -, repeats suffixed -1, -2...
  const anchors = (text: string): Set<string> => {
    const seen = new Map<string, number>();
    const out = new Set<string>();
    for (const [, heading] of text.matchAll(/^#{1,6} (.+)$/gm)) {
      const base = heading.toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      out.add(n ? `${base}-${n}` : base);
    }
    return out;
  };
  it('no two headings of a page share an anchor (a link to one would land on the other)', () => {
    for (const f of readdirSync('docs/api').filter((name) => name.endsWith('.md'))) {
      const bases = [...readFileSync(`docs/api/${f}`, 'utf8').matchAll(/^#{1,6} (.+)$/gm)]
        .map((m) => m[1].toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-'));
      expect(bases.filter((b, i) => bases.indexOf(b) !== i), f).toEqual([]);
    }
  });
  it('every link in docs/api names a page that exists and an anchor on it', () => {
    const pages = new Map(readdirSync('docs/api').filter((f) => f.endsWith('.md')).map((f) => [f, readFileSync(`docs/api/${f}`, 'utf8')]));
    const broken: string[] = [];
    let links = 0;
    for (const [page, text] of pages) {
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^https?:/.test(target)) continue;
        links++;
        const [file, hash] = target.split('#');
        const to = file || page;
        if (!pages.has(to)) { broken.push(`${page}: ${target}`); continue; }
        if (hash && !anchors(pages.get(to)!).has(hash)) broken.push(`${page}: ${target}`);
      }
    }
    expect(links).toBeGreaterThan(300);
    expect(broken).toEqual([]);
  });
});

describe('nothing internal is listed', () => {
  const pages = readdirSync('docs/api').filter((f) => f.endsWith('.md')).map((f) => readFileSync(`docs/api/${f}`, 'utf8')).join('\n');
  const headings = [...pages.matchAll(/^### (\S+)(?: \((?:class|interface|const|alias|function|type)\))?$/gm)].map((m) => m[1]);
  const memberHeadings = [...pages.matchAll(/^#### (\w+)\.(\S+?( \(static\))?)$/gm)].map((m) => [m[1], m[2].replace(' (static)', '')]);
  it('every entry heading is a public name, none twice', () => {
    expect(headings.length).toBe(entries.length);
    expect(headings.filter((h) => !byName.has(h))).toEqual([]);
    expect(new Set(headings).size).toBe(headings.length);
    // Overloads, and a getter with its setter, are one member: no member heading twice.
    const full = [...pages.matchAll(/^#### (.+)$/gm)].map((m) => m[1]);
    expect(full.filter((h, i) => full.indexOf(h) !== i)).toEqual([]);
  });
  it('the dense op, other internal ops and underscore names do not appear', () => {
    for (const internal of ['dense', 'affine', 'gatherRows', 'broadcastShapes', 'train']) {
      expect(headings.filter((h) => h === internal && byName.get(h)?.kind !== 'namespace'), internal).toEqual([]);
    }
    expect(headings.filter((h) => h.split('.').some((part) => part.startsWith('_')))).toEqual([]);
    expect(memberHeadings.filter(([, m]) => m.startsWith('_') || m.startsWith('#'))).toEqual([]);
  });
  it('protected and private members of public classes do not appear', () => {
    const hidden = new Set(entries.filter((e) => e.kind === 'class').flatMap((e) => e.hidden.map((m) => `${e.name.split('.').pop()}.${m.name}`)));
    const shown = new Set(memberHeadings.map(([o, m]) => `${o}.${m}`));
    expect(hidden.size).toBeGreaterThan(0);
    expect([...hidden].filter((h) => shown.has(h) && !byName.get(h.split('.')[0])?.members.some((m) => m.name === h.split('.')[1]))).toEqual([]);
    // LayersModel.setGraph is protected: a check that a hidden member cannot slip through.
    expect(shown.has('LayersModel.setGraph')).toBe(false);
    expect(hidden.has('LayersModel.setGraph')).toBe(true);
  });
});
