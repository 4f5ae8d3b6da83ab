/** sora's public API: names and config objects mirror TF.js Layers. */
import type { BackendName, DType } from './backends/backend.js';
import { ENGINE } from './core/engine.js';
import { relaxedSimdSupported, simdSupported } from './backends/wasm/loader.js';
import { Tensor, Variable } from './core/tensor.js';
import { checkTensor } from './ops/util.js';
import { environmentFlags, type EnvironmentFlags } from './compat/runtime.js';
import { threadsInfo, type ThreadsInfo } from './compat/threads.js';
import { toCategoricalTensor } from './data/categorical.js';

export * from './ops/index.js';
export { Tensor, Variable } from './core/tensor.js';
export type { Shape, NestedArray } from './core/tensor.js';
export type { DType, BackendName, Backend } from './backends/backend.js';
export { setWasmPaths, WasmLoadError } from './backends/wasm/loader.js';

/**
 * Chooses the backend: 'auto' (the default: webgpu, else wasm, else reference), or one by name. Options go to
 * the backend (wasm: { variant, wasm, memory }; webgpu: { adapter, device }); 'auto' also takes
 * `warnOnFallback: false`, which silences its warning when it passes over a backend that could run here but
 * could not be loaded (a bundle that left the .wasm behind). Resolves true, or throws saying why the backend
 * cannot run here; unlike TF.js, which resolves false, a backend that cannot start is an error.
 * @example
 * ```js
 * await sora.setBackend('wasm');
 * console.log(sora.getBackend());   // 'wasm'
 * ```
 */
export async function setBackend(name: BackendName | 'auto' = 'auto', options?: unknown): Promise<boolean> {
  await ENGINE.setBackend(name, options);
  return true;
}

/**
 * The name of the active backend ('wasm', 'webgpu', 'reference'). With none active yet, starts
 * the one the first op would (no ready() is needed; env().syncStart says which and why).
 */
export function getBackend(): BackendName {
  return ENGINE.backend.name;
}

/**
 * Resolves once the best backend is active: runs 'auto' (webgpu, else wasm, else reference) when none was
 * set, or when the active one is what the first op started at once (so a page still reaches WebGPU);
 * tensors made before move when next used. Not needed before the first op, as with TF.js: the first op
 * starts a backend synchronously (wasm in Node and Deno; see env().syncStart).
 * @example
 * ```js
 * await sora.ready();
 * console.log(sora.getBackend());   // 'webgpu', 'wasm' or 'reference'
 * ```
 */
export async function ready(): Promise<void> {
  await ENGINE.ready();
}

/**
 * What sora.env() reports: the active backend and its description, the wasm SIMD, relaxed SIMD and WebGPU
 * support, the registered backends and why 'auto' passed over any.
 */
export interface Environment {
  /** The active backend's name, or null before one is set. */
  backend: BackendName | null;
  /** e.g. 'wasm (SIMD + relaxed SIMD)' or the GPU adapter. */
  description: string | null;
  /** What this engine validates, whichever backend runs. */
  wasmSimd: boolean;
  /** Whether this engine runs wasm relaxed SIMD (the faster wasm build). */
  wasmRelaxedSimd: boolean;
  /** Whether navigator.gpu exists here. */
  webgpu: boolean;
  /** The backends that can be chosen. */
  registered: BackendName[];
  /** Why the last setBackend('auto') passed over higher-priority backends. */
  autoSkipped: string[];
  /**
   * Set while the backend is the one the first op started at once (no ready() awaited): its
   * name, and why each faster one could not start synchronously; `await sora.ready()` reaches them.
   */
  syncStart: { backend: BackendName; passedOver: string[] } | null;
  /** The wasm backend's threads: how many, the workers started, and why only one can run here (or null). */
  threads: ThreadsInfo;
}

/**
 * What runs here: the active backend and build, and what the engine supports; with TF.js's
 * flag methods (get, getBool, set, getFlags...; src/runtime.ts) on it.
 */
