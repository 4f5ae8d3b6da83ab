/** Data loading and preparation: tf.data datasets, the MNIST IDX reader, typed-array helpers. */
export { parseIdx } from './idx.js';
export type { IdxArray } from './idx.js';
export { loadMnist, mnistFromBytes, MNIST_FILE_NAMES } from './mnist.js';
export type { LoadMnistOptions, Mnist, MnistBytes, MnistLimits, MnistSplit } from './mnist.js';
export { meanStd, minMaxScale, normalize, toCategorical } from './preprocessing.js';
export type { Categorical, MeanStd, MinMaxOptions } from './preprocessing.js';
export { Dataset, array, generator, func, zip } from './dataset.js';
export { csv, CSVDataset } from './csv.js';
export type { ColumnConfig, CSVConfig } from './csv.js';
