import { describe, expect, test } from 'vitest';
import { parseIdx } from '../../src/data/idx.js';
import { loadMnist, mnistFromBytes, type MnistBytes } from '../../src/data/mnist.js';
import { meanStd, minMaxScale, normalize, toCategorical } from '../../src/data/preprocessing.js';

/** Unsigned-byte IDX bytes: magic 0x0000 08 rank, big-endian dims, then `values`. */
function idx(dims: number[], values: ArrayLike<number>): Uint8Array {
  const header = 4 + 4 * dims.length;
  const bytes = new Uint8Array(header + values.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x0800 | dims.length);
  dims.forEach((dim, axis) => view.setUint32(4 + 4 * axis, dim));
  bytes.set(Array.from(values), header);
  return bytes;
}

/** A tiny MNIST-shaped set: n images of 2×3 pixels. */
function tinyMnist(n: number, labels = Array.from({ length: n }, (_, i) => i % 10)): Record<keyof MnistBytes, Uint8Array> {
  const pixels = Array.from({ length: n * 6 }, (_, i) => (i * 37) % 256);
  return {
    trainImages: idx([n, 2, 3], pixels),
    trainLabels: idx([n], labels),
    testImages: idx([1, 2, 3], [0, 255, 1, 2, 3, 4]),
    testLabels: idx([1], [9]),
  };
}

describe('parseIdx', () => {
  test('reads dims and a view of the values', () => {
    const bytes = idx([2, 3], [1, 2, 3, 4, 5, 6]);
    const parsed = parseIdx(bytes, 'small');
    expect(parsed.dims).toEqual([2, 3]);
    expect(Array.from(parsed.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(parsed.data.buffer).toBe(bytes.buffer);
  });

  test('a truncated file names the file and both byte counts', () => {
    const bytes = idx([2, 3], [1, 2, 3, 4, 5, 6]);
    expect(() => parseIdx(bytes.subarray(0, bytes.length - 1), 'cut-idx3'))
      .toThrow('cut-idx3: expected 18 bytes (12-byte header + 2×3 values), got 17; the file is truncated');
    expect(() => parseIdx(bytes.subarray(0, 7), 'short')).toThrow('short: truncated header: expected at least 12 bytes');
    expect(() => parseIdx(new Uint8Array(2), 'tiny')).toThrow('tiny: expected an IDX file of at least 4 bytes, got 2');
  });

  test('trailing bytes are an error too', () => {
    const bytes = new Uint8Array(19);
    bytes.set(idx([2, 3], [1, 2, 3, 4, 5, 6]));
    expect(() => parseIdx(bytes, 'long')).toThrow('long: expected 18 bytes (12-byte header + 2×3 values), got 19; the file has trailing bytes');
  });

  test('bad magic, gzip and unsupported value types', () => {
    expect(() => parseIdx(new Uint8Array([1, 0, 8, 1, 0, 0, 0, 0]), 'junk')).toThrow('junk: bad magic 0x01000801');
    expect(() => parseIdx(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]), 'x.gz')).toThrow('gzip-compressed');
    expect(() => parseIdx(new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 0]), 'floats'))
      .toThrow('floats: IDX value type 0x0d (float32) is not supported; expected 0x08 (unsigned byte)');
    expect(() => parseIdx(new Uint8Array([0, 0, 8, 0]), 'rank0')).toThrow('rank0: bad magic 0x00000800');
  });

  test('huge dims do not allocate, they fail the length check', () => {
    const bytes = idx([0xffffffff, 0xffffffff, 0xffffffff], []);
    expect(() => parseIdx(bytes, 'huge')).toThrow(/huge: expected \d.* bytes .* got 16; the file is truncated/);
  });
});

