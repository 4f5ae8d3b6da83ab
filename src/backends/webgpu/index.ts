/**
 * The webgpu backend: tensors live in pooled GPUBuffers, every kernel of the contract is a
 * WGSL compute shader (shaders/*.wgsl, embedded by scripts/gen-shaders.mjs), and values come
 * back only through `read` (a mapped staging buffer). This file assembles the backend class:
 * memory, read-back and compile() here, each kernel family in its own file (gemm.ts,
 * elementwise.ts, reduce.ts, softmax.ts, optim.ts, movement.ts, indexing.ts, random.ts, conv.ts, recurrent.ts),
 * which checks nothing the ops already checked, picks a pipeline variant for the shape and
 * fills the uniform words in its shader's struct order. The machinery is context.ts (the
 * batching core) and the modules it composes (pipelines, variants, uniform ring, bind
 * groups, transfers, errors, device loss, counters), the buffer pool in buffer-pool.ts.
 */
import {
  BINARY_CODES, UNARY_CODES,
  type AdamParams, type Backend, type Conv2DBackpropFilterParams, type Conv2DBackpropInputParams, type Conv2DParams,
  type DepthwiseConv2DBackpropFilterParams, type DepthwiseConv2DBackpropInputParams, type DepthwiseConv2DParams,
  type Pool2DBackwardParams, type Pool2DParams, type RecurrentSequenceBackwardParams, type RecurrentSequenceParams, type BinaryOp, type DType, type GemmParams, type RandomParams, type ReduceOp,
  type ResizeParams, type RmspropParams, type ScanOp, type ScatterMode, type SgdParams, type SoftmaxCrossEntropyParams,
  type TypedArray, type UnaryOp, storageBytes,
} from '../backend.js';
import { GPUContext, type LostInfo } from './context.js';
import {
  conv2dBackpropFilterKernel, conv2dBackpropInputKernel, conv2dKernel, depthwiseConv2dBackpropFilterKernel,
  depthwiseConv2dBackpropInputKernel, depthwiseConv2dKernel, pool2dBackwardKernel, pool2dKernel,
} from './conv.js';
import { openDevice, type WebGPUBackendOptions } from './device.js';
import {
  affineKernel, binaryKernel, castKernel, elementwiseWarmUp, fillKernel, selectKernel, unaryBackwardKernel, unaryKernel,
} from './elementwise.js';
import { gemmKernel, gemmWarmUp } from './gemm.js';
import { oneHotKernel, resizeKernel, scanKernel, scatterRowsKernel, topkKernel } from './indexing.js';
import { resizeTaps } from '../resize-taps.js';
import type { GemmVariant } from './layout.js';
import { copyStridedKernel, gatherRowsKernel } from './movement.js';
import { adamKernel, optimWarmUp, rmspropKernel, sgdKernel } from './optim.js';
import type { PipelineRequest } from './pipelines.js';
import { multinomialKernel, randomKernel } from './random.js';
import { recurrentSequenceBackwardKernel, recurrentSequenceKernel } from './recurrent.js';
import { argMaxKernel, reduceKernel, reduceWarmUp } from './reduce.js';
import { softmaxCrossEntropyKernel, softmaxKernel, softmaxWarmUp } from './softmax.js';
import { bufferOf, GPUStorage } from './storage.js';

export type { LostInfo } from './context.js';
export { GPUStorage } from './storage.js';
// Device and adapter selection live in device.ts; re-exported so callers keep one module.
export { isCpuAdapter, type WebGPUBackendOptions } from './device.js';
export { simplifyAxes, type GemmVariant } from './layout.js';

type S = GPUStorage;

export class WebGPUBackend implements Backend<S> {
  readonly name = 'webgpu' as const;
  readonly syncReadable = false;
  readonly unaryOps: ReadonlySet<UnaryOp> = new Set(Object.keys(UNARY_CODES) as UnaryOp[]);
  readonly binaryOps: ReadonlySet<BinaryOp> = new Set(Object.keys(BINARY_CODES) as BinaryOp[]);
  private liveBytes = 0;

  constructor(readonly context: GPUContext, readonly description: string, readonly gemmVariant: GemmVariant,
    /** The adapter runs WGSL on the CPU (SwiftShader, lavapipe): slower than the wasm backend. */
    readonly cpuAdapter: boolean) {}

  get device(): GPUDevice { return this.context.device; }

  /** Calls `callback` once if the device is lost (not after dispose()); returns an unsubscribe. */
  onLost(callback: (info: LostInfo) => void): () => void { return this.context.onLost(callback); }

  /** Non-null once the device is lost; every kernel then throws. */
  get lost(): LostInfo | null { return this.context.lost; }

  // ---- memory ----

