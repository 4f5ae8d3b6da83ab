#!/usr/bin/env node
/**
 * The webgpu column reductions (reduce over axis 0 of [rows, cols]: bias gradients, batch-norm
 * statistics) in Deno (wgpu over Vulkan: the hardware adapter when there is one, else
 * lavapipe), in both forms the backend has: reduce_columns (tiled two-pass, what GPUs take)
 * on a backend forced to the 'tiled' GEMM variant, and reduce_serial (one invocation per
 * output, what CPU adapters take) on one forced to 'blocked'; interleaved, median of `reps`,
 * each rep queueing 10 sums and waiting for the queue. Shapes: the MNIST CNN's bias gradients
 * at batch 64 and a few odd ones.
 *
 *   node bench/gpu-reduce.mjs [--reps 11]
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags, table } from './common.mjs';
import { runEntryInDeno } from './deno-entry.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const flags = parseFlags(process.argv.slice(2), { reps: 'number' });
const config = { reps: flags.reps ?? 11 };

const entrySource = `
import { createWebGPUBackend } from ${JSON.stringify(join(root, 'src/backends/webgpu/index.ts'))};
const emit = (kind, payload) => console.log(kind + ' ' + JSON.stringify(payload));
const SHAPES = [
  ['conv1 bias gradient [43264, 32]', 1, 43264, 32], ['conv2 bias gradient [7744, 64]', 1, 7744, 64],
  ['dense bias gradient [64, 128]', 1, 64, 128], ['dense bias gradient [64, 10]', 1, 64, 10],
  ['[100000, 3]', 1, 100000, 3], ['[1024, 256]', 1, 1024, 256], ['[4, 4096, 17]', 4, 4096, 17],
];
const INNER = 10;
const median = (v) => v.slice().sort((a, b) => a - b)[v.length >> 1];

async function main({ reps }) {
  const backends = { tiled: await createWebGPUBackend({ gemm: 'tiled' }), serial: await createWebGPUBackend({ gemm: 'blocked' }) };
  emit('INFO', { adapter: backends.tiled.description });
  for (const [label, outer, length, inner] of SHAPES) {
    const size = outer * length * inner;
    const values = Float32Array.from({ length: size }, (_, i) => Math.sin(i));
    const held = {}, times = { tiled: [], serial: [] };
    for (const [name, b] of Object.entries(backends)) {
      const x = b.alloc(size, 'float32'); b.write(x, values);
      held[name] = { x, out: b.alloc(outer * inner, 'float32') };
      b.reduce('sum', x, held[name].out, outer, length, inner); await b.flush();
    }
    for (let r = 0; r < reps; r++) {
      const order = r % 2 ? ['tiled', 'serial'] : ['serial', 'tiled'];
      for (const name of order) {
        const b = backends[name];
        const t0 = performance.now();
        for (let i = 0; i < INNER; i++) b.reduce('sum', held[name].x, held[name].out, outer, length, inner);
        await b.flush();
        times[name].push((performance.now() - t0) / INNER);
      }
    }
    emit('ROW', { label, tiled: median(times.tiled), serial: median(times.serial) });
    for (const [name, b] of Object.entries(backends)) { b.free(held[name].x); b.free(held[name].out); }
  }
  for (const b of Object.values(backends)) b.dispose();
}
main(JSON.parse(Deno.args[0])).then(() => Deno.exit(0), (error) => { emit('FATAL', String(error?.stack ?? error)); Deno.exit(1); });
`;

async function main() {
  const { info, rows } = await runEntryInDeno({ entrySource, root, name: 'gpu-reduce', config });
  console.log(`\nsora webgpu column sums in Deno on ${info?.adapter ?? 'unknown adapter'}, ms per sum, median of ${config.reps} reps\n`);
  console.log(table(['shape', 'reduce_columns (tiled)', 'reduce_serial', 'tiled / serial'],
    rows.map((r) => [r.label, r.tiled.toFixed(3), r.serial.toFixed(3), (r.tiled / r.serial).toFixed(2)])));
}

main().catch((error) => { console.error(error); process.exit(1); });
