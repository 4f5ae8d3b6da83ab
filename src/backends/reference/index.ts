/**
 * The reference backend: plain TypeScript over typed arrays, accumulating in float64.
 * It is the living definition of every kernel in backend.ts (the oracle the fast backends
 * are tested against) and the fallback of last resort. Clarity over speed. Each kernel
 * family lives in its own module; this one assembles them into `ReferenceBackend`.
 */
import {
  BINARY_CODES, UNARY_CODES,
  type AdamParams, type Backend, type BinaryOp, type EpilogueOp, type Conv2DBackpropFilterParams, type Conv2DBackpropInputParams,
  type Conv2DParams, type DType, type DepthwiseConv2DBackpropFilterParams, type DepthwiseConv2DBackpropInputParams,
  type DepthwiseConv2DParams, type GemmParams, type Pool2DBackwardParams, type Pool2DParams, type RandomParams,
  type RecurrentSequenceBackwardParams, type RecurrentSequenceParams, type ReduceOp, type ResizeParams, type RmspropParams, type ScanOp, type ScatterMode, type SgdParams,
  type SoftmaxCrossEntropyParams, type TypedArray, type UnaryOp,
} from '../backend.js';
import { checkBackwardOp } from './math.js';
import { applyEpilogue } from './epilogue.js';
import { ReferenceStorage } from './storage.js';
import { gemmArrays } from './gemm.js';
import { affineArrays, binaryArrays, selectArrays, unaryArrays, unaryBackwardArrays } from './elementwise.js';
import { argMaxArrays, reduceArrays } from './reduce.js';
import { softmaxArrays, softmaxCrossEntropyArrays } from './softmax.js';
import { adamArrays, rmspropArrays, sgdArrays } from './optim.js';
import { castArrays, copyStridedArrays, fillArray, gatherRowsArrays, oneHotArrays } from './movement.js';
import { scanArrays, scatterRowsArrays, topkArrays } from './indexing-kernels.js';
import { multinomialArrays, randomArrays } from './random.js';
import {
  conv2dArrays, conv2dBackpropFilterArrays, conv2dBackpropInputArrays, depthwiseConv2dArrays,
  depthwiseConv2dBackpropFilterArrays, depthwiseConv2dBackpropInputArrays,
} from './conv.js';
import { pool2dArrays, pool2dBackwardArrays } from './pool.js';
import { resizeArrays } from './resize.js';
import { recurrentSequenceArrays, recurrentSequenceBackwardArrays } from './recurrent.js';

export { ReferenceStorage } from './storage.js';

/** The reference backend's largest storage: 2 GiB, within every engine's typed-array limit. */
const REFERENCE_MAX_BYTES = 2 ** 31;

type S = ReferenceStorage;

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
    return new ReferenceStorage(dtype === 'float32' ? new Float32Array(size) : new Int32Array(size), dtype);
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
    unaryArrays(op, x.values, out.values, begin, end);
  }

  unaryBackward(op: UnaryOp, dy: S, x: S, y: S, dx: S, size: number): void {
    checkBackwardOp('reference', op);
    unaryBackwardArrays(op, dy.values, x.values, y.values, dx.values, size);
  }

  activation(op: EpilogueOp, x: S, out: S, size: number, alpha: number): void {
    const from = x.values as Float32Array, to = out.values as Float32Array;
    for (let i = 0; i < size; i++) to[i] = applyEpilogue(op, from[i], alpha);
  }

  prelu(x: S, alpha: S, out: S, size: number, alphaSize: number): void {
    const from = x.values as Float32Array, slopes = alpha.values as Float32Array, to = out.values as Float32Array;
    for (let i = 0; i < size; i++) to[i] = from[i] < 0 ? Math.fround(from[i] * slopes[i % alphaSize]) : from[i];
  }

  /** The repeat rule over begin <= i < end only (default: all of size). */
  binary(op: BinaryOp, a: S, aSize: number, b: S, bSize: number, out: S, size: number, begin = 0, end = size): void {
    binaryArrays(op, a.values, aSize, b.values, bSize, out.values, begin, end);
  }

  affine(x: S, out: S, size: number, alpha: number, beta: number): void { affineArrays(x.values, out.values, size, alpha, beta); }

  reduce(op: ReduceOp, x: S, out: S, outer: number, length: number, inner: number): void {
    reduceArrays(op, x.values, out.values, outer, length, inner);
  }

  argMax(x: S, out: S, outer: number, length: number, inner: number, min = false): void {
    argMaxArrays(x.values, out.values, outer, length, inner, min);
  }

  softmax(x: S, out: S, rows: number, cols: number): void { softmaxArrays(x.values, out.values, rows, cols); }
  softmaxCrossEntropy(p: SoftmaxCrossEntropyParams<S>): void { softmaxCrossEntropyArrays(p); }

  adam(p: AdamParams<S>): void { adamArrays(p); }
  sgd(p: SgdParams<S>): void { sgdArrays(p); }
  rmsprop(p: RmspropParams<S>): void { rmspropArrays(p); }

  copyStrided(src: S, dst: S, shape: number[], srcStrides: number[], srcOffset: number,
    dstStrides: number[], dstOffset: number): void {
    copyStridedArrays(src.values, dst.values, shape, srcStrides, srcOffset, dstStrides, dstOffset);
  }

  gatherRows(src: S, indices: S, dst: S, rowCount: number, cols: number): void {
    gatherRowsArrays(src.values, indices.values, dst.values, rowCount, cols);
  }

  oneHot(indices: S, out: S, size: number, depth: number): void { oneHotArrays(indices.values, out.values, size, depth); }

  select(cond: S, condSize: number, a: S, aSize: number, b: S, bSize: number, out: S, size: number): void {
    selectArrays(cond.values, condSize, a.values, aSize, b.values, bSize, out.values, size);
  }

  random(p: RandomParams<S>): void { randomArrays(p.distribution, p.out.values, p.size, p.key0, p.key1, p.a, p.b); }

  multinomial(probs: S, out: S, batch: number, classes: number, samples: number, key0: number, key1: number): void {
    multinomialArrays(probs.values, out.values, batch, classes, samples, key0, key1);
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

  conv2d(p: Conv2DParams<S>): void { conv2dArrays(p); }
  conv2dBackpropInput(p: Conv2DBackpropInputParams<S>): void { conv2dBackpropInputArrays(p); }
  conv2dBackpropFilter(p: Conv2DBackpropFilterParams<S>): void { conv2dBackpropFilterArrays(p); }
  depthwiseConv2d(p: DepthwiseConv2DParams<S>): void { depthwiseConv2dArrays(p); }
  depthwiseConv2dBackpropInput(p: DepthwiseConv2DBackpropInputParams<S>): void { depthwiseConv2dBackpropInputArrays(p); }
  depthwiseConv2dBackpropFilter(p: DepthwiseConv2DBackpropFilterParams<S>): void { depthwiseConv2dBackpropFilterArrays(p); }
  pool2d(p: Pool2DParams<S>): void { pool2dArrays(p); }
  pool2dBackward(p: Pool2DBackwardParams<S>): void { pool2dBackwardArrays(p); }
  resize(p: ResizeParams<S>): void { resizeArrays(p); }
  recurrentSequence(p: RecurrentSequenceParams<S>): void { recurrentSequenceArrays(p); }
  recurrentSequenceBackward(p: RecurrentSequenceBackwardParams<S>): void { recurrentSequenceBackwardArrays(p); }
}

export function createReferenceBackend(): ReferenceBackend {
  return new ReferenceBackend();
}
