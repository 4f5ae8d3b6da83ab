/**
 * Structural ops: tile, pad, mirrorPad, reverse, stridedSlice (one strided copy or one
 * gather each, with their gradients), and split, stack, unstack composed of slices and
 * concat. Negative strides in `copyStrided` walk an axis backwards (reverse, stridedSlice).
 */
import type { DType } from '../../backends/backend.js';
import { ENGINE } from '../../core/engine.js';
import type { Shape, Tensor } from '../../core/tensor.js';
import { tensor } from '../creation.js';
import { register, run1, spec, type OpDef } from '../registry.js';
import { sum } from '../reduce/reduce.js';
import { concat, expandDims, reshape, slice } from './shape.js';
import { gatherRows, unsortedSegmentSum } from '../indexing/gather-scatter.js';
import { chain, checkTensor, contiguousStrides, describe, produce, refuseComplex, resolveAxis, sizeOf, storageOf } from '../util.js';
import { allTensors, withInputs, type Input } from '../inputs.js';
import { stringReverse, stringStridedSlice, stringTile } from '../string/movement.js';

const TILE = register<{ reps: number[]; inShape: Shape }>({
  name: 'tile',
  inputs: ['x'],
  infer([x], { reps }) {
    if (reps.length !== x.rank || reps.some((r) => !Number.isInteger(r) || r < 0)) {
      throw new Error(`tile: reps [${reps}] must be ${x.rank} non-negative integers for ${describe(x)}`);
    }
    return spec(x.shape.map((d, i) => d * reps[i]), x.dtype);
  },
  // out viewed as [r0, d0, r1, d1, ...]: x read with stride 0 along every repeat axis.
  kernel: {
    available: () => true,
    run: (backend, [x], { reps }, [out]) => [produce(out.shape, x.dtype, (storage) => {
      const strides = contiguousStrides(x.shape);
      const shape = x.shape.flatMap((d, i) => [reps[i], d]);
      backend.copyStrided(storageOf(x, 'tile'), storage, shape, strides.flatMap((s) => [0, s]), 0, contiguousStrides(shape), 0);
    })],
  },
  grad: ([dy], _, { reps, inShape }) => {
    const shape = inShape.flatMap((d, i) => [reps[i], d]);
    return [reshape(sum(reshape(dy, shape), reps.map((_, i) => 2 * i)), inShape)];
  },
});

/** Repeated axes per strided copy: [r, d] pairs of at most 4 keep webgpu's copy within rank 8. */
const TILE_AXES_PER_COPY = 4;

/** tf.tile(x, reps); more than four repeated axes run as successive tiles. */
export function tile(x: Input, reps: number[]): Tensor {
  return withInputs('tile', [['x', x]], ([t]) => tileOf(t, reps));
}
function tileOf(x: Tensor, reps: number[]): Tensor {
  checkTensor('tile', 'x', x);
  if (x.dtype === 'string') return stringTile(x, Array.from(reps));
  const list = Array.from(reps);
  const repeated = list.flatMap((r, i) => (r !== 1 ? [i] : []));
  if (list.length !== x.rank || repeated.length <= TILE_AXES_PER_COPY) return run1(TILE, [x], { reps: list, inShape: x.shape });
  return ENGINE.tidy(() => {
    let y = x;
    for (let start = 0; start < repeated.length; start += TILE_AXES_PER_COPY) {
      const group = repeated.slice(start, start + TILE_AXES_PER_COPY);
      y = run1(TILE, [y], { reps: list.map((r, i) => (group.includes(i) ? r : 1)), inShape: y.shape });
    }
    return y;
  });
}

function checkPaddings(op: string, x: Tensor, paddings: [number, number][]): [number, number][] {
  if (!Array.isArray(paddings) || paddings.length !== x.rank ||
    paddings.some((p) => !Array.isArray(p) || p.length !== 2 || p.some((v) => !Number.isInteger(v) || v < 0))) {
    throw new Error(`${op}: paddings must be ${x.rank} pairs of non-negative integers for ${describe(x)}; ` +
      `received ${JSON.stringify(paddings)}`);
  }
  return paddings.map(([a, b]) => [a, b]);
}

