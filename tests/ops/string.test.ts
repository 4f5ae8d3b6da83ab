/**
 * The 'string' dtype against TF.js 4.22 (cpu backend), on sora's reference and wasm backends:
 * creation (tensor, scalar, tensorNd, fill), data / dataSync / array / bytes, toString
 * character for character, the shape ops TF.js runs on strings, the comparisons, tf.memory(),
 * dispose / tidy / keep, and the refusals (cast, math ops, variables) naming the op.
 *
 * Where TF.js refuses a shape op on strings (gather, transpose, reverse, where, broadcastTo,
 * split: "must be numeric tensor"), sora runs it; the oracle is then TF.js's own op on the
 * int32 positions of the values, mapped back to the strings, and the test pins that TF.js throws.
 * tf.string.* is in string-ops.test.ts.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { bothThrow } from './both-throw.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Lib = any;
type T = { shape: number[]; dtype: string; arraySync(): unknown; dataSync(): ArrayLike<unknown> };

/** Every tensor in a result (a tensor, an array or an object of them), in a fixed order. */
function tensorsOf(result: unknown): T[] {
  if (Array.isArray(result)) return result.flatMap(tensorsOf);
  if (result && typeof result === 'object' && 'shape' in result && 'dtype' in result) return [result as T];
  if (result && typeof result === 'object') return Object.keys(result).sort().flatMap((k) => tensorsOf((result as Record<string, unknown>)[k]));
  throw new Error(`unexpected result ${String(result)}`);
}

function summary(result: unknown): { shape: number[]; dtype: string; values: unknown }[] {
  return tensorsOf(result).map((t) => ({ shape: t.shape, dtype: t.dtype, values: t.arraySync() }));
}

/** The same program in both libraries: shapes, dtypes and values (strings decoded) agree. */
function same(label: string, run: (lib: Lib) => unknown): void {
  it(label, () => {
    const ours = summary(run(sora));
    const theirs = summary(run(tf));
    expect(ours).toEqual(theirs);
  });
}

/** TF.js refuses `op` on strings; sora gives what TF.js's op gives on the values' positions. */
function beyondTfjs(label: string, values: string[], shape: number[], run: (lib: Lib, x: any) => unknown): void {
  it(`${label}: TF.js refuses strings, sora moves them as TF.js moves their positions`, () => {
    expect(() => run(tf, tf.tensor(values, shape))).toThrow(/must be numeric tensor/);
    const positions = tf.tensor(values.map((_, i) => i), shape, 'int32');
    const expected = tensorsOf(run(tf, positions)).map((t) => ({
      shape: t.shape, dtype: 'string', values: Array.from(t.dataSync() as Int32Array, (i) => values[i]),
    }));
    const actual = tensorsOf(run(sora, sora.tensor(values, shape))).map((t) => ({
      shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync()),
    }));
    expect(actual).toEqual(expected);
  });
}


const WORDS = ['a', 'bb', 'ccc', 'dddd', 'é', 'f', '', '日本', '🙂x', "it's", 'a"b', 'x y'];
const grid = (lib: Lib) => lib.tensor(WORDS, [3, 4]);

/** tf.memory() deltas: a string tensor made from values, a view of it, both disposed. */
function memoryDelta(l: Lib): number[] {
  const before = l.memory();
  const t = l.tensor(['a', 'bb', 'é', '日本', '']);
  const after = l.memory();
  const view = t.reshape([5, 1]);
  const viewed = l.memory();
  view.dispose();
  t.dispose();
  const end = l.memory();
  return [after.numBytes - before.numBytes, after.numTensors - before.numTensors, after.numDataBuffers - before.numDataBuffers,
    viewed.numBytes - after.numBytes, viewed.numTensors - after.numTensors, viewed.numDataBuffers - after.numDataBuffers,
    end.numBytes - before.numBytes, end.numTensors - before.numTensors];
}
/** Bytes tf.memory() grows by for concat's string output. */
function concatGrowth(l: Lib): number {
  const t = l.tensor(['abc']);
  const before = l.memory().numBytes;
  const s = l.concat([t, t]);
  const grew = l.memory().numBytes - before;
  s.dispose();
  t.dispose();
  return grew;
}
/**
 * TF.js's counts, taken first: its numBytes turns NaN for good once a string tensor holds
 * values it cannot measure (numbers given with dtype 'string', tested below).
 */
