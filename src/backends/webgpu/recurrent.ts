/**
 * WebGPU glue of the recurrent kernels (shaders/rnn.wgsl): a layer call's whole sequence
 * encoded into the open batch, no read-back, two dispatches per step: the step's recurrent
 * product through the gemm pipeline (gemm.ts, with offsets and leading dimensions, so it
 * reads the step's rows in place), then rnn.wgsl's fused gate dispatch. A gru with resetAfter
 * false takes four: z and r's product, their gates (leaving r * hr), the candidate's product
 * over r * hr, its gate.
 *   forward:  hr = h0 * dropout (rnn phase 1); per step t: rec = hr U (gemm), then the gates
 *             write hSeq, cSeq, saved at step t and hr = h_t * dropout for the next gemm.
 *   backward: per step t from the last: the gates take dh = carry + dropout * prod + dhSeq[t]
 *             (prod = P_{t+1} U^T, none at the last step) and write step t's dxProj (dhProj)
 *             and the carry (z * dh for gru, dc for lstm, a masked step's dh and dc); then
 *             prod = P_t U^T (gemm, U transposed by the gemm's flag; P = dxProj, or dhProj for
 *             gru; a resetAfter false gru first runs dn U_h^T and its phase 2 for r). At the end
 *             phase 1 gathers step 0's part, and the carry is copied to dh0 / dc0.
 * Measured on SwiftShader and lavapipe (tests/backends/webgpu-recurrent.test.ts prints it):
 * this beat a fused one-dispatch-per-step kernel (each invocation its unit's dot products)
 * at B8 H64 and by 9x at B64 H64, where the fused loop's per-invocation loads dominate.
 *
 * Before the steps (copyStrided, up to five small dispatches a call): h0, c0, the recurrent
 * dropout mask, the mask (raw words: float, int or bool) and recurrentBias are packed into one
 * pooled `aux` buffer at [0, S), [S, 2S), [2S, 3S), [3S, 3S + batch * steps) and the 3 * units
 * after (S = batch * units; absent ones leave holes never read), so eight storage bindings
 * suffice. Absent writable bindings get distinct pooled stand-ins (writable bindings must not
 * alias). Uniform words {batch, steps, units, t, phase}; the cell, activations and optional
 * inputs are override constants, so one pipeline serves every size and step.
 */
import type { RecurrentConfig, RecurrentSequenceBackwardParams, RecurrentSequenceParams } from '../backend.js';
import type { GPUContext } from './context.js';
import { gemmKernel } from './gemm.js';
import type { GemmVariant } from './layout.js';
import { copyStridedKernel } from './movement.js';
import { bufferOf, GPUStorage } from './storage.js';

type S = GPUStorage;
const CODES = { simple: 0, lstm: 1, gru: 2, tanh: 0, sigmoid: 1, hardSigmoid: 2, relu: 3, linear: 4 } as const;
type Inputs = RecurrentConfig & { recurrentKernel: S; h0: S; c0: S | null; mask: S | null; recurrentDropoutMask: S | null; recurrentBias: S | null };

