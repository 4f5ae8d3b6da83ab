/**
 * fit, fitDataset, evaluate, evaluateDataset and trainOnBatch: each turns its data into a
 * batch source for the one trainer (./trainer.ts) or into evaluation sums (./training.ts).
 */
import * as ops from '../ops/index.js';
import type { Tensor } from '../core/tensor.js';
import { Random } from '../ops/creation.js';
import type { History, CallbackHooks, Logs } from '../training/callbacks.js';
import type { Dataset } from '../data/dataset.js';
import type { Compiled } from './compile.js';
import {
  checkSamples, evaluateBatch, evaluateTensors, readScalars, RunningSums, standardize, trainStep, type GraphModel, type TensorOrList,
} from './training.js';
import { checkMirrorEvery, listCallbacks, train, type BatchRecord, type BatchSource } from './trainer.js';
import { checkYieldEvery } from '../training/yield.js';

/** The options of LayersModel.fit (TF.js's ModelFitArgs); every field is optional and defaults as in TF.js. */
export interface FitArgs {
  /** Times to iterate over the data; default 1. */
  epochs?: number;
  /** Samples per gradient step; default 32. */
  batchSize?: number;
  /**
   * The fraction of the samples, taken from the end before shuffling, held out to validate on; default 0
   * (none).
   */
  validationSplit?: number;
  /** [x, y] to validate on after each epoch (overrides validationSplit); default none. */
  validationData?: [TensorOrList, TensorOrList];
  /** Whether to shuffle the samples before each epoch; default true. */
  shuffle?: boolean;
  /** Seed for the shuffle order, for reproducible runs (a sora addition); default: a random order. */
  seed?: number;
  /**
   * 0 silent, 1 a progress bar per epoch, 2 one line per epoch; default 1. In a browser (no
   * process.stdout) 1 logs nothing, as TF.js there, and 2 one console line per epoch.
   */
  verbose?: 0 | 1 | 2;
  /**
   * Callbacks (sora.callbacks.earlyStopping(), objects of hooks such as onEpochEnd) called during training;
   * default none.
   */
  callbacks?: CallbackHooks | CallbackHooks[];
  /** The epoch to start counting from (to resume a run); default 0. */
  initialEpoch?: number;
  /** On webgpu: how often weights are mirrored to the CPU for recovery, 'epoch' (default) or every N batches. */
  mirrorEvery?: 'epoch' | number;
  /**
   * When training gives the event loop a turn (TF.js's yieldEvery): 'auto' (default, every
   * 125 ms), 'batch', 'epoch', 'never', or a number of milliseconds.
   */
  yieldEvery?: 'auto' | 'batch' | 'epoch' | 'never' | number;
}

/** The options of LayersModel.fitDataset (TF.js's ModelFitDatasetArgs); `epochs` is required. */
export interface FitDatasetArgs {
  /** Times to iterate over the dataset; required, as in TF.js. */
  epochs: number;
  /**
   * Batches per epoch; the dataset is then iterated on across epochs rather than restarted. Default: every
   * batch of the dataset, restarted each epoch.
   */
  batchesPerEpoch?: number;
  /** A dataset or [x, y] to validate on after each epoch; default none. */
  validationData?: Dataset<unknown> | [TensorOrList, TensorOrList];
  /** Batches of a validation dataset to use; default all of them. */
  validationBatches?: number;
  /**
   * 0 silent, 1 a progress bar per epoch, 2 one line per epoch; default 1. In a browser (no
   * process.stdout) 1 logs nothing, as TF.js there, and 2 one console line per epoch.
   */
  verbose?: 0 | 1 | 2;
  /** Callbacks called during training, as fit's; default none. */
  callbacks?: CallbackHooks | CallbackHooks[];
  /** The epoch to start counting from; default 0. */
  initialEpoch?: number;
  /** On webgpu: how often weights are mirrored to the CPU for recovery, 'epoch' (default) or every N batches. */
  mirrorEvery?: 'epoch' | number;
  /**
   * When training gives the event loop a turn (TF.js's yieldEvery): 'auto' (default, every
   * 125 ms), 'batch', 'epoch', 'never', or a number of milliseconds.
   */
  yieldEvery?: 'auto' | 'batch' | 'epoch' | 'never' | number;
}

