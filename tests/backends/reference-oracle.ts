/**
 * What the reference kernels' differential tests share: a reference backend, storages made
 * from values (and NaN-filled ones, so a kernel that leaves an output element unwritten
 * shows), and TF.js scopes that free what the oracle made.
 */
import * as tf from '@tensorflow/tfjs';
import { createReferenceBackend, type ReferenceStorage } from '../../src/backends/reference/index.js';

export const ref = createReferenceBackend();

export const store = (values: ArrayLike<number>): ReferenceStorage => {
  const s = ref.alloc(values.length, 'float32');
  ref.write(s, Float32Array.from(values));
  return s;
};

/** An output storage filled with NaN: what the kernel does not write stays NaN. */
export const poisoned = (size: number): ReferenceStorage => store(new Float32Array(size).fill(Number.NaN));

export const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Runs `f` in a TF.js scope that frees its tensors; f returns plain values (dataSync copies). */
export function inScope<T>(f: () => T): T {
  tf.engine().startScope();
  try { return f(); } finally { tf.engine().endScope(); }
}