const tfjsMemory = { made: [] as number[], concat: -1 };

beforeAll(async () => {
  await tf.setBackend('cpu');
  tfjsMemory.made = memoryDelta(tf);
  tfjsMemory.concat = concatGrowth(tf);
});

for (const backend of ['reference', 'wasm'] as const) {
  describe(`on ${backend}`, () => {
    beforeAll(async () => { await sora.setBackend(backend); });

    describe('creation', () => {
      same('tensor of strings, flat and nested', (l) => [l.tensor(['a', 'b']), l.tensor([['a', 'b'], ['c', 'd']]), grid(l)]);
      same("tensor(values, undefined, 'string') and a given shape", (l) => [l.tensor(['a'], undefined, 'string'),
        l.tensor(WORDS, [2, 2, 3], 'string'), l.tensor(WORDS, [12, 1])]);
      same('scalar, tensor1d..tensor4d', (l) => [l.scalar('x'), l.scalar('y', 'string'), l.tensor1d(['a', 'é']),
        l.tensor2d([['a', 'b']]), l.tensor2d(['a', 'b', 'c', 'd'], [2, 2]), l.tensor3d([[['a']]]), l.tensor4d([[[['a', '']]]])]);
      same('fill with a string', (l) => [l.fill([2, 2], 'x', 'string'), l.fill([3], 'yz'), l.fill([0, 2], 'q')]);
      same('empty string tensors', (l) => [l.tensor([], [0], 'string'), l.tensor([], [2, 0], 'string')]);
      same('a number after a string is its text', (l) => l.tensor(['a', 1, true] as any));
      same('Uint8Array values are bytes', (l) => l.tensor([new Uint8Array([104, 105]), new Uint8Array([])], [2], 'string'));
      it('bytes given are copied: changing them afterwards changes no tensor', () => {
        const bytes = new Uint8Array([104, 105]);
        const [t, s] = [sora.tensor([bytes], [1], 'string'), sora.scalar(bytes)];
        bytes[0] = 0;
        expect([t.dataSync<'string'>(), s.dataSync<'string'>()]).toEqual([['hi'], ['hi']]);
      });
      it("numbers with dtype 'string' are their text in sora; TF.js stores them as bytes it cannot decode", () => {
        expect(() => tf.tensor([1, 2], [2], 'string').dataSync()).toThrow(/decode/);
        expect(sora.tensor([1, 2.5], [2], 'string').dataSync<'string'>()).toEqual(['1', '2.5']);
      });
      bothThrow('values that do not fill the shape', 'tensor', (l) => l.tensor(['a', 'b', 'c'], [2, 2]));
      bothThrow('tensor1d of nested strings', 'tensor1d', (l) => l.tensor1d([['a']]));
      it('ragged nested strings: sora throws naming tensor', () => {
        expect(() => sora.tensor([['a'], ['b', 'c']])).toThrow(/tensor: ragged/);
      });
      it('a string fill needs a string value, and a string value a string dtype', () => {
        expect(() => sora.fill([2], 1, 'string')).toThrow(/fill: a string value/);
        expect(() => sora.fill([2], 'x', 'float32')).toThrow(/fill: a string value/);
        expect(() => sora.scalar('x', 'int32')).toThrow(/scalar: a string value/);
      });
    });

    describe('reading values', () => {
      it('data, dataSync, array, arraySync and bytes as TF.js gives them', async () => {
        const ours: sora.Tensor = grid(sora);
        const theirs: tf.Tensor = grid(tf);
        expect(ours.dataSync<'string'>()).toEqual(theirs.dataSync());
        expect(await ours.data<'string'>()).toEqual(await theirs.data());
        expect(ours.arraySync<'string'>()).toEqual(theirs.arraySync());
        expect(await ours.array<'string'>()).toEqual(await theirs.array());
        const [ob, tb] = [await ours.bytes(), await theirs.bytes()] as Uint8Array[][];
        expect(ob.map((b) => Array.from(b))).toEqual(tb.map((b) => Array.from(b)));
        expect(sora.scalar('x').arraySync<'string'>()).toBe(tf.scalar('x').arraySync());
      });
      it('bytes() are copies: changing them changes no tensor', async () => {
        const t = sora.tensor(['ab']);
        const [bytes] = await t.bytes() as Uint8Array[];
        bytes[0] = 0;
        expect(t.dataSync<'string'>()).toEqual(['ab']);
      });
      it('toString and print, character for character', () => {
        const cases = (l: Lib) => [grid(l), l.scalar('x'), l.tensor(['a', 'b']), l.tensor(WORDS, [2, 3, 2]),
          l.tensor(WORDS, [2, 2, 3, 1]), l.tensor(Array.from({ length: 30 }, (_, i) => `s${i}`)),
          l.fill([25, 25], 'ab', 'string'), l.tensor([], [0], 'string'), l.tensor([], [1, 0], 'string'),
          l.tensor(['x'], [1, 1])];
        const [ours, theirs] = [cases(sora), cases(tf)];
        ours.forEach((t: sora.Tensor, i: number) => {
          expect(t.toString(), `case ${i}`).toBe(theirs[i].toString());
          expect(t.toString(true), `case ${i} verbose`).toBe(theirs[i].toString(true));
        });
      });
    });

    describe('print, buffers, unique', () => {
      it('tf.print and t.print write what TF.js writes', () => {
        const log = vi.spyOn(console, 'log').mockImplementation(() => {});
        try {
          for (const l of [sora, tf] as Lib[]) { l.print(grid(l)); grid(l).print(true); l.print(l.scalar('x'), true); }
          const lines = log.mock.calls.map((c) => c.join(' '));
          expect(lines.slice(0, 3)).toEqual(lines.slice(3));
          expect(lines[0]).toContain("'dddd'");
        } finally {
          log.mockRestore();
        }
      });
      it('bufferSync / buffer of a string tensor hold its strings, as TF.js', async () => {
        const ours: sora.TensorBuffer = grid(sora).bufferSync();
        const theirs: tf.TensorBuffer<tf.Rank, 'string'> = grid(tf).bufferSync();
        expect(ours.get(1, 0)).toBe(theirs.get(1, 0));
        expect(ours.values).toEqual(Array.from(theirs.values as unknown as string[]));
        ours.set('new', 2, 3);
        expect(ours.toTensor().arraySync<'string'>()[2]).toEqual(['🙂x', "it's", 'a"b', 'new']);
        expect((await grid(sora).buffer()).get(0, 1)).toBe('bb');
      });
      it("tf.buffer(shape, 'string'): unset entries are '' in sora; TF.js leaves them undefined and cannot read them back", () => {
        const [ours, theirs] = [sora.buffer([2], 'string'), tf.buffer([2], 'string')];
        ours.set('z', 1);
        theirs.set('z', 1);
        expect(ours.toTensor().dataSync<'string'>()).toEqual(['', 'z']);
        expect(() => theirs.toTensor().dataSync()).toThrow();
      });
      same('unique of strings', (l) => { const r = l.unique(l.tensor(['b', 'a', 'b', 'c', 'a'])); return [r.values, r.indices]; });
    });

    describe('shape ops TF.js runs on strings', () => {
      same('reshape, with -1', (l) => [grid(l).reshape([4, 3]), grid(l).reshape([-1]), l.reshape(grid(l), [2, -1, 2])]);
      same('slice', (l) => [l.slice(grid(l), [1, 1], [2, 2]), grid(l).slice([0, 2]), grid(l).slice(1, 1),
        l.slice(grid(l), [0, 1], [-1, 2]), l.slice(grid(l), [1, 0], [0, 3])]);
      same('concat', (l) => [l.concat([grid(l), grid(l)], 1), l.concat([grid(l), l.slice(grid(l), [0, 0], [1, 4])], 0),
        l.concat([l.tensor(['a']), l.tensor(['b', 'c'])]), grid(l).concat(grid(l), -1)]);
      same('stack', (l) => [l.stack([grid(l), grid(l)], 1), l.stack([l.tensor(['a', 'b']), l.tensor(['c', 'd'])]),
        l.stack([l.scalar('a'), l.scalar('b')])]);
      same('unstack', (l) => [l.unstack(grid(l)), l.unstack(grid(l), 1), grid(l).unstack(-1)]);
      same('tile', (l) => [l.tile(grid(l), [2, 1]), l.tile(grid(l), [1, 3]), l.tile(l.tensor(['a', 'b']), [3]),
        l.tile(l.tensor(WORDS, [2, 3, 2]), [2, 1, 2])]);
      same('clone', (l) => [l.clone(grid(l)), grid(l).clone()]);
      same('expandDims and squeeze', (l) => [grid(l).expandDims(1), l.expandDims(l.scalar('x')),
        l.squeeze(l.tensor([['x']])), l.squeeze(l.tensor(WORDS, [3, 1, 4, 1]), [1])]);
      same('stridedSlice', (l) => [l.stridedSlice(grid(l), [0, 0], [3, 4], [1, 2]),
        l.stridedSlice(grid(l), [2, 3], [0, 0], [-1, -2]), l.stridedSlice(grid(l), [1], [2], [1], 0, 0, 0, 0, 1)]);
      same('equal and notEqual, broadcast', (l) => {
        const other = l.tensor(['a', 'x', 'ccc', 'y', 'é', 'f', 'z', '日本', '🙂x', "it's", 'q', 'x y'], [3, 4]);
        return [l.equal(grid(l), other), l.notEqual(grid(l), other), l.equal(grid(l), l.scalar('é')),
          l.notEqual(grid(l), l.tensor(['a', 'bb', 'x', 'dddd'])), grid(l).equal(other)];
      });
      same('less, lessEqual, greater, greaterEqual (JavaScript string order)', (l) => {
        const other = l.tensor(['b', 'bb', 'cc', 'dddd', 'e', 'F', 'a', '日', '🙂', "it's", 'a"c', 'x'], [3, 4]);
        return [l.less(grid(l), other), l.lessEqual(grid(l), other), l.greater(grid(l), other), l.greaterEqual(grid(l), other)];
      });
      bothThrow('comparing strings with numbers', 'equal', (l) => l.equal(l.tensor(['a']), l.tensor([1])));
      bothThrow('reshape to a wrong size', 'reshape', (l) => grid(l).reshape([5]));
      bothThrow('slice out of bounds', 'slice', (l) => l.slice(grid(l), [2, 0], [2, 4]));
      bothThrow('concat of strings and numbers', 'concat', (l) => l.concat([l.tensor(['a']), l.tensor([1])]));
      bothThrow('squeeze of an axis not 1', 'squeeze', (l) => l.squeeze(grid(l), [0]));
    });

    describe('shape ops beyond TF.js', () => {
      beyondTfjs('gather axis 0', WORDS, [3, 4], (l, x) => l.gather(x, l.tensor([2, 0, 2], undefined, 'int32')));
      beyondTfjs('gather axis 1, 2-D indices', WORDS, [3, 4], (l, x) => l.gather(x, l.tensor([[3, 0], [1, 1]], undefined, 'int32'), 1));
      beyondTfjs('gather with batchDims', WORDS, [3, 4], (l, x) => l.gather(x, l.tensor([[0, 3], [1, 1], [2, 0]], undefined, 'int32'), 1, 1));
      beyondTfjs('transpose', WORDS, [3, 4], (l, x) => [l.transpose(x), x.transpose()]);
      beyondTfjs('transpose with perm', WORDS, [2, 3, 2], (l, x) => l.transpose(x, [1, 2, 0]));
      beyondTfjs('reverse', WORDS, [3, 4], (l, x) => [l.reverse(x), l.reverse(x, 1), l.reverse(x, [0])]);
      beyondTfjs('reverse 3-D', WORDS, [2, 3, 2], (l, x) => l.reverse(x, [0, 2]));
      beyondTfjs('broadcastTo', WORDS.slice(0, 4), [1, 4], (l, x) => l.broadcastTo(x, [3, 2, 4]));
      beyondTfjs('split', WORDS, [3, 4], (l, x) => [l.split(x, 2, 1), l.split(x, [1, 2], 0)]);
      it('where(condition, a, b): TF.js refuses strings, sora chooses them (broadcast)', () => {
        const cond = [[true, false, true, false], [false, false, true, true], [true, true, true, false]];
        expect(() => tf.where(tf.tensor(cond), grid(tf), grid(tf))).toThrow(/must be numeric tensor/);
        const other = WORDS.map((w) => `${w}!`);
        const flat = cond.flat();
        expect(sora.where(sora.tensor(cond), grid(sora), sora.tensor(other, [3, 4])).arraySync<'string'>())
          .toEqual([0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => (flat[4 * r + c] ? WORDS : other)[4 * r + c])));
        expect(sora.where(sora.tensor([true, false, true, false]), grid(sora), sora.scalar('-')).arraySync<'string'>())
          .toEqual([0, 1, 2].map((r) => [0, 1, 2, 3].map((c) => (c % 2 === 0 ? WORDS[4 * r + c] : '-'))));
        expect(() => sora.where(sora.tensor([true]), grid(sora), sora.tensor([1]))).toThrow(/where: a and b must share a dtype/);
      });
      it('gather checks its indices, naming gather', () => {
        expect(() => sora.gather(grid(sora), sora.tensor([3], undefined, 'int32'))).toThrow(/gather: index 3 at position 0 is out of range \[0, 3\)/);
        expect(() => sora.gather(grid(sora), [0, -1], 1)).toThrow(/gather: index -1/);
      });
      it('transpose checks its permutation, naming transpose', () => {
        expect(() => sora.transpose(grid(sora), [0, 0])).toThrow(/transpose: perm \[0,0\]/);
      });
    });

    describe('refusals', () => {
      bothThrow('cast from string', 'cast', (l) => grid(l).cast('float32'));
      bothThrow('cast to string', 'cast', (l) => l.tensor([1]).cast('string'));
      bothThrow('toInt of strings', 'cast', (l) => grid(l).toInt());
      for (const [op, run] of [
        ['add', (l: Lib) => l.add(grid(l), grid(l))], ['mul', (l: Lib) => l.mul(grid(l), 2)],
        ['neg', (l: Lib) => l.neg(grid(l))], ['sum', (l: Lib) => l.sum(grid(l))], ['max', (l: Lib) => l.max(grid(l))],
        ['isNaN', (l: Lib) => l.isNaN(grid(l))], ['pad', (l: Lib) => l.pad(grid(l), [[1, 0], [0, 0]])],
        ['zerosLike', (l: Lib) => l.zerosLike(grid(l))], ['onesLike', (l: Lib) => l.onesLike(grid(l))],
        ['oneHot', (l: Lib) => l.oneHot(l.tensor(['a']), 2)], ['matMul', (l: Lib) => l.matMul(grid(l), grid(l).reshape([4, 3]))],
        ['logicalAnd', (l: Lib) => l.logicalAnd(grid(l), grid(l))],
      ] as const) {
        bothThrow(`${op} of a string tensor`, op, run as (l: Lib) => unknown);
      }
      it('the refusal says what string tensors are for', () => {
        expect(() => sora.relu(grid(sora))).toThrow(/relu: 'x' is a string tensor, which relu does not take/);
        expect(() => sora.add(grid(sora), 'a')).toThrow(/add: 'a' is a string tensor/);
      });
      it('variables: TF.js holds strings, sora refuses naming variable (nothing to optimize)', () => {
        expect(tf.variable(grid(tf)).dtype).toBe('string');
        expect(() => sora.variable(grid(sora))).toThrow(/variable: .* string tensor/);
      });
    });

    describe('memory, dispose, tidy', () => {
      it('tf.memory() counts a string tensor made from values by its UTF-8 bytes, as TF.js; a view adds none', () => {
        const ours = memoryDelta(sora);
        expect(ours.slice(0, 6)).toEqual(tfjsMemory.made.slice(0, 6));
        expect(ours).toEqual([11, 1, 1, 0, 1, 0, 0, 0]);
        // TF.js subtracts the 11 bytes once per disposed tensor sharing them (the view and its
        // source): its count ends 11 below where it started. sora's returns to where it was.
        expect(tfjsMemory.made).toEqual([11, 1, 1, 0, 1, 0, -11, 0]);
      });
      it("op outputs: sora counts their bytes; TF.js counts 0 for a kernel's string output", () => {
        expect(concatGrowth(sora)).toBe(6);
        expect(tfjsMemory.concat).toBe(0);
      });
      it('tidy frees the string tensors made inside; keep and the result survive', () => {
        const before = sora.memory();
        let kept: sora.Tensor | null = null;
        const result = sora.tidy(() => {
          const a = sora.tensor(WORDS, [3, 4]);
          kept = sora.keep(sora.slice(a, [0, 0], [1, 2]));
          sora.equal(a, sora.scalar('a'));
          return sora.transpose(sora.concat([a, a], 1));
        });
        const mid = sora.memory();
        expect(mid.numTensors - before.numTensors).toBe(2);
        expect(result.shape).toEqual([8, 3]);
        expect(result.arraySync<'string'>()[4]).toEqual([WORDS[0], WORDS[4], WORDS[8]]);
        expect(kept!.dataSync<'string'>()).toEqual(['a', 'bb']);
        result.dispose();
        kept!.dispose();
        const after = sora.memory();
        expect([after.numTensors, after.numDataBuffers, after.numBytes]).toEqual([before.numTensors, before.numDataBuffers, before.numBytes]);
      });
      it('a disposed string tensor throws naming the op; a view outlives its source', () => {
        const t = sora.tensor(['a', 'b']);
        const view = t.reshape([2, 1]);
        t.dispose();
        expect(view.dataSync<'string'>()).toEqual(['a', 'b']);
        expect(() => t.dataSync()).toThrow(/dataSync: tensor .* is disposed/);
        expect(() => sora.slice(t, [0], [1])).toThrow(/slice: tensor .* is disposed/);
        view.dispose();
      });
      it('string tensors stay readable across a change of backend, and inside a gradient', async () => {
        const t = sora.tensor(['x', 'y']);
        await sora.setBackend(backend === 'wasm' ? 'reference' : 'wasm');
        expect(sora.concat([t, t]).dataSync<'string'>()).toEqual(['x', 'y', 'x', 'y']);
        await sora.setBackend(backend);
        const g = sora.grad((x: sora.Tensor) => {
          const picked = sora.where(sora.equal(t, sora.scalar('x')), sora.tensor(['keep', 'keep']), t);
          expect(picked.dataSync<'string'>()).toEqual(['keep', 'y']);
          return x.square().sum();
        })(sora.tensor([3]));
        expect(Array.from(g.dataSync())).toEqual([6]);
        t.dispose();
      });
    });

    it('tf.io.encodeWeights: string weights as TF.js encodes them (length-prefixed bytes), and back', async () => {
      const theirs = await tf.io.encodeWeights({ s: tf.tensor(['ab', 'é']) });
      expect(theirs.specs[0].dtype).toBe('string');
      expect(Array.from(new Uint8Array(theirs.data))).toEqual([2, 0, 0, 0, 97, 98, 2, 0, 0, 0, 195, 169]);
      const s = sora.tensor(['ab', 'é']);
      const ours = await sora.io.encodeWeights({ s });
      expect(ours.specs).toEqual(theirs.specs);
      expect(Array.from(new Uint8Array(ours.data))).toEqual(Array.from(new Uint8Array(theirs.data)));
      const back = sora.io.decodeWeights(ours.data, ours.specs);
      expect(await back.s!.data<'string'>()).toEqual(['ab', 'é']);
      sora.dispose([s, back.s!]);
    });

    describe('tf.util', () => {
      it('encodeString / decodeString as TF.js', () => {
        for (const s of WORDS) {
          expect(Array.from(sora.util.encodeString(s))).toEqual(Array.from(tf.util.encodeString(s)));
          expect(sora.util.decodeString(tf.util.encodeString(s))).toBe(s);
        }
        expect(() => sora.util.encodeString('a', 'latin1')).toThrow(/encodeString/);
      });
    });
  });
}
