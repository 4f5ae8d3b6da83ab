#!/usr/bin/env node
/**
 * Start-up time in Node, each sample a fresh process: from `import('sora')` to the first op's
 * result (a 2x2 matMul read with dataSync), when the program awaits ready() first ('ready',
 * the async path: fetch/read and WebAssembly.compile) and when it does not ('sync': the first
 * op reads the build and compiles it with new WebAssembly.Module). Prints the median and the
 * fastest of each, in ms. Another build's dist/index.js can be given, to compare the 'ready'
 * path before and after a change (a build whose first op throws is reported as such). Not a test:
 *   npx tsc -p tsconfig.json && node bench/sync-start.mjs [samples=15] [path to dist/index.js]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const samples = Number(process.argv[2] ?? 15);
const entry = pathToFileURL(process.argv[3] ?? fileURLToPath(new URL('../dist/index.js', import.meta.url))).href;

const program = (mode) => `
  const t0 = performance.now();
  const sora = await import(${JSON.stringify(entry)});
  const t1 = performance.now();
  if (${mode === 'ready'}) await sora.ready();
  const t2 = performance.now();
  const y = sora.matMul(sora.tensor2d([[1, 2], [3, 4]]), sora.tensor2d([[5], [6]])).dataSync();
  const t3 = performance.now();
  if (y[0] !== 17 || y[1] !== 39) throw new Error('wrong result ' + y);
  console.log(JSON.stringify({ import: t1 - t0, start: t2 - t1, firstOp: t3 - t2, total: t3 - t0, backend: sora.getBackend() }));
`;

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const runs = { ready: [], sync: [] };
const failures = {};
// Interleaved, so that a busy moment of the machine costs both modes alike.
for (let i = 0; i < samples; i++) {
  for (const mode of ['ready', 'sync']) {
    if (failures[mode]) continue;
    try {
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', program(mode)], { encoding: 'utf8', stdio: 'pipe' });
      runs[mode].push(JSON.parse(out.trim().split('\n').pop()));
    } catch (error) {
      failures[mode] = String(error.stderr ?? error.message).split('\n').find((line) => /^\w*Error: /.test(line)) ?? 'failed';
    }
  }
}
console.log(`${entry}, Node ${process.versions.node}, ${samples} fresh processes each; ms, median (fastest)`);
console.log('mode   backend  import         ready()        first op       import to result');
for (const [mode, message] of Object.entries(failures)) console.log(`${mode.padEnd(7)}throws: ${message.trim()}`);
for (const [mode, list] of Object.entries(runs)) {
  if (list.length === 0) continue;
  const cell = (key) => `${median(list.map((r) => r[key])).toFixed(1)} (${Math.min(...list.map((r) => r[key])).toFixed(1)})`.padEnd(15);
  console.log(`${mode.padEnd(7)}${list[0].backend.padEnd(9)}${cell('import')}${cell('start')}${cell('firstOp')}${cell('total')}`);
}
