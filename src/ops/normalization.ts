/**
 * tf.batchNorm (and batchNorm2d / 3d / 4d) and tf.localResponseNormalization, composed from
 * elementwise and slicing ops, so they run on every backend and their gradients (x, mean,
 * variance, offset, scale; x for LRN) come from those ops. Every argument is checked first.
 */
import { ENGINE } from '../core/engine.js';
import type { Tensor } from '../core/tensor.js';
import { withInputs, type Input } from './inputs.js';
import { add, broadcastShapes, div, mul, sub } from './math/binary.js';
import { pow } from './math/pow-mod.js';
import { square, sqrt } from './math/unary.js';
import { pad } from './structure/rearrange.js';
import { cast, slice } from './structure/shape.js';
import { chain, describe } from './util.js';

const NUMERIC = new Set(['float32', 'int32']);

function checkNumeric(op: string, name: string, t: Tensor): void {
  if (!NUMERIC.has(t.dtype)) throw new Error(`${op}: '${name}' must be float32 or int32; received ${describe(t)}`);
}

function batchNormOf(op: string, x: Tensor, mean: Tensor, variance: Tensor, offset: Tensor | undefined,
  scale: Tensor | undefined, varianceEpsilon: number): Tensor {
  const stats: [string, Tensor | undefined][] = [['mean', mean], ['variance', variance], ['offset', offset], ['scale', scale]];
  checkNumeric(op, 'x', x);
  for (const [name, t] of stats) {
    if (!t) continue;
    checkNumeric(op, name, t);
    if (t.rank !== mean.rank) {
      throw new Error(`${op}: mean, variance, offset and scale must have equal ranks (as TF.js); received mean ${describe(mean)} and ${name} ${describe(t)}`);
    }
    if (t.rank > x.rank) throw new Error(`${op}: ${name} ${describe(t)} has a higher rank than x ${describe(x)}`);
    // numpy's broadcast against x, naming the op (TF.js indexes the statistics cyclically instead).
    const shape = broadcastShapes(op, x.shape, t.shape);
    if (shape.some((d, i) => d !== x.shape[i])) {
      throw new Error(`${op}: ${name} ${describe(t)} does not broadcast to x ${describe(x)}; each of its dims must be 1 or x's (aligned from the right)`);
    }
  }
  if (typeof varianceEpsilon !== 'number' || Number.isNaN(varianceEpsilon)) {
    throw new Error(`${op}: varianceEpsilon must be a number; received varianceEpsilon=${String(varianceEpsilon)}`);
  }
  return ENGINE.tidy(() => {
    const f = (t: Tensor) => (t.dtype === 'float32' ? t : cast(t, 'float32'));
    let y = div(sub(f(x), f(mean)), sqrt(add(f(variance), varianceEpsilon)));
    if (scale) y = mul(y, f(scale));
    if (offset) y = add(y, f(offset));
    // An int32 x gives int32 (truncated), as TF.js's cpu backend.
    return x.dtype === 'int32' ? cast(y, 'int32') : y;
  });
}

function batchNormInputs(op: string, x: Input, mean: Input, variance: Input, offset: Input | undefined, scale: Input | undefined,
  varianceEpsilon: number, check?: (x: Tensor, stats: [string, Tensor][]) => void): Tensor {
  const args: [string, unknown][] = [['x', x], ['mean', mean], ['variance', variance]];
  if (offset != null) args.push(['offset', offset]);
  if (scale != null) args.push(['scale', scale]);
  return withInputs(op, args, (tensors) => {
    const [xt, m, v] = tensors;
    const o = offset != null ? tensors[3] : undefined;
    const s = scale != null ? tensors[offset != null ? 4 : 3] : undefined;
    check?.(xt, tensors.slice(1).map((t, i) => [args[i + 1][0], t]));
    return batchNormOf(op, xt, m, v, o, s, varianceEpsilon);
  });
}

/**
 * tf.batchNorm(x, mean, variance, offset?, scale?, varianceEpsilon = 0.001):
 * (x - mean) / sqrt(variance + varianceEpsilon) * scale + offset, the statistics broadcast against x.
 */
export function batchNorm(x: Input, mean: Input, variance: Input, offset?: Input, scale?: Input, varianceEpsilon = 0.001): Tensor {
  return batchNormInputs('batchNorm', x, mean, variance, offset, scale, varianceEpsilon);
}

