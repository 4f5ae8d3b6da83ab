/**
 * TensorArray: TF1's array of tensors (TensorArrayV3 and the ops that read and write it by handle),
 * as a GraphResource that owns its elements. TensorArrayV3's two outputs (the handle and the flow
 * scalar) are both this object: the flow only orders the ops that read and write the array, and
 * passing the array along keeps it alive for as long as either is in use. Elements are held as in
 * TensorList (tensor-list.ts): views kept out of every tidy, freed when the array is closed or freed.
 */
import type { DType } from '../backends/backend.js';
import type { Tensor } from '../core/tensor.js';
import { split, tensor, unstack } from '../ops/index.js';
import { type ElementShape, TensorList } from './tensor-list.js';
import type { GraphResource, GraphValue, OpContext, OpEntry, OpTable } from './types.js';
import { hostInt, hostInts, resourceInput, setHostValues, tensorInput, where } from './ops/util.js';

/** A TF1 TensorArray. */
export class TensorArray implements GraphResource {
  /** What the resource is. */
  readonly kind = 'tensorArray' as const;
  private readonly items: TensorList;
  private readonly written = new Set<number>();
  private closed = false;

  constructor(
    readonly name: string,
    dtype: DType,
    size: number,
    elementShape: ElementShape,
    readonly dynamicSize: boolean,
    readonly clearAfterRead: boolean,
  ) {
    this.items = new TensorList(elementShape, dtype, -1, size);
  }

  /** The number of elements. */
  get size(): number {
    return this.items.size;
  }

  private open(what: string): void {
    if (this.closed) throw new Error(`${what}: the TensorArray '${this.name}' is closed`);
  }

  /** Writes element `i` (once, as TF requires). */
  write(i: number, t: Tensor, what: string): void {
    this.open(what);
    if (i < 0 || (!this.dynamicSize && i >= this.size)) {
      throw new Error(
        `${what}: index ${i} is out of range for the TensorArray '${this.name}' of ${this.size} elements`,
      );
    }
    if (this.written.has(i))
      throw new Error(`${what}: element ${i} of the TensorArray '${this.name}' was already written`);
    this.items.setItem(i, t, what);
    this.written.add(i);
  }

  /** Element `i`, a new tensor the caller owns. */
  read(i: number, what: string): Tensor {
    this.open(what);
    if (i < 0 || i >= this.size)
      throw new Error(
        `${what}: index ${i} is out of range for the TensorArray '${this.name}' of ${this.size} elements`,
      );
    if (!this.written.has(i))
      throw new Error(`${what}: element ${i} of the TensorArray '${this.name}' was never written`);
    const out = this.items.getItem(i, undefined, what);
    if (this.clearAfterRead) {
      this.items.tensors[i]?.dispose();
      this.items.tensors[i] = undefined;
      this.written.delete(i);
    }
    return out;
  }

  /** Elements `indices` stacked along a new axis 0. */
  gather(indices: readonly number[], asked: ElementShape, what: string): Tensor {
    this.open(what);
    for (const i of indices)
      if (!this.written.has(i))
        throw new Error(`${what}: element ${i} of the TensorArray '${this.name}' was never written`);
    return this.items.gather(indices, asked, what);
  }

  /** The elements concatenated along axis 0, and their lengths. */
  concat(asked: ElementShape, what: string): [Tensor, Tensor] {
    this.open(what);
    return this.items.concat(asked, what);
  }

  /** Frees the elements; the array can no longer be used. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.items.dispose();
  }

  /** Frees the elements. */
  dispose(): void {
    this.close();
  }
}

function array(inputs: readonly GraphValue[], ctx: OpContext): TensorArray {
  return resourceInput<TensorArray>(inputs, 0, 'tensorArray', ctx);
}

function shapeAttr(ctx: OpContext, name: string): ElementShape {
  return ctx.attrs.has(name) ? ctx.attrs.shape(name) : undefined;
}

const ops: Record<string, OpEntry> = {
  TensorArrayV3: {
    valueInputs: [0],
    run: (inputs, ctx) => {
      const size = hostInt(inputs, 0, ctx);
      if (size < 0) throw new Error(`${where(ctx)}: the size must be non-negative, got ${size}`);
      const a = new TensorArray(
        ctx.attrs.string('tensor_array_name', '') || ctx.node.name,
        ctx.attrs.dtype('dtype'),
        size,
        shapeAttr(ctx, 'element_shape'),
        ctx.attrs.bool('dynamic_size', false),
        ctx.attrs.bool('clear_after_read', true),
      );
      return [a, a];
    },
  },
  TensorArrayWriteV3: {
    valueInputs: [1],
    run: (inputs, ctx) => {
      const a = array(inputs, ctx);
      a.write(hostInt(inputs, 1, ctx), tensorInput(inputs, 2, ctx), where(ctx));
      return [a];
    },
  },
  TensorArrayReadV3: {
    valueInputs: [1],
    run: (inputs, ctx) => [array(inputs, ctx).read(hostInt(inputs, 1, ctx), where(ctx))],
  },
  TensorArrayGatherV3: {
    valueInputs: [1],
    run: (inputs, ctx) => [
      array(inputs, ctx).gather(hostInts(inputs, 1, ctx), shapeAttr(ctx, 'element_shape'), where(ctx)),
    ],
  },
  TensorArrayScatterV3: {
    valueInputs: [1],
    run: (inputs, ctx) => {
      const a = array(inputs, ctx);
      const indices = hostInts(inputs, 1, ctx);
      const t = tensorInput(inputs, 2, ctx);
      if (t.rank < 1 || t.shape[0] !== indices.length)
        throw new Error(`${where(ctx)}: ${indices.length} indices for a tensor of shape [${t.shape}]`);
      const rows = unstack(t, 0);
      try {
        indices.forEach((i, k) => a.write(i, rows[k]!, where(ctx)));
      } finally {
        for (const r of rows) r.dispose();
      }
      return [a];
    },
  },
  TensorArrayConcatV3: {
    run: (inputs, ctx) => {
      const except0 = shapeAttr(ctx, 'element_shape_except0');
      return array(inputs, ctx).concat(except0 === undefined ? undefined : [-1, ...except0], where(ctx));
    },
  },
  TensorArraySplitV3: {
    valueInputs: [2],
    run: (inputs, ctx) => {
      const a = array(inputs, ctx);
      const t = tensorInput(inputs, 1, ctx);
      const lengths = hostInts(inputs, 2, ctx);
      if (t.rank < 1 || lengths.some((n) => n < 0) || lengths.reduce((x, y) => x + y, 0) !== t.shape[0]) {
        throw new Error(
          `${where(ctx)}: the lengths [${lengths}] must be non-negative and sum to the first dim of [${t.shape}]`,
        );
      }
      const pieces = lengths.length === 0 ? [] : split(t, lengths, 0);
      try {
        pieces.forEach((p, i) => a.write(i, p, where(ctx)));
      } finally {
        for (const p of pieces) p.dispose();
      }
      return [a];
    },
  },
  TensorArraySizeV3: {
    run: (inputs, ctx) => {
      const n = array(inputs, ctx).size;
      const t = tensor(n, [], 'int32');
      setHostValues(t, Int32Array.of(n));
      return [t];
    },
  },
  TensorArrayCloseV3: {
    run: (inputs, ctx) => {
      array(inputs, ctx).close();
      return [];
    },
  },
};

/** The TensorArray ops of the control family, keyed by TF op name. */
export const TENSOR_ARRAY: OpTable = ops;
