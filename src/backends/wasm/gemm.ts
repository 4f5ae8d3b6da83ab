/** The wasm GEMM binding (assembly/gemm.ts): the batched contract in one call, split over threads when it pays. */
import { DEFAULT_LEAKY_ALPHA, EPILOGUE_CODES, type GemmParams } from '../backend.js';
import type { KernelExports, WasmStorage } from './kernel-exports.js';
import { SCRATCH_GEMM, type ThreadPool } from './threads.js';

/**
 * Multiply-adds below which a GEMM stays on one thread (~40 µs of work on one core): below it,
 * publishing the job, waking a worker and packing the shared operand once more per panel cost
 * more than the second core saves (the seed MLP's 32x784x64 products made its epoch 15% slower
 * on two threads at 2^18; at 2^21 it is as fast as on one).
 */
export const GEMM_PARALLEL_MACS = 1 << 21;
/**
 * The same for the kernels split by batch (convolutions, pooling, recurrent sequences): each
 * task is whole images or samples with nothing packed twice, so smaller work pays.
 */
export const BATCH_PARALLEL_MACS = 1 << 18;
/** Rows of a row panel are a multiple of this (the micro-kernels' 5 and 6 rows both divide it). */
const ROW_ALIGN = 6;
/** Columns of a column panel are a multiple of this (the micro-kernels' 8 columns, twice). */
const COL_ALIGN = 16;
/**
 * Panels per thread of a large GEMM. More than one lets a thread that another process slows
 * down take fewer (tasks are claimed, not assigned), at the cost of packing the shared operand
 * once per panel: panels / m of the work for row panels, negligible at these sizes.
 */
let panelsPerThread = 4;
/** Rows or columns a panel keeps at least, so that its packing stays small beside its work. */
const MIN_PANEL = 64;
/** For A/B runs (bench/threads.mjs --panels): panels per thread of a large GEMM. */
export function setGemmPanelsPerThread(n: number): void { panelsPerThread = n; }

/** `work` is the backend's GEMM workspace (gemm_workspace_bytes()); `pool` splits large GEMMs over threads. */
export function gemm(kernels: KernelExports, work: number, p: GemmParams<WasmStorage>, pool: ThreadPool | null = null): void {
  const { m, n, k } = p;
  const a = p.a.ptr + (p.aOffset ?? 0) * 4, b = p.b.ptr + (p.bOffset ?? 0) * 4, c = p.out.ptr + (p.outOffset ?? 0) * 4;
  const tA = p.transposeA ? 1 : 0, tB = p.transposeB ? 1 : 0, bias = p.bias ? p.bias.ptr : 0;
  const act = EPILOGUE_CODES[p.activation], alpha = p.alpha ?? DEFAULT_LEAKY_ALPHA, acc = p.accumulate ? 1 : 0;
  const batch = p.batch ?? 1, sA = p.strideA ?? m * k, sB = p.strideB ?? k * n, sC = p.strideC ?? m * n;
  if (pool !== null && pool.threads > 1 && m * n * k * batch >= GEMM_PARALLEL_MACS) {
    const ldA = p.lda || (tA ? m : k), ldB = p.ldb || (tB ? k : n), ldC = p.ldc || n;
    const threads = pool.threads;
    pool.begin();
    if (batch >= 2 * threads || (batch >= threads && m * n * k >= 4 * GEMM_PARALLEL_MACS)) {
      // Whole products per task: no operand is packed twice.
      const chunk = Math.ceil(batch / Math.min(batch, 2 * threads));
      for (let t0 = 0; t0 < batch; t0 += chunk) {
        gemmTask(pool, a + t0 * sA * 4, b + t0 * sB * 4, c + t0 * sC * 4, m, n, k, tA, tB, bias, act, alpha, ldA, ldB, ldC,
          Math.min(chunk, batch - t0), sA, sB, sC, acc);
      }
    } else if (m >= n) {
      // Row panels of A and C; each task packs B for itself.
      const panels = Math.max(threads, Math.min(threads * panelsPerThread, Math.floor(m / MIN_PANEL)));
      const rows = Math.ceil(Math.ceil(m / panels) / ROW_ALIGN) * ROW_ALIGN;
      for (let r0 = 0; r0 < m; r0 += rows) {
        gemmTask(pool, a + r0 * (tA ? 1 : ldA) * 4, b, c + r0 * ldC * 4, Math.min(rows, m - r0), n, k, tA, tB, bias, act,
          alpha, ldA, ldB, ldC, batch, sA, sB, sC, acc);
      }
    } else {
      // Column panels of B, C and the bias; each task packs its rows of A for itself.
      const panels = Math.max(threads, Math.min(threads * panelsPerThread, Math.floor(n / MIN_PANEL)));
      const cols = Math.ceil(Math.ceil(n / panels) / COL_ALIGN) * COL_ALIGN;
      for (let c0 = 0; c0 < n; c0 += cols) {
        gemmTask(pool, a, b + c0 * (tB ? ldB : 1) * 4, c + c0 * 4, m, Math.min(cols, n - c0), k, tA, tB,
          bias ? bias + c0 * 4 : 0, act, alpha, ldA, ldB, ldC, batch, sA, sB, sC, acc);
      }
    }
    pool.run();
    return;
  }
  kernels.gemm(a, b, c, m, n, k, tA, tB, bias, act, alpha, work, p.lda ?? 0, p.ldb ?? 0, p.ldc ?? 0, batch, sA, sB, sC, acc);
}

function gemmTask(pool: ThreadPool, a: number, b: number, c: number, m: number, n: number, k: number, tA: number,
  tB: number, bias: number, act: number, alpha: number, ldA: number, ldB: number, ldC: number, batch: number,
  sA: number, sB: number, sC: number, acc: number): void {
  const s = pool.task('gemm', 1 << 11), x = pool.args;
  x[s] = a; x[s + 1] = b; x[s + 2] = c; x[s + 3] = m; x[s + 4] = n; x[s + 5] = k; x[s + 6] = tA; x[s + 7] = tB;
  x[s + 8] = bias; x[s + 9] = act; x[s + 10] = alpha; x[s + 11] = SCRATCH_GEMM; x[s + 12] = ldA; x[s + 13] = ldB;
  x[s + 14] = ldC; x[s + 15] = batch; x[s + 16] = sA; x[s + 17] = sB; x[s + 18] = sC; x[s + 19] = acc;
}
