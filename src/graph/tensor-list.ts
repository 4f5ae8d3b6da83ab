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
import { concat, reshape, split, stack, tensor, unstack, zeros } from '../ops/index.js';
import type { GraphResource, GraphValue, OpContext, OpEntry, OpTable } from './types.js';
import { hostInt, hostInts, resourceInput, setHostValues, tensorInput, where } from './ops/util.js';

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

function list(inputs: readonly GraphValue[], i: number, ctx: OpContext): TensorList {
  return resourceInput<TensorList>(inputs, i, 'tensorList', ctx);
}

function dtypeOf(ctx: OpContext): DType {
  return ctx.attrs.dtype('element_dtype');
}

function checkDtype(l: TensorList, ctx: OpContext): void {
  if (ctx.attrs.has('element_dtype') && ctx.attrs.dtype('element_dtype') !== l.elementDtype) {
    throw new Error(
      `${where(ctx)}: the op reads ${ctx.attrs.dtype('element_dtype')} elements, the list holds ${l.elementDtype}`,
    );
  }
}

function int32Scalar(n: number): Tensor {
  const t = tensor(n, [], 'int32');
  setHostValues(t, Int32Array.of(n));
  return t;
}

/** Builds a list from the rows of `t` at `indices` (TensorListScatter). */
function scatterList(
  t: Tensor,
  indices: number[],
  shape: ElementShape,
  numElements: number,
  ctx: OpContext,
): TensorList {
  if (t.rank < 1) throw new Error(`${where(ctx)}: the tensor must have rank 1 or more, got a scalar`);
  if (indices.length !== t.shape[0]) throw new Error(`${where(ctx)}: ${indices.length} indices for ${t.shape[0]} rows`);
  const top = indices.length === 0 ? -1 : Math.max(...indices);
  if (numElements >= 0 && top >= numElements)
    throw new Error(`${where(ctx)}: index ${top} is out of range for ${numElements} elements`);
  const out = new TensorList(
    mergeShapes(shape, t.shape.slice(1), where(ctx)),
    t.dtype,
    -1,
    Math.max(numElements, top + 1),
  );
  const rows = unstack(t, 0);
  try {
    indices.forEach((at, k) => out.setItem(at, rows[k]!, where(ctx)));
  } catch (error) {
    out.dispose();
    throw error;
  } finally {
    for (const r of rows) r.dispose();
  }
  return out;
}

