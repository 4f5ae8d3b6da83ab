/**
 * WebGPU glue of the GEMM (shaders/gemm.wgsl): the variant for the adapter ('tiled' on
 * GPUs, 'blocked' on CPU adapters; layout.ts sizes their tiles), the grid (columns, rows,
 * batch), and the uniform words {m, n, k, lda, ldb, ldc, a_offset, b_offset, c_offset,
 * stride_a, stride_b, stride_c} then the float {alpha}. Transposes, bias, accumulate and
 * the epilogue op are override constants; shapes, strides and alpha are uniforms, so one
 * pipeline serves every shape and batch.
 */
import { DEFAULT_LEAKY_ALPHA, EPILOGUE_CODES, type EpilogueOp, type GemmParams } from '../backend.js';
import type { GPUContext, VariantSpec } from './context.js';
import { gemmShape, type GemmShape, type GemmVariant } from './layout.js';
import type { PipelineRequest } from './pipelines.js';
import { bufferOf, type GPUStorage } from './storage.js';

interface GemmFlags { transposeA: boolean; transposeB: boolean; bias: boolean; accumulate: boolean; activation: EpilogueOp }

function gemmSpec(variant: GemmVariant, shape: GemmShape, f: GemmFlags): VariantSpec {
  const { WG_ROWS, WG_COLS, TILE_K } = shape;
  return {
    kernel: 'gemm', shader: 'gemm', entryPoint: `gemm_${variant}`,
    constants: { WG_ROWS, WG_COLS, ...(TILE_K ? { TILE_K } : {}), TRANSPOSE_A: +f.transposeA, TRANSPOSE_B: +f.transposeB,
      HAS_BIAS: +f.bias, ACCUMULATE: +f.accumulate, ACTIVATION: EPILOGUE_CODES[f.activation] },
  };
}

/** The GEMMs of a dense-network training step (forward with bias and relu or not, and both gradients), for compile(). */
export function gemmWarmUp(variant: GemmVariant): PipelineRequest[] {
  const shape = gemmShape(variant, 64);
  const spec = (transposeA: boolean, transposeB: boolean, bias: boolean, activation: EpilogueOp) =>
    gemmSpec(variant, shape, { transposeA, transposeB, bias, accumulate: false, activation });
  return [spec(false, false, true, 'relu'), spec(false, false, true, 'linear'), spec(false, true, false, 'linear'),
    spec(true, false, false, 'linear')];
}

export function gemmKernel(context: GPUContext, variant: GemmVariant, p: GemmParams<GPUStorage>): void {
  const { m, n, k } = p;
  const batch = p.batch ?? 1;
  if (m === 0 || n === 0 || batch === 0) return;
  const shape = gemmShape(variant, m);
  const columns = Math.ceil(n / (shape.colsPerInvocation * shape.WG_COLS));
  const rows = Math.ceil(m / (shape.rowsPerInvocation * shape.WG_ROWS));
  const max = context.limits.maxComputeWorkgroupsPerDimension;
  if (columns > max || rows > max) {
    throw new Error(`webgpu gemm: m=${m} n=${n} needs a ${columns} x ${rows} grid, over ` +
      `maxComputeWorkgroupsPerDimension ${max}`);
  }
  const flags: GemmFlags = { transposeA: p.transposeA, transposeB: p.transposeB, bias: p.bias !== null,
    accumulate: p.accumulate ?? false, activation: p.activation };
  const key = ((((shape.WG_ROWS * 64 + shape.WG_COLS) * 8 + EPILOGUE_CODES[flags.activation]) * 2 + +flags.accumulate) * 2 +
    +flags.bias) * 4 + (+flags.transposeA) * 2 + +flags.transposeB;
  const kernel = context.variant(`gemm_${variant}`, key, () => gemmSpec(variant, shape, flags));
  const buffers = [bufferOf(p.a, 'gemm'), bufferOf(p.b, 'gemm'), p.bias ? bufferOf(p.bias, 'gemm') : context.dummy,
    bufferOf(p.out, 'gemm')];
  const strideA = p.strideA ?? m * k, strideB = p.strideB ?? k * n, strideC = p.strideC ?? m * n;
  const aOffset = p.aOffset ?? 0, bOffset = p.bOffset ?? 0, outOffset = p.outOffset ?? 0;
  const floats = [flags.activation === 'leakyRelu' ? p.alpha ?? DEFAULT_LEAKY_ALPHA : 0];
  // Batches past the z limit go in further dispatches, their offsets moved on.
  for (let first = 0; first < batch; first += max) {
    context.run(kernel, buffers,
      [m, n, k, p.lda ?? (p.transposeA ? m : k), p.ldb ?? (p.transposeB ? k : n), p.ldc ?? n,
        aOffset + first * strideA, bOffset + first * strideB, outOffset + first * strideC, strideA, strideB, strideC],
      floats, columns, rows, Math.min(max, batch - first));
  }
}
