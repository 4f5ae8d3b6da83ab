/**
 * The kernel contract. Every backend (reference, wasm, webgpu) implements exactly this
 * interface; ops in src/ops call nothing else. A kernel:
 *  - receives storages that the same backend allocated, and plain numbers for sizes;
 *  - never allocates on the hot path (scratch lives in the backend);
 *  - trusts its arguments: ops validate shapes, dtypes and ranges before calling.
 * Sizes are element counts. All float kernels are float32 in, float32 out.
 */

/**
 * Element types. 'bool' is stored as 4-byte 0/1 integers on every backend (Int32Array on the
 * CPU, u32/i32 words in WGSL), so it reuses the int32 storage paths; see src/dtypes.ts.
 * 'complex64' is a tensor dtype only: its storage is a float32 storage of 2 * size values
 * (re, im interleaved), so no kernel ever receives a 'complex64' storage (src/ops/complex.ts).
 */
export type DType = 'float32' | 'int32' | 'bool' | 'complex64' | 'string';
/**
 * The backends sora has: 'webgpu', 'wasm' (SIMD) and 'reference' (plain TypeScript, the definition every
 * other backend is tested against).
 */
export type BackendName = 'webgpu' | 'wasm' | 'reference';
export type TypedArray = Float32Array | Int32Array;

/**
 * Opaque handle to a backend's memory for one tensor's values. A storage is sized in bytes:
 * `bytes` is what the backend reserved for it (at least `storageBytes(size, dtype)`; backends
 * may round up), so a later packed format (int8 weights, packed filters) is storage like any
 * other, and the byte counts a backend reports add up.
 */
export interface Storage {
  /** Elements of `dtype` (a complex64 tensor's storage holds 2 * size float32 words: see DType). */
  readonly size: number;
  readonly dtype: DType;
  /** Bytes reserved for this storage. */
  readonly bytes: number;
}

/** Bytes of `size` elements of a storage dtype (bool is 4-byte 0/1; complex64 never reaches a kernel). */
export function storageBytes(size: number, dtype: DType): number {
  return size * (dtype === 'complex64' ? 8 : 4);
}

import type { BinaryOp, EpilogueOp, ReduceOp, UnaryOp } from './opcodes.generated.js';
import type {
  Conv2DBackpropFilterParams, Conv2DBackpropInputParams, Conv2DParams, DepthwiseConv2DBackpropFilterParams,
  DepthwiseConv2DBackpropInputParams, DepthwiseConv2DParams, Epilogue, Pool2DBackwardParams, Pool2DParams,
  RecurrentSequenceParams,
  RecurrentSequenceBackwardParams, ResizeParams,
} from './kernel-params.js';
export * from './kernel-params.js';
/**
 * Op names and their numeric codes, shared with assembly/ and shaders/: all three are
 * generated from scripts/opcodes.mjs (node scripts/gen-opcodes.mjs).
 */
export { UNARY_CODES, BINARY_CODES, REDUCE_CODES, EPILOGUE_CODES } from './opcodes.generated.js';
export type { UnaryOp, BinaryOp, ReduceOp, EpilogueOp } from './opcodes.generated.js';

/** Binary ops whose output is 'bool' (comparisons, and logic on 'bool' operands). */
export const COMPARISONS: ReadonlySet<BinaryOp> = new Set<BinaryOp>([
  'equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual', 'logicalAnd', 'logicalOr', 'logicalXor',
]);

/**
 * C = act(A x B + bias), or with `accumulate` C = act(C + A x B + bias), for each of `batch`
 * matrix products. Batch b reads A at aOffset + b * strideA, B at bOffset + b * strideB and
 * writes C at outOffset + b * strideC (elements); a stride of 0 broadcasts that operand over
 * the batch (the op flattens TF.js's broadcast batch dims into one batch index when it can,
 * else calls once per outer index with offsets). C's batches never overlap.
 */
