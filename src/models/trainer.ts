/**
 * The training loop fit and fitDataset share. It pulls batches from a source (tensors sliced
 * by a shuffled order, or a dataset's iterator), runs callbacks, and keeps the batches since
 * the last CPU mirror so that on an async backend (webgpu):
 *  - a NaN loss found at a checkpoint is pinned to its batch: the mirrored weights are put
 *    back and those batches replayed one by one, checked;
 *  - after device loss, training moves to wasm from the mirror and redoes those batches.
 * On a backend that reads synchronously every step is checked as it runs.
 */
import type { Tensor } from '../core/tensor.js';
import { History, ProgressLogger, type Callback, type CallbackHooks, type Logs } from '../training/callbacks.js';
import { CallbackList, createRegisteredCallbacks } from '../training/callback-list.js';
import { DeviceLossGuard, type MirrorPoint } from './cpu-mirror.js';
import type { Compiled } from './compile.js';
import { RunningSums, readScalars, trainStep, type GraphModel } from './training.js';
import { Yielder, type YieldEvery } from '../training/yield.js';

/** One batch as the trainer keeps it: able to give its tensors again for a replay. */
export interface BatchRecord {
  size: number;
  /** The tensors; `owned`: the trainer disposes them after the step. */
  take(): { xs: Tensor[]; ys: Tensor[]; owned: boolean };
  /** Done with it for good. */
  release(): void;
  /** Wait until what restore() needs is safe on the CPU. */
  settle?(): Promise<void>;
  /** After device loss: rebuild on the new backend (constants were moved by the guard). */
  restore?(): Promise<void>;
}

export interface BatchSource {
  /** Steps per epoch, when known (the progress bar). */
  steps: number | null;
  /** Tensors mirrored once for recovery (the training data of fit). */
  constants: Tensor[];
  /** The batches of one epoch. */
  epoch(epoch: number, guarded: boolean): AsyncIterator<BatchRecord> | Iterator<BatchRecord>;
}

export interface TrainerOptions {
  /** 'fit' or 'fitDataset', in messages. */
  name: string;
  epochs: number;
  initialEpoch: number;
  verbose: number;
  callbacks: CallbackHooks[];
  mirrorEvery: 'epoch' | number;
  /** When to give the event loop a turn (./yield.ts). */
  yieldEvery: YieldEvery;
  /** Validation logs at each epoch end (numbers), or null. */
  validate: (() => Promise<Logs>) | null;
}

export function checkMirrorEvery(where: string, value: unknown): 'epoch' | number {
  const m = value ?? 'epoch';
  if (m !== 'epoch' && !(Number.isInteger(m) && (m as number) > 0)) {
    throw new Error(`${where}: mirrorEvery must be 'epoch' or a positive number of batches; received ${JSON.stringify(value)}`);
  }
  return m as 'epoch' | number;
}

export function listCallbacks(callbacks: unknown): CallbackHooks[] {
  if (callbacks === undefined || callbacks === null) return [];
  return (Array.isArray(callbacks) ? callbacks : [callbacks]) as CallbackHooks[];
}

