/**
 * sora's WebAssembly kernels: one module, built twice from this source (asconfig.json):
 * `simd` (f32x4) and `relaxed` (f32x4 + relaxed SIMD, where ASC_FEATURE_RELAXED_SIMD is
 * true and the GEMM uses fused multiply-add).
 *
 * ABI, shared with src/backends/wasm/index.ts:
 *  - memory is imported (env.memory) so that the host owns it and can later share it
 *    between threads; the host's arena allocates every buffer, 64-byte aligned, above
 *    heap_base(). Pointer 0 means "none" for optional arguments.
 *  - pointers are byte offsets, counts are elements, f32 unless the name says i32.
 *  - kernels never allocate and never call the host; scratch comes in as a pointer.
 *  - op codes are the constants of assembly/opcodes.generated.ts, generated with
 *    src/backends/opcodes.generated.ts from scripts/opcodes.mjs.
 */
export { gemm, gemm_workspace_bytes } from './gemm';
export { unary, unary_backward, affine } from './elementwise';
export { activation, prelu } from './activation';
export { resize } from './resize';
export { binary, binary_i32 } from './binary';
export { select } from './select';
export { reduce, argmax } from './reduce';
export { softmax } from './softmax';
export { softmax_xent } from './loss';
export { adam, sgd, rmsprop } from './optim';
export { scan } from './scan';
export { scatter_rows } from './scatter';
export { conv2d, conv2d_backprop_input, conv2d_backprop_filter, conv_workspace_bytes } from './conv';
export { depthwise_conv2d, depthwise_conv2d_backprop_input, depthwise_conv2d_backprop_filter } from './depthwise';
export { pool2d, pool2d_backward } from './pool';
export { recurrent_sequence, recurrent_sequence_backward, rnn_workspace_bytes } from './rnn';
export { fill_words, cast, gather_rows, copy_strided } from './movement';
export { random_uniform, random_uniform_int, random_bernoulli, random_normal, random_gamma, multinomial } from './random';

/** First byte the host may use. */
export function heap_base(): usize {
  return (__heap_base + 63) & ~63;
}
