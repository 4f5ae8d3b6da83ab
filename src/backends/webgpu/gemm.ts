/**
 * WebGPU glue of the GEMM (shaders/gemm.wgsl): the variant for the adapter ('tiled' on
 * GPUs, 'blocked' on CPU adapters; layout.ts sizes their tiles), the grid, and the uniform
 * words {m, n, k, lda, ldb, ldc, a_offset, b_offset, c_offset}.
 */
import type { GemmParams } from '../backend.js';
import type { GPUContext, VariantSpec } from './context.js';
import { gemmShape, type GemmVariant } from './layout.js';
import type { PipelineRequest } from './pipelines.js';
import { bufferOf, type GPUStorage } from './storage.js';

function gemmSpec(variant: GemmVariant, m: number, transposeA: boolean, transposeB: boolean, bias: boolean, relu: boolean): VariantSpec {
  const { WG_ROWS, WG_COLS, TILE_K } = gemmShape(variant, m);
  return {
    kernel: 'gemm', shader: 'gemm', entryPoint: `gemm_${variant}`,
    constants: { WG_ROWS, WG_COLS, ...(TILE_K ? { TILE_K } : {}), TRANSPOSE_A: +transposeA, TRANSPOSE_B: +transposeB,
      HAS_BIAS: +bias, RELU: +relu },
  };
}

/** The GEMMs of a dense-network training step (forward with bias and relu or not, and both gradients), for compile(). */
export function gemmWarmUp(variant: GemmVariant): PipelineRequest[] {
  return [gemmSpec(variant, 64, false, false, true, true), gemmSpec(variant, 64, false, false, true, false),
    gemmSpec(variant, 64, false, true, false, false), gemmSpec(variant, 64, true, false, false, false)];
}

export function gemmKernel(context: GPUContext, variant: GemmVariant, p: GemmParams<GPUStorage>): void {
  const { m, n, k } = p;
  if (m === 0 || n === 0) return;
  const shape = gemmShape(variant, m);
  const columns = Math.ceil(n / (shape.colsPerInvocation * shape.WG_COLS));
  const rows = Math.ceil(m / (shape.rowsPerInvocation * shape.WG_ROWS));
  const max = context.limits.maxComputeWorkgroupsPerDimension;
  if (columns > max || rows > max) {
    throw new Error(`webgpu gemm: m=${m} n=${n} needs a ${columns} x ${rows} grid, over ` +
      `maxComputeWorkgroupsPerDimension ${max}`);
  }
  const bias = p.bias !== null, relu = p.activation === 'relu';
  const key = (shape.WG_ROWS * 64 + shape.WG_COLS) * 16 + (+p.transposeA) * 8 + (+p.transposeB) * 4 + (+bias) * 2 + (+relu);
  const kernel = context.variant(`gemm_${variant}`, key, () => gemmSpec(variant, m, p.transposeA, p.transposeB, bias, relu));
  context.run(kernel, [bufferOf(p.a, 'gemm'), bufferOf(p.b, 'gemm'), p.bias ? bufferOf(p.bias, 'gemm') : context.dummy,
    bufferOf(p.out, 'gemm')],
  [m, n, k, p.lda ?? (p.transposeA ? m : k), p.ldb ?? (p.transposeB ? k : n), p.ldc ?? n, p.aOffset ?? 0, p.bOffset ?? 0,
    p.outOffset ?? 0], null, columns, rows);
}