export function env(): Environment & EnvironmentFlags {
  const active = ENGINE.hasBackend() ? ENGINE.backend : null;
  return Object.assign(Object.create(environmentFlags) as EnvironmentFlags, {
    backend: active?.name ?? null,
    description: active?.description ?? null,
    wasmSimd: simdSupported(),
    wasmRelaxedSimd: relaxedSimdSupported(),
    webgpu: typeof navigator !== 'undefined' && 'gpu' in navigator,
    registered: ENGINE.registeredBackends(),
    autoSkipped: ENGINE.autoSkipped.slice(),
    syncStart: ENGINE.syncStart && { backend: ENGINE.syncStart.backend, passedOver: ENGINE.syncStart.passedOver.slice() },
    threads: threadsInfo(),
  });
}

/**
 * Runs fn and disposes every tensor it created except those it returns (and those kept with `keep`), as
 * tf.tidy; the optional name is accepted for TF.js's signature and unused.
 * @example
 * ```js
 * const y = sora.tidy(() => sora.tensor([1, 2, 3]).square().sum());  // the intermediate tensors are freed
 * ```
 */
export function tidy<T>(fn: () => T): T;
export function tidy<T>(name: string, fn: () => T): T;
export function tidy<T>(nameOrFn: string | (() => T), maybeFn?: () => T): T {
  const fn = typeof nameOrFn === 'function' ? nameOrFn : maybeFn;
  if (typeof fn !== 'function') throw new Error('tidy: expected a function');
  return ENGINE.tidy(fn);
}

/** Keep a tensor created inside tidy() alive after it. */
export function keep<T extends Tensor>(tensor: T): T {
  return ENGINE.keep(checkTensor('keep', 'tensor', tensor) as T);
}

/** Dispose a tensor, or every tensor in an array / object. */
export function dispose(container: Tensor | Tensor[] | Record<string, Tensor> | null | undefined): void {
  if (!container) return;
  if (container instanceof Tensor) { container.dispose(); return; }
  for (const value of Array.isArray(container) ? container : Object.values(container)) {
    if (value instanceof Tensor) value.dispose();
  }
}

/**
 * What sora.memory() reports (tf.MemoryInfo): live tensors, data buffers and bytes, per backend too;
 * `unreliable` is false since sora counts storage exactly.
 */
export interface MemoryInfo {
  /** Tensors alive now. */
  numTensors: number;
  /** Storages alive now (tensors can share one). */
  numDataBuffers: number;
  /** Bytes held by live storages, 4 per value. */
  numBytes: number;
  /** Per backend: bytes its live storages hold (and, for wasm, the linear memory size). */
  backends: Record<string, { numBytes: number; memoryBytes?: number }>;
  /** As TF.js: false, since sora frees storage explicitly and counts it exactly. */
  unreliable: boolean;
  /** Why the numbers may be unreliable (never set by sora). */
  reasons?: string[];
  /** As TF.js's GPU backends: bytes held by the webgpu backend, when it has been started. */
  numBytesInGPU?: number;
}

/** The memory in use now (tf.memory): live tensors, data buffers and bytes, per backend and on the GPU. */
export function memory(): MemoryInfo {
  let numBytes = 0;
  for (const ref of ENGINE.dataRefs) numBytes += ref.numBytes; // a string tensor's: its UTF-8 bytes
  const backends: MemoryInfo['backends'] = {};
  for (const name of ENGINE.registeredBackends()) {
    const instance = ENGINE.backendInstance(name);
    if (!instance) continue;
    const withMemory = instance as { memoryBytes?: () => number };
    backends[name] = { numBytes: instance.bytesInUse(), memoryBytes: withMemory.memoryBytes?.() };
  }
  const info: MemoryInfo = { numTensors: ENGINE.numTensors, numDataBuffers: ENGINE.dataRefs.size, numBytes, backends, unreliable: false };
  if (backends.webgpu) info.numBytesInGPU = backends.webgpu.numBytes;
  return info;
}

/**
 * tf.variable: a mutable tensor that gradients and optimizers find in the variable registry
 * (`variableGrads` and `optimizer.minimize` without a list take every trainable one).
 */
export function variable(initial: Tensor, trainable = true, name?: string, dtype?: DType): Variable {
  checkTensor('variable', 'initial', initial);
  if (name !== undefined) {
    for (const v of ENGINE.variables.values()) {
      if (v.name === name) throw new Error(`variable: a variable named '${name}' is already registered`);
    }
  }
  const source = dtype && dtype !== initial.dtype ? initial.cast(dtype) : initial;
  const v = ENGINE.makeVariable(source, name ?? `variable_${nextVariable++}`, trainable);
  if (source !== initial) source.dispose();
  return v;
}
let nextVariable = 0;