const PAD = register<{ paddings: [number, number][]; constantValue: number }>({
  name: 'pad',
  inputs: ['x'],
  infer: ([x], { paddings }) => spec(x.shape.map((d, i) => d + paddings[i][0] + paddings[i][1]), x.dtype),
  kernel: {
    available: () => true,
    run: (backend, [x], { paddings, constantValue }, [out]) => [produce(out.shape, x.dtype, (storage) => {
      const strides = contiguousStrides(out.shape);
      backend.fill(storage, sizeOf(out.shape), constantValue);
      backend.copyStrided(storageOf(x, 'pad'), storage, x.shape, contiguousStrides(x.shape), 0, strides,
        paddings.reduce((acc, [before], i) => acc + before * strides[i], 0));
    })],
  },
  grad: ([dy], _, { paddings }) => [slice(dy, paddings.map(([before]) => before),
    dy.shape.map((d, i) => d - paddings[i][0] - paddings[i][1]))],
});

/** tf.pad(x, paddings, constantValue = 0): paddings[i] = [before, after] for axis i. */
export function pad(x: Input, paddings: [number, number][], constantValue = 0): Tensor {
  return withInputs('pad', [['x', x]], ([t]) => padOf(t, paddings, constantValue));
}
function padOf(x: Tensor, paddings: [number, number][], constantValue = 0): Tensor {
  checkTensor('pad', 'x', x);
  if (x.rank === 0) throw new Error('pad: x must have rank >= 1 (a scalar has nothing to pad, as TF.js says)');
  if (typeof constantValue !== 'number') throw new Error(`pad: constantValue must be a number; received ${typeof constantValue}`);
  return run1(PAD, [x], { paddings: checkPaddings('pad', x, paddings), constantValue });
}

interface MirrorAttrs { paddings: [number, number][]; mode: 'reflect' | 'symmetric' }

/** For every output element, the flat index of the input element it copies. */
function mirrorIndexMap(shape: Shape, { paddings, mode }: MirrorAttrs): { values: number[]; outShape: Shape } {
  const outShape = shape.map((d, i) => d + paddings[i][0] + paddings[i][1]);
  const strides = contiguousStrides(shape);
  const edge = mode === 'reflect' ? 1 : 0;
  const source = (axis: number, o: number): number => {
    const d = shape[axis];
    let i = o - paddings[axis][0];
    if (i < 0) i = -i - 1 + edge;
    else if (i >= d) i = 2 * d - i - 1 - edge;
    return i;
  };
  const values: number[] = [];
  const walk = (axis: number, base: number): void => {
    if (axis === shape.length) { values.push(base); return; }
    for (let o = 0; o < outShape[axis]; o++) walk(axis + 1, base + source(axis, o) * strides[axis]);
  };
  if (sizeOf(outShape) > 0) walk(0, 0);
  return { values, outShape };
}

const MIRROR_PAD = register<MirrorAttrs>({
  name: 'mirrorPad',
  inputs: ['x'],
  infer([x], { paddings, mode }) {
    const limit = mode === 'reflect' ? 1 : 0;
    paddings.forEach(([a, b], i) => {
      if (Math.max(a, b) > x.shape[i] - limit) {
        throw new Error(`mirrorPad: padding [${a}, ${b}] of axis ${i} is more than ${mode === 'reflect'
          ? 'size - 1' : 'the size'} (${x.shape[i] - limit}) of ${describe(x)} in '${mode}' mode`);
      }
    });
    return spec(x.shape.map((d, i) => d + paddings[i][0] + paddings[i][1]), x.dtype);
  },
  // A gather of single elements through an index map made from the shapes alone.
  compose: ([x], attrs) => ENGINE.tidy(() => {
    const { values, outShape } = mirrorIndexMap(x.shape, attrs);
    return [reshape(gatherRows(reshape(x, [x.size, 1]), tensor(values, [values.length], 'int32')), outShape)];
  }),
  // Every output element's gradient summed into the element it copied.
  grad: ([dy], _, attrs) => {
    const inShape = dy.shape.map((d, i) => d - attrs.paddings[i][0] - attrs.paddings[i][1]);
    const { values } = mirrorIndexMap(inShape, attrs);
    const summed = unsortedSegmentSum(reshape(dy, [dy.size]), tensor(values, [values.length], 'int32'), sizeOf(inShape));
    return [reshape(summed, inShape)];
  },
});

/** tf.mirrorPad(x, paddings, mode): 'reflect' leaves out the edge, 'symmetric' repeats it. */
export function mirrorPad(x: Input, paddings: [number, number][], mode: 'reflect' | 'symmetric'): Tensor {
  return withInputs('mirrorPad', [['x', x]], ([t]) => mirrorPadOf(t, paddings, mode));
}
function mirrorPadOf(x: Tensor, paddings: [number, number][], mode: 'reflect' | 'symmetric'): Tensor {
  checkTensor('mirrorPad', 'x', x);
  if (mode !== 'reflect' && mode !== 'symmetric') {
    throw new Error(`mirrorPad: mode must be 'reflect' or 'symmetric'; received ${JSON.stringify(mode)}`);
  }
  return run1(MIRROR_PAD, [x], { paddings: checkPaddings('mirrorPad', x, paddings), mode });
}

