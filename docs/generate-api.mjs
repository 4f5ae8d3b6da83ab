#!/usr/bin/env node
/**
 * `npm run docs`: the API pages in docs/api/, one per area, generated from the TSDoc comments
 * and declarations that `tsc` writes to dist/**\/*.d.ts (so run `npm run build` first).
 *
 * What is public is what the package exports: the names `import * as sora from 'sora'` has at
 * run time, the members of its namespaces (sora.io, sora.data, sora.train, ...) and the types
 * the index files export. A declaration is listed on its area's page, under the module that
 * declares it, with its comment and its declaration (private members left out). The kernel
 * contract (backends/backend.d.ts) is listed whole: contributors implement it.
 *
 *   node docs/generate-api.mjs [--check]   (--check: fail if the pages are out of date)
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const out = join(root, 'docs', 'api');

const AREAS = [
  { page: 'tensors.md', title: 'Tensors, backends and utilities', intro: 'Creating and reading tensors, choosing the backend, memory, scopes, profiling and the helpers TF.js has under tf.util and tf.browser.',
    match: (p) => p.startsWith('core/') || p.startsWith('compat/') ||
      /^(index|ops\/tensor-buffer|ops\/image\/browser|backends\/select|backends\/wasm\/loader)\.d\.ts$/.test(p) },
  { page: 'ops.md', title: 'Ops', intro: 'The differentiable ops, as functions under TF.js\'s names (most are also chainable tensor methods), and gradients.',
    match: (p) => p.startsWith('ops/') && !['ops/image/browser.d.ts', 'ops/losses.d.ts', 'ops/tensor-buffer.d.ts'].includes(p) },
  { page: 'layers.md', title: 'Layers', intro: 'sora.layers and the Layer class, activations, initializers, constraints and regularizers.',
    match: (p) => p.startsWith('layers/') && p !== 'layers/serialization-namespace.d.ts' || /^training\/(initializers|constraints|regularizers)\.d\.ts$/.test(p) },
  { page: 'models.md', title: 'Models', intro: 'sequential and functional models: compile, fit, evaluate, predict, save and load.',
    match: (p) => p.startsWith('models/') || p === 'layers/serialization-namespace.d.ts' },
  { page: 'training.md', title: 'Training', intro: 'Optimizers (sora.train), losses, metrics and callbacks.',
    match: (p) => p === 'ops/losses.d.ts' || p.startsWith('training/') && !/^training\/(initializers|constraints|regularizers)\.d\.ts$/.test(p) },
  { page: 'io.md', title: 'Saving and loading (sora.io)', intro: 'The TF.js layers format (model.json + weights) and where it goes: files, HTTP, IndexedDB, local storage, downloads, files a user chooses.',
    match: (p) => p.startsWith('io/') },
  { page: 'data.md', title: 'Data (sora.data)', intro: 'tf.data datasets, CSV, the MNIST IDX reader and data utilities.',
    match: (p) => p.startsWith('data/') },
  { page: 'backend-contract.md', title: 'The kernel contract', intro: 'src/backends/backend.ts, which every backend implements (see ../architecture.md).',
    match: (p) => p === 'backends/backend.d.ts' || p === 'backends/kernel-params.d.ts', whole: true },
];

/** Every public name: run-time exports, their namespaces' members, and exported type names. */
async function publicNames() {
  const sora = await import(join(dist, 'index.js'));
  const names = new Set(Object.keys(sora));
  // What each run-time name is (function or not), so that an internal function sharing a
  // namespace's name (models/trainer.ts's train beside sora.train) is not listed.
  const kinds = new Map();
  const note = (key, value) => kinds.set(key, (kinds.get(key) ?? new Set()).add(typeof value === 'function' ? 'function' : 'value'));
  for (const [key, value] of Object.entries(sora)) note(key, value);
  for (const value of Object.values(sora)) {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, member] of Object.entries(value)) { names.add(key); note(key, member); }
    }
  }
  names.kinds = kinds;
  for (const index of ['index.d.ts', 'io/index.d.ts', 'data/index.d.ts', 'layers/index.d.ts', 'models/index.d.ts', 'ops/index.d.ts']) {
    const text = readFileSync(join(dist, index), 'utf8');
    for (const list of text.matchAll(/export (?:type )?\{([^}]*)\}/g)) {
      for (const item of list[1].split(',')) {
        const name = item.trim().split(/\s+as\s+/).pop()?.replace(/^type\s+/, '');
        if (name) names.add(name);
      }
    }
  }
  return names;
}

