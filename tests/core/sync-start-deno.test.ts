/**
 * No `await ready()` needed, in Deno (issue 15): run by the deno binary from the sources, a
 * TF.js-style script whose first line is an op starts wasm at once where Deno may read the
 * build (--allow-read), starts reference where it may not and says why in env().syncStart,
 * and starts wasm from sora/wasm-inline with no permission at all. A model made before
 * `await ready()` keeps training after it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const DENO = resolve('node_modules/.bin/deno');
let dir: string;

beforeAll(async () => {
  if (!existsSync(DENO)) throw new Error(`deno not found at ${DENO}: run npm ci (the deno devDependency ships the binary)`);
  dir = await mkdtemp(join(tmpdir(), 'sora-deno-sync-'));
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

interface Report {
  first: string;
  product: number[][];
  syncStart: { backend: string; passedOver: string[] } | null;
  description: string;
  losses: number[];
  afterReady?: { backend: string; syncStart: unknown; losses: number[]; samePrediction: boolean };
}

/** The script: an op on its first line, then a small fit; `ready` awaits ready() and fits on. */
async function runScript(entry: string, permissions: string[], ready: boolean): Promise<Report> {
  const script = join(dir, `script-${permissions.length}-${ready}.ts`);
  await writeFile(script, `
    import * as tf from '${pathToFileURL(resolve(entry)).href}';
    const product = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])).arraySync();
    const first = tf.getBackend();
    const syncStart = tf.env().syncStart;
    const description = tf.env().description;
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1, kernelInitializer: 'zeros' })] });
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'meanSquaredError' });
    const xs = tf.tensor2d([[0, 1], [1, 0], [1, 1], [2, 1]]);
    const ys = tf.tensor2d([[1], [2], [3], [5]]);
    const h = await model.fit(xs, ys, { epochs: 4, batchSize: 4, verbose: 0 });
    const report: Record<string, unknown> = { first, product, syncStart, description, losses: h.history.loss };
    if (${ready}) {
      const before = model.predict(xs).dataSync();
      await tf.ready();
      const after = model.predict(xs).dataSync();
      const h2 = await model.fit(xs, ys, { epochs: 4, batchSize: 4, verbose: 0 });
      report.afterReady = { backend: tf.getBackend(), syncStart: tf.env().syncStart, losses: h2.history.loss,
        samePrediction: Array.from(before).every((v, i) => Math.abs(v - after[i]) < 1e-6) };
    }
    console.log(JSON.stringify(report));
  `);
  const stdout = await new Promise<string>((done, fail) => {
    execFile(DENO, ['run', '--sloppy-imports', '--no-prompt', ...permissions, script],
      { timeout: 90_000, env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', XDG_RUNTIME_DIR: dir } },
      (error, out, stderr) => (error ? fail(new Error(`${error.message}\n${stderr}`)) : done(out)));
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Report;
}

function expectTrained(report: Report): void {
  expect(report.product).toEqual([[17], [39]]);
  expect(report.losses.length).toBe(4);
  expect(report.losses[3]).toBeLessThan(report.losses[0]);
}

describe('Deno: the first op starts a backend at once', () => {
  test('with --allow-read: wasm, read beside the module; after ready() the model trains on', async () => {
    const report = await runScript('src/index.ts', ['--allow-read', '--allow-env'], true);
    expect(report.first).toBe('wasm');
    expect(report.description).toBe('wasm (SIMD + relaxed SIMD)');
    expect(report.syncStart).toEqual({ backend: 'wasm', passedOver: ['webgpu: starts only asynchronously (await sora.ready())'] });
    expectTrained(report);
    // Deno's WebGPU here has no hardware adapter (lavapipe runs on the CPU), which 'auto' passes over.
    expect(report.afterReady!.backend).toBe('wasm');
    expect(report.afterReady!.syncStart).toBeNull();
    expect(report.afterReady!.samePrediction).toBe(true);
    expect(report.afterReady!.losses[0]).toBeLessThan(report.losses[3] + 1e-6);
  }, 120_000);

  test('without read permission: reference, and env().syncStart says why wasm did not start', async () => {
    const report = await runScript('src/index.ts', [], false);
    expect(report.first).toBe('reference');
    expect(report.syncStart!.backend).toBe('reference');
    expect(report.syncStart!.passedOver[1]).toBe(
      `wasm: Deno has no read permission for ${resolve('build/sora-relaxed.wasm')} (run with --allow-read)`);
    expectTrained(report);
  }, 120_000);

  test('sora/wasm-inline with no permission at all: wasm from the inlined build', async () => {
    const report = await runScript('src/wasm-inline.ts', [], false);
    expect(report.first).toBe('wasm');
    expect(report.description).toBe('wasm (SIMD + relaxed SIMD)');
    expectTrained(report);
  }, 120_000);
});
