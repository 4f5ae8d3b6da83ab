/**
 * The spam BiLSTM of examples/spam.mjs on sora's webgpu backend, in headless Chromium
 * (SwiftShader) and Deno (lavapipe): Node reads real SpamAssassin mails, tokenizes and pads them
 * (examples/spam.mjs prepareSpamData) and runs the same seeded training on wasm; the runtime gets
 * the token ids in its bundle (esbuild `define`), trains the example's own model with the example's
 * own training function (spamModel + trainSpamModel: seeded initializers and shuffles, adam,
 * embedding with maskZero so the padded steps are masked in both directions) for 3 steps of 16,
 * and reports its weights and predictions, which must be wasm's. A missing runtime fails, never skips.
 */
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import * as sora from '../../src/index.js';
import { runIn } from '../runtimes/run.js';
import { RUNTIMES } from '../runtimes/suite.js';
import type { RunCollector } from '../runtimes/protocol.js';
import type { TrainedWeights } from '../runtimes/entries/spam-bilstm.js';
// @ts-expect-error: a plain ES module without type declarations
import { loadSpamCorpus, mailText, splitSpamCorpus } from '../../examples/lib/spam-data.mjs';
// @ts-expect-error: a plain ES module without type declarations
import { prepareSpamData, spamModel, trainSpamModel } from '../../examples/spam.mjs';

const ENTRY = fileURLToPath(new URL('../runtimes/entries/spam-bilstm.ts', import.meta.url));
/** 48 mails of 24 tokens, one epoch in batches of 16 (3 adam steps), a narrow BiLSTM. */
const RUN = {
  mails: 48, maxlen: 24, epochs: 1, batchSize: 16, seed: 3,
  options: { model: 'bilstm', numWords: 400, embedding: 8, units: 6, dense: 8, learningRate: 1e-2 },
};
const TIMEOUT_MS = 150_000;

/**
 * examples/spam.mjs loads examples/lib/spam-data.mjs (node:fs, node:module, node:path) in its
 * main() and node:url to tell whether it is the program; the runtime calls neither, but Chromium
 * cannot load a module importing them, so the bundle gets stand-ins that throw when called (and a
 * pathToFileURL that matches no script, so main() never runs). A new import fails the bundle naming it.
 */
const NODE_STAND_INS: Record<string, string[]> = {
  'node:fs': ['readFileSync'], 'node:module': ['createRequire'], 'node:path': ['dirname', 'join'],
};
const nodeStandIns: Plugin = {
  name: 'node-stand-ins',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => (/[\\/]examples[\\/]/.test(args.importer)
      ? { path: args.path, namespace: 'node-stand-in' } : { path: args.path, external: true }));
    b.onLoad({ filter: /.*/, namespace: 'node-stand-in' }, (args) => {
      const unavailable = (name: string) => `() => { throw new Error('${args.path} ${name} is not available in this runtime'); }`;
      const body = (NODE_STAND_INS[args.path] ?? []).map((n) => `export const ${n} = ${unavailable(n)};`);
      if (args.path === 'node:url') body.push("export const pathToFileURL = () => ({ href: 'node:url stand-in' });");
      return { contents: body.join('\n'), loader: 'js' };
    });
  },
};

async function bundleWith(input: unknown): Promise<string> {
  const result = await build({
    entryPoints: [ENTRY], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'silent',
    define: { __SPAM_INPUT__: JSON.stringify(input) }, plugins: [nodeStandIns],
  });
  return result.outputFiles[0].text;
}

interface Trained { weights: { shape: number[]; values: number[] }[]; probabilities: number[]; trainedMs: number }

/** Largest |a - b| and the largest |b| of a tensor (so near-zero elements are judged at their tensor's scale). */
function difference(a: ArrayLike<number>, b: ArrayLike<number>): { absolute: number; scale: number } {
  let absolute = 0, scale = 0;
  for (let i = 0; i < b.length; i++) { absolute = Math.max(absolute, Math.abs(a[i] - b[i])); scale = Math.max(scale, Math.abs(b[i])); }
  return { absolute, scale };
}

let wasm: Trained;
let initial: number[][];
const runs = new Map<string, Promise<RunCollector>>();

