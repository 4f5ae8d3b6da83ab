/**
 * WebGPU glue of the optimizer kernels: adam, sgd and rmsprop (shaders of the same names),
 * one invocation per parameter. The host passes the step's scalars as uniform floats,
 * with 1 - beta (and 1 - decay) precomputed in float64.
 */
import type { AdamParams, RmspropParams, SgdParams } from '../backend.js';
import type { GPUContext } from './context.js';
import { ELEMENTWISE_WORKGROUP } from './elementwise.js';
import type { PipelineRequest } from './pipelines.js';
import { bufferOf, type GPUStorage } from './storage.js';

const groups = (size: number) => Math.ceil(size / ELEMENTWISE_WORKGROUP);
const adamSpec = { kernel: 'adam', shader: 'adam', constants: { WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP } } as const;

/** Pipelines of this family that a dense-network training step uses (for compile()). */
export function optimWarmUp(): PipelineRequest[] { return [adamSpec]; }

export function adamKernel(context: GPUContext, p: AdamParams<GPUStorage>): void {
  if (p.size === 0) return;
  const k = 'adam';
  context.runLine(context.variant(k, 0, () => adamSpec),
    [bufferOf(p.grad, k), bufferOf(p.param, k), bufferOf(p.m, k), bufferOf(p.v, k)], [p.size],
    [p.learningRate, p.beta1, p.beta2, p.epsilon, p.correction1, p.correction2, 1 - p.beta1, 1 - p.beta2], groups(p.size));
}

export function sgdKernel(context: GPUContext, p: SgdParams<GPUStorage>): void {
  if (p.size === 0) return;
  const k = 'sgd';
  const velocity = +(p.velocity !== null), nesterov = +p.nesterov;
  const variant = context.variant(k, velocity * 2 + nesterov, () => ({
    kernel: k, shader: k, constants: { HAS_VELOCITY: velocity, NESTEROV: nesterov, WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP },
  }));
  context.runLine(variant, [bufferOf(p.grad, k), bufferOf(p.param, k), p.velocity ? bufferOf(p.velocity, k) : context.dummy],
    [p.size], [p.learningRate, p.momentum], groups(p.size));
}

export function rmspropKernel(context: GPUContext, p: RmspropParams<GPUStorage>): void {
  if (p.size === 0) return;
  const k = 'rmsprop';
  const moment = +(p.moment !== null);
  const variant = context.variant(k, moment, () => ({
    kernel: k, shader: k, constants: { HAS_MOMENT: moment, WORKGROUP_SIZE: ELEMENTWISE_WORKGROUP },
  }));
  context.runLine(variant,
    [bufferOf(p.grad, k), bufferOf(p.param, k), bufferOf(p.meanSquare, k), p.moment ? bufferOf(p.moment, k) : context.dummy],
    [p.size], [p.learningRate, p.decay, p.momentum, p.epsilon, 1 - p.decay], groups(p.size));
}