interface Model extends GraphModel { compiled: Compiled | null }

function requireCompiled(where: string, model: Model): Compiled {
  if (!model.compiled) throw new Error(`${where}: compile the model first: model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' })`);
  return model.compiled;
}

function positiveInteger(where: string, name: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 1) throw new Error(`${where}: ${name} must be a positive integer; received ${value}`);
  return value as number;
}

/** The tensors of fit, in batches of a shuffled order that carries over from epoch to epoch. */
function tensorBatches(xs: Tensor[], ys: Tensor[], batchSize: number, shuffle: boolean, seed?: number): BatchSource {
  const samples = xs[0].shape[0];
  const order = new Int32Array(samples);
  for (let i = 0; i < samples; i++) order[i] = i;
  const rng = new Random(seed);
  return {
    steps: Math.ceil(samples / batchSize),
    constants: [...xs, ...ys],
    *epoch() {
      if (shuffle) {
        for (let i = samples - 1; i > 0; i--) {
          const j = Math.floor(rng.next() * (i + 1));
          const t = order[i]; order[i] = order[j]; order[j] = t;
        }
      }
      for (let start = 0; start < samples; start += batchSize) {
        const indices = order.slice(start, Math.min(start + batchSize, samples));
        yield {
          size: indices.length,
          // Batches are gathered anew for a replay: the trainer keeps indices, not copies.
          take: () => ({ xs: xs.map((x) => ops.gather(x, indices)), ys: ys.map((y) => ops.gather(y, indices)), owned: true }),
          release: () => {},
        };
      }
    },
  };
}

/** One dataset element as model inputs and targets: {xs, ys} or [xs, ys], as TF.js takes them. */
function splitElement(where: string, model: GraphModel, element: unknown): { xs: Tensor[]; ys: Tensor[] } {
  let x: unknown, y: unknown;
  if (Array.isArray(element) && element.length === 2) [x, y] = element;
  else if (element !== null && typeof element === 'object' && 'xs' in element && 'ys' in element) ({ xs: x, ys: y } = element as { xs: unknown; ys: unknown });
  else throw new Error(`${where}: each dataset element must be { xs, ys } or [xs, ys] (a batch); received ${describeElement(element)}`);
  const xs = standardize(where, 'inputs', x, model.inputs, model.inputNames);
  const ys = standardize(where, 'targets', y, model.outputs, model.outputNames);
  return { xs, ys };
}

function describeElement(e: unknown): string {
  if (e === null || typeof e !== 'object') return JSON.stringify(e) ?? typeof e;
  return `{ ${Object.keys(e).join(', ')} }`;
}

function datasetBatches(where: string, model: Model, dataset: Dataset<unknown>, batchesPerEpoch?: number): BatchSource {
  let shared: AsyncIterator<unknown> | null = null;
  return {
    steps: batchesPerEpoch ?? null,
    constants: [],
    async *epoch(epoch, guarded) {
      const iterator = batchesPerEpoch ? (shared ??= await dataset.iterator()) : await dataset.iterator();
      for (let batch = 0; batchesPerEpoch === undefined || batch < batchesPerEpoch; batch++) {
        const next = await iterator.next();
        if (next.done) {
          if (batchesPerEpoch !== undefined) {
            console.warn(`${where}: the dataset ran out after ${batch} batches of epoch ${epoch + 1} (batchesPerEpoch ` +
              `${batchesPerEpoch}); training stops. Use dataset.repeat() to go on.`);
            model.stopTraining = true;
          }
          return;
        }
        let { xs, ys } = splitElement(`${where}: epoch ${epoch + 1}, batch ${batch + 1}`, model, next.value);
        checkSamples(`${where}: epoch ${epoch + 1}, batch ${batch + 1}`, xs, ys, model.compiled, model);
        // On a backend that can lose its device, keep CPU copies to redo the batch elsewhere
        // (the trainer waits for them after the batch's step, before the next one).
        const snapshot = guarded ? Promise.all([...xs, ...ys].map(async (t) => ({ values: await t.data(), shape: t.shape, dtype: t.dtype })))
          : null;
        snapshot?.catch(() => {});
        const record: BatchRecord = {
          size: xs[0].shape[0],
          take: () => ({ xs, ys, owned: false }),
          release: () => { for (const t of [...xs, ...ys]) t.dispose(); },
          settle: async () => { await snapshot; },
          restore: async () => {
            const copies = await snapshot!.catch((error) => {
              throw new Error(`${where}: batch ${batch + 1} of epoch ${epoch + 1} was lost with the device before it was copied out`, { cause: error });
            });
            const made = copies.map((c) => ops.tensor(c.values as Float32Array, c.shape, c.dtype));
            xs = made.slice(0, xs.length); ys = made.slice(xs.length);
          },
        };
        yield record;
      }
    },
  };
}