/** Top-level declarations of a .d.ts: { name, kind, comment, code }. */
export function declarations(text) {
  const lines = text.split('\n');
  const found = [];
  let comment = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('/**')) {
      const start = i;
      while (!lines[i].includes('*/')) i++;
      comment = lines.slice(start, i + 1).join('\n');
      continue;
    }
    const match = /^export (?:declare )?(?:abstract )?(function|class|const|let|interface|type|namespace) ([A-Za-z_$][\w$]*)/.exec(line);
    if (!match) { if (line.trim() !== '') comment = null; continue; }
    const start = i;
    let depth = 0;
    for (;;) {
      for (const ch of lines[i]) { if (ch === '{' || ch === '(') depth++; else if (ch === '}' || ch === ')') depth--; }
      if (depth <= 0 && (/[;}]\s*$/.test(lines[i]) || i === lines.length - 1)) break;
      i++;
    }
    const code = lines.slice(start, i + 1).filter((l) => !/^\s+(private|#private)\b/.test(l)).join('\n')
      .replace(/^export (declare )?/, '');
    found.push({ name: match[2], kind: match[1], comment, code });
    comment = null;
  }
  return found;
}

/** A TSDoc block as markdown text. */
function commentText(comment) {
  if (!comment) return '';
  return comment.replace(/^\/\*\*\s?/, '').replace(/\s*\*\/$/, '').split('\n')
    .map((l) => l.replace(/^\s*\* ?/, '')).join('\n').trim();
}

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => entry.isDirectory()
    ? files(join(dir, entry.name)) : entry.name.endsWith('.d.ts') ? [join(dir, entry.name)] : []);
}

async function main() {
  if (!existsSync(join(dist, 'index.d.ts'))) throw new Error('dist/index.d.ts is missing: run `npm run build` first');
  const names = await publicNames();
  const all = files(dist).map((file) => relative(dist, file).split('\\').join('/')).sort();
  const pages = new Map();
  for (const area of AREAS) {
    const sections = [];
    let count = 0;
    for (const path of all.filter(area.match)) {
      const list = declarations(readFileSync(join(dist, path), 'utf8'))
        .filter((d) => area.whole || (names.has(d.name) && !d.name.startsWith('_') &&
          !(d.kind === 'function' && names.kinds.get(d.name) && !names.kinds.get(d.name).has('function'))));
      if (!list.length) continue;
      count += list.length;
      const module = `src/${path.replace(/\.d\.ts$/, '.ts')}`;
      sections.push(`## ${module}\n\n${list.map((d) => {
        const text = commentText(d.comment);
        return `### ${d.name}\n\n${text ? `${text}\n\n` : ''}\`\`\`ts\n${d.code}\n\`\`\``;
      }).join('\n\n')}`);
    }
    pages.set(area.page, `# ${area.title}\n\n<!-- generated by \`npm run docs\` from the TSDoc in src/; edit the comments there -->\n\n` +
      `${area.intro}\n\n${count} declarations.\n\n${sections.join('\n\n')}\n`);
  }
  const index = `# API reference\n\n<!-- generated by \`npm run docs\` -->\n\nOne page per area, generated from the TSDoc comments in \`src/\` by \`npm run docs\`.\n\n` +
    AREAS.map((a) => `- [${a.title}](${a.page}): ${a.intro}`).join('\n') + '\n';
  pages.set('README.md', index);
  const check = process.argv.includes('--check');
  const stale = [];
  mkdirSync(out, { recursive: true });
  for (const [page, text] of pages) {
    const file = join(out, page);
    if (check) { if (!existsSync(file) || readFileSync(file, 'utf8') !== text) stale.push(page); continue; }
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  if (check && stale.length) throw new Error(`docs/api is out of date (${stale.join(', ')}): run \`npm run docs\``);
  console.log(check ? 'docs/api is up to date' : `wrote ${pages.size} pages to ${relative(root, out)}/`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error) => { console.error(error.message ?? error); process.exit(1); });
}
