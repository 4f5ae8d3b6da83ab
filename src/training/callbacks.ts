/**
 * fit() callbacks: TF.js hook names, History, earlyStopping, CustomCallback, CallbackList,
 * registerCallbackConstructor, and the Keras-style progress logger.
 */
import { Tensor } from '../core/tensor.js';
import { nextFrame } from '../compat/profile.js';

export type Logs = Record<string, number>;

export interface CallbackHooks {
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs?: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs?: Logs): void | Promise<void>;
  /** When fit yields to the event loop on its timer (yieldEvery 'auto' or a number of ms), as in TF.js. */
  onYield?(epoch: number, batch: number, logs: Logs): void | Promise<void>;
}

/** What a callback may touch on the model it is attached to. */
export interface TrainingModel {
  stopTraining: boolean;
  getWeights(): Tensor[];
  setWeights(weights: Tensor[]): void;
}

export abstract class Callback {
  model: TrainingModel | null = null;
  /** TF.js's: what fit was given (epochs, samples, steps, ...), set by setParams. */
  params: Record<string, unknown> = {};
  /** TF.js's: the validation tensors, where a callback was given them. */
  validationData: Tensor | Tensor[] | null = null;
  setModel(model: TrainingModel): void { this.model = model; }
  setParams(params: Record<string, unknown>): void { this.params = params; }
}

export class History extends Callback {
  readonly epoch: number[] = [];
  readonly history: Record<string, number[]> = {};
  onEpochEnd(epoch: number, logs: Logs = {}): void {
    this.epoch.push(epoch);
    for (const [key, value] of Object.entries(logs)) (this.history[key] ??= []).push(value);
  }
}

export interface EarlyStoppingArgs {
  monitor?: string;
  minDelta?: number;
  patience?: number;
  mode?: 'auto' | 'min' | 'max';
  baseline?: number;
  /** Put back the weights of the best epoch when training stops (TF.js never implemented this). */
  restoreBestWeights?: boolean;
  verbose?: number;
}

export class EarlyStopping extends Callback {
  readonly monitor: string;
  private readonly minDelta: number;
  private readonly patience: number;
  private readonly better: (current: number, best: number) => boolean;
  private readonly restoreBestWeights: boolean;
  private readonly baseline?: number;
  private best = NaN;
  private wait = 0;
  private bestWeights: Tensor[] | null = null;
  stoppedEpoch = -1;
  bestEpoch = -1;

  constructor(args: EarlyStoppingArgs = {}) {
    super();
    this.monitor = args.monitor ?? 'val_loss';
    this.minDelta = Math.abs(args.minDelta ?? 0);
    this.patience = args.patience ?? 0;
    this.baseline = args.baseline;
    this.restoreBestWeights = args.restoreBestWeights ?? false;
    const mode = args.mode ?? 'auto';
    if (!['auto', 'min', 'max'].includes(mode)) throw new Error(`earlyStopping: mode must be 'auto', 'min' or 'max'; received ${mode}`);
    const maximize = mode === 'max' || (mode === 'auto' && /acc/.test(this.monitor));
    this.better = maximize ? (c, b) => c - this.minDelta > b : (c, b) => c + this.minDelta < b;
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.best = this.baseline ?? NaN;
    this.stoppedEpoch = -1;
    this.bestEpoch = -1;
    this.releaseBest();
  }

  onEpochEnd(epoch: number, logs: Logs = {}): void {
    const current = logs[this.monitor];
    if (current === undefined) {
      throw new Error(`earlyStopping: monitor '${this.monitor}' is not in the epoch logs (${Object.keys(logs).join(', ')}); ` +
        "a val_ metric needs validationData or validationSplit");
    }
    if (Number.isNaN(this.best) || this.better(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBestWeights && this.model) {
        this.releaseBest();
        this.bestWeights = this.model.getWeights();
      }
      return;
    }
    this.wait++;
    if (this.wait >= this.patience && this.model) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
    }
  }

  onTrainEnd(): void {
    if (this.restoreBestWeights && this.bestWeights && this.model && this.bestEpoch >= 0) {
      this.model.setWeights(this.bestWeights);
    }
    this.releaseBest();
  }

  private releaseBest(): void {
    for (const w of this.bestWeights ?? []) w.dispose();
    this.bestWeights = null;
  }
}

export const callbacks = {
  earlyStopping: (args?: EarlyStoppingArgs) => new EarlyStopping(args),
};

/**
 * TF.js's CallbackList(callbacks?, queueLength = 10): runs every hook of every callback in
 * order, awaiting each (a callback without the hook is skipped); logs default to {}.
 */
