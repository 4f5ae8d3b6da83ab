/**
 * The public API as a list of entries, read from the declarations `tsc` writes to
 * dist/**\/*.d.ts (with their TSDoc): what `import * as sora from 'sora'` offers, and nothing
 * else. docs/generate-api.mjs renders the entries; tests/docs.test.ts checks them.
 *
 * An entry is one public name: a top-level export (`tensor`, `LayersModel`, `FitArgs`), or a
 * member of a namespace (`layers.dense`, `train.adam`, `io.browserFiles`), with its comment,
 * its declaration and, for classes and interfaces, its public members (private and protected
 * members, and names starting with `_`, are left out). A name is found by following the
 * export lists from dist/index.d.ts, so an internal function that shares a public name (the
 * `dense` op beside `layers.dense`) is never picked up.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const dist = join(root, 'dist');

/** Statement-level declarations of a .d.ts (exported or not): { name, kind, comment, code, exported }. */
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
    const match = /^(export )?(?:declare )?(?:abstract )?(function|class|const|let|interface|type|namespace|enum) ([A-Za-z_$][\w$]*)/.exec(line);
    if (!match) { if (line.trim() !== '') comment = null; continue; }
    const start = i;
    i = blockEnd(lines, i);
    const code = lines.slice(start, i + 1).join('\n').replace(/^export (declare )?/, '').replace(/^declare /, '');
    found.push({ name: match[3], kind: match[2], comment, code, exported: !!match[1] });
    comment = null;
  }
  return found;
}

/** The last line of the declaration or member starting at line i (brackets balanced, ends in ; or }). */
function blockEnd(lines, i) {
  let depth = 0;
  for (;;) {
    const code = /^\s*(\/\*\*|\*|\/\/)/.test(lines[i]) ? '' : lines[i].replace(/'[^']*'|"[^"]*"|`[^`]*`/g, '');
    for (const ch of code) {
      if ('{(['.includes(ch)) depth++; else if ('})]'.includes(ch)) depth--;
    }
    if (depth <= 0 && code && /[;},]\s*$/.test(code) || i >= lines.length - 1) return i;
    i++;
  }
}