function ranked(op: string, rank: number) {
  return (x: Tensor, stats: [string, Tensor][]) => {
    if (x.rank !== rank) throw new Error(`${op}: x must be rank ${rank}; received ${describe(x)}`);
    for (const [name, t] of stats) {
      if (t.rank !== 1 && t.rank !== rank) throw new Error(`${op}: ${name} must be rank ${rank} or rank 1; received ${describe(t)}`);
    }
  };
}

/** tf.batchNorm2d: batchNorm of a rank-2 x, the statistics rank 1 or 2. */
export function batchNorm2d(x: Input, mean: Input, variance: Input, offset?: Input, scale?: Input, varianceEpsilon = 0.001): Tensor {
  return batchNormInputs('batchNorm2d', x, mean, variance, offset, scale, varianceEpsilon, ranked('batchNorm2d', 2));
}
/** tf.batchNorm3d: batchNorm of a rank-3 x, the statistics rank 1 or 3. */
export function batchNorm3d(x: Input, mean: Input, variance: Input, offset?: Input, scale?: Input, varianceEpsilon = 0.001): Tensor {
  return batchNormInputs('batchNorm3d', x, mean, variance, offset, scale, varianceEpsilon, ranked('batchNorm3d', 3));
}
/** tf.batchNorm4d: batchNorm of a rank-4 x, the statistics rank 1 or 4. */
export function batchNorm4d(x: Input, mean: Input, variance: Input, offset?: Input, scale?: Input, varianceEpsilon = 0.001): Tensor {
  return batchNormInputs('batchNorm4d', x, mean, variance, offset, scale, varianceEpsilon, ranked('batchNorm4d', 4));
}

/**
 * tf.localResponseNormalization(x, depthRadius = 5, bias = 1, alpha = 1, beta = 0.5): each value
 * divided by (bias + alpha * sum of squares over the channels within depthRadius of it) ^ beta;
 * x is rank 3 or 4 (channels last). An int32 x gives int32 (truncated), as TF.js.
 */
export function localResponseNormalization(x: Input, depthRadius = 5, bias = 1, alpha = 1, beta = 0.5): Tensor {
  const op = 'localResponseNormalization';
  return withInputs(op, [['x', x, 'float32']], ([t]) => {
    checkNumeric(op, 'x', t);
    if (t.rank !== 3 && t.rank !== 4) throw new Error(`${op}: x must be rank 3 or 4; received ${describe(t)}`);
    if (!Number.isInteger(depthRadius) || depthRadius < 0) {
      throw new Error(`${op}: depthRadius must be a non-negative integer; received depthRadius=${depthRadius}`);
    }
    for (const [name, v] of [['bias', bias], ['alpha', alpha], ['beta', beta]] as const) {
      if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`${op}: ${name} must be a number; received ${name}=${String(v)}`);
    }
    return ENGINE.tidy(() => {
      const xf = t.dtype === 'float32' ? t : cast(t, 'float32');
      const channels = t.shape[t.rank - 1];
      // A radius beyond the channels sums the same channels as channels - 1.
      const radius = Math.min(depthRadius, Math.max(channels - 1, 0));
      const padded = pad(square(xf), [...t.shape.slice(0, -1).map((): [number, number] => [0, 0]), [radius, radius]]);
      let sum: Tensor | null = null;
      for (let k = 0; k <= 2 * radius; k++) {
        const window = slice(padded, [...new Array<number>(t.rank - 1).fill(0), k], [...t.shape.slice(0, -1), channels]);
        sum = sum === null ? window : add(sum, window);
      }
      const y = mul(xf, pow(add(mul(sum!, alpha), bias), -beta));
      return t.dtype === 'int32' ? cast(y, 'int32') : y;
    });
  });
}

declare module '../core/tensor.js' {
  interface Tensor {
    batchNorm(mean: Input, variance: Input, offset?: Input, scale?: Input, varianceEpsilon?: number): Tensor;
    localResponseNormalization(depthRadius?: number, bias?: number, alpha?: number, beta?: number): Tensor;
  }
}
chain({
  batchNorm(mean: Input, variance: Input, offset?: Input, scale?: Input, varianceEpsilon?: number) {
    return batchNorm(this, mean, variance, offset, scale, varianceEpsilon);
  },
  localResponseNormalization(depthRadius?: number, bias?: number, alpha?: number, beta?: number) {
    return localResponseNormalization(this, depthRadius, bias, alpha, beta);
  },
});
