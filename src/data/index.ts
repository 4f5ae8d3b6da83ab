/** Data loading and preparation: tf.data datasets, the MNIST IDX reader, WAV files, typed-array helpers, the webcam and the microphone. */
export { parseIdx } from './idx.js';
export type { IdxArray } from './idx.js';
export { loadMnist, mnistFromBytes, MNIST_FILE_NAMES } from './mnist.js';
export type { LoadMnistOptions, Mnist, MnistBytes, MnistLimits, MnistSplit } from './mnist.js';
// toCategorical's typed-array form stays internal (./preprocessing.js): TF.js has no toCategorical in
// tf.data; the one-hot tensor is sora.utils.toCategorical.
export { decodeWav, encodeWav } from './wav.js';
export type { WavAudio } from './wav.js';
export { meanStd, minMaxScale, normalize } from './preprocessing.js';
export type { MeanStd, MinMaxOptions } from './preprocessing.js';
export { Dataset, array, generator, func, zip } from './dataset.js';
export { csv, CSVDataset } from './csv.js';
export type { ColumnConfig, CSVConfig } from './csv.js';
export { TextLineDataset, FileDataSource, URLDataSource } from './text-line.js';
// DataSource is a type only: TF.js's tf.data does not export the class.
export type { DataSource, FileChunkIteratorOptions } from './text-line.js';
// The iterators are types only: TF.js's tf.data exports webcam() and microphone(), not their classes.
export { webcam } from './webcam.js';
export type { WebcamConfig, WebcamIterator } from './webcam.js';
export { microphone } from './microphone.js';
export type { MicrophoneCapture, MicrophoneConfig, MicrophoneIterator } from './microphone.js';
