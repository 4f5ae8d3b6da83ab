/**
 * sora.text.Tokenizer against Keras's legacy Tokenizer (keras/src/legacy/preprocessing/text.py).
 * TF.js has no text utilities, so the oracle is Keras itself: the KERAS_* fixtures and the
 * expected values marked "Keras:" were printed by that file (keras-team/keras 3422977a, numpy
 * 2.4) on the same inputs; the rest are computed by hand from Keras's documented rules.
 */
import { describe, expect, test } from 'vitest';
import * as sora from '../../src/index.js';

const { Tokenizer } = sora.text;
const TEXTS = ['The cat sat on the mat.', 'The dog ate my homework!', 'Dog eat dog: the end?\tYes\nno'];

function rows(t: sora.Tensor): number[][] {
  const [n, m] = t.shape as [number, number];
  const v = Array.from(t.dataSync() as Float32Array);
  t.dispose();
  return Array.from({ length: n }, (_, i) => v.slice(i * m, (i + 1) * m));
}
function closeRows(actual: number[][], expected: number[][]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((row, i) => row.forEach((v, j) => expect(v, `[${i}][${j}]`).toBeCloseTo(expected[i]![j]!, 5)));
}

const KERAS_OOV_JSON =
  "{\"class_name\": \"Tokenizer\", \"config\": {\"num_words\": 6, \"filters\": \"!\\\"#$%&()*+,-./:;<=>?@[\\\\]^_`{|}~\\t\\n\", \"lower\": true, \"split\": \" \", \"char_level\": false, \"oov_token\": \"<OOV>\", \"document_count\": 3, \"word_counts\": \"{\\\"the\\\": 4, \\\"cat\\\": 1, \\\"sat\\\": 1, \\\"on\\\": 1, \\\"mat\\\": 1, \\\"dog\\\": 3, \\\"ate\\\": 1, \\\"my\\\": 1, \\\"homework\\\": 1, \\\"eat\\\": 1, \\\"end\\\": 1, \\\"yes\\\": 1, \\\"no\\\": 1}\", \"word_docs\": \"{\\\"the\\\": 3, \\\"on\\\": 1, \\\"mat\\\": 1, \\\"cat\\\": 1, \\\"sat\\\": 1, \\\"my\\\": 1, \\\"homework\\\": 1, \\\"dog\\\": 2, \\\"ate\\\": 1, \\\"end\\\": 1, \\\"yes\\\": 1, \\\"eat\\\": 1, \\\"no\\\": 1}\", \"index_docs\": \"{\\\"2\\\": 3, \\\"6\\\": 1, \\\"7\\\": 1, \\\"4\\\": 1, \\\"5\\\": 1, \\\"9\\\": 1, \\\"10\\\": 1, \\\"3\\\": 2, \\\"8\\\": 1, \\\"12\\\": 1, \\\"13\\\": 1, \\\"11\\\": 1, \\\"14\\\": 1}\", \"index_word\": \"{\\\"1\\\": \\\"<OOV>\\\", \\\"2\\\": \\\"the\\\", \\\"3\\\": \\\"dog\\\", \\\"4\\\": \\\"cat\\\", \\\"5\\\": \\\"sat\\\", \\\"6\\\": \\\"on\\\", \\\"7\\\": \\\"mat\\\", \\\"8\\\": \\\"ate\\\", \\\"9\\\": \\\"my\\\", \\\"10\\\": \\\"homework\\\", \\\"11\\\": \\\"eat\\\", \\\"12\\\": \\\"end\\\", \\\"13\\\": \\\"yes\\\", \\\"14\\\": \\\"no\\\"}\", \"word_index\": \"{\\\"<OOV>\\\": 1, \\\"the\\\": 2, \\\"dog\\\": 3, \\\"cat\\\": 4, \\\"sat\\\": 5, \\\"on\\\": 6, \\\"mat\\\": 7, \\\"ate\\\": 8, \\\"my\\\": 9, \\\"homework\\\": 10, \\\"eat\\\": 11, \\\"end\\\": 12, \\\"yes\\\": 13, \\\"no\\\": 14}\"}}";
