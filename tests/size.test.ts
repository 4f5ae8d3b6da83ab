/**
 * What a user downloads is part of the product (STYLE.md): the minified browser bundle and
 * each wasm build stay within a budget, so growth is a decision, not an accident.
 */
import { describe, it, expect } from 'vitest';
import { statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const KIB = 1024;
/**
 * Raised in issue 8 from 120 / 80 / 48 KiB, which the TF.js API work (ops, initializers,
 * tf.data, io, functional models) and the random kernels had outgrown: measured then 269 KiB
 * core, 81 KiB webgpu, 53 KiB per wasm build. The page a user ships is smaller than the core:
 * bench/bundle-size.mjs.
 * Raised in issue 14 from 64 / 48 KiB (wasm / inline), which the kernels moved into wasm
 * (copyStrided, cast, fill, gatherRows), the batched GEMM's epilogues and the blocked sums
 * outgrew: measured 60.9 / 62.5 KB per build and 48,308 bytes inline before, 65.3 / 66.8 KB
 * and 52,240 bytes after.
 * Raised in issue 15 from 320 KiB core, which the names outside tf.layers outgrew (CustomCallback,
 * CallbackList, registerCallbackConstructor, LayerVariable, InputSpec, bitwiseAnd, movingAverage,
 * fingerPrint64 / hexToLong, TextLineDataset and its data sources): measured 322,849 bytes
 * before, about 337,000 after.
 * Raised in issue 15 (devices) from 336 KiB core for tf.data.webcam and tf.data.microphone:
 * measured 340,952 bytes before, 349,693 after.
 * Raised again in issue 15 to 344 KiB for tensor-likes at every public op's entry (one
 * conversion line each, about 5.9 KB) and complex64 operands (add / sub / mul, the structural
 * ops, cast, mean, and the refusals naming the op, about 3.1 KB): measured 340,952 bytes
 * before, 349,999 after.
 * Raised in issue 15 (strings), which the 'string' dtype outgrew (its JS-side
 * storage, the string paths of the shape ops, tf.string's four ops): about 14.5 KB. All of
 * issue 15 together (devices, tensor-likes, complex64, strings, TF.js's throws, the synchronous
 * start and its inflate): measured 340,952 bytes before, 376,208 after the merges. The small
 * inference build (issue 20) is where a page that only predicts gets small.
 * Raised in issue 16 from 56 KiB inline for the wasm convolution and pooling kernels (conv2d
 * by im2col tiles into the GEMM, its gradients, depthwise, pool2d and its gradient): the builds
 * went from 65,346 / 66,865 to 70,928 / 72,447 bytes (still under 72 KiB) and sora/wasm-inline
 * from 52,639 to 57,670 bytes gzipped.
 * Raised in issue 16 from 376 KiB core for the convolution family's ops and layers, measured on
 * merging each part into 376,208 bytes: pooling and normalization ops about 20 KB, the shape /
 * activation / noise / preprocessing / normalization / global-pooling layers 23 KB, the
 * convolution ops (conv1d/2d/3d, transposes, depthwise, separable, dilation2d, tf.fused) 27 KB,
 * the mel and MFCC ops and WAV decoding about 5 KB: 452,800 bytes.
 * webgpu raised in issue 16 from 96 KiB to 120 KiB for the convolution and pooling kernels (conv.wgsl's
 * implicit GEMMs, convDepthwise.wgsl, pool.wgsl and their glue, conv.ts): measured 94,200 bytes
 * before, 122,105 after (conv_blocked, the CPU-adapter conv2d, included).
 * wasm raised in issue 16 from 72 KiB, inline from 60 KiB, for the kernels that bring the MNIST CNN's
 * training step and MobileNetV2's predict under the targets: Winograd F(4x4, 3x3) and its tiling
 * (about 6.3 KB), the direct small-channel convolution and the unrolled pooling (about 4.5 KB), the
 * single-write depthwise forward (about 1.6 KB). The builds went from 70,928 / 72,447 to 83,360 / 84,798
 * bytes and sora/wasm-inline from 57,670 to 68,205 bytes gzipped. A page that needs less gets the
 * small build of issue 20.
 * core raised in issue 17 from 472 KiB for its first parts: sora.text.Tokenizer and
 * sora.sequence.padSequences (12.7 KB), the embedding, repeatVector and masking layers and masks
 * through Sequential and functional graphs (3.2 KB): measured 467,765 before, 483,728 after.
 * core raised in issue 17 again, from 488 KiB, for the recurrent family: the recurrentSequence op
 * and its reference kernels (15.2 KB), RNN / RNNCell / simpleRNN / lstm / gru and their cells
 * (18.3 KB), bidirectional, timeDistributed and merge masks (8.8 KB), convLstm2d (10.1 KB) and
 * basicLSTMCell / multiRNNCell (2.2 KB): measured 482,970 before, 540,631 after.
 * webgpu raised in issue 17 from 120 KiB for rnn.wgsl and its encoder (the whole sequence without
 * read-back): 117,363 to 124,006 bytes. The wasm builds stay under 88 KiB with assembly/rnn.ts
 * (88,516 / 89,954 bytes).
 * wasm raised in issue 17 from 88 KiB for rnn.ts's row-wise activations and its LSTM rows in place:
 * 88,516 / 89,954 to 90,783 / 92,221 bytes for ~2.4 ms less a forward and ~2 ms less a backward call
 * at bench:text's size (LSTM B64 T100 H64), ~9 ms a BiLSTM training batch.
 * inline raised in issue 18 from 72 KiB for the stand-alone activation and prelu kernels
 * (assembly/activation.ts: a graph model's Relu6 / LeakyRelu / Prelu in one pass; on 1.2M values
 * relu6 1.0 -> 0.6 ms, leakyRelu 3.2 -> 0.4, prelu 2.3 -> 0.4): builds 90,783 / 92,221 to 91,276 /
 * 92,714 bytes, inline a few hundred bytes past 72 KiB.
 * inline raised in issue 18 from 73 KiB for the image resize kernel (assembly/resize.ts: one pass
 * instead of ~10 composed ones; CenterNet's three upsamplings 22 ms -> 1.1 ms a prediction, 154 ->
 * 138 ms CPU the whole model, bench/resize-models.mjs): builds 91,276 / 92,714 to 92,727 / 94,165
 * bytes (43 bytes under the wasm budget), inline ~75.2 KB gzipped (a few hundred past 73 KiB).
 * wasm raised in issue 18 from 92 KiB for the graph models' depthwise and 1x1 convolutions: depthwise
 * pixel pairs for 3x3 / 5x5 filters at strides 1 and 2 and quads for 3x3 at stride 1 (5x5 depthwise
 * 1.6-2.8x faster, 3x3 1.1-1.3x, bench/graph-convs.mjs), and the GEMM's relu6 clamped over whole tiles
 * in place (a 96x96x16 -> 96 1x1 conv with relu6 1.30 -> 1.02 ms): builds 91,276 / 92,714 to
 * 92,795 / 94,137 bytes with the depthwise part, 92,953 / 94,295 with the relu6 tiles.
 * wasm 94 KiB and inline 75 KiB for the two together (resize + convolutions): builds 94,404 / 95,746
 * bytes, inline 76,494 bytes gzipped.
 * core raised in issue 18 from 536 KiB for pretrained graph models (loadGraphModel, GraphModel, the
 * executor with TF1 and functional control flow, TensorList / TensorArray, and handlers for every TF op
 * TF.js's converter runs, ~230 ops in 19 families): 540,631 to 640,052 bytes. A program that never
 * imports loadGraphModel does not carry it (src/graph is free of side effects for bundlers).
 * core raised in issue 18 from 632 KiB for the graph executor's fusing pass (src/graph/fuse.ts: conv /
 * depthwise / matmul, bias add and activation as one fused op; handlandmark-lite 1.16x, faceres 1.05x,
 * bench/graph-fuse-ab.mjs) and its per-node savings (attributes decoded once, steps keeping their
 * handler and context): 643,795 to 649,418 bytes.
 * core raised in issue 19 from 636 to 640 KiB for small batches without overhead: the op runner's specs memo
 * (inferByShapes) and closure-free binary / unary / single-axis sum kernels, the tape entry holding the
 * OpDef, the engine's indexed list of live data, one optimizer op call per step for every variable, and
 * the fused ReLU + bias gradient of dense layers (reluBiasGrad): 649,900 to 654,444 bytes.
 * core raised again in issue 19, from 640 KiB, for the wasm threads (src/backends/wasm/threads.ts: the worker
 * pool over one shared memory, the worker's code as a string, the memory import marked shared at load;
 * the bindings that split GEMM, convolutions, recurrent sequences and the large elementwise, optimizer
 * and row kernels into tasks; setThreadsCount / getThreadsCount): 654,444 to 672,457 bytes. The wasm
 * builds do not grow (the threads live in JS; the kernels are the same).
 * webgpu raised in issue 19 from 124 KiB for the wide-row softmax (softmaxVec4.wgsl beside softmax.wgsl's
 * rewritten main: one barrier per reduction, vec4 rows, 4 invocations a row on CPU adapters; 512x1000 on
 * SwiftShader ~60 ms -> ~4-7 ms, ~8x TF.js webgpu, bench/browser.mjs --only softmax; and the cross-entropy
 * kernel's 4-wide workgroup there, ce-grad 512x1000 5.9 -> 15.7 Melem/s): 126,427 to 128,801 bytes.
 * inline raised in issue 19 from 75 KiB for the wasm softmax (its exp's constants as a table in linear
 * memory, loaded before the loop, which Chromium's V8 otherwise rematerializes at every use; 1.5x TF.js
 * wasm in Chromium): the builds shrank (94,383 / 95,673 to 94,173 / 95,463 bytes) but the inline
 * module grew from 76,711 to 77,021 bytes gzipped.
 */
const BUDGET = {
  /** Everything in src/index.ts (ops, layers, model, io, data, wasm glue), minified. */
  core: 660 * KIB,
  /** The webgpu backend and its shaders, loaded only when webgpu is chosen. */
  webgpu: 126 * KIB,
  wasm: 94 * KIB,
  /** What sora/wasm-inline (both builds in base64) adds to the core, gzipped; measured 39 KiB. */
  inlineGzip: 76 * KIB,
};

async function minified(entry: string, external: string[] = []): Promise<Uint8Array> {
  const result = await build({
    entryPoints: [entry], bundle: true, minify: true, format: 'esm', platform: 'browser',
    target: 'es2022', write: false, logLevel: 'silent', external,
  });
  return result.outputFiles[0].contents;
}
async function minifiedBytes(entry: string, external: string[] = []): Promise<number> {
  return (await minified(entry, external)).byteLength;
}

describe('download size', () => {
  it(`the library without webgpu is under ${BUDGET.core / KIB} KiB minified`, async () => {
    // select.ts imports webgpu lazily; mark it external to measure the core alone.
    const bytes = await minifiedBytes('src/index.ts', ['./webgpu/index.js']);
    expect(bytes).toBeLessThan(BUDGET.core);
  });
  it(`the webgpu backend is under ${BUDGET.webgpu / KIB} KiB minified`, async () => {
    const bytes = await minifiedBytes('src/backends/webgpu/index.ts', ['../reference/index.js', '../backend.js']);
    expect(bytes).toBeLessThan(BUDGET.webgpu);
  });
  it(`sora/wasm-inline adds under ${BUDGET.inlineGzip / KIB} KiB gzipped to the library`, async () => {
    const external = ['./webgpu/index.js'];
    const core = gzipSync(await minified('src/index.ts', external), { level: 9 }).byteLength;
    const inline = gzipSync(await minified('src/wasm-inline.ts', external), { level: 9 }).byteLength;
    expect(inline - core).toBeGreaterThan(0);
    expect(inline - core).toBeLessThan(BUDGET.inlineGzip);
  });
  for (const variant of ['simd', 'relaxed']) {
    it(`build/sora-${variant}.wasm is under ${BUDGET.wasm / KIB} KiB`, () => {
      expect(statSync(`build/sora-${variant}.wasm`).size).toBeLessThan(BUDGET.wasm);
    });
  }
});
