/**
 * Weight initializers: every tf.initializers entry with TF.js's names, arguments, defaults,
 * class names and configs, seedable. Glorot, He and LeCun are VarianceScaling presets, as
 * in TF.js ('normal' draws from a truncated normal without Keras's 0.88 correction, as TF.js
 * does). Two TF.js slips are not copied: randomUniform({ minval: 0 }) keeps 0 (TF.js's `||`
 * turns it into -0.05), and varianceScaling({ distribution: 'truncatedNormal' }) draws a
 * truncated normal (TF.js falls through to uniform).
 */
import type { DType } from '../backends/backend.js';
import type { Shape, Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { hasOwnName, ownEntry } from '../core/lookup.js';

export interface Initializer {
  /** sora's name for it ('GlorotUniform'), as layer configs name it. */
  readonly className: string;
  apply(shape: Shape, dtype?: DType): Tensor;
  getConfig(): Record<string, unknown>;
  /** TF.js's getClassName(): the Glorot, He and LeCun presets answer 'VarianceScaling'. */
  getClassName?(): string;
}

export type FanMode = 'fanIn' | 'fanOut' | 'fanAvg';
export type Distribution = 'normal' | 'uniform' | 'truncatedNormal';
const FAN_MODES: FanMode[] = ['fanIn', 'fanOut', 'fanAvg'];
const DISTRIBUTIONS: Distribution[] = ['normal', 'uniform', 'truncatedNormal'];

/** Fan in and out as TF.js computes them (channels last; rank 0, 1 or > 5: sqrt of the size). */
export function computeFans(shape: Shape): [number, number] {
  if (shape.length === 2) return [shape[0], shape[1]];
  if (shape.length >= 3 && shape.length <= 5) {
    const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
    return [shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive];
  }
  const root = Math.sqrt(shape.reduce((a, b) => a * b, 1));
  return [root, root];
}

function floatOrInt(name: string, dtype: DType | undefined): DType {
  const d = dtype ?? 'float32';
  if (d !== 'float32' && d !== 'int32') throw new Error(`${name}: dtype must be 'float32' or 'int32'; received '${d}'`);
  return d;
}

function finite(name: string, arg: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`${name}: ${arg} must be a finite number; received ${JSON.stringify(value)}`);
  }
  return value;
}

class Fill implements Initializer {
  constructor(readonly className: 'Zeros' | 'Ones' | 'Constant', private readonly value: number) {}
  /** As TF.js: zeros and ones take the dtype; constant is float32 whatever the dtype (TF.js scales float ones). */
  apply(shape: Shape, dtype?: DType): Tensor {
    return ops.fill(shape, this.value, this.className === 'Constant' ? 'float32' : dtype ?? 'float32');
  }
  getConfig(): Record<string, unknown> { return this.className === 'Constant' ? { value: this.value } : {}; }
  getClassName(): string { return this.className; }
}

class Random implements Initializer {
  constructor(readonly className: 'RandomUniform' | 'RandomNormal' | 'TruncatedNormal', private readonly a: number,
    private readonly b: number, private readonly seed?: number) {}
  apply(shape: Shape, dtype?: DType): Tensor {
    const d = floatOrInt(this.className, dtype);
    if (this.className === 'RandomUniform') return ops.randomUniform(shape, this.a, this.b, d, this.seed);
    const draw = this.className === 'RandomNormal' ? ops.randomNormal : ops.truncatedNormal;
    return d === 'float32' ? draw(shape, this.a, this.b, d, this.seed) : ops.cast(draw(shape, this.a, this.b, 'float32', this.seed), d);
  }
  getConfig(): Record<string, unknown> {
    return this.className === 'RandomUniform' ? { minval: this.a, maxval: this.b, seed: this.seed ?? null }
      : { mean: this.a, stddev: this.b, seed: this.seed ?? null };
  }
  getClassName(): string { return this.className; }
}

