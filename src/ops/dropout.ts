/**
 * tf.dropout, above random.ts (whose kernel draws its mask) and nn.ts (softmax, which
 * random.ts's multinomial runs).
 */
import { Tensor } from '../core/tensor.js';
import { withInputs, type Input } from './inputs.js';
import { mul } from './math/binary.js';
import { randomTensor, type Seed } from './random.js';
import { checkTensor, describe } from './util.js';

/**
 * Inverted dropout, tf.dropout(x, rate, noiseShape?, seed?): zero a `rate` fraction, scale
 * the rest by 1 / (1 - rate). The mask is drawn by the backend's random kernel (nothing is
 * uploaded); `noiseShape` (broadcastable to x's shape) shares one mask entry along axes of
 * size 1. A number in noiseShape's place is the seed (sora's older form).
 */
export function dropout(x: Input, rate: number, noiseShape?: (number | null)[] | Seed, seed?: Seed): Tensor {
  if (!(x instanceof Tensor)) return withInputs('dropout', [['x', x]], ([t]) => dropout(t, rate, noiseShape, seed));
  checkTensor('dropout', 'x', x);
  if (x.dtype !== 'float32') throw new Error(`dropout: x must be float32; received ${describe(x)}`);
  if (!(rate >= 0 && rate < 1)) throw new Error(`dropout: rate must be in [0, 1); received ${rate}`);
  // A null entry of noiseShape takes x's size there (TF.js's getNoiseShape).
  const shape = Array.isArray(noiseShape) ? noiseShape.map((d, i) => d ?? x.shape[i]) : x.shape;
  const theSeed = Array.isArray(noiseShape) ? seed : noiseShape ?? seed;
  if (rate === 0) return x;
  if (shape.length !== x.rank || shape.some((d, i) => d !== x.shape[i] && d !== 1)) {
    throw new Error(`dropout: noiseShape [${shape}] must have x's rank with each axis 1 or x's size; x is ${describe(x)}`);
  }
  const keep = randomTensor('dropout', shape, 'float32', 'bernoulli', rate, 1 / (1 - rate), theSeed);
  try {
    return mul(x, keep);
  } finally {
    keep.dispose(); // the tape pins what the gradient reads
  }
}
