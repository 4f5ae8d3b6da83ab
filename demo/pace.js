/**
 * How the page shares the main thread with the training it runs: turns for the browser between
 * batches and between chunks of an evaluation, and a wait for the next paint.
 */
import * as sora from 'sora';

/**
 * Examples per evaluate call in the probes and the validation: the CNN reads 128 images in ~20 ms
 * on wasm, where a probe of 2 x 512 in one call held the page for ~0.2 s (0.7-1.5 s on a busy
 * machine), and a validation of 6,000 images for seconds.
 */
const EVAL_CHUNK = 128;

/** Resolves after the browser has painted the page as it is now (the frame after this one began). */
export const nextPaint = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

const yieldChannel = new MessageChannel();
const yieldQueue = [];
yieldChannel.port1.onmessage = () => yieldQueue.shift()?.();
/** Lets the browser paint and handle input (one task), without setTimeout's 4 ms clamp. */
export const yieldToBrowser = () => new Promise((resolve) => { yieldQueue.push(resolve); yieldChannel.port2.postMessage(0); });

/**
 * Resolves once the backend has run every op queued so far, by reading back a copy of the model's
 * last weight (a device runs its queue in order). fit on webgpu queues batches without reading
 * anything back, so without this the probe that follows would wait for them and the page would
 * count their time as the probe's: the CNN on SwiftShader showed 504 examples/s for ~13.
 */
export async function settle(model) {
  const weights = model.layers.findLast((layer) => layer.weights.length > 0)?.getWeights() ?? [];
  try { await weights.at(-1)?.data(); } finally { sora.dispose(weights); }
}

/**
 * [loss, accuracy] of `model` on x, y (means over the examples, as evaluate gives them), evaluated
 * EVAL_CHUNK examples at a time with a turn for the browser after each chunk: evaluate runs to its
 * end in one task on wasm.
 */
export async function evaluateOn(model, x, y) {
  const count = x.shape[0];
  let loss = 0, acc = 0;
  for (let from = 0; from < count; from += EVAL_CHUNK) {
    const size = Math.min(EVAL_CHUNK, count - from);
    const [l, a] = sora.tidy(() => model.evaluate(x.slice(from, size), y.slice(from, size), { batchSize: EVAL_CHUNK }));
    loss += (await l.data())[0] * size;
    acc += (await a.data())[0] * size;
    sora.dispose([l, a]);
    await yieldToBrowser();
  }
  return [loss / count, acc / count];
}
