/** Getting the kernel module's bytes in every runtime, and probing engine features. */
import { importNode } from '../host.js';

export type WasmBytesSource = BufferSource | URL | string | Response;
export type WasmSource = WasmBytesSource | WebAssembly.Module;

// (module (func (result v128) v128.const 0 v128.const 0 v128.const 0 f32x4.relaxed_madd))
const RELAXED_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00, 0x0a, 0x3d, 0x01, 0x3b, 0x00,
  ...[0, 1, 2].flatMap(() => [0xfd, 0x0c, ...new Array<number>(16).fill(0)]),
  0xfd, 0x85, 0x02, 0x0b,
]);
// The same function with i32x4.add on two constants: plain SIMD.
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00, 0x0a, 0x2b, 0x01, 0x29, 0x00,
  ...[0, 1].flatMap(() => [0xfd, 0x0c, ...new Array<number>(16).fill(0)]),
  0xfd, 0xae, 0x01, 0x0b,
]);

export function relaxedSimdSupported(): boolean {
  return WebAssembly.validate(RELAXED_PROBE);
}
export function simdSupported(): boolean {
  return WebAssembly.validate(SIMD_PROBE);
}

const isNode = typeof process !== 'undefined' && !!process.versions?.node &&
  typeof (globalThis as { Deno?: unknown }).Deno === 'undefined';

/** The file name of each build, as package.json exports it (`sora/sora-simd.wasm`). */
export const WASM_FILES = { simd: 'sora-simd.wasm', relaxed: 'sora-relaxed.wasm' } as const;
export type WasmFileName = (typeof WASM_FILES)[keyof typeof WASM_FILES];

/** Where to tell a user whose wasm could not be loaded to look. */
const FIX = 'a bundler that moves sora\'s code must also emit build/sora-*.wasm (Vite, webpack 5, ' +
  'Parcel and Rollup with an import.meta URL plugin do; esbuild does not): import \'sora/wasm-inline\' ' +
  '(the wasm inside the JS), or call sora.setWasmPaths(...) with where the .wasm files are served, ' +
  'or pass them: setBackend(\'wasm\', { wasm }) (README: "Bundlers and hosts")';

/**
 * The wasm could not be fetched, read or compiled, on an engine that could run it. 'auto'
 * warns about this (the engine checks `loadFailure`) instead of settling silently on a
 * slower backend; `url` is what was tried (null for bytes or a Response given directly).
 */
export class WasmLoadError extends Error {
  /** Always true: marks the error as a failure to load, which setBackend('auto') warns about and passes over. */
  readonly loadFailure = true;
  /**
   * An error naming the URL tried (null for bytes given directly), the reason, and the fix (default: import
   * 'sora/wasm-inline', or call setWasmPaths with where the .wasm files are served).
   */
  constructor(readonly url: string | null, reason: string, fix = FIX) {
    super(`wasm backend: could not load ${url ?? 'the given wasm'}: ${reason}; ${fix}`);
    this.name = 'WasmLoadError';
  }
}

/** Produces a build's bytes: sora/wasm-inline's answers at once (a synchronous inflate). */
export type WasmProvider = () => BufferSource | Promise<BufferSource>;

/** What setWasmPaths registered, or a provider of bytes (sora/wasm-inline), per file. */
const registered: Partial<Record<WasmFileName, WasmSource | WasmProvider>> = {};

/**
 * Where the wasm backend finds its builds instead of next to its own module, as TF.js's
 * setWasmPaths: a prefix (a directory URL ending in '/', to which 'sora-simd.wasm' and
 * 'sora-relaxed.wasm' are appended), or a map from those file names to bytes, a URL or a
 * compiled module (a missing name keeps its default). Takes effect for backends created
 * afterwards; `setBackend('wasm', { wasm })` still wins. Relative URLs resolve against the
 * page (location.href) where there is one, else against this module.
 */
