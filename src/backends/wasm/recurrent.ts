/**
 * The recurrent bindings (assembly/rnn.ts): a whole recurrent layer call, forward or backward,
 * as one wasm call (kernel-params.ts RecurrentSequenceParams and its backward). The kernel's
 * scratch (the packed recurrent kernel, the product's rows, the state rows:
 * rnn_workspace_bytes) comes from the arena for the call and goes back after it; a training
 * loop asks for the same size every step, so the arena serves it from its exact-size list.
 */
import {
  recurrentGates, type RecurrentActivation, type RecurrentCellKind, type RecurrentConfig,
  type RecurrentSequenceBackwardParams, type RecurrentSequenceParams,
} from '../backend.js';
import type { KernelExports, WasmStorage as S } from './kernel-exports.js';
import { BATCH_PARALLEL_MACS } from './gemm.js';
import type { ThreadPool } from './threads.js';

/** assembly/rnn.ts's codes. */
const CELL_CODES: Record<RecurrentCellKind, number> = { simple: 0, lstm: 1, gru: 2 };
const ACTIVATION_CODES: Record<RecurrentActivation, number> = { tanh: 0, sigmoid: 1, hardSigmoid: 2, relu: 3, linear: 4 };

/** What the bindings need from the backend: its kernels and the arena for the scratch. */
export interface RecurrentContext {
  kernels: KernelExports;
  allocBytes(bytes: number): number;
  freeBytes(ptr: number, bytes: number): void;
  /** Splits the batch over threads (null: one thread). */
  pool(): ThreadPool | null;
}

const ptr = (s: S | null): number => (s === null ? 0 : s.ptr);

/** Checks the configuration and which optional buffers are present; returns the codes. */
function codes(kernel: string, p: RecurrentConfig & { c0: S | null; recurrentBias: S | null; saved: S | null }): number[] {
  const { batch, steps, units } = p;
  for (const [name, v] of [['batch', batch], ['steps', steps], ['units', units]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`wasm ${kernel}: ${name} must be a non-negative integer, received ${v}`);
  }
  const cell = CELL_CODES[p.cell], act = ACTIVATION_CODES[p.activation], gateAct = ACTIVATION_CODES[p.recurrentActivation];
  if (cell === undefined) throw new Error(`wasm ${kernel}: unknown cell '${p.cell}'; expected 'simple', 'lstm' or 'gru'`);
  for (const [name, code, value] of [['activation', act, p.activation], ['recurrentActivation', gateAct, p.recurrentActivation]] as const) {
    if (code === undefined) throw new Error(`wasm ${kernel}: unknown ${name} '${value}'; expected one of ${Object.keys(ACTIVATION_CODES).join(', ')}`);
  }
  if ((p.cell === 'lstm') !== (p.c0 !== null)) throw new Error(`wasm ${kernel}: c0 is required for 'lstm' and only for it (cell '${p.cell}')`);
  const resetAfter = p.cell === 'gru' && p.resetAfter;
  if (kernel === 'recurrentSequence' && resetAfter !== (p.recurrentBias !== null)) {
    throw new Error(`wasm ${kernel}: recurrentBias is required for a resetAfter 'gru' and only for it (cell '${p.cell}', resetAfter ${p.resetAfter})`);
  }
  if ((p.cell !== 'simple') !== (p.saved !== null)) throw new Error(`wasm ${kernel}: saved is required for 'lstm' and 'gru' and null for 'simple' (cell '${p.cell}')`);
  return [cell, act, gateAct, resetAfter ? 1 : 0];
}

/** Runs `launch` with rnn_workspace_bytes of arena scratch. */
function withScratch(ctx: RecurrentContext, p: RecurrentConfig, launch: (work: number) => void): void {
  const bytes = ctx.kernels.rnn_workspace_bytes(p.batch, p.units, recurrentGates(p.cell));
  const work = ctx.allocBytes(bytes);
  try {
    launch(work);
  } finally {
    ctx.freeBytes(work, bytes);
  }
}

/**
 * Every sample's recurrence is independent and every buffer is batch-major, so a call splits
 * into one task per thread over chunks of the batch, each the whole sequence (no step waits
 * for another thread) with its own scratch: the same products row by row as one thread.
 * `perSample` lists each pointer argument's floats per sample (0: shared, not stepped).
 */
