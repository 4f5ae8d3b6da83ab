/**
 * String tensors through the shape ops. A string tensor's values live in JavaScript
 * (src/core/string-storage.ts), so each shape op checks `x.dtype === 'string'` at its entry
 * (after resolving its arguments as it does for numbers) and calls one function here, which
 * does the index arithmetic in TypeScript: a reshape is a view, slice / transpose / tile /
 * reverse / broadcastTo / stridedSlice are one strided read, concat, gather, where and the
 * comparisons read the values they pick. Nothing here reaches a backend, except the bool
 * result of a comparison. Gradients never flow through strings: none of this is recorded.
 *
 * This module imports only core and ops/util, so every op module may import it.
 */
import type { DType } from '../../backends/backend.js';
import { ENGINE } from '../../core/engine.js';
import { decodeUtf8, encodeUtf8, isStringStorage, stringStorage, STRINGS } from '../../core/string-storage.js';
import { Tensor, type Shape } from '../../core/tensor.js';
import { checkTensor, concatShape, contiguousStrides, describe, produce, sizeOf, toTensor } from '../util.js';

/** True for a live-or-not Tensor of dtype 'string' (an op's entry check; checkTensor comes after). */
export function isStringTensor(x: unknown): x is Tensor {
  return x instanceof Tensor && x.dtype === 'string';
}

/** A string tensor holding these UTF-8 values (tracked by the enclosing tidy, as every tensor). */
export function makeStringTensor(values: readonly Uint8Array[], shape: Shape): Tensor {
  return ENGINE.makeTensor(shape, 'string', stringStorage(values), STRINGS);
}

/** A string tensor's UTF-8 values, in row-major order. */
export function stringBytes(x: Tensor, op: string): readonly Uint8Array[] {
  checkTensor(op, 'x', x);
  const storage = x.ref.storage;
  if (!isStringStorage(storage)) throw new Error(`${op}: expected a string tensor; received ${describe(x)}`);
  return storage.values;
}

/** The error for a string tensor given to an op that takes none (the op runner's, and the binary ops'). */
export function refuseString(op: string, name: string): never {
  throw new Error(`${op}: '${name}' is a string tensor, which ${op} does not take (strings go through the shape ops, ` +
    'the comparisons and tf.string.*)');
}

/** reshape (and expandDims, squeeze): a view of the same values. */
export function stringReshape(x: Tensor, shape: Shape): Tensor {
  return ENGINE.makeView(checkTensor('reshape', 'x', x), shape);
}

/** clone: a new tensor of the same values (strings are never changed in place, so they are shared). */
export function stringClone(x: Tensor): Tensor {
  return makeStringTensor(stringBytes(x, 'clone').slice(), x.shape);
}

/**
 * out[t] = x[offset + sum t_i * strides_i] for every index t of `shape` (strides may be 0 or
 * negative): slice, transpose, tile, reverse, broadcastTo and stridedSlice in one loop.
 */
export function stringStrided(x: Tensor, shape: Shape, strides: number[], offset: number, op: string): Tensor {
  const values = stringBytes(x, op);
  return makeStringTensor(Array.from(stridedIndex(shape, strides, offset), (at) => values[at]), shape);
}

/** For every index t of `shape` in row-major order, offset + sum t_i * strides_i. */
function stridedIndex(shape: Shape, strides: number[], offset: number): Int32Array {
  const size = sizeOf(shape);
  const out = new Int32Array(size);
  const index = new Array<number>(shape.length).fill(0);
  let at = offset;
  for (let i = 0; i < size; i++) {
    out[i] = at;
    for (let k = shape.length - 1; k >= 0; k--) {
      if (++index[k] < shape[k]) { at += strides[k]; break; }
      at -= strides[k] * (shape[k] - 1);
      index[k] = 0;
    }
  }
  return out;
}

/** slice(x, begin, size), begin and size resolved (size -1 gone) as slice resolves them for numbers. */
export function stringSlice(x: Tensor, begin: number[], size: number[]): Tensor {
  size.forEach((s, i) => {
    if (!Number.isInteger(begin[i]) || begin[i] < 0 || !Number.isInteger(s) || s < 0 || begin[i] + s > x.shape[i]) {
      throw new Error(`slice: begin [${begin}] size [${size}] is out of bounds for ${describe(x)} (axis ${i})`);
    }
  });
  if (size.length !== x.rank) throw new Error(`slice: begin [${begin}] size [${size}] do not match the rank of ${describe(x)}`);
  const strides = contiguousStrides(x.shape);
  const empty = size.some((s) => s === 0);
  return stringStrided(x, size, strides, empty ? 0 : begin.reduce((acc, b, i) => acc + b * strides[i], 0), 'slice');
}

export function stringTranspose(x: Tensor, perm: number[]): Tensor {
  if (perm.length !== x.rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    throw new Error(`transpose: perm [${perm}] is not a permutation of the ${x.rank} axes of ${describe(x)}`);
  }
  const strides = contiguousStrides(x.shape);
  return stringStrided(x, perm.map((a) => x.shape[a]), perm.map((a) => strides[a]), 0, 'transpose');
}