export function setWasmPaths(prefixOrFiles: string | URL | Partial<Record<WasmFileName, WasmSource>>): void {
  if (typeof prefixOrFiles === 'string' || prefixOrFiles instanceof URL) {
    const prefix = String(prefixOrFiles);
    if (!prefix.endsWith('/')) {
      throw new Error(`setWasmPaths: a prefix must end in '/' (the .wasm file names are appended); received '${prefix}'`);
    }
    for (const file of Object.values(WASM_FILES)) registered[file] = prefix + file;
    return;
  }
  if (typeof prefixOrFiles !== 'object' || prefixOrFiles === null) {
    throw new Error(`setWasmPaths: expected a prefix or { 'sora-simd.wasm'?, 'sora-relaxed.wasm'? }; received ${String(prefixOrFiles)}`);
  }
  for (const [name, source] of Object.entries(prefixOrFiles)) {
    if (!(Object.values(WASM_FILES) as string[]).includes(name)) {
      throw new Error(`setWasmPaths: unknown file '${name}'; expected 'sora-simd.wasm' or 'sora-relaxed.wasm'`);
    }
    registered[name as WasmFileName] = source as WasmSource;
  }
}

/**
 * Registers a function that produces a build's bytes when a backend first needs them (called
 * at most once; its answer is kept). sora/wasm-inline registers its compressed builds so; a
 * provider that answers synchronously lets the first op start wasm without `ready()`.
 */
export function registerWasmProvider(file: WasmFileName, provide: WasmProvider): void {
  let bytes: ReturnType<WasmProvider> | undefined;
  registered[file] = () => (bytes ??= provide());
}

/** What setWasmPaths or a provider registered for a file, if anything. */
export async function registeredWasm(file: WasmFileName): Promise<WasmSource | undefined> {
  const source = registered[file];
  return typeof source === 'function' ? source() : source;
}

/** The same, at once; a provider that answers with a promise cannot be used so (an Error says so). */
export function registeredWasmSync(file: WasmFileName): WasmSource | undefined {
  const source = registered[file];
  if (typeof source !== 'function') return source;
  const bytes = source();
  if (bytes instanceof Promise) throw new Error(`the provider registered for ${file} answers asynchronously`);
  return bytes;
}

function resolveUrl(source: URL | string): URL {
  if (source instanceof URL) return source;
  const base = (globalThis as { location?: { href?: string } }).location?.href ?? import.meta.url;
  return new URL(source, base);
}

export async function loadWasmBytes(source: WasmBytesSource): Promise<BufferSource> {
  if (typeof Response !== 'undefined' && source instanceof Response) {
    if (!source.ok) throw new WasmLoadError(source.url || null, `HTTP ${source.status}`);
    return source.arrayBuffer();
  }
  if (ArrayBuffer.isView(source) || source instanceof ArrayBuffer) return source;
  const url = resolveUrl(source as URL | string);
  if (url.protocol === 'file:' && isNode) {
    const { readFile } = await importNode<typeof import('node:fs/promises')>('node:fs/promises');
    try {
      return await readFile(url);
    } catch (error) {
      throw new WasmLoadError(url.href, `cannot read ${url.pathname} (${(error as Error).message})`,
        'run `npm run build`, or pass the bytes with setBackend(\'wasm\', { wasm })');
    }
  }
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new WasmLoadError(url.href, `fetch failed (${(error as Error).message})`);
  }
  if (!response.ok) throw new WasmLoadError(url.href, `fetching it failed: HTTP ${response.status}`);
  return response.arrayBuffer();
}

/**
 * A build's bytes at once, where the host can give them synchronously: Node (20.16+, through
 * process.getBuiltinModule) and Deno (with read permission, checked first so that Deno never
 * prompts) read the file; a web worker fetches the URL. Elsewhere (a page), or for a
 * Response, an Error saying why not.
 */