/** One call's encoder: pooled scratch, copies, the step's gemm and the gate dispatch. */
function recurrentCall(context: GPUContext, variant: GemmVariant, kernel: string, p: Inputs, dc: boolean) {
  const { batch, steps, units } = p;
  const size = batch * units, width = p.recurrentKernel.size / units, groups = Math.ceil(size / 64);
  if (groups > context.limits.maxComputeWorkgroupsPerDimension) throw new Error(`webgpu ${kernel}: batch * units = ${size} is too large`);
  const held: GPUStorage[] = [];
  const take = (words: number) => {
    const pooled = context.storagePool.acquire(words * 4 + 4);
    return held[held.length] = new GPUStorage(words, 'float32', pooled.bytes, pooled);
  };
  const copy = (from: S | null, to: S, count: number, fromOffset: number, toOffset: number) => {
    if (from) copyStridedKernel(context, from, to, [count], [1], fromOffset, [1], toOffset);
  };
  const aux = take(3 * size + batch * steps + 3 * units);
  [p.h0, p.c0, p.recurrentDropoutMask, p.mask, p.recurrentBias].forEach((from, i) =>
    copy(from, aux, i < 3 ? size : i < 4 ? batch * steps : 3 * units, 0, i < 4 ? i * size : 3 * size + batch * steps));
  const constants = { CELL: CODES[p.cell], ACT: CODES[p.activation], REC: CODES[p.recurrentActivation], RESET_AFTER: +p.resetAfter,
    HAS_MASK: +!!p.mask, HAS_DROPOUT: +!!p.recurrentDropoutMask, HAS_DC: +dc };
  const entryPoint = kernel === 'recurrentSequence' ? 'forward' : 'backward';
  const gate = context.variant('rnn', entryPoint + JSON.stringify(constants), () => ({ kernel, shader: 'rnn', entryPoint, constants }));
  let bound: ReturnType<typeof bufferOf>[] = [];
  return {
    size, width, take, copy,
    /** Bindings 1, aux, 3..8 of every gate dispatch (null: a stand-in). */
    bind(first: S, rest: (S | null)[]): void { bound = [first, aux, ...rest].map((s) => bufferOf(s ?? take(0), kernel)); },
    gates(t: number, phase = 0): void { context.run(gate, bound, [batch, steps, units, t, phase], null, groups, 1); },
    /** out[outOffset + i * ldc + j] = sum over kk < k of a[aOffset + i * lda + kk] U[kk, col0 + j], or U[j, col0 + kk] transposed. */
    product(n: number, k: number, a: S, aOffset: number, lda: number, out: S, outOffset: number, ldc: number, col0: number,
      transposeB: boolean): void {
      gemmKernel(context, variant, { a, b: p.recurrentKernel, out, m: batch, n, k, transposeA: false, transposeB, bias: null,
        activation: 'linear', aOffset, lda, bOffset: col0, ldb: width, outOffset, ldc });
    },
    release(): void { for (const s of held) context.storagePool.release(s.pooled!); },
  };
}

export function recurrentSequenceKernel(context: GPUContext, variant: GemmVariant, p: RecurrentSequenceParams<S>): void {
  const { units } = p;
  const split = p.cell === 'gru' && !p.resetAfter;
  const call = recurrentCall(context, variant, 'recurrentSequence', p, false);
  const hr = call.take(call.size), rec = call.take(p.batch * call.width);
  call.bind(rec, [p.xProj, null, hr, p.hSeq, p.saved, p.cSeq]);
  call.gates(0, 1);
  for (let t = 0; t < p.steps; t++) {
    call.product(split ? 2 * units : call.width, units, hr, 0, units, rec, 0, call.width, 0, false);
    call.gates(t);
    if (!split) continue;
    call.product(units, units, hr, 0, units, rec, 2 * units, call.width, 2 * units, false);
    call.gates(t, 2);
  }
  call.release();
}

export function recurrentSequenceBackwardKernel(context: GPUContext, variant: GemmVariant, p: RecurrentSequenceBackwardParams<S>): void {
  const { steps, units } = p;
  const split = p.cell === 'gru' && !p.resetAfter, lstm = p.cell === 'lstm';
  const call = recurrentCall(context, variant, 'recurrentSequenceBackward', { ...p, recurrentBias: null }, p.dcSeq !== null);
  const { size, width } = call;
  const prod = call.take(2 * size), state = call.take(2 * size), P = p.dhProj ?? p.dxProj;
  call.bind(prod, [p.dhSeq, lstm ? p.cSeq : p.hSeq, p.saved, p.dxProj, state, lstm ? p.dcSeq : p.dhProj]);
  for (let t = steps - 1; t >= 0; t--) {
    call.gates(t);
    if (split) {
      call.product(units, units, P, t * width + 2 * units, steps * width, prod, size, units, 2 * units, true);
      call.gates(t, 2);
    }
    call.product(units, split ? 2 * units : width, P, t * width, steps * width, prod, 0, units, 0, true);
  }
  call.gates(0, 1);
  call.copy(state, p.dh0, size, 0, 0);
  call.copy(p.dc0 && state, p.dc0!, size, size, 0);
  call.release();
}
