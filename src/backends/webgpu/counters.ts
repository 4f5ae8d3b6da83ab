/**
 * The counters behind `stats()`. One `Counters` object per context, made by `newCounters`
 * and never reset; each module that counts increments its own fields in it: the batching
 * core (context.ts) submits and dispatches, the bind-group cache bind groups created,
 * transfers.ts read-backs and writes staged inside a batch. `gpuStats` adds what the shader
 * cache and the storage pool count themselves.
 */
import type { BufferPool } from './buffer-pool.js';

export interface Counters { submits: number; dispatches: number; reads: number; bindGroups: number; stagedWrites: number }

export function newCounters(): Counters {
  return { submits: 0, dispatches: 0, reads: 0, bindGroups: 0, stagedWrites: 0 };
}

export interface GPUStats extends Counters {
  modules: number; pipelines: number; buffersCreated: number; buffersDestroyed: number; idleBytes: number; heldBytes: number;
}

/** The counters, the shader modules and pipelines compiled, and the storage pool's buffers and bytes. */
export function gpuStats(counters: Counters, shaders: { moduleCount: number; pipelineCount: number }, storage: BufferPool): GPUStats {
  const pool = storage.stats();
  return { ...counters, modules: shaders.moduleCount, pipelines: shaders.pipelineCount, buffersCreated: pool.created,
    buffersDestroyed: pool.destroyed, idleBytes: pool.idleBytes, heldBytes: pool.heldBytes };
}