export function loadWasmBytesSync(source: WasmBytesSource): BufferSource {
  if (ArrayBuffer.isView(source) || source instanceof ArrayBuffer) return source;
  if (typeof Response !== 'undefined' && source instanceof Response) throw new Error('a Response is read only asynchronously');
  const url = resolveUrl(source as URL | string);
  if (url.protocol !== 'file:') return fetchInWorkerSync(url);
  const deno = (globalThis as { Deno?: DenoFs }).Deno;
  if (deno) {
    const state = deno.permissions?.querySync?.({ name: 'read', path: url }).state;
    if (state !== undefined && state !== 'granted') {
      throw new Error(`Deno has no read permission for ${url.pathname} (run with --allow-read)`);
    }
    try {
      return deno.readFileSync(url);
    } catch (error) {
      throw new WasmLoadError(url.href, `cannot read ${url.pathname} (${(error as Error).message})`, 'run `npm run build`');
    }
  }
  const node = isNode ? process as { getBuiltinModule?: (id: string) => unknown } : undefined;
  if (!node?.getBuiltinModule) {
    throw new Error(`this host reads ${url.href} only asynchronously` +
      (isNode ? ' (Node before 20.16 has no process.getBuiltinModule)' : ''));
  }
  const fs = node.getBuiltinModule('node:fs') as typeof import('node:fs');
  try {
    return fs.readFileSync(url);
  } catch (error) {
    throw new WasmLoadError(url.href, `cannot read ${url.pathname} (${(error as Error).message})`,
      'run `npm run build`, or pass the bytes with setBackend(\'wasm\', { wasm })');
  }
}

/**
 * A web worker may block on a synchronous XMLHttpRequest (a page may not ask for bytes so), so
 * there the first op fetches the build at once; elsewhere a URL is fetched only asynchronously.
 */
function fetchInWorkerSync(url: URL): ArrayBuffer {
  const g = globalThis as { WorkerGlobalScope?: unknown; XMLHttpRequest?: typeof XMLHttpRequest };
  if (g.WorkerGlobalScope === undefined || !g.XMLHttpRequest) throw new Error(`${url.href} can only be fetched asynchronously`);
  const request = new g.XMLHttpRequest();
  request.open('GET', url.href, false);
  request.responseType = 'arraybuffer';
  try {
    request.send();
  } catch (error) {
    throw new WasmLoadError(url.href, `fetch failed (${(error as Error).message})`);
  }
  if (request.status !== 200) throw new WasmLoadError(url.href, `fetching it failed: HTTP ${request.status}`);
  return request.response as ArrayBuffer;
}

interface DenoFs {
  readFileSync(path: URL): Uint8Array<ArrayBuffer>;
  permissions?: { querySync?(descriptor: { name: 'read'; path: URL }): { state: string } };
}

/**
 * Compiles a source to a module at once (new WebAssembly.Module), for the first op of a program
 * that never awaited ready(). An engine may refuse to compile a large module on the main
 * thread synchronously: that, like a source only fetched asynchronously, is an Error saying
 * why; bytes that are not wasm are a WasmLoadError.
 */
export function loadWasmModuleSync(source: WasmSource): WebAssembly.Module {
  if (source instanceof WebAssembly.Module) return source;
  return compileWasmSync(loadWasmBytesSync(source), source);
}

/** Compiles bytes read from `source` at once (see loadWasmModuleSync). */
export function compileWasmSync(bytes: BufferSource, source: WasmBytesSource): WebAssembly.Module {
  try {
    return new WebAssembly.Module(bytes);
  } catch (error) {
    if (!(error instanceof WebAssembly.CompileError)) {
      throw new Error(`this engine does not compile the module synchronously here (${(error as Error).message})`);
    }
    const url = source instanceof URL || typeof source === 'string' ? resolveUrl(source).href : null;
    throw new WasmLoadError(url, `not a valid wasm module (${error.message})`);
  }
}

/** Compiles a source to a module; bytes that are not wasm (an HTML 404 page) are a WasmLoadError naming the URL. */
export async function loadWasmModule(source: WasmSource): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  return compileWasm(await loadWasmBytes(source), source);
}

/** Compiles bytes read from `source`; bytes that are not wasm are a WasmLoadError naming it. */
export async function compileWasm(bytes: BufferSource, source: WasmBytesSource): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compile(bytes);
  } catch (error) {
    const url = source instanceof URL || typeof source === 'string' ? resolveUrl(source).href : null;
    throw new WasmLoadError(url, `not a valid wasm module (${(error as Error).message})`);
  }
}