/** One strided read of x: `start` and `step` per axis, `counts` elements per axis. */
function stridedCopy(x: Tensor, start: number[], step: number[], counts: number[], dtype: DType, op: string): Tensor {
  const strides = contiguousStrides(x.shape);
  const empty = counts.some((n) => n === 0);
  const offset = empty ? 0 : start.reduce((acc, s, i) => acc + s * strides[i], 0);
  return produce(counts, dtype, (out) => ENGINE.backend.copyStrided(storageOf(x, op), out, counts,
    strides.map((s, i) => s * step[i]), offset, contiguousStrides(counts), 0));
}

const REVERSE: OpDef<{ axes: number[] }> = register<{ axes: number[] }>({
  name: 'reverse',
  inputs: ['x'],
  infer: ([x]) => spec(x.shape, x.dtype),
  kernel: {
    available: () => true,
    run: (_, [x], { axes }) => [stridedCopy(x, x.shape.map((d, i) => (axes.includes(i) ? d - 1 : 0)),
      x.shape.map((_, i) => (axes.includes(i) ? -1 : 1)), x.shape, x.dtype, 'reverse')],
  },
  grad: ([dy], _, { axes }) => [run1(REVERSE, [dy], { axes })],
});

/** tf.reverse(x, axis?): every axis when none is given. */
export function reverse(x: Input, axis?: number | number[]): Tensor {
  return withInputs('reverse', [['x', x]], ([t]) => reverseOf(t, axis));
}
function reverseOf(x: Tensor, axis?: number | number[]): Tensor {
  checkTensor('reverse', 'x', x);
  const axes = axis === undefined || axis === null ? [...x.shape.keys()]
    : (Array.isArray(axis) ? axis : [axis]).map((a) => resolveAxis('reverse', a, x.rank));
  if (x.dtype === 'string') return stringReverse(x, axes);
  return run1(REVERSE, [x], { axes });
}

interface StridedAttrs { start: number[]; step: number[]; counts: number[]; outShape: Shape; inShape: Shape }

const STRIDED_SLICE: OpDef<StridedAttrs> = register<StridedAttrs>({
  name: 'stridedSlice',
  inputs: ['x'],
  infer: ([x], { outShape }) => spec(outShape, x.dtype),
  kernel: {
    available: () => true,
    run: (_, [x], { start, step, counts, outShape }) => {
      const read = stridedCopy(x, start, step, counts, x.dtype, 'stridedSlice');
      const result = ENGINE.makeView(read, outShape);
      read.dispose();
      return [result];
    },
  },
  // TF.js has none; here dy goes back to the positions it was read from.
  grad: ([dy], _, attrs) => [run1(STRIDED_PLACE, [reshape(dy, attrs.counts)], attrs)],
});

/** stridedSlice's gradient: dy (shape `counts`) written at the strided positions of zeros of inShape. */
const STRIDED_PLACE: OpDef<StridedAttrs> = register<StridedAttrs>({
  name: 'stridedPlace',
  inputs: ['dy'],
  infer: ([dy], { inShape }) => spec(inShape, dy.dtype),
  kernel: {
    available: () => true,
    run: (backend, [dy], { start, step, counts, inShape }) => [produce(inShape, dy.dtype, (out) => {
      const strides = contiguousStrides(inShape);
      backend.fill(out, sizeOf(inShape), 0);
      if (counts.some((n) => n === 0)) return;
      backend.copyStrided(storageOf(dy, 'stridedSlice grad'), out, counts, contiguousStrides(counts), 0,
        strides.map((s, i) => s * step[i]), start.reduce((acc, s, i) => acc + s * strides[i], 0));
    })],
  },
  grad: ([ddx], _, attrs) => [reshape(run1(STRIDED_SLICE, [ddx], attrs), attrs.counts)],
});

const bit = (mask: number, i: number): boolean => ((mask >> i) & 1) === 1;

/**
 * tf.stridedSlice(x, begin, end, strides?, beginMask?, endMask?, ellipsisMask?,
 * newAxisMask?, shrinkAxisMask?), with TF's rules for masks and negative indices.
 */
