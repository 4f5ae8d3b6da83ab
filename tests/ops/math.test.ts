/**
 * The per-element math ops differentially against TF.js 4.22 (cpu backend): the same random
 * inputs of odd shapes, broadcasting pairs, int32 and empty tensors give the same dtype, shape
 * and values, and the same gradients (tf.grads against sora.grads of a weighted sum), on the
 * reference backend and both wasm builds. Where TF.js rejects int32 (sin, floor, ...), sora
 * must throw too, naming the op.
 *
 * Known, deliberate differences, left out of the comparison: TF.js's erf is an approximation
 * (Abramowitz-Stegun 7.1.26, 1.5e-7 absolute), so erf is compared at 3e-7; TF.js cannot
 * differentiate divNoNan at all ("gradient function not found for Equal"; sora's gradient is
 * checked by finite differences in tests/ops-registry.test.ts); floorDiv's int32 result has no
 * gradient in sora.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';

type DType = 'float32' | 'int32';
interface Input { values: number[]; shape: number[]; dtype: DType }
interface MathCase {
  label: string;
  inputs: Input[];
  sora: (...xs: sora.Tensor[]) => sora.Tensor;
  tfjs: (...xs: tf.Tensor[]) => tf.Tensor;
  /** Inputs whose gradients are compared (float32 ones). */
  wrt?: number[];
  tol?: number;
}

function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
let seed = 1;
function uniform(shape: number[], lo: number, hi: number): Input {
  const r = rng(seed++);
  return { values: Array.from({ length: size(shape) }, () => Math.fround(lo + (hi - lo) * r())), shape, dtype: 'float32' };
}
function ints(shape: number[], lo: number, hi: number): Input {
  const r = rng(seed++);
  return { values: Array.from({ length: size(shape) }, () => lo + Math.floor((hi - lo) * r())), shape, dtype: 'int32' };
}

type Unary = [name: string, lo: number, hi: number, int: boolean, gradient: boolean];
/** Op, input range, whether TF.js takes int32, whether it has a (nonzero-checked) gradient. */
const UNARY: Unary[] = [
  ['sin', -6, 6, false, true], ['cos', -6, 6, false, true], ['tan', -1.4, 1.4, false, true],
  ['asin', -0.95, 0.95, true, true], ['acos', -0.95, 0.95, true, true], ['atan', -5, 5, true, true],
  ['sinh', -4, 4, true, true], ['cosh', -4, 4, false, true], ['asinh', -5, 5, true, true],
  ['acosh', 1.1, 6, true, true], ['atanh', -0.9, 0.9, true, true], ['erf', -3, 3, true, true],
  ['log1p', -0.9, 5, true, true], ['expm1', -4, 4, true, true], ['floor', -5, 5, false, true],
  ['ceil', -5, 5, false, true], ['round', -5, 5, true, true], ['sign', -3, 3, true, true],
  ['reciprocal', 0.3, 4, true, true], ['rsqrt', 0.2, 5, false, true], ['elu', -4, 4, false, true],
  ['selu', -4, 4, true, true], ['relu6', -3, 9, true, true], ['softplus', -8, 8, true, true],
  ['logSigmoid', -8, 8, true, true], ['isNaN', -3, 3, true, false], ['isInf', -3, 3, true, false],
  ['isFinite', -3, 3, true, false],
  // The activation codes' int32 rules (exp gives float32; the others int32).
  ['exp', -3, 3, true, true], ['abs', -3, 3, true, true], ['neg', -3, 3, true, true], ['square', -3, 3, true, true],
  ['relu', -3, 3, true, true],
];

