/**
 * The wasm backend: tensors live in one WebAssembly.Memory that this module owns (the
 * kernels import it), allocated by a JS-side arena with exact-size reuse, so a training
 * step allocates nothing new after the first. Kernels (assembly/) receive byte pointers.
 *
 * Views: `view()` returns a zero-copy typed array over the storage. A non-shared memory
 * detaches every view when it grows, so views are re-derived from `memory.buffer` on each
 * access (`heapF32()`); a caller must not keep one across an allocation.
 */
import {
  BINARY_CODES, EPILOGUE_CODES, REDUCE_CODES, UNARY_CODES,
  type AdamParams, type Backend, type BinaryOp, type DType, type GemmParams, type ReduceOp,
  type RmspropParams, type SgdParams, type SoftmaxCrossEntropyParams, type Storage,
  type TypedArray, type UnaryOp, type RandomParams, storageBytes,
} from '../backend.js';
import { CAST_CODES } from '../opcodes.generated.js';
import { copyStridedArrays } from '../reference/index.js';
import { checkBackwardOp } from '../reference/math.js';
import type { ScanOp, ScatterMode } from '../backend.js';
import { topkArrays } from '../reference/indexing-kernels.js';
import { Arena } from './arena.js';
import { DEFAULT_LEAKY_ALPHA } from '../reference/epilogue.js';
import {
  WASM_FILES, loadWasmModule, registeredWasm, relaxedSimdSupported, simdSupported, type WasmSource,
} from './loader.js';

export type WasmVariant = 'simd' | 'relaxed';

/** The exports of build/sora-*.wasm (assembly/index.ts). */
interface KernelExports {
  heap_base(): number;
  gemm_workspace_bytes(): number;
  /** lda, ldb, ldc in elements; 0 means contiguous. */
  gemm(a: number, b: number, c: number, m: number, n: number, k: number, transA: number,
    transB: number, bias: number, act: number, alpha: number, work: number, lda: number, ldb: number, ldc: number,
    batch: number, strideA: number, strideB: number, strideC: number, accumulate: number): void;
  unary(op: number, x: number, out: number, n: number): void;
  unary_backward(op: number, dy: number, x: number, y: number, dx: number, n: number): void;
  binary(op: number, a: number, aSize: number, b: number, bSize: number, out: number, n: number,
    aPhase: number, bPhase: number): void;
  binary_i32(op: number, a: number, aSize: number, b: number, bSize: number, out: number, n: number,
    aPhase: number, bPhase: number): void;
  select(cond: number, condSize: number, a: number, aSize: number, b: number, bSize: number, out: number, n: number): void;
  affine(x: number, out: number, n: number, alpha: number, beta: number): void;
  reduce(op: number, x: number, out: number, outer: number, length: number, inner: number): void;
  argmax(x: number, out: number, outer: number, length: number, inner: number): void;
  softmax(x: number, out: number, rows: number, cols: number): void;
  softmax_xent(logits: number, labels: number, sparse: number, loss: number, grad: number,
    rows: number, cols: number, gradScale: number): void;
  adam(param: number, grad: number, m: number, v: number, n: number, lr: number, beta1: number,
    beta2: number, eps: number, c1: number, c2: number): void;
  sgd(param: number, grad: number, velocity: number, n: number, lr: number, momentum: number,
    nesterov: number): void;
  rmsprop(param: number, grad: number, ms: number, mom: number, n: number, lr: number,
    decay: number, momentum: number, eps: number): void;
  scan(x: number, out: number, outer: number, length: number, inner: number, product: number, integer: number,
    exclusive: number, reverse: number): void;
  scatter_rows(updates: number, indices: number, out: number, rowCount: number, cols: number, outRows: number,
    set: number, integer: number): void;
  random_uniform(out: number, n: number, k0: number, k1: number, a: number, b: number): void;
  random_uniform_int(out: number, n: number, k0: number, k1: number, a: number, count: number): void;
  random_bernoulli(out: number, n: number, k0: number, k1: number, rate: number, scale: number): void;
  random_normal(out: number, n: number, k0: number, k1: number, mean: number, stdDev: number, truncated: number): void;
  random_gamma(out: number, n: number, k0: number, k1: number, alpha: number, scale: number): void;
  multinomial(probs: number, out: number, batch: number, classes: number, samples: number, k0: number, k1: number): void;
  fill_words(out: number, n: number, word: number): void;
  cast(x: number, out: number, n: number, mode: number): void;
  gather_rows(src: number, indices: number, dst: number, rowCount: number, cols: number): void;
  /** dims: 4 * rank i32 words of scratch holding shape, src strides, dst strides (rewritten by the kernel). */
  copy_strided(src: number, dst: number, rank: number, dims: number, srcOffset: number, dstOffset: number): void;
}

