/**
 * Keras's text Tokenizer (keras.preprocessing.text, which TF.js does not have): a vocabulary
 * ranked by count, texts to index sequences and back, and bag-of-words matrices. Words are held
 * in Maps, so a word such as '__proto__' or 'constructor' read from a text or a file is only a word.
 */
import type { Tensor } from '../../core/tensor.js';
import * as ops from '../../ops/index.js';
import { dumpFlatObject, parseFlatObject } from './flat-json.js';
import { checkSequences, type Sequences } from './pad-sequences.js';

/** Keras's default `filters`: punctuation, tab and newline, each replaced by `split`. */
export const DEFAULT_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n';

/** The options of text.textToWordSequence. */
export interface TextToWordSequenceArgs {
  /** Characters to remove (each becomes `split`); default Keras's punctuation, tab and newline. */
  filters?: string;
  /** Lower-case the text first; default true. */
  lower?: boolean;
  /** The separator between words; default ' '. */
  split?: string;
}

/** The options of a Tokenizer, as Keras names them in camelCase. */
export interface TokenizerArgs extends TextToWordSequenceArgs {
  /** Keep only the words of index < numWords (the numWords - 1 most frequent) when converting; default all. */
  numWords?: number | null;
  /** Every character is a token (filters are not applied, as in Keras); default false. */
  charLevel?: boolean;
  /** A token given index 1 and used for every word outside the vocabulary; default none (such words are dropped). */
  oovToken?: string | null;
  /** Splits a text into tokens instead of filters / lower / split (not saved by toJSON, as in Keras). */
  analyzer?: ((text: string) => string[]) | null;
  /** The number of documents already seen (read from a saved tokenizer); default 0. */
  documentCount?: number;
}

/** The ways textsToMatrix and sequencesToMatrix weigh a word in a row. */
export type MatrixMode = 'binary' | 'count' | 'freq' | 'tfidf';
const MODES: readonly MatrixMode[] = ['binary', 'count', 'freq', 'tfidf'];
const ARG_NAMES = ['numWords', 'filters', 'lower', 'split', 'charLevel', 'oovToken', 'analyzer', 'documentCount'];

/**
 * A tokenizer as Keras's Tokenizer.to_json() writes it: JSON.stringify(tokenizer) is text that
 * Keras's tokenizer_from_json reads, and Tokenizer.fromJSON reads what Keras writes. The five
 * tables are JSON objects held as strings, as Keras holds them.
 */
export interface TokenizerJSON {
  class_name: 'Tokenizer';
  config: {
    num_words: number | null; filters: string; lower: boolean; split: string; char_level: boolean;
    oov_token: string | null; document_count: number;
    word_counts: string; word_docs: string; index_docs: string; index_word: string; word_index: string;
  };
}
const CONFIG_KEYS = ['num_words', 'filters', 'lower', 'split', 'char_level', 'oov_token', 'document_count',
  'word_counts', 'word_docs', 'index_docs', 'index_word', 'word_index'];

/**
 * Keras's text_to_word_sequence: lower-cases `text`, replaces every character of `filters` by
 * `split`, splits on `split` and drops empty words.
 */
export function textToWordSequence(text: string, args: TextToWordSequenceArgs = {}): string[] {
  const where = 'textToWordSequence';
  const { filters, lower, split } = checkWordArgs(args, where);
  return words(checkText(text, `${where}: text`), filters, lower, split);
}

function checkWordArgs(args: TextToWordSequenceArgs, where: string): Required<TextToWordSequenceArgs> {
  const filters = args.filters ?? DEFAULT_FILTERS;
  const lower = args.lower ?? true;
  const split = args.split ?? ' ';
  if (typeof filters !== 'string') throw new Error(`${where}: expected filters to be a string. Received: filters=${String(filters)}`);
  if (typeof lower !== 'boolean') throw new Error(`${where}: expected lower to be a boolean. Received: lower=${String(lower)}`);
  if (typeof split !== 'string' || split === '') {
    throw new Error(`${where}: expected split to be a non-empty string. Received: split=${JSON.stringify(split) ?? String(split)}`);
  }
  return { filters, lower, split };
}

