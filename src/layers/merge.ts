/**
 * Merge layers (TF.js names): add, multiply, average, maximum, minimum (elementwise over
 * inputs of one shape), concatenate (along an axis) and dot (per-example dot products).
 * Each takes a list of inputs; the factories also take the list directly, as TF.js's do:
 * `tf.layers.add([a, b])` is `tf.layers.add().apply([a, b])`.
 */
import type { Tensor } from '../core/tensor.js';
import * as ops from '../ops/index.js';
import { Layer, type LayerArgs, type SymbolicShape } from './base.js';
import { shapeString, type SymbolicTensor } from './graph.js';

const asBool = (m: Tensor): Tensor => (m.dtype === 'bool' ? m : ops.cast(m, 'bool'));

/** The masks of a merge layer's inputs as a list, or null when none is given; a count other than the inputs' is an error. */
function inputMasks(where: string, inputs: Tensor | Tensor[], mask: Tensor | Tensor[] | null | undefined): (Tensor | null)[] | null {
  if (mask == null) return null;
  const masks = Array.isArray(mask) ? mask : [mask];
  const count = Array.isArray(inputs) ? inputs.length : 1;
  if (masks.length !== count) throw new Error(`${where}: expected one mask per input (${count}); received ${masks.length}`);
  return masks.every((m) => m == null) ? null : masks.map((m) => m ?? null);
}

abstract class Merge extends Layer {
  static override readonly soraCall = true;
  /** A merge layer; it combines its inputs' masks (computeMask). */
  constructor(args: LayerArgs = {}) {
    super(args);
    this.supportsMasking = true;
  }
  protected abstract combine(a: Tensor, b: Tensor): Tensor;

  /**
   * The output mask: a step is kept where every masked input keeps it (null when no input has a
   * mask), as Keras computes it. TF.js's Merge.computeMask is wrong here: it adds a leading axis
   * and leaves the last input's mask out (tests/models/layers-17-wrappers-masks.test.ts pins it).
   */
  override computeMask(inputs: Tensor | Tensor[], mask?: Tensor | Tensor[] | null): Tensor | null {
    const masks = inputMasks(this.name, inputs, mask);
    if (!masks) return null;
    const given = masks.filter((m): m is Tensor => m !== null).map(asBool);
    return given.reduce((a, b) => ops.logicalAnd(a, b));
  }
  protected finish(total: Tensor, _count: number): Tensor { return total; }

  protected inputList(shapes: SymbolicShape | SymbolicShape[]): SymbolicShape[] {
    if (!Array.isArray(shapes[0]) || shapes.length < 2) {
      throw new Error(`${this.name}: a ${this.getClassName()} layer takes a list of at least 2 inputs; received ${JSON.stringify(shapes)}`);
    }
    return shapes as SymbolicShape[];
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shapes = this.inputList(inputShape);
    const first = shapes[0];
    shapes.forEach((s, i) => {
      if (s.length !== first.length || s.some((d, k) => k > 0 && d !== null && first[k] !== null && d !== first[k])) {
        throw new Error(`${this.name}: ${this.getClassName()} needs inputs of one shape; input 0 is ${shapeString(first)}, ` +
          `input ${i} is ${shapeString(s)}`);
      }
    });
    return first.map((d, k) => d ?? shapes.find((s) => s[k] !== null)?.[k] ?? null);
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    this.computeOutputShape(list.map((t) => t.shape));
    let total = list[0];
    for (let i = 1; i < list.length; i++) total = this.combine(total, list[i]);
    return this.finish(total, list.length);
  }
}

export class Add extends Merge {
  static override className = 'Add';
  protected combine(a: Tensor, b: Tensor): Tensor { return ops.add(a, b); }
}
export class Multiply extends Merge {
  static override className = 'Multiply';
  protected combine(a: Tensor, b: Tensor): Tensor { return ops.mul(a, b); }
}
export class Average extends Merge {
  static override className = 'Average';
  protected combine(a: Tensor, b: Tensor): Tensor { return ops.add(a, b); }
  protected override finish(total: Tensor, count: number): Tensor { return ops.mul(total, 1 / count); }
}
export class Maximum extends Merge {
  static override className = 'Maximum';
  protected combine(a: Tensor, b: Tensor): Tensor { return ops.maximum(a, b); }
}
export class Minimum extends Merge {
  static override className = 'Minimum';
  protected combine(a: Tensor, b: Tensor): Tensor { return ops.minimum(a, b); }
}

