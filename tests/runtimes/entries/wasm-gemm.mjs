// The built library (dist/index.js, as `npm run build` leaves it) in a browser or Deno,
// unbundled: set the wasm backend, multiply matrices with sora.matMul in every transpose
// combination, and compare with a float64 triple loop. The wasm loader finds
// build/sora-*.wasm relative to dist/backends/wasm/, so the repository root must be served.
// Reports on the protocol of tests/runtimes/protocol.ts.
import * as sora from '../../../dist/index.js';
import { tripleLoop, values } from './values.mjs';

const emit = (kind, payload) => console.log(`${kind} ${JSON.stringify(payload)}`);

async function main() {
  await sora.setBackend('wasm');
  const env = sora.env();
  emit('SORA_INFO', { backend: sora.getBackend(), description: env.description,
    relaxed: env.wasmRelaxedSimd, userAgent: globalThis.navigator?.userAgent ?? null });
  let failed = 0;
  const shapes = [[1, 1, 1], [7, 33, 17], [64, 64, 64], [33, 127, 65], [128, 96, 300]];
  for (const [m, n, k] of shapes) {
    for (const [transposeA, transposeB] of [[false, false], [true, false], [false, true], [true, true]]) {
      const name = `matMul m=${m} n=${n} k=${k}${transposeA ? ' tA' : ''}${transposeB ? ' tB' : ''}`;
      const t0 = performance.now();
      try {
        const av = values(m * k, m * 7 + k), bv = values(k * n, n * 13 + k);
        const a = sora.tensor(av, transposeA ? [k, m] : [m, k]);
        const b = sora.tensor(bv, transposeB ? [n, k] : [k, n]);
        const c = sora.matMul(a, b, transposeA, transposeB);
        if (c.shape.join() !== `${m},${n}`) throw new Error(`shape [${c.shape}], expected [${m},${n}]`);
        const got = await c.data();
        a.dispose(); b.dispose(); c.dispose();
        const want = tripleLoop(av, bv, m, n, k, transposeA, transposeB);
        for (let i = 0; i < want.length; i++) {
          if (!(Math.abs(got[i] - want[i]) <= 1e-5 * k + 1e-4 * Math.abs(want[i]))) {
            throw new Error(`[${i}] = ${got[i]}, triple loop gives ${want[i]}`);
          }
        }
        emit('SORA_RESULT', { name, ok: true, ms: Math.round(performance.now() - t0) });
      } catch (error) {
        failed++;
        emit('SORA_RESULT', { name, ok: false, error: String(error?.message ?? error), ms: Math.round(performance.now() - t0) });
      }
    }
  }
  emit('SORA_DONE', { failed, tensors: sora.memory().numTensors });
}

main().then(() => globalThis.Deno?.exit(0), (error) => {
  emit('SORA_FATAL', String(error?.stack ?? error));
  globalThis.Deno?.exit(1);
});
