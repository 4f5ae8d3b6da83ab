/**
 * The wasm backend's entry: it finds the kernel build (given, registered, or beside this
 * module), prepares the memory (shared where threads can run, with the module's memory import
 * marked shared) and creates the WasmBackend (wasm-backend.ts), on its threads.
 */
import type { KernelExports } from './kernel-exports.js';
import {
  createSharedMemory, defaultThreads, checkThreadsCount, threadsUnavailable, withSharedMemoryImport,
} from './threads-host.js';
import {
  WASM_FILES, compileWasm, compileWasmSync, loadWasmBytes, loadWasmBytesSync, registeredWasm, registeredWasmSync, relaxedSimdSupported,
  simdSupported, type WasmSource,
} from './loader.js';
import { WasmBackend, type WasmVariant } from './wasm-backend.js';

export { WasmBackend, WasmStorage, type WasmThreading, type WasmVariant } from './wasm-backend.js';
export { checkThreadsCount, defaultThreads, setRequestedThreads } from './threads-host.js';

export interface WasmBackendOptions {
  /** 'relaxed' needs an engine that validates relaxed SIMD; default: the best available. */
  variant?: WasmVariant;
  /** The .wasm to use instead of the file next to this module: bytes, a URL, a Response or a compiled module. */
  wasm?: WasmSource;
  /** A memory to allocate in; default: a fresh one, shared where threads can run. */
  memory?: WebAssembly.Memory;
  /** Threads to run kernels on, the calling one included; default: setThreadsCount's, else the host's cores. */
  threads?: number;
}

/**
 * Where each build lies in the package, relative to this module (dist/backends/wasm/ and
 * src/backends/wasm/ are both three levels below the root). Each URL is a literal
 * `new URL('...', import.meta.url)`, the form Vite, webpack 5, Parcel and Rollup's
 * import.meta plugins recognize and emit as an asset with the bundle: no template, no variable.
 */
function packagedWasmUrl(variant: WasmVariant): URL {
  return variant === 'relaxed'
    ? new URL('../../../build/sora-relaxed.wasm', import.meta.url)
    : new URL('../../../build/sora-simd.wasm', import.meta.url);
}

/** The build to use: options.variant, else relaxed SIMD where the engine validates it. */
function chooseVariant(options: WasmBackendOptions): WasmVariant {
  if (!simdSupported()) throw new Error('wasm backend: this engine does not validate WebAssembly SIMD');
  const relaxed = relaxedSimdSupported();
  const variant = options.variant ?? (relaxed ? 'relaxed' : 'simd');
  if (variant !== 'relaxed' && variant !== 'simd') {
    throw new Error(`wasm backend: unknown variant '${String(variant)}'; expected 'simd' or 'relaxed'`);
  }
  if (variant === 'relaxed' && !relaxed) {
    throw new Error("wasm backend: variant 'relaxed' requested but this engine does not validate " +
      'relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd); use variant \'simd\'');
  }
  return variant;
}

/** Where the backend's memory and module come from, and whether threads can run on them. */
interface Prepared {
  memory: WebAssembly.Memory;
  compile: BufferSource | WebAssembly.Module;
  threading: { bytes: Uint8Array } | null;
  unavailable: string | null;
}

/**
 * Threads need a shared memory and the module compiled with a shared memory import (the bytes
 * patched at load, withSharedMemoryImport): made whenever the host can run workers, whatever
 * the thread count, so that setThreadsCount can add threads later.
 */
function prepare(options: WasmBackendOptions, bytes: BufferSource | WebAssembly.Module): Prepared {
  const plain = (unavailable: string): Prepared => ({
    memory: options.memory ?? new WebAssembly.Memory({ initial: 64, maximum: 65536 }), compile: bytes, threading: null,
    unavailable,
  });
  if (options.memory) return plain('a memory was given (setBackend(\'wasm\', { memory }))');
  if (bytes instanceof WebAssembly.Module) return plain('a compiled module was given (threads need the bytes)');
  const unavailable = threadsUnavailable();
  if (unavailable) return plain(unavailable);
  let shared: Uint8Array | null = null;
  try {
    shared = withSharedMemoryImport(bytes);
  } catch {
    // not a wasm module: compiling the bytes as given reports it
  }
  if (!shared) return plain('the module imports no memory');
  const memory = createSharedMemory(64);
  if (!memory) return plain('no shared memory could be reserved');
  return { memory, compile: shared, threading: { bytes: shared }, unavailable: null };
}

function finish(variant: WasmVariant, prepared: Prepared, module: WebAssembly.Module, instance: WebAssembly.Instance,
  options: WasmBackendOptions): WasmBackend {
  const backend = new WasmBackend(variant, prepared.memory, instance.exports as unknown as KernelExports,
    prepared.threading && { module, bytes: prepared.threading.bytes }, prepared.unavailable);
  const threads = options.threads ?? defaultThreads();
  if (threads > 1) backend.setThreads(threads);
  return backend;
}

/**
 * Instantiate the wasm backend. The build is, in order: `options.wasm` (bytes, a URL, a
 * Response or a compiled module), what setWasmPaths registered (or sora/wasm-inline), else
 * build/sora-<variant>.wasm next to this module. An engine without wasm SIMD is a plain
 * Error; a build that cannot be fetched, read or compiled is a WasmLoadError naming the URL.
 */
export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  const variant = chooseVariant(options);
  if (options.threads !== undefined) checkThreadsCount('wasm backend', options.threads);
  const source = options.wasm ?? (await registeredWasm(WASM_FILES[variant])) ?? packagedWasmUrl(variant);
  const prepared = prepare(options, source instanceof WebAssembly.Module ? source : await loadWasmBytes(source));
  const module = prepared.compile instanceof WebAssembly.Module ? prepared.compile
    : await compileWasm(prepared.compile, source as Exclude<WasmSource, WebAssembly.Module>);
  const instance = await WebAssembly.instantiate(module, { env: { memory: prepared.memory } });
  return finish(variant, prepared, module, instance, options);
}

/**
 * The same, at once, for the first op of a program that never awaited ready(): from the same
 * sources, where they can be had synchronously (bytes or a module given or registered,
 * sora/wasm-inline, the file beside this module in Node or Deno, its URL in a web worker) and the engine compiles
 * them synchronously. Throws saying why not otherwise (a URL to fetch, a browser page without
 * sora/wasm-inline); the engine then starts the reference backend.
 */
export function createWasmBackendSync(options: WasmBackendOptions = {}): WasmBackend {
  const variant = chooseVariant(options);
  if (options.threads !== undefined) checkThreadsCount('wasm backend', options.threads);
  const source = options.wasm ?? registeredWasmSync(WASM_FILES[variant]) ?? packagedWasmUrl(variant);
  const prepared = prepare(options, source instanceof WebAssembly.Module ? source : loadWasmBytesSync(source));
  const module = prepared.compile instanceof WebAssembly.Module ? prepared.compile
    : compileWasmSync(prepared.compile, source as Exclude<WasmSource, WebAssembly.Module>);
  const instance = new WebAssembly.Instance(module, { env: { memory: prepared.memory } });
  return finish(variant, prepared, module, instance, options);
}