export async function fit(model: Model, x: TensorOrList, y: TensorOrList, args: FitArgs = {}): Promise<History> {
  const compiled = requireCompiled('fit', model);
  const xs = standardize('fit', 'inputs', x, model.inputs, model.inputNames);
  const ys = standardize('fit', 'targets', y, model.outputs, model.outputNames);
  const count = checkSamples('fit', xs, ys, compiled, model);
  const epochs = positiveInteger('fit', 'epochs', args.epochs ?? 1);
  const batchSize = positiveInteger('fit', 'batchSize', args.batchSize ?? 32);
  const split = args.validationSplit ?? 0;
  if (!(split >= 0 && split < 1)) throw new Error(`fit: validationSplit must be in [0, 1); received ${split}`);
  const mirrorEvery = checkMirrorEvery('fit', args.mirrorEvery);
  const callbacks = listCallbacks(args.callbacks);
  const yieldEvery = checkYieldEvery('fit', args.yieldEvery, callbacks);

  // Keras takes the validation split from the end, before shuffling.
  let trainXs = xs, trainYs = ys, valXs: Tensor[] | null = null, valYs: Tensor[] | null = null;
  const owned: Tensor[] = [];
  if (args.validationData) {
    valXs = standardize('fit validationData', 'inputs', args.validationData[0], model.inputs, model.inputNames);
    valYs = standardize('fit validationData', 'targets', args.validationData[1], model.outputs, model.outputNames);
    checkSamples('fit validationData', valXs, valYs, compiled, model);
  } else if (split > 0) {
    const trainCount = Math.floor(count * (1 - split));
    if (trainCount < 1 || trainCount >= count) {
      throw new Error(`fit: validationSplit ${split} of ${count} samples leaves no training or no validation samples`);
    }
    trainXs = xs.map((t) => ops.slice(t, 0, trainCount)); trainYs = ys.map((t) => ops.slice(t, 0, trainCount));
    valXs = xs.map((t) => ops.slice(t, trainCount)); valYs = ys.map((t) => ops.slice(t, trainCount));
    owned.push(...trainXs, ...trainYs, ...valXs, ...valYs);
  }
  const validate = valXs && valYs ? async () => {
    const means = evaluateTensors(model, compiled, valXs!, valYs!, batchSize);
    try { return valLogs(compiled, await readScalars(means)); } finally { for (const t of means) t.dispose(); }
  } : null;
  try {
    return await train(model, compiled, tensorBatches(trainXs, trainYs, batchSize, args.shuffle ?? true, args.seed), {
      name: 'fit', epochs, initialEpoch: args.initialEpoch ?? 0, verbose: args.verbose ?? 1, callbacks,
      mirrorEvery, yieldEvery, validate,
    });
  } finally {
    for (const t of owned) t.dispose();
  }
}

function valLogs(compiled: Compiled, values: number[]): Logs {
  const logs: Logs = {};
  compiled.keys.forEach((k, i) => { logs[`val_${k}`] = values[i]; });
  return logs;
}

