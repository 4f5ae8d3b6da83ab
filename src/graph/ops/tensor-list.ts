/**
 * The TensorList ops (TensorListReserve, SetItem, GetItem, Stack, Scatter, Gather, Concat, Split, Length,
 * PopBack, PushBack, Resize, EmptyTensorList, FromTensor) on ../tensor-list.ts's TensorList resource; merged
 * into the control family.
 */
import type { DType } from '../../backends/backend.js';
import type { Tensor } from '../../core/tensor.js';
import { split, tensor, unstack } from '../../ops/index.js';
import { type ElementShape, TensorList, elementShapeInput, mergeShapes } from '../tensor-list.js';
import type { GraphValue, OpContext, OpEntry, OpTable } from '../types.js';
import { hostInt, hostInts, resourceInput, setHostValues, tensorInput, where } from './util.js';
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