declare module './core/tensor.js' {
  interface Tensor {
    /** tf.Tensor.variable: a Variable initialised with a copy of this tensor. */
    variable(trainable?: boolean, name?: string, dtype?: DType): Variable;
  }
}
Object.assign(Tensor.prototype, {
  variable(this: Tensor, trainable = true, name?: string, dtype?: DType): Variable { return variable(this, trainable, name, dtype); },
});

/** tf.disposeVariables: dispose every registered variable. */
export function disposeVariables(): void {
  for (const v of [...ENGINE.variables.values()]) v.dispose();
}

export { layers, Layer, Dense, Flatten, Activation, Dropout, InputLayer, input, InputSpec, LayerVariable, RNN } from './layers/index.js';
export type { LayerArgs, Kwargs, InputSpecArgs } from './layers/index.js';
export { SymbolicTensor } from './layers/graph.js';
export * as serialization from './layers/serialization-namespace.js';
export { initializers } from './training/initializers.js';
export { regularizers } from './training/regularizers.js';
export { constraints } from './training/constraints.js';
export { browser } from './ops/image/browser.js';
export { losses, Reduction } from './training/losses.js';
export { metrics } from './training/metrics.js';
export { train, Optimizer, SGD, Adam, RMSProp } from './training/optimizers/fused.js';
export {
  Momentum, Adagrad, Adadelta, Adamax, SGDOptimizer, MomentumOptimizer, AdamOptimizer, RMSPropOptimizer,
  AdagradOptimizer, AdadeltaOptimizer, AdamaxOptimizer, OptimizerConstructors,
} from './training/optimizers/fused.js';
export type { NamedTensor } from './training/optimizers/fused.js';
export { callbacks, Callback, History, EarlyStopping } from './training/callbacks.js';
export { CustomCallback, CallbackList, registerCallbackConstructor } from './training/callback-list.js';
export type { Logs, CallbackHooks } from './training/callbacks.js';
export type { CustomCallbackArgs, CallbackConstructor } from './training/callback-list.js';
export type { YieldEveryOptions } from './training/yield.js';
export { sequential, Sequential, loadLayersModel, model, models, LayersModel, Functional } from './models/index.js';
export type { CompileArgs, FitArgs, FitDatasetArgs, ModelArgs, ContainerArgs } from './models/index.js';
export { GraphModel, loadGraphModel, loadGraphModelSync, registerOp, deregisterOp, getRegisteredOp } from './graph/index.js';
export type {
  GraphModelSource, ModelPredictConfig, NamedTensorsMap, SaveConfig, TensorInfo, CustomOpNode, OpExecutor, RegisteredOp,
} from './graph/index.js';
export * as io from './io/index.js';
export * as data from './data/index.js';
export * as text from './data/text/index.js';
export * as sequence from './data/text/sequence.js';
export * as util from './compat/util.js';
export * as string from './ops/string/index.js';
export * as test_util from './compat/test-util.js';
export { TensorBuffer, buffer } from './ops/tensor-buffer.js';
export { profile, time, nextFrame } from './compat/profile.js';
export { setThreadsCount, getThreadsCount } from './compat/threads.js';
export type { ThreadsInfo } from './compat/threads.js';
export type { ProfileInfo, TimingInfo, KernelInfo } from './compat/profile.js';
export {
  engine, backend, print, Rank, deprecationWarn, disableDeprecationWarnings, device_util, upcastType, enableDebugMode,
  enableProdMode, ENV, op, sumOutType,
} from './compat/runtime.js';

/**
 * Keras's utilities (keras.utils), which TF.js 4.22 does not have: TF.js has no toCategorical
 * anywhere (neither tf.util nor tf.data), so a ported program keeps its own or calls
 * tf.oneHot(labels, numClasses).toFloat(); sora.utils.toCategorical is that, checked.
 */
export const utils = {
  /**
   * Keras's to_categorical: one-hot rows for integer labels, a [n, numClasses] float32 tensor
   * (numClasses defaults to the largest label + 1).
   */
  toCategorical(labels: Tensor | ArrayLike<number>, numClasses?: number): Tensor {
    return toCategoricalTensor(labels, numClasses);
  },
};
