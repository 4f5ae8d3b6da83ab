/** Indexing: oneHot, scatterRows (wasm), topk (the reference's array kernel over zero-copy views: a cold path). */
import type { ScatterMode } from '../backend.js';
import { topkArrays } from '../reference/indexing-kernels.js';
import type { KernelExports, WasmStorage as S } from './kernel-exports.js';
import type { HeapViews } from './movement.js';

export function oneHot(heaps: HeapViews, indices: S, out: S, size: number, depth: number): void {
  const index = heaps.view(indices), to = heaps.view(out);
  to.fill(0, 0, size * depth);
  for (let i = 0; i < size; i++) if (index[i] >= 0 && index[i] < depth) to[i * depth + index[i]] = 1;
}

export function scatterRows(kernels: KernelExports, mode: ScatterMode, updates: S, indices: S, out: S, rowCount: number,
  cols: number, outRows: number): void {
  kernels.scatter_rows(updates.ptr, indices.ptr, out.ptr, rowCount, cols, outRows, +(mode === 'set'), +(out.dtype !== 'float32'));
}

export function topk(heaps: HeapViews, x: S, values: S, indices: S, rows: number, cols: number, k: number): void {
  topkArrays(heaps.view(x) as Float32Array, heaps.view(values) as Float32Array, heaps.view(indices) as Int32Array, rows, cols, k);
}
