/**
 * The backend-agnostic kernel suite's harness. Cases are plain async functions that throw
 * on mismatch, with no test-runner import, so the same cases run under vitest in Node
 * (wasm builds), and bundled into headless Chromium and Deno (webgpu).
 */
import { hasKernel, type Backend, type DType, type KernelName, type Kernels, type Storage, type TypedArray } from '../../../src/backends/backend.js';
import { DTYPES, type NumericDType } from '../../../src/core/dtypes.js';

/** A backend with every kernel family: what the suite checks (all three backends are). */
export type KernelBackend = Backend & Kernels;

/**
 * Every kernel family (the type makes the list complete) and where it must exist: 'all' on
 * every backend; 'cpu' on the reference and wasm backends (the stand-alone activation and prelu:
 * webgpu runs their compositions); 'reference' only on
 * the reference backend (none today: the recurrent kernels have wasm and WGSL twins).
 */
const KERNEL_FAMILIES: Record<KernelName, 'all' | 'cpu' | 'reference'> = {
  gemm: 'all', unary: 'all', unaryBackward: 'all', binary: 'all', affine: 'all', reduce: 'all', argMax: 'all',
  softmax: 'all', softmaxCrossEntropy: 'all', adam: 'all', sgd: 'all', rmsprop: 'all', gatherRows: 'all',
  oneHot: 'all', select: 'all',
  scan: 'all', scatterRows: 'all', topk: 'all',
  random: 'all', multinomial: 'all',
  conv2d: 'all', conv2dBackpropInput: 'all', conv2dBackpropFilter: 'all',
  depthwiseConv2d: 'all', depthwiseConv2dBackpropInput: 'all', depthwiseConv2dBackpropFilter: 'all',
  pool2d: 'all', pool2dBackward: 'all', recurrentSequence: 'all',
  recurrentSequenceBackward: 'all', activation: 'cpu', prelu: 'cpu', resize: 'all',
};

/** Whether `backend` must implement the family `name` (KERNEL_FAMILIES). */
function required(backend: Backend, name: KernelName): boolean {
  const where = KERNEL_FAMILIES[name];
  return where === 'all' || backend.name === 'reference' || (where === 'cpu' && backend.name === 'wasm');
}

/**
 * True when `backend` lacks the family `name` and is allowed to (a known gap in KERNEL_FAMILIES):
 * a case for that family has nothing to check there. Never true where the family is required.
 */
export function knownGap(backend: Backend, name: KernelName): boolean {
  return !required(backend, name) && !hasKernel(backend, name);
}

/** `backend` as one with every kernel family it must have; throws naming the families it lacks. */
export function withKernels(backend: Backend): KernelBackend {
  const missing = (Object.keys(KERNEL_FAMILIES) as KernelName[])
    .filter((name) => required(backend, name) && !hasKernel(backend, name));
  if (missing.length > 0) throw new Error(`backend '${backend.name}' lacks the kernels ${missing.join(', ')}`);
  return backend as KernelBackend;
}

export interface KernelCase {
  /** Unique within the suite, e.g. 'gemm m=7 n=33 k=1 tA tB bias relu'. */
  name: string;
  /** `backend` is the one under test, `reference` the oracle. Throws on mismatch. */
  run(backend: Backend, reference: Backend): Promise<void>;
}

export interface Tolerance { atol: number; rtol: number }

