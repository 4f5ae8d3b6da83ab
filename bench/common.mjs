/**
 * Helpers shared by the Node benchmarks: flags, statistics, plain-text tables, the machine
 * line, and TF.js on its wasm backend pinned to one thread.
 */
import { cpus, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';

/**
 * Flags of the form --name, --name=value or --name value. `spec` maps each known name to
 * 'boolean', 'number' or 'string'; an unknown flag or a bad number throws naming it.
 */
export function parseFlags(argv, spec) {
  const flags = {};
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(argv[i]);
    if (!match || !(match[1] in spec)) {
      throw new Error(`unknown argument ${JSON.stringify(argv[i])}; expected ${Object.keys(spec).map((k) => `--${k}`).join(', ')}`);
    }
    const [, name, inline] = match;
    const kind = spec[name];
    if (kind === 'boolean') { flags[camel(name)] = inline === undefined ? true : inline !== 'false'; continue; }
    const raw = inline ?? argv[++i];
    if (raw === undefined) throw new Error(`--${name} needs a value`);
    if (kind === 'number') {
      const value = Number(raw);
      if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number; received ${raw}`);
      flags[camel(name)] = value;
    } else flags[camel(name)] = raw;
  }
  return flags;
}

const camel = (name) => name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());

export function median(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Rows of cells as a left-aligned text table with a rule under the header. */
export function table(header, rows) {
  const widths = header.map((h, c) => Math.max(String(h).length, ...rows.map((r) => String(r[c] ?? '').length)));
  const line = (cells) => cells.map((cell, c) => String(cell ?? '').padEnd(widths[c])).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Seconds since `start` (a performance.now() reading). */
export const secondsSince = (start) => (performance.now() - start) / 1000;

/** Node, CPU and load, so a reader can judge how noisy the numbers are. */
export function machineLine() {
  const cpu = cpus();
  const load = loadavg().map((l) => l.toFixed(1)).join(' ');
  return `Node ${process.version}, ${cpu.length} CPU${cpu.length === 1 ? '' : 's'} (${cpu[0]?.model.trim() ?? 'unknown'}), load average ${load}`;
}

/** The version of an installed package, or of this repository's own package without a name. */
export function packageVersion(name) {
  const url = new URL(name ? `../node_modules/${name}/package.json` : '../package.json', import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')).version;
}

/**
 * TF.js on its wasm backend with one thread (setThreadsCount must come before setBackend).
 * Node has no cross-origin isolation, so the backend loads its SIMD build without threads
 * anyway; the call makes the single thread explicit. Returns { tf, description }.
 */
export async function tfjsWasm() {
  const tf = await import('@tensorflow/tfjs');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setThreadsCount(1);
  await tf.setBackend('wasm');
  await tf.ready();
  if (tf.getBackend() !== 'wasm') throw new Error(`TF.js: wanted the wasm backend, got ${tf.getBackend()}`);
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
  const multithread = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
  const threads = multithread ? wasm.getThreadsCount() : 1;
  // The binary the backend picks from these flags (tfjs-backend-wasm's getPathToWasmBinary).
  const binary = `tfjs-backend-wasm${multithread && simd ? '-threaded-simd' : simd ? '-simd' : ''}.wasm`;
  const description = `TF.js ${tf.version.tfjs} wasm (${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'}, ${binary})`;
  return { tf, description };
}

/**
 * Puts sora's wasm backend on `threads` threads (--threads; default 1, the one-thread figures
 * the rivals' one-thread rows compare with) and waits until its workers have started, so the
 * first timed call does not run alone. Returns the label for the header ("1 thread", "2 threads").
 */
export async function soraThreads(sora, threads = 1) {
  sora.setThreadsCount(threads);
  const start = Date.now();
  while (sora.env().threads.workersReady < sora.getThreadsCount() - 1) {
    if (Date.now() - start > 20_000) throw new Error(`sora's workers did not start: ${JSON.stringify(sora.env().threads)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const n = sora.getThreadsCount();
  if (n !== threads) throw new Error(`sora runs ${n} threads, not ${threads}: ${sora.env().threads.unavailable}`);
  return `${n} thread${n === 1 ? '' : 's'}`;
}