/** The members of a `{ ... }` body (a class, an interface, a type literal): { name, comment, code, modifiers }. */
export function members(code) {
  const open = code.indexOf('{');
  if (open < 0) return [];
  const lines = code.slice(open + 1).split('\n');
  const indent = /^(\s*)\S/.exec(lines.find((l) => l.trim() && !l.trim().startsWith('}')) ?? '')?.[1] ?? '    ';
  const found = [];
  let comment = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!line.startsWith(indent) || /^\s/.test(line.slice(indent.length))) continue;
    const text = line.slice(indent.length);
    if (text.startsWith('/**')) {
      const start = i;
      while (!lines[i].includes('*/')) i++;
      comment = lines.slice(start, i + 1).map((l) => l.slice(indent.length)).join('\n');
      continue;
    }
    const end = blockEnd(lines, i);
    const body = lines.slice(i, end + 1).map((l) => l.startsWith(indent) ? l.slice(indent.length) : l).join('\n');
    i = end;
    const head = /^((?:(?:private|protected|public|static|readonly|abstract|get|set|declare)\s+)*)(#?[A-Za-z_$][\w$]*|\[[^\]]+\]|'[^']+'|"[^"]+"|\d+)?/.exec(body);
    const modifiers = head[1].trim().split(/\s+/).filter(Boolean);
    const name = head[2] ?? (body.startsWith('(') || body.startsWith('new') ? '(call)' : body.split(/[(:<]/)[0]);
    const member = { name: name.replace(/^['"]|['"]$/g, ''), comment, code: body, modifiers };
    // Overloads, and a getter with its setter, are one member.
    const last = found.at(-1);
    if (last && last.name === member.name && last.modifiers.includes('static') === modifiers.includes('static')) {
      last.code += `\n${body}`;
      last.comment ??= comment;
    } else {
      found.push(member);
    }
    comment = null;
  }
  return found;
}

/** Whether a member is public: not private, protected, #private, nor named with a leading underscore. */
export function isPublicMember(member) {
  return !member.modifiers.includes('private') && !member.modifiers.includes('protected') &&
    !member.name.startsWith('#') && !member.name.startsWith('_');
}

/** A TSDoc block as markdown text (@example and @param rendered). */
export function commentText(comment) {
  if (!comment) return '';
  return comment.replace(/^\/\*\*\s?/, '').replace(/\s*\*\/$/, '').split('\n')
    .map((l) => l.replace(/^\s*\* ?/, '')).join('\n').trim()
    .replace(/^@example\s*/gm, '\n**Example**\n\n')
    .replace(/^@param (\w+) -?\s*/gm, '- `$1`: ');
}

/** A parsed .d.ts: its declarations, export lists, star exports and imports. */
const modules = new Map();
function module(path) {
  if (modules.has(path)) return modules.get(path);
  const text = readFileSync(join(dist, path), 'utf8');
  const decls = new Map();
  for (const d of declarations(text)) {
    const seen = decls.get(d.name);
    if (seen && d.kind === 'function' && seen.kind === 'function') { seen.code += `\n${d.code}`; seen.comment ??= d.comment; }
    // A class merged with an interface of its name: the class is the entry, either comment its doc.
    else if (!seen || d.kind === 'class' || d.kind === 'function' || d.kind === 'const') decls.set(d.name, { ...d, comment: d.comment ?? seen?.comment ?? null, path });
  }
  const exports = new Map();
  const stars = [];
  const namespaces = new Map();
  const imports = new Map();
  const resolve = (spec) => posix.join(posix.dirname(path), spec).replace(/\.js$/, '.d.ts');
  const flat = text.replace(/\/\*\*[\s\S]*?\*\//g, '');
  for (const m of flat.matchAll(/^export \* as (\w+) from '([^']+)'/gm)) namespaces.set(m[1], resolve(m[2]));
  for (const m of flat.matchAll(/^export \* from '([^']+)'/gm)) stars.push(resolve(m[1]));
  for (const m of flat.matchAll(/^(export|import) (?:type )?\{([^}]*)\}(?: from '([^']+)')?/gm)) {
    for (const item of m[2].split(',').map((s) => s.trim()).filter(Boolean)) {
      const [orig, alias] = item.replace(/^type\s+/, '').split(/\s+as\s+/);
      const target = { orig, from: m[3] ? resolve(m[3]) : null };
      (m[1] === 'export' ? exports : imports).set(alias ?? orig, target);
    }
  }
  const first = /^\/\*\*[\s\S]*?\*\//.exec(text);
  const parsed = { path, decls, exports, stars, namespaces, imports, comment: first && /^\/\*\*[\s\S]*?\*\/\n(import|export \{|export \*|export type)/.test(text) ? first[0] : null };
  modules.set(path, parsed);
  return parsed;
}

/** The declaration a module exports under a name: { decl } or { namespace: path }, or null. */
function resolveExport(path, name, depth = 0) {
  if (depth > 20) return null;
  const mod = module(path);
  if (mod.namespaces.has(name)) return { namespace: mod.namespaces.get(name) };
  const listed = mod.exports.get(name);
  if (listed) return listed.from ? resolveExport(listed.from, listed.orig, depth + 1) : resolveLocal(path, listed.orig, depth + 1);
  const own = mod.decls.get(name);
  if (own?.exported) return { decl: own };
  for (const star of mod.stars) {
    const found = resolveExport(star, name, depth + 1);
    if (found) return found;
  }
  return null;
}

/** The declaration a name refers to inside a module (its own, or one it imports). */
function resolveLocal(path, name, depth = 0) {
  const mod = module(path);
  if (mod.decls.has(name)) return { decl: mod.decls.get(name) };
  const imported = mod.imports.get(name);
  if (imported?.from) return resolveExport(imported.from, imported.orig, depth + 1);
  return null;
}

/**
 * A namespace member's comment and value in the source, where the .d.ts lost them: a property
 * spread in from another module of the same folder (`...mergeLayers`), a shorthand property
 * (`meanSquaredError,`: the comment of the const it names), or a short name given
 * to a sibling (`MSE: meanSquaredError`, which is then listed as that sibling's alias).
 */
function sourceMember(file, name) {
  const dir = join(root, posix.dirname(file));
  const own = posix.basename(file);
  for (const f of [own, ...readdirSync(dir).filter((n) => n.endsWith('.ts') && n !== own)]) {
    const text = readFileSync(join(dir, f), 'utf8');
    const alias = new RegExp(`[{,\\s]${name}: (\\w+)\\s*[,}\\n]`).exec(text);
    const documented = new RegExp(`(/\\*\\*(?:(?!\\*/)[\\s\\S])*\\*/)\\n(?:\\s+${name}[:(]|(?:export )?(?:const|function) ${name}\\b)`).exec(text);
    if (documented || alias) return { comment: documented?.[1].replace(/\n\s+/g, '\n ') ?? null, value: alias?.[1] };
  }
  return null;
}

/** Every name a module exports. */
function exportNames(path, seen = new Set()) {
  if (seen.has(path)) return [];
  seen.add(path);
  const mod = module(path);
  const names = new Set([...mod.namespaces.keys(), ...mod.exports.keys()]);
  for (const d of mod.decls.values()) if (d.exported) names.add(d.name);
  for (const star of mod.stars) for (const n of exportNames(star, seen)) names.add(n);
  return [...names];
}

/** A const whose type is an object of named members is a namespace (sora.layers, sora.train, ...). */
function objectNamespace(decl) {
  return decl.kind === 'const' && /^const \w+: \{\n/.test(decl.code);
}

function entryOf(name, decl, extra = {}) {
  const list = ['class', 'interface'].includes(decl.kind) || decl.kind === 'enum' ? members(decl.code) : [];
  return { name, kind: decl.kind, comment: decl.comment, code: decl.code, file: `src/${decl.path.replace(/\.d\.ts$/, '.ts')}`,
    members: list.filter(isPublicMember), hidden: list.filter((m) => !isPublicMember(m)), decl, ...extra };
}

/**
 * Every public entry, in export order: [{ name, kind, comment, code, file, members, hidden,
 * aliasOf }]. aliasOf names the entry that is the same declaration under its own name
 * (SGDOptimizer is SGD), so it can say so rather than repeat it.
 */
export function publicEntries() {
  if (!existsSync(join(dist, 'index.d.ts'))) throw new Error('dist/index.d.ts is missing: run `npm run build` first');
  modules.clear();
  const entries = [];
  for (const name of exportNames('index.d.ts')) {
    const found = resolveExport('index.d.ts', name);
    if (!found) throw new Error(`docs: cannot find the declaration of the export ${name}`);
    if (found.namespace) {
      const mod = module(found.namespace);
      entries.push({ name, kind: 'namespace', comment: mod.comment, code: `namespace ${name}`, file: `src/${found.namespace.replace(/\.d\.ts$/, '.ts')}`, members: [], hidden: [] });
      for (const member of exportNames(found.namespace)) {
        const inner = resolveExport(found.namespace, member);
        if (!inner?.decl) throw new Error(`docs: cannot find the declaration of ${name}.${member}`);
        entries.push(entryOf(`${name}.${member}`, inner.decl));
      }
    } else if (objectNamespace(found.decl) && entries.some((e) => e.decl === found.decl)) {
      entries.push({ ...entryOf(name, found.decl), kind: 'namespace', code: `namespace ${name}`, aliasOf: entries.find((e) => e.decl === found.decl).name });
    } else if (objectNamespace(found.decl)) {
      entries.push({ ...entryOf(name, found.decl), kind: 'namespace', code: `namespace ${name}` });
      for (const member of members(found.decl.code)) {
        const ref = /^\w+: typeof (\w+);$/.exec(member.code);
        const target = ref && resolveLocal(found.decl.path, ref[1]);
        if (target?.decl) entries.push(entryOf(`${name}.${member.name}`, target.decl, { comment: member.comment ?? target.decl.comment }));
        else {
          const file = `src/${found.decl.path.replace(/\.d\.ts$/, '.ts')}`;
          const source = member.comment ? null : sourceMember(file, member.name);
          const sibling = source?.value && members(found.decl.code).some((m) => m.name === source.value) ? `${name}.${source.value}` : undefined;
          entries.push({ name: `${name}.${member.name}`, kind: /^\w+\??(\(|: (\(|\{\n\s*\())/.test(member.code) ? 'function' : 'const',
            comment: member.comment ?? source?.comment ?? null, code: member.code, file, members: [], hidden: [], aliasOf: sibling });
        }
      }
    } else {
      entries.push(entryOf(name, found.decl));
    }
  }
  // The same declaration under two public names: the one that is its own name is the entry.
  const byDecl = new Map();
  for (const e of entries) {
    if (!e.decl || e.kind === 'namespace') continue;
    const list = byDecl.get(e.decl) ?? [];
    list.push(e);
    byDecl.set(e.decl, list);
  }
  for (const list of byDecl.values()) {
    if (list.length < 2) continue;
    const main = list.find((e) => e.name === e.decl.name) ?? list.find((e) => e.name.split('.').pop() === e.decl.name) ?? list[0];
    for (const e of list) if (e !== main) e.aliasOf = main.name;
  }
  return entries;
}

/** The words of an entry's own sentences (its comment, without tags). */
export function sentence(comment) {
  return commentText(comment).replace(/\*\*Example\*\*[\s\S]*/, '').replace(/```[\s\S]*?```/g, '').trim();
}

/** The methods that ops add to Tensor (`declare module ... interface Tensor`), by name. */
export function chainableMethods() {
  const names = new Set();
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.d.ts')) {
        const text = readFileSync(path, 'utf8');
        for (const block of text.matchAll(/^declare module '[^']*core\/tensor\.js' \{\n {4}interface Tensor \{\n([\s\S]*?)\n {4}\}/gm)) {
          for (const m of block[1].matchAll(/^ {8}(\w+)[(<]/gm)) names.add(m[1]);
        }
      }
    }
  };
  walk(dist);
  return [...names].sort();
}
