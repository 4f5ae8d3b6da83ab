/** Getting the kernel module's bytes in every runtime, and probing engine features. */
import { importNode } from '../../io/fs.js';

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

export async function loadWasmBytes(source: WasmBytesSource): Promise<BufferSource> {
  if (typeof Response !== 'undefined' && source instanceof Response) return source.arrayBuffer();
  if (ArrayBuffer.isView(source) || source instanceof ArrayBuffer) return source;
  const url = source instanceof URL ? source : new URL(String(source), import.meta.url);
  if (url.protocol === 'file:' && isNode) {
    const { readFile } = await importNode<typeof import('node:fs/promises')>('node:fs/promises');
    try {
      return await readFile(url);
    } catch (error) {
      throw new Error(`wasm backend: cannot read ${url.pathname} (${(error as Error).message}); ` +
        'run `npm run build`, or pass the bytes with setBackend(\'wasm\', { wasm })');
    }
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`wasm backend: fetching ${url} failed: HTTP ${response.status}`);
  return response.arrayBuffer();
}
