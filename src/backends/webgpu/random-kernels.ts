/**
 * WebGPU glue of the random and multinomial kernel families (shaders/random.wgsl): one
 * entry point per distribution, one invocation per output element, and the uniform words
 * in the shader's struct order {size, k0, k1, count, samples, a, b}. The backend class
 * delegates its methods of these names here.
 */
import type { RandomParams, Storage } from '../backend.js';
import type { PooledBuffer } from './buffer-pool.js';
import type { Binding, GPUContext } from './context.js';

interface GPUStorageLike extends Storage { pooled: PooledBuffer | null }

const WORKGROUP = 256;

function binding(storage: GPUStorageLike, kernel: string, writable: boolean): Binding {
  if (!storage.pooled) throw new Error(`webgpu ${kernel}: a storage was used after free()`);
  return { buffer: storage.pooled, writable };
}

const ENTRY = {
  uniform: 'draw_uniform', uniformInt: 'draw_uniform_int', bernoulli: 'draw_bernoulli',
  normal: 'draw_normal', truncatedNormal: 'draw_normal', gamma: 'draw_gamma',
} as const;

export function randomKernel(context: GPUContext, p: RandomParams<GPUStorageLike>): void {
  if (p.size === 0) return;
  const kernel = `random ${p.distribution}`;
  const integer = p.distribution === 'uniformInt';
  context.dispatch({
    kernel, shader: 'random', entryPoint: ENTRY[p.distribution],
    constants: { WORKGROUP_SIZE: WORKGROUP, ...(p.distribution.endsWith('ormal') ? { TRUNCATED: +(p.distribution === 'truncatedNormal') } : {}) },
    bindings: [binding(p.out, kernel, true)],
    // uniformInt: count in the count word, the int32 minimum's bits in the samples word.
    ints: [p.size, p.key0 >>> 0, p.key1 >>> 0, integer ? p.b >>> 0 : 0, integer ? p.a >>> 0 : 0],
    floats: integer ? [0, 0] : [p.a, p.b],
    workgroups: context.grid(Math.ceil(p.size / WORKGROUP), kernel),
  });
}

export function multinomialKernel(context: GPUContext, probs: GPUStorageLike, out: GPUStorageLike, batch: number,
  classes: number, samples: number, key0: number, key1: number): void {
  const size = batch * samples;
  if (size === 0) return;
  context.dispatch({
    kernel: 'multinomial', shader: 'random', entryPoint: 'draw_multinomial', constants: { WORKGROUP_SIZE: WORKGROUP },
    bindings: [binding(out, 'multinomial', true), binding(probs, 'multinomial', false)],
    ints: [size, key0 >>> 0, key1 >>> 0, classes, samples], floats: [0, 0],
    workgroups: context.grid(Math.ceil(size / WORKGROUP), 'multinomial'),
  });
}