describe('MNIST', () => {
  test('loads the real files: counts, first labels, pixel range', async () => {
    const start = performance.now();
    const mnist = await loadMnist();
    const ms = performance.now() - start;
    console.log(`loadMnist: 60000 + 10000 images in ${ms.toFixed(0)} ms`);
    expect(mnist.rows).toBe(28);
    expect(mnist.cols).toBe(28);
    expect(mnist.train.count).toBe(60000);
    expect(mnist.test.count).toBe(10000);
    expect(mnist.train.images).toBeInstanceOf(Float32Array);
    expect(mnist.train.images.length).toBe(60000 * 784);
    expect(mnist.test.images.length).toBe(10000 * 784);
    expect(mnist.train.labels).toBeInstanceOf(Int32Array);
    expect(Array.from(mnist.train.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(Array.from(mnist.test.labels.subarray(0, 3))).toEqual([7, 2, 1]);
    let min = Infinity;
    let max = -Infinity;
    for (const v of mnist.test.images) { if (v < min) min = v; if (v > max) max = v; }
    expect(min).toBe(0);
    expect(max).toBe(1);
    // Every class present; counts known for the standard split.
    const perClass = new Array(10).fill(0);
    for (const label of mnist.train.labels) perClass[label]++;
    expect(perClass[1]).toBe(6742);
    expect(perClass.reduce((a, b) => a + b)).toBe(60000);
  });

  test('limits keep the first examples', async () => {
    const mnist = await loadMnist({ trainLimit: 100, testLimit: 0 });
    expect(mnist.train.count).toBe(100);
    expect(mnist.train.images.length).toBe(100 * 784);
    expect(mnist.train.labels[0]).toBe(5);
    expect(mnist.test.count).toBe(0);
    await expect(loadMnist({ trainLimit: -1 })).rejects.toThrow('expected trainLimit to be a non-negative integer. Received: trainLimit=-1');
    await expect(loadMnist({ testLimit: 1.5 })).rejects.toThrow('testLimit=1.5');
  });

  test('a missing folder names the file it could not read', async () => {
    await expect(loadMnist({ dir: '/nonexistent/mnist' }))
      .rejects.toThrow('loadMnist: cannot read /nonexistent/mnist/train-images-idx3-ubyte');
  });

  test('mnistFromBytes scales pixels exactly to v / 255', () => {
    const mnist = mnistFromBytes(tinyMnist(3));
    expect([mnist.rows, mnist.cols, mnist.train.count]).toEqual([2, 3, 3]);
    expect(Array.from(mnist.train.labels)).toEqual([0, 1, 2]);
    expect(mnist.train.images[1]).toBe(Math.fround(37 / 255));
    expect(Array.from(mnist.test.images)).toEqual([0, 1, 1, 2, 3, 4].map((v, i) => (i === 1 ? 1 : Math.fround(v / 255))));
  });

  test('mnistFromBytes takes ArrayBuffers too (fetch results) and names a wrong input', () => {
    const bytes = tinyMnist(2);
    const buffers = Object.fromEntries(Object.entries(bytes).map(([k, v]) => [k, v.slice().buffer])) as unknown as MnistBytes;
    expect(Array.from(mnistFromBytes(buffers).train.labels)).toEqual([0, 1]);
    expect(() => mnistFromBytes({ ...bytes, testLabels: [0] as unknown as Uint8Array }))
      .toThrow('MNIST: t10k-labels-idx1-ubyte: expected a Uint8Array or ArrayBuffer of IDX bytes, got Array');
  });

  test('corrupt files: swapped, truncated, mismatched counts, bad labels', () => {
    const good = tinyMnist(3);
    expect(() => mnistFromBytes({ ...good, trainImages: good.trainLabels }))
      .toThrow('train-images-idx3-ubyte: bad magic 0x00000801, expected 0x00000803 (2051: unsigned-byte images of rank 3)');
    expect(() => mnistFromBytes({ ...good, testLabels: good.testImages }))
      .toThrow('t10k-labels-idx1-ubyte: bad magic 0x00000803, expected 0x00000801 (2049');
    expect(() => mnistFromBytes({ ...good, trainImages: good.trainImages.subarray(0, 20) }))
      .toThrow('train-images-idx3-ubyte: expected 34 bytes (16-byte header + 3×2×3 values), got 20; the file is truncated');
    expect(() => mnistFromBytes({ ...good, trainLabels: idx([2], [1, 2]) }))
      .toThrow('train-labels-idx1-ubyte: has 2 labels, but train-images-idx3-ubyte has 3 images');
    expect(() => mnistFromBytes(tinyMnist(3, [1, 10, 2])))
      .toThrow('train-labels-idx1-ubyte: label 1 is 10; expected a digit 0..9');
    expect(() => mnistFromBytes({ ...good, testImages: idx([1, 3, 2], [0, 0, 0, 0, 0, 0]) }))
      .toThrow('t10k-images-idx3-ubyte: images are 3×2, but train-images-idx3-ubyte has 2×3');
    expect(() => mnistFromBytes(good, { names: { trainLabels: 'https://x/labels' }, trainLimit: 1 })).not.toThrow();
    expect(() => mnistFromBytes({ ...good, trainLabels: good.trainImages }, { names: { trainLabels: 'https://x/labels' } }))
      .toThrow('https://x/labels: bad magic');
  });
});

describe('toCategorical', () => {
  test('one-hot rows, classes from the data or given', () => {
    const { values, shape } = toCategorical([2, 0, 1]);
    expect(shape).toEqual([3, 3]);
    expect(Array.from(values)).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
    const wide = toCategorical(new Int32Array([1]), 4);
    expect(wide.shape).toEqual([1, 4]);
    expect(Array.from(wide.values)).toEqual([0, 1, 0, 0]);
    expect(toCategorical([]).shape).toEqual([0, 0]);
  });

  test('bad labels name the index and the value', () => {
    expect(() => toCategorical([0, 1, 10], 10)).toThrow('toCategorical: labels[2] = 10; expected an integer in [0, 9]');
    expect(() => toCategorical([0, 1.5])).toThrow('toCategorical: labels[1] = 1.5; expected a non-negative integer');
    expect(() => toCategorical([0, -1], 3)).toThrow('labels[1] = -1');
    expect(() => toCategorical([NaN])).toThrow('labels[0] = NaN');
    expect(() => toCategorical([0], 0)).toThrow('expected numClasses to be a positive integer. Received: numClasses=0');
  });
});

describe('normalize and minMaxScale', () => {
  test('normalize with given or computed statistics', () => {
    expect(Array.from(normalize([1, 3, 5], { mean: 3, std: 2 }))).toEqual([-1, 0, 1]);
    const stats = meanStd([1, 2, 3, 4]);
    expect(stats.mean).toBe(2.5);
    expect(stats.std).toBeCloseTo(Math.sqrt(1.25), 12);
    const z = normalize([1, 2, 3, 4]);
    expect(meanStd(z).mean).toBeCloseTo(0, 6);
    expect(meanStd(z).std).toBeCloseTo(1, 6);
    expect(Array.from(normalize([7, 7]))).toEqual([0, 0]);
    expect(() => normalize([1], { mean: 0, std: 0 })).toThrow('normalize: expected a positive finite std. Received: std=0');
    expect(() => normalize([1, NaN])).toThrow('normalize: expected a finite mean. Received: mean=NaN');
  });

  test('minMaxScale onto [0, 1] or a given range', () => {
    expect(Array.from(minMaxScale([2, 4, 6]))).toEqual([0, 0.5, 1]);
    expect(Array.from(minMaxScale([0, 255], { min: 0, max: 255, range: [-1, 1] }))).toEqual([-1, 1]);
    expect(Array.from(minMaxScale([3, 3]))).toEqual([0, 0]);
    expect(minMaxScale([]).length).toBe(0);
    expect(() => minMaxScale([1], { range: [1, 0] })).toThrow('minMaxScale: expected range [low, high] with finite low < high');
    expect(() => minMaxScale([1], { min: 2, max: 1 })).toThrow('minMaxScale: expected finite bounds with min <= max. Received: min=2, max=1');
  });
});