/** tile: the output viewed as [r0, d0, r1, d1, ...] reads x with stride 0 along every repeat axis. */
export function stringTile(x: Tensor, reps: number[]): Tensor {
  if (reps.length !== x.rank || reps.some((r) => !Number.isInteger(r) || r < 0)) {
    throw new Error(`tile: reps [${reps}] must be ${x.rank} non-negative integers for ${describe(x)}`);
  }
  const strides = contiguousStrides(x.shape);
  const read = stringStrided(x, x.shape.flatMap((d, i) => [reps[i], d]), strides.flatMap((s) => [0, s]), 0, 'tile');
  const result = ENGINE.makeView(read, x.shape.map((d, i) => d * reps[i]));
  read.dispose();
  return result;
}

/** reverse along `axes` (resolved, non-negative). */
export function stringReverse(x: Tensor, axes: number[]): Tensor {
  const strides = contiguousStrides(x.shape);
  const empty = x.size === 0;
  const offset = empty ? 0 : axes.reduce((acc, a) => acc + (x.shape[a] - 1) * strides[a], 0);
  return stringStrided(x, x.shape, strides.map((s, i) => (axes.includes(i) ? -s : s)), offset, 'reverse');
}

/** broadcastTo(x, shape), numpy's rules. */
export function stringBroadcastTo(x: Tensor, shape: Shape): Tensor {
  return stringStrided(x, shape, broadcastStrides('broadcastTo', x.shape, shape), 0, 'broadcastTo');
}

/** stridedSlice, its masks resolved by stridedSlice into a start, step and count per axis. */
export function stringStridedSlice(x: Tensor, start: number[], step: number[], counts: number[], outShape: Shape): Tensor {
  const strides = contiguousStrides(x.shape);
  const empty = counts.some((n) => n === 0);
  const offset = empty ? 0 : start.reduce((acc, s, i) => acc + s * strides[i], 0);
  const read = stringStrided(x, counts, strides.map((s, i) => s * step[i]), offset, 'stridedSlice');
  const result = ENGINE.makeView(read, outShape);
  read.dispose();
  return result;
}

/** concat along `axis` (resolved); every tensor must be a string tensor. */
export function stringConcat(tensors: Tensor[], axis: number): Tensor {
  const first = tensors[0];
  const shape = concatShape(tensors, axis);
  const outer = sizeOf(first.shape.slice(0, axis));
  const out: Uint8Array[] = [];
  const parts = tensors.map((t) => ({ values: stringBytes(t, 'concat'), run: sizeOf(t.shape.slice(axis)) }));
  for (let o = 0; o < outer; o++) {
    for (const { values, run } of parts) for (let k = 0; k < run; k++) out.push(values[o * run + k]);
  }
  return makeStringTensor(out, shape);
}

/**
 * gather(x, indices, axis, batchDims), axis resolved: x.shape[:axis] + indices.shape[batchDims:]
 * + x.shape[axis + 1:]. The indices are read synchronously (CPU backends).
 */
export function stringGather(x: Tensor, indices: Tensor, axis: number, batchDims: number): Tensor {
  if (indices.dtype !== 'int32') throw new Error(`gather: indices must be int32; received ${describe(indices)}`);
  if (batchDims < 0 || batchDims > indices.rank || batchDims > axis) {
    throw new Error(`gather: batchDims ${batchDims} must be in [0, min(indices rank ${indices.rank}, axis ${axis})]`);
  }
  for (let i = 0; i < batchDims; i++) {
    if (x.shape[i] !== indices.shape[i]) {
      throw new Error(`gather: x ${describe(x)} and indices ${describe(indices)} differ in batch axis ${i}`);
    }
  }
  if (!indices.ref.backend.syncReadable) {
    throw new Error(`gather: gathering strings reads the indices synchronously, which the '${indices.ref.backend.name}' ` +
      'backend cannot; gather the indices of a CPU backend');
  }
  const picks = indices.dataSync();
  const values = stringBytes(x, 'gather');
  const dim = x.shape[axis];
  const batch = sizeOf(x.shape.slice(0, batchDims));
  const outer = sizeOf(x.shape.slice(batchDims, axis));
  const count = sizeOf(indices.shape.slice(batchDims));
  const inner = sizeOf(x.shape.slice(axis + 1));
  const out: Uint8Array[] = [];
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < count; k++) {
        const at = b * count + k;
        const v = picks[at];
        if (v < 0 || v >= dim) throw new Error(`gather: index ${v} at position ${at} is out of range [0, ${dim}) (indices)`);
        const base = ((b * outer + o) * dim + v) * inner;
        for (let i = 0; i < inner; i++) out.push(values[base + i]);
      }
    }
  }
  return makeStringTensor(out, [...x.shape.slice(0, axis), ...indices.shape.slice(batchDims), ...x.shape.slice(axis + 1)]);
}