export class WasmStorage implements Storage {
  constructor(readonly ptr: number, readonly size: number, readonly dtype: DType,
    readonly bytes: number) {}
}

type S = WasmStorage;

export interface WasmBackendOptions {
  /** 'relaxed' needs an engine that validates relaxed SIMD; default: the best available. */
  variant?: WasmVariant;
  /** The .wasm to use instead of the file next to this module: bytes, a URL, a Response or a compiled module. */
  wasm?: WasmSource;
  /** A memory to allocate in (e.g. to share it later); default: a fresh one. */
  memory?: WebAssembly.Memory;
}

/** Ranks copyStrided hands to wasm (its scratch is sized for it); higher ranks run in TypeScript. */
const MAX_COPY_RANK = 32;
/** fill's float-to-bits conversion. */
const FILL_F32 = new Float32Array(1);
const FILL_I32 = new Int32Array(FILL_F32.buffer);

/** The CAST_* code (assembly/movement.ts cast) for a conversion between storage dtypes. */
function castCode(from: DType, to: DType): number {
  if (to === 'bool') return from === 'float32' ? CAST_CODES.float32ToBool : from === 'int32' ? CAST_CODES.int32ToBool : CAST_CODES.copy;
  if (to === 'float32') return from === 'float32' ? CAST_CODES.copy : CAST_CODES.int32ToFloat32;
  return from === 'float32' ? CAST_CODES.float32ToInt32 : CAST_CODES.copy;
}

const PAGE = 65536;
const WASM32_MAX_BYTES = 65536 * PAGE;

export class WasmBackend implements Backend<S> {
  readonly name = 'wasm' as const;
  readonly syncReadable = true;
  readonly description: string;
  readonly unaryOps: ReadonlySet<UnaryOp> = new Set(Object.keys(UNARY_CODES) as UnaryOp[]);
  readonly binaryOps: ReadonlySet<BinaryOp> = new Set(Object.keys(BINARY_CODES) as BinaryOp[]);
  private readonly arena: Arena;
  private readonly gemmWorkspace: number;
  /** copyStrided's scratch: 4 * MAX_COPY_RANK i32 words (shape, strides, the odometer). */
  private readonly dims: number;
  /** Arena bytes the backend holds for itself (the GEMM workspace, copyStrided's dims). */
  private readonly scratchBytes: number;
  private f32Cache = new Float32Array(0);
  private i32Cache = new Int32Array(0);

  constructor(readonly variant: WasmVariant, readonly memory: WebAssembly.Memory,
    private readonly kernels: KernelExports) {
    this.description = `wasm (${variant === 'relaxed' ? 'SIMD + relaxed SIMD' : 'SIMD'})`;
    this.arena = new Arena(kernels.heap_base(), (bytes) => this.growTo(bytes));
    this.gemmWorkspace = this.arena.alloc(kernels.gemm_workspace_bytes());
    this.dims = this.arena.alloc(4 * MAX_COPY_RANK * 4);
    this.scratchBytes = this.arena.liveBytes;
  }

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
  /** wasm32 addresses 4 GiB (or the memory's own maximum): what is not yet live could still be had. */
  maxStorageBytes(): number { return WASM32_MAX_BYTES - this.arena.liveBytes; }
  /** Linear memory size in bytes (what the arena has reserved from the engine). */
  memoryBytes(): number { return this.memory.buffer.byteLength; }