export interface GemmParams<S> extends Epilogue<S> {
  /** A is m x k row-major, or k x m when transposeA. */
  a: S;
  /** B is k x n row-major, or n x k when transposeB. */
  b: S;
  /** C is m x n row-major; written, and read first only when `accumulate`. */
  out: S;
  m: number;
  n: number;
  k: number;
  transposeA: boolean;
  transposeB: boolean;
  /** Number of products (default 1). */
  batch?: number;
  /** Elements between consecutive batches of A, B, C (defaults: the contiguous matrix size; 0 broadcasts A or B). */
  strideA?: number;
  strideB?: number;
  strideC?: number;
  /** C += A x B (the filter gradient of a convolution sums over tiles); default false. */
  accumulate?: boolean;
  /**
   * Optional layout, in elements, for operands that are blocks of larger matrices: rows of
   * the stored A, B and C lie lda / ldb / ldc apart (defaults: contiguous, i.e. k or m for
   * A, n or k for B, n for C), and each starts aOffset / bOffset / outOffset elements into
   * its storage (default 0). Element (i, j) of C is out[outOffset + i * ldc + j].
   */
  lda?: number;
  ldb?: number;
  ldc?: number;
  aOffset?: number;
  bOffset?: number;
  outOffset?: number;
}

export interface SoftmaxCrossEntropyParams<S> {
  logits: S;             // rows x cols
  /** One-hot / probability rows (float32, rows x cols) or class indices (int32, rows). */
  labels: S;
  sparse: boolean;
  /** Per-row loss, rows values: logsumexp(x) - sum_j y_j x_j. */
  loss: S;
  /** Optional gradient w.r.t. logits: (softmax(x) - y) * gradScale, rows x cols. */
  grad: S | null;
  rows: number;
  cols: number;
  gradScale: number;
}

export interface AdamParams<S> {
  param: S; grad: S; m: S; v: S; size: number;
  learningRate: number; beta1: number; beta2: number; epsilon: number;
  /** 1 / (1 - beta1^t) and 1 / (1 - beta2^t): bias corrections for step t (TF.js form). */
  correction1: number; correction2: number;
}

export interface SgdParams<S> {
  param: S; grad: S;
  /** Null when momentum is 0. */
  velocity: S | null;
  size: number; learningRate: number; momentum: number; nesterov: boolean;
}

export interface RmspropParams<S> {
  param: S; grad: S; meanSquare: S;
  /** Null when momentum is 0. */
  moment: S | null;
  size: number; learningRate: number; decay: number; momentum: number; epsilon: number;
}

/**
 * Counter-based random numbers (src/backends/reference/random.ts defines them): element i
 * of a draw is a function of the key and i alone (Threefry-2x32, 20 rounds, counter (i, try)),
 * so one key gives the same values on every backend, in any order, on any thread.
 *  - uniform:         a + b * u, u in [0, 1) with 24 random bits (a = min, b = max - min);
 *  - uniformInt:      a + floor(bits * b / 2^32), an int32 in [a, a + b) (b = count <= 2^32 - 1);
 *  - normal:          a + b * z, z by Box-Muller (a = mean, b = stdDev);
 *  - truncatedNormal: the same, z redrawn while |z| > 2;
 *  - gamma:           Marsaglia-Tsang with shape a, times scale b;
 *  - bernoulli:       u >= a ? b : 0 (dropout's mask: a = rate, b = 1 / (1 - rate)).
 * out is float32 except for uniformInt (int32).
 */
export type RandomDistribution = 'uniform' | 'uniformInt' | 'normal' | 'truncatedNormal' | 'gamma' | 'bernoulli';
export interface RandomParams<S> {
  distribution: RandomDistribution;
  out: S;
  size: number;
  /** The generator's key: two 32-bit words (unsigned). */
  key0: number;
  key1: number;
  a: number;
  b: number;
}

/**
 * The optional kernel families. A backend implements the ones it has; an op whose kernel the
 * active backend lacks runs its composition of other ops (src/ops/registry.ts), so a backend
 * can lag behind without breaking anything. `hasKernel` is the only check.
 */