const KERAS_NAMES_JSON =
  "{\"class_name\": \"Tokenizer\", \"config\": {\"num_words\": 3, \"filters\": \"!\\\"#$%&()*+,-./:;<=>?@[\\\\]^_`{|}~\\t\\n\", \"lower\": true, \"split\": \" \", \"char_level\": false, \"oov_token\": null, \"document_count\": 2, \"word_counts\": \"{\\\"b\\\": 3, \\\"a\\\": 2, \\\"c\\\": 3, \\\"10\\\": 4, \\\"constructor\\\": 1, \\\"h\\\\u00e9llo\\\": 1, \\\"__proto__\\\": 1, \\\"tostring\\\": 1}\", \"word_docs\": \"{\\\"constructor\\\": 1, \\\"c\\\": 1, \\\"h\\\\u00e9llo\\\": 1, \\\"10\\\": 1, \\\"b\\\": 2, \\\"a\\\": 1, \\\"tostring\\\": 1, \\\"__proto__\\\": 1}\", \"index_docs\": \"{\\\"5\\\": 1, \\\"3\\\": 1, \\\"6\\\": 1, \\\"1\\\": 1, \\\"2\\\": 2, \\\"4\\\": 1, \\\"8\\\": 1, \\\"7\\\": 1}\", \"index_word\": \"{\\\"1\\\": \\\"10\\\", \\\"2\\\": \\\"b\\\", \\\"3\\\": \\\"c\\\", \\\"4\\\": \\\"a\\\", \\\"5\\\": \\\"constructor\\\", \\\"6\\\": \\\"h\\\\u00e9llo\\\", \\\"7\\\": \\\"__proto__\\\", \\\"8\\\": \\\"tostring\\\"}\", \"word_index\": \"{\\\"10\\\": 1, \\\"b\\\": 2, \\\"c\\\": 3, \\\"a\\\": 4, \\\"constructor\\\": 5, \\\"h\\\\u00e9llo\\\": 6, \\\"__proto__\\\": 7, \\\"tostring\\\": 8}\"}}";

describe('textToWordSequence', () => {
  test('lower-cases, turns the default filters into spaces and drops empty words (Keras)', () => {
    expect(sora.text.textToWordSequence('Hello, World! It\'s  a\ttest...')).toEqual(['hello', 'world', 'it\'s', 'a', 'test']);
    expect(sora.text.DEFAULT_FILTERS).toBe('!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n');
  });
  test('filters, lower and a multi-character split', () => {
    expect(sora.text.textToWordSequence('A--B.c', { filters: '.', lower: false, split: '--' })).toEqual(['A', 'B', 'c']);
    expect(sora.text.textToWordSequence('x|y', { filters: '', split: '|' })).toEqual(['x', 'y']);
  });
  test('filters are characters (code points), however a regular expression would read them', () => {
    expect(sora.text.textToWordSequence('a]b\\c^d-e[f😀g\u{1F600}h', { filters: ']\\^-[😀' })).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    expect(sora.text.textToWordSequence('a.b', { filters: '.', split: '$&' })).toEqual(['a', 'b']);
    expect(sora.text.textToWordSequence('a-z b', { filters: 'a-z' })).toEqual(['b']);
  });
  test('bad options name the option and the value', () => {
    expect(() => sora.text.textToWordSequence('a', { split: '' })).toThrow(/textToWordSequence: expected split to be a non-empty string. Received: split=""/);
    expect(() => sora.text.textToWordSequence(3 as unknown as string)).toThrow(/textToWordSequence: text: expected a string/);
  });
});