export class CallbackList {
  readonly callbacks: CallbackHooks[];
  /** Kept for TF.js's signature (TF.js does not use it either). */
  readonly queueLength: number;
  constructor(callbacks?: CallbackHooks[] | null, queueLength = 10) {
    if (callbacks != null && !Array.isArray(callbacks)) {
      throw new Error(`CallbackList: expected an array of callbacks; received ${describe(callbacks)}`);
    }
    this.callbacks = callbacks ?? [];
    this.queueLength = queueLength;
  }
  append(callback: CallbackHooks): void { this.callbacks.push(callback); }
  setParams(params: Record<string, unknown>): void {
    for (const cb of this.callbacks) (cb as Partial<Callback>).setParams?.(params);
  }
  setModel(model: TrainingModel): void {
    for (const cb of this.callbacks) (cb as Partial<Callback>).setModel?.(model);
  }
  onEpochBegin(epoch: number, logs?: Logs): Promise<void> { return this.call('onEpochBegin', epoch, logs ?? {}); }
  onEpochEnd(epoch: number, logs?: Logs): Promise<void> { return this.call('onEpochEnd', epoch, logs ?? {}); }
  onBatchBegin(batch: number, logs?: Logs): Promise<void> { return this.call('onBatchBegin', batch, logs ?? {}); }
  onBatchEnd(batch: number, logs?: Logs): Promise<void> { return this.call('onBatchEnd', batch, logs ?? {}); }
  onTrainBegin(logs?: Logs): Promise<void> { return this.call('onTrainBegin', logs ?? {}); }
  onTrainEnd(logs?: Logs): Promise<void> { return this.call('onTrainEnd', logs ?? {}); }

  /** Runs `hook` on each callback that has it, in order. */
  async call<K extends keyof CallbackHooks>(hook: K, ...args: Parameters<NonNullable<CallbackHooks[K]>>): Promise<void> {
    for (const cb of this.callbacks) {
      const fn = cb[hook] as ((...a: unknown[]) => void | Promise<void>) | undefined;
      if (fn) await fn.apply(cb, args);
    }
  }
}

type LogsIn = Record<string, number | Tensor>;

/** TF.js's resolveScalarsInLogs: scalar tensors in the logs become numbers, in place. */
async function resolveScalars(logs?: LogsIn): Promise<void> {
  if (logs == null) return;
  for (const [key, value] of Object.entries(logs)) {
    if (value instanceof Tensor) {
      const values = await value.data();
      logs[key] = values[0];
    }
  }
}

/** The hooks of a CustomCallback, as TF.js's CustomCallbackArgs. */
export interface CustomCallbackArgs {
  onTrainBegin?: (logs?: Logs) => void | Promise<void>;
  onTrainEnd?: (logs?: Logs) => void | Promise<void>;
  onEpochBegin?: (epoch: number, logs?: Logs) => void | Promise<void>;
  onEpochEnd?: (epoch: number, logs?: Logs) => void | Promise<void>;
  onBatchBegin?: (batch: number, logs?: Logs) => void | Promise<void>;
  onBatchEnd?: (batch: number, logs?: Logs) => void | Promise<void>;
  /** Called when the callback yields (yieldEvery a number of ms, or 'auto'). */
  onYield?: (epoch: number, batch: number, logs: Logs) => void | Promise<void>;
  /** The clock of the yield timing (default performance.now / Date.now). */
  nowFunc?: () => number;
  /** What yielding awaits (default tf.nextFrame). */
  nextFrameFunc?: () => Promise<void>;
}

/** When a CustomCallback yields: 'auto' (every 125 ms), 'batch', 'epoch', 'never', or a number of ms. */
export type YieldEveryOptions = 'auto' | 'batch' | 'epoch' | 'never' | number;

/** TF.js's DEFAULT_YIELD_EVERY_MS. */
const DEFAULT_YIELD_EVERY_MS = 125;

/**
 * TF.js's CustomCallback(args, yieldEvery = 'auto'): a callback made of the functions in
 * `args` (what fit does with a plain object of hooks), which also yields to the event loop
 * (awaits nextFrameFunc) after batches as `yieldEvery` says, calling onYield when it does.
 */
export class CustomCallback extends Callback {
  protected readonly trainBegin?: CustomCallbackArgs['onTrainBegin'];
  protected readonly trainEnd?: CustomCallbackArgs['onTrainEnd'];
  protected readonly epochBegin?: CustomCallbackArgs['onEpochBegin'];
  protected readonly epochEnd?: CustomCallbackArgs['onEpochEnd'];
  protected readonly batchBegin?: CustomCallbackArgs['onBatchBegin'];
  protected readonly batchEnd?: CustomCallbackArgs['onBatchEnd'];
  protected readonly yield?: CustomCallbackArgs['onYield'];
  private readonly yieldEvery: YieldEveryOptions;
  private readonly nowFunc?: () => number;
  private readonly nextFrameFunc: () => Promise<void>;
  private currentEpoch = 0;