export interface Kernels<S extends Storage = Storage> {
  gemm(p: GemmParams<S>): void;
  /**
   * out[i] = f(x[i]) for i in [begin, end) (default: all of size); outside it out is left
   * as it was (time slices, threads).
   */
  unary(op: UnaryOp, x: S, out: S, size: number, begin?: number, end?: number): void;
  /**
   * dx[i] = dy[i] * f'(x[i]); relu uses x (dx = x > 0 ? dy : 0), sigmoid and tanh use
   * y = f(x), exp uses y, log/sqrt/square/neg/abs use x.
   */
  unaryBackward(op: UnaryOp, dy: S, x: S, y: S, dx: S, size: number): void;
  /**
   * out[i] = act(x[i]) for i < size, one of the epilogue's activations (relu6, elu, leakyRelu with
   * slope `alpha`, ...) as a stand-alone op: a graph model's Relu6 that no convolution absorbed.
   */
  activation(op: EpilogueOp, x: S, out: S, size: number, alpha: number): void;
  /** out[i] = x[i] < 0 ? x[i] * alpha[i % alphaSize] : x[i] for i < size (alphaSize divides size). */
  prelu(x: S, alpha: S, out: S, size: number, alphaSize: number): void;
  /** An NHWC float32 image resize, bilinear or nearest (kernel-params.ts ResizeParams). */
  resize(p: ResizeParams<S>): void;
  /**
   * out[i] = a[i % aSize] op b[i % bSize] for i < size; aSize and bSize each equal size,
   * 1, or divide size (the operand repeats: bias rows). Comparisons write a 'bool' out
   * (0/1); the others write the operands' dtype. Only [begin, end) is written (default: all).
   */
  binary(op: BinaryOp, a: S, aSize: number, b: S, bSize: number, out: S, size: number, begin?: number, end?: number): void;
  /** out = alpha * x + beta. */
  affine(x: S, out: S, size: number, alpha: number, beta: number): void;
  /**
   * x viewed as [outer, length, inner]; out[o, i] = reduce over the middle axis.
   * Column sums of an r x c matrix: outer=1, length=r, inner=c. Row sums: outer=r, length=c, inner=1.
   * NaN propagates for every op.
   */
  reduce(op: ReduceOp, x: S, out: S, outer: number, length: number, inner: number): void;
  /**
   * Same view as reduce; out is int32, the first index of the max, or with `min` of the min
   * (argMin, in the same pass). A NaN counts as the extreme either way: the first NaN wins.
   */
  argMax(x: S, out: S, outer: number, length: number, inner: number, min?: boolean): void;
  /** Row softmax of a rows x cols matrix, max-subtracted. */
  softmax(x: S, out: S, rows: number, cols: number): void;
  softmaxCrossEntropy(p: SoftmaxCrossEntropyParams<S>): void;
  adam(p: AdamParams<S>): void;
  sgd(p: SgdParams<S>): void;
  rmsprop(p: RmspropParams<S>): void;
  /** dst[r, :] = src[indices[r], :] for r < rowCount; indices is int32. */
  gatherRows(src: S, indices: S, dst: S, rowCount: number, cols: number): void;
  /** out (float32, size*depth) = one-hot of int32 indices; out-of-range gives a zero row. */
  oneHot(indices: S, out: S, size: number, depth: number): void;
  /**
   * out[i] = cond[i % condSize] != 0 ? a[i % aSize] : b[i % bSize] for i < size (the repeat
   * rule of `binary`); cond is 'bool', a, b and out share one dtype.
   */
  select(cond: S, condSize: number, a: S, aSize: number, b: S, bSize: number, out: S, size: number): void;
  /** out[0..size) drawn from `p.distribution` under the key (see RandomParams). */
  random(p: RandomParams<S>): void;
  /**
   * out[r, s] (int32, batch x samples) = the class drawn for sample s of row r from the
   * float32 probabilities probs[r, :] (classes per row, summing to ~1): the first class c
   * whose running sum (float32, in class order) exceeds u = uniform(key, r * samples + s);
   * the last class with a nonzero probability when rounding leaves u above the total.
   */
  multinomial(probs: S, out: S, batch: number, classes: number, samples: number, key0: number, key1: number): void;
  /**
   * Running sum or product along the middle axis of x viewed as [outer, length, inner]
   * (reduce's view): out[o, l, i] = x[o, 0, i] op ... op x[o, l, i]; `exclusive` leaves out
   * x[o, l, i] itself (the first is the identity), `reverse` runs from l = length - 1 down.
   * float32 or int32; x and out share the dtype. Accumulates in order, in the storage type.
   */
  scan(op: ScanOp, x: S, out: S, outer: number, length: number, inner: number, exclusive: boolean, reverse: boolean): void;
  /**
   * For r = 0 .. rowCount-1 in order, where 0 <= indices[r] < outRows:
   * out[indices[r], :] = updates[r, :] ('set': the last row wins) or += ('add'), rows of
   * `cols` values; rows with an index out of range are skipped. out is not cleared first.
   * updates and out share the dtype (float32 or int32); indices is int32.
   */
  scatterRows(mode: ScatterMode, updates: S, indices: S, out: S, rowCount: number, cols: number, outRows: number): void;
  /**
   * For each row of a rows x cols float32 matrix, its k largest values in descending order
   * (values, rows x k) and their int32 columns (indices, rows x k); ties keep the lower
   * column first and a NaN counts as larger than every number (as argMax). k <= cols.
   */
  topk(x: S, values: S, indices: S, rows: number, cols: number, k: number): void;