function checkText(text: unknown, where: string): string {
  if (typeof text !== 'string') throw new Error(`${where}: expected a string. Received: ${typeof text} ${String(text)}`);
  return text;
}

/** The last filters' pattern: one character class, by code point as Python's str.translate ('u'). */
let filterPattern: { filters: string; pattern: RegExp | null } = { filters: '', pattern: null };

function words(text: string, filters: string, lower: boolean, split: string): string[] {
  if (filterPattern.filters !== filters) {
    const escaped = Array.from(filters, (c) => ('\\[]^-'.includes(c) ? `\\${c}` : c)).join('');
    filterPattern = { filters, pattern: filters === '' ? null : new RegExp(`[${escaped}]`, 'gu') };
  }
  const source = lower ? text.toLowerCase() : text;
  const replaced = filterPattern.pattern === null ? source : source.replace(filterPattern.pattern, () => split);
  return replaced.split(split).filter((w) => w !== '');
}

/**
 * Keras's Tokenizer. `fitOnTexts` counts the words; `wordIndex` then numbers them from 1 by
 * count, most frequent first, ties in the order they first appeared (index 0 is never a word;
 * with an `oovToken` it takes index 1). `numWords` keeps the indices below it when converting.
 */
export class Tokenizer {
  /** Indices below it are kept when converting; null keeps all. */
  readonly numWords: number | null;
  /** The characters replaced by `split` before splitting. */
  readonly filters: string;
  /** Whether texts are lower-cased. */
  readonly lower: boolean;
  /** The separator between words. */
  readonly split: string;
  /** Whether every character is a token. */
  readonly charLevel: boolean;
  /** The token of index 1 that stands for unknown words, or null. */
  readonly oovToken: string | null;
  /** The user's function from a text to its tokens, or null. */
  readonly analyzer: ((text: string) => string[]) | null;
  /** How many documents (texts or sequences) the tokenizer was fitted on. */
  documentCount: number;
  /** Each word's number of occurrences, in the order the words first appeared. */
  wordCounts = new Map<string, number>();
  /** Each word's number of documents. */
  wordDocs = new Map<string, number>();
  /** Each word's index (from 1, most frequent first). */
  wordIndex = new Map<string, number>();
  /** The word of each index. */
  indexWord = new Map<number, string>();
  /** The number of documents of each index (read by the tfidf mode). */
  indexDocs = new Map<number, number>();

  constructor(args: TokenizerArgs = {}) {
    const where = 'Tokenizer';
    if (args === null || typeof args !== 'object') throw new Error(`${where}: expected an object of options. Received: ${String(args)}`);
    for (const key of Object.keys(args)) {
      if (!ARG_NAMES.includes(key)) throw new Error(`${where}: unknown option '${key}'; expected one of ${ARG_NAMES.join(', ')}`);
    }
    const { filters, lower, split } = checkWordArgs(args, where);
    const numWords = args.numWords ?? null;
    if (numWords !== null && (!Number.isInteger(numWords) || numWords < 1)) {
      throw new Error(`${where}: expected numWords to be a positive integer or null. Received: numWords=${numWords}`);
    }
    const charLevel = args.charLevel ?? false;
    if (typeof charLevel !== 'boolean') throw new Error(`${where}: expected charLevel to be a boolean. Received: charLevel=${String(charLevel)}`);
    const oovToken = args.oovToken ?? null;
    if (oovToken !== null && typeof oovToken !== 'string') {
      throw new Error(`${where}: expected oovToken to be a string or null. Received: oovToken=${String(oovToken)}`);
    }
    const analyzer = args.analyzer ?? null;
    if (analyzer !== null && typeof analyzer !== 'function') throw new Error(`${where}: expected analyzer to be a function. Received: ${String(analyzer)}`);
    const documentCount = args.documentCount ?? 0;
    if (!Number.isInteger(documentCount) || documentCount < 0) {
      throw new Error(`${where}: expected documentCount to be a non-negative integer. Received: documentCount=${documentCount}`);
    }
    this.numWords = numWords; this.filters = filters; this.lower = lower; this.split = split;
    this.charLevel = charLevel; this.oovToken = oovToken; this.analyzer = analyzer; this.documentCount = documentCount;
  }

