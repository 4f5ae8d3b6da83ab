/**
 * tf.string: stringNGrams, stringSplit, stringToHashBucketFast and staticRegexReplace, as
 * TF.js 4.22's cpu kernels compute them. They read and make string tensors on the JS side
 * (src/core/string-storage.ts); their int32 outputs go to the active backend. None is
 * differentiable, and none is recorded on a tape (nothing flows through strings).
 *
 * Strings are handled as TF.js handles them: as UTF-8 bytes (stringSplit splits at bytes, an
 * empty delimiter into single bytes; the n-grams join bytes), except staticRegexReplace,
 * which works on the decoded text with JavaScript's RegExp (TF.js does the same, not RE2).
 */
import { decodeUtf8, encodeUtf8 } from '../../core/string-storage.js';
import { Tensor, type Shape } from '../../core/tensor.js';
import { fingerPrint64 } from '../../compat/hash.js';
import { tensor } from '../creation.js';
import { withInputs, type Input } from '../inputs.js';
import { checkTensor, describe } from '../util.js';
import { makeStringTensor, stringBytes } from './movement.js';

function checkString(op: string, name: string, t: Tensor): readonly Uint8Array[] {
  if (t.dtype !== 'string') throw new Error(`${op}: '${name}' must be a string tensor; received ${describe(t)}`);
  return stringBytes(t, op);
}

function int32Tensor(values: Int32Array, shape: Shape, op: string): Tensor {
  return tensor(values, shape, 'int32', op);
}

/** Byte arrays joined with `separator` between them. */
function join(parts: Uint8Array[], separator: Uint8Array): Uint8Array {
  let length = separator.length * Math.max(0, parts.length - 1);
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  parts.forEach((p, i) => {
    if (i > 0) { out.set(separator, at); at += separator.length; }
    out.set(p, at);
    at += p.length;
  });
  return out;
}

/** What tf.string.stringNGrams returns: the n-grams (string, 1-D) and the row splits of each row's n-grams (int32). */
export interface StringNGramsResult { nGrams: Tensor; nGramsSplits: Tensor }

/**
 * tf.string.stringNGrams(data, dataSplits, separator, nGramWidths, leftPad, rightPad,
 * padWidth, preserveShortSequences): the n-grams of each row of a ragged string tensor (its
 * values `data` and row splits `dataSplits`), rows padded with `padWidth` pads on each side
 * (never more than width - 1; -1: width - 1), each n-gram its tokens joined by `separator`.
 * With `preserveShortSequences`, a non-empty row too short for any n-gram gives one n-gram
 * of the whole row, padded.
 */
export function stringNGrams(data: Input, dataSplits: Input, separator: string, nGramWidths: number[], leftPad: string,
  rightPad: string, padWidth: number, preserveShortSequences: boolean): StringNGramsResult {
  const op = 'stringNGrams';
  for (const [name, value] of [['separator', separator], ['leftPad', leftPad], ['rightPad', rightPad]] as const) {
    if (typeof value !== 'string') throw new Error(`${op}: ${name} must be a string; received ${typeof value}`);
  }
  if (!Array.isArray(nGramWidths) || nGramWidths.some((w) => !Number.isInteger(w) || w < 1)) {
    throw new Error(`${op}: nGramWidths must be an array of positive integers; received ${JSON.stringify(nGramWidths)}`);
  }
  if (!Number.isInteger(padWidth) || padWidth < -1) {
    throw new Error(`${op}: padWidth must be an integer >= -1 (-1: each width - 1); received ${padWidth}`);
  }
  if (nGramWidths.length === 0 && padWidth === -1 && preserveShortSequences) {
    throw new Error(`${op}: with no nGramWidths, padWidth -1 (each width - 1) gives preserveShortSequences no pad width; ` +
      'give a width or a padWidth >= 0');
  }
  const { bounds, shape } = splitsOf(op, dataSplits);
  return withInputs(op, [['data', data]], ([values]) => {
    const tokens = checkString(op, 'data', values);
    if (values.rank !== 1) throw new Error(`${op}: data must be a vector; received ${describe(values)}`);
    checkSplits(op, bounds, tokens.length);
    const [grams, gramSplits] = nGramsOf(tokens, bounds, {
      separator: encodeUtf8(separator), widths: nGramWidths, left: encodeUtf8(leftPad), right: encodeUtf8(rightPad),
      padWidth, preserveShort: preserveShortSequences,
    });
    return { nGrams: makeStringTensor(grams, [grams.length]), nGramsSplits: int32Tensor(gramSplits, shape, op) };
  });
}

