/**
 * tf.LayerVariable and tf.InputSpec, the two layer classes TF.js exports beside tf.layers.
 *
 * A layer's weights (`layer.weights`) are sora Variables given TF.js's LayerVariable
 * read() / write() and originalName by addWeight; `LayerVariable` is the name TF.js programs
 * use for them: `w instanceof tf.LayerVariable` holds for every layer weight, and
 * `new tf.LayerVariable(val, dtype?, name?, trainable?, constraint?)` makes one (a Variable
 * holding a copy of val, whose write() applies the constraint).
 */
import type { DType } from '../backends/backend.js';
import { ENGINE } from '../core/engine.js';
import { Tensor, Variable } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { asLayerWeight, type Constraint, type LayerVariable as LayerWeight } from './layer-weight.js';

export type LayerVariable = LayerWeight;

export interface LayerVariableConstructor {
  new (val: Tensor, dtype?: DType, name?: string, trainable?: boolean, constraint?: Constraint | null): LayerVariable;
}

const taken = new Map<string, number>();
/** TF.js's getUniqueTensorName: 'Variable', then 'Variable_1', ... */
function uniqueVariableName(name: string): string {
  const n = taken.get(name) ?? 0;
  taken.set(name, n + 1);
  return n === 0 ? name : `${name}_${n}`;
}

/**
 * The class behind tf.LayerVariable: `new` makes a Variable with read / write / originalName
 * (returned from the constructor), and `instanceof` holds for every such Variable.
 */
class LayerVariableClass {
  static [Symbol.hasInstance](value: unknown): boolean {
    if (!(value instanceof Variable)) return false;
    const v = value as Partial<LayerVariable>;
    return typeof v.read === 'function' && typeof v.write === 'function' && typeof v.originalName === 'string';
  }

  constructor(val: Tensor, dtype: DType | null = 'float32', name: string | null = 'Variable', trainable = true,
    constraint: Constraint | null = null) {
    if (!(val instanceof Tensor)) {
      throw new Error(`LayerVariable: expected val to be a Tensor; received ${val === null ? 'null' : typeof val}`);
    }
    val.assertAlive('LayerVariable');
    const wanted = dtype ?? 'float32';
    const originalName = name ?? 'Variable';
    const value = val.dtype !== wanted ? ops.cast(val, wanted) : val;
    const v = ENGINE.makeVariable(value, uniqueVariableName(originalName), trainable) as LayerVariable;
    if (value !== val) value.dispose();
    asLayerWeight(v, originalName, constraint);
    // biome-ignore lint/correctness/noConstructorReturn: the weight is a Variable, as layer.weights hold
    return v as unknown as LayerVariableClass;
  }
}

/** tf.LayerVariable: the class of a layer's weights, as `instanceof` sees it. */
export const LayerVariable = LayerVariableClass as unknown as LayerVariableConstructor;

/** TF.js's InputSpecArgs: what a layer expects of an input. */
export interface InputSpecArgs {
  /** The dtype the input must have; default any. */
  dtype?: DType;
  /** The shape the input must have, null for any size on an axis; default any. */
  shape?: (number | null)[];
  /** The rank the input must have; default any. */
  ndim?: number;
  /** The largest rank accepted; default none. */
  maxNDim?: number;
  /** The smallest rank accepted; default none. */
  minNDim?: number;
  /** Dimensions fixed at given axes, axis -> size. */
  axes?: { [axis: number]: number };
}

/** tf.InputSpec: the dtype, rank and dimensions a layer expects of an input, as TF.js's. */
// The fields are InputSpecArgs', declared once there (the class below sets them).
/**
 * What a layer accepts as input (tf.InputSpec): the dtype, shape, rank range and per-axis sizes that apply()
 * checks.
 */
export interface InputSpec extends InputSpecArgs {}
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface above declares the fields
export class InputSpec {
  constructor(args: InputSpecArgs) {
    if (args == null || typeof args !== 'object') {
      throw new Error(`InputSpec: expected an object of arguments (shape, ndim, dtype, ...); received ${String(args)}`);
    }
    this.dtype = args.dtype;
    this.shape = args.shape;
    this.ndim = args.shape != null ? args.shape.length : args.ndim;
    this.maxNDim = args.maxNDim;
    this.minNDim = args.minNDim;
    this.axes = args.axes || {};
  }
}
