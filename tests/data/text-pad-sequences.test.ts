/**
 * sora.sequence.padSequences against Keras's pad_sequences (keras/src/utils/sequence_utils.py):
 * its docstring's examples, and cases whose "Keras:" values that function printed (keras-team/keras
 * 3422977a, numpy 2.4). TF.js has no padSequences.
 */
import { describe, expect, test } from 'vitest';
import * as sora from '../../src/index.js';

const { padSequences } = sora.sequence;
const SEQ = [[1], [2, 3], [4, 5, 6]];

function nested(t: sora.Tensor): unknown {
  const out = t.arraySync();
  t.dispose();
  return out;
}

describe('padSequences: Keras\'s documented examples', () => {
  test('pads at the front to the longest sequence, int32', () => {
    const t = padSequences(SEQ);
    expect(t.dtype).toBe('int32');
    expect(t.shape).toEqual([3, 3]);
    expect(nested(t)).toEqual([[0, 0, 1], [0, 2, 3], [4, 5, 6]]);
  });
  test('value', () => expect(nested(padSequences(SEQ, { value: -1 }))).toEqual([[-1, -1, 1], [-1, 2, 3], [4, 5, 6]]));
  test('padding post', () => expect(nested(padSequences(SEQ, { padding: 'post' }))).toEqual([[1, 0, 0], [2, 3, 0], [4, 5, 6]]));
  test('maxlen truncates at the front', () => expect(nested(padSequences(SEQ, { maxlen: 2 }))).toEqual([[0, 1], [2, 3], [5, 6]]));
});

describe('padSequences: the other options', () => {
  test('truncating and padding post with a value (Keras: [[1, -1], [2, 3], [4, 5]])', () => {
    expect(nested(padSequences(SEQ, { maxlen: 2, truncating: 'post', padding: 'post', value: -1 }))).toEqual([[1, -1], [2, 3], [4, 5]]);
  });
  test('truncating post, padding pre; maxlen longer than every sequence', () => {
    expect(nested(padSequences([[1, 2, 3, 4], [5]], { maxlen: 3, truncating: 'post' }))).toEqual([[1, 2, 3], [0, 0, 5]]);
    expect(nested(padSequences([[1, 2], [3]], { maxlen: 4, padding: 'post', value: 9 }))).toEqual([[1, 2, 9, 9], [3, 9, 9, 9]]);
  });
  test('int32 truncates toward zero as numpy casts (Keras: [[0, 1, -2]]); float32 keeps the values', () => {
    expect(nested(padSequences([[1.7, -2.7]], { maxlen: 3 }))).toEqual([[0, 1, -2]]);
    const f = padSequences([[1.5, -2.25]], { maxlen: 3, dtype: 'float32', value: 0.5 });
    expect(f.dtype).toBe('float32');
    expect(nested(f)).toEqual([[0.5, 1.5, -2.25]]);
  });
  test('empty sequences, typed arrays, maxlen 0 and no sequences', () => {
    expect(nested(padSequences([[], Int32Array.from([7, 8])]))).toEqual([[0, 0], [7, 8]]);
    expect(nested(padSequences([[], []], { maxlen: 2 }))).toEqual([[0, 0], [0, 0]]);
    expect(padSequences([[1, 2]], { maxlen: 0 }).shape).toEqual([1, 0]);
    expect(padSequences([]).shape).toEqual([0, 0]);
  });
  test('sequences of vectors keep the step shape (Keras: [[[0, 0], [1, 2]], [[5, 6], [7, 8]]])', () => {
    const t = padSequences([[[1, 2]], [[3, 4], [5, 6], [7, 8]]], { maxlen: 2 });
    expect(t.shape).toEqual([2, 2, 2]);
    expect(nested(t)).toEqual([[[0, 0], [1, 2]], [[5, 6], [7, 8]]]);
  });
  test('feeds an embedding: Tokenizer -> padSequences', () => {
    const tok = new sora.text.Tokenizer({ numWords: 10 });
    tok.fitOnTexts(['the cat', 'the dog ran far away']);
    expect(nested(padSequences(tok.textsToSequences(['the cat', 'the dog ran far away']), { maxlen: 4 }))).toEqual([[0, 0, 1, 2], [3, 4, 5, 6]]);
  });
});

describe('padSequences: bad input names the argument and the value, and allocates nothing', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['non-integer maxlen', () => padSequences(SEQ, { maxlen: 2.5 }), /padSequences: expected maxlen to be a non-negative integer. Received: maxlen=2.5/],
    ['negative maxlen', () => padSequences(SEQ, { maxlen: -1 }), /maxlen=-1/],
    ['unknown padding', () => padSequences(SEQ, { padding: 'middle' as 'pre' }), /padSequences: expected padding 'pre' or 'post'. Received: padding="middle"/],
    ['unknown truncating', () => padSequences(SEQ, { truncating: 'both' as 'pre' }), /expected truncating 'pre' or 'post'. Received: truncating="both"/],
    ['unknown dtype', () => padSequences(SEQ, { dtype: 'bool' as 'int32' }), /expected dtype 'int32' or 'float32'. Received: dtype="bool"/],
    ['string value', () => padSequences(SEQ, { value: 'x' as unknown as number }), /expected value to be a number in int32's range \(dtype int32\). Received: value="x"/],
    ['NaN as int32', () => padSequences([[1, Number.NaN]]), /padSequences: sequences\[0\]\[1\] = NaN; expected a number in int32's range \(dtype int32\)/],
    ['2 ** 31 as int32 (numpy refuses it too)', () => padSequences([[2 ** 31]]), /sequences\[0\]\[0\] = 2147483648; expected a number in int32's range/],
    ['a padding value outside int32', () => padSequences(SEQ, { value: -(2 ** 40) }), /Received: value=-1099511627776/],
    ['not a list of sequences', () => padSequences([1, 2] as unknown as number[][]), /padSequences: expected sequences\[0\] to be an array. Received: 1/],
    ['not an array', () => padSequences('abc' as unknown as number[][]), /padSequences: expected an array of sequences/],
    ['steps of another shape', () => padSequences([[[1, 2]], [[3]]]), /padSequences: sequences\[1\]\[0\] has length 1; expected a step of shape \[2\]/],
    ['an unknown option', () => padSequences(SEQ, { maxLen: 2 } as never), /padSequences: unknown option 'maxLen'/],
  ];
  for (const [name, run, message] of cases) {
    test(name, () => {
      const before = sora.memory().numTensors;
      expect(run).toThrow(message);
      expect(sora.memory().numTensors).toBe(before);
    });
  }
  test('NaN is kept in float32', () => {
    expect(Number.isNaN((nested(padSequences([[Number.NaN]], { dtype: 'float32' })) as number[][])[0]![0])).toBe(true);
  });
});
