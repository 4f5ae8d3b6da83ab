/** The wasm GEMM binding (assembly/gemm.ts): the batched contract in one call. */
import { DEFAULT_LEAKY_ALPHA, EPILOGUE_CODES, type GemmParams } from '../backend.js';
import type { KernelExports, WasmStorage } from './kernel-exports.js';

/** `work` is the backend's GEMM workspace (gemm_workspace_bytes()). */
export function gemm(kernels: KernelExports, work: number, p: GemmParams<WasmStorage>): void {
  const { m, n, k } = p;
  kernels.gemm(p.a.ptr + (p.aOffset ?? 0) * 4, p.b.ptr + (p.bOffset ?? 0) * 4, p.out.ptr + (p.outOffset ?? 0) * 4,
    m, n, k, p.transposeA ? 1 : 0, p.transposeB ? 1 : 0, p.bias ? p.bias.ptr : 0,
    EPILOGUE_CODES[p.activation], p.alpha ?? DEFAULT_LEAKY_ALPHA, work, p.lda ?? 0, p.ldb ?? 0, p.ldc ?? 0,
    p.batch ?? 1, p.strideA ?? m * k, p.strideB ?? k * n, p.strideC ?? m * n, p.accumulate ? 1 : 0);
}
