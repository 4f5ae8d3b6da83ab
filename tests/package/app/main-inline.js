// A single file that fetches nothing (an edge worker, a bundle run by Deno): sora/wasm-inline
// carries both wasm builds inside the JavaScript.
import * as sora from 'sora/wasm-inline';
import { trainAndPredict } from './train.js';

trainAndPredict(sora);
