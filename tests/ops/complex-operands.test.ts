/**
 * Issue 15: complex64 operands where TF.js 4.22's cpu backend takes them (add, sub, mul,
 * reshape, concat, stack, transpose, expandDims, squeeze, clone, cast, zerosLike, onesLike,
 * real, imag, abs, mean), against TF.js, on sora's reference and wasm backends, with
 * gradients; and, generated from the table of tensor-likes-table.ts, every other public op
 * given a complex64 first tensor argument refuses it with an Error naming that op.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';
import { ARGUMENTS, T } from './tensor-likes-table.js';

type Lib = any; // eslint-disable-line @typescript-eslint/no-explicit-any
const RE = [[1, 2], [3, 4]], IM = [[5, -6], [7, 8]];
const z = (l: Lib) => l.complex(RE, IM);

function read(t: { dtype: string; shape: number[]; dataSync(): ArrayLike<number> }) {
  return { dtype: t.dtype, shape: t.shape, values: Array.from(t.dataSync(), (v) => Math.round(v * 1e5) / 1e5) };
}
const readAll = (r: unknown) => (Array.isArray(r) ? r : [r]).map(read);

/** Ops TF.js takes complex64 for, each with the same call in both libraries. */
const SAME: Record<string, (l: Lib) => unknown> = {
  add: (l) => l.add(z(l), z(l)), sub: (l) => l.sub(z(l), l.complex([[1, 1], [1, 1]], [[0, 2], [0, 2]])), mul: (l) => l.mul(z(l), z(l)),
  'add broadcast': (l) => l.add(z(l), l.complex([1], [1])), 'add float32': (l) => l.add(z(l), l.tensor2d(RE)),
  'sub values': (l) => l.sub([[1, 1], [1, 1]], z(l)), 'chained add, sub': (l) => z(l).add(z(l)).sub([[1, 2], [3, 4]]),
  reshape: (l) => l.reshape(z(l), [4]), concat: (l) => [l.concat([z(l), z(l)], 1), l.concat([z(l), z(l)])],
  stack: (l) => [l.stack([z(l), z(l)]), l.stack([z(l), z(l)], 2)], transpose: (l) => l.transpose(z(l)),
  'transpose rank 3': (l) => l.transpose(l.stack([z(l), z(l)]), [2, 0, 1]),
  expandDims: (l) => l.expandDims(z(l), -1), squeeze: (l) => l.squeeze(l.complex([[1]], [[2]])), clone: (l) => l.clone(z(l)),
  'cast to float32 and int32 (the real part)': (l) => [l.cast(z(l), 'float32'), l.cast(l.complex([1.5, -2.5], [1, 1]), 'int32')],
  'cast to complex64': (l) => [l.cast(l.tensor1d([1, 2]), 'complex64'), l.cast(l.tensor1d([3, 4], 'int32'), 'complex64')],
  zerosLike: (l) => l.zerosLike(z(l)), onesLike: (l) => l.onesLike(z(l)),
  'real, imag, abs': (l) => [l.real(z(l)), l.imag(z(l)), l.abs(z(l))],
};

/** The public ops that take a complex64 first argument (the rest must refuse it, naming themselves). */
const TAKES_COMPLEX = new Set(['add', 'sub', 'mul', 'reshape', 'concat', 'stack', 'transpose', 'expandDims', 'squeeze',
  'clone', 'cast', 'zerosLike', 'onesLike', 'real', 'imag', 'abs', 'mean', 'concat1d', 'concat2d', 'concat3d', 'concat4d',
  'ensureShape']);

beforeAll(async () => { await tf.setBackend('cpu'); });

