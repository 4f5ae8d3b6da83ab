/**
 * Indexing: scatterRows (wasm); oneHot and topk are the reference's array kernels over
 * zero-copy views (cold paths).
 */
import type { ScatterMode } from '../backend.js';
import { topkArrays } from '../reference/indexing-kernels.js';
import { oneHotArrays } from '../reference/movement.js';
import type { KernelExports, WasmStorage as S } from './kernel-exports.js';
import type { HeapViews } from './movement.js';

export function oneHot(heaps: HeapViews, indices: S, out: S, size: number, depth: number): void {
  oneHotArrays(heaps.view(indices), heaps.view(out), size, depth);
}

export function scatterRows(kernels: KernelExports, mode: ScatterMode, updates: S, indices: S, out: S, rowCount: number,
  cols: number, outRows: number): void {
  kernels.scatter_rows(updates.ptr, indices.ptr, out.ptr, rowCount, cols, outRows, +(mode === 'set'), +(out.dtype !== 'float32'));
}

export function topk(heaps: HeapViews, x: S, values: S, indices: S, rows: number, cols: number, k: number): void {
  topkArrays(heaps.view(x) as Float32Array, heaps.view(values) as Float32Array, heaps.view(indices) as Int32Array, rows, cols, k);
}
