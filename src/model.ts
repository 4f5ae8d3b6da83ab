/**
 * Sequential: the Keras / TF.js Layers model. compile / fit / evaluate / predict /
 * summary / getWeights / setWeights / trainOnBatch / save, and loadLayersModel.
 *
 * A training step is one gradient computation over the layers' ops, a NaN check on the loss, then
 * one in-place optimizer kernel per weight. When the last layer ends in softmax and the
 * loss is a crossentropy on probabilities, the step trains on the logits through the fused
 * softmax-cross-entropy kernel (same loss, without the log of a rounded probability).
 */
import { ENGINE } from './engine.js';
import { Tensor, type Variable } from './tensor.js';
import * as ops from './ops/index.js';
import { Layer, layerFromConfig, type SymbolicShape } from './layers/index.js';
import { getLoss, type Loss, type LossName } from './losses.js';
import { resolveMetric, type Metric } from './metrics.js';
import { getOptimizer, type Optimizer } from './optimizers.js';
import { CallbackList, History, ProgressLogger, type Callback, type CallbackHooks, type Logs } from './callbacks.js';
import { Random } from './ops/creation.js';
import { gradients } from './ops/autograd.js';
import { DeviceLossGuard, type MirrorPoint } from './recovery.js';
import {
  decodeWeights, encodeWeights, getLoadHandler, getSaveHandler, type LoadHandler, type LoadOptions,
  type ModelArtifacts, type SaveHandler, type SaveResult,
} from './io/index.js';

export interface ModelArgs { layers?: Layer[]; name?: string }

export type LossIdentifier = LossName | string | { name: LossName | string; fromLogits?: boolean };

export interface CompileArgs {
  optimizer: string | Optimizer;
  loss: LossIdentifier;
  metrics?: string[] | string;
}

export interface FitArgs {
  epochs?: number;
  batchSize?: number;
  validationSplit?: number;
  validationData?: [Tensor, Tensor];
  shuffle?: boolean;
  /** Seed for the shuffle order, for reproducible runs. */
  seed?: number;
  verbose?: 0 | 1 | 2;
  callbacks?: CallbackHooks | CallbackHooks[];
  initialEpoch?: number;
  /**
   * On webgpu: how often the weights are mirrored to the CPU for recovery from device loss,
   * 'epoch' (default) or every N batches.
   */
  mirrorEvery?: 'epoch' | number;
}

const VERSION = '0.1.0';
let modelCount = 0;

export class Sequential {
  readonly name: string;
  readonly layers: Layer[] = [];
  stopTraining = false;
  optimizer: Optimizer | null = null;
  loss: Loss | null = null;
  metricList: Metric[] = [];
  private metricIds: string[] = [];
  private outputShapeCache: SymbolicShape | null = null;
  private compiled = false;

  constructor(args: ModelArgs = {}) {
    this.name = args.name ?? `sequential_${++modelCount}`;
    for (const layer of args.layers ?? []) this.add(layer);
  }

  add(layer: Layer): void {
    if (!(layer instanceof Layer)) throw new Error(`${this.name}.add: expected a layer (sora.layers.*), received ${typeof layer}`);
    if (this.layers.length === 0 && !layer.batchInputShape) {
      throw new Error(`${this.name}: the first layer (${layer.name}) needs an inputShape, e.g. ` +
        `sora.layers.${layer.className.charAt(0).toLowerCase() + layer.className.slice(1)}({ inputShape: [784], ... })`);
    }
    if (this.layers.includes(layer)) throw new Error(`${this.name}.add: layer ${layer.name} is already in the model`);
    const inputShape = this.layers.length === 0 ? layer.batchInputShape! : this.outputShape;
    layer.build(inputShape);
    this.layers.push(layer);
    this.outputShapeCache = layer.computeOutputShape(inputShape);
  }

  get inputShape(): SymbolicShape {
    if (!this.layers.length) throw new Error(`${this.name}: the model has no layers`);
    return this.layers[0].batchInputShape!;
  }

  get outputShape(): SymbolicShape {
    if (!this.outputShapeCache) throw new Error(`${this.name}: the model has no layers`);
    return this.outputShapeCache;
  }

  get weights(): Variable[] { return this.layers.flatMap((l) => l.weights); }
  get trainableWeights(): Variable[] { return this.layers.flatMap((l) => l.trainableWeights); }