/**
 * The row splits' values: an int32 vector tensor (read synchronously), or a plain array of
 * integers, read as it is (so that it works whichever backend is active).
 */
function splitsOf(op: string, splits: Input): { bounds: Int32Array; shape: Shape } {
  if (splits instanceof Tensor) {
    checkTensor(op, 'dataSplits', splits);
    if (splits.dtype !== 'int32' || splits.rank !== 1) throw new Error(`${op}: dataSplits must be an int32 vector; received ${describe(splits)}`);
    if (!splits.ref.backend.syncReadable) {
      throw new Error(`${op}: reads dataSplits synchronously, which the '${splits.ref.backend.name}' backend cannot; ` +
        'give them as an array of integers');
    }
    return { bounds: splits.dataSync() as Int32Array, shape: splits.shape };
  }
  const list = ArrayBuffer.isView(splits) || Array.isArray(splits) ? Array.from(splits as ArrayLike<unknown>) : null;
  if (!list || list.some((v) => !Number.isInteger(v))) {
    throw new Error(`${op}: dataSplits must be an int32 vector or an array of integers; received ${JSON.stringify(splits)}`);
  }
  return { bounds: Int32Array.from(list as number[]), shape: [list.length] };
}

/** Row splits: start at 0, never decrease, end at the number of values. */
function checkSplits(op: string, splits: Int32Array, size: number): void {
  if (splits.length === 0) return;
  if (splits[0] !== 0) throw new Error(`${op}: dataSplits must start at 0; received ${splits[0]}`);
  for (let i = 1; i < splits.length; i++) {
    if (splits[i] < splits[i - 1] || splits[i] > size) {
      throw new Error(`${op}: dataSplits[${i}] = ${splits[i]} must be in [${splits[i - 1]}, ${size}]`);
    }
  }
  if (splits[splits.length - 1] !== size) {
    throw new Error(`${op}: dataSplits must end at the size of data, ${size}; received ${splits[splits.length - 1]}`);
  }
}

interface NGramOptions {
  separator: Uint8Array; widths: number[]; left: Uint8Array; right: Uint8Array; padWidth: number; preserveShort: boolean;
}

function nGramsOf(tokens: readonly Uint8Array[], splits: Int32Array, o: NGramOptions): [Uint8Array[], Int32Array] {
  const rows = Math.max(0, splits.length - 1);
  const gramSplits = new Int32Array(splits.length);
  const grams: Uint8Array[] = [];
  // No values: no n-grams at all, not even pads-only ones for the (empty) rows (TF's rule).
  if (tokens.length === 0) return [grams, gramSplits];
  const padOf = (width: number, padWidth: number) => Math.min(padWidth < 0 ? width - 1 : padWidth, width - 1);
  // The n-gram starting at `start` of the row extended by `pad` pads on each side.
  const gram = (from: number, length: number, width: number, pad: number, start: number): Uint8Array => {
    const parts: Uint8Array[] = [];
    for (let p = start - pad; p < start - pad + width; p++) parts.push(p < 0 ? o.left : p >= length ? o.right : tokens[from + p]);
    return join(parts, o.separator);
  };
  for (let r = 0; r < rows; r++) {
    const from = splits[r], length = splits[r + 1] - splits[r];
    const before = grams.length;
    for (const width of o.widths) {
      const pad = padOf(width, o.padWidth);
      const count = Math.max(0, length + 2 * pad - width + 1);
      for (let g = 0; g < count; g++) grams.push(gram(from, length, width, pad, g));
    }
    if (o.preserveShort && grams.length === before && length > 0) {
      // Too short for every width: one n-gram of the whole row and its pads (padWidth >= 0
      // here: with -1 every non-empty row has an n-gram).
      const width = length + 2 * o.padWidth;
      grams.push(gram(from, length, width, padOf(width, o.padWidth), 0));
    }
    gramSplits[r + 1] = grams.length;
  }
  return [grams, gramSplits];
}

/** What tf.string.stringSplit returns: a sparse tensor's indices [n, 2], values [n] (string) and dense shape [2]. */
export interface StringSplitResult { indices: Tensor; values: Tensor; shape: Tensor }