for (const backend of ['reference', 'wasm'] as const) {
  describe(`complex64 operands on ${backend}`, () => {
    beforeAll(async () => { await sora.setBackend(backend); });
    for (const [label, run] of Object.entries(SAME)) {
      it(`${label}: as TF.js`, () => {
        const expected = tf.tidy(() => readAll(run(tf)));
        const before = sora.memory().numTensors;
        const result = sora.tidy(() => readAll(run(sora)));
        expect(result).toEqual(expected);
        expect(sora.memory().numTensors).toBe(before);
      });
    }

    it('a broadcast operand of more than one value: TF.js 4.22 gives NaN past its values, sora the sums and products', () => {
      const cases: [(l: Lib) => { dataSync(): ArrayLike<number> }, number[]][] = [
        [(l) => l.mul(z(l), l.complex([1, 2], [0, 1])), [1, 5, 10, -10, 3, 7, 0, 20]],
        [(l) => l.mul(z(l), 2), [2, 10, 4, -12, 6, 14, 8, 16]],
        [(l) => z(l).add(z(l)).mul(l.complex([1, 0], [1, 1])), [-8, 12, 12, 4, -8, 20, -16, 8]],
        [(l) => l.add(z(l), l.complex([1, 2], [1, 1])), [2, 6, 4, -5, 4, 8, 6, 9]],
        [(l) => z(l).add(z(l)).sub([1, 2]), [1, 10, 2, -12, 5, 14, 6, 16]],
      ];
      for (const [run, products] of cases) {
        const fromTf = tf.tidy(() => run(tf) as tf.Tensor);
        expect(Array.from(fromTf.dataSync()).some(Number.isNaN)).toBe(true); // TF.js's defect
        fromTf.dispose();
        expect(Array.from(run(sora).dataSync())).toEqual(products);
      }
    });

    it('mean of complex64: TF.js averages the real parts (float32), sora the complex values', () => {
      expect(read(tf.mean(z(tf)))).toEqual({ dtype: 'float32', shape: [], values: [2.5] }); // TF.js 4.22
      expect(read(sora.mean(z(sora)))).toEqual({ dtype: 'complex64', shape: [], values: [2.5, 3.5] });
      expect(read(sora.mean(z(sora), 1, true))).toEqual({ dtype: 'complex64', shape: [2, 1], values: [1.5, -0.5, 3.5, 7.5] });
    });

    it('gradients flow through complex add, mul, concat, transpose and cast', () => {
      const x = z(sora);
      // L = sum(real(x * x)) = sum(re^2 - im^2): dL/dre = 2 re, dL/dim = -2 im, the gradient re - i im parts.
      const g = sora.grad((t: Lib) => sora.sum(sora.real(sora.mul(t, t))))(x);
      expect(read(g)).toEqual({ dtype: 'complex64', shape: [2, 2], values: [2, -10, 4, 12, 6, -14, 8, -16] });
      const h = sora.grad((t: Lib) => sora.sum(sora.imag(sora.transpose(sora.concat([sora.add(t, t), t], 0)))))(x);
      expect(read(h)).toEqual({ dtype: 'complex64', shape: [2, 2], values: [0, 3, 0, 3, 0, 3, 0, 3] });
      const c = sora.grad((t: Lib) => sora.sum(sora.cast(t, 'float32')))(x);
      expect(read(c)).toEqual({ dtype: 'complex64', shape: [2, 2], values: [1, 0, 1, 0, 1, 0, 1, 0] });
    });

    it('TF.js refuses these too: div, slice, tile, gather, neg, sum, matMul of complex64', () => {
      for (const [op, run] of [['div', (l: Lib) => l.div(z(l), z(l))], ['slice', (l: Lib) => l.slice(z(l), [0, 0], [1, 1])],
        ['tile', (l: Lib) => l.tile(z(l), [1, 2])], ['gather', (l: Lib) => l.gather(z(l), [0])], ['neg', (l: Lib) => l.neg(z(l))],
        ['sum', (l: Lib) => l.sum(z(l))], ['matMul', (l: Lib) => l.matMul(z(l), z(l))]] as const) {
        expect(() => tf.tidy(() => run(tf)), op).toThrow();
        expect(() => run(sora), op).toThrow(new RegExp(`^${op}:.*complex64`));
      }
    });

    it('concat of complex64 with float32 is refused, as TF.js', () => {
      expect(() => tf.concat([z(tf), tf.tensor2d(RE)])).toThrow();
      expect(() => sora.concat([z(sora), sora.tensor2d(RE)])).toThrow(/concat: complex64 tensors join only complex64/);
    });
  });
}

describe('every other public op refuses a complex64 first argument, naming itself', () => {
  beforeAll(async () => { await sora.setBackend('reference'); });
  const lib = sora as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  for (const [name, args] of Object.entries(ARGUMENTS)) {
    const first = args.findIndex((a) => a instanceof T || (Array.isArray(a) && a[0] instanceof T));
    if (first < 0 || TAKES_COMPLEX.has(name)) continue;
    it(name, async () => {
      const [head, member] = name.split('.');
      const op = member ? lib[head][member] : lib[head];
      const made: sora.Tensor[] = [];
      const complexOf = (t: T) => {
        const re = sora.tensor(t.values as number[], undefined, 'float32');
        const c = sora.complex(re, sora.onesLike(re));
        made.push(c);
        return c;
      };
      const call = args.map((a, i) => {
        if (i !== first) return a instanceof T ? a.values : Array.isArray(a) ? a.map((e) => (e instanceof T ? e.values : e)) : a;
        return a instanceof T ? complexOf(a) : (a as T[]).map((e) => complexOf(e));
      });
      const before = sora.memory().numTensors;
      let error: unknown;
      try { await op(...call); } catch (e) { error = e; }
      expect(error, `${name} should refuse complex64`).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(new RegExp(`^${member ?? head}: .*complex64`));
      expect(sora.memory().numTensors).toBe(before);
      sora.dispose(made);
    });
  }
});
