/**
 * Top-level TF.js functions about the runtime rather than tensors: tf.engine() (scopes),
 * tf.backend(), tf.print, tf.Rank, deprecation warnings and tf.device_util.
 */
import type { Backend } from '../backends/backend.js';
import { ENGINE, type Engine } from '../core/engine.js';
import type { Tensor } from '../core/tensor.js';
import { checkTensor } from '../ops/util.js';
import { addOpObserver } from '../ops/registry.js';
import { kernelName } from './profile.js';
import { rightPad } from './util.js';

export { upcastType } from '../core/dtypes.js';
import { isDType, upcastType } from '../core/dtypes.js';
import type { DType } from '../backends/backend.js';

/** The dtype tf.sum gives for `type` (bool and int32 sum as int32, float32 as float32). */
export function sumOutType(type: DType): DType {
  if (!isDType(type)) throw new Error(`sumOutType: type must be a dtype name ('float32', 'int32', 'bool', ...); received ${JSON.stringify(type)}`);
  return upcastType(type, 'int32');
}

/** The methods TF.js's KernelBackend has that programs call: floatPrecision, epsilon, numDataIds. */
export interface BackendInfo {
  /** Bits of a float32 value: 32 on every sora backend (TF.js's WebGL can give 16). */
  floatPrecision(): 16 | 32;
  /** The smallest value added to avoid a division by zero: 1e-7 at 32 bits. */
  epsilon(): number;
  /** How many data buffers are live on this backend (tensors sharing one buffer count once). */
  numDataIds(): number;
}

const described = new WeakSet<Backend>();
/** Gives `b` TF.js's floatPrecision / epsilon / numDataIds, once (not enumerable). */
function describeBackend(b: Backend): Backend & BackendInfo {
  if (!described.has(b)) {
    described.add(b);
    const methods: BackendInfo = {
      floatPrecision: () => 32,
      epsilon: () => 1e-7,
      numDataIds: () => {
        let n = 0;
        for (const ref of ENGINE.dataRefs) if (ref.backend === b) n++;
        return n;
      },
    };
    for (const [key, value] of Object.entries(methods)) {
      if (!(key in b)) Object.defineProperty(b, key, { value, configurable: true, writable: true });
    }
  }
  return b as Backend & BackendInfo;
}

/**
 * tf.engine(): the engine, whose startScope() / endScope(result?) bracket tensors as tidy does;
 * its `backend` has TF.js's floatPrecision(), epsilon() and numDataIds(). With no backend
 * active yet, the one the first op would start is started now (synchronously, as any op does).
 */
export function engine(): Engine & { readonly backend: Backend & BackendInfo } {
  try { describeBackend(ENGINE.backend); } catch { /* nothing starts synchronously: described when one is asked for */ }
  return ENGINE as Engine & { readonly backend: Backend & BackendInfo };
}

/** tf.backend(): the active backend, with TF.js's floatPrecision(), epsilon() and numDataIds(). */
export function backend(): Backend & BackendInfo { return describeBackend(ENGINE.backend); }

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
/** Silences sora.deprecationWarn's messages (tf.disableDeprecationWarnings). */
export function disableDeprecationWarnings(): void {
  deprecationWarnings = false;
  environmentFlags.set('DEPRECATION_WARNINGS_ENABLED', false);
  console.warn('TensorFlow.js deprecation warnings have been disabled.');
}

