/**
 * `sora/wasm-inline`: sora with both wasm builds carried inside the JavaScript (base64), for
 * hosts where nothing serves a .wasm file beside the code: an esbuild bundle, a page loaded
 * from a single <script>, an edge worker. Importing it (for its effect, or as the whole API:
 * it re-exports `sora`) registers the builds with setWasmPaths, so 'auto' and 'wasm' load
 * from memory and never fetch. The cost is the download: both builds add about 35 KiB to
 * the gzipped JS, where a bundler that emits the .wasm has the page fetch one build of about
 * 20 KiB gzipped (bench/bundle-size.mjs measures it).
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
