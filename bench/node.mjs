#!/usr/bin/env node
/**
 * `npm run bench`: bench/suite.mjs in Node — GEMM at the MLP's shapes and squares (every
 * transpose), softmax, the cross-entropy gradient, Adam and one epoch of the seed MLP on
 * MNIST — on sora's wasm builds (SIMD, and relaxed SIMD when Node validates it: the script
 * passes --experimental-wasm-relaxed-simd) beside TF.js's wasm backend (one thread). Node
 * has no WebGPU. Writes bench/results/node-<date>.json and prints a markdown table.
 *
 *   node --experimental-wasm-relaxed-simd bench/node.mjs [--reps 5] [--quick] [--sizes 64,256,1024]
 *        [--only gemm,softmax,ce-grad,adam,mlp] [--mlp-examples 12000] [--no-tfjs] [--out file.json]
 *
 * The older GEMM-only benchmark with its own flags is `npm run bench:gemm` (bench/gemm.mjs).
 */
import { benchCli } from './cli.mjs';

benchCli({ runtime: { name: 'Node', version: process.version } })
  .catch((error) => { console.error(error); process.exit(1); });
