/**
 * The spam classifier of examples/spam.mjs (its spamModel and trainSpamModel, unchanged: embedding
 * with maskZero -> bidirectional(lstm) -> dense -> dense) trained a few steps on sora's webgpu
 * backend inside Chromium or Deno, on token ids that Node made from real SpamAssassin mails and
 * embedded in the bundle as __SPAM_INPUT__ (tests/examples/spam-webgpu.test.ts). The runtime emits
 * the trained weights and its predictions in one SORA_INFO line ({ kind: 'trained' }); Node
 * compares them with the same run on wasm.
 */
import * as sora from '../../../src/index.js';
// @ts-expect-error: a plain ES module without type declarations
import { trainSpamModel } from '../../../examples/spam.mjs';
import { emit, exitRuntime } from '../protocol.js';

/** What the test embeds: ids [n, maxlen] and labels, and the run's settings. */
interface SpamInput {
  ids: number[]; shape: [number, number]; labels: number[]; epochs: number; batchSize: number; seed: number;
  options: Record<string, number | string>;
}
declare const __SPAM_INPUT__: SpamInput;

export interface TrainedWeights { shape: number[]; values: number[] }

async function main(): Promise<void> {
  const input = __SPAM_INPUT__;
  await sora.setBackend('webgpu');
  const env = sora.env();
  emit('SORA_INFO', { backend: env.backend, description: env.description });
  const x = sora.tensor(input.ids, input.shape, 'int32');
  const y = sora.tensor(input.labels, [input.labels.length, 1]);
  const t0 = performance.now();
  // The training batch doubles as the "held-out" set: trainSpamModel scores it after training.
  const { model, probabilities } = await trainSpamModel(sora, { xTrain: x, yTrain: y, xTest: x, yTest: y },
    { epochs: input.epochs, batchSize: input.batchSize, seed: input.seed, ...input.options });
  const trainedMs = performance.now() - t0;
  const weights: TrainedWeights[] = [];
  for (const w of model.getWeights() as sora.Tensor[]) {
    weights.push({ shape: w.shape, values: Array.from(await w.data()) });
    w.dispose();
  }
  emit('SORA_INFO', { kind: 'trained', weights, probabilities: Array.from(probabilities as Float32Array), trainedMs: Math.round(trainedMs) });
  sora.dispose([x, y]);
  model.dispose();
  emit('SORA_RESULT', { name: 'trains the spam BiLSTM on webgpu', ok: true, ms: Math.round(performance.now() - t0) });
  emit('SORA_DONE', { tensors: sora.memory().numTensors });
}

main().then(() => exitRuntime(0), (error) => {
  emit('SORA_FATAL', error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error));
  exitRuntime(1);
});
