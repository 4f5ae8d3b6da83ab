/**
 * The reference backend: plain TypeScript over typed arrays, accumulating in float64.
 * It is the living definition of every kernel in backend.ts (the oracle the fast backends
 * are tested against) and the fallback of last resort. Clarity over speed.
 */
import {
  BINARY_CODES, UNARY_CODES,
  type AdamParams, type Backend, type BinaryOp, type DType, type GemmParams, type ReduceOp,
  type RmspropParams, type SgdParams, type SoftmaxCrossEntropyParams, type Storage, type TypedArray,
  type UnaryOp,
} from '../backend.js';
import { arrayFor } from '../../dtypes.js';
import { gemmArrays } from './gemm.js';
import { checkBackwardOp, erf, floorMod, roundHalfEven } from './math.js';
import type { ScanOp, ScatterMode } from '../backend.js';
import { scanArrays, scatterRowsArrays, topkArrays } from './indexing-kernels.js';
import { multinomialRow, sample, threefry, unit } from './random.js';
import type { RandomParams } from '../backend.js';

export class ReferenceStorage implements Storage {
  constructor(readonly values: TypedArray, readonly dtype: DType) {}
  get size(): number { return this.values.length; }
  get bytes(): number { return this.values.byteLength; }
}

/** The reference backend's largest storage: 2 GiB, within every engine's typed-array limit. */
const REFERENCE_MAX_BYTES = 2 ** 31;

type S = ReferenceStorage;

function unaryForward(op: UnaryOp, x: number): number {
  switch (op) {
    case 'relu': return x < 0 ? 0 : x; // NaN stays NaN
    case 'sigmoid': return 1 / (1 + Math.exp(-x));
    case 'tanh': return Math.tanh(x);
    case 'exp': return Math.exp(x);
    case 'log': return Math.log(x);
    case 'neg': return -x;
    case 'abs': return Math.abs(x);
    case 'sqrt': return Math.sqrt(x);
    case 'square': return x * x;
    case 'sin': return Math.sin(x);
    case 'cos': return Math.cos(x);
    case 'tan': return Math.tan(x);
    case 'asin': return Math.asin(x);
    case 'acos': return Math.acos(x);
    case 'atan': return Math.atan(x);
    case 'sinh': return Math.sinh(x);
    case 'cosh': return Math.cosh(x);
    case 'asinh': return Math.asinh(x);
    case 'acosh': return Math.acosh(x);
    case 'atanh': return Math.atanh(x);
    case 'erf': return erf(x);
    case 'log1p': return Math.log1p(x);
    case 'expm1': return Math.expm1(x);
    case 'floor': return Math.floor(x);
    case 'ceil': return Math.ceil(x);
    case 'round': return roundHalfEven(x);
    case 'sign': return x > 0 ? 1 : x < 0 ? -1 : 0; // as TF.js: NaN and -0 give 0
    case 'reciprocal': return 1 / x;
    case 'rsqrt': return 1 / Math.sqrt(x);
  }
}

function unaryDerivative(op: UnaryOp, dy: number, x: number, y: number): number {
  switch (op) {
    case 'relu': return x > 0 ? dy : (Number.isNaN(x) ? NaN : 0);
    case 'sigmoid': return dy * y * (1 - y);
    case 'tanh': return dy * (1 - y * y);
    case 'exp': return dy * y;
    case 'log': return dy / x;
    case 'neg': return -dy;
    case 'abs': return dy * Math.sign(x);
    case 'sqrt': return dy / (2 * y);
    case 'square': return 2 * x * dy;
    default: throw new Error(`reference unaryBackward: no derivative kernel for '${op}'`);
  }
}

function binaryForward(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case 'add': return a + b;
    case 'sub': return a - b;
    case 'mul': return a * b;
    case 'div': return a / b;
    // Math.max/min propagate NaN, as the SIMD f32x4.max/min do.
    case 'max': return Math.max(a, b);
    case 'min': return Math.min(a, b);
    case 'squaredDifference': return (a - b) * (a - b);
    // Comparisons give 0 / 1 with IEEE rules: NaN is unequal to everything, -0 equals 0.
    case 'equal': return a === b ? 1 : 0;
    case 'notEqual': return a !== b ? 1 : 0;
    case 'less': return a < b ? 1 : 0;
    case 'lessEqual': return a <= b ? 1 : 0;
    case 'greater': return a > b ? 1 : 0;
    case 'greaterEqual': return a >= b ? 1 : 0;
    // Logic reads any nonzero operand (NaN included) as true, as a cast to 'bool' does.
    case 'logicalAnd': return a !== 0 && b !== 0 ? 1 : 0;
    case 'logicalOr': return a !== 0 || b !== 0 ? 1 : 0;
    case 'logicalXor': return (a !== 0) !== (b !== 0) ? 1 : 0;
    // In float64, then stored: int32 storage takes ToInt32 of the result (x / 0 gives 0), as TF.js.
    case 'pow': return Math.pow(a, b);
    case 'mod': return floorMod(a, b);
    case 'floorDiv': return Math.floor(a / b);
    case 'atan2': return Math.atan2(a, b);
  }
}

