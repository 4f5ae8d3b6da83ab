/**
 * Random tensors: randomUniform, randomUniformInt, randomNormal, truncatedNormal,
 * randomGamma, multinomial, and the mask of dropout. Values are made by the backend's
 * `random` / `multinomial` kernels from a counter-based generator (Threefry-2x32, see
 * src/backends/reference/random.ts): element i is a function of the key and i only, so a
 * seed gives the same values on reference, wasm and webgpu, and nothing is uploaded. A seed
 * (number or string, as TF.js takes) is hashed into the two key words; without one the
 * key comes from Math.random, so every call draws a new stream.
 *
 * Streams differ from TF.js's (its CPU generator is seedrandom's alea): a program that
 * relies on a seed gets values with the same distribution, not the same numbers.
 */
import type { DType, RandomDistribution } from '../backends/backend.js';
import { multinomialRow, sample, threefry, unit } from '../backends/reference/random.js';
import { ENGINE } from '../core/engine.js';
import type { Shape, Tensor } from '../core/tensor.js';
import { toDTypeArray } from '../core/dtypes.js';
import { softmax } from './nn.js';
import { register, run1, spec } from './registry.js';
import { cast, reshape } from './structure/shape.js';
import { round } from './math/elementary.js';
import { tensor, type TensorLike } from './creation.js';
import { floatArgument, withArguments } from './math/complex.js';
import { checkAllocation, checkDType, checkShape, describe, produce, sizeOf, storageOf } from './util.js';

export type Seed = number | string;

/** The two key words for a seed: its bits (float64 or UTF-16 code units) mixed by Threefry. */
export function seedKey(op: string, seed?: Seed): [number, number] {
  let lo: number, hi: number;
  if (seed === undefined || seed === null) {
    lo = Math.floor(Math.random() * 2 ** 32);
    hi = Math.floor(Math.random() * 2 ** 32);
  } else if (typeof seed === 'number') {
    if (!Number.isFinite(seed)) throw new Error(`${op}: seed must be a finite number or a string; received ${seed}`);
    const bits = new Uint32Array(new Float64Array([seed]).buffer);
    lo = bits[0];
    hi = bits[1];
  } else if (typeof seed === 'string') {
    lo = 0x811c9dc5; hi = 0x01000193;
    for (let i = 0; i < seed.length; i++) {
      lo = Math.imul(lo ^ seed.charCodeAt(i), 0x01000193) >>> 0;
      hi = Math.imul(hi ^ seed.charCodeAt(i), 0x5bd1e995) >>> 0;
    }
  } else {
    throw new Error(`${op}: seed must be a number or a string; received ${typeof seed}`);
  }
  const words = new Uint32Array(2);
  threefry(0x736f7261, 0x5eed5eed, lo, hi, words);
  return [words[0], words[1]];
}

interface RandomAttrs {
  shape: Shape; dtype: DType; distribution: RandomDistribution; key0: number; key1: number; a: number; b: number;
}

const RANDOM = register<RandomAttrs>({
  name: 'random',
  inputs: [],
  infer: (_, { shape, dtype }) => spec(shape, dtype),
  kernel: {
    available: (backend) => backend.random !== undefined,
    run: (backend, _, attrs) => [produce(attrs.shape, attrs.dtype, (out) => backend.random({ ...attrs, out, size: sizeOf(attrs.shape) }))],
  },
  // The same stream made on the CPU and uploaded, for a backend without the kernel.
  compose: (_, { shape, dtype, distribution, key0, key1, a, b }) => {
    checkAllocation('random', shape, dtype, 'output', true);
    const words = new Uint32Array(2);
    const values = Array.from({ length: sizeOf(shape) }, (_, i) => sample(distribution, key0, key1, i, a, b, words));
    const typed = toDTypeArray(values, dtype);
    return [produce(shape, dtype, (out) => ENGINE.backend.write(out, typed))];
  },
  grad: 'none',
});

/** A draw of `distribution` (see RandomParams in backend.ts); a and b are rounded to float32 once, here. */
export function randomTensor(op: string, shape: Shape, dtype: DType, distribution: RandomDistribution,
  a: number, b: number, seed?: Seed): Tensor {
  const s = checkShape(op, shape);
  checkAllocation(op, s, dtype);
  const [key0, key1] = seedKey(op, seed);
  const float = distribution !== 'uniformInt';
  return run1(RANDOM, [], { shape: s, dtype, distribution, key0, key1, a: float ? Math.fround(a) : a, b: float ? Math.fround(b) : b });
}

