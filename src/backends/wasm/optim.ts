/** Optimizer updates in place: adam, sgd (with momentum / Nesterov), rmsprop. */
import type { AdamParams, RmspropParams, SgdParams } from '../backend.js';
import type { KernelExports, WasmStorage as S } from './kernel-exports.js';

export function adam(kernels: KernelExports, p: AdamParams<S>): void {
  kernels.adam(p.param.ptr, p.grad.ptr, p.m.ptr, p.v.ptr, p.size, p.learningRate, p.beta1,
    p.beta2, p.epsilon, p.correction1, p.correction2);
}

export function sgd(kernels: KernelExports, p: SgdParams<S>): void {
  kernels.sgd(p.param.ptr, p.grad.ptr, p.velocity ? p.velocity.ptr : 0, p.size,
    p.learningRate, p.momentum, p.nesterov ? 1 : 0);
}

export function rmsprop(kernels: KernelExports, p: RmspropParams<S>): void {
  kernels.rmsprop(p.param.ptr, p.grad.ptr, p.meanSquare.ptr, p.moment ? p.moment.ptr : 0,
    p.size, p.learningRate, p.decay, p.momentum, p.epsilon);
}
