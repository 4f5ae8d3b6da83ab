/** The optimizer updates (backend.ts `adam`, `sgd`, `rmsprop`), in place on the parameter and its state. */
import type { AdamParams, RmspropParams, SgdParams, TypedArray } from '../backend.js';

type Arrays = { readonly values: TypedArray };

/**
 * Optimizer state below the smallest normal float32 is stored as 0: decaying moments would
 * otherwise sit in the subnormal range, ~100x slower on x86 (see assembly/optim.ts).
 */
const SMALLEST_NORMAL = 1.1754943508222875e-38;
const flush = (x: number): number => (Math.abs(x) < SMALLEST_NORMAL ? 0 : x);

export function adamArrays(p: AdamParams<Arrays>): void {
  const w = p.param.values, g = p.grad.values, m = p.m.values, v = p.v.values;
  for (let i = 0; i < p.size; i++) {
    m[i] = flush(p.beta1 * m[i] + (1 - p.beta1) * g[i]);
    v[i] = flush(p.beta2 * v[i] + (1 - p.beta2) * g[i] * g[i]);
    w[i] -= p.learningRate * (m[i] * p.correction1) / (Math.sqrt(v[i] * p.correction2) + p.epsilon);
  }
}

export function sgdArrays(p: SgdParams<Arrays>): void {
  const w = p.param.values, g = p.grad.values, vel = p.velocity?.values;
  for (let i = 0; i < p.size; i++) {
    if (!vel) { w[i] -= p.learningRate * g[i]; continue; }
    vel[i] = flush(p.momentum * vel[i] + g[i]);
    w[i] -= p.learningRate * (p.nesterov ? g[i] + p.momentum * vel[i] : vel[i]);
  }
}

export function rmspropArrays(p: RmspropParams<Arrays>): void {
  const w = p.param.values, g = p.grad.values, ms = p.meanSquare.values, mom = p.moment?.values;
  for (let i = 0; i < p.size; i++) {
    ms[i] = flush(p.decay * ms[i] + (1 - p.decay) * g[i] * g[i]);
    const step = p.learningRate * g[i] / Math.sqrt(ms[i] + p.epsilon);
    if (mom) { mom[i] = flush(p.momentum * mom[i] + step); w[i] -= mom[i]; } else w[i] -= step;
  }
}
