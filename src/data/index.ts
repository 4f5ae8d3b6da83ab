/** Data loading and preparation on plain typed arrays. */
export { parseIdx } from './idx.js';
export type { IdxArray } from './idx.js';
export { loadMnist, mnistFromBytes, MNIST_FILE_NAMES } from './mnist.js';
export type { LoadMnistOptions, Mnist, MnistBytes, MnistLimits, MnistSplit } from './mnist.js';
export { meanStd, minMaxScale, normalize, toCategorical } from './utils.js';
export type { Categorical, MeanStd, MinMaxOptions } from './utils.js';
