/**
 * `npm run bench:deno`: bench/suite.mjs in Deno — sora's wasm builds (Deno validates relaxed
 * SIMD), sora's webgpu backend on Deno's adapter (lavapipe on a machine without a GPU; it
 * runs on the CPU, so expect it below wasm) and TF.js's wasm backend, one thread. Writes
 * bench/results/deno-<date>.json and prints a markdown table. Flags as bench/node.mjs.
 *
 *   deno run --allow-read --allow-write --allow-env --allow-sys --allow-net=none bench/deno.mjs [--quick] ...
 */
import { benchCli } from './cli.mjs';

benchCli({ runtime: { name: 'Deno', version: Deno.version.deno }, webgpu: 'gpu' in navigator })
  .catch((error) => { console.error(error); Deno.exit(1); });
