/**
 * Masks of a model used as a layer inside another model: the input masks (kwargs.mask) feed its
 * layers, as in TF.js, and its outputs' masks are passed on, as Keras's do (TF.js's executor
 * drops them, so a layer after the model sees no mask there).
 */
import type { Tensor } from '../core/tensor.js';

type MaskArg = Tensor | (Tensor | null | undefined)[] | null | undefined;

/** A call's mask argument as one entry per input, or undefined when there is none. */
export const maskList = (mask: MaskArg): (Tensor | null | undefined)[] | undefined =>
  (mask == null ? undefined : Array.isArray(mask) ? mask : [mask]);

/** Runs the model's graph on xs with input masks, filling outputMasks (the model's execute). */
type Execute = (xs: Tensor[], masks: (Tensor | null | undefined)[] | undefined, outputMasks: (Tensor | null)[]) => Tensor[];

/**
 * The output masks of a model's last call as a layer, kept for the computeMask that follows the
 * call in a graph, so the graph does not run twice.
 */
export class LastOutputMasks {
  private last: { inputs: Tensor[]; masks: (Tensor | null)[] } | null = null;

  /** The call: runs the graph with the given masks and keeps its output masks. */
  call(xs: Tensor[], mask: MaskArg, execute: Execute): Tensor[] {
    const masks: (Tensor | null)[] = [];
    const outs = execute(xs, maskList(mask), masks);
    this.last = { inputs: xs, masks };
    return outs;
  }

  /**
   * The output masks for inputs xs: those kept by the last call when it had the same inputs, else
   * a run of the graph whose outputs are freed. Forgets what was kept.
   */
  take(xs: Tensor[], mask: MaskArg, execute: Execute): Tensor | Tensor[] | null {
    const last = this.last;
    this.last = null;
    let masks: (Tensor | null)[];
    if (last && last.inputs.length === xs.length && last.inputs.every((t, i) => t === xs[i])) masks = last.masks;
    else {
      masks = [];
      for (const t of execute(xs, maskList(mask), masks)) if (!xs.includes(t)) t.dispose();
    }
    return masks.length === 1 ? masks[0] : masks as Tensor[];
  }
}
