/**
 * tf.data.csv: rows of a CSV file as elements, read as a stream (file:// in Node and Deno,
 * fetch elsewhere), so a file larger than memory is never held whole. With hasHeader (the
 * default) the first line names the columns; a column with isLabel makes elements
 * {xs: {...}, ys: {...}}. Numbers are parsed; quoted fields may hold the delimiter, quotes
 * ("") and line breaks. A row with the wrong number of fields is an error naming its line.
 */
import { Dataset, DONE } from './dataset.js';
import { importNode } from '../backends/host.js';
import { ownEntry, setOwn } from '../core/lookup.js';

/**
 * How data.csv reads one column (TF.js's ColumnConfig): `required`, `dtype`, `default` for a missing value
 * and `isLabel` (the column goes to ys); all optional.
 */
export interface ColumnConfig { required?: boolean; dtype?: 'float32' | 'int32' | 'bool' | 'string'; default?: unknown; isLabel?: boolean }
/**
 * The options of data.csv (TF.js's CSVConfig): `hasHeader` (default true), `columnNames` (default: from the
 * header), `columnConfigs`, `configuredColumnsOnly` (default false) and `delimiter` (default ',').
 */
export interface CSVConfig {
  /** Whether the first line names the columns; default true. */
  hasHeader?: boolean;
  /** The column names, instead of or overriding the header's; default from the header. */
  columnNames?: string[];
  /** How to read each column, by name; default: every column as a number where it parses. */
  columnConfigs?: Record<string, ColumnConfig>;
  /** Keep only the columns in columnConfigs; default false. */
  configuredColumnsOnly?: boolean;
  /** The field separator; default ','. */
  delimiter?: string;
  /** Split fields on runs of whitespace instead of the delimiter; default false. */
  delimWhitespace?: boolean;
}

type Chunks = AsyncIterator<Uint8Array>;

/** The bytes of `source` as a stream: a file:// path read from disk (Node, Deno), else fetched. */
export async function openSource(source: string | Request, op = 'data.csv'): Promise<Chunks> {
  if (typeof source === 'string' && source.startsWith('file://')) {
    const path = decodeURIComponent(source.slice('file://'.length));
    const deno = (globalThis as { Deno?: { open(p: string): Promise<{ readable: ReadableStream<Uint8Array> }> } }).Deno;
    if (deno) return streamChunks((await deno.open(path)).readable);
    const fs = await importNode<typeof import('node:fs')>('node:fs');
    const stream = fs.createReadStream(path);
    await new Promise<void>((resolve, reject) => { stream.once('open', () => resolve()); stream.once('error', reject); })
      .catch((error: Error) => { throw new Error(`${op}: cannot read '${path}': ${error.message}`); });
    return (stream as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  }
  const response = await fetch(source);
  if (!response.ok) {
    const url = typeof source === 'string' ? source : source.url;
    throw new Error(`${op}: fetching ${url} failed: HTTP ${response.status} ${response.statusText}`);
  }
  if (!response.body) return (async function* () { yield new Uint8Array(await response.arrayBuffer()); })();
  return streamChunks(response.body);
}

function streamChunks(stream: ReadableStream<Uint8Array>): Chunks {
  const reader = stream.getReader();
  return { next: async () => { const r = await reader.read(); return r.done ? DONE : { done: false, value: r.value }; } };
}

/** Records (lists of fields) with the line each starts on, from a stream of bytes. */
async function* records(chunks: Chunks, delimiter: string, whitespace: boolean): AsyncGenerator<{ fields: string[]; line: number }> {
  const decoder = new TextDecoder();
  let field = '', fields: string[] = [], quoted = false, afterQuote = false, line = 1, start = 1, pendingCR = false;
  let any = false;
  const endField = () => { fields.push(field); field = ''; afterQuote = false; };
  for (let r = await chunks.next(); ; r = await chunks.next()) {
    const text = r.done ? decoder.decode() : decoder.decode(r.value, { stream: true });
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (pendingCR) { pendingCR = false; if (c === '\n') continue; }
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') { field += '"'; i++; } else { quoted = false; afterQuote = true; }
        } else {
          if (c === '\n') line++;
          field += c;
        }
        continue;
      }
      if (c === '"' && field === '' && !afterQuote) { quoted = true; any = true; continue; }
      if (c === '\n' || c === '\r') {
        if (c === '\r') pendingCR = true;
        if (any || field !== '' || fields.length) { endField(); yield { fields, line: start }; }
        fields = []; any = false; line++; start = line;
        continue;
      }
      if (whitespace ? c === ' ' || c === '\t' : c === delimiter) {
        if (whitespace && field === '' && !afterQuote) continue;
        endField(); any = true;
        continue;
      }
      field += c; any = true;
    }
    if (r.done) break;
  }
  if (quoted) throw new Error(`data.csv: line ${start}: a quoted field is never closed`);
  if (any || field !== '' || fields.length) { endField(); yield { fields, line: start }; }
}