  /** The tokens of one text (a string, or a list of words kept as they are but for `lower`). */
  private tokens(text: string | readonly string[], where: string): string[] {
    if (Array.isArray(text)) {
      return text.map((w, i) => {
        const word = checkText(w, `${where}[${i}]`);
        return this.lower ? word.toLowerCase() : word;
      });
    }
    const s = checkText(text, where);
    if (this.charLevel) return Array.from(this.lower ? s.toLowerCase() : s);
    if (this.analyzer) {
      const tokens: unknown = this.analyzer(s);
      if (!Array.isArray(tokens) || tokens.some((w) => typeof w !== 'string')) {
        throw new Error(`${where}: expected the analyzer to return an array of strings. Received: ${String(tokens)}`);
      }
      return tokens as string[];
    }
    return words(s, this.filters, this.lower, this.split);
  }

  private tokenized(texts: readonly (string | readonly string[])[], op: string): string[][] {
    if (!Array.isArray(texts)) throw new Error(`Tokenizer.${op}: expected an array of texts. Received: ${String(texts)}`);
    return texts.map((t, i) => this.tokens(t, `Tokenizer.${op}: texts[${i}]`));
  }

  /** Counts the words of `texts` (strings, or lists of words) and renumbers the vocabulary. */
  fitOnTexts(texts: readonly (string | readonly string[])[]): void {
    const all = this.tokenized(texts, 'fitOnTexts'); // every text checked before anything changes
    for (const seq of all) {
      this.documentCount++;
      for (const w of seq) this.wordCounts.set(w, (this.wordCounts.get(w) ?? 0) + 1);
      for (const w of new Set(seq)) this.wordDocs.set(w, (this.wordDocs.get(w) ?? 0) + 1);
    }
    // Array.prototype.sort is stable: equal counts keep the order the words first appeared, as Keras's sort.
    const ranked = [...this.wordCounts].sort((a, b) => b[1] - a[1]).map(([w]) => w);
    this.wordIndex = new Map();
    if (this.oovToken !== null) this.wordIndex.set(this.oovToken, 1);
    for (const w of ranked) if (!this.wordIndex.has(w)) this.wordIndex.set(w, this.wordIndex.size + 1);
    this.indexWord = new Map([...this.wordIndex].map(([w, i]) => [i, w]));
    for (const [w, c] of this.wordDocs) this.indexDocs.set(this.wordIndex.get(w)!, c);
  }

  /** Counts in how many of `sequences` each index occurs (for the tfidf mode), as Keras's fit_on_sequences. */
  fitOnSequences(sequences: Sequences): void {
    const seqs = checkSequences(sequences, 'Tokenizer.fitOnSequences');
    this.documentCount += seqs.length;
    for (const seq of seqs) for (const i of new Set(seq)) this.indexDocs.set(i, (this.indexDocs.get(i) ?? 0) + 1);
  }

  /**
   * Each text as the indices of its words: words outside the vocabulary, or of index >= numWords,
   * become the oovToken's index, or are dropped when there is none.
   */
  textsToSequences(texts: readonly (string | readonly string[])[]): number[][] {
    const oov = this.oovToken === null ? undefined : this.wordIndex.get(this.oovToken);
    return this.tokenized(texts, 'textsToSequences').map((seq) => {
      const out: number[] = [];
      for (const w of seq) {
        const i = this.wordIndex.get(w);
        const kept = i !== undefined && (this.numWords === null || i < this.numWords) ? i : oov;
        if (kept !== undefined) out.push(kept);
      }
      return out;
    });
  }

