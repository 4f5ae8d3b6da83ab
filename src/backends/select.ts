/**
 * The backends sora can start: each a factory with a priority and a capability check (its
 * create() throws when the machine cannot run it). 'auto' takes the highest priority that
 * initializes: webgpu > wasm > reference. Under 'auto', webgpu refuses an adapter that runs
 * WGSL on the CPU (SwiftShader, lavapipe: ~3.5 GFLOP/s against wasm's ~30-45), which
 * setBackend('webgpu') still takes. The webgpu factory loads its module lazily, so a program
 * that never uses WebGPU never downloads its code.
 *
 * `createSync` starts a backend at once, for the first op of a program that never awaited
 * ready() (TF.js's default backends start synchronously): the engine takes the highest
 * priority whose createSync succeeds. webgpu has none (an adapter is only had asynchronously);
 * wasm's works where the build's bytes can be had and compiled synchronously (Node, Deno, a
 * web worker, sora/wasm-inline, bytes given to setWasmPaths), which is why its module is imported here,
 * not lazily; reference's always works. The engine (src/core/engine.ts) starts from this
 * list; nothing here imports upward or runs at import time.
 */
import type { Backend, BackendName } from './backend.js';
import { createReferenceBackend } from './reference/index.js';
import { createWasmBackend, createWasmBackendSync } from './wasm/index.js';

export interface BackendFactory {
  name: BackendName;
  /** Higher wins under 'auto'. */
  priority: number;
  /** `auto`: chosen by 'auto', so the factory may refuse a poor fit (a CPU WebGPU adapter). */
  create(options: unknown, selection: { auto: boolean }): Promise<Backend>;
  /** Starts the backend at once, or throws saying why it cannot here (absent: only asynchronously). */
  createSync?(options: unknown): Backend;
}

export const BACKEND_FACTORIES: readonly BackendFactory[] = [
  {
    name: 'webgpu',
    priority: 3,
    async create(options, { auto }) {
      const { createWebGPUBackend } = await import('./webgpu/index.js');
      const given = (options ?? {}) as NonNullable<Parameters<typeof createWebGPUBackend>[0]>;
      return createWebGPUBackend(auto ? { allowCpuAdapter: false, ...given } : given);
    },
  },
  {
    name: 'wasm',
    priority: 2,
    create: (options) => createWasmBackend(options as Parameters<typeof createWasmBackend>[0]),
    createSync: (options) => createWasmBackendSync(options as Parameters<typeof createWasmBackendSync>[0]),
  },
  {
    name: 'reference',
    priority: 1,
    async create() { return createReferenceBackend(); },
    createSync: () => createReferenceBackend(),
  },
];