function unaryCases(): MathCase[] {
  const list: MathCase[] = [];
  for (const [name, lo, hi, int, gradient] of UNARY) {
    const s = (x: sora.Tensor) => (sora as unknown as Record<string, (x: sora.Tensor) => sora.Tensor>)[name](x);
    const t = (x: tf.Tensor) => (tf as unknown as Record<string, (x: tf.Tensor) => tf.Tensor>)[name](x);
    const tol = name === 'erf' ? 3e-7 : undefined;
    for (const shape of [[3, 5], [1, 7, 3]]) {
      list.push({ label: `${name} [${shape}]`, inputs: [uniform(shape, lo, hi)], sora: s, tfjs: t, wrt: gradient ? [0] : [], tol });
    }
    list.push({ label: `${name} empty [0,4]`, inputs: [uniform([0, 4], lo, hi)], sora: s, tfjs: t });
    list.push({ label: `${name} hostile`, inputs: [{ values: HOSTILE, shape: [HOSTILE.length], dtype: 'float32' }], sora: s, tfjs: t, tol });
    if (int) list.push({ label: `${name} int32 [3,7]`, inputs: [ints([3, 7], Math.floor(lo), Math.ceil(hi) + 1)], sora: s, tfjs: t });
  }
  // alpha-taking activations
  for (const shape of [[3, 5], [2, 3, 3]]) {
    list.push({ label: `leakyRelu(0.15) [${shape}]`, inputs: [uniform(shape, -3, 3)], sora: (x) => sora.leakyRelu(x, 0.15),
      tfjs: (x) => tf.leakyRelu(x, 0.15), wrt: [0] });
    list.push({ label: `step(0.3) [${shape}]`, inputs: [uniform(shape, -3, 3)], sora: (x) => sora.step(x, 0.3),
      tfjs: (x) => tf.step(x, 0.3), wrt: [0] });
  }
  list.push({ label: 'leakyRelu int32', inputs: [ints([3, 7], -5, 6)], sora: (x) => sora.leakyRelu(x), tfjs: (x) => tf.leakyRelu(x) });
  list.push({ label: 'step int32', inputs: [ints([3, 7], -5, 6)], sora: (x) => sora.step(x), tfjs: (x) => tf.step(x) });
  list.push({ label: 'clipByValue int32 to fractional bounds', inputs: [ints([3, 7], -9, 10)], sora: (x) => sora.clipByValue(x, -2.5, 4.5),
    tfjs: (x) => tf.clipByValue(x, -2.5, 4.5) });
  list.push({ label: 'clipByValue [3,5]', inputs: [uniform([3, 5], -3, 3)], sora: (x) => sora.clipByValue(x, -1.5, 2),
    tfjs: (x) => tf.clipByValue(x, -1.5, 2), wrt: [0] });
  return list;
}

type Binary = [name: string, aLo: number, aHi: number, bLo: number, bHi: number, gradient: boolean];
const BINARY: Binary[] = [
  ['pow', 0.3, 3, -2.5, 2.5, true], ['mod', -9, 9, 0.6, 3, true], ['floorDiv', -9, 9, 0.6, 3, false],
  ['atan2', -3, 3, -3, 3, true], ['divNoNan', -3, 3, 0.5, 3, false],
];
/** Hostile operands: NaN, infinities, signed zeros, domain edges, huge and tiny magnitudes. */
const HOSTILE = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -0.5, 2.5, 3, -7, 1e30, -1e-30, 100, -100];
const PAIRS: [number[], number[]][] = [[[3, 5], [3, 5]], [[3, 1], [1, 5]], [[2, 7], [7]], [[], [2, 3, 3]], [[0, 3], [3]]];

