/**
 * The speech CNN of examples/speech.mjs (its speechCnn and trainSpeechCnn, unchanged) trained a
 * few steps on sora's webgpu backend inside Chromium or Deno, on log-mel features that Node
 * computed (espeak-ng is a Node child process) and embedded in the bundle as __SPEECH_INPUT__
 * (tests/examples/speech-webgpu.test.ts). The runtime only trains and reads back: it emits the
 * trained weights and the predictions on the batch in one SORA_INFO line ({ kind: 'trained' }),
 * and Node compares them with the same run on wasm.
 */
import * as sora from '../../../src/index.js';
// @ts-expect-error: a plain ES module without type declarations
import { trainSpeechCnn } from '../../../examples/speech.mjs';
import { emit, exitRuntime } from '../protocol.js';

/** What the test embeds: the features (float32, base64), their shape, labels, and the run's settings. */
interface SpeechInput { x: string; shape: number[]; y: number[]; epochs: number; batchSize: number; seed: number }
declare const __SPEECH_INPUT__: SpeechInput;

export interface TrainedWeights { shape: number[]; values: string }

function fromBase64(text: string): Float32Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

function toBase64(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

async function main(): Promise<void> {
  const input = __SPEECH_INPUT__;
  await sora.setBackend('webgpu');
  const env = sora.env();
  emit('SORA_INFO', { backend: env.backend, description: env.description });
  const xTrain = sora.tensor(fromBase64(input.x), input.shape);
  const yTrain = sora.tensor(input.y, [input.y.length], 'int32');
  // Predicting on the training batch itself: trainSpeechCnn scores its "held-out" set, here the batch.
  const data = { xTrain, yTrain, xTest: xTrain, yTest: yTrain, testVoice: input.y.map(() => 'batch') };
  const t0 = performance.now();
  const { model, guesses } = await trainSpeechCnn(sora, data, { epochs: input.epochs, batchSize: input.batchSize, seed: input.seed });
  const trainedMs = performance.now() - t0;
  const weights: TrainedWeights[] = [];
  for (const w of model.getWeights() as sora.Tensor[]) {
    weights.push({ shape: w.shape, values: toBase64(Float32Array.from(await w.data())) });
    w.dispose();
  }
  const probabilities = model.predict(xTrain) as sora.Tensor;
  const probabilityValues = Float32Array.from(await probabilities.data());
  emit('SORA_INFO', { kind: 'trained', weights, probabilities: toBase64(probabilityValues), guesses, trainedMs: Math.round(trainedMs) });
  sora.dispose([probabilities, xTrain, yTrain]);
  model.dispose();
  emit('SORA_RESULT', { name: 'trains the speech CNN on webgpu', ok: true, ms: Math.round(performance.now() - t0) });
  emit('SORA_DONE', { tensors: sora.memory().numTensors });
}

main().then(() => exitRuntime(0), (error) => {
  emit('SORA_FATAL', error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error));
  exitRuntime(1);
});
