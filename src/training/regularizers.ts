/** Weight penalties (TF.js l1 / l2 / l1l2, default factor 0.01); added to the training loss. */
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';

export interface Regularizer {
  readonly className: 'L1L2';
  readonly l1: number;
  readonly l2: number;
  apply(weight: Tensor): Tensor;
  /** TF.js's config and class name ({ l1, l2 }, 'L1L2'). */
  getConfig(): { l1: number; l2: number };
  getClassName(): 'L1L2';
}

function make(l1: number, l2: number): Regularizer {
  for (const [name, v] of [['l1', l1], ['l2', l2]] as const) {
    if (!(Number.isFinite(v) && v >= 0)) throw new Error(`regularizer: ${name} must be a finite number >= 0; received ${v}`);
  }
  return {
    className: 'L1L2', l1, l2,
    /** l1 * sum(|w|) + l2 * sum(w^2), as a scalar (TF.js's order of operations). */
    apply(weight: Tensor): Tensor {
      const terms: Tensor[] = [];
      if (l1 > 0) terms.push(ops.sum(ops.mul(l1, ops.abs(weight))));
      if (l2 > 0) terms.push(ops.sum(ops.mul(l2, ops.square(weight))));
      return terms.length === 2 ? ops.add(terms[0], terms[1]) : terms[0] ?? ops.scalar(0);
    },
    getConfig: () => ({ l1, l2 }),
    getClassName: () => 'L1L2',
  };
}

/**
 * Weight penalties added to the training loss (tf.regularizers): l1, l2 and l1l2, each factor defaulting to
 * 0.01.
 */
export const regularizers = {
  /** An L1 penalty, l1 × sum(|w|) (tf.regularizers.l1); l1 defaults to 0.01. */
  l1: (args?: { l1?: number } | null): Regularizer => make(args?.l1 ?? 0.01, 0),
  /** An L2 penalty, l2 × sum(w²) (tf.regularizers.l2); l2 defaults to 0.01. */
  l2: (args?: { l2?: number } | null): Regularizer => make(0, args?.l2 ?? 0.01),
  /** L1 and L2 penalties together (tf.regularizers.l1l2); l1 and l2 each default to 0.01. */
  l1l2: (args?: { l1?: number; l2?: number } | null): Regularizer => make(args?.l1 ?? 0.01, args?.l2 ?? 0.01),
};

export function getRegularizer(where: string, id: string | Regularizer | undefined | null): Regularizer | null {
  if (id === undefined || id === null) return null;
  if (typeof id === 'object' && typeof id.apply === 'function') return id;
  if (id === 'l1') return regularizers.l1();
  if (id === 'l2') return regularizers.l2();
  if (id === 'l1l2' || id === 'L1L2') return regularizers.l1l2();
  throw new Error(`${where}: unknown regularizer ${JSON.stringify(id)}; expected 'l1', 'l2', 'l1l2' or sora.regularizers.*()`);
}

export function regularizerFromConfig(config: { class_name?: string; config?: { l1?: number; l2?: number } } | null | undefined): Regularizer | null {
  if (!config || config.class_name !== 'L1L2') return null;
  return make(config.config?.l1 ?? 0, config.config?.l2 ?? 0);
}