function binaryCases(): MathCase[] {
  const list: MathCase[] = [];
  for (const [name, aLo, aHi, bLo, bHi, gradient] of BINARY) {
    const s = (a: sora.Tensor, b: sora.Tensor) => (sora as unknown as Record<string, (a: sora.Tensor, b: sora.Tensor) => sora.Tensor>)[name](a, b);
    const t = (a: tf.Tensor, b: tf.Tensor) => (tf as unknown as Record<string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor>)[name](a, b);
    for (const [sa, sb] of PAIRS) {
      // Divisors of both signs for mod/floorDiv/divNoNan: b's magnitude in [bLo, bHi), sign alternating.
      const b = uniform(sb, bLo, bHi);
      if (name !== 'pow' && name !== 'atan2') b.values = b.values.map((v, i) => (i % 2 ? -v : v));
      list.push({ label: `${name} [${sa}] x [${sb}]`, inputs: [uniform(sa, aLo, aHi), b], sora: s, tfjs: t,
        wrt: gradient && size(sa) > 0 ? [0, 1] : [] });
    }
    list.push({ label: `${name} int32 with zero divisors`, inputs: [ints([3, 7], -20, 21), ints([7], name === 'pow' ? -2 : -5, name === 'pow' ? 6 : 6)],
      sora: s, tfjs: t });
    list.push({ label: `${name} hostile pairs`, inputs: [{ values: HOSTILE.flatMap((v) => HOSTILE.map(() => v)), shape: [16, 16], dtype: 'float32' },
      { values: HOSTILE, shape: [16], dtype: 'float32' }], sora: s, tfjs: t });
    list.push({ label: `${name} float32 x int32 (upcast)`, inputs: [uniform([3, 4], aLo, aHi), ints([4], 1, 4)], sora: s, tfjs: t });
  }
  list.push({ label: 'pow negative base, integer exponents', inputs: [uniform([2, 7], -3, 3), { values: [3, 2, -1, 0, 1, 2, 3], shape: [7], dtype: 'float32' }],
    sora: sora.pow, tfjs: tf.pow, wrt: [0] });
  list.push({ label: 'pow x^2 with a plain number', inputs: [uniform([3, 5], -3, 3)], sora: (a) => sora.pow(a, 2), tfjs: (a) => tf.pow(a, 2), wrt: [0] });
  list.push({ label: 'pow int32 ^ plain 2', inputs: [ints([7], -5, 6)], sora: (a) => sora.pow(a, 2), tfjs: (a) => tf.pow(a, 2) });
  list.push({ label: 'divNoNan zeros in b', inputs: [uniform([2, 5], -3, 3), { values: [0, 0.5, 0, -2, 1.5], shape: [5], dtype: 'float32' }],
    sora: sora.divNoNan, tfjs: tf.divNoNan, wrt: [] });
  list.push({ label: 'div int32 is floorDiv', inputs: [ints([33], -50, 50), ints([33], -6, 7)], sora: sora.div, tfjs: tf.div });
  list.push({ label: 'div int32 by a plain number is float32', inputs: [ints([3, 7], -50, 50)], sora: (a) => sora.div(a, 4), tfjs: (a) => tf.div(a, 4) });
  list.push({ label: 'div int32 by float32 upcasts', inputs: [ints([3, 7], -50, 50), uniform([7], 0.5, 2)], sora: sora.div, tfjs: tf.div });
  list.push({ label: 'prelu [3,5] alpha [5]', inputs: [uniform([3, 5], -3, 3), uniform([5], 0, 0.5)], sora: sora.prelu, tfjs: (x, a) => tf.prelu(x, a), wrt: [0, 1] });
  list.push({ label: 'prelu int32 x', inputs: [ints([3, 5], -4, 5), uniform([5], 0, 0.5)], sora: sora.prelu, tfjs: (x, a) => tf.prelu(x, a) });
  // alpha along x's last axes runs the backends' one-pass prelu kernel; other broadcasts, the composition.
  list.push({ label: 'prelu [2,6,6,16] alpha [1,1,16]', inputs: [uniform([2, 6, 6, 16], -3, 3), uniform([1, 1, 16], 0, 0.5)], sora: sora.prelu,
    tfjs: (x, a) => tf.prelu(x, a), wrt: [0, 1] });
  list.push({ label: 'prelu [4,3] alpha [4,1] and scalar alpha', inputs: [uniform([4, 3], -3, 3), uniform([4, 1], 0, 0.5), uniform([], 0, 0.5)],
    sora: (x, a, s) => sora.prelu(x, a).add(sora.prelu(x, s)), tfjs: (x, a, s) => tf.prelu(x, a).add(tf.prelu(x, s)) });
  list.push({ label: 'addN three [3,5]', inputs: [uniform([3, 5], -1, 1), uniform([3, 5], -1, 1), uniform([3, 5], -1, 1)],
    sora: (...xs) => sora.addN(xs), tfjs: (...xs) => tf.addN(xs), wrt: [0, 1, 2] });
  list.push({ label: 'addN int32', inputs: [ints([2, 3], -9, 9), ints([2, 3], -9, 9)], sora: (...xs) => sora.addN(xs), tfjs: (...xs) => tf.addN(xs) });
  return list;
}

