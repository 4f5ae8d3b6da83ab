/**
 * The wasm backend started at once (createWasmBackendSync, what the first op of a program
 * without ready() uses): from the file beside the module, from bytes or a compiled module given
 * or registered with setWasmPaths, from a synchronous provider; and a clear reason, never a
 * hang or a half-made backend, where the source can only be had asynchronously.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createWasmBackendSync } from '../../../src/backends/wasm/index.js';
import {
  WasmLoadError, loadWasmBytesSync, registerWasmProvider, setWasmPaths,
} from '../../../src/backends/wasm/loader.js';

const root = new URL('../../../', import.meta.url);
const simd = readFileSync(new URL('build/sora-simd.wasm', root));

function works(backend: ReturnType<typeof createWasmBackendSync>): void {
  const a = backend.alloc(3, 'float32');
  backend.write(a, new Float32Array([1, -2, 3]));
  const out = backend.alloc(3, 'float32');
  backend.unary('relu', a, out, 3);
  expect(Array.from(backend.readSync(out))).toEqual([1, 0, 3]);
}

describe('createWasmBackendSync', () => {
  it('reads the build beside its module (Node: process.getBuiltinModule) and compiles it at once', () => {
    const backend = createWasmBackendSync({ variant: 'simd' });
    expect(backend.description).toBe('wasm (SIMD)');
    works(backend);
  });

  it('takes bytes or a compiled module, given or registered with setWasmPaths', () => {
    works(createWasmBackendSync({ variant: 'simd', wasm: simd }));
    works(createWasmBackendSync({ variant: 'simd', wasm: new WebAssembly.Module(simd) }));
    setWasmPaths({ 'sora-simd.wasm': new WebAssembly.Module(simd) });
    works(createWasmBackendSync({ variant: 'simd' }));
  });

  it('says why where the source can only be had asynchronously', () => {
    expect(() => createWasmBackendSync({ variant: 'simd', wasm: 'https://example.com/sora-simd.wasm' }))
      .toThrow(/^https:\/\/example\.com\/sora-simd\.wasm can only be fetched asynchronously$/);
    expect(() => createWasmBackendSync({ variant: 'simd', wasm: new Response(simd) }))
      .toThrow(/^a Response is read only asynchronously$/);
    registerWasmProvider('sora-simd.wasm', async () => simd);
    expect(() => createWasmBackendSync({ variant: 'simd' })).toThrow(/^the provider registered for sora-simd\.wasm answers asynchronously$/);
    registerWasmProvider('sora-simd.wasm', () => simd); // a synchronous provider (sora/wasm-inline's kind)
    works(createWasmBackendSync({ variant: 'simd' }));
  });

  it('names the file that is missing or not wasm (a WasmLoadError, which the engine warns about)', () => {
    const missing = new URL('build/no-such.wasm', root);
    const error = (() => { try { createWasmBackendSync({ variant: 'simd', wasm: missing }); } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(WasmLoadError);
    expect((error as Error).message).toMatch(/could not load file:.*build\/no-such\.wasm: cannot read .*no-such\.wasm \(ENOENT/);
    expect(() => createWasmBackendSync({ variant: 'simd', wasm: new Uint8Array([1, 2, 3]) }))
      .toThrow(/wasm backend: could not load the given wasm: not a valid wasm module/);
  });

  it('in a Node without process.getBuiltinModule (before 20.16) says so', () => {
    const node = process as { getBuiltinModule?: unknown };
    const saved = node.getBuiltinModule;
    delete node.getBuiltinModule;
    try {
      expect(() => loadWasmBytesSync(new URL('build/sora-simd.wasm', root)))
        .toThrow(/reads file:.*sora-simd\.wasm only asynchronously \(Node before 20\.16 has no process\.getBuiltinModule\)/);
    } finally {
      node.getBuiltinModule = saved;
    }
  });
});
