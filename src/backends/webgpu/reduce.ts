/**
 * WebGPU glue of the reductions: reduce (sum, max, min; shaders/reduce.wgsl) and argMax
 * (argMax.wgsl), over x viewed as [outer, length, inner]. Long contiguous rows (inner == 1,
 * length >= 64) get a workgroup per output (64 invocations, 256 from 4096 long); anything
 * else one invocation per output, whose neighbours read neighbouring addresses.
 */
import { REDUCE_CODES, type ReduceOp } from '../backend.js';
import type { GPUContext } from './context.js';
import type { PipelineRequest } from './pipelines.js';
import { bufferOf, type GPUStorage } from './storage.js';

/** Invocations per workgroup of the one-output-per-invocation entries. */
const SERIAL_WORKGROUP = 64;

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

function reduction(context: GPUContext, family: 'reduce' | 'argMax', kernel: string, code: number, x: GPUStorage, out: GPUStorage,
  outer: number, length: number, inner: number): void {
  const outputs = outer * inner;
  if (outputs === 0) return;
  const path = pathOf(length, inner);
  const variant = context.variant(family, code * 4 + path, () => {
    const { entryPoint, constants } = reduceLayout(path, family === 'reduce' ? 'reduce' : 'arg_max');
    return { kernel, shader: family, entryPoint, constants: family === 'reduce' ? { ...constants, OP: code } : constants };
  });
  context.runLine(variant, [bufferOf(x, kernel), bufferOf(out, kernel)], [outer, length, inner], null,
    path === 0 ? Math.ceil(outputs / SERIAL_WORKGROUP) : outputs);
}

export function reduceKernel(context: GPUContext, op: ReduceOp, x: GPUStorage, out: GPUStorage, outer: number, length: number,
  inner: number): void {
  reduction(context, 'reduce', `reduce ${op}`, REDUCE_CODES[op], x, out, outer, length, inner);
}

export function argMaxKernel(context: GPUContext, x: GPUStorage, out: GPUStorage, outer: number, length: number, inner: number): void {
  reduction(context, 'argMax', 'argMax', 0, x, out, outer, length, inner);
}
