/**
 * The Deno paths (Deno.readFile / writeFile / mkdir / stat): file:// save and load, and
 * loadMnist with its default folder, and tf.data.csv's streamed file:// reads, run by the deno
 * binary from the sources.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const DENO = resolve('node_modules/.bin/deno');
const hasDeno = existsSync(DENO);
let dir: string;

beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'sora-deno-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

function runDeno(script: string): Promise<string> {
  return new Promise((done, fail) => {
    execFile(DENO, ['run', '--sloppy-imports', '--no-prompt', `--allow-read`, `--allow-write=${dir}`, script],
      { timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } },
      (error, stdout, stderr) => (error ? fail(new Error(`${error.message}\n${stderr}`)) : done(stdout)));
  });
}

describe('Deno', () => {
  beforeAll(() => {
    if (!hasDeno) throw new Error(`deno not found at ${DENO}: run npm ci (the deno devDependency ships the binary)`);
  });
  test('file:// round trip and loadMnist with the default folder', async () => {
    const io = pathToFileURL(resolve('src/io/index.ts')).href;
    const data = pathToFileURL(resolve('src/data/index.ts')).href;
    const script = join(dir, 'check.ts');
    await writeFile(script, `
      import { decodeWeights, encodeWeights, getLoadHandler, getSaveHandler } from '${io}';
      import { loadMnist } from '${data}';
      const out: Record<string, unknown> = {};
      const { weightSpecs, weightData } = encodeWeights([
        { name: 'k', values: new Float32Array([0.25, -8]), shape: [1, 2] },
        { name: 'n', values: new Int32Array([3]), shape: [1] },
      ]);
      const url = 'file://${dir}/nested/model';
      await getSaveHandler(url).save({ modelTopology: { class_name: 'Sequential' }, weightSpecs, weightData,
        format: 'layers-model', generatedBy: 'deno test', convertedBy: null });
      const loaded = decodeWeights(await getLoadHandler(url + '/model.json').load());
      out.k = Array.from(loaded.get('k')!.values);
      out.n = Array.from(loaded.get('n')!.values);
      out.files = [];
      for await (const entry of Deno.readDir('${dir}/nested/model')) (out.files as string[]).push(entry.name);
      (out.files as string[]).sort();
      try { await getLoadHandler('file://${dir}/absent').load(); } catch (e) { out.missing = (e as Error).message; }
      const mnist = await loadMnist({ trainLimit: 3, testLimit: 2 });
      out.mnist = [mnist.train.count, mnist.test.count, Array.from(mnist.train.labels), mnist.rows, mnist.cols];
      console.log(JSON.stringify(out));
    `);
    const result = JSON.parse((await runDeno(script)).trim().split('\n').pop()!);
    expect(result.k).toEqual([0.25, -8]);
    expect(result.n).toEqual([3]);
    expect(result.files).toEqual(['model.json', 'weights.bin']);
    expect(result.missing).toBe(`loading file://${dir}/absent: no file or folder at '${dir}/absent'`);
    expect(result.mnist).toEqual([3, 2, [5, 0, 4], 28, 28]);
  });

  test('tf.data.csv reads file:// as a stream in Deno', async () => {
    const data = pathToFileURL(resolve('src/data/index.ts')).href;
    const csvPath = join(dir, 'rows.csv');
    await writeFile(csvPath, 'a,b,label\n1,2,0\n3,"4",1\n5,6\n');
    const script = join(dir, 'csv.ts');
    await writeFile(script, `
      import { csv } from '${data}';
      const rows: unknown[] = [];
      let error = '';
      try {
        await csv('file://${csvPath}', { columnConfigs: { label: { isLabel: true } } }).forEachAsync((r) => { rows.push(r); });
      } catch (e) { error = (e as Error).message; }
      console.log(JSON.stringify({ rows, error }));
    `);
    const result = JSON.parse((await runDeno(script)).trim().split('\n').pop()!);
    expect(result.rows).toEqual([{ xs: { a: 1, b: 2 }, ys: { label: 0 } }, { xs: { a: 3, b: 4 }, ys: { label: 1 } }]);
    expect(result.error).toMatch(/data.csv: line 4 has 2 fields, expected 3 \(a, b, label\)/);
  });
});