let mobileOverride: boolean | undefined;
/** Where the program runs: a browser page or worker, and whether on a mobile device. */
export const device_util = {
  /** Whether this runs in a browser: a window with a document, or a web worker (tf.device_util.isBrowser). */
  isBrowser(): boolean {
    const g = globalThis as { window?: { document?: unknown }; WorkerGlobalScope?: unknown };
    return (g.window !== undefined && g.window.document != null) || g.WorkerGlobalScope !== undefined;
  },
  /**
   * Whether the user agent looks like a phone or tablet (tf.device_util.isMobile); `nav` defaults to the
   * global navigator.
   */
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

type FlagValue = number | boolean | string;

/**
 * TF.js's environment flags (tf.env().get / getBool / set ...), for programs that read or
 * set them. sora's own: IS_BROWSER, IS_NODE, DEBUG, PROD, IS_TEST, DEPRECATION_WARNINGS_ENABLED
 * (disableDeprecationWarnings clears it). TF.js's backend flags (WEBGL_*, WEBGPU_*, WASM_*,
 * CPU_*) tune TF.js's own backends: setting one is accepted with a warning that sora ignores
 * it. Any other name is an error, as in TF.js.
 */
export class EnvironmentFlags {
  private readonly evaluators = new Map<string, () => FlagValue>();
  private readonly values = new Map<string, FlagValue>();
  private readonly warned = new Set<string>();

  constructor() {
    const g = globalThis as { window?: { document?: unknown }; process?: { versions?: { node?: string } } };
    this.registerFlag('IS_BROWSER', () => device_util.isBrowser());
    this.registerFlag('IS_NODE', () => typeof g.process?.versions?.node === 'string' && !device_util.isBrowser());
    this.registerFlag('IS_TEST', () => false);
    this.registerFlag('DEBUG', () => false);
    this.registerFlag('PROD', () => false);
    this.registerFlag('DEPRECATION_WARNINGS_ENABLED', () => deprecationWarnings);
  }

  registerFlag(flagName: string, evaluationFn: () => FlagValue): void {
    this.evaluators.set(flagName, evaluationFn);
  }

  get(flagName: string): FlagValue {
    if (this.values.has(flagName)) return this.values.get(flagName)!;
    const evaluate = this.evaluators.get(flagName);
    if (!evaluate) throw new Error(`env().get: cannot evaluate flag '${flagName}': sora has no such flag`);
    const value = evaluate();
    this.values.set(flagName, value);
    return value;
  }
  async getAsync(flagName: string): Promise<FlagValue> { return this.get(flagName); }
  getBool(flagName: string): boolean { return this.get(flagName) as boolean; }
  getNumber(flagName: string): number { return this.get(flagName) as number; }
  getString(flagName: string): string { return this.get(flagName) as string; }

  set(flagName: string, value: FlagValue): void {
    if (flagName === 'DEBUG') debugMode(Boolean(value));
    if (!this.evaluators.has(flagName)) {
      if (!/^(WEBGL|WEBGPU|WASM|CPU|CANVAS2D|CHECK|KEEP|TENSORLIKE|TOPK|ENGINE|HAS)_/.test(flagName)) {
        throw new Error(`env().set: cannot set flag '${flagName}': sora has no such flag`);
      }
      if (!this.warned.has(flagName)) {
        this.warned.add(flagName);
        console.warn(`sora ignores TF.js's backend flag ${flagName}: it tunes TF.js's own backends`);
      }
    }
    if (flagName === 'DEPRECATION_WARNINGS_ENABLED') deprecationWarnings = Boolean(value);
    this.values.set(flagName, value);
  }
  setFlags(flags: Record<string, FlagValue>): void { for (const [k, v] of Object.entries(flags)) this.set(k, v); }

  /** Every flag evaluated so far (and set), as TF.js's getFlags. */
  getFlags(): Record<string, FlagValue> { return Object.fromEntries(this.values); }
  get features(): Record<string, FlagValue> { return this.getFlags(); }
  /** Forgets what was set and evaluated. */
  reset(): void {
    this.values.clear();
    deprecationWarnings = true;
    debugMode(false);
  }
}

export const environmentFlags = new EnvironmentFlags();

/** Removes debug mode's op observer; null while debug mode is off. */
let stopDebug: (() => void) | null = null;

/**
 * Debug mode (tf.enableDebugMode, or env().set('DEBUG', true)), as TF.js's: every kernel is
 * logged (name, time, output rank, shape and size, input shapes) and a float32 output holding
 * NaN or Infinity is reported with a warning naming the kernel. Outputs on an asynchronous
 * backend are checked when their values arrive.
 */
function debugMode(on: boolean): void {
  if (on && !stopDebug) {
    stopDebug = addOpObserver((name, inputs, outputs, ms, ranKernel) => {
      if (!ranKernel) return;
      const kernel = kernelName(name);
      const described = inputs.map((t, i) => `${i}: ${t.rank}D ${t.rank > 0 ? t.shape : ''} `).join('');
      for (const out of outputs) {
        console.log(`%c${rightPad(kernel, 25)}\t%c${rightPad(`${ms}ms`, 9)}\t%c${out.rank}D ${rightPad(out.shape.toString(), 14)}` +
          `\t%c${out.size}\t%c${described}\t%c`, 'font-weight:bold', 'color:red', 'color:blue', 'color: orange',
        'color: green', 'color: steelblue');
        if (out.dtype !== 'float32') continue;
        const check = (values: ArrayLike<number>) => {
          for (let i = 0; i < values.length; i++) {
            if (!Number.isFinite(values[i])) { console.warn(`Found ${values[i]} in the result of '${kernel}'`); return; }
          }
        };
        if (out.ref.backend.syncReadable) check(out.dataSync());
        else void out.data().then(check, () => {});
      }
    });
  } else if (!on && stopDebug) {
    stopDebug();
    stopDebug = null;
  }
}

/** tf.enableDebugMode: log every kernel and warn on NaN or Infinity in float32 results. */
export function enableDebugMode(): void { environmentFlags.set('DEBUG', true); }
/** tf.enableProdMode: sets PROD (sora's argument checks run in every mode). */
export function enableProdMode(): void { environmentFlags.set('PROD', true); }

/** TF.js's ENV: the environment flags (older programs call tf.ENV.set / tf.ENV.get). */
export const ENV = environmentFlags;

/**
 * tf.op({ name: f }): f as an op, as TF.js wraps its ops: every tensor f makes except what it
 * returns is freed when it returns (or throws).
 */
export function op<T extends (...args: never[]) => unknown>(f: Record<string, T>): T {
  const keys = f && typeof f === 'object' ? Object.keys(f) : [];
  if (keys.length !== 1 || typeof f[keys[0]] !== 'function') {
    throw new Error(`op: expected an object with one function, e.g. op({ myOp_ }); received keys [${keys}]`);
  }
  const fn = f[keys[0]];
  const wrapped = (...args: Parameters<T>) => engine().tidy(() => fn(...args));
  Object.defineProperty(wrapped, 'name', { value: keys[0].replace(/_$/, ''), configurable: true });
  return wrapped as T;
}
