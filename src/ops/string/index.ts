/** tf.string: the string ops TF.js has (n-grams, splitting, hashing to buckets, regex replace) over string tensors. */
export { stringNGrams, stringSplit, stringToHashBucketFast, staticRegexReplace } from './string-ops.js';
export type { StringNGramsResult, StringSplitResult } from './string-ops.js';