const CASES = [...unaryCases(), ...binaryCases()];

interface Out { dtype: string; shape: number[]; values: number[] }
const weights = (n: number) => Array.from({ length: n }, (_, i) => ((i * 37) % 11) / 11 - 0.45);

function tfjsRun(k: MathCase): { out: Out; grads: number[][] } {
  return tf.tidy(() => {
    const xs = k.inputs.map((i) => tf.tensor(i.values, i.shape, i.dtype));
    const y = k.tfjs(...xs);
    const out = { dtype: y.dtype, shape: y.shape, values: Array.from(y.dataSync()) };
    const wrt = k.wrt ?? [];
    if (wrt.length === 0) return { out, grads: [] };
    const f = (...vs: tf.Tensor[]) => {
      const all = xs.map((x, i) => (wrt.includes(i) ? vs[wrt.indexOf(i)] : x));
      return tf.sum(tf.mul(k.tfjs(...all), tf.tensor(weights(size(y.shape)), y.shape)));
    };
    const grads = tf.grads(f)(wrt.map((i) => xs[i]));
    return { out, grads: grads.map((g) => Array.from(g.dataSync())) };
  });
}

function soraRun(k: MathCase): { out: Out; grads: number[][] } {
  return sora.tidy(() => {
    const xs = k.inputs.map((i) => sora.tensor(i.values, i.shape, i.dtype));
    const y = k.sora(...xs);
    const out = { dtype: y.dtype, shape: y.shape, values: Array.from(y.dataSync()) };
    const wrt = k.wrt ?? [];
    if (wrt.length === 0) return { out, grads: [] };
    const f = (...vs: sora.Tensor[]) => {
      const all = xs.map((x, i) => (wrt.includes(i) ? vs[wrt.indexOf(i)] : x));
      return sora.sum(sora.mul(k.sora(...all), sora.tensor(weights(size(y.shape)), y.shape)));
    };
    const grads = sora.grads(f)(wrt.map((i) => xs[i]));
    return { out, grads: grads.map((g) => Array.from(g.dataSync())) };
  });
}