const ops: Record<string, OpEntry> = {
  TensorListReserve: {
    valueInputs: [0, 1],
    run: (inputs, ctx) => {
      const n = hostInt(inputs, 1, ctx);
      if (n < 0) throw new Error(`${where(ctx)}: num_elements must be non-negative, got ${n}`);
      return [new TensorList(elementShapeInput(inputs, 0, ctx), dtypeOf(ctx), -1, n)];
    },
  },
  EmptyTensorList: {
    valueInputs: [0, 1],
    run: (inputs, ctx) => [new TensorList(elementShapeInput(inputs, 0, ctx), dtypeOf(ctx), hostInt(inputs, 1, ctx), 0)],
  },
  TensorListFromTensor: {
    valueInputs: [1],
    run: (inputs, ctx) => {
      const t = tensorInput(inputs, 0, ctx);
      if (t.rank < 1) throw new Error(`${where(ctx)}: the tensor must have rank 1 or more, got a scalar`);
      if (ctx.attrs.has('element_dtype') && dtypeOf(ctx) !== t.dtype)
        throw new Error(`${where(ctx)}: element_dtype is ${dtypeOf(ctx)}, the tensor is ${t.dtype}`);
      const shape = mergeShapes(elementShapeInput(inputs, 1, ctx), t.shape.slice(1), where(ctx));
      return [
        scatterList(t, t.shape.length > 0 ? Array.from({ length: t.shape[0]! }, (_, i) => i) : [], shape, -1, ctx),
      ];
    },
  },
  TensorListGetItem: {
    valueInputs: [1, 2],
    run: (inputs, ctx) => {
      const l = list(inputs, 0, ctx);
      checkDtype(l, ctx);
      return [l.getItem(hostInt(inputs, 1, ctx), elementShapeInput(inputs, 2, ctx), where(ctx))];
    },
  },
  TensorListSetItem: {
    valueInputs: [1],
    run: (inputs, ctx) => {
      const l = list(inputs, 0, ctx);
      l.setItem(hostInt(inputs, 1, ctx), tensorInput(inputs, 2, ctx), where(ctx));
      return [l];
    },
  },
  TensorListStack: {
    valueInputs: [1],
    run: (inputs, ctx) => {
      const l = list(inputs, 0, ctx);
      checkDtype(l, ctx);
      const n = ctx.attrs.int('num_elements', -1);
      if (n >= 0 && n !== l.size) throw new Error(`${where(ctx)}: expected a list of ${n} elements, got ${l.size}`);
      return [l.gather(undefined, elementShapeInput(inputs, 1, ctx), where(ctx))];
    },
  },
  TensorListGather: {
    valueInputs: [1, 2],
    run: (inputs, ctx) => {
      const l = list(inputs, 0, ctx);
      checkDtype(l, ctx);
      return [l.gather(hostInts(inputs, 1, ctx), elementShapeInput(inputs, 2, ctx), where(ctx))];
    },
  },
  TensorListScatter: {
    valueInputs: [1, 2],
    run: (inputs, ctx) => [
      scatterList(tensorInput(inputs, 0, ctx), hostInts(inputs, 1, ctx), elementShapeInput(inputs, 2, ctx), -1, ctx),
    ],
  },
  TensorListScatterV2: {
    valueInputs: [1, 2, 3],
    run: (inputs, ctx) => [
      scatterList(
        tensorInput(inputs, 0, ctx),
        hostInts(inputs, 1, ctx),
        elementShapeInput(inputs, 2, ctx),
        hostInt(inputs, 3, ctx),
        ctx,
      ),
    ],
  },
  TensorListConcat: {
    run: (inputs, ctx) => {
      const l = list(inputs, 0, ctx);
      checkDtype(l, ctx);
      return l.concat(ctx.attrs.has('element_shape') ? ctx.attrs.shape('element_shape') : undefined, where(ctx));
    },
  },
  TensorListConcatV2: {
    valueInputs: [1],
    run: (inputs, ctx) => {
      const l = list(inputs, 0, ctx);
      checkDtype(l, ctx);
      const asked = ctx.attrs.has('element_shape')
        ? ctx.attrs.shape('element_shape')
        : inputs.length > 1
          ? elementShapeInput(inputs, 1, ctx)
          : undefined;
      return l.concat(asked, where(ctx));
    },
  },
  TensorListSplit: {
    valueInputs: [1, 2],
    run: (inputs, ctx) => {
      const t = tensorInput(inputs, 0, ctx);
      const lengths = hostInts(inputs, 2, ctx);
      if (t.rank < 1) throw new Error(`${where(ctx)}: the tensor must have rank 1 or more, got a scalar`);
      const total = lengths.reduce((a, b) => a + b, 0);
      if (lengths.some((n) => n < 0) || total !== t.shape[0]) {
        throw new Error(
          `${where(ctx)}: the lengths [${lengths}] must be non-negative and sum to ${t.shape[0]} (the tensor's first dim)`,
        );
      }
      const out = new TensorList(elementShapeInput(inputs, 1, ctx), t.dtype, -1, 0);
      const pieces = lengths.length === 0 ? [] : split(t, lengths, 0);
      try {
        for (const p of pieces) out.pushBack(p, where(ctx));
      } catch (error) {
        out.dispose();
        throw error;
      } finally {
        for (const p of pieces) p.dispose();
      }
      return [out];
    },
  },
  TensorListLength: {
    run: (inputs, ctx) => [int32Scalar(list(inputs, 0, ctx).size)],
  },
  TensorListPopBack: {
    valueInputs: [1],
    run: (inputs, ctx) => {
      const l = list(inputs, 0, ctx);
      checkDtype(l, ctx);
      return [l, l.popBack(elementShapeInput(inputs, 1, ctx), where(ctx))];
    },
  },
  TensorListPushBack: {
    run: (inputs, ctx) => {
      const l = list(inputs, 0, ctx);
      l.pushBack(tensorInput(inputs, 1, ctx), where(ctx));
      return [l];
    },
  },
  TensorListResize: {
    valueInputs: [1],
    run: (inputs, ctx) => [list(inputs, 0, ctx).resize(hostInt(inputs, 1, ctx), where(ctx))],
  },
};

/** The TensorList ops of the control family, keyed by TF op name. */
export const TENSOR_LIST: OpTable = ops;
