/**
 * The definition of sora's random numbers (the kernels of assembly/random.ts and
 * shaders/random.wgsl compute the same): Threefry-2x32 with 20 rounds (Salmon et al.,
 * "Parallel random numbers: as easy as 1, 2, 3", SC 2011) maps a 64-bit key and a 64-bit
 * counter to 64 random bits with nothing but 32-bit adds, rotations and xors, which every
 * backend has (WGSL has no 64-bit integers). The counter is (element index, try number), so
 * an element's value depends on the key and its index only: any order, any thread, any
 * backend gives the same stream for one key.
 *
 * Floats: u = (bits >>> 8) * 2^-24 (exact in float32, in [0, 1)). Normals: Box-Muller,
 * z = sqrt(-2 ln u1) cos(pi (2 u2 - 1)) with u1 in (0, 1] (so |z| <= 5.8, never infinite),
 * the angle kept in [-pi, pi) where WGSL's cos is accurate. Transcendentals differ in the
 * last bits between engines, so normals and gammas agree across backends to ~1e-6
 * relative; uniform integers, masks and multinomial draws agree exactly.
 */
import type { RandomDistribution } from '../backend.js';

const ROTATIONS = [13, 15, 26, 6, 17, 29, 16, 24];
const PARITY = 0x1bd11bda;

/** Threefry-2x32-20 of counter (c0, c1) under key (k0, k1); writes both words to `out`. */
export function threefry(k0: number, k1: number, c0: number, c1: number, out: Uint32Array): void {
  const k2 = (k0 ^ k1 ^ PARITY) >>> 0;
  const keys = [k0 >>> 0, k1 >>> 0, k2];
  let x0 = (c0 + k0) >>> 0;
  let x1 = (c1 + k1) >>> 0;
  for (let round = 0; round < 20; round++) {
    x0 = (x0 + x1) >>> 0;
    const r = ROTATIONS[round & 7];
    x1 = ((x1 << r) | (x1 >>> (32 - r))) ^ x0;
    x1 >>>= 0;
    if ((round & 3) === 3) {
      const s = (round + 1) >> 2;
      x0 = (x0 + keys[s % 3]) >>> 0;
      x1 = (x1 + keys[(s + 1) % 3] + s) >>> 0;
    }
  }
  out[0] = x0;
  out[1] = x1;
}

/** The high 32 bits of the 64-bit product of two 32-bit unsigned words (16-bit halves, as WGSL must). */
export function mulHigh(a: number, b: number): number {
  const aLo = a & 0xffff, aHi = a >>> 16, bLo = b & 0xffff, bHi = b >>> 16;
  const loLo = aLo * bLo, hiLo = aHi * bLo, loHi = aLo * bHi, hiHi = aHi * bHi;
  const cross = (loLo >>> 16) + (hiLo & 0xffff) + (loHi & 0xffff);
  return (hiHi + (hiLo >>> 16) + (loHi >>> 16) + (cross >>> 16)) >>> 0;
}

const TWO_POW_MINUS_24 = 1 / 16777216;
/** [0, 1) from a word's top 24 bits. */
export const unit = (bits: number): number => (bits >>> 8) * TWO_POW_MINUS_24;
/** (0, 1] from a word's top 24 bits. */
const unitOpen = (bits: number): number => ((bits >>> 8) + 1) * TWO_POW_MINUS_24;
const boxMuller = (w0: number, w1: number): number =>
  Math.sqrt(-2 * Math.log(unitOpen(w0))) * Math.cos(Math.PI * (2 * unit(w1) - 1));

/** Tries before a rejection sampler gives up (probability of reaching it: below 1e-80). */
export const MAX_TRIES = 64;

/** Element `index` of a draw (see RandomParams in backend.ts). */
export function sample(distribution: RandomDistribution, k0: number, k1: number, index: number,
  a: number, b: number, words: Uint32Array): number {
  threefry(k0, k1, index, 0, words);
  switch (distribution) {
    case 'uniform': return a + b * unit(words[0]);
    case 'uniformInt': return a + mulHigh(words[0], b);
    case 'bernoulli': return unit(words[0]) >= a ? b : 0;
    case 'normal': return a + b * boxMuller(words[0], words[1]);
    case 'truncatedNormal': {
      let z = boxMuller(words[0], words[1]);
      for (let t = 1; t < MAX_TRIES && Math.abs(z) > 2; t++) {
        threefry(k0, k1, index, t, words);
        z = boxMuller(words[0], words[1]);
      }
      return a + b * (Math.abs(z) > 2 ? 0 : z);
    }
    case 'gamma': return b * gamma(k0, k1, index, a, words);
  }
}

/**
 * Marsaglia and Tsang's gamma(alpha) sampler. Try t reads counter (index, 2t) for the
 * normal and (index, 2t + 1) for the acceptance uniform (word 0) and, for alpha < 1, the
 * boost u^(1/alpha) (word 1 of the accepted try), with d = alpha + 2/3 in that case.
 */
function gamma(k0: number, k1: number, index: number, alpha: number, words: Uint32Array): number {
  const d = alpha < 1 ? alpha + 2 / 3 : alpha - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  let v = 1;
  let boost = 1;
  for (let t = 0; t < MAX_TRIES; t++) {
    threefry(k0, k1, index, 2 * t, words);
    const x = boxMuller(words[0], words[1]);
    threefry(k0, k1, index, 2 * t + 1, words);
    const root = 1 + c * x;
    if (root <= 0) continue;
    v = root * root * root;
    const u = unitOpen(words[0]);
    boost = unitOpen(words[1]);
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) break;
  }
  return d * v * (alpha < 1 ? Math.pow(boost, 1 / alpha) : 1);
}

/** The multinomial kernel's definition (see Kernels.multinomial): probabilities summed in float32. */
export function multinomialRow(probs: ArrayLike<number>, base: number, classes: number, u: number): number {
  let total = 0;
  let lastNonzero = 0;
  for (let c = 0; c < classes; c++) {
    const p = probs[base + c];
    total = Math.fround(total + p);
    if (p > 0) lastNonzero = c;
    if (u < total) return c;
  }
  return lastNonzero;
}

/** The `random` kernel: out[i] = sample(distribution, key, i, a, b) for i < size. */
export function randomArrays(distribution: RandomDistribution, out: ArrayLike<number> & { [i: number]: number }, size: number,
  key0: number, key1: number, a: number, b: number): void {
  const words = new Uint32Array(2);
  for (let i = 0; i < size; i++) out[i] = sample(distribution, key0, key1, i, a, b, words);
}

/** The `multinomial` kernel: out[r, s] = multinomialRow(probs row r, uniform(key, r * samples + s)). */
export function multinomialArrays(probs: ArrayLike<number>, out: { [i: number]: number }, batch: number, classes: number,
  samples: number, key0: number, key1: number): void {
  const words = new Uint32Array(2);
  for (let r = 0; r < batch; r++) {
    for (let s = 0; s < samples; s++) {
      threefry(key0, key1, r * samples + s, 0, words);
      out[r * samples + s] = multinomialRow(probs, r * classes, classes, unit(words[0]));
    }
  }
}
