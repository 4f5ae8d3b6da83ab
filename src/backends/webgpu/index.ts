/**
 * The webgpu backend: tensors live in pooled GPUBuffers, every kernel of the contract is a
 * WGSL compute shader (shaders/*.wgsl, embedded by scripts/gen-shaders.mjs), and values come
 * back only through `read` (a mapped staging buffer). This file is the glue: it checks
 * nothing the ops already checked, picks a pipeline variant (override constants) and a grid
 * for the shape, and fills the uniform words in each shader's struct order. The machinery
 * (batching, pipeline cache, errors, device loss) is in context.ts.
 */
import {
  BINARY_CODES, REDUCE_CODES, UNARY_CODES,
  type AdamParams, type Backend, type BinaryOp, type DType, type GemmParams, type ReduceOp,
  type RmspropParams, type SgdParams, type SoftmaxCrossEntropyParams, type Storage,
  type TypedArray, type UnaryOp, storageBytes,
} from '../backend.js';
import { CAST_CODES } from '../opcodes.generated.js';
import { checkBackwardOp } from '../reference/math.js';
import type { PooledBuffer } from './buffer-pool.js';
import { GPUContext, type Binding, type LostInfo } from './context.js';
import type { ShaderName } from './shaders.generated.js';
import type { ScanOp, ScatterMode } from '../backend.js';
import { scanKernel, scatterRowsKernel, topkKernel } from './indexing-kernels.js';
import { multinomialKernel, randomKernel } from './random-kernels.js';
import type { RandomParams } from '../backend.js';

export type { LostInfo } from './context.js';
// Device and adapter selection live in device.ts; re-exported so callers keep one module.
export { createWebGPUBackend, isCpuAdapter, type WebGPUBackendOptions } from './device.js';
export { simplifyAxes, type GemmVariant } from './layout.js';
import { gemmShape, simplifyAxes, type GemmVariant } from './layout.js';

export class GPUStorage implements Storage {
  /** Null once freed. */
  pooled: PooledBuffer | null;
  constructor(readonly size: number, readonly dtype: DType, readonly bytes: number, pooled: PooledBuffer) { this.pooled = pooled; }
}

type S = GPUStorage;

/** Invocations per workgroup of the one-element-per-invocation kernels. */
const ELEMENTWISE_WORKGROUP = 256;
/** Workgroup size of the one-output-per-invocation kernels (reduce, argMax, narrow rows). */
const SERIAL_WORKGROUP = 64;

