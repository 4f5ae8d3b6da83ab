#!/usr/bin/env node
/**
 * The wasm backend's arena (src/backends/wasm/arena.ts): microseconds per alloc + free as the
 * number of distinct free block sizes grows, this tree's arena beside the one of a base commit
 * (default c2662be, the linear best fit), in the same run.
 *
 *   npm run build && node bench/arena.mjs
 *   node bench/arena.mjs --base c2662be --sizes 10,100,1000,10000 --rounds 5
 *
 * The base arena is read with `git show <base>:src/backends/wasm/arena.ts` and its types are
 * stripped with esbuild into a temporary file; this tree's arena is dist/backends/wasm/arena.js.
 *
 * Setup for N: N holes of N distinct sizes (128, 256, ..., 128N bytes), each between two live
 * 64-byte blocks so none merge. Timed: alloc + free of 256 requests of odd multiples of 64
 * bytes spread over the holes: never an exact hit, so each takes the best-fit path, splits a
 * hole and merges it back on free. Each cell is the median of `rounds` rounds, rounds
 * alternating the two arenas; a round runs ~20 ms.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { transformSync } from 'esbuild';
import { machineLine, median, parseFlags, table } from './common.mjs';

const flags = parseFlags(process.argv.slice(2), { base: 'string', sizes: 'string', rounds: 'number' });
const base = flags.base ?? 'c2662be';
const counts = (flags.sizes ?? '10,100,1000,10000').split(',').map(Number);
const rounds = flags.rounds ?? 5;

const root = new URL('..', import.meta.url);
const { Arena } = await import(new URL('dist/backends/wasm/arena.js', root).href);
const source = execFileSync('git', ['show', `${base}:src/backends/wasm/arena.ts`], { cwd: root, encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'sora-arena-'));
writeFileSync(join(dir, 'arena.mjs'), transformSync(source, { loader: 'ts', format: 'esm' }).code);
const { Arena: BaseArena } = await import(pathToFileURL(join(dir, 'arena.mjs')).href);

/** A prepared arena with n distinct free sizes, and the function that runs one batch of requests. */
function prepare(ArenaClass, n) {
  const arena = new ArenaClass(0, () => {});
  const holes = [];
  for (let i = 1; i <= n; i++) { holes.push(arena.alloc(128 * i)); arena.alloc(64); }
  for (let i = 1; i <= n; i++) arena.free(holes[i - 1], 128 * i);
  const requests = Array.from({ length: 256 }, (_, i) => 64 * (2 * ((i * 7919) % n) + 1));
  return () => { for (const bytes of requests) arena.free(arena.alloc(bytes), bytes); return requests.length; };
}

/** Microseconds per alloc + free over a ~20 ms round. */
function round(run) {
  const t0 = performance.now();
  let ops = 0;
  do ops += run(); while (performance.now() - t0 < 20);
  return (performance.now() - t0) * 1e3 / ops;
}

console.log(machineLine());
console.log(`alloc + free, microseconds (median of ${rounds} rounds); base = ${base}, new = this tree (dist/)\n`);
const rows = [];
for (const n of counts) {
  const runs = { base: prepare(BaseArena, n), now: prepare(Arena, n) };
  for (const run of Object.values(runs)) for (let i = 0; i < 3; i++) run(); // JIT warm-up
  const times = { base: [], now: [] };
  for (let r = 0; r < rounds; r++) for (const key of ['base', 'now']) times[key].push(round(runs[key]));
  const b = median(times.base), a = median(times.now);
  rows.push([String(n), b.toFixed(3), a.toFixed(3), (b / a).toFixed(1) + 'x']);
}
console.log(table(['distinct free sizes', `base ${base} us`, 'new us', 'speed-up'], rows));