  private get lastLayer(): Layer { return this.layers[this.layers.length - 1]; }

  private endsInSoftmax(): boolean {
    const last = this.lastLayer as Layer & { activation?: string };
    return last?.activation === 'softmax';
  }

  /** Train on logits through the fused kernel (see the file comment). */
  private get fusedSoftmax(): boolean {
    return !!this.loss && !this.loss.fromLogits && this.endsInSoftmax() && this.outputShape.length === 2 &&
      (this.loss.name === 'categoricalCrossentropy' || this.loss.name === 'sparseCategoricalCrossentropy');
  }

  /** The loss as applied to what forward() returns (logits when fused). */
  private lossOnOutputs(): Loss {
    return this.fusedSoftmax ? getLoss(this.loss!.name, { fromLogits: true }) : this.loss!;
  }

  compile(args: CompileArgs): void {
    if (!args || typeof args !== 'object') throw new Error('compile: expected { optimizer, loss, metrics? }');
    const lossId = typeof args.loss === 'object' && args.loss !== null ? args.loss : { name: args.loss };
    const loss = getLoss(lossId.name, { fromLogits: (lossId as { fromLogits?: boolean }).fromLogits });
    const metricIds = args.metrics === undefined ? [] : Array.isArray(args.metrics) ? args.metrics : [args.metrics];
    const metricList = metricIds.map((m) => resolveMetric(m, loss));
    const optimizer = getOptimizer(args.optimizer);
    if (loss.fromLogits && this.endsInSoftmax()) {
      console.warn(`${this.name}.compile: loss ${loss.name} has fromLogits: true, but the last layer ` +
        `(${this.lastLayer.name}) applies softmax, so the model outputs probabilities, not logits. Remove ` +
        "the softmax activation or set fromLogits: false.");
    }
    this.optimizer?.dispose();
    this.optimizer = optimizer;
    this.loss = loss;
    this.metricList = metricList;
    this.metricIds = metricIds;
    this.compiled = true;
  }

  /** The layers applied in order; `logits` skips a final softmax. */
  forward(x: Tensor, training: boolean, logits = false): Tensor {
    let y = x;
    this.layers.forEach((layer, i) => {
      y = layer.apply(y, { training, logits: logits && i === this.layers.length - 1 });
    });
    return y;
  }

  private checkInput(op: string, x: Tensor): void {
    if (!(x instanceof Tensor)) throw new Error(`${op}: x must be a Tensor; received ${typeof x}`);
    x.assertAlive(op);
    const expected = this.inputShape;
    const ok = x.rank === expected.length && expected.every((d, i) => i === 0 || d === null || d === x.shape[i]);
    if (!ok) {
      throw new Error(`${op}: ${this.layers[0].name} expects input of shape [${expected.map((d) => d ?? 'null')}], ` +
        `received [${x.shape}]`);
    }
  }

  private checkTargets(op: string, x: Tensor, y: Tensor): void {
    if (!(y instanceof Tensor)) throw new Error(`${op}: y must be a Tensor; received ${typeof y}`);
    y.assertAlive(op);
    if (x.shape[0] !== y.shape[0]) {
      throw new Error(`${op}: x has ${x.shape[0]} samples but y has ${y.shape[0]}; they must match`);
    }
    this.loss!.checkLabels(y, this.outputShape);
  }

  private requireCompiled(op: string): void {
    if (!this.compiled || !this.loss || !this.optimizer) {
      throw new Error(`${op}: compile the model first: model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' })`);
    }
  }

  private regularization(): Tensor | null {
    let total: Tensor | null = null;
    for (const layer of this.layers) {
      const penalty = layer.regularizationLoss();
      if (penalty) total = total ? ops.add(total, penalty) : penalty;
    }
    return total;
  }