  gemm(p: GemmParams<S>): void {
    const { m, n, k } = p;
    this.kernels.gemm(p.a.ptr + (p.aOffset ?? 0) * 4, p.b.ptr + (p.bOffset ?? 0) * 4, p.out.ptr + (p.outOffset ?? 0) * 4,
      m, n, k, p.transposeA ? 1 : 0, p.transposeB ? 1 : 0, p.bias ? p.bias.ptr : 0,
      EPILOGUE_CODES[p.activation], p.alpha ?? DEFAULT_LEAKY_ALPHA, this.gemmWorkspace, p.lda ?? 0, p.ldb ?? 0, p.ldc ?? 0,
      p.batch ?? 1, p.strideA ?? m * k, p.strideB ?? k * n, p.strideC ?? m * n, p.accumulate ? 1 : 0);
  }
  /** Writes out[begin..end) only (default: all of size). */
  unary(op: UnaryOp, x: S, out: S, size: number, begin = 0, end = size): void {
    if (end > begin) this.kernels.unary(UNARY_CODES[op], x.ptr + begin * 4, out.ptr + begin * 4, end - begin);
  }
  unaryBackward(op: UnaryOp, dy: S, x: S, y: S, dx: S, size: number): void {
    checkBackwardOp('wasm', op);
    this.kernels.unary_backward(UNARY_CODES[op], dy.ptr, x.ptr, y.ptr, dx.ptr, size);
  }
  /**
   * Writes out[begin..end) only (default: all of size): a full-size operand is entered at
   * begin, a repeating one at its phase begin % period.
   */
  binary(op: BinaryOp, a: S, aSize: number, b: S, bSize: number, out: S, size: number, begin = 0, end = size): void {
    const n = end - begin;
    if (n <= 0) return;
    const kernel = a.dtype === 'float32' ? this.kernels.binary : this.kernels.binary_i32;
    const [aPtr, aLength, aPhase] = aSize === size ? [a.ptr + begin * 4, n, 0] : [a.ptr, aSize, begin % aSize];
    const [bPtr, bLength, bPhase] = bSize === size ? [b.ptr + begin * 4, n, 0] : [b.ptr, bSize, begin % bSize];
    kernel(BINARY_CODES[op], aPtr, aLength, bPtr, bLength, out.ptr + begin * 4, n, aPhase, bPhase);
  }
  select(cond: S, condSize: number, a: S, aSize: number, b: S, bSize: number, out: S, size: number): void {
    this.kernels.select(cond.ptr, condSize, a.ptr, aSize, b.ptr, bSize, out.ptr, size);
  }
  affine(x: S, out: S, size: number, alpha: number, beta: number): void {
    this.kernels.affine(x.ptr, out.ptr, size, alpha, beta);
  }
  reduce(op: ReduceOp, x: S, out: S, outer: number, length: number, inner: number): void {
    this.kernels.reduce(REDUCE_CODES[op], x.ptr, out.ptr, outer, length, inner);
  }
  argMax(x: S, out: S, outer: number, length: number, inner: number): void {
    this.kernels.argmax(x.ptr, out.ptr, outer, length, inner);
  }
  softmax(x: S, out: S, rows: number, cols: number): void {
    this.kernels.softmax(x.ptr, out.ptr, rows, cols);
  }
  softmaxCrossEntropy(p: SoftmaxCrossEntropyParams<S>): void {
    this.kernels.softmax_xent(p.logits.ptr, p.labels.ptr, p.sparse ? 1 : 0, p.loss.ptr,
      p.grad ? p.grad.ptr : 0, p.rows, p.cols, p.gradScale);
  }
  adam(p: AdamParams<S>): void {
    this.kernels.adam(p.param.ptr, p.grad.ptr, p.m.ptr, p.v.ptr, p.size, p.learningRate, p.beta1,
      p.beta2, p.epsilon, p.correction1, p.correction2);
  }
  sgd(p: SgdParams<S>): void {
    this.kernels.sgd(p.param.ptr, p.grad.ptr, p.velocity ? p.velocity.ptr : 0, p.size,
      p.learningRate, p.momentum, p.nesterov ? 1 : 0);
  }
  rmsprop(p: RmspropParams<S>): void {
    this.kernels.rmsprop(p.param.ptr, p.grad.ptr, p.meanSquare.ptr, p.moment ? p.moment.ptr : 0,
      p.size, p.learningRate, p.decay, p.momentum, p.epsilon);
  }

  random(p: RandomParams<S>): void {
    const k = this.kernels, out = p.out.ptr, n = p.size;
    switch (p.distribution) {
      case 'uniform': k.random_uniform(out, n, p.key0, p.key1, p.a, p.b); break;
      case 'uniformInt': k.random_uniform_int(out, n, p.key0, p.key1, p.a, p.b); break;
      case 'bernoulli': k.random_bernoulli(out, n, p.key0, p.key1, p.a, p.b); break;
      case 'normal': k.random_normal(out, n, p.key0, p.key1, p.a, p.b, 0); break;
      case 'truncatedNormal': k.random_normal(out, n, p.key0, p.key1, p.a, p.b, 1); break;
      case 'gamma': k.random_gamma(out, n, p.key0, p.key1, p.a, p.b); break;
    }
  }
  multinomial(probs: S, out: S, batch: number, classes: number, samples: number, key0: number, key1: number): void {
    this.kernels.multinomial(probs.ptr, out.ptr, batch, classes, samples, key0, key1);
  }