export function stridedSlice(x: Input, begin: number[], end: number[], strides?: number[], beginMask = 0, endMask = 0,
  ellipsisMask = 0, newAxisMask = 0, shrinkAxisMask = 0): Tensor {
  return withInputs('stridedSlice', [['x', x]], ([t]) => stridedSliceOf(t, begin, end, strides, beginMask, endMask, ellipsisMask,
    newAxisMask, shrinkAxisMask));
}
function stridedSliceOf(x: Tensor, begin: number[], end: number[], strides?: number[], beginMask = 0, endMask = 0,
  ellipsisMask = 0, newAxisMask = 0, shrinkAxisMask = 0): Tensor {
  checkTensor('stridedSlice', 'x', x);
  for (const [name, v] of [['begin', begin], ['end', end], ['strides', strides ?? []]] as const) {
    if (!Array.isArray(v) || v.some((e) => !Number.isInteger(e))) {
      throw new Error(`stridedSlice: ${name} must be an array of integers; received ${String(v)}`);
    }
  }
  const n = begin.length;
  const steps = strides ?? new Array<number>(n).fill(1);
  if (end.length !== n || steps.length !== n) {
    throw new Error(`stridedSlice: begin, end and strides must have one length; received ${begin.length}, ${end.length}, ${steps.length}`);
  }
  if ((ellipsisMask & (ellipsisMask - 1)) !== 0) throw new Error('stridedSlice: at most one ellipsis (one bit of ellipsisMask)');
  const start: number[] = [], step: number[] = [], counts: number[] = [], outShape: Shape = [];
  let axis = 0;
  const full = () => { start.push(0); step.push(1); counts.push(x.shape[axis]); outShape.push(x.shape[axis]); axis++; };
  const explicit = Array.from({ length: n }, (_, i) => i).filter((i) => !bit(ellipsisMask, i) && !bit(newAxisMask, i)).length;
  const hasEllipsis = ellipsisMask !== 0;
  for (let i = 0; i < n; i++) {
    if (bit(ellipsisMask, i)) {
      for (let k = x.rank - explicit; k > 0; k--) full();
      continue;
    }
    if (bit(newAxisMask, i)) { outShape.push(1); continue; }
    if (axis >= x.rank) throw new Error(`stridedSlice: ${n} slice entries index past the rank ${x.rank} of ${describe(x)}`);
    const d = x.shape[axis];
    const s = steps[i];
    if (!Number.isInteger(s) || s === 0) throw new Error(`stridedSlice: strides[${i}] must be a non-zero integer; received ${s}`);
    const norm = (v: number) => (v < 0 ? v + d : v);
    if (bit(shrinkAxisMask, i)) {
      const at = norm(begin[i]);
      if (!(at >= 0 && at < d)) throw new Error(`stridedSlice: index ${begin[i]} of axis ${axis} is out of range for ${describe(x)}`);
      start.push(at); step.push(1); counts.push(1); axis++;
      continue;
    }
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
    const first = bit(beginMask, i) ? (s > 0 ? 0 : d - 1) : clamp(norm(begin[i]), s > 0 ? 0 : -1, s > 0 ? d : d - 1);
    const stop = bit(endMask, i) ? (s > 0 ? d : -1) : clamp(norm(end[i]), s > 0 ? 0 : -1, s > 0 ? d : d - 1);
    const count = Math.max(0, Math.ceil((stop - first) / s));
    start.push(count > 0 ? first : 0); step.push(s); counts.push(count); outShape.push(count);
    axis++;
  }
  if (!hasEllipsis) while (axis < x.rank) full();
  if (x.dtype === 'string') return stringStridedSlice(x, start, step, counts, outShape);
  return run1(STRIDED_SLICE, [x], { start, step, counts, outShape, inShape: x.shape });
}

/** tf.split(x, numOrSizeSplits, axis = 0): equal parts, or parts of the given sizes (one may be -1). */
export function split(x: Input, numOrSizeSplits: number | number[], axis = 0): Tensor[] {
  refuseComplex('split', 'x', x);
  return withInputs('split', [['x', x]], ([t]) => splitOf(t, numOrSizeSplits, axis));
}
function splitOf(x: Tensor, numOrSizeSplits: number | number[], axis = 0): Tensor[] {
  checkTensor('split', 'x', x);
  const a = resolveAxis('split', axis, x.rank);
  const length = x.shape[a];
  let sizes: number[];
  if (typeof numOrSizeSplits === 'number') {
    if (!Number.isInteger(numOrSizeSplits) || numOrSizeSplits <= 0 || length % numOrSizeSplits !== 0) {
      throw new Error(`split: axis ${a} of ${describe(x)} (size ${length}) cannot be split into ${numOrSizeSplits} equal parts`);
    }
    sizes = new Array<number>(numOrSizeSplits).fill(length / numOrSizeSplits);
  } else {
    sizes = numOrSizeSplits.slice();
    const free = sizes.indexOf(-1);
    if (free >= 0) sizes[free] = length - sizes.reduce((acc, s, i) => acc + (i === free ? 0 : s), 0);
    if (sizes.some((s) => !Number.isInteger(s) || s < 0) || sizes.reduce((p, q) => p + q, 0) !== length) {
      throw new Error(`split: sizes [${numOrSizeSplits}] do not add up to axis ${a} of ${describe(x)} (size ${length})`);
    }
  }
  let offset = 0;
  return sizes.map((s) => {
    const begin = x.shape.map((_, i) => (i === a ? offset : 0));
    offset += s;
    return slice(x, begin, x.shape.map((d, i) => (i === a ? s : d)));
  });
}