  /** Each sequence of indices as its words joined by spaces (unknown indices as the oovToken, or dropped). */
  sequencesToTexts(sequences: Sequences): string[] {
    const seqs = checkSequences(sequences, 'Tokenizer.sequencesToTexts');
    const oovWord = this.oovToken === null || !this.wordIndex.has(this.oovToken) ? undefined : this.oovToken;
    return seqs.map((seq) => {
      const out: string[] = [];
      for (const i of seq) {
        const w = this.indexWord.get(i);
        const kept = w !== undefined && (this.numWords === null || i < this.numWords) ? w : oovWord;
        if (kept !== undefined) out.push(kept);
      }
      return out.join(' ');
    });
  }

  /** textsToSequences then sequencesToMatrix: a [texts, numWords] float32 tensor. */
  textsToMatrix(texts: readonly (string | readonly string[])[], mode: MatrixMode = 'binary'): Tensor {
    this.checkMatrix(mode, 'textsToMatrix');
    return this.sequencesToMatrix(this.textsToSequences(texts), mode);
  }

  /**
   * A [sequences, numWords] float32 tensor (numWords, else the vocabulary size + 1): 'binary' 1
   * where an index occurs, 'count' its count, 'freq' its count / the sequence's length, 'tfidf'
   * (1 + ln count) * ln(1 + documentCount / (1 + the index's documents)). Indices >= numWords are left out.
   */
  sequencesToMatrix(sequences: Sequences, mode: MatrixMode = 'binary'): Tensor {
    const columns = this.checkMatrix(mode, 'sequencesToMatrix');
    const seqs = checkSequences(sequences, 'Tokenizer.sequencesToMatrix');
    const values = new Float32Array(seqs.length * columns);
    seqs.forEach((seq, row) => {
      const counts = new Map<number, number>();
      for (const j of seq) if (j < columns) counts.set(j, (counts.get(j) ?? 0) + 1);
      for (const [j, c] of counts) {
        let v: number;
        if (mode === 'count') v = c;
        else if (mode === 'freq') v = c / seq.length;
        else if (mode === 'binary') v = 1;
        else v = (1 + Math.log(c)) * Math.log(1 + this.documentCount / (1 + (this.indexDocs.get(j) ?? 0)));
        values[row * columns + j] = v;
      }
    });
    return ops.tensor(values, [seqs.length, columns], 'float32');
  }

  /** The matrix width, after checking the mode and that the tokenizer can make one. */
  private checkMatrix(mode: unknown, op: string): number {
    if (!MODES.includes(mode as MatrixMode)) {
      throw new Error(`Tokenizer.${op}: unknown mode ${JSON.stringify(mode) ?? String(mode)}; expected one of ${MODES.map((m) => `'${m}'`).join(', ')}`);
    }
    if (this.numWords === null && this.wordIndex.size === 0) {
      throw new Error(`Tokenizer.${op}: the matrix has no width: give numWords, or fit on some texts first`);
    }
    if (mode === 'tfidf' && this.documentCount === 0) throw new Error(`Tokenizer.${op}: fit the tokenizer on some data before using the 'tfidf' mode`);
    return this.numWords ?? this.wordIndex.size + 1;
  }

  /**
   * The tokenizer as Keras's to_json() writes it (analyzer aside): `JSON.stringify(tokenizer)` gives
   * the text, which Tokenizer.fromJSON and Keras's tokenizer_from_json read back.
   */
  toJSON(): TokenizerJSON {
    return { class_name: 'Tokenizer', config: {
      num_words: this.numWords, filters: this.filters, lower: this.lower, split: this.split, char_level: this.charLevel,
      oov_token: this.oovToken, document_count: this.documentCount,
      word_counts: dumpFlatObject(this.wordCounts), word_docs: dumpFlatObject(this.wordDocs),
      index_docs: dumpFlatObject(this.indexDocs), index_word: dumpFlatObject(this.indexWord),
      word_index: dumpFlatObject(this.wordIndex),
    } };
  }

