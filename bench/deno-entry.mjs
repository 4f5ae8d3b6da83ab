/**
 * Runs a benchmark entry (JavaScript source importing sora's TypeScript by absolute path) in
 * Deno: bundles it with esbuild, runs it with `config` as its one argument, and collects the
 * lines it prints as `KIND <json>`: INFO (the last one kept), ROW (all, in order) and FATAL
 * (thrown here). Deno comes from node_modules/.bin, else npx. Used by bench/gpu-conv.mjs and
 * bench/gpu-reduce.mjs.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

/** { info, rows } from running `entrySource` (resolved from `root`) in Deno. */
export async function runEntryInDeno({ entrySource, root, name, config }) {
  const bundle = await build({
    stdin: { contents: entrySource, resolveDir: root, loader: 'js', sourcefile: `${name}-entry.js` },
    bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent',
  });
  const dir = mkdtempSync(join(tmpdir(), `sora-${name}-`));
  const rows = [];
  let info = null, fatal = null;
  try {
    const script = join(dir, 'entry.mjs');
    writeFileSync(script, bundle.outputFiles[0].text);
    const local = join(root, 'node_modules/.bin/deno');
    const [command, prefix] = existsSync(local) ? [local, []] : ['npx', ['deno']];
    const child = spawn(command, [...prefix, 'run', '--allow-read', '--allow-env', script, JSON.stringify(config)],
      { env: { ...process.env, XDG_RUNTIME_DIR: dir }, stdio: ['ignore', 'pipe', 'inherit'] });
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      pending += chunk;
      let newline;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        const space = line.indexOf(' ');
        const kind = line.slice(0, space), payload = line.slice(space + 1);
        if (kind === 'INFO') info = JSON.parse(payload);
        else if (kind === 'ROW') rows.push(JSON.parse(payload));
        else if (kind === 'FATAL') fatal = JSON.parse(payload);
      }
    });
    await new Promise((resolve) => child.on('exit', resolve));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (fatal) throw new Error(fatal);
  return { info, rows };
}
