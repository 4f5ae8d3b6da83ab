/**
 * A page script written as TF.js tutorials write them: no ready(), no setBackend; its first
 * lines make tensors and a model, then fit trains while the page counts animation frames. Then
 * it awaits ready() (the engine may choose a faster backend), checks that the model and a
 * tensor made before still work (predict, fit, a gradient, data()), and, when `webgpu` is
 * asked, moves on to setBackend('webgpu') (Chromium's SwiftShader adapter) and checks again,
 * then back to wasm, where what lived on the GPU reads synchronously.
 * Reports with SORA_INFO lines, then SORA_DONE (or SORA_FATAL).
 */
import { emit } from '../protocol.js';

type TF = typeof import('../../../src/index.js');

export function noReadyProgram(tf: TF, options: { webgpu: boolean }): void {
  const n = 256;
  const started = performance.now();
  const xs = tf.tensor2d(Float32Array.from({ length: n * 8 }, (_, i) => Math.sin(i * 0.37)), [n, 8]);
  const firstOpMs = performance.now() - started; // the first op starts the backend
  const ys = tf.tensor2d(Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.11)), [n, 1]);
  const model = tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [8], units: 32, activation: 'relu' }),
    tf.layers.dense({ units: 1 }),
  ] });
  model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
  const first = { firstOpMs, backend: tf.getBackend(), syncStart: tf.env().syncStart, description: tf.env().description };
  const lossOf = () => (model.evaluate(xs, ys, { batchSize: n }) as InstanceType<TF['Tensor']>).dataSync()[0];
  const lossBefore = lossOf();

  let frames = 0, on = true;
  const frame = () => { if (!on) return; frames++; requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
  const start = performance.now();
  let batches = 0;
  const training = model.fit(xs, ys, {
    epochs: 10_000, batchSize: 32, verbose: 0,
    callbacks: { onBatchEnd: () => {
      batches++;
      const until = performance.now() + 4;
      while (performance.now() < until) { /* a heavier batch, as a bigger model's */ }
      if (performance.now() - start > 1500) model.stopTraining = true;
    } },
  });
  training.then(async () => {
    const ms = performance.now() - start;
    on = false;
    emit('SORA_INFO', { ...first, ms, frames, batches, lossBefore, lossAfter: lossOf() });

    const old = tf.tensor1d([1, -2, 3]);
    const moved = async (label: string) => {
      const prediction = await model.predict(xs).data();
      const history = await model.fit(xs, ys, { epochs: 2, batchSize: 64, verbose: 0 });
      const gradient = await tf.grad((t: InstanceType<TF['Tensor']>) => tf.sum(tf.mul(t, t)))(old).data();
      return { label, backend: tf.getBackend(), syncStart: tf.env().syncStart, prediction: Array.from(prediction.slice(0, 4)),
        losses: history.history.loss, gradient: Array.from(gradient), old: Array.from(await old.data()) };
    };
    const before = await moved('before ready');
    const readyPrediction = Array.from((await model.predict(xs).data()).slice(0, 4));
    await tf.ready();
    emit('SORA_INFO', { before, readyPrediction, after: await moved('after ready') });
    if (options.webgpu) {
      const prior = await model.predict(xs).data();
      await tf.setBackend('webgpu');
      const onGpu = await moved('after setBackend webgpu');
      const lastOnGpu = Array.from((await model.predict(xs).data()).slice(0, 4));
      // Leaving webgpu, its tensors move at once: dataSync works on them on wasm.
      await tf.setBackend('wasm');
      const back = { backend: tf.getBackend(), old: Array.from(old.dataSync()),
        prediction: Array.from(model.predict(xs).dataSync().slice(0, 4)), lastOnGpu };
      emit('SORA_INFO', { webgpu: onGpu, prior: Array.from(prior.slice(0, 4)), back });
    }
    emit('SORA_DONE', {});
  }).catch((error: Error) => emit('SORA_FATAL', `${error.message}\n${error.stack}`));
}
