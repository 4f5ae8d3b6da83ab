/**
 * Ordering and selection: topk (the `topk` kernel), inTopKAsync (topk's indices compared on
 * the backend), searchSorted / lowerBound / upperBound (comparisons counted on the backend),
 * and the ops whose output shape depends on the values: unique (synchronous, as in TF.js:
 * backends that can read synchronously only), booleanMaskAsync, whereAsync and
 * setdiff1dAsync (which read their mask, condition or values back, as TF.js does).
 */
import { ENGINE } from '../../core/engine.js';
import type { Shape, Tensor } from '../../core/tensor.js';
import { equal, less, lessEqual } from '../math/binary.js';
import { tensor } from '../creation.js';
import { gather } from './gather-scatter.js';
import { register, runOp, run1, spec, type OpDef } from '../registry.js';
import { sum } from '../reduce/reduce.js';
import { any } from '../reduce/derived.js';
import { cast, reshape } from '../structure/shape.js';
import { chain, checkTensor, describe, produce, refuseComplex, resolveAxis, sizeOf, storageOf } from '../util.js';
import { withInputs, type Input } from '../inputs.js';

const TOPK: OpDef<{ k: number }> = register<{ k: number }>({
  name: 'topk',
  inputs: ['x'],
  infer([x], { k }) {
    if (x.dtype === 'bool') throw new Error(`topk: x must be float32 or int32; received ${describe(x)}`);
    if (x.rank < 1) throw new Error(`topk: x must have rank >= 1; received ${describe(x)}`);
    const cols = x.shape[x.rank - 1];
    if (!Number.isInteger(k) || k < 0 || k > cols) {
      throw new Error(`topk: k must be an integer in [0, ${cols}] (the last axis of ${describe(x)}); received ${k}`);
    }
    const shape = [...x.shape.slice(0, -1), k];
    return [{ shape, dtype: x.dtype }, { shape, dtype: 'int32' }];
  },
  kernel: {
    available: (backend, _, [x]) => backend.topk !== undefined && x.dtype === 'float32',
    run: (backend, [x], { k }, [out]) => {
      const cols = x.shape[x.rank - 1];
      const rows = cols === 0 ? 0 : x.size / cols;
      const indices = ENGINE.backend.alloc(sizeOf(out.shape), 'int32');
      try {
        const values = produce(out.shape, 'float32', (storage) => backend.topk(storageOf(x, 'topk'), storage, indices, rows, cols, k));
        return [values, ENGINE.makeTensor(out.shape, 'int32', indices)];
      } catch (error) {
        ENGINE.backend.free(indices);
        throw error;
      }
    },
  },
  // int32 values go through float32 (exact below 2^24) and come back.
  compose: ([x], attrs) => ENGINE.tidy(() => {
    const [values, indices] = runOp(TOPK, [cast(x, 'float32')], attrs);
    return [cast(values, x.dtype), indices];
  }),
  grad: 'none',
});

/**
 * tf.topk(x, k = 1, sorted = true): the k largest values of the last axis, in descending
 * order, and their int32 indices (ties: the lower index first). Not differentiable, as in TF.js.
 */
export function topk(x: Input, k = 1, sorted = true): { values: Tensor; indices: Tensor } {
  return withInputs('topk', [['x', x]], ([t]) => topkOf(t, k, sorted));
}
function topkOf(x: Tensor, k = 1, sorted = true): { values: Tensor; indices: Tensor } {
  checkTensor('topk', 'x', x);
  void sorted; // results are always sorted, which TF.js allows for sorted = false too
  const [values, indices] = runOp(TOPK, [x], { k });
  return { values, indices };
}

/**
 * The insertion points take the shape of `values`, except that 1-D values give [1, n], as
 * TF.js 4.22 returns them (it runs on 2-D views and does not reshape back). For values of
 * rank 3 and more TF.js returns the 2-D view's [rows, n], contrary to its documentation ("the
 * size of values"); sora keeps values' shape there.
 */
function searchSortedShape(values: Tensor): Shape {
  return values.rank === 1 ? [1, values.shape[0]] : values.shape;
}

const SEARCH_SORTED = register<{ side: 'left' | 'right' }>({
  name: 'searchSorted',
  inputs: ['sortedSequence', 'values'],
  infer([seq, values]) {
    if (seq.rank < 1 || values.rank < 1) {
      throw new Error(`searchSorted: sortedSequence ${describe(seq)} and values ${describe(values)} must have rank >= 1`);
    }
    if (seq.dtype !== values.dtype) throw new Error(`searchSorted: sortedSequence ${describe(seq)} and values ${describe(values)} differ in dtype`);
    const rows = (t: Tensor) => sizeOf(t.shape.slice(0, -1));
    if (rows(seq) !== rows(values)) {
      throw new Error(`searchSorted: the leading dimensions of sortedSequence ${describe(seq)} and values ${describe(values)} must match`);
    }
    return spec(searchSortedShape(values), 'int32');
  },
  // For each value, how many sequence entries are below it (left) or not above it (right).
  compose: ([seq, values], { side }) => ENGINE.tidy(() => {
    const m = seq.shape[seq.rank - 1], n = values.shape[values.rank - 1];
    const rows = sizeOf(values.shape.slice(0, -1));
    const below = (side === 'left' ? less : lessEqual)(reshape(seq, [rows, 1, m]), reshape(values, [rows, n, 1]));
    return [reshape(sum(cast(below, 'int32'), 2), searchSortedShape(values))];
  }),
  grad: 'none',
});

