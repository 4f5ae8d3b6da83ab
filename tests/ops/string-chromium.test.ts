/**
 * String tensors in headless Chromium, with sora on the wasm and reference backends, against
 * TF.js (cpu) in the same page: the strings live in JavaScript whichever backend is active,
 * so creation, toString, the shape ops, the comparisons (their bool result read with
 * `await data()`), tf.string and tf.memory() give what they give in Node. (The webgpu backend
 * is left out: this suite must pass where Chromium finds no GPU adapter.) Fails (never skips)
 * where Chromium is missing.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openTfjsPage, type TfjsPage } from '../runtimes/tfjs-page.js';

let opened: TfjsPage | undefined;

/** The program, run in the page by `library` on `backend`: each step's shape, dtype, values and text. */
async function runInPage(library: 'sora' | 'tf', backend: string): Promise<unknown[]> {
  return opened!.page.evaluate(async (library, backend) => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const l = (window as unknown as Record<string, any>)[library];
    await l.setBackend(backend);
    const words = ['a', 'bb', 'é', '日本', '', "it's"];
    const x = l.tensor(words, [2, 3]);
    const steps = [
      () => x, () => l.scalar('s'), () => l.fill([2, 2], 'f', 'string'), () => x.reshape([3, 2]),
      () => l.slice(x, [0, 1], [2, 2]), () => l.concat([x, x], 1), () => l.stack([x, x]), () => l.tile(x, [2, 1]),
      () => l.unstack(x, 1)[2], () => x.expandDims(0), () => l.clone(x), () => l.equal(x, l.scalar('é')),
      () => l.notEqual(x, l.tensor(['a', 'x', 'é'])), () => l.less(x, l.scalar('b')),
      () => l.string.stringSplit(['a b', 'c'], ' ').values, () => l.string.stringToHashBucketFast(x, 7),
      () => l.string.staticRegexReplace(x, 'b', 'B'),
      () => l.string.stringNGrams(['a', 'b', 'c'], l.tensor([0, 1, 3], [3], 'int32'), '|', [2], 'L', 'R', -1, false).nGrams,
    ];
    const out: unknown[] = [];
    for (const step of steps) {
      const t = step();
      out.push({ shape: t.shape, dtype: t.dtype, values: Array.from(await t.data()), text: t.toString() });
    }
    const before = l.memory().numBytes;
    const m = l.tensor(['abc', 'é']);
    out.push(l.memory().numBytes - before);
    m.dispose();
    return out;
  }, library, backend);
}

describe('string tensors in headless Chromium', () => {
  beforeAll(async () => {
    const wasm = (name: string): [string, Uint8Array] => ['application/wasm', readFileSync(`build/${name}`)];
    opened = await openTfjsPage('src/index.ts', 'sora',
      { '/wasm/sora-simd.wasm': wasm('sora-simd.wasm'), '/wasm/sora-relaxed.wasm': wasm('sora-relaxed.wasm') });
    await opened.page.evaluate(() => (window as unknown as { sora: { setWasmPaths(p: string): void } }).sora.setWasmPaths('/wasm/'));
  }, 120_000);
  afterAll(async () => { await opened?.close(); });

  test('on the wasm and reference backends, as TF.js (cpu) in the same page', async () => {
    const expected = await runInPage('tf', 'cpu');
    for (const backend of ['wasm', 'reference']) {
      const got = await runInPage('sora', backend);
      expect(await opened!.page.evaluate(() => (window as unknown as { sora: { getBackend(): string } }).sora.getBackend())).toBe(backend);
      expect(got, backend).toEqual(expected);
    }
  }, 120_000);
});
