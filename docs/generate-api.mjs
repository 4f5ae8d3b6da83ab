#!/usr/bin/env node
/**
 * `npm run docs`: the API pages in docs/api/, one per area of TF.js's API reference
 * (docs/api-groups.mjs says which name goes where), generated from the TSDoc comments and
 * declarations that `tsc` writes to dist/**\/*.d.ts (so run `npm run build` first).
 *
 * What is listed is what the package exports (docs/api-model.mjs): the names
 * `import * as sora from 'sora'` has, the members of its namespaces (sora.layers, sora.io,
 * sora.train, ...) and the types it exports; for classes and interfaces their public members.
 *
 *   node docs/generate-api.mjs [--check] [--stats]
 *   (--check: fail if the pages are out of date; --stats: count the entries without a sentence)
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chainableMethods, commentText, publicEntries, sentence } from './api-model.mjs';
import { AREAS, listed } from './api-groups.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'docs', 'api');

/** GitHub's anchor for a heading. */
export const anchor = (text) => text.toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-');

function code(text) {
  return `\`\`\`ts\n${text}\n\`\`\``;
}

/** The first line of a class declaration (its members are listed one by one). */
function classHead(text) {
  return text.split('\n')[0].replace(/\s*\{\s*$/, '').replace(/\s*\{\s*\}\s*$/, '');
}

/** Markdown for one entry, with links to the other entries by name. */
function render(entry, where, allEntries, titles) {
  const link = (name) => where.has(name) ? `[\`${name}\`](${where.get(name).page === entry.page ? '' : where.get(name).page}#${anchor(titles.get(name) ?? name)})` : `\`${name}\``;
  const parts = [`### ${titles.get(entry.name) ?? entry.name}`];
  const text = commentText(entry.comment);
  if (entry.aliasOf) {
    parts.push(`The same ${entry.kind === 'class' ? 'class' : entry.kind === 'namespace' ? 'object' : 'function'} as ${link(entry.aliasOf)}, under TF.js's name.`);
    return parts.join('\n\n');
  }
  if (text) parts.push(text);
  if (entry.kind === 'namespace') {
    const prefix = `${entry.name}.`;
    const inner = allEntries.filter((e) => e.name.startsWith(prefix));
    parts.push(`Members: ${inner.map((e) => link(e.name)).join(', ')}.`);
    return parts.join('\n\n');
  }
  if (entry.kind === 'class') {
    parts.push(code(classHead(entry.code)));
    const base = /\bextends (\w+)/.exec(classHead(entry.code))?.[1];
    const baseName = base && [base, ...[...where.keys()].filter((n) => n.endsWith(`.${base}`))].find((n) => where.has(n));
    if (baseName) parts.push(`It also has the public members of ${link(baseName)}.`);
    for (const member of entry.members) {
      const body = commentText(member.comment);
      parts.push(`#### ${entry.name.split('.').pop()}.${member.name === 'constructor' ? 'constructor' : member.name}${member.modifiers.includes('static') ? ' (static)' : ''}\n\n${body ? `${body}\n\n` : ''}${code(member.code)}`);
    }
    if (entry.name === 'Tensor') {
      parts.push(`#### Chainable ops\n\nEach of these is the op of the same name with this tensor as its first argument (\`x.add(y)\` is \`sora.add(x, y)\`): ${chainableMethods().map((m) => `\`${m}\``).join(', ')}.`);
    }
    return parts.join('\n\n');
  }
  if (entry.kind === 'interface' && entry.members.length) {
    parts.push(code(classHead(entry.code)));
    parts.push(entry.members.map((m) => {
      const body = commentText(m.comment).replace(/\n/g, ' ');
      return `- \`${m.code.replace(/\s*\n\s*/g, ' ').replace(/;$/, '')}\`${body ? `: ${body}` : ''}`;
    }).join('\n'));
    return parts.join('\n\n');
  }
  // A namespace member declared inline (`dense: (args: DenseArgs) => Dense;`) reads as a call.
  const inline = entry.kind === 'function' && /^(\w+)\??: (<[^>]*>)?\(([\s\S]*)\) => ([\s\S]*);$/.exec(entry.code);
  parts.push(code(inline ? `${entry.name}${inline[2] ?? ''}(${inline[3]}): ${inline[4]};` : entry.code));
  return parts.join('\n\n');
}