export class WebGPUBackend implements Backend<S> {
  readonly name = 'webgpu' as const;
  readonly syncReadable = false;
  readonly unaryOps: ReadonlySet<UnaryOp> = new Set(Object.keys(UNARY_CODES) as UnaryOp[]);
  readonly binaryOps: ReadonlySet<BinaryOp> = new Set(Object.keys(BINARY_CODES) as BinaryOp[]);
  private liveBytes = 0;
  private readonly f32Scratch = new Float32Array(1);
  private readonly i32Scratch = new Int32Array(this.f32Scratch.buffer);

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
    this.context.write(this.buffer(storage, 'write'), data, 'write');
  }

  async read(storage: S): Promise<TypedArray> {
    const buffer = this.buffer(storage, 'read');
    if (storage.size === 0) return storage.dtype === 'float32' ? new Float32Array(0) : new Int32Array(0);
    const bytes = await this.context.read(buffer, storage.size * 4);
    return storage.dtype === 'float32' ? new Float32Array(bytes) : new Int32Array(bytes);
  }

  readSync(_storage: S): TypedArray {
    throw new Error('webgpu backend: tensors live on the GPU and can only be read asynchronously; ' +
      'use `await tensor.data()` (or `await tensor.array()`) instead of dataSync()/arraySync()');
  }

  bytesInUse(): number { return this.liveBytes; }

  /** Submits queued kernels and waits until the GPU has finished them; throws any GPU error. */
  flush(): Promise<void> { return this.context.flush(); }

  dispose(): void { this.context.dispose(); }

  /** Counters for tests and benchmarks: submits, dispatches, reads, shader modules, pipelines, buffers created. */
  stats(): ReturnType<GPUContext['stats']> { return this.context.stats(); }

  /**
   * Compiles, off the critical path, the pipelines a dense-network training step uses (or
   * the given list), so the first step does not stall on shader compilation. Rejects with
   * an Error naming the shader if one fails.
   */
  async compile(list?: { shader: ShaderName; entryPoint?: string; constants?: Record<string, number> }[]): Promise<void> {
    const gemm = (ta: boolean, tb: boolean, bias: boolean, relu: boolean, m = 64) => {
      const { WG_ROWS, WG_COLS, TILE_K } = gemmShape(this.gemmVariant, m);
      return {
        shader: 'gemm' as const, entryPoint: `gemm_${this.gemmVariant}`,
        constants: { WG_ROWS, WG_COLS, ...(TILE_K ? { TILE_K } : {}), TRANSPOSE_A: +ta, TRANSPOSE_B: +tb, HAS_BIAS: +bias, RELU: +relu },
      };
    };
    await this.context.compilePipelines(list ?? [
      gemm(false, false, true, true), gemm(false, false, true, false), gemm(false, true, false, false),
      gemm(true, false, false, false),
      { shader: 'unaryBackward', constants: { OP: UNARY_CODES.relu, WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP } },
      { shader: 'reduce', entryPoint: 'reduce_serial', constants: { OP: REDUCE_CODES.sum, WORKGROUP_SIZE: SERIAL_WORKGROUP } },
      { shader: 'softmaxCrossEntropy', entryPoint: 'xent_rows', constants: { SPARSE: 0, HAS_GRAD: 1, WORKGROUP_SIZE: SERIAL_WORKGROUP } },
      { shader: 'adam', constants: { WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP } },
      { shader: 'fill', constants: { WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP } },
    ]);
  }

  private buffer(storage: S, kernel: string): PooledBuffer {
    if (!storage.pooled) throw new Error(`webgpu ${kernel}: a storage was used after free()`);
    return storage.pooled;
  }

  private input(storage: S, kernel: string): Binding { return { buffer: this.buffer(storage, kernel), writable: false }; }
  private output(storage: S, kernel: string): Binding { return { buffer: this.buffer(storage, kernel), writable: true }; }
  private optional(storage: S | null, kernel: string, writable: boolean): Binding {
    return storage ? { buffer: this.buffer(storage, kernel), writable } : { buffer: this.context.dummy, writable };
  }

  /** One invocation per element: a grid of ceil(size / 256) workgroups, split 2D if needed. */
  private elementwise(kernel: string, shader: ShaderName, size: number, bindings: Binding[],
    constants: Record<string, number>, ints: number[], floats?: number[]): void {
    if (size === 0) return;
    this.context.dispatch({
      kernel, shader, bindings, ints, floats,
      constants: { ...constants, WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP },
      workgroups: this.context.grid(Math.ceil(size / ELEMENTWISE_WORKGROUP), kernel),
    });
  }

  // ---- kernels ----

  gemm(p: GemmParams<S>): void {
    const { m, n, k } = p;
    if (m === 0 || n === 0) return;
    const shape = gemmShape(this.gemmVariant, m);
    const columns = Math.ceil(n / (shape.colsPerInvocation * shape.WG_COLS));
    const rows = Math.ceil(m / (shape.rowsPerInvocation * shape.WG_ROWS));
    const max = this.context.limits.maxComputeWorkgroupsPerDimension;
    if (columns > max || rows > max) {
      throw new Error(`webgpu gemm: m=${m} n=${n} needs a ${columns} x ${rows} grid, over ` +
        `maxComputeWorkgroupsPerDimension ${max}`);
    }
    const { WG_ROWS, WG_COLS, TILE_K } = shape;
    this.context.dispatch({
      kernel: 'gemm',
      shader: 'gemm',
      entryPoint: `gemm_${this.gemmVariant}`,
      constants: {
        WG_ROWS, WG_COLS, ...(TILE_K ? { TILE_K } : {}), TRANSPOSE_A: +p.transposeA, TRANSPOSE_B: +p.transposeB,
        HAS_BIAS: +(p.bias !== null), RELU: +(p.activation === 'relu'),
      },
      bindings: [this.input(p.a, 'gemm'), this.input(p.b, 'gemm'), this.optional(p.bias, 'gemm', false),
        this.output(p.out, 'gemm')],
      ints: [m, n, k, p.lda ?? (p.transposeA ? m : k), p.ldb ?? (p.transposeB ? k : n), p.ldc ?? n,
        p.aOffset ?? 0, p.bOffset ?? 0, p.outOffset ?? 0],
      workgroups: [columns, rows],
    });
  }

  /** Writes out[begin..end) only (default: all of size). */
  unary(op: UnaryOp, x: S, out: S, size: number, begin = 0, end = size): void {
    if (end <= begin) return;
    this.elementwise(`unary ${op}`, 'unary', end - begin, [this.input(x, 'unary'), this.output(out, 'unary')],
      { OP: UNARY_CODES[op] }, [begin, end]);
  }

  unaryBackward(op: UnaryOp, dy: S, x: S, y: S, dx: S, size: number): void {
    checkBackwardOp('webgpu', op);
    const k = 'unaryBackward';
    this.elementwise(`unaryBackward ${op}`, k, size,
      [this.input(dy, k), this.input(x, k), this.input(y, k), this.output(dx, k)], { OP: UNARY_CODES[op] }, [size]);
  }

  /** Writes out[begin..end) only (default: all of size). */
  binary(op: BinaryOp, a: S, aSize: number, b: S, bSize: number, out: S, size: number, begin = 0, end = size): void {
    if (end <= begin) return;
    this.elementwise(`binary ${op}`, 'binary', end - begin,
      [this.input(a, 'binary'), this.input(b, 'binary'), this.output(out, 'binary')],
      { OP: BINARY_CODES[op], INT_IN: +(a.dtype !== 'float32'), INT_OUT: +(out.dtype !== 'float32') },
      [size, aSize, bSize, begin, end]);
  }

  select(cond: S, condSize: number, a: S, aSize: number, b: S, bSize: number, out: S, size: number): void {
    const k = 'select';
    this.elementwise(k, k, size, [this.input(cond, k), this.input(a, k), this.input(b, k), this.output(out, k)], {},
      [size, condSize, aSize, bSize]);
  }

  affine(x: S, out: S, size: number, alpha: number, beta: number): void {
    this.elementwise('affine', 'affine', size, [this.input(x, 'affine'), this.output(out, 'affine')], {},
      [size], [alpha, beta]);
  }

  reduce(op: ReduceOp, x: S, out: S, outer: number, length: number, inner: number): void {
    this.reduction(`reduce ${op}`, 'reduce', { OP: REDUCE_CODES[op] }, x, out, outer, length, inner);
  }

  argMax(x: S, out: S, outer: number, length: number, inner: number): void {
    this.reduction('argMax', 'argMax', {}, x, out, outer, length, inner);
  }

  /**
   * Long contiguous rows (inner == 1) get a workgroup per output; anything else one
   * invocation per output, whose neighbours read neighbouring addresses.
   */
  private reduction(kernel: string, shader: 'reduce' | 'argMax', constants: Record<string, number>,
    x: S, out: S, outer: number, length: number, inner: number): void {
    const outputs = outer * inner;
    if (outputs === 0) return;
    const prefix = shader === 'reduce' ? 'reduce' : 'arg_max';
    const bindings = [this.input(x, kernel), this.output(out, kernel)];
    if (inner === 1 && length >= 64) {
      const size = length >= 4096 ? 256 : 64;
      this.context.dispatch({
        kernel, shader, entryPoint: `${prefix}_workgroup`, bindings, ints: [outer, length, inner],
        constants: { ...constants, WORKGROUP_SIZE: size }, workgroups: this.context.grid(outputs, kernel),
      });
    } else {
      this.context.dispatch({
        kernel, shader, entryPoint: `${prefix}_serial`, bindings, ints: [outer, length, inner],
        constants: { ...constants, WORKGROUP_SIZE: SERIAL_WORKGROUP },
        workgroups: this.context.grid(Math.ceil(outputs / SERIAL_WORKGROUP), kernel),
      });
    }
  }

  softmax(x: S, out: S, rows: number, cols: number): void {
    if (rows === 0 || cols === 0) return;
    this.context.dispatch({
      kernel: 'softmax', shader: 'softmax', ...this.rowLayout(rows, cols, 'softmax_rows', 'softmax'),
      bindings: [this.input(x, 'softmax'), this.output(out, 'softmax')], ints: [rows, cols],
    });
  }

  softmaxCrossEntropy(p: SoftmaxCrossEntropyParams<S>): void {
    const { rows, cols } = p;
    if (rows === 0) return;
    const k = 'softmaxCrossEntropy';
    const layout = this.rowLayout(rows, cols, 'xent_rows', k);
    this.context.dispatch({
      kernel: k, shader: k, entryPoint: layout.entryPoint, workgroups: layout.workgroups,
      constants: { ...layout.constants, SPARSE: +p.sparse, HAS_GRAD: +(p.grad !== null) },
      bindings: [this.input(p.logits, k), this.input(p.labels, k), this.output(p.loss, k), this.optional(p.grad, k, true)],
      ints: [rows, cols], floats: [p.gradScale],
    });
  }

  /**
   * Row kernels: narrow rows (<= 64 columns) take one invocation each with no barrier;
   * wider rows a workgroup each, combining in workgroup memory.
   */
  private rowLayout(rows: number, cols: number, narrowEntry: string, kernel: string):
    { entryPoint: string; constants: Record<string, number>; workgroups: readonly [number, number] } {
    if (cols <= 64) {
      return { entryPoint: narrowEntry, constants: { WORKGROUP_SIZE: SERIAL_WORKGROUP },
        workgroups: this.context.grid(Math.ceil(rows / SERIAL_WORKGROUP), kernel) };
    }
    return { entryPoint: 'main', constants: { WORKGROUP_SIZE: cols <= 1024 ? 64 : 256 },
      workgroups: this.context.grid(rows, kernel) };
  }

  adam(p: AdamParams<S>): void {
    this.elementwise('adam', 'adam', p.size,
      [this.input(p.grad, 'adam'), this.output(p.param, 'adam'), this.output(p.m, 'adam'), this.output(p.v, 'adam')],
      {}, [p.size], [p.learningRate, p.beta1, p.beta2, p.epsilon, p.correction1, p.correction2, 1 - p.beta1, 1 - p.beta2]);
  }

  sgd(p: SgdParams<S>): void {
    this.elementwise('sgd', 'sgd', p.size,
      [this.input(p.grad, 'sgd'), this.output(p.param, 'sgd'), this.optional(p.velocity, 'sgd', true)],
      { HAS_VELOCITY: +(p.velocity !== null), NESTEROV: +p.nesterov }, [p.size], [p.learningRate, p.momentum]);
  }

  rmsprop(p: RmspropParams<S>): void {
    const k = 'rmsprop';
    this.elementwise(k, k, p.size,
      [this.input(p.grad, k), this.output(p.param, k), this.output(p.meanSquare, k), this.optional(p.moment, k, true)],
      { HAS_MOMENT: +(p.moment !== null) }, [p.size],
      [p.learningRate, p.decay, p.momentum, p.epsilon, 1 - p.decay]);
  }

  // ---- data movement ----

  copyStrided(src: S, dst: S, shape: number[], srcStrides: number[], srcOffset: number,
    dstStrides: number[], dstOffset: number): void {
    const axes = simplifyAxes(shape, srcStrides, dstStrides);
    if (axes === null) return; // an empty axis: nothing to copy
    if (axes.shape.length > 8) {
      throw new Error(`webgpu copyStrided: rank ${axes.shape.length} after merging contiguous axes ` +
        `(shape [${shape}]); at most 8 is supported`);
    }
    const size = axes.shape.reduce((a, b) => a * b, 1);
    const ints = new Array<number>(28).fill(0);
    ints[0] = size; ints[1] = axes.shape.length; ints[2] = srcOffset; ints[3] = dstOffset;
    axes.shape.forEach((extent, i) => {
      ints[4 + i] = extent; ints[12 + i] = axes.src[i]; ints[20 + i] = axes.dst[i];
    });
    this.elementwise('copyStrided', 'copyStrided', size,
      [this.input(src, 'copyStrided'), this.output(dst, 'copyStrided')], {}, ints);
  }

  gatherRows(src: S, indices: S, dst: S, rowCount: number, cols: number): void {
    const k = 'gatherRows';
    const size = rowCount * cols;
    this.elementwise(k, k, size, [this.input(src, k), this.input(indices, k), this.output(dst, k)], {},
      [size, cols, cols === 0 ? 0 : Math.floor(src.size / cols)]);
  }

  oneHot(indices: S, out: S, size: number, depth: number): void {
    const total = size * depth;
    this.elementwise('oneHot', 'oneHot', total, [this.input(indices, 'oneHot'), this.output(out, 'oneHot')], {},
      [total, depth]);
  }

  cast(x: S, out: S, size: number): void {
    const mode = x.dtype === out.dtype ? 'copy'
      : out.dtype === 'bool' ? (x.dtype === 'float32' ? 'float32ToBool' : 'int32ToBool')
      : out.dtype === 'float32' ? 'int32ToFloat32'
      : x.dtype === 'float32' ? 'float32ToInt32' : 'copy'; // bool -> int32: the 0 / 1 words
    this.elementwise('cast', 'cast', size, [this.input(x, 'cast'), this.output(out, 'cast')], { MODE: CAST_CODES[mode] }, [size]);
  }

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

  fill(out: S, size: number, value: number): void {
    // The 32 bits a Float32Array or Int32Array would store for `value`; bool stores value != 0.
    if (out.dtype === 'bool') this.i32Scratch[0] = value !== 0 ? 1 : 0;
    else if (out.dtype === 'int32') this.i32Scratch[0] = value; else this.f32Scratch[0] = value;
    this.elementwise('fill', 'fill', size, [this.output(out, 'fill')], {}, [size, this.i32Scratch[0]]);
  }
}
