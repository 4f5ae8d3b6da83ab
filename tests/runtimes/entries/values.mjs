// Inputs and the float64 oracle the runtime entries share (wasm-gemm.mjs, wasm-threads.mjs):
// seeded values in [-1, 1) from a linear congruential generator, and a product by triple loop.
export function values(count, seed) {
  let state = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 4294967296 * 2 - 1;
  }
  return out;
}

export function tripleLoop(a, b, m, n, k, transposeA, transposeB) {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) {
        sum += a[transposeA ? p * m + i : i * k + p] * b[transposeB ? j * k + p : p * n + j];
      }
      out[i * n + j] = sum;
    }
  }
  return out;
}
