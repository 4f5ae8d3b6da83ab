/**
 * Shape arithmetic on the host. A graph computes the shapes it reshapes to from tensors
 * (Shape -> StridedSlice -> Pack -> Reshape); when every input of such a node has host values
 * (constants from load, Shape's output, earlier host results), the handlers here compute the
 * small int32 result in plain TypeScript and record its host values, so the chain never waits on
 * a device read-back (webgpu cannot read synchronously). Also the error wrapper every handler of
 * these families runs in, so each message opens with the node and op.
 */
import type { DType } from '../../backends/backend.js';
import type { Tensor } from '../../core/tensor.js';
import { tensor } from '../../ops/index.js';
import type { GraphValue, OpContext, OpEntry, OpHandler } from '../types.js';
import { peekHostValues, setHostValues, where } from './util.js';

/** Results up to this many values are computed on the host when their inputs have host values. */
export const HOST_LIMIT = 4096;

/** The host values of a numeric tensor of at most HOST_LIMIT values, as numbers; undefined when unknown. */
export function hostOf(t: Tensor): ArrayLike<number> | undefined {
  if (t.dtype !== 'int32' && t.dtype !== 'float32') return undefined;
  const values = peekHostValues(t);
  if (values === undefined || Array.isArray(values) || t.size > HOST_LIMIT || values.length !== t.size) return undefined;
  return values as ArrayLike<number>;
}

/** A tensor made from host values, with those values recorded for later handlers. */
export function hostTensor(values: ArrayLike<number>, shape: number[], dtype: 'int32' | 'float32'): Tensor {
  const typed = dtype === 'int32' ? Int32Array.from(values) : Float32Array.from(values);
  const out = tensor(typed, shape, dtype);
  setHostValues(out, typed);
  return out;
}

/** Passes x's host values on to y when y holds the same values in the same order (reshape, expandDims). */
export function sameValues(x: Tensor, y: Tensor): Tensor {
  const values = peekHostValues(x);
  if (values !== undefined && y !== x && y.size === x.size && y.dtype === x.dtype) setHostValues(y, values);
  return y;
}

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** The values of a box of x (per axis: first index, step, count), row-major. */
export function hostBox(values: ArrayLike<number>, shape: readonly number[], start: readonly number[], step: readonly number[],
  counts: readonly number[]): number[] {
  const out: number[] = [];
  const strides = shape.map((_, i) => product(shape.slice(i + 1)));
  const walk = (axis: number, offset: number): void => {
    if (axis === shape.length) { out.push(values[offset]!); return; }
    for (let k = 0; k < counts[axis]!; k++) walk(axis + 1, offset + (start[axis]! + k * step[axis]!) * strides[axis]!);
  };
  if (counts.every((c) => c > 0)) walk(0, 0);
  return out;
}

/** Concatenates host blocks along `axis` (all of one rank, equal but for that axis). */
export function hostConcat(parts: readonly { values: ArrayLike<number>; shape: readonly number[] }[], axis: number):
  { values: number[]; shape: number[] } {
  const first = parts[0]!.shape;
  const outer = product(first.slice(0, axis));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const inner = product(p.shape.slice(axis));
      for (let i = 0; i < inner; i++) out.push(p.values[o * inner + i]!);
    }
  }
  const shape = first.slice();
  shape[axis] = parts.reduce((a, p) => a + p.shape[axis]!, 0);
  return { values: out, shape };
}

/** TF's StridedSlice resolved against a shape: the box to read and the output shape (masks as TF defines them). */
export interface StridedPlan {
  start: number[];
  step: number[];
  counts: number[];
  outShape: number[];
}

const bit = (mask: number, i: number): boolean => ((mask >> i) & 1) === 1;