export function pages() {
  const entries = publicEntries();
  const byName = new Map(entries.map((e) => [e.name, e]));
  const where = new Map(listed().map((l) => [l.name, l]));
  // Names on one page that differ only in case (tensor, Tensor) would share an anchor: the one
  // with capitals says what it is ('Tensor (class)', 'metrics.MSE (alias)').
  const titles = new Map();
  const lower = new Map();
  for (const l of listed()) lower.set(`${l.page}:${l.name.toLowerCase()}`, (lower.get(`${l.page}:${l.name.toLowerCase()}`) ?? 0) + 1);
  for (const l of listed()) {
    const e = byName.get(l.name);
    if (e && lower.get(`${l.page}:${l.name.toLowerCase()}`) > 1 && l.name !== l.name.toLowerCase()) titles.set(l.name, `${l.name} (${e.aliasOf ? 'alias' : e.kind})`);
  }
  const result = new Map();
  for (const area of AREAS) {
    const sections = [];
    let count = 0;
    // Sub-areas as TF.js heads them ('Operations / Dropout'), so their anchors never clash
    // with an entry's (the dropout op); an area of one group has no sub-area heading.
    const single = Object.keys(area.groups).length === 1;
    const heading = (group) => `${area.title} / ${group}`;
    for (const [group, names] of Object.entries(area.groups)) {
      const list = names.split(/\s+/).filter((n) => byName.has(n));
      count += list.length;
      const body = list.map((n) => render({ ...byName.get(n), page: area.page }, where, entries, titles)).join('\n\n');
      sections.push(single ? body : `## ${heading(group)}\n\n${body}`);
    }
    const contents = single ? '' : `: ${Object.keys(area.groups).map((group) => `[${group}](#${anchor(heading(group))})`).join(' · ')}`;
    result.set(area.page, `# sora API: ${area.title}\n\n<!-- generated by \`npm run docs\` from the TSDoc in src/ and docs/api-groups.mjs; edit those -->\n\n` +
      `${area.intro}\n\n${count} entries${contents}\n\n${sections.join('\n\n')}\n`);
  }
  const index = `# API reference\n\n<!-- generated by \`npm run docs\` -->\n\nOne page per area, as TF.js's API reference groups them ` +
    `(js.tensorflow.org/api/latest), generated from the TSDoc comments in \`src/\` by \`npm run docs\`; ` +
    `docs/api-groups.mjs says which name goes where.\n\n` +
    AREAS.map((a) => `- [${a.title}](${a.page}): ${a.intro} (${Object.keys(a.groups).join(', ')})`).join('\n') + '\n';
  result.set('README.md', index);
  return { result, entries };
}

/** Entries, class members and interface fields with no sentence. */
export function stats(entries) {
  const own = entries.filter((e) => !e.aliasOf);
  const bare = own.filter((e) => !sentence(e.comment));
  const members = own.filter((e) => e.kind === 'class').flatMap((e) => e.members.map((m) => ({ ...m, owner: e.name })));
  const fields = own.filter((e) => e.kind === 'interface').flatMap((e) => e.members.map((m) => ({ ...m, owner: e.name })));
  return { entries: own.length, aliases: entries.length - own.length, bare: bare.map((e) => e.name),
    members: members.length, bareMembers: members.filter((m) => !sentence(m.comment)).map((m) => `${m.owner}.${m.name}`),
    fields: fields.length, bareFields: fields.filter((m) => !sentence(m.comment)).map((m) => `${m.owner}.${m.name}`) };
}

function main() {
  const { result, entries } = pages();
  if (process.argv.includes('--stats')) {
    const s = stats(entries);
    console.log(`${s.entries} entries (+${s.aliases} aliases), ${s.bare.length} with no sentence; ` +
      `${s.members} class members, ${s.bareMembers.length} with none; ${s.fields} interface fields, ${s.bareFields.length} with none; ` +
      `${AREAS.length} pages, ${AREAS.reduce((n, a) => n + Object.keys(a.groups).length, 0)} groups`);
    if (process.argv.includes('--list')) console.log(s.bare.join('\n'));
    return;
  }
  const check = process.argv.includes('--check');
  const stale = [];
  mkdirSync(out, { recursive: true });
  for (const old of readdirSync(out).filter((f) => f.endsWith('.md') && !result.has(f))) {
    if (check) stale.push(`${old} (no longer generated)`); else rmSync(join(out, old));
  }
  for (const [page, text] of result) {
    const file = join(out, page);
    if (check) { if (!existsSync(file) || readFileSync(file, 'utf8') !== text) stale.push(page); continue; }
    writeFileSync(file, text);
  }
  if (check && stale.length) throw new Error(`docs/api is out of date (${stale.join(', ')}): run \`npm run docs\``);
  console.log(check ? 'docs/api is up to date' : `wrote ${result.size} pages to ${relative(root, out)}/`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try { main(); } catch (error) { console.error(error.message ?? error); process.exit(1); }
}
