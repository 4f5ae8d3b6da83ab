/**
 * WebGPU glue of the reductions: reduce (sum, max, min; shaders/reduce.wgsl) and argMax
 * (argMax.wgsl), over x viewed as [outer, length, inner]. Long contiguous rows (inner == 1,
 * length >= 64) get a workgroup per output (64 invocations, 256 from 4096 long). Column
 * reductions (inner > 1: bias gradients, batch-norm statistics) follow the GEMM variant: on
 * GPUs ('tiled') a 256-wide workgroup per tile of 4 to 64 neighbouring columns, whose lanes
 * split the rows and combine in workgroup memory (reduce_columns); on CPU adapters
 * ('blocked') one invocation per output (reduce_serial), whose neighbours read neighbouring
 * addresses: CPU adapters pay for workgroup barriers, and reduce_columns measured 1.5 to 2.7x
 * slower on SwiftShader and 1.0 to 1.25x on lavapipe, over the MNIST CNN's bias-gradient
 * shapes and a few odd ones (bench/gpu-reduce.mjs). Short axes (under 16) and argMax take
 * the per-output form everywhere.
 *
 * reduce also cuts a long axis into chunks when there are too few outputs to keep the GPU
 * busy (a full sum, a few column sums), or when a reduce_columns lane would loop past
 * lavapipe's cap: one pass writes [outer, chunks, inner] partials to a pooled scratch buffer
 * and the next reduces those, until one chunk is left. Every pass sums pairwise
 * (reduce.wgsl), so the chunking costs no accuracy.
 */
import { REDUCE_CODES, type ReduceOp } from '../backend.js';
import type { GPUContext } from './context.js';
import type { GemmVariant } from './layout.js';
import type { PipelineRequest } from './pipelines.js';
import { bufferOf, type GPUStorage } from './storage.js';

/** Invocations per workgroup of the one-output-per-invocation entries. */
const SERIAL_WORKGROUP = 64;
/** Invocations per workgroup of reduce_columns. */
const COLUMNS_WORKGROUP = 256;
/** Chunk lengths when an axis is cut: per workgroup (inner == 1) and per invocation. */
const WORKGROUP_CHUNK = 16384;
const SERIAL_CHUNK = 1024;
/** reduce_columns: rows per lane of a chunk (a chunk is this times the lanes, 256 / tile). */
const COLUMN_ROWS_PER_LANE = 256;
/** Outputs from which one pass keeps the GPU busy: workgroups and invocations. */
const BUSY_WORKGROUPS = 256;
const BUSY_INVOCATIONS = 16384;
/** Axes shorter than this reduce serially: reduce_columns' lanes would mostly idle. */
const COLUMNS_MIN_LENGTH = 16;

/** 0: an invocation per output; 1: a 64-wide workgroup per output; 2: a 256-wide one; 3: reduce_columns. */
type Path = 0 | 1 | 2 | 3;

/** reduce_columns' tile: the power of two from 4 to 64 nearest above `inner`. */
const tileColumns = (inner: number) => Math.min(64, Math.max(4, 2 ** Math.ceil(Math.log2(inner))));

function pathOf(length: number, inner: number, columns: boolean): Path {
  if (inner !== 1) return columns && length >= COLUMNS_MIN_LENGTH ? 3 : 0;
  if (length < 64) return 0;
  return length >= 4096 ? 2 : 1;
}

function reduceLayout(path: Path, prefix: string, tile = 0): { entryPoint: string; constants: Record<string, number> } {
  if (path === 0) return { entryPoint: `${prefix}_serial`, constants: { WORKGROUP_SIZE: SERIAL_WORKGROUP } };
  if (path === 3) return { entryPoint: 'reduce_columns', constants: { WORKGROUP_SIZE: COLUMNS_WORKGROUP, COLUMNS: tile } };
  return { entryPoint: `${prefix}_workgroup`, constants: { WORKGROUP_SIZE: path === 1 ? 64 : 256 } };
}

/**
 * Pipelines of this family that a dense-network training step uses (for compile()): column
 * sums, in the form `variant` takes (reduce_columns at the common tiles on GPUs).
 */
