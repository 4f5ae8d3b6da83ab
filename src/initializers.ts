/** Weight initializers (TF.js names and defaults), seedable for reproducible models. */
import type { Shape, Tensor } from './tensor.js';
import * as ops from './ops/index.js';

export interface Initializer {
  readonly className: string;
  apply(shape: Shape): Tensor;
  getConfig(): Record<string, unknown>;
}

function fans(shape: Shape): [number, number] {
  if (shape.length === 1) return [shape[0], shape[0]];
  if (shape.length === 2) return [shape[0], shape[1]];
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [shape[shape.length - 2] * receptive, shape[shape.length - 1] * receptive];
}

class Constant implements Initializer {
  constructor(readonly className: 'Zeros' | 'Ones', private readonly value: number) {}
  apply(shape: Shape): Tensor { return ops.fill(shape, this.value); }
  getConfig(): Record<string, unknown> { return {}; }
}

/** Keras VarianceScaling: uniform or truncated normal, scaled by fan in/out/avg. */
class VarianceScaling implements Initializer {
  constructor(readonly className: string, private readonly scale: number,
    private readonly mode: 'fanIn' | 'fanOut' | 'fanAvg', private readonly distribution: 'uniform' | 'normal',
    private readonly seed?: number) {}
  apply(shape: Shape): Tensor {
    const [fanIn, fanOut] = fans(shape);
    const n = this.mode === 'fanIn' ? fanIn : this.mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
    const variance = this.scale / Math.max(1, n);
    if (this.distribution === 'normal') return ops.truncatedNormal(shape, 0, Math.sqrt(variance), 'float32', this.seed);
    const limit = Math.sqrt(3 * variance);
    return ops.randomUniform(shape, -limit, limit, 'float32', this.seed);
  }
  getConfig(): Record<string, unknown> { return { seed: this.seed ?? null }; }
}

export interface SeedArgs { seed?: number }
export const initializers = {
  zeros: (): Initializer => new Constant('Zeros', 0),
  ones: (): Initializer => new Constant('Ones', 1),
  glorotUniform: (args: SeedArgs = {}): Initializer => new VarianceScaling('GlorotUniform', 1, 'fanAvg', 'uniform', args.seed),
  glorotNormal: (args: SeedArgs = {}): Initializer => new VarianceScaling('GlorotNormal', 1, 'fanAvg', 'normal', args.seed),
  heNormal: (args: SeedArgs = {}): Initializer => new VarianceScaling('HeNormal', 2, 'fanIn', 'normal', args.seed),
  heUniform: (args: SeedArgs = {}): Initializer => new VarianceScaling('HeUniform', 2, 'fanIn', 'uniform', args.seed),
};

const BY_NAME: Record<string, () => Initializer> = {
  zeros: initializers.zeros, Zeros: initializers.zeros,
  ones: initializers.ones, Ones: initializers.ones,
  glorotUniform: initializers.glorotUniform, GlorotUniform: initializers.glorotUniform, glorot_uniform: initializers.glorotUniform,
  glorotNormal: initializers.glorotNormal, GlorotNormal: initializers.glorotNormal, glorot_normal: initializers.glorotNormal,
  heNormal: initializers.heNormal, HeNormal: initializers.heNormal, he_normal: initializers.heNormal,
  heUniform: initializers.heUniform, HeUniform: initializers.heUniform, he_uniform: initializers.heUniform,
};

export type InitializerIdentifier = string | Initializer;

export function getInitializer(where: string, id: InitializerIdentifier | undefined, fallback: string): Initializer {
  if (id === undefined) return BY_NAME[fallback]();
  if (typeof id === 'object' && id !== null && typeof (id as Initializer).apply === 'function') return id as Initializer;
  if (typeof id === 'string' && Object.hasOwn(BY_NAME, id)) return BY_NAME[id]();
  throw new Error(`${where}: unknown initializer ${JSON.stringify(id)}; expected one of ` +
    "'glorotUniform', 'glorotNormal', 'heNormal', 'heUniform', 'zeros', 'ones' or sora.initializers.*()");
}

/** From a Keras-style {class_name, config} (loading saved models). */
export function initializerFromConfig(config: { class_name?: string; config?: { seed?: number | null } } | null | undefined,
  fallback: string): Initializer {
  if (!config?.class_name) return BY_NAME[fallback]();
  const make = Object.hasOwn(BY_NAME, config.class_name) ? BY_NAME[config.class_name] as (a?: SeedArgs) => Initializer : null;
  if (!make) return BY_NAME[fallback]();
  return make({ seed: config.config?.seed ?? undefined });
}
