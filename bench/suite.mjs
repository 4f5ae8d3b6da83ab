/**
 * The benchmark suite shared by Node (bench/node.mjs), Deno (bench/deno.mjs) and headless
 * Chromium (bench/browser.mjs): the same program runs in each, on every contender the runtime
 * has. It imports nothing: the runner passes `sora`, `tf` and the contenders, so the file
 * bundles for a page unchanged.
 *
 * sora and TF.js are driven through the same public calls (their APIs match), so a row
 * compares the two libraries as a program sees them, op dispatch and allocation included:
 *   gemm      matMul(a, b, transposeA, transposeB) at the MLP's shapes and squares, NN/NT/TN/TT
 *   softmax   softmax(x) over the last axis
 *   ce-grad   the gradient of the mean softmax cross-entropy w.r.t. the logits (sora: its
 *             fused softmax + cross-entropy kernel; TF.js: tf.losses.softmaxCrossEntropy)
 *   adam      one Adam step (applyGradients) on a [1024, 1024] variable
 *   mlp       one epoch of the seed MLP (784-64-64-10, adam, batch 32) on MNIST images
 *
 * Each row is warmed up, then timed `reps` times; a rep runs enough calls for ~`repMs`
 * (capped) back to back and ends with a read-back of the last result, so the work is done.
 * The median rep's time per call is reported with the work it did (flops or elements).
 */

export const GEMM_TRANSPOSES = { NN: [false, false], NT: [false, true], TN: [true, false], TT: [true, true] };
export const MLP_SHAPES = [[32, 784, 64], [128, 784, 512], [128, 512, 512]];

/** Deterministic values in [-0.5, 0.5). */
export function values(size, seed) {
  const out = new Float32Array(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 4294967296 - 0.5;
  }
  return out;
}

/**
 * The rows to run: { group, label, work, unit, make(lib) } where make returns
 * { step(): tensor to keep until the next step, sync(last): Promise, dispose() }.
 */
export function rows({ sizes = [64, 256, 1024], only = null, mnist = null, mlpExamples = 12_000, mlpShapes = true } = {}) {
  const list = [];
  const want = (group) => !only || only.includes(group);
  if (want('gemm')) {
    const shapes = [...(mlpShapes ? MLP_SHAPES : []), ...sizes.map((s) => [s, s, s])];
    for (const [m, k, n] of shapes) {
      for (const [op, [ta, tb]] of Object.entries(GEMM_TRANSPOSES)) {
        list.push({
          group: 'gemm', label: `gemm ${op} ${m}x${k}x${n}`, work: 2 * m * n * k, unit: 'GFLOP/s',
          make: (lib) => {
            const a = lib.tensor(values(m * k, m + k), ta ? [k, m] : [m, k]);
            const b = lib.tensor(values(k * n, 3 * n + k), tb ? [n, k] : [k, n]);
            return { step: () => lib.matMul(a, b, ta, tb), dispose: () => { a.dispose(); b.dispose(); } };
          },
        });
      }
    }
  }
  for (const [rowsCount, cols] of [[128, 10], [512, 1000]]) {
    if (want('softmax')) {
      list.push({
        group: 'softmax', label: `softmax ${rowsCount}x${cols}`, work: rowsCount * cols, unit: 'Melem/s',
        make: (lib) => {
          const x = lib.tensor(values(rowsCount * cols, cols).map((v) => v * 8), [rowsCount, cols]);
          return { step: () => lib.softmax(x), dispose: () => x.dispose() };
        },
      });
    }
    if (want('ce-grad')) {
      list.push({
        group: 'ce-grad', label: `ce-grad ${rowsCount}x${cols}`, work: rowsCount * cols, unit: 'Melem/s',
        make: (lib) => {
          const x = lib.tensor(values(rowsCount * cols, cols + 1).map((v) => v * 8), [rowsCount, cols]);
          const labels = lib.tidy(() => lib.oneHot(lib.tensor(Int32Array.from({ length: rowsCount }, (_, i) => (i * 7) % cols), [rowsCount], 'int32'), cols).toFloat());
          const gradient = lib.grad((logits) => lib.crossEntropy(logits, labels));
          return { step: () => gradient(x), dispose: () => { x.dispose(); labels.dispose(); } };
        },
      });
    }
  }
  if (want('adam')) {
    const size = 1024 * 1024;
    list.push({
      group: 'adam', label: 'adam 1024x1024', work: size, unit: 'Melem/s',
      make: (lib) => {
        const name = `bench_adam_${++adamCount}`;
        const w = lib.variable(lib.tensor(values(size, 5), [1024, 1024]), true, name);
        const g = lib.tensor(values(size, 6), [1024, 1024]);
        const optimizer = lib.train.adam(0.001);
        return {
          step: () => { optimizer.applyGradients({ [name]: g }); return null; },
          sync: async () => { const first = lib.slice(w, [0, 0], [1, 1]); await first.data(); first.dispose(); },
          dispose: () => { w.dispose(); g.dispose(); optimizer.dispose(); },
        };
      },
    });
  }
  if (want('mlp') && mnist) {
    const count = Math.min(mlpExamples, mnist.count);
    list.push({
      group: 'mlp', label: `mlp epoch (${count} images)`, work: count, unit: 'examples/s', single: true,
      make: (lib) => {
        const x = lib.tensor(mnist.images.subarray(0, count * 784), [count, 28, 28]);
        const y = lib.tidy(() => lib.oneHot(lib.tensor(mnist.labels.subarray(0, count), [count], 'int32'), 10).toFloat());
        const model = lib.sequential({
          layers: [
            lib.layers.flatten({ inputShape: [28, 28] }),
            lib.layers.dense({ units: 64, activation: 'relu' }),
            lib.layers.dense({ units: 64, activation: 'relu' }),
            lib.layers.dense({ units: 10, activation: 'softmax' }),
          ],
        });
        model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
        return {
          // fit reads its logs at the end of the epoch, so the work is done when it resolves.
          step: async () => { await model.fit(x, y, { epochs: 1, batchSize: 32, shuffle: true, verbose: 0 }); return null; },
          sync: async () => {},
          dispose: () => { x.dispose(); y.dispose(); model.dispose?.(); },
        };
      },
    });
  }
  return list;
}
let adamCount = 0;