function splitBatch(ctx: RecurrentContext, p: RecurrentConfig, kernel: 'recurrent_sequence' | 'recurrent_sequence_backward',
  args: number[], perSample: number[], batchArg: number): boolean {
  const pool = ctx.pool();
  const gates = recurrentGates(p.cell);
  if (pool === null || pool.threads < 2 || p.batch < 2 || p.batch * p.steps * p.units * gates * p.units < BATCH_PARALLEL_MACS) {
    return false;
  }
  const chunks = Math.min(p.batch, pool.threads), per = Math.ceil(p.batch / chunks);
  const works: [number, number][] = [];
  try {
    pool.begin();
    for (let b0 = 0; b0 < p.batch; b0 += per) {
      const rows = Math.min(per, p.batch - b0), bytes = ctx.kernels.rnn_workspace_bytes(rows, p.units, gates);
      works.push([ctx.allocBytes(bytes), bytes]);
      const s = pool.task(kernel), x = pool.args;
      for (let i = 0; i < args.length; i++) x[s + i] = args[i]! && perSample[i] ? args[i]! + b0 * perSample[i]! * 4 : args[i]!;
      x[s + batchArg] = rows;
      x[s + args.length] = works[works.length - 1]![0];
    }
    pool.run();
  } finally {
    for (const [work, bytes] of works) ctx.freeBytes(work, bytes);
  }
  return true;
}

export function recurrentSequence(ctx: RecurrentContext, p: RecurrentSequenceParams<S>): void {
  const [cell, act, gateAct, resetAfter] = codes('recurrentSequence', p);
  if (p.batch * p.steps * p.units === 0) return;
  const { steps, units } = p, gu = recurrentGates(p.cell) * units;
  const args = [cell!, act!, gateAct!, resetAfter!, p.batch, steps, units, p.xProj.ptr, p.recurrentKernel.ptr,
    ptr(p.recurrentBias), p.h0.ptr, ptr(p.c0), ptr(p.mask), ptr(p.recurrentDropoutMask), p.hSeq.ptr, ptr(p.cSeq), ptr(p.saved)];
  if (splitBatch(ctx, p, 'recurrent_sequence', args,
    [0, 0, 0, 0, 0, 0, 0, steps * gu, 0, 0, units, units, steps, units, steps * units, steps * units, steps * 4 * units], 4)) return;
  withScratch(ctx, p, (work) => ctx.kernels.recurrent_sequence(cell!, act!, gateAct!, resetAfter!, p.batch, p.steps, p.units,
    p.xProj.ptr, p.recurrentKernel.ptr, ptr(p.recurrentBias), p.h0.ptr, ptr(p.c0), ptr(p.mask), ptr(p.recurrentDropoutMask),
    p.hSeq.ptr, ptr(p.cSeq), ptr(p.saved), work));
}

export function recurrentSequenceBackward(ctx: RecurrentContext, p: RecurrentSequenceBackwardParams<S>): void {
  const kernel = 'recurrentSequenceBackward';
  const [cell, act, gateAct, resetAfter] = codes(kernel, p);
  if ((p.cell === 'lstm') !== (p.dc0 !== null && p.cSeq !== null)) throw new Error(`wasm ${kernel}: cSeq and dc0 are required for 'lstm' and only for it (cell '${p.cell}')`);
  if ((p.cell === 'gru') !== (p.dhProj !== null)) throw new Error(`wasm ${kernel}: dhProj is required for 'gru' and only for it (cell '${p.cell}')`);
  if (p.cell !== 'lstm' && p.dcSeq !== null) throw new Error(`wasm ${kernel}: dcSeq is for 'lstm' only (cell '${p.cell}')`);
  if (p.batch * p.units === 0) return;
  const { steps, units } = p, gu = recurrentGates(p.cell) * units, su = steps * units;
  const args = [cell!, act!, gateAct!, resetAfter!, p.batch, steps, units, p.recurrentKernel.ptr, p.h0.ptr, ptr(p.c0),
    ptr(p.mask), ptr(p.recurrentDropoutMask), p.hSeq.ptr, ptr(p.cSeq), ptr(p.saved), p.dhSeq.ptr, ptr(p.dcSeq), p.dxProj.ptr,
    ptr(p.dhProj), p.dh0.ptr, ptr(p.dc0)];
  if (splitBatch(ctx, p, 'recurrent_sequence_backward', args,
    [0, 0, 0, 0, 0, 0, 0, 0, units, units, steps, units, su, su, steps * 4 * units, su, su, steps * gu, steps * gu, units, units],
    4)) return;
  withScratch(ctx, p, (work) => ctx.kernels.recurrent_sequence_backward(cell!, act!, gateAct!, resetAfter!, p.batch, p.steps,
    p.units, p.recurrentKernel.ptr, p.h0.ptr, ptr(p.c0), ptr(p.mask), ptr(p.recurrentDropoutMask), p.hSeq.ptr, ptr(p.cSeq),
    ptr(p.saved), p.dhSeq.ptr, ptr(p.dcSeq), p.dxProj.ptr, ptr(p.dhProj), p.dh0.ptr, ptr(p.dc0), work));
}