export async function train(model: GraphModel, compiled: Compiled, source: BatchSource, options: TrainerOptions): Promise<History> {
  const { keys } = compiled;
  const optimizer = compiled.optimizer;
  const history = new History();
  const registered = createRegisteredCallbacks(options.verbose); // tf.registerCallbackConstructor's
  for (const cb of [...registered, ...options.callbacks]) (cb as Callback).setModel?.(model);
  history.setModel(model);
  const list = new CallbackList([
    ...(ProgressLogger.logsAt(options.verbose) ? [new ProgressLogger(options.verbose, options.epochs, source.steps)] : []),
    history as CallbackHooks, ...registered, ...options.callbacks]);
  model.stopTraining = false;
  const yielder = new Yielder(options.yieldEvery);
  const onYield = (epoch: number, batch: number, logs: Logs) => list.call('onYield', epoch, batch, logs);
  let guard = DeviceLossGuard.forActiveBackend(source.constants,
    () => [...new Set([...model.weights, ...optimizer.prepare(model.trainableWeights)])]);
  const zeros = () => new Array<number>(keys.length).fill(0);
  const running = new RunningSums();
  /** The batches since the last mirror, each with where it ran. */
  let since: { record: BatchRecord; where: string; batch: number }[] = [];
  const releaseSince = () => { for (const s of since) s.record.release(); since = []; };

  const mirror = async (point: MirrorPoint) => {
    if (!guard) return;
    if (await guard.mirror(point)) releaseSince();
  };

  /** Run one batch; returns its log values when read (checked steps). */
  const step = async (record: BatchRecord, where: string, checked: boolean): Promise<number[] | null> => {
    const { xs, ys, owned } = record.take();
    try {
      const tensors = await trainStep(model, compiled, xs, ys, where, checked);
      if (checked) {
        try { return await readScalars(tensors); } finally { for (const t of tensors) t.dispose(); }
      }
      running.add(tensors, record.size);
      for (const t of tensors) t.dispose();
      return null;
    } finally {
      if (owned) for (const t of [...xs, ...ys]) t.dispose();
    }
  };

  /** Fold what was summed on the device into `sums`; a NaN replays the batches since the mirror. */
  const checkpoint = async (sums: number[], epoch: number): Promise<void> => {
    if (!running.sums) return;
    const read = await readScalars(running.sums);
    running.dispose();
    if (Number.isFinite(read[0])) {
      read.forEach((v, i) => { sums[i] += v; });
      return;
    }
    const point = await guard!.restore();
    optimizer.iterations = point.iterations;
    for (const s of since) await step(s.record, s.where, true);
    throw new Error(`${options.name}: epoch ${epoch + 1}: the loss became ${read[0]} after batch ${point.batch + 1}, but not ` +
      'when replayed; the weights were put back as they were at that batch');
  };

  try {
    await list.call('onTrainBegin', {});
    let epoch = options.initialEpoch;
    await mirror({ epoch, batch: 0, sums: zeros(), seen: 0, iterations: optimizer.iterations });
    while (epoch < options.epochs && !model.stopTraining) {
      await list.call('onEpochBegin', epoch, {});
      const iterator = source.epoch(epoch, guard !== null);
      let sums = zeros(), seen = 0, batch = 0;
      let pending: { record: BatchRecord; where: string; batch: number }[] = [];
      for (;;) {
        try {
          while (!model.stopTraining) {
            let item = pending.shift();
            if (!item) {
              const next = await iterator.next();
              if (next.done) break;
              item = { record: next.value, where: `${options.name}: epoch ${epoch + 1}, batch ${batch + 1}`, batch };
            }
            const { record, where } = item;
            batch = item.batch;
            await list.call('onBatchBegin', batch, { batch, size: record.size });
            if (guard) since.push(item);
            let values: number[] | null;
            try {
              values = await step(record, where, !guard);
              // A streamed batch's CPU copy lands before the next batch (a one-step pipeline).
              if (guard) await record.settle?.();
            } finally {
              if (!guard) record.release();
            }
            const logs: Logs = { batch, size: record.size };
            if (values) {
              values.forEach((v, i) => { sums[i] += v * record.size; });
              keys.forEach((k, i) => { logs[k] = sums[i] / (seen + record.size); });
            }
            seen += record.size;
            await list.call('onBatchEnd', batch, logs);
            await yielder.afterBatch(epoch, batch, logs, onYield);
            batch++;
            if (guard && options.mirrorEvery !== 'epoch' && batch % options.mirrorEvery === 0 &&
              (source.steps === null || batch < source.steps)) {
              await checkpoint(sums, epoch);
              await mirror({ epoch, batch, sums, seen, iterations: optimizer.iterations });
            }
          }
          if (guard) await checkpoint(sums, epoch);
          const epochLogs: Logs = {};
          keys.forEach((k, i) => { epochLogs[k] = sums[i] / Math.max(seen, 1); });
          if (options.validate) Object.assign(epochLogs, await options.validate());
          await list.call('onEpochEnd', epoch, epochLogs);
          await yielder.afterEpoch();
          break;
        } catch (error) {
          if (!guard || !(await guard.lost())) throw error;
          running.dispose();
          const point = await guard.recover(options.name);
          guard = null; // now on a CPU backend: nothing left to lose
          optimizer.iterations = point.iterations;
          sums = point.sums.slice(); seen = point.seen;
          pending = [];
          for (const s of since) {
            try {
              await s.record.restore?.();
              pending.push(s);
            } catch (lost) {
              // Streamed data made on the lost device and never copied out cannot be redone.
              console.warn(`${(lost as Error).message}; training goes on without it`);
            }
          }
          since = [];
        }
      }
      epoch++;
      // Awaited: steps yield to the event loop only on yieldEvery's schedule, so a mirror left
      // in flight might not land before a loss in the next epoch.
      await mirror({ epoch, batch: 0, sums: zeros(), seen: 0, iterations: optimizer.iterations });
    }
    await list.call('onTrainEnd', {});
  } finally {
    running.dispose();
    releaseSince();
  }
  return history;
}