/** A deterministic uniform generator on [0, 1) (mulberry32): the one every test draws from. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic uniform values in [lo, hi) (mulberry32). */
export function randomArray(size: number, seed: number, lo = -1, hi = 1): Float32Array {
  const unit = mulberry32(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = lo + (hi - lo) * unit();
  return out;
}

/** A kernel input: a typed array (Int32Array uploads as int32, others as float32), or values with their dtype. */
export type Input = TypedArray | { values: TypedArray; dtype: DType };

/** 'bool' values (0 / 1) as a kernel input. */
export function bools(values: ArrayLike<number>): Input {
  return { values: Int32Array.from(values, (v) => (v !== 0 ? 1 : 0)), dtype: 'bool' };
}

/** `values` in a new storage of `dtype` (default: int32 for an Int32Array, else float32). */
export function upload(backend: Backend, values: TypedArray, dtype?: DType): Storage {
  const type: DType = dtype ?? (values instanceof Int32Array ? 'int32' : 'float32');
  const storage = backend.alloc(values.length, type);
  backend.write(storage, values);
  return storage;
}

function uploadInput(backend: Backend, input: Input): Storage {
  return ArrayBuffer.isView(input) ? upload(backend, input) : upload(backend, input.values, input.dtype);
}

/**
 * An output storage poisoned so that an unwritten element shows: NaN for float32, -1 for
 * int32 and bool (never a valid bool word; written, not filled, as a bool fill gives 0 / 1).
 */
export function empty(backend: Backend, size: number, dtype: DType = 'float32'): Storage {
  const storage = backend.alloc(size, dtype);
  backend.write(storage, dtype === 'float32' ? new Float32Array(size).fill(Number.NaN) : new Int32Array(size).fill(-1));
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

/**
 * The same 32-bit words: for exact kernels (comparisons, select, casts), where -0 must stay
 * -0 and a NaN must stay NaN. Throws naming the label, the first bad index and both values.
 */
export function assertExact(label: string, actual: TypedArray, expected: TypedArray): void {
  if (actual.length !== expected.length) {
    throw new Error(`${label}: length ${actual.length}, expected ${expected.length}`);
  }
  const words = (v: TypedArray) => new Int32Array(v.buffer, v.byteOffset, v.length);
  const a = words(actual), e = words(expected);
  let bad = 0;
  let first = -1;
  for (let i = 0; i < a.length; i++) if (a[i] !== e[i]) { bad++; if (first < 0) first = i; }
  if (bad > 0) {
    const show = (v: number) => (Object.is(v, -0) ? '-0' : String(v));
    throw new Error(`${label}: ${bad} of ${a.length} values differ (exact); first at [${first}]: ` +
      `got ${show(actual[first])}, expected ${show(expected[first])}`);
  }
}

/**
 * Run one kernel on both backends with the same inputs and compare every output, within
 * `tol` or, with 'exact', word for word. Each output must read back as its dtype's array.
 */
export async function compareOutputs(
  label: string,
  backend: Backend,
  reference: Backend,
  inputs: Input[],
  outputs: { size: number; dtype?: DType }[],
  launch: (b: KernelBackend, ins: Storage[], outs: Storage[]) => void,
  tol?: Tolerance | 'exact',
): Promise<TypedArray[]> {
  const results: TypedArray[][] = [];
  for (const b of [withKernels(backend), withKernels(reference)]) {
    const ins = inputs.map((input) => uploadInput(b, input));
    const outs = outputs.map((o) => empty(b, o.size, o.dtype ?? 'float32'));
    launch(b, ins, outs);
    const got: TypedArray[] = [];
    for (const o of outs) got.push(await b.read(o));
    for (const s of [...ins, ...outs]) b.free(s);
    results.push(got);
  }
  results[0].forEach((got, i) => {
    const dtype = outputs[i].dtype ?? 'float32';
    if (!(got instanceof DTYPES[dtype as NumericDType].array)) { // kernels never see 'string'
      throw new Error(`${label} output ${i}: a ${dtype} storage read back as ${got.constructor.name}`);
    }
    if (tol === 'exact') assertExact(`${label} output ${i}`, got, results[1][i]);
    else assertClose(`${label} output ${i}`, got, results[1][i], tol);
  });
  return results[0];
}

/** The shape set every kernel is checked on (STYLE: partial tiles are where bugs live). */
export const EDGE_SIZES = [1, 2, 3, 4, 5, 7, 8, 17, 33, 127, 257];
/** Odd sizes: one-lane tails of every length, and no size a multiple of a vector. */
export const ODD_SIZES = [1, 3, 7, 33, 127, 257];
