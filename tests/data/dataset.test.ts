/** tf.data: sources, Dataset methods against TF.js's tf.data, csv from a file, streaming and memory. */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';

beforeAll(async () => {
  await sora.setBackend('wasm');
  await tf.setBackend('cpu');
});

/** Tensors and nested structures as plain arrays, for comparing the two libraries. */
async function plain(value: unknown): Promise<unknown> {
  if (value instanceof sora.Tensor || value instanceof tf.Tensor) return (value as { arraySync(): unknown }).arraySync();
  if (Array.isArray(value)) return Promise.all(value.map(plain));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await plain(v)])));
  }
  return value;
}

describe('Dataset methods give what TF.js gives', () => {
  it('array, map, filter, batch of objects and rows, take, skip, repeat, concatenate, zip', async () => {
    const items = Array.from({ length: 11 }, (_, i) => ({ xs: [i, i * 2], ys: i % 3 }));
    const pipelines: [string, (d: typeof sora.data) => unknown][] = [
      ['map filter batch', (d) => d.array(items).map((e: { xs: number[]; ys: number }) => ({ xs: e.xs, ys: e.ys + 1 }))
        .filter((e: { ys: number }) => e.ys !== 2).batch(3)],
      ['skip take repeat', (d) => d.array(items).skip(2).take(4).repeat(2).batch(5)],
      ['concatenate', (d) => d.array([1, 2, 3]).concatenate(d.array([4, 5]) as never).batch(2)],
      ['zip of a dict', (d) => d.zip({ a: d.array([1, 2, 3]), b: d.array([[1, 1], [2, 2], [3, 3]]) } as never).batch(2)],
      ['zip of a list', (d) => d.zip([d.array([1, 2, 3]), d.array([5, 6])] as never)],
      ['batch without the small last batch', (d) => d.array(items).batch(4, false)],
      ['prefetch', (d) => d.array(items).prefetch(3).take(5)],
      ['take(-1) takes all', (d) => d.array([1, 2, 3]).take(-1)],
    ];
    for (const [name, make] of pipelines) {
      const ours = await (make(sora.data) as sora.data.Dataset<unknown>).toArray();
      const theirs = await (make(tf.data as unknown as typeof sora.data) as unknown as tf.data.Dataset<tf.TensorContainer>).toArray();
      expect(await plain(ours), name).toEqual(await plain(theirs));
    }
  });

  it('generator and func datasets restart on each pass; forEachAsync and iterator walk them', async () => {
    let calls = 0;
    const gen = sora.data.generator(function* () { calls++; for (let i = 0; i < 3; i++) yield i; });
    expect(await gen.toArray()).toEqual([0, 1, 2]);
    expect(await gen.toArray()).toEqual([0, 1, 2]);
    expect(calls).toBe(2);
    let n = 0;
    const counted = sora.data.func(() => (n < 4 ? { value: n++, done: false } : { value: undefined, done: true }));
    const seen: number[] = [];
    await counted.forEachAsync((v) => { seen.push(v as number); });
    expect(seen).toEqual([0, 1, 2, 3]);
    const it = await sora.data.array([7, 8]).iterator();
    expect([await it.next(), await it.next(), (await it.next()).done]).toEqual([{ done: false, value: 7 }, { done: false, value: 8 }, true]);
    const asyncGen = sora.data.generator(async function* () { yield { xs: sora.tensor([1, 2]), ys: sora.scalar(3) }; });
    const [batch] = await asyncGen.batch(1).toArray() as { xs: sora.Tensor; ys: sora.Tensor }[];
    expect(batch.xs.shape).toEqual([1, 2]);
    expect(batch.ys.shape).toEqual([1]);
  });

  it('shuffle: a seed repeats the order, every element appears once, a small buffer shuffles locally', async () => {
    const range = Array.from({ length: 50 }, (_, i) => i);
    const a = await sora.data.array(range).shuffle(50, 7).toArray();
    const b = await sora.data.array(range).shuffle(50, 7).toArray();
    expect(a).toEqual(b);
    expect(a).not.toEqual(range);
    expect([...a].sort((x, y) => x - y)).toEqual(range);
    const ds = sora.data.array(range).shuffle(50, 7);
    expect(await ds.toArray()).not.toEqual(await ds.toArray()); // reshuffled each pass
    const local = await sora.data.array(range).shuffle(3, 1).toArray();
    local.forEach((v, i) => expect(Math.abs(v - i)).toBeLessThanOrEqual(i + 3));
    expect(local[0]).toBeLessThan(3); // drawn from the first 3
  });

  it('map, filter and batch dispose the tensors they consume; memory stays flat over a pass', async () => {
    const ds = sora.data.generator(function* () { for (let i = 0; i < 40; i++) yield { xs: sora.fill([4], i), ys: sora.scalar(i) }; })
      .map((e: { xs: sora.Tensor; ys: sora.Tensor }) => ({ xs: sora.mul(e.xs, 2), ys: e.ys }))
      .filter((e: { ys: sora.Tensor }) => e.ys.dataSync()[0] % 2 === 0)
      .batch(5);
    const before = sora.memory().numTensors;
    await ds.forEachAsync((b) => { sora.dispose(Object.values(b as Record<string, sora.Tensor>)); });
    expect(sora.memory().numTensors).toBe(before);
  });

  it('a stream is pulled as it is consumed, never loaded whole', async () => {
    let produced = 0;
    const endless = sora.data.generator(function* () { for (;;) { produced++; yield produced; } });
    const firstFive = await endless.take(5).toArray();
    expect(firstFive).toEqual([1, 2, 3, 4, 5]);
    expect(produced).toBeLessThanOrEqual(6);
    await expect(endless.repeat().toArray()).rejects.toThrow(/endless/);
  });

  it('batch of elements of different shapes names where', async () => {
    await expect(sora.data.array([{ xs: [1, 2] }, { xs: [1, 2, 3] }]).batch(2).toArray()).rejects.toThrow(/batch: element 1 at xs has shape \[3\], element 0 has \[2\]/);
    await expect(sora.data.array([{ xs: 1 }, { ys: 2 }]).batch(2).toArray()).rejects.toThrow(/batch: element 1 has no 'xs'/);
  });

  it('batch of strings and booleans (a CSV\'s text columns) gives string and bool tensors, as TF.js', async () => {
    const items = [
      { city: 'Paris', tags: ['a', 'b'], ok: true, n: 1 },
      { city: 'Lyon', tags: ['c', 'd'], ok: false, n: 2 },
      { city: 'Nice', tags: ['e', 'f'], ok: true, n: 3 },
    ];
    const ours = await sora.data.array(items).batch(2).toArray() as Record<string, sora.Tensor>[];
    const theirs = await tf.data.array(items as never).batch(2).toArray() as unknown as Record<string, tf.Tensor>[];
    expect(ours.length).toBe(theirs.length);
    for (let b = 0; b < ours.length; b++) {
      for (const key of ['city', 'tags', 'ok', 'n']) {
        expect(ours[b][key].dtype).toBe(theirs[b][key].dtype);
        expect(ours[b][key].shape).toEqual(theirs[b][key].shape);
        expect(ours[b][key].arraySync()).toEqual(theirs[b][key].arraySync());
      }
    }
    expect(ours[0].city.dtype).toBe('string');
    expect(ours[0].ok.dtype).toBe('bool');
    await expect(sora.data.array([{ c: 'x' }, { c: 2 }]).batch(2).toArray()).rejects.toThrow(/batch: element 1 at c is not strings like element 0/);
  });

  it("batch keeps a key read from a file ('__proto__') an own property and never touches the prototype", async () => {
    const rows = [JSON.parse('{"__proto__": 1, "a": 2}'), JSON.parse('{"__proto__": 3, "a": 4}')];
    const [batch] = await sora.data.array(rows).batch(2).toArray() as Record<string, sora.Tensor>[];
    expect(Object.hasOwn(batch, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(batch)).toBe(Object.prototype);
    expect((Object.getOwnPropertyDescriptor(batch, '__proto__')!.value as sora.Tensor).arraySync()).toEqual([1, 3]);
    expect(batch.a.arraySync()).toEqual([2, 4]);
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });
});

describe('tf.data.csv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sora-csv-'));
  const file = join(dir, 'houses.csv');
  writeFileSync(file, 'rooms,area,"city, state",price\r\n3,120.5,"Paris, FR",300\n2,80,"Lyon ""old""",180\n\n4,150,Nice,410\n');

  it('reads file:// as a stream: the header names the columns, isLabel makes {xs, ys}, quotes and CRLF work', async () => {
    const ds = sora.data.csv(`file://${file}`, { columnConfigs: { price: { isLabel: true } } });
    expect(await ds.columnNames()).toEqual(['rooms', 'area', 'city, state', 'price']);
    const rows = await ds.toArray();
    expect(rows).toEqual([
      { xs: { rooms: 3, area: 120.5, 'city, state': 'Paris, FR' }, ys: { price: 300 } },
      { xs: { rooms: 2, area: 80, 'city, state': 'Lyon "old"' }, ys: { price: 180 } },
      { xs: { rooms: 4, area: 150, 'city, state': 'Nice' }, ys: { price: 410 } },
    ]);
    const numeric = sora.data.csv(`file://${file}`, { columnConfigs: { rooms: {}, area: {}, price: { isLabel: true } }, configuredColumnsOnly: true })
      .map((e) => ({ xs: Object.values(e.xs as Record<string, number>), ys: Object.values(e.ys as Record<string, number>) }))
      .batch(2);
    const [first] = await numeric.toArray() as { xs: sora.Tensor; ys: sora.Tensor }[];
    expect(first.xs.arraySync()).toEqual([[3, 120.5], [2, 80]]);
    expect(first.ys.shape).toEqual([2, 1]);
  });

  it('without a header, columnNames; a row of the wrong width names its line; an unknown config key is an error', async () => {
    const bare = join(dir, 'bare.csv');
    writeFileSync(bare, '1,2\n3,4\n5\n');
    const ds = sora.data.csv(`file://${bare}`, { hasHeader: false, columnNames: ['a', 'b'] });
    await expect(ds.toArray()).rejects.toThrow(/data.csv: line 3 has 1 fields, expected 2 \(a, b\)/);
    await expect(sora.data.csv(`file://${file}`, { columnConfigs: { prize: { isLabel: true } } }).toArray())
      .rejects.toThrow(/columnConfigs has 'prize', which is not a column/);
    await expect(sora.data.csv(`file://${join(dir, 'missing.csv')}`).toArray()).rejects.toThrow(/cannot read/);
  });
});