  constructor(args: CustomCallbackArgs, yieldEvery?: YieldEveryOptions) {
    super();
    if (args == null || typeof args !== 'object') {
      throw new Error(`CustomCallback: expected an object of hooks (onEpochEnd, ...); received ${describe(args)}`);
    }
    this.nowFunc = args.nowFunc;
    this.nextFrameFunc = args.nextFrameFunc ?? nextFrame;
    let every: YieldEveryOptions = yieldEvery || 'auto';
    if (every === 'auto') every = DEFAULT_YIELD_EVERY_MS;
    if (typeof every !== 'number' && !['batch', 'epoch', 'never'].includes(every)) {
      throw new Error(`CustomCallback: yieldEvery must be 'auto', 'batch', 'epoch', 'never' or a number of ms; received ${describe(yieldEvery)}`);
    }
    this.yieldEvery = every;
    if (every === 'never' && args.onYield != null) {
      throw new Error('yieldEvery is `never` but you provided an `onYield` callback. Either change `yieldEvery` or remove the callback');
    }
    if (typeof every === 'number') this.maybeWait = debounce(this.maybeWait.bind(this), every, this.nowFunc);
    this.trainBegin = args.onTrainBegin;
    this.trainEnd = args.onTrainEnd;
    this.epochBegin = args.onEpochBegin;
    this.epochEnd = args.onEpochEnd;
    this.batchBegin = args.onBatchBegin;
    this.batchEnd = args.onBatchEnd;
    this.yield = args.onYield;
  }

  async maybeWait(epoch: number, batch: number, logs?: Logs): Promise<void> {
    const waits: (void | Promise<void>)[] = [];
    if (this.yield != null) {
      await resolveScalars(logs);
      waits.push(this.yield(epoch, batch, logs ?? {}));
    }
    waits.push(this.nextFrameFunc());
    await Promise.all(waits);
  }

  async onEpochBegin(epoch: number, logs?: Logs): Promise<void> {
    this.currentEpoch = epoch;
    if (this.epochBegin != null) {
      await resolveScalars(logs);
      await this.epochBegin(epoch, logs);
    }
  }

  async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    const waits: (void | Promise<void>)[] = [];
    if (this.epochEnd != null) {
      await resolveScalars(logs);
      waits.push(this.epochEnd(epoch, logs));
    }
    if (this.yieldEvery === 'epoch') waits.push(this.nextFrameFunc());
    await Promise.all(waits);
  }

  async onBatchBegin(batch: number, logs?: Logs): Promise<void> {
    if (this.batchBegin != null) {
      await resolveScalars(logs);
      await this.batchBegin(batch, logs);
    }
  }

  async onBatchEnd(batch: number, logs?: Logs): Promise<void> {
    const waits: (void | Promise<void>)[] = [];
    if (this.batchEnd != null) {
      await resolveScalars(logs);
      waits.push(this.batchEnd(batch, logs));
    }
    if (this.yieldEvery === 'batch') waits.push(this.nextFrameFunc());
    else if (typeof this.yieldEvery === 'number') waits.push(this.maybeWait(this.currentEpoch, batch, logs));
    await Promise.all(waits);
  }

  async onTrainBegin(logs?: Logs): Promise<void> {
    if (this.trainBegin != null) {
      await resolveScalars(logs);
      await this.trainBegin(logs);
    }
  }

  async onTrainEnd(logs?: Logs): Promise<void> {
    if (this.trainEnd != null) {
      await resolveScalars(logs);
      await this.trainEnd(logs);
    }
  }
}

/** TF.js's generic_utils.debounce: `f` runs at most once every `waitMs` (else its last result). */
function debounce<A extends unknown[], R>(f: (...args: A) => R, waitMs: number, nowFunc?: () => number): (...args: A) => R {
  const clock = nowFunc ?? now;
  let lastTime = clock();
  let lastResult: R;
  return (...args: A) => {
    const t = clock();
    if (t - lastTime < waitMs) return lastResult;
    lastTime = t;
    lastResult = f(...args);
    return lastResult;
  };
}

/** A constructor fit calls with no arguments (registerCallbackConstructor). */
export type CallbackConstructor = new () => CallbackHooks;

/** The constructors registered for each verbosity level. */
const registeredConstructors = new Map<number, CallbackConstructor[]>();

/**
 * tf.registerCallbackConstructor(verbosityLevel, callbackConstructor): every later fit /
 * fitDataset whose verbose is at least `verbosityLevel` makes one with `new` and runs it
 * beside its own callbacks. A constructor can be registered once.
 */