/** The 32-bit words of a storage: select moves words, whatever the dtype. */
function words(values: TypedArray): Int32Array {
  return values instanceof Int32Array ? values : new Int32Array(values.buffer, values.byteOffset, values.length);
}

/**
 * Optimizer state below the smallest normal float32 is stored as 0: decaying moments would
 * otherwise sit in the subnormal range, ~100x slower on x86 (see assembly/optim.ts).
 */
const SMALLEST_NORMAL = 1.1754943508222875e-38;
const flush = (x: number): number => (Math.abs(x) < SMALLEST_NORMAL ? 0 : x);

export class ReferenceBackend implements Backend<S> {
  readonly name = 'reference' as const;
  readonly description = 'reference (TypeScript, float64 accumulation)';
  readonly syncReadable = true;
  readonly unaryOps: ReadonlySet<UnaryOp> = new Set(Object.keys(UNARY_CODES) as UnaryOp[]);
  readonly binaryOps: ReadonlySet<BinaryOp> = new Set(Object.keys(BINARY_CODES) as BinaryOp[]);
  private bytes = 0;

  /** int32 and bool live in an Int32Array (bool as 0 / 1), float32 in a Float32Array. */
  alloc(size: number, dtype: DType): S {
    this.bytes += size * 4;
    return new ReferenceStorage(arrayFor(dtype, size), dtype);
  }
  free(storage: S): void { this.bytes -= storage.values.length * 4; }
  write(storage: S, values: TypedArray): void { storage.values.set(values); }
  async read(storage: S): Promise<TypedArray> { return this.readSync(storage); }
  readSync(storage: S): TypedArray { return storage.values.slice(); }
  bytesInUse(): number { return this.bytes; }
  maxStorageBytes(): number { return REFERENCE_MAX_BYTES; }

  gemm(p: GemmParams<S>): void { gemmArrays(p); }

  /** out[i] = f(x[i]) for begin <= i < end (default: all of size); the rest of out is untouched. */
  unary(op: UnaryOp, x: S, out: S, size: number, begin = 0, end = size): void {
    const xv = x.values, ov = out.values;
    for (let i = begin; i < end; i++) ov[i] = unaryForward(op, xv[i]);
  }

  unaryBackward(op: UnaryOp, dy: S, x: S, y: S, dx: S, size: number): void {
    checkBackwardOp('reference', op);
    const dyv = dy.values, xv = x.values, yv = y.values, dxv = dx.values;
    for (let i = 0; i < size; i++) dxv[i] = unaryDerivative(op, dyv[i], xv[i], yv[i]);
  }

  /** The repeat rule over begin <= i < end only (default: all of size). */
  binary(op: BinaryOp, a: S, aSize: number, b: S, bSize: number, out: S, size: number, begin = 0, end = size): void {
    const av = a.values, bv = b.values, ov = out.values;
    for (let i = begin; i < end; i++) ov[i] = binaryForward(op, av[i % aSize], bv[i % bSize]);
  }

  affine(x: S, out: S, size: number, alpha: number, beta: number): void {
    const xv = x.values, ov = out.values;
    for (let i = 0; i < size; i++) ov[i] = alpha * xv[i] + beta;
  }