/** tf.searchSorted(sortedSequence, values, side = 'left'): insertion points (int32) per row. */
export function searchSorted(sortedSequence: Input, values: Input, side: 'left' | 'right' = 'left'): Tensor {
  return withInputs('searchSorted', [['sortedSequence', sortedSequence], ['values', values]], ([s, v]) => searchSortedOf(s, v, side));
}
function searchSortedOf(sortedSequence: Tensor, values: Tensor, side: 'left' | 'right' = 'left'): Tensor {
  checkTensor('searchSorted', 'sortedSequence', sortedSequence);
  checkTensor('searchSorted', 'values', values);
  if (side !== 'left' && side !== 'right') throw new Error(`searchSorted: side must be 'left' or 'right'; received ${String(side)}`);
  return run1(SEARCH_SORTED, [sortedSequence, values], { side });
}
/**
 * For each value, the first index in the sorted sequence (its last axis) where it could be inserted keeping
 * the order: searchSorted with side 'left' (tf.lowerBound).
 */
export const lowerBound = (sortedSequence: Input, values: Input): Tensor =>
  (refuseComplex('lowerBound', 'sortedSequence', sortedSequence), searchSorted(sortedSequence, values, 'left'));
/**
 * For each value, the last index in the sorted sequence (its last axis) where it could be inserted keeping
 * the order: searchSorted with side 'right' (tf.upperBound).
 */
export const upperBound = (sortedSequence: Input, values: Input): Tensor =>
  (refuseComplex('upperBound', 'sortedSequence', sortedSequence), searchSorted(sortedSequence, values, 'right'));

/**
 * tf.unique(x, axis = 0): the distinct slices along the axis in order of first appearance,
 * and for each slice of x the int32 index of its value. Its output shape depends on the
 * values, so it reads x; as that must be synchronous, it works where values can be read
 * synchronously (reference, wasm) and says so elsewhere.
 */
export function unique(x: Input, axis = 0): { values: Tensor; indices: Tensor } {
  refuseComplex('unique', 'x', x);
  return withInputs('unique', [['x', x]], ([t]) => uniqueOf(t, axis));
}
function uniqueOf(x: Tensor, axis = 0): { values: Tensor; indices: Tensor } {
  checkTensor('unique', 'x', x);
  if (!x.ref.backend.syncReadable) {
    throw new Error(`unique: its output shape depends on x's values, which the '${x.ref.backend.name}' backend can ` +
      'only read asynchronously; read them with `await x.data()` or run unique on the wasm backend');
  }
  if (x.rank === 0) throw new Error(`unique: x must have rank >= 1; received ${describe(x)}`);
  const a = resolveAxis('unique', axis, x.rank);
  const data = x.dataSync();
  const outer = sizeOf(x.shape.slice(0, a)), length = x.shape[a], inner = sizeOf(x.shape.slice(a + 1));
  const keyOf = (l: number): string => {
    const parts: number[] = [];
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) parts.push(data[(o * length + l) * inner + i]);
    return parts.map((v) => (Object.is(v, -0) ? 0 : v)).join(',');
  };
  const seen = new Map<string, number>();
  const firsts: number[] = [];
  const indices = Int32Array.from({ length }, (_, l) => {
    const key = keyOf(l);
    let at = seen.get(key);
    if (at === undefined) { at = firsts.length; seen.set(key, at); firsts.push(l); }
    return at;
  });
  return ENGINE.tidy(() => ({
    values: gather(x, tensor(firsts, [firsts.length], 'int32'), a),
    indices: tensor(indices, [length], 'int32'),
  }));
}

/** tf.booleanMaskAsync(tensor, mask, axis = 0): the slices where the 'bool' mask is true. */
export async function booleanMaskAsync(t: Input, mask: Input, axis = 0): Promise<Tensor> {
  refuseComplex('booleanMaskAsync', 'tensor', t);
  const made = withInputs('booleanMaskAsync', [['tensor', t], ['mask', mask, 'bool']], (list) => list);
  try {
    return await booleanMaskAsyncOf(made[0], made[1], axis);
  } finally {
    made.forEach((x, i) => { if (x !== [t, mask][i]) x.dispose(); });
  }
}
async function booleanMaskAsyncOf(t: Tensor, mask: Tensor, axis = 0): Promise<Tensor> {
  checkTensor('booleanMaskAsync', 'tensor', t);
  checkTensor('booleanMaskAsync', 'mask', mask);
  if (mask.dtype !== 'bool') throw new Error(`booleanMaskAsync: mask must be 'bool'; received ${describe(mask)}`);
  const a = resolveAxis('booleanMaskAsync', axis, Math.max(t.rank, 1));
  if (mask.rank === 0 || t.shape.slice(a, a + mask.rank).join() !== mask.shape.join()) {
    throw new Error(`booleanMaskAsync: mask ${describe(mask)} must match tensor ${describe(t)} from axis ${a}`);
  }
  const flags = await mask.data();
  const kept = [...flags.keys()].filter((i) => flags[i] !== 0);
  return ENGINE.tidy(() => {
    const merged = reshape(t, [...t.shape.slice(0, a), mask.size, ...t.shape.slice(a + mask.rank)]);
    return gather(merged, tensor(kept, [kept.length], 'int32'), a);
  });
}