function parseValue(raw: string, config: ColumnConfig | undefined, column: string, line: number): unknown {
  if (raw === '') {
    if (config?.default !== undefined) return config.default;
    if (config?.required) throw new Error(`data.csv: line ${line}: column '${column}' is required but empty`);
    return undefined;
  }
  const dtype = config?.dtype;
  if (dtype === 'string') return raw;
  if (dtype === 'bool') return raw === '1' || raw.toLowerCase() === 'true' ? 1 : 0;
  const n = Number(raw);
  if (Number.isNaN(n)) {
    if (dtype === 'float32' || dtype === 'int32') throw new Error(`data.csv: line ${line}: column '${column}' is '${raw}', not a number`);
    return raw;
  }
  return dtype === 'int32' ? Math.trunc(n) : n;
}

/** The Dataset data.csv returns: rows of a CSV source, with its `columnNames()` (tf.data.CSVDataset). */
export class CSVDataset extends Dataset<Record<string, unknown>> {
  private names: Promise<string[]> | null = null;

  /**
   * A dataset over the CSV at a URL or path, read as config says (default: TF.js's CSVConfig defaults);
   * data.csv is the usual way.
   */
  constructor(private readonly url: string, private readonly config: CSVConfig = {}) {
    super(() => this.rows(), null);
    if (typeof url !== 'string') throw new Error(`data.csv: expected a URL or 'file://' path; received ${typeof url}`);
  }

  private get delimiter(): string { return this.config.delimiter ?? ','; }

  /** The column names: given, or the header line's. */
  async columnNames(): Promise<string[]> {
    this.names ??= (async () => {
      const { hasHeader = true, columnNames, columnConfigs } = this.config;
      let names = columnNames;
      if (!names) {
        if (!hasHeader) throw new Error('data.csv: without a header (hasHeader: false), give columnNames');
        const first = await records(await openSource(this.url), this.delimiter, !!this.config.delimWhitespace).next();
        if (first.done) throw new Error(`data.csv: ${this.url} is empty; expected a header line`);
        names = first.value.fields.map((f) => f.trim());
      }
      const seen = new Set<string>();
      for (const n of names) {
        if (seen.has(n)) throw new Error(`data.csv: duplicate column name '${n}'`);
        seen.add(n);
      }
      for (const key of Object.keys(columnConfigs ?? {})) {
        if (!seen.has(key)) throw new Error(`data.csv: columnConfigs has '${key}', which is not a column (${names.join(', ')})`);
      }
      return names;
    })();
    return this.names;
  }

  private async rows(): Promise<AsyncIterator<Record<string, unknown>>> {
    const names = await this.columnNames();
    const { hasHeader = true, columnConfigs = {}, configuredColumnsOnly = false } = this.config;
    const it = records(await openSource(this.url), this.delimiter, !!this.config.delimWhitespace);
    if (hasHeader) await it.next();
    const labels = names.filter((n) => ownEntry(columnConfigs, n)?.isLabel);
    return {
      async next() {
        const r = await it.next();
        if (r.done) return DONE;
        const { fields, line } = r.value;
        if (fields.length !== names.length) {
          throw new Error(`data.csv: line ${line} has ${fields.length} fields, expected ${names.length} (${names.join(', ')}): ` +
            `${JSON.stringify(fields.join(','))}`.slice(0, 300));
        }
        const xs: Record<string, unknown> = {}, ys: Record<string, unknown> = {};
        names.forEach((name, i) => {
          const config = ownEntry(columnConfigs, name);
          if (configuredColumnsOnly && !config) return;
          const value = parseValue(fields[i], config, name, line);
          setOwn(config?.isLabel ? ys : xs, name, value);
        });
        return { done: false, value: labels.length ? { xs, ys } : xs };
      },
    };
  }
}

/**
 * A dataset of the rows of a CSV file or URL (tf.data.csv), each row an object by column name, or {xs, ys}
 * when `columnConfigs` marks label columns; the CSVConfig defaults are TF.js's (a header row, ',' as the
 * delimiter, every column).
 * @example
 * ```js
 * const rows = sora.data.csv('file://./iris.csv', { columnConfigs: { species: { isLabel: true } } });
 * await rows.take(2).forEachAsync((row) => console.log(row));
 * ```
 */
export function csv(source: string, config: CSVConfig = {}): CSVDataset {
  return new CSVDataset(source, config);
}
