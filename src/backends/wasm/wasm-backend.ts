/**
 * The wasm backend: tensors live in one WebAssembly.Memory that this module owns (the
 * kernels import it), allocated by a JS-side arena with exact-size reuse, so a training
 * step allocates nothing new after the first. Kernels (assembly/) receive byte pointers.
 * This module is the backend's class: memory and views here, one binding module per kernel
 * family beside it (gemm, conv, recurrent, elementwise, reduce, movement, optim, random, indexing), the ABI
 * in kernel-exports.ts; index.ts creates it (the build, the memory, threads).
 *
 * Views: `view()` returns a zero-copy typed array over the storage. A non-shared memory
 * detaches every view when it grows, so views are re-derived from `memory.buffer` on each
 * access (`heapF32()`); a caller must not keep one across an allocation.
 */
import {
  BINARY_CODES, EPILOGUE_CODES, UNARY_CODES,
  type AdamParams, type Backend, type BinaryOp, type DType, type EpilogueOp, type GemmParams, type ReduceOp,
  type ResizeParams, type RmspropParams, type SgdParams, type SoftmaxCrossEntropyParams,
  type TypedArray, type UnaryOp, type RandomParams, storageBytes,
  type Conv2DBackpropFilterParams, type Conv2DBackpropInputParams, type Conv2DParams,
  type DepthwiseConv2DBackpropFilterParams, type DepthwiseConv2DBackpropInputParams, type DepthwiseConv2DParams,
  type Pool2DBackwardParams, type Pool2DParams, type RecurrentSequenceBackwardParams, type RecurrentSequenceParams,
} from '../backend.js';
import type { ScanOp, ScatterMode } from '../backend.js';
import { Arena } from './arena.js';
import { WasmStorage, type KernelExports } from './kernel-exports.js';
import * as conv from './conv.js';
import * as elementwise from './elementwise.js';
import { gemm } from './gemm.js';
import * as indexing from './indexing.js';
import * as movement from './movement.js';
import * as optim from './optim.js';
import { random } from './random.js';
import * as reduce from './reduce.js';
import * as recurrent from './recurrent.js';
import { ELEMENTWISE_PARALLEL, splitRange, ThreadPool } from './threads.js';
import { checkThreadsCount, memoryMaximumBytes } from './threads-host.js';

export { WasmStorage };
export type WasmVariant = 'simd' | 'relaxed';

type S = WasmStorage;

/** The shared module and its bytes, where the backend's memory is shared. */
export interface WasmThreading {
  module: WebAssembly.Module;
  bytes: Uint8Array | null;
}

const PAGE = 65536;

export class WasmBackend implements Backend<S> {
  readonly name = 'wasm' as const;
  readonly syncReadable = true;
  readonly description: string;
  readonly unaryOps: ReadonlySet<UnaryOp> = new Set(Object.keys(UNARY_CODES) as UnaryOp[]);
  readonly binaryOps: ReadonlySet<BinaryOp> = new Set(Object.keys(BINARY_CODES) as BinaryOp[]);
  private readonly arena: Arena;
  private readonly gemmWorkspace: number;
  /** copyStrided's scratch (movement.COPY_DIMS_BYTES): shape, strides, the odometer. */
  private readonly dims: number;
  /** The conv kernels' scratch: geometry words, the im2col tile (see conv.ts). */
  private readonly conv: conv.ConvContext;
  /** The recurrent kernels' context: their scratch comes from the arena per call (recurrent.ts). */
  private readonly recurrent: recurrent.RecurrentContext;
  /** Arena bytes the backend holds for itself (the GEMM workspace, copyStrided's dims, the conv scratch). */
  private scratchBytes: number;
  private f32Cache = new Float32Array(0);
  private i32Cache = new Int32Array(0);
  /** The worker pool, made when more than one thread is asked for (null: one thread). */
  private pool: ThreadPool | null = null;
  /** Why this backend runs on one thread whatever is asked (its memory is not shared, no workers here); null if it can run more. */
  readonly threadsUnavailable: string | null;
  private readonly maxBytes: number;

