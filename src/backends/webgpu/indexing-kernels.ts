/**
 * WebGPU glue of the scan, scatterRows and topk kernel families (shaders/scan.wgsl,
 * scatterRows.wgsl, topk.wgsl): a grid for the shape and the uniform words in each
 * shader's struct order. The backend class delegates its methods of these names here.
 */
import type { ScanOp, ScatterMode, Storage } from '../backend.js';
import type { PooledBuffer } from './buffer-pool.js';
import type { Binding, GPUContext } from './context.js';

/** What these kernels need of a GPUStorage (index.ts), without importing the class. */
interface GPUStorageLike extends Storage { pooled: PooledBuffer | null }

const WORKGROUP = 64;
/** scan: fewer lines than this, each at least this long, take the workgroup-per-line entry. */
const SCAN_WIDE_LINES = 256;
const SCAN_WIDE_LENGTH = 512;
/** topk: fewer rows than this, each at least this long, take the workgroup-per-row entry. */
const TOPK_WIDE_ROWS = 256;
const TOPK_WIDE_COLS = 256;
/** scatterRows: aim for about this many invocations (columns x chunks of target rows). */
const SCATTER_INVOCATIONS = 1024;

function binding(storage: GPUStorageLike, kernel: string, writable: boolean): Binding {
  if (!storage.pooled) throw new Error(`webgpu ${kernel}: a storage was used after free()`);
  return { buffer: storage.pooled, writable };
}

export function scanKernel(context: GPUContext, op: ScanOp, x: GPUStorageLike, out: GPUStorageLike, outer: number,
  length: number, inner: number, exclusive: boolean, reverse: boolean): void {
  const lines = outer * inner;
  if (lines === 0 || length === 0) return;
  const kernel = `scan ${op}`;
  // Few long lines: a workgroup per line scans chunks in parallel; else an invocation per line.
  const wide = lines < SCAN_WIDE_LINES && length >= SCAN_WIDE_LENGTH;
  context.dispatch({
    kernel, shader: 'scan', entryPoint: wide ? 'scan_workgroup' : 'main',
    constants: { WORKGROUP_SIZE: wide ? 256 : WORKGROUP, PRODUCT: +(op === 'prod'), INTEGER: +(x.dtype !== 'float32') },
    bindings: [binding(x, kernel, false), binding(out, kernel, true)],
    ints: [outer, length, inner, +exclusive, +reverse],
    workgroups: context.grid(wide ? lines : Math.ceil(lines / WORKGROUP), kernel),
  });
}

export function scatterRowsKernel(context: GPUContext, mode: ScatterMode, updates: GPUStorageLike,
  indices: GPUStorageLike, out: GPUStorageLike, rowCount: number, cols: number, outRows: number): void {
  if (rowCount === 0 || cols === 0 || outRows === 0) return;
  const kernel = `scatterRows ${mode}`;
  const chunks = Math.min(outRows, Math.max(1, Math.floor(SCATTER_INVOCATIONS / cols)));
  const chunkRows = Math.ceil(outRows / chunks);
  const size = cols * Math.ceil(outRows / chunkRows);
  context.dispatch({
    kernel, shader: 'scatterRows',
    constants: { WORKGROUP_SIZE: WORKGROUP, SET: +(mode === 'set'), INTEGER: +(out.dtype !== 'float32') },
    bindings: [binding(updates, kernel, false), binding(indices, kernel, false), binding(out, kernel, true)],
    ints: [size, rowCount, cols, outRows, chunkRows],
    workgroups: context.grid(Math.ceil(size / WORKGROUP), kernel),
  });
}

export function topkKernel(context: GPUContext, x: GPUStorageLike, values: GPUStorageLike, indices: GPUStorageLike,
  rows: number, cols: number, k: number): void {
  if (rows === 0 || k === 0) return;
  // Few long rows: a workgroup per row; else an invocation per row.
  const wide = rows < TOPK_WIDE_ROWS && cols >= TOPK_WIDE_COLS;
  context.dispatch({
    kernel: 'topk', shader: 'topk', entryPoint: wide ? 'topk_workgroup' : 'main',
    constants: { WORKGROUP_SIZE: wide ? 256 : WORKGROUP },
    bindings: [binding(x, 'topk', false), binding(values, 'topk', true), binding(indices, 'topk', true)],
    ints: [rows, cols, k],
    workgroups: context.grid(wide ? rows : Math.ceil(rows / WORKGROUP), 'topk'),
  });
}
