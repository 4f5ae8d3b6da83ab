/** Optimizer updates in place: adam, sgd (with momentum / Nesterov), rmsprop; large ones split over threads. */
import type { AdamParams, RmspropParams, SgdParams } from '../backend.js';
import type { KernelExports, WasmStorage as S } from './kernel-exports.js';
import { ELEMENTWISE_PARALLEL, splitRange, type ThreadPool } from './threads.js';

/** A pointer stepped by `begin` floats; 0 (none) stays 0. */
const at = (ptr: number, begin: number): number => (ptr ? ptr + begin * 4 : 0);

export function adam(kernels: KernelExports, p: AdamParams<S>, pool: ThreadPool | null = null): void {
  if (pool !== null && p.size >= ELEMENTWISE_PARALLEL && splitRange(pool, p.size, ELEMENTWISE_PARALLEL, (q, b, e) => {
    const s = q.task('adam'), x = q.args;
    x[s] = at(p.param.ptr, b); x[s + 1] = at(p.grad.ptr, b); x[s + 2] = at(p.m.ptr, b); x[s + 3] = at(p.v.ptr, b);
    x[s + 4] = e - b; x[s + 5] = p.learningRate; x[s + 6] = p.beta1; x[s + 7] = p.beta2; x[s + 8] = p.epsilon;
    x[s + 9] = p.correction1; x[s + 10] = p.correction2;
  })) return;
  kernels.adam(p.param.ptr, p.grad.ptr, p.m.ptr, p.v.ptr, p.size, p.learningRate, p.beta1,
    p.beta2, p.epsilon, p.correction1, p.correction2);
}

export function sgd(kernels: KernelExports, p: SgdParams<S>, pool: ThreadPool | null = null): void {
  const velocity = p.velocity ? p.velocity.ptr : 0;
  if (pool !== null && p.size >= ELEMENTWISE_PARALLEL && splitRange(pool, p.size, ELEMENTWISE_PARALLEL, (q, b, e) => {
    const s = q.task('sgd'), x = q.args;
    x[s] = at(p.param.ptr, b); x[s + 1] = at(p.grad.ptr, b); x[s + 2] = at(velocity, b); x[s + 3] = e - b;
    x[s + 4] = p.learningRate; x[s + 5] = p.momentum; x[s + 6] = p.nesterov ? 1 : 0;
  })) return;
  kernels.sgd(p.param.ptr, p.grad.ptr, velocity, p.size, p.learningRate, p.momentum, p.nesterov ? 1 : 0);
}

export function rmsprop(kernels: KernelExports, p: RmspropParams<S>, pool: ThreadPool | null = null): void {
  const moment = p.moment ? p.moment.ptr : 0;
  if (pool !== null && p.size >= ELEMENTWISE_PARALLEL && splitRange(pool, p.size, ELEMENTWISE_PARALLEL, (q, b, e) => {
    const s = q.task('rmsprop'), x = q.args;
    x[s] = at(p.param.ptr, b); x[s + 1] = at(p.grad.ptr, b); x[s + 2] = at(p.meanSquare.ptr, b); x[s + 3] = at(moment, b);
    x[s + 4] = e - b; x[s + 5] = p.learningRate; x[s + 6] = p.decay; x[s + 7] = p.momentum; x[s + 8] = p.epsilon;
  })) return;
  kernels.rmsprop(p.param.ptr, p.grad.ptr, p.meanSquare.ptr, moment, p.size, p.learningRate, p.decay, p.momentum,
    p.epsilon);
}