  alloc(size: number, dtype: DType): S {
    this.context.assertAlive('alloc');
    const bytes = storageBytes(size, dtype);
    const limit = this.maxStorageBytes();
    if (bytes > limit) {
      throw new Error(`webgpu alloc: a ${dtype} tensor of ${size} values needs ${bytes} bytes, over this device's ` +
        `limit of ${limit} bytes per storage buffer (maxStorageBufferBindingSize/maxBufferSize)`);
    }
    // The storage reserves its buffer's whole size class (buffer-pool.ts): that is its `bytes`.
    const pooled = this.context.storagePool.acquire(Math.max(bytes, 4));
    const storage = new GPUStorage(size, dtype, pooled.bytes, pooled);
    this.liveBytes += pooled.bytes;
    return storage;
  }

  maxStorageBytes(): number {
    return Math.min(this.context.limits.maxStorageBufferBindingSize, this.context.limits.maxBufferSize);
  }

  free(storage: S): void {
    if (!storage.pooled) return;
    this.liveBytes -= storage.bytes;
    if (!this.context.lost) this.context.storagePool.release(storage.pooled);
    storage.pooled = null;
  }

  /** int32 and bool storages take an Int32Array (bool as 0 / 1), float32 a Float32Array. */
  write(storage: S, values: TypedArray): void {
    const wanted = storage.dtype === 'float32' ? Float32Array : Int32Array;
    // Typed-array assignment semantics across dtypes, as the reference's set() has.
    const data = values instanceof wanted ? values : wanted.from(values);
    if (data.length === 0) return;
    this.context.write(bufferOf(storage, 'write'), data, 'write');
  }

  async read(storage: S): Promise<TypedArray> {
    const buffer = bufferOf(storage, 'read');
    if (storage.size === 0) return storage.dtype === 'float32' ? new Float32Array(0) : new Int32Array(0);
    const bytes = await this.context.read(buffer, storage.size * 4);
    return storage.dtype === 'float32' ? new Float32Array(bytes) : new Int32Array(bytes);
  }

  readSync(_storage: S): TypedArray {
    throw new Error('webgpu backend: tensors live on the GPU and can only be read asynchronously; ' +
      'use `await tensor.data()` (or `await tensor.array()`) instead of dataSync()/arraySync()');
  }

  /** Bytes reserved by live storages (each its buffer's size class). */
  bytesInUse(): number { return this.liveBytes; }

  /** Submits queued kernels and waits until the GPU has finished them; throws any GPU error. */
  flush(): Promise<void> { return this.context.flush(); }

  dispose(): void { this.context.dispose(); }

  /** Counters for tests and benchmarks (GPUContext.stats): submits, dispatches, reads, bind groups, pipelines, buffers. */
  stats(): ReturnType<GPUContext['stats']> { return this.context.stats(); }

  /**
   * Compiles, off the critical path, the pipelines a dense-network training step uses (or
   * the given list), so the first step does not stall on shader compilation. Rejects with
   * an Error naming the shader if one fails.
   */
  async compile(list?: PipelineRequest[]): Promise<void> {
    await this.context.compilePipelines(list ?? [
      ...gemmWarmUp(this.gemmVariant), ...elementwiseWarmUp(), ...reduceWarmUp(this.gemmVariant), ...softmaxWarmUp(), ...optimWarmUp(),
    ]);
  }

  // ---- kernels (one file per family) ----

  gemm(p: GemmParams<S>): void { gemmKernel(this.context, this.gemmVariant, p); }

  /** Writes out[begin..end) only (default: all of size). */
  unary(op: UnaryOp, x: S, out: S, size: number, begin = 0, end = size): void { unaryKernel(this.context, op, x, out, begin, end); }

  unaryBackward(op: UnaryOp, dy: S, x: S, y: S, dx: S, size: number): void {
    unaryBackwardKernel(this.context, op, dy, x, y, dx, size);
  }

  /** Writes out[begin..end) only (default: all of size). */
  binary(op: BinaryOp, a: S, aSize: number, b: S, bSize: number, out: S, size: number, begin = 0, end = size): void {
    binaryKernel(this.context, op, a, aSize, b, bSize, out, size, begin, end);
  }

  select(cond: S, condSize: number, a: S, aSize: number, b: S, bSize: number, out: S, size: number): void {
    selectKernel(this.context, cond, condSize, a, aSize, b, bSize, out, size);
  }

  affine(x: S, out: S, size: number, alpha: number, beta: number): void { affineKernel(this.context, x, out, size, alpha, beta); }

  reduce(op: ReduceOp, x: S, out: S, outer: number, length: number, inner: number): void {
    reduceKernel(this.context, this.gemmVariant, op, x, out, outer, length, inner);
  }

  argMax(x: S, out: S, outer: number, length: number, inner: number, min = false): void {
    argMaxKernel(this.context, x, out, outer, length, inner, min);
  }