  /** A tokenizer from Keras's to_json() text (or its parsed object), as tokenizer_from_json: sora's toJSON writes the same. */
  static fromJSON(json: string | TokenizerJSON): Tokenizer {
    const where = 'Tokenizer.fromJSON';
    let parsed: unknown = json;
    if (typeof json === 'string') {
      try { parsed = JSON.parse(json); } catch (e) { throw new Error(`${where}: the text is not JSON (${(e as Error).message})`); }
    }
    const outer = parsed as Record<string, unknown> | null;
    if (outer === null || typeof outer !== 'object') throw new Error(`${where}: expected a JSON object. Received: ${String(outer)}`);
    const className = Object.hasOwn(outer, 'class_name') ? outer.class_name : 'Tokenizer';
    if (className !== 'Tokenizer') throw new Error(`${where}: expected class_name 'Tokenizer'. Received: class_name=${JSON.stringify(className)}`);
    const config = Object.hasOwn(outer, 'config') ? outer.config as Record<string, unknown> : null;
    if (config === null || typeof config !== 'object') throw new Error(`${where}: expected a 'config' object. Received: config=${String(config)}`);
    for (const key of Object.keys(config)) {
      if (!CONFIG_KEYS.includes(key)) throw new Error(`${where}: unknown config key '${key}'; expected ${CONFIG_KEYS.join(', ')}`);
    }
    const field = (key: string): unknown => (Object.hasOwn(config, key) ? config[key] : undefined);
    const table = (key: string): Map<string, number | string> => {
      const text = field(key);
      if (text === undefined) return new Map();
      if (typeof text !== 'string') throw new Error(`${where}: expected config.${key} to be a JSON string, as Keras writes it. Received: ${typeof text}`);
      return parseFlatObject(text, `${where}: config.${key}`);
    };
    const counts = (key: string, least: number): Map<string, number> => {
      const out = table(key);
      for (const [word, n] of out) {
        if (!Number.isInteger(n) || (n as number) < least) {
          throw new Error(`${where}: config.${key}[${JSON.stringify(word)}] = ${JSON.stringify(n)}; expected an integer >= ${least}`);
        }
      }
      return out as Map<string, number>;
    };
    const byIndex = <T>(key: string, valid: (v: unknown) => v is T, expected: string): Map<number, T> => {
      const out = new Map<number, T>();
      for (const [k, v] of table(key)) {
        const index = Number(k);
        if (!/^\d+$/.test(k) || !valid(v)) throw new Error(`${where}: config.${key}[${JSON.stringify(k)}] = ${JSON.stringify(v)}; expected an integer key and ${expected}`);
        out.set(index, v);
      }
      return out;
    };
    const tokenizer = new Tokenizer({
      // Keras reads num_words 0 as no limit (`if num_words and ...`).
      numWords: (field('num_words') || null) as number | null, filters: field('filters') as string, lower: field('lower') as boolean,
      split: field('split') as string, charLevel: field('char_level') as boolean, oovToken: field('oov_token') as string | null,
      documentCount: field('document_count') as number,
    });
    tokenizer.wordCounts = counts('word_counts', 0);
    tokenizer.wordDocs = counts('word_docs', 0);
    tokenizer.wordIndex = counts('word_index', 1);
    tokenizer.indexWord = byIndex('index_word', (v): v is string => typeof v === 'string', 'a word');
    tokenizer.indexDocs = byIndex('index_docs', (v): v is number => Number.isInteger(v) && (v as number) >= 0, 'a count >= 0');
    return tokenizer;
  }
}

/** Keras's tokenizer_from_json: the same as Tokenizer.fromJSON. */
export function tokenizerFromJson(json: string | TokenizerJSON): Tokenizer {
  return Tokenizer.fromJSON(json);
}