  /**
   * One optimizer step on a batch; returns [loss, ...metrics] as scalar tensors (the caller
   * disposes them). `checked`: read the loss first and, if it is NaN or infinite, throw
   * without updating anything. Unchecked steps read nothing back (webgpu keeps the whole
   * step on the device; fit checks the accumulated loss at its checkpoints instead).
   */
  private async stepTensors(x: Tensor, y: Tensor, where: string, checked: boolean): Promise<Tensor[]> {
    const fused = this.fusedSoftmax;
    const fromLogits = fused || this.loss!.fromLogits;
    let predictions: Tensor | null = null;
    const variables = this.trainableWeights;
    const lossFn = this.lossOnOutputs();
    const { value, grads } = gradients('fit', () => {
      const out = this.forward(x, true, fused);
      predictions = out === x ? null : ENGINE.keep(out);
      const loss = lossFn.compute(y, out);
      const penalty = this.regularization();
      return penalty ? ops.add(loss, penalty) : loss;
    }, variables);
    try {
      if (checked) {
        const lossValue = (await value.data())[0];
        if (!Number.isFinite(lossValue)) throw nonFiniteLoss(where, lossValue);
      }
      this.optimizer!.applyGradients(variables.flatMap((variable, i) => (grads[i] ? [{ variable, grad: grads[i]! }] : [])));
      const out = predictions ?? x;
      return [value, ...ENGINE.tidy(() => this.metricList.map((m) => m.compute(y, out, fromLogits)))];
    } catch (error) {
      value.dispose();
      throw error;
    } finally {
      for (const g of grads) g?.dispose();
      (predictions as Tensor | null)?.dispose();
    }
  }

  /** A checked step, as numbers. */
  private async step(x: Tensor, y: Tensor, where: string): Promise<number[]> {
    const tensors = await this.stepTensors(x, y, where, true);
    try {
      return await readScalars(tensors);
    } finally {
      for (const t of tensors) t.dispose();
    }
  }

  async trainOnBatch(x: Tensor, y: Tensor): Promise<number | number[]> {
    this.requireCompiled('trainOnBatch');
    this.checkInput('trainOnBatch', x);
    this.checkTargets('trainOnBatch', x, y);
    const values = await this.step(x, y, 'trainOnBatch');
    return values.length === 1 ? values[0] : values;
  }