function checkNumber(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`${op}: ${name} must be a finite number; received ${String(value)}`);
  }
  return value;
}

function floatOnly(op: string, dtype: unknown): 'float32' {
  if (dtype !== 'float32') throw new Error(`${op}: dtype must be 'float32'; received ${JSON.stringify(dtype)}`);
  return dtype;
}

/** A float32 draw, or for dtype 'int32' the draw rounded to integers (as TF.js). */
function drawn(op: string, shape: Shape, dtype: DType, distribution: RandomDistribution, a: number, b: number, seed?: Seed): Tensor {
  if (dtype !== 'int32') return randomTensor(op, shape, floatOnly(op, dtype), distribution, a, b, seed);
  const draw = randomTensor(op, shape, 'float32', distribution, a, b, seed);
  try {
    return ENGINE.tidy(() => cast(round(draw), 'int32'));
  } finally {
    draw.dispose();
  }
}

/** Integers uniform in [minval, maxval): exact and unbiased to 2^-32 per value. */
export function randomUniformInt(shape: Shape, minval: number, maxval: number, seed?: Seed): Tensor {
  const op = 'randomUniformInt';
  for (const [name, v] of [['minval', minval], ['maxval', maxval]] as const) {
    if (!Number.isInteger(v) || Math.abs(v) > 2 ** 31) throw new Error(`${op}: ${name} must be an int32 integer; received ${v}`);
  }
  if (!(maxval > minval) || maxval - minval > 2 ** 32 - 1) {
    throw new Error(`${op}: maxval must exceed minval (by at most 2^32 - 1); received minval=${minval}, maxval=${maxval}`);
  }
  return randomTensor(op, shape, 'int32', 'uniformInt', minval, maxval - minval, seed);
}

/** Uniform in [minval, maxval); dtype 'int32' draws integers in [minval, maxval) (randomUniformInt). */
export function randomUniform(shape: Shape, minval = 0, maxval = 1, dtype: DType = 'float32', seed?: Seed): Tensor {
  const op = 'randomUniform';
  checkNumber(op, 'minval', minval);
  checkNumber(op, 'maxval', maxval);
  if (dtype === 'int32') return randomUniformInt(shape, minval, maxval, seed);
  return randomTensor(op, shape, floatOnly(op, dtype), 'uniform', minval, maxval - minval, seed);
}

/**
 * A tensor of samples from a normal distribution (tf.randomNormal); mean defaults to 0, stdDev to 1, dtype to
 * 'float32' and seed to a random one.
 */
export function randomNormal(shape: Shape, mean = 0, stdDev = 1, dtype: DType = 'float32', seed?: Seed): Tensor {
  const op = 'randomNormal';
  return drawn(op, shape, dtype, 'normal', checkNumber(op, 'mean', mean), checkNumber(op, 'stdDev', stdDev), seed);
}

/** tf.randomStandardNormal: randomNormal with mean 0 and standard deviation 1. */
export function randomStandardNormal(shape: Shape, dtype: DType = 'float32', seed?: Seed): Tensor {
  return drawn('randomStandardNormal', shape, dtype, 'normal', 0, 1, seed);
}

/** Normal values redrawn while more than two standard deviations from the mean (as TF.js). */
export function truncatedNormal(shape: Shape, mean = 0, stdDev = 1, dtype: DType = 'float32', seed?: Seed): Tensor {
  const op = 'truncatedNormal';
  return drawn(op, shape, dtype, 'truncatedNormal', checkNumber(op, 'mean', mean), checkNumber(op, 'stdDev', stdDev), seed);
}

/**
 * Gamma(alpha) draws times beta, as TF.js 4.22 computes them: mean alpha * beta, variance
 * alpha * beta^2. (TF.js documents beta as the inverse scale, but its values are scaled by
 * beta; sora follows the values, so a ported program draws from the same distribution.)
 */