export function reduceWarmUp(variant: GemmVariant): PipelineRequest[] {
  const layouts = variant === 'tiled' ? [16, 64].map((tile) => reduceLayout(3, 'reduce', tile)) : [reduceLayout(0, 'reduce')];
  return layouts.map(({ entryPoint, constants }) => ({ shader: 'reduce', entryPoint, constants: { ...constants, OP: REDUCE_CODES.sum } }));
}

function variantOf(context: GPUContext, family: 'reduce' | 'argMax', kernel: string, code: number, path: Path, tile = 0) {
  return context.variant(family, `${code}:${path}:${tile}`, () => {
    const { entryPoint, constants } = reduceLayout(path, family === 'reduce' ? 'reduce' : 'arg_max', tile);
    return { kernel, shader: family, entryPoint, constants: family === 'reduce' ? { ...constants, OP: code } : constants };
  });
}

/** Workgroups of a pass over `outer` x `inner` outputs (outer counting the chunks). */
function groupsFor(path: Path, outer: number, inner: number): number {
  if (path === 0) return Math.ceil(outer * inner / SERIAL_WORKGROUP);
  if (path === 3) return outer * Math.ceil(inner / tileColumns(inner));
  return outer * inner;
}

/** Chunk length of a pass: rows per workgroup (paths 1 to 3) or per invocation (path 0). */
function chunkLengthOf(path: Path, inner: number): number {
  if (path === 0) return SERIAL_CHUNK;
  if (path === 3) return COLUMN_ROWS_PER_LANE * COLUMNS_WORKGROUP / tileColumns(inner);
  return WORKGROUP_CHUNK;
}

/** `variant` picks the column form: reduce_columns for 'tiled' (GPUs), reduce_serial for 'blocked' (CPU adapters). */
export function reduceKernel(context: GPUContext, variant: GemmVariant, op: ReduceOp, x: GPUStorage, out: GPUStorage,
  outer: number, length: number, inner: number): void {
  const outputs = outer * inner;
  if (outputs === 0) return;
  const kernel = `reduce ${op}`;
  const target = bufferOf(out, kernel);
  let source = bufferOf(x, kernel);
  let remaining = length;
  for (;;) {
    const path = pathOf(remaining, inner, variant === 'tiled');
    const chunkLength = chunkLengthOf(path, inner);
    const busy = path === 0 ? outputs >= BUSY_INVOCATIONS : groupsFor(path, outer, inner) >= BUSY_WORKGROUPS;
    // reduce_columns also cuts an axis whose lanes would loop past lavapipe's cap (65,535 iterations).
    const cut = (!busy && remaining >= 2 * chunkLength) || (path === 3 && remaining > 64 * chunkLength);
    const chunks = cut ? Math.ceil(remaining / chunkLength) : 1;
    const pipeline = variantOf(context, 'reduce', kernel, REDUCE_CODES[op], path, path === 3 ? tileColumns(inner) : 0);
    if (chunks === 1) {
      context.runLine(pipeline, [source, target], [outer, remaining, inner, 1, Math.max(remaining, 1)], null, groupsFor(path, outer, inner));
      if (source !== x.pooled) context.storagePool.release(source);
      return;
    }
    // Partials [outer, chunks, inner] in scratch; freed once the batch using it is submitted.
    const partials = context.storagePool.acquire(outputs * chunks * 4);
    context.runLine(pipeline, [source, partials], [outer, remaining, inner, chunks, chunkLength], null, groupsFor(path, outer * chunks, inner));
    if (source !== x.pooled) context.storagePool.release(source);
    source = partials;
    remaining = chunks;
  }
}

export function argMaxKernel(context: GPUContext, x: GPUStorage, out: GPUStorage, outer: number, length: number, inner: number,
  min = false): void {
  const outputs = outer * inner;
  if (outputs === 0) return;
  const path = pathOf(length, inner, false);
  context.runLine(variantOf(context, 'argMax', 'argMax', 0, path), [bufferOf(x, 'argMax'), bufferOf(out, 'argMax')],
    [outer, length, inner, +min], null, groupsFor(path, outer, inner));
}