  async fit(x: Tensor, y: Tensor, args: FitArgs = {}): Promise<History> {
    this.requireCompiled('fit');
    this.checkInput('fit', x);
    this.checkTargets('fit', x, y);
    const epochs = args.epochs ?? 1;
    const batchSize = args.batchSize ?? 32;
    if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`fit: epochs must be a positive integer; received ${epochs}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`fit: batchSize must be a positive integer; received ${batchSize}`);
    const split = args.validationSplit ?? 0;
    if (!(split >= 0 && split < 1)) throw new Error(`fit: validationSplit must be in [0, 1); received ${split}`);

    // Keras takes the validation split from the end, before shuffling.
    let trainX = x, trainY = y, valX: Tensor | null = null, valY: Tensor | null = null;
    const owned: Tensor[] = [];
    if (args.validationData) {
      [valX, valY] = args.validationData;
      this.checkInput('fit validationData', valX);
      this.checkTargets('fit validationData', valX, valY);
    } else if (split > 0) {
      const count = x.shape[0];
      const trainCount = Math.floor(count * (1 - split));
      if (trainCount < 1 || trainCount >= count) {
        throw new Error(`fit: validationSplit ${split} of ${count} samples leaves no training or no validation samples`);
      }
      trainX = ops.slice(x, 0, trainCount); trainY = ops.slice(y, 0, trainCount);
      valX = ops.slice(x, trainCount); valY = ops.slice(y, trainCount);
      owned.push(trainX, trainY, valX, valY);
    }

    const samples = trainX.shape[0];
    const steps = Math.ceil(samples / batchSize);
    const history = new History();
    const userCallbacks = args.callbacks === undefined ? [] : Array.isArray(args.callbacks) ? args.callbacks : [args.callbacks];
    for (const cb of userCallbacks) (cb as Callback).setModel?.(this);
    const verbose = args.verbose ?? 1;
    const list = new CallbackList([...(verbose > 0 ? [new ProgressLogger(verbose, epochs, steps)] : []), history as CallbackHooks, ...userCallbacks]);
    const rng = new Random(args.seed);
    const order = new Int32Array(samples);
    for (let i = 0; i < samples; i++) order[i] = i;
    const keys = ['loss', ...this.metricList.map((m) => m.key)];
    const zeros = () => new Array<number>(keys.length).fill(0);
    this.stopTraining = false;
    const optimizer = this.optimizer!;
    // On a backend that can lose its device, mirror what training needs to resume elsewhere.
    let guard = DeviceLossGuard.forActiveBackend([trainX, trainY, ...(valX && valY ? [valX, valY] : [])],
      () => [...new Set([...this.weights, ...optimizer.prepare(this.trainableWeights)])]);
    if (guard) guard.replay = { x: trainX, y: trainY, batchSize, steps };
    const mirrorEvery = args.mirrorEvery ?? 'epoch';
    if (mirrorEvery !== 'epoch' && !(Number.isInteger(mirrorEvery) && mirrorEvery > 0)) {
      throw new Error(`fit: mirrorEvery must be 'epoch' or a positive number of batches; received ${mirrorEvery}`);
    }

    // On an async backend steps are not read back one by one: the batch-weighted sums stay
    // on the device and are read at checkpoints (epoch ends, mirror points), where a NaN
    // loss is caught and pinned to its batch by replaying from the mirror.
    let running: Tensor[] | null = null;
    const drain = async (): Promise<number[]> => {
      if (!running) return zeros();
      const values = await readScalars(running);
      for (const t of running) t.dispose();
      running = null;
      return values;
    };

    try {
      await list.call('onTrainBegin', {});
      let epoch = args.initialEpoch ?? 0;
      let resume: MirrorPoint | null = null;
      await guard?.mirror({ epoch, batch: 0, sums: zeros(), seen: 0, order, iterations: optimizer.iterations });
      while (epoch < epochs && !this.stopTraining) {
        let sums = zeros(), seen = 0, firstBatch = 0;
        if (resume && resume.batch > 0) {
          order.set(resume.order);
          sums = resume.sums.slice(); seen = resume.seen; firstBatch = resume.batch;
        } else {
          await list.call('onEpochBegin', epoch, {});
          if (args.shuffle ?? true) {
            for (let i = samples - 1; i > 0; i--) {
              const j = Math.floor(rng.next() * (i + 1));
              const t = order[i]; order[i] = order[j]; order[j] = t;
            }
          }
        }
        resume = null;
        try {
          for (let batch = firstBatch; batch < steps && !this.stopTraining; batch++) {
            const start = batch * batchSize;
            const end = Math.min(start + batchSize, samples);
            await list.call('onBatchBegin', batch, { batch, size: end - start });
            const indices = order.subarray(start, end);
            const where = `fit: epoch ${epoch + 1}, batch ${batch + 1}`;
            const xb = ops.gather(trainX, indices);
            const yb = ops.gather(trainY, indices);
            const logs: Logs = { batch, size: end - start };
            try {
              if (guard) {
                const tensors = await this.stepTensors(xb, yb, where, false);
                const previous: Tensor[] | null = running;
                running = ENGINE.tidy(() => tensors.map((t, i) => {
                  const weighted = ops.mul(t, end - start);
                  return previous ? ops.add(previous[i], weighted) : weighted;
                }));
                for (const t of [...tensors, ...(previous ?? [])]) t.dispose();
              } else {
                const values = await this.step(xb, yb, where);
                values.forEach((v, i) => { sums[i] += v * (end - start); });
                keys.forEach((k, i) => { logs[k] = (sums[i]) / (seen + end - start); });
              }
            } finally {
              xb.dispose(); yb.dispose();
            }
            seen += end - start;
            await list.call('onBatchEnd', batch, logs);
            if (guard && mirrorEvery !== 'epoch' && (batch + 1) % mirrorEvery === 0 && batch + 1 < steps) {
              await this.checkpoint(guard, await drain(), sums, epoch);
              await guard.mirror({ epoch, batch: batch + 1, sums, seen, order, iterations: optimizer.iterations });
            }
          }
          if (guard) await this.checkpoint(guard, await drain(), sums, epoch);
          const epochLogs: Logs = {};
          keys.forEach((k, i) => { epochLogs[k] = sums[i] / Math.max(seen, 1); });
          if (valX && valY) {
            const valValues = await this.evaluateValues(valX, valY, batchSize);
            keys.forEach((k, i) => { epochLogs[`val_${k}`] = valValues[i]; });
          }
          await list.call('onEpochEnd', epoch, epochLogs);
        } catch (error) {
          if (!guard || !(await guard.lost())) throw error;
          for (const t of (running as Tensor[] | null) ?? []) t.dispose();
          running = null;
          resume = await guard.recover('fit');
          guard = null; // now on a CPU backend: nothing left to lose
          optimizer.iterations = resume.iterations;
          epoch = resume.epoch;
          continue;
        }
        epoch++;
        // Awaited: steps yield nothing to the event loop, so a mirror left in flight would not
        // land before a loss in the next epoch. The wait comes right after the checkpoint's
        // own read-back, with the queue already drained.
        await guard?.mirror({ epoch, batch: 0, sums: zeros(), seen: 0, order, iterations: optimizer.iterations });
      }
      await list.call('onTrainEnd', {});
    } finally {
      for (const t of (running as Tensor[] | null) ?? []) t.dispose();
      for (const t of owned) t.dispose();
    }
    return history;
  }

  /**
   * Fold sums read at a checkpoint into the epoch's sums. A non-finite loss among the steps
   * since the last mirror: put the mirrored weights back, replay those steps checked one by
   * one, and let the failing step throw with the weights as they were before it.
   */
  private async checkpoint(guard: DeviceLossGuard, read: number[], sums: number[], epoch: number): Promise<void> {
    if (Number.isFinite(read[0])) {
      read.forEach((v, i) => { sums[i] += v; });
      return;
    }
    const point = await guard.restore();
    this.optimizer!.iterations = point.iterations;
    const { x, y, batchSize, steps } = guard.replay!;
    for (let batch = point.batch; batch < steps; batch++) {
      const indices = point.order.subarray(batch * batchSize, Math.min((batch + 1) * batchSize, x.shape[0]));
      const xb = ops.gather(x, indices);
      const yb = ops.gather(y, indices);
      try {
        await this.step(xb, yb, `fit: epoch ${point.epoch + 1}, batch ${batch + 1}`);
      } finally {
        xb.dispose(); yb.dispose();
      }
    }
    throw new Error(`fit: epoch ${epoch + 1}: the loss became ${read[0]} after batch ${point.batch + 1}, but not ` +
      'when replayed; the weights were put back as they were at that batch');
  }

  /** Mean loss and metrics over all samples, in batches; numbers. */
  private async evaluateValues(x: Tensor, y: Tensor, batchSize: number): Promise<number[]> {
    const count = x.shape[0];
    const fromLogits = this.fusedSoftmax || this.loss!.fromLogits;
    const lossFn = this.lossOnOutputs();
    let running: Tensor[] | null = null;
    for (let start = 0; start < count; start += batchSize) {
      const end = Math.min(start + batchSize, count);
      const previous: Tensor[] | null = running;
      running = ENGINE.tidy(() => {
        const xb = ops.slice(x, start, end - start);
        const yb = ops.slice(y, start, end - start);
        const out = this.forward(xb, false, this.fusedSoftmax);
        const loss = lossFn.compute(yb, out);
        const penalty = this.regularization();
        const batchValues = [penalty ? ops.add(loss, penalty) : loss, ...this.metricList.map((m) => m.compute(yb, out, fromLogits))];
        // Batch-weighted sums stay on the backend: one read-back for the whole evaluation.
        return batchValues.map((v, i) => (previous ? ops.add(previous[i], ops.mul(v, end - start)) : ops.mul(v, end - start)));
      });
      for (const t of previous ?? []) t.dispose();
    }
    const sums = running ? await readScalars(running) : new Array<number>(1 + this.metricList.length).fill(0);
    for (const t of (running as Tensor[] | null) ?? []) t.dispose();
    return sums.map((s) => s / Math.max(count, 1));
  }

  /** [loss, ...metrics] as scalar tensors (a single scalar without metrics), as TF.js returns. */
  async evaluate(x: Tensor, y: Tensor, args: { batchSize?: number } = {}): Promise<Tensor | Tensor[]> {
    this.requireCompiled('evaluate');
    this.checkInput('evaluate', x);
    this.checkTargets('evaluate', x, y);
    const values = await this.evaluateValues(x, y, args.batchSize ?? 32);
    const scalars = values.map((v) => ops.scalar(v));
    return scalars.length === 1 ? scalars[0] : scalars;
  }

  predict(x: Tensor, args: { batchSize?: number } = {}): Tensor {
    this.checkInput('predict', x);
    const batchSize = args.batchSize ?? 32;
    const count = x.shape[0];
    if (count <= batchSize) return ENGINE.tidy(() => this.forward(x, false));
    const parts: Tensor[] = [];
    for (let start = 0; start < count; start += batchSize) {
      parts.push(ENGINE.tidy(() => this.forward(ops.slice(x, start, Math.min(batchSize, count - start)), false)));
    }
    const out = ops.concat(parts, 0);
    for (const p of parts) p.dispose();
    return out;
  }

  /** Copies of every weight, in layer order (the caller disposes them). */
  getWeights(): Tensor[] {
    return this.weights.map((w) => ops.clone(w));
  }

  setWeights(weights: Tensor[]): void {
    const own = this.weights;
    if (!Array.isArray(weights) || weights.length !== own.length) {
      throw new Error(`${this.name}.setWeights: expected ${own.length} weights (${own.map((w) => w.name).join(', ')}), ` +
        `received ${Array.isArray(weights) ? weights.length : typeof weights}`);
    }
    own.forEach((w, i) => {
      const given = weights[i];
      if (!(given instanceof Tensor) || given.shape.join() !== w.shape.join()) {
        throw new Error(`${this.name}.setWeights: weight ${i} (${w.name}) has shape [${w.shape}], received ` +
          `${given instanceof Tensor ? `[${given.shape}]` : typeof given}`);
      }
    });
    own.forEach((w, i) => w.assign(weights[i]));
  }

  countParams(): number { return this.layers.reduce((acc, l) => acc + l.countParams(), 0); }

  summary(lineLength = 65, positions = [0.45, 0.85, 1], printFn: (line: string) => void = console.log): void {
    const cols = positions.map((p) => Math.floor(p * lineLength));
    const row = (fields: string[]) => {
      let line = '';
      fields.forEach((f, i) => { line = (line + f).padEnd(cols[i] - 1).slice(0, cols[i] - 1) + ' '; });
      return line.trimEnd();
    };
    printFn(`Model: ${this.name}`);
    printFn('_'.repeat(lineLength));
    printFn(row(['Layer (type)', 'Output shape', 'Param #']));
    printFn('='.repeat(lineLength));
    let shape = this.inputShape;
    this.layers.forEach((layer, i) => {
      shape = layer.computeOutputShape(shape);
      printFn(row([`${layer.name} (${layer.className})`, `[${shape.map((d) => d ?? 'null')}]`, String(layer.countParams())]));
      printFn(i === this.layers.length - 1 ? '='.repeat(lineLength) : '_'.repeat(lineLength));
    });
    const trainable = this.trainableWeights.reduce((a, w) => a + w.size, 0);
    printFn(`Total params: ${this.countParams()}`);
    printFn(`Trainable params: ${trainable}`);
    printFn(`Non-trainable params: ${this.countParams() - trainable}`);
    printFn('_'.repeat(lineLength));
  }

  /** The Keras-style topology TF.js writes (and reads) in model.json. */
  toJSON(): Record<string, unknown> {
    return {
      class_name: 'Sequential',
      config: { name: this.name, layers: this.layers.map((l) => ({ class_name: l.className, config: l.getConfig() })) },
      keras_version: `tfjs-layers ${VERSION}`,
      backend: 'tensor_flow.js',
    };
  }

  async save(handlerOrUrl: string | SaveHandler): Promise<SaveResult> {
    const weights = this.weights;
    const named = await Promise.all(weights.map(async (w) => ({
      name: w.name, shape: w.shape, values: (await w.data()) as Float32Array,
    })));
    const { weightSpecs, weightData } = encodeWeights(named);
    const artifacts: ModelArtifacts = {
      modelTopology: this.toJSON(), weightSpecs, weightData, format: 'layers-model',
      generatedBy: `sora v${VERSION}`, convertedBy: null,
    };
    if (this.loss && this.optimizer) {
      artifacts.trainingConfig = {
        loss: this.loss.name, metrics: this.metricIds,
        optimizer_config: { class_name: this.optimizer.className, config: this.optimizer.getConfig() },
      };
    }
    return getSaveHandler(handlerOrUrl).save(artifacts);
  }

  dispose(): { refCountAfterDispose: number; numDisposedVariables: number } {
    const count = this.weights.length;
    for (const layer of this.layers) layer.dispose();
    this.optimizer?.dispose();
    return { refCountAfterDispose: 0, numDisposedVariables: count };
  }
}

export function sequential(args: ModelArgs = {}): Sequential {
  return new Sequential(args);
}

/**
 * Load a model saved in the TF.js layers format (by sora or TF.js): 'file://dir/model.json',
 * an http(s) or relative URL, 'indexeddb://name', 'localstorage://name', or a handler.
 */
export async function loadLayersModel(pathOrHandler: string | LoadHandler, options: LoadOptions = {}): Promise<Sequential> {
  await ENGINE.ready();
  const where = typeof pathOrHandler === 'string' ? pathOrHandler : 'loadLayersModel';
  const artifacts = await getLoadHandler(pathOrHandler, options).load();
  const topology = (artifacts.modelTopology ?? {}) as { class_name?: string; config?: unknown; model_config?: unknown };
  // Keras files may nest the model under model_config.
  const modelConfig = (topology.model_config ?? topology) as { class_name?: string; config?: unknown };
  if (modelConfig.class_name !== 'Sequential') {
    throw new Error(`loadLayersModel(${where}): only Sequential models are supported; the file holds ` +
      `'${modelConfig.class_name ?? 'no class_name'}'`);
  }
  const config = modelConfig.config as { name?: string; layers?: unknown } | unknown[];
  const layerEntries = (Array.isArray(config) ? config : (config as { layers?: unknown }).layers) as
    { class_name: string; config: Record<string, unknown> }[] | undefined;
  if (!Array.isArray(layerEntries) || layerEntries.length === 0) {
    throw new Error(`loadLayersModel(${where}): the topology has no layers`);
  }
  const decoded = decodeWeights(artifacts, where);
  const name = Array.isArray(config) ? undefined : (config as { name?: string }).name;
  const model = new Sequential({ name });
  try {
    const pending = layerEntries.slice();
    // A leading InputLayer only carries the input shape.
    if (pending[0].class_name === 'InputLayer') {
      const shape = pending[0].config.batch_input_shape;
      pending.shift();
      if (pending.length && !pending[0].config.batch_input_shape) pending[0] = { ...pending[0], config: { ...pending[0].config, batch_input_shape: shape } };
    }
    for (const entry of pending) model.add(layerFromConfig(entry));
    const weights = model.weights;
    const used = new Set<string>();
    for (const w of weights) {
      const found = findWeight(decoded, w.name);
      if (!found) {
        throw new Error(`loadLayersModel(${where}): weight '${w.name}' (shape [${w.shape}]) is missing from the ` +
          `weights manifest (it has ${[...decoded.keys()].join(', ')})`);
      }
      if (found.value.shape.join() !== w.shape.join()) {
        throw new Error(`loadLayersModel(${where}): weight '${found.key}' has shape [${found.value.shape}], the ` +
          `model expects [${w.shape}]`);
      }
      used.add(found.key);
      const t = ops.tensor(found.value.values, found.value.shape);
      w.assign(t);
      t.dispose();
    }
    // Optimizer state saved beside the model (group 'optimizer') is not a layer weight.
    const optimizerWeights = new Set(artifacts.weightSpecs.filter((spec) => spec.group === 'optimizer').map((spec) => spec.name));
    const unused = [...decoded.keys()].filter((k) => !used.has(k) && !optimizerWeights.has(k));
    if (unused.length) {
      throw new Error(`loadLayersModel(${where}): the file has weights the model does not use: ${unused.join(', ')}`);
    }
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

/** TF.js may scope weight names (e.g. 'sequential_1/dense_Dense1/kernel'). */
function findWeight(decoded: Map<string, { values: Float32Array | Int32Array; shape: number[] }>, name: string) {
  const exact = decoded.get(name);
  if (exact) return { key: name, value: exact };
  for (const [key, value] of decoded) if (key.endsWith(`/${name}`)) return { key, value };
  return undefined;
}

function nonFiniteLoss(where: string, value: number): Error {
  return new Error(`${where}: the loss became ${value}; training stopped and the weights were left as ` +
    'they were before this step. Lower the learning rate, or check the inputs for NaN / huge values.');
}

async function readScalars(tensors: Tensor[]): Promise<number[]> {
  return Promise.all(tensors.map(async (t) => (await t.data())[0]));
}

export type { Logs };
