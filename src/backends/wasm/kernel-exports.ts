/**
 * The ABI of build/sora-*.wasm (assembly/index.ts), and the storage handle its kernels
 * receive. Pointers are byte offsets into the backend's memory; counts, strides and offsets
 * are elements; flags are 0 / 1; op codes come from src/backends/opcodes.generated.ts.
 */
import type { DType, Storage } from '../backend.js';

export interface KernelExports {
  heap_base(): number;
  gemm_workspace_bytes(): number;
  /** lda, ldb, ldc in elements, 0 meaning contiguous; act an EPILOGUE_CODES code; strides in elements, 0 broadcasting. */
  gemm(a: number, b: number, c: number, m: number, n: number, k: number, transA: number,
    transB: number, bias: number, act: number, alpha: number, work: number, lda: number, ldb: number, ldc: number,
    batch: number, strideA: number, strideB: number, strideC: number, accumulate: number): void;
  unary(op: number, x: number, out: number, n: number): void;
  unary_backward(op: number, dy: number, x: number, y: number, dx: number, n: number): void;
  /** act an EPILOGUE_CODES code. */
  activation(x: number, out: number, n: number, act: number, alpha: number): void;
  prelu(x: number, alpha: number, out: number, n: number, alphaCount: number): void;
  /** method 0 bilinear, 1 nearest; NHWC float32, out not aliasing x; taps: outW * (12 + 8c) bytes of scratch. */
  resize(method: number, x: number, out: number, batch: number, inH: number, inW: number, c: number,
    outH: number, outW: number, alignCorners: number, halfPixelCenters: number, taps: number): void;
  binary(op: number, a: number, aSize: number, b: number, bSize: number, out: number, n: number,
    aPhase: number, bPhase: number): void;
  binary_i32(op: number, a: number, aSize: number, b: number, bSize: number, out: number, n: number,
    aPhase: number, bPhase: number): void;
  select(cond: number, condSize: number, a: number, aSize: number, b: number, bSize: number, out: number, n: number): void;
  affine(x: number, out: number, n: number, alpha: number, beta: number): void;
  reduce(op: number, x: number, out: number, outer: number, length: number, inner: number): void;
  /** flip 1: argMin (each value's sign bit flipped as it is read). */
  argmax(x: number, out: number, outer: number, length: number, inner: number, flip: number): void;
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
  /** Convolution and pooling (assembly/conv.ts, depthwise.ts, pool.ts): g is 16 i32 words of geometry (wasm/conv.ts). */
  conv_workspace_bytes(): number;
  conv2d(x: number, filter: number, out: number, bias: number, act: number, alpha: number, g: number, work: number,
    col: number): void;
  conv2d_backprop_input(dy: number, filter: number, dx: number, g: number, work: number, col: number): void;
  conv2d_backprop_filter(x: number, dy: number, dFilter: number, accumulate: number, g: number, work: number,
    col: number): void;
  depthwise_conv2d(x: number, filter: number, out: number, bias: number, act: number, alpha: number, g: number): void;
  depthwise_conv2d_backprop_input(dy: number, filter: number, dx: number, g: number): void;
  depthwise_conv2d_backprop_filter(x: number, dy: number, dFilter: number, accumulate: number, g: number): void;
  /** mode 0: max, 1: avg. */
  pool2d(x: number, out: number, mode: number, g: number): void;
  pool2d_backward(dy: number, x: number, dx: number, mode: number, g: number): void;
  /** Recurrent (assembly/rnn.ts): codes as src/backends/wasm/recurrent.ts; pointer 0 = none. */
  rnn_workspace_bytes(batch: number, units: number, gates: number): number;
  recurrent_sequence(cell: number, act: number, gateAct: number, resetAfter: number, batch: number, steps: number,
    units: number, xProj: number, u: number, bh: number, h0: number, c0: number, mask: number, dropout: number,
    hSeq: number, cSeq: number, saved: number, work: number): void;
  recurrent_sequence_backward(cell: number, act: number, gateAct: number, resetAfter: number, batch: number,
    steps: number, units: number, u: number, h0: number, c0: number, mask: number, dropout: number, hSeq: number,
    cSeq: number, saved: number, dhSeq: number, dcSeq: number, dxProj: number, dhProj: number, dh0: number,
    dc0: number, work: number): void;
}

/** A tensor's values in linear memory: `bytes` from `ptr` (64-byte aligned; see arena.ts). */
export class WasmStorage implements Storage {
  constructor(readonly ptr: number, readonly size: number, readonly dtype: DType,
    readonly bytes: number) {}
}
