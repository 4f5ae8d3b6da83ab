/**
 * Tensors as TF.js programs see them, against TF.js itself (cpu backend): toString/print
 * character for character (float32, int32, bool; rank 0-4; summarised large tensors; empty
 * tensors), TensorBuffer, bytes, array/arraySync, memory() fields, profile, time, nextFrame
 * and engine scopes.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await sora.setBackend('reference');
});

/** Deterministic values with varied widths: negatives, fractions, long decimals, integers. */
function values(n: number, dtype: 'float32' | 'int32' | 'bool', seed = 1): number[] {
  let s = seed;
  const next = () => { s = (s * 16807) % 2147483647; return s / 2147483647; };
  return Array.from({ length: n }, (_, i) => {
    const r = next();
    if (dtype === 'bool') return r > 0.5 ? 1 : 0;
    if (dtype === 'int32') return Math.floor((r - 0.5) * (i % 3 === 0 ? 20000 : 20));
    return i % 5 === 0 ? Math.round(r * 100) : (r - 0.4) * 10 ** ((i % 4) - 1);
  });
}

const SHAPES: number[][] = [[], [1], [5], [21], [40], [1, 1], [1, 3], [2, 3], [3, 1], [25, 2], [2, 25], [30, 30],
  [2, 2, 2], [1, 2, 3], [3, 4, 2], [22, 2, 3], [2, 2, 2, 2], [0], [0, 3], [2, 0], [3, 0, 2]];

describe('toString and print, as TF.js formats them', () => {
  for (const dtype of ['float32', 'int32', 'bool'] as const) {
    for (const shape of SHAPES) {
      it(`${dtype} [${shape}]`, () => {
        const n = shape.reduce((a, b) => a * b, 1);
        const v = values(n, dtype, n + 7);
        const expected = tf.tensor(v, shape, dtype);
        const actual = sora.tensor(v, shape, dtype);
        expect(actual.toString()).toBe(expected.toString());
        expect(actual.toString(true)).toBe(expected.toString(true));
        expected.dispose(); actual.dispose();
      });
    }
  }
  it('special values: NaN, Infinity, -0, tiny and huge floats', () => {
    const v = [NaN, Infinity, -Infinity, -0, 1e-9, 123456789, 0.1, 1 / 3];
    expect(sora.tensor(v).toString()).toBe(tf.tensor(v).toString());
    expect(sora.tensor(v, [2, 4]).toString()).toBe(tf.tensor(v, [2, 4]).toString());
    expect(sora.scalar(0.1).toString()).toBe(tf.scalar(0.1).toString());
  });
  it('print logs toString (verbose too); tf.print does the same', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const t = sora.tensor([[1, 2], [3, 4]], undefined, 'int32');
      t.print();
      sora.print(t, true);
      expect(log.mock.calls.map((c) => c[0])).toEqual([
        tf.tensor([[1, 2], [3, 4]], undefined, 'int32').toString(),
        tf.tensor([[1, 2], [3, 4]], undefined, 'int32').toString(true)]);
    } finally {
      log.mockRestore();
    }
    expect(() => sora.print(null as never)).toThrow(/print: expected 'x' to be a Tensor/);
  });
});

describe('TensorBuffer', () => {
  it('get, set, toTensor, values, shape, dtype, rank, locToIndex/indexToLoc as TF.js', () => {
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      const ours = sora.buffer([2, 3, 4], dtype);
      const theirs = tf.buffer([2, 3, 4], dtype);
      for (const [given, ...loc] of [[1, 0, 0, 0], [7, 1, 2, 3], [-2.5, 1, 0, 2], [1, 0, 2, 1]]) {
        const value = dtype === 'bool' ? Number(given !== 0) : dtype === 'int32' ? Math.trunc(given) : given;
        ours.set(value, ...loc); theirs.set(value, ...loc);
      }
      expect(ours.values).toEqual(theirs.values);
      expect(ours.values.constructor).toBe(theirs.values.constructor);
      expect([ours.shape, ours.dtype, ours.rank, ours.size, ours.strides]).toEqual([theirs.shape, theirs.dtype, theirs.rank, theirs.size, theirs.strides]);
      expect(ours.get(1, 2, 3)).toBe(theirs.get(1, 2, 3));
      for (const i of [0, 5, 23]) {
        expect(ours.indexToLoc(i)).toEqual(theirs.indexToLoc(i));
        expect(ours.locToIndex(ours.indexToLoc(i))).toBe(i);
      }
      const t = ours.toTensor();
      expect(t.dtype).toBe(dtype);
      expect(t.dataSync()).toEqual(theirs.toTensor().dataSync());
      ours.set(5, 0, 0, 0); // the tensor holds a copy
      expect(t.dataSync()[0]).toBe(dtype === 'bool' ? 1 : 1);
      t.dispose();
    }
  });
  it('scalars, given values, tensor.buffer() / bufferSync()', async () => {
    const s = sora.buffer([], 'float32');
    s.set(3);
    expect(s.get()).toBe(3);
    const given = sora.buffer([2, 2], 'int32', new Int32Array([1, 2, 3, 4]));
    expect(given.get(1, 0)).toBe(3);
    const t = sora.tensor([[1, 2], [3, 4]]);
    const b = await t.buffer();
    b.set(9, 0, 0);
    expect(t.dataSync()[0]).toBe(1);
    expect(t.bufferSync().get(1, 1)).toBe(4);
    t.dispose();
  });
  it('bad coordinates, values and dtypes are errors naming the method', () => {
    const b = sora.buffer([2, 3]);
    expect(() => b.get(2, 0)).toThrow(/TensorBuffer.get: requested out of range element at \[2,0\]; buffer shape \[2,3\]/);
    expect(() => b.set(1, 0, 3)).toThrow(/TensorBuffer.set: requested out of range/);
    expect(() => b.set(1, 0)).toThrow(/TensorBuffer.set: the number of provided coordinates \(1\) must match the rank \(2\)/);
    expect(() => sora.buffer([2, 2], 'float32', new Float32Array(3))).toThrow(/buffer: 3 values do not match the size 4/);
    expect(() => sora.buffer([2], 'complex64' as never)).toThrow(/buffer: dtype must be/);
    expect(() => sora.buffer([-1])).toThrow(/buffer: shape must be/);
  });
});

