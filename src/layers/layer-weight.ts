/**
 * A layer's weight: a Variable with TF.js's LayerVariable `read` / `write` and its
 * `originalName`, made by Layer.addWeight (base.ts) and by `new tf.LayerVariable`
 * (layer-variable.ts).
 */
import type { Tensor, Variable } from '../core/tensor.js';

/** Applied to a weight after each optimizer step (tf.constraints). */
export interface Constraint { apply(weight: Tensor): Tensor }

/** A layer weight: a Variable with TF.js's LayerVariable read() / write(). */
export type LayerVariable = Variable & { read(): Variable; write(value: Tensor): void; originalName: string };

/**
 * `v` made a layer weight: its `originalName`, and TF.js's LayerVariable `read` / `write`
 * (write assigns, then applies `constraint` when given, as TF.js's LayerVariable.write does).
 */
export function asLayerWeight(v: Variable, originalName: string, constraint: Constraint | null): LayerVariable {
  const weight = v as LayerVariable;
  Object.assign(weight, {
    originalName,
    read: () => weight,
    write: (t: Tensor) => {
      if (t.id !== weight.id) {
        weight.assign(t);
        if (constraint) {
          const constrained = constraint.apply(weight);
          weight.assign(constrained);
          constrained.dispose();
        }
      }
      return weight;
    },
  });
  return weight;
}
