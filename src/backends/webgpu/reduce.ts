/**
 * WebGPU glue of the reductions: reduce (sum, max, min; shaders/reduce.wgsl) and argMax
 * (argMax.wgsl), over x viewed as [outer, length, inner]. Long contiguous rows (inner == 1,
 * length >= 64) get a workgroup per output (64 invocations, 256 from 4096 long); anything
 * else one invocation per output, whose neighbours read neighbouring addresses.
 *
 * reduce also cuts a long axis into chunks when there are too few outputs to keep the GPU
 * busy (a full sum, a few column sums): one pass writes [outer, chunks, inner] partials to a
 * pooled scratch buffer and the next reduces those, until one chunk is left. Every pass
 * sums pairwise (reduce.wgsl), so the chunking costs no accuracy.
 */
import { REDUCE_CODES, type ReduceOp } from '../backend.js';
import type { GPUContext } from './context.js';
import type { PipelineRequest } from './pipelines.js';
import { bufferOf, type GPUStorage } from './storage.js';

/** Invocations per workgroup of the one-output-per-invocation entries. */
const SERIAL_WORKGROUP = 64;
/** Chunk lengths when an axis is cut: per workgroup (inner == 1) and per invocation. */
const WORKGROUP_CHUNK = 16384;
const SERIAL_CHUNK = 1024;
/** Outputs from which one pass keeps the GPU busy: workgroups (inner == 1) and invocations. */
const BUSY_WORKGROUPS = 256;
const BUSY_INVOCATIONS = 16384;

/** 0: an invocation per output; 1: a 64-wide workgroup per output; 2: a 256-wide one. */
function pathOf(length: number, inner: number): number {
  if (inner !== 1 || length < 64) return 0;
  return length >= 4096 ? 2 : 1;
}

function reduceLayout(path: number, prefix: string): { entryPoint: string; constants: Record<string, number> } {
  return path === 0 ? { entryPoint: `${prefix}_serial`, constants: { WORKGROUP_SIZE: SERIAL_WORKGROUP } }
    : { entryPoint: `${prefix}_workgroup`, constants: { WORKGROUP_SIZE: path === 1 ? 64 : 256 } };
}

/** Pipelines of this family that a dense-network training step uses (for compile()): column sums. */
export function reduceWarmUp(): PipelineRequest[] {
  const { entryPoint, constants } = reduceLayout(0, 'reduce');
  return [{ shader: 'reduce', entryPoint, constants: { ...constants, OP: REDUCE_CODES.sum } }];
}

function variantOf(context: GPUContext, family: 'reduce' | 'argMax', kernel: string, code: number, path: number) {
  return context.variant(family, code * 4 + path, () => {
    const { entryPoint, constants } = reduceLayout(path, family === 'reduce' ? 'reduce' : 'arg_max');
    return { kernel, shader: family, entryPoint, constants: family === 'reduce' ? { ...constants, OP: code } : constants };
  });
}

const groupsFor = (path: number, outputs: number) => (path === 0 ? Math.ceil(outputs / SERIAL_WORKGROUP) : outputs);

export function reduceKernel(context: GPUContext, op: ReduceOp, x: GPUStorage, out: GPUStorage, outer: number, length: number,
  inner: number): void {
  const outputs = outer * inner;
  if (outputs === 0) return;
  const kernel = `reduce ${op}`;
  const target = bufferOf(out, kernel);
  let source = bufferOf(x, kernel);
  let remaining = length;
  for (;;) {
    const path = pathOf(remaining, inner);
    const chunkLength = path === 0 ? SERIAL_CHUNK : WORKGROUP_CHUNK;
    const busy = path === 0 ? outputs >= BUSY_INVOCATIONS : outputs >= BUSY_WORKGROUPS;
    const chunks = !busy && remaining >= 2 * chunkLength ? Math.ceil(remaining / chunkLength) : 1;
    const variant = variantOf(context, 'reduce', kernel, REDUCE_CODES[op], path);
    if (chunks === 1) {
      context.runLine(variant, [source, target], [outer, remaining, inner, 1, Math.max(remaining, 1)], null, groupsFor(path, outputs));
      if (source !== x.pooled) context.storagePool.release(source);
      return;
    }
    // Partials [outer, chunks, inner] in scratch; freed once the batch using it is submitted.
    const partials = context.storagePool.acquire(outputs * chunks * 4);
    context.runLine(variant, [source, partials], [outer, remaining, inner, chunks, chunkLength], null, groupsFor(path, outputs * chunks));
    if (source !== x.pooled) context.storagePool.release(source);
    source = partials;
    remaining = chunks;
  }
}

export function argMaxKernel(context: GPUContext, x: GPUStorage, out: GPUStorage, outer: number, length: number, inner: number,
  min = false): void {
  const outputs = outer * inner;
  if (outputs === 0) return;
  const path = pathOf(length, inner);
  context.runLine(variantOf(context, 'argMax', 'argMax', 0, path), [bufferOf(x, 'argMax'), bufferOf(out, 'argMax')],
    [outer, length, inner, +min], null, groupsFor(path, outputs));
}
