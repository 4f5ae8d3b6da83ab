/**
 * The autograd tape: what an op leaves behind while a gradient is being recorded, and the
 * backward pass over it. The engine owns one tape per outermost gradient computation;
 * nested gradients (gradients of gradients) append to the same tape, and their backward
 * ops are recorded on it too, so an outer gradient differentiates through them.
 *
 * Tensors are referred to by identity only: an entry's inputs and outputs may be disposed
 * by a scope as soon as the forward is done. The data a gradient reads is in `saved`:
 * handles the engine pinned (views sharing the data), which no scope can free and which
 * live until the outermost gradient computation ends.
 */
import type { Tensor } from './tensor.js';

/**
 * `dys[k]` is null for an output nothing downstream used. One function serves every entry of
 * an op family (it reads what it needs from `entry`: `def`, `attrs`), so recording an op
 * makes no closure.
 */
export type GradientFn = (dys: (Tensor | null)[], saved: Tensor[], needs: boolean[], entry: TapeEntry) => (Tensor | null)[];

/** What a tape entry knows of its op: its name and its inputs' names (the registry's OpDef). */
export interface TapeOp {
  readonly name: string;
  readonly inputs: readonly string[];
}

export interface TapeEntry {
  /** The op (its name and input names, for error messages; the op runner reads the rest). */
  def: TapeOp;
  /** The op's tensor inputs. */
  inputs: Tensor[];
  outputs: Tensor[];
  /** Pinned handles the gradient reads (the op's declared saves). */
  saved: Tensor[];
  /**
   * Gradients of the inputs given one upstream gradient per output (null for an output
   * nothing downstream used). `needs[i]` false: input i leads to no requested gradient, so
   * its gradient may be skipped (null). Null `gradient`: the op is not differentiable.
   */
  gradient: GradientFn | null;
  /** The op's attributes, for `gradient`. */
  attrs: unknown;
}

/**
 * Entries from `start` that lie on a path from one of `xs` to `y`, and for each input
 * whether its gradient is needed. Integer and bool outputs carry no gradient, so a path
 * through argMax or a comparison is not a path. Linear in the tape's length.
 */
export function relevantEntries(tape: TapeEntry[], start: number, xs: Tensor[], y: Tensor):
  { entry: TapeEntry; needs: boolean[] }[] {
  const fromX = new Set<Tensor>();
  for (let i = 0; i < xs.length; i++) fromX.add(node(xs[i]));
  const forward: boolean[] = new Array(tape.length).fill(false);
  for (let i = start; i < tape.length; i++) {
    const entry = tape[i];
    let reached = false;
    for (let j = 0; j < entry.inputs.length && !reached; j++) reached = fromX.has(node(entry.inputs[j]));
    if (!reached) continue;
    forward[i] = true;
    for (let k = 0; k < entry.outputs.length; k++) {
      const out = entry.outputs[k];
      if (out.dtype === 'float32' || out.dtype === 'complex64') fromX.add(out);
    }
  }
  const toY = new Set<Tensor>([node(y)]);
  const result: { entry: TapeEntry; needs: boolean[] }[] = [];
  for (let i = tape.length - 1; i >= start; i--) {
    if (!forward[i]) continue;
    const entry = tape[i];
    let used = false;
    for (let k = 0; k < entry.outputs.length && !used; k++) used = toY.has(entry.outputs[k]);
    if (!used) continue;
    const needs = new Array<boolean>(entry.inputs.length);
    for (let j = 0; j < entry.inputs.length; j++) {
      const input = node(entry.inputs[j]);
      needs[j] = fromX.has(input);
      if (needs[j]) toY.add(input);
    }
    result.push({ entry, needs });
  }
  return result; // in reverse tape order: the order backward runs them
}

/** The graph node a tensor stands for: a pinned handle is its origin. */
export function node(t: Tensor): Tensor {
  return t.origin ?? t;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The error for a gradient whose shape or dtype does not match its input. */
export function badGradient(entry: TapeEntry, index: number, grad: Tensor): Error {
  const input = entry.inputs[index];
  return new Error(`gradient of '${entry.def.name}': input ${index} ('${entry.def.inputs[index] ?? index}') has ` +
    `shape [${input.shape}] (${input.dtype}) but its gradient has shape [${grad.shape}] (${grad.dtype}); ` +
    'a gradient must be float32 (complex64 for a complex64 input) with its input\'s shape');
}

export function missingGradient(entry: TapeEntry): Error {
  return new Error(`gradient: cannot differentiate through '${entry.def.name}': it has no gradient ` +
    '(declared not differentiable); keep it off the path from the variables to the value');
}