describe('reading tensors', () => {
  it('array, arraySync, bytes and clone as TF.js', async () => {
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      for (const shape of [[], [3], [2, 3], [2, 0]]) {
        const n = shape.reduce((a, b) => a * b, 1);
        const v = values(n, dtype, 3);
        const ours = sora.tensor(v, shape, dtype), theirs = tf.tensor(v, shape, dtype);
        expect(ours.arraySync()).toEqual(theirs.arraySync());
        expect(await ours.array()).toEqual(await theirs.array());
        expect(await ours.bytes()).toEqual(await theirs.bytes());
        const copy = ours.clone();
        ours.dispose();
        expect(copy.arraySync()).toEqual(theirs.arraySync());
        copy.dispose();
      }
    }
  });
  it('tensor.variable() makes a Variable with a copy, as TF.js', () => {
    const t = sora.tensor([1.5, 2.5]);
    const v = t.variable(false, 'from_tensor', 'int32');
    const ref = tf.tensor([1.5, 2.5]).variable(false, 'from_tensor_tf', 'int32');
    expect(v).toBeInstanceOf(sora.Variable);
    expect([v.trainable, v.name, v.dtype]).toEqual([ref.trainable, 'from_tensor', ref.dtype]);
    expect(Array.from(v.dataSync())).toEqual(Array.from(ref.dataSync()));
    t.dispose();
    expect(v.dataSync()[1]).toBe(2);
    v.dispose();
    expect(sora.scalar(3).variable().trainable).toBe(true);
  });
  it('throwIfDisposed', () => {
    const t = sora.scalar(1);
    t.throwIfDisposed();
    t.dispose();
    expect(() => t.throwIfDisposed()).toThrow(/throwIfDisposed: tensor \d+ .* is disposed/);
  });
});

