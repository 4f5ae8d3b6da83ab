/** Shape ops: reshape, expandDims, squeeze, transpose, slice, concat, gather, clone, cast, broadcastTo. */
import type { DType } from '../backends/backend.js';
import { ENGINE } from '../engine.js';
import type { Shape, Tensor } from '../tensor.js';
import {
  checkDType, checkShape, checkTensor, contiguousStrides, describe, produce, resolveAxis, sizeOf, storageOf,
} from './util.js';

export function reshape(x: Tensor, shape: Shape): Tensor {
  checkTensor('reshape', 'x', x);
  if (!Array.isArray(shape)) throw new Error(`reshape: expected a shape array, received ${String(shape)}`);
  const inferredAt = shape.indexOf(-1);
  let target = shape.slice();
  if (inferredAt >= 0) {
    if (shape.indexOf(-1, inferredAt + 1) >= 0) throw new Error(`reshape: only one -1 allowed; received [${shape}]`);
    const known = sizeOf(shape.filter((d) => d !== -1));
    if (known === 0 || x.size % known !== 0) {
      throw new Error(`reshape: cannot reshape ${describe(x)} (${x.size} values) into [${shape}]`);
    }
    target[inferredAt] = x.size / known;
  }
  target = checkShape('reshape', target);
  if (sizeOf(target) !== x.size) {
    throw new Error(`reshape: cannot reshape ${describe(x)} (${x.size} values) into [${shape}] (${sizeOf(target)} values)`);
  }
  ENGINE.onActive(x, 'reshape');
  const y = ENGINE.makeView(x, target);
  ENGINE.record([x], y, (dy) => [reshape(dy, x.shape)]);
  return y;
}

export function expandDims(x: Tensor, axis = 0): Tensor {
  checkTensor('expandDims', 'x', x);
  const a = resolveAxis('expandDims', axis, x.rank + 1);
  const shape = x.shape.slice();
  shape.splice(a, 0, 1);
  return reshape(x, shape);
}

export function squeeze(x: Tensor, axis?: number[]): Tensor {
  checkTensor('squeeze', 'x', x);
  const axes = axis?.map((a) => resolveAxis('squeeze', a, x.rank));
  for (const a of axes ?? []) {
    if (x.shape[a] !== 1) throw new Error(`squeeze: axis ${a} of ${describe(x)} has size ${x.shape[a]}, not 1`);
  }
  return reshape(x, x.shape.filter((d, i) => (axes ? !axes.includes(i) : d !== 1)));
}

export function clone(x: Tensor): Tensor {
  checkTensor('clone', 'x', x);
  const y = produce(x.shape, x.dtype, (out) =>
    ENGINE.backend.copyStrided(storageOf(x, 'clone'), out, [x.size], [1], 0, [1], 0));
  ENGINE.record([x], y, (dy) => [dy]);
  return y;
}

export function cast(x: Tensor, dtype: DType): Tensor {
  checkTensor('cast', 'x', x);
  checkDType('cast', dtype);
  if (dtype === x.dtype) return clone(x);
  return produce(x.shape, dtype, (out) => ENGINE.backend.cast(storageOf(x, 'cast'), out, x.size));
}

export function transpose(x: Tensor, perm?: number[]): Tensor {
  checkTensor('transpose', 'x', x);
  const order = perm ?? [...x.shape.keys()].reverse();
  if (order.length !== x.rank || [...order].sort((a, b) => a - b).some((p, i) => p !== i)) {
    throw new Error(`transpose: perm [${order}] is not a permutation of the ${x.rank} axes of ${describe(x)}`);
  }
  const strides = contiguousStrides(x.shape);
  const shape = order.map((a) => x.shape[a]);
  const y = produce(shape, x.dtype, (out) => ENGINE.backend.copyStrided(storageOf(x, 'transpose'), out,
    shape, order.map((a) => strides[a]), 0, contiguousStrides(shape), 0));
  const inverse = order.map((_, i) => order.indexOf(i));
  ENGINE.record([x], y, (dy) => [transpose(dy, inverse)]);
  return y;
}

