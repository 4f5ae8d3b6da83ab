/**
 * Weight constraints (tf.constraints: maxNorm, minMaxNorm, nonNeg, unitNorm), applied to a
 * weight after each optimizer step. TF.js's names, arguments, defaults and formulas: norms
 * are L2 along `axis` (default 0, each column of a dense kernel), epsilon 1e-7.
 */
import { ENGINE } from '../core/engine.js';
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { checkTensor } from '../ops/util.js';
import { hasOwnName } from '../core/lookup.js';

const EPSILON = 1e-7;

export interface Constraint {
  readonly className: 'MaxNorm' | 'MinMaxNorm' | 'NonNeg' | 'UnitNorm';
  /** The constrained weight (a new tensor). */
  apply(w: Tensor): Tensor;
  getConfig(): Record<string, unknown>;
  getClassName(): string;
}

type Axis = number | number[];

function l2Norms(w: Tensor, axis: Axis): Tensor {
  return ops.sqrt(ops.sum(ops.mul(w, w), axis, true));
}

function number(name: string, arg: string, value: unknown, min = -Infinity): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new Error(`${name}: ${arg} must be a finite number${min > -Infinity ? ` >= ${min}` : ''}; received ${JSON.stringify(value)}`);
  }
  return value;
}

function make(className: Constraint['className'], config: Record<string, unknown>, f: (w: Tensor) => Tensor): Constraint {
  const name = className.charAt(0).toLowerCase() + className.slice(1);
  return {
    className,
    apply: (w) => ENGINE.tidy(() => f(checkTensor(name, 'w', w))),
    getConfig: () => ({ ...config }),
    getClassName: () => className,
  };
}

/**
 * Constraints applied to a layer's weights after each optimizer step (tf.constraints): maxNorm, minMaxNorm,
 * nonNeg and unitNorm.
 */
export const constraints = {
  /** Rescales each slice along `axis` whose L2 norm exceeds maxValue (default 2) down to it. */
  maxNorm(args: { maxValue?: number; axis?: Axis } = {}): Constraint {
    const maxValue = number('maxNorm', 'maxValue', args.maxValue ?? 2, 0);
    const axis = args.axis ?? 0;
    return make('MaxNorm', { maxValue, axis }, (w) => {
      const norms = l2Norms(w, axis);
      return ops.mul(w, ops.div(ops.clipByValue(norms, 0, maxValue), ops.add(norms, EPSILON)));
    });
  },
  /** Moves each slice's L2 norm into [minValue, maxValue] (defaults 0, 1), by `rate` (default 1). */
  minMaxNorm(args: { minValue?: number; maxValue?: number; axis?: Axis; rate?: number } = {}): Constraint {
    const minValue = number('minMaxNorm', 'minValue', args.minValue ?? 0, 0);
    const maxValue = number('minMaxNorm', 'maxValue', args.maxValue ?? 1, minValue);
    const rate = number('minMaxNorm', 'rate', args.rate ?? 1);
    const axis = args.axis ?? 0;
    return make('MinMaxNorm', { minValue, maxValue, rate, axis }, (w) => {
      const norms = l2Norms(w, axis);
      const desired = ops.add(ops.mul(rate, ops.clipByValue(norms, minValue, maxValue)), ops.mul(1 - rate, norms));
      return ops.mul(w, ops.div(desired, ops.add(norms, EPSILON)));
    });
  },
  /** Negative weights become 0. */
  nonNeg(): Constraint { return make('NonNeg', {}, (w) => ops.relu(w)); },
  /** Each slice along `axis` divided by its L2 norm. */
  unitNorm(args: { axis?: Axis } = {}): Constraint {
    const axis = args.axis ?? 0;
    return make('UnitNorm', { axis }, (w) => ops.div(w, ops.add(l2Norms(w, axis), EPSILON)));
  },
};

const BY_NAME: Record<string, (args?: never) => Constraint> = {
  maxNorm: constraints.maxNorm, MaxNorm: constraints.maxNorm, max_norm: constraints.maxNorm,
  minMaxNorm: constraints.minMaxNorm, MinMaxNorm: constraints.minMaxNorm, min_max_norm: constraints.minMaxNorm,
  nonNeg: constraints.nonNeg, NonNeg: constraints.nonNeg, non_neg: constraints.nonNeg,
  unitNorm: constraints.unitNorm, UnitNorm: constraints.unitNorm, unit_norm: constraints.unitNorm,
};

/**
 * A layer's constraint, as TF.js's getConstraint takes it: null, a Constraint, a name
 * ('maxNorm', 'MaxNorm', 'max_norm') or a saved {className | class_name, config}.
 */
export function getConstraint(where: string, id: unknown): Constraint | null {
  if (id === null || id === undefined) return null;
  if (typeof id === 'object' && typeof (id as Constraint).apply === 'function') return id as Constraint;
  const serialized = typeof id === 'object' ? id as { className?: string; class_name?: string; config?: Record<string, unknown> } : null;
  const name = typeof id === 'string' ? id : serialized?.className ?? serialized?.class_name;
  if (hasOwnName(BY_NAME, name)) {
    const config = { ...(serialized?.config ?? {}) };
    for (const [snake, camel] of [['max_value', 'maxValue'], ['min_value', 'minValue']]) {
      if (snake in config) { config[camel] = config[snake]; delete config[snake]; }
    }
    return (BY_NAME[name] as (a: unknown) => Constraint)(config);
  }
  throw new Error(`${where}: unknown constraint ${JSON.stringify(id)}; expected 'maxNorm', 'minMaxNorm', 'nonNeg', ` +
    "'unitNorm' or sora.constraints.*()");
}

export const serializeConstraint = (c: Constraint | null) => (c ? { className: c.getClassName(), config: c.getConfig() } : null);
