/**
 * A webgpu tensor's memory: one pooled GPUBuffer (buffer-pool.ts). `bytes` is the buffer's
 * size class, what the storage really reserves; the backend's bytesInUse adds these up.
 */
import type { DType, Storage } from '../backend.js';
import type { PooledBuffer } from './buffer-pool.js';

export class GPUStorage implements Storage {
  /** Null once freed. */
  pooled: PooledBuffer | null;
  constructor(readonly size: number, readonly dtype: DType, readonly bytes: number, pooled: PooledBuffer) { this.pooled = pooled; }
}

/** The storage's buffer; throws, naming the kernel, once the storage was freed. */
export function bufferOf(storage: GPUStorage, kernel: string): PooledBuffer {
  if (!storage.pooled) throw new Error(`webgpu ${kernel}: a storage was used after free()`);
  return storage.pooled;
}
