/**
 * The backend-agnostic kernel suite's harness. Cases are plain async functions that throw
 * on mismatch, with no test-runner import, so the same cases run under vitest in Node
 * (wasm builds), and bundled into headless Chromium and Deno (webgpu).
 */
import type { Backend, DType, Storage, TypedArray } from '../../src/backends/backend.js';

export interface KernelCase {
  /** Unique within the suite, e.g. 'gemm m=7 n=33 k=1 tA tB bias relu'. */
  name: string;
  /** `backend` is the one under test, `reference` the oracle. Throws on mismatch. */
  run(backend: Backend, reference: Backend): Promise<void>;
}

export interface Tolerance { atol: number; rtol: number }

/** Deterministic uniform values in [lo, hi) (mulberry32). */
export function randomArray(size: number, seed: number, lo = -1, hi = 1): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const unit = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = lo + (hi - lo) * unit;
  }
  return out;
}

export function upload(backend: Backend, values: TypedArray): Storage {
  const dtype: DType = values instanceof Int32Array ? 'int32' : 'float32';
  const storage = backend.alloc(values.length, dtype);
  backend.write(storage, values);
  return storage;
}

export function empty(backend: Backend, size: number, dtype: DType = 'float32'): Storage {
  const storage = backend.alloc(size, dtype);
  backend.fill(storage, size, dtype === 'float32' ? Number.NaN : -1); // poison: unwritten output shows
  return storage;
}

export async function download(backend: Backend, storage: Storage): Promise<TypedArray> {
  return backend.read(storage);
}

/**
 * |actual - expected| <= max(atol, rtol * |expected|) elementwise; NaN must match NaN,
 * infinities must match exactly. Throws naming the label, the first bad index and the values.
 */
export function assertClose(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>,
  tol: Tolerance = { atol: 1e-5, rtol: 1e-4 }): void {
  if (actual.length !== expected.length) {
    throw new Error(`${label}: length ${actual.length}, expected ${expected.length}`);
  }
  let bad = 0;
  let first = -1;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    let ok: boolean;
    if (Number.isNaN(e)) ok = Number.isNaN(a);
    else if (!Number.isFinite(e)) ok = a === e;
    else ok = Math.abs(a - e) <= Math.max(tol.atol, tol.rtol * Math.abs(e));
    if (!ok) { bad++; if (first < 0) first = i; }
  }
  if (bad > 0) {
    throw new Error(`${label}: ${bad} of ${actual.length} values out of tolerance ` +
      `(atol ${tol.atol}, rtol ${tol.rtol}); first at [${first}]: got ${actual[first]}, ` +
      `expected ${expected[first]}`);
  }
}

/** Run one kernel on both backends with the same inputs and compare every output. */
export async function compareOutputs(
  label: string,
  backend: Backend,
  reference: Backend,
  inputs: TypedArray[],
  outputs: { size: number; dtype?: DType }[],
  launch: (b: Backend, ins: Storage[], outs: Storage[]) => void,
  tol?: Tolerance,
): Promise<TypedArray[]> {
  const results: TypedArray[][] = [];
  for (const b of [backend, reference]) {
    const ins = inputs.map((values) => upload(b, values));
    const outs = outputs.map((o) => empty(b, o.size, o.dtype ?? 'float32'));
    launch(b, ins, outs);
    const got: TypedArray[] = [];
    for (const o of outs) got.push(await b.read(o));
    for (const s of [...ins, ...outs]) b.free(s);
    results.push(got);
  }
  results[0].forEach((got, i) => assertClose(`${label} output ${i}`, got, results[1][i], tol));
  return results[0];
}

/** The shape set every kernel is checked on (STYLE: partial tiles are where bugs live). */
export const EDGE_SIZES = [1, 2, 3, 4, 5, 7, 8, 17, 33, 127, 257];
