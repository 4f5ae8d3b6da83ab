/**
 * The results of bench/suite.mjs: a JSON file bench/results/<runtime>-<date>.json and a
 * markdown table of throughput (GFLOP/s for GEMM, million elements/s for softmax, the
 * cross-entropy gradient and Adam, examples/s for an MLP epoch) per contender, with the
 * ratios sora / TF.js on the same kind of backend. Runs in Node and Deno (node:fs).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const resultsDir = fileURLToPath(new URL('./results', import.meta.url));

/** Throughput of a row result: work per second in the row's unit. */
export function throughput(row) {
  const perSecond = row.work / (row.median / 1000);
  return row.unit === 'GFLOP/s' ? perSecond / 1e9 : row.unit === 'Melem/s' ? perSecond / 1e6 : perSecond;
}

const format = (value) => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));

/** The markdown table: one line per benchmark row, one column per contender, then ratios. */
export function markdownTable(result) {
  const names = result.contenders.filter((c) => !c.skipped).map((c) => c.name);
  const labels = [...new Set(result.rows.map((r) => r.label))];
  const cell = (label, name) => result.rows.find((r) => r.label === label && r.contender === name);
  const best = (label, prefix) => Math.max(0, ...names.filter((n) => n.startsWith(prefix))
    .map((n) => cell(label, n)).filter((r) => r && !r.error).map(throughput));
  const ratios = [['sora wasm / tfjs wasm', 'sora wasm', 'tfjs wasm'], ['sora webgpu / tfjs webgpu', 'sora webgpu', 'tfjs webgpu']]
    .filter(([, a, b]) => names.some((n) => n.startsWith(a)) && names.some((n) => n.startsWith(b)));
  const header = ['benchmark', 'unit', ...names, ...ratios.map(([title]) => title)];
  const lines = labels.map((label) => {
    const unit = result.rows.find((r) => r.label === label && r.unit)?.unit ?? '';
    const cells = names.map((name) => {
      const row = cell(label, name);
      return !row ? '-' : row.error ? 'error' : format(throughput(row));
    });
    const ratioCells = ratios.map(([, a, b]) => {
      const x = best(label, a), y = best(label, b);
      return x > 0 && y > 0 ? `${(x / y).toFixed(2)}x` : '-';
    });
    return [label, unit, ...cells, ...ratioCells];
  });
  const row = (cells) => `| ${cells.join(' | ')} |`;
  return [row(header), row(header.map(() => '---')), ...lines.map(row)].join('\n');
}

/**
 * Rows where a contender's result disagrees with the first contender's (sum and sum of
 * absolute values, relative to the latter, beyond 1e-3): a fast wrong kernel shows here.
 */
export function disagreements(result) {
  const out = [];
  for (const label of new Set(result.rows.map((r) => r.label))) {
    const checked = result.rows.filter((r) => r.label === label && r.check);
    const [first, ...others] = checked;
    for (const other of others) {
      const scale = Math.max(first.check[1], 1e-6);
      if (Math.abs(first.check[0] - other.check[0]) > 1e-3 * scale || Math.abs(first.check[1] - other.check[1]) > 1e-3 * scale) {
        out.push(`${label}: ${other.contender} gives sum ${other.check[0]} (|sum| ${other.check[1]}), ${first.contender} ${first.check[0]} (${first.check[1]})`);
      }
    }
  }
  return out;
}

/** Lines naming each contender, and why any was skipped. */
export function contenderLines(result) {
  return result.contenders.map((c) => c.skipped ? `- ${c.name}: skipped (${c.skipped})`
    : `- ${c.name}: ${c.description}${c.wasmBuild ? `, build ${c.wasmBuild}` : ''}${c.threads ? `, ${c.threads} thread${c.threads === 1 ? '' : 's'}` : ''}${c.adapter && c.backend === 'webgpu' ? `, adapter ${c.adapter}` : ''}`);
}

/** Writes bench/results/<runtime>-<YYYY-MM-DD>.json (or `path`); returns the path. */
export function writeResults(result, path = null) {
  const date = new Date().toISOString().slice(0, 10);
  const file = path ?? join(resultsDir, `${result.runtime.name.toLowerCase()}-${date}.json`);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify({ ...result, date: new Date().toISOString() }, null, 1)}\n`);
  return file;
}

/** Prints the header, the contenders, the table and errors, and where the JSON went. */
export function printReport(result, file) {
  console.log(`\n${result.runtime.name} ${result.runtime.version}: sora ${result.sora}, TF.js ${result.tfjs}; ` +
    `median of ${result.reps} reps${result.machine ? `; ${result.machine}` : ''}`);
  console.log(contenderLines(result).join('\n'));
  console.log(`\n${markdownTable(result)}\n`);
  for (const row of result.rows.filter((r) => r.error)) console.log(`error: ${row.contender}, ${row.label}: ${row.error}`);
  const disagree = disagreements(result);
  for (const line of disagree) console.log(`results differ: ${line}`);
  if (!disagree.length && result.rows.some((r) => r.check)) console.log('every contender gave the same results (GEMM, softmax, cross-entropy gradient) within 1e-3');
  console.log(`results: ${file}`);
}
