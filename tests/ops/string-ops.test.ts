/**
 * tf.string against TF.js 4.22 (cpu backend): stringNGrams over generated ragged inputs and
 * every option (separator, nGramWidths, leftPad, rightPad, padWidth, preserveShortSequences),
 * stringSplit (delimiters of none, one and several bytes, skipEmpty), stringToHashBucketFast
 * (Fingerprint64 buckets, short and long strings) and staticRegexReplace (global or not,
 * groups); the error cases throw in both, sora's naming the op.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { bothThrow } from './both-throw.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Lib = any;

function summary(result: unknown): unknown {
  if (result && typeof result === 'object' && 'dtype' in result) {
    const t = result as tf.Tensor;
    return { shape: t.shape, dtype: t.dtype, values: t.arraySync() };
  }
  return Object.fromEntries(Object.keys(result as object).sort().map((k) => [k, summary((result as Record<string, unknown>)[k])]));
}

function same(label: string, run: (lib: Lib) => unknown): void {
  it(label, () => { expect(summary(run(sora))).toEqual(summary(run(tf))); });
}


let seed = 4242;
function rand(): number { seed = (seed * 16807) % 2147483647; return seed / 2147483647; }
const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
const TOKENS = ['a', 'bb', 'c', 'é', '日本', '', 'xyz', '🙂'];

/** A ragged string tensor: values and row splits (rows of 0 to 5 tokens). */
function ragged(rows: number): { values: string[]; splits: number[] } {
  const values: string[] = [];
  const splits = [0];
  for (let r = 0; r < rows; r++) {
    const n = Math.floor(rand() * 6);
    for (let k = 0; k < n; k++) values.push(pick(TOKENS));
    splits.push(values.length);
  }
  return { values, splits };
}

beforeAll(async () => { await tf.setBackend('cpu'); });

