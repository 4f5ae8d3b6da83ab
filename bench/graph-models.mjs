/**
 * What bench/graph.mjs (in Node) and its Chromium page share: the eleven graph models of
 * @vladmandic/human, the input each is timed on (its own input size, batch 1, deterministic
 * values), one timed prediction that works the same in sora and TF.js (the two APIs match), and
 * the largest difference between two sets of outputs. No Node imports: the page bundles it.
 */

/**
 * The models in node_modules/@vladmandic/human/models with the input each is fed: the graph's
 * Placeholder shape with -1 set to 1 (HandTrack's free height and width take the 320x320 its
 * signature names), values deterministic. HandTrack's uint8 input is fed as int32, as TF.js feeds it.
 */
export const GRAPH_MODELS = [
  { name: 'antispoof', input: 'conv2d_input', shape: [1, 128, 128, 3], dtype: 'float32' },
  { name: 'blazeface', input: 'input', shape: [1, 256, 256, 3], dtype: 'float32' },
  { name: 'centernet', input: 'tower_0/images', shape: [1, 512, 512, 3], dtype: 'float32' },
  { name: 'emotion', input: 'input_1', shape: [1, 64, 64, 1], dtype: 'float32' },
  { name: 'facemesh', input: 'input_1', shape: [1, 192, 192, 3], dtype: 'float32' },
  { name: 'faceres', input: 'input_1', shape: [1, 224, 224, 3], dtype: 'float32' },
  { name: 'handlandmark-lite', input: 'input_1', shape: [1, 224, 224, 3], dtype: 'float32' },
  { name: 'handtrack', input: 'input_tensor', shape: [1, 320, 320, 3], dtype: 'int32' },
  { name: 'iris', input: 'input_1', shape: [1, 64, 64, 3], dtype: 'float32' },
  { name: 'liveness', input: 'conv2d_1_input', shape: [1, 32, 32, 3], dtype: 'float32' },
  { name: 'movenet-lightning', input: 'input', shape: [1, 192, 192, 3], dtype: 'int32' },
];

/**
 * The input values of a model: a smooth pattern (neighbouring pixels alike, as in a photo) with a
 * hashed ripple, in [0, 1) for float inputs and 0..255 for int32 ones. The same in every run.
 */
export function inputValues({ shape, dtype }) {
  const size = shape.reduce((a, b) => a * b, 1);
  const [, height, width, channels] = shape;
  const values = dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const c = i % channels, x = Math.floor(i / channels) % width, y = Math.floor(i / (channels * width)) % height;
    const smooth = 0.5 + 0.25 * Math.sin((x + 3 * c) / 9) + 0.2 * Math.cos((y - 2 * c) / 13);
    const ripple = ((Math.imul(i + 1, 2654435761) >>> 0) % 1000) / 20000;
    const v = Math.min(0.999, Math.max(0, smooth + ripple));
    values[i] = dtype === 'int32' ? Math.floor(v * 256) : v;
  }
  return values;
}

/**
 * How a model runs: 'execute' when model.execute works on it, 'executeAsync' when the library
 * says it needs executeAsync (control flow, dynamic ops), found by trying once.
 */
export async function runMode(model, feed, outputs) {
  let result;
  try {
    result = model.execute(feed, outputs);
  } catch (error) {
    if (!/executeAsync/.test(String(error?.message ?? error))) throw error;
    result = await model.executeAsync(feed, outputs);
    disposeAll(result);
    return 'executeAsync';
  }
  disposeAll(result);
  return 'execute';
}

/**
 * One prediction as a program makes it: run, then read every output back (so the work is done on
 * an asynchronous backend) and free them. Returns the outputs' values.
 */
export async function predictOnce(model, mode, feed, outputs) {
  const result = mode === 'execute' ? model.execute(feed, outputs) : await model.executeAsync(feed, outputs);
  const list = Array.isArray(result) ? result : [result];
  const values = await Promise.all(list.map((t) => t.data()));
  disposeAll(list);
  return values;
}

/** The largest |a - b| over every output, NaN when the outputs' counts or sizes differ. */
export function maxDifference(a, b) {
  if (a.length !== b.length) return NaN;
  let max = 0;
  for (let o = 0; o < a.length; o++) {
    if (a[o].length !== b[o].length) return NaN;
    for (let i = 0; i < a[o].length; i++) {
      const d = Math.abs(Number(a[o][i]) - Number(b[o][i]));
      if (d > max || Number.isNaN(d)) max = d;
    }
  }
  return max;
}

/**
 * Times `reps` predictions of each contender, interleaved (the order flips every rep so neither
 * always runs on caches the other warmed), after `warmup` each. `contenders` are
 * { model, mode, feed, outputs } or null (left out). `clock.start()` takes a reading and
 * `clock.stop(reading)` turns it into a sample (default: wall ms). Returns each contender's samples.
 */
export async function timeInterleaved(contenders, { warmup, reps, clock = wallClock }) {
  const samples = contenders.map(() => []);
  for (let w = 0; w < warmup; w++) {
    for (const c of contenders) if (c) await predictOnce(c.model, c.mode, c.feed, c.outputs);
  }
  for (let r = 0; r < reps; r++) {
    const order = contenders.map((_, i) => i);
    if (r % 2) order.reverse();
    for (const i of order) {
      const c = contenders[i];
      if (!c) continue;
      const reading = clock.start();
      await predictOnce(c.model, c.mode, c.feed, c.outputs);
      samples[i].push(clock.stop(reading));
    }
  }
  return samples;
}

const wallClock = { start: () => performance.now(), stop: (start) => performance.now() - start };

export function median(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The first line of an error's message. */
export const errorLine = (error) => String(error?.message ?? error).split('\n')[0];

function disposeAll(result) {
  for (const t of Array.isArray(result) ? result : [result]) t.dispose();
}
