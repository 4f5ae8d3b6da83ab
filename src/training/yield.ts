/**
 * How fit, fitDataset and CustomCallback give the event loop a turn, as TF.js's `yieldEvery`
 * does (tfjs-layers base_callbacks.ts, CustomCallback):
 *  - 'auto' (the default): a number of milliseconds, 125;
 *  - a number N: after a batch, when N ms or more have passed since the last yield (the clock
 *    starts when training starts), with the hooks' onYield(epoch, batch, logs) beside it;
 *  - 'batch': after every batch; 'epoch': after every epoch; 'never': not at all (onYield is
 *    then refused, as TF.js refuses it).
 * A yield waits for the next animation frame on a visible page (so the page paints and its own
 * requestAnimationFrame callbacks run), else for the next macrotask (setImmediate in Node, as
 * tf.nextFrame does; a MessageChannel message in a worker or Deno). evaluate and predict are
 * synchronous in TF.js and here, and do not yield.
 */
import { nextFrame } from '../compat/profile.js';
/**
 * When fit gives the event loop a turn (TF.js's yieldEvery): 'auto' (the default, every 125 ms), 'batch',
 * 'epoch', 'never', or a number of milliseconds.
 */
export type YieldEveryOptions = 'auto' | 'batch' | 'epoch' | 'never' | number;

/** TF.js's DEFAULT_YIELD_EVERY_MS. */
export const DEFAULT_YIELD_EVERY_MS = 125;

/** The checked value: 'batch', 'epoch', 'never' or milliseconds ('auto' resolved). */
export type YieldEvery = 'batch' | 'epoch' | 'never' | number;

/** `value` checked ('auto' resolved to DEFAULT_YIELD_EVERY_MS); an Error names `where` and the value. */
export function parseYieldEvery(where: string, value: unknown): YieldEvery {
  const v = value ?? 'auto';
  if (v === 'auto') return DEFAULT_YIELD_EVERY_MS;
  if (v === 'batch' || v === 'epoch' || v === 'never') return v;
  if (typeof v === 'number' && v >= 0) return v;
  throw new Error(`${where}: yieldEvery must be 'auto', 'batch', 'epoch', 'never' or a number of milliseconds >= 0; ` +
    `received ${typeof v === 'string' ? `'${v}'` : String(v)}`);
}

/** fit's yieldEvery checked, and refused as 'never' beside a callback with onYield (as TF.js). */
export function checkYieldEvery(where: string, value: unknown, callbacks: { onYield?: unknown }[]): YieldEvery {
  const checked = parseYieldEvery(where, value);
  if (checked === 'never' && callbacks.some((cb) => typeof cb.onYield === 'function')) {
    throw new Error(`${where}: yieldEvery is 'never' but a callback has onYield; change yieldEvery or remove onYield`);
  }
  return checked;
}

const now = (): number => (globalThis.performance ?? Date).now();

/** Yields for one training run. */
export class Yielder {
  private last = now();

  constructor(private readonly every: YieldEvery) {}

  /** After a batch's onBatchEnd: yield when due, running onYield beside it. */
  async afterBatch(epoch: number, batch: number, logs: Record<string, number>,
    onYield: (epoch: number, batch: number, logs: Record<string, number>) => Promise<void>): Promise<void> {
    if (this.every === 'batch') { await nextFrame(); return; }
    if (typeof this.every !== 'number') return;
    const t = now();
    if (t - this.last < this.every) return;
    this.last = t;
    await Promise.all([onYield(epoch, batch, logs), nextFrame()]);
  }

  /** After an epoch's onEpochEnd. */
  async afterEpoch(): Promise<void> {
    if (this.every === 'epoch') await nextFrame();
  }
}