/** tf.whereAsync(condition): the coordinates (int32, [count, rank]) of the true elements. */
export async function whereAsync(condition: Input): Promise<Tensor> {
  const [made] = withInputs('whereAsync', [['condition', condition, 'bool']], (list) => list);
  try {
    return await whereAsyncOf(made);
  } finally {
    if (made !== condition) made.dispose();
  }
}
async function whereAsyncOf(condition: Tensor): Promise<Tensor> {
  checkTensor('whereAsync', 'condition', condition);
  if (condition.dtype !== 'bool') throw new Error(`whereAsync: condition must be 'bool'; received ${describe(condition)}`);
  const flags = await condition.data();
  const coordinates: number[] = [];
  let count = 0;
  for (let i = 0; i < flags.length; i++) {
    if (flags[i] === 0) continue;
    count++;
    let rest = i;
    const coordinate = new Array<number>(condition.rank);
    for (let d = condition.rank - 1; d >= 0; d--) { coordinate[d] = rest % condition.shape[d]; rest = Math.floor(rest / condition.shape[d]); }
    coordinates.push(...coordinate);
  }
  return tensor(coordinates, [count, condition.rank], 'int32');
}

/** tf.setdiff1dAsync(x, y): [values of x not in y (in order), their int32 positions in x]. */
export async function setdiff1dAsync(x: Input, y: Input): Promise<[Tensor, Tensor]> {
  const made = withInputs('setdiff1dAsync', [['x', x], ['y', y]], (list) => list);
  try {
    return await setdiff1dAsyncOf(made[0], made[1]);
  } finally {
    made.forEach((t, i) => { if (t !== [x, y][i]) t.dispose(); });
  }
}
async function setdiff1dAsyncOf(x: Tensor, y: Tensor): Promise<[Tensor, Tensor]> {
  checkTensor('setdiff1dAsync', 'x', x);
  checkTensor('setdiff1dAsync', 'y', y);
  if (x.dtype !== y.dtype) throw new Error(`setdiff1dAsync: x ${describe(x)} and y ${describe(y)} differ in dtype`);
  if (x.rank !== 1 || y.rank !== 1) throw new Error(`setdiff1dAsync: x and y must be 1-D; received ${describe(x)} and ${describe(y)}`);
  const [xs, ys] = await Promise.all([x.data(), y.data()]);
  const drop = new Set(ys);
  const positions = [...xs.keys()].filter((i) => !drop.has(xs[i]));
  return [tensor(positions.map((i) => xs[i]), [positions.length], x.dtype), tensor(positions, [positions.length], 'int32')];
}

/**
 * tf.inTopKAsync(predictions, targets, k = 1): whether each target class is among its row's
 * k largest predictions ('bool'); ties rank the lower class first. Computed on the backend.
 */
export async function inTopKAsync(predictions: Input, targets: Input, k = 1): Promise<Tensor> {
  refuseComplex('inTopKAsync', 'predictions', predictions);
  return withInputs('inTopKAsync', [['predictions', predictions], ['targets', targets, 'int32']], ([p, t]) => inTopKAsyncOf(p, t, k));
}
function inTopKAsyncOf(predictions: Tensor, targets: Tensor, k = 1): Tensor {
  checkTensor('inTopKAsync', 'predictions', predictions);
  checkTensor('inTopKAsync', 'targets', targets);
  if (predictions.rank < 2) throw new Error(`inTopKAsync: predictions must have rank 2 or more (a row per target); received ${describe(predictions)}`);
  if (predictions.rank < 1 || targets.rank !== predictions.rank - 1 ||
    targets.shape.some((d, i) => d !== predictions.shape[i])) {
    throw new Error(`inTopKAsync: targets ${describe(targets)} must match the leading axes of predictions ${describe(predictions)}`);
  }
  if (targets.dtype !== 'int32') throw new Error(`inTopKAsync: targets must be int32; received ${describe(targets)}`);
  return ENGINE.tidy(() => {
    const { indices } = topk(predictions, k);
    return any(equal(indices, reshape(targets, [...targets.shape, 1])), -1);
  });
}

declare module '../../core/tensor.js' {
  interface Tensor {
    topk(k?: number, sorted?: boolean): { values: Tensor; indices: Tensor };
    unique(axis?: number): { values: Tensor; indices: Tensor };
  }
}
chain({
  topk(k?: number, sorted?: boolean) { return topk(this, k, sorted); },
  unique(axis?: number) { return unique(this, axis); },
});
