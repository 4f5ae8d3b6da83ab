/**
 * No silent fallback: when the wasm build cannot be loaded on an engine that could run it,
 * setBackend('wasm') throws a WasmLoadError naming the URL it tried, and 'auto' falls back
 * with one console.warn giving the reason and the fix (silenced by `warnOnFallback: false`).
 * Where the engine cannot run wasm at all (no SIMD), 'auto' takes the reference backend
 * without a word. Runs the library's source in Node against a local server that has no .wasm.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as sora from '../../src/index.js';
import { startServer, type StaticServer } from '../runtimes/server.js';

let server: StaticServer;
let emptyRoot = '';

beforeAll(async () => {
  emptyRoot = mkdtempSync(join(tmpdir(), 'sora-empty-'));
  server = await startServer({
    root: emptyRoot,
    files: { '/html/sora-relaxed.wasm': { type: 'text/html', body: '<!doctype html><title>app</title>' } },
  });
});
afterAll(async () => {
  await server.close();
  rmSync(emptyRoot, { recursive: true, force: true });
});
afterEach(() => vi.restoreAllMocks());

describe('a wasm build that cannot be loaded', () => {
  it("setBackend('wasm') throws a WasmLoadError naming the URL it tried and the fix", async () => {
    sora.setWasmPaths(`${server.origin}/missing/`);
    const url = `${server.origin}/missing/sora-relaxed.wasm`;
    const error = await sora.setBackend('wasm').then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(sora.WasmLoadError);
    expect((error as sora.WasmLoadError).url).toBe(url);
    expect((error as Error).message).toContain(`could not load ${url}: fetching it failed: HTTP 404`);
    expect((error as Error).message).toMatch(/sora\/wasm-inline.*setWasmPaths/);
  });

  it('bytes that are not wasm (a page served in its place) are a WasmLoadError naming the URL', async () => {
    sora.setWasmPaths(`${server.origin}/html/`);
    await expect(sora.setBackend('wasm')).rejects.toThrow(
      new RegExp(`could not load ${server.origin}/html/sora-relaxed\\.wasm: not a valid wasm module`));
  });

  it("'auto' with warnOnFallback: false takes reference without a warning, and says why in autoSkipped", async () => {
    sora.setWasmPaths(`${server.origin}/missing/`);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await sora.setBackend('auto', { warnOnFallback: false });
    expect(sora.getBackend()).toBe('reference');
    expect(warn).not.toHaveBeenCalled();
    expect(sora.env().autoSkipped.find((line) => line.startsWith('wasm: '))).toContain('/missing/sora-relaxed.wasm');
  });

  it("'auto' warns once with the reason and the fix, then not again", async () => {
    sora.setWasmPaths(`${server.origin}/missing/`);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await sora.setBackend('auto');
    expect(sora.getBackend()).toBe('reference');
    expect(warn).toHaveBeenCalledTimes(1);
    const message = String(warn.mock.calls[0][0]);
    expect(message).toContain(`could not load ${server.origin}/missing/sora-relaxed.wasm: fetching it failed: HTTP 404`);
    expect(message).toMatch(/running on 'reference'.*sora\/wasm-inline.*warnOnFallback: false/s);
    await sora.setBackend('auto');
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it("'auto' takes reference silently where the engine has no wasm SIMD, and setBackend('wasm') says so", async () => {
    vi.spyOn(WebAssembly, 'validate').mockReturnValue(false);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await sora.setBackend('auto');
    expect(sora.getBackend()).toBe('reference');
    expect(warn).not.toHaveBeenCalled();
    await expect(sora.setBackend('wasm')).rejects.toThrow(/does not validate WebAssembly SIMD/);
  });

  it('setWasmPaths names what it cannot take', () => {
    expect(() => sora.setWasmPaths('/assets')).toThrow(/must end in '\/'.*'\/assets'/);
    expect(() => sora.setWasmPaths({ 'sora.wasm': new Uint8Array(0) } as never)).toThrow(/unknown file 'sora\.wasm'/);
  });
});