  // ---- convolution, pooling, recurrent cells: declared here, reference kernels in
  // src/backends/reference/conv.ts, pool.ts and recurrent.ts; ops arrive with the conv and
  // sequence issues, wasm and WGSL twins behind the same interfaces. ----
  conv2d(p: Conv2DParams<S>): void;
  conv2dBackpropInput(p: Conv2DBackpropInputParams<S>): void;
  conv2dBackpropFilter(p: Conv2DBackpropFilterParams<S>): void;
  depthwiseConv2d(p: DepthwiseConv2DParams<S>): void;
  depthwiseConv2dBackpropInput(p: DepthwiseConv2DBackpropInputParams<S>): void;
  depthwiseConv2dBackpropFilter(p: DepthwiseConv2DBackpropFilterParams<S>): void;
  pool2d(p: Pool2DParams<S>): void;
  pool2dBackward(p: Pool2DBackwardParams<S>): void;
  /** A recurrent layer call's whole sequence (kernel-params.ts RecurrentSequenceParams). */
  recurrentSequence(p: RecurrentSequenceParams<S>): void;
  /** Its backward (RecurrentSequenceBackwardParams). */
  recurrentSequenceBackward(p: RecurrentSequenceBackwardParams<S>): void;
}
export type ScanOp = 'sum' | 'prod';
export type ScatterMode = 'add' | 'set';
export type KernelName = keyof Kernels;

/** True when `backend` implements the kernel family `name`. */
export function hasKernel(backend: Backend, name: KernelName): boolean {
  return typeof backend[name] === 'function';
}

/**
 * The kernel contract every backend implements (see docs/architecture.md): storage, reads and writes, and the
 * kernels, each optional so a backend falls back to another for what it lacks.
 */
export interface Backend<S extends Storage = Storage> extends Partial<Kernels<S>> {
  /** The backend's name: 'webgpu', 'wasm' or 'reference'. */
  readonly name: BackendName;
  /** Human-readable detail, e.g. 'wasm (relaxed-simd)' or the GPU adapter. */
  readonly description: string;
  /** False when values can only be read asynchronously (webgpu). */
  readonly syncReadable: boolean;

  // ---- memory ----
  /** A new storage for size values of a dtype. */
  alloc(size: number, dtype: DType): S;
  /** Releases a storage. */
  free(storage: S): void;
  /** Copies values into a storage. */
  write(storage: S, values: TypedArray): void;
  /** Resolves to a copy of a storage's values. */
  read(storage: S): Promise<TypedArray>;
  /** Throws on backends that cannot read synchronously. Returns a copy. */
  readSync(storage: S): TypedArray;
  /** Bytes the backend holds for live storages. */
  bytesInUse(): number;
  /**
   * The largest storage, in bytes, that `alloc` can hope to make here (wasm32: what linear
   * memory can still grow to; webgpu: maxBufferSize / maxStorageBufferBindingSize; reference:
   * a typed array's limit). Ops check what they will allocate against it before allocating
   * (src/ops/util.ts checkAllocation), so one bad size argument is an Error, not a dead process.
   */
  maxStorageBytes(): number;
  /** Optional: wait until queued work is done (webgpu). */
  flush?(): Promise<void>;
  /** Releases everything the backend holds, if it has anything to release. */
  dispose?(): void;

  /** Op codes the `unary` and `binary` kernels take here (others run their composition). */
  readonly unaryOps: ReadonlySet<UnaryOp>;
  /** Op codes the `binary` kernel takes here (others run their composition). */
  readonly binaryOps: ReadonlySet<BinaryOp>;

  // ---- data movement every backend has (the engine's own plumbing) ----
  /**
   * Strided copy: for every index tuple t of `shape`,
   * dst[dstOffset + sum t_i*dstStrides_i] = src[srcOffset + sum t_i*srcStrides_i].
   * Serves slice, concat, transpose and broadcastTo. Same dtype on both sides.
   */
  copyStrided(src: S, dst: S, shape: number[], srcStrides: number[], srcOffset: number,
    dstStrides: number[], dstOffset: number): void;
  /** Elementwise dtype conversion; float to int truncates toward zero. */
  cast(x: S, out: S, size: number): void;
  /** Sets the first size values of a storage to one value. */
  fill(out: S, size: number, value: number): void;
}