describe('runtime', () => {
  it('memory() has TF.js field names and counts what is made and freed', () => {
    const before = sora.memory();
    for (const key of ['numTensors', 'numDataBuffers', 'numBytes', 'unreliable']) expect(before).toHaveProperty(key);
    const t = sora.zeros([10, 10]);
    const after = sora.memory();
    expect(after.numTensors - before.numTensors).toBe(1);
    expect(after.numDataBuffers - before.numDataBuffers).toBe(1);
    expect(after.numBytes - before.numBytes).toBe(400);
    t.dispose();
    expect(sora.memory().numBytes).toBe(before.numBytes);
  });
  it('profile lists the kernels with shapes, bytes and tensors, as TF.js', async () => {
    const f = (lib: typeof sora | typeof tf) => () => {
      const a = (lib.tensor as (v: number[]) => sora.Tensor)([1, 2, 3]);
      return a.square().sum();
    };
    const ourBefore = sora.memory().numBytes, theirBefore = tf.memory().numBytes;
    const ours = await sora.profile(f(sora));
    const theirs = await tf.profile(f(tf) as never);
    expect(ours.newTensors).toBe(theirs.newTensors);
    expect(ours.newBytes).toBe(theirs.newBytes);
    expect(ours.peakBytes - ourBefore).toBe(theirs.peakBytes - theirBefore);
    expect(ours.kernels.map((k) => [k.inputShapes, k.outputShapes, k.bytesAdded, k.tensorsAdded]))
      .toEqual(theirs.kernels.map((k) => [k.inputShapes, k.outputShapes, k.bytesAdded, k.tensorsAdded]));
    expect(ours.kernelNames).toEqual(theirs.kernelNames);
    expect(ours.kernels.map((k) => k.name)).toEqual(theirs.kernels.map((k) => k.name));
    for (const k of ours.kernels) expect(k.kernelTimeMs).toBeGreaterThanOrEqual(0);
    expect((ours.result as sora.Tensor).dataSync()[0]).toBe(14);
    sora.dispose(ours.result as sora.Tensor);
  });
  it('profile names kernels as TF.js does', async () => {
    const f = (lib: typeof sora | typeof tf) => () => {
      const l = lib as typeof sora;
      const a = l.tensor([[1, 2], [3, 4]]), b = l.tensor([[0.5, -1], [2, 0]]);
      return l.sub(l.div(l.mul(l.matMul(a, b), a), b.add(3)), l.exp(a));
    };
    const ours = await sora.profile(f(sora));
    const theirs = await tf.profile(f(tf) as never);
    expect(ours.kernelNames).toEqual(theirs.kernelNames);
  });
  it('time measures kernels and wall time', async () => {
    const x = sora.ones([64, 64]);
    const timing = await sora.time(() => sora.matMul(x, x));
    expect(timing.kernelMs).toBeGreaterThan(0);
    expect(timing.wallMs).toBeGreaterThanOrEqual(timing.kernelMs);
    x.dispose();
    await expect(sora.time(3 as never)).rejects.toThrow(/time: expected a function/);
  });
  it('env() has TF.js flag methods: IS_NODE, IS_BROWSER, DEBUG; backend flags warn; unknown flags are errors', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const e = sora.env();
      for (const flag of ['IS_NODE', 'IS_BROWSER', 'DEBUG']) expect(e.getBool(flag), flag).toBe(tf.env().getBool(flag));
      expect(e.backend).toBe('reference');
      e.set('WEBGL_PACK', false);
      e.set('WEBGL_PACK', false);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(sora.env().get('WEBGL_PACK')).toBe(false);
      expect(() => e.get('NOPE')).toThrow(/env\(\).get: cannot evaluate flag 'NOPE'/);
      expect(() => e.set('NOPE', 1)).toThrow(/env\(\).set: cannot set flag 'NOPE'/);
      expect(e.getFlags()).toMatchObject({ IS_NODE: true, WEBGL_PACK: false });
      sora.disableDeprecationWarnings();
      expect(sora.env().getBool('DEPRECATION_WARNINGS_ENABLED')).toBe(false);
      sora.deprecationWarn('old');
      expect(warn).toHaveBeenCalledTimes(2); // only disableDeprecationWarnings' own notice
      sora.env().reset();
      sora.deprecationWarn('old');
      expect(warn.mock.calls.at(-1)![0]).toMatch(/^old You can disable deprecation warnings/);
    } finally {
      warn.mockRestore();
    }
  });
  it('tf.op wraps a function as an op that frees its intermediates; tf.ENV holds the flags', () => {
    const squareSum = sora.op({ squareSum_: (x: sora.Tensor) => x.square().sum() });
    expect(squareSum.name).toBe('squareSum');
    const x = sora.tensor([1, 2, 3]);
    const before = sora.memory().numTensors;
    const y = squareSum(x);
    expect(sora.memory().numTensors).toBe(before + 1);
    expect(y.dataSync()[0]).toBe(14);
    expect(() => sora.op({ a: () => 1, b: () => 2 } as never)).toThrow(/op: expected an object with one function/);
    expect(sora.ENV.getBool('IS_NODE')).toBe(tf.ENV.getBool('IS_NODE'));
    sora.dispose([x, y]);
  });
  it('nextFrame resolves; engine().startScope/endScope free what the scope made', async () => {
    await sora.nextFrame();
    const n = sora.memory().numTensors;
    sora.engine().startScope();
    const kept = sora.ones([2]);
    sora.ones([3]);
    sora.engine().endScope(kept);
    expect(sora.memory().numTensors).toBe(n + 1);
    kept.dispose();
    expect(sora.getBackend()).toBe('reference');
    expect(sora.backend().name).toBe('reference');
    expect(sora.Rank.R3).toBe(tf.Rank.R3);
    expect(sora.upcastType('int32', 'bool')).toBe(tf.upcastType('int32', 'bool'));
    for (const d of ['bool', 'int32', 'float32'] as const) expect(sora.sumOutType(d)).toBe(tf.sumOutType(d));
  });
});

describe('debug mode', () => {
  it('enableDebugMode logs every kernel as TF.js does and warns on NaN; reset turns it off', () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      sora.enableDebugMode();
      expect(sora.env().getBool('DEBUG')).toBe(true);
      const x = sora.tensor([[1, -1], [0, 4]]);
      sora.tidy(() => sora.log(x));
      expect(log).toHaveBeenCalledTimes(1);
      expect(log.mock.calls[0][0]).toMatch(/^%cLog {22}\t%c[0-9.]+ms\s*\t%c2D 2,2 {11}\t%c4\t%c0: 2D 2,2 \t%c$/);
      expect(warn.mock.calls.map((c) => c[0])).toEqual(["Found NaN in the result of 'Log'"]);
      sora.env().reset();
      sora.tidy(() => sora.log(x));
      expect(log).toHaveBeenCalledTimes(1);
      sora.enableProdMode();
      expect(sora.env().getBool('PROD')).toBe(true);
      sora.env().reset();
      x.dispose();
    } finally {
      log.mockRestore();
      warn.mockRestore();
    }
  });
});
