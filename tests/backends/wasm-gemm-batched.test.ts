/**
 * The wasm GEMM's batched contract at sizes the suite's batched cases do not reach: several
 * 256-step k blocks (the epilogue must wait for the last one, accumulate must start every
 * block from C), packed A and B (m > 64), edge column tiles, a broadcast operand, on both
 * builds, against a float64 loop.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { createWasmBackend, type WasmBackend } from '../../src/backends/wasm/index.js';
import type { EpilogueOp } from '../../src/backends/backend.js';

function values(size: number, seed: number, scale: number): Float32Array {
  const out = new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2147483648 - 1) * scale;
  }
  return out;
}

function act(op: EpilogueOp, v: number, alpha: number): number {
  switch (op) {
    case 'linear': return v;
    case 'relu': return v < 0 ? 0 : v;
    case 'relu6': return v < 0 ? 0 : v > 6 ? 6 : v;
    case 'sigmoid': return 1 / (1 + Math.exp(-v));
    case 'tanh': return Math.tanh(v);
    case 'elu': return v > 0 ? v : Math.expm1(v);
    case 'leakyRelu': return v < 0 ? alpha * v : v;
  }
}

interface Spec { m: number; n: number; k: number; batch: number; tA: boolean; tB: boolean; broadcastB: boolean; accumulate: boolean; activation: EpilogueOp }

for (const variant of ['simd', 'relaxed'] as const) {
  describe(`wasm ${variant}: batched GEMM over several k blocks and packed paths`, () => {
    let backend: WasmBackend;
    beforeAll(async () => { backend = await createWasmBackend({ variant }); });

    const specs: Spec[] = [
      { m: 130, n: 77, k: 300, batch: 2, tA: false, tB: false, broadcastB: true, accumulate: true, activation: 'tanh' },
      { m: 70, n: 150, k: 513, batch: 3, tA: true, tB: false, broadcastB: false, accumulate: true, activation: 'sigmoid' },
      { m: 9, n: 41, k: 600, batch: 2, tA: false, tB: true, broadcastB: true, accumulate: false, activation: 'elu' },
      { m: 131, n: 530, k: 260, batch: 2, tA: true, tB: true, broadcastB: false, accumulate: true, activation: 'leakyRelu' },
      { m: 66, n: 13, k: 257, batch: 4, tA: false, tB: false, broadcastB: false, accumulate: true, activation: 'relu6' },
      { m: 100, n: 100, k: 300, batch: 2, tA: false, tB: false, broadcastB: false, accumulate: true, activation: 'relu' },
    ];
    for (const s of specs) {
      it(`${s.m}x${s.k}.${s.k}x${s.n} batch ${s.batch}${s.tA ? ' tA' : ''}${s.tB ? ' tB' : ''}${s.broadcastB ? ' broadcast B' : ''}${s.accumulate ? ' accumulate' : ''} ${s.activation}`, () => {
        const { m, n, k, batch } = s;
        const strideA = m * k, strideB = s.broadcastB ? 0 : k * n, strideC = m * n;
        const a = values(batch * strideA, m + k, 1), b = values(s.broadcastB ? k * n : batch * strideB, n + k, 1);
        const bias = values(n, 7, 1), c0 = values(batch * strideC, 11, 2);
        const alpha = 0.3;
        const expected = new Float64Array(batch * strideC);
        for (let t = 0; t < batch; t++) {
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              let sum = s.accumulate ? c0[t * strideC + i * n + j] : 0;
              for (let p = 0; p < k; p++) {
                const av = a[t * strideA + (s.tA ? p * m + i : i * k + p)];
                const bv = b[t * strideB + (s.tB ? j * k + p : p * n + j)];
                sum += av * bv;
              }
              expected[t * strideC + i * n + j] = act(s.activation, sum + bias[j], alpha);
            }
          }
        }
        const sa = backend.alloc(a.length, 'float32'), sb = backend.alloc(b.length, 'float32');
        const sbias = backend.alloc(n, 'float32'), out = backend.alloc(c0.length, 'float32');
        backend.write(sa, a); backend.write(sb, b); backend.write(sbias, bias); backend.write(out, c0);
        backend.gemm({
          a: sa, b: sb, out, m, n, k, transposeA: s.tA, transposeB: s.tB, bias: sbias, activation: s.activation,
          alpha, batch, strideA, strideB, strideC, accumulate: s.accumulate,
        });
        const got = backend.readSync(out);
        const atol = 2e-5 * Math.sqrt(k) * 4;
        let worst = 0, at = -1;
        for (let i = 0; i < got.length; i++) {
          const err = Math.abs(got[i] - expected[i]) / (atol + 1e-4 * Math.abs(expected[i]));
          if (!(err <= worst)) { worst = err; at = i; }
        }
        expect(worst, `worst at ${at}: ${got[at]} vs ${expected[at]}`).toBeLessThanOrEqual(1);
        for (const x of [sa, sb, sbias, out]) backend.free(x);
      });
    }
  });
}