/**
 * tf.string.stringSplit(input, delimiter = ' ', skipEmpty = true): each string of the
 * vector `input` split at every byte of `delimiter` (an empty delimiter: into single bytes),
 * as a sparse tensor: indices [n, 2] (row, position), values [n], shape [rows, longest row].
 * TF.js requires the delimiter; here it defaults to ' ' (TensorFlow's whitespace default).
 */
export function stringSplit(input: Input, delimiter: Input = ' ', skipEmpty = true): StringSplitResult {
  const op = 'stringSplit';
  return withInputs(op, [['input', input], ['delimiter', delimiter]], ([strings, delim]) => {
    const values = checkString(op, 'input', strings);
    const [by] = checkString(op, 'delimiter', delim);
    if (strings.rank !== 1) throw new Error(`${op}: input must be a vector; received ${describe(strings)}`);
    if (delim.rank !== 0) throw new Error(`${op}: delimiter must be a scalar; received ${describe(delim)}`);
    const tokens: Uint8Array[] = [];
    const rowOf: number[] = [], positionOf: number[] = [];
    let longest = 0;
    values.forEach((s, row) => {
      const first = tokens.length;
      splitBytes(s, by, skipEmpty, tokens);
      for (let k = first; k < tokens.length; k++) { rowOf.push(row); positionOf.push(k - first); }
      longest = Math.max(longest, tokens.length - first);
    });
    const indices = new Int32Array(2 * tokens.length);
    rowOf.forEach((row, k) => { indices[2 * k] = row; indices[2 * k + 1] = positionOf[k]; });
    return {
      indices: int32Tensor(indices, [tokens.length, 2], op),
      values: makeStringTensor(tokens, [tokens.length]),
      shape: int32Tensor(Int32Array.of(values.length, longest), [2], op),
    };
  });
}

/** The tokens of `s` between the bytes of `delimiters` (an empty string has none, even kept empty). */
function splitBytes(s: Uint8Array, delimiters: Uint8Array, skipEmpty: boolean, out: Uint8Array[]): void {
  if (s.length === 0) return;
  if (delimiters.length === 0) {
    for (let i = 0; i < s.length; i++) out.push(s.slice(i, i + 1));
    return;
  }
  let start = 0;
  for (let i = 0; i <= s.length; i++) {
    if (i < s.length && !delimiters.includes(s[i])) continue;
    if (!skipEmpty || i > start) out.push(s.slice(start, i));
    start = i + 1;
  }
}

/**
 * tf.string.stringToHashBucketFast(input, numBuckets): each string's Fingerprint64 modulo
 * numBuckets, as int32 of the input's shape (TF.js's hash, so buckets match TF's).
 */
export function stringToHashBucketFast(input: Input, numBuckets: number): Tensor {
  const op = 'stringToHashBucketFast';
  if (!Number.isInteger(numBuckets) || numBuckets < 1) {
    throw new Error(`${op}: numBuckets must be a positive integer; received ${numBuckets}`);
  }
  return withInputs(op, [['input', input]], ([strings]) => {
    const values = checkString(op, 'input', strings);
    const buckets = Int32Array.from(values, (s) => fingerPrint64(s).modulo(numBuckets).getLowBitsUnsigned());
    return int32Tensor(buckets, strings.shape, op);
  });
}

/**
 * tf.string.staticRegexReplace(input, pattern, rewrite, replaceGlobal = true): every string
 * with the matches of `pattern` (a JavaScript RegExp source, compiled once) replaced by
 * `rewrite` (with JavaScript's `$1` / `$&` substitutions), the first match only when
 * `replaceGlobal` is false.
 */
export function staticRegexReplace(input: Input, pattern: string, rewrite: string, replaceGlobal = true): Tensor {
  const op = 'staticRegexReplace';
  if (typeof pattern !== 'string') throw new Error(`${op}: pattern must be a string; received ${typeof pattern}`);
  if (typeof rewrite !== 'string') throw new Error(`${op}: rewrite must be a string; received ${typeof rewrite}`);
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, replaceGlobal ? 'g' : '');
  } catch (error) {
    throw new Error(`${op}: pattern ${JSON.stringify(pattern)} is not a valid regular expression: ${(error as Error).message}`);
  }
  return withInputs(op, [['input', input]], ([strings]) => {
    const values = checkString(op, 'input', strings);
    return makeStringTensor(values.map((s) => encodeUtf8(decodeUtf8(s).replace(regex, rewrite))), strings.shape);
  });
}
