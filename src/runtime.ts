/**
 * Top-level TF.js functions about the runtime rather than tensors: tf.engine() (scopes),
 * tf.backend(), tf.print, tf.Rank, deprecation warnings and tf.device_util.
 */
import type { Backend } from './backends/backend.js';
import { ENGINE, type Engine } from './engine.js';
import type { Tensor } from './tensor.js';
import { checkTensor } from './ops/util.js';

export { upcastType } from './dtypes.js';

/** tf.engine(): the engine, whose startScope() / endScope(result?) bracket tensors as tidy does. */
export function engine(): Engine { return ENGINE; }

/** tf.backend(): the active backend. */
export function backend(): Backend { return ENGINE.backend; }

/** tf.print(x, verbose): console.log of x.toString(verbose), as TF.js formats it. */
export function print(x: Tensor, verbose = false): void {
  checkTensor('print', 'x', x);
  x.print(verbose);
}

/** TF.js's Rank names. */
export enum Rank { R0 = 'R0', R1 = 'R1', R2 = 'R2', R3 = 'R3', R4 = 'R4', R5 = 'R5', R6 = 'R6' }

let deprecationWarnings = true;
/** Warns (console.warn) that something is deprecated, unless warnings were disabled. */
export function deprecationWarn(msg: string): void {
  if (deprecationWarnings) console.warn(`${msg} You can disable deprecation warnings with tf.disableDeprecationWarnings().`);
}
export function disableDeprecationWarnings(): void {
  deprecationWarnings = false;
  console.warn('TensorFlow.js deprecation warnings have been disabled.');
}

let mobileOverride: boolean | undefined;
/** Where the program runs: a browser page or worker, and whether on a mobile device. */
export const device_util = {
  isBrowser(): boolean {
    const g = globalThis as { window?: { document?: unknown }; WorkerGlobalScope?: unknown };
    return (g.window !== undefined && g.window.document != null) || g.WorkerGlobalScope !== undefined;
  },
  isMobile(nav?: { userAgent?: string; vendor?: string; userAgentData?: { mobile?: boolean } }): boolean {
    if (mobileOverride !== undefined) return mobileOverride;
    const navigatorLike = nav ?? (globalThis as unknown as { navigator?: typeof nav }).navigator;
    if (!navigatorLike) return false;
    const agent = navigatorLike.userAgent || navigatorLike.vendor;
    if (!agent) return Boolean(navigatorLike.userAgentData?.mobile);
    return /android.+mobile|blackberry|iemobile|ip(hone|od)|kindle|mobile.+firefox|opera m(ob|in)i|phone|windows ce|silk|webos/i.test(agent) ||
      /ipad|android/i.test(agent) && /mobile/i.test(agent);
  },
  /** Forces isMobile's answer (undefined: detect again). */
  mockIsMobile(value: boolean | undefined): void { mobileOverride = value; },
};