  /** In wasm (assembly/movement.ts); shape and strides go through the backend's `dims` scratch. */
  copyStrided(src: S, dst: S, shape: number[], srcStrides: number[], srcOffset: number,
    dstStrides: number[], dstOffset: number): void {
    const rank = shape.length;
    if (rank > MAX_COPY_RANK) {
      copyStridedArrays(this.view(src), this.view(dst), shape, srcStrides, srcOffset, dstStrides, dstOffset);
      return;
    }
    const heap = this.heapI32(), at = this.dims >>> 2;
    for (let i = 0; i < rank; i++) {
      heap[at + i] = shape[i];
      heap[at + rank + i] = srcStrides[i];
      heap[at + 2 * rank + i] = dstStrides[i];
    }
    this.kernels.copy_strided(src.ptr, dst.ptr, rank, this.dims, srcOffset, dstOffset);
  }
  gatherRows(src: S, indices: S, dst: S, rowCount: number, cols: number): void {
    this.kernels.gather_rows(src.ptr, indices.ptr, dst.ptr, rowCount, cols);
  }
  oneHot(indices: S, out: S, size: number, depth: number): void {
    const index = this.view(indices), to = this.view(out);
    to.fill(0, 0, size * depth);
    for (let i = 0; i < size; i++) if (index[i] >= 0 && index[i] < depth) to[i * depth + index[i]] = 1;
  }
  scan(op: ScanOp, x: S, out: S, outer: number, length: number, inner: number, exclusive: boolean, reverse: boolean): void {
    this.kernels.scan(x.ptr, out.ptr, outer, length, inner, +(op === 'prod'), +(x.dtype !== 'float32'), +exclusive, +reverse);
  }
  scatterRows(mode: ScatterMode, updates: S, indices: S, out: S, rowCount: number, cols: number, outRows: number): void {
    this.kernels.scatter_rows(updates.ptr, indices.ptr, out.ptr, rowCount, cols, outRows, +(mode === 'set'), +(out.dtype !== 'float32'));
  }
  // topk: the reference's array kernel over zero-copy views (a cold path).
  topk(x: S, values: S, indices: S, rows: number, cols: number, k: number): void {
    topkArrays(this.view(x) as Float32Array, this.view(values) as Float32Array, this.view(indices) as Int32Array, rows, cols, k);
  }
  cast(x: S, out: S, size: number): void { this.kernels.cast(x.ptr, out.ptr, size, castCode(x.dtype, out.dtype)); }
  /** float32: the float's bits; int32: ToInt32 (as an Int32Array store); bool: value != 0. */
  fill(out: S, size: number, value: number): void {
    let word: number;
    if (out.dtype === 'float32') { FILL_F32[0] = value; word = FILL_I32[0]; }
    else if (out.dtype === 'bool') word = value !== 0 ? 1 : 0;
    else word = value | 0;
    this.kernels.fill_words(out.ptr, size, word);
  }
}

/**
 * Where each build lies in the package, relative to this module (dist/backends/wasm/ and
 * src/backends/wasm/ are both three levels below the root). Each URL is a literal
 * `new URL('...', import.meta.url)`, the form Vite, webpack 5, Parcel and Rollup's
 * import.meta plugins recognize and emit as an asset with the bundle: no template, no variable.
 */
function packagedWasmUrl(variant: WasmVariant): URL {
  return variant === 'relaxed'
    ? new URL('../../../build/sora-relaxed.wasm', import.meta.url)
    : new URL('../../../build/sora-simd.wasm', import.meta.url);
}

/**
 * Instantiate the wasm backend. The build is, in order: `options.wasm` (bytes, a URL, a
 * Response or a compiled module), what setWasmPaths registered (or sora/wasm-inline), else
 * build/sora-<variant>.wasm next to this module. An engine without wasm SIMD is a plain
 * Error; a build that cannot be fetched, read or compiled is a WasmLoadError naming the URL.
 */
export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  if (!simdSupported()) throw new Error('wasm backend: this engine does not validate WebAssembly SIMD');
  const relaxed = relaxedSimdSupported();
  const variant = options.variant ?? (relaxed ? 'relaxed' : 'simd');
  if (variant !== 'relaxed' && variant !== 'simd') {
    throw new Error(`wasm backend: unknown variant '${String(variant)}'; expected 'simd' or 'relaxed'`);
  }
  if (variant === 'relaxed' && !relaxed) {
    throw new Error("wasm backend: variant 'relaxed' requested but this engine does not validate " +
      'relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd); use variant \'simd\'');
  }
  const source = options.wasm ?? (await registeredWasm(WASM_FILES[variant])) ?? packagedWasmUrl(variant);
  const module = await loadWasmModule(source);
  const memory = options.memory ?? new WebAssembly.Memory({ initial: 64, maximum: 65536 });
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  return new WasmBackend(variant, memory, instance.exports as unknown as KernelExports);
}