/** Keras VarianceScaling: scale / fan (in, out or their mean), drawn uniform or (truncated) normal. */
class VarianceScaling implements Initializer {
  constructor(readonly className: string, readonly scale: number, readonly mode: FanMode,
    readonly distribution: Distribution, readonly seed?: number) {}
  apply(shape: Shape, dtype?: DType): Tensor {
    const [fanIn, fanOut] = computeFans(shape);
    const fan = this.mode === 'fanIn' ? fanIn : this.mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
    const variance = this.scale / Math.max(1, fan);
    const d = floatOrInt(this.className, dtype);
    if (this.distribution === 'uniform') {
      const limit = Math.sqrt(3 * variance);
      return ops.randomUniform(shape, -limit, limit, d, this.seed);
    }
    const t = ops.truncatedNormal(shape, 0, Math.sqrt(variance), 'float32', this.seed);
    return d === 'float32' ? t : ops.cast(t, d);
  }
  getConfig(): Record<string, unknown> {
    return { scale: this.scale, mode: this.mode, distribution: this.distribution, seed: this.seed ?? null };
  }
  getClassName(): string { return 'VarianceScaling'; }
}

class Identity implements Initializer {
  readonly className = 'Identity';
  constructor(private readonly gain: number) {}
  /** float32 whatever the dtype, as TF.js (which scales a float32 eye). */
  apply(shape: Shape, dtype?: DType): Tensor {
    if (shape.length !== 2 || shape[0] !== shape[1]) {
      throw new Error(`identity: the identity initializer needs a 2D square shape; received [${shape}]`);
    }
    floatOrInt('identity', dtype);
    const n = shape[0];
    const values = new Float32Array(n * n);
    for (let i = 0; i < n; i++) values[i * n + i] = this.gain;
    return ops.tensor(values, shape, 'float32');
  }
  getConfig(): Record<string, unknown> { return { gain: this.gain }; }
  getClassName(): string { return this.className; }
}

/** A seeded uniform source (mulberry32), or Math.random without a seed. */
function uniformSource(seed?: number): () => number {
  if (seed === undefined) return Math.random;
  let state = Math.floor(seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Orthogonal: the Q of a Gaussian matrix's QR (signs fixed so R's diagonal is positive, as
 * TF.js fixes them), times `gain`; shapes of rank > 2 flatten all but the last dimension.
 * Built on the CPU (once, at initialisation) by modified Gram-Schmidt in float64.
 */
class Orthogonal implements Initializer {
  readonly className = 'Orthogonal';
  constructor(private readonly gain: number, private readonly seed?: number) {}
  apply(shape: Shape, dtype?: DType): Tensor {
    if (shape.length < 2) throw new Error(`orthogonal: the shape must have rank >= 2; received [${shape}]`);
    const d = floatOrInt('orthogonal', dtype);
    const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const cols = shape[shape.length - 1];
    const m = Math.max(rows, cols), n = Math.min(rows, cols);
    const random = uniformSource(this.seed);
    const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    // Columns of an m x n Gaussian matrix, made orthonormal one after another.
    const q = Array.from({ length: n }, () => Float64Array.from({ length: m }, gaussian));
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += q[k][i] * q[j][i];
        for (let i = 0; i < m; i++) q[j][i] -= dot * q[k][i];
      }
      let squares = 0;
      for (let i = 0; i < m; i++) squares += q[j][i] * q[j][i];
      const norm = Math.sqrt(squares);
      for (let i = 0; i < m; i++) q[j][i] /= norm;
    }
    // Q is m x n; when rows < cols the weight is its transpose.
    const out = new Float32Array(rows * cols);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const index = rows >= cols ? i * cols + j : j * cols + i;
        out[index] = this.gain * q[j][i];
      }
    }
    return ops.tensor(out, shape, d);
  }
  getConfig(): Record<string, unknown> { return { gain: this.gain, seed: this.seed ?? null }; }
  getClassName(): string { return this.className; }
}

export interface SeedArgs { seed?: number | null }
const seedOf = (args?: SeedArgs | null): number | undefined => args?.seed ?? undefined;

/**
 * An initializer whose variance is scale / n, n being the fan-in, fan-out or their average
 * (tf.initializers.varianceScaling); scale defaults to 1, mode to 'fanIn', distribution to 'normal' (a
 * truncated normal, as TF.js), seed to a random one.
 */
