/**
 * Helpers every op family uses: typed access to a node's inputs with errors that name the node,
 * and host values of small tensors (shapes, axes, paddings) without dataSync.
 */
import { type Tensor, Variable } from '../../core/tensor.js';
import type { GraphResource, GraphValue, OpContext } from '../types.js';

/** Host copies of tensor values: weights and folded constants from load, value inputs read by the executor. */
export type HostValues = Float32Array | Int32Array | Uint8Array | string[];
const HOST = new WeakMap<Tensor, HostValues>();

/**
 * Records the host values of a tensor (the executor and loader call this; handlers may, for outputs they
 * know). A Variable's are never recorded: assign() would leave them stale.
 */
export function setHostValues(tensor: Tensor, values: HostValues): void {
  if (!(tensor instanceof Variable)) HOST.set(tensor, values);
}

/** The recorded host values of a tensor, or undefined. */
export function peekHostValues(tensor: Tensor): HostValues | undefined {
  return HOST.get(tensor);
}

/** "node 'conv1' (Conv2D)", the opening of every error a handler throws. */
export function where(ctx: OpContext): string {
  return `node '${ctx.node.name}' (${ctx.node.op})`;
}

function isResource(value: GraphValue | undefined): value is GraphResource {
  return value !== undefined && typeof (value as GraphResource).kind === 'string' && !('dtype' in value);
}

/** Input `i` as a tensor; an Error naming the node when it is missing or a resource. */
export function tensorInput(inputs: readonly GraphValue[], i: number, ctx: OpContext): Tensor {
  const value = inputs[i];
  if (value === undefined) throw new Error(`${where(ctx)}: expected at least ${i + 1} inputs, got ${inputs.length}`);
  if (isResource(value)) throw new Error(`${where(ctx)}: input ${i} is a ${value.kind}, not a tensor`);
  return value as Tensor;
}

/** Every input from `from` on as tensors (ConcatV2's values, AddN's terms). */
export function tensorInputs(inputs: readonly GraphValue[], ctx: OpContext, from = 0, to = inputs.length): Tensor[] {
  const out: Tensor[] = [];
  for (let i = from; i < to; i++) out.push(tensorInput(inputs, i, ctx));
  return out;
}

/** Input `i` as a resource of the given kind. */
export function resourceInput<R extends GraphResource>(inputs: readonly GraphValue[], i: number, kind: GraphResource['kind'], ctx: OpContext): R {
  const value = inputs[i];
  if (!isResource(value) || value.kind !== kind) {
    throw new Error(`${where(ctx)}: input ${i} must be a ${kind}, got ${value === undefined ? 'nothing' : isResource(value) ? `a ${value.kind}` : 'a tensor'}`);
  }
  return value as R;
}

/**
 * The host values of input `i`, which the op's entry lists in valueInputs. Throws naming the node
 * when the executor could not provide them (a handler bug: the index is missing from valueInputs).
 */
export function hostValues(inputs: readonly GraphValue[], i: number, ctx: OpContext): HostValues {
  const t = tensorInput(inputs, i, ctx);
  const values = HOST.get(t);
  if (values !== undefined) return values;
  if (t.isDisposed) throw new Error(`${where(ctx)}: input ${i} was disposed`);
  const backend = (t as unknown as { ref: { backend: { syncReadable?: boolean } } }).ref.backend;
  if (backend.syncReadable === false) {
    throw new Error(`${where(ctx)}: the values of input ${i} are needed on the host, and the '${t.ref.backend.name}' ` +
      'backend cannot read them synchronously; use executeAsync');
  }
  const read = t.dtype === 'string' ? (t.dataSync as unknown as () => string[])() : t.dataSync<'float32'>() as HostValues;
  const copy = Array.isArray(read) ? read.slice() : read.slice();
  setHostValues(t, copy);
  return copy;
}

/** Input `i`'s host values as plain integers (shapes, axes, begin/end), with a check that they are integers. */
export function hostInts(inputs: readonly GraphValue[], i: number, ctx: OpContext): number[] {
  const values = hostValues(inputs, i, ctx);
  if (Array.isArray(values)) throw new Error(`${where(ctx)}: input ${i} holds strings, expected integers`);
  const out = Array.from(values as ArrayLike<number>);
  for (const v of out) if (!Number.isInteger(v)) throw new Error(`${where(ctx)}: input ${i} holds ${v}, expected integers`);
  return out;
}

/** Input `i`'s single host value as an integer (an axis, k). */
export function hostInt(inputs: readonly GraphValue[], i: number, ctx: OpContext): number {
  const values = hostInts(inputs, i, ctx);
  if (values.length !== 1) throw new Error(`${where(ctx)}: input ${i} must hold one value, got ${values.length}`);
  return values[0]!;
}

/** Input `i`'s single host value as a number (a threshold, a scalar). */
export function hostNumber(inputs: readonly GraphValue[], i: number, ctx: OpContext): number {
  const values = hostValues(inputs, i, ctx);
  if (Array.isArray(values) || values.length !== 1) throw new Error(`${where(ctx)}: input ${i} must hold one number`);
  return values[0]!;
}
