/** Keras core layers for sequences (TF.js names and configs): RepeatVector and Masking. */
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { Layer, type LayerArgs, type SymbolicShape } from './base.js';
import { checkNumber, checkPositiveInt, checkRank, oneInput as one } from './arg-checks.js';

/** The layer class behind layers.repeatVector: [batch, features] -> [batch, n, features]. */
export class RepeatVector extends Layer {
  /** Marks call() as sora's own: it receives a single input as a tensor. */
  static override readonly soraCall = true;
  /** 'RepeatVector', the class name in saved configs. */
  static override className = 'RepeatVector';
  /** How many times the input is repeated. */
  declare readonly n: number;
  /** A repeatVector layer; n is required. */
  constructor(args: LayerArgs & { n: number }) {
    super(args);
    this.n = checkPositiveInt(`repeatVector ${this.name}`, 'n', args.n);
  }
  /** Checks that the input is [batch, features] (later calls are checked against this shape). */
  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    checkRank(`repeatVector ${this.name}`, inputShape as SymbolicShape, 2, '[batch, features]');
    super.build(inputShape);
  }
  /** [batch, n, features]. */
  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    return [shape[0], this.n, shape[1]];
  }
  /** The input repeated n times along a new axis 1. */
  override call(inputs: Tensor | Tensor[]): Tensor { return ops.tile(ops.expandDims(one(inputs), 1), [1, this.n, 1]); }
  /** The layer's config as TF.js saves it, with n. */
  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), n: this.n }; }
}

/**
 * The layer class behind layers.masking: a time step whose features all equal maskValue is
 * masked (the mask later layers receive) and zeroed in the output.
 */
export class Masking extends Layer {
  /** Marks call() as sora's own: it receives a single input as a tensor. */
  static override readonly soraCall = true;
  /** 'Masking', the class name in saved configs. */
  static override className = 'Masking';
  /** The value that marks a padded step. */
  declare readonly maskValue: number;
  /** A masking layer; maskValue default 0. */
  constructor(args: LayerArgs & { maskValue?: number } = {}) {
    super(args);
    this.maskValue = checkNumber(`masking ${this.name}`, 'maskValue', args.maskValue ?? 0);
    this.supportsMasking = true;
  }
  /** any(x != maskValue) over the last axis (bool, one per step). */
  override computeMask(inputs: Tensor | Tensor[]): Tensor {
    return ops.any(ops.notEqual(one(inputs), this.maskValue), -1);
  }
  /** x where the step is kept, 0 where it is masked. */
  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = one(inputs);
    return ops.mul(x, ops.cast(ops.any(ops.notEqual(x, this.maskValue), -1, true), x.dtype));
  }
  /** The layer's config as TF.js saves it, with maskValue. */
  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), maskValue: this.maskValue }; }
}
