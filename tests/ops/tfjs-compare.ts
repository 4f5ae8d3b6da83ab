/**
 * Differential checks against TF.js (cpu backend) for tests/tfjs-structure*.test.ts: the
 * same inputs through both libraries, results compared by shape, dtype and values.
 */
import { expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import * as sora from '../../src/index.js';

type DType = 'float32' | 'int32' | 'bool';
interface In { values: number[]; shape: number[]; dtype: DType }

let seed = 12345;
function rand(): number { seed = (seed * 16807) % 2147483647; return seed / 2147483647; }
const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
export const f = (shape: number[], lo = -2, hi = 2): In =>
  ({ values: Array.from({ length: count(shape) }, () => lo + (hi - lo) * rand()), shape, dtype: 'float32' });
export const i32 = (shape: number[], lo = -5, hi = 6): In =>
  ({ values: Array.from({ length: count(shape) }, () => lo + Math.floor((hi - lo) * rand())), shape, dtype: 'int32' });
export const b = (shape: number[]): In => ({ values: Array.from({ length: count(shape) }, () => (rand() < 0.5 ? 1 : 0)), shape, dtype: 'bool' });
export const iv = (values: number[], shape = [values.length]): In => ({ values, shape, dtype: 'int32' });

type Out = unknown;
/** Every tensor in a result (a tensor, an array, or an object of them), in a fixed order. */
function tensorsOf(result: Out): { shape: number[]; dtype: string; dataSync(): ArrayLike<number> }[] {
  if (Array.isArray(result)) return result.flatMap(tensorsOf);
  if (result && typeof result === 'object' && 'shape' in result && 'dtype' in result) return [result as never];
  if (result && typeof result === 'object') return Object.keys(result).sort().flatMap((k) => tensorsOf((result as Record<string, Out>)[k]));
  throw new Error(`unexpected result ${String(result)}`);
}

function compare(label: string, actual: Out, expected: Out, tol: number): void {
  const as = tensorsOf(actual), es = tensorsOf(expected);
  expect(as.length, `${label}: number of outputs`).toBe(es.length);
  as.forEach((a, k) => {
    const e = es[k];
    expect(a.shape, `${label} output ${k} shape`).toEqual(e.shape);
    expect(a.dtype, `${label} output ${k} dtype`).toBe(e.dtype);
    const av = Array.from(a.dataSync()), ev = Array.from(e.dataSync());
    ev.forEach((v, j) => {
      const ok = Number.isNaN(v) ? Number.isNaN(av[j]) : av[j] === v || Math.abs(av[j] - v) <= tol * Math.max(1, Math.abs(v));
      if (!ok) throw new Error(`${label} output ${k} element ${j}: sora ${av[j]}, TF.js ${v}`);
    });
  });
}

type Lib = typeof sora | typeof tf;
/* eslint-disable @typescript-eslint/no-explicit-any */
/** Runs `run` in both libraries on the same inputs; sora's result must match TF.js's. */
export function same(label: string, inputs: In[], run: (lib: any, xs: any[]) => Out, tol = 1e-5): void {
  it(label, async () => {
    const results: Out[] = [];
    for (const lib of [sora, tf] as Lib[]) {
      const xs = inputs.map((x) => (lib as typeof tf).tensor(x.values, x.shape, x.dtype));
      const out = await run(lib, xs);
      results.push(out);
    }
    compare(label, results[0], results[1], tol);
  });
}

/** sora throws an Error whose message names the op (and matches `pattern` when given). */
export function rejects(label: string, op: string, thunk: () => unknown, pattern?: RegExp): void {
  it(`${label}: a clear Error`, async () => {
    let error: unknown;
    try { await thunk(); } catch (e) { error = e; }
    expect(error, `${label} should throw`).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(op);
    if (pattern) expect((error as Error).message).toMatch(pattern);
  });
}

