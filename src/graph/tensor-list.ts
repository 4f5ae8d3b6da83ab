/**
 * TensorList: TF2's list of tensors (the loop-carried value of tf.TensorArray inside functions and
 * TF1 while loops), as a GraphResource that owns its elements. As in TF.js the list is passed along
 * the graph and changed in place (SetItem, PushBack, PopBack return the list they were given); the
 * executor frees it when no slot holds it any more.
 *
 * An element is owned as a view of the tensor written (a reshape, which shares the data), kept out
 * of every tidy, and freed when replaced or when the list is disposed. Reads hand out new views the
 * caller owns.
 *
 * Element shapes: -1 marks an unknown dim, `undefined` an unknown rank (TF writes element_shape as an
 * int32 tensor, -1 for an unknown rank). The shape an op asks for, the list's own and its elements'
 * are merged, and any two known dims must agree.
 */
import type { DType } from '../backends/backend.js';
import { ENGINE } from '../core/engine.js';
import type { Tensor } from '../core/tensor.js';
import { concat, reshape, stack, tensor, zeros } from '../ops/index.js';
import type { GraphResource, GraphValue, OpContext } from './types.js';
import { hostInts, tensorInput } from './ops/util.js';

/** An element shape: dims with -1 for unknown ones, or undefined for an unknown rank. */
export type ElementShape = number[] | undefined;

/** Merges two element shapes; an Error (opening with `what`) when known dims or ranks disagree. */
export function mergeShapes(a: ElementShape, b: ElementShape, what: string): ElementShape {
  if (a === undefined) return b?.slice();
  if (b === undefined) return a.slice();
  if (a.length !== b.length) throw new Error(`${what}: element shapes [${a}] and [${b}] have different ranks`);
  return a.map((d, i) => {
    const e = b[i]!;
    if (d >= 0 && e >= 0 && d !== e) throw new Error(`${what}: element shapes [${a}] and [${b}] differ in dim ${i}`);
    return d >= 0 ? d : e;
  });
}

/** Reads an element_shape input: a scalar -1 (or any negative scalar) is an unknown rank. */
export function elementShapeInput(inputs: readonly GraphValue[], i: number, ctx: OpContext): ElementShape {
  const t = tensorInput(inputs, i, ctx);
  const dims = hostInts(inputs, i, ctx);
  if (t.rank === 0) return dims[0]! < 0 ? undefined : [dims[0]!];
  return dims.map((d) => (d < 0 ? -1 : d));
}

function isFull(shape: ElementShape): shape is number[] {
  return shape !== undefined && shape.every((d) => d >= 0);
}

/** A tensor the list owns: a view of `t`, kept out of every tidy. */
export function own(t: Tensor): Tensor {
  return ENGINE.keep(reshape(t, t.shape));
}

/** A list of tensors flowing along the graph. */
export class TensorList implements GraphResource {
  /** What the resource is. */
  readonly kind = 'tensorList' as const;
  /** The elements (undefined: not yet set). */
  readonly tensors: (Tensor | undefined)[];
  private disposed = false;

  constructor(
    public elementShape: ElementShape,
    readonly elementDtype: DType,
    readonly maxNumElements = -1,
    size = 0,
  ) {
    this.tensors = new Array<Tensor | undefined>(size).fill(undefined);
  }

  /** The number of elements. */
  get size(): number {
    return this.tensors.length;
  }

  private check(what: string): void {
    if (this.disposed) throw new Error(`${what}: the TensorList was freed`);
  }

  /** Checks an element against the list's dtype and shape. */
  private accept(t: Tensor, what: string): void {
    if (t.dtype !== this.elementDtype)
      throw new Error(`${what}: the list holds ${this.elementDtype}, got a ${t.dtype} tensor`);
    mergeShapes(this.elementShape, t.shape, what);
  }

  /** Sets element `i` (growing the list as TF.js does, up to maxNumElements). */
  setItem(i: number, t: Tensor, what: string): void {
    this.check(what);
    this.accept(t, what);
    if (i < 0 || (this.maxNumElements >= 0 && i >= this.maxNumElements)) {
      throw new Error(
        `${what}: index ${i} is out of range for a list of at most ${this.maxNumElements < 0 ? 'any number of' : this.maxNumElements} elements`,
      );
    }
    while (this.tensors.length <= i) this.tensors.push(undefined);
    this.tensors[i]?.dispose();
    this.tensors[i] = own(t);
  }