function varianceScaling(args: { scale?: number; mode?: FanMode; distribution?: Distribution; seed?: number | null } = {}): Initializer {
  const scale = args.scale ?? 1;
  if (!(Number.isFinite(scale) && scale > 0)) throw new Error(`varianceScaling: scale must be a positive number; received ${scale}`);
  const mode = args.mode ?? 'fanIn';
  const distribution = args.distribution ?? 'normal';
  if (!FAN_MODES.includes(mode)) throw new Error(`varianceScaling: mode must be one of ${FAN_MODES.join(', ')}; received ${JSON.stringify(mode)}`);
  if (!DISTRIBUTIONS.includes(distribution)) {
    throw new Error(`varianceScaling: distribution must be one of ${DISTRIBUTIONS.join(', ')}; received ${JSON.stringify(distribution)}`);
  }
  return new VarianceScaling('VarianceScaling', scale, mode, distribution, seedOf(args));
}

/** sora.initializers.*, as tf.initializers. */
export const initializers = {
  /** An initializer that fills weights with 0 (tf.initializers.zeros). */
  zeros: (): Initializer => new Fill('Zeros', 0),
  /** An initializer that fills weights with 1 (tf.initializers.ones). */
  ones: (): Initializer => new Fill('Ones', 1),
  /** An initializer that fills weights with `value` (tf.initializers.constant); value is required. */
  constant: (args: { value: number }): Initializer => new Fill('Constant', finite('constant', 'value', args?.value)),
  /**
   * An initializer drawing uniformly from [minval, maxval) (tf.initializers.randomUniform); minval defaults
   * to -0.05, maxval to 0.05, seed to a random one.
   */
  randomUniform: (args: { minval?: number; maxval?: number; seed?: number | null } = {}): Initializer =>
    new Random('RandomUniform', args.minval ?? -0.05, args.maxval ?? 0.05, seedOf(args)),
  /**
   * An initializer drawing from a normal distribution (tf.initializers.randomNormal); mean defaults to 0,
   * stddev to 0.05, seed to a random one.
   */
  randomNormal: (args: { mean?: number; stddev?: number; seed?: number | null } = {}): Initializer =>
    new Random('RandomNormal', args.mean ?? 0, args.stddev ?? 0.05, seedOf(args)),
  /**
   * An initializer drawing from a normal distribution, redrawing values beyond two standard deviations
   * (tf.initializers.truncatedNormal); mean defaults to 0, stddev to 0.05.
   */
  truncatedNormal: (args: { mean?: number; stddev?: number; seed?: number | null } = {}): Initializer =>
    new Random('TruncatedNormal', args.mean ?? 0, args.stddev ?? 0.05, seedOf(args)),
  /**
   * An initializer for square 2-D weights: the identity matrix times gain (tf.initializers.identity); gain
   * defaults to 1.
   */
  identity: (args: { gain?: number } = {}): Initializer => new Identity(args.gain ?? 1),
  /**
   * An initializer giving an orthogonal matrix times gain (tf.initializers.orthogonal); gain defaults to 1,
   * seed to a random one.
   */
  orthogonal: (args: { gain?: number; seed?: number | null } = {}): Initializer => new Orthogonal(args.gain ?? 1, seedOf(args)),
  varianceScaling,
  /**
   * Glorot (Xavier) uniform: variance scaling with scale 1 over the average of fan-in and fan-out
   * (tf.initializers.glorotUniform); the default kernel initializer of dense layers. seed defaults to a
   * random one.
   */
  glorotUniform: (args: SeedArgs = {}): Initializer => new VarianceScaling('GlorotUniform', 1, 'fanAvg', 'uniform', seedOf(args)),
  /**
   * Glorot (Xavier) normal: truncated normal variance scaling with scale 1 over the average of fan-in and
   * fan-out (tf.initializers.glorotNormal).
   */
  glorotNormal: (args: SeedArgs = {}): Initializer => new VarianceScaling('GlorotNormal', 1, 'fanAvg', 'normal', seedOf(args)),
  /**
   * He normal: truncated normal variance scaling with scale 2 over the fan-in, for ReLU layers
   * (tf.initializers.heNormal).
   */
  heNormal: (args: SeedArgs = {}): Initializer => new VarianceScaling('HeNormal', 2, 'fanIn', 'normal', seedOf(args)),
  /** He uniform: uniform variance scaling with scale 2 over the fan-in (tf.initializers.heUniform). */
  heUniform: (args: SeedArgs = {}): Initializer => new VarianceScaling('HeUniform', 2, 'fanIn', 'uniform', seedOf(args)),
  /**
   * LeCun normal: truncated normal variance scaling with scale 1 over the fan-in, for SELU layers
   * (tf.initializers.leCunNormal).
   */
  leCunNormal: (args: SeedArgs = {}): Initializer => new VarianceScaling('LeCunNormal', 1, 'fanIn', 'normal', seedOf(args)),
  /** LeCun uniform: uniform variance scaling with scale 1 over the fan-in (tf.initializers.leCunUniform). */
  leCunUniform: (args: SeedArgs = {}): Initializer => new VarianceScaling('LeCunUniform', 1, 'fanIn', 'uniform', seedOf(args)),
};

