/**
 * Host-side layout decisions of the webgpu kernels, pure functions of shapes: the GEMM
 * variant's workgroup and per-invocation tile, and the merging of strided-copy axes.
 */

/**
 * GEMM variants (gemm.wgsl): 'tiled' stages tiles in workgroup memory (GPUs); 'blocked'
 * reads storage directly, 8x8 outputs per invocation, no barriers (CPU adapters, where it
 * measured 2-3x faster on SwiftShader and 1.4x on lavapipe).
 */
export type GemmVariant = 'tiled' | 'blocked';
export interface GemmShape { WG_ROWS: number; WG_COLS: number; TILE_K?: number; rowsPerInvocation: number; colsPerInvocation: number }
export function gemmShape(variant: GemmVariant, m: number): GemmShape {
  if (variant === 'blocked') {
    return m <= 32 ? { WG_ROWS: 4, WG_COLS: 16, rowsPerInvocation: 8, colsPerInvocation: 8 }
      : { WG_ROWS: 8, WG_COLS: 8, rowsPerInvocation: 8, colsPerInvocation: 8 };
  }
  return m <= 16 ? { WG_ROWS: 4, WG_COLS: 16, TILE_K: 16, rowsPerInvocation: 4, colsPerInvocation: 4 }
    : { WG_ROWS: 16, WG_COLS: 16, TILE_K: 16, rowsPerInvocation: 4, colsPerInvocation: 4 };
}

/**
 * Drops size-1 axes and merges neighbours that are contiguous in both source and
 * destination, so most strided copies run as rank 1 or 2. Null when an axis is empty.
 */
export function simplifyAxes(shape: number[], srcStrides: number[], dstStrides: number[]):
  { shape: number[]; src: number[]; dst: number[] } | null {
  const out = { shape: [] as number[], src: [] as number[], dst: [] as number[] };
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 0) return null;
    if (shape[i] === 1) continue;
    const last = out.shape.length - 1;
    if (last >= 0 && out.src[last] === srcStrides[i] * shape[i] && out.dst[last] === dstStrides[i] * shape[i]) {
      out.shape[last] *= shape[i];
      out.src[last] = srcStrides[i];
      out.dst[last] = dstStrides[i];
      continue;
    }
    out.shape.push(shape[i]);
    out.src.push(srcStrides[i]);
    out.dst.push(dstStrides[i]);
  }
  return out;
}
