/**
 * What the host offers the wasm threads (threads.ts): whether threads can run here and on how
 * many cores, a shared memory of the largest maximum the host reserves, the kernel module's
 * memory import marked shared at load, and workers started from a string of code in each host.
 */
/** The most threads a pool holds (the control block has room for each one's scratch pointers). */
export const MAX_THREADS = 64;

/** The worker constructors each host offers. */
interface NodeWorker { postMessage(value: unknown): void; terminate(): Promise<number>; unref(): void;
  on(event: 'error', listener: (error: Error) => void): void }
interface WebWorker { postMessage(value: unknown): void; terminate(): void;
  addEventListener(event: 'error', listener: (event: { message?: string }) => void): void }
export type AnyWorker = { kind: 'node'; worker: NodeWorker } | { kind: 'web'; worker: WebWorker };

export const isNode = typeof process !== 'undefined' && !!process.versions?.node &&
  typeof (globalThis as { Deno?: unknown }).Deno === 'undefined';

export function nodeBuiltin<T>(id: string): T | undefined {
  const getBuiltinModule = isNode ? (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule : undefined;
  return getBuiltinModule?.(id) as T | undefined;
}

/**
 * Why this host cannot run wasm threads, or null when it can: SharedArrayBuffer missing (a
 * browser page that is not cross-origin isolated: it needs the headers
 * Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp),
 * no Worker, or (Node) no worker_threads.
 */
export function threadsUnavailable(): string | null {
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown; SharedArrayBuffer?: unknown };
  if (typeof g.SharedArrayBuffer !== 'function' || g.crossOriginIsolated === false) {
    return 'shared memory needs a cross-origin-isolated page (headers Cross-Origin-Opener-Policy: same-origin ' +
      'and Cross-Origin-Embedder-Policy: require-corp); running on one thread';
  }
  if (isNode) {
    return nodeBuiltin('node:worker_threads') ? null : 'this Node has no process.getBuiltinModule (Node 20.16+) to start worker_threads';
  }
  if (typeof g.Worker !== 'function') return 'this host has no Worker';
  if (typeof Blob !== 'function' || typeof URL.createObjectURL !== 'function') return 'this host cannot start a Worker from a Blob URL';
  return null;
}

/** The number of cores this host reports (navigator.hardwareConcurrency, Node's os.availableParallelism), at least 1. */
export function hostCores(): number {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  let cores = nav?.hardwareConcurrency;
  if (!cores && isNode) cores = nodeBuiltin<typeof import('node:os')>('node:os')?.availableParallelism?.();
  return Math.max(1, Math.min(MAX_THREADS, Math.floor(cores || 1)));
}

const PAGE = 65536;
/**
 * The maximum sizes tried, in pages, for a shared memory: a shared memory reserves its
 * maximum up front, and 4 GiB of address space can fail to be reserved on a 32-bit phone, so
 * smaller ones are tried in turn (the arena's out-of-memory error names the size reached).
 */
const SHARED_MAXIMA = [65536, 32768, 16384, 4096, 1024];

/** A shared memory of `initial` pages with the largest maximum the host reserves; null where none could be made. */
export function createSharedMemory(initial: number): WebAssembly.Memory | null {
  for (const maximum of SHARED_MAXIMA) {
    try {
      return new WebAssembly.Memory({ initial, maximum, shared: true } as WebAssembly.MemoryDescriptor);
    } catch {
      // too large to reserve here: try the next
    }
  }
  return null;
}

/** The memory's maximum in bytes where the host says it (shared memories), else wasm32's 4 GiB. */
export function memoryMaximumBytes(memory: WebAssembly.Memory): number {
  const type = (memory as { type?: () => { maximum?: number } }).type?.();
  return (type?.maximum ?? 65536) * PAGE;
}

function readLeb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0, shift = 0, byte: number;
  do {
    byte = bytes[at++]!;
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return out;
}

/**
 * The module's bytes with its imported memory declared shared (limits flag 3, maximum 4 GiB),
 * so that it instantiates over a shared memory of any smaller maximum. sora builds one module
 * and marks it shared at load, instead of shipping a second build of every kernel. Returns
 * null for bytes that import no memory.
 */
export function withSharedMemoryImport(source: BufferSource): Uint8Array | null {
  const bytes = source instanceof Uint8Array ? source
    : ArrayBuffer.isView(source) ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength)
      : new Uint8Array(source);
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at]!;
    const [size, body] = readLeb(bytes, at + 1);
    if (id !== 2) { at = body + size; continue; }
    let [count, p] = readLeb(bytes, body);
    for (; count > 0; count--) {
      for (let name = 0; name < 2; name++) {
        const [length, next] = readLeb(bytes, p);
        p = next + length;
      }
      const kind = bytes[p++]!;
      if (kind === 0) { p = readLeb(bytes, p)[1]; continue; }
      if (kind === 3) { p += 2; continue; }
      if (kind === 4) { p = readLeb(bytes, p + 1)[1]; continue; }
      const limitsAt = kind === 1 ? p + 1 : p;
      const flags = bytes[limitsAt]!;
      let [initial, end] = readLeb(bytes, limitsAt + 1);
      if (flags & 1) end = readLeb(bytes, end)[1];
      if (kind !== 2) { p = end; continue; }
      const limits = [3, ...leb(initial), ...leb(65536)];
      const sectionBody = [...bytes.subarray(body, limitsAt), ...limits, ...bytes.subarray(end, body + size)];
      const out = new Uint8Array(at + 1 + leb(sectionBody.length).length + sectionBody.length + bytes.length - body - size);
      out.set(bytes.subarray(0, at + 1));
      let o = at + 1;
      for (const b of leb(sectionBody.length)) out[o++] = b;
      out.set(sectionBody, o);
      out.set(bytes.subarray(body + size), o + sectionBody.length);
      return out;
    }
    return null;
  }
  return null;
}

/** Starts a worker running `source`: worker_threads in Node (unref'd), a module Worker from a Blob URL elsewhere. */
export function spawnWorker(source: string): AnyWorker {
  if (isNode) {
    const threads = nodeBuiltin<typeof import('node:worker_threads')>('node:worker_threads')!;
    const worker = new threads.Worker(source, { eval: true }) as unknown as NodeWorker;
    worker.unref();
    return { kind: 'node', worker };
  }
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const Ctor = (globalThis as unknown as { Worker: new (url: string, options: { type: string }) => WebWorker }).Worker;
  const worker = new Ctor(url, { type: 'module' });
  return { kind: 'web', worker };
}


/** What setThreadsCount asked for, for backends created afterwards (null: the host's cores). */
let requestedThreads: number | null = null;

/** Checks a thread count (a whole number from 1 to 64), naming the caller. */
export function checkThreadsCount(caller: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
    throw new Error(`${caller}: the thread count must be a whole number from 1 to ${MAX_THREADS}; received ${String(n)}`);
  }
  return n;
}

/** The thread count wasm backends created from now on use (sora.setThreadsCount also resizes the active one). */
export function setRequestedThreads(n: number | null): void { requestedThreads = n; }
/** What a new backend would use: setThreadsCount's count, else the host's cores. */
export function defaultThreads(): number { return requestedThreads ?? hostCores(); }
