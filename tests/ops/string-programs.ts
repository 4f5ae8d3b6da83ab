/**
 * Programs on string tensors, run by name on one backend and another (the webgpu runtime
 * suite, tests/ops/string-webgpu.test.ts): each returns tensors (or plain values), read back
 * with `await data()` so that they read on every backend.
 */
import type * as Sora from '../../src/index.js';

type Lib = typeof Sora;
type Out = Sora.Tensor | Sora.Tensor[] | number | string | boolean;

const WORDS = ['a', 'bb', 'é', '日本', '', "it's"];

export const STRING_PROGRAMS: Record<string, (l: Lib) => Out> = {
  'creation and toString': (l) => [l.tensor(WORDS, [2, 3]), l.scalar('s'), l.fill([2, 2], 'f', 'string'), l.tensor1d(['x'])],
  'reshape, slice, concat, stack, tile': (l) => {
    const x = l.tensor(WORDS, [2, 3]);
    return [x.reshape([3, 2]), l.slice(x, [0, 1], [2, 2]), l.concat([x, x], 1), l.stack([x, x]), l.tile(x, [2, 1])];
  },
  'transpose, reverse, unstack, clone, expandDims, squeeze': (l) => {
    const x = l.tensor(WORDS, [2, 3]);
    return [l.transpose(x), l.reverse(x, 1), ...l.unstack(x, 1), l.clone(x), x.expandDims(0), l.squeeze(x.expandDims(2))];
  },
  'equal, notEqual, less (a bool on the active backend)': (l) => {
    const x = l.tensor(WORDS, [2, 3]);
    return [l.equal(x, l.scalar('é')), l.notEqual(x, l.tensor(['a', 'x', 'é'])), l.less(x, l.scalar('b'))];
  },
  'tf.string ops (int32 outputs on the active backend)': (l) => {
    const split = l.string.stringSplit(['a b', 'c'], ' ');
    const grams = l.string.stringNGrams(['a', 'b', 'c'], [0, 1, 3], '|', [2], 'L', 'R', -1, false);
    return [split.indices, split.values, split.shape, grams.nGrams, grams.nGramsSplits,
      l.string.stringToHashBucketFast(l.tensor(WORDS), 7), l.string.staticRegexReplace(l.tensor(WORDS), 'b', 'B')];
  },
  'tf.memory() counts UTF-8 bytes; tidy frees string tensors': (l) => {
    const before = l.memory();
    l.tidy(() => { l.concat([l.tensor(WORDS), l.tensor(WORDS)]).reshape([2, 6]); });
    const t = l.tensor(['abc', 'é']);
    const grew = l.memory().numBytes - before.numBytes;
    t.dispose();
    return grew * 1000 + (l.memory().numTensors - before.numTensors);
  },
  'a math op refuses strings naming the op': (l) => {
    try { l.add(l.tensor(['a']), l.tensor(['b'])); return 'no error'; } catch (e) { return (e as Error).message.slice(0, 40); }
  },
};

/** A result as plain data: each tensor's shape, dtype, values and toString. */
export async function readOut(out: Out): Promise<unknown> {
  if (typeof out !== 'object') return out;
  const list = Array.isArray(out) ? out : [out];
  return Promise.all(list.map(async (t) => ({ shape: t.shape, dtype: t.dtype, values: Array.from(await t.data<Sora.DType>() as ArrayLike<unknown>),
    text: t.dtype === 'string' ? t.toString() : null })));
}
