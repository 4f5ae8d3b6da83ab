/**
 * The reference GEMM (backend.ts `GemmParams`): batched products with strides (0 broadcasts
 * an operand), transposes, leading dimensions and offsets, accumulate, and the fused
 * bias + activation epilogue, each output summed in float64 and rounded once on store.
 */
import type { GemmParams, TypedArray } from '../backend.js';
import { applyEpilogue } from './epilogue.js';

/** The storage side of a GEMM: anything whose values JS can see. */
interface ArrayStorage { readonly values: TypedArray }

export function gemmArrays(p: GemmParams<ArrayStorage>): void {
  const { m, n, k } = p;
  const a = p.a.values, b = p.b.values, c = p.out.values;
  const bias = p.bias?.values;
  const alpha = p.alpha;
  const accumulate = p.accumulate ?? false;
  const lda = p.lda ?? (p.transposeA ? m : k), ldb = p.ldb ?? (p.transposeB ? k : n), ldc = p.ldc ?? n;
  const batch = p.batch ?? 1;
  const strideA = p.strideA ?? m * k, strideB = p.strideB ?? k * n, strideC = p.strideC ?? m * n;
  // Element (i, kk) of op(A) and (kk, j) of op(B), whatever the storage layout.
  const aRow = p.transposeA ? 1 : lda, aCol = p.transposeA ? lda : 1;
  const bRow = p.transposeB ? 1 : ldb, bCol = p.transposeB ? ldb : 1;
  for (let t = 0; t < batch; t++) {
    const aBase = (p.aOffset ?? 0) + t * strideA;
    const bBase = (p.bOffset ?? 0) + t * strideB;
    const cBase = (p.outOffset ?? 0) + t * strideC;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const at = cBase + i * ldc + j;
        let sum = accumulate ? c[at] : 0;
        for (let kk = 0; kk < k; kk++) sum += a[aBase + i * aRow + kk * aCol] * b[bBase + kk * bRow + j * bCol];
        if (bias) sum += bias[j];
        c[at] = applyEpilogue(p.activation, sum, alpha);
      }
    }
  }
}