  softmax(x: S, out: S, rows: number, cols: number): void { softmaxKernel(this.context, x, out, rows, cols, this.cpuAdapter); }

  softmaxCrossEntropy(p: SoftmaxCrossEntropyParams<S>): void { softmaxCrossEntropyKernel(this.context, p, this.cpuAdapter); }

  adam(p: AdamParams<S>): void { adamKernel(this.context, p); }

  sgd(p: SgdParams<S>): void { sgdKernel(this.context, p); }

  rmsprop(p: RmspropParams<S>): void { rmspropKernel(this.context, p); }

  copyStrided(src: S, dst: S, shape: number[], srcStrides: number[], srcOffset: number,
    dstStrides: number[], dstOffset: number): void {
    copyStridedKernel(this.context, src, dst, shape, srcStrides, srcOffset, dstStrides, dstOffset);
  }

  gatherRows(src: S, indices: S, dst: S, rowCount: number, cols: number): void {
    gatherRowsKernel(this.context, src, indices, dst, rowCount, cols);
  }

  oneHot(indices: S, out: S, size: number, depth: number): void { oneHotKernel(this.context, indices, out, size, depth); }

  /** The sample positions are computed here in float64 (resize-taps.ts) and uploaded for the one dispatch. */
  resize(p: ResizeParams<S>): void {
    const total = p.batch * p.outHeight * p.outWidth * p.channels;
    if (total === 0) return;
    const taps = this.alloc(3 * (p.outHeight + p.outWidth), 'int32');
    try {
      this.write(taps, resizeTaps(p));
      resizeKernel(this.context, p.x, taps, p.out,
        [total, p.channels, p.inWidth, p.inHeight, p.outWidth, p.outHeight, p.method === 'nearest' ? 1 : 0]);
    } finally {
      this.free(taps); // held by the pool until the batch that reads it is submitted
    }
  }

  cast(x: S, out: S, size: number): void { castKernel(this.context, x, out, size); }

  fill(out: S, size: number, value: number): void { fillKernel(this.context, out, size, value); }

  scan(op: ScanOp, x: S, out: S, outer: number, length: number, inner: number, exclusive: boolean, reverse: boolean): void {
    scanKernel(this.context, op, x, out, outer, length, inner, exclusive, reverse);
  }

  scatterRows(mode: ScatterMode, updates: S, indices: S, out: S, rowCount: number, cols: number, outRows: number): void {
    scatterRowsKernel(this.context, mode, updates, indices, out, rowCount, cols, outRows);
  }

  topk(x: S, values: S, indices: S, rows: number, cols: number, k: number): void {
    topkKernel(this.context, x, values, indices, rows, cols, k);
  }

  random(p: RandomParams<S>): void { randomKernel(this.context, p); }

  multinomial(probs: S, out: S, batch: number, classes: number, samples: number, key0: number, key1: number): void {
    multinomialKernel(this.context, probs, out, batch, classes, samples, key0, key1);
  }

  conv2d(p: Conv2DParams<S>): void { conv2dKernel(this.context, this.gemmVariant, p); }
  conv2dBackpropInput(p: Conv2DBackpropInputParams<S>): void { conv2dBackpropInputKernel(this.context, p); }
  conv2dBackpropFilter(p: Conv2DBackpropFilterParams<S>): void { conv2dBackpropFilterKernel(this.context, p); }
  depthwiseConv2d(p: DepthwiseConv2DParams<S>): void { depthwiseConv2dKernel(this.context, p); }
  depthwiseConv2dBackpropInput(p: DepthwiseConv2DBackpropInputParams<S>): void { depthwiseConv2dBackpropInputKernel(this.context, p); }
  depthwiseConv2dBackpropFilter(p: DepthwiseConv2DBackpropFilterParams<S>): void { depthwiseConv2dBackpropFilterKernel(this.context, p); }
  pool2d(p: Pool2DParams<S>): void { pool2dKernel(this.context, p); }
  pool2dBackward(p: Pool2DBackwardParams<S>): void { pool2dBackwardKernel(this.context, p); }
  recurrentSequence(p: RecurrentSequenceParams<S>): void { recurrentSequenceKernel(this.context, this.gemmVariant, p); }
  recurrentSequenceBackward(p: RecurrentSequenceBackwardParams<S>): void { recurrentSequenceBackwardKernel(this.context, this.gemmVariant, p); }
}

/**
 * Creates the webgpu backend on the given device, or on a new device of the given (or the
 * default) adapter. Throws a clear Error when the runtime has no WebGPU, no adapter, or
 * the device cannot be had. A shader that fails to compile is reported when a kernel
 * using it runs.
 */
export async function createWebGPUBackend(options: WebGPUBackendOptions = {}): Promise<WebGPUBackend> {
  const opened = await openDevice(options);
  return new WebGPUBackend(opened.context, opened.description, opened.gemmVariant, opened.cpuAdapter);
}