/** tf.stack(tensors, axis = 0): same-shape tensors joined along a new axis. */
export function stack(tensors: Input[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new Error('stack: expected a non-empty array of tensors');
  if (allTensors(tensors)) return stackOf(tensors, axis);
  return withInputs('stack', tensors.map((t, i) => [`tensors[${i}]`, t]), (list) => stackOf(list, axis));
}
function stackOf(tensors: Tensor[], axis = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new Error('stack: expected a non-empty array of tensors');
  tensors.forEach((t, i) => checkTensor('stack', `tensors[${i}]`, t));
  const first = tensors[0];
  tensors.forEach((t, i) => {
    if (t.dtype !== first.dtype || t.rank !== first.rank || t.shape.some((d, k) => d !== first.shape[k])) {
      throw new Error(`stack: tensors[${i}] ${describe(t)} differs from tensors[0] ${describe(first)}`);
    }
  });
  const a = resolveAxis('stack', axis, first.rank + 1);
  return ENGINE.tidy(() => concat(tensors.map((t) => expandDims(t, a)), a));
}

/** tf.unstack(x, axis = 0): the slices along the axis, each without it. */
export function unstack(x: Input, axis = 0): Tensor[] {
  refuseComplex('unstack', 'x', x);
  return withInputs('unstack', [['x', x]], ([t]) => unstackOf(t, axis));
}
function unstackOf(x: Tensor, axis = 0): Tensor[] {
  checkTensor('unstack', 'x', x);
  if (x.rank === 0) throw new Error(`unstack: x must have rank 1 or more; received ${describe(x)}`);
  const a = resolveAxis('unstack', axis, x.rank);
  const shape = x.shape.filter((_, i) => i !== a);
  return Array.from({ length: x.shape[a] }, (_, k) => ENGINE.tidy(() => reshape(slice(x,
    x.shape.map((_, i) => (i === a ? k : 0)), x.shape.map((d, i) => (i === a ? 1 : d))), shape)));
}

declare module '../../core/tensor.js' {
  interface Tensor {
    tile(reps: number[]): Tensor; pad(paddings: [number, number][], constantValue?: number): Tensor;
    mirrorPad(paddings: [number, number][], mode: 'reflect' | 'symmetric'): Tensor;
    reverse(axis?: number | number[]): Tensor;
    stridedSlice(begin: number[], end: number[], strides?: number[], beginMask?: number, endMask?: number,
      ellipsisMask?: number, newAxisMask?: number, shrinkAxisMask?: number): Tensor;
    split(numOrSizeSplits: number | number[], axis?: number): Tensor[]; unstack(axis?: number): Tensor[];
    stack(tensors: Tensor | Input[], axis?: number): Tensor;
  }
}
chain({
  tile(reps: number[]) { return tile(this, reps); },
  pad(paddings: [number, number][], constantValue?: number) { return pad(this, paddings, constantValue); },
  mirrorPad(paddings: [number, number][], mode: 'reflect' | 'symmetric') { return mirrorPad(this, paddings, mode); },
  reverse(axis?: number | number[]) { return reverse(this, axis); },
  stridedSlice(begin: number[], end: number[], strides?: number[], beginMask?: number, endMask?: number,
    ellipsisMask?: number, newAxisMask?: number, shrinkAxisMask?: number) {
    return stridedSlice(this, begin, end, strides, beginMask, endMask, ellipsisMask, newAxisMask, shrinkAxisMask);
  },
  split(numOrSizeSplits: number | number[], axis?: number) { return split(this, numOrSizeSplits, axis); },
  unstack(axis?: number) { return unstack(this, axis); },
  stack(tensors: Tensor | Input[], axis?: number) { return stack([this, ...(Array.isArray(tensors) ? tensors : [tensors])], axis); },
});
