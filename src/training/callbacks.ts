/**
 * fit() callbacks: TF.js hook names, the Callback base, History, earlyStopping and the
 * Keras-style progress logger. CustomCallback, CallbackList and registerCallbackConstructor
 * are in ./callback-list.ts.
 */
import type { Tensor } from '../core/tensor.js';

/** The values logged at an epoch or batch end, by name ('loss', 'acc', 'val_loss', ...). */
export type Logs = Record<string, number>;

/**
 * The hooks fit calls on a callback object, each optional and possibly async: onTrainBegin/End,
 * onEpochBegin/End, onBatchBegin/End and onYield.
 */
export interface CallbackHooks {
  /** Called once before the first epoch. */
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  /** Called once after the last epoch, or when training stops. */
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  /** Called at the start of each epoch. */
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  /** Called after each epoch with its logs (loss, metrics, validation values). */
  onEpochEnd?(epoch: number, logs?: Logs): void | Promise<void>;
  /** Called before each batch. */
  onBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  /** Called after each batch with its logs (loss, metrics). */
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

/**
 * The base class of callbacks (tf.Callback): override the hooks (onEpochEnd, onBatchEnd, ...) to run code
 * during fit.
 */
export abstract class Callback {
  /** The model being trained, set by fit through setModel. */
  model: TrainingModel | null = null;
  /** TF.js's: what fit was given (epochs, samples, steps, ...), set by setParams. */
  params: Record<string, unknown> = {};
  /** TF.js's: the validation tensors, where a callback was given them. */
  validationData: Tensor | Tensor[] | null = null;
  /** Sets the model the callback watches (fit calls it). */
  setModel(model: TrainingModel): void { this.model = model; }
  /** Sets what fit was given (epochs, samples, steps...), as TF.js's setParams. */
  setParams(params: Record<string, unknown>): void { this.params = params; }
}

/**
 * The callback fit always adds and resolves to (tf.History): `epoch` lists the epochs run and `history` each
 * logged value per epoch ({ loss: [...], val_loss: [...] }).
 */
export class History extends Callback {
  /** The epochs run, in order. */
  readonly epoch: number[] = [];
  /** Each logged value by name, one entry per epoch ({ loss: [...], val_loss: [...] }). */
  readonly history: Record<string, number[]> = {};
  /** Appends the epoch and each logged value to `epoch` and `history`; fit calls it after each epoch. */
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

/**
 * The callback class behind callbacks.earlyStopping (tf.EarlyStopping): it sets model.stopTraining when the
 * monitored value stops improving.
 */
export class EarlyStopping extends Callback {
  /** The logged value watched; default 'val_loss'. */
  readonly monitor: string;
  private readonly minDelta: number;
  private readonly patience: number;
  private readonly better: (current: number, best: number) => boolean;
  private readonly restoreBestWeights: boolean;
  private readonly baseline?: number;
  private best = NaN;
  private wait = 0;
  private bestWeights: Tensor[] | null = null;
  /** The epoch at which training was stopped, or -1. */
  stoppedEpoch = -1;
  /** The epoch with the best monitored value, or -1. */
  bestEpoch = -1;

  /** See callbacks.earlyStopping for the options and their defaults. */
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

  /** Resets the wait count and the best value (to baseline, if given). */
  onTrainBegin(): void {
    this.wait = 0;
    this.best = this.baseline ?? NaN;
    this.stoppedEpoch = -1;
    this.bestEpoch = -1;
    this.releaseBest();
  }

  /**
   * Compares the monitored value with the best and stops training after `patience` epochs without
   * improvement.
   */
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

  /** Puts back the best epoch's weights when restoreBestWeights is set. */
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

/** Built-in callbacks for fit (tf.callbacks): earlyStopping. */
export const callbacks = {
  /**
   * Stops training when a monitored quantity stops improving (tf.callbacks.earlyStopping); monitor defaults
   * to 'val_loss', minDelta to 0, patience to 0, mode to 'auto', baseline to none, restoreBestWeights to
   * false.
   */
  earlyStopping: (args?: EarlyStoppingArgs) => new EarlyStopping(args),
};

/** A value as an error message names it. */
export function describe(value: unknown): string {
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
  /**
   * Whether fit at `verbose` logs at all: where there is no process.stdout (a browser page),
   * verbose 1 (fit's default) logs nothing, as TF.js logs nothing in browsers, so a ported
   * page's console stays clean; verbose 2 there still writes one console line per epoch.
   */
  static logsAt(verbose: number): boolean {
    const stdout = (globalThis as { process?: { stdout?: unknown } }).process?.stdout;
    return verbose >= (stdout ? 1 : 2);
  }


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

export function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
