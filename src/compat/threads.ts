/**
 * The wasm backend's threads, under TF.js's names (tfjs-backend-wasm's setThreadsCount and
 * getThreadsCount). Unlike TF.js, which runs one thread in Node, threads run in Node, Deno and
 * cross-origin-isolated pages; elsewhere the backend stays on one thread and env().threads
 * says why.
 */
import { ENGINE } from '../core/engine.js';
import {
  checkThreadsCount, defaultThreads, setRequestedThreads, type WasmBackend,
} from '../backends/wasm/index.js';
import { threadsUnavailable } from '../backends/wasm/threads-host.js';

function activeWasm(): WasmBackend | null {
  const backend = ENGINE.hasBackend() ? ENGINE.backend : null;
  return backend?.name === 'wasm' ? backend as unknown as WasmBackend : null;
}

/**
 * Sets how many threads the wasm backend runs its kernels on, the calling one included (a
 * whole number from 1 to 64): the active wasm backend at once (its workers start
 * asynchronously; until they have, the calling thread does their share), and any created
 * later. The default is the host's cores. Large GEMMs, convolutions over a batch, and large
 * elementwise, optimizer and row kernels are split; small ones stay on the calling thread.
 * @example
 * ```js
 * sora.setThreadsCount(2);
 * ```
 */
export function setThreadsCount(numThreads: number): void {
  checkThreadsCount('setThreadsCount', numThreads);
  setRequestedThreads(numThreads);
  activeWasm()?.setThreads(numThreads);
}

/**
 * The threads the wasm backend runs on: the active wasm backend's, else what a new one would
 * use (setThreadsCount's count, else the host's cores; 1 where threads cannot run here).
 */
export function getThreadsCount(): number {
  const wasm = activeWasm();
  if (wasm) return wasm.threads;
  return threadsUnavailable() === null ? defaultThreads() : 1;
}

/** What env().threads reports. */
export interface ThreadsInfo {
  /** Threads the wasm backend runs kernels on (getThreadsCount()). */
  count: number;
  /** Workers started and waiting for jobs (the calling thread is not one). */
  workersReady: number;
  /** Why only one thread can run here (no cross-origin isolation, a memory given...), or null. */
  unavailable: string | null;
}

export function threadsInfo(): ThreadsInfo {
  const wasm = activeWasm();
  return {
    count: getThreadsCount(),
    workersReady: wasm?.readyWorkers ?? 0,
    unavailable: wasm ? wasm.threadsUnavailable : threadsUnavailable(),
  };
}