describe('Tokenizer.fitOnTexts', () => {
  test('ranks by count, ties in first-seen order, oov at index 1 (Keras)', () => {
    const t = new Tokenizer({ oovToken: '<OOV>', numWords: 6 });
    t.fitOnTexts(TEXTS);
    expect(Object.fromEntries(t.wordIndex)).toEqual({ '<OOV>': 1, the: 2, dog: 3, cat: 4, sat: 5, on: 6, mat: 7, ate: 8, my: 9, homework: 10, eat: 11, end: 12, yes: 13, no: 14 });
    expect([...t.wordIndex.keys()]).toEqual(['<OOV>', 'the', 'dog', 'cat', 'sat', 'on', 'mat', 'ate', 'my', 'homework', 'eat', 'end', 'yes', 'no']);
    expect(t.indexWord.get(2)).toBe('the');
    expect(t.wordCounts.get('the')).toBe(4);
    expect(t.wordCounts.get('dog')).toBe(3);
    expect(t.wordDocs.get('the')).toBe(3);
    expect(t.wordDocs.get('dog')).toBe(2);
    expect(t.indexDocs.get(3)).toBe(2);
    expect(t.documentCount).toBe(3);
  });
  test('charLevel counts every character, filters not applied; lower: false keeps case (Keras)', () => {
    const t = new Tokenizer({ charLevel: true, lower: false });
    t.fitOnTexts(['abca', 'Bb']);
    expect(Object.fromEntries(t.wordIndex)).toEqual({ a: 1, b: 2, c: 3, B: 4 });
    expect(t.textsToSequences(['aBcz'])).toEqual([[1, 4, 3]]);
    const punct = new Tokenizer({ charLevel: true });
    punct.fitOnTexts(['a.a!']);
    expect([...punct.wordIndex.keys()]).toEqual(['a', '.', '!']);
  });
  test('split, filters and pre-tokenized texts (Keras)', () => {
    const t = new Tokenizer({ split: ',', filters: '.', lower: false });
    t.fitOnTexts(['x,y.Y,,x', ['pre', 'Tok']]);
    expect(Object.fromEntries(t.wordIndex)).toEqual({ x: 1, y: 2, Y: 3, pre: 4, Tok: 5 });
  });
  test('fitting again adds to the counts and renumbers', () => {
    const t = new Tokenizer();
    t.fitOnTexts(['a b b']);
    expect([...t.wordIndex]).toEqual([['b', 1], ['a', 2]]);
    t.fitOnTexts(['a a']);
    expect([...t.wordIndex]).toEqual([['a', 1], ['b', 2]]);
    expect(t.documentCount).toBe(2);
    expect(t.wordDocs.get('a')).toBe(2);
  });
  test('an oov token that is also a word keeps index 1 (Keras would move it: see the comment)', () => {
    // Keras builds dict(zip([oov, *ranked], 1..)): when the oov token also occurs in the texts, the
    // dict keeps its later index, index 1 is left without a word and every unknown word maps there.
    // sora keeps the documented rule, oov at 1, and numbers the other words from 2 without a gap.
    const t = new Tokenizer({ oovToken: 'unk', filters: '' });
    t.fitOnTexts(['x x unk y']);
    expect([...t.wordIndex]).toEqual([['unk', 1], ['x', 2], ['y', 3]]);
    expect(t.textsToSequences(['zebra x'])).toEqual([[1, 2]]);
  });
  test('words named like Object.prototype members are words', () => {
    const t = new Tokenizer({ filters: '' });
    t.fitOnTexts(['__proto__ constructor toString __proto__ hasOwnProperty']);
    expect(t.wordIndex.get('__proto__')).toBe(1);
    expect(t.textsToSequences(['constructor valueOf tostring'])).toEqual([[2, 3]]);
    expect(t.wordCounts.get('__proto__')).toBe(2);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype); // no word was assigned onto an object
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
  test('fitOnSequences counts documents per index for tfidf (Keras)', () => {
    const t = new Tokenizer({ numWords: 4 });
    t.fitOnSequences([[1, 1, 2], [2, 3]]);
    expect(t.documentCount).toBe(2);
    expect([...t.indexDocs]).toEqual([[1, 1], [2, 2], [3, 1]]);
    // tfidf of index 2 counted twice: (1 + ln 2) * ln(1 + 2 / (1 + 2))
    closeRows(rows(t.sequencesToMatrix([[2, 2]], 'tfidf')), [[0, 0, (1 + Math.log(2)) * Math.log(1 + 2 / 3), 0]]);
  });
});

describe('Tokenizer conversions', () => {
  const fitted = (): sora.text.Tokenizer => {
    const t = new Tokenizer({ oovToken: '<OOV>', numWords: 6 });
    t.fitOnTexts(TEXTS);
    return t;
  };
  test('textsToSequences: index >= numWords and unknown words become the oov index (Keras)', () => {
    expect(fitted().textsToSequences([...TEXTS, 'a cat and a zebra'])).toEqual([[2, 4, 5, 1, 2, 1], [2, 3, 1, 1, 1], [3, 1, 3, 2, 1, 1, 1], [1, 4, 1, 1, 1]]);
  });
  test('without an oov token such words are dropped; numWords keeps index < numWords', () => {
    const t = new Tokenizer({ numWords: 3 });
    t.fitOnTexts(['c c c b b a']);
    expect(t.textsToSequences(['a b c zebra'])).toEqual([[2, 1]]);
    expect(t.sequencesToTexts([[3, 2, 1, 0, 7]])).toEqual(['b c']);
  });
  test('sequencesToTexts joins with spaces; 0 and unknown indices as oov (Keras)', () => {
    const t = fitted();
    expect(t.sequencesToTexts([[2, 4, 5, 1, 2, 1], [0, 1, 2, 99]])).toEqual(['the cat sat <OOV> the <OOV>', '<OOV> <OOV> the <OOV>']);
  });
  test('textsToMatrix in the four modes (Keras)', () => {
    const t = fitted();
    const texts = [...TEXTS, 'dog dog cat zebra'];
    closeRows(rows(t.textsToMatrix(texts)), [[0, 1, 1, 0, 1, 1], [0, 1, 1, 1, 0, 0], [0, 1, 1, 1, 0, 0], [0, 1, 0, 1, 1, 0]]);
    closeRows(rows(t.textsToMatrix(texts, 'count')), [[0, 2, 2, 0, 1, 1], [0, 3, 1, 1, 0, 0], [0, 4, 1, 2, 0, 0], [0, 1, 0, 2, 1, 0]]);
    closeRows(rows(t.textsToMatrix(texts, 'freq')), [[0, 0.333333, 0.333333, 0, 0.166667, 0.166667], [0, 0.6, 0.2, 0.2, 0, 0], [0, 0.571429, 0.142857, 0.285714, 0, 0], [0, 0.25, 0, 0.5, 0.25, 0]]);
    closeRows(rows(t.textsToMatrix(texts, 'tfidf')), [[0, 2.3472, 0.947512, 0, 0.916291, 0.916291], [0, 2.909294, 0.559616, 0.693147, 0, 0], [0, 3.308106, 0.559616, 1.1736, 0, 0], [0, 1.386294, 0, 1.1736, 0.916291, 0]]);
  });
  test('the tfidf formula by hand: (1 + ln c) * ln(1 + documents / (1 + documents with the word))', () => {
    const t = new Tokenizer();
    t.fitOnTexts(['a a b', 'a', 'c']); // a: 2 documents, index 1; b: 1 document, index 2
    const m = rows(t.textsToMatrix(['a a b'], 'tfidf'));
    closeRows(m, [[0, (1 + Math.log(2)) * Math.log(1 + 3 / 3), Math.log(1 + 3 / 2), 0]]);
  });
  test('without numWords the width is the vocabulary + 1', () => {
    const t = new Tokenizer();
    t.fitOnTexts(['a b']);
    const m = t.textsToMatrix(['b']);
    expect(m.shape).toEqual([1, 3]);
    expect(m.dtype).toBe('float32');
    expect(rows(m)).toEqual([[0, 0, 1]]);
  });
  test('bad input names the method, the argument and the value', () => {
    const t = fitted();
    expect(() => t.textsToMatrix(TEXTS, 'tf' as 'tfidf')).toThrow(/Tokenizer.textsToMatrix: unknown mode "tf"; expected one of 'binary', 'count', 'freq', 'tfidf'/);
    expect(() => new Tokenizer().textsToMatrix(['a'])).toThrow(/textsToMatrix: the matrix has no width: give numWords, or fit on some texts first/);
    expect(() => new Tokenizer({ numWords: 5 }).textsToMatrix(['a'], 'tfidf')).toThrow(/fit the tokenizer on some data before using the 'tfidf' mode/);
    expect(() => t.sequencesToTexts([[1, -2]])).toThrow(/Tokenizer.sequencesToTexts: sequences\[0\]\[1\] = -2; expected a non-negative integer index/);
    expect(() => t.sequencesToMatrix([[1.5]])).toThrow(/sequencesToMatrix: sequences\[0\]\[0\] = 1.5/);
    expect(() => t.fitOnTexts(['ok', 7 as unknown as string])).toThrow(/Tokenizer.fitOnTexts: texts\[1\]: expected a string. Received: number 7/);
    expect(t.documentCount).toBe(3); // the failed fit changed nothing
    expect(() => new Tokenizer({ numWords: 2.5 })).toThrow(/Tokenizer: expected numWords to be a positive integer or null. Received: numWords=2.5/);
    expect(() => new Tokenizer({ numWords: 0 })).toThrow(/numWords=0/);
    expect(() => new Tokenizer({ split: '' })).toThrow(/Tokenizer: expected split to be a non-empty string/);
    expect(() => new Tokenizer({ oovToken: 3 as unknown as string })).toThrow(/oovToken=3/);
    expect(() => new Tokenizer({ num_words: 3 } as never)).toThrow(/Tokenizer: unknown option 'num_words'/);
  });
  test('an analyzer replaces filters / lower / split', () => {
    const t = new Tokenizer({ analyzer: (s) => s.split('-') });
    t.fitOnTexts(['A-b-b']);
    expect([...t.wordIndex]).toEqual([['b', 1], ['A', 2]]);
    const bad = new Tokenizer({ analyzer: (s) => s.length as unknown as string[] });
    expect(() => bad.fitOnTexts(['abc'])).toThrow(/Tokenizer.fitOnTexts: texts\[0\]: expected the analyzer to return an array of strings. Received: 3/);
    expect(bad.documentCount).toBe(0);
  });
});

describe('Tokenizer.toJSON / fromJSON', () => {
  test('reads the JSON Keras writes and converts as Keras does', () => {
    const t = Tokenizer.fromJSON(KERAS_OOV_JSON);
    expect(t.numWords).toBe(6);
    expect(t.oovToken).toBe('<OOV>');
    expect(t.documentCount).toBe(3);
    expect(t.textsToSequences(['a cat and a zebra'])).toEqual([[1, 4, 1, 1, 1]]);
    closeRows(rows(t.textsToMatrix(['dog dog cat zebra'], 'tfidf')), [[0, 1.386294, 0, 1.1736, 0.916291, 0]]);
    expect(t.indexWord.get(14)).toBe('no');
  });
  test('writes what Keras writes: the same tables for the same texts', () => {
    const t = new Tokenizer({ oovToken: '<OOV>', numWords: 6 });
    t.fitOnTexts(TEXTS);
    const ours = JSON.parse(JSON.stringify(t)).config;
    const keras = JSON.parse(KERAS_OOV_JSON).config;
    // Ordered tables byte for byte; word_docs / index_docs are in Python's set order, so compared as objects.
    for (const key of ['word_counts', 'word_index', 'index_word', 'filters', 'num_words', 'oov_token', 'lower', 'split', 'char_level', 'document_count']) {
      expect(ours[key], key).toEqual(keras[key]);
    }
    for (const key of ['word_docs', 'index_docs']) expect(JSON.parse(ours[key]), key).toEqual(JSON.parse(keras[key]));
    expect(Object.keys(ours).sort()).toEqual(Object.keys(keras).sort());
  });
  test('a round trip keeps every table and option', () => {
    const t = new Tokenizer({ numWords: 9, oovToken: 'OOV', lower: false, split: '/', filters: '#', charLevel: false });
    t.fitOnTexts(['Ab/cd#cd/é', 'cd']);
    const back = Tokenizer.fromJSON(JSON.stringify(t));
    for (const key of ['numWords', 'oovToken', 'lower', 'split', 'filters', 'charLevel', 'documentCount'] as const) expect(back[key], key).toEqual(t[key]);
    for (const key of ['wordCounts', 'wordDocs', 'wordIndex', 'indexWord', 'indexDocs'] as const) expect([...back[key]], key).toEqual([...t[key]]);
    expect(Tokenizer.fromJSON(t.toJSON()).textsToSequences(['cd é x'])).toEqual(t.textsToSequences(['cd é x']));
  });
  test('words from a file never reach Object.prototype; order and non-ASCII kept (Keras fixture)', () => {
    const t = sora.text.tokenizerFromJson(KERAS_NAMES_JSON);
    expect([...t.wordIndex.keys()]).toEqual(['10', 'b', 'c', 'a', 'constructor', 'héllo', '__proto__', 'tostring']);
    expect(t.wordIndex.get('__proto__')).toBe(7);
    expect(t.textsToSequences(['a b c 10 __proto__ zebra'])).toEqual([[2, 1]]); // Keras: [[2, 1]]
    expect(rows(t.textsToMatrix(['a b c 10 10'], 'count'))).toEqual([[0, 2, 1]]); // Keras: [[0, 2, 1]]
    expect(({} as Record<string, unknown>).constructor).toBe(Object);
    expect(JSON.parse(JSON.stringify(t)).config.word_index).toBe(JSON.parse(KERAS_NAMES_JSON).config.word_index);
  });
  test('integer-like words keep their place in the file, which ties follow when fitting again', () => {
    // JSON.parse would move "7" before "b"; Keras's json.loads keeps the file's order.
    const json = { class_name: 'Tokenizer' as const, config: { ...Tokenizer.fromJSON(KERAS_OOV_JSON).toJSON().config,
      oov_token: null, num_words: null, word_counts: '{"b": 1, "7": 1}', word_docs: '{}', index_docs: '{}', index_word: '{}', word_index: '{}' } };
    const t = Tokenizer.fromJSON(json);
    t.fitOnTexts(['x']);
    expect([...t.wordIndex]).toEqual([['b', 1], ['7', 2], ['x', 3]]);
  });
  test('bad files name the field and the value', () => {
    const config = JSON.parse(KERAS_OOV_JSON).config;
    const withField = (key: string, value: unknown): string => JSON.stringify({ class_name: 'Tokenizer', config: { ...config, [key]: value } });
    expect(() => Tokenizer.fromJSON('{oops')).toThrow(/Tokenizer.fromJSON: the text is not JSON/);
    expect(() => Tokenizer.fromJSON(JSON.stringify({ class_name: 'Dense', config }))).toThrow(/expected class_name 'Tokenizer'. Received: class_name="Dense"/);
    expect(() => Tokenizer.fromJSON(withField('word_index', '{"a": -1}'))).toThrow(/config.word_index\["a"\] = -1; expected an integer >= 1/);
    expect(() => Tokenizer.fromJSON(withField('index_word', '{"x": "a"}'))).toThrow(/config.index_word\["x"\] = "a"; expected an integer key/);
    expect(() => Tokenizer.fromJSON(withField('word_counts', '{"a": 1} trailing'))).toThrow(/config.word_counts: expected a flat JSON object of words; text after the closing/);
    expect(() => Tokenizer.fromJSON(withField('word_counts', { a: 1 }))).toThrow(/config.word_counts to be a JSON string, as Keras writes it/);
    expect(() => Tokenizer.fromJSON(withField('analyzer', 'x'))).toThrow(/unknown config key 'analyzer'/);
    expect(() => Tokenizer.fromJSON(withField('num_words', -3))).toThrow(/numWords=-3/);
    expect(Tokenizer.fromJSON(withField('num_words', 0)).numWords).toBe(null); // Keras: 0 is no limit
  });
});