  constructor(readonly variant: WasmVariant, readonly memory: WebAssembly.Memory,
    private readonly kernels: KernelExports, private readonly threading: WasmThreading | null = null,
    unavailable: string | null = null) {
    this.description = `wasm (${variant === 'relaxed' ? 'SIMD + relaxed SIMD' : 'SIMD'})`;
    this.threadsUnavailable = threading ? null : unavailable ?? 'its memory is not shared';
    this.maxBytes = memoryMaximumBytes(memory);
    this.arena = new Arena(kernels.heap_base(), (bytes) => this.growTo(bytes));
    this.gemmWorkspace = this.arena.alloc(kernels.gemm_workspace_bytes());
    this.dims = this.arena.alloc(movement.COPY_DIMS_BYTES);
    this.conv = {
      kernels, gemmWork: this.gemmWorkspace, geometry: this.arena.alloc(conv.GEOMETRY_BYTES),
      col: this.arena.alloc(kernels.conv_workspace_bytes()), heapI32: () => this.heapI32(), pool: () => this.pool,
      alloc: (bytes) => this.arena.alloc(Arena.blockBytes(bytes)),
      free: (ptr, bytes) => this.arena.free(ptr, Arena.blockBytes(bytes)),
    };
    this.scratchBytes = this.arena.liveBytes;
    this.recurrent = {
      kernels, allocBytes: (bytes) => this.arena.alloc(Arena.blockBytes(bytes)),
      freeBytes: (ptr, bytes) => this.arena.free(ptr, Arena.blockBytes(bytes)),
      pool: () => this.pool,
    };
  }

  /** Threads the kernels run on, this one included. */
  get threads(): number { return this.pool?.threads ?? 1; }

  /**
   * Runs kernels on n threads (this one and n - 1 workers, which start asynchronously; until
   * they have, this thread does their share). Where threads cannot run (threadsUnavailable),
   * stays on one.
   */
  setThreads(n: number): void {
    checkThreadsCount('setThreadsCount', n);
    if (this.threadsUnavailable !== null || !this.threading) return;
    if (n > 1 && !this.pool) {
      this.pool = new ThreadPool({
        memory: this.memory, module: this.threading.module, bytes: this.threading.bytes,
        exports: this.kernels as unknown as Record<string, unknown>,
        alloc: (bytes) => {
          this.scratchBytes += Arena.blockBytes(bytes);
          return this.arena.alloc(Arena.blockBytes(bytes));
        },
        gemmWorkspaceBytes: this.kernels.gemm_workspace_bytes(), colBytes: this.kernels.conv_workspace_bytes(),
        gemmWork: this.gemmWorkspace, col: this.conv.col,
      });
    }
    this.pool?.resize(n);
  }

  /** Tasks each thread has run (index 0: this one), for tests: [] on one thread. */
  threadTally(): number[] { return this.pool?.tally() ?? []; }

  /** Workers started and waiting for jobs (for tests and env()). */
  get readyWorkers(): number { return this.pool?.readyWorkers ?? 0; }

  /** Stops the workers (the backend keeps working on one thread). */
  dispose(): void { this.pool?.dispose(); }

  private growTo(endByte: number): void {
    const have = this.memory.buffer.byteLength;
    if (endByte <= have) return;
    // Grow geometrically so a growing model does not grow (and detach views) every step.
    const pages = Math.max(Math.ceil((endByte - have) / PAGE), Math.ceil(have / PAGE / 4));
    try {
      this.memory.grow(pages);
    } catch {
      throw new Error(`wasm backend: out of memory growing linear memory from ${have} to ` +
        `${endByte} bytes (wasm32 allows at most 4 GiB)`);
    }
  }

  heapF32(): Float32Array {
    if (this.f32Cache.buffer !== this.memory.buffer) this.f32Cache = new Float32Array(this.memory.buffer);
    return this.f32Cache;
  }
  heapI32(): Int32Array {
    if (this.i32Cache.buffer !== this.memory.buffer) this.i32Cache = new Int32Array(this.memory.buffer);
    return this.i32Cache;
  }
  /** Zero-copy view of a storage (Int32Array for int32 and bool); valid until the next allocation. */
  view(storage: S): TypedArray {
    const heap = storage.dtype === 'float32' ? this.heapF32() : this.heapI32();
    return heap.subarray(storage.ptr >>> 2, (storage.ptr >>> 2) + storage.size);
  }