/** numpy's broadcast of several shapes, the error naming the op and the axis at fault. */
function broadcastShape(op: string, shapes: Shape[]): Shape {
  const rank = Math.max(...shapes.map((s) => s.length));
  return Array.from({ length: rank }, (_, i) => {
    let d = 1;
    for (const s of shapes) {
      const e = s[s.length - rank + i] ?? 1;
      if (e !== 1 && d !== 1 && e !== d) {
        throw new Error(`${op}: shapes ${shapes.map((x) => `[${x}]`).join(' and ')} cannot be broadcast together (axis ${i}: ${d} vs ${e})`);
      }
      if (e !== 1) d = e;
    }
    return d;
  });
}

/** Strides that read `shape` broadcast to `out` (0 along broadcast axes). */
function broadcastStrides(op: string, shape: Shape, out: Shape): number[] {
  if (out.length < shape.length) throw new Error(`${op}: cannot broadcast shape [${shape}] to [${out}]`);
  const padded = [...new Array<number>(out.length - shape.length).fill(1), ...shape];
  const strides = contiguousStrides(padded);
  return padded.map((d, i) => {
    if (d !== out[i] && d !== 1) throw new Error(`${op}: cannot broadcast shape [${shape}] to [${out}] (axis ${i}: ${d} vs ${out[i]})`);
    return d === 1 ? 0 : strides[i];
  });
}

/** For every index of `out`, the flat index into a tensor of `shape` broadcast to it. */
function broadcastIndex(shape: Shape, out: Shape, op: string): Int32Array {
  return stridedIndex(out, broadcastStrides(op, shape, out), 0);
}

/** where(condition, a, b) with string a and b: condition bool, all three broadcast together. */
export function stringWhere(condition: Tensor, a: Tensor, b: Tensor): Tensor {
  if (condition.dtype !== 'bool') throw new Error(`where: condition must be 'bool'; received ${describe(condition)}`);
  if (a.dtype !== b.dtype) throw new Error(`where: a and b must share a dtype; received a ${describe(a)}, b ${describe(b)}`);
  if (!condition.ref.backend.syncReadable) {
    throw new Error(`where: choosing strings reads the condition synchronously, which the '${condition.ref.backend.name}' backend cannot`);
  }
  const shape = broadcastShape('where', [condition.shape, a.shape, b.shape]);
  const [ci, ai, bi] = [condition, a, b].map((t) => broadcastIndex(t.shape, shape, 'where'));
  const c = condition.dataSync();
  const [av, bv] = [stringBytes(a, 'where'), stringBytes(b, 'where')];
  return makeStringTensor(Array.from({ length: ci.length }, (_, i) => (c[ci[i]] ? av[ai[i]] : bv[bi[i]])), shape);
}

/** The comparisons TF.js runs on strings, on the decoded values (JavaScript's string order). */
const COMPARE: Record<string, (a: string, b: string) => boolean> = {
  equal: (a, b) => a === b,
  notEqual: (a, b) => a !== b,
  less: (a, b) => a < b,
  lessEqual: (a, b) => a <= b,
  greater: (a, b) => a > b,
  greaterEqual: (a, b) => a >= b,
};

/**
 * A binary op with a string operand: the comparisons of two string tensors (broadcast), as
 * bool; every other binary op, or a string with a number, is refused naming the op. Plain
 * values become tensors as the binary ops make them (`make`).
 */
export function stringBinary(op: string, a: unknown, b: unknown,
  make: (values: unknown, dtype: DType | undefined) => Tensor): Tensor {
  const compare = COMPARE[op];
  if (!compare) refuseString(op, isStringTensor(a) || typeof a === 'string' ? 'a' : 'b');
  return ENGINE.tidy(() => {
    const x = toTensor(op, 'a', a, undefined, make).tensor;
    const y = toTensor(op, 'b', b, undefined, make).tensor;
    if (x.dtype !== 'string' || y.dtype !== 'string') {
      throw new Error(`${op}: cannot compare a ${x.dtype} tensor with a ${y.dtype} tensor; both operands must be strings ` +
        `(a ${describe(x)}, b ${describe(y)})`);
    }
    const shape = broadcastShape(op, [x.shape, y.shape]);
    const [xi, yi] = [x, y].map((t) => broadcastIndex(t.shape, shape, op));
    const [xs, ys] = [x, y].map((t) => stringBytes(t, op).map(decodeUtf8));
    const out = Int32Array.from({ length: xi.length }, (_, i) => (compare(xs[xi[i]], ys[yi[i]]) ? 1 : 0));
    return produce(shape, 'bool', (storage) => ENGINE.backend.write(storage, out));
  });
}

/**
 * One value of a string tensor as UTF-8: a string, bytes (copied, so that changing the caller's
 * array changes no tensor: string values are never changed in place, and views share them),
 * or a number or boolean as its text.
 */
export function encodeLeaf(op: string, value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value.slice();
  if (typeof value === 'string') return encodeUtf8(value);
  if (typeof value === 'number' || typeof value === 'boolean') return encodeUtf8(String(value));
  throw new Error(`${op}: a string tensor's values must be strings (or Uint8Array bytes); received ${typeof value}`);
}