export function slice(x: Tensor, begin: number | number[], size?: number | number[]): Tensor {
  checkTensor('slice', 'x', x);
  const starts = typeof begin === 'number' ? [begin, ...new Array<number>(x.rank - 1).fill(0)] : begin.slice();
  while (starts.length < x.rank) starts.push(0);
  const sizes = size === undefined ? x.shape.map((d, i) => d - starts[i])
    : typeof size === 'number' ? [size, ...x.shape.slice(1).map((d, i) => d - starts[i + 1])] : size.slice();
  while (sizes.length < x.rank) sizes.push(x.shape[sizes.length] - starts[sizes.length]);
  const shape = sizes.map((s, i) => (s === -1 ? x.shape[i] - starts[i] : s));
  shape.forEach((s, i) => {
    if (!Number.isInteger(starts[i]) || starts[i] < 0 || s < 0 || starts[i] + s > x.shape[i]) {
      throw new Error(`slice: begin [${starts}] size [${sizes}] is out of bounds for ${describe(x)} (axis ${i})`);
    }
  });
  const strides = contiguousStrides(x.shape);
  const offset = starts.reduce((acc, s, i) => acc + s * strides[i], 0);
  const y = produce(shape, x.dtype, (out) => ENGINE.backend.copyStrided(storageOf(x, 'slice'), out,
    shape, strides, offset, contiguousStrides(shape), 0));
  ENGINE.record([x], y, (dy) => {
    const dx = produce(x.shape, 'float32', (out) => {
      ENGINE.backend.fill(out, x.size, 0);
      ENGINE.backend.copyStrided(storageOf(dy, 'slice grad'), out, shape, contiguousStrides(shape), 0, strides, offset);
    });
    return [dx];
  });
  return y;
}

export function concat(tensors: Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new Error('concat: expected a non-empty array of tensors');
  tensors.forEach((t, i) => checkTensor('concat', `tensors[${i}]`, t));
  const first = tensors[0];
  const a = resolveAxis('concat', axis, first.rank);
  for (const t of tensors) {
    if (t.rank !== first.rank || t.dtype !== first.dtype || t.shape.some((d, i) => i !== a && d !== first.shape[i])) {
      throw new Error(`concat: ${describe(t)} does not match ${describe(first)} outside axis ${a}`);
    }
  }
  const shape = first.shape.slice();
  shape[a] = tensors.reduce((acc, t) => acc + t.shape[a], 0);
  const outStrides = contiguousStrides(shape);
  const y = produce(shape, first.dtype, (out) => {
    let offset = 0;
    for (const t of tensors) {
      ENGINE.backend.copyStrided(storageOf(t, 'concat'), out, t.shape, contiguousStrides(t.shape), 0, outStrides, offset * outStrides[a]);
      offset += t.shape[a];
    }
  });
  ENGINE.record(tensors, y, (dy) => {
    let begin = 0;
    return tensors.map((t) => {
      const starts = new Array<number>(t.rank).fill(0);
      starts[a] = begin;
      begin += t.shape[a];
      return slice(dy, starts, t.shape);
    });
  });
  return y;
}

/** Rows of x (axis 0) at int32 `indices`, like tf.gather(x, indices) for axis 0. */
export function gather(x: Tensor, indices: Tensor | number[] | Int32Array): Tensor {
  checkTensor('gather', 'x', x);
  if (x.rank < 1) throw new Error(`gather: x must have rank >= 1; received ${describe(x)}`);
  const list = indices instanceof Int32Array ? indices : Array.isArray(indices) ? Int32Array.from(indices) : null;
  let indexTensor: Tensor;
  if (list) {
    for (let i = 0; i < list.length; i++) {
      if (list[i] < 0 || list[i] >= x.shape[0]) {
        throw new Error(`gather: index ${list[i]} at position ${i} is out of range [0, ${x.shape[0]})`);
      }
    }
    const storage = ENGINE.backend.alloc(list.length, 'int32');
    ENGINE.backend.write(storage, list);
    indexTensor = ENGINE.makeTensor([list.length], 'int32', storage);
  } else {
    indexTensor = checkTensor('gather', 'indices', indices);
    if (indexTensor.dtype !== 'int32' || indexTensor.rank !== 1) {
      throw new Error(`gather: indices must be a rank-1 int32 tensor; received ${describe(indexTensor)}`);
    }
  }
  const cols = x.size / Math.max(x.shape[0], 1);
  const count = indexTensor.size;
  const y = produce([count, ...x.shape.slice(1)], x.dtype, (out) =>
    ENGINE.backend.gatherRows(storageOf(x, 'gather'), storageOf(indexTensor, 'gather'), out, count, cols));
  if (list) indexTensor.dispose();
  return y;
}

/** Materialize x broadcast to `shape` (numpy rules). */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  checkTensor('broadcastTo', 'x', x);
  checkShape('broadcastTo', shape);
  if (shape.length < x.rank) throw new Error(`broadcastTo: cannot broadcast ${describe(x)} to [${shape}]`);
  const padded = [...new Array<number>(shape.length - x.rank).fill(1), ...x.shape];
  const xStrides = contiguousStrides(padded);
  const strides = padded.map((d, i) => {
    if (d === shape[i]) return d === 1 ? 0 : xStrides[i];
    if (d === 1) return 0;
    throw new Error(`broadcastTo: cannot broadcast ${describe(x)} to [${shape}] (axis ${i}: ${d} vs ${shape[i]})`);
  });
  return produce(shape, x.dtype, (out) => ENGINE.backend.copyStrided(storageOf(x, 'broadcastTo'), out,
    shape, strides, 0, contiguousStrides(shape), 0));
}