for (const backend of ['reference', 'wasm'] as const) {
  describe(`on ${backend}`, () => {
    beforeAll(async () => { await sora.setBackend(backend); });

    describe('stringNGrams', () => {
      const grams = (l: Lib, values: string[], splits: number[], sep: string, widths: number[], left: string, right: string,
        pad: number, preserve: boolean) => l.string.stringNGrams(l.tensor(values, [values.length], 'string'),
        l.tensor(splits, [splits.length], 'int32'), sep, widths, left, right, pad, preserve);
      same("TF.js's example", (l) => grams(l, ['a', 'b', 'c', 'd'], [0, 2, 4], '|', [1, 2], 'LP', 'RP', -1, false));
      for (let c = 0; c < 40; c++) {
        const { values, splits } = ragged(1 + Math.floor(rand() * 4));
        const widths = [1, 2, 3, 4].filter(() => rand() < 0.5);
        if (widths.length === 0) widths.push(pick([2, 3, 5]));
        const args = [values, splits, pick(['|', '', ' ', '--', 'é']), widths, pick(['L', '', '<s>']), pick(['R', '', '</s>']),
          pick([-1, 0, 1, 2, 3]), rand() < 0.5] as const;
        same(`case ${c}: ${JSON.stringify(args)}`, (l) => grams(l, ...args));
      }
      same('preserveShortSequences with rows shorter than every width', (l) =>
        [true, false].flatMap((p) => [0, 1, 2].map((pad) => grams(l, ['a', 'b', 'c', 'd'], [0, 1, 1, 3, 4], '_', [4, 5], 'L', 'R', pad, p))));
      same('no widths: only preserveShortSequences makes n-grams', (l) => [0, 1, 2].flatMap((pad) => [true, false].map((p) =>
        grams(l, ['a', 'b', 'c', 'd'], [0, 1, 1, 4], '|', [], 'L', 'R', pad, p))));
      bothThrow('no widths, padWidth -1 and preserveShortSequences (TF.js: a RangeError from inside)', 'stringNGrams',
        (l) => grams(l, ['a', 'b'], [0, 2], '|', [], 'L', 'R', -1, true), /padWidth -1/);
      same('no values: no n-grams, splits all 0', (l) => grams(l, [], [0, 0, 0], '|', [1, 2], 'L', 'R', -1, true));
      same('one row', (l) => grams(l, ['x', 'y', 'z'], [0, 3], ' ', [2], '', '', 0, false));
      it('no splits (no rows): sora gives no n-grams; TF.js gives one empty slot per value', () => {
        const theirs = grams(tf, ['a', 'b'], [], '|', [1], 'L', 'R', -1, false);
        expect(theirs.nGrams.shape).toEqual([2]);
        expect(Array.from(theirs.nGrams.dataSync())).toEqual([undefined, undefined]);
        const ours = grams(sora, ['a', 'b'], [], '|', [1], 'L', 'R', -1, false);
        expect([ours.nGrams.shape, ours.nGramsSplits.shape, ours.nGrams.dataSync()]).toEqual([[0], [0], []]);
      });
      bothThrow('splits not starting at 0', 'stringNGrams', (l) => grams(l, ['a', 'b'], [1, 2], '|', [1], 'L', 'R', -1, false), /start at 0/);
      bothThrow('decreasing splits', 'stringNGrams', (l) => grams(l, ['a', 'b'], [0, 2, 1, 2], '|', [1], 'L', 'R', -1, false));
      bothThrow('splits not ending at the data size', 'stringNGrams', (l) => grams(l, ['a', 'b'], [0, 1], '|', [1], 'L', 'R', -1, false), /end at/);
      bothThrow('data not a vector', 'stringNGrams', (l) => l.string.stringNGrams(l.tensor([['a']]), l.tensor([0, 1], [2], 'int32'),
        '|', [1], 'L', 'R', -1, false), /vector/);
      bothThrow('data not strings', 'stringNGrams', (l) => l.string.stringNGrams(l.tensor([1, 2]), l.tensor([0, 2], [2], 'int32'),
        '|', [1], 'L', 'R', -1, false), /string/);
      bothThrow('float32 splits', 'stringNGrams', (l) => l.string.stringNGrams(l.tensor(['a']), l.tensor([0, 1]),
        '|', [1], 'L', 'R', -1, false), /int32/);
      it('widths that are not positive integers, and a padWidth below -1, throw naming stringNGrams', () => {
        const run = (widths: number[], pad: number) => () => grams(sora, ['a'], [0, 1], '|', widths, 'L', 'R', pad, false);
        expect(run([0], -1)).toThrow(/stringNGrams: nGramWidths/);
        expect(run([1.5], -1)).toThrow(/stringNGrams: nGramWidths/);
        expect(run([1], -2)).toThrow(/stringNGrams: padWidth/);
      });
      it('plain arrays for data and dataSplits (TF.js wants int32 splits as a tensor)', () => {
        const r = sora.string.stringNGrams(['a', 'b', 'c'], [0, 1, 3], '+', [2], '<', '>', 1, false);
        expect(r.nGrams.arraySync<'string'>()).toEqual(['<+a', 'a+>', '<+b', 'b+c', 'c+>']);
        expect(r.nGramsSplits.arraySync()).toEqual([0, 2, 5]);
      });
    });

    describe('stringSplit', () => {
      const inputs = ['hello world', 'a  b c ', '', ' ', 'x,y;;z', 'é日 本', 'no-delimiter'];
      for (const delimiter of [' ', '', ',;', ';', 'é', ' ,']) {
        for (const skipEmpty of [true, false]) {
          same(`delimiter ${JSON.stringify(delimiter)}, skipEmpty ${skipEmpty}`, (l) =>
            l.string.stringSplit(l.tensor(inputs), l.scalar(delimiter), skipEmpty));
        }
      }
      same("TF.js's example, a plain delimiter and skipEmpty's default", (l) => l.string.stringSplit(['hello world', 'a b c'], ' '));
      same('an empty input vector', (l) => l.string.stringSplit(l.tensor([], [0], 'string'), ' '));
      it("the delimiter defaults to ' ' (TF.js requires it)", () => {
        expect(summary(sora.string.stringSplit(['a b', 'c']))).toEqual(summary(tf.string.stringSplit(['a b', 'c'], ' ')));
        expect(() => (tf.string.stringSplit as any)(['a b'])).toThrow();
      });
      bothThrow('input not a vector', 'stringSplit', (l) => l.string.stringSplit(l.tensor([['a b']]), ' '), /vector/);
      bothThrow('delimiter not a scalar', 'stringSplit', (l) => l.string.stringSplit(l.tensor(['a b']), l.tensor([' '])), /scalar/);
      bothThrow('input not strings', 'stringSplit', (l) => l.string.stringSplit(l.tensor([1, 2]), ' '), /string/);
    });

    describe('stringToHashBucketFast', () => {
      const long = 'The quick brown fox jumps over the lazy dog; '.repeat(5);
      const strings = ['', 'a', 'Hello', 'TensorFlow', '2.x', 'é', '日本語のテキスト', long, long.slice(0, 17), long.slice(0, 33),
        long.slice(0, 64), long.slice(0, 65), '🙂🙂'];
      for (const buckets of [1, 2, 3, 10, 1000, 2 ** 31 - 1]) {
        same(`${buckets} buckets`, (l) => l.string.stringToHashBucketFast(l.tensor(strings), buckets));
      }
      same('keeps the shape', (l) => l.string.stringToHashBucketFast(l.tensor(strings.slice(0, 12), [3, 2, 2]), 7));
      same("TF.js's example", (l) => l.string.stringToHashBucketFast(['Hello', 'TensorFlow', '2.x'], 3));
      bothThrow('0 buckets', 'stringToHashBucketFast', (l) => l.string.stringToHashBucketFast(l.tensor(['a']), 0), /numBuckets/);
      bothThrow('numbers', 'stringToHashBucketFast', (l) => l.string.stringToHashBucketFast(l.tensor([1]), 3), /string/);
    });

    describe('staticRegexReplace', () => {
      const strings = ['format       this   spacing      better', 'aaa', 'abc abc', '', 'é日本é', 'x1y22z333'];
      for (const [pattern, rewrite] of [[' +', ' '], ['a', 'X'], ['(\\d+)', '<$1>'], ['^', '>'], ['é', 'e'], ['b(c)?', '[$&]']]) {
        for (const global of [true, false]) {
          same(`/${pattern}/ -> ${rewrite}, global ${global}`, (l) => l.string.staticRegexReplace(l.tensor(strings, [2, 3]), pattern, rewrite, global));
        }
      }
      same("TF.js's example, replaceGlobal's default", (l) => l.string.staticRegexReplace(['format       this   spacing      better'], ' +', ' '));
      bothThrow('an invalid pattern', 'staticRegexReplace', (l) => l.string.staticRegexReplace(l.tensor(['a']), '(', 'x'), /pattern/);
      bothThrow('numbers', 'staticRegexReplace', (l) => l.string.staticRegexReplace(l.tensor([1]), 'a', 'b'), /string/);
    });

    it('tf.string ops free what they made from plain values; their outputs are tracked', () => {
      const before = sora.memory().numTensors;
      const out = sora.tidy(() => {
        sora.string.stringSplit(['a b'], ' ');
        sora.string.stringNGrams(['a', 'b'], [0, 2], ' ', [2], '', '', 0, false);
        return sora.string.staticRegexReplace(['aa'], 'a', 'b');
      });
      expect(sora.memory().numTensors - before).toBe(1);
      expect(out.dataSync<'string'>()).toEqual(['bb']);
      out.dispose();
      expect(sora.memory().numTensors).toBe(before);
    });
  });
}
