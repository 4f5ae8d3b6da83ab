/** The wasm backend's own machinery: loading, build choice, the arena, memory growth. */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createWasmBackend } from '../../src/backends/wasm/index.js';
import { relaxedSimdSupported } from '../../src/backends/wasm/loader.js';

const root = new URL('../../', import.meta.url);

describe('loading', () => {
  it('accepts the bytes, a URL, or a compiled module instead of the file next to the module', async () => {
    const bytes = readFileSync(new URL('build/sora-simd.wasm', root));
    const fromBytes = await createWasmBackend({ variant: 'simd', wasm: bytes });
    const fromUrl = await createWasmBackend({ variant: 'simd', wasm: new URL('build/sora-simd.wasm', root) });
    const fromModule = await createWasmBackend({ variant: 'simd', wasm: await WebAssembly.compile(bytes) });
    for (const backend of [fromBytes, fromUrl, fromModule]) {
      const s = backend.alloc(3, 'float32');
      backend.write(s, Float32Array.from([-1, 0, 2]));
      backend.unary('relu', s, s, 3);
      expect(Array.from(backend.readSync(s))).toEqual([0, 0, 2]);
    }
    expect(fromBytes.description).toBe('wasm (SIMD)');
  });

  it('a missing .wasm names the file and how to fix it', async () => {
    await expect(createWasmBackend({ variant: 'simd', wasm: new URL('build/nope.wasm', root) }))
      .rejects.toThrow(/cannot read .*build\/nope\.wasm .*npm run build/);
  });

  it('picks the relaxed build where the engine validates relaxed SIMD (vitest runs Node with the flag)', async () => {
    expect(relaxedSimdSupported()).toBe(true);
    const backend = await createWasmBackend();
    expect(backend.variant).toBe('relaxed');
    expect(backend.description).toBe('wasm (SIMD + relaxed SIMD)');
  });

  it('without the flag, Node 20 falls back to plain SIMD, and asking for relaxed is a clear error', () => {
    const script = `
      const { createWasmBackend } = await import(${JSON.stringify(new URL('dist/backends/wasm/index.js', root).href)});
      const b = await createWasmBackend();
      let error = '';
      try { await createWasmBackend({ variant: 'relaxed' }); } catch (e) { error = e.message; }
      console.log(JSON.stringify({ variant: b.variant, error }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    const result = JSON.parse(out.trim().split('\n').pop()!);
    if (process.versions.node.startsWith('20.')) {
      expect(result.variant).toBe('simd');
      expect(result.error).toMatch(/does not validate relaxed SIMD.*--experimental-wasm-relaxed-simd/);
    } else {
      expect(['simd', 'relaxed']).toContain(result.variant);
    }
  });
});

describe('the arena', () => {
  it('reuses freed blocks: a repeated allocation pattern stops growing memory after the first round', async () => {
    const backend = await createWasmBackend({ variant: 'simd' });
    const sizes = [784 * 64, 64, 32 * 784, 32 * 64, 10, 7, 1];
    const round = () => {
      const storages = sizes.map((n) => backend.alloc(n, 'float32'));
      for (const s of storages) backend.free(s);
    };
    round();
    const memoryAfterFirst = backend.memoryBytes();
    const inUse = backend.bytesInUse();
    for (let i = 0; i < 50; i++) round();
    expect(backend.memoryBytes()).toBe(memoryAfterFirst);
    expect(backend.bytesInUse()).toBe(inUse);
  });

  it.each([
    ['a plain memory (given), whose growth detaches old views', false],
    ['the default shared memory, whose growth keeps old views (shorter) valid', true],
  ])('keeps data and working views across memory growth; blocks are 64-byte aligned: %s', async (_, shared) => {
    const memory = shared ? undefined : new WebAssembly.Memory({ initial: 64, maximum: 65536 });
    const backend = await createWasmBackend({ variant: 'simd', memory, threads: 1 });
    expect(backend.memory.buffer instanceof SharedArrayBuffer).toBe(shared);
    const early = backend.alloc(5, 'float32');
    backend.write(early, Float32Array.from([1, 2, 3, 4, 5]));
    const viewBefore = backend.view(early);
    const bufferBefore = backend.memory.buffer;
    const big = backend.alloc(64 * 1024 * 1024 / 4, 'float32'); // forces growth
    expect(backend.memory.buffer).not.toBe(bufferBefore);
    // A plain memory's growth detaches the old view; a shared one's never does.
    expect(viewBefore.length).toBe(shared ? 5 : 0);
    expect(Array.from(backend.view(early))).toEqual([1, 2, 3, 4, 5]); // the backend's views are fresh
    backend.affine(early, early, 5, 2, 0);
    expect(Array.from(backend.readSync(early))).toEqual([2, 4, 6, 8, 10]);
    expect(early.ptr % 64).toBe(0);
    expect(big.ptr % 64).toBe(0);
    backend.free(big);
    backend.free(early);
  });
});

describe('arena fragmentation', () => {
  it('freed neighbours merge into one block that a bigger request reuses; a free top returns to the bump pointer', async () => {
    const { Arena } = await import('../../src/backends/wasm/arena.js');
    let end = 0;
    const arena = new Arena(64, (bytes) => { end = Math.max(end, bytes); });
    const a = arena.alloc(1024);
    const b = arena.alloc(1024);
    const keep = arena.alloc(64); // holds the top, so a and b cannot simply fall back to it
    const highWater = end;
    arena.free(a, 1024);
    arena.free(b, 1024);
    expect(arena.alloc(2048)).toBe(a); // a + b merged; without merging this would grow memory
    expect(end).toBe(highWater);
    arena.free(a, 2048);
    // A smaller request splits the merged block; the remainder stays usable.
    const small = arena.alloc(512);
    expect(small).toBe(a);
    expect(arena.alloc(1536)).toBe(a + 512);
    expect(end).toBe(highWater);
    arena.free(a + 512, 1536);
    arena.free(small, 512);
    arena.free(keep, 64);
    expect(arena.liveBytes).toBe(0);
    expect(arena.highWater).toBe(64); // everything merged back into the bump region
  });
});
