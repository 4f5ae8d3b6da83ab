/** tf.data.TextLineDataset, FileDataSource and URLDataSource against TF.js's (Node: file:// and fetch). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';

const TEXTS = [
  'first line\nsecond\r\n\nfourth after an empty line\n',
  'no trailing newline\r\nlast',
  'unicode é 日本語 🙂\nacross chunks\n\n\n',
  '',
  '\n',
];

let dir: string;
let server: Server;
let base: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sora-textline-'));
  TEXTS.forEach((text, i) => writeFileSync(join(dir, `t${i}.txt`), text));
  server = createServer((req, res) => {
    const i = Number(/\/t(\d+)\.txt$/.exec(req.url ?? '')?.[1]);
    if (!(i in TEXTS)) { res.writeHead(404); res.end(); return; }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(TEXTS[i]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  base = `http://127.0.0.1:${address.port}`;
});
afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('TextLineDataset', () => {
  it('lines of a Uint8Array in chunks of any size, as TF.js', async () => {
    for (const text of TEXTS) {
      const bytes = new TextEncoder().encode(text);
      for (const chunkSize of [1, 3, 1024]) {
        const ours = await new sora.data.TextLineDataset(new sora.data.FileDataSource(bytes, { chunkSize })).toArray();
        const theirs = await new tf.data.TextLineDataset(new tf.data.FileDataSource(bytes, { chunkSize })).toArray();
        expect(ours, `${JSON.stringify(text)} chunkSize ${chunkSize}`).toEqual(theirs);
      }
    }
  });

  it('lines of a file:// path (FileDataSource and URLDataSource), as TF.js', async () => {
    for (let i = 0; i < TEXTS.length; i++) {
      const url = `file://${join(dir, `t${i}.txt`)}`;
      const theirs = await new tf.data.TextLineDataset(new tf.data.FileDataSource(url)).toArray();
      expect(await new sora.data.TextLineDataset(new sora.data.FileDataSource(url)).toArray(), url).toEqual(theirs);
      expect(await new sora.data.TextLineDataset(new sora.data.URLDataSource(url)).toArray(), url).toEqual(theirs);
    }
  });

  it('lines of a fetched URL, and each iterator() reads again', async () => {
    for (let i = 0; i < TEXTS.length; i++) {
      const expected = await new tf.data.TextLineDataset(new tf.data.FileDataSource(new TextEncoder().encode(TEXTS[i]))).toArray();
      const ds = new sora.data.TextLineDataset(new sora.data.URLDataSource(`${base}/t${i}.txt`));
      expect(await ds.toArray()).toEqual(expected);
      expect(await ds.toArray()).toEqual(expected);
    }
    const lines = await new sora.data.TextLineDataset(new sora.data.URLDataSource(`${base}/t0.txt`)).take(2).toArray();
    expect(lines).toEqual(['first line', 'second']);
  });

  it('errors name what was received', async () => {
    await expect(new sora.data.TextLineDataset(new sora.data.URLDataSource(`${base}/missing.txt`)).toArray())
      .rejects.toThrow(/URLDataSource: fetching .*missing.txt failed: HTTP 404/);
    await expect(new sora.data.TextLineDataset(new sora.data.FileDataSource(`file://${join(dir, 'nope.txt')}`)).toArray())
      .rejects.toThrow(/FileDataSource: cannot read/);
    expect(() => new sora.data.FileDataSource('data.txt')).toThrow(/expected a file:\/\/ path, a Uint8Array, or a File \/ Blob; received "data.txt"/);
    expect(() => new sora.data.FileDataSource(new Uint8Array(1), { chunkSize: 0 })).toThrow('chunkSize must be a positive integer; received 0');
    expect(() => new sora.data.TextLineDataset({} as never)).toThrow(/expected a DataSource/);
  });

  it('the names live where TF.js has them', () => {
    for (const name of ['TextLineDataset', 'FileDataSource', 'URLDataSource']) {
      expect(typeof (sora.data as Record<string, unknown>)[name]).toBe(typeof (tf.data as Record<string, unknown>)[name]);
    }
  });
});
