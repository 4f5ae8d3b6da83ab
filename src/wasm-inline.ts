/**
 * `sora/wasm-inline`: sora with both wasm builds carried inside the JavaScript, for hosts
 * where nothing serves a .wasm file beside the code: an esbuild bundle, a page loaded from a
 * single <script>, an edge worker. Importing it (for its effect, or as the whole API: it
 * re-exports `sora`) registers the builds, so 'auto' and 'wasm' load from memory and never
 * fetch, and the first op of a program that never awaited ready() starts wasm at once.
 * Each build is stored deflate-raw compressed and base64 encoded (base64 of the raw bytes
 * gzips a third worse) and inflated synchronously (backends/wasm/inflate.ts, about 1.5 KiB
 * gzipped) when a backend first needs that build. The cost is the download: the two builds
 * add about 40 KiB to the gzipped JS, where a bundler that emits the .wasm has the page fetch
 * one build of about 20 KiB gzipped (bench/bundle-size.mjs measures both).
 */
import { registerWasmProvider } from './backends/wasm/loader.js';
import { inflateRaw } from './backends/wasm/inflate.js';
import { RELAXED_DEFLATE_BASE64, SIMD_DEFLATE_BASE64 } from './wasm-inline.generated.js';

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

registerWasmProvider('sora-simd.wasm', () => inflateRaw(decodeBase64(SIMD_DEFLATE_BASE64)));
registerWasmProvider('sora-relaxed.wasm', () => inflateRaw(decodeBase64(RELAXED_DEFLATE_BASE64)));

export * from './index.js';
