/**
 * WebGPU glue of the recurrent kernels (shaders/rnn.wgsl): a layer call's whole sequence
 * encoded into the open batch with no read-back. The forward is one fused dispatch per step
 * (recurrent product and gates; a gru with resetAfter false two: z and r, then the candidate
 * over r * hr), the backward one per step from the last (gru resetAfter false: two) and a
 * tail dispatch for dh0 / dc0. Before the steps, h0, c0, the recurrent dropout mask, the mask
 * and recurrentBias are packed into one pooled `aux` buffer (copyStrided, up to five
 * dispatches), so the shader's eight storage bindings suffice; the backward carries dh and dc
 * in a pooled state buffer, copied into dh0 / dc0 at the end. Uniform words {batch, steps,
 * units, t, next, tail}; the cell, activations and which optional inputs exist are override
 * constants, so one pipeline serves every size and step.
 */
import type { RecurrentConfig, RecurrentSequenceBackwardParams, RecurrentSequenceParams } from '../backend.js';
import type { PooledBuffer } from './buffer-pool.js';
import type { GPUContext, KernelVariant } from './context.js';
import { copyStridedKernel } from './movement.js';
import { bufferOf, GPUStorage } from './storage.js';

type S = GPUStorage;
const WORKGROUP = 64;
const CODES = { simple: 0, lstm: 1, gru: 2, tanh: 0, sigmoid: 1, hardSigmoid: 2, relu: 3, linear: 4 } as const;

/** The entry point's pipeline for this cell, its activations and the optional inputs present. */
function stepVariant(context: GPUContext, entry: string, p: RecurrentConfig, mask: boolean, dropout: boolean,
  dc: boolean): KernelVariant {
  const flags = [p.cell, p.activation, p.recurrentActivation, +p.resetAfter, +mask, +dropout, +dc];
  return context.variant('rnn', `${entry}:${flags}`, () => ({
    kernel: entry.startsWith('f') ? 'recurrentSequence' : 'recurrentSequenceBackward', shader: 'rnn', entryPoint: entry,
    constants: { CELL: CODES[p.cell], ACT: CODES[p.activation], REC: CODES[p.recurrentActivation], RESET_AFTER: +p.resetAfter,
      HAS_MASK: +mask, HAS_DROPOUT: +dropout, HAS_DC: +dc, WORKGROUP_SIZE: WORKGROUP },
  }));
}

/** Pooled buffers one call borrows (aux, state, stand-ins), released once its dispatches are encoded. */
class Scratch {
  readonly held: PooledBuffer[] = [];
  constructor(private readonly context: GPUContext) {}
  /** A pooled buffer of `words` 32-bit words, as a storage for copyStrided. */
  take(words: number): S {
    const pooled = this.context.storagePool.acquire(Math.max(4, words) * 4);
    this.held.push(pooled);
    return new GPUStorage(words, 'float32', pooled.bytes, pooled);
  }
  release(): void { for (const pooled of this.held) this.context.storagePool.release(pooled); }
}

/** h0, c0, the dropout mask, the mask and recurrentBias at the offsets rnn.wgsl reads (absent ones leave holes). */
function packAux(context: GPUContext, scratch: Scratch, p: RecurrentConfig & { h0: S; c0: S | null; mask: S | null;
  recurrentDropoutMask: S | null; recurrentBias: S | null }): PooledBuffer {
  const { batch, steps, units } = p;
  const state = batch * units;
  const aux = scratch.take(3 * state + batch * steps + 3 * units);
  const parts: [S | null, number, number][] = [[p.h0, 0, state], [p.c0, state, state], [p.recurrentDropoutMask, 2 * state, state],
    [p.mask, 3 * state, batch * steps], [p.recurrentBias, 3 * state + batch * steps, 3 * units]];
  for (const [source, offset, size] of parts) if (source) copyStridedKernel(context, source, aux, [size], [1], 0, [1], offset);
  return aux.pooled!;
}

export function recurrentSequenceKernel(context: GPUContext, p: RecurrentSequenceParams<S>): void {
  const { batch, steps, units } = p;
  if (batch * steps * units === 0) return;
  const kernel = 'recurrentSequence';
  const scratch = new Scratch(context);
  const spare = () => scratch.take(1).pooled!;
  const buffers = [bufferOf(p.recurrentKernel, kernel), packAux(context, scratch, p), bufferOf(p.xProj, kernel), context.dummy,
    context.dummy, bufferOf(p.hSeq, kernel), p.saved ? bufferOf(p.saved, kernel) : spare(), p.cSeq ? bufferOf(p.cSeq, kernel) : spare()];
  const step = stepVariant(context, 'forward', p, p.mask !== null, p.recurrentDropoutMask !== null, false);
  const candidate = p.cell === 'gru' && !p.resetAfter
    ? stepVariant(context, 'forward_candidate', p, p.mask !== null, p.recurrentDropoutMask !== null, false) : null;
  const words = [batch, steps, units, 0, 0, 0];
  const groups = Math.ceil(batch * units / WORKGROUP);
  for (let t = 0; t < steps; t++) {
    words[3] = t;
    context.runLine(step, buffers, words, null, groups);
    if (candidate) context.runLine(candidate, buffers, words, null, groups);
  }
  scratch.release();
}

export function recurrentSequenceBackwardKernel(context: GPUContext, p: RecurrentSequenceBackwardParams<S>): void {
  const { batch, steps, units, cell } = p;
  if (batch * units === 0) return;
  const kernel = 'recurrentSequenceBackward';
  const scratch = new Scratch(context);
  const state = scratch.take(2 * batch * units);
  const extra = cell === 'lstm' ? p.dcSeq : cell === 'gru' ? p.dhProj : null;
  const buffers = [bufferOf(p.recurrentKernel, kernel), packAux(context, scratch, { ...p, recurrentBias: null }),
    bufferOf(p.dhSeq, kernel), bufferOf(cell === 'lstm' ? p.cSeq! : p.hSeq, kernel), p.saved ? bufferOf(p.saved, kernel) : context.dummy,
    bufferOf(p.dxProj, kernel), state.pooled!, extra ? bufferOf(extra, kernel) : scratch.take(1).pooled!];
  const mask = p.mask !== null, dropout = p.recurrentDropoutMask !== null;
  const step = stepVariant(context, 'backward', p, mask, dropout, p.dcSeq !== null);
  const candidate = cell === 'gru' && !p.resetAfter ? stepVariant(context, 'backward_candidate', p, mask, dropout, false) : null;
  const words = [batch, steps, units, 0, 0, 0];
  const groups = Math.ceil(batch * units / WORKGROUP);
  for (let t = steps - 1; t >= 0; t--) {
    words[3] = t;
    words[4] = t + 1;
    context.runLine(step, buffers, words, null, groups);
    if (candidate) context.runLine(candidate, buffers, words, null, groups);
  }
  // The tail: step 0's gate gradients times U^T, plus the carry, into state.
  words[3] = 0;
  words[4] = 0;
  words[5] = 1;
  context.runLine(step, buffers, words, null, groups);
  const size = batch * units;
  copyStridedKernel(context, state, p.dh0, [size], [1], 0, [1], 0);
  if (p.dc0) copyStridedKernel(context, state, p.dc0, [size], [1], size, [1], 0);
  scratch.release();
}