beforeAll(async () => {
  await sora.setBackend('wasm');
  const { train } = splitSpamCorpus(loadSpamCorpus(), { seed: 1 });
  // Half short mails (under 20 words), so many rows are padded and the mask has work to do.
  const words = (m: unknown) => String(mailText(m)).split(/\s+/).length;
  const picked = [...train.filter((m: unknown) => words(m) < 20).slice(0, RUN.mails / 2), ...train.filter((m: unknown) => words(m) >= 20).slice(0, RUN.mails / 2)];
  const mails = picked.map((m: { spam: boolean }) => ({ text: mailText(m), spam: m.spam }));
  const data = prepareSpamData(sora, mails, mails.slice(0, 1), { numWords: RUN.options.numWords, maxlen: RUN.maxlen });
  const ids = Array.from(await data.xTrain.data() as Int32Array), labels = Array.from(await data.yTrain.data() as Float32Array);
  expect(ids.filter((v) => v === 0).length).toBeGreaterThan(5 * RUN.maxlen);
  expect(new Set(labels).size).toBe(2);
  const code = await bundleWith({ ids, shape: data.xTrain.shape, labels, epochs: RUN.epochs, batchSize: RUN.batchSize, seed: RUN.seed, options: RUN.options });
  for (const [runtime] of RUNTIMES) runs.set(runtime, runIn(runtime, { code }, { timeoutMs: TIMEOUT_MS }));

  // The same run on wasm, here in Node, while the runtimes train.
  const started = performance.now();
  const { model, probabilities } = await trainSpamModel(sora, { xTrain: data.xTrain, yTrain: data.yTrain, xTest: data.xTrain, yTest: data.yTrain },
    { epochs: RUN.epochs, batchSize: RUN.batchSize, seed: RUN.seed, ...RUN.options });
  const trainedMs = performance.now() - started;
  const weights = (model.getWeights() as sora.Tensor[]).map((w) => { const v = { shape: w.shape, values: Array.from(w.dataSync()) }; w.dispose(); return v; });
  wasm = { weights, probabilities: Array.from(probabilities as Float32Array), trainedMs };
  model.dispose();
  const untrained = spamModel(sora, { maxlen: RUN.maxlen, seed: RUN.seed, ...RUN.options });
  initial = (untrained.getWeights() as sora.Tensor[]).map((w) => { const v = Array.from(w.dataSync()); w.dispose(); return v; });
  untrained.dispose();
  sora.dispose([data.xTrain, data.yTrain, data.xTest, data.yTest]);
}, 120_000);

for (const [runtime, label] of RUNTIMES) {
  describe(`the spam BiLSTM (examples/spam.mjs) on webgpu in ${label}`, () => {
    let trained: Trained;
    beforeAll(async () => {
      const run = await runs.get(runtime)!;
      if (run.fatal) throw new Error(`${run.fatal}\n${run.tail()}`);
      const info = run.info.find((i) => (i as { kind?: string }).kind === 'trained') as
        { weights: TrainedWeights[]; probabilities: number[]; trainedMs: number } | undefined;
      if (!info) throw new Error(`the runtime reported no trained model\n${run.tail()}`);
      trained = info;
      const backend = run.info.find((i) => (i as { backend?: string }).backend) as { backend: string; description: string };
      expect(backend.backend).toBe('webgpu');
      console.log(`[spam-webgpu] ${label}: ${backend.description}; 3 steps of 16 in ${(trained.trainedMs / 1000).toFixed(1)} s ` +
        `(wasm in Node: ${(wasm.trainedMs / 1000).toFixed(1)} s)`);
    }, 120_000 + TIMEOUT_MS);

    it('after 3 adam steps every weight is wasm\'s to 1e-4 of its tensor\'s scale, and training moved each tensor by more', () => {
      expect(trained.weights.map((w) => w.shape)).toEqual(wasm.weights.map((w) => w.shape));
      const report: string[] = [];
      trained.weights.forEach((w, i) => {
        const { absolute, scale } = difference(w.values, wasm.weights[i].values);
        report.push(`#${i} ${(absolute / (scale || 1)).toExponential(1)}`);
        expect(absolute, `weight #${i} [${w.shape}]`).toBeLessThanOrEqual(1e-4 * scale);
        // Adam moves each weight with a gradient by up to lr (1e-2) a step: far beyond the tolerance.
        expect(difference(wasm.weights[i].values, initial[i]).absolute, `weight #${i} moved`).toBeGreaterThan(1e-3);
      });
      console.log(`[spam-webgpu] ${label}: largest difference from wasm over the tensor's scale: ${report.join(', ')}`);
    });

    it('predicts the mails as wasm does (probabilities to 1e-4)', () => {
      expect(trained.probabilities).toHaveLength(RUN.mails);
      const { absolute } = difference(trained.probabilities, wasm.probabilities);
      console.log(`[spam-webgpu] ${label}: largest probability difference ${absolute.toExponential(2)}`);
      expect(absolute).toBeLessThan(1e-4);
    });
  });
}