export function randomGamma(shape: Shape, alpha: number, beta = 1, dtype: DType = 'float32', seed?: Seed): Tensor {
  const op = 'randomGamma';
  if (!(checkNumber(op, 'alpha', alpha) > 0)) throw new Error(`${op}: alpha must be positive; received ${alpha}`);
  if (!(checkNumber(op, 'beta', beta ?? 1) > 0)) throw new Error(`${op}: beta must be positive; received ${beta}`);
  return drawn(op, shape, dtype ?? 'float32', 'gamma', alpha, beta ?? 1, seed);
}

/**
 * tf.rand(shape, randFunction, dtype?): `randFunction()` called once per element, in order,
 * on the CPU, and the values uploaded (a user's JavaScript generator cannot run in a kernel).
 */
export function rand(shape: Shape, randFunction: () => number, dtype: DType = 'float32'): Tensor {
  const op = 'rand';
  const s = checkShape(op, shape);
  if (typeof randFunction !== 'function') throw new Error(`${op}: randFunction must be a function; received ${typeof randFunction}`);
  checkAllocation(op, s, checkDType(op, dtype), 'output', true);
  const values = Array.from({ length: sizeOf(s) }, () => randFunction());
  return tensor(values, s, checkDType(op, dtype), op);
}

interface MultinomialAttrs { samples: number; key0: number; key1: number }

const MULTINOMIAL = register<MultinomialAttrs>({
  name: 'multinomial',
  inputs: ['probs'],
  infer: ([probs], { samples }) => spec([probs.shape[0], samples], 'int32'),
  kernel: {
    available: (backend) => backend.multinomial !== undefined,
    run: (backend, [probs], { samples, key0, key1 }, [out]) => [produce(out.shape, 'int32', (storage) =>
      backend.multinomial(storageOf(probs, 'multinomial'), storage, probs.shape[0], probs.shape[1], samples, key0, key1))],
  },
  // For a backend without the kernel: the same draws on the CPU (sync-readable backends only).
  compose: ([probs], { samples, key0, key1 }, [out]) => {
    if (!probs.ref.backend.syncReadable) throw new Error(`multinomial: the '${probs.ref.backend.name}' backend has no multinomial kernel`);
    const p = probs.dataSync();
    const [batch, classes] = probs.shape;
    const words = new Uint32Array(2);
    const values = new Int32Array(batch * samples);
    for (let i = 0; i < values.length; i++) {
      threefry(key0, key1, i, 0, words);
      values[i] = multinomialRow(p, Math.floor(i / samples) * classes, classes, unit(words[0]));
    }
    return [produce(out.shape, 'int32', (storage) => ENGINE.backend.write(storage, values))];
  },
  grad: 'none',
});

/**
 * tf.multinomial: numSamples class indices (int32) per row of logits ([classes] or
 * [batch, classes]); `normalized`: the rows are probabilities already, else softmax first.
 */
export function multinomial(logits: Tensor | TensorLike, numSamples: number, seed?: Seed, normalized = false): Tensor {
  return withArguments([floatArgument('multinomial', 'logits', logits)], (t) => multinomialOf(t, numSamples, seed, normalized));
}

function multinomialOf(logits: Tensor, numSamples: number, seed: Seed | undefined, normalized: boolean): Tensor {
  const op = 'multinomial';
  if (logits.dtype !== 'float32') throw new Error(`${op}: logits must be float32; received ${describe(logits)}`);
  if (logits.rank !== 1 && logits.rank !== 2) throw new Error(`${op}: logits must have rank 1 or 2; received ${describe(logits)}`);
  const classes = logits.shape[logits.rank - 1];
  if (classes < 2) throw new Error(`${op}: at least 2 outcomes are needed; received ${describe(logits)}`);
  if (!Number.isInteger(numSamples) || numSamples < 1) throw new Error(`${op}: numSamples must be a positive integer; received ${numSamples}`);
  const [key0, key1] = seedKey(op, seed);
  return ENGINE.tidy(() => {
    const rows = logits.rank === 1 ? reshape(logits, [1, classes]) : logits;
    const probs = normalized ? rows : softmax(rows);
    const out = run1(MULTINOMIAL, [probs], { samples: numSamples, key0, key1 });
    return logits.rank === 1 ? reshape(out, [numSamples]) : out;
  });
}
