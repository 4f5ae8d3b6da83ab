/**
 * Counter-based random numbers: the same definition as src/backends/reference/random.ts
 * (read it for the scheme). Threefry-2x32-20 of counter (index, try) under key (k0, k1);
 * u = (bits >>> 8) * 2^-24; normals by Box-Muller in f64 (as the reference computes them),
 * stored as f32. Scalar code: the generator is 20 dependent rounds per element, and the
 * transcendentals of normals are scalar in wasm anyway.
 *
 * Contract (see assembly/index.ts): byte pointers, n >= 0 elements; out is f32 except for
 * random_uniform_int (i32). Parameters a and b are as RandomParams in src/backends/backend.ts.
 */

let x0: u32 = 0;
let x1: u32 = 0;

// @ts-ignore: decorator
@inline function round(r: u32): void {
  x0 += x1;
  x1 = rotl<u32>(x1, r) ^ x0;
}

// @ts-ignore: decorator
@inline function inject(ka: u32, kb: u32, s: u32): void {
  x0 += ka;
  x1 += kb + s;
}

/** Threefry-2x32-20 of (c0, c1) under (k0, k1): the result is left in x0, x1. */
function threefry(k0: u32, k1: u32, c0: u32, c1: u32): void {
  const k2 = k0 ^ k1 ^ 0x1bd11bda;
  x0 = c0 + k0;
  x1 = c1 + k1;
  round(13); round(15); round(26); round(6); inject(k1, k2, 1);
  round(17); round(29); round(16); round(24); inject(k2, k0, 2);
  round(13); round(15); round(26); round(6); inject(k0, k1, 3);
  round(17); round(29); round(16); round(24); inject(k1, k2, 4);
  round(13); round(15); round(26); round(6); inject(k2, k0, 5);
}

// @ts-ignore: decorator
@inline function unit(bits: u32): f64 { return <f64>(bits >>> 8) * (1.0 / 16777216.0); }
// @ts-ignore: decorator
@inline function unitOpen(bits: u32): f64 { return <f64>((bits >>> 8) + 1) * (1.0 / 16777216.0); }
function boxMuller(w0: u32, w1: u32): f64 {
  return Math.sqrt(-2.0 * Math.log(unitOpen(w0))) * Math.cos(Math.PI * (2.0 * unit(w1) - 1.0));
}

const MAX_TRIES: u32 = 64;

export function random_uniform(out: usize, n: i32, k0: u32, k1: u32, a: f64, b: f64): void {
  for (let i = 0; i < n; i++) {
    threefry(k0, k1, <u32>i, 0);
    store<f32>(out + (<usize>i << 2), <f32>(a + b * unit(x0)));
  }
}

export function random_uniform_int(out: usize, n: i32, k0: u32, k1: u32, a: i32, count: u32): void {
  for (let i = 0; i < n; i++) {
    threefry(k0, k1, <u32>i, 0);
    store<i32>(out + (<usize>i << 2), a + <i32>(<u32>((<u64>x0 * <u64>count) >>> 32)));
  }
}

export function random_bernoulli(out: usize, n: i32, k0: u32, k1: u32, rate: f64, scale: f32): void {
  for (let i = 0; i < n; i++) {
    threefry(k0, k1, <u32>i, 0);
    store<f32>(out + (<usize>i << 2), unit(x0) >= rate ? scale : 0);
  }
}

export function random_normal(out: usize, n: i32, k0: u32, k1: u32, mean: f64, stdDev: f64, truncated: i32): void {
  for (let i = 0; i < n; i++) {
    threefry(k0, k1, <u32>i, 0);
    let z = boxMuller(x0, x1);
    if (truncated) {
      for (let t: u32 = 1; t < MAX_TRIES && Math.abs(z) > 2.0; t++) {
        threefry(k0, k1, <u32>i, t);
        z = boxMuller(x0, x1);
      }
      if (Math.abs(z) > 2.0) z = 0;
    }
    store<f32>(out + (<usize>i << 2), <f32>(mean + stdDev * z));
  }
}

/** Marsaglia-Tsang, tries as the reference's `gamma` reads them. */
export function random_gamma(out: usize, n: i32, k0: u32, k1: u32, alpha: f64, scale: f64): void {
  const d = alpha < 1.0 ? alpha + 2.0 / 3.0 : alpha - 1.0 / 3.0;
  const c = 1.0 / Math.sqrt(9.0 * d);
  for (let i = 0; i < n; i++) {
    let v = 1.0;
    let boost = 1.0;
    for (let t: u32 = 0; t < MAX_TRIES; t++) {
      threefry(k0, k1, <u32>i, 2 * t);
      const x = boxMuller(x0, x1);
      threefry(k0, k1, <u32>i, 2 * t + 1);
      const root = 1.0 + c * x;
      if (root <= 0) continue;
      v = root * root * root;
      const u = unitOpen(x0);
      boost = unitOpen(x1);
      const x2 = x * x;
      if (u < 1.0 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1.0 - v + Math.log(v))) break;
    }
    const value = d * v * (alpha < 1.0 ? Math.pow(boost, 1.0 / alpha) : 1.0);
    store<f32>(out + (<usize>i << 2), <f32>(scale * value));
  }
}

/** out[r * samples + s] (i32): see Kernels.multinomial; the running sum is f32, in class order. */
export function multinomial(probs: usize, out: usize, batch: i32, classes: i32, samples: i32, k0: u32, k1: u32): void {
  for (let r = 0; r < batch; r++) {
    const row = probs + (<usize>(r * classes) << 2);
    for (let s = 0; s < samples; s++) {
      const index = r * samples + s;
      threefry(k0, k1, <u32>index, 0);
      const u = <f32>unit(x0);
      let total: f32 = 0;
      let chosen = -1;
      let lastNonzero = 0;
      for (let c = 0; c < classes; c++) {
        const p = load<f32>(row + (<usize>c << 2));
        total += p;
        if (p > 0) lastNonzero = c;
        if (u < total) { chosen = c; break; }
      }
      store<i32>(out + (<usize>index << 2), chosen >= 0 ? chosen : lastNonzero);
    }
  }
}
