/**
 * Custom graph ops (TF.js's registerOp / deregisterOp / getRegisteredOp): a program registers a
 * function for a TF op name, and the executor runs it in place of (or in the absence of) a
 * built-in handler. Names are kept in a prototype-less table, so '__proto__' is refused.
 */
import type { Tensor } from '../core/tensor.js';

/** What a custom op receives, as TF.js gives it: the op name, its input tensors and its decoded attributes. */
export interface CustomOpNode {
  /** The TF op name. */
  op: string;
  /** The node's data inputs, in order. */
  inputs: Tensor[];
  /** The node's attributes, decoded (numbers, strings, dtypes, shapes, lists). */
  attrs: Record<string, unknown>;
}

/** A custom op: one tensor or a list of output tensors, or a Promise of them (which runs under executeAsync only). */
export type OpExecutor = (node: CustomOpNode) => Tensor | Tensor[] | Promise<Tensor | Tensor[]>;

/** What getRegisteredOp returns (TF.js's OpMapper for a custom op). */
export interface RegisteredOp {
  /** The TF op name. */
  tfOpName: string;
  /** Always 'custom'. */
  category: 'custom';
  /** Inputs and attributes are passed through undecoded by position. */
  inputs: [];
  /** Custom ops read their attributes from node.attrs. */
  attrs: [];
  /** The registered function. */
  customExecutor: OpExecutor;
}

const CUSTOM = new Map<string, RegisteredOp>();
/** Bumped by every registerOp / deregisterOp: the executor's fused plans were made for one set of custom ops. */
let generation = 0;

/** How many times the custom ops changed (the executor re-plans fused runs when this moves). */
export function customOpsGeneration(): number {
  return generation;
}
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Registers `opFunc` to run every node whose op is `name`, in place of a built-in handler if there is one
 * (TF.js's tf.registerOp).
 * @example
 * ```js
 * sora.registerOp('MyScale', ({ inputs, attrs }) => sora.mul(inputs[0], attrs.factor));
 * ```
 */
export function registerOp(name: string, opFunc: OpExecutor): void {
  if (typeof name !== 'string' || name.length === 0 || RESERVED.has(name)) {
    throw new Error(`registerOp: expected an op name, got ${JSON.stringify(name)}`);
  }
  if (typeof opFunc !== 'function') throw new Error(`registerOp('${name}'): expected a function, got ${typeof opFunc}`);
  CUSTOM.set(name, { tfOpName: name, category: 'custom', inputs: [], attrs: [], customExecutor: opFunc });
  generation++;
}

/** Removes the custom op registered for `name` (TF.js's tf.deregisterOp); a name never registered is left alone. */
export function deregisterOp(name: string): void {
  if (CUSTOM.delete(name)) generation++;
}

/** The custom op registered for `name`, or undefined (TF.js's tf.getRegisteredOp). */
export function getRegisteredOp(name: string): RegisteredOp | undefined {
  return CUSTOM.get(name);
}