  reduce(op: ReduceOp, x: S, out: S, outer: number, length: number, inner: number): void {
    const xv = x.values, ov = out.values;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let acc = op === 'sum' ? 0 : op === 'max' ? -Infinity : Infinity;
        for (let l = 0; l < length; l++) {
          const v = xv[(o * length + l) * inner + i];
          if (op === 'sum') acc += v;
          else if (op === 'max') acc = Math.max(acc, v);
          else acc = Math.min(acc, v);
        }
        ov[o * inner + i] = acc;
      }
    }
  }

  argMax(x: S, out: S, outer: number, length: number, inner: number): void {
    const xv = x.values, ov = out.values;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let best = 0;
        let bestValue = xv[o * length * inner + i];
        for (let l = 1; l < length && !Number.isNaN(bestValue); l++) {
          const v = xv[(o * length + l) * inner + i];
          if (v > bestValue || Number.isNaN(v)) { best = l; bestValue = v; }
        }
        ov[o * inner + i] = best;
      }
    }
  }

  softmax(x: S, out: S, rows: number, cols: number): void {
    const xv = x.values, ov = out.values;
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      const { max, sum } = rowMaxAndExpSum(xv, base, cols);
      for (let j = 0; j < cols; j++) ov[base + j] = Math.exp(xv[base + j] - max) / sum;
    }
  }

  softmaxCrossEntropy(p: SoftmaxCrossEntropyParams<S>): void {
    const { rows, cols } = p;
    const x = p.logits.values, y = p.labels.values, loss = p.loss.values, grad = p.grad?.values;
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      const { max, sum } = rowMaxAndExpSum(x, base, cols);
      const logSumExp = max + Math.log(sum);
      let dot = 0;
      if (p.sparse) dot = x[base + y[r]];
      else for (let j = 0; j < cols; j++) dot += y[base + j] * x[base + j];
      // Labels are one-hot or probability rows summing to 1, as the contract says.
      loss[r] = logSumExp - dot;
      if (grad) {
        for (let j = 0; j < cols; j++) {
          const target = p.sparse ? (y[r] === j ? 1 : 0) : y[base + j];
          grad[base + j] = (Math.exp(x[base + j] - max) / sum - target) * p.gradScale;
        }
      }
    }
  }

  adam(p: AdamParams<S>): void {
    const w = p.param.values, g = p.grad.values, m = p.m.values, v = p.v.values;
    for (let i = 0; i < p.size; i++) {
      m[i] = flush(p.beta1 * m[i] + (1 - p.beta1) * g[i]);
      v[i] = flush(p.beta2 * v[i] + (1 - p.beta2) * g[i] * g[i]);
      w[i] -= p.learningRate * (m[i] * p.correction1) / (Math.sqrt(v[i] * p.correction2) + p.epsilon);
    }
  }

  sgd(p: SgdParams<S>): void {
    const w = p.param.values, g = p.grad.values, vel = p.velocity?.values;
    for (let i = 0; i < p.size; i++) {
      if (!vel) { w[i] -= p.learningRate * g[i]; continue; }
      vel[i] = flush(p.momentum * vel[i] + g[i]);
      w[i] -= p.learningRate * (p.nesterov ? g[i] + p.momentum * vel[i] : vel[i]);
    }
  }

  rmsprop(p: RmspropParams<S>): void {
    const w = p.param.values, g = p.grad.values, ms = p.meanSquare.values, mom = p.moment?.values;
    for (let i = 0; i < p.size; i++) {
      ms[i] = flush(p.decay * ms[i] + (1 - p.decay) * g[i] * g[i]);
      const step = p.learningRate * g[i] / Math.sqrt(ms[i] + p.epsilon);
      if (mom) { mom[i] = flush(p.momentum * mom[i] + step); w[i] -= mom[i]; } else w[i] -= step;
    }
  }

  copyStrided(src: S, dst: S, shape: number[], srcStrides: number[], srcOffset: number,
    dstStrides: number[], dstOffset: number): void {
    copyStridedArrays(src.values, dst.values, shape, srcStrides, srcOffset, dstStrides, dstOffset);
  }

  gatherRows(src: S, indices: S, dst: S, rowCount: number, cols: number): void {
    for (let r = 0; r < rowCount; r++) {
      const from = indices.values[r] * cols;
      dst.values.set(src.values.subarray(from, from + cols), r * cols);
    }
  }

  oneHot(indices: S, out: S, size: number, depth: number): void {
    out.values.fill(0, 0, size * depth);
    for (let i = 0; i < size; i++) {
      const index = indices.values[i];
      if (index >= 0 && index < depth) out.values[i * depth + index] = 1;
    }
  }

  select(cond: S, condSize: number, a: S, aSize: number, b: S, bSize: number, out: S, size: number): void {
    const c = cond.values, av = words(a.values), bv = words(b.values), ov = words(out.values);
    for (let i = 0; i < size; i++) ov[i] = c[i % condSize] !== 0 ? av[i % aSize] : bv[i % bSize];
  }

  random(p: RandomParams<S>): void {
    const words = new Uint32Array(2);
    const out = p.out.values;
    for (let i = 0; i < p.size; i++) out[i] = sample(p.distribution, p.key0, p.key1, i, p.a, p.b, words);
  }

  multinomial(probs: S, out: S, batch: number, classes: number, samples: number, key0: number, key1: number): void {
    const words = new Uint32Array(2);
    for (let r = 0; r < batch; r++) {
      for (let s = 0; s < samples; s++) {
        threefry(key0, key1, r * samples + s, 0, words);
        out.values[r * samples + s] = multinomialRow(probs.values, r * classes, classes, unit(words[0]));
      }
    }
  }

  scan(op: ScanOp, x: S, out: S, outer: number, length: number, inner: number, exclusive: boolean, reverse: boolean): void {
    scanArrays(op, x.values, out.values, outer, length, inner, exclusive, reverse);
  }

  scatterRows(mode: ScatterMode, updates: S, indices: S, out: S, rowCount: number, cols: number, outRows: number): void {
    scatterRowsArrays(mode, updates.values, indices.values as Int32Array, out.values, rowCount, cols, outRows);
  }

  topk(x: S, values: S, indices: S, rows: number, cols: number, k: number): void {
    topkArrays(x.values as Float32Array, values.values as Float32Array, indices.values as Int32Array, rows, cols, k);
  }

  cast(x: S, out: S, size: number): void { castArrays(x.values, out.values, out.dtype, size); }

  fill(out: S, size: number, value: number): void { fillArray(out.values, out.dtype, size, value); }
}