/** Resolves StridedSlice's begin/end/strides and masks against `shape`; errors name the spec entry. */
export function stridedPlan(shape: readonly number[], begin: readonly number[], end: readonly number[], strides: readonly number[],
  masks: { begin: number; end: number; ellipsis: number; newAxis: number; shrink: number }): StridedPlan {
  const n = begin.length;
  if (end.length !== n || strides.length !== n) {
    throw new Error(`begin, end and strides must have one length; got ${begin.length}, ${end.length}, ${strides.length}`);
  }
  const plan: StridedPlan = { start: [], step: [], counts: [], outShape: [] };
  let axis = 0;
  const full = (): void => {
    plan.start.push(0); plan.step.push(1); plan.counts.push(shape[axis]!); plan.outShape.push(shape[axis]!); axis++;
  };
  let explicit = 0;
  for (let i = 0; i < n; i++) if (!bit(masks.ellipsis, i) && !bit(masks.newAxis, i)) explicit++;
  let sawEllipsis = false;
  for (let i = 0; i < n; i++) {
    if (bit(masks.ellipsis, i)) {
      if (sawEllipsis) throw new Error('at most one ellipsis is allowed (one bit of ellipsis_mask)');
      sawEllipsis = true;
      for (let k = shape.length - explicit; k > 0; k--) full();
      continue;
    }
    if (bit(masks.newAxis, i)) { plan.outShape.push(1); continue; }
    if (axis >= shape.length) throw new Error(`${n} slice entries index past the rank ${shape.length} of shape [${shape}]`);
    const d = shape[axis]!;
    const s = strides[i]!;
    if (s === 0) throw new Error(`strides[${i}] must not be zero`);
    const norm = (v: number): number => (v < 0 ? v + d : v);
    if (bit(masks.shrink, i)) {
      const at = norm(begin[i]!);
      if (!(at >= 0 && at < d)) throw new Error(`index ${begin[i]} of axis ${axis} is out of range for shape [${shape}]`);
      plan.start.push(at); plan.step.push(1); plan.counts.push(1); axis++;
      continue;
    }
    const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
    const first = bit(masks.begin, i) ? (s > 0 ? 0 : d - 1) : clamp(norm(begin[i]!), s > 0 ? 0 : -1, s > 0 ? d : d - 1);
    const stop = bit(masks.end, i) ? (s > 0 ? d : -1) : clamp(norm(end[i]!), s > 0 ? 0 : -1, s > 0 ? d : d - 1);
    const count = Math.max(0, Math.ceil((stop - first) / s));
    plan.start.push(count > 0 ? first : 0); plan.step.push(s); plan.counts.push(count); plan.outShape.push(count);
    axis++;
  }
  while (axis < shape.length) full();
  return plan;
}

/** The numeric dtypes a host result may have. */
export function hostDType(dtype: DType): 'int32' | 'float32' | undefined {
  return dtype === 'int32' || dtype === 'float32' ? dtype : undefined;
}

function prefixed(error: unknown, ctx: OpContext): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (message.startsWith('node \'')) return error instanceof Error ? error : new Error(message);
  return new Error(`${where(ctx)}: ${message}`, { cause: error });
}

/**
 * An OpEntry whose errors open with the node and op ("node 'x' (Reshape): reshape: cannot ...").
 * Async handlers are wrapped the same way.
 */
export function entry(run: OpHandler, options: { async?: boolean; valueInputs?: readonly number[] } = {}): OpEntry {
  const wrapped: OpHandler = (inputs: readonly GraphValue[], ctx: OpContext) => {
    let result: ReturnType<OpHandler>;
    try {
      result = run(inputs, ctx);
    } catch (error) {
      throw prefixed(error, ctx);
    }
    if (result instanceof Promise) return result.catch((error: unknown) => { throw prefixed(error, ctx); });
    return result;
  };
  return { run: wrapped, ...(options.async ? { async: true } : {}), ...(options.valueInputs ? { valueInputs: options.valueInputs } : {}) };
}

/** Checks the input count; an Error naming the node when it is outside [min, max]. */
export function expectInputs(inputs: readonly GraphValue[], ctx: OpContext, min: number, max = min): void {
  if (inputs.length < min || inputs.length > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new Error(`${where(ctx)}: expected ${want} inputs, got ${inputs.length}`);
  }
}
