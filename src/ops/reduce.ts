/** Reductions over axes: sum, mean, max, min, argMax; and sumToShape for broadcast gradients. */
import type { ReduceOp } from '../backends/backend.js';
import { ENGINE } from '../engine.js';
import type { Shape, Tensor } from '../tensor.js';
import { broadcastTo, reshape } from './shape.js';
import { checkTensor, describe, produce, resolveAxis, sizeOf, storageOf } from './util.js';
import { affine, equal, mul } from './arithmetic.js';

function resolveAxes(op: string, x: Tensor, axis?: number | number[]): number[] {
  if (axis === undefined) return [...x.shape.keys()];
  const list = (Array.isArray(axis) ? axis : [axis]).map((a) => resolveAxis(op, a, x.rank));
  return [...new Set(list)].sort((a, b) => a - b);
}

/** One reduction over one axis, as the kernel's [outer, length, inner] view. */
function reduceAxis(op: ReduceOp, x: Tensor, axis: number): Tensor {
  const outer = sizeOf(x.shape.slice(0, axis));
  const length = x.shape[axis];
  const inner = sizeOf(x.shape.slice(axis + 1));
  const shape = x.shape.filter((_, i) => i !== axis);
  return produce(shape, x.dtype, (out) => ENGINE.backend.reduce(op, storageOf(x, op), out, outer, length, inner));
}

function reduce(op: ReduceOp, x: Tensor, axis: number | number[] | undefined, keepDims: boolean): Tensor {
  checkTensor(op, 'x', x);
  const axes = resolveAxes(op, x, axis);
  const keptShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  if (axes.some((a) => x.shape[a] === 0) && op !== 'sum') {
    throw new Error(`${op}: cannot reduce an empty axis of ${describe(x)}`);
  }
  // Reduce the highest axis first so lower axis numbers stay valid; all axes at once is one call.
  let y: Tensor;
  if (axes.length === 0) {
    y = reshapeCopy(x);
  } else if (axes.length === x.rank) {
    y = produce([], x.dtype, (out) => ENGINE.backend.reduce(op, storageOf(x, op), out, 1, x.size, 1));
  } else {
    y = x;
    for (const a of [...axes].reverse()) {
      const next = reduceAxis(op, y, a);
      if (y !== x) y.dispose();
      y = next;
    }
  }
  const result = keepDims ? reshapeInPlace(y, keptShape) : y;
  if (ENGINE.recording) {
    ENGINE.record([x], result, (dy) => {
      const spread = broadcastTo(reshape(dy, keptShape), x.shape);
      if (op === 'sum') return [spread];
      const picked = equal(x, broadcastTo(reshape(result, keptShape), x.shape));
      return [mul(spread, picked)];
    });
  }
  return result;
}

function reshapeCopy(x: Tensor): Tensor {
  return produce(x.shape, x.dtype, (out) => ENGINE.backend.copyStrided(storageOf(x, 'reduce'), out, [x.size], [1], 0, [1], 0));
}
function reshapeInPlace(y: Tensor, shape: Shape): Tensor {
  const view = ENGINE.makeView(y, shape);
  y.dispose();
  return view;
}

export function sum(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  return reduce('sum', x, axis, keepDims);
}
export function max(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  return reduce('max', x, axis, keepDims);
}
export function min(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  return reduce('min', x, axis, keepDims);
}
export function mean(x: Tensor, axis?: number | number[], keepDims = false): Tensor {
  checkTensor('mean', 'x', x);
  if (x.dtype !== 'float32') throw new Error(`mean: x must be float32; received ${describe(x)}`);
  const count = resolveAxes('mean', x, axis).reduce((acc, a) => acc * x.shape[a], 1);
  const total = sum(x, axis, keepDims);
  const y = affine(total, 1 / count);
  if (!ENGINE.recording) total.dispose();
  return y;
}

/** Index of the max along `axis` (int32); the first NaN counts as the max. */
export function argMax(x: Tensor, axis = -1): Tensor {
  checkTensor('argMax', 'x', x);
  const a = resolveAxis('argMax', axis, x.rank);
  if (x.shape[a] === 0) throw new Error(`argMax: axis ${a} of ${describe(x)} is empty`);
  const outer = sizeOf(x.shape.slice(0, a));
  const inner = sizeOf(x.shape.slice(a + 1));
  return produce(x.shape.filter((_, i) => i !== a), 'int32',
    (out) => ENGINE.backend.argMax(storageOf(x, 'argMax'), out, outer, x.shape[a], inner));
}

/** Sum a broadcast gradient back down to an operand's shape. */
export function sumToShape(dy: Tensor, shape: Shape): Tensor {
  if (dy.shape.length === shape.length && dy.shape.every((d, i) => d === shape[i])) return dy;
  const rank = dy.rank;
  const padded = [...new Array<number>(rank - shape.length).fill(1), ...shape];
  const axes = padded.flatMap((d, i) => (d === 1 && dy.shape[i] !== 1 ? [i] : []));
  const reduced = axes.length ? sum(dy, axes, true) : dy;
  return reshape(reduced, shape);
}