export function registerCallbackConstructor(verbosityLevel: number, callbackConstructor: CallbackConstructor): void {
  if (!(Number.isInteger(verbosityLevel) && verbosityLevel >= 0)) {
    throw new Error(`Verbosity level is expected to be an integer >= 0, but got ${verbosityLevel}`);
  }
  if (typeof callbackConstructor !== 'function') {
    throw new Error(`registerCallbackConstructor: expected a callback class (a no-argument constructor); received ${describe(callbackConstructor)}`);
  }
  for (const list of registeredConstructors.values()) {
    if (list.includes(callbackConstructor)) throw new Error('Duplicate callback constructor.');
  }
  const list = registeredConstructors.get(verbosityLevel) ?? [];
  list.push(callbackConstructor);
  registeredConstructors.set(verbosityLevel, list);
}

/** The callbacks fit runs at `verbose`: one of each constructor registered at that level or below, in level order. */
export function createRegisteredCallbacks(verbose: number): CallbackHooks[] {
  const levels = [...registeredConstructors.keys()].sort((a, b) => a - b);
  return levels.filter((level) => verbose >= level).flatMap((level) => registeredConstructors.get(level)!.map((C) => new C()));
}

/** Forgets every registered constructor (TF.js's CallbackConstructorRegistry.clear, for tests). */
export function clearRegisteredCallbacks(): void { registeredConstructors.clear(); }

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'object') return Array.isArray(value) ? `an array of ${value.length}` : (value.constructor?.name ?? 'an object');
  return `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * Keras-style console output. verbose 1 in a terminal: a live bar per epoch with steps, ETA,
 * ms/step and the running logs; verbose 1 without a terminal, or verbose 2: one line per epoch.
 */
export class ProgressLogger implements CallbackHooks {
  private epochStart = 0;
  private lastDraw = 0;
  private readonly tty: boolean;
  private readonly write: (s: string) => void;

  /** Batches seen this epoch (the step count of a dataset of unknown length). */
  private seen = 0;

  /** `steps`: per epoch, or null when a dataset does not say (the bar then counts up). */
  constructor(private readonly verbose: number, private readonly epochs: number, private readonly steps: number | null) {
    const stdout = (globalThis as { process?: { stdout?: { isTTY?: boolean; write(s: string): void } } }).process?.stdout;
    this.tty = Boolean(stdout?.isTTY);
    this.write = stdout ? (s) => stdout.write(s) : (s) => console.log(s.replace(/\r|\n$/g, ''));
  }

  onEpochBegin(epoch: number): void {
    this.epochStart = now();
    this.lastDraw = 0;
    this.seen = 0;
    if (this.verbose >= 1) this.write(`Epoch ${epoch + 1}/${this.epochs}\n`);
  }

  onBatchEnd(batch: number, logs: Logs = {}): void {
    this.seen = batch + 1;
    if (this.verbose !== 1 || !this.tty) return;
    const t = now();
    if ((this.steps === null || batch + 1 < this.steps) && t - this.lastDraw < 100) return; // redraw at most 10 times a second
    this.lastDraw = t;
    const done = batch + 1;
    if (this.steps === null) {
      this.write(`${REDRAW}${done}/? - ${((t - this.epochStart) / done).toFixed(1)}ms/step${formatLogs(logs)}`);
      return;
    }
    const elapsed = t - this.epochStart;
    const perStep = elapsed / done;
    const eta = Math.max(0, (this.steps - done) * perStep) / 1000;
    const width = 30;
    const filled = Math.min(width, Math.floor((done / this.steps) * width));
    const bar = '='.repeat(Math.max(0, filled - 1)) + (filled < width ? '>' : '=') + '.'.repeat(width - filled);
    const stepsWidth = String(this.steps).length;
    this.write(`${REDRAW}${String(done).padStart(stepsWidth)}/${this.steps} [${bar}] - ETA: ${eta.toFixed(0)}s - ` +
      `${perStep.toFixed(1)}ms/step${formatLogs(logs)}`);
  }

  onEpochEnd(epoch: number, logs: Logs = {}): void {
    if (this.verbose < 1) return;
    const elapsed = now() - this.epochStart;
    const steps = this.steps ?? this.seen;
    const perStep = elapsed / Math.max(steps, 1);
    const prefix = this.verbose === 1 && this.tty ? `${REDRAW}${steps}/${steps} [${'='.repeat(30)}]` : `${steps}/${steps}`;
    this.write(`${prefix} - ${(elapsed / 1000).toFixed(1)}s ${perStep.toFixed(1)}ms/step${formatLogs(logs)}\n`);
  }
}

/** The metrics of a log line; 'batch' and 'size' are bookkeeping, not shown (as in Keras). */
function formatLogs(logs: Logs): string {
  return Object.entries(logs).filter(([k]) => k !== 'batch' && k !== 'size')
    .map(([k, v]) => ` - ${k}: ${v.toFixed(4)}`).join('');
}

/** Carriage return plus erase-to-end-of-line, so a shorter line fully replaces the bar. */
const REDRAW = '\r\x1b[K';

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
