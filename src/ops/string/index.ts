/** tf.string: the string ops TF.js has (src/ops/string/string-ops.ts). */
export { stringNGrams, stringSplit, stringToHashBucketFast, staticRegexReplace } from './string-ops.js';
export type { StringNGramsResult, StringSplitResult } from './string-ops.js';