/** Rows whose result depends only on their inputs, so every contender's must agree. */
const PURE = new Set(['gemm', 'softmax', 'ce-grad']);

/** [sum, sum of absolute values] of a result, compared across contenders by the report. */
function checksum(data) {
  let sum = 0, abs = 0;
  for (let i = 0; i < data.length; i++) { sum += data[i]; abs += Math.abs(data[i]); }
  return [sum, abs];
}

/** Median of numbers. */
export function median(list) {
  const sorted = [...list].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Times one row on one library; resolves { ms: per-call times of each rep, inner }. */
export async function timeRow(row, lib, { reps = 5, repMs = 25 } = {}) {
  const bench = row.make(lib);
  const sync = bench.sync ?? (async (last) => { await last.data(); });
  let last = null;
  const run = async (inner) => {
    const t0 = performance.now();
    for (let i = 0; i < inner; i++) {
      const next = await bench.step();
      last?.dispose();
      last = next;
    }
    await sync(last);
    return (performance.now() - t0) / inner;
  };
  try {
    const warm = await run(1);
    const inner = row.single ? 1 : Math.max(1, Math.min(200, Math.round(repMs / Math.max(warm, 0.01))));
    if (!row.single) await run(Math.min(inner, 5));
    const ms = [];
    for (let r = 0; r < (row.single ? Math.min(reps, 3) : reps); r++) ms.push(await run(inner));
    return { ms, inner, check: PURE.has(row.group) && last ? checksum(await last.data()) : null };
  } finally {
    last?.dispose();
    bench.dispose();
  }
}

/**
 * Runs every row on every contender ({ name, lib: 'sora' | 'tfjs', setup(): Promise<api> }),
 * contender by contender (a backend switch per row would cost more than the rows), calling
 * `emit(kind, payload)` with 'contender' (what it is) and 'row' results; a contender that
 * cannot start is reported with `skipped` and its reason.
 */
export async function runSuite({ contenders, list, reps, repMs, emit }) {
  for (const contender of contenders) {
    let api;
    try {
      api = await contender.setup();
    } catch (error) {
      emit('contender', { name: contender.name, skipped: String(error?.message ?? error) });
      continue;
    }
    emit('contender', { name: contender.name, ...api.describe() });
    for (const row of list) {
      try {
        const { ms, inner, check } = await timeRow(row, api, { reps, repMs });
        emit('row', { contender: contender.name, group: row.group, label: row.label, work: row.work, unit: row.unit, ms, inner, median: median(ms), check });
      } catch (error) {
        emit('row', { contender: contender.name, group: row.group, label: row.label, error: String(error?.message ?? error) });
      }
    }
  }
}
