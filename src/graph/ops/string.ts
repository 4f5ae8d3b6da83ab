/**
 * The string family of TF ops: StaticRegexReplace, StringNGrams, StringSplit and
 * StringToHashBucketFast, through sora.string, with their attributes as TF names them.
 */
import * as string from '../../ops/string/index.js';
import type { OpTable } from '../types.js';
import { entry, expectInputs } from './host.js';
import { tensorInput } from './util.js';

/** Handlers of the string family, keyed by TF op name. */
export const STRING: OpTable = {
  StaticRegexReplace: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 1);
    const a = ctx.attrs;
    const x = tensorInput(inputs, 0, ctx);
    return [string.staticRegexReplace(x, a.string('pattern'), a.string('rewrite'), a.bool('replace_global', true))];
  }),
  StringNGrams: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 2);
    const a = ctx.attrs;
    const out = string.stringNGrams(tensorInput(inputs, 0, ctx), tensorInput(inputs, 1, ctx), a.string('separator', ' '),
      a.ints('ngram_widths'), a.string('left_pad', ''), a.string('right_pad', ''), a.int('pad_width', 0),
      a.bool('preserve_short_sequences', false));
    return [out.nGrams, out.nGramsSplits];
  }),
  StringSplit: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 2);
    const out = string.stringSplit(tensorInput(inputs, 0, ctx), tensorInput(inputs, 1, ctx), ctx.attrs.bool('skip_empty', true));
    return [out.indices, out.values, out.shape];
  }),
  StringToHashBucketFast: entry((inputs, ctx) => {
    expectInputs(inputs, ctx, 1);
    return [string.stringToHashBucketFast(tensorInput(inputs, 0, ctx), ctx.attrs.int('num_buckets'))];
  }),
};