/** Class names and Keras snake_case names to the factories (which take the config object). */
const BY_NAME: Record<string, (config?: never) => Initializer> = {};
const CLASS_NAMES: Record<string, keyof typeof initializers> = {
  Zeros: 'zeros', Ones: 'ones', Constant: 'constant', RandomUniform: 'randomUniform', RandomNormal: 'randomNormal',
  TruncatedNormal: 'truncatedNormal', Identity: 'identity', Orthogonal: 'orthogonal', VarianceScaling: 'varianceScaling',
  GlorotUniform: 'glorotUniform', GlorotNormal: 'glorotNormal', HeNormal: 'heNormal', HeUniform: 'heUniform',
  LeCunNormal: 'leCunNormal', LeCunUniform: 'leCunUniform',
};
for (const [className, name] of Object.entries(CLASS_NAMES)) {
  const make = initializers[name] as (config?: never) => Initializer;
  BY_NAME[name] = make;
  BY_NAME[className] = make;
  BY_NAME[name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = make; // glorot_uniform, le_cun_normal
}
BY_NAME.lecun_normal = initializers.leCunNormal;
BY_NAME.lecun_uniform = initializers.leCunUniform;

export type InitializerIdentifier = string | Initializer;

/** A layer's initializer: an Initializer, a name ('heNormal', 'he_normal', 'HeNormal'), or `fallback`. */
export function getInitializer(where: string, id: InitializerIdentifier | undefined, fallback: string): Initializer {
  if (id === undefined) return BY_NAME[fallback]();
  if (typeof id === 'object' && id !== null && typeof (id as Initializer).apply === 'function') return id as Initializer;
  if (hasOwnName(BY_NAME, id)) {
    if (id === 'constant' || id === 'Constant') throw new Error(`${where}: the 'constant' initializer needs a value; use sora.initializers.constant({ value })`);
    return BY_NAME[id]();
  }
  throw new Error(`${where}: unknown initializer ${JSON.stringify(id)}; expected one of ` +
    `${Object.keys(CLASS_NAMES).map((c) => `'${CLASS_NAMES[c]}'`).join(', ')} or sora.initializers.*()`);
}

/** From a Keras-style {class_name, config} (loading saved models); Keras's snake_case mode values are read too. */
export function initializerFromConfig(config: { class_name?: string; config?: Record<string, unknown> | null } | null | undefined,
  fallback: string): Initializer {
  if (!config?.class_name) return BY_NAME[fallback]();
  const make = hasOwnName(CLASS_NAMES, config.class_name) ? ownEntry(BY_NAME, config.class_name) : null;
  if (!make) return BY_NAME[fallback]();
  const args: Record<string, unknown> = { ...(config.config ?? {}) };
  for (const key of ['mode', 'distribution']) {
    if (typeof args[key] === 'string') args[key] = (args[key] as string).replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
  }
  if (args.seed === null) delete args.seed;
  return (make as (a: unknown) => Initializer)(args);
}