  /** `bytes` is the arena block: storageBytes rounded up to a multiple of 64 (at least 64). */
  alloc(size: number, dtype: DType): S {
    const bytes = Arena.blockBytes(storageBytes(size, dtype));
    return new WasmStorage(this.arena.alloc(bytes), size, dtype, bytes);
  }
  free(storage: S): void { this.arena.free(storage.ptr, storage.bytes); }
  write(storage: S, values: TypedArray): void {
    const heap = storage.dtype === 'float32' ? this.heapF32() : this.heapI32();
    heap.set(values, storage.ptr >>> 2);
  }
  async read(storage: S): Promise<TypedArray> { return this.readSync(storage); }
  readSync(storage: S): TypedArray { return this.view(storage).slice(); }
  /** The sum of the live storages' `bytes` (the backend's own scratch is not counted). */
  bytesInUse(): number { return this.arena.liveBytes - this.scratchBytes; }
  /** wasm32 addresses 4 GiB (a shared memory its own maximum): what is not yet live could still be had. */
  maxStorageBytes(): number { return this.maxBytes - this.arena.liveBytes; }
  /** Linear memory size in bytes (what the arena has reserved from the engine). */
  memoryBytes(): number { return this.memory.buffer.byteLength; }

  // ---- kernels: each binding lives in the module of its family ----
  gemm(p: GemmParams<S>): void { gemm(this.kernels, this.gemmWorkspace, p, this.pool); }
  conv2d(p: Conv2DParams<S>): void { conv.conv2d(this.conv, p); }
  conv2dBackpropInput(p: Conv2DBackpropInputParams<S>): void { conv.conv2dBackpropInput(this.conv, p); }
  conv2dBackpropFilter(p: Conv2DBackpropFilterParams<S>): void { conv.conv2dBackpropFilter(this.conv, p); }
  depthwiseConv2d(p: DepthwiseConv2DParams<S>): void { conv.depthwiseConv2d(this.conv, p); }
  depthwiseConv2dBackpropInput(p: DepthwiseConv2DBackpropInputParams<S>): void { conv.depthwiseConv2dBackpropInput(this.conv, p); }
  depthwiseConv2dBackpropFilter(p: DepthwiseConv2DBackpropFilterParams<S>): void { conv.depthwiseConv2dBackpropFilter(this.conv, p); }
  pool2d(p: Pool2DParams<S>): void { conv.pool2d(this.conv, p); }
  pool2dBackward(p: Pool2DBackwardParams<S>): void { conv.pool2dBackward(this.conv, p); }
  recurrentSequence(p: RecurrentSequenceParams<S>): void { recurrent.recurrentSequence(this.recurrent, p); }
  recurrentSequenceBackward(p: RecurrentSequenceBackwardParams<S>): void { recurrent.recurrentSequenceBackward(this.recurrent, p); }
  /** Writes out[begin..end) only (default: all of size). */
  unary(op: UnaryOp, x: S, out: S, size: number, begin = 0, end = size): void {
    elementwise.unary(this.kernels, op, x, out, begin, end, this.pool);
  }
  unaryBackward(op: UnaryOp, dy: S, x: S, y: S, dx: S, size: number): void {
    elementwise.unaryBackward(this.kernels, op, dy, x, y, dx, size, this.pool);
  }
  activation(op: EpilogueOp, x: S, out: S, size: number, alpha: number): void {
    const act = EPILOGUE_CODES[op];
    if (this.pool !== null && size >= ELEMENTWISE_PARALLEL && splitRange(this.pool, size, ELEMENTWISE_PARALLEL, (pool, b, e) => {
      const s = pool.task('activation');
      pool.args[s] = x.ptr + b * 4; pool.args[s + 1] = out.ptr + b * 4; pool.args[s + 2] = e - b; pool.args[s + 3] = act;
      pool.args[s + 4] = alpha;
    })) return;
    if (size > 0) this.kernels.activation(x.ptr, out.ptr, size, act, alpha);
  }
  prelu(x: S, alpha: S, out: S, size: number, alphaSize: number): void {
    if (size > 0) this.kernels.prelu(x.ptr, alpha.ptr, out.ptr, size, alphaSize);
  }
  resize(p: ResizeParams<S>): void {
    if (p.batch * p.outHeight * p.outWidth * p.channels === 0) return;
    // Scratch: each output column's source offsets and fraction (3 words a column), then two
    // rows of horizontal blends (bilinear).
    const taps = this.alloc(p.outWidth * (3 + (p.method === 'bilinear' ? 2 * p.channels : 0)), 'float32');
    try {
      this.kernels.resize(p.method === 'nearest' ? 1 : 0, p.x.ptr, p.out.ptr, p.batch, p.inHeight, p.inWidth, p.channels,
        p.outHeight, p.outWidth, p.alignCorners ? 1 : 0, p.halfPixelCenters ? 1 : 0, taps.ptr);
    } finally {
      this.free(taps);
    }
  }
  /** Writes out[begin..end) only (default: all of size). */
  binary(op: BinaryOp, a: S, aSize: number, b: S, bSize: number, out: S, size: number, begin = 0, end = size): void {
    elementwise.binary(this.kernels, op, a, aSize, b, bSize, out, size, begin, end, this.pool);
  }
  select(cond: S, condSize: number, a: S, aSize: number, b: S, bSize: number, out: S, size: number): void {
    this.kernels.select(cond.ptr, condSize, a.ptr, aSize, b.ptr, bSize, out.ptr, size);
  }
  affine(x: S, out: S, size: number, alpha: number, beta: number): void {
    if (this.pool !== null && size >= ELEMENTWISE_PARALLEL && splitRange(this.pool, size, ELEMENTWISE_PARALLEL, (pool, b, e) => {
      const s = pool.task('affine');
      pool.args[s] = x.ptr + b * 4; pool.args[s + 1] = out.ptr + b * 4; pool.args[s + 2] = e - b; pool.args[s + 3] = alpha;
      pool.args[s + 4] = beta;
    })) return;
    this.kernels.affine(x.ptr, out.ptr, size, alpha, beta);
  }
  reduce(op: ReduceOp, x: S, out: S, outer: number, length: number, inner: number): void {
    reduce.reduce(this.kernels, op, x, out, outer, length, inner, this.pool);
  }
  argMax(x: S, out: S, outer: number, length: number, inner: number, min = false): void {
    this.kernels.argmax(x.ptr, out.ptr, outer, length, inner, +min);
  }
  softmax(x: S, out: S, rows: number, cols: number): void {
    if (this.pool !== null && rows > 1 && rows * cols >= ELEMENTWISE_PARALLEL &&
      splitRange(this.pool, rows, 2, (pool, r0, r1) => {
        const s = pool.task('softmax');
        pool.args[s] = x.ptr + r0 * cols * 4; pool.args[s + 1] = out.ptr + r0 * cols * 4; pool.args[s + 2] = r1 - r0;
        pool.args[s + 3] = cols;
      }, 1)) return;
    this.kernels.softmax(x.ptr, out.ptr, rows, cols);
  }
  softmaxCrossEntropy(p: SoftmaxCrossEntropyParams<S>): void { reduce.softmaxCrossEntropy(this.kernels, p); }
  scan(op: ScanOp, x: S, out: S, outer: number, length: number, inner: number, exclusive: boolean, reverse: boolean): void {
    reduce.scan(this.kernels, op, x, out, outer, length, inner, exclusive, reverse);
  }
  adam(p: AdamParams<S>): void { optim.adam(this.kernels, p, this.pool); }
  sgd(p: SgdParams<S>): void { optim.sgd(this.kernels, p, this.pool); }
  rmsprop(p: RmspropParams<S>): void { optim.rmsprop(this.kernels, p, this.pool); }
  random(p: RandomParams<S>): void { random(this.kernels, p); }
  multinomial(probs: S, out: S, batch: number, classes: number, samples: number, key0: number, key1: number): void {
    this.kernels.multinomial(probs.ptr, out.ptr, batch, classes, samples, key0, key1);
  }
  copyStrided(src: S, dst: S, shape: number[], srcStrides: number[], srcOffset: number,
    dstStrides: number[], dstOffset: number): void {
    movement.copyStrided(this.kernels, this.dims, this, src, dst, shape, srcStrides, srcOffset, dstStrides, dstOffset);
  }
  cast(x: S, out: S, size: number): void { movement.cast(this.kernels, x, out, size); }
  fill(out: S, size: number, value: number): void { movement.fill(this.kernels, out, size, value); }
  gatherRows(src: S, indices: S, dst: S, rowCount: number, cols: number): void {
    this.kernels.gather_rows(src.ptr, indices.ptr, dst.ptr, rowCount, cols);
  }
  oneHot(indices: S, out: S, size: number, depth: number): void {
    indexing.oneHot(this, indices, out, size, depth);
  }
  scatterRows(mode: ScatterMode, updates: S, indices: S, out: S, rowCount: number, cols: number, outRows: number): void {
    indexing.scatterRows(this.kernels, mode, updates, indices, out, rowCount, cols, outRows);
  }
  topk(x: S, values: S, indices: S, rows: number, cols: number, k: number): void {
    indexing.topk(this, x, values, indices, rows, cols, k);
  }
}

