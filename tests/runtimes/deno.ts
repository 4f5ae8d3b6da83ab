/**
 * Deno with WebGPU: wgpu over Vulkan, which on a machine without a GPU is Mesa's lavapipe
 * (Debian `mesa-vulkan-drivers`). Runs one script with XDG_RUNTIME_DIR pointed at a temp
 * directory (Deno warns without one) and reads its stdout line by line. The child is killed
 * by pid on timeout.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunCollector } from './protocol.js';
import { REPO_ROOT } from './server.js';

const LAVAPIPE_ICDS = ['lvp_icd.x86_64.json', 'lvp_icd.json', 'lvp_icd.aarch64.json']
  .map((f) => join('/usr/share/vulkan/icd.d', f));

/** The deno binary from the `deno` devDependency, else `npx deno`. */
export function denoCommand(): [string, string[]] {
  const local = join(REPO_ROOT, 'node_modules', '.bin', 'deno');
  return existsSync(local) ? [local, []] : ['npx', ['deno']];
}

/** Throws (never skips) when Deno's WebGPU cannot get an adapter here, naming the package. */
export function requireLavapipe(): void {
  if (!LAVAPIPE_ICDS.some(existsSync)) {
    throw new Error('no Vulkan driver for Deno\'s WebGPU (lavapipe ICD missing under /usr/share/vulkan/icd.d); ' +
      'install it: apt-get install -y mesa-vulkan-drivers');
  }
}

export async function runDeno(script: string, args: string[], timeoutMs: number,
  onLine?: (line: string) => void): Promise<RunCollector> {
  const collector = new RunCollector();
  const runtimeDir = mkdtempSync(join(tmpdir(), 'sora-deno-'));
  const [command, prefix] = denoCommand();
  const child = spawn(command, [...prefix, 'run', '--allow-read', '--allow-env', '--no-prompt', script, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, XDG_RUNTIME_DIR: runtimeDir, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  let pending = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      onLine?.(line);
      collector.line(line);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) {
      if (line && !/XDG_RUNTIME_DIR/.test(line)) { stderr.push(line); collector.line(`stderr: ${line}`); }
    }
    if (stderr.length > 100) stderr.splice(0, stderr.length - 100);
  });
  const exited = new Promise<number | null>((resolve) => {
    child.on('error', (error) => {
      collector.fail(`could not start deno (${command}): ${error.message}; \`npm ci\` installs the deno devDependency`);
      resolve(null);
    });
    child.on('exit', (code) => resolve(code));
  });
  const timer = setTimeout(() => {
    collector.fail(`timed out after ${timeoutMs} ms`);
    if (child.pid) { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } }
  }, timeoutMs);
  const code = await exited;
  clearTimeout(timer);
  if (pending) collector.line(pending);
  rmSync(runtimeDir, { recursive: true, force: true });
  if (!collector.summary) {
    collector.fail(`deno exited with code ${code} before finishing; stderr:\n${stderr.slice(-30).join('\n')}`);
  }
  return collector;
}