function close(label: string, got: number[], want: number[], tol: number): void {
  expect(got.length, `${label}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const a = got[i], e = want[i];
    const ok = Number.isNaN(e) ? Number.isNaN(a) : a === e || Math.abs(a - e) <= Math.max(tol, tol * 10 * Math.abs(e));
    if (!ok) throw new Error(`${label}: element ${i} is ${a}, TF.js gives ${e} (tolerance ${tol})`);
  }
}

const expected = new Map<string, { out: Out; grads: number[][] }>();

beforeAll(async () => {
  await tf.setBackend('cpu');
  for (const k of CASES) expected.set(k.label, tfjsRun(k));
});

for (const backend of ['reference', 'wasm simd', 'wasm relaxed'] as const) {
  describe(`sora (${backend}) against TF.js (cpu)`, () => {
    beforeAll(async () => {
      if (backend === 'reference') await sora.setBackend('reference');
      else await sora.setBackend('wasm', { variant: backend === 'wasm simd' ? 'simd' : 'relaxed' });
    });
    afterAll(() => { expect(sora.memory().numTensors).toBeGreaterThanOrEqual(0); });
    for (const k of CASES) {
      it(k.label, () => {
        const want = expected.get(k.label)!;
        const before = sora.memory().numTensors;
        const got = soraRun(k);
        expect(sora.memory().numTensors, 'no tensor leaks').toBe(before);
        expect([got.out.dtype, got.out.shape], `${k.label}: dtype and shape`).toEqual([want.out.dtype, want.out.shape]);
        const tol = k.tol ?? 2e-6;
        close(`${k.label} forward`, got.out.values, want.out.values, tol);
        got.grads.forEach((g, i) => close(`${k.label} d/d input ${k.wrt![i]}`, g, want.grads[i], Math.max(tol, 1e-5)));
      });
    }
  });
}

describe('int32 where TF.js rejects it', () => {
  beforeAll(async () => { await sora.setBackend('reference'); });
  for (const name of ['sin', 'cos', 'tan', 'cosh', 'rsqrt', 'floor', 'ceil', 'elu', 'log', 'sqrt', 'sigmoid', 'tanh']) {
    it(`${name} throws naming the op and the dtype, as TF.js does`, () => {
      const tfx = tf.tensor([1, 2], [2], 'int32');
      expect(() => (tf as unknown as Record<string, (x: tf.Tensor) => tf.Tensor>)[name](tfx)).toThrow(/int32/);
      tfx.dispose();
      const x = sora.tensor([1, 2], [2], 'int32');
      expect(() => (sora as unknown as Record<string, (x: sora.Tensor) => sora.Tensor>)[name](x)).toThrow(new RegExp(`^${name}: .*int32`));
      x.dispose();
    });
  }
  it('addN and the unary ops take plain values, as TF.js', () => {
    const sum = sora.addN([[1, 2], [3, 4.5]] as unknown as sora.Tensor[]);
    expect(Array.from(sum.dataSync())).toEqual(Array.from(tf.addN([[1, 2], [3, 4.5]] as unknown as tf.Tensor[]).dataSync()));
    const s = sora.sin([0.5, 1]);
    expect(Array.from(s.dataSync())).toEqual(Array.from(tf.sin([0.5, 1]).dataSync()));
    sum.dispose();
    s.dispose();
  });
  it('bool inputs and mismatched addN give errors naming the op', () => {
    const b = sora.tensor([1, 0], [2], 'bool');
    expect(() => sora.sin(b)).toThrow(/^sin: .*bool/);
    expect(() => sora.addN([sora.ones([2]), sora.ones([3])])).toThrow(/^addN: .*same shape/);
    expect(() => sora.addN([])).toThrow(/^addN: /);
    expect(() => sora.leakyRelu(sora.ones([2]), 'x' as unknown as number)).toThrow(/^leakyRelu: 'alpha'/);
    b.dispose();
  });
});

describe('second derivatives against TF.js (gradients are written with ops)', () => {
  type F<T> = (x: T) => T;
  const pairs: [string, F<sora.Tensor>, F<tf.Tensor>, number, number][] = [
    ['sin', sora.sin, tf.sin, -3, 3], ['cos', sora.cos, tf.cos, -3, 3], ['tan', sora.tan, tf.tan, -1, 1],
    ['atan', sora.atan, tf.atan, -3, 3], ['asinh', sora.asinh, tf.asinh, -3, 3], ['erf', sora.erf, tf.erf, -2, 2],
    ['log1p', sora.log1p, tf.log1p, -0.5, 3], ['expm1', sora.expm1, tf.expm1, -2, 2], ['sinh', sora.sinh, tf.sinh, -2, 2],
    ['reciprocal', sora.reciprocal, tf.reciprocal, 0.5, 2], ['softplus', sora.softplus, tf.softplus, -3, 3],
    ['pow(x, 3.5)', (x) => sora.pow(x, 3.5), (x) => tf.pow(x, 3.5), 0.5, 2],
    ['atan2(x, 0.7)', (x) => sora.atan2(x, 0.7), (x) => tf.atan2(x, 0.7), -2, 2],
  ];
  beforeAll(async () => { await sora.setBackend('reference'); });
  for (const [name, s, t, lo, hi] of pairs) {
    it(name, () => {
      const input = uniform([2, 5], lo, hi);
      const want = tf.tidy(() => Array.from(tf.grad(tf.grad((x: tf.Tensor) => tf.sum(t(x))))(tf.tensor(input.values, input.shape)).dataSync()));
      const got = sora.tidy(() => Array.from(sora.grad(sora.grad((x: sora.Tensor) => sora.sum(s(x))))(sora.tensor(input.values, input.shape)).dataSync()));
      close(`${name}''`, got, want, 2e-5);
    });
  }
});
