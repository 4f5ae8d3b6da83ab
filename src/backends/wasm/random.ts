/** Counter-based random draws (assembly/random.ts; the generator is backend.ts RandomParams). */
import type { RandomParams } from '../backend.js';
import type { KernelExports, WasmStorage as S } from './kernel-exports.js';

export function random(kernels: KernelExports, p: RandomParams<S>): void {
  const k = kernels, out = p.out.ptr, n = p.size;
  switch (p.distribution) {
    case 'uniform': k.random_uniform(out, n, p.key0, p.key1, p.a, p.b); break;
    case 'uniformInt': k.random_uniform_int(out, n, p.key0, p.key1, p.a, p.b); break;
    case 'bernoulli': k.random_bernoulli(out, n, p.key0, p.key1, p.a, p.b); break;
    case 'normal': k.random_normal(out, n, p.key0, p.key1, p.a, p.b, 0); break;
    case 'truncatedNormal': k.random_normal(out, n, p.key0, p.key1, p.a, p.b, 1); break;
    case 'gamma': k.random_gamma(out, n, p.key0, p.key1, p.a, p.b); break;
  }
}
