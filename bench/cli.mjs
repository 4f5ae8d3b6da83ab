/**
 * The command line shared by bench/node.mjs and bench/deno.mjs: flags, contenders for the
 * runtime, the run, the results file and the table (see bench/suite.mjs for what is timed).
 */
import { cpus } from 'node:os';
import { packageVersion, parseFlags } from './common.mjs';
import { soraContenders, tfjsContenders } from './contenders.mjs';
import { printReport, writeResults } from './report.mjs';
import { rows, runSuite } from './suite.mjs';

const argv = globalThis.Deno ? Deno.args : process.argv.slice(2);
const flags = parseFlags(argv, {
  reps: 'number', quick: 'boolean', sizes: 'string', only: 'string', 'mlp-examples': 'number', 'no-tfjs': 'boolean',
  out: 'string', 'rep-ms': 'number', verbose: 'boolean',
});

export async function benchCli({ runtime, webgpu = false }) {
  const sora = await import('../dist/index.js');
  const { softmaxCrossEntropy } = await import('../dist/ops/nn.js');
  const reps = flags.reps ?? (flags.quick ? 3 : 5);
  const only = flags.only?.split(',') ?? null;
  const mlpExamples = flags.mlpExamples ?? (flags.quick ? 3000 : 12_000);
  const mnist = !only || only.includes('mlp') ? (await sora.data.loadMnist({ trainLimit: mlpExamples, testLimit: 1 })).train : null;
  const list = rows({ sizes: (flags.sizes ?? (flags.quick ? '64,256' : '64,256,1024')).split(',').map(Number), only, mnist, mlpExamples });
  const contenders = soraContenders(sora, softmaxCrossEntropy, { variants: ['simd', 'relaxed'], webgpu });
  if (!flags.noTfjs) {
    const tf = await import('@tensorflow/tfjs');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setThreadsCount(1);
    contenders.push(...tfjsContenders(tf, { wasm, webgpu: false }));
  }
  const result = { runtime, sora: packageVersion(), tfjs: packageVersion('@tensorflow/tfjs'),
    machine: `${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'})`, reps, contenders: [], rows: [] };
  await runSuite({
    contenders, list, reps, repMs: flags.repMs ?? 25,
    emit: (kind, payload) => {
      if (kind === 'contender') { result.contenders.push(payload); console.log(`${payload.name}: ${payload.skipped ? `skipped (${payload.skipped})` : payload.description}`); }
      else { result.rows.push(payload); if (flags.verbose) console.log(payload); else process.stdout.write(payload.error ? 'x' : '.'); }
    },
  });
  process.stdout.write('\n');
  printReport(result, writeResults(result, flags.out ?? null));
}

