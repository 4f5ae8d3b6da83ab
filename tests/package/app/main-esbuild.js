// esbuild leaves `new URL(..., import.meta.url)` alone, so the page says where the .wasm files
// are: imported through sora's exports with `--loader:.wasm=file`, which copies them to the
// output directory and gives their URLs (the README's esbuild settings).
import * as sora from 'sora';
import simd from 'sora/sora-simd.wasm';
import relaxed from 'sora/sora-relaxed.wasm';
import { trainAndPredict } from './train.js';

sora.setWasmPaths({ 'sora-simd.wasm': simd, 'sora-relaxed.wasm': relaxed });
trainAndPredict(sora);
