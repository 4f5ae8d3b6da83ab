/**
 * WebGPU glue of the random and multinomial kernel families (shaders/random.wgsl): one
 * entry point per distribution, one invocation per output element, and the uniform words
 * in the shader's struct order {size, k0, k1, count, samples, a, b}. The backend class
 * delegates its methods of these names here.
 */
import type { RandomParams } from '../backend.js';
import type { GPUContext } from './context.js';
import { bufferOf, type GPUStorage } from './storage.js';

const WORKGROUP = 256;

const ENTRY = {
  uniform: 'draw_uniform', uniformInt: 'draw_uniform_int', bernoulli: 'draw_bernoulli',
  normal: 'draw_normal', truncatedNormal: 'draw_normal', gamma: 'draw_gamma',
} as const;

export function randomKernel(context: GPUContext, p: RandomParams<GPUStorage>): void {
  if (p.size === 0) return;
  const kernel = `random ${p.distribution}`;
  const integer = p.distribution === 'uniformInt';
  const variant = context.variant('random', p.distribution, () => ({
    kernel, shader: 'random', entryPoint: ENTRY[p.distribution],
    constants: { WORKGROUP_SIZE: WORKGROUP, ...(p.distribution.endsWith('ormal') ? { TRUNCATED: +(p.distribution === 'truncatedNormal') } : {}) },
  }));
  // uniformInt: count in the count word, the int32 minimum's bits in the samples word.
  context.runLine(variant, [bufferOf(p.out, kernel), context.dummy],
    [p.size, p.key0 >>> 0, p.key1 >>> 0, integer ? p.b >>> 0 : 0, integer ? p.a >>> 0 : 0], integer ? [0, 0] : [p.a, p.b],
    Math.ceil(p.size / WORKGROUP));
}

export function multinomialKernel(context: GPUContext, probs: GPUStorage, out: GPUStorage, batch: number,
  classes: number, samples: number, key0: number, key1: number): void {
  const size = batch * samples;
  if (size === 0) return;
  const variant = context.variant('random', 'multinomial', () => ({
    kernel: 'multinomial', shader: 'random', entryPoint: 'draw_multinomial', constants: { WORKGROUP_SIZE: WORKGROUP },
  }));
  context.runLine(variant, [bufferOf(out, 'multinomial'), bufferOf(probs, 'multinomial')], [size, key0 >>> 0, key1 >>> 0, classes, samples],
    [0, 0], Math.ceil(size / WORKGROUP));
}