  /** Appends an element. */
  pushBack(t: Tensor, what: string): void {
    this.check(what);
    if (this.maxNumElements >= 0 && this.size >= this.maxNumElements)
      throw new Error(`${what}: the list is full (${this.maxNumElements} elements)`);
    this.accept(t, what);
    this.tensors.push(own(t));
  }

  /** The shape elements come out with: the asked one, the list's and the elements' merged. */
  outputShape(asked: ElementShape, what: string): ElementShape {
    let shape = mergeShapes(this.elementShape, asked, what);
    for (const t of this.tensors) if (t !== undefined) shape = mergeShapes(shape, t.shape, what);
    return shape;
  }

  /** Element `i` as a new tensor the caller owns; an unset one reads as zeros when its shape is known. */
  getItem(i: number, asked: ElementShape, what: string): Tensor {
    this.check(what);
    if (i < 0 || i >= this.size)
      throw new Error(`${what}: index ${i} is out of range for a list of ${this.size} elements`);
    const shape = this.outputShape(asked, what);
    const t = this.tensors[i];
    if (t !== undefined) return reshape(t, t.shape);
    if (!isFull(shape)) throw new Error(`${what}: element ${i} was never set and its shape is not known`);
    return zeros(shape, this.elementDtype);
  }

  /** Removes and returns the last element. */
  popBack(asked: ElementShape, what: string): Tensor {
    this.check(what);
    if (this.size === 0) throw new Error(`${what}: the list is empty`);
    const shape = this.outputShape(asked, what);
    const t = this.tensors.pop();
    if (t === undefined) {
      if (!isFull(shape)) throw new Error(`${what}: the last element was never set and its shape is not known`);
      return zeros(shape, this.elementDtype);
    }
    const out = reshape(t, t.shape);
    t.dispose();
    return out;
  }

  /** Elements `indices` stacked along a new axis 0 (all of them when indices is undefined). */
  gather(indices: readonly number[] | undefined, asked: ElementShape, what: string): Tensor {
    this.check(what);
    const shape = this.outputShape(asked, what);
    const picked = indices ?? this.tensors.map((_, i) => i);
    if (picked.length === 0) {
      if (shape === undefined) throw new Error(`${what}: the list is empty and its element shape is not known`);
      return zeros([0, ...shape.map((d) => Math.max(d, 0))], this.elementDtype);
    }
    const items = picked.map((i) => this.getItem(i, shape, what));
    try {
      return stack(items, 0);
    } finally {
      for (const t of items) t.dispose();
    }
  }

  /** The elements concatenated along axis 0, and their lengths. */
  concat(asked: ElementShape, what: string): [Tensor, Tensor] {
    this.check(what);
    let shape = this.elementShape;
    if (asked !== undefined) shape = mergeShapes(shape, asked, what);
    const parts: Tensor[] = [];
    for (let i = 0; i < this.size; i++) {
      const t = this.tensors[i];
      if (t === undefined) throw new Error(`${what}: element ${i} was never set`);
      if (t.rank === 0) throw new Error(`${what}: element ${i} is a scalar; concat needs elements of rank 1 or more`);
      if (shape !== undefined) mergeShapes(shape.slice(1), t.shape.slice(1), what);
      parts.push(t);
    }
    if (parts.length === 0 && shape === undefined)
      throw new Error(`${what}: the list is empty and its element shape is not known`);
    const lengths = tensor(
      parts.map((t) => t.shape[0]!),
      [parts.length],
      'int32',
    );
    if (parts.length === 0)
      return [zeros([0, ...shape!.slice(1).map((d) => Math.max(d, 0))], this.elementDtype), lengths];
    return [concat(parts, 0), lengths];
  }

  /** A new list of `size` elements sharing this one's first ones (TensorListResize). */
  resize(size: number, what: string): TensorList {
    this.check(what);
    if (size < 0) throw new Error(`${what}: the size must be non-negative, got ${size}`);
    if (this.maxNumElements >= 0 && size > this.maxNumElements)
      throw new Error(`${what}: size ${size} is above the list's maximum ${this.maxNumElements}`);
    const out = new TensorList(this.elementShape, this.elementDtype, this.maxNumElements, size);
    for (let i = 0; i < Math.min(size, this.size); i++) {
      const t = this.tensors[i];
      if (t !== undefined) out.tensors[i] = own(t);
    }
    return out;
  }

  /** Frees every element. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.tensors) t?.dispose();
    this.tensors.length = 0;
  }
}