export class Concatenate extends Merge {
  static override readonly soraCall = true;
  static override className = 'Concatenate';
  readonly axis: number;
  constructor(args: LayerArgs & { axis?: number } = {}) {
    super(args);
    this.axis = args.axis ?? -1;
  }
  protected combine(): Tensor { throw new Error('unused'); }
  private axisFor(rank: number): number {
    const axis = this.axis < 0 ? rank + this.axis : this.axis;
    if (axis < 1 || axis >= rank) throw new Error(`${this.name}: axis ${this.axis} is out of range for inputs of rank ${rank} (the batch axis cannot be joined)`);
    return axis;
  }
  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shapes = this.inputList(inputShape);
    const axis = this.axisFor(shapes[0].length);
    const out = shapes[0].slice();
    shapes.forEach((s, i) => {
      if (s.length !== out.length || s.some((d, k) => k !== axis && k > 0 && d !== null && out[k] !== null && d !== out[k])) {
        throw new Error(`${this.name}: concatenate along axis ${this.axis} needs inputs that match on the other axes; ` +
          `input 0 is ${shapeString(shapes[0])}, input ${i} is ${shapeString(s)}`);
      }
    });
    out[axis] = shapes.some((s) => s[axis] === null) ? null : shapes.reduce((a, s) => a + (s[axis] as number), 0);
    return out;
  }
  override call(inputs: Tensor | Tensor[]): Tensor {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    this.computeOutputShape(list.map((t) => t.shape));
    return ops.concat(list, this.axisFor(list[0].rank));
  }
  /**
   * As TF.js's: each input's mask widened to the input's shape (an unmasked input all true), joined
   * along the axis, and a position kept where all of its last axis is.
   */
  override computeMask(inputs: Tensor | Tensor[], mask?: Tensor | Tensor[] | null): Tensor | null {
    const masks = inputMasks(this.name, inputs, mask);
    if (!masks) return null;
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const parts = list.map((x, i) => {
      const m = masks[i];
      if (m === null) return ops.cast(ops.onesLike(x), 'bool');
      return ops.broadcastTo(asBool(m.rank < x.rank ? ops.expandDims(m, -1) : m), x.shape);
    });
    return ops.all(ops.concat(parts, this.axisFor(list[0].rank)), -1);
  }
  override getConfig(): Record<string, unknown> { return { ...super.getConfig(), axis: this.axis }; }
}

/** Per-example dot products of two [batch, n] inputs: [batch, 1] (normalize: cosine). */
export class Dot extends Merge {
  static override readonly soraCall = true;
  static override className = 'Dot';
  readonly axes: number | [number, number];
  readonly normalize: boolean;
  constructor(args: LayerArgs & { axes: number | [number, number]; normalize?: boolean }) {
    super(args);
    if (args?.axes === undefined) throw new Error('dot: expected { axes: 1 } (or [1, 1])');
    this.axes = args.axes;
    this.normalize = args.normalize ?? false;
  }
  protected combine(): Tensor { throw new Error('unused'); }
  /** No mask: the output has no steps (TF.js's Dot.computeMask). */
  override computeMask(): null { return null; }
  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shapes = this.inputList(inputShape);
    const axes = Array.isArray(this.axes) ? this.axes : [this.axes, this.axes];
    if (shapes.length !== 2 || shapes.some((s) => s.length !== 2) || axes.some((a) => a !== 1 && a !== -1)) {
      throw new Error(`${this.name}: dot takes two inputs of shape [batch, n] with axes 1; received ` +
        `${shapes.map(shapeString).join(' and ')} with axes ${JSON.stringify(this.axes)}`);
    }
    if (shapes[0][1] !== null && shapes[1][1] !== null && shapes[0][1] !== shapes[1][1]) {
      throw new Error(`${this.name}: dot needs inputs of one length; received ${shapes.map(shapeString).join(' and ')}`);
    }
    return [shapes[0][0] ?? shapes[1][0], 1];
  }
  override call(inputs: Tensor | Tensor[]): Tensor {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    this.computeOutputShape(list.map((t) => t.shape));
    let [a, b] = list;
    if (this.normalize) {
      const unit = (t: Tensor) => ops.div(t, ops.sqrt(ops.maximum(ops.sum(ops.square(t), -1, true), 1e-12)));
      a = unit(a); b = unit(b);
    }
    return ops.sum(ops.mul(a, b), -1, true);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axes: this.axes, normalize: this.normalize };
  }
}

type MergeInput = LayerArgs | Tensor[] | SymbolicTensor[] | undefined;
function factory<L extends Layer, A extends LayerArgs>(make: (args: A) => L) {
  function f(args?: A): L;
  function f(inputs: Tensor[] | SymbolicTensor[]): Tensor | SymbolicTensor;
  function f(args?: MergeInput): unknown {
    if (Array.isArray(args)) return make({} as A).apply(args as Tensor[]);
    return make((args ?? {}) as A);
  }
  return f;
}

export const mergeLayers = {
  /**
   * A layer that adds its inputs element-wise (tf.layers.add); called with a list of tensors it returns their
   * sum directly.
   */
  add: factory((a: LayerArgs) => new Add(a)),
  /**
   * A layer that multiplies its inputs element-wise (tf.layers.multiply); called with a list of tensors it
   * returns their product directly.
   */
  multiply: factory((a: LayerArgs) => new Multiply(a)),
  /**
   * A layer that averages its inputs element-wise (tf.layers.average); called with a list of tensors it
   * returns their mean directly.
   */
  average: factory((a: LayerArgs) => new Average(a)),
  /**
   * A layer that takes the element-wise maximum of its inputs (tf.layers.maximum); called with a list of
   * tensors it returns it directly.
   */
  maximum: factory((a: LayerArgs) => new Maximum(a)),
  /**
   * A layer that takes the element-wise minimum of its inputs (tf.layers.minimum); called with a list of
   * tensors it returns it directly.
   */
  minimum: factory((a: LayerArgs) => new Minimum(a)),
  /**
   * Concatenates its inputs along `axis` (tf.layers.concatenate); axis defaults to -1, the last axis. Called
   * with a list of tensors it returns their concatenation directly.
   */
  concatenate: factory((a: LayerArgs & { axis?: number }) => new Concatenate(a)),
  /**
   * Per-example dot products of two inputs along `axes` (tf.layers.dot); `normalize` defaults to false (true:
   * L2-normalize first, giving cosine similarities).
   */
  dot: (args: LayerArgs & { axes: number | [number, number]; normalize?: boolean }) => new Dot(args),
};

