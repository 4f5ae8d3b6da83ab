/**
 * TF.js's callback machinery beside the hooks: CallbackList (runs a list of callbacks),
 * CustomCallback (a callback made of functions, which also yields as `yieldEvery` says) and
 * registerCallbackConstructor (callbacks every fit makes at a verbosity level).
 */
import { Tensor } from '../core/tensor.js';
import { nextFrame } from '../compat/profile.js';
import { Callback, describe, now, type CallbackHooks, type Logs, type TrainingModel } from './callbacks.js';
import { parseYieldEvery, type YieldEvery, type YieldEveryOptions } from './yield.js';

/**
 * TF.js's CallbackList(callbacks?, queueLength = 10): runs every hook of every callback in
 * order, awaiting each (a callback without the hook is skipped); logs default to {}.
 */
export class CallbackList {
  /** The callbacks run, in order. */
  readonly callbacks: CallbackHooks[];
  /** Kept for TF.js's signature (TF.js does not use it either). */
  readonly queueLength: number;
  /** A list of callbacks (default none); queueLength defaults to 10 and is kept for TF.js's signature. */
  constructor(callbacks?: CallbackHooks[] | null, queueLength = 10) {
    if (callbacks != null && !Array.isArray(callbacks)) {
      throw new Error(`CallbackList: expected an array of callbacks; received ${describe(callbacks)}`);
    }
    this.callbacks = callbacks ?? [];
    this.queueLength = queueLength;
  }
  /** Adds a callback to the end of the list. */
  append(callback: CallbackHooks): void { this.callbacks.push(callback); }
  /** Sets the params of every callback that takes them. */
  setParams(params: Record<string, unknown>): void {
    for (const cb of this.callbacks) (cb as Partial<Callback>).setParams?.(params);
  }
  /** Sets the model of every callback that takes it. */
  setModel(model: TrainingModel): void {
    for (const cb of this.callbacks) (cb as Partial<Callback>).setModel?.(model);
  }
  /** Runs every callback's onEpochBegin, in order, awaiting each. */
  onEpochBegin(epoch: number, logs?: Logs): Promise<void> { return this.call('onEpochBegin', epoch, logs ?? {}); }
  /** Runs every callback's onEpochEnd, in order, awaiting each. */
  onEpochEnd(epoch: number, logs?: Logs): Promise<void> { return this.call('onEpochEnd', epoch, logs ?? {}); }
  /** Runs every callback's onBatchBegin, in order, awaiting each. */
  onBatchBegin(batch: number, logs?: Logs): Promise<void> { return this.call('onBatchBegin', batch, logs ?? {}); }
  /** Runs every callback's onBatchEnd, in order, awaiting each. */
  onBatchEnd(batch: number, logs?: Logs): Promise<void> { return this.call('onBatchEnd', batch, logs ?? {}); }
  /** Runs every callback's onTrainBegin, in order, awaiting each. */
  onTrainBegin(logs?: Logs): Promise<void> { return this.call('onTrainBegin', logs ?? {}); }
  /** Runs every callback's onTrainEnd, in order, awaiting each. */
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
  /** Called once before the first epoch. */
  onTrainBegin?: (logs?: Logs) => void | Promise<void>;
  /** Called once after the last epoch, or when training stops. */
  onTrainEnd?: (logs?: Logs) => void | Promise<void>;
  /** Called at the start of each epoch. */
  onEpochBegin?: (epoch: number, logs?: Logs) => void | Promise<void>;
  /** Called after each epoch with its logs. */
  onEpochEnd?: (epoch: number, logs?: Logs) => void | Promise<void>;
  /** Called before each batch. */
  onBatchBegin?: (batch: number, logs?: Logs) => void | Promise<void>;
  /** Called after each batch with its logs. */
  onBatchEnd?: (batch: number, logs?: Logs) => void | Promise<void>;
  /** Called when the callback yields (yieldEvery a number of ms, or 'auto'). */
  onYield?: (epoch: number, batch: number, logs: Logs) => void | Promise<void>;
  /** The clock of the yield timing (default performance.now / Date.now). */
  nowFunc?: () => number;
  /** What yielding awaits (default tf.nextFrame). */
  nextFrameFunc?: () => Promise<void>;
}

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
  private readonly yieldEvery: YieldEvery;
  private readonly nowFunc?: () => number;
  private readonly nextFrameFunc: () => Promise<void>;
  private currentEpoch = 0;

  /**
   * A callback from an object of hook functions (tf.CustomCallback); yieldEvery defaults to 'auto' (0 also
   * means 'auto', as in TF.js).
   */
  constructor(args: CustomCallbackArgs, yieldEvery?: YieldEveryOptions) {
    super();
    if (args == null || typeof args !== 'object') {
      throw new Error(`CustomCallback: expected an object of hooks (onEpochEnd, ...); received ${describe(args)}`);
    }
    this.nowFunc = args.nowFunc;
    this.nextFrameFunc = args.nextFrameFunc ?? nextFrame;
    // TF.js's `yieldEvery || 'auto'`: 0 (and no value) means 'auto' here, unlike fit's yieldEvery.
    const every = parseYieldEvery('CustomCallback', yieldEvery || 'auto');
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

  /** Gives the event loop a turn and calls onYield when yieldEvery says it is time. */
  async maybeWait(epoch: number, batch: number, logs?: Logs): Promise<void> {
    const waits: (void | Promise<void>)[] = [];
    if (this.yield != null) {
      await resolveScalars(logs);
      waits.push(this.yield(epoch, batch, logs ?? {}));
    }
    waits.push(this.nextFrameFunc());
    await Promise.all(waits);
  }

  /** Runs the onEpochBegin hook, if given. */
  async onEpochBegin(epoch: number, logs?: Logs): Promise<void> {
    this.currentEpoch = epoch;
    if (this.epochBegin != null) {
      await resolveScalars(logs);
      await this.epochBegin(epoch, logs);
    }
  }

  /** Runs the onEpochEnd hook, if given, and yields at an 'epoch' yieldEvery. */
  async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    const waits: (void | Promise<void>)[] = [];
    if (this.epochEnd != null) {
      await resolveScalars(logs);
      waits.push(this.epochEnd(epoch, logs));
    }
    if (this.yieldEvery === 'epoch') waits.push(this.nextFrameFunc());
    await Promise.all(waits);
  }

  /** Runs the onBatchBegin hook, if given. */
  async onBatchBegin(batch: number, logs?: Logs): Promise<void> {
    if (this.batchBegin != null) {
      await resolveScalars(logs);
      await this.batchBegin(batch, logs);
    }
  }

  /** Runs the onBatchEnd hook, if given, and yields as yieldEvery says. */
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

  /** Runs the onTrainBegin hook, if given. */
  async onTrainBegin(logs?: Logs): Promise<void> {
    if (this.trainBegin != null) {
      await resolveScalars(logs);
      await this.trainBegin(logs);
    }
  }

  /** Runs the onTrainEnd hook, if given. */
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
