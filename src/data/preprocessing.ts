/**
 * Data preparation on plain typed arrays, before anything becomes a tensor. Statistics
 * accumulate in float64; outputs are float32.
 */

export interface Categorical {
  /** n × numClasses, row-major, one 1 per row. */
  values: Float32Array;
  shape: [number, number];
}

/** One-hot rows for integer class labels; numClasses defaults to the largest label + 1. */
export function toCategorical(labels: ArrayLike<number>, numClasses?: number): Categorical {
  if (labels == null || typeof labels.length !== 'number') {
    throw new Error(`toCategorical: expected an array of integer labels. Received: ${String(labels)}`);
  }
  const n = labels.length;
  let classes = numClasses;
  if (classes === undefined) {
    let largest = -1;
    for (let i = 0; i < n; i++) {
      const label = labels[i]!;
      checkLabel(label, i, Infinity);
      if (label > largest) largest = label;
    }
    classes = largest + 1;
  } else if (!Number.isInteger(classes) || classes < 1) {
    throw new Error(`toCategorical: expected numClasses to be a positive integer. Received: numClasses=${classes}`);
  }
  if (n * classes > 0x7fffffff) {
    throw new Error(`toCategorical: ${n} labels × ${classes} classes is too large for one array`);
  }
  const values = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) {
    const label = labels[i]!;
    checkLabel(label, i, classes);
    values[i * classes + label] = 1;
  }
  return { values, shape: [n, classes] };
}

function checkLabel(label: number, index: number, classes: number): void {
  if (!Number.isInteger(label) || label < 0 || label >= classes) {
    const range = classes === Infinity ? 'a non-negative integer' : `an integer in [0, ${classes - 1}]`;
    throw new Error(`toCategorical: labels[${index}] = ${label}; expected ${range}`);
  }
}

/** The mean and standard deviation of some values (data.meanStd's result, data.normalize's options). */
export interface MeanStd { mean: number; std: number }

/** Mean and population standard deviation (two passes, float64). */
export function meanStd(values: ArrayLike<number>): MeanStd {
  const n = values.length;
  if (n === 0) throw new Error('meanStd: expected at least one value, got an empty array');
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    squares += d * d;
  }
  return { mean, std: Math.sqrt(squares / n) };
}

/**
 * (x - mean) / std. Give the training set's mean and std when normalizing test data; a
 * missing one is computed from `values`. A computed std of 0 (constant data) divides by 1.
 */
export function normalize(values: ArrayLike<number>, options: Partial<MeanStd> = {}): Float32Array {
  let { mean, std } = options;
  if (mean === undefined || std === undefined) {
    const stats = values.length === 0 ? { mean: 0, std: 1 } : meanStd(values);
    mean ??= stats.mean;
    std ??= stats.std === 0 ? 1 : stats.std;
  }
  if (!Number.isFinite(mean)) throw new Error(`normalize: expected a finite mean. Received: mean=${mean}`);
  if (!(std > 0) || !Number.isFinite(std)) {
    throw new Error(`normalize: expected a positive finite std. Received: std=${std}`);
  }
  const out = new Float32Array(values.length);
  const scale = 1 / std;
  for (let i = 0; i < out.length; i++) out[i] = (values[i]! - mean) * scale;
  return out;
}

/**
 * The options of data.minMaxScale: the input `min` and `max` (default: the values' own) and the output
 * `range` (default [0, 1]).
 */
export interface MinMaxOptions {
  /** The data's bounds; computed from `values` when missing. */
  min?: number;
  /** The input value mapped to the top of the range; default the values' maximum. */
  max?: number;
  /** Output range, default [0, 1]. */
  range?: [number, number];
}

/**
 * Maps [min, max] linearly onto `range`. Constant data (min === max) maps to range[0].
 * Values outside given bounds map outside the range; nothing is clipped.
 */
export function minMaxScale(values: ArrayLike<number>, options: MinMaxOptions = {}): Float32Array {
  let { min, max } = options;
  const [low, high] = options.range ?? [0, 1];
  if (!Number.isFinite(low) || !Number.isFinite(high) || !(low < high)) {
    throw new Error(`minMaxScale: expected range [low, high] with finite low < high. Received: range=[${low}, ${high}]`);
  }
  if (min === undefined || max === undefined) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    min ??= lo;
    max ??= hi;
  }
  const out = new Float32Array(values.length);
  if (values.length === 0) return out;
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw new Error(`minMaxScale: expected finite bounds with min <= max. Received: min=${min}, max=${max}`);
  }
  if (min === max) return out.fill(low);
  const scale = (high - low) / (max - min);
  for (let i = 0; i < out.length; i++) out[i] = low + (values[i]! - min) * scale;
  return out;
}