/** A row's max and sum of exp(x - max): the stable softmax's two reductions. */
function rowMaxAndExpSum(x: TypedArray, base: number, cols: number): { max: number; sum: number } {
  let max = -Infinity;
  for (let j = 0; j < cols; j++) max = Math.max(max, x[base + j]);
  let sum = 0;
  for (let j = 0; j < cols; j++) sum += Math.exp(x[base + j] - max);
  return { max, sum };
}

/**
 * cast over CPU arrays (reference and wasm). To 'bool': value != 0 (NaN is true). From
 * 'bool': 0 / 1. float32 to int32: JavaScript ToInt32, as an Int32Array store does
 * (truncation toward zero; NaN and +-Infinity give 0; magnitudes past 2^31 wrap).
 */
export function castArrays(from: TypedArray, to: TypedArray, toType: DType, size: number): void {
  if (toType === 'bool') for (let i = 0; i < size; i++) to[i] = from[i] !== 0 ? 1 : 0;
  else for (let i = 0; i < size; i++) to[i] = from[i];
}

/** fill over CPU arrays: a 'bool' fill stores value != 0 as 0 / 1, as cast does. */
export function fillArray(to: TypedArray, dtype: DType, size: number, value: number): void {
  to.fill(dtype === 'bool' ? +(value !== 0) : value, 0, size);
}

/** The strided copy shared by backends whose storage JS can see (reference, wasm). */
export function copyStridedArrays(src: TypedArray, dst: TypedArray, shape: number[],
  srcStrides: number[], srcOffset: number, dstStrides: number[], dstOffset: number): void {
  const rank = shape.length;
  if (shape.some((d) => d === 0)) return;
  if (rank === 0) { dst[dstOffset] = src[srcOffset]; return; }
  const last = rank - 1;
  const index = new Array<number>(rank).fill(0);
  let s = srcOffset, d = dstOffset;
  const innerLength = shape[last], sInner = srcStrides[last], dInner = dstStrides[last];
  for (;;) {
    if (sInner === 1 && dInner === 1) dst.set(src.subarray(s, s + innerLength), d);
    else for (let i = 0; i < innerLength; i++) dst[d + i * dInner] = src[s + i * sInner];
    // Odometer over the outer axes.
    let axis = last - 1;
    while (axis >= 0) {
      index[axis]++;
      s += srcStrides[axis]; d += dstStrides[axis];
      if (index[axis] < shape[axis]) break;
      s -= srcStrides[axis] * shape[axis]; d -= dstStrides[axis] * shape[axis];
      index[axis] = 0;
      axis--;
    }
    if (axis < 0) return;
  }
}

export function createReferenceBackend(): ReferenceBackend {
  return new ReferenceBackend();
}