export async function fitDataset(model: Model, dataset: Dataset<unknown>, args: FitDatasetArgs): Promise<History> {
  const compiled = requireCompiled('fitDataset', model);
  if (!dataset || typeof (dataset as { iterator?: unknown }).iterator !== 'function') {
    throw new Error('fitDataset: expected a tf.data Dataset (sora.data.array(...), generator(...), csv(...))');
  }
  if (!args || typeof args !== 'object') throw new Error('fitDataset: expected args { epochs, ... }');
  const epochs = positiveInteger('fitDataset', 'epochs', args.epochs);
  if (args.batchesPerEpoch !== undefined) positiveInteger('fitDataset', 'batchesPerEpoch', args.batchesPerEpoch);
  const mirrorEvery = checkMirrorEvery('fitDataset', args.mirrorEvery);
  const callbacks = listCallbacks(args.callbacks);
  const yieldEvery = checkYieldEvery('fitDataset', args.yieldEvery, callbacks);
  const validationData = args.validationData;
  let validate: (() => Promise<Logs>) | null = null;
  if (Array.isArray(validationData)) {
    const vx = standardize('fitDataset validationData', 'inputs', validationData[0], model.inputs, model.inputNames);
    const vy = standardize('fitDataset validationData', 'targets', validationData[1], model.outputs, model.outputNames);
    validate = async () => {
      const means = evaluateTensors(model, compiled, vx, vy, 32);
      try { return valLogs(compiled, await readScalars(means)); } finally { for (const t of means) t.dispose(); }
    };
  } else if (validationData) {
    validate = async () => {
      const means = await datasetMeans('fitDataset validationData', model, compiled, validationData, args.validationBatches);
      try { return valLogs(compiled, await readScalars(means)); } finally { for (const t of means) t.dispose(); }
    };
  }
  return train(model, compiled, datasetBatches('fitDataset', model, dataset, args.batchesPerEpoch), {
    name: 'fitDataset', epochs, initialEpoch: args.initialEpoch ?? 0, verbose: args.verbose ?? 1, callbacks,
    mirrorEvery, yieldEvery, validate,
  });
}

async function datasetMeans(where: string, model: Model, compiled: Compiled, dataset: Dataset<unknown>, batches?: number): Promise<Tensor[]> {
  const iterator = await dataset.iterator();
  const sums = new RunningSums();
  try {
    for (let batch = 0; batches === undefined || batch < batches; batch++) {
      const next = await iterator.next();
      if (next.done) break;
      const { xs, ys } = splitElement(`${where}: batch ${batch + 1}`, model, next.value);
      checkSamples(`${where}: batch ${batch + 1}`, xs, ys, compiled, model);
      const values = evaluateBatch(model, compiled, xs, ys);
      sums.add(values, xs[0].shape[0]);
      for (const t of [...values, ...xs, ...ys]) t.dispose();
    }
    if (sums.count === 0) throw new Error(`${where}: the dataset gave no batches`);
    return sums.means(compiled.keys.length);
  } finally {
    sums.dispose();
  }
}

export function evaluate(model: Model, x: TensorOrList, y: TensorOrList, args: { batchSize?: number } = {}): Tensor | Tensor[] {
  const compiled = requireCompiled('evaluate', model);
  const xs = standardize('evaluate', 'inputs', x, model.inputs, model.inputNames);
  const ys = standardize('evaluate', 'targets', y, model.outputs, model.outputNames);
  checkSamples('evaluate', xs, ys, compiled, model);
  const means = evaluateTensors(model, compiled, xs, ys, positiveInteger('evaluate', 'batchSize', args.batchSize ?? 32));
  return means.length === 1 ? means[0] : means;
}

export async function evaluateDataset(model: Model, dataset: Dataset<unknown>, args: { batches?: number } = {}): Promise<Tensor | Tensor[]> {
  const compiled = requireCompiled('evaluateDataset', model);
  const means = await datasetMeans('evaluateDataset', model, compiled, dataset, args.batches);
  return means.length === 1 ? means[0] : means;
}

export async function trainOnBatch(model: Model, x: TensorOrList, y: TensorOrList): Promise<number | number[]> {
  const compiled = requireCompiled('trainOnBatch', model);
  const xs = standardize('trainOnBatch', 'inputs', x, model.inputs, model.inputNames);
  const ys = standardize('trainOnBatch', 'targets', y, model.outputs, model.outputNames);
  checkSamples('trainOnBatch', xs, ys, compiled, model);
  const tensors = await trainStep(model, compiled, xs, ys, 'trainOnBatch', true);
  try {
    const values = await readScalars(tensors);
    return values.length === 1 ? values[0] : values;
  } finally {
    for (const t of tensors) t.dispose();
  }
}
