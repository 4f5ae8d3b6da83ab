/**
 * `sora/wasm-inline`: sora with both wasm builds carried inside the JavaScript (base64), for
 * hosts where nothing serves a .wasm file beside the code: an esbuild bundle, a page loaded
 * from a single <script>, an edge worker. Importing it (for its effect, or as the whole API:
 * it re-exports `sora`) registers the builds with setWasmPaths, so 'auto' and 'wasm' load
 * from memory and never fetch. The cost is the download: about 28 KiB gzipped for the two
 * builds against about 16 KiB for the one .wasm file a bundler would emit (bench/bundle-size.mjs).
 */
import { setWasmPaths } from './backends/wasm/loader.js';
import { RELAXED_BASE64, SIMD_BASE64 } from './wasm-inline.generated.js';

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

setWasmPaths({ 'sora-simd.wasm': decodeBase64(SIMD_BASE64), 'sora-relaxed.wasm': decodeBase64(RELAXED_BASE64) });

export * from './index.js';
