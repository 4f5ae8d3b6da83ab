/**
 * The resize kernel's sample positions on the host (kernel-params.ts ResizeParams), for the
 * webgpu kernel, which has no float64: per output row, then per output column, (low index,
 * high index, the float32 fraction's bits); nearest gives (index, index, 0).
 */
import type { ResizeParams } from './kernel-params.js';

export function resizeTaps(p: ResizeParams<unknown>): Int32Array {
  const words = new Int32Array(3 * (p.outHeight + p.outWidth));
  const bits = new Float32Array(1), asInt = new Int32Array(bits.buffer);
  let w = 0;
  for (const [input, output] of [[p.inHeight, p.outHeight], [p.inWidth, p.outWidth]]) {
    const scale = p.alignCorners && output > 1 ? (input - 1) / (output - 1) : input / output;
    for (let i = 0; i < output; i++, w += 3) {
      if (p.method === 'nearest') {
        const source = p.halfPixelCenters ? scale * (i + 0.5) : scale * i;
        const at = Math.min(input - 1, p.alignCorners ? Math.round(source) : Math.floor(source));
        words[w] = words[w + 1] = p.halfPixelCenters ? Math.max(0, at) : at;
        continue;
      }
      const source = p.halfPixelCenters ? scale * (i + 0.5) - 0.5 : scale * i;
      const low = Math.max(0, Math.floor(source));
      bits[0] = source - low;
      words[w] = low;
      words[w + 1] = Math.min(input - 1, Math.ceil(source));
      words[w + 2] = asInt[0];
    }
  }
  return words;
}
